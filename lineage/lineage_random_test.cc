// File: lineage/lineage_random_test.cc
// -----------------------------------------------------------------------------
//
// GraphIndex::GetLineageSubgraph against the plain reference walk of
// internal/reference_walk.h: thousands of random queries over random
// pipeline-shaped graphs, and readers racing a writer (each answer must be
// the reference answer for some prefix of the applied change sets).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lineage/graph_index.h"
#include "lineage/internal/reference_walk.h"
#include "lineage/internal/test_graph.h"

namespace mlmdx::lineage {
namespace {

using internal::GeneratePipeline;
using internal::NodePredicate;
using internal::PlainGraph;
using internal::RandomPipeline;
using internal::ReferenceWalk;

// A random ending filter: per kind, every node or `id % mod == rem`.
struct RandomEnding {
  int64_t mod[2] = {1, 1};
  int64_t rem[2] = {0, 0};

  bool Matches(NodeKind kind, int64_t id) const {
    const int k = static_cast<int>(kind);
    return ((id % mod[k]) + mod[k]) % mod[k] == rem[k];
  }
};

struct RandomQuery {
  SubgraphQuery query;
  RandomEnding ending;
};

RandomQuery MakeQuery(std::mt19937_64& rng, const RandomPipeline& p) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  RandomQuery r;
  SubgraphQuery& q = r.query;
  q.start_kind =
      uniform(0, 1) == 0 ? NodeKind::kArtifact : NodeKind::kExecution;
  const std::vector<int64_t>& ids =
      q.start_kind == NodeKind::kArtifact ? p.artifact_ids : p.execution_ids;
  const int64_t n = uniform(0, 1) == 0 ? 1 : uniform(1, 101);
  for (int64_t i = 0; i < n; ++i) {
    q.start_ids.push_back(uniform(0, 20) == 0
                              ? -uniform(1, 5)  // unknown id
                              : ids[uniform(0, ids.size() - 1)]);
  }
  std::sort(q.start_ids.begin(), q.start_ids.end());
  q.start_ids.erase(std::unique(q.start_ids.begin(), q.start_ids.end()),
                    q.start_ids.end());
  q.max_num_hops = uniform(0, 11);
  if (q.max_num_hops == 11) q.max_num_hops = 100;
  q.direction = static_cast<Direction>(uniform(0, 2));
  for (int k = 0; k < 2; ++k) {
    q.ending_set[k] = uniform(0, 2) == 0;
    q.include_ending[k] = uniform(0, 1) == 0;
    if (uniform(0, 4) != 0) {
      r.ending.mod[k] = uniform(2, 9);
      r.ending.rem[k] = uniform(0, r.ending.mod[k] - 1);
    }
  }
  const RandomEnding ending = r.ending;
  q.ending_filter = [ending](NodeKind kind,
                             absl::Span<const int64_t> candidates)
      -> absl::StatusOr<std::vector<int64_t>> {
    EXPECT_FALSE(candidates.empty());
    EXPECT_TRUE(std::is_sorted(candidates.begin(), candidates.end()));
    std::vector<int64_t> out;
    for (int64_t id : candidates) {
      if (ending.Matches(kind, id)) out.push_back(id);
    }
    return out;
  };
  return r;
}

Subgraph Reference(const PlainGraph& g, const RandomQuery& r) {
  const RandomEnding ending = r.ending;
  return ReferenceWalk(g, r.query, [ending](NodeKind kind, int64_t id) {
    return ending.Matches(kind, id);
  });
}

bool SameSubgraph(const Subgraph& a, const Subgraph& b) {
  return a.artifact_ids == b.artifact_ids &&
         a.execution_ids == b.execution_ids && a.events == b.events &&
         a.context_ids == b.context_ids && a.attributions == b.attributions &&
         a.associations == b.associations;
}

TEST(LineageRandomTest, MatchesReferenceWalk) {
  int queries = 0;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const RandomPipeline p = GeneratePipeline(seed, 2500);
    const PlainGraph plain = p.Prefix(p.changes.size());
    // Apply out of commit order, and some change sets twice: neither may
    // change any answer.
    std::mt19937_64 rng(seed * 7919);
    std::vector<ChangeSet> shuffled = p.changes;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    GraphIndex index;
    for (size_t i = 0; i < shuffled.size(); ++i) {
      index.Apply(shuffled[i]);
      if (i % 10 == 0) index.Apply(shuffled[i / 2]);
    }
    ASSERT_EQ(index.event_count(), plain.events.size());
    for (int i = 0; i < 600; ++i, ++queries) {
      const RandomQuery r = MakeQuery(rng, p);
      const Subgraph want = Reference(plain, r);
      absl::StatusOr<Subgraph> got = index.GetLineageSubgraph(r.query);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(got->artifact_ids, want.artifact_ids)
          << "seed " << seed << " query " << i;
      ASSERT_EQ(got->execution_ids, want.execution_ids)
          << "seed " << seed << " query " << i;
      ASSERT_EQ(got->events, want.events) << "seed " << seed << " query " << i;
      ASSERT_TRUE(SameSubgraph(*got, want))
          << "seed " << seed << " query " << i;
    }
  }
  RecordProperty("queries", queries);
  EXPECT_GE(queries, 2000);
}

// Readers query while a writer applies change sets one by one. Each change
// set adds at least one event, so the event count before and after a query
// brackets the prefixes the answer may reflect.
TEST(LineageRandomTest, ReadersSeeAPrefixWhileAWriterApplies) {
  const RandomPipeline p = GeneratePipeline(99, 1200);
  std::vector<size_t> events_after;  // events after applying i change sets
  size_t total = 0;
  events_after.push_back(0);
  for (const ChangeSet& c : p.changes) {
    total += c.events.size();
    events_after.push_back(total);
  }
  struct Observation {
    RandomQuery query;
    size_t events_before, events_after;
    Subgraph result;
  };
  GraphIndex index;
  std::atomic<bool> done{false};
  std::mutex mu;  // std:: so that TSan sees it (Debian absl is uninstrumented)
  std::vector<Observation> observations;
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(1000 + t);
      while (!done.load()) {
        Observation o;
        o.query = MakeQuery(rng, p);
        o.events_before = index.event_count();
        absl::StatusOr<Subgraph> got = index.GetLineageSubgraph(o.query.query);
        o.events_after = index.event_count();
        ASSERT_TRUE(got.ok()) << got.status();
        o.result = *std::move(got);
        std::lock_guard<std::mutex> lock(mu);
        if (observations.size() < 400) observations.push_back(std::move(o));
      }
    });
  }
  for (const ChangeSet& c : p.changes) {
    index.Apply(c);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  done = true;
  for (std::thread& r : readers) r.join();

  const size_t during_writes = std::count_if(
      observations.begin(), observations.end(),
      [&](const Observation& o) { return o.events_before < total; });
  EXPECT_GE(during_writes, 20u);
  for (const Observation& o : observations) {
    const size_t lo = std::lower_bound(events_after.begin(), events_after.end(),
                                       o.events_before) -
                      events_after.begin();
    const size_t hi = std::lower_bound(events_after.begin(), events_after.end(),
                                       o.events_after) -
                      events_after.begin();
    bool matched = false;
    for (size_t n = lo; n <= hi && !matched; ++n) {
      matched = SameSubgraph(o.result, Reference(p.Prefix(n), o.query));
    }
    EXPECT_TRUE(matched) << "no prefix in [" << lo << ", " << hi << "]";
  }
}

}  // namespace
}  // namespace mlmdx::lineage
