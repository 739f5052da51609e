// File: store/internal/visibility.h
// -----------------------------------------------------------------------------
//
// The SQL form of namespace isolation (store/visible_namespaces.h): one
// condition, added to a statement's WHERE, that keeps only the nodes a
// caller may see, and the check a context write must pass. Only used when a
// VisibleNamespacesScope is open: without one no statement changes.
//
// A node's namespaces are read where they are kept: the `namespace` custom
// property (a non-empty string) of the contexts an artifact is attributed
// to or an execution associated with, or of the context itself. The
// lookups ride on Attribution(artifact_id), Association(execution_id) and
// ContextProperty's primary key (context_id, name, is_custom_property).
//
// Example:
//
//   std::vector<SqlValue> params;
//   std::string sql = absl::StrCat(
//       "SELECT id FROM Artifact WHERE ",
//       VisibilityCondition<Artifact>(dialect, "Artifact.id", *visible,
//                                     params));

#ifndef MLMDX_STORE_INTERNAL_VISIBILITY_H_
#define MLMDX_STORE_INTERNAL_VISIBILITY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "query/filter.h"
#include "store/connection.h"
#include "store/visible_namespaces.h"

namespace mlmdx::store::internal {

// A parenthesized condition, true when the node of kind Node whose id is
// the SQL expression `id_expr` is visible under `visible`; appends its
// parameters (the visible namespaces) to `params`.
// REQUIRES: `id_expr` is SQL written by the store, never input.
template <typename Node>
std::string VisibilityCondition(Dialect dialect, absl::string_view id_expr,
                                const VisibleNamespaces& visible,
                                std::vector<SqlValue>& params);

// For query::CompileFilter: keeps a filter's joins to other nodes (contexts_a,
// events_a, ...) to those `visible` makes visible, so that a filter cannot
// reveal invisible nodes either. `visible` must outlive the result's use.
query::NeighbourCondition NeighbourVisibility(Dialect dialect,
                                              const VisibleNamespaces& visible);

// The namespace `context` names (its `namespace` custom property, when a
// non-empty string), or "" for none.
std::string NamespaceOf(const ml_metadata::Context& context);

// OK when `visible` is null or `context`, as it would be stored, is in no
// namespace or in one of `visible`'s; otherwise PERMISSION_DENIED naming
// the context and the namespace.
absl::Status CheckContextNamespace(const VisibleNamespaces* visible,
                                   const ml_metadata::Context& context);

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_VISIBILITY_H_
