// Namespace isolation against the real server (store/visible_namespaces.h):
// two teams' runs, an artifact both share and nodes in no namespace, read
// and written with static tokens for team-a, team-b, every namespace (`*`)
// and none. Each caller sees exactly its own and the shared nodes, through
// every read; writes that reach outside are refused and change nothing.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mlmdx/retention_service.grpc.pb.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kTeamA[] = "team-a-secret";
constexpr char kTeamB[] = "team-b-secret";
constexpr char kAdmin[] = "admin-secret";
constexpr char kNobody[] = "nobody-secret";

constexpr char kTokens[] =
    "team-a-secret,alice,u-a,team-a\n"
    "team-b-secret,bob,u-b,team-b\n"
    "admin-secret,admin,u-0,*\n"
    "nobody-secret,nobody,u-n\n";

// Calls `method` on `stub` as the holder of `token` ("" sends none).
#define CALL_AS(token, method, request, response)                          \
  ([&]() {                                                                 \
    grpc::ClientContext call_context;                                      \
    call_context.set_deadline(std::chrono::system_clock::now() +           \
                              std::chrono::seconds(30));                   \
    const std::string call_token = (token);                                \
    if (!call_token.empty()) {                                             \
      call_context.AddMetadata("authorization", "Bearer " + call_token);   \
    }                                                                      \
    return FromGrpc(stub_->method(&call_context, (request), &(response))); \
  }())

ml_metadata::Value StringValue(const std::string& text) {
  ml_metadata::Value value;
  value.set_string_value(text);
  return value;
}

class NamespaceIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "mlmdx_ns_XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    const std::string tokens = dir + "/tokens.csv";
    std::ofstream(tokens) << kTokens;
    ASSERT_THAT(server_.Start({"--auth_token_file=" + tokens}), IsOk());
    stub_ = server_.NewStub();
    Populate(kAdmin);
  }

  // Two runs (team-a's and team-b's) and a context in no namespace, the
  // public parent of both runs; per team two artifacts and an execution
  // that wrote them; one artifact in both runs, written by team-a's
  // execution and read by team-b's; an artifact and an execution in no
  // context.
  void Populate(const std::string& token) {
    artifact_type_ = PutType<ml_metadata::PutArtifactTypeRequest,
                             ml_metadata::PutArtifactTypeResponse>(token);
    execution_type_ = PutType<ml_metadata::PutExecutionTypeRequest,
                              ml_metadata::PutExecutionTypeResponse>(token);
    context_type_ = PutType<ml_metadata::PutContextTypeRequest,
                            ml_metadata::PutContextTypeResponse>(token);
    {
      ml_metadata::PutContextsRequest request;
      for (const auto& [name, ns] :
           std::vector<std::pair<std::string, std::string>>{
               {"run-a", "team-a"}, {"run-b", "team-b"}, {"public", ""}}) {
        ml_metadata::Context* context = request.add_contexts();
        context->set_type_id(context_type_);
        context->set_name(name);
        if (!ns.empty()) {
          (*context->mutable_custom_properties())["namespace"] =
              StringValue(ns);
        }
      }
      ml_metadata::PutContextsResponse response;
      ASSERT_THAT(CALL_AS(token, PutContexts, request, response), IsOk());
      run_a_ = response.context_ids(0);
      run_b_ = response.context_ids(1);
      public_context_ = response.context_ids(2);
    }
    {
      ml_metadata::PutArtifactsRequest request;
      for (const std::string name :
           {"a1", "a2", "b1", "b2", "shared", "loose"}) {
        ml_metadata::Artifact* artifact = request.add_artifacts();
        artifact->set_type_id(artifact_type_);
        artifact->set_name(name);
        artifact->set_uri("/data/" + name);
        artifact->set_external_id("ext-" + name);
      }
      ml_metadata::PutArtifactsResponse response;
      ASSERT_THAT(CALL_AS(token, PutArtifacts, request, response), IsOk());
      for (int i = 0; i < 6; ++i) {
        artifact_[request.artifacts(i).name()] = response.artifact_ids(i);
      }
    }
    {
      ml_metadata::PutExecutionsRequest request;
      for (const std::string name : {"exec-a", "exec-b", "exec-loose"}) {
        ml_metadata::Execution* execution = request.add_executions();
        execution->set_type_id(execution_type_);
        execution->set_name(name);
      }
      ml_metadata::PutExecutionsResponse response;
      ASSERT_THAT(CALL_AS(token, PutExecutions, request, response), IsOk());
      for (int i = 0; i < 3; ++i) {
        execution_[request.executions(i).name()] = response.execution_ids(i);
      }
    }
    {
      ml_metadata::PutAttributionsAndAssociationsRequest request;
      for (const auto& [context, artifact] :
           std::vector<std::pair<int64_t, std::string>>{{run_a_, "a1"},
                                                        {run_a_, "a2"},
                                                        {run_a_, "shared"},
                                                        {run_b_, "b1"},
                                                        {run_b_, "b2"},
                                                        {run_b_, "shared"}}) {
        ml_metadata::Attribution* link = request.add_attributions();
        link->set_context_id(context);
        link->set_artifact_id(artifact_[artifact]);
      }
      for (const auto& [context, execution] :
           std::vector<std::pair<int64_t, std::string>>{{run_a_, "exec-a"},
                                                        {run_b_, "exec-b"}}) {
        ml_metadata::Association* link = request.add_associations();
        link->set_context_id(context);
        link->set_execution_id(execution_[execution]);
      }
      ml_metadata::PutAttributionsAndAssociationsResponse response;
      ASSERT_THAT(
          CALL_AS(token, PutAttributionsAndAssociations, request, response),
          IsOk());
    }
    {
      ml_metadata::PutParentContextsRequest request;
      for (int64_t child : {run_a_, run_b_}) {
        ml_metadata::ParentContext* link = request.add_parent_contexts();
        link->set_child_id(child);
        link->set_parent_id(public_context_);
      }
      ml_metadata::PutParentContextsResponse response;
      ASSERT_THAT(CALL_AS(token, PutParentContexts, request, response), IsOk());
    }
    {
      ml_metadata::PutEventsRequest request;
      for (const auto& [artifact, execution, type] : std::vector<
               std::tuple<std::string, std::string, ml_metadata::Event::Type>>{
               {"a1", "exec-a", ml_metadata::Event::OUTPUT},
               {"shared", "exec-a", ml_metadata::Event::OUTPUT},
               {"shared", "exec-b", ml_metadata::Event::INPUT},
               {"b1", "exec-b", ml_metadata::Event::OUTPUT}}) {
        ml_metadata::Event* event = request.add_events();
        event->set_artifact_id(artifact_[artifact]);
        event->set_execution_id(execution_[execution]);
        event->set_type(type);
      }
      ml_metadata::PutEventsResponse response;
      ASSERT_THAT(CALL_AS(token, PutEvents, request, response), IsOk());
    }
  }

  template <typename Request, typename Response>
  int64_t PutType(const std::string& token) {
    Request request;
    Response response;
    absl::Status status;
    if constexpr (std::is_same_v<Request,
                                 ml_metadata::PutArtifactTypeRequest>) {
      request.mutable_artifact_type()->set_name("Data");
      status = CALL_AS(token, PutArtifactType, request, response);
    } else if constexpr (std::is_same_v<Request,
                                        ml_metadata::PutExecutionTypeRequest>) {
      request.mutable_execution_type()->set_name("Step");
      status = CALL_AS(token, PutExecutionType, request, response);
    } else {
      request.mutable_context_type()->set_name("Run");
      status = CALL_AS(token, PutContextType, request, response);
    }
    EXPECT_THAT(status, IsOk());
    return response.type_id();
  }

  std::vector<int64_t> Artifacts(std::vector<std::string> names) {
    std::vector<int64_t> ids;
    for (const std::string& name : names) ids.push_back(artifact_.at(name));
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::vector<int64_t> AllArtifactIds() {
    std::vector<int64_t> ids;
    for (const auto& [name, id] : artifact_) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // GetArtifactsByID of every artifact, as `token`.
  std::vector<int64_t> ArtifactsById(const std::string& token) {
    ml_metadata::GetArtifactsByIDRequest request;
    for (int64_t id : AllArtifactIds()) request.add_artifact_ids(id);
    ml_metadata::GetArtifactsByIDResponse response;
    EXPECT_THAT(CALL_AS(token, GetArtifactsByID, request, response), IsOk());
    std::vector<int64_t> ids = IdsOf(response.artifacts());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // Every page of GetArtifacts with `filter`, two at a time, as `token`.
  std::vector<int64_t> ListArtifacts(const std::string& token,
                                     const std::string& filter = "") {
    std::vector<int64_t> ids;
    std::string page_token;
    for (int page = 0; page < 100; ++page) {
      ml_metadata::GetArtifactsRequest request;
      request.mutable_options()->set_max_result_size(2);
      request.mutable_options()->mutable_order_by_field()->set_field(
          ml_metadata::ListOperationOptions::OrderByField::ID);
      request.mutable_options()->mutable_order_by_field()->set_is_asc(true);
      request.mutable_options()->set_filter_query(filter);
      request.mutable_options()->set_next_page_token(page_token);
      ml_metadata::GetArtifactsResponse response;
      EXPECT_THAT(CALL_AS(token, GetArtifacts, request, response), IsOk());
      // Full pages, but for the last; never an empty one after the first.
      if (!response.next_page_token().empty()) {
        EXPECT_EQ(response.artifacts_size(), 2) << filter << " page " << page;
      }
      EXPECT_TRUE(page == 0 || response.artifacts_size() > 0)
          << filter << " page " << page;
      for (const auto& artifact : response.artifacts()) {
        ids.push_back(artifact.id());
      }
      page_token = response.next_page_token();
      if (page_token.empty()) break;
    }
    return ids;
  }

  std::vector<int64_t> ContextIdsOf(const std::string& token) {
    ml_metadata::GetContextsRequest request;
    ml_metadata::GetContextsResponse response;
    EXPECT_THAT(CALL_AS(token, GetContexts, request, response), IsOk());
    return IdsOf(response.contexts());
  }

  int64_t Count(const std::string& table) {
    return server_.QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", table));
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
  int64_t artifact_type_ = 0;
  int64_t execution_type_ = 0;
  int64_t context_type_ = 0;
  int64_t run_a_ = 0;
  int64_t run_b_ = 0;
  int64_t public_context_ = 0;
  std::map<std::string, int64_t> artifact_;
  std::map<std::string, int64_t> execution_;
};

TEST_F(NamespaceIsolationTest, PointReadsShowOwnSharedAndPublicNodes) {
  EXPECT_EQ(ArtifactsById(kTeamA), Artifacts({"a1", "a2", "shared", "loose"}));
  EXPECT_EQ(ArtifactsById(kTeamB), Artifacts({"b1", "b2", "shared", "loose"}));
  EXPECT_EQ(ArtifactsById(kNobody), Artifacts({"loose"}));
  EXPECT_EQ(ArtifactsById(kAdmin), AllArtifactIds());

  ml_metadata::GetContextsByIDRequest contexts;
  for (int64_t id : {run_a_, run_b_, public_context_}) {
    contexts.add_context_ids(id);
  }
  ml_metadata::GetContextsByIDResponse found_contexts;
  ASSERT_THAT(CALL_AS(kTeamB, GetContextsByID, contexts, found_contexts),
              IsOk());
  EXPECT_THAT(IdsOf(found_contexts.contexts()),
              ElementsAre(run_b_, public_context_));

  ml_metadata::GetExecutionsByIDRequest executions;
  for (const auto& [name, id] : execution_) executions.add_execution_ids(id);
  ml_metadata::GetExecutionsByIDResponse found_executions;
  ASSERT_THAT(CALL_AS(kTeamA, GetExecutionsByID, executions, found_executions),
              IsOk());
  EXPECT_THAT(
      IdsOf(found_executions.executions()),
      UnorderedElementsAre(execution_["exec-a"], execution_["exec-loose"]));

  // By type and name, by URI, by external id: the other team's artifact is
  // as absent as an unknown one.
  ml_metadata::GetArtifactByTypeAndNameRequest by_name;
  by_name.set_type_name("Data");
  by_name.set_artifact_name("b1");
  ml_metadata::GetArtifactByTypeAndNameResponse named;
  ASSERT_THAT(CALL_AS(kTeamA, GetArtifactByTypeAndName, by_name, named),
              IsOk());
  EXPECT_FALSE(named.has_artifact());
  ASSERT_THAT(CALL_AS(kTeamB, GetArtifactByTypeAndName, by_name, named),
              IsOk());
  EXPECT_EQ(named.artifact().id(), artifact_["b1"]);

  ml_metadata::GetArtifactsByURIRequest by_uri;
  by_uri.add_uris("/data/b1");
  by_uri.add_uris("/data/shared");
  ml_metadata::GetArtifactsByURIResponse uris;
  ASSERT_THAT(CALL_AS(kTeamA, GetArtifactsByURI, by_uri, uris), IsOk());
  EXPECT_THAT(IdsOf(uris.artifacts()), ElementsAre(artifact_["shared"]));

  ml_metadata::GetArtifactsByExternalIdsRequest by_external;
  by_external.add_external_ids("ext-b1");
  ml_metadata::GetArtifactsByExternalIdsResponse external;
  EXPECT_THAT(CALL_AS(kTeamA, GetArtifactsByExternalIds, by_external, external),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_THAT(CALL_AS(kTeamB, GetArtifactsByExternalIds, by_external, external),
              IsOk());
  EXPECT_THAT(IdsOf(external.artifacts()), ElementsAre(artifact_["b1"]));
}

TEST_F(NamespaceIsolationTest, ListsPageOverVisibleNodesOnly) {
  EXPECT_EQ(ListArtifacts(kTeamA), Artifacts({"a1", "a2", "shared", "loose"}));
  EXPECT_EQ(ListArtifacts(kTeamB), Artifacts({"b1", "b2", "shared", "loose"}));
  EXPECT_EQ(ListArtifacts(kNobody), Artifacts({"loose"}));
  EXPECT_EQ(ListArtifacts(kAdmin), AllArtifactIds());

  // Without options: one answer, all visible.
  ml_metadata::GetArtifactsByTypeRequest by_type;
  by_type.set_type_name("Data");
  ml_metadata::GetArtifactsByTypeResponse typed;
  ASSERT_THAT(CALL_AS(kTeamB, GetArtifactsByType, by_type, typed), IsOk());
  std::vector<int64_t> ids = IdsOf(typed.artifacts());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, Artifacts({"b1", "b2", "shared", "loose"}));

  EXPECT_THAT(ContextIdsOf(kTeamA), ElementsAre(run_a_, public_context_));
  EXPECT_THAT(ContextIdsOf(kNobody), ElementsAre(public_context_));

  // Another team's run lists nothing, not even the artifact both share.
  ml_metadata::GetArtifactsByContextRequest by_context;
  by_context.set_context_id(run_b_);
  by_context.mutable_options()->set_max_result_size(10);
  ml_metadata::GetArtifactsByContextResponse in_context;
  ASSERT_THAT(CALL_AS(kTeamA, GetArtifactsByContext, by_context, in_context),
              IsOk());
  EXPECT_THAT(in_context.artifacts(), IsEmpty());
  ASSERT_THAT(CALL_AS(kTeamB, GetArtifactsByContext, by_context, in_context),
              IsOk());
  EXPECT_THAT(IdsOf(in_context.artifacts()),
              ElementsAreArray(Artifacts({"b1", "b2", "shared"})));

  ml_metadata::GetExecutionsByContextRequest executions;
  executions.set_context_id(run_a_);
  ml_metadata::GetExecutionsByContextResponse in_run;
  ASSERT_THAT(CALL_AS(kTeamB, GetExecutionsByContext, executions, in_run),
              IsOk());
  EXPECT_THAT(in_run.executions(), IsEmpty());
}

TEST_F(NamespaceIsolationTest, FiltersMatchVisibleNodesOnly) {
  EXPECT_EQ(ListArtifacts(kTeamA, "uri LIKE '/data/%'"),
            Artifacts({"a1", "a2", "shared", "loose"}));
  EXPECT_EQ(ListArtifacts(kTeamA, "contexts_a.name = 'run-a'"),
            Artifacts({"a1", "a2", "shared"}));
  EXPECT_EQ(ListArtifacts(kTeamB, "contexts_a.name = 'run-a'"), Artifacts({}));
  EXPECT_EQ(ListArtifacts(kAdmin, "contexts_a.name = 'run-a'"),
            Artifacts({"a1", "a2", "shared"}));
  EXPECT_EQ(ListArtifacts(kTeamB, "contexts_a.name = 'run-b'"),
            Artifacts({"b1", "b2", "shared"}));
  // Team-b's execution read the shared artifact: not team-a's to learn.
  const std::string read_by_exec_b =
      absl::StrCat("events_0.execution_id = ", execution_["exec-b"]);
  EXPECT_EQ(ListArtifacts(kTeamA, read_by_exec_b), Artifacts({}));
  EXPECT_EQ(ListArtifacts(kTeamB, read_by_exec_b), Artifacts({"b1", "shared"}));

  ml_metadata::GetContextsRequest request;
  request.mutable_options()->set_max_result_size(10);
  request.mutable_options()->set_filter_query("type = 'Run'");
  ml_metadata::GetContextsResponse response;
  ASSERT_THAT(CALL_AS(kTeamB, GetContexts, request, response), IsOk());
  EXPECT_THAT(IdsOf(response.contexts()), ElementsAre(run_b_, public_context_));
  // The public parent is found through a visible child only.
  request.mutable_options()->set_filter_query(
      "child_contexts_a.name = 'run-a'");
  ASSERT_THAT(CALL_AS(kTeamB, GetContexts, request, response), IsOk());
  EXPECT_THAT(response.contexts(), IsEmpty());
  ASSERT_THAT(CALL_AS(kTeamA, GetContexts, request, response), IsOk());
  EXPECT_THAT(IdsOf(response.contexts()), ElementsAre(public_context_));
}

// Enough matches that a page is read along the order's index, testing
// candidates one by one: invisible ones must not fill it.
TEST_F(NamespaceIsolationTest, BroadFilterPagesSkipInvisibleNodes) {
  ml_metadata::PutExecutionRequest run;
  run.mutable_execution()->set_type_id(execution_type_);
  ml_metadata::Context* context = run.add_contexts();
  context->set_id(run_a_);
  context->set_type_id(context_type_);
  context->set_name("run-a");
  (*context->mutable_custom_properties())["namespace"] = StringValue("team-a");
  for (int i = 0; i < 40; ++i) {
    auto* pair = run.add_artifact_event_pairs();
    pair->mutable_artifact()->set_type_id(artifact_type_);
    pair->mutable_artifact()->set_uri(absl::StrCat("/data/many-", i));
    pair->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
  }
  ml_metadata::PutExecutionResponse written;
  ASSERT_THAT(CALL_AS(kTeamA, PutExecution, run, written), IsOk());
  std::vector<int64_t> team_a = Artifacts({"a1", "a2", "shared", "loose"});
  team_a.insert(team_a.end(), written.artifact_ids().begin(),
                written.artifact_ids().end());
  std::sort(team_a.begin(), team_a.end());

  EXPECT_EQ(ListArtifacts(kTeamB, "uri LIKE '/data/%'"),
            Artifacts({"b1", "b2", "shared", "loose"}));
  EXPECT_EQ(ListArtifacts(kTeamA, "uri LIKE '/data/%'"), team_a);
}

TEST_F(NamespaceIsolationTest, EventsAndContextLinksStopAtInvisibleNodes) {
  ml_metadata::GetEventsByArtifactIDsRequest by_artifact;
  by_artifact.add_artifact_ids(artifact_["shared"]);
  ml_metadata::GetEventsByArtifactIDsResponse events;
  ASSERT_THAT(CALL_AS(kTeamA, GetEventsByArtifactIDs, by_artifact, events),
              IsOk());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).execution_id(), execution_["exec-a"]);
  ASSERT_THAT(CALL_AS(kAdmin, GetEventsByArtifactIDs, by_artifact, events),
              IsOk());
  EXPECT_EQ(events.events_size(), 2);

  ml_metadata::GetEventsByExecutionIDsRequest by_execution;
  by_execution.add_execution_ids(execution_["exec-b"]);
  ml_metadata::GetEventsByExecutionIDsResponse execution_events;
  ASSERT_THAT(
      CALL_AS(kTeamA, GetEventsByExecutionIDs, by_execution, execution_events),
      IsOk());
  EXPECT_THAT(execution_events.events(), IsEmpty());
  ASSERT_THAT(
      CALL_AS(kTeamB, GetEventsByExecutionIDs, by_execution, execution_events),
      IsOk());
  EXPECT_EQ(execution_events.events_size(), 2);

  ml_metadata::GetContextsByArtifactRequest contexts_of;
  contexts_of.set_artifact_id(artifact_["shared"]);
  ml_metadata::GetContextsByArtifactResponse contexts;
  ASSERT_THAT(CALL_AS(kTeamB, GetContextsByArtifact, contexts_of, contexts),
              IsOk());
  EXPECT_THAT(IdsOf(contexts.contexts()), ElementsAre(run_b_));
  contexts_of.set_artifact_id(artifact_["b1"]);
  EXPECT_THAT(CALL_AS(kTeamA, GetContextsByArtifact, contexts_of, contexts),
              StatusIs(absl::StatusCode::kNotFound));

  ml_metadata::GetContextsByExecutionRequest contexts_of_execution;
  contexts_of_execution.set_execution_id(execution_["exec-b"]);
  ml_metadata::GetContextsByExecutionResponse execution_contexts;
  EXPECT_THAT(CALL_AS(kTeamA, GetContextsByExecution, contexts_of_execution,
                      execution_contexts),
              StatusIs(absl::StatusCode::kNotFound));

  ml_metadata::GetChildrenContextsByContextRequest children_of;
  children_of.set_context_id(public_context_);
  ml_metadata::GetChildrenContextsByContextResponse children;
  ASSERT_THAT(
      CALL_AS(kTeamA, GetChildrenContextsByContext, children_of, children),
      IsOk());
  EXPECT_THAT(IdsOf(children.contexts()), ElementsAre(run_a_));
  ASSERT_THAT(
      CALL_AS(kNobody, GetChildrenContextsByContext, children_of, children),
      IsOk());
  EXPECT_THAT(children.contexts(), IsEmpty());

  ml_metadata::GetParentContextsByContextRequest parents_of;
  parents_of.set_context_id(run_b_);
  ml_metadata::GetParentContextsByContextResponse parents;
  ASSERT_THAT(CALL_AS(kTeamA, GetParentContextsByContext, parents_of, parents),
              IsOk());
  EXPECT_THAT(parents.contexts(), IsEmpty());

  ml_metadata::GetChildrenContextsByContextsRequest batch;
  batch.add_context_ids(public_context_);
  ml_metadata::GetChildrenContextsByContextsResponse batch_children;
  ASSERT_THAT(
      CALL_AS(kTeamB, GetChildrenContextsByContexts, batch, batch_children),
      IsOk());
  ASSERT_EQ(batch_children.contexts().count(public_context_), 1);
  EXPECT_THAT(
      IdsOf(batch_children.contexts().at(public_context_).children_contexts()),
      ElementsAre(run_b_));
}

TEST_F(NamespaceIsolationTest, UpdatesOfInvisibleNodesAreNotFound) {
  const int64_t unknown = 999;
  ml_metadata::PutArtifactsRequest update;
  ml_metadata::Artifact* artifact = update.add_artifacts();
  artifact->set_id(artifact_["b1"]);
  artifact->set_type_id(artifact_type_);
  artifact->set_uri("/stolen");
  ml_metadata::PutArtifactsResponse response;
  const absl::Status invisible =
      CALL_AS(kTeamA, PutArtifacts, update, response);
  EXPECT_THAT(invisible, StatusIs(absl::StatusCode::kNotFound));
  artifact->set_id(unknown);
  const absl::Status missing = CALL_AS(kTeamA, PutArtifacts, update, response);
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound));
  // One message for both, but for the id.
  EXPECT_EQ(absl::StrReplaceAll(invisible.message(),
                                {{std::to_string(artifact_["b1"]), "ID"}}),
            absl::StrReplaceAll(missing.message(),
                                {{std::to_string(unknown), "ID"}}));
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Artifact WHERE uri = '/stolen'")),
            0);

  // The same update is the owner's to make.
  artifact->set_id(artifact_["b1"]);
  EXPECT_THAT(CALL_AS(kTeamB, PutArtifacts, update, response), IsOk());
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Artifact WHERE uri = '/stolen'")),
            1);

  ml_metadata::PutContextsRequest rename;
  ml_metadata::Context* context = rename.add_contexts();
  context->set_id(run_b_);
  context->set_type_id(context_type_);
  context->set_name("mine-now");
  ml_metadata::PutContextsResponse renamed;
  EXPECT_THAT(CALL_AS(kTeamA, PutContexts, rename, renamed),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Context WHERE name = "
                             "'mine-now'"),
            0);
}

