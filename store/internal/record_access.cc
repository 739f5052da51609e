#include "store/internal/record_access.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "store/internal/property_codec.h"
#include "store/internal/visibility.h"
#include "util/status_macros.h"

namespace mlmdx::store::internal {
namespace {

// IN-list chunk sizes. A list is cut into chunks of the largest size and the
// last chunk is padded (by repeating its last value) up to the next size.
constexpr size_t kChunkSizes[] = {1, 4, 16, 64, 256};
constexpr size_t kMaxChunk = 256;

std::string Placeholders(size_t n) {
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&out, i == 0 ? "?" : ", ?");
  out += ")";
  return out;
}

constexpr absl::string_view kTypeColumns =
    "id, type_kind, name, version, description, external_id, input_type, "
    "output_type";

std::optional<std::string> OptionalText(const SqlValue& v) {
  if (v.is_null()) return std::nullopt;
  return v.AsString();
}

bool HasNul(absl::string_view text) {
  return text.find('\0') != absl::string_view::npos;
}

bool HasNul(const SqlValue& value) {
  return value.kind() == SqlValue::Kind::kText && HasNul(value.AsString());
}

// `values` as a PostgreSQL array literal: NULL elements bare, every other
// element double-quoted with backslash escapes, and bytes in bytea's hex
// form. The element type comes from the CAST the statement puts around it.
SqlValue ArrayLiteral(absl::Span<const SqlValue> values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    const SqlValue& value = values[i];
    std::string element;
    switch (value.kind()) {
      case SqlValue::Kind::kNull:
        out += "NULL";
        continue;
      case SqlValue::Kind::kInt:
        element = absl::StrCat(value.AsInt());
        break;
      case SqlValue::Kind::kBool:
        element = value.AsInt() != 0 ? "t" : "f";
        break;
      case SqlValue::Kind::kDouble:
        // As PostgresConnection sends a double parameter.
        element = absl::StrFormat("%.17g", value.AsDouble());
        break;
      case SqlValue::Kind::kText:
        element = value.AsString();
        break;
      case SqlValue::Kind::kBlob:
        element = absl::StrCat("\\x", absl::BytesToHexString(value.AsString()));
        break;
    }
    out += '"';
    for (char c : element) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return SqlValue::Text(std::move(out));
}

template <typename Node>
std::string NodeSelectPrefix() {
  using Traits = NodeTraits<Node>;
  std::string extra;
  if (Traits::kExtraCount > 0) {
    // "uri, state" -> ", N.uri, N.state"
    for (absl::string_view column :
         absl::StrSplit(Traits::kExtraColumns, ", ")) {
      absl::StrAppend(&extra, ", N.", column);
    }
  }
  return absl::StrCat(
      "SELECT N.id, N.type_id, N.name, N.external_id, "
      "N.create_time_since_epoch, N.last_update_time_since_epoch, T.name",
      extra, " FROM ", Traits::kTable,
      " AS N LEFT JOIN Type AS T ON T.id = N.type_id WHERE N.id IN ");
}

template <typename Node>
Node ReadNodeRow(const std::vector<SqlValue>& row) {
  Node node;
  node.set_id(row[0].AsInt());
  node.set_type_id(row[1].AsInt());
  if (!row[2].is_null()) node.set_name(row[2].AsString());
  if (!row[3].is_null()) node.set_external_id(row[3].AsString());
  node.set_create_time_since_epoch(row[4].AsInt());
  node.set_last_update_time_since_epoch(row[5].AsInt());
  if (!row[6].is_null()) node.set_type(row[6].AsString());
  NodeTraits<Node>::ReadExtra(row, 7, node);
  return node;
}

ml_metadata::Event ReadEventRow(const std::vector<SqlValue>& row) {
  ml_metadata::Event event;
  event.set_artifact_id(row[1].AsInt());
  event.set_execution_id(row[2].AsInt());
  event.set_type(static_cast<ml_metadata::Event::Type>(row[3].AsInt()));
  if (!row[4].is_null()) event.set_milliseconds_since_epoch(row[4].AsInt());
  return event;
}

}  // namespace

void AppendPathStep(const SqlValue& is_index_step, const SqlValue& step_index,
                    const SqlValue& step_key, ml_metadata::Event::Path* path) {
  auto* step = path->add_steps();
  if (is_index_step.AsInt() != 0) {
    step->set_index(step_index.AsInt());
  } else {
    step->set_key(step_key.AsString());
  }
}

query::Dialect QueryDialect(Dialect dialect) {
  return dialect == Dialect::kPostgres ? query::Dialect::kPostgres
                                       : query::Dialect::kSqlite;
}

absl::string_view InsertionOrder(Dialect dialect) {
  // MLMD's EventPath has no key, and MLMD reads steps in table order. On
  // PostgreSQL that is the heap order (ctid); a column to order by would
  // change the table MLMD checks column by column.
  return dialect == Dialect::kPostgres ? "ctid" : "rowid";
}

std::vector<SqlValue> IdParams(absl::Span<const int64_t> ids) {
  std::vector<SqlValue> params;
  params.reserve(ids.size());
  for (int64_t id : ids) params.push_back(SqlValue::Int(id));
  return params;
}

namespace {

// The size a chunk of `n` items (1 <= n <= kMaxChunk) is padded to: the
// next of kChunkSizes.
size_t PaddedSize(size_t n) {
  for (size_t size : kChunkSizes) {
    if (size >= n) return size;
  }
  return kMaxChunk;
}

// The ids of the chunk starting at `start`, padded with its last id.
std::vector<SqlValue> PaddedChunk(absl::Span<const SqlValue> ids,
                                  size_t start) {
  const size_t n = std::min(kMaxChunk, ids.size() - start);
  std::vector<SqlValue> params(ids.begin() + start, ids.begin() + start + n);
  while (params.size() < PaddedSize(n)) params.push_back(params.back());
  return params;
}

}  // namespace

absl::StatusOr<RecordSet> RecordAccess::QueryInChunks(
    absl::string_view sql_prefix, absl::string_view sql_suffix,
    absl::Span<const SqlValue> ids, absl::Span<const SqlValue> suffix_params) {
  RecordSet all;
  for (size_t start = 0; start < ids.size(); start += kMaxChunk) {
    std::vector<SqlValue> params = PaddedChunk(ids, start);
    const size_t marks = params.size();
    params.insert(params.end(), suffix_params.begin(), suffix_params.end());
    MLMDX_ASSIGN_OR_RETURN(
        RecordSet rows,
        conn_.Query(absl::StrCat(sql_prefix, Placeholders(marks), sql_suffix),
                    params));
    for (auto& row : rows.rows) all.rows.push_back(std::move(row));
  }
  return all;
}

