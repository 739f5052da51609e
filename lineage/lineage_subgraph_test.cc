// File: lineage/lineage_subgraph_test.cc
// -----------------------------------------------------------------------------
//
// The worked examples of spec/lineage.md §2.7 on graph G1 (MLMD's own
// tests), with the filters of each example written out as id sets. Node
// sets and, where §2.4 defines it, the exact event emission order are
// checked. Validation and callback contract too.

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lineage/graph_index.h"
#include "lineage/internal/subgraph_examples.h"
#include "lineage/internal/test_graph.h"

namespace mlmdx::lineage {
namespace {

using internal::A;
using internal::As;
using internal::C;
using internal::E;
using internal::Edges;
using internal::Es;
using internal::G1Test;
using internal::IdSetFilter;
using internal::Query;
using internal::SetEnding;
using internal::TestGraph;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using Edge = std::pair<int64_t, int64_t>;

TEST_F(G1Test, StartArtifactBidirectionalByHops) {
  Subgraph g = Run(Query(NodeKind::kArtifact, {A(4)}, 0));
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(4)));
  EXPECT_THAT(g.execution_ids, IsEmpty());
  EXPECT_THAT(g.events, IsEmpty());

  g = Run(Query(NodeKind::kArtifact, {A(4)}, 1));
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(4)));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({2, 3})));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(4), E(2)), Pair(A(4), E(3))));

  g = Run(Query(NodeKind::kArtifact, {A(4)}, 2));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({2, 3, 4, 5})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({2, 3})));
  EXPECT_THAT(Edges(g.events),
              ElementsAre(Pair(A(4), E(2)), Pair(A(4), E(3)), Pair(A(2), E(2)),
                          Pair(A(3), E(3)), Pair(A(5), E(3))));

  g = Run(Query(NodeKind::kArtifact, {A(4)}, 3));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({2, 3, 4, 5})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({1, 2, 3})));
  EXPECT_EQ(g.events.size(), 6u);
  EXPECT_EQ(Edges(g.events).back(), Edge(A(3), E(1)));

  for (int64_t hops : {4, 100, 1000}) {
    g = Run(Query(NodeKind::kArtifact, {A(4)}, hops));
    EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({1, 2, 3, 4, 5})));
    EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({1, 2, 3})));
    std::vector<int64_t> event_ids;
    for (const EventRef& e : g.events) event_ids.push_back(e.event_id);
    EXPECT_THAT(event_ids, ElementsAre(5, 7, 4, 6, 8, 3, 2));
  }
}

TEST_F(G1Test, StartExecutionsBidirectionalByHops) {
  const std::vector<int64_t> start = Es({0, 1, 2});
  Subgraph g = Run(Query(NodeKind::kExecution, start, 0));
  EXPECT_THAT(g.artifact_ids, IsEmpty());
  EXPECT_THAT(g.execution_ids, ElementsAreArray(start));
  EXPECT_THAT(g.events, IsEmpty());

  g = Run(Query(NodeKind::kExecution, start, 1));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({0, 1, 2, 3, 4})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(start));
  EXPECT_THAT(Edges(g.events),
              ElementsAre(Pair(A(0), E(0)), Pair(A(1), E(1)), Pair(A(3), E(1)),
                          Pair(A(2), E(2)), Pair(A(4), E(2))));

  g = Run(Query(NodeKind::kExecution, start, 2));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({0, 1, 2, 3, 4})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({0, 1, 2, 3})));
  EXPECT_EQ(g.events.size(), 7u);
  const std::vector<Edge> edges = Edges(g.events);
  EXPECT_THAT(std::vector<Edge>(edges.begin() + 5, edges.end()),
              ElementsAre(Pair(A(3), E(3)), Pair(A(4), E(3))));

  for (int64_t hops : {3, 100}) {
    g = Run(Query(NodeKind::kExecution, start, hops));
    EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({0, 1, 2, 3, 4, 5})));
    EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({0, 1, 2, 3})));
    EXPECT_EQ(g.events.size(), 8u);
    EXPECT_EQ(Edges(g.events).back(), Edge(A(5), E(3)));
  }
}