TEST_F(NamespaceIsolationTest, LinksToInvisibleNodesAreNotFound) {
  const int64_t attributions = Count("Attribution");
  const int64_t associations = Count("Association");
  const int64_t events = Count("Event");
  const int64_t parents = Count("ParentContext");
  const int64_t executions = Count("Execution");

  ml_metadata::PutAttributionsAndAssociationsRequest attach;
  ml_metadata::Attribution* attribution = attach.add_attributions();
  attribution->set_context_id(run_a_);
  attribution->set_artifact_id(artifact_["loose"]);
  attach.add_attributions()->set_context_id(run_b_);
  attach.mutable_attributions(1)->set_artifact_id(artifact_["loose"]);
  ml_metadata::PutAttributionsAndAssociationsResponse attached;
  EXPECT_THAT(CALL_AS(kTeamA, PutAttributionsAndAssociations, attach, attached),
              StatusIs(absl::StatusCode::kNotFound));
  ml_metadata::PutAttributionsAndAssociationsRequest associate;
  ml_metadata::Association* association = associate.add_associations();
  association->set_context_id(run_a_);
  association->set_execution_id(execution_["exec-b"]);
  EXPECT_THAT(
      CALL_AS(kTeamA, PutAttributionsAndAssociations, associate, attached),
      StatusIs(absl::StatusCode::kNotFound));

  ml_metadata::PutEventsRequest event_request;
  ml_metadata::Event* event = event_request.add_events();
  event->set_artifact_id(artifact_["a2"]);
  event->set_execution_id(execution_["exec-b"]);
  event->set_type(ml_metadata::Event::INPUT);
  ml_metadata::PutEventsResponse put_events;
  EXPECT_THAT(CALL_AS(kTeamA, PutEvents, event_request, put_events),
              StatusIs(absl::StatusCode::kNotFound));

  ml_metadata::PutParentContextsRequest parent_request;
  ml_metadata::ParentContext* parent = parent_request.add_parent_contexts();
  parent->set_child_id(run_b_);
  parent->set_parent_id(run_a_);
  ml_metadata::PutParentContextsResponse put_parents;
  EXPECT_THAT(CALL_AS(kTeamA, PutParentContexts, parent_request, put_parents),
              StatusIs(absl::StatusCode::kNotFound));

  // PutExecution into team-b's run, by id and by name.
  ml_metadata::PutExecutionRequest put_execution;
  put_execution.mutable_execution()->set_type_id(execution_type_);
  ml_metadata::Context* run = put_execution.add_contexts();
  run->set_id(run_b_);
  run->set_type_id(context_type_);
  run->set_name("run-b");
  ml_metadata::PutExecutionResponse put;
  EXPECT_THAT(CALL_AS(kTeamA, PutExecution, put_execution, put),
              StatusIs(absl::StatusCode::kNotFound));
  run->clear_id();
  put_execution.mutable_options()->set_reuse_context_if_already_exist(true);
  EXPECT_THAT(CALL_AS(kTeamA, PutExecution, put_execution, put),
              StatusIs(absl::StatusCode::kNotFound));
  // An event naming team-b's artifact by id.
  ml_metadata::PutExecutionRequest consume;
  consume.mutable_execution()->set_type_id(execution_type_);
  auto* pair = consume.add_artifact_event_pairs();
  pair->mutable_event()->set_artifact_id(artifact_["b2"]);
  pair->mutable_event()->set_type(ml_metadata::Event::INPUT);
  EXPECT_THAT(CALL_AS(kTeamA, PutExecution, consume, put),
              StatusIs(absl::StatusCode::kNotFound));

  ml_metadata::PutLineageSubgraphRequest subgraph;
  subgraph.add_executions()->set_type_id(execution_type_);
  auto* edge = subgraph.add_event_edges();
  edge->set_execution_index(0);
  edge->mutable_event()->set_artifact_id(artifact_["b2"]);
  edge->mutable_event()->set_type(ml_metadata::Event::INPUT);
  ml_metadata::PutLineageSubgraphResponse put_subgraph;
  EXPECT_THAT(CALL_AS(kTeamA, PutLineageSubgraph, subgraph, put_subgraph),
              StatusIs(absl::StatusCode::kNotFound));

  EXPECT_EQ(Count("Attribution"), attributions);
  EXPECT_EQ(Count("Association"), associations);
  EXPECT_EQ(Count("Event"), events);
  EXPECT_EQ(Count("ParentContext"), parents);
  EXPECT_EQ(Count("Execution"), executions);

  // The same links inside the caller's namespace are made.
  attach.mutable_attributions()->RemoveLast();
  EXPECT_THAT(CALL_AS(kTeamA, PutAttributionsAndAssociations, attach, attached),
              IsOk());
  EXPECT_EQ(Count("Attribution"), attributions + 1);
  // ... after which the loose artifact is team-a's alone.
  EXPECT_EQ(ArtifactsById(kTeamB), Artifacts({"b1", "b2", "shared"}));
}

