// File: lineage/graph_index_visibility_test.cc
// -----------------------------------------------------------------------------
//
// Namespace visibility in the index (lineage/visibility.h): contexts'
// namespaces arriving in change sets, nodes taking theirs from their
// contexts, and every traversal leaving invisible nodes, events and
// contexts out.

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lineage/graph_index.h"
#include "lineage/internal/test_graph.h"
#include "lineage/lineage_graph.h"
#include "lineage/lineage_query.h"
#include "lineage/visibility.h"

namespace mlmdx::lineage {
namespace {

using internal::Edges;
using internal::TestGraph;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

// Contexts: 100 a team-a run, 200 a team-b run, 300 a pipeline in no
// namespace. Execution 1 (team-a's run, and the pipeline) reads artifact 10
// (attributed to both runs: shared) and artifact 13 (no context), and
// writes 11. Execution 2 (team-b's run) reads 10 and writes 12.
class VisibilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestGraph g;
    g.Input(10, 1).Input(13, 1).Output(11, 1).Input(10, 2).Output(12, 2);
    g.Attribute(100, 10).Attribute(200, 10).Attribute(100, 11);
    g.Attribute(200, 12);
    g.Associate(100, 1).Associate(300, 1).Associate(200, 2);
    g.changes.context_namespaces = {{100, "team-a"}, {200, "team-b"}};
    ASSERT_TRUE(index_.Apply(g.changes));
  }

  absl::StatusOr<Subgraph> Walk(std::vector<int64_t> start,
                                const Visibility* visible) {
    SubgraphQuery q;
    q.start_ids = std::move(start);
    q.visibility = visible;
    return index_.GetLineageSubgraph(q);
  }

  void SetNamespace(int64_t context, std::string name) {
    ChangeSet c;
    c.context_namespaces.emplace_back(context, std::move(name));
    ASSERT_TRUE(index_.Apply(c));
  }

  // Whether node `id` of `kind` is visible to `visible` on a fresh
  // snapshot.
  bool Sees(const Visibility& visible, NodeKind kind, int64_t id) {
    const GraphIndex::Snapshot snapshot = index_.TakeSnapshot(&visible);
    absl::StatusOr<std::vector<int64_t>> ids =
        index_.VisibleNodes(snapshot, kind, {id});
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.ok() && !ids->empty();
  }

  GraphIndex index_;
  const Visibility team_a_{{"team-a"}};
  const Visibility team_b_{{"team-b"}};
};

TEST_F(VisibilityTest, EachTeamSeesItsSideOfASharedArtifact) {
  absl::StatusOr<Subgraph> a = Walk({10}, &team_a_);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->artifact_ids, ElementsAre(10, 11, 13));
  EXPECT_THAT(a->execution_ids, ElementsAre(1));
  EXPECT_THAT(Edges(a->events),
              ElementsAre(Pair(10, 1), Pair(13, 1), Pair(11, 1)));
  // Artifact 10 is also in team-b's run, which team-a does not see.
  EXPECT_THAT(a->context_ids, ElementsAre(100, 300));
  EXPECT_THAT(a->attributions, ElementsAre(Pair(100, 10), Pair(100, 11)));
  EXPECT_THAT(a->associations, ElementsAre(Pair(100, 1), Pair(300, 1)));

  absl::StatusOr<Subgraph> b = Walk({10}, &team_b_);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(b->artifact_ids, ElementsAre(10, 12));
  EXPECT_THAT(b->execution_ids, ElementsAre(2));
  EXPECT_THAT(Edges(b->events), ElementsAre(Pair(10, 2), Pair(12, 2)));
  EXPECT_THAT(b->context_ids, ElementsAre(200));
}

TEST_F(VisibilityTest, NoVisibilityOrBothTeamsSeeEverything) {
  const Visibility both{{"team-b", "team-a"}};
  for (const Visibility* visible :
       {static_cast<const Visibility*>(nullptr), &both}) {
    absl::StatusOr<Subgraph> g = Walk({10}, visible);
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_THAT(g->artifact_ids, ElementsAre(10, 11, 12, 13));
    EXPECT_THAT(g->execution_ids, ElementsAre(1, 2));
    EXPECT_EQ(g->events.size(), 5u);
    EXPECT_THAT(g->context_ids, ElementsAre(100, 200, 300));
  }
}

