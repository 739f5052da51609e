#include "store/internal/list_query.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/filter.h"
#include "store/internal/visibility.h"
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

std::string Where(const std::vector<std::string>& conditions) {
  std::vector<std::string> present;
  for (const std::string& c : conditions) {
    if (!c.empty()) present.push_back(c);
  }
  if (present.empty()) return "";
  return absl::StrCat(" WHERE ", absl::StrJoin(present, " AND "));
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

// The condition that keeps the nodes `visible` lets the caller see (none
// when it is null), with its parameters appended to `params`.
template <typename Node>
std::string VisibleCondition(const VisibleNamespaces* visible, Dialect dialect,
                             std::vector<SqlValue>& params) {
  if (visible == nullptr) return "";
  return VisibilityCondition<Node>(
      dialect, absl::StrCat(NodeTraits<Node>::kTable, ".id"), *visible, params);
}

}  // namespace

template <typename Node>
absl::StatusOr<bool> ScopeHasNodes(RecordAccess& access,
                                   const ListScope& scope) {
  std::vector<SqlValue> params;
  std::vector<std::string> conditions = {ScopeCondition<Node>(scope)};
  if (!conditions[0].empty()) params.push_back(SqlValue::Int(scope.id));
  conditions.push_back(VisibleCondition<Node>(
      access.visible(), access.connection().dialect(), params));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      access.connection().Query(
          absl::StrCat("SELECT 1 FROM ", NodeTraits<Node>::kTable,
                       Where(conditions), " LIMIT 1"),
          params));
  return !rows.rows.empty();
}

