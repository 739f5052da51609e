// PutExecution and PutLineageSubgraph over gRPC (spec/api.md §3.3): pair
// forms, context links, reuse options, the invalid cases and atomicity.

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/substitute.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::PutExecutionRequest;
using ml_metadata::PutExecutionResponse;
using ml_metadata::PutLineageSubgraphRequest;
using ml_metadata::PutLineageSubgraphResponse;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class PutExecutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    at_ = PutArtifactTypeOrDie(*stub_, "Data");
    et_ = PutExecutionTypeOrDie(*stub_, "Trainer");
    ml_metadata::PutContextTypeRequest request = ParseTextProto<
        ml_metadata::PutContextTypeRequest>(
        "context_type { name: 'Run' properties { key: 'p' value: STRING } }");
    ml_metadata::PutContextTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutContextType, request, response), IsOk());
    ct_ = response.type_id();
  }

  // `text` with $0 = artifact type, $1 = execution type, $2 = context type.
  absl::Status PutExecution(const std::string& text,
                            PutExecutionResponse* response) {
    return MLMDX_CALL(*stub_, PutExecution,
                      ParseTextProto<PutExecutionRequest>(
                          absl::Substitute(text, at_, et_, ct_)),
                      *response);
  }
  absl::Status PutLineage(const std::string& text,
                          PutLineageSubgraphResponse* response) {
    return MLMDX_CALL(*stub_, PutLineageSubgraph,
                      ParseTextProto<PutLineageSubgraphRequest>(
                          absl::Substitute(text, at_, et_, ct_)),
                      *response);
  }

  int64_t Count(const std::string& table) {
    return server_.QueryInt("SELECT COUNT(*) FROM " + table);
  }
  // Row counts of every table a put can write.
  std::vector<int64_t> AllCounts() {
    std::vector<int64_t> counts;
    for (const char* table :
         {"Artifact", "Execution", "Context", "Event", "EventPath",
          "Attribution", "Association", "ArtifactProperty", "ExecutionProperty",
          "ContextProperty"}) {
      counts.push_back(Count(table));
    }
    return counts;
  }

  ml_metadata::Context GetContext(int64_t id) {
    ml_metadata::GetContextsByIDRequest request;
    request.add_context_ids(id);
    ml_metadata::GetContextsByIDResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetContextsByID, request, response), IsOk());
    return response.contexts_size() == 1 ? response.contexts(0)
                                         : ml_metadata::Context();
  }

  std::vector<int64_t> ArtifactsOf(int64_t context_id) {
    ml_metadata::GetArtifactsByContextRequest request;
    request.set_context_id(context_id);
    ml_metadata::GetArtifactsByContextResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactsByContext, request, response),
                IsOk());
    return IdsOf(response.artifacts());
  }
  std::vector<int64_t> ExecutionsOf(int64_t context_id) {
    ml_metadata::GetExecutionsByContextRequest request;
    request.set_context_id(context_id);
    ml_metadata::GetExecutionsByContextResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, request, response),
                IsOk());
    return IdsOf(response.executions());
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
  int64_t at_ = 0, et_ = 0, ct_ = 0;
};

