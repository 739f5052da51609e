// File: lineage/graph_index_test.cc
// -----------------------------------------------------------------------------
//
// Storage behaviour of GraphIndex: idempotent Apply, sparse ids, snapshots,
// parent/child contexts, Clear, and the memory budget per event.

#include "lineage/graph_index.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lineage/internal/id_map.h"
#include "lineage/internal/test_graph.h"

namespace mlmdx::lineage {
namespace {

using internal::TestGraph;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(IdMapTest, DenseAndSparseIds) {
  internal::IdMap map;
  const std::vector<int64_t> ids = {
      0, 1, 7, 5000, -3, int64_t{1} << 40, INT64_MAX, INT64_MIN, 100000};
  for (size_t i = 0; i < ids.size(); ++i) {
    map.Set(ids[i], static_cast<uint32_t>(i));
  }
  // Growing the dense range moves sparse entries into it.
  for (int64_t id = 0; id < 20000; ++id) map.Set(id + 200000, 1);
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(map.Get(ids[i]), i) << ids[i];
  }
  EXPECT_EQ(map.Get(2), internal::IdMap::kNone);
  EXPECT_EQ(map.Get(-4), internal::IdMap::kNone);
  EXPECT_EQ(map.size(), ids.size() + 20000);
  // Sparse ids do not blow up the dense array.
  EXPECT_LT(map.MemoryBytes(), 2'000'000u);
}

TEST(GraphIndexTest, ApplyIsIdempotent) {
  TestGraph g;
  g.Input(1, 2).Output(3, 2).Attribute(9, 1).Associate(9, 2);
  g.changes.parent_contexts.emplace_back(9, 8);
  GraphIndex index;
  index.Apply(g.changes);
  index.Apply(g.changes);
  EXPECT_EQ(index.event_count(), 2u);
  // Artifacts 1 and 3 and execution 2, each counted once.
  const GraphIndex::Stats stats = index.stats();
  EXPECT_EQ(stats.events, 2u);
  EXPECT_EQ(stats.artifacts, 2u);
  EXPECT_EQ(stats.executions, 1u);
  EXPECT_EQ(stats.memory_bytes, index.MemoryBytes());
  SubgraphQuery q;
  q.start_ids = {1};
  absl::StatusOr<Subgraph> s = index.GetLineageSubgraph(q);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->events.size(), 2u);
  EXPECT_EQ(s->attributions.size(), 1u);
  EXPECT_EQ(s->associations.size(), 1u);
  EXPECT_THAT(index.ParentContexts(9), ElementsAre(8));
  EXPECT_THAT(index.ChildContexts(8), ElementsAre(9));
}

TEST(GraphIndexTest, ParentAndChildContexts) {
  ChangeSet c;
  c.parent_contexts = {{5, 2}, {5, 1}, {6, 1}, {5, 2}};
  GraphIndex index;
  index.Apply(c);
  EXPECT_THAT(index.ParentContexts(5), ElementsAre(1, 2));
  EXPECT_THAT(index.ChildContexts(1), ElementsAre(5, 6));
  EXPECT_THAT(index.ChildContexts(5), IsEmpty());
  EXPECT_THAT(index.ParentContexts(42), IsEmpty());
}

TEST(GraphIndexTest, SnapshotHidesLaterEvents) {
  TestGraph g;
  g.Input(1, 10);
  GraphIndex index;
  index.Apply(g.changes);
  const GraphIndex::Snapshot snap = index.TakeSnapshot();
  TestGraph later;
  later.next_event_id = 2;
  later.Input(1, 11).Attribute(5, 1);
  index.Apply(later.changes);
  const int64_t ids[] = {1};
  absl::StatusOr<std::vector<EventRef>> events =
      index.EventsOf(snap, NodeKind::kArtifact, ids);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].execution_id, 10);
  Subgraph s;
  s.artifact_ids = {1};
  ASSERT_TRUE(index.AddContexts(snap, &s).ok());
  EXPECT_THAT(s.context_ids, IsEmpty());

  index.Clear();
  EXPECT_EQ(index.EventsOf(snap, NodeKind::kArtifact, ids).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(index.event_count(), 0u);
}

