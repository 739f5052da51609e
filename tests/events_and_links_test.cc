// Events, attributions, associations and parent-context links over gRPC
// (spec/api.md §1.5-1.6, §2.9, §2.11, §3.3, §3.6).

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::Event;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class EventsAndLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    artifact_type_ = PutArtifactTypeOrDie(*stub_, "Data");
    execution_type_ = PutExecutionTypeOrDie(*stub_, "Trainer");
    context_type_ = PutContextTypeOrDie(*stub_, "Run");
  }

  absl::Status PutEvents(const std::string& text) {
    ml_metadata::PutEventsResponse response;
    return MLMDX_CALL(*stub_, PutEvents,
                      ParseTextProto<ml_metadata::PutEventsRequest>(text),
                      response);
  }

  absl::Status PutParents(
      const std::vector<std::pair<int64_t, int64_t>>& child_parent_pairs) {
    ml_metadata::PutParentContextsRequest request;
    for (const auto& [child, parent] : child_parent_pairs) {
      ml_metadata::ParentContext* link = request.add_parent_contexts();
      link->set_child_id(child);
      link->set_parent_id(parent);
    }
    ml_metadata::PutParentContextsResponse response;
    return MLMDX_CALL(*stub_, PutParentContexts, request, response);
  }

  std::vector<int64_t> Parents(int64_t context_id) {
    ml_metadata::GetParentContextsByContextRequest request;
    request.set_context_id(context_id);
    ml_metadata::GetParentContextsByContextResponse response;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetParentContextsByContext, request, response),
        IsOk());
    return IdsOf(response.contexts());
  }

  std::vector<int64_t> Children(int64_t context_id) {
    ml_metadata::GetChildrenContextsByContextRequest request;
    request.set_context_id(context_id);
    ml_metadata::GetChildrenContextsByContextResponse response;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetChildrenContextsByContext, request, response),
        IsOk());
    return IdsOf(response.contexts());
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
  int64_t artifact_type_ = 0;
  int64_t execution_type_ = 0;
  int64_t context_type_ = 0;
};

TEST_F(EventsAndLinksTest, PutEventsRejectsMissingFieldsAndUnknownIds) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, artifact_type_, 1);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, execution_type_, 1);
  const std::string ids =
      absl::StrCat("artifact_id: ", a[0], " execution_id: ", e[0]);
  EXPECT_THAT(PutEvents(absl::StrCat("events { execution_id: ", e[0],
                                     " type: INPUT }")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      PutEvents(absl::StrCat("events { artifact_id: ", a[0], " type: INPUT }")),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PutEvents(absl::StrCat("events { ", ids, " }")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PutEvents(absl::StrCat("events { ", ids, " type: UNKNOWN }")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PutEvents(absl::StrCat("events { artifact_id: 999 execution_id: ",
                                     e[0], " type: INPUT }")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PutEvents(absl::StrCat("events { artifact_id: ", a[0],
                                     " execution_id: 999 type: INPUT }")),
              StatusIs(absl::StatusCode::kInvalidArgument));

  // None of the rejected requests left an event behind.
  ml_metadata::GetEventsByArtifactIDsRequest request;
  request.add_artifact_ids(a[0]);
  ml_metadata::GetEventsByArtifactIDsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByArtifactIDs, request, response),
              IsOk());
  EXPECT_EQ(response.events_size(), 0);
}

TEST_F(EventsAndLinksTest, DuplicateEventIsAlreadyExistsOtherTypesAreNot) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, artifact_type_, 1);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, execution_type_, 1);
  const std::string ids =
      absl::StrCat("artifact_id: ", a[0], " execution_id: ", e[0]);
  ASSERT_THAT(PutEvents(absl::StrCat("events { ", ids, " type: OUTPUT }")),
              IsOk());
  EXPECT_THAT(PutEvents(absl::StrCat("events { ", ids, " type: OUTPUT }")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(
      PutEvents(absl::StrCat("events { ", ids, " type: INPUT }", "events { ",
                             ids, " type: DECLARED_INPUT }")),
      IsOk());
  // A duplicate inside one request fails the whole request.
  EXPECT_THAT(
      PutEvents(absl::StrCat("events { ", ids, " type: INTERNAL_INPUT }",
                             "events { ", ids, " type: INTERNAL_INPUT }")),
      StatusIs(absl::StatusCode::kAlreadyExists));

  ml_metadata::GetEventsByExecutionIDsRequest request;
  request.add_execution_ids(e[0]);
  ml_metadata::GetEventsByExecutionIDsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByExecutionIDs, request, response),
              IsOk());
  std::vector<Event::Type> types;
  for (const Event& event : response.events()) types.push_back(event.type());
  EXPECT_THAT(types,
              ElementsAre(Event::OUTPUT, Event::INPUT, Event::DECLARED_INPUT));
}