absl::Status RecordAccess::DeferInChunks(
    absl::string_view sql_prefix, absl::string_view sql_suffix,
    absl::Span<const SqlValue> ids, std::shared_ptr<RecordSet> into,
    absl::Span<const SqlValue> suffix_params) {
  for (size_t start = 0; start < ids.size(); start += kMaxChunk) {
    std::vector<SqlValue> params = PaddedChunk(ids, start);
    const size_t marks = params.size();
    params.insert(params.end(), suffix_params.begin(), suffix_params.end());
    MLMDX_RETURN_IF_ERROR(conn_.ExecuteDeferred(
        absl::StrCat(sql_prefix, Placeholders(marks), sql_suffix), params,
        [into](const RecordSet& rows) {
          for (const auto& row : rows.rows) into->rows.push_back(row);
        }));
  }
  return absl::OkStatus();
}

// ---- Types -----------------------------------------------------------------

absl::StatusOr<std::optional<int64_t>> RecordAccess::FindTypeId(
    TypeKind kind, const std::string& name,
    const std::optional<std::string>& version) {
  absl::StatusOr<RecordSet> rows;
  if (!version.has_value() || version->empty()) {
    rows = conn_.Query(
        "SELECT id FROM Type WHERE name = ? AND version IS NULL AND "
        "type_kind = ? ORDER BY id LIMIT 1",
        {SqlValue::Text(name), SqlValue::Int(static_cast<int>(kind))});
  } else {
    rows = conn_.Query(
        "SELECT id FROM Type WHERE name = ? AND version = ? AND type_kind = ? "
        "ORDER BY id LIMIT 1",
        {SqlValue::Text(name), SqlValue::Text(*version),
         SqlValue::Int(static_cast<int>(kind))});
  }
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return std::nullopt;
  return rows->rows[0][0].AsInt();
}

absl::StatusOr<std::vector<TypeRecord>> RecordAccess::ReadTypes(
    RecordSet rows) {
  std::vector<TypeRecord> types;
  types.reserve(rows.rows.size());
  std::vector<SqlValue> ids;
  absl::flat_hash_map<int64_t, size_t> index;
  for (const auto& row : rows.rows) {
    TypeRecord& type = types.emplace_back();
    type.id = row[0].AsInt();
    type.kind = static_cast<TypeKind>(row[1].AsInt());
    type.name = row[2].AsString();
    type.version = OptionalText(row[3]);
    type.description = OptionalText(row[4]);
    type.external_id = OptionalText(row[5]);
    type.input_type = OptionalText(row[6]);
    type.output_type = OptionalText(row[7]);
    index[type.id] = types.size() - 1;
    ids.push_back(SqlValue::Int(type.id));
  }
  if (types.empty()) return types;
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet properties,
      QueryInChunks("SELECT type_id, name, data_type FROM TypeProperty "
                    "WHERE type_id IN ",
                    "", ids));
  for (const auto& row : properties.rows) {
    auto it = index.find(row[0].AsInt());
    if (it == index.end()) continue;
    types[it->second].properties[row[1].AsString()] =
        static_cast<int>(row[2].AsInt());
  }
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet parents,
      QueryInChunks("SELECT P.type_id, T.name FROM ParentType AS P "
                    "JOIN Type AS T ON T.id = P.parent_type_id "
                    "WHERE P.type_id IN ",
                    "", ids));
  for (const auto& row : parents.rows) {
    auto it = index.find(row[0].AsInt());
    if (it == index.end()) continue;
    types[it->second].base_type_name = row[1].AsString();
  }
  return types;
}

absl::StatusOr<std::vector<TypeRecord>> RecordAccess::GetTypesById(
    TypeKind kind, absl::Span<const int64_t> ids) {
  MLMDX_ASSIGN_OR_RETURN(std::vector<TypeRecord> all, GetTypesByIdAnyKind(ids));
  std::vector<TypeRecord> of_kind;
  for (TypeRecord& type : all) {
    if (type.kind == kind) of_kind.push_back(std::move(type));
  }
  return of_kind;
}

absl::StatusOr<std::vector<TypeRecord>> RecordAccess::GetTypesByIdAnyKind(
    absl::Span<const int64_t> ids) {
  if (ids.empty()) return std::vector<TypeRecord>();
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      QueryInChunks(absl::StrCat("SELECT DISTINCT ", kTypeColumns,
                                 " FROM Type WHERE id IN "),
                    "", IdParams(ids)));
  std::sort(
      rows.rows.begin(), rows.rows.end(),
      [](const auto& a, const auto& b) { return a[0].AsInt() < b[0].AsInt(); });
  return ReadTypes(std::move(rows));
}

absl::StatusOr<std::vector<TypeRecord>> RecordAccess::GetTypesOfKind(
    TypeKind kind) {
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      conn_.Query(absl::StrCat("SELECT ", kTypeColumns,
                               " FROM Type WHERE type_kind = ? ORDER BY id"),
                  {SqlValue::Int(static_cast<int>(kind))}));
  return ReadTypes(std::move(rows));
}

absl::StatusOr<std::vector<TypeRecord>> RecordAccess::GetTypesByExternalIds(
    TypeKind kind, absl::Span<const std::string> external_ids) {
  std::vector<SqlValue> params;
  for (const std::string& id : external_ids) {
    params.push_back(SqlValue::Text(id));
  }
  if (params.empty()) return std::vector<TypeRecord>();
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      QueryInChunks(absl::StrCat("SELECT DISTINCT ", kTypeColumns,
                                 " FROM Type WHERE external_id IN "),
                    "", params));
  std::vector<std::vector<SqlValue>> of_kind;
  for (auto& row : rows.rows) {
    if (row[1].AsInt() == static_cast<int>(kind)) {
      of_kind.push_back(std::move(row));
    }
  }
  std::sort(of_kind.begin(), of_kind.end(), [](const auto& a, const auto& b) {
    return a[5].AsString() < b[5].AsString();
  });
  rows.rows = std::move(of_kind);
  return ReadTypes(std::move(rows));
}

