// File: lineage/visibility.h
// -----------------------------------------------------------------------------
//
// Visibility is what a lineage traversal may show a caller limited to some
// namespaces. A node belongs to the namespaces of the contexts it is linked
// to (an artifact by attribution, an execution by association); a context
// belongs to its own. The index learns each context's namespace from the
// change sets (ChangeSet::context_namespaces). A node or context is visible
// when it is in no namespace, or in one of `namespaces`. Invisible nodes are
// absent from an answer: an invisible starting node is dropped, a walk
// neither passes through nor ends at one, their events are left out, and
// only visible contexts are attached.
//
// Traversals take a `const Visibility*`; null means everything is visible
// and costs nothing.
//
// Example:
//
//   Visibility team_a{{"team-a"}};
//   SubgraphQuery q;
//   q.start_ids = {10};
//   q.visibility = &team_a;
//   absl::StatusOr<Subgraph> g = index.GetLineageSubgraph(q);

#ifndef MLMDX_LINEAGE_VISIBILITY_H_
#define MLMDX_LINEAGE_VISIBILITY_H_

#include <string>
#include <vector>

namespace mlmdx::lineage {

struct Visibility {
  // The caller's namespaces, in any order; empty: only nodes in no
  // namespace are visible.
  std::vector<std::string> namespaces;
};

}  // namespace mlmdx::lineage

#endif  // MLMDX_LINEAGE_VISIBILITY_H_
