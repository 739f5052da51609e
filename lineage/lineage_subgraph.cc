// File: lineage/lineage_subgraph.cc
// -----------------------------------------------------------------------------
//
// GraphIndex::GetLineageSubgraph: the layer-at-a-time walk of
// spec/lineage.md §2.4, written to mirror MLMD's ExpandLineageSubgraphImpl
// step by step (visited and ending sets per kind, the three event-emission
// rules). Do not "improve" it: results must match MLMD.

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "lineage/graph_index.h"
#include "lineage/internal/event_types.h"
#include "lineage/internal/walk_step.h"
#include "util/status_macros.h"

namespace mlmdx::lineage {
namespace {

constexpr int64_t kMaxHops = 100;
constexpr size_t kMaxStartingNodes = 101;

using IdSet = absl::flat_hash_set<int64_t>;

using internal::Endpoint;
using internal::Index;
using internal::Other;

// Runs the ending filter of `kind` over `candidates` (ascending, non-empty)
// and adds the matches to `ending`. Only ids among the candidates count.
absl::Status AddEndingNodes(const SubgraphQuery& query, NodeKind kind,
                            const std::vector<int64_t>& candidates,
                            IdSet& ending) {
  if (!query.ending_set[Index(kind)] || candidates.empty()) {
    return absl::OkStatus();
  }
  MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> matches,
                         query.ending_filter(kind, candidates));
  for (int64_t id : matches) {
    if (std::binary_search(candidates.begin(), candidates.end(), id)) {
      ending.insert(id);
    }
  }
  return absl::OkStatus();
}

std::vector<int64_t> SortedIds(const IdSet& a, const IdSet* b) {
  std::vector<int64_t> ids(a.begin(), a.end());
  if (b != nullptr) ids.insert(ids.end(), b->begin(), b->end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

absl::StatusOr<Subgraph> GraphIndex::GetLineageSubgraph(
    const SubgraphQuery& query) const {
  if (query.max_num_hops < 0) {
    return absl::InvalidArgumentError(
        "max_num_hops cannot be negative: max_num_hops = " +
        std::to_string(query.max_num_hops));
  }
  if ((query.ending_set[0] || query.ending_set[1]) && !query.ending_filter) {
    return absl::InvalidArgumentError(
        "An ending filter is set but no ending_filter callback was given.");
  }
  const NodeKind s = query.start_kind;
  const Snapshot snapshot = TakeSnapshot(query.visibility);
  std::vector<int64_t> start = query.start_ids;
  std::sort(start.begin(), start.end());
  start.erase(std::unique(start.begin(), start.end()), start.end());
  if (snapshot.restricted) {
    MLMDX_ASSIGN_OR_RETURN(start, VisibleNodes(snapshot, s, start));
  }
  if (start.size() > kMaxStartingNodes) start.resize(kMaxStartingNodes);
  if (start.empty()) {
    return absl::NotFoundError(
        "Cannot find qualified nodes to start the traversal.");
  }
  const int64_t max_hops = std::min(query.max_num_hops, kMaxHops);

  IdSet visited[2];
  IdSet ending[2];
  MLMDX_RETURN_IF_ERROR(AddEndingNodes(query, s, start, ending[Index(s)]));
  std::vector<int64_t> frontier;
  for (int64_t id : start) {
    if (!ending[Index(s)].contains(id)) frontier.push_back(id);
  }
  visited[Index(s)].insert(frontier.begin(), frontier.end());

  const bool directed = query.direction != Direction::kBidirectional;
  Subgraph graph;
  for (int64_t hop = 0; hop < max_hops && !frontier.empty(); ++hop) {
    const NodeKind k = hop % 2 == 0 ? s : Other(s);
    const NodeKind t = Other(k);
    // A hop whose frontier has no event the direction allows adds nothing
    // and ends the walk.
    MLMDX_ASSIGN_OR_RETURN(std::vector<EventRef> events,
                           internal::DirectedEvents(*this, snapshot, k,
                                                    frontier, query.direction));
    if (events.empty()) break;
    IdSet& visited_t = visited[Index(t)];
    IdSet& ending_t = ending[Index(t)];
    std::vector<int64_t> candidates =
        internal::NewEndpoints(events, t, [&](int64_t id) {
          return visited_t.contains(id) || ending_t.contains(id);
        });
    MLMDX_RETURN_IF_ERROR(AddEndingNodes(query, t, candidates, ending_t));
    candidates.erase(
        std::remove_if(candidates.begin(), candidates.end(),
                       [&](int64_t id) { return ending_t.contains(id); }),
        candidates.end());
    for (const EventRef& e : events) {
      const int64_t other = Endpoint(e, t);
      const bool is_visited = visited_t.contains(other);
      const bool is_ending = ending_t.contains(other);
      if (!is_visited && !is_ending) {
        graph.events.push_back(e);
      } else if (is_ending) {
        if (query.include_ending[Index(t)]) graph.events.push_back(e);
      } else if (directed) {
        graph.events.push_back(e);
      }
    }
    visited_t.insert(candidates.begin(), candidates.end());
    frontier = std::move(candidates);
  }

  const int a = Index(NodeKind::kArtifact);
  const int x = Index(NodeKind::kExecution);
  graph.artifact_ids =
      SortedIds(visited[a], query.include_ending[a] ? &ending[a] : nullptr);
  graph.execution_ids =
      SortedIds(visited[x], query.include_ending[x] ? &ending[x] : nullptr);
  MLMDX_RETURN_IF_ERROR(AddContexts(snapshot, &graph));
  return graph;
}

}  // namespace mlmdx::lineage