absl::StatusOr<std::optional<TypeRecord>>
RecordAccess::GetTypeByExternalIdAnyKind(const std::string& external_id) {
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      conn_.Query(absl::StrCat("SELECT ", kTypeColumns,
                               " FROM Type WHERE external_id = ?"),
                  {SqlValue::Text(external_id)}));
  MLMDX_ASSIGN_OR_RETURN(std::vector<TypeRecord> types,
                         ReadTypes(std::move(rows)));
  if (types.empty()) return std::nullopt;
  return std::move(types.front());
}

absl::StatusOr<int64_t> RecordAccess::InsertType(const TypeRecord& type) {
  MLMDX_ASSIGN_OR_RETURN(
      int64_t id,
      conn_.Insert("INSERT INTO Type(name, type_kind, version, description, "
                   "input_type, output_type, external_id) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {SqlValue::Text(type.name),
                    SqlValue::Int(static_cast<int>(type.kind)),
                    SqlValue::OptionalText(type.version),
                    SqlValue::OptionalText(type.description),
                    SqlValue::OptionalText(type.input_type),
                    SqlValue::OptionalText(type.output_type),
                    SqlValue::OptionalText(type.external_id)}));
  for (const auto& [name, data_type] : type.properties) {
    MLMDX_RETURN_IF_ERROR(InsertTypeProperty(id, name, data_type));
  }
  return id;
}

absl::Status RecordAccess::InsertTypeProperty(int64_t type_id,
                                              const std::string& name,
                                              int data_type) {
  return conn_
      .Execute(
          "INSERT INTO TypeProperty(type_id, name, data_type) VALUES (?, ?, ?)",
          {SqlValue::Int(type_id), SqlValue::Text(name),
           SqlValue::Int(data_type)})
      .status();
}

absl::Status RecordAccess::UpdateTypeExternalId(
    int64_t type_id, const std::string& external_id) {
  return conn_
      .Execute("UPDATE Type SET external_id = ? WHERE id = ?",
               {SqlValue::Text(external_id), SqlValue::Int(type_id)})
      .status();
}

absl::Status RecordAccess::InsertParentType(int64_t type_id,
                                            int64_t parent_type_id) {
  return conn_
      .Execute("INSERT INTO ParentType(type_id, parent_type_id) VALUES (?, ?)",
               {SqlValue::Int(type_id), SqlValue::Int(parent_type_id)})
      .status();
}

// ---- Nodes -----------------------------------------------------------------

namespace {

template <typename Node>
std::string PropertyInsertPrefix() {
  using Traits = NodeTraits<Node>;
  return absl::StrCat("INSERT INTO ", Traits::kPropertyTable, "(",
                      Traits::kPropertyIdColumn,
                      ", name, is_custom_property, int_value, double_value, "
                      "string_value, proto_value, bool_value) ");
}

// PostgreSQL: property rows as one array parameter per column, the arrays
// of PropertyArrays in this order.
constexpr absl::string_view kUnnestPropertyArrays =
    "unnest(CAST(? AS TEXT[]), CAST(? AS BOOLEAN[]), CAST(? AS BIGINT[]), "
    "CAST(? AS DOUBLE PRECISION[]), CAST(? AS TEXT[]), CAST(? AS BYTEA[]), "
    "CAST(? AS BOOLEAN[]))";

// The columns of each of `rows`; `has_nul` tells whether a name or a text
// value holds a NUL byte (PostgreSQL must then take them one by one, so
// that the error names the value).
absl::StatusOr<std::vector<PropertyColumns>> EncodeRows(
    absl::Span<const PropertyRow> rows, Dialect dialect, bool& has_nul) {
  std::vector<PropertyColumns> values;
  values.reserve(rows.size());
  for (const PropertyRow& row : rows) {
    MLMDX_ASSIGN_OR_RETURN(values.emplace_back(),
                           EncodeValue(row.value, dialect));
    has_nul = has_nul || HasNul(row.name) || HasNul(values.back()[2]);
  }
  return values;
}

std::vector<SqlValue> PropertyArrays(absl::Span<const PropertyRow> rows,
                                     absl::Span<const PropertyColumns> values) {
  std::vector<SqlValue> names, custom;
  std::array<std::vector<SqlValue>, 5> columns;
  for (size_t i = 0; i < rows.size(); ++i) {
    names.push_back(SqlValue::Text(rows[i].name));
    custom.push_back(SqlValue::Bool(rows[i].is_custom));
    for (size_t c = 0; c < columns.size(); ++c) {
      columns[c].push_back(values[i][c]);
    }
  }
  std::vector<SqlValue> arrays = {ArrayLiteral(names), ArrayLiteral(custom)};
  for (const auto& column : columns) arrays.push_back(ArrayLiteral(column));
  return arrays;
}

template <typename Node>
std::string PropertySelectPrefix() {
  using Traits = NodeTraits<Node>;
  return absl::StrCat("SELECT DISTINCT ", Traits::kPropertyIdColumn,
                      ", name, is_custom_property, int_value, double_value, "
                      "string_value, proto_value, bool_value FROM ",
                      Traits::kPropertyTable, " WHERE ",
                      Traits::kPropertyIdColumn, " IN ");
}

}  // namespace

template <typename Node>
absl::Status RecordAccess::AttachProperties(std::vector<Node>& nodes) {
  if (nodes.empty()) return absl::OkStatus();
  std::vector<SqlValue> ids;
  for (Node& node : nodes) ids.push_back(SqlValue::Int(node.id()));
  MLMDX_ASSIGN_OR_RETURN(RecordSet rows,
                         QueryInChunks(PropertySelectPrefix<Node>(), "", ids));
  return AttachPropertyRows(nodes, rows);
}

template <typename Node>
absl::Status RecordAccess::AttachPropertyRows(std::vector<Node>& nodes,
                                              const RecordSet& rows) {
  absl::flat_hash_map<int64_t, Node*> by_id;
  for (Node& node : nodes) by_id[node.id()] = &node;
  for (const auto& row : rows.rows) {
    auto it = by_id.find(row[0].AsInt());
    if (it == by_id.end()) continue;
    MLMDX_ASSIGN_OR_RETURN(
        ml_metadata::Value value,
        DecodeValue(conn_.dialect(), row[3], row[4], row[5], row[6], row[7]));
    auto* map = row[2].AsInt() != 0 ? it->second->mutable_custom_properties()
                                    : it->second->mutable_properties();
    (*map)[row[1].AsString()] = std::move(value);
  }
  return absl::OkStatus();
}

