// mlmdx.RetentionService/DeleteContexts end to end (proto/mlmdx/
// retention_service.proto): what a deletion takes and what it leaves, that
// a dry run changes nothing, that lineage (MLMD's and mlmdx's) no longer
// reaches deleted nodes, before and after a restart, and the refusals.
// Runs on SQLite and (as pg.*) on PostgreSQL.

#include <grpcpp/create_channel.h>
#include <libpq-fe.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "mlmdx/retention_service.grpc.pb.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::Event;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Names = std::set<std::string>;

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    Connect();
    auto types = ParseTextProto<ml_metadata::PutTypesRequest>(
        "artifact_types { name: 'Data' } execution_types { name: 'Step' } "
        "context_types { name: 'Run' }");
    ml_metadata::PutTypesResponse type_ids;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutTypes, types, type_ids), IsOk());
    artifact_type_ = type_ids.artifact_type_ids(0);
    execution_type_ = type_ids.execution_type_ids(0);
    context_type_ = type_ids.context_type_ids(0);
  }

  void Connect() {
    stub_ = server_.NewStub();
    auto channel = grpc::CreateChannel(server_.address(),
                                       grpc::InsecureChannelCredentials());
    lineage_ = ::mlmdx::LineageService::NewStub(channel);
    retention_ = ::mlmdx::RetentionService::NewStub(channel);
  }

  void Restart(const std::vector<std::string>& flags = {}) {
    ASSERT_EQ(server_.Stop(), 0);
    ASSERT_THAT(server_.Start(flags), IsOk());
    Connect();
  }

  // Nodes named `name`, each with a custom property, so that property rows
  // exist to be deleted.
  template <typename Node>
  static void Describe(Node* node, int64_t type_id, const std::string& name) {
    node->set_type_id(type_id);
    node->set_name(name);
    (*node->mutable_custom_properties())["note"].set_string_value(name);
  }

  void Artifact(const std::string& name) {
    ml_metadata::PutArtifactsRequest request;
    Describe(request.add_artifacts(), artifact_type_, name);
    ml_metadata::PutArtifactsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
    Name('a', name, response.artifact_ids(0));
  }

  void Execution(const std::string& name) {
    ml_metadata::PutExecutionsRequest request;
    Describe(request.add_executions(), execution_type_, name);
    ml_metadata::PutExecutionsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, request, response), IsOk());
    Name('e', name, response.execution_ids(0));
  }

  void Context(const std::string& name) {
    ml_metadata::PutContextsRequest request;
    Describe(request.add_contexts(), context_type_, name);
    ml_metadata::PutContextsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, request, response), IsOk());
    Name('c', name, response.context_ids(0));
  }

  // `kind`: 'a'rtifact, 'e'xecution or 'c'ontext.
  void Name(char kind, const std::string& name, int64_t id) {
    id_[name] = id;
    name_[{kind, id}] = name;
  }

  // An event with a path step, so that EventPath rows exist too.
  void Link(const std::string& artifact, const std::string& execution,
            Event::Type type) {
    ml_metadata::PutEventsRequest request;
    Event* event = request.add_events();
    event->set_artifact_id(id_.at(artifact));
    event->set_execution_id(id_.at(execution));
    event->set_type(type);
    event->mutable_path()->add_steps()->set_key(artifact);
    ml_metadata::PutEventsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutEvents, request, response), IsOk());
  }

  void Attribute(const std::string& context, const std::string& artifact) {
    ml_metadata::PutAttributionsAndAssociationsRequest request;
    auto* link = request.add_attributions();
    link->set_context_id(id_.at(context));
    link->set_artifact_id(id_.at(artifact));
    ml_metadata::PutAttributionsAndAssociationsResponse response;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, PutAttributionsAndAssociations, request, response),
        IsOk());
  }

  void Associate(const std::string& context, const std::string& execution) {
    ml_metadata::PutAttributionsAndAssociationsRequest request;
    auto* link = request.add_associations();
    link->set_context_id(id_.at(context));
    link->set_execution_id(id_.at(execution));
    ml_metadata::PutAttributionsAndAssociationsResponse response;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, PutAttributionsAndAssociations, request, response),
        IsOk());
  }

  void Parent(const std::string& child, const std::string& parent) {
    ml_metadata::PutParentContextsRequest request;
    auto* link = request.add_parent_contexts();
    link->set_child_id(id_.at(child));
    link->set_parent_id(id_.at(parent));
    ml_metadata::PutParentContextsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutParentContexts, request, response),
                IsOk());
  }

  // Pipeline `pipeline` with runs `run-a` (kept) and `run-b` (deleted by
  // the tests). run-a's step a1 writes `shared`, which run-b's b1 reads and
  // which both runs hold; b1 writes `b-out`, which b2 reads to write
  // `b-out2`. `free`, an execution in no context, reads `f`, which run-b
  // holds. `lonely` is in nothing at all. `sub` is a child of run-b.
  void BuildTwoRuns() {
    for (const char* name : {"pipeline", "run-a", "run-b", "sub"}) {
      Context(name);
    }
    for (const char* name : {"a1", "b1", "b2", "free"}) Execution(name);
    for (const char* name : {"shared", "b-out", "b-out2", "f", "lonely"}) {
      Artifact(name);
    }
    Link("shared", "a1", Event::OUTPUT);
    Link("shared", "b1", Event::INPUT);
    Link("b-out", "b1", Event::OUTPUT);
    Link("b-out", "b2", Event::INPUT);
    Link("b-out2", "b2", Event::OUTPUT);
    Link("f", "free", Event::INPUT);
    Attribute("run-a", "shared");
    Attribute("run-b", "shared");
    Attribute("run-b", "b-out");
    Attribute("run-b", "b-out2");
    Attribute("run-b", "f");
    Associate("run-a", "a1");
    Associate("run-b", "b1");
    Associate("run-b", "b2");
    Parent("run-a", "pipeline");
    Parent("run-b", "pipeline");
    Parent("sub", "run-b");
  }

  absl::Status Delete(const std::vector<std::string>& contexts, bool dry_run,
                      ::mlmdx::DeleteContextsResponse& response) {
    ::mlmdx::DeleteContextsRequest request;
    for (const std::string& name : contexts) {
      request.add_context_ids(id_.at(name));
    }
    request.set_dry_run(dry_run);
    return MLMDX_CALL(*retention_, DeleteContexts, request, response);
  }

  template <typename Ids>
  Names NamesOf(char kind, const Ids& ids) {
    Names names;
    for (int64_t id : ids) names.insert(name_.at({kind, id}));
    return names;
  }

  // Everything a client can list, as text: every node with its properties,
  // every event with its path, every context's links both ways.
  std::string Dump() {
    std::string out;
    ml_metadata::GetArtifactsRequest artifacts_request;
    ml_metadata::GetArtifactsResponse artifacts;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifacts, artifacts_request, artifacts),
                IsOk());
    ml_metadata::GetExecutionsRequest executions_request;
    ml_metadata::GetExecutionsResponse executions;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetExecutions, executions_request, executions),
        IsOk());
    ml_metadata::GetContextsRequest contexts_request;
    ml_metadata::GetContextsResponse contexts;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetContexts, contexts_request, contexts),
                IsOk());
    ml_metadata::GetEventsByArtifactIDsRequest events_request;
    for (const auto& a : artifacts.artifacts()) {
      events_request.add_artifact_ids(a.id());
    }
    ml_metadata::GetEventsByArtifactIDsResponse events;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetEventsByArtifactIDs, events_request, events),
        IsOk());
    absl::StrAppend(&out, artifacts.DebugString(), executions.DebugString(),
                    contexts.DebugString(), events.DebugString());
    for (const auto& c : contexts.contexts()) {
      ml_metadata::GetArtifactsByContextRequest by_context;
      by_context.set_context_id(c.id());
      ml_metadata::GetArtifactsByContextResponse held;
      EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactsByContext, by_context, held),
                  IsOk());
      ml_metadata::GetExecutionsByContextRequest by_context_e;
      by_context_e.set_context_id(c.id());
      ml_metadata::GetExecutionsByContextResponse held_e;
      EXPECT_THAT(
          MLMDX_CALL(*stub_, GetExecutionsByContext, by_context_e, held_e),
          IsOk());
      ml_metadata::GetParentContextsByContextRequest parents_request;
      parents_request.set_context_id(c.id());
      ml_metadata::GetParentContextsByContextResponse parents;
      EXPECT_THAT(MLMDX_CALL(*stub_, GetParentContextsByContext,
                             parents_request, parents),
                  IsOk());
      absl::StrAppend(
          &out, "context ", c.id(), " artifacts ",
          absl::StrJoin(IdsOf(held.artifacts()), ","), " executions ",
          absl::StrJoin(IdsOf(held_e.executions()), ","), " parents ",
          absl::StrJoin(IdsOf(parents.contexts()), ","), "\n");
    }
    return out;
  }

  struct Reached {
    Names artifacts;
    Names executions;
    Names contexts;
  };

  // What GetLineageSubgraph reaches from artifact `start`, both ways.
  Reached SubgraphFrom(const std::string& start) {
    ml_metadata::GetLineageSubgraphRequest request;
    auto* options = request.mutable_lineage_subgraph_query_options();
    options->mutable_starting_artifacts()->set_filter_query(
        absl::StrCat("id = ", id_.at(start)));
    options->set_max_num_hops(20);
    ml_metadata::GetLineageSubgraphResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetLineageSubgraph, request, response),
                IsOk());
    return ReachedIn(response.lineage_subgraph());
  }

  // What mlmdx.LineageService reaches from artifact `start`, both ways.
  Reached QueryFrom(const std::string& start) {
    ::mlmdx::QueryLineageRequest request;
    request.set_start_artifacts_filter(absl::StrCat("id = ", id_.at(start)));
    request.set_max_hops(20);
    ::mlmdx::QueryLineageResponse response;
    EXPECT_THAT(MLMDX_CALL(*lineage_, QueryLineage, request, response), IsOk());
    return ReachedIn(response.subgraph());
  }

  Reached ReachedIn(const ml_metadata::LineageGraph& graph) {
    Reached reached;
    reached.artifacts = NamesOf('a', IdsOf(graph.artifacts()));
    reached.executions = NamesOf('e', IdsOf(graph.executions()));
    reached.contexts = NamesOf('c', IdsOf(graph.contexts()));
    for (const auto& event : graph.events()) {
      EXPECT_TRUE(
          reached.artifacts.count(name_.at({'a', event.artifact_id()})));
      EXPECT_TRUE(
          reached.executions.count(name_.at({'e', event.execution_id()})));
    }
    return reached;
  }

  // Rows left in MLMD's tables that name `name`'s id in `column`.
  int64_t RowsNaming(const std::string& table, const std::string& column,
                     const std::string& name) {
    return server_.QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", table,
                                         " WHERE ", column, " = ",
                                         id_.at(name)));
  }

  // `shared_contexts`: the contexts that still hold `shared`.
  void ExpectRunBGone(const Names& shared_contexts = {"run-a"}) {
    for (const char* e : {"b1", "b2"}) {
      EXPECT_EQ(RowsNaming("Execution", "id", e), 0) << e;
      EXPECT_EQ(RowsNaming("ExecutionProperty", "execution_id", e), 0) << e;
      EXPECT_EQ(RowsNaming("Event", "execution_id", e), 0) << e;
      EXPECT_EQ(RowsNaming("Association", "execution_id", e), 0) << e;
    }
    for (const char* a : {"b-out", "b-out2"}) {
      EXPECT_EQ(RowsNaming("Artifact", "id", a), 0) << a;
      EXPECT_EQ(RowsNaming("ArtifactProperty", "artifact_id", a), 0) << a;
      EXPECT_EQ(RowsNaming("Event", "artifact_id", a), 0) << a;
      EXPECT_EQ(RowsNaming("Attribution", "artifact_id", a), 0) << a;
    }
    EXPECT_EQ(RowsNaming("Context", "id", "run-b"), 0);
    EXPECT_EQ(RowsNaming("ContextProperty", "context_id", "run-b"), 0);
    EXPECT_EQ(RowsNaming("Attribution", "context_id", "run-b"), 0);
    EXPECT_EQ(RowsNaming("Association", "context_id", "run-b"), 0);
    EXPECT_EQ(RowsNaming("ParentContext", "context_id", "run-b"), 0);
    EXPECT_EQ(RowsNaming("ParentContext", "parent_context_id", "run-b"), 0);
    // Paths of deleted events: every path row belongs to a remaining event.
    EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM EventPath WHERE "
                               "event_id NOT IN (SELECT id FROM Event)"),
              0);
    EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM EventPath"), 2);

    // Lineage reaches only what remains, from every side (QueryLineage's
    // answers carry no contexts).
    for (const Reached& reached :
         {SubgraphFrom("shared"), QueryFrom("shared")}) {
      EXPECT_EQ(reached.artifacts, Names({"shared"}));
      EXPECT_EQ(reached.executions, Names({"a1"}));
    }
    EXPECT_EQ(SubgraphFrom("shared").contexts, shared_contexts);
    for (const Reached& reached : {SubgraphFrom("f"), QueryFrom("f")}) {
      EXPECT_EQ(reached.artifacts, Names({"f"}));
      EXPECT_EQ(reached.executions, Names({"free"}));
      EXPECT_THAT(reached.contexts, IsEmpty());
    }
    // A deleted node is no starting point any more.
    ml_metadata::GetLineageSubgraphRequest request;
    request.mutable_lineage_subgraph_query_options()
        ->mutable_starting_artifacts()
        ->set_filter_query(absl::StrCat("id = ", id_.at("b-out")));
    ml_metadata::GetLineageSubgraphResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetLineageSubgraph, request, response),
                StatusIs(absl::StatusCode::kNotFound));
    ::mlmdx::QueryLineageRequest query;
    query.set_start_executions_filter(absl::StrCat("id = ", id_.at("b1")));
    ::mlmdx::QueryLineageResponse answer;
    EXPECT_THAT(MLMDX_CALL(*lineage_, QueryLineage, query, answer),
                StatusIs(absl::StatusCode::kNotFound));
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
  std::unique_ptr<::mlmdx::LineageService::Stub> lineage_;
  std::unique_ptr<::mlmdx::RetentionService::Stub> retention_;
  int64_t artifact_type_ = 0, execution_type_ = 0, context_type_ = 0;
  // Names are unique across kinds; ids are not.
  std::map<std::string, int64_t> id_;
  std::map<std::pair<char, int64_t>, std::string> name_;
};

