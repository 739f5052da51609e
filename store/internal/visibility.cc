#include "store/internal/visibility.h"

#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/internal/node_traits.h"

namespace mlmdx::store::internal {
namespace {

// "?, ?, ..." for the visible namespaces, appended to `params`; on
// PostgreSQL each cast to TEXT, as every untyped parameter the store sends.
std::string NamespaceList(Dialect dialect, const VisibleNamespaces& visible,
                          std::vector<SqlValue>& params) {
  std::vector<absl::string_view> marks;
  for (const std::string& name : visible.names()) {
    marks.push_back(dialect == Dialect::kPostgres ? "CAST(? AS TEXT)" : "?");
    params.push_back(SqlValue::Text(name));
  }
  return absl::StrJoin(marks, ", ");
}

// The row of ContextProperty aliased `alias` holds a namespace.
std::string IsNamespaceRow(Dialect dialect, absl::string_view alias) {
  return absl::StrCat(
      alias, ".name = '", kNamespaceProperty, "' AND ", alias,
      ".is_custom_property = ", dialect == Dialect::kPostgres ? "TRUE" : "1",
      " AND ", alias, ".string_value <> ''");
}

}  // namespace

template <typename Node>
std::string VisibilityCondition(Dialect dialect, absl::string_view id_expr,
                                const VisibleNamespaces& visible,
                                std::vector<SqlValue>& params) {
  if constexpr (std::is_same_v<Node, ml_metadata::Context>) {
    // A context has one namespace at most (ContextProperty's key): visible
    // unless it names one outside the list.
    std::string condition = absl::StrCat(
        "(NOT EXISTS (SELECT 1 FROM ContextProperty AS mlmdx_ns WHERE "
        "mlmdx_ns.context_id = ",
        id_expr, " AND ", IsNamespaceRow(dialect, "mlmdx_ns"));
    if (!visible.names().empty()) {
      absl::StrAppend(&condition, " AND mlmdx_ns.string_value NOT IN (",
                      NamespaceList(dialect, visible, params), ")");
    }
    return absl::StrCat(condition, "))");
  } else {
    constexpr bool kArtifact = std::is_same_v<Node, ml_metadata::Artifact>;
    // CROSS JOIN fixes SQLite's join order: from the node's few links to
    // their contexts' rows. Left free, SQLite starts from ContextProperty's
    // (name, is_custom_property, string_value) index: every namespaced
    // context, per node tested.
    const std::string namespaces = absl::StrCat(
        "SELECT 1 FROM ", kArtifact ? "Attribution" : "Association",
        " AS mlmdx_link CROSS JOIN ContextProperty AS mlmdx_ns WHERE "
        "mlmdx_link.",
        kArtifact ? "artifact_id" : "execution_id", " = ", id_expr,
        " AND mlmdx_ns.context_id = mlmdx_link.context_id AND ",
        IsNamespaceRow(dialect, "mlmdx_ns"));
    // In no namespace, or in one of the caller's.
    std::string condition = absl::StrCat("(NOT EXISTS (", namespaces, ")");
    if (!visible.names().empty()) {
      absl::StrAppend(&condition, " OR EXISTS (", namespaces,
                      " AND mlmdx_ns.string_value IN (",
                      NamespaceList(dialect, visible, params), "))");
    }
    return absl::StrCat(condition, ")");
  }
}

query::NeighbourCondition NeighbourVisibility(
    Dialect dialect, const VisibleNamespaces& visible) {
  return [dialect, &visible](query::NodeKind kind, const std::string& id_sql,
                             std::vector<query::SqlParam>& params) {
    std::vector<SqlValue> values;
    std::string condition;
    switch (kind) {
      case query::NodeKind::kArtifact:
        condition = VisibilityCondition<ml_metadata::Artifact>(dialect, id_sql,
                                                               visible, values);
        break;
      case query::NodeKind::kExecution:
        condition = VisibilityCondition<ml_metadata::Execution>(
            dialect, id_sql, visible, values);
        break;
      case query::NodeKind::kContext:
        condition = VisibilityCondition<ml_metadata::Context>(dialect, id_sql,
                                                              visible, values);
        break;
    }
    // Every parameter of the condition is a namespace name.
    for (const SqlValue& value : values) params.push_back(value.AsString());
    return condition;
  };
}

std::string NamespaceOf(const ml_metadata::Context& context) {
  auto it = context.custom_properties().find(std::string(kNamespaceProperty));
  if (it == context.custom_properties().end() ||
      !it->second.has_string_value()) {
    return "";
  }
  return it->second.string_value();
}

absl::Status CheckContextNamespace(const VisibleNamespaces* visible,
                                   const ml_metadata::Context& context) {
  if (visible == nullptr) return absl::OkStatus();
  const std::string ns = NamespaceOf(context);
  if (ns.empty() || visible->Contains(ns)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "context '", context.name(), "': namespace '", ns,
      "' is not one of the caller's namespaces (",
      visible->names().empty() ? "none" : absl::StrJoin(visible->names(), ", "),
      ")"));
}

template std::string VisibilityCondition<ml_metadata::Artifact>(
    Dialect, absl::string_view, const VisibleNamespaces&,
    std::vector<SqlValue>&);
template std::string VisibilityCondition<ml_metadata::Execution>(
    Dialect, absl::string_view, const VisibleNamespaces&,
    std::vector<SqlValue>&);
template std::string VisibilityCondition<ml_metadata::Context>(
    Dialect, absl::string_view, const VisibleNamespaces&,
    std::vector<SqlValue>&);

}  // namespace mlmdx::store::internal
