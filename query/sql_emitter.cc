// File: query/sql_emitter.cc

#include "query/sql_emitter.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "query/catalog.h"

namespace mlmdx::query {
namespace {

// The column of a property table that refers to its node.
absl::string_view NodeIdColumn(NodeKind kind) {
  switch (kind) {
    case NodeKind::kArtifact:
      return "artifact_id";
    case NodeKind::kExecution:
      return "execution_id";
    case NodeKind::kContext:
      return "context_id";
  }
  std::abort();
}

class Emitter {
 public:
  explicit Emitter(const BoundFilter& filter) : filter_(filter) {}

  CompiledFilter Run() {
    absl::StrAppend(&out_.sql, "SELECT DISTINCT table_0.id AS id FROM ",
                    NodeKindName(filter_.kind), " AS table_0");
    for (size_t k = 0; k < filter_.aliases.size(); ++k) {
      EmitJoin(filter_.aliases[k], absl::StrCat("table_", k + 1));
    }
    out_.sql += " WHERE (";
    Emit(*filter_.where);
    out_.sql += ")";
    return std::move(out_);
  }

 private:
  // Appends " JOIN <link> AS t_link ON t_link.<from> = table_0.id JOIN
  // <target> AS t ON t.id = t_link.<to>".
  void JoinThroughLink(const std::string& t, absl::string_view link,
                       absl::string_view from, absl::string_view to,
                       absl::string_view target) {
    absl::StrAppend(&out_.sql, " JOIN ", link, " AS ", t, "_link ON ", t,
                    "_link.", from, " = table_0.id JOIN ", target, " AS ", t,
                    " ON ", t, ".id = ", t, "_link.", to);
  }

  void EmitJoin(const BoundAlias& alias, const std::string& t) {
    const bool is_artifact = filter_.kind == NodeKind::kArtifact;
    switch (alias.kind) {
      case AliasKind::kType:
        absl::StrAppend(&out_.sql, " JOIN Type AS ", t, " ON ", t,
                        ".id = table_0.type_id");
        break;
      case AliasKind::kContexts:
        if (is_artifact) {
          JoinThroughLink(t, "Attribution", "artifact_id", "context_id",
                          "Context");
        } else {
          JoinThroughLink(t, "Association", "execution_id", "context_id",
                          "Context");
        }
        break;
      case AliasKind::kParentContexts:
        JoinThroughLink(t, "ParentContext", "context_id", "parent_context_id",
                        "Context");
        break;
      case AliasKind::kChildContexts:
        JoinThroughLink(t, "ParentContext", "parent_context_id", "context_id",
                        "Context");
        break;
      case AliasKind::kArtifacts:
        JoinThroughLink(t, "Attribution", "context_id", "artifact_id",
                        "Artifact");
        break;
      case AliasKind::kExecutions:
        JoinThroughLink(t, "Association", "context_id", "execution_id",
                        "Execution");
        break;
      case AliasKind::kEvents:
        absl::StrAppend(&out_.sql, " JOIN Event AS ", t, " ON ", t, ".",
                        is_artifact ? "artifact_id" : "execution_id",
                        " = table_0.id");
        break;
      case AliasKind::kProperty:
      case AliasKind::kCustomProperty:
        absl::StrAppend(&out_.sql, " JOIN ", NodeKindName(filter_.kind),
                        "Property AS ", t, " ON ", t, ".",
                        NodeIdColumn(filter_.kind), " = table_0.id AND ", t,
                        ".name = ? AND ", t, ".is_custom_property = ",
                        alias.kind == AliasKind::kCustomProperty ? "1" : "0");
        out_.params.emplace_back(alias.property_name);
        break;
    }
    if (alias.needs_type) {
      absl::StrAppend(&out_.sql, " JOIN Type AS ", t, "_type ON ", t,
                      "_type.id = ", t, ".type_id");
    }
  }

  void EmitList(const BoundExpr& e, size_t first, absl::string_view sep) {
    for (size_t k = first; k < e.children.size(); ++k) {
      if (k > first) absl::StrAppend(&out_.sql, sep);
      Emit(*e.children[k]);
    }
  }