TEST(GraphIndexTest, FetchOrderFollowsMlmdSqlite) {
  // Applied in scrambled order: the fetch order must not depend on it.
  ChangeSet c;
  c.events = {
      {9, 2, 5, 3}, {3, 1, 7, 4}, {4, 1, 5, 3}, {1, 2, 4, 4}, {7, 1, 5, 4}};
  GraphIndex index;
  index.Apply(c);
  const GraphIndex::Snapshot snap = index.TakeSnapshot();
  const int64_t artifacts[] = {2, 1};
  auto from_artifacts = index.EventsOf(snap, NodeKind::kArtifact, artifacts);
  ASSERT_TRUE(from_artifacts.ok());
  std::vector<int64_t> order;
  for (const EventRef& e : *from_artifacts) order.push_back(e.event_id);
  // (artifact, execution, type)
  EXPECT_THAT(order, ElementsAre(4, 7, 3, 1, 9));
  const int64_t executions[] = {7, 5};
  auto from_executions = index.EventsOf(snap, NodeKind::kExecution, executions);
  ASSERT_TRUE(from_executions.ok());
  order.clear();
  for (const EventRef& e : *from_executions) order.push_back(e.event_id);
  // (execution, event id)
  EXPECT_THAT(order, ElementsAre(4, 7, 9, 3));
}

TEST(GraphIndexTest, IdsBeyond32BitsAndOddTypesRoundTrip) {
  const int64_t big = (int64_t{1} << 40) + 7;
  ChangeSet c;
  c.events.push_back({1, 10, 20, 3});
  c.events.push_back({big, 10, big + 1, 4});
  c.events.push_back({3, big + 2, 20, 200});
  c.attributions.emplace_back(big + 5, 10);
  c.attributions.emplace_back(7, 10);
  c.associations.emplace_back(big + 6, big + 1);
  GraphIndex index;
  index.Apply(c);
  index.Apply(c);  // links already present are skipped, wide ones too
  SubgraphQuery q;
  q.start_ids = {10};
  q.max_num_hops = 4;
  absl::StatusOr<Subgraph> s = index.GetLineageSubgraph(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->artifact_ids, ElementsAre(10, big + 2));
  EXPECT_THAT(s->execution_ids, ElementsAre(20, big + 1));
  EXPECT_THAT(s->events,
              ::testing::UnorderedElementsAre(EventRef{1, 10, 20, 3},
                                              EventRef{big, 10, big + 1, 4},
                                              EventRef{3, big + 2, 20, 200}));
  EXPECT_THAT(s->context_ids, ElementsAre(7, big + 5, big + 6));
  EXPECT_THAT(s->attributions,
              ElementsAre(std::make_pair(int64_t{7}, int64_t{10}),
                          std::make_pair(big + 5, int64_t{10})));
  EXPECT_THAT(s->associations, ElementsAre(std::make_pair(big + 6, big + 1)));
  EXPECT_TRUE(index.HasLinkedNode(NodeKind::kArtifact, big + 2));
  EXPECT_TRUE(index.HasLinkedNode(NodeKind::kExecution, big + 1));
  EXPECT_FALSE(index.HasLinkedNode(NodeKind::kArtifact, big + 1));
}

