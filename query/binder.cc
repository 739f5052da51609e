// File: query/binder.cc

#include "query/binder.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "query/error_context.h"
#include "query/path_resolver.h"
#include "util/status_macros.h"

namespace mlmdx::query {
namespace {

bool IsNumeric(ValueType t) {
  return t == ValueType::kInt64 || t == ValueType::kDouble ||
         t == ValueType::kNull;
}

// True when values of types `a` and `b` may be compared (neither is an
// enum; enums are handled before).
bool Comparable(ValueType a, ValueType b) {
  if (a == ValueType::kNull || b == ValueType::kNull) return true;
  if (IsNumeric(a) && IsNumeric(b)) return true;
  return a == b;
}

BoundPtr MakeBound(BoundKind kind, ValueType type, size_t pos) {
  auto node = std::make_unique<BoundExpr>();
  node->kind = kind;
  node->type = type;
  node->pos = pos;
  return node;
}

BoundPtr CopyColumn(const BoundExpr& column) {
  BoundPtr copy = MakeBound(BoundKind::kColumn, column.type, column.pos);
  copy->alias = column.alias;
  copy->from_type = column.from_type;
  copy->column = column.column;
  copy->name = column.name;
  copy->enum_set = column.enum_set;
  return copy;
}

class Binder {
 public:
  Binder(absl::string_view query, NodeKind kind, const FilterLimits& limits)
      : q_(query), kind_(kind), limits_(limits) {}

  absl::StatusOr<BoundFilter> Run(const AstNode& ast) {
    MLMDX_ASSIGN_OR_RETURN(BoundPtr where, Bind(ast));
    MLMDX_RETURN_IF_ERROR(CheckNotEnum(*where));
    if (where->type != ValueType::kBool) {
      return Error(ast.pos,
                   absl::StrCat("Filter must be a boolean expression, not ",
                                TypeName(where->type)));
    }
    BoundFilter filter;
    filter.kind = kind_;
    filter.aliases = std::move(aliases_);
    filter.where = std::move(where);
    return filter;
  }

 private:
  absl::Status Error(size_t pos, absl::string_view what) const {
    return FilterError(q_, pos, what);
  }