TEST_F(RetentionTest, DryRunReturnsTheSameIdsAndChangesNothing) {
  BuildTwoRuns();
  const std::string before = Dump();
  const Reached lineage_before = SubgraphFrom("shared");
  EXPECT_EQ(lineage_before.executions, Names({"a1", "b1", "b2"}));

  ::mlmdx::DeleteContextsResponse dry;
  ASSERT_THAT(Delete({"run-b"}, /*dry_run=*/true, dry), IsOk());
  EXPECT_EQ(NamesOf('c', dry.context_ids()), Names({"run-b"}));
  EXPECT_EQ(NamesOf('e', dry.execution_ids()), Names({"b1", "b2"}));
  EXPECT_EQ(NamesOf('a', dry.artifact_ids()), Names({"b-out", "b-out2"}));
  EXPECT_EQ(Dump(), before);
  const Reached lineage_after = SubgraphFrom("shared");
  EXPECT_EQ(lineage_after.artifacts, lineage_before.artifacts);
  EXPECT_EQ(lineage_after.executions, lineage_before.executions);
  EXPECT_EQ(lineage_after.contexts, lineage_before.contexts);

  // The real deletion answers the same ids.
  ::mlmdx::DeleteContextsResponse done;
  ASSERT_THAT(Delete({"run-b"}, /*dry_run=*/false, done), IsOk());
  EXPECT_THAT(done, EqualsProto(dry));
  EXPECT_NE(Dump(), before);
}