TEST_F(PutExecutionTest, MissingExecutionIsInvalidArgument) {
  PutExecutionResponse response;
  EXPECT_THAT(PutExecution("", &response),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PutExecutionTest, EveryPairFormAndContextLinks) {
  const std::vector<int64_t> existing = PutArtifactsOrDie(*stub_, at_, 1);
  PutExecutionResponse response;
  ASSERT_THAT(
      PutExecution(
          absl::StrCat("execution { type_id: $1 name: 'e' }",
                       // artifact only
                       "artifact_event_pairs { artifact { type_id: $0 uri: "
                       "'a' } }",
                       // event only, on an existing artifact
                       "artifact_event_pairs { event { artifact_id: ",
                       existing[0], " type: INPUT } }",
                       // both
                       "artifact_event_pairs { artifact { type_id: $0 uri: "
                       "'b' } event { type: OUTPUT path { steps { key: 'o' } "
                       "} } }",
                       // neither
                       "artifact_event_pairs { }",
                       "contexts { type_id: $2 name: 'run' }"),
          &response),
      IsOk());
  const int64_t execution_id = response.execution_id();
  ASSERT_EQ(response.artifact_ids_size(), 4);
  const int64_t a_only = response.artifact_ids(0);
  const int64_t both = response.artifact_ids(2);
  EXPECT_GT(a_only, existing[0]);
  EXPECT_EQ(response.artifact_ids(1), existing[0]);
  EXPECT_EQ(both, a_only + 1);
  EXPECT_EQ(response.artifact_ids(3), -1);
  ASSERT_EQ(response.context_ids_size(), 1);
  const int64_t context_id = response.context_ids(0);

  ml_metadata::GetEventsByExecutionIDsRequest events_request;
  events_request.add_execution_ids(execution_id);
  ml_metadata::GetEventsByExecutionIDsResponse events;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetEventsByExecutionIDs, events_request, events),
      IsOk());
  ASSERT_EQ(events.events_size(), 2);
  EXPECT_EQ(events.events(0).artifact_id(), existing[0]);
  EXPECT_EQ(events.events(0).type(), ml_metadata::Event::INPUT);
  EXPECT_EQ(events.events(1).artifact_id(), both);
  EXPECT_EQ(events.events(1).path().steps(0).key(), "o");

  // Association to the execution, attributions to every artifact id but -1.
  EXPECT_THAT(ExecutionsOf(context_id), ElementsAre(execution_id));
  EXPECT_THAT(ArtifactsOf(context_id), ElementsAre(existing[0], a_only, both));
  EXPECT_EQ(Count("Attribution"), 3);
  EXPECT_EQ(Count("Attribution WHERE artifact_id = -1"), 0);
}