  // Rejects an enum column or enum name where only plain values may go.
  absl::Status CheckNotEnum(const BoundExpr& e) const {
    if (e.type == ValueType::kEnumName) {
      return Error(e.pos, absl::StrCat("Unrecognized name: ", e.name));
    }
    if (e.type == ValueType::kEnum) {
      return Error(e.pos,
                   absl::StrCat("Enum field ", e.name,
                                " can only be used with =, !=, IN, NOT IN and "
                                "IS [NOT] NULL, against bare enum names"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckBool(const BoundExpr& e, absl::string_view op) const {
    MLMDX_RETURN_IF_ERROR(CheckNotEnum(e));
    if (e.type != ValueType::kBool && e.type != ValueType::kNull) {
      return Error(e.pos, absl::StrCat("Operand of ", op, " must be BOOL, not ",
                                       TypeName(e.type)));
    }
    return absl::OkStatus();
  }

  absl::Status NoSignature(size_t pos, absl::string_view op, const BoundExpr& a,
                           const BoundExpr& b) const {
    return Error(pos, absl::StrCat("No matching signature for operator ", op,
                                   " for argument types: ", TypeName(a.type),
                                   ", ", TypeName(b.type)));
  }

  absl::StatusOr<BoundPtr> Bind(const AstNode& n) {
    switch (n.kind) {
      case AstKind::kNull:
        return MakeBound(BoundKind::kNull, ValueType::kNull, n.pos);
      case AstKind::kBool:
        return Param(n.pos, ValueType::kBool, int64_t{n.bool_value ? 1 : 0});
      case AstKind::kInteger:
        return Param(n.pos, ValueType::kInt64, n.int_value);
      case AstKind::kFloat:
        return Param(n.pos, ValueType::kDouble, n.double_value);
      case AstKind::kString:
        return Param(n.pos, ValueType::kString, n.string_value);
      case AstKind::kPath:
        return BindPath(n);
      case AstKind::kNot:
      case AstKind::kAnd:
      case AstKind::kOr:
        return BindLogical(n);
      case AstKind::kNegate:
        return BindNegate(n);
      case AstKind::kArithmetic:
        return BindArithmetic(n);
      case AstKind::kCompare:
        return BindCompare(n);
      case AstKind::kLike:
        return BindLike(n);
      case AstKind::kIn:
        return BindIn(n);
      case AstKind::kBetween:
        return BindBetween(n);
      case AstKind::kIsNull:
      case AstKind::kIsBool:
        return BindIs(n);
    }
    return Error(n.pos, "Unsupported expression");
  }

  static BoundPtr Param(size_t pos, ValueType type, SqlParam value) {
    BoundPtr node = MakeBound(BoundKind::kParam, type, pos);
    node->param = std::move(value);
    return node;
  }

  absl::StatusOr<std::vector<BoundPtr>> BindChildren(const AstNode& n) {
    std::vector<BoundPtr> children;
    children.reserve(n.children.size());
    for (const AstPtr& child : n.children) {
      MLMDX_ASSIGN_OR_RETURN(BoundPtr bound, Bind(*child));
      children.push_back(std::move(bound));
    }
    return children;
  }

  absl::StatusOr<BoundPtr> BindLogical(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<BoundPtr> children, BindChildren(n));
    const BoundKind kind = n.kind == AstKind::kNot   ? BoundKind::kNot
                           : n.kind == AstKind::kAnd ? BoundKind::kAnd
                                                     : BoundKind::kOr;
    const absl::string_view op = n.kind == AstKind::kNot   ? "NOT"
                                 : n.kind == AstKind::kAnd ? "AND"
                                                           : "OR";
    for (const BoundPtr& child : children) {
      MLMDX_RETURN_IF_ERROR(CheckBool(*child, op));
    }
    BoundPtr node = MakeBound(kind, ValueType::kBool, n.pos);
    node->children = std::move(children);
    return node;
  }

  absl::StatusOr<BoundPtr> BindNegate(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(BoundPtr operand, Bind(*n.children[0]));
    MLMDX_RETURN_IF_ERROR(CheckNotEnum(*operand));
    if (!IsNumeric(operand->type)) {
      return Error(n.pos, absl::StrCat("No matching signature for operator - "
                                       "for argument type: ",
                                       TypeName(operand->type)));
    }
    // Fold the sign of a literal into its parameter.
    if (operand->kind == BoundKind::kParam) {
      if (auto* i = std::get_if<int64_t>(&operand->param)) {
        *i = -*i;  // Never INT64_MIN: the lexer caps literals at INT64_MAX.
        return operand;
      }
      if (auto* d = std::get_if<double>(&operand->param)) {
        *d = -*d;
        return operand;
      }
    }
    const ValueType type =
        operand->type == ValueType::kNull ? ValueType::kInt64 : operand->type;
    BoundPtr node = MakeBound(BoundKind::kNegate, type, n.pos);
    node->children.push_back(std::move(operand));
    return node;
  }

  absl::StatusOr<BoundPtr> BindArithmetic(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<BoundPtr> children, BindChildren(n));
    for (const BoundPtr& child : children) {
      MLMDX_RETURN_IF_ERROR(CheckNotEnum(*child));
    }
    if (!IsNumeric(children[0]->type) || !IsNumeric(children[1]->type)) {
      return NoSignature(n.pos, n.op, *children[0], *children[1]);
    }
    const bool any_double = children[0]->type == ValueType::kDouble ||
                            children[1]->type == ValueType::kDouble;
    ValueType type = any_double ? ValueType::kDouble : ValueType::kInt64;
    if (n.op == "/") {
      // ZetaSQL divides INT64 as DOUBLE; SQLite would truncate.
      type = ValueType::kDouble;
      if (!any_double) {
        BoundPtr cast = MakeBound(BoundKind::kCastReal, ValueType::kDouble,
                                  children[0]->pos);
        cast->children.push_back(std::move(children[0]));
        children[0] = std::move(cast);
      }
    }
    BoundPtr node = MakeBound(BoundKind::kBinary, type, n.pos);
    node->op = n.op;
    node->children = std::move(children);
    return node;
  }

  // Resolves an enum name against the enum column `column`.
  absl::StatusOr<BoundPtr> BindEnumName(const BoundExpr& column,
                                        const BoundExpr& value) {
    if (value.type != ValueType::kEnumName) {
      return Error(value.pos,
                   absl::StrCat("Enum field ", column.name,
                                " must be compared with a bare enum name, "
                                "one of ",
                                EnumNames(column.enum_set)));
    }
    const std::optional<int64_t> number =
        EnumValue(column.enum_set, value.name);
    if (!number) {
      return Error(
          value.pos,
          absl::StrCat("Invalid enum name ", value.name, " for ", column.name,
                       "; expected one of ", EnumNames(column.enum_set)));
    }
    return Param(value.pos, ValueType::kInt64, *number);
  }

  // Wraps `test` on enum column `column` as (test OR column IS NULL).
  static BoundPtr OrIsNull(BoundPtr test, const BoundExpr& column) {
    BoundPtr node =
        MakeBound(BoundKind::kOrIsNull, ValueType::kBool, test->pos);
    node->children.push_back(std::move(test));
    node->children.push_back(CopyColumn(column));
    return node;
  }

  absl::StatusOr<BoundPtr> BindCompare(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<BoundPtr> children, BindChildren(n));
    const std::string op = n.op == "!=" ? "<>" : n.op;
    int enum_side = -1;
    if (children[0]->type == ValueType::kEnum)
      enum_side = 0;
    else if (children[1]->type == ValueType::kEnum)
      enum_side = 1;
    if (enum_side >= 0) {
      const BoundExpr& column = *children[enum_side];
      if (op != "=" && op != "<>") {
        return Error(n.pos, absl::StrCat("Operator ", n.op,
                                         " is not supported for enum field ",
                                         column.name));
      }
      MLMDX_ASSIGN_OR_RETURN(children[1 - enum_side],
                             BindEnumName(column, *children[1 - enum_side]));
    } else {
      MLMDX_RETURN_IF_ERROR(CheckNotEnum(*children[0]));
      MLMDX_RETURN_IF_ERROR(CheckNotEnum(*children[1]));
      if (!Comparable(children[0]->type, children[1]->type)) {
        return NoSignature(n.pos, n.op, *children[0], *children[1]);
      }
    }
    BoundPtr node = MakeBound(BoundKind::kBinary, ValueType::kBool, n.pos);
    node->op = op;
    node->children = std::move(children);
    if (enum_side >= 0 && op == "<>") {
      const BoundExpr& column = *node->children[enum_side];
      BoundPtr column_copy = CopyColumn(column);
      return OrIsNull(std::move(node), *column_copy);
    }
    return node;
  }

  absl::StatusOr<BoundPtr> BindLike(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<BoundPtr> children, BindChildren(n));
    for (const BoundPtr& child : children) {
      MLMDX_RETURN_IF_ERROR(CheckNotEnum(*child));
      if (child->type != ValueType::kString &&
          child->type != ValueType::kNull) {
        return NoSignature(n.pos, "LIKE", *children[0], *children[1]);
      }
    }
    BoundPtr node = MakeBound(BoundKind::kLike, ValueType::kBool, n.pos);
    node->negated = n.negated;
    node->children = std::move(children);
    return node;
  }

