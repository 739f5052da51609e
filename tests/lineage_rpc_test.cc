// GetLineageSubgraph through the real server, on graph G1 of
// spec/lineage.md §2.7:
//
//   a0 --INPUT--> e0
//   a1 --INPUT--> e1 --OUTPUT--> a3 --INPUT--> e3 --OUTPUT--> a5
//   a2 --INPUT--> e2 --OUTPUT--> a4 --INPUT--> e3
//
// The index answers; these tests pin the answers of MLMD's own suite, the
// validation rules, the read mask, and that the index follows writes and
// restarts.

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::Event;
using ml_metadata::LineageSubgraphQueryOptions;

using Names = std::set<std::string>;
using Edges = std::set<std::pair<std::string, std::string>>;

class LineageSubgraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    BuildG1();
  }

  void BuildG1() {
    auto types = ParseTextProto<ml_metadata::PutTypesRequest>(
        "artifact_types { name: 'A' } "
        "execution_types { name: 'E' properties { key: 'p2' value: STRING } "
        "} context_types { name: 'C' }");
    ml_metadata::PutTypesResponse type_ids;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutTypes, types, type_ids), IsOk());
    artifact_type_ = type_ids.artifact_type_ids(0);
    execution_type_ = type_ids.execution_type_ids(0);
    context_type_ = type_ids.context_type_ids(0);
    for (int i = 0; i <= 4; ++i) PutArtifact(i);
    for (int i = 0; i <= 2; ++i) PutExecution(i);
    PutArtifact(5);
    PutExecution(3);
    PutEvents({{"a0", "e0", Event::INPUT},
               {"a1", "e1", Event::INPUT},
               {"a3", "e1", Event::OUTPUT},
               {"a2", "e2", Event::INPUT},
               {"a4", "e2", Event::OUTPUT},
               {"a3", "e3", Event::INPUT},
               {"a4", "e3", Event::INPUT},
               {"a5", "e3", Event::OUTPUT}});
  }

  void PutArtifact(int i) {
    ml_metadata::PutArtifactsRequest request;
    auto* artifact = request.add_artifacts();
    artifact->set_type_id(artifact_type_);
    artifact->set_uri(absl::StrCat("uri://foo/a", i));
    if (i == 2) artifact->set_state(ml_metadata::Artifact::UNKNOWN);
    if (i == 3) artifact->set_state(ml_metadata::Artifact::DELETED);
    if (i == 4) artifact->set_state(ml_metadata::Artifact::LIVE);
    ml_metadata::PutArtifactsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
    Remember(absl::StrCat("a", i), response.artifact_ids(0), true);
  }

  void PutExecution(int i) {
    ml_metadata::PutExecutionsRequest request;
    auto* execution = request.add_executions();
    execution->set_type_id(execution_type_);
    (*execution->mutable_properties())["p2"].set_string_value(
        absl::StrCat("e", i));
    ml_metadata::PutExecutionsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, request, response), IsOk());
    Remember(absl::StrCat("e", i), response.execution_ids(0), false);
  }

  void PutEvents(const std::vector<NamedEvent>& events) {
    PutNamedEventsOrDie(*stub_, id_, events);
  }

  void Remember(const std::string& name, int64_t id, bool artifact) {
    id_[name] = id;
    (artifact ? artifact_name_ : execution_name_)[id] = name;
  }

  struct Answer {
    absl::Status status;
    Names artifacts, executions;
    Edges events;
    ml_metadata::LineageGraph graph;
  };

  Answer Query(const LineageSubgraphQueryOptions& options,
               std::vector<std::string> mask = {}) {
    ml_metadata::GetLineageSubgraphRequest request;
    *request.mutable_lineage_subgraph_query_options() = options;
    for (const std::string& path : mask) {
      request.mutable_read_mask()->add_paths(path);
    }
    ml_metadata::GetLineageSubgraphResponse response;
    Answer answer;
    answer.status = MLMDX_CALL(*stub_, GetLineageSubgraph, request, response);
    answer.graph = response.lineage_subgraph();
    for (const auto& a : answer.graph.artifacts()) {
      answer.artifacts.insert(artifact_name_[a.id()]);
    }
    for (const auto& e : answer.graph.executions()) {
      answer.executions.insert(execution_name_[e.id()]);
    }
    for (const auto& e : answer.graph.events()) {
      answer.events.insert(
          {artifact_name_[e.artifact_id()], execution_name_[e.execution_id()]});
    }
    return answer;
  }

  static LineageSubgraphQueryOptions FromArtifacts(
      const std::string& filter, int64_t hops = -1,
      LineageSubgraphQueryOptions::Direction direction =
          LineageSubgraphQueryOptions::DIRECTION_UNSPECIFIED) {
    LineageSubgraphQueryOptions options;
    options.mutable_starting_artifacts()->set_filter_query(filter);
    if (hops >= 0) options.set_max_num_hops(hops);
    options.set_direction(direction);
    return options;
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  int64_t artifact_type_ = 0, execution_type_ = 0, context_type_ = 0;
  std::map<std::string, int64_t> id_;
  std::map<int64_t, std::string> artifact_name_, execution_name_;
};