TEST(GraphIndexTest, EventDetailsAreHeldUpToThePathCap) {
  GraphIndex index;
  ChangeSet plain;  // no details: held without them
  plain.events.push_back({1, 1, 1, 3});
  plain.attributions.emplace_back(5, 2);
  index.Apply(plain);
  ChangeSet c;
  for (int64_t i = 0; i <= static_cast<int64_t>(GraphIndex::kMaxHeldPaths);
       ++i) {
    c.events.push_back({100 + i, 1000 + i, 7, 4});
    EventDetails& details = c.event_details.emplace_back();
    details.has_milliseconds_since_epoch = i % 2 == 0;
    details.milliseconds_since_epoch = i % 2 == 0 ? -i : 0;
    details.path = i == 0 ? "" : std::to_string(i);
  }
  index.Apply(c);
  const int64_t last = 100 + static_cast<int64_t>(GraphIndex::kMaxHeldPaths);
  const auto details = index.EventDetailsOf({1, 100, 101, 102, last, 99});
  ASSERT_EQ(details.size(), 6u);
  EXPECT_FALSE(details[0].has_value());  // applied without details
  ASSERT_TRUE(details[1].has_value());
  EXPECT_TRUE(details[1]->has_milliseconds_since_epoch);
  EXPECT_EQ(details[1]->milliseconds_since_epoch, 0);
  EXPECT_EQ(details[1]->path, "");
  ASSERT_TRUE(details[2].has_value());
  EXPECT_FALSE(details[2]->has_milliseconds_since_epoch);
  EXPECT_EQ(details[2]->path, "1");
  ASSERT_TRUE(details[3].has_value());
  EXPECT_EQ(details[3]->milliseconds_since_epoch, -2);
  EXPECT_EQ(details[3]->path, "2");
  // "" took the first of the kMaxHeldPaths places, so the last path is one
  // too many.
  EXPECT_FALSE(details[4].has_value());
  EXPECT_FALSE(details[5].has_value());                      // no such event
  EXPECT_TRUE(index.HasLinkedNode(NodeKind::kArtifact, 2));  // attributed
  EXPECT_TRUE(index.HasLinkedNode(NodeKind::kExecution, 7));
  EXPECT_FALSE(index.HasLinkedNode(NodeKind::kExecution, 2));
  index.Clear();
  EXPECT_FALSE(index.EventDetailsOf({100})[0].has_value());
}