template <typename Node>
absl::StatusOr<std::vector<Node>> RecordAccess::GetNodes(
    absl::Span<const int64_t> ids) {
  std::vector<Node> nodes;
  if (ids.empty()) return nodes;
  // The nodes and their properties in one round trip: the property rows are
  // asked for by the requested ids, so that query need not wait for the
  // node rows (an id with no node has no properties either).
  const std::vector<SqlValue> id_params = IdParams(ids);
  auto node_rows = std::make_shared<RecordSet>();
  // Invisible nodes have no node row; their property rows find no node.
  std::string visibility;
  std::vector<SqlValue> visibility_params;
  if (visible_ != nullptr) {
    visibility = absl::StrCat(
        " AND ", VisibilityCondition<Node>(conn_.dialect(), "N.id", *visible_,
                                           visibility_params));
  }
  MLMDX_RETURN_IF_ERROR(DeferInChunks(NodeSelectPrefix<Node>(), visibility,
                                      id_params, node_rows, visibility_params));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet property_rows,
      QueryInChunks(PropertySelectPrefix<Node>(), "", id_params));
  RecordSet& rows = *node_rows;
  // Padding and duplicate request ids can repeat rows; keep each id once.
  std::sort(
      rows.rows.begin(), rows.rows.end(),
      [](const auto& a, const auto& b) { return a[0].AsInt() < b[0].AsInt(); });
  int64_t previous = 0;
  bool first = true;
  for (const auto& row : rows.rows) {
    const int64_t id = row[0].AsInt();
    if (!first && id == previous) continue;
    first = false;
    previous = id;
    nodes.push_back(ReadNodeRow<Node>(row));
  }
  MLMDX_RETURN_IF_ERROR(AttachPropertyRows(nodes, property_rows));
  return nodes;
}

template <typename Node>
absl::StatusOr<std::vector<int64_t>> RecordAccess::VisibleNodeIds(
    absl::Span<const int64_t> ids) {
  std::vector<int64_t> found;
  if (ids.empty()) return found;
  const std::string table(NodeTraits<Node>::kTable);
  std::string visibility;
  std::vector<SqlValue> visibility_params;
  if (visible_ != nullptr) {
    visibility = absl::StrCat(
        " AND ", VisibilityCondition<Node>(conn_.dialect(), table + ".id",
                                           *visible_, visibility_params));
  }
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      QueryInChunks(absl::StrCat("SELECT id FROM ", table, " WHERE id IN "),
                    visibility, IdParams(ids), visibility_params));
  for (const auto& row : rows.rows) found.push_back(row[0].AsInt());
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

template <typename Node>
absl::StatusOr<std::vector<int64_t>> RecordAccess::FindNodeIds(
    absl::string_view column, const SqlValue& value) {
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      conn_.Query(absl::StrCat("SELECT id FROM ", NodeTraits<Node>::kTable,
                               " WHERE ", column, " = ? ORDER BY id"),
                  {value}));
  std::vector<int64_t> ids;
  ids.reserve(rows.rows.size());
  for (const auto& row : rows.rows) ids.push_back(row[0].AsInt());
  return ids;
}

template <typename Node>
absl::StatusOr<std::optional<int64_t>> RecordAccess::FindNodeIdByTypeAndName(
    int64_t type_id, const std::string& name) {
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      conn_.Query(absl::StrCat("SELECT id FROM ", NodeTraits<Node>::kTable,
                               " WHERE type_id = ? AND name = ?"),
                  {SqlValue::Int(type_id), SqlValue::Text(name)}));
  if (rows.rows.empty()) return std::nullopt;
  return rows.rows[0][0].AsInt();
}

template <typename Node>
absl::StatusOr<std::vector<int64_t>> RecordAccess::FindNodeIdsByExternalIds(
    absl::Span<const std::string> external_ids) {
  std::vector<SqlValue> params;
  for (const std::string& id : external_ids) {
    params.push_back(SqlValue::Text(id));
  }
  std::vector<int64_t> ids;
  if (params.empty()) return ids;
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      QueryInChunks(absl::StrCat("SELECT id FROM ", NodeTraits<Node>::kTable,
                                 " WHERE external_id IN "),
                    "", params));
  for (const auto& row : rows.rows) ids.push_back(row[0].AsInt());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

template <typename Node>
absl::StatusOr<int64_t> RecordAccess::InsertNode(
    const Node& node, int64_t now_ms,
    absl::Span<const PropertyRow> properties) {
  using Traits = NodeTraits<Node>;
  std::vector<SqlValue> params = {
      SqlValue::Int(node.type_id()),
      node.has_name() ? SqlValue::Text(node.name()) : SqlValue::Null(),
      node.has_external_id() ? SqlValue::Text(node.external_id())
                             : SqlValue::Null(),
      SqlValue::Int(now_ms), SqlValue::Int(now_ms)};
  Traits::BindExtra(node, params);
  std::string columns =
      "type_id, name, external_id, create_time_since_epoch, "
      "last_update_time_since_epoch";
  if (Traits::kExtraCount > 0) {
    absl::StrAppend(&columns, ", ", Traits::kExtraColumns);
  }
  const std::string insert =
      absl::StrCat("INSERT INTO ", Traits::kTable, "(", columns, ") VALUES ",
                   Placeholders(params.size()));
  if (conn_.dialect() == Dialect::kPostgres && !properties.empty()) {
    bool has_nul = false;
    MLMDX_ASSIGN_OR_RETURN(std::vector<PropertyColumns> values,
                           EncodeRows(properties, conn_.dialect(), has_nul));
    if (!has_nul) {
      // The node and its properties in one statement.
      for (SqlValue& array : PropertyArrays(properties, values)) {
        params.push_back(std::move(array));
      }
      MLMDX_ASSIGN_OR_RETURN(
          RecordSet rows,
          conn_.Query(
              absl::StrCat("WITH N AS (", insert, " RETURNING id), P AS (",
                           PropertyInsertPrefix<Node>(),
                           "SELECT N.id, U.* FROM N, ", kUnnestPropertyArrays,
                           " AS U) SELECT id FROM N"),
              params));
      if (rows.rows.size() != 1) {
        return absl::InternalError("inserting a node returned no id");
      }
      return rows.rows[0][0].AsInt();
    }
  }
  MLMDX_ASSIGN_OR_RETURN(int64_t id, conn_.Insert(insert, params));
  MLMDX_RETURN_IF_ERROR(InsertProperties<Node>(id, properties));
  return id;
}

