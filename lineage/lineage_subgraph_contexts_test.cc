// File: lineage/lineage_subgraph_contexts_test.cc
// -----------------------------------------------------------------------------
//
// The worked examples of spec/lineage.md §2.7 on graphs G2 and G3 and the
// Python client test: contexts, attributions and associations of the
// result, long chains and wide fan-out.

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