TEST_F(LineageSubgraphTest, HopsFromAnArtifactBidirectional) {
  const std::string a4 = "uri = 'uri://foo/a4'";
  struct Row {
    int64_t hops;
    Names artifacts, executions;
    Edges events;
  };
  const Edges one = {{"a4", "e2"}, {"a4", "e3"}};
  Edges two = one;
  two.insert({{"a2", "e2"}, {"a3", "e3"}, {"a5", "e3"}});
  Edges three = two;
  three.insert({"a3", "e1"});
  Edges four = three;
  four.insert({"a1", "e1"});
  const std::vector<Row> rows = {
      {0, {"a4"}, {}, {}},
      {1, {"a4"}, {"e2", "e3"}, one},
      {2, {"a2", "a3", "a4", "a5"}, {"e2", "e3"}, two},
      {3, {"a2", "a3", "a4", "a5"}, {"e1", "e2", "e3"}, three},
      {4, {"a1", "a2", "a3", "a4", "a5"}, {"e1", "e2", "e3"}, four},
      {-1, {"a1", "a2", "a3", "a4", "a5"}, {"e1", "e2", "e3"}, four},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(absl::StrCat("hops ", row.hops));
    const Answer answer = Query(FromArtifacts(a4, row.hops));
    ASSERT_THAT(answer.status, IsOk());
    EXPECT_EQ(answer.artifacts, row.artifacts);
    EXPECT_EQ(answer.executions, row.executions);
    EXPECT_EQ(answer.events, row.events);
    // Nodes come back dehydrated: only the id is set.
    for (const auto& a : answer.graph.artifacts()) {
      EXPECT_FALSE(a.has_uri());
      EXPECT_FALSE(a.has_type_id());
    }
  }
}

TEST_F(LineageSubgraphTest, HopsFromExecutionsBidirectional) {
  LineageSubgraphQueryOptions options;
  options.mutable_starting_executions()->set_filter_query(
      "properties.p2.string_value = 'e0' OR properties.p2.string_value = "
      "'e1' OR properties.p2.string_value = 'e2'");
  options.set_max_num_hops(1);
  Answer answer = Query(options);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.artifacts, (Names{"a0", "a1", "a2", "a3", "a4"}));
  EXPECT_EQ(answer.executions, (Names{"e0", "e1", "e2"}));
  EXPECT_EQ(answer.events.size(), 5u);
  options.set_max_num_hops(3);
  answer = Query(options);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.artifacts, (Names{"a0", "a1", "a2", "a3", "a4", "a5"}));
  EXPECT_EQ(answer.executions, (Names{"e0", "e1", "e2", "e3"}));
  EXPECT_EQ(answer.events.size(), 8u);
}

