// File: query/testing/schema_db.cc

#include "query/testing/schema_db.h"

#include <string>
#include <utility>
#include <variant>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "migrations/migrations.h"
#include "query/catalog.h"
#include "util/status_macros.h"

namespace mlmdx::query {
namespace {

constexpr NodeKind kAllKinds[] = {NodeKind::kArtifact, NodeKind::kExecution,
                                  NodeKind::kContext};

}  // namespace

absl::StatusOr<std::unique_ptr<SchemaDb>> SchemaDb::Open(
    absl::string_view schema_sql) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      ":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Handle handle(raw, &sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite3_open_v2: ", rc));
  }
  std::unique_ptr<SchemaDb> db(new SchemaDb(std::move(handle)));
  if (absl::Status s = db->Exec(schema_sql); !s.ok()) return s;
  return db;
}

absl::Status SchemaDb::Exec(absl::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error) !=
      SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    return absl::InternalError(absl::StrCat("sqlite3_exec: ", message));
  }
  return absl::OkStatus();
}

absl::StatusOr<SchemaDb::Statement> SchemaDb::Prepare(const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) !=
      SQLITE_OK) {
    return absl::InternalError(absl::StrCat(
        "prepare failed: ", sqlite3_errmsg(db_.get()), " in: ", sql));
  }
  return Statement(raw, &sqlite3_finalize);
}

absl::StatusOr<std::vector<int64_t>> SchemaDb::MatchingIds(
    NodeKind kind, const CompiledFilter& filter) {
  const std::string sql =
      absl::StrCat("SELECT id FROM ", NodeKindName(kind), " WHERE id IN (",
                   filter.sql, ") ORDER BY id");
  MLMDX_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  sqlite3_stmt* raw = stmt.get();
  if (raw == nullptr) return absl::InternalError("empty statement");
  if (sqlite3_bind_parameter_count(raw) !=
      static_cast<int>(filter.params.size())) {
    return absl::InternalError(absl::StrCat(
        "statement has ", sqlite3_bind_parameter_count(raw),
        " placeholders but ", filter.params.size(), " parameters: ", sql));
  }
  for (size_t k = 0; k < filter.params.size(); ++k) {
    const int index = static_cast<int>(k) + 1;
    const SqlParam& p = filter.params[k];
    int rc = SQLITE_OK;
    if (const auto* i = std::get_if<int64_t>(&p)) {
      rc = sqlite3_bind_int64(raw, index, *i);
    } else if (const auto* d = std::get_if<double>(&p)) {
      rc = sqlite3_bind_double(raw, index, *d);
    } else {
      const std::string& s = std::get<std::string>(p);
      rc = sqlite3_bind_text(raw, index, s.data(), static_cast<int>(s.size()),
                             SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("bind failed: ", rc));
    }
  }
  std::vector<int64_t> ids;
  while (true) {
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      return absl::InternalError(
          absl::StrCat("step failed: ", sqlite3_errmsg(db_.get())));
    }
    ids.push_back(sqlite3_column_int64(raw, 0));
  }
  return ids;
}

absl::StatusOr<StoredTable> SchemaDb::ReadTable(absl::string_view table) {
  const std::string sql = absl::StrCat("SELECT * FROM ", table);
  MLMDX_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  sqlite3_stmt* raw = stmt.get();
  StoredTable out;
  for (int c = 0; c < sqlite3_column_count(raw); ++c) {
    out.columns.emplace_back(sqlite3_column_name(raw, c));
  }
  while (true) {
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      return absl::InternalError(
          absl::StrCat("step failed: ", sqlite3_errmsg(db_.get())));
    }
    std::vector<StoredValue>& row = out.rows.emplace_back(out.columns.size());
    for (int c = 0; c < static_cast<int>(row.size()); ++c) {
      StoredValue& value = row[c];
      value.type = sqlite3_column_type(raw, c);
      switch (value.type) {
        case SQLITE_INTEGER:
          value.int_value = sqlite3_column_int64(raw, c);
          break;
        case SQLITE_FLOAT:
          value.double_value = sqlite3_column_double(raw, c);
          break;
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
          const void* data =
              value.type == SQLITE_TEXT
                  ? static_cast<const void*>(sqlite3_column_text(raw, c))
                  : sqlite3_column_blob(raw, c);
          const int size = sqlite3_column_bytes(raw, c);
          if (size > 0)
            value.bytes.assign(static_cast<const char*>(data), size);
          break;
        }
        default:
          break;
      }
    }
  }
  return out;
}

absl::StatusOr<std::string> SchemaDb::SchemaText() {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(),
                         "SELECT type || ' ' || name || ' ' || "
                         "IFNULL(sql, '') FROM sqlite_master ORDER BY name",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return absl::InternalError(sqlite3_errmsg(db_.get()));
  }
  absl::Cleanup finalize = [raw] { sqlite3_finalize(raw); };
  std::string text;
  while (sqlite3_step(raw) == SQLITE_ROW) {
    absl::StrAppend(&text,
                    reinterpret_cast<const char*>(sqlite3_column_text(raw, 0)),
                    "\n");
  }
  return text;
}

absl::string_view EmbeddedSqliteSchema() {
  for (const migrations::SqlFile& file : migrations::AllSqlFiles()) {
    if (file.name == "sqlite/0010_mlmd_schema.up.sql") return file.sql;
  }
  return "";
}

absl::Status CheckFilterContract(SchemaDb& db, absl::string_view input) {
  for (NodeKind kind : kAllKinds) {
    absl::StatusOr<CompiledFilter> compiled = CompileFilter(input, kind);
    if (!compiled.ok()) {
      const absl::Status& s = compiled.status();
      if (s.code() != absl::StatusCode::kInvalidArgument ||
          !absl::StartsWith(s.message(), "Invalid `filter_query`: ") ||
          !absl::StrContains(s.message(), " at line ") ||
          !absl::StrContains(s.message(), "\n")) {
        return absl::InternalError(absl::StrCat(
            "bad error for kind ", static_cast<int>(kind), ": ", s.ToString()));
      }
      continue;
    }
    absl::StatusOr<std::vector<int64_t>> ids = db.MatchingIds(kind, *compiled);
    if (!ids.ok()) return ids.status();
  }
  return absl::OkStatus();
}

}  // namespace mlmdx::query