TEST_F(EventsAndLinksTest, PathsRoundTripAndMillisecondsAreKeptOrDefaulted) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, artifact_type_, 2);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, execution_type_, 1);
  const int64_t before_ms = absl::ToUnixMillis(absl::Now());
  ASSERT_THAT(
      PutEvents(absl::StrCat(
          "events { artifact_id: ", a[0], " execution_id: ", e[0],
          " type: OUTPUT milliseconds_since_epoch: 12345",
          " path { steps { key: 'out' } steps { index: 3 } steps { key: 'x' }",
          " steps { index: -1 } } }", "events { artifact_id: ", a[1],
          " execution_id: ", e[0], " type: INPUT }")),
      IsOk());
  const int64_t after_ms = absl::ToUnixMillis(absl::Now());

  ml_metadata::GetEventsByExecutionIDsRequest request;
  request.add_execution_ids(e[0]);
  ml_metadata::GetEventsByExecutionIDsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByExecutionIDs, request, response),
              IsOk());
  ASSERT_EQ(response.events_size(), 2);
  EXPECT_THAT(response.events(0),
              EqualsProto(ParseTextProto<Event>(absl::StrCat(
                  "artifact_id: ", a[0], " execution_id: ", e[0],
                  " type: OUTPUT milliseconds_since_epoch: 12345",
                  " path { steps { key: 'out' } steps { index: 3 }",
                  " steps { key: 'x' } steps { index: -1 } }"))));
  const Event& defaulted = response.events(1);
  EXPECT_EQ(defaulted.artifact_id(), a[1]);
  EXPECT_FALSE(defaulted.has_path() && defaulted.path().steps_size() > 0);
  EXPECT_GE(defaulted.milliseconds_since_epoch(), before_ms);
  EXPECT_LE(defaulted.milliseconds_since_epoch(), after_ms);
}

TEST_F(EventsAndLinksTest, GetEventsOrderFollowsSpec) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, artifact_type_, 2);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, execution_type_, 2);
  // Inserted out of (artifact, execution, type) order.
  const auto event = [](int64_t artifact, int64_t execution, const char* type) {
    return absl::StrCat("events { artifact_id: ", artifact,
                        " execution_id: ", execution, " type: ", type, " }");
  };
  ASSERT_THAT(PutEvents(absl::StrCat(
                  event(a[1], e[1], "OUTPUT"), event(a[0], e[1], "INPUT"),
                  event(a[1], e[0], "INPUT"), event(a[0], e[0], "OUTPUT"),
                  event(a[0], e[0], "DECLARED_OUTPUT"))),
              IsOk());

  ml_metadata::GetEventsByExecutionIDsRequest by_execution;
  by_execution.add_execution_ids(e[1]);
  by_execution.add_execution_ids(e[0]);
  ml_metadata::GetEventsByExecutionIDsResponse execution_events;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByExecutionIDs, by_execution,
                         execution_events),
              IsOk());
  std::vector<std::pair<int64_t, int64_t>> got;
  for (const Event& ev : execution_events.events()) {
    got.emplace_back(ev.execution_id(), ev.artifact_id());
  }
  // By execution id, then insertion order.
  EXPECT_THAT(got, ElementsAre(std::pair(e[0], a[1]), std::pair(e[0], a[0]),
                               std::pair(e[0], a[0]), std::pair(e[1], a[1]),
                               std::pair(e[1], a[0])));
  EXPECT_EQ(execution_events.events(1).type(), Event::OUTPUT);
  EXPECT_EQ(execution_events.events(2).type(), Event::DECLARED_OUTPUT);

  ml_metadata::GetEventsByArtifactIDsRequest by_artifact;
  by_artifact.add_artifact_ids(a[1]);
  by_artifact.add_artifact_ids(a[0]);
  by_artifact.add_artifact_ids(12345);
  ml_metadata::GetEventsByArtifactIDsResponse artifact_events;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetEventsByArtifactIDs, by_artifact, artifact_events),
      IsOk());
  std::vector<std::tuple<int64_t, int64_t, int>> keys;
  for (const Event& ev : artifact_events.events()) {
    keys.emplace_back(ev.artifact_id(), ev.execution_id(), ev.type());
  }
  // By (artifact, execution, type).
  EXPECT_THAT(keys, ElementsAre(std::tuple(a[0], e[0], Event::DECLARED_OUTPUT),
                                std::tuple(a[0], e[0], Event::OUTPUT),
                                std::tuple(a[0], e[1], Event::INPUT),
                                std::tuple(a[1], e[0], Event::INPUT),
                                std::tuple(a[1], e[1], Event::OUTPUT)));

  ml_metadata::GetEventsByArtifactIDsRequest unknown;
  unknown.add_artifact_ids(777);
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetEventsByArtifactIDs, unknown, artifact_events),
      IsOk());
  EXPECT_EQ(artifact_events.events_size(), 0);
}