TEST_F(PutExecutionTest, ReuseContextIfAlreadyExist) {
  PutExecutionResponse first;
  ASSERT_THAT(PutExecution("execution { type_id: $1 } contexts { type_id: $2 "
                           "name: 'run' properties { key: 'p' value { "
                           "string_value: 'old' } } }",
                           &first),
              IsOk());
  const std::vector<int64_t> before = AllCounts();
  PutExecutionResponse response;
  const std::string second =
      "execution { type_id: $1 } artifact_event_pairs { artifact { type_id: "
      "$0 } } contexts { type_id: $2 name: 'run' properties { key: 'p' value "
      "{ string_value: 'new' } } }";
  EXPECT_THAT(PutExecution(second, &response),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(AllCounts(), before);

  ASSERT_THAT(
      PutExecution(second + " options { reuse_context_if_already_exist: "
                            "true }",
                   &response),
      IsOk());
  EXPECT_THAT(response.context_ids(), ElementsAre(first.context_ids(0)));
  EXPECT_EQ(
      GetContext(first.context_ids(0)).properties().at("p").string_value(),
      "old");
  EXPECT_THAT(ExecutionsOf(first.context_ids(0)),
              ElementsAre(first.execution_id(), response.execution_id()));
  EXPECT_THAT(ArtifactsOf(first.context_ids(0)),
              ElementsAre(response.artifact_ids(0)));
}

TEST_F(PutExecutionTest, ForceReuseContextDoesNotUpdateAndNeedsAnExistingId) {
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, ct_, 1, "run");
  PutExecutionResponse response;
  ASSERT_THAT(
      PutExecution(
          absl::StrCat("execution { type_id: $1 } contexts { id: ", c[0],
                       " type_id: $2 name: 'renamed' properties { "
                       "key: 'p' value { string_value: 'x' } } } "
                       "options { force_reuse_context: true }"),
          &response),
      IsOk());
  EXPECT_THAT(response.context_ids(), ElementsAre(c[0]));
  const ml_metadata::Context stored = GetContext(c[0]);
  EXPECT_EQ(stored.name(), "run0");
  EXPECT_EQ(stored.properties_size(), 0);
  EXPECT_THAT(ExecutionsOf(c[0]), ElementsAre(response.execution_id()));

  const std::vector<int64_t> before = AllCounts();
  EXPECT_THAT(PutExecution("execution { type_id: $1 } contexts { id: 999 "
                           "type_id: $2 name: 'x' } options { "
                           "force_reuse_context: true }",
                           &response),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(AllCounts(), before);
}

TEST_F(PutExecutionTest, ContextWithIdIsUpdatedWithoutForceReuse) {
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, ct_, 1, "run");
  PutExecutionResponse response;
  ASSERT_THAT(
      PutExecution(
          absl::StrCat("execution { type_id: $1 } contexts { id: ", c[0],
                       " type_id: $2 name: 'run0' properties { key: "
                       "'p' value { string_value: 'x' } } }"),
          &response),
      IsOk());
  EXPECT_EQ(GetContext(c[0]).properties().at("p").string_value(), "x");
  // A context without name is rejected even when it carries an id.
  EXPECT_THAT(PutExecution(absl::StrCat("execution { type_id: $1 } contexts "
                                        "{ id: ",
                                        c[0], " type_id: $2 }"),
                           &response),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(PutExecutionTest, ReuseArtifactByExternalId) {
  PutExecutionResponse first;
  ASSERT_THAT(PutExecution("execution { type_id: $1 } artifact_event_pairs { "
                           "artifact { type_id: $0 external_id: 'x' uri: 'u1' "
                           "} }",
                           &first),
              IsOk());
  PutExecutionResponse response;
  const std::string again =
      "execution { type_id: $1 } artifact_event_pairs { artifact { type_id: "
      "$0 external_id: 'x' uri: 'u2' } event { type: INPUT } }";
  EXPECT_THAT(PutExecution(again, &response),
              StatusIs(absl::StatusCode::kAlreadyExists));
  ASSERT_THAT(
      PutExecution(again + " options { "
                           "reuse_artifact_if_already_exist_by_external_id:"
                           " true }",
                   &response),
      IsOk());
  EXPECT_THAT(response.artifact_ids(), ElementsAre(first.artifact_ids(0)));
  ml_metadata::GetArtifactsByIDRequest request;
  request.add_artifact_ids(first.artifact_ids(0));
  ml_metadata::GetArtifactsByIDResponse artifacts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, request, artifacts), IsOk());
  EXPECT_EQ(artifacts.artifacts(0).uri(), "u2");
  EXPECT_EQ(Count("Artifact"), 1);
}