TEST_F(RetentionTest, DeletesTheRunAndWhatOnlyItHeldAndKeepsTheRest) {
  BuildTwoRuns();
  ::mlmdx::DeleteContextsResponse response;
  ASSERT_THAT(Delete({"run-b"}, /*dry_run=*/false, response), IsOk());
  EXPECT_THAT(response.context_ids(), ElementsAre(id_.at("run-b")));
  EXPECT_THAT(response.execution_ids(),
              ElementsAre(id_.at("b1"), id_.at("b2")));
  EXPECT_THAT(response.artifact_ids(),
              ElementsAre(id_.at("b-out"), id_.at("b-out2")));
  ExpectRunBGone();

  // What remains is whole: the shared artifact with its one event and its
  // run; `f`, held only by the deleted run but read by an execution in no
  // context; `lonely`; the pipeline and run-a; `sub`, run-b's child.
  ml_metadata::GetArtifactsByIDRequest artifacts_request;
  for (const char* a : {"shared", "f", "lonely"}) {
    artifacts_request.add_artifact_ids(id_.at(a));
  }
  ml_metadata::GetArtifactsByIDResponse artifacts;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifactsByID, artifacts_request, artifacts),
      IsOk());
  ASSERT_EQ(artifacts.artifacts_size(), 3);
  EXPECT_EQ(
      artifacts.artifacts(0).custom_properties().at("note").string_value(),
      "shared");
  ml_metadata::GetEventsByArtifactIDsRequest events_request;
  events_request.add_artifact_ids(id_.at("shared"));
  ml_metadata::GetEventsByArtifactIDsResponse events;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetEventsByArtifactIDs, events_request, events),
      IsOk());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).execution_id(), id_.at("a1"));
  EXPECT_EQ(events.events(0).path().steps(0).key(), "shared");
  ml_metadata::GetContextsByArtifactRequest held_request;
  held_request.set_artifact_id(id_.at("shared"));
  ml_metadata::GetContextsByArtifactResponse held;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByArtifact, held_request, held),
              IsOk());
  EXPECT_EQ(NamesOf('c', IdsOf(held.contexts())), Names({"run-a"}));
  ml_metadata::GetChildrenContextsByContextRequest children_request;
  children_request.set_context_id(id_.at("pipeline"));
  ml_metadata::GetChildrenContextsByContextResponse children;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetChildrenContextsByContext, children_request,
                         children),
              IsOk());
  EXPECT_EQ(NamesOf('c', IdsOf(children.contexts())), Names({"run-a"}));
  EXPECT_EQ(RowsNaming("Context", "id", "sub"), 1);
  EXPECT_EQ(RowsNaming("Execution", "id", "free"), 1);
  EXPECT_EQ(RowsNaming("Execution", "id", "a1"), 1);

  // The index rebuilt from the database at start-up agrees.
  Restart();
  ExpectRunBGone();

  // Deleting the last run takes the shared artifact with it now.
  ASSERT_THAT(Delete({"run-a"}, /*dry_run=*/false, response), IsOk());
  EXPECT_EQ(NamesOf('e', response.execution_ids()), Names({"a1"}));
  EXPECT_EQ(NamesOf('a', response.artifact_ids()), Names({"shared"}));
}

