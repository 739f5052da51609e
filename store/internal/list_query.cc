#include "store/internal/list_query.h"

#include <algorithm>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/filter.h"
#include "util/status_macros.h"

namespace mlmdx::store::internal {
namespace {

using ml_metadata::ListOperationNextPageToken;
using ml_metadata::ListOperationOptions;
using Field = ml_metadata::ListOperationOptions::OrderByField;

// MLMD never asks the database for more than this many rows per page.
constexpr int kMaxRowsPerQuery = 101;

absl::string_view FieldColumn(Field::Field field) {
  switch (field) {
    case Field::CREATE_TIME:
      return "create_time_since_epoch";
    case Field::LAST_UPDATE_TIME:
      return "last_update_time_since_epoch";
    default:
      return "id";
  }
}

std::string EncodeToken(const ListOperationNextPageToken& token) {
  std::string encoded;
  absl::WebSafeBase64Escape(token.SerializeAsString(), &encoded);
  return encoded;
}

absl::StatusOr<ListOperationNextPageToken> DecodeToken(
    const std::string& text) {
  std::string bytes;
  ListOperationNextPageToken token;
  if (!absl::WebSafeBase64Unescape(text, &bytes) ||
      !token.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.next_page_token '", text.substr(0, 64),
                     "' is not a page token issued by this service"));
  }
  return token;
}

template <typename Node>
constexpr query::NodeKind QueryKind() {
  if constexpr (std::is_same_v<Node, ml_metadata::Artifact>) {
    return query::NodeKind::kArtifact;
  } else if constexpr (std::is_same_v<Node, ml_metadata::Execution>) {
    return query::NodeKind::kExecution;
  } else {
    return query::NodeKind::kContext;
  }
}

SqlValue ToSqlValue(const query::SqlParam& param) {
  if (const auto* i = std::get_if<int64_t>(&param)) return SqlValue::Int(*i);
  if (const auto* d = std::get_if<double>(&param)) return SqlValue::Double(*d);
  return SqlValue::Text(std::get<std::string>(param));
}

template <typename Node>
std::string ScopeCondition(const ListScope& scope) {
  switch (scope.kind) {
    case ListScope::Kind::kType:
      return "type_id = ?";
    case ListScope::Kind::kContext:
      if constexpr (std::is_same_v<Node, ml_metadata::Artifact>) {
        return "id IN (SELECT artifact_id FROM Attribution WHERE "
               "context_id = ?)";
      } else {
        return "id IN (SELECT execution_id FROM Association WHERE "
               "context_id = ?)";
      }
    case ListScope::Kind::kAll:
      break;
  }
  return "";
}

}  // namespace

template <typename Node>
absl::StatusOr<bool> ScopeHasNodes(RecordAccess& access,
                                   const ListScope& scope) {
  std::vector<SqlValue> params;
  std::string where = ScopeCondition<Node>(scope);
  if (!where.empty()) params.push_back(SqlValue::Int(scope.id));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      access.connection().Query(
          absl::StrCat("SELECT 1 FROM ", NodeTraits<Node>::kTable,
                       where.empty() ? "" : " WHERE ", where, " LIMIT 1"),
          params));
  return !rows.rows.empty();
}