TEST_F(NamespaceIsolationTest, ContextsStayInTheCallersNamespaces) {
  const int64_t contexts = Count("Context");
  ml_metadata::PutContextsRequest create;
  ml_metadata::Context* context = create.add_contexts();
  context->set_type_id(context_type_);
  context->set_name("sneaky");
  (*context->mutable_custom_properties())["namespace"] = StringValue("team-b");
  ml_metadata::PutContextsResponse created;
  const absl::Status denied = CALL_AS(kTeamA, PutContexts, create, created);
  EXPECT_THAT(denied, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(denied.message(), HasSubstr("'team-b'"));
  EXPECT_THAT(CALL_AS(kNobody, PutContexts, create, created),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(Count("Context"), contexts);

  // Moving team-a's own run to team-b.
  ml_metadata::PutContextsRequest move;
  ml_metadata::Context* run = move.add_contexts();
  run->set_id(run_a_);
  run->set_type_id(context_type_);
  run->set_name("run-a");
  (*run->mutable_custom_properties())["namespace"] = StringValue("team-b");
  EXPECT_THAT(CALL_AS(kTeamA, PutContexts, move, created),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM ContextProperty WHERE context_id = ",
                run_a_, " AND string_value = 'team-a'")),
            1);
  // Nor through PutExecution's contexts.
  ml_metadata::PutExecutionRequest put_execution;
  put_execution.mutable_execution()->set_type_id(execution_type_);
  *put_execution.add_contexts() = create.contexts(0);
  ml_metadata::PutExecutionResponse put;
  EXPECT_THAT(CALL_AS(kTeamA, PutExecution, put_execution, put),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(Count("Context"), contexts);

  // In its own namespace it may.
  (*context->mutable_custom_properties())["namespace"] = StringValue("team-a");
  ASSERT_THAT(CALL_AS(kTeamA, PutContexts, create, created), IsOk());
  EXPECT_THAT(ContextIdsOf(kTeamB), ElementsAre(run_b_, public_context_));
}

// A caller that sees a context may remove its namespace: the context, and
// its nodes in no other namespace, become everyone's (README, Namespaces).
TEST_F(NamespaceIsolationTest, RemovingANamespacePublishesTheContext) {
  EXPECT_EQ(ArtifactsById(kTeamB), Artifacts({"b1", "b2", "shared", "loose"}));
  ml_metadata::PutContextsRequest publish;
  ml_metadata::Context* run = publish.add_contexts();
  run->set_id(run_a_);
  run->set_type_id(context_type_);
  run->set_name("run-a");
  ml_metadata::PutContextsResponse response;
  ASSERT_THAT(CALL_AS(kTeamA, PutContexts, publish, response), IsOk());
  EXPECT_EQ(ArtifactsById(kTeamB), AllArtifactIds());
  EXPECT_THAT(ContextIdsOf(kTeamB),
              ElementsAre(run_a_, run_b_, public_context_));
}

TEST_F(NamespaceIsolationTest, RetentionCannotDeleteInvisibleContexts) {
  auto retention = ::mlmdx::RetentionService::NewStub(grpc::CreateChannel(
      server_.address(), grpc::InsecureChannelCredentials()));
  ::mlmdx::DeleteContextsRequest request;
  request.add_context_ids(run_b_);
  ::mlmdx::DeleteContextsResponse response;
  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string("Bearer ") + kTeamA);
  EXPECT_THAT(FromGrpc(retention->DeleteContexts(&context, request, &response)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Context WHERE id = ", run_b_)),
            1);
  grpc::ClientContext owner;
  owner.AddMetadata("authorization", std::string("Bearer ") + kTeamB);
  EXPECT_THAT(FromGrpc(retention->DeleteContexts(&owner, request, &response)),
              IsOk());
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Context WHERE id = ", run_b_)),
            0);
}