TEST_F(LineageSubgraphTest, Directions) {
  const std::string a4 = "uri = 'uri://foo/a4'";
  using D = LineageSubgraphQueryOptions;
  Answer down = Query(FromArtifacts(a4, 100, D::DOWNSTREAM));
  ASSERT_THAT(down.status, IsOk());
  EXPECT_EQ(down.artifacts, (Names{"a4", "a5"}));
  EXPECT_EQ(down.executions, (Names{"e3"}));
  EXPECT_EQ(down.events, (Edges{{"a4", "e3"}, {"a5", "e3"}}));
  Answer up = Query(FromArtifacts(a4, 2, D::UPSTREAM));
  ASSERT_THAT(up.status, IsOk());
  EXPECT_EQ(up.artifacts, (Names{"a2", "a4"}));
  EXPECT_EQ(up.executions, (Names{"e2"}));
  EXPECT_EQ(up.events, (Edges{{"a4", "e2"}, {"a2", "e2"}}));

  // Upstream from executions e0 and e3, all the way.
  LineageSubgraphQueryOptions options;
  options.mutable_starting_executions()->set_filter_query(
      absl::StrCat("id = ", id_["e0"], " OR id = ", id_["e3"]));
  options.set_direction(D::UPSTREAM);
  Answer all_up = Query(options);
  ASSERT_THAT(all_up.status, IsOk());
  EXPECT_EQ(all_up.artifacts, (Names{"a0", "a1", "a2", "a3", "a4"}));
  EXPECT_EQ(all_up.executions, (Names{"e0", "e1", "e2", "e3"}));
}

TEST_F(LineageSubgraphTest, EndingNodes) {
  using D = LineageSubgraphQueryOptions;
  LineageSubgraphQueryOptions options =
      FromArtifacts("uri = 'uri://foo/a4'", 20, D::DIRECTION_UNSPECIFIED);
  options.mutable_ending_artifacts()->set_filter_query("uri = 'uri://foo/a5'");
  options.mutable_ending_executions()->set_filter_query(
      absl::StrCat("id = ", id_["e1"], " OR id = ", id_["e2"]));
  options.mutable_ending_artifacts()->set_include_ending_nodes(true);
  options.mutable_ending_executions()->set_include_ending_nodes(true);
  Answer include = Query(options);
  ASSERT_THAT(include.status, IsOk());
  EXPECT_EQ(include.artifacts, (Names{"a3", "a4", "a5"}));
  EXPECT_EQ(include.executions, (Names{"e1", "e2", "e3"}));
  EXPECT_EQ(include.events, (Edges{{"a4", "e3"},
                                   {"a3", "e3"},
                                   {"a3", "e1"},
                                   {"a4", "e2"},
                                   {"a5", "e3"}}));
  options.mutable_ending_artifacts()->set_include_ending_nodes(false);
  options.mutable_ending_executions()->set_include_ending_nodes(false);
  Answer exclude = Query(options);
  ASSERT_THAT(exclude.status, IsOk());
  EXPECT_EQ(exclude.artifacts, (Names{"a3", "a4"}));
  EXPECT_EQ(exclude.executions, (Names{"e3"}));
  EXPECT_EQ(exclude.events, (Edges{{"a4", "e3"}, {"a3", "e3"}}));

  // A starting node that is itself an ending node.
  LineageSubgraphQueryOptions self =
      FromArtifacts("uri = 'uri://foo/a4'", 1, D::DOWNSTREAM);
  self.mutable_ending_artifacts()->set_filter_query("uri = 'uri://foo/a4'");
  self.mutable_ending_executions()->set_filter_query("");
  self.mutable_ending_artifacts()->set_include_ending_nodes(true);
  Answer itself = Query(self);
  ASSERT_THAT(itself.status, IsOk());
  EXPECT_EQ(itself.artifacts, (Names{"a4"}));
  EXPECT_TRUE(itself.executions.empty());
}