namespace {

// What one page asks for, split into the parts the page's statements
// are assembled from.
struct PagePlan {
  Field::Field field = Field::ID;
  bool ascending = true;
  absl::string_view column;
  // Rows fetched: the page and one more, to learn whether a next page
  // exists (at most kMaxRowsPerQuery).
  int limit = 0;
  // " ORDER BY ..." in the page's order, ties broken by id.
  std::string order_by;
  // The scope's condition (or empty) and its parameter.
  std::string scope_condition;
  std::vector<SqlValue> scope_params;
  // Only the nodes the caller may see (or empty: all), and its parameters;
  // the same on the ordered form's page_window.id (same parameters).
  std::string visible_condition;
  std::string page_window_visible_condition;
  std::vector<SqlValue> visible_params;
  // Where the previous page stopped (or empty), and its parameters.
  std::string position_condition;
  std::vector<SqlValue> position_params;
  std::optional<query::CompiledFilter> filter;
};

void Append(std::vector<SqlValue>& to, const std::vector<SqlValue>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

template <typename Node>
absl::StatusOr<PagePlan> PlanPage(const ListOperationOptions& options,
                                  const ListScope& scope, Dialect dialect,
                                  const VisibleNamespaces* visible) {
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
  PagePlan plan;
  plan.field = options.order_by_field().field();
  plan.ascending = options.order_by_field().is_asc();
  plan.column = FieldColumn(plan.field);
  plan.limit = std::min(options.max_result_size() + 1, kMaxRowsPerQuery);
  const char* direction = plan.ascending ? "ASC" : "DESC";
  if (plan.field == Field::ID) {
    plan.order_by = absl::StrCat(" ORDER BY id ", direction);
  } else {
    plan.order_by = absl::StrCat(" ORDER BY ", plan.column, " ", direction,
                                 ", id ", direction);
  }
  if (scope.kind != ListScope::Kind::kAll) {
    plan.scope_condition = ScopeCondition<Node>(scope);
    plan.scope_params.push_back(SqlValue::Int(scope.id));
  }
  plan.visible_condition =
      VisibleCondition<Node>(visible, dialect, plan.visible_params);
  if (visible != nullptr) {
    std::vector<SqlValue> same_params;
    plan.page_window_visible_condition = VisibilityCondition<Node>(
        dialect, "page_window.id", *visible, same_params);
  }
  if (!options.filter_query().empty()) {
    // The compiled filter is a self-contained SELECT of matching ids; every
    // literal of the filter is one of its bound parameters.
    // A filter's joins reach only visible nodes too.
    std::optional<query::NeighbourCondition> neighbours;
    if (visible != nullptr) neighbours = NeighbourVisibility(dialect, *visible);
    MLMDX_ASSIGN_OR_RETURN(
        plan.filter,
        query::CompileFilter(options.filter_query(), QueryKind<Node>(),
                             QueryDialect(dialect), {},
                             neighbours.has_value() ? &*neighbours : nullptr));
  }
  if (options.next_page_token().empty()) return plan;

  MLMDX_ASSIGN_OR_RETURN(ListOperationNextPageToken token,
                         DecodeToken(options.next_page_token()));
  const auto& token_order = token.set_options().order_by_field();
  if (token_order.field() != plan.field ||
      token_order.is_asc() != plan.ascending) {
    return absl::InvalidArgumentError(
        "ListOperationOptions mismatch: options.order_by_field differs "
        "from the one the next_page_token was issued for");
  }
  const char* cmp = plan.ascending ? ">" : "<";
  const char* cmp_eq = plan.ascending ? ">=" : "<=";
  if (plan.field == Field::ID) {
    plan.position_condition = absl::StrCat("id ", cmp, " ?");
    plan.position_params.push_back(SqlValue::Int(token.field_offset()));
  } else if (plan.field == Field::CREATE_TIME || token.has_id_offset()) {
    // The key of the last row listed: the next page starts right after it
    // in (field, id) order, whatever was added since.
    plan.position_condition =
        absl::StrCat("(", plan.column, ", id) ", cmp, " (?, ?)");
    plan.position_params.push_back(SqlValue::Int(token.field_offset()));
    plan.position_params.push_back(SqlValue::Int(token.id_offset()));
  } else {
    // A LAST_UPDATE_TIME token in MLMD's own form: the last time, and the
    // ids listed at that time.
    if (token.listed_ids().empty()) {
      return absl::InvalidArgumentError(
          "options.next_page_token for LAST_UPDATE_TIME lists no ids");
    }
    std::vector<std::string> marks(token.listed_ids_size(), "?");
    plan.position_condition =
        absl::StrCat(plan.column, " ", cmp_eq, " ? AND id NOT IN (",
                     absl::StrJoin(marks, ", "), ")");
    plan.position_params.push_back(SqlValue::Int(token.field_offset()));
    for (int64_t id : token.listed_ids()) {
      plan.position_params.push_back(SqlValue::Int(id));
    }
  }
  return plan;
}

template <typename Node>
ListQuery MaterializedQuery(const PagePlan& plan) {
  ListQuery query;
  std::string filter_condition;
  if (plan.filter.has_value()) {
    filter_condition = absl::StrCat("id IN (", plan.filter->sql, ")");
  }
  query.sql = absl::StrCat(
      "SELECT id, ", plan.column, " FROM ", NodeTraits<Node>::kTable,
      Where({plan.scope_condition, filter_condition, plan.visible_condition,
             plan.position_condition}),
      plan.order_by, " LIMIT ?");
  Append(query.params, plan.scope_params);
  if (plan.filter.has_value()) {
    for (const query::SqlParam& param : plan.filter->params) {
      query.params.push_back(ToSqlValue(param));
    }
  }
  Append(query.params, plan.visible_params);
  Append(query.params, plan.position_params);
  query.params.push_back(SqlValue::Int(plan.limit));
  return query;
}

// How many rows in page order, from the page's position on, the ordered
// form tests against the filter before it gives up: this many times the
// rows the page needs.
constexpr int kWindowFactor = 8;

// The page in the order's index, testing candidates one at a time against
// the filter, over a window of at most kWindowFactor * limit candidates.
// Its cost follows the page size, not the number of matches; it answers
// fewer rows than the limit when the window holds too few matches.
template <typename Node>
ListQuery OrderedQuery(const PagePlan& plan) {
  ListQuery query;
  // The test is a correlated subquery run once per candidate. OFFSET keeps
  // PostgreSQL from turning it into a semi-join, which it may plan as a hash
  // of every match: the very cost the window avoids.
  // The window names its order column order_key: ordered by ID, "id, id"
  // would be two columns of one name, which PostgreSQL cannot refer to.
  const char* direction = plan.ascending ? "ASC" : "DESC";
  query.sql = absl::StrCat(
      "SELECT id, order_key FROM (SELECT id, ", plan.column,
      " AS order_key FROM ", NodeTraits<Node>::kTable,
      Where({plan.scope_condition, plan.position_condition}), plan.order_by,
      " LIMIT ?) AS page_window WHERE EXISTS (SELECT 1",
      plan.filter->from_where,
      " AND table_0.id = page_window.id LIMIT 1 OFFSET 0)",
      // Tested, as the filter, only until the page is full.
      plan.visible_condition.empty() ? "" : " AND ",
      plan.page_window_visible_condition, " ORDER BY ", "order_key ", direction,
      ", id ", direction, " LIMIT ?");
  Append(query.params, plan.scope_params);
  Append(query.params, plan.position_params);
  query.params.push_back(SqlValue::Int(kWindowFactor * plan.limit));
  for (const query::SqlParam& param : plan.filter->params) {
    query.params.push_back(ToSqlValue(param));
  }
  Append(query.params, plan.visible_params);
  query.params.push_back(SqlValue::Int(plan.limit));
  return query;
}

// Whether the filter is broad: it yields at least as many joined rows as
// the ordered form's window holds. Stops reading there, so it costs at most
// that much; a narrow filter is cheaper to compute whole.
ListQuery BreadthProbe(const PagePlan& plan) {
  ListQuery query;
  query.sql = absl::StrCat("SELECT 1", plan.filter->from_where, " LIMIT ?");
  for (const query::SqlParam& param : plan.filter->params) {
    query.params.push_back(ToSqlValue(param));
  }
  query.params.push_back(SqlValue::Int(kWindowFactor * plan.limit));
  return query;
}

}  // namespace

template <typename Node>
absl::StatusOr<ListQuery> BuildListQuery(const ListOperationOptions& options,
                                         const ListScope& scope,
                                         Dialect dialect,
                                         const VisibleNamespaces* visible) {
  MLMDX_ASSIGN_OR_RETURN(PagePlan plan,
                         PlanPage<Node>(options, scope, dialect, visible));
  return MaterializedQuery<Node>(plan);
}

template <typename Node>
absl::StatusOr<ListPage> ListNodeIds(RecordAccess& access,
                                     const ListOperationOptions& options,
                                     const ListScope& scope) {
  Connection& connection = access.connection();
  MLMDX_ASSIGN_OR_RETURN(
      PagePlan plan,
      PlanPage<Node>(options, scope, connection.dialect(), access.visible()));
  std::optional<RecordSet> rows;
  if (plan.filter.has_value()) {
    const ListQuery probe = BreadthProbe(plan);
    MLMDX_ASSIGN_OR_RETURN(RecordSet probed,
                           connection.Query(probe.sql, probe.params));
    if (static_cast<int>(probed.rows.size()) == kWindowFactor * plan.limit) {
      const ListQuery ordered = OrderedQuery<Node>(plan);
      MLMDX_ASSIGN_OR_RETURN(RecordSet candidate,
                             connection.Query(ordered.sql, ordered.params));
      // A full page is the answer; a short one may only mean that the
      // window was too sparse, which the complete form settles.
      if (static_cast<int>(candidate.rows.size()) == plan.limit) {
        rows = std::move(candidate);
      }
    }
  }
  if (!rows.has_value()) {
    const ListQuery query = MaterializedQuery<Node>(plan);
    MLMDX_ASSIGN_OR_RETURN(rows, connection.Query(query.sql, query.params));
  }

  ListPage page;
  const bool more =
      static_cast<int>(rows->rows.size()) > options.max_result_size();
  if (more) rows->rows.resize(options.max_result_size());
  for (const auto& row : rows->rows) page.ids.push_back(row[0].AsInt());
  if (more && !rows->rows.empty()) {
    ListOperationNextPageToken token;
    const auto& last = rows->rows.back();
    token.set_field_offset(last[1].AsInt());
    // MLMD leaves id_offset out for LAST_UPDATE_TIME and lists the ids at
    // the last time instead; both are written, and id_offset is what the
    // next page reads (listed_ids only when an MLMD token lacks it).
    token.set_id_offset(last[0].AsInt());
    *token.mutable_set_options() = options;
    token.mutable_set_options()->clear_next_page_token();
    if (plan.field == Field::LAST_UPDATE_TIME) {
      for (auto it = rows->rows.rbegin(); it != rows->rows.rend(); ++it) {
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
      const ListOperationOptions&, const ListScope&, Dialect,        \
      const VisibleNamespaces*);                                     \
  template absl::StatusOr<ListPage> ListNodeIds<Node>(               \
      RecordAccess&, const ListOperationOptions&, const ListScope&); \
  template absl::StatusOr<bool> ScopeHasNodes<Node>(RecordAccess&,   \
                                                    const ListScope&)

MLMDX_INSTANTIATE_LIST(ml_metadata::Artifact);
MLMDX_INSTANTIATE_LIST(ml_metadata::Execution);
MLMDX_INSTANTIATE_LIST(ml_metadata::Context);

}  // namespace mlmdx::store::internal