template <typename Node>
absl::Status RecordAccess::UpdateNode(const Node& node, int64_t now_ms,
                                      Connection::ErrorMapper map_error) {
  using Traits = NodeTraits<Node>;
  std::vector<SqlValue> params = {
      node.has_name() ? SqlValue::Text(node.name()) : SqlValue::Null(),
      node.has_external_id() ? SqlValue::Text(node.external_id())
                             : SqlValue::Null(),
      SqlValue::Int(now_ms)};
  Traits::BindExtra(node, params);
  std::string assignments =
      "name = ?, external_id = ?, last_update_time_since_epoch = ?";
  if (Traits::kExtraCount > 0) {
    for (absl::string_view column :
         absl::StrSplit(Traits::kExtraColumns, ", ")) {
      absl::StrAppend(&assignments, ", ", column, " = ?");
    }
  }
  params.push_back(SqlValue::Int(node.id()));
  return conn_.ExecuteDeferred(absl::StrCat("UPDATE ", Traits::kTable, " SET ",
                                            assignments, " WHERE id = ?"),
                               params, nullptr, std::move(map_error));
}

template <typename Node>
absl::Status RecordAccess::InsertProperties(
    int64_t node_id, absl::Span<const PropertyRow> rows) {
  using Traits = NodeTraits<Node>;
  if (rows.empty()) return absl::OkStatus();
  bool has_nul = false;
  MLMDX_ASSIGN_OR_RETURN(std::vector<PropertyColumns> values,
                         EncodeRows(rows, conn_.dialect(), has_nul));
  const std::string insert = PropertyInsertPrefix<Node>();
  if (conn_.dialect() == Dialect::kPostgres && !has_nul) {
    // One statement whatever the number of rows: each column is one array
    // parameter. (Text with a NUL byte goes row by row below, so that its
    // error names the value.)
    std::vector<SqlValue> params = {SqlValue::Int(node_id)};
    for (SqlValue& array : PropertyArrays(rows, values)) {
      params.push_back(std::move(array));
    }
    return conn_.ExecuteDeferred(
        absl::StrCat(insert, "SELECT CAST(? AS BIGINT), * FROM ",
                     kUnnestPropertyArrays),
        params);
  }
  // SQLite (no round trips to save, but one statement still does less
  // work): multi-row VALUES, in chunks that stay far below its limit on
  // parameters.
  constexpr size_t kRowsPerStatement = 64;
  for (size_t start = 0; start < rows.size(); start += kRowsPerStatement) {
    const size_t n = std::min(kRowsPerStatement, rows.size() - start);
    std::string tuples;
    std::vector<SqlValue> params;
    params.reserve(8 * n);
    for (size_t i = start; i < start + n; ++i) {
      absl::StrAppend(&tuples, i == start ? "" : ", ", Placeholders(8));
      params.push_back(SqlValue::Int(node_id));
      params.push_back(SqlValue::Text(rows[i].name));
      params.push_back(SqlValue::Bool(rows[i].is_custom));
      for (const SqlValue& value : values[i]) params.push_back(value);
    }
    MLMDX_RETURN_IF_ERROR(
        conn_.Execute(absl::StrCat(insert, "VALUES ", tuples), params)
            .status());
  }
  return absl::OkStatus();
}

template <typename Node>
absl::Status RecordAccess::UpdateProperty(int64_t node_id,
                                          const PropertyRow& row) {
  using Traits = NodeTraits<Node>;
  MLMDX_ASSIGN_OR_RETURN(PropertyColumns columns,
                         EncodeValue(row.value, conn_.dialect()));
  // All value columns are rewritten, so a value that changes kind leaves no
  // stale column behind.
  return conn_.ExecuteDeferred(
      absl::StrCat("UPDATE ", Traits::kPropertyTable,
                   " SET int_value = ?, double_value = ?, "
                   "string_value = ?, proto_value = ?, "
                   "bool_value = ?, byte_value = NULL WHERE ",
                   Traits::kPropertyIdColumn,
                   " = ? AND name = ? AND is_custom_property = ?"),
      {columns[0], columns[1], columns[2], columns[3], columns[4],
       SqlValue::Int(node_id), SqlValue::Text(row.name),
       SqlValue::Bool(row.is_custom)});
}

template <typename Node>
absl::Status RecordAccess::DeleteProperty(int64_t node_id,
                                          const std::string& name,
                                          bool is_custom) {
  using Traits = NodeTraits<Node>;
  return conn_.ExecuteDeferred(
      absl::StrCat("DELETE FROM ", Traits::kPropertyTable, " WHERE ",
                   Traits::kPropertyIdColumn,
                   " = ? AND name = ? AND is_custom_property = ?"),
      {SqlValue::Int(node_id), SqlValue::Text(name),
       SqlValue::Bool(is_custom)});
}

// ---- Events ----------------------------------------------------------------

