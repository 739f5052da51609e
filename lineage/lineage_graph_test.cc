// File: lineage/lineage_graph_test.cc
// -----------------------------------------------------------------------------
//
// GetLineageGraph with MLMD 1.14 semantics: the examples of
// spec/lineage.md §3.4 (MLMD's QueryLineageGraph* tests).

#include "lineage/lineage_graph.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lineage/internal/test_graph.h"

namespace mlmdx::lineage {
namespace {

using internal::Edges;
using internal::IdSetFilter;
using internal::TestGraph;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

LineageGraphQuery Query(std::vector<int64_t> ids, int64_t hops,
                        int64_t max_nodes = 0) {
  LineageGraphQuery q;
  q.query_artifact_ids = std::move(ids);
  q.max_num_hops = hops;
  q.max_node_size = max_nodes;
  return q;
}

LineageGraphResult Walk(const GraphIndex& index, const LineageGraphQuery& q) {
  absl::StatusOr<LineageGraphResult> g = GetLineageGraph(index, q);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *g : LineageGraphResult{};
}

// a1 -INPUT-> e1, a1 -INPUT-> e2, e1 -OUTPUT-> a2, a2 -INPUT-> e2.
class SmallGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestGraph g;
    g.Input(1, 1).Input(1, 2).Output(2, 1).Input(2, 2);
    index_.Apply(g.changes);
  }
  GraphIndex index_;
};

TEST_F(SmallGraphTest, HopsAndNodeCap) {
  LineageGraphResult g = Walk(index_, Query({1}, 1));
  EXPECT_THAT(g.artifact_ids, ElementsAre(1));
  EXPECT_THAT(g.execution_ids, ElementsAre(1, 2));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(1, 1), Pair(1, 2)));

  g = Walk(index_, Query({1}, 2));
  EXPECT_THAT(g.artifact_ids, ElementsAre(1, 2));
  EXPECT_THAT(g.execution_ids, ElementsAre(1, 2));
  EXPECT_EQ(g.events.size(), 4u);

  g = Walk(index_, Query({1}, 2, /*max_nodes=*/2));
  EXPECT_THAT(g.artifact_ids, ElementsAre(1));
  EXPECT_EQ(g.execution_ids.size(), 1u);
  EXPECT_EQ(g.events.size(), 1u);

  g = Walk(index_, Query({1}, 2, /*max_nodes=*/3));
  EXPECT_THAT(g.artifact_ids, ElementsAre(1));
  EXPECT_THAT(g.execution_ids, ElementsAre(1, 2));
  EXPECT_EQ(g.events.size(), 2u);

  g = Walk(index_, Query({1}, 2, /*max_nodes=*/4));
  EXPECT_THAT(g.artifact_ids, ElementsAre(1, 2));
  EXPECT_THAT(g.execution_ids, ElementsAre(1, 2));
  EXPECT_EQ(g.events.size(), 4u);

  g = Walk(index_, Query({1, 2}, 0));
  EXPECT_THAT(g.artifact_ids, ElementsAre(1, 2));
  EXPECT_THAT(g.execution_ids, IsEmpty());
  EXPECT_THAT(g.events, IsEmpty());

  // More query nodes than the cap: the first ones are kept.
  g = Walk(index_, Query({2, 1}, 5, /*max_nodes=*/1));
  EXPECT_THAT(g.artifact_ids, ElementsAre(2));
  EXPECT_THAT(g.execution_ids, IsEmpty());
}

TEST_F(SmallGraphTest, Validation) {
  EXPECT_EQ(GetLineageGraph(index_, Query({1}, -1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetLineageGraph(index_, Query({}, 1)).status().code(),
            absl::StatusCode::kNotFound);
  LineageGraphQuery q = Query({1}, 1);
  q.boundary_set[1] = true;
  EXPECT_EQ(GetLineageGraph(index_, q).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LineageGraphClampTest, HopsAboveTwentyAreClamped) {
  TestGraph t;
  for (int i = 1; i <= 30; ++i) t.Output(i + 1, i).Input(i, i);  // a chain
  GraphIndex index;
  index.Apply(t.changes);
  LineageGraphResult g = Walk(index, Query({1}, 100));
  // 20 hops from a1: executions e1..e10 and artifacts a1..a11.
  EXPECT_EQ(g.execution_ids.size(), 10u);
  EXPECT_EQ(g.artifact_ids.size(), 11u);
}

// a0 -INPUT-> e1..e250, a1 -INPUT-> e0, e1 -OUTPUT-> a1.
class FanOutGraphTest : public ::testing::Test {
 protected:
  static constexpr int64_t kA0 = 100, kA1 = 101;
  void SetUp() override {
    TestGraph g;
    for (int64_t e = 1; e <= 250; ++e) g.Input(kA0, e);
    g.Input(kA1, 0).Output(kA1, 1);
    index_.Apply(g.changes);
  }
  GraphIndex index_;
};

TEST_F(FanOutGraphTest, BoundaryFilters) {
  // boundary executions `name != 'e0'`
  IdSetFilter not_e0;
  not_e0.all_artifacts = true;
  for (int64_t e = 1; e <= 250; ++e) not_e0.executions.insert(e);
  LineageGraphQuery q = Query({kA1}, 2);
  q.boundary_set[1] = true;
  q.boundary_filter = not_e0.AsFilter();
  LineageGraphResult g = Walk(index_, q);
  EXPECT_THAT(g.artifact_ids, ElementsAre(kA0, kA1));
  EXPECT_THAT(g.execution_ids, ElementsAre(1));
  EXPECT_THAT(Edges(g.events),
              UnorderedElementsAre(Pair(kA1, 1), Pair(kA0, 1)));

  // boundary artifacts `uri != 'unknown_uri'` (all pass), max 10 nodes.
  IdSetFilter all;
  all.all_artifacts = all.all_executions = true;
  q = Query({kA1}, 3, /*max_nodes=*/10);
  q.boundary_set[0] = true;
  q.boundary_filter = all.AsFilter();
  g = Walk(index_, q);
  EXPECT_THAT(g.artifact_ids, ElementsAre(kA0, kA1));
  EXPECT_EQ(g.execution_ids.size(), 8u);
  EXPECT_EQ(g.events.size(), 9u);

  // boundary artifacts `uri != 'uri_0'` (rejects a0), executions != e0.
  IdSetFilter not_a0 = not_e0;
  not_a0.all_artifacts = false;
  not_a0.artifacts = {kA1};
  q = Query({kA1}, 2);
  q.boundary_set[0] = q.boundary_set[1] = true;
  q.boundary_filter = not_a0.AsFilter();
  g = Walk(index_, q);
  EXPECT_THAT(g.artifact_ids, ElementsAre(kA1));
  EXPECT_THAT(g.execution_ids, ElementsAre(1));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(kA1, 1)));

  // boundary executions `name = 'e1'`, 3 hops.
  IdSetFilter only_e1;
  only_e1.executions = {1};
  q = Query({kA1}, 3);
  q.boundary_set[1] = true;
  q.boundary_filter = only_e1.AsFilter();
  g = Walk(index_, q);
  EXPECT_THAT(g.artifact_ids, ElementsAre(kA0, kA1));
  EXPECT_THAT(g.execution_ids, ElementsAre(1));
  EXPECT_THAT(Edges(g.events),
              UnorderedElementsAre(Pair(kA1, 1), Pair(kA0, 1)));
}

}  // namespace
}  // namespace mlmdx::lineage
