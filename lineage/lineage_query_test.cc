// File: lineage/lineage_query_test.cc
// -----------------------------------------------------------------------------
//
// QueryLineage on two hand-built graphs: a KFP-shaped pipeline and a diamond
// with a fan-out. Each output mode, direction, pruning, the node limit, and
// the argument checks.

#include "lineage/lineage_query.h"

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
using Output = LineageQuery::Output;

LineageQuery From(NodeKind kind, std::vector<int64_t> ids, Direction d,
                  Output output = Output::kSubgraph) {
  LineageQuery q;
  q.start_kind = kind;
  q.start_ids = std::move(ids);
  q.direction = d;
  q.output = output;
  return q;
}

LineageQueryResult Answer(const GraphIndex& index, const LineageQuery& q) {
  absl::StatusOr<LineageQueryResult> r = QueryLineage(index, q);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : LineageQueryResult{};
}

// The pipeline: dataset a1 -> train x1 -> model a2 -> evaluate x2 -> a3.
class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestGraph g;
    g.Input(1, 1).Output(2, 1).Input(2, 2).Output(3, 2);
    index_.Apply(g.changes);
  }
  GraphIndex index_;
};

TEST_F(PipelineTest, SubgraphFollowsTheDirection) {
  LineageQueryResult r =
      Answer(index_, From(NodeKind::kArtifact, {2}, Direction::kUpstream));
  EXPECT_THAT(r.artifact_ids, ElementsAre(1, 2));
  EXPECT_THAT(r.execution_ids, ElementsAre(1));
  EXPECT_THAT(Edges(r.events), ElementsAre(Pair(2, 1), Pair(1, 1)));
  EXPECT_EQ(r.hops_walked, 2);
  EXPECT_FALSE(r.truncated);

  r = Answer(index_, From(NodeKind::kArtifact, {2}, Direction::kDownstream));
  EXPECT_THAT(r.artifact_ids, ElementsAre(2, 3));
  EXPECT_THAT(r.execution_ids, ElementsAre(2));

  r = Answer(index_, From(NodeKind::kArtifact, {2}, Direction::kBidirectional));
  EXPECT_THAT(r.artifact_ids, ElementsAre(1, 2, 3));
  EXPECT_THAT(r.execution_ids, ElementsAre(1, 2));
  EXPECT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.hops_walked, 2);
}

TEST_F(PipelineTest, HopLimit) {
  LineageQuery q = From(NodeKind::kArtifact, {1}, Direction::kDownstream);
  q.max_hops = 0;
  LineageQueryResult r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(1));
  EXPECT_THAT(r.execution_ids, IsEmpty());
  EXPECT_THAT(r.events, IsEmpty());
  q.max_hops = 3;
  r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(1, 2));
  EXPECT_THAT(r.execution_ids, ElementsAre(1, 2));
  EXPECT_EQ(r.hops_walked, 3);
}

TEST_F(PipelineTest, EndpointsUpstreamOfTheMetrics) {
  LineageQuery q =
      From(NodeKind::kArtifact, {3}, Direction::kUpstream, Output::kEndpoints);
  q.endpoint_set[0] = true;
  IdSetFilter datasets;
  datasets.artifacts = {1};
  q.endpoint_filter = datasets.AsFilter();
  LineageQueryResult r = Answer(index_, q);
  EXPECT_THAT(r.endpoint_artifact_ids, ElementsAre(1));
  EXPECT_THAT(r.endpoint_execution_ids, IsEmpty());
  EXPECT_THAT(r.artifact_ids, IsEmpty());
  EXPECT_EQ(r.hops_walked, 4);

  // Every reached node of both kinds; the start node is not an endpoint.
  IdSetFilter all;
  all.all_artifacts = all.all_executions = true;
  q.endpoint_set[1] = true;
  q.endpoint_filter = all.AsFilter();
  r = Answer(index_, q);
  EXPECT_THAT(r.endpoint_artifact_ids, ElementsAre(1, 2));
  EXPECT_THAT(r.endpoint_execution_ids, ElementsAre(1, 2));
}