absl::Status RecordAccess::InsertEvent(const ml_metadata::Event& event,
                                       int64_t now_ms,
                                       Connection::ErrorMapper map_error) {
  const int64_t time = event.has_milliseconds_since_epoch()
                           ? event.milliseconds_since_epoch()
                           : now_ms;
  // By index, not by pointer: later events may move the vector.
  const size_t slot = changes_ == nullptr ? 0 : RecordEventChange(event, time);
  const auto set_id = [changes = changes_, slot](int64_t id) {
    if (changes != nullptr) changes->events[slot].id = id;
  };
  const std::vector<SqlValue> event_params = {
      SqlValue::Int(event.artifact_id()), SqlValue::Int(event.execution_id()),
      SqlValue::Int(event.type()), SqlValue::Int(time)};
  constexpr absl::string_view kInsertEvent =
      "INSERT INTO Event(artifact_id, execution_id, type, "
      "milliseconds_since_epoch) VALUES (?, ?, ?, ?)";
  // A step with neither member carries nothing; MLMD drops it too.
  std::vector<SqlValue> is_index, index, key;
  bool has_nul = false;
  for (const auto& step : event.path().steps()) {
    if (!step.has_index() && !step.has_key()) continue;
    is_index.push_back(SqlValue::Bool(step.has_index()));
    index.push_back(step.has_index() ? SqlValue::Int(step.index())
                                     : SqlValue::Null());
    key.push_back(step.has_key() ? SqlValue::Text(step.key())
                                 : SqlValue::Null());
    has_nul = has_nul || HasNul(key.back());
  }
  if (conn_.dialect() == Dialect::kPostgres && !has_nul) {
    // The event and its path in one statement, the steps inserted in their
    // order, sent with the transaction's next awaited statement.
    std::string sql = absl::StrCat(kInsertEvent, " RETURNING id");
    std::vector<SqlValue> params = event_params;
    if (!is_index.empty()) {
      sql = absl::StrCat(
          "WITH E AS (", kInsertEvent,
          " RETURNING id), P AS (INSERT INTO EventPath(event_id, "
          "is_index_step, step_index, step_key) SELECT E.id, "
          "S.is_index_step, S.step_index, S.step_key FROM E, unnest("
          "CAST(? AS BOOLEAN[]), CAST(? AS BIGINT[]), "
          "CAST(? AS TEXT[])) WITH ORDINALITY AS S(is_index_step, "
          "step_index, step_key, n) ORDER BY S.n) SELECT id FROM E");
      params.push_back(ArrayLiteral(is_index));
      params.push_back(ArrayLiteral(index));
      params.push_back(ArrayLiteral(key));
    }
    return conn_.ExecuteDeferred(
        sql, params,
        [set_id](const RecordSet& rows) {
          if (rows.rows.size() == 1) set_id(rows.rows[0][0].AsInt());
        },
        std::move(map_error));
  }
  absl::StatusOr<int64_t> id = conn_.Insert(kInsertEvent, event_params);
  if (!id.ok()) return map_error ? map_error(id.status()) : id.status();
  set_id(*id);
  for (size_t i = 0; i < is_index.size(); ++i) {
    if (is_index[i].AsInt() != 0) {
      MLMDX_RETURN_IF_ERROR(
          conn_
              .Execute("INSERT INTO EventPath(event_id, is_index_step, "
                       "step_index) VALUES (?, TRUE, ?)",
                       {SqlValue::Int(*id), index[i]})
              .status());
    } else {
      MLMDX_RETURN_IF_ERROR(
          conn_
              .Execute("INSERT INTO EventPath(event_id, is_index_step, "
                       "step_key) VALUES (?, FALSE, ?)",
                       {SqlValue::Int(*id), key[i]})
              .status());
    }
  }
  return absl::OkStatus();
}

absl::Status RecordAccess::InsertEvents(
    absl::Span<const ml_metadata::Event> events, int64_t now_ms,
    Connection::ErrorMapper map_error) {
  if (events.empty()) return absl::OkStatus();
  bool has_nul = false;
  for (const auto& event : events) {
    for (const auto& step : event.path().steps()) {
      has_nul = has_nul || (step.has_key() && HasNul(step.key()));
    }
  }
  if (conn_.dialect() != Dialect::kPostgres || events.size() == 1 || has_nul) {
    for (const auto& event : events) {
      MLMDX_RETURN_IF_ERROR(InsertEvent(event, now_ms, map_error));
    }
    return absl::OkStatus();
  }
  // One statement: the events as one array per column, inserted (and so
  // numbered) in the order given, and every path step as one array per
  // column naming its event by position, inserted in order.
  std::vector<SqlValue> artifacts, executions, types, times;
  std::vector<SqlValue> step_events, is_index, index, key;
  // (artifact, execution, type) -> the event's slot in the reported
  // changes; the triple is unique in the table, so it names the new row.
  auto slots = std::make_shared<
      absl::flat_hash_map<std::tuple<int64_t, int64_t, int64_t>, size_t>>();
  for (size_t i = 0; i < events.size(); ++i) {
    const ml_metadata::Event& event = events[i];
    const int64_t time = event.has_milliseconds_since_epoch()
                             ? event.milliseconds_since_epoch()
                             : now_ms;
    artifacts.push_back(SqlValue::Int(event.artifact_id()));
    executions.push_back(SqlValue::Int(event.execution_id()));
    types.push_back(SqlValue::Int(event.type()));
    times.push_back(SqlValue::Int(time));
    for (const auto& step : event.path().steps()) {
      if (!step.has_index() && !step.has_key()) continue;
      step_events.push_back(SqlValue::Int(static_cast<int64_t>(i + 1)));
      is_index.push_back(SqlValue::Bool(step.has_index()));
      index.push_back(step.has_index() ? SqlValue::Int(step.index())
                                       : SqlValue::Null());
      key.push_back(step.has_key() ? SqlValue::Text(step.key())
                                   : SqlValue::Null());
    }
    if (changes_ != nullptr) {
      (*slots)[{event.artifact_id(), event.execution_id(), event.type()}] =
          RecordEventChange(event, time);
    }
  }
  Connection::RowsCallback set_ids;
  if (changes_ != nullptr) {
    set_ids = [changes = changes_, slots](const RecordSet& rows) {
      for (const auto& row : rows.rows) {
        auto it = slots->find({row[1].AsInt(), row[2].AsInt(), row[3].AsInt()});
        if (it != slots->end()) changes->events[it->second].id = row[0].AsInt();
      }
    };
  }
  return conn_.ExecuteDeferred(
      "WITH V AS (SELECT * FROM unnest(CAST(? AS BIGINT[]), "
      "CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) "
      "WITH ORDINALITY AS V(a, x, t, ms, n)), "
      "E AS (INSERT INTO Event(artifact_id, execution_id, type, "
      "milliseconds_since_epoch) SELECT a, x, t, ms FROM V ORDER BY n "
      "RETURNING id, artifact_id, execution_id, type), "
      "S AS (SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BOOLEAN[]), "
      "CAST(? AS BIGINT[]), CAST(? AS TEXT[])) WITH ORDINALITY AS "
      "S(en, is_index_step, step_index, step_key, m)), "
      "P AS (INSERT INTO EventPath(event_id, is_index_step, step_index, "
      "step_key) SELECT E.id, S.is_index_step, S.step_index, S.step_key "
      "FROM S JOIN V ON V.n = S.en JOIN E ON E.artifact_id = V.a AND "
      "E.execution_id = V.x AND E.type = V.t ORDER BY S.m) "
      "SELECT id, artifact_id, execution_id, type FROM E",
      {ArrayLiteral(artifacts), ArrayLiteral(executions), ArrayLiteral(types),
       ArrayLiteral(times), ArrayLiteral(step_events), ArrayLiteral(is_index),
       ArrayLiteral(index), ArrayLiteral(key)},
      std::move(set_ids), std::move(map_error));
}

