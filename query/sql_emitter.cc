// File: query/sql_emitter.cc

#include "query/sql_emitter.h"

#include <cstdlib>
#include <string>
#include <utility>

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

// PostgreSQL's name for values of `type`.
absl::string_view PostgresType(ValueType type) {
  switch (type) {
    case ValueType::kInt64:
      return "BIGINT";
    case ValueType::kDouble:
      return "DOUBLE PRECISION";
    case ValueType::kString:
      return "TEXT";
    case ValueType::kBool:
      return "BOOLEAN";
    case ValueType::kNull:
    case ValueType::kEnum:
    case ValueType::kEnumName:
      break;
  }
  std::abort();  // Only parameters and typed NULLs are cast.
}

bool IsOrdering(absl::string_view op) {
  return op == "<" || op == "<=" || op == ">" || op == ">=";
}

bool IsArithmetic(absl::string_view op) {
  return op == "+" || op == "-" || op == "*" || op == "/";
}

// PostgreSQL compares text by the column's collation, which follows the
// database's locale (en_US sorts 'a' before 'B'); SQLite compares bytes.
// The "C" collation compares bytes too, and makes ILIKE fold ASCII letters
// only, as SQLite's LIKE does.
constexpr absl::string_view kPostgresByteCollation = " COLLATE \"C\"";

class Emitter {
 public:
  Emitter(const BoundFilter& filter, Dialect dialect,
          const NeighbourCondition* neighbours)
      : filter_(filter),
        postgres_(dialect == Dialect::kPostgres),
        neighbours_(neighbours) {}

  CompiledFilter Run() {
    absl::StrAppend(&out_.sql, " FROM ", NodeKindName(filter_.kind),
                    " AS table_0");
    for (size_t k = 0; k < filter_.aliases.size(); ++k) {
      EmitJoin(filter_.aliases[k], absl::StrCat("table_", k + 1));
    }
    out_.sql += " WHERE (";
    Emit(*filter_.where);
    out_.sql += ")";
    out_.from_where = out_.sql;
    out_.sql =
        absl::StrCat("SELECT DISTINCT table_0.id AS id", out_.from_where);
    return std::move(out_);
  }

 private:
  // Appends " JOIN <link> AS t_link ON t_link.<from> = table_0.id JOIN
  // <target> AS t ON t.id = t_link.<to>".
  void JoinThroughLink(const std::string& t, absl::string_view link,
                       absl::string_view from, absl::string_view to,
                       NodeKind target) {
    absl::StrAppend(&out_.sql, " JOIN ", link, " AS ", t, "_link ON ", t,
                    "_link.", from, " = table_0.id JOIN ", NodeKindName(target),
                    " AS ", t, " ON ", t, ".id = ", t, "_link.", to);
    RestrictNeighbour(target, absl::StrCat(t, ".id"));
  }