TEST_F(EventsAndLinksTest, AttributionsAndAssociationsAreIdempotent) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, artifact_type_, 2);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, execution_type_, 1);
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, context_type_, 2);

  ml_metadata::PutAttributionsAndAssociationsRequest request;
  for (int64_t artifact : {a[1], a[0], a[1]}) {
    ml_metadata::Attribution* link = request.add_attributions();
    link->set_artifact_id(artifact);
    link->set_context_id(c[0]);
  }
  ml_metadata::Association* association = request.add_associations();
  association->set_execution_id(e[0]);
  association->set_context_id(c[0]);
  *request.add_associations() = *association;
  ml_metadata::PutAttributionsAndAssociationsResponse response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutAttributionsAndAssociations, request, response),
      IsOk());
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutAttributionsAndAssociations, request, response),
      IsOk());

  ml_metadata::GetArtifactsByContextRequest artifacts_request;
  artifacts_request.set_context_id(c[0]);
  ml_metadata::GetArtifactsByContextResponse artifacts;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_request, artifacts),
      IsOk());
  EXPECT_THAT(IdsOf(artifacts.artifacts()), ElementsAre(a[0], a[1]));
  EXPECT_FALSE(artifacts.has_next_page_token() &&
               !artifacts.next_page_token().empty());

  ml_metadata::GetExecutionsByContextRequest executions_request;
  executions_request.set_context_id(c[0]);
  ml_metadata::GetExecutionsByContextResponse executions;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, executions_request,
                         executions),
              IsOk());
  EXPECT_THAT(IdsOf(executions.executions()), ElementsAre(e[0]));

  // The other context, and an unknown one, are empty but OK.
  for (int64_t context : {c[1], int64_t{999}}) {
    artifacts_request.set_context_id(context);
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_request, artifacts),
        IsOk());
    EXPECT_EQ(artifacts.artifacts_size(), 0);
    executions_request.set_context_id(context);
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, executions_request,
                           executions),
                IsOk());
    EXPECT_EQ(executions.executions_size(), 0);
  }

  ml_metadata::GetContextsByArtifactRequest by_artifact;
  by_artifact.set_artifact_id(a[1]);
  ml_metadata::GetContextsByArtifactResponse artifact_contexts;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetContextsByArtifact, by_artifact, artifact_contexts),
      IsOk());
  EXPECT_THAT(IdsOf(artifact_contexts.contexts()), ElementsAre(c[0]));
  ml_metadata::GetContextsByExecutionRequest by_execution;
  by_execution.set_execution_id(e[0]);
  ml_metadata::GetContextsByExecutionResponse execution_contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByExecution, by_execution,
                         execution_contexts),
              IsOk());
  EXPECT_THAT(IdsOf(execution_contexts.contexts()), ElementsAre(c[0]));
}

