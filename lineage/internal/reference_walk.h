// File: lineage/internal/reference_walk.h
// -----------------------------------------------------------------------------
//
// Test-only: a deliberately plain implementation of spec/lineage.md §2.4
// over vectors of events (a linear scan of every event per hop, std::set
// everywhere, the direction table spelled out again), and a generator of
// pipeline-shaped random graphs. GraphIndex must agree with it exactly.
//
// Example:
//
//   RandomPipeline p = GeneratePipeline(/*seed=*/1, /*target_nodes=*/3000);
//   Subgraph want = ReferenceWalk(p.Prefix(p.changes.size()), query, pred);
//
// Thread-safety: none (pure functions over their arguments).

#ifndef MLMDX_LINEAGE_INTERNAL_REFERENCE_WALK_H_
#define MLMDX_LINEAGE_INTERNAL_REFERENCE_WALK_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "lineage/graph_index.h"

namespace mlmdx::lineage::internal {

struct PlainGraph {
  std::vector<EventRef> events;
  std::vector<std::pair<int64_t, int64_t>> attributions, associations;
};

// Whether node `id` of `kind` matches the ending filter of that kind.
using NodePredicate = std::function<bool(NodeKind kind, int64_t id)>;

inline Subgraph ReferenceWalk(const PlainGraph& g, const SubgraphQuery& q,
                              const NodePredicate& matches) {
  const int s = q.start_kind == NodeKind::kArtifact ? 0 : 1;
  auto end_of = [](const EventRef& e, int kind) {
    return kind == 0 ? e.artifact_id : e.execution_id;
  };
  std::set<int64_t> start(q.start_ids.begin(), q.start_ids.end());
  while (start.size() > 101) start.erase(std::prev(start.end()));
  std::set<int64_t> visited[2], ending[2];
  for (int64_t id : start) {
    if (q.ending_set[s] && matches(q.start_kind, id)) ending[s].insert(id);
  }
  std::set<int64_t> frontier;
  for (int64_t id : start) {
    if (ending[s].count(id) == 0) frontier.insert(id);
  }
  visited[s] = frontier;
  Subgraph out;
  const int64_t hops = std::min<int64_t>(q.max_num_hops, 100);
  for (int64_t hop = 0; hop < hops; ++hop) {
    const int k = hop % 2 == 0 ? s : 1 - s;
    const int t = 1 - k;
    std::vector<EventRef> batch;
    for (const EventRef& e : g.events) {
      if (frontier.count(end_of(e, k)) > 0) batch.push_back(e);
    }
    if (batch.empty()) break;
    std::sort(batch.begin(), batch.end(),
              [k](const EventRef& a, const EventRef& b) {
                if (k == 0) {
                  return std::tie(a.artifact_id, a.execution_id, a.type) <
                         std::tie(b.artifact_id, b.execution_id, b.type);
                }
                return std::tie(a.execution_id, a.event_id) <
                       std::tie(b.execution_id, b.event_id);
              });
    std::vector<EventRef> kept;
    for (const EventRef& e : batch) {
      const bool input = e.type == 2 || e.type == 3 || e.type == 5;
      const bool output =
          e.type == 1 || e.type == 4 || e.type == 6 || e.type == 7;
      bool keep = true;
      if (q.direction == Direction::kUpstream) keep = k == 0 ? output : input;
      if (q.direction == Direction::kDownstream) keep = k == 0 ? input : output;
      if (keep) kept.push_back(e);
    }
    std::set<int64_t> cand;
    for (const EventRef& e : kept) {
      const int64_t o = end_of(e, t);
      if (visited[t].count(o) == 0 && ending[t].count(o) == 0) cand.insert(o);
    }
    const NodeKind t_kind = t == 0 ? NodeKind::kArtifact : NodeKind::kExecution;
    for (int64_t c : cand) {
      if (q.ending_set[t] && matches(t_kind, c)) ending[t].insert(c);
    }
    for (int64_t c : ending[t]) cand.erase(c);
    for (const EventRef& e : kept) {
      const int64_t o = end_of(e, t);
      if (visited[t].count(o) == 0 && ending[t].count(o) == 0) {
        out.events.push_back(e);
      } else if (ending[t].count(o) > 0) {
        if (q.include_ending[t]) out.events.push_back(e);
      } else if (q.direction != Direction::kBidirectional) {
        out.events.push_back(e);
      }
    }
    visited[t].insert(cand.begin(), cand.end());
    frontier = cand;
    if (frontier.empty()) break;
  }
  std::set<int64_t> nodes[2];
  for (int k = 0; k < 2; ++k) {
    nodes[k] = visited[k];
    if (q.include_ending[k])
      nodes[k].insert(ending[k].begin(), ending[k].end());
  }
  out.artifact_ids.assign(nodes[0].begin(), nodes[0].end());
  out.execution_ids.assign(nodes[1].begin(), nodes[1].end());
  std::set<std::pair<int64_t, int64_t>> attributions, associations;
  std::set<int64_t> contexts;
  for (const auto& link : g.attributions) {
    if (nodes[0].count(link.second) > 0) attributions.insert(link);
  }
  for (const auto& link : g.associations) {
    if (nodes[1].count(link.second) > 0) associations.insert(link);
  }
  for (const auto& link : attributions) contexts.insert(link.first);
  for (const auto& link : associations) contexts.insert(link.first);
  out.attributions.assign(attributions.begin(), attributions.end());
  out.associations.assign(associations.begin(), associations.end());
  out.context_ids.assign(contexts.begin(), contexts.end());
  return out;
}

// A random pipeline history: one change set per execution, in commit order.
struct RandomPipeline {
  std::vector<ChangeSet> changes;
  std::vector<int64_t> artifact_ids, execution_ids;

