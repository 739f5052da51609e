#include "store/connection.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mlmdx::store {

SqlValue SqlValue::Int(int64_t v) {
  SqlValue value;
  value.kind_ = Kind::kInt;
  value.int_ = v;
  return value;
}

SqlValue SqlValue::Bool(bool v) {
  SqlValue value;
  value.kind_ = Kind::kBool;
  value.int_ = v ? 1 : 0;
  return value;
}

SqlValue SqlValue::Double(double v) {
  SqlValue value;
  value.kind_ = Kind::kDouble;
  value.double_ = v;
  return value;
}

SqlValue SqlValue::Text(std::string v) {
  SqlValue value;
  value.kind_ = Kind::kText;
  value.bytes_ = std::move(v);
  return value;
}

SqlValue SqlValue::Blob(std::string bytes) {
  SqlValue value;
  value.kind_ = Kind::kBlob;
  value.bytes_ = std::move(bytes);
  return value;
}

SqlValue SqlValue::OptionalText(const std::optional<std::string>& v) {
  return v.has_value() ? Text(*v) : Null();
}

int64_t SqlValue::AsInt() const {
  switch (kind_) {
    case Kind::kInt:
    case Kind::kBool:
      return int_;
    case Kind::kDouble:
      return static_cast<int64_t>(double_);
    case Kind::kText:
    case Kind::kBlob: {
      int64_t parsed = 0;
      return absl::SimpleAtoi(bytes_, &parsed) ? parsed : 0;
    }
    case Kind::kNull:
      break;
  }
  return 0;
}

double SqlValue::AsDouble() const {
  switch (kind_) {
    case Kind::kInt:
    case Kind::kBool:
      return static_cast<double>(int_);
    case Kind::kDouble:
      return double_;
    case Kind::kText:
    case Kind::kBlob:
      return std::strtod(bytes_.c_str(), nullptr);
    case Kind::kNull:
      break;
  }
  return 0;
}

std::string SqlValue::AsString() const {
  switch (kind_) {
    case Kind::kInt:
    case Kind::kBool:
      return absl::StrCat(int_);
    case Kind::kDouble:
      return absl::StrCat(double_);
    case Kind::kText:
    case Kind::kBlob:
      return bytes_;
    case Kind::kNull:
      break;
  }
  return "";
}

absl::Status Connection::ExecuteDeferred(absl::string_view sql,
                                         absl::Span<const SqlValue> params,
                                         RowsCallback on_rows,
                                         ErrorMapper map_error) {
  absl::StatusOr<RecordSet> rows = Query(sql, params);
  if (!rows.ok()) {
    return map_error ? map_error(rows.status()) : rows.status();
  }
  if (on_rows) on_rows(*rows);
  return absl::OkStatus();
}

absl::Status LockUntilTransactionEnds(Connection& conn,
                                      absl::string_view name) {
  if (conn.dialect() != Dialect::kPostgres) return absl::OkStatus();
  // The two-key form keeps mlmdx's locks apart from any other user of
  // advisory locks in the same database; 0x6d6c6d78 is "mlmx".
  return conn
      .Query("SELECT pg_advisory_xact_lock(1835822456, hashtext(?))",
             {SqlValue::Text(std::string(name))})
      .status();
}

}  // namespace mlmdx::store