TEST_F(EventsAndLinksTest, AttributionsAndAssociationsRejectUnknownIds) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, artifact_type_, 1);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, execution_type_, 1);
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, context_type_, 1);
  const std::vector<std::string> bad = {
      absl::StrCat("attributions { artifact_id: 999 context_id: ", c[0], " }"),
      absl::StrCat("attributions { artifact_id: ", a[0], " context_id: 999 }"),
      absl::StrCat("attributions { context_id: ", c[0], " }"),
      absl::StrCat("associations { execution_id: 999 context_id: ", c[0], " }"),
      absl::StrCat("associations { execution_id: ", e[0], " context_id: 999 }"),
      absl::StrCat("associations { execution_id: ", e[0], " }"),
      // A good attribution followed by a bad association: nothing is kept.
      absl::StrCat("attributions { artifact_id: ", a[0], " context_id: ", c[0],
                   " } associations { execution_id: 999 context_id: ", c[0],
                   " }"),
  };
  for (const std::string& text : bad) {
    ml_metadata::PutAttributionsAndAssociationsResponse response;
    EXPECT_THAT(
        MLMDX_CALL(
            *stub_, PutAttributionsAndAssociations,
            ParseTextProto<ml_metadata::PutAttributionsAndAssociationsRequest>(
                text),
            response),
        StatusIs(absl::StatusCode::kInvalidArgument))
        << text;
  }
  ml_metadata::GetContextsByArtifactRequest request;
  request.set_artifact_id(a[0]);
  ml_metadata::GetContextsByArtifactResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetContextsByArtifact, request, response),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EventsAndLinksTest, ContextsByArtifactOrExecutionNotFoundWhenNone) {
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, artifact_type_, 1);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, execution_type_, 1);
  for (int64_t artifact : {a[0], int64_t{4242}}) {
    ml_metadata::GetContextsByArtifactRequest request;
    request.set_artifact_id(artifact);
    ml_metadata::GetContextsByArtifactResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetContextsByArtifact, request, response),
                StatusIs(absl::StatusCode::kNotFound));
  }
  for (int64_t execution : {e[0], int64_t{4242}}) {
    ml_metadata::GetContextsByExecutionRequest request;
    request.set_execution_id(execution);
    ml_metadata::GetContextsByExecutionResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetContextsByExecution, request, response),
                StatusIs(absl::StatusCode::kNotFound));
  }
}

TEST_F(EventsAndLinksTest, ParentContextsRejectInvalidLinks) {
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, context_type_, 3);
  EXPECT_THAT(PutParents({{c[0], c[0]}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PutParents({{c[0], 999}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PutParents({{999, c[0]}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  {
    ml_metadata::PutParentContextsRequest request;
    request.add_parent_contexts()->set_child_id(c[0]);
    request.add_parent_contexts()->set_parent_id(c[0]);
    ml_metadata::PutParentContextsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutParentContexts, request, response),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  // c0 -> c1 -> c2 (child -> parent); closing c2 -> c0 is a 3-long cycle.
  ASSERT_THAT(PutParents({{c[0], c[1]}, {c[1], c[2]}}), IsOk());
  const absl::Status cycle = PutParents({{c[2], c[0]}});
  EXPECT_THAT(cycle, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(cycle.message().find("cycle"), std::string::npos) << cycle;
  EXPECT_THAT(PutParents({{c[1], c[0]}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PutParents({{c[0], c[1]}}),
              StatusIs(absl::StatusCode::kAlreadyExists));
  // A cycle formed inside one request is caught too, and rolls back.
  const std::vector<int64_t> d =
      PutContextsOrDie(*stub_, context_type_, 2, "d");
  EXPECT_THAT(PutParents({{d[0], d[1]}, {d[1], d[0]}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parents(d[0]), IsEmpty());
  EXPECT_THAT(Parents(c[2]), IsEmpty());
}

TEST_F(EventsAndLinksTest, ParentContextsFormADagOfDirectLinks) {
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, context_type_, 5);
  // c4 has parents c2, c0, c3; c2 and c3 have parent c1 (a diamond).
  ASSERT_THAT(PutParents({{c[4], c[2]}, {c[4], c[0]}, {c[4], c[3]}}), IsOk());
  ASSERT_THAT(PutParents({{c[2], c[1]}, {c[3], c[1]}}), IsOk());
  EXPECT_THAT(Parents(c[4]), ElementsAre(c[0], c[2], c[3]));
  EXPECT_THAT(Parents(c[2]), ElementsAre(c[1]));
  EXPECT_THAT(Parents(c[1]), IsEmpty());
  EXPECT_THAT(Children(c[1]), ElementsAre(c[2], c[3]));
  EXPECT_THAT(Children(c[0]), ElementsAre(c[4]));
  EXPECT_THAT(Children(c[4]), IsEmpty());
  EXPECT_THAT(Children(999), IsEmpty());
  EXPECT_THAT(Parents(999), IsEmpty());
}

}  // namespace
}  // namespace mlmdx::testing
