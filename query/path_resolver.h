// File: query/path_resolver.h
// -----------------------------------------------------------------------------
//
// Resolves one dotted name of a filter (an AstKind::kPath node) for a node
// kind, as spec/listing.md §5.3-§5.5 describe: an attribute of the listed
// node (`uri`), the node's type name (`type`), a field of a neighbour alias
// (`contexts_a.name`, `events_0.type`), a property value
// (`properties.p.int_value`, ``custom_properties.`my p`.string_value``) or a
// bare enum name (`LIVE`), which the binder resolves against the enum column
// it is compared with. Part of the binder.
//
// Example:
//
//   std::vector<BoundAlias> aliases;
//   MLMDX_ASSIGN_OR_RETURN(BoundPtr column,
//                          ResolvePath(query, *path, NodeKind::kExecution,
//                                      limits, &aliases));

#ifndef MLMDX_QUERY_PATH_RESOLVER_H_
#define MLMDX_QUERY_PATH_RESOLVER_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/ast.h"
#include "query/binder.h"
#include "query/filter.h"

namespace mlmdx::query {

// Returns a kColumn or kEnumName expression for `path`, adding the alias it
// uses to `aliases` unless an alias with the same key is already there.
// Returns INVALID_ARGUMENT (see FilterError) for unknown names and fields,
// aliases not valid for `kind`, non-filterable property fields and more than
// `limits.max_aliases` aliases.
absl::StatusOr<BoundPtr> ResolvePath(absl::string_view query,
                                     const AstNode& path, NodeKind kind,
                                     const FilterLimits& limits,
                                     std::vector<BoundAlias>* aliases);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_PATH_RESOLVER_H_