TEST_F(LineageSubgraphTest, ValidationErrors) {
  LineageSubgraphQueryOptions none;
  EXPECT_THAT(Query(none).status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Query(FromArtifacts("")).status,
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Query(FromArtifacts("uri =")).status,
              StatusIs(absl::StatusCode::kInvalidArgument));
  LineageSubgraphQueryOptions negative = FromArtifacts("id > 0");
  negative.set_max_num_hops(-1);
  const absl::Status status = Query(negative).status;
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(status.message().find("max_num_hops"), std::string::npos);
  EXPECT_THAT(Query(FromArtifacts("uri = 'nowhere'")).status,
              StatusIs(absl::StatusCode::kNotFound));
  // Hops above the cap are clamped, not refused.
  LineageSubgraphQueryOptions many = FromArtifacts("uri = 'uri://foo/a4'");
  many.set_max_num_hops(1000000);
  const Answer clamped = Query(many);
  ASSERT_THAT(clamped.status, IsOk());
  EXPECT_EQ(clamped.artifacts.size(), 5u);
}

TEST_F(LineageSubgraphTest, ReadMaskAndTypes) {
  const Answer only_events =
      Query(FromArtifacts("uri = 'uri://foo/a4'", 1), {"events"});
  ASSERT_THAT(only_events.status, IsOk());
  EXPECT_EQ(only_events.graph.artifacts_size(), 0);
  EXPECT_EQ(only_events.graph.executions_size(), 0);
  EXPECT_EQ(only_events.events, (Edges{{"a4", "e2"}, {"a4", "e3"}}));
  EXPECT_EQ(only_events.graph.artifact_types_size(), 0);
  // Full events: type and time are set.
  for (const auto& event : only_events.graph.events()) {
    EXPECT_TRUE(event.has_type());
    EXPECT_TRUE(event.has_milliseconds_since_epoch());
  }

  const Answer all = Query(FromArtifacts("uri = 'uri://foo/a4'", 0));
  ASSERT_THAT(all.status, IsOk());
  // Every type, the simple ones included.
  EXPECT_EQ(all.graph.artifact_types_size(), 5);
  EXPECT_EQ(all.graph.execution_types_size(), 6);
  EXPECT_EQ(all.graph.context_types_size(), 1);
}

TEST_F(LineageSubgraphTest, ContextsAndLinksOfTheAnswer) {
  // Put e3's run in a context, the way PutExecution does.
  ml_metadata::PutContextsRequest contexts;
  auto* context = contexts.add_contexts();
  context->set_type_id(context_type_);
  context->set_name("run");
  ml_metadata::PutContextsResponse context_ids;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, contexts, context_ids), IsOk());
  ml_metadata::PutAttributionsAndAssociationsRequest links;
  auto* attribution = links.add_attributions();
  attribution->set_context_id(context_ids.context_ids(0));
  attribution->set_artifact_id(id_["a5"]);
  auto* association = links.add_associations();
  association->set_context_id(context_ids.context_ids(0));
  association->set_execution_id(id_["e3"]);
  ml_metadata::PutAttributionsAndAssociationsResponse done;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutAttributionsAndAssociations, links, done),
              IsOk());

  // The write is visible to the very next lineage query.
  const Answer answer =
      Query(FromArtifacts("uri = 'uri://foo/a5'", 1,
                          LineageSubgraphQueryOptions::UPSTREAM),
            {"contexts", "attributions", "associations", "executions"});
  ASSERT_THAT(answer.status, IsOk());
  ASSERT_EQ(answer.graph.contexts_size(), 1);
  EXPECT_EQ(answer.graph.contexts(0).id(), context_ids.context_ids(0));
  ASSERT_EQ(answer.graph.attributions_size(), 1);
  EXPECT_EQ(answer.graph.attributions(0).artifact_id(), id_["a5"]);
  ASSERT_EQ(answer.graph.associations_size(), 1);
  EXPECT_EQ(answer.graph.associations(0).execution_id(), id_["e3"]);
}

TEST_F(LineageSubgraphTest, IndexIsRebuiltFromTheDatabaseOnRestart) {
  const Answer before = Query(FromArtifacts("uri = 'uri://foo/a1'"));
  ASSERT_THAT(before.status, IsOk());
  EXPECT_EQ(server_.Stop(), 0);
  ASSERT_THAT(server_.Start(), IsOk());
  stub_ = server_.NewStub();
  EXPECT_NE(server_.Log().find("lineage index: 8 events"), std::string::npos)
      << server_.Log();
  const Answer after = Query(FromArtifacts("uri = 'uri://foo/a1'"));
  ASSERT_THAT(after.status, IsOk());
  EXPECT_EQ(after.artifacts, before.artifacts);
  EXPECT_EQ(after.executions, before.executions);
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.artifacts, (Names{"a1", "a2", "a3", "a4", "a5"}));
}

