// File: lineage/lineage_query.cc
// -----------------------------------------------------------------------------
//
// QueryLineage: one breadth-first walk (`Walk`) used three ways. SUBGRAPH is
// the walk itself under the node limit; ENDPOINTS filters each hop's new
// nodes as they are reached; PATHS walks forward from the start set and
// backward from the target and keeps what lies on a short enough path.

#include "lineage/lineage_query.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "lineage/internal/event_types.h"
#include "lineage/internal/walk_step.h"
#include "util/status_macros.h"

namespace mlmdx::lineage {
namespace {

constexpr int64_t kMaxHops = 100;
constexpr size_t kMaxStartingNodes = 101;

using internal::Endpoint;
using internal::Index;
using internal::Other;

Direction Reverse(Direction d) {
  switch (d) {
    case Direction::kUpstream:
      return Direction::kDownstream;
    case Direction::kDownstream:
      return Direction::kUpstream;
    default:
      return Direction::kBidirectional;
  }
}

// Keeps the ids of `matches` that are among `candidates` (both ascending
// after sorting `matches`): a callback cannot add nodes.
std::vector<int64_t> Intersect(std::vector<int64_t> matches,
                               const std::vector<int64_t>& candidates) {
  std::sort(matches.begin(), matches.end());
  std::vector<int64_t> out;
  std::set_intersection(matches.begin(), matches.end(), candidates.begin(),
                        candidates.end(), std::back_inserter(out));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

struct WalkSpec {
  NodeKind start_kind = NodeKind::kArtifact;
  std::vector<int64_t> start_ids;  // ascending, unique
  Direction direction = Direction::kBidirectional;
  int64_t max_hops = 0;
  const bool* predicate_set = nullptr;  // [2]
  const EndingFilter* predicate = nullptr;
  // Most nodes to keep (start nodes included); -1 for no limit.
  int64_t node_limit = -1;
  // Called with each hop's newly kept nodes (ascending, non-empty); returns
  // false to stop the walk.
  std::function<absl::StatusOr<bool>(NodeKind, const std::vector<int64_t>&)>
      on_reached;
};

struct WalkResult {
  // Hop distance of every kept node, by kind.
  absl::flat_hash_map<int64_t, int> distance[2];
  // Followed events whose both ends are kept, each once, in walk order.
  std::vector<EventRef> events;
  bool truncated = false;
  int hops_walked = 0;
};

absl::StatusOr<WalkResult> Walk(const GraphIndex& index,
                                const GraphIndex::Snapshot& snapshot,
                                const WalkSpec& spec) {
  WalkResult result;
  std::vector<int64_t> frontier = spec.start_ids;
  if (spec.node_limit >= 0 &&
      static_cast<int64_t>(frontier.size()) > spec.node_limit) {
    frontier.resize(spec.node_limit);
    result.truncated = true;
  }
  for (int64_t id : frontier) result.distance[Index(spec.start_kind)][id] = 0;
  int64_t kept = static_cast<int64_t>(frontier.size());
  absl::flat_hash_set<int64_t> pruned[2];
  absl::flat_hash_set<int64_t> event_ids;
  NodeKind k = spec.start_kind;
  for (int hop = 1;
       hop <= spec.max_hops && !frontier.empty() && !result.truncated;
       ++hop, k = Other(k)) {
    const NodeKind t = Other(k);
    MLMDX_ASSIGN_OR_RETURN(
        std::vector<EventRef> events,
        internal::DirectedEvents(index, snapshot, k, frontier, spec.direction));
    auto& distance_t = result.distance[Index(t)];
    auto& pruned_t = pruned[Index(t)];
    std::vector<int64_t> candidates =
        internal::NewEndpoints(events, t, [&](int64_t id) {
          return distance_t.contains(id) || pruned_t.contains(id);
        });
    if (spec.predicate_set[Index(t)] && !candidates.empty()) {
      MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> matches,
                             (*spec.predicate)(t, candidates));
      std::vector<int64_t> passed = Intersect(std::move(matches), candidates);
      for (int64_t id : candidates) {
        if (!std::binary_search(passed.begin(), passed.end(), id)) {
          pruned_t.insert(id);
        }
      }
      candidates = std::move(passed);
    }
    if (spec.node_limit >= 0 &&
        kept + static_cast<int64_t>(candidates.size()) > spec.node_limit) {
      candidates.resize(spec.node_limit - kept);
      result.truncated = true;
    }
    kept += static_cast<int64_t>(candidates.size());
    for (int64_t id : candidates) distance_t[id] = hop;
    for (const EventRef& e : events) {
      if (distance_t.contains(Endpoint(e, t)) &&
          event_ids.insert(e.event_id).second) {
        result.events.push_back(e);
      }
    }
    if (candidates.empty()) break;
    result.hops_walked = hop;
    if (spec.on_reached) {
      MLMDX_ASSIGN_OR_RETURN(bool go_on, spec.on_reached(t, candidates));
      if (!go_on) break;
    }
    frontier = std::move(candidates);
  }
  return result;
}

std::vector<int64_t> SortedKeys(const absl::flat_hash_map<int64_t, int>& m) {
  std::vector<int64_t> ids;
  ids.reserve(m.size());
  for (const auto& [id, unused] : m) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The two smallest `cost`s offered with distinct neighbours: enough to pair an
// incoming with an outgoing step without stepping straight back.
struct BestTwo {
  static constexpr int kInf = 1 << 20;
  int cost[2] = {kInf, kInf};
  int64_t via[2] = {-1, -1};

  void Offer(int c, int64_t neighbour) {
    if (neighbour == via[0]) {
      cost[0] = std::min(cost[0], c);
    } else if (c < cost[0]) {
      cost[1] = cost[0];
      via[1] = via[0];
      cost[0] = c;
      via[0] = neighbour;
    } else if (c < cost[1]) {
      cost[1] = c;
      via[1] = neighbour;
    }
  }
  // Cheapest in + out with different neighbours.
  static int Pair(const BestTwo& in, const BestTwo& out) {
    if (in.via[0] != out.via[0]) return in.cost[0] + out.cost[0];
    return std::min(in.cost[0] + out.cost[1], in.cost[1] + out.cost[0]);
  }
};

// PATHS. A walk forward from the start set gives each node its distance
// f(n), a walk backward from the target its distance b(n). A node is on a
// path when it is a start node with b(n) <= max_hops, the target with
// f(n) <= max_hops, or has an incoming step u -> n and an outgoing step
// n -> w with u != w and f(u) + 2 + b(w) <= max_hops (so a dead end next to
// a path, reached and left through the same node, is not on it). An event is
// kept when both its nodes are, and f(tail) + 1 + b(head) <= max_hops.
absl::StatusOr<LineageQueryResult> Paths(const GraphIndex& index,
                                         const GraphIndex::Snapshot& snapshot,
                                         const LineageQuery& query,
                                         WalkSpec spec) {
  LineageQueryResult result;
  MLMDX_ASSIGN_OR_RETURN(WalkResult forward, Walk(index, snapshot, spec));
  result.hops_walked = forward.hops_walked;
  if (!forward.distance[Index(query.target_kind)].contains(query.target_id)) {
    return result;  // out of reach
  }
  spec.start_kind = query.target_kind;
  spec.start_ids = {query.target_id};
  spec.direction = Reverse(query.direction);
  MLMDX_ASSIGN_OR_RETURN(WalkResult backward, Walk(index, snapshot, spec));
  const int max_hops = static_cast<int>(spec.max_hops);

  const auto distance = [](const WalkResult& walk, NodeKind kind, int64_t id) {
    const auto it = walk.distance[Index(kind)].find(id);
    return it == walk.distance[Index(kind)].end() ? BestTwo::kInf : it->second;
  };
  // Whether `e` can be stepped tail -> head in the walk's direction, and
  // the cost of the shortest start ... tail -> head ... target through it.
  const auto step = [&](const EventRef& e, NodeKind tail) {
    if (!internal::KeptByDirection(e.type, tail, query.direction)) {
      return BestTwo::kInf;
    }
    return distance(forward, tail, Endpoint(e, tail)) + 1 +
           distance(backward, Other(tail), Endpoint(e, Other(tail)));
  };

  absl::flat_hash_map<int64_t, BestTwo> in[2], out[2];
  for (const EventRef& e : forward.events) {
    for (NodeKind tail : {NodeKind::kArtifact, NodeKind::kExecution}) {
      if (step(e, tail) > max_hops) continue;
      const NodeKind head = Other(tail);
      const int64_t t = Endpoint(e, tail), h = Endpoint(e, head);
      in[Index(head)][h].Offer(distance(forward, tail, t) + 1, t);
      out[Index(tail)][t].Offer(1 + distance(backward, head, h), h);
    }
  }
  // (forward distance, kind, id) of every node on a path.
  std::vector<std::tuple<int, int, int64_t>> nodes;
  for (NodeKind kind : {NodeKind::kArtifact, NodeKind::kExecution}) {
    const int k = Index(kind);
    for (const auto& [id, f] : forward.distance[k]) {
      const int b = distance(backward, kind, id);
      bool on_path = false;
      if ((f == 0 || b == 0) && f + b <= max_hops) {
        on_path = true;
      } else {
        const auto i = in[k].find(id);
        const auto o = out[k].find(id);
        on_path = i != in[k].end() && o != out[k].end() &&
                  BestTwo::Pair(i->second, o->second) <= max_hops;
      }
      if (on_path) nodes.emplace_back(f, k, id);
    }
  }
  std::sort(nodes.begin(), nodes.end());
  if (static_cast<int64_t>(nodes.size()) > query.max_nodes) {
    nodes.resize(query.max_nodes);
    result.truncated = true;
  }
  absl::flat_hash_set<int64_t> kept[2];
  for (const auto& [f, kind, id] : nodes) {
    kept[kind].insert(id);
    (kind == 0 ? result.artifact_ids : result.execution_ids).push_back(id);
  }
  std::sort(result.artifact_ids.begin(), result.artifact_ids.end());
  std::sort(result.execution_ids.begin(), result.execution_ids.end());
  for (const EventRef& e : forward.events) {
    if (kept[0].contains(e.artifact_id) && kept[1].contains(e.execution_id) &&
        (step(e, NodeKind::kArtifact) <= max_hops ||
         step(e, NodeKind::kExecution) <= max_hops)) {
      result.events.push_back(e);
    }
  }
  return result;
}

}  // namespace

absl::StatusOr<LineageQueryResult> QueryLineage(const GraphIndex& index,
                                                const LineageQuery& query) {
  if (query.max_hops < 0) {
    return absl::InvalidArgumentError("max_hops cannot be negative: got " +
                                      std::to_string(query.max_hops));
  }
  if (query.max_nodes <= 0) {
    return absl::InvalidArgumentError("max_nodes must be positive: got " +
                                      std::to_string(query.max_nodes));
  }
  if ((query.predicate_set[0] || query.predicate_set[1]) && !query.predicate) {
    return absl::InvalidArgumentError(
        "A predicate is set but no predicate callback was given.");
  }
  const bool endpoints = query.output == LineageQuery::Output::kEndpoints;
  if (endpoints && !query.endpoint_set[0] && !query.endpoint_set[1]) {
    return absl::InvalidArgumentError(
        "output ENDPOINTS needs an endpoint filter for artifacts or "
        "executions");
  }
  if (endpoints && !query.endpoint_filter) {
    return absl::InvalidArgumentError(
        "An endpoint filter is set but no endpoint callback was given.");
  }
  WalkSpec spec;
  spec.start_kind = query.start_kind;
  spec.start_ids = query.start_ids;
  std::sort(spec.start_ids.begin(), spec.start_ids.end());
  spec.start_ids.erase(
      std::unique(spec.start_ids.begin(), spec.start_ids.end()),
      spec.start_ids.end());
  const GraphIndex::Snapshot snapshot = index.TakeSnapshot(query.visibility);
  if (snapshot.restricted) {
    MLMDX_ASSIGN_OR_RETURN(
        spec.start_ids,
        index.VisibleNodes(snapshot, spec.start_kind, spec.start_ids));
  }
  if (spec.start_ids.size() > kMaxStartingNodes) {
    spec.start_ids.resize(kMaxStartingNodes);
  }
  if (spec.start_ids.empty()) {
    return absl::NotFoundError(
        "Cannot find qualified nodes to start the traversal.");
  }
  spec.direction = query.direction;
  spec.max_hops = std::min(query.max_hops, kMaxHops);
  spec.predicate_set = query.predicate_set;
  spec.predicate = &query.predicate;

  switch (query.output) {
    case LineageQuery::Output::kPaths:
      return Paths(index, snapshot, query, std::move(spec));
    case LineageQuery::Output::kEndpoints: {
      LineageQueryResult result;
      std::vector<int64_t>* found[2] = {&result.endpoint_artifact_ids,
                                        &result.endpoint_execution_ids};
      int64_t total = 0;
      spec.on_reached =
          [&](NodeKind kind,
              const std::vector<int64_t>& ids) -> absl::StatusOr<bool> {
        if (!query.endpoint_set[Index(kind)]) return true;
        MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> matches,
                               query.endpoint_filter(kind, ids));
        matches = Intersect(std::move(matches), ids);
        const int64_t room = query.max_nodes - total;
        if (static_cast<int64_t>(matches.size()) > room) {
          matches.resize(room);
          result.truncated = true;
        }
        total += static_cast<int64_t>(matches.size());
        found[Index(kind)]->insert(found[Index(kind)]->end(), matches.begin(),
                                   matches.end());
        return !result.truncated;
      };
      MLMDX_ASSIGN_OR_RETURN(WalkResult walk, Walk(index, snapshot, spec));
      result.hops_walked = walk.hops_walked;
      for (std::vector<int64_t>* ids : found) {
        std::sort(ids->begin(), ids->end());
      }
      return result;
    }
    case LineageQuery::Output::kSubgraph:
    default: {
      spec.node_limit = query.max_nodes;
      MLMDX_ASSIGN_OR_RETURN(WalkResult walk, Walk(index, snapshot, spec));
      LineageQueryResult result;
      result.artifact_ids = SortedKeys(walk.distance[0]);
      result.execution_ids = SortedKeys(walk.distance[1]);
      result.events = std::move(walk.events);
      result.truncated = walk.truncated;
      result.hops_walked = walk.hops_walked;
      return result;
    }
  }
}

}  // namespace mlmdx::lineage