TEST_F(PutExecutionTest, MismatchingIdsAreInvalidAndLeaveNoRows) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, at_, 2);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, et_, 1);
  const std::vector<int64_t> before = AllCounts();
  const std::vector<std::string> bad = {
      // Event artifact id differs from the pair's artifact.
      absl::StrCat("execution { type_id: $1 } artifact_event_pairs { "
                   "artifact { id: ",
                   a[0], " type_id: $0 } event { artifact_id: ", a[1],
                   " type: INPUT } }"),
      // Event execution id differs from the execution.
      absl::StrCat("execution { id: ", e[0],
                   " type_id: $1 } artifact_event_pairs { event { "
                   "artifact_id: ",
                   a[0], " execution_id: 999 type: INPUT } }"),
      // Event only, without artifact id.
      "execution { type_id: $1 } artifact_event_pairs { event { type: INPUT } "
      "}",
      // Event only, on an unknown artifact (Q15).
      "execution { type_id: $1 } artifact_event_pairs { event { artifact_id: "
      "999 type: INPUT } }",
      // Unknown execution id to update.
      "execution { id: 999 type_id: $1 }",
      // Event without type, after a new artifact and a context were written.
      "execution { type_id: $1 } artifact_event_pairs { artifact { type_id: "
      "$0 } event { } } contexts { type_id: $2 name: 'c' }",
      // A context without name, after everything else was written.
      "execution { type_id: $1 } artifact_event_pairs { artifact { type_id: "
      "$0 } event { type: OUTPUT } } contexts { type_id: $2 }",
  };
  for (const std::string& text : bad) {
    PutExecutionResponse response;
    EXPECT_THAT(PutExecution(text, &response),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << text;
    EXPECT_EQ(AllCounts(), before) << text;
  }
  // A duplicate event (the second pair repeats the first) is ALREADY_EXISTS
  // and also rolls everything back.
  PutExecutionResponse response;
  EXPECT_THAT(PutExecution(absl::StrCat("execution { type_id: $1 } "
                                        "artifact_event_pairs { event { "
                                        "artifact_id: ",
                                        a[0],
                                        " type: INPUT } } artifact_event_pairs "
                                        "{ event { artifact_id: ",
                                        a[0], " type: INPUT } }"),
                           &response),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(AllCounts(), before);
}

TEST_F(PutExecutionTest, LineageSubgraphEdgeFormsAndCartesianLinks) {
  const std::vector<int64_t> old_artifact = PutArtifactsOrDie(*stub_, at_, 1);
  const std::vector<int64_t> old_execution = PutExecutionsOrDie(*stub_, et_, 1);
  PutLineageSubgraphResponse response;
  ASSERT_THAT(
      PutLineage(
          absl::StrCat(
              "executions { type_id: $1 } executions { id: ", old_execution[0],
              " type_id: $1 }"
              "artifacts { type_id: $0 } artifacts { type_id: $0 }"
              "contexts { type_id: $2 name: 'c1' }"
              "contexts { type_id: $2 name: 'c2' }",
              // index form
              "event_edges { execution_index: 0 artifact_index: 0 "
              "event { type: OUTPUT } }",
              // id form, on nodes outside the request
              "event_edges { event { execution_id: ", old_execution[0],
              " artifact_id: ", old_artifact[0], " type: INPUT } }",
              // both forms agreeing (the indexed execution has an id)
              "event_edges { execution_index: 1 artifact_index: 1 "
              "event { execution_id: ",
              old_execution[0], " type: OUTPUT } }"),
          &response),
      IsOk());
  ASSERT_EQ(response.execution_ids_size(), 2);
  ASSERT_EQ(response.artifact_ids_size(), 2);
  ASSERT_EQ(response.context_ids_size(), 2);
  EXPECT_EQ(response.execution_ids(1), old_execution[0]);
  const int64_t new_execution = response.execution_ids(0);
  for (int64_t context : response.context_ids()) {
    EXPECT_THAT(ExecutionsOf(context),
                UnorderedElementsAre(old_execution[0], new_execution));
    EXPECT_THAT(ArtifactsOf(context), ElementsAre(response.artifact_ids(0),
                                                  response.artifact_ids(1)));
  }
  ml_metadata::GetEventsByExecutionIDsRequest events_request;
  events_request.add_execution_ids(old_execution[0]);
  events_request.add_execution_ids(new_execution);
  ml_metadata::GetEventsByExecutionIDsResponse events;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetEventsByExecutionIDs, events_request, events),
      IsOk());
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (const auto& ev : events.events()) {
    pairs.emplace_back(ev.execution_id(), ev.artifact_id());
  }
  EXPECT_THAT(pairs,
              UnorderedElementsAre(
                  std::pair(new_execution, response.artifact_ids(0)),
                  std::pair(old_execution[0], old_artifact[0]),
                  std::pair(old_execution[0], response.artifact_ids(1))));
}