// Literal-id starting filters are answered from the index when it knows the
// nodes, and by SQL otherwise; either way the starting set is MLMD's.
TEST_F(LineageSubgraphTest, StartingFromLiteralIds) {
  PutArtifact(6);  // no events, no links: unknown to the index
  const std::string a1 = absl::StrCat(id_["a1"]);
  const std::string a2 = absl::StrCat(id_["a2"]);
  const std::string a6 = absl::StrCat(id_["a6"]);
  const Answer by_uri = Query(FromArtifacts("uri = 'uri://foo/a1'", 1));
  const Answer by_id = Query(FromArtifacts("id = " + a1, 1));
  ASSERT_THAT(by_id.status, IsOk());
  EXPECT_EQ(by_id.artifacts, by_uri.artifacts);
  EXPECT_EQ(by_id.events, by_uri.events);
  EXPECT_EQ(by_id.artifacts, (Names{"a1"}));
  EXPECT_EQ(by_id.executions, (Names{"e1"}));

  const Answer two = Query(
      FromArtifacts(absl::StrCat("id IN (", a2, ", ", a1, ", ", a1, ")"), 0));
  ASSERT_THAT(two.status, IsOk());
  EXPECT_EQ(two.artifacts, (Names{"a1", "a2"}));
  const Answer ored =
      Query(FromArtifacts(absl::StrCat("id = ", a1, " OR id = ", a2), 0));
  ASSERT_THAT(ored.status, IsOk());
  EXPECT_EQ(ored.artifacts, (Names{"a1", "a2"}));

  const Answer unlinked = Query(FromArtifacts("id = " + a6));
  ASSERT_THAT(unlinked.status, IsOk());
  EXPECT_EQ(unlinked.artifacts, (Names{"a6"}));
  EXPECT_TRUE(unlinked.events.empty());
  const Answer mixed =
      Query(FromArtifacts(absl::StrCat("id IN (", a1, ", ", a6, ")"), 0));
  ASSERT_THAT(mixed.status, IsOk());
  EXPECT_EQ(mixed.artifacts, (Names{"a1", "a6"}));

  EXPECT_THAT(Query(FromArtifacts("id = 987654321")).status,
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Query(FromArtifacts("id = 0")).status,
              StatusIs(absl::StatusCode::kNotFound));
}

