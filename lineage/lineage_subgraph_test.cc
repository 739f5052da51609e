// File: lineage/lineage_subgraph_test.cc
// -----------------------------------------------------------------------------
//
// The worked examples of spec/lineage.md §2.7 (MLMD's own tests), with the
// filters of each example written out as id sets. Node sets and, where
// §2.4 defines it, the exact event emission order are checked.

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lineage/graph_index.h"
#include "lineage/internal/test_graph.h"

namespace mlmdx::lineage {
namespace {

using internal::Edges;
using internal::IdSetFilter;
using internal::TestGraph;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using Edge = std::pair<int64_t, int64_t>;

// Artifact, execution and context ids of the examples: a_i, e_i, c_i.
constexpr int64_t A(int i) { return 100 + i; }
constexpr int64_t E(int i) { return 200 + i; }
constexpr int64_t C(int i) { return 300 + i; }

std::vector<int64_t> As(std::vector<int> is) {
  std::vector<int64_t> out;
  for (int i : is) out.push_back(A(i));
  return out;
}
std::vector<int64_t> Es(std::vector<int> is) {
  std::vector<int64_t> out;
  for (int i : is) out.push_back(E(i));
  return out;
}

SubgraphQuery Query(NodeKind kind, std::vector<int64_t> start, int64_t hops,
                    Direction direction = Direction::kBidirectional) {
  SubgraphQuery q;
  q.start_kind = kind;
  q.start_ids = std::move(start);
  q.max_num_hops = hops;
  q.direction = direction;
  return q;
}

void SetEnding(SubgraphQuery& q, const IdSetFilter& filter, bool set_artifacts,
               bool set_executions, bool include) {
  q.ending_set[0] = set_artifacts;
  q.ending_set[1] = set_executions;
  q.include_ending[0] = q.include_ending[1] = include;
  q.ending_filter = filter.AsFilter();
}

// Graph G1 (CreateLineageGraph); event ids in the order written here.
class G1Test : public ::testing::Test {
 protected:
  void SetUp() override {
    TestGraph g;
    g.Input(A(0), E(0));                     // 1
    g.Input(A(1), E(1)).Output(A(3), E(1));  // 2, 3
    g.Input(A(2), E(2)).Output(A(4), E(2));  // 4, 5
    g.Input(A(3), E(3)).Input(A(4), E(3));   // 6, 7
    g.Output(A(5), E(3));                    // 8
    index_.Apply(g.changes);
  }

  Subgraph Run(const SubgraphQuery& q) {
    absl::StatusOr<Subgraph> g = index_.GetLineageSubgraph(q);
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? *g : Subgraph{};
  }

  GraphIndex index_;
};

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

// Graph G2 (CreateLongLineageGraph).
class G2Test : public G1Test {
 protected:
  void SetUp() override {
    TestGraph g;
    for (int i = 0; i < 3; ++i) {
      g.Input(A(i), E(i)).Output(A(i + 1), E(i));
      g.Associate(C(i), E(i)).Attribute(C(i), A(i)).Attribute(C(i), A(i + 1));
    }
    index_.Apply(g.changes);
  }
};

TEST_F(G2Test, DownstreamWithContexts) {
  const std::vector<int64_t> start = As({0, 1});  // contexts_0.name = 'c0'
  Subgraph g =
      Run(Query(NodeKind::kArtifact, start, 0, Direction::kDownstream));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(start));
  EXPECT_THAT(g.execution_ids, IsEmpty());
  EXPECT_THAT(g.context_ids, ElementsAre(C(0), C(1)));
  EXPECT_THAT(g.events, IsEmpty());
  EXPECT_THAT(g.attributions,
              UnorderedElementsAre(Pair(C(0), A(0)), Pair(C(0), A(1)),
                                   Pair(C(1), A(1))));
  EXPECT_THAT(g.associations, IsEmpty());

  g = Run(Query(NodeKind::kArtifact, start, 1, Direction::kDownstream));
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(start));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({0, 1})));
  EXPECT_THAT(g.context_ids, ElementsAre(C(0), C(1)));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(0), E(0)), Pair(A(1), E(1))));
  EXPECT_THAT(g.associations,
              UnorderedElementsAre(Pair(C(0), E(0)), Pair(C(1), E(1))));

  const auto check_two_hops = [&](const Subgraph& g) {
    EXPECT_THAT(g.artifact_ids, ElementsAreArray(As({0, 1, 2})));
    EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({0, 1})));
    EXPECT_THAT(g.context_ids, ElementsAre(C(0), C(1), C(2)));
    EXPECT_THAT(Edges(g.events),
                ElementsAre(Pair(A(0), E(0)), Pair(A(1), E(1)),
                            Pair(A(1), E(0)), Pair(A(2), E(1))));
    EXPECT_THAT(g.attributions,
                UnorderedElementsAre(Pair(C(0), A(0)), Pair(C(0), A(1)),
                                     Pair(C(1), A(1)), Pair(C(1), A(2)),
                                     Pair(C(2), A(2))));
    EXPECT_THAT(g.associations,
                UnorderedElementsAre(Pair(C(0), E(0)), Pair(C(1), E(1))));
  };
  check_two_hops(
      Run(Query(NodeKind::kArtifact, start, 2, Direction::kDownstream)));

  // Ending `contexts_0.name = 'c2'` for both kinds: a2, a3 and e2.
  IdSetFilter in_c2;
  in_c2.artifacts = {A(2), A(3)};
  in_c2.executions = {E(2)};
  SubgraphQuery q =
      Query(NodeKind::kArtifact, start, 20, Direction::kDownstream);
  SetEnding(q, in_c2, true, true, /*include=*/true);
  check_two_hops(Run(q));

  SetEnding(q, in_c2, true, true, /*include=*/false);
  g = Run(q);
  EXPECT_THAT(g.artifact_ids, ElementsAreArray(start));
  EXPECT_THAT(g.execution_ids, ElementsAreArray(Es({0, 1})));
  EXPECT_THAT(g.context_ids, ElementsAre(C(0), C(1)));
  EXPECT_THAT(Edges(g.events), ElementsAre(Pair(A(0), E(0)), Pair(A(1), E(1)),
                                           Pair(A(1), E(0))));
  EXPECT_THAT(g.attributions,
              UnorderedElementsAre(Pair(C(0), A(0)), Pair(C(0), A(1)),
                                   Pair(C(1), A(1))));
  EXPECT_THAT(g.associations,
              UnorderedElementsAre(Pair(C(0), E(0)), Pair(C(1), E(1))));
}