  // Appends " AND <the neighbours_ condition>" for the node of `kind` whose
  // id is `id_sql`, with its parameters.
  void RestrictNeighbour(NodeKind kind, const std::string& id_sql) {
    if (neighbours_ == nullptr) return;
    absl::StrAppend(&out_.sql, " AND ",
                    (*neighbours_)(kind, id_sql, out_.params));
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
                          NodeKind::kContext);
        } else {
          JoinThroughLink(t, "Association", "execution_id", "context_id",
                          NodeKind::kContext);
        }
        break;
      case AliasKind::kParentContexts:
        JoinThroughLink(t, "ParentContext", "context_id", "parent_context_id",
                        NodeKind::kContext);
        break;
      case AliasKind::kChildContexts:
        JoinThroughLink(t, "ParentContext", "parent_context_id", "context_id",
                        NodeKind::kContext);
        break;
      case AliasKind::kArtifacts:
        JoinThroughLink(t, "Attribution", "context_id", "artifact_id",
                        NodeKind::kArtifact);
        break;
      case AliasKind::kExecutions:
        JoinThroughLink(t, "Association", "context_id", "execution_id",
                        NodeKind::kExecution);
        break;
      case AliasKind::kEvents:
        absl::StrAppend(&out_.sql, " JOIN Event AS ", t, " ON ", t, ".",
                        is_artifact ? "artifact_id" : "execution_id",
                        " = table_0.id");
        RestrictNeighbour(
            is_artifact ? NodeKind::kExecution : NodeKind::kArtifact,
            absl::StrCat(t, is_artifact ? ".execution_id" : ".artifact_id"));
        break;
      case AliasKind::kProperty:
      case AliasKind::kCustomProperty:
        absl::StrAppend(&out_.sql, " JOIN ", NodeKindName(filter_.kind),
                        "Property AS ", t, " ON ", t, ".",
                        NodeIdColumn(filter_.kind), " = table_0.id AND ", t,
                        ".name = ");
        EmitParam(alias.property_name, ValueType::kString);
        absl::StrAppend(&out_.sql, " AND ", t, ".is_custom_property = ",
                        BoolLiteral(alias.kind == AliasKind::kCustomProperty));
        break;
    }
    if (alias.needs_type) {
      absl::StrAppend(&out_.sql, " JOIN Type AS ", t, "_type ON ", t,
                      "_type.id = ", t, ".type_id");
    }
  }

  // is_custom_property is BOOLEAN on PostgreSQL, an integer on SQLite.
  absl::string_view BoolLiteral(bool value) const {
    if (postgres_) return value ? "TRUE" : "FALSE";
    return value ? "1" : "0";
  }

  // PostgreSQL infers the type of an untyped parameter from its context
  // (`int_value > $1` makes $1 a bigint, which then rejects "1.5") or fails
  // (`$1 = $2`), so each placeholder is cast to the type of its value.
  // Booleans are bound as integers 0/1, and PostgreSQL has no cast from
  // BIGINT (how the store types integer parameters) to BOOLEAN, so they are
  // compared instead.
  void EmitParam(SqlParam value, ValueType type) {
    if (postgres_ && type == ValueType::kBool) {
      out_.sql += "(CAST(? AS BIGINT) <> 0)";
    } else if (postgres_) {
      absl::StrAppend(&out_.sql, "CAST(? AS ", PostgresType(type), ")");
    } else {
      out_.sql += "?";
    }
    out_.params.push_back(std::move(value));
  }

  // Emits `e` as an operand of an arithmetic operator whose result has type
  // `result`. On PostgreSQL:
  //  - integer arithmetic runs in NUMERIC (`widen` casts the operand that
  //    decides the operator): SQLite turns an int64 overflow into a double,
  //    where bigint arithmetic would raise "bigint out of range". Exact
  //    NUMERIC agrees with SQLite's result except within the rounding of
  //    that double;
  //  - an untyped NULL gets the operator's type, since `- NULL` and
  //    `NULL + NULL` are errors ("operator is not unique").
  void EmitArithmeticOperand(const BoundExpr& e, ValueType result, bool widen) {
    if (!postgres_) {
      Emit(e);
      return;
    }
    const absl::string_view type =
        result == ValueType::kInt64 ? "NUMERIC" : PostgresType(result);
    if (e.kind == BoundKind::kNull) {
      absl::StrAppend(&out_.sql, "CAST(NULL AS ", type, ")");
    } else if (widen && result == ValueType::kInt64) {
      out_.sql += "CAST(";
      Emit(e);
      out_.sql += " AS NUMERIC)";
    } else {
      Emit(e);
    }
  }

  // Emits `e`, compared as text bytes on PostgreSQL.
  void EmitWithByteCollation(const BoundExpr& e) {
    Emit(e);
    if (postgres_) absl::StrAppend(&out_.sql, kPostgresByteCollation);
  }

  void EmitBinary(const BoundExpr& e) {
    const BoundExpr& left = *e.children[0];
    const BoundExpr& right = *e.children[1];
    if (IsArithmetic(e.op)) {
      EmitArithmeticOperand(left, e.type, /*widen=*/true);
      absl::StrAppend(&out_.sql, " ", e.op, " ");
      if (postgres_ && e.op == "/") {
        // SQLite yields NULL for a division by zero where PostgreSQL
        // raises an error; NULLIF turns a zero divisor into NULL.
        out_.sql += "NULLIF(";
        EmitArithmeticOperand(right, e.type, /*widen=*/false);
        out_.sql += ", 0)";
      } else {
        EmitArithmeticOperand(right, e.type, /*widen=*/false);
      }
      return;
    }
    const bool text_order =
        IsOrdering(e.op) &&
        (left.type == ValueType::kString || right.type == ValueType::kString);
    if (text_order) {
      EmitWithByteCollation(left);
    } else {
      Emit(left);
    }
    absl::StrAppend(&out_.sql, " ", e.op, " ");
    Emit(right);
  }

  // SQLite's LIKE folds ASCII letters only and has no escape character.
  // On PostgreSQL, ILIKE under the "C" collation folds ASCII letters only
  // too (under the database's collation it would also fold non-ASCII ones,
  // e.g. 'É' ILIKE 'é'), and ESCAPE '' turns off its default escape, the
  // backslash. With both, the two agree on all valid UTF-8 text.
  void EmitLike(const BoundExpr& e) {
    if (!postgres_) {
      Emit(*e.children[0]);
      out_.sql += e.negated ? " NOT LIKE " : " LIKE ";
      Emit(*e.children[1]);
      return;
    }
    EmitWithByteCollation(*e.children[0]);
    out_.sql += e.negated ? " NOT ILIKE " : " ILIKE ";
    Emit(*e.children[1]);
    out_.sql += " ESCAPE ''";
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
        EmitParam(e.param, e.type);
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
        EmitArithmeticOperand(*e.children[0], e.type, /*widen=*/true);
        break;
      case BoundKind::kCastReal:
        // REAL is single precision on PostgreSQL.
        out_.sql += "CAST(";
        Emit(*e.children[0]);
        out_.sql += postgres_ ? " AS DOUBLE PRECISION)" : " AS REAL)";
        break;
      case BoundKind::kAnd:
        EmitBalanced(e, 0, e.children.size(), " AND ");
        break;
      case BoundKind::kOr:
        EmitBalanced(e, 0, e.children.size(), " OR ");
        break;
      case BoundKind::kBinary:
        EmitBinary(e);
        break;
      case BoundKind::kLike:
        EmitLike(e);
        break;
      case BoundKind::kIn:
        Emit(*e.children[0]);
        out_.sql += e.negated ? " NOT IN (" : " IN (";
        EmitList(e, 1, ", ");
        out_.sql += ")";
        break;
      case BoundKind::kBetween:
        if (e.children[0]->type == ValueType::kString ||
            e.children[1]->type == ValueType::kString ||
            e.children[2]->type == ValueType::kString) {
          EmitWithByteCollation(*e.children[0]);
        } else {
          Emit(*e.children[0]);
        }
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
  const bool postgres_;
  const NeighbourCondition* const neighbours_;
  CompiledFilter out_;
};

}  // namespace

CompiledFilter EmitSql(const BoundFilter& filter, Dialect dialect,
                       const NeighbourCondition* neighbours) {
  return Emitter(filter, dialect, neighbours).Run();
}

}  // namespace mlmdx::query