TEST_F(PutExecutionTest, LineageSubgraphInvalidEdges) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, at_, 1);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, et_, 1);
  const std::string nodes = absl::StrCat(
      "executions { type_id: $1 } executions { id: ", e[0],
      " type_id: $1 } artifacts { type_id: $0 } artifacts { id: ", a[0],
      " type_id: $0 } ");
  struct Case {
    std::string edge;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"event_edges { execution_index: 0 artifact_index: 0 }",
       absl::StatusCode::kInvalidArgument},
      {"event_edges { artifact_index: 0 event { type: INPUT } }",
       absl::StatusCode::kInvalidArgument},
      {"event_edges { execution_index: 2 artifact_index: 0 event { type: "
       "INPUT } }",
       absl::StatusCode::kOutOfRange},
      {"event_edges { execution_index: -1 artifact_index: 0 event { type: "
       "INPUT } }",
       absl::StatusCode::kOutOfRange},
      {"event_edges { execution_index: 0 artifact_index: 0 event { "
       "execution_id: 5 type: INPUT } }",
       absl::StatusCode::kInvalidArgument},
      {absl::StrCat("event_edges { execution_index: 1 artifact_index: 0 "
                    "event { execution_id: ",
                    e[0] + 1, " type: INPUT } }"),
       absl::StatusCode::kInvalidArgument},
      {"event_edges { execution_index: 0 event { type: INPUT } }",
       absl::StatusCode::kInvalidArgument},
      {"event_edges { execution_index: 0 artifact_index: 2 event { type: "
       "INPUT } }",
       absl::StatusCode::kOutOfRange},
      {"event_edges { execution_index: 0 artifact_index: 0 event { "
       "artifact_id: 5 type: INPUT } }",
       absl::StatusCode::kInvalidArgument},
      {absl::StrCat("event_edges { execution_index: 0 artifact_index: 1 "
                    "event { artifact_id: ",
                    a[0] + 1, " type: INPUT } }"),
       absl::StatusCode::kInvalidArgument},
      {"event_edges { execution_index: 0 artifact_index: 0 event { } }",
       absl::StatusCode::kInvalidArgument},
      {"event_edges { execution_index: 0 artifact_index: 0 event { type: "
       "INPUT } } event_edges { execution_index: 0 artifact_index: 0 event "
       "{ type: INPUT } }",
       absl::StatusCode::kAlreadyExists},
  };
  const std::vector<int64_t> before = AllCounts();
  for (const Case& c : cases) {
    PutLineageSubgraphResponse response;
    EXPECT_THAT(PutLineage(nodes + c.edge, &response), StatusIs(c.code))
        << c.edge;
    EXPECT_EQ(AllCounts(), before) << c.edge;
  }
}

TEST_F(PutExecutionTest, LineageSubgraphReuseOptionsAndEmptyRequest) {
  PutLineageSubgraphResponse response;
  ASSERT_THAT(PutLineage("", &response), IsOk());
  EXPECT_EQ(response.execution_ids_size() + response.artifact_ids_size() +
                response.context_ids_size(),
            0);

  const std::string request =
      "artifacts { type_id: $0 external_id: 'x' uri: 'u' } contexts { "
      "type_id: $2 name: 'c' properties { key: 'p' value { string_value: "
      "'$3' } } }";
  PutLineageSubgraphResponse first;
  ASSERT_THAT(PutLineage(absl::StrReplaceAll(request, {{"$3", "old"}}), &first),
              IsOk());
  const std::string again = absl::StrReplaceAll(request, {{"$3", "new"}});
  EXPECT_THAT(PutLineage(again, &response),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(
      PutLineage(again + " options { reuse_context_if_already_exist: true }",
                 &response),
      StatusIs(absl::StatusCode::kAlreadyExists));
  ASSERT_THAT(
      PutLineage(again +
                     " options { reuse_context_if_already_exist: true "
                     "reuse_artifact_if_already_exist_by_external_id: true }",
                 &response),
      IsOk());
  EXPECT_THAT(response.artifact_ids(), ElementsAre(first.artifact_ids(0)));
  EXPECT_THAT(response.context_ids(), ElementsAre(first.context_ids(0)));
  EXPECT_EQ(
      GetContext(first.context_ids(0)).properties().at("p").string_value(),
      "old");
  EXPECT_EQ(Count("Artifact"), 1);
  EXPECT_EQ(Count("Context"), 1);
}

}  // namespace
}  // namespace mlmdx::testing