TEST_F(VisibilityTest, InvisibleStartingNodesAreDropped) {
  EXPECT_EQ(Walk({12}, &team_a_).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<Subgraph> g = Walk({12, 11}, &team_a_);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(g->artifact_ids, ElementsAre(10, 11, 13));
  EXPECT_THAT(g->execution_ids, ElementsAre(1));
}

TEST_F(VisibilityTest, CallerWithoutNamespacesSeesOnlyNodesInNone) {
  const Visibility none{};
  absl::StatusOr<Subgraph> g = Walk({13}, &none);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(g->artifact_ids, ElementsAre(13));
  EXPECT_THAT(g->execution_ids, IsEmpty());
  EXPECT_THAT(g->events, IsEmpty());
  EXPECT_THAT(g->context_ids, IsEmpty());
  // A namespace no context has is no better.
  const Visibility unknown{{"team-z"}};
  EXPECT_EQ(Walk({10}, &unknown).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(VisibilityTest, ChangingAContextsNamespaceMovesItsNodes) {
  SetNamespace(200, "team-a");
  EXPECT_EQ(index_.ContextNamespace(200), "team-a");
  absl::StatusOr<Subgraph> a = Walk({10}, &team_a_);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->artifact_ids, ElementsAre(10, 11, 12, 13));
  EXPECT_THAT(a->execution_ids, ElementsAre(1, 2));
  EXPECT_EQ(Walk({12}, &team_b_).status().code(), absl::StatusCode::kNotFound);

  // Run 200 in no namespace: execution 2 and artifact 12 are everyone's,
  // artifact 10 keeps team-a's run and so only team-a sees it.
  SetNamespace(200, "");
  EXPECT_EQ(index_.ContextNamespace(200), "");
  absl::StatusOr<Subgraph> b = Walk({12}, &team_b_);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(b->artifact_ids, ElementsAre(12));
  EXPECT_THAT(b->execution_ids, ElementsAre(2));
  EXPECT_THAT(b->context_ids, ElementsAre(200));
}

// Two servers move run 200 one after the other (positions 7, then 9);
// this index learns of the later move first and of the earlier one late:
// the later one stays. A change set without a position (SQLite, a reload)
// always applies.
TEST_F(VisibilityTest, ALateOlderNamespaceChangeDoesNotUndoANewerOne) {
  const auto set_at = [&](std::string name, int64_t position) {
    ChangeSet c;
    c.context_namespaces.emplace_back(200, std::move(name));
    c.position = position;
    ASSERT_TRUE(index_.Apply(c));
  };
  set_at("team-c", 9);
  set_at("team-a", 7);
  EXPECT_EQ(index_.ContextNamespace(200), "team-c");
  EXPECT_FALSE(Sees(team_a_, NodeKind::kExecution, 2));
  set_at("team-a", 9);  // the same row read again
  EXPECT_EQ(index_.ContextNamespace(200), "team-c");
  set_at("team-b", 12);
  EXPECT_EQ(index_.ContextNamespace(200), "team-b");
  EXPECT_TRUE(Sees(team_b_, NodeKind::kExecution, 2));
  SetNamespace(200, "team-a");
  EXPECT_EQ(index_.ContextNamespace(200), "team-a");
}

TEST_F(VisibilityTest, ADeletedContextTakesItsNamespaceAlong) {
  ChangeSet c;
  c.removed_contexts = {100};
  ASSERT_TRUE(index_.Apply(c));
  EXPECT_EQ(index_.ContextNamespace(100), "");
  EXPECT_EQ(index_.ContextNamespace(200), "team-b");
  // Execution 1 is left in pipeline 300 only: in no namespace.
  absl::StatusOr<Subgraph> b = Walk({13}, &team_b_);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(b->artifact_ids, ElementsAre(10, 11, 12, 13));
  EXPECT_THAT(b->execution_ids, ElementsAre(1, 2));
  // A replayed namespace of the deleted context stays out.
  SetNamespace(100, "team-a");
  EXPECT_EQ(index_.ContextNamespace(100), "");
}

TEST_F(VisibilityTest, ARebuildAfterARemovalKeepsTheNamespaces) {
  // Deleting an artifact rewrites the index from what stays.
  ChangeSet c;
  c.removed_artifacts = {13};
  ASSERT_TRUE(index_.Apply(c));
  EXPECT_EQ(index_.ContextNamespace(100), "team-a");
  absl::StatusOr<Subgraph> b = Walk({10}, &team_b_);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(b->artifact_ids, ElementsAre(10, 12));
  EXPECT_THAT(b->execution_ids, ElementsAre(2));
}

TEST_F(VisibilityTest, GetLineageGraphStopsAtInvisibleNodes) {
  LineageGraphQuery q;
  q.query_artifact_ids = {12, 11};
  q.max_node_size = 0;
  q.visibility = &team_b_;
  absl::StatusOr<LineageGraphResult> g = GetLineageGraph(index_, q);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(g->artifact_ids, ElementsAre(10, 12));
  EXPECT_THAT(g->execution_ids, ElementsAre(2));
  EXPECT_THAT(Edges(g->events), ElementsAre(Pair(12, 2), Pair(10, 2)));
  q.query_artifact_ids = {11};
  EXPECT_EQ(GetLineageGraph(index_, q).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(VisibilityTest, QueryLineageStopsAtInvisibleNodes) {
  LineageQuery q;
  q.start_ids = {12};
  q.direction = Direction::kUpstream;
  q.visibility = &team_b_;
  absl::StatusOr<LineageQueryResult> up = QueryLineage(index_, q);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_THAT(up->artifact_ids, ElementsAre(10, 12));
  EXPECT_THAT(up->execution_ids, ElementsAre(2));

  // Team-a's artifact 11 is downstream of 10 but out of team-b's sight.
  q.start_ids = {10};
  q.direction = Direction::kBidirectional;
  q.output = LineageQuery::Output::kPaths;
  q.target_kind = NodeKind::kArtifact;
  q.target_id = 11;
  absl::StatusOr<LineageQueryResult> paths = QueryLineage(index_, q);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_THAT(paths->artifact_ids, IsEmpty());
  q.visibility = &team_a_;
  paths = QueryLineage(index_, q);
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_THAT(paths->artifact_ids, ElementsAre(10, 11));
  EXPECT_THAT(paths->execution_ids, ElementsAre(1));

  q.start_ids = {11};
  q.visibility = &team_b_;
  EXPECT_EQ(QueryLineage(index_, q).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(VisibilityTest, ANodeOfTwoTeamsIsSeenByEachAndNoOther) {
  const Visibility team_c{{"team-c"}};
  SetNamespace(400, "team-c");  // a namespace some context has
  const Visibility none{};
  for (const Visibility* visible : {&team_a_, &team_b_}) {
    EXPECT_TRUE(Sees(*visible, NodeKind::kArtifact, 10));
  }
  EXPECT_FALSE(Sees(team_c, NodeKind::kArtifact, 10));
  EXPECT_FALSE(Sees(none, NodeKind::kArtifact, 10));
  // An execution in two teams' runs, linked in two change sets, and a
  // third link to a context in no namespace, which adds nothing.
  ChangeSet first;
  first.associations = {{200, 1}, {300, 1}};
  ASSERT_TRUE(index_.Apply(first));
  EXPECT_TRUE(Sees(team_a_, NodeKind::kExecution, 1));
  EXPECT_TRUE(Sees(team_b_, NodeKind::kExecution, 1));
  EXPECT_FALSE(Sees(team_c, NodeKind::kExecution, 1));
  // Nodes in no namespace stay everyone's.
  EXPECT_TRUE(Sees(team_c, NodeKind::kArtifact, 13));
  EXPECT_TRUE(Sees(none, NodeKind::kArtifact, 13));
}

TEST_F(VisibilityTest, MovingAContextOfSharedNodesKeepsTheirOtherTeams) {
  // Run 100 moves from team-a to team-c: artifact 10 is then team-b's and
  // team-c's, artifact 11 and execution 1 team-c's only.
  SetNamespace(100, "team-c");
  const Visibility team_c{{"team-c"}};
  EXPECT_FALSE(Sees(team_a_, NodeKind::kArtifact, 10));
  EXPECT_FALSE(Sees(team_a_, NodeKind::kArtifact, 11));
  EXPECT_FALSE(Sees(team_a_, NodeKind::kExecution, 1));
  EXPECT_TRUE(Sees(team_b_, NodeKind::kArtifact, 10));
  EXPECT_FALSE(Sees(team_b_, NodeKind::kArtifact, 11));
  EXPECT_TRUE(Sees(team_c, NodeKind::kArtifact, 10));
  EXPECT_TRUE(Sees(team_c, NodeKind::kArtifact, 11));
  EXPECT_TRUE(Sees(team_c, NodeKind::kExecution, 1));
  // Out of any namespace: execution 1 and artifact 11 are everyone's, and
  // artifact 10 is team-b's alone.
  SetNamespace(100, "");
  EXPECT_TRUE(Sees(team_b_, NodeKind::kArtifact, 11));
  EXPECT_TRUE(Sees(team_b_, NodeKind::kExecution, 1));
  EXPECT_FALSE(Sees(team_a_, NodeKind::kArtifact, 10));
  EXPECT_TRUE(Sees(team_b_, NodeKind::kArtifact, 10));
}

TEST_F(VisibilityTest, ANamespaceArrivingAfterTheLinksReachesTheirNodes) {
  // A reload applies links first and namespaces last, in separate change
  // sets: context 500 already has nodes when it gets its namespace.
  TestGraph g;
  g.Output(20, 5).Attribute(500, 20).Associate(500, 5);
  ASSERT_TRUE(index_.Apply(g.changes));
  EXPECT_TRUE(Sees(team_a_, NodeKind::kArtifact, 20));
  SetNamespace(500, "team-b");
  EXPECT_FALSE(Sees(team_a_, NodeKind::kArtifact, 20));
  EXPECT_FALSE(Sees(team_a_, NodeKind::kExecution, 5));
  EXPECT_TRUE(Sees(team_b_, NodeKind::kArtifact, 20));
  EXPECT_TRUE(Sees(team_b_, NodeKind::kExecution, 5));
}

TEST_F(VisibilityTest, ALinkMadeDuringAWalkDecidesFromThen) {
  // Artifact 13 (no context) and artifact 12 (team-b) as a team-a walk
  // started.
  const GraphIndex::Snapshot snapshot = index_.TakeSnapshot(&team_a_);
  ASSERT_TRUE(snapshot.restricted);
  absl::StatusOr<std::vector<int64_t>> before =
      index_.VisibleNodes(snapshot, NodeKind::kArtifact, {12, 13});
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_THAT(*before, ElementsAre(13));

  // Committed while the walk runs: 13 joins team-b's run, 12 team-a's run
  // and a new team-c run (a set of namespaces no node had before).
  ChangeSet links;
  links.attributions = {{200, 13}, {100, 12}, {600, 12}};
  links.context_namespaces = {{600, "team-c"}};
  ASSERT_TRUE(index_.Apply(links));
  absl::StatusOr<std::vector<int64_t>> after =
      index_.VisibleNodes(snapshot, NodeKind::kArtifact, {12, 13});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(*after, ElementsAre(12));
  // Execution 1's events, read through the same snapshot, lose 13.
  absl::StatusOr<std::vector<EventRef>> events =
      index_.EventsOf(snapshot, NodeKind::kExecution, {1});
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(Edges(*events), ElementsAre(Pair(10, 1), Pair(11, 1)));
  // The contexts attached are still the snapshot's: the link that made 12
  // visible came later.
  Subgraph graph;
  graph.artifact_ids = {12};
  ASSERT_TRUE(index_.AddContexts(snapshot, &graph).ok());
  EXPECT_THAT(graph.context_ids, IsEmpty());
}

TEST_F(VisibilityTest, DeletingOneOfANodesContextsNarrowsItsTeams) {
  ChangeSet c;
  c.removed_contexts = {200};
  ASSERT_TRUE(index_.Apply(c));
  EXPECT_FALSE(Sees(team_b_, NodeKind::kArtifact, 10));
  EXPECT_TRUE(Sees(team_a_, NodeKind::kArtifact, 10));
  // Artifact 12 had run 200 only: now in no namespace.
  EXPECT_TRUE(Sees(team_a_, NodeKind::kArtifact, 12));
  EXPECT_TRUE(Sees(team_a_, NodeKind::kExecution, 2));
}

TEST_F(VisibilityTest, AReloadForgetsOldSetsAndRebuildsThem) {
  index_.BeginRebuild();
  // The same graph again, but without run 200's namespace: no set held
  // before may survive.
  TestGraph g;
  g.Input(10, 1).Input(13, 1).Output(11, 1).Input(10, 2).Output(12, 2);
  g.Attribute(100, 10).Attribute(200, 10).Attribute(100, 11);
  g.Attribute(200, 12);
  g.Associate(100, 1).Associate(300, 1).Associate(200, 2);
  ASSERT_TRUE(index_.Apply(g.changes));
  ChangeSet namespaces;
  namespaces.context_namespaces = {{100, "team-a"}};
  ASSERT_TRUE(index_.Apply(namespaces));
  ASSERT_TRUE(index_.EndRebuild());
  EXPECT_TRUE(Sees(team_b_, NodeKind::kArtifact, 12));
  EXPECT_TRUE(Sees(team_b_, NodeKind::kExecution, 2));
  EXPECT_FALSE(Sees(team_b_, NodeKind::kArtifact, 10));
  EXPECT_TRUE(Sees(team_a_, NodeKind::kArtifact, 10));
  EXPECT_FALSE(Sees(team_b_, NodeKind::kExecution, 1));
}

TEST(VisibilityWithoutNamespacesTest, NothingIsRestricted) {
  TestGraph g;
  g.Input(1, 2).Attribute(9, 1);
  GraphIndex index;
  ASSERT_TRUE(index.Apply(g.changes));
  const Visibility team_a{{"team-a"}};
  EXPECT_FALSE(index.TakeSnapshot(&team_a).restricted);
  SubgraphQuery q;
  q.start_ids = {1};
  q.visibility = &team_a;
  absl::StatusOr<Subgraph> s = index.GetLineageSubgraph(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->execution_ids, ElementsAre(2));
  EXPECT_THAT(s->context_ids, ElementsAre(9));
}

}  // namespace
}  // namespace mlmdx::lineage