// Kubeflow Pipelines puts every node of a run in the pipeline's context as
// well as the run's. Naming the pipeline's context type weak lets deleting
// a run take what only the run and the pipeline hold; the pipeline's
// context stays, holding the other run's nodes.
TEST_F(RetentionTest, WeakContextTypesDoNotKeepNodes) {
  BuildTwoRuns();
  ml_metadata::PutContextTypeRequest type_request;
  type_request.mutable_context_type()->set_name("Pipeline");
  ml_metadata::PutContextTypeResponse type;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContextType, type_request, type), IsOk());
  ml_metadata::PutContextsRequest context_request;
  Describe(context_request.add_contexts(), type.type_id(), "kfp-pipeline");
  ml_metadata::PutContextsResponse context;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, context_request, context),
              IsOk());
  Name('c', "kfp-pipeline", context.context_ids(0));
  for (const char* e : {"a1", "b1", "b2"}) Associate("kfp-pipeline", e);
  for (const char* a : {"shared", "b-out", "b-out2"}) {
    Attribute("kfp-pipeline", a);
  }

  // The pipeline's context keeps everything when its type is not named.
  ::mlmdx::DeleteContextsResponse strong;
  ASSERT_THAT(Delete({"run-b"}, /*dry_run=*/true, strong), IsOk());
  EXPECT_THAT(strong.execution_ids(), IsEmpty());
  EXPECT_THAT(strong.artifact_ids(), IsEmpty());

  ::mlmdx::DeleteContextsRequest request;
  request.add_context_ids(id_.at("run-b"));
  // A name no type has changes nothing; an artifact type's name is no
  // context type's.
  for (const char* name : {"Pipeline", "NoSuchType", "Data"}) {
    request.add_weak_context_types(name);
  }
  ::mlmdx::DeleteContextsResponse response;
  ASSERT_THAT(MLMDX_CALL(*retention_, DeleteContexts, request, response),
              IsOk());
  EXPECT_THAT(response.context_ids(), ElementsAre(id_.at("run-b")));
  EXPECT_THAT(response.execution_ids(),
              ElementsAre(id_.at("b1"), id_.at("b2")));
  EXPECT_THAT(response.artifact_ids(),
              ElementsAre(id_.at("b-out"), id_.at("b-out2")));
  // No link to the pipeline's context is left naming a deleted node.
  const Names shared_contexts = {"run-a", "kfp-pipeline"};
  ExpectRunBGone(shared_contexts);
  const auto pipeline_holds = [&] {
    ml_metadata::GetArtifactsByContextRequest artifacts_request;
    artifacts_request.set_context_id(id_.at("kfp-pipeline"));
    ml_metadata::GetArtifactsByContextResponse artifacts;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_request, artifacts),
        IsOk());
    ml_metadata::GetExecutionsByContextRequest executions_request;
    executions_request.set_context_id(id_.at("kfp-pipeline"));
    ml_metadata::GetExecutionsByContextResponse executions;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, executions_request,
                           executions),
                IsOk());
    return std::make_pair(NamesOf('a', IdsOf(artifacts.artifacts())),
                          NamesOf('e', IdsOf(executions.executions())));
  };
  EXPECT_EQ(pipeline_holds(), std::make_pair(Names({"shared"}), Names({"a1"})));

  Restart();
  ExpectRunBGone(shared_contexts);
  EXPECT_EQ(pipeline_holds(), std::make_pair(Names({"shared"}), Names({"a1"})));
}