  absl::StatusOr<BoundPtr> BindIn(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<BoundPtr> children, BindChildren(n));
    const BoundExpr& left = *children[0];
    const bool is_enum = left.type == ValueType::kEnum;
    for (size_t k = 1; k < children.size(); ++k) {
      if (is_enum) {
        MLMDX_ASSIGN_OR_RETURN(children[k], BindEnumName(left, *children[k]));
        continue;
      }
      MLMDX_RETURN_IF_ERROR(CheckNotEnum(left));
      MLMDX_RETURN_IF_ERROR(CheckNotEnum(*children[k]));
      if (!Comparable(left.type, children[k]->type)) {
        return NoSignature(children[k]->pos, "IN", left, *children[k]);
      }
    }
    BoundPtr node = MakeBound(BoundKind::kIn, ValueType::kBool, n.pos);
    node->negated = n.negated;
    node->children = std::move(children);
    if (is_enum && n.negated) {
      BoundPtr column_copy = CopyColumn(*node->children[0]);
      return OrIsNull(std::move(node), *column_copy);
    }
    return node;
  }

  absl::StatusOr<BoundPtr> BindBetween(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<BoundPtr> children, BindChildren(n));
    for (const BoundPtr& child : children) {
      MLMDX_RETURN_IF_ERROR(CheckNotEnum(*child));
    }
    for (size_t k = 1; k < 3; ++k) {
      if (!Comparable(children[0]->type, children[k]->type)) {
        return NoSignature(n.pos, "BETWEEN", *children[0], *children[k]);
      }
    }
    BoundPtr node = MakeBound(BoundKind::kBetween, ValueType::kBool, n.pos);
    node->negated = n.negated;
    node->children = std::move(children);
    return node;
  }

  absl::StatusOr<BoundPtr> BindIs(const AstNode& n) {
    MLMDX_ASSIGN_OR_RETURN(BoundPtr operand, Bind(*n.children[0]));
    if (n.kind == AstKind::kIsNull) {
      if (operand->type == ValueType::kEnumName) {
        MLMDX_RETURN_IF_ERROR(CheckNotEnum(*operand));
      }
    } else {
      MLMDX_RETURN_IF_ERROR(CheckBool(*operand, "IS TRUE/FALSE"));
    }
    BoundPtr node = MakeBound(
        n.kind == AstKind::kIsNull ? BoundKind::kIsNull : BoundKind::kIsBool,
        ValueType::kBool, n.pos);
    node->negated = n.negated;
    node->bool_value = n.bool_value;
    node->children.push_back(std::move(operand));
    return node;
  }

  absl::StatusOr<BoundPtr> BindPath(const AstNode& n) {
    return ResolvePath(q_, n, kind_, limits_, &aliases_);
  }

  absl::string_view q_;
  NodeKind kind_;
  const FilterLimits& limits_;
  std::vector<BoundAlias> aliases_;
};

}  // namespace

absl::StatusOr<BoundFilter> BindFilter(absl::string_view query,
                                       const AstNode& ast, NodeKind kind,
                                       const FilterLimits& limits) {
  return Binder(query, kind, limits).Run(ast);
}

}  // namespace mlmdx::query