// Events in lineage answers come from the index (time and path included)
// and must equal what the event reads return, before and after a restart
// (written through the server, then read back from the database).
TEST_F(LineageSubgraphTest, EventsCarryTheirTimeAndPath) {
  PutExecution(9);
  for (int i = 10; i <= 13; ++i) PutArtifact(i);
  ml_metadata::PutEventsRequest events;
  const auto add = [&](const char* artifact, Event::Type type,
                       const std::string& path_text) {
    auto* event = events.add_events();
    *event = ParseTextProto<Event>(path_text);
    event->set_artifact_id(id_[artifact]);
    event->set_execution_id(id_["e9"]);
    event->set_type(type);
  };
  add("a10", Event::INPUT,
      "milliseconds_since_epoch: 1234 path { steps { key: 'examples' } "
      "steps { index: 3 } }");
  add("a11", Event::OUTPUT, "path { steps { } steps { key: '' } }");
  add("a12", Event::OUTPUT, "milliseconds_since_epoch: -5");
  add("a13", Event::DECLARED_OUTPUT, "path { }");
  ml_metadata::PutEventsResponse done;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutEvents, events, done), IsOk());

  const auto expect_same_events = [&]() {
    ml_metadata::GetEventsByExecutionIDsRequest by_execution;
    by_execution.add_execution_ids(id_["e9"]);
    ml_metadata::GetEventsByExecutionIDsResponse stored;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetEventsByExecutionIDs, by_execution, stored),
        IsOk());
    ASSERT_EQ(stored.events_size(), 4);
    LineageSubgraphQueryOptions options;
    options.mutable_starting_executions()->set_filter_query(
        absl::StrCat("id = ", id_["e9"]));
    const Answer answer = Query(options, {"events"});
    ASSERT_THAT(answer.status, IsOk());
    std::vector<::testing::Matcher<const Event&>> want;
    for (const auto& event : stored.events()) {
      want.push_back(EqualsProto(event));
    }
    EXPECT_THAT(answer.graph.events(),
                ::testing::UnorderedElementsAreArray(want));
    EXPECT_TRUE(answer.graph.artifacts().empty());  // not in the mask
  };
  expect_same_events();
  EXPECT_EQ(server_.Stop(), 0);
  ASSERT_THAT(server_.Start(), IsOk());
  stub_ = server_.NewStub();
  expect_same_events();

  // And the values themselves, as stored.
  ml_metadata::GetEventsByArtifactIDsRequest by_artifact;
  by_artifact.add_artifact_ids(id_["a10"]);
  by_artifact.add_artifact_ids(id_["a11"]);
  ml_metadata::GetEventsByArtifactIDsResponse read;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByArtifactIDs, by_artifact, read),
              IsOk());
  ASSERT_EQ(read.events_size(), 2);
  EXPECT_EQ(read.events(0).milliseconds_since_epoch(), 1234);
  EXPECT_EQ(read.events(0).path().steps_size(), 2);
  EXPECT_EQ(read.events(1).path().steps_size(), 1);  // the empty step dropped
  EXPECT_GT(read.events(1).milliseconds_since_epoch(), 1600000000000);
}

}  // namespace
}  // namespace mlmdx::testing

namespace mlmdx::testing {
namespace {

// GetLineageGraph (MLMD 1.14 library semantics, spec/lineage.md §3.3-3.4) on
// a1 -INPUT-> e1, a1 -INPUT-> e2, a2 -OUTPUT- e1, a2 -INPUT-> e2.
class LineageGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    auto types = ParseTextProto<ml_metadata::PutTypesRequest>(
        "artifact_types { name: 'A' } execution_types { name: 'E' }");
    ml_metadata::PutTypesResponse type_ids;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutTypes, types, type_ids), IsOk());
    ml_metadata::PutArtifactsRequest artifacts;
    for (const char* uri : {"a1", "a2"}) {
      auto* artifact = artifacts.add_artifacts();
      artifact->set_type_id(type_ids.artifact_type_ids(0));
      artifact->set_uri(uri);
    }
    ml_metadata::PutArtifactsResponse artifact_ids;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, artifacts, artifact_ids),
                IsOk());
    ml_metadata::PutExecutionsRequest executions;
    for (const char* name : {"e1", "e2"}) {
      auto* execution = executions.add_executions();
      execution->set_type_id(type_ids.execution_type_ids(0));
      execution->set_name(name);
    }
    ml_metadata::PutExecutionsResponse execution_ids;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, executions, execution_ids),
                IsOk());
    a_ = {artifact_ids.artifact_ids(0), artifact_ids.artifact_ids(1)};
    e_ = {execution_ids.execution_ids(0), execution_ids.execution_ids(1)};
    ml_metadata::PutEventsRequest events;
    const std::vector<std::tuple<int, int, Event::Type>> edges = {
        {0, 0, Event::INPUT},
        {0, 1, Event::INPUT},
        {1, 0, Event::OUTPUT},
        {1, 1, Event::INPUT}};
    for (const auto& [a, e, type] : edges) {
      auto* event = events.add_events();
      event->set_artifact_id(a_[a]);
      event->set_execution_id(e_[e]);
      event->set_type(type);
    }
    ml_metadata::PutEventsResponse done;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutEvents, events, done), IsOk());
  }

  absl::Status Query(const std::string& filter, int64_t hops, int64_t max_nodes,
                     ml_metadata::LineageGraph* graph) {
    ml_metadata::GetLineageGraphRequest request;
    auto* options = request.mutable_options();
    options->mutable_artifacts_options()->set_filter_query(filter);
    if (hops >= 0) options->mutable_stop_conditions()->set_max_num_hops(hops);
    if (max_nodes >= 0) options->set_max_node_size(max_nodes);
    ml_metadata::GetLineageGraphResponse response;
    const absl::Status status =
        MLMDX_CALL(*stub_, GetLineageGraph, request, response);
    *graph = response.subgraph();
    return status;
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  std::vector<int64_t> a_, e_;
};

