// File: query/binder.h
// -----------------------------------------------------------------------------
//
// Resolves and type-checks a parsed filter for one node kind
// (spec/listing.md §5.3-§5.6). Paths become columns of the listed node
// (table_0) or of an alias; each distinct alias (`type`, a neighbour alias
// such as contexts_a, a property reference) is recorded once, in order of
// first mention, and becomes one INNER JOIN in the emitted SQL. Literals
// become bound parameters. Enum comparisons are rewritten as MLMD does:
// `state != LIVE` and `state NOT IN (...)` also match NULL.
//
// Typing follows ZetaSQL for the supported subset: INT64 and DOUBLE mix,
// STRING, BOOL and numbers do not, `/` always yields DOUBLE, and the whole
// filter must be BOOL.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(AstPtr ast, ParseFilter(query, limits));
//   MLMDX_ASSIGN_OR_RETURN(
//       BoundFilter bound,
//       BindFilter(query, *ast, NodeKind::kArtifact, limits));

#ifndef MLMDX_QUERY_BINDER_H_
#define MLMDX_QUERY_BINDER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/ast.h"
#include "query/catalog.h"
#include "query/filter.h"

namespace mlmdx::query {

// One related row chosen per node: a join.
struct BoundAlias {
  AliasKind kind = AliasKind::kType;
  // Identity within one filter: the alias as written (`contexts_a`, `type`),
  // or "properties.<name>" / "custom_properties.<name>".
  std::string key;
  // The property name, byte-exact, for kProperty and kCustomProperty.
  std::string property_name;
  // A field of the related row's type is used (`contexts_a.type`).
  bool needs_type = false;
};

enum class BoundKind {
  kColumn,    // a column of table_0 or of an alias
  kParam,     // a bound parameter
  kNull,      // NULL
  kNot,       // NOT children[0]
  kNegate,    // -children[0]
  kCastReal,  // CAST(children[0] AS REAL)
  kAnd,       // children joined by AND
  kOr,        // children joined by OR
  kBinary,    // children[0] op children[1]
  kLike,      // children[0] [NOT] LIKE children[1]
  kIn,        // children[0] [NOT] IN (children[1..])
  kBetween,   // children[0] [NOT] BETWEEN children[1] AND children[2]
  kIsNull,    // children[0] IS [NOT] NULL
  kIsBool,    // children[0] IS [NOT] TRUE/FALSE
  kOrIsNull,  // (children[0] OR children[1] IS NULL), for enum != / NOT IN
  kEnumName,  // a bare enum name; never reaches the emitter
};

struct BoundExpr {
  BoundKind kind = BoundKind::kNull;
  ValueType type = ValueType::kNull;
  EnumSet enum_set = EnumSet::kNone;  // for kEnum columns
  size_t pos = 0;                     // source position, for errors
  // kColumn: index into BoundFilter::aliases, or -1 for the listed node.
  int alias = -1;
  // kColumn: the column is of the alias's Type row.
  bool from_type = false;
  std::string column;       // kColumn
  std::string op;           // kBinary: = <> < <= > >= + - * /
  std::string name;         // kEnumName, and the field name of kColumn
  bool negated = false;     // kLike, kIn, kBetween, kIsNull, kIsBool
  bool bool_value = false;  // kIsBool
  SqlParam param;           // kParam
  std::vector<std::unique_ptr<BoundExpr>> children;
};

using BoundPtr = std::unique_ptr<BoundExpr>;

struct BoundFilter {
  NodeKind kind = NodeKind::kArtifact;
  std::vector<BoundAlias> aliases;
  BoundPtr where;  // of type BOOL
};

// Binds `ast` (parsed from `query`, which is used for error positions) for
// nodes of `kind`. Returns INVALID_ARGUMENT (see FilterError) for an unknown
// name or field, an alias not valid for `kind`, a type error, a bad enum
// name, a non-boolean filter, or more than `limits.max_aliases` aliases.
absl::StatusOr<BoundFilter> BindFilter(absl::string_view query,
                                       const AstNode& ast, NodeKind kind,
                                       const FilterLimits& limits);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_BINDER_H_