  // The plain graph of the first `n` change sets.
  PlainGraph Prefix(size_t n) const {
    PlainGraph g;
    for (size_t i = 0; i < n; ++i) {
      const ChangeSet& c = changes[i];
      g.events.insert(g.events.end(), c.events.begin(), c.events.end());
      g.attributions.insert(g.attributions.end(), c.attributions.begin(),
                            c.attributions.end());
      g.associations.insert(g.associations.end(), c.associations.begin(),
                            c.associations.end());
    }
    return g;
  }
};

// Runs of chained steps over shared datasets: chains, fan-in (several
// inputs), fan-out (datasets and outputs consumed many times), diamonds
// (a step consuming outputs of the two steps before it) and cross-run
// edges. Ids are mostly dense with occasional large jumps.
inline RandomPipeline GeneratePipeline(uint32_t seed, int target_nodes) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto next_id = [&](int64_t& id) {
    id += uniform(0, 50) == 0 ? (int64_t{1} << 33) + uniform(0, 1000)
                              : uniform(1, 2);
    return id;
  };
  int64_t artifact_id = 0, execution_id = 0, event_id = 0, context_id = 0;
  RandomPipeline p;
  const int kInputTypes[] = {2, 3, 3, 3, 5};
  const int kOutputTypes[] = {1, 4, 4, 4, 6, 7};
  std::vector<int64_t> datasets;
  for (int i = 0; i < 20; ++i) {
    datasets.push_back(next_id(artifact_id));
    p.artifact_ids.push_back(datasets.back());
  }
  while (static_cast<int>(p.artifact_ids.size() + p.execution_ids.size()) <
         target_nodes) {
    const int64_t context = next_id(context_id);
    std::vector<int64_t> prev, prev2;
    const int64_t steps = uniform(1, 8);
    for (int64_t step = 0; step < steps; ++step) {
      ChangeSet c;
      const int64_t exec = next_id(execution_id);
      p.execution_ids.push_back(exec);
      std::set<int64_t> inputs;
      if (!prev.empty()) inputs.insert(prev[uniform(0, prev.size() - 1)]);
      if (!prev2.empty() && uniform(0, 3) == 0) {
        inputs.insert(prev2[uniform(0, prev2.size() - 1)]);  // diamond
      }
      if (prev.empty() || uniform(0, 4) == 0) {
        inputs.insert(datasets[uniform(0, datasets.size() - 1)]);
      }
      if (uniform(0, 5) == 0) {  // cross-run edge
        inputs.insert(p.artifact_ids[uniform(0, p.artifact_ids.size() - 1)]);
      }
      for (int64_t a : inputs) {
        c.events.push_back(
            {next_id(event_id), a, exec, kInputTypes[uniform(0, 4)]});
        c.attributions.emplace_back(context, a);
      }
      std::vector<int64_t> outputs;
      const int64_t n_out = uniform(0, 9) == 0 ? 0 : uniform(1, 3);
      for (int64_t i = 0; i < n_out; ++i) {
        outputs.push_back(next_id(artifact_id));
        p.artifact_ids.push_back(outputs.back());
        c.events.push_back({next_id(event_id), outputs.back(), exec,
                            kOutputTypes[uniform(0, 5)]});
        c.attributions.emplace_back(context, outputs.back());
      }
      if (!inputs.empty() && uniform(0, 30) == 0) {
        // An input that the same execution also outputs (other type).
        c.events.push_back({next_id(event_id), *inputs.begin(), exec, 6});
      }
      c.associations.emplace_back(context, exec);
      if (c.events.empty()) {  // keep every change set non-empty in events
        c.events.push_back({next_id(event_id), datasets[0], exec, 3});
      }
      p.changes.push_back(std::move(c));
      prev2 = std::move(prev);
      prev = outputs.empty() ? prev2 : outputs;
    }
  }
  return p;
}

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_REFERENCE_WALK_H_