  // Emits children [begin, end) of `e` joined by `op` as a balanced tree,
  // so that a long OR chain stays far below SQLite's expression depth limit
  // (SQLITE_MAX_EXPR_DEPTH, 1000 by default).
  void EmitBalanced(const BoundExpr& e, size_t begin, size_t end,
                    absl::string_view op) {
    if (end - begin == 1) {
      Emit(*e.children[begin]);
      return;
    }
    const size_t middle = begin + (end - begin) / 2;
    const bool left_group = middle - begin > 1;
    const bool right_group = end - middle > 1;
    if (left_group) out_.sql += "(";
    EmitBalanced(e, begin, middle, op);
    if (left_group) out_.sql += ")";
    absl::StrAppend(&out_.sql, op);
    if (right_group) out_.sql += "(";
    EmitBalanced(e, middle, end, op);
    if (right_group) out_.sql += ")";
  }

  void Emit(const BoundExpr& e) {
    switch (e.kind) {
      case BoundKind::kColumn:
        if (e.alias < 0) {
          out_.sql += "table_0";
        } else {
          absl::StrAppend(&out_.sql, "table_", e.alias + 1,
                          e.from_type ? "_type" : "");
        }
        absl::StrAppend(&out_.sql, ".", e.column);
        return;
      case BoundKind::kParam:
        out_.sql += "?";
        out_.params.push_back(e.param);
        return;
      case BoundKind::kNull:
        out_.sql += "NULL";
        return;
      case BoundKind::kEnumName:
        std::abort();  // The binder resolves or rejects every enum name.
      default:
        break;
    }
    out_.sql += "(";
    switch (e.kind) {
      case BoundKind::kNot:
        out_.sql += "NOT ";
        Emit(*e.children[0]);
        break;
      case BoundKind::kNegate:
        out_.sql += "- ";
        Emit(*e.children[0]);
        break;
      case BoundKind::kCastReal:
        out_.sql += "CAST(";
        Emit(*e.children[0]);
        out_.sql += " AS REAL)";
        break;
      case BoundKind::kAnd:
        EmitBalanced(e, 0, e.children.size(), " AND ");
        break;
      case BoundKind::kOr:
        EmitBalanced(e, 0, e.children.size(), " OR ");
        break;
      case BoundKind::kBinary:
        Emit(*e.children[0]);
        absl::StrAppend(&out_.sql, " ", e.op, " ");
        Emit(*e.children[1]);
        break;
      case BoundKind::kLike:
        Emit(*e.children[0]);
        out_.sql += e.negated ? " NOT LIKE " : " LIKE ";
        Emit(*e.children[1]);
        break;
      case BoundKind::kIn:
        Emit(*e.children[0]);
        out_.sql += e.negated ? " NOT IN (" : " IN (";
        EmitList(e, 1, ", ");
        out_.sql += ")";
        break;
      case BoundKind::kBetween:
        Emit(*e.children[0]);
        out_.sql += e.negated ? " NOT BETWEEN " : " BETWEEN ";
        Emit(*e.children[1]);
        out_.sql += " AND ";
        Emit(*e.children[2]);
        break;
      case BoundKind::kIsNull:
        Emit(*e.children[0]);
        out_.sql += e.negated ? " IS NOT NULL" : " IS NULL";
        break;
      case BoundKind::kIsBool:
        Emit(*e.children[0]);
        absl::StrAppend(&out_.sql, e.negated ? " IS NOT " : " IS ",
                        e.bool_value ? "TRUE" : "FALSE");
        break;
      case BoundKind::kOrIsNull:
        Emit(*e.children[0]);
        out_.sql += " OR ";
        Emit(*e.children[1]);
        out_.sql += " IS NULL";
        break;
      default:
        std::abort();
    }
    out_.sql += ")";
  }

  const BoundFilter& filter_;
  CompiledFilter out_;
};

}  // namespace

CompiledFilter EmitSql(const BoundFilter& filter, Dialect dialect) {
  // Only SQLite exists; its SQL is also valid for the other dialects MLMD
  // supports, except for IS TRUE on MySQL.
  (void)dialect;
  return Emitter(filter).Run();
}

}  // namespace mlmdx::query