TEST_F(PipelineTest, BadArguments) {
  LineageQuery q = From(NodeKind::kArtifact, {1}, Direction::kDownstream);
  q.max_hops = -1;
  EXPECT_EQ(QueryLineage(index_, q).status().code(),
            absl::StatusCode::kInvalidArgument);
  q.max_hops = 2;
  q.max_nodes = 0;
  EXPECT_EQ(QueryLineage(index_, q).status().code(),
            absl::StatusCode::kInvalidArgument);
  q.max_nodes = 10;
  q.output = Output::kEndpoints;  // no endpoint filter
  EXPECT_EQ(QueryLineage(index_, q).status().code(),
            absl::StatusCode::kInvalidArgument);
  q.output = Output::kSubgraph;
  q.predicate_set[1] = true;  // no callback
  EXPECT_EQ(QueryLineage(index_, q).status().code(),
            absl::StatusCode::kInvalidArgument);
  q = From(NodeKind::kArtifact, {}, Direction::kDownstream);
  EXPECT_EQ(QueryLineage(index_, q).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PipelineTest, CallbackErrorsPassThrough) {
  LineageQuery q = From(NodeKind::kArtifact, {1}, Direction::kDownstream);
  q.predicate_set[1] = true;
  q.predicate =
      [](NodeKind,
         absl::Span<const int64_t>) -> absl::StatusOr<std::vector<int64_t>> {
    return absl::InvalidArgumentError("bad predicate");
  };
  EXPECT_EQ(QueryLineage(index_, q).status().message(), "bad predicate");
}

// a10 fans out to x10, x11 and x13; x10 -> a11 and x11 -> a12 meet again in
// x12 -> a13; x13 -> a14 is a side branch.
class DiamondTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestGraph g;
    g.Input(10, 10).Input(10, 11).Output(11, 10).Output(12, 11);
    g.Input(11, 12).Input(12, 12).Output(13, 12);
    g.Input(10, 13).Output(14, 13);
    index_.Apply(g.changes);
  }

  LineageQuery PathsTo13() {
    LineageQuery q =
        From(NodeKind::kArtifact, {10}, Direction::kDownstream, Output::kPaths);
    q.target_kind = NodeKind::kArtifact;
    q.target_id = 13;
    return q;
  }

  GraphIndex index_;
};

TEST_F(DiamondTest, SubgraphKeepsBothBranches) {
  LineageQueryResult r =
      Answer(index_, From(NodeKind::kArtifact, {10}, Direction::kDownstream));
  EXPECT_THAT(r.artifact_ids, ElementsAre(10, 11, 12, 13, 14));
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 11, 12, 13));
  EXPECT_EQ(r.events.size(), 9u);  // both edges into x12 included
  EXPECT_EQ(r.hops_walked, 4);
}

TEST_F(DiamondTest, PredicatePrunesTheWalk) {
  LineageQuery q = From(NodeKind::kArtifact, {10}, Direction::kDownstream);
  q.predicate_set[1] = true;
  IdSetFilter not_x11;
  not_x11.executions = {10, 12, 13};
  q.predicate = not_x11.AsFilter();
  LineageQueryResult r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(10, 11, 13, 14));
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 12, 13));
  EXPECT_THAT(Edges(r.events),
              UnorderedElementsAre(Pair(10, 10), Pair(10, 13), Pair(11, 10),
                                   Pair(14, 13), Pair(11, 12), Pair(13, 12)));

  // A pruned artifact is not expanded: dropping a11 and a12 cuts off x12.
  IdSetFilter only_side;
  only_side.artifacts = {14};
  q.predicate_set[1] = false;
  q.predicate_set[0] = true;
  q.predicate = only_side.AsFilter();
  r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(10, 14));
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 11, 13));
}