TEST_F(LineageGraphTest, HopsAndNodeCap) {
  ml_metadata::LineageGraph graph;
  ASSERT_THAT(Query("uri = 'a1'", 1, 0, &graph), IsOk());
  EXPECT_EQ(graph.artifacts_size(), 1);
  EXPECT_EQ(graph.executions_size(), 2);
  EXPECT_EQ(graph.events_size(), 2);
  // Full nodes, unlike GetLineageSubgraph.
  EXPECT_EQ(graph.artifacts(0).uri(), "a1");
  EXPECT_EQ(graph.executions(0).name(), "e1");

  ASSERT_THAT(Query("uri = 'a1'", 2, 0, &graph), IsOk());
  EXPECT_EQ(graph.artifacts_size(), 2);
  EXPECT_EQ(graph.executions_size(), 2);
  EXPECT_EQ(graph.events_size(), 4);

  ASSERT_THAT(Query("uri = 'a1'", 2, 2, &graph), IsOk());
  EXPECT_EQ(graph.artifacts_size(), 1);
  EXPECT_EQ(graph.executions_size(), 1);
  EXPECT_EQ(graph.events_size(), 1);

  ASSERT_THAT(Query("uri = 'a1'", 2, 3, &graph), IsOk());
  EXPECT_EQ(graph.artifacts_size(), 1);
  EXPECT_EQ(graph.executions_size(), 2);
  EXPECT_EQ(graph.events_size(), 2);

  ASSERT_THAT(Query("uri = 'a1'", 2, 4, &graph), IsOk());
  EXPECT_EQ(graph.artifacts_size() + graph.executions_size(), 4);
  EXPECT_EQ(graph.events_size(), 4);

  ASSERT_THAT(Query("uri = 'a1' OR uri = 'a2'", 0, 0, &graph), IsOk());
  EXPECT_EQ(graph.artifacts_size(), 2);
  EXPECT_EQ(graph.executions_size(), 0);
  // User types only.
  ASSERT_EQ(graph.artifact_types_size(), 1);
  EXPECT_EQ(graph.artifact_types(0).name(), "A");
  ASSERT_EQ(graph.execution_types_size(), 1);
}

TEST_F(LineageGraphTest, BoundaryFiltersAndErrors) {
  ml_metadata::GetLineageGraphRequest request;
  auto* options = request.mutable_options();
  options->mutable_artifacts_options()->set_filter_query("uri = 'a1'");
  options->mutable_stop_conditions()->set_max_num_hops(2);
  options->mutable_stop_conditions()->set_boundary_executions("name != 'e2'");
  ml_metadata::GetLineageGraphResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetLineageGraph, request, response), IsOk());
  ASSERT_EQ(response.subgraph().executions_size(), 1);
  EXPECT_EQ(response.subgraph().executions(0).name(), "e1");
  EXPECT_EQ(response.subgraph().artifacts_size(), 2);

  ml_metadata::LineageGraph graph;
  EXPECT_THAT(Query("uri = 'nothing'", 1, 0, &graph),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Query("uri = 'a1'", -1, 0, &graph), IsOk());  // Unset: 20 hops.
  ml_metadata::GetLineageGraphRequest empty;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetLineageGraph, empty, response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ml_metadata::GetLineageGraphRequest negative = request;
  negative.mutable_options()->mutable_stop_conditions()->set_max_num_hops(-2);
  EXPECT_THAT(MLMDX_CALL(*stub_, GetLineageGraph, negative, response),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mlmdx::testing