TEST_F(G1Test, StartArtifactWithDirection) {
  Subgraph g =
      Run(Query(NodeKind::kArtifact, {A(4)}, 1, Direction::kDownstream));
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(4)));
  EXPECT_THAT(g.execution_ids, ElementsAre(E(3)));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(4), E(3))));

  g = Run(Query(NodeKind::kArtifact, {A(4)}, 1, Direction::kUpstream));
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(4)));
  EXPECT_THAT(g.execution_ids, ElementsAre(E(2)));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(4), E(2))));

  for (int64_t hops : {2, 100}) {
    g = Run(Query(NodeKind::kArtifact, {A(4)}, hops, Direction::kDownstream));
    EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({4, 5})));
    EXPECT_THAT(g.execution_ids, ElementsAre(E(3)));
    EXPECT_THAT(Edges(g.events),
                ElementsAre(Pair(A(4), E(3)), Pair(A(5), E(3))));

    g = Run(Query(NodeKind::kArtifact, {A(4)}, hops, Direction::kUpstream));
    EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({2, 4})));
    EXPECT_THAT(g.execution_ids, ElementsAre(E(2)));
    EXPECT_THAT(Edges(g.events),
                ElementsAre(Pair(A(4), E(2)), Pair(A(2), E(2))));
  }
}

TEST_F(G1Test, StartExecutionsWithDirection) {
  const std::vector<int64_t> start = Es({0, 3});
  for (int64_t hops : {1, 2, 100}) {
    Subgraph g =
        Run(Query(NodeKind::kExecution, start, hops, Direction::kDownstream));
    EXPECT_THAT(g.artifact_ids, ElementsAre(A(5)));
    EXPECT_THAT(g.execution_ids, ElementsAreArray(start));
    EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(5), E(3))));
  }
  Subgraph g = Run(Query(NodeKind::kExecution, start, 1, Direction::kUpstream));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({0, 3, 4})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(start));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(0), E(0)), Pair(A(3), E(3)),
                                           Pair(A(4), E(3))));

  g = Run(Query(NodeKind::kExecution, start, 2, Direction::kUpstream));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({0, 3, 4})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({0, 1, 2, 3})));
  EXPECT_THAT(Edges(g.events),
              ElementsAre(Pair(A(0), E(0)), Pair(A(3), E(3)), Pair(A(4), E(3)),
                          Pair(A(3), E(1)), Pair(A(4), E(2))));

  g = Run(Query(NodeKind::kExecution, start, 100, Direction::kUpstream));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({0, 1, 2, 3, 4})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({0, 1, 2, 3})));
  EXPECT_THAT(Edges(g.events),
              ElementsAre(Pair(A(0), E(0)), Pair(A(3), E(3)), Pair(A(4), E(3)),
                          Pair(A(3), E(1)), Pair(A(4), E(2)), Pair(A(1), E(1)),
                          Pair(A(2), E(2))));
}

TEST_F(G1Test, StartingNodeThatIsAnEndingNode) {
  IdSetFilter f;
  f.artifacts = {A(4)};
  f.all_executions = true;  // filter_query present but ""
  SubgraphQuery q =
      Query(NodeKind::kArtifact, {A(4)}, 1, Direction::kDownstream);
  SetEnding(q, f, true, true, /*include=*/true);
  Subgraph g = Run(q);
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(4)));
  EXPECT_THAT(g.execution_ids, IsEmpty());
  EXPECT_THAT(g.events, IsEmpty());

  SetEnding(q, f, true, true, /*include=*/false);
  g = Run(q);
  EXPECT_THAT(g.artifact_ids, IsEmpty());
  EXPECT_THAT(g.execution_ids, IsEmpty());
  EXPECT_THAT(g.events, IsEmpty());
}