TEST(GraphIndexTest, FailedApplyMakesTheIndexUnavailableUntilRebuilt) {
  TestGraph first;
  first.Input(1, 2).Output(3, 2);
  TestGraph second;
  second.Input(3, 4).Output(5, 4).Output(6, 4).Output(7, 4);
  // Event ids of the second graph follow the first's.
  for (EventRef& e : second.changes.events) e.event_id += 10;
  GraphIndex index;
  ASSERT_TRUE(index.Apply(first.changes));
  SubgraphQuery q;
  q.start_ids = {1};
  ASSERT_TRUE(index.GetLineageSubgraph(q).ok());

  index.FailNextApplyForTesting();
  EXPECT_FALSE(index.Apply(second.changes));
  EXPECT_FALSE(index.usable());
  EXPECT_EQ(index.event_count(), 4u);  // half of the change set got in
  EXPECT_EQ(index.GetLineageSubgraph(q).status().code(),
            absl::StatusCode::kUnavailable);
  // Further applies succeed but do not make it usable again.
  EXPECT_TRUE(index.Apply(first.changes));
  EXPECT_FALSE(index.usable());

  index.BeginRebuild();
  EXPECT_EQ(index.event_count(), 0u);
  EXPECT_EQ(index.GetLineageSubgraph(q).status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(index.Apply(first.changes));
  ASSERT_TRUE(index.Apply(second.changes));
  EXPECT_TRUE(index.EndRebuild());
  absl::StatusOr<Subgraph> s = index.GetLineageSubgraph(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->artifact_ids, ElementsAre(1, 3, 5, 6, 7));
  EXPECT_EQ(s->events.size(), 6u);

  // A failure during the reload keeps it unusable.
  index.BeginRebuild();
  index.FailNextApplyForTesting();
  EXPECT_FALSE(index.Apply(second.changes));
  EXPECT_FALSE(index.EndRebuild());
  EXPECT_EQ(index.GetLineageSubgraph(q).status().code(),
            absl::StatusCode::kUnavailable);
}

// A KFP-shaped graph: each execution consumes two artifacts of earlier runs
// and produces two; ids are dense as in a real store.
TEST(GraphIndexTest, RemovedNodesLeaveWithTheirEventsAndLinks) {
  // Run context 9 holds execution 2 (input 1, output 3); run 8 holds
  // execution 4, which also reads 3. Deleting run 9 takes execution 2 and
  // artifact 1; artifact 3 stays (execution 4 read it).
  TestGraph g;
  g.Input(1, 2).Output(3, 2).Input(3, 4);
  g.Attribute(9, 1).Attribute(9, 3).Associate(9, 2).Associate(8, 4);
  g.changes.parent_contexts = {{9, 7}, {6, 9}, {8, 7}};
  GraphIndex index;
  ASSERT_TRUE(index.Apply(g.changes));
  const GraphIndex::Snapshot before = index.TakeSnapshot();

  ChangeSet removal;
  removal.removed_contexts = {9};
  removal.removed_executions = {2};
  removal.removed_artifacts = {1};
  ASSERT_TRUE(index.Apply(removal));
  EXPECT_EQ(index.event_count(), 1u);
  EXPECT_FALSE(index.HasLinkedNode(NodeKind::kArtifact, 1));
  EXPECT_FALSE(index.HasLinkedNode(NodeKind::kExecution, 2));
  EXPECT_THAT(index.ParentContexts(9), IsEmpty());
  EXPECT_THAT(index.ChildContexts(7), ElementsAre(8));
  EXPECT_THAT(index.ParentContexts(6), IsEmpty());
  // A query over a snapshot from before the removal must start again.
  EXPECT_EQ(index.EventsOf(before, NodeKind::kArtifact, {3}).status().code(),
            absl::StatusCode::kAborted);

  SubgraphQuery q;
  q.start_ids = {3};
  absl::StatusOr<Subgraph> s = index.GetLineageSubgraph(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->artifact_ids, ElementsAre(3));
  EXPECT_THAT(s->execution_ids, ElementsAre(4));
  ASSERT_EQ(s->events.size(), 1u);
  EXPECT_EQ(s->events[0].execution_id, 4);
  EXPECT_THAT(s->context_ids, ElementsAre(8));

  // The write that created them, read again (a change-log replay), stays
  // out, and so does a replay of the removal.
  ASSERT_TRUE(index.Apply(g.changes));
  ASSERT_TRUE(index.Apply(removal));
  EXPECT_EQ(index.event_count(), 1u);
  EXPECT_FALSE(index.HasLinkedNode(NodeKind::kArtifact, 1));
  EXPECT_THAT(index.ChildContexts(7), ElementsAre(8));
  s = index.GetLineageSubgraph(q);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->execution_ids, ElementsAre(4));
  EXPECT_THAT(s->context_ids, ElementsAre(8));
}

TEST(GraphIndexTest, MemoryPerEventAtOneMillionEvents) {
  GraphIndex index;
  constexpr int64_t kEvents = 1'000'000;
  int64_t event_id = 1, artifact = 1;
  for (int64_t execution = 1; event_id <= kEvents; ++execution) {
    ChangeSet c;
    c.events.push_back(
        {event_id++, std::max<int64_t>(1, artifact - 2), execution, 3});
    c.events.push_back(
        {event_id++, std::max<int64_t>(1, artifact - 1), execution, 3});
    c.events.push_back({event_id++, artifact++, execution, 4});
    c.events.push_back({event_id++, artifact++, execution, 4});
    c.associations.emplace_back(1 + execution / 10, execution);
    // Each event with its time and a one-step path, as KFP writes them.
    // Opaque to the index; serialized one-step paths are this long.
    static const char* const kPaths[] = {"..|dataset", "..|model",
                                         "..|executor-logs"};
    for (size_t i = 0; i < c.events.size(); ++i) {
      EventDetails& details = c.event_details.emplace_back();
      details.has_milliseconds_since_epoch = true;
      details.milliseconds_since_epoch = 1700000000000 + event_id;
      details.path = kPaths[(execution + i) % 3];
    }
    index.Apply(c);
  }
  const double per_event =
      static_cast<double>(index.MemoryBytes()) / index.event_count();
  RecordProperty("bytes_per_event", std::to_string(per_event));
  EXPECT_LE(per_event, 64.0);
}

}  // namespace
}  // namespace mlmdx::lineage