TEST_F(G2Test, StartingSetsFromContextFilters) {
  // contexts_0.name = 'c0' OR contexts_1.name = 'c2'
  Subgraph g = Run(Query(NodeKind::kArtifact, As({0, 1, 2, 3}), 0));
  EXPECT_THAT(g.context_ids, ElementsAre(C(0), C(1), C(2)));
  EXPECT_EQ(g.attributions.size(), 6u);
  // contexts_0.name = 'c0' AND contexts_1.name = 'c1'
  g = Run(Query(NodeKind::kArtifact, {A(1)}, 0));
  EXPECT_THAT(g.artifact_ids, ElementsAre(A(1)));
  EXPECT_THAT(g.context_ids, ElementsAre(C(0), C(1)));
}

// Graph G3 (CreateLargeLineageGraph). Artifacts a1..a100 are attributed to
// c1 here, which is what makes c1 appear after two hops.
class G3Test : public G1Test {
 protected:
  void SetUp() override {
    TestGraph g;
    g.Attribute(C(0), A(0));
    for (int i = 0; i < 100; ++i) {
      g.Input(A(0), E(i)).Output(A(i + 1), E(i));
      g.Input(A(i + 1), E(100 + i)).Output(A(101), E(100 + i));
      g.Associate(C(0), E(i)).Associate(C(1), E(100 + i));
      g.Attribute(C(1), A(i + 1));
    }
    index_.Apply(g.changes);
  }
};

TEST_F(G3Test, DownstreamFanOutAndBack) {
  for (Direction d : {Direction::kDownstream, Direction::kBidirectional}) {
    Subgraph g = Run(Query(NodeKind::kArtifact, {A(0)}, 1, d));
    EXPECT_THAT(g.artifact_ids, ElementsAre(A(0)));
    EXPECT_EQ(g.execution_ids.size(), 100u);
    EXPECT_THAT(g.context_ids, ElementsAre(C(0)));

    g = Run(Query(NodeKind::kArtifact, {A(0)}, 2, d));
    EXPECT_EQ(g.artifact_ids.size(), 101u);
    EXPECT_EQ(g.execution_ids.size(), 100u);
    EXPECT_THAT(g.context_ids, ElementsAre(C(0), C(1)));

    g = Run(Query(NodeKind::kArtifact, {A(0)}, 3, d));
    EXPECT_EQ(g.artifact_ids.size(), 101u);
    EXPECT_EQ(g.execution_ids.size(), 200u);

    g = Run(Query(NodeKind::kArtifact, {A(0)}, 4, d));
    EXPECT_EQ(g.artifact_ids.size(), 102u);
    EXPECT_EQ(g.execution_ids.size(), 200u);
    EXPECT_EQ(g.events.size(), 400u);
  }
}

// metadata_store_test.py test_put_lineage_subgraph_get_lineage_subgraph.
TEST(PythonExampleTest, PutLineageSubgraphThenGetLineageSubgraph) {
  const int64_t in = A(0), out = A(1), c1 = C(0), c2 = C(1);
  TestGraph t;
  for (int64_t e : {E(0), E(1)}) {
    t.Input(in, e).Output(out, e).Associate(c1, e).Associate(c2, e);
  }
  t.Attribute(c1, in).Attribute(c2, in).Attribute(c1, out).Attribute(c2, out);
  GraphIndex index;
  index.Apply(t.changes);

  absl::StatusOr<Subgraph> g =
      index.GetLineageSubgraph(Query(NodeKind::kArtifact, {out}, 10));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->events.size(), 4u);
  EXPECT_EQ(g->associations.size(), 4u);
  EXPECT_EQ(g->attributions.size(), 4u);

  g = index.GetLineageSubgraph(Query(NodeKind::kExecution, {E(0), E(1)}, 0));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->execution_ids.size(), 2u);
  EXPECT_THAT(g->context_ids, ElementsAre(c1, c2));
  EXPECT_EQ(g->associations.size(), 4u);
  EXPECT_THAT(g->events, IsEmpty());
  EXPECT_THAT(g->attributions, IsEmpty());
}

}  // namespace
}  // namespace mlmdx::lineage