// Another server's write in flight when a deletion starts: the deletion
// waits for it and sees it. Here the other server is a plain PostgreSQL
// session that, as every mlmdx write does, holds the deletion lock shared,
// and adds an event from run-a's a1 to b-out (which deleting run-b would
// otherwise take) without committing yet. A deletion that decided before
// the event committed would delete b-out under it.
TEST_F(RetentionTest, ADeletionWaitsForAnotherServersWriteInFlight) {
  if (server_.backend() != TestBackend::kPostgres) {
    GTEST_SKIP() << "one SQLite file has one writer at a time";
  }
  BuildTwoRuns();
  std::unique_ptr<PGconn, void (*)(PGconn*)> other(
      PQconnectdb(server_.db_path().c_str()), PQfinish);
  ASSERT_EQ(PQstatus(other.get()), CONNECTION_OK)
      << PQerrorMessage(other.get());
  const auto exec = [&](const std::string& sql) {
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(
        PQexec(other.get(), sql.c_str()), PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    EXPECT_TRUE(status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        << sql << ": " << PQresultErrorMessage(result.get());
  };
  exec(
      absl::StrCat("BEGIN; SELECT pg_advisory_xact_lock_shared(1835822456, "
                   "hashtext('mlmdx.deletion')); "
                   "INSERT INTO Event (artifact_id, execution_id, type, "
                   "milliseconds_since_epoch) VALUES (",
                   id_.at("b-out"), ", ", id_.at("a1"), ", ",
                   static_cast<int>(Event::INPUT), ", 1)"));

  std::future<absl::Status> deletion = std::async(std::launch::async, [&] {
    ::mlmdx::DeleteContextsResponse response;
    absl::Status status = Delete({"run-b"}, /*dry_run=*/false, response);
    if (status.ok()) {
      EXPECT_THAT(response.artifact_ids(), ElementsAre(id_.at("b-out2")));
    }
    return status;
  });
  // The deletion must queue behind the open write: its lock request shows
  // in pg_locks as not granted. A deletion that finishes first did not
  // wait.
  bool waiting = false;
  for (int i = 0; i < 600 && !waiting; ++i) {
    if (deletion.wait_for(std::chrono::milliseconds(50)) ==
        std::future_status::ready) {
      break;
    }
    waiting = server_.QueryInt(
                  "SELECT COUNT(*) FROM pg_locks WHERE "
                  "locktype = 'advisory' AND NOT granted") > 0;
  }
  EXPECT_TRUE(waiting) << "the deletion did not wait for the open write";
  exec("COMMIT");
  ASSERT_THAT(deletion.get(), IsOk());
  EXPECT_EQ(RowsNaming("Artifact", "id", "b-out"), 1);
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Event WHERE artifact_id "
                             "NOT IN (SELECT id FROM Artifact) OR "
                             "execution_id NOT IN (SELECT id FROM Execution)"),
            0);
}