// A weak context type (DeleteContextsRequest.weak_context_types) lets a
// deletion take nodes that other contexts of that type still hold, but
// only contexts the caller can see: team-a cannot take what team-b's run
// holds by calling it weak.
TEST_F(NamespaceIsolationTest, RetentionCountsOnlyVisibleContextsAsWeak) {
  // a2 is in both runs, and no execution touches it.
  ml_metadata::PutAttributionsAndAssociationsRequest link;
  link.add_attributions()->set_context_id(run_b_);
  link.mutable_attributions(0)->set_artifact_id(artifact_.at("a2"));
  ml_metadata::PutAttributionsAndAssociationsResponse linked;
  ASSERT_THAT(CALL_AS(kAdmin, PutAttributionsAndAssociations, link, linked),
              IsOk());
  auto retention = ::mlmdx::RetentionService::NewStub(grpc::CreateChannel(
      server_.address(), grpc::InsecureChannelCredentials()));
  ::mlmdx::DeleteContextsRequest request;
  request.add_context_ids(run_a_);
  request.add_weak_context_types("Run");
  request.set_dry_run(true);
  ::mlmdx::DeleteContextsResponse as_team_a, as_admin;
  grpc::ClientContext team_a;
  team_a.AddMetadata("authorization", std::string("Bearer ") + kTeamA);
  ASSERT_THAT(FromGrpc(retention->DeleteContexts(&team_a, request, &as_team_a)),
              IsOk());
  EXPECT_THAT(as_team_a.artifact_ids(), ElementsAre(artifact_.at("a1")));
  grpc::ClientContext admin;
  admin.AddMetadata("authorization", std::string("Bearer ") + kAdmin);
  ASSERT_THAT(FromGrpc(retention->DeleteContexts(&admin, request, &as_admin)),
              IsOk());
  EXPECT_THAT(as_admin.artifact_ids(),
              ElementsAre(artifact_.at("a1"), artifact_.at("a2")));
}