size_t RecordAccess::RecordEventChange(const ml_metadata::Event& event,
                                       int64_t time) {
  LineageChanges::Event& change = changes_->events.emplace_back();
  change.artifact_id = event.artifact_id();
  change.execution_id = event.execution_id();
  change.type = event.type();
  change.has_milliseconds_since_epoch = true;
  change.milliseconds_since_epoch = time;
  // The path as a later read returns it: only the steps that are stored.
  ml_metadata::Event::Path stored_path;
  for (const auto& step : event.path().steps()) {
    if (step.has_index()) {
      stored_path.add_steps()->set_index(step.index());
    } else if (step.has_key()) {
      stored_path.add_steps()->set_key(step.key());
    }
  }
  if (stored_path.steps_size() > 0) {
    stored_path.SerializeToString(&change.path);
  }
  return changes_->events.size() - 1;
}

absl::StatusOr<RecordSet> RecordAccess::QueryEvents(
    absl::string_view key_column, absl::Span<const int64_t> ids) {
  return QueryInChunks(
      absl::StrCat("SELECT DISTINCT id, artifact_id, execution_id, type, "
                   "milliseconds_since_epoch FROM Event WHERE ",
                   key_column, " IN "),
      "", IdParams(ids));
}

absl::StatusOr<std::vector<ml_metadata::Event>> RecordAccess::WithPaths(
    const RecordSet& rows) {
  std::vector<ml_metadata::Event> events;
  std::vector<SqlValue> ids;
  absl::flat_hash_map<int64_t, size_t> index;
  for (const auto& row : rows.rows) {
    index[row[0].AsInt()] = events.size();
    ids.push_back(row[0]);
    events.push_back(ReadEventRow(row));
  }
  if (events.empty()) return events;
  // Chunks split by event, so each event's steps stay in insertion order.
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet steps,
      QueryInChunks("SELECT event_id, is_index_step, step_index, step_key "
                    "FROM EventPath WHERE event_id IN ",
                    absl::StrCat(" ORDER BY ", InsertionOrder(conn_.dialect())),
                    ids));
  for (const auto& row : steps.rows) {
    auto it = index.find(row[0].AsInt());
    if (it == index.end()) continue;
    AppendPathStep(row[1], row[2], row[3], events[it->second].mutable_path());
  }
  return events;
}

absl::StatusOr<std::vector<std::pair<int64_t, ml_metadata::Event>>>
RecordAccess::GetEventsWithIds(absl::Span<const int64_t> event_ids) {
  MLMDX_ASSIGN_OR_RETURN(RecordSet rows, QueryEvents("id", event_ids));
  MLMDX_ASSIGN_OR_RETURN(std::vector<ml_metadata::Event> events,
                         WithPaths(rows));
  std::vector<std::pair<int64_t, ml_metadata::Event>> with_ids;
  with_ids.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    with_ids.emplace_back(rows.rows[i][0].AsInt(), std::move(events[i]));
  }
  return with_ids;
}

absl::StatusOr<std::vector<ml_metadata::Event>>
RecordAccess::GetEventsByExecutionIds(absl::Span<const int64_t> execution_ids) {
  MLMDX_ASSIGN_OR_RETURN(RecordSet rows,
                         QueryEvents("execution_id", execution_ids));
  // (execution_id, insertion order)
  std::sort(rows.rows.begin(), rows.rows.end(),
            [](const auto& a, const auto& b) {
              return std::make_pair(a[2].AsInt(), a[0].AsInt()) <
                     std::make_pair(b[2].AsInt(), b[0].AsInt());
            });
  return WithPaths(rows);
}

absl::StatusOr<std::vector<ml_metadata::Event>>
RecordAccess::GetEventsByArtifactIds(absl::Span<const int64_t> artifact_ids) {
  MLMDX_ASSIGN_OR_RETURN(RecordSet rows,
                         QueryEvents("artifact_id", artifact_ids));
  // (artifact_id, execution_id, type)
  std::sort(rows.rows.begin(), rows.rows.end(),
            [](const auto& a, const auto& b) {
              return std::make_tuple(a[1].AsInt(), a[2].AsInt(), a[3].AsInt()) <
                     std::make_tuple(b[1].AsInt(), b[2].AsInt(), b[3].AsInt());
            });
  return WithPaths(rows);
}

// ---- Context links ---------------------------------------------------------

absl::Status RecordAccess::InsertLinksIfMissing(
    absl::string_view table, absl::string_view node_column,
    absl::Span<const std::pair<int64_t, int64_t>> links,
    std::vector<std::pair<int64_t, int64_t>>* inserted) {
  // One statement per chunk rather than one per link. Checked before
  // inserting rather than INSERT OR IGNORE: an ignored insert still
  // consumes an AUTOINCREMENT id, and MLMD's ids have no such gaps. Rows
  // are inserted (and so numbered) in the order given; GROUP BY drops a
  // link given twice, and the padding of the last chunk.
  for (size_t start = 0; start < links.size(); start += kMaxChunk) {
    const size_t n = std::min(kMaxChunk, links.size() - start);
    const size_t padded = PaddedSize(n);
    std::string rows;
    std::vector<SqlValue> params;
    params.reserve(3 * padded);
    for (size_t i = 0; i < padded; ++i) {
      const auto& [context_id, node_id] = links[start + std::min(i, n - 1)];
      // The casts name the parameters' type: PostgreSQL infers none for a
      // bare parameter in a select list.
      absl::StrAppend(&rows, i == 0 ? "" : " UNION ALL ",
                      "SELECT CAST(? AS BIGINT) AS i, CAST(? AS BIGINT) AS c, "
                      "CAST(? AS BIGINT) AS n");
      params.push_back(SqlValue::Int(static_cast<int64_t>(i)));
      params.push_back(SqlValue::Int(context_id));
      params.push_back(SqlValue::Int(node_id));
    }
    Connection::RowsCallback report;
    if (inserted != nullptr) {
      report = [inserted,
                chunk = std::vector<std::pair<int64_t, int64_t>>(
                    links.begin() + start, links.begin() + start + n)](
                   const RecordSet& added) {
        // RETURNING lists rows in no promised order: report them as given.
        absl::flat_hash_set<std::pair<int64_t, int64_t>> new_links;
        for (const auto& row : added.rows) {
          new_links.insert({row[0].AsInt(), row[1].AsInt()});
        }
        for (const auto& link : chunk) {
          if (new_links.erase(link) > 0) inserted->push_back(link);
        }
      };
    }
    MLMDX_RETURN_IF_ERROR(conn_.ExecuteDeferred(
        absl::StrCat("INSERT INTO ", table, "(context_id, ", node_column,
                     ") SELECT L.c, L.n FROM (", rows,
                     ") AS L WHERE NOT EXISTS (SELECT 1 FROM ", table,
                     " AS E WHERE E.context_id = L.c AND E.", node_column,
                     " = L.n) GROUP BY L.c, L.n ORDER BY MIN(L.i) "
                     "RETURNING context_id, ",
                     node_column),
        params, std::move(report)));
  }
  return absl::OkStatus();
}

