// File: lineage/lineage_query.h
// -----------------------------------------------------------------------------
//
// QueryLineage: mlmdx's own lineage query (proto/mlmdx/lineage_service.proto),
// a breadth-first walk over a GraphIndex snapshot that goes beyond MLMD's
// GetLineageSubgraph. It walks hop by hop from a start set in one direction
// (or both), drops reached nodes that fail a predicate (they are neither
// returned nor expanded), and answers with the walked subgraph, the part of
// it on a path to a target node, or only the reached nodes that match an
// endpoint filter. A node limit bounds the answer and reports truncation.
//
// Like GraphIndex, this knows no filter language: predicates and endpoint
// filters are evaluated by the caller through `EndingFilter` callbacks.
//
// Example: every artifact matching the endpoint filter upstream of model 7.
//
//   LineageQuery q;
//   q.start_kind = NodeKind::kArtifact;
//   q.start_ids = {7};
//   q.direction = Direction::kUpstream;
//   q.output = LineageQuery::Output::kEndpoints;
//   q.endpoint_set[0] = true;  // artifacts
//   q.endpoint_filter = ...;   // e.g. the store evaluating "type = 'Dataset'"
//   absl::StatusOr<LineageQueryResult> r = QueryLineage(index, q);
//   // r->endpoint_artifact_ids: the datasets, ascending.
//
// Thread-safety: QueryLineage is thread-safe (it reads one snapshot of the
// index and holds no lock while a callback runs).

#ifndef MLMDX_LINEAGE_LINEAGE_QUERY_H_
#define MLMDX_LINEAGE_LINEAGE_QUERY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "lineage/graph_index.h"

namespace mlmdx::lineage {

// A QueryLineage request after the caller resolved the start filter.
struct LineageQuery {
  enum class Output { kSubgraph, kPaths, kEndpoints };

  // Kind of the start nodes.
  NodeKind start_kind = NodeKind::kArtifact;
  // Start node ids; sorted and deduplicated here, at most 101 are used.
  // Start nodes are never pruned.
  std::vector<int64_t> start_ids;
  // Which events a hop follows (lineage/internal/event_types.h).
  Direction direction = Direction::kBidirectional;
  // Hops to walk; negative is INVALID_ARGUMENT, above 100 is lowered to 100.
  int64_t max_hops = 100;

  // Indexed by NodeKind: a predicate is set for that kind. A reached node of
  // such a kind that `predicate` does not return is pruned.
  bool predicate_set[2] = {false, false};
  EndingFilter predicate;

  Output output = Output::kSubgraph;

  // kPaths only: the node the paths lead to. It is never pruned.
  NodeKind target_kind = NodeKind::kArtifact;
  int64_t target_id = 0;

  // kEndpoints only, indexed by NodeKind: reached nodes of that kind that
  // `endpoint_filter` returns are endpoints. Kinds not set give none.
  bool endpoint_set[2] = {false, false};
  EndingFilter endpoint_filter;

  // Most nodes in the answer: subgraph nodes for kSubgraph and kPaths,
  // endpoint ids for kEndpoints. Must be positive.
  int64_t max_nodes = 1000;

  // What the caller may see (lineage/visibility.h); null: everything.
  // Invisible start nodes are dropped; an invisible target is never reached.
  const Visibility* visibility = nullptr;
};

struct LineageQueryResult {
  // kSubgraph and kPaths: node ids (ascending) and the events between them
  // (hop order, then GraphIndex::EventsOf order). Empty for kEndpoints.
  std::vector<int64_t> artifact_ids;
  std::vector<int64_t> execution_ids;
  std::vector<EventRef> events;
  // kEndpoints: matching reached nodes, ascending.
  std::vector<int64_t> endpoint_artifact_ids;
  std::vector<int64_t> endpoint_execution_ids;
  // max_nodes cut the answer.
  bool truncated = false;
  // Hop distance of the farthest node the (forward) walk kept.
  int hops_walked = 0;
};

// Runs `query` on a snapshot of `index`.
//   INVALID_ARGUMENT  negative max_hops, max_nodes <= 0, a set predicate or
//                     endpoint kind without its callback, kEndpoints with no
//                     endpoint kind set
//   NOT_FOUND         start_ids is empty (or has no visible node)
//   ABORTED           the index was cleared during the query
// and any error a callback returns, unchanged.
absl::StatusOr<LineageQueryResult> QueryLineage(const GraphIndex& index,
                                                const LineageQuery& query);

}  // namespace mlmdx::lineage

#endif  // MLMDX_LINEAGE_LINEAGE_QUERY_H_