TEST_F(G1Test, EndingNodesDownstreamOneHop) {
  IdSetFilter f;
  f.artifacts = {A(5)};
  f.executions = {E(3)};
  SubgraphQuery q =
      Query(NodeKind::kArtifact, {A(4)}, 1, Direction::kDownstream);
  SetEnding(q, f, true, true, /*include=*/true);
  Subgraph g = Run(q);
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(4)));
  EXPECT_THAT(g.execution_ids, ElementsAre(E(3)));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(4), E(3))));

  SetEnding(q, f, true, true, /*include=*/false);
  g = Run(q);
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(4)));
  EXPECT_THAT(g.execution_ids, IsEmpty());
  EXPECT_THAT(g.events, IsEmpty());
}

TEST_F(G1Test, EndingNodesBidirectional) {
  IdSetFilter f;
  f.artifacts = {A(5)};
  f.executions = {E(1), E(2)};
  SubgraphQuery q = Query(NodeKind::kArtifact, {A(4)}, 20);
  SetEnding(q, f, true, true, /*include=*/true);
  Subgraph g = Run(q);
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({3, 4, 5})));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({1, 2, 3})));
  EXPECT_THAT(
      Edges(g.events),
      UnorderedElementsAre(Pair(A(4), E(3)), Pair(A(3), E(3)), Pair(A(3), E(1)),
                           Pair(A(4), E(2)), Pair(A(5), E(3))));

  SetEnding(q, f, true, true, /*include=*/false);
  g = Run(q);
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({3, 4})));
  EXPECT_THAT(g.execution_ids, ElementsAre(E(3)));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(4), E(3)), Pair(A(3), E(3))));
}

TEST_F(G1Test, EndingFilterCalledOnlyForSetKindsAndNonEmptyCandidates) {
  std::vector<std::pair<NodeKind, size_t>> calls;
  SubgraphQuery q = Query(NodeKind::kArtifact, {A(0)}, 100);
  q.ending_set[1] = true;  // executions only
  q.ending_filter = [&](NodeKind kind, absl::Span<const int64_t> candidates)
      -> absl::StatusOr<std::vector<int64_t>> {
    calls.emplace_back(kind, candidates.size());
    return std::vector<int64_t>{};
  };
  Subgraph g = Run(q);
  EXPECT_THAT(g.execution_ids, ElementsAre(E(0)));
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, NodeKind::kExecution);
  EXPECT_EQ(calls[0].second, 1u);
}

TEST_F(G1Test, EndingFilterErrorIsReturned) {
  SubgraphQuery q = Query(NodeKind::kArtifact, {A(4)}, 2);
  q.ending_set[1] = true;
  q.ending_filter =
      [](NodeKind,
         absl::Span<const int64_t>) -> absl::StatusOr<std::vector<int64_t>> {
    return absl::InvalidArgumentError("bad filter");
  };
  EXPECT_EQ(index_.GetLineageSubgraph(q).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Not evaluated when no execution is reached.
  q.max_num_hops = 0;
  EXPECT_TRUE(index_.GetLineageSubgraph(q).ok());
}

TEST_F(G1Test, Validation) {
  EXPECT_EQ(index_.GetLineageSubgraph(Query(NodeKind::kArtifact, {A(4)}, -1))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(index_.GetLineageSubgraph(Query(NodeKind::kArtifact, {}, 1))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  SubgraphQuery q = Query(NodeKind::kArtifact, {A(4)}, 1);
  q.ending_set[0] = true;  // no callback
  EXPECT_EQ(index_.GetLineageSubgraph(q).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(G1Test, StartIdsBeyondTheFirst101AreIgnored) {
  std::vector<int64_t> start;
  for (int i = 0; i < 101; ++i) start.push_back(-200 + i);  // no events
  start.push_back(A(4));  // the 102nd id: ignored
  Subgraph g = Run(Query(NodeKind::kArtifact, start, 5));
  EXPECT_EQ(g.artifact_ids.size(), 101u);
  EXPECT_THAT(g.events, IsEmpty());
}

}  // namespace
}  // namespace mlmdx::lineage