TEST_F(RetentionTest, RefusalsNameTheFieldAndDeleteNothing) {
  BuildTwoRuns();
  const std::string before = Dump();
  ::mlmdx::DeleteContextsRequest request;
  ::mlmdx::DeleteContextsResponse response;
  const absl::Status empty =
      MLMDX_CALL(*retention_, DeleteContexts, request, response);
  EXPECT_THAT(empty, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(empty.message()), HasSubstr("context_ids"));
  request.add_context_ids(id_.at("run-b"));
  request.add_context_ids(987654);
  const absl::Status unknown =
      MLMDX_CALL(*retention_, DeleteContexts, request, response);
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(unknown.message()), HasSubstr("987654"));
  EXPECT_EQ(Dump(), before);

  Restart({"--max_request_list_length=1"});
  request.clear_context_ids();
  request.add_context_ids(id_.at("run-a"));
  request.add_context_ids(id_.at("run-b"));
  const absl::Status too_long =
      MLMDX_CALL(*retention_, DeleteContexts, request, response);
  EXPECT_THAT(too_long, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(too_long.message()),
              HasSubstr("--max_request_list_length"));
  // Dump itself lists more than one id per request.
  Restart();
  EXPECT_EQ(Dump(), before);
}

}  // namespace
}  // namespace mlmdx::testing