absl::Status RecordAccess::InsertAttributionsIfMissing(
    absl::Span<const std::pair<int64_t, int64_t>> links) {
  return InsertLinksIfMissing(
      "Attribution", "artifact_id", links,
      changes_ != nullptr ? &changes_->attributions : nullptr);
}

absl::Status RecordAccess::InsertAssociationsIfMissing(
    absl::Span<const std::pair<int64_t, int64_t>> links) {
  return InsertLinksIfMissing(
      "Association", "execution_id", links,
      changes_ != nullptr ? &changes_->associations : nullptr);
}

absl::Status RecordAccess::InsertAttributionIfMissing(int64_t context_id,
                                                      int64_t artifact_id) {
  return InsertAttributionsIfMissing({{context_id, artifact_id}});
}

absl::Status RecordAccess::InsertAssociationIfMissing(int64_t context_id,
                                                      int64_t execution_id) {
  return InsertAssociationsIfMissing({{context_id, execution_id}});
}

absl::Status RecordAccess::InsertParentContext(int64_t child_id,
                                               int64_t parent_id) {
  MLMDX_ASSIGN_OR_RETURN(
      int64_t inserted,
      conn_.Execute("INSERT INTO ParentContext(context_id, parent_context_id) "
                    "VALUES (?, ?)",
                    {SqlValue::Int(child_id), SqlValue::Int(parent_id)}));
  if (inserted > 0 && changes_ != nullptr) {
    changes_->parent_contexts.push_back({child_id, parent_id});
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<std::vector<int64_t>> IdColumn(absl::StatusOr<RecordSet> rows) {
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> ids;
  ids.reserve(rows->rows.size());
  for (const auto& row : rows->rows) ids.push_back(row[0].AsInt());
  return ids;
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> RecordAccess::GetContextIdsByArtifact(
    int64_t artifact_id) {
  return IdColumn(
      conn_.Query("SELECT context_id FROM Attribution WHERE artifact_id = ? "
                  "ORDER BY context_id",
                  {SqlValue::Int(artifact_id)}));
}

absl::StatusOr<std::vector<int64_t>> RecordAccess::GetContextIdsByExecution(
    int64_t execution_id) {
  return IdColumn(
      conn_.Query("SELECT context_id FROM Association WHERE execution_id = ? "
                  "ORDER BY context_id",
                  {SqlValue::Int(execution_id)}));
}

absl::StatusOr<std::vector<int64_t>> RecordAccess::GetParentContextIds(
    int64_t context_id) {
  return IdColumn(conn_.Query(
      "SELECT parent_context_id FROM ParentContext WHERE context_id = ? "
      "ORDER BY parent_context_id",
      {SqlValue::Int(context_id)}));
}

absl::StatusOr<std::vector<int64_t>> RecordAccess::GetChildContextIds(
    int64_t context_id) {
  return IdColumn(conn_.Query(
      "SELECT context_id FROM ParentContext WHERE parent_context_id = ? "
      "ORDER BY context_id",
      {SqlValue::Int(context_id)}));
}

// ---- Explicit instantiations -----------------------------------------------

#define MLMDX_INSTANTIATE_NODE_ACCESS(Node)                                 \
  template absl::StatusOr<std::vector<Node>> RecordAccess::GetNodes<Node>(  \
      absl::Span<const int64_t>);                                           \
  template absl::StatusOr<std::vector<int64_t>>                             \
      RecordAccess::VisibleNodeIds<Node>(absl::Span<const int64_t>);        \
  template absl::StatusOr<std::vector<int64_t>>                             \
  RecordAccess::FindNodeIds<Node>(absl::string_view, const SqlValue&);      \
  template absl::StatusOr<std::optional<int64_t>>                           \
  RecordAccess::FindNodeIdByTypeAndName<Node>(int64_t, const std::string&); \
  template absl::StatusOr<std::vector<int64_t>>                             \
      RecordAccess::FindNodeIdsByExternalIds<Node>(                         \
          absl::Span<const std::string>);                                   \
  template absl::StatusOr<int64_t> RecordAccess::InsertNode<Node>(          \
      const Node&, int64_t, absl::Span<const PropertyRow>);                 \
  template absl::Status RecordAccess::UpdateNode<Node>(                     \
      const Node&, int64_t, Connection::ErrorMapper);                       \
  template absl::Status RecordAccess::InsertProperties<Node>(               \
      int64_t, absl::Span<const PropertyRow>);                              \
  template absl::Status RecordAccess::UpdateProperty<Node>(                 \
      int64_t, const PropertyRow&);                                         \
  template absl::Status RecordAccess::DeleteProperty<Node>(                 \
      int64_t, const std::string&, bool)

MLMDX_INSTANTIATE_NODE_ACCESS(ml_metadata::Artifact);
MLMDX_INSTANTIATE_NODE_ACCESS(ml_metadata::Execution);
MLMDX_INSTANTIATE_NODE_ACCESS(ml_metadata::Context);

}  // namespace mlmdx::store::internal