template <typename Node>
absl::StatusOr<ListQuery> BuildListQuery(const ListOperationOptions& options,
                                         const ListScope& scope,
                                         Dialect dialect) {
  if (options.max_result_size() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.max_result_size must be positive, got ",
                     options.max_result_size()));
  }
  if (options.has_order_by_field() &&
      options.order_by_field().field() == Field::FIELD_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "Unsupported field: options.order_by_field.field is "
        "FIELD_UNSPECIFIED; use CREATE_TIME, LAST_UPDATE_TIME or ID");
  }
  const Field::Field field = options.order_by_field().field();
  const bool ascending = options.order_by_field().is_asc();
  const absl::string_view column = FieldColumn(field);

  std::vector<std::string> conditions;
  std::vector<SqlValue> params;
  if (scope.kind != ListScope::Kind::kAll) {
    conditions.push_back(ScopeCondition<Node>(scope));
    params.push_back(SqlValue::Int(scope.id));
  }
  if (!options.filter_query().empty()) {
    // The compiled filter is a self-contained SELECT of matching ids; every
    // literal of the filter is one of its bound parameters.
    MLMDX_ASSIGN_OR_RETURN(
        query::CompiledFilter filter,
        query::CompileFilter(options.filter_query(), QueryKind<Node>(),
                             QueryDialect(dialect)));
    conditions.push_back(absl::StrCat("id IN (", filter.sql, ")"));
    for (const query::SqlParam& param : filter.params) {
      params.push_back(ToSqlValue(param));
    }
  }
  if (!options.next_page_token().empty()) {
    MLMDX_ASSIGN_OR_RETURN(ListOperationNextPageToken token,
                           DecodeToken(options.next_page_token()));
    const auto& token_order = token.set_options().order_by_field();
    if (token_order.field() != field || token_order.is_asc() != ascending) {
      return absl::InvalidArgumentError(
          "ListOperationOptions mismatch: options.order_by_field differs "
          "from the one the next_page_token was issued for");
    }
    const char* cmp = ascending ? ">" : "<";
    const char* cmp_eq = ascending ? ">=" : "<=";
    if (field == Field::CREATE_TIME) {
      conditions.push_back(
          absl::StrCat(column, " ", cmp_eq, " ? AND id ", cmp, " ?"));
      params.push_back(SqlValue::Int(token.field_offset()));
      params.push_back(SqlValue::Int(token.id_offset()));
    } else if (field == Field::LAST_UPDATE_TIME) {
      if (token.listed_ids().empty()) {
        return absl::InvalidArgumentError(
            "options.next_page_token for LAST_UPDATE_TIME lists no ids");
      }
      std::vector<std::string> marks(token.listed_ids_size(), "?");
      conditions.push_back(absl::StrCat(column, " ", cmp_eq,
                                        " ? AND id NOT IN (",
                                        absl::StrJoin(marks, ", "), ")"));
      params.push_back(SqlValue::Int(token.field_offset()));
      for (int64_t id : token.listed_ids()) params.push_back(SqlValue::Int(id));
    } else {
      conditions.push_back(absl::StrCat("id ", cmp, " ?"));
      params.push_back(SqlValue::Int(token.field_offset()));
    }
  }
  const int limit = std::min(options.max_result_size() + 1, kMaxRowsPerQuery);
  const char* direction = ascending ? "ASC" : "DESC";
  std::string sql =
      absl::StrCat("SELECT id, ", column, " FROM ", NodeTraits<Node>::kTable);
  if (!conditions.empty()) {
    absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions, " AND "));
  }
  if (field == Field::ID) {
    absl::StrAppend(&sql, " ORDER BY id ", direction);
  } else {
    absl::StrAppend(&sql, " ORDER BY ", column, " ", direction, ", id ",
                    direction);
  }
  absl::StrAppend(&sql, " LIMIT ?");
  params.push_back(SqlValue::Int(limit));
  return ListQuery{std::move(sql), std::move(params)};
}

template <typename Node>
absl::StatusOr<ListPage> ListNodeIds(RecordAccess& access,
                                     const ListOperationOptions& options,
                                     const ListScope& scope) {
  MLMDX_ASSIGN_OR_RETURN(
      ListQuery query,
      BuildListQuery<Node>(options, scope, access.connection().dialect()));
  MLMDX_ASSIGN_OR_RETURN(RecordSet rows,
                         access.connection().Query(query.sql, query.params));
  const Field::Field field = options.order_by_field().field();

  ListPage page;
  const bool more =
      static_cast<int>(rows.rows.size()) > options.max_result_size();
  if (more) rows.rows.resize(options.max_result_size());
  for (const auto& row : rows.rows) page.ids.push_back(row[0].AsInt());
  if (more && !rows.rows.empty()) {
    ListOperationNextPageToken token;
    const auto& last = rows.rows.back();
    token.set_field_offset(last[1].AsInt());
    if (field != Field::LAST_UPDATE_TIME) token.set_id_offset(last[0].AsInt());
    *token.mutable_set_options() = options;
    token.mutable_set_options()->clear_next_page_token();
    if (field == Field::LAST_UPDATE_TIME) {
      for (auto it = rows.rows.rbegin(); it != rows.rows.rend(); ++it) {
        if ((*it)[1].AsInt() != last[1].AsInt()) break;
        token.add_listed_ids((*it)[0].AsInt());
      }
    }
    page.next_page_token = EncodeToken(token);
  }
  return page;
}

#define MLMDX_INSTANTIATE_LIST(Node)                                 \
  template absl::StatusOr<ListQuery> BuildListQuery<Node>(           \
      const ListOperationOptions&, const ListScope&, Dialect);       \
  template absl::StatusOr<ListPage> ListNodeIds<Node>(               \
      RecordAccess&, const ListOperationOptions&, const ListScope&); \
  template absl::StatusOr<bool> ScopeHasNodes<Node>(RecordAccess&,   \
                                                    const ListScope&)

MLMDX_INSTANTIATE_LIST(ml_metadata::Artifact);
MLMDX_INSTANTIATE_LIST(ml_metadata::Execution);
MLMDX_INSTANTIATE_LIST(ml_metadata::Context);

}  // namespace mlmdx::store::internal