TEST_F(DiamondTest, PathsKeepOnlyWhatLeadsToTheTarget) {
  LineageQueryResult r = Answer(index_, PathsTo13());
  EXPECT_THAT(r.artifact_ids, ElementsAre(10, 11, 12, 13));
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 11, 12));
  EXPECT_EQ(r.events.size(), 7u);
  for (const EventRef& e : r.events) {
    EXPECT_NE(e.execution_id, 13);
  }
}

TEST_F(DiamondTest, PathsRespectHopsPredicatesAndDirection) {
  LineageQuery q = PathsTo13();
  q.max_hops = 3;  // a13 is 4 hops away
  LineageQueryResult r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, IsEmpty());
  EXPECT_THAT(r.events, IsEmpty());

  q = PathsTo13();
  q.predicate_set[1] = true;
  IdSetFilter not_x11;
  not_x11.executions = {10, 12, 13};
  q.predicate = not_x11.AsFilter();
  r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(10, 11, 13));
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 12));
  EXPECT_EQ(r.events.size(), 4u);

  q = PathsTo13();
  q.direction = Direction::kUpstream;  // a13 is downstream of a10
  r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, IsEmpty());
}

TEST_F(DiamondTest, BidirectionalPathsBetweenSiblings) {
  // a11 and a12 meet through x12 in 2 hops, through x10-a10-x11 in 4.
  LineageQuery q = From(NodeKind::kArtifact, {11}, Direction::kBidirectional,
                        Output::kPaths);
  q.target_id = 12;
  q.max_hops = 2;
  LineageQueryResult r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(11, 12));
  EXPECT_THAT(r.execution_ids, ElementsAre(12));
  EXPECT_THAT(Edges(r.events),
              UnorderedElementsAre(Pair(11, 12), Pair(12, 12)));
  q.max_hops = 4;
  r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(10, 11, 12));
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 11, 12));
}

TEST_F(DiamondTest, NodeLimitTruncatesNearestFirst) {
  LineageQuery q = From(NodeKind::kArtifact, {10}, Direction::kDownstream);
  q.max_nodes = 2;
  LineageQueryResult r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(10));
  EXPECT_THAT(r.execution_ids, ElementsAre(10));
  EXPECT_THAT(Edges(r.events), ElementsAre(Pair(10, 10)));
  EXPECT_TRUE(r.truncated);

  q.max_nodes = 4;  // exactly the start and the first hop, more follow
  r = Answer(index_, q);
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 11, 13));
  EXPECT_THAT(r.artifact_ids, ElementsAre(10));
  EXPECT_TRUE(r.truncated);

  q.max_nodes = 9;  // the whole graph fits
  r = Answer(index_, q);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.events.size(), 9u);

  q = PathsTo13();
  q.max_nodes = 3;
  r = Answer(index_, q);
  EXPECT_THAT(r.artifact_ids, ElementsAre(10));
  EXPECT_THAT(r.execution_ids, ElementsAre(10, 11));
  EXPECT_TRUE(r.truncated);
}

TEST_F(DiamondTest, EndpointLimit) {
  LineageQuery q = From(NodeKind::kArtifact, {10}, Direction::kDownstream,
                        Output::kEndpoints);
  q.endpoint_set[0] = true;
  IdSetFilter all;
  all.all_artifacts = true;
  q.endpoint_filter = all.AsFilter();
  LineageQueryResult r = Answer(index_, q);
  EXPECT_THAT(r.endpoint_artifact_ids, ElementsAre(11, 12, 13, 14));
  EXPECT_FALSE(r.truncated);

  q.max_nodes = 2;
  r = Answer(index_, q);
  EXPECT_THAT(r.endpoint_artifact_ids, ElementsAre(11, 12));
  EXPECT_TRUE(r.truncated);

  q.max_nodes = 4;
  r = Answer(index_, q);
  EXPECT_EQ(r.endpoint_artifact_ids.size(), 4u);
  EXPECT_FALSE(r.truncated);
}

}  // namespace
}  // namespace mlmdx::lineage
