// File: lineage/lineage_graph.h
// -----------------------------------------------------------------------------
//
// The deprecated GetLineageGraph traversal with MLMD 1.14's library semantics
// (spec/lineage.md §3.3): always bidirectional over all event types, up to
// 20 hops, optionally capped at `max_node_size` nodes, with boundary filters
// that reject newly discovered nodes. It runs over a GraphIndex; the caller
// resolves the query nodes (one page of GetArtifacts) and evaluates the
// boundary filters through the callback.
//
// Example:
//
//   LineageGraphQuery q;
//   q.query_artifact_ids = {a1};
//   q.max_num_hops = 2;
//   absl::StatusOr<LineageGraphResult> g = GetLineageGraph(index, q);
//
// Thread-safety: as GraphIndex; the traversal reads one snapshot.

#ifndef MLMDX_LINEAGE_LINEAGE_GRAPH_H_
#define MLMDX_LINEAGE_LINEAGE_GRAPH_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "lineage/graph_index.h"

namespace mlmdx::lineage {

// A GetLineageGraph request after the store resolved the query nodes.
struct LineageGraphQuery {
  // The artifacts of the query page, in page order. Empty is NOT_FOUND.
  std::vector<int64_t> query_artifact_ids;
  // Negative is INVALID_ARGUMENT; above 20 is clamped to 20.
  int64_t max_num_hops = 20;
  // Cap on returned artifacts + executions (query nodes included); <= 0
  // means no cap. Query nodes beyond the cap are dropped first.
  int64_t max_node_size = 20;
  // Indexed by NodeKind: a non-empty boundary filter is set for that kind.
  bool boundary_set[2] = {false, false};
  // Returns the candidates that pass the boundary filter of `kind` (nodes
  // outside the boundary are neither returned nor expanded). Called only
  // for kinds with boundary_set and non-empty candidates.
  EndingFilter boundary_filter;
  // What the caller may see (lineage/visibility.h); null: everything.
  // Invisible query nodes are dropped before the cap applies.
  const Visibility* visibility = nullptr;
};

struct LineageGraphResult {
  std::vector<int64_t> artifact_ids;   // ascending
  std::vector<int64_t> execution_ids;  // ascending
  std::vector<EventRef> events;        // hop order, then fetch order
};

// Walks `index` as MLMD 1.14's QueryLineageGraph. When the node cap forces
// a choice among the candidates of a hop, the smallest ids are kept (MLMD's
// choice is unspecified). Returns INVALID_ARGUMENT for negative hops or a
// boundary set without callback, NOT_FOUND for no (visible) query nodes,
// ABORTED if the index is cleared meanwhile, and any error of the callback.
absl::StatusOr<LineageGraphResult> GetLineageGraph(
    const GraphIndex& index, const LineageGraphQuery& query);

}  // namespace mlmdx::lineage

#endif  // MLMDX_LINEAGE_LINEAGE_GRAPH_H_