// Without authentication nothing is hidden, namespaces or not.
TEST(NamespacesWithoutAuthTest, EverythingIsVisible) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  auto stub = server.NewStub();
  const int64_t context_type = PutContextTypeOrDie(*stub, "Run");
  const int64_t artifact_type = PutArtifactTypeOrDie(*stub, "Data");
  ml_metadata::PutContextsRequest request;
  ml_metadata::Context* context = request.add_contexts();
  context->set_type_id(context_type);
  context->set_name("run-a");
  (*context->mutable_custom_properties())["namespace"] = StringValue("team-a");
  ml_metadata::PutContextsResponse created;
  ASSERT_THAT(MLMDX_CALL(*stub, PutContexts, request, created), IsOk());
  const std::vector<int64_t> artifacts =
      PutArtifactsOrDie(*stub, artifact_type, 2);
  ml_metadata::PutAttributionsAndAssociationsRequest attach;
  attach.add_attributions()->set_context_id(created.context_ids(0));
  attach.mutable_attributions(0)->set_artifact_id(artifacts[0]);
  ml_metadata::PutAttributionsAndAssociationsResponse attached;
  ASSERT_THAT(
      MLMDX_CALL(*stub, PutAttributionsAndAssociations, attach, attached),
      IsOk());
  ml_metadata::GetArtifactsRequest list;
  list.mutable_options()->set_max_result_size(10);
  ml_metadata::GetArtifactsResponse listed;
  ASSERT_THAT(MLMDX_CALL(*stub, GetArtifacts, list, listed), IsOk());
  EXPECT_THAT(IdsOf(listed.artifacts()), ElementsAreArray(artifacts));
  ml_metadata::GetContextsResponse contexts;
  ASSERT_THAT(MLMDX_CALL(*stub, GetContexts, ml_metadata::GetContextsRequest(),
                         contexts),
              IsOk());
  EXPECT_THAT(IdsOf(contexts.contexts()), ElementsAre(created.context_ids(0)));
}

}  // namespace
}  // namespace mlmdx::testing
