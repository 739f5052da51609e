// File: lineage/lineage_graph.cc
// -----------------------------------------------------------------------------
//
// GetLineageGraph: MLMD 1.14's ExpandLineageGraphImpl over the index.

#include "lineage/lineage_graph.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "lineage/internal/walk_step.h"
#include "util/status_macros.h"

namespace mlmdx::lineage {
namespace {

constexpr int64_t kMaxHops = 20;

std::vector<int64_t> Sorted(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

absl::StatusOr<LineageGraphResult> GetLineageGraph(
    const GraphIndex& index, const LineageGraphQuery& query) {
  if (query.max_num_hops < 0) {
    return absl::InvalidArgumentError(
        "max_num_hops cannot be negative: max_num_hops = " +
        std::to_string(query.max_num_hops));
  }
  if ((query.boundary_set[0] || query.boundary_set[1]) &&
      !query.boundary_filter) {
    return absl::InvalidArgumentError(
        "A boundary filter is set but no boundary_filter callback was given.");
  }
  const GraphIndex::Snapshot snapshot = index.TakeSnapshot(query.visibility);
  std::vector<int64_t> query_nodes = query.query_artifact_ids;
  if (snapshot.restricted) {
    MLMDX_ASSIGN_OR_RETURN(
        query_nodes,
        index.VisibleNodes(snapshot, NodeKind::kArtifact, query_nodes));
  }
  if (query_nodes.empty()) {
    return absl::NotFoundError(
        "The query_nodes condition does not match any nodes to do "
        "traversal.");
  }
  if (query.max_node_size > 0 &&
      static_cast<int64_t>(query_nodes.size()) > query.max_node_size) {
    query_nodes.resize(static_cast<size_t>(query.max_node_size));
  }
  int64_t quota =
      query.max_node_size > 0
          ? query.max_node_size - static_cast<int64_t>(query_nodes.size())
          : std::numeric_limits<int64_t>::max();
  const int64_t max_hops = std::min(query.max_num_hops, kMaxHops);

  LineageGraphResult graph;
  absl::flat_hash_set<int64_t> visited[2];
  std::vector<int64_t> nodes[2];
  nodes[0] = query_nodes;
  std::vector<int64_t> frontier = query_nodes;
  for (int64_t hop = 0; hop < max_hops && quota > 0; ++hop) {
    const NodeKind from =
        hop % 2 == 0 ? NodeKind::kArtifact : NodeKind::kExecution;
    const NodeKind to =
        hop % 2 == 0 ? NodeKind::kExecution : NodeKind::kArtifact;
    const int f = static_cast<int>(from);
    const int t = static_cast<int>(to);
    visited[f].insert(frontier.begin(), frontier.end());
    MLMDX_ASSIGN_OR_RETURN(std::vector<EventRef> events,
                           index.EventsOf(snapshot, from, frontier));
    if (events.empty()) break;
    std::vector<int64_t> candidates = internal::NewEndpoints(
        events, to, [&](int64_t id) { return visited[t].contains(id); });
    if (query.boundary_set[t] && !candidates.empty()) {
      MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> passed,
                             query.boundary_filter(to, candidates));
      std::vector<int64_t> kept;
      for (int64_t id : Sorted(std::move(passed))) {
        if (std::binary_search(candidates.begin(), candidates.end(), id)) {
          kept.push_back(id);
        }
      }
      kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
      candidates = std::move(kept);
    }
    if (static_cast<int64_t>(candidates.size()) > quota) {
      candidates.resize(static_cast<size_t>(quota));
    }
    for (const EventRef& e : events) {
      if (std::binary_search(candidates.begin(), candidates.end(),
                             internal::Endpoint(e, to))) {
        graph.events.push_back(e);
      }
    }
    if (candidates.empty()) break;
    quota -= static_cast<int64_t>(candidates.size());
    nodes[t].insert(nodes[t].end(), candidates.begin(), candidates.end());
    frontier = std::move(candidates);
  }
  graph.artifact_ids = Sorted(std::move(nodes[0]));
  graph.artifact_ids.erase(
      std::unique(graph.artifact_ids.begin(), graph.artifact_ids.end()),
      graph.artifact_ids.end());
  graph.execution_ids = Sorted(std::move(nodes[1]));
  return graph;
}

}  // namespace mlmdx::lineage
