// Namespace isolation in lineage answers, against the real server with
// static tokens for team-a, team-b and `*`: two runs (a team-a run and a
// team-b run) share one input artifact. Each team's GetLineageSubgraph,
// GetLineageGraph and QueryLineage stop at the other team's nodes; `*`
// sees everything; moving a run to another namespace moves its nodes; a
// restarted server (its index rebuilt from the database) answers the same;
// and on PostgreSQL a second server over the same database learns the
// namespaces written through the first from the change log.

#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"
#include "util/status_macros.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::MetadataStoreService;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kTokens[] =
    "team-a-secret,alice,u-1,team-a\n"
    "team-b-secret,bob,u-2,team-b\n"
    "admin-secret,admin,u-0,*\n";
constexpr char kTeamA[] = "team-a-secret";
constexpr char kTeamB[] = "team-b-secret";
constexpr char kAdmin[] = "admin-secret";

// One call of `method` with `token` as bearer token; `read_after`, when
// not empty, is sent as mlmdx-read-after, and the answer's mlmdx-commit
// goes to `*commit`.
template <typename StubType, typename Request, typename Response>
absl::Status Call(StubType& stub,
                  grpc::Status (StubType::*method)(grpc::ClientContext*,
                                                   const Request&, Response*),
                  const std::string& token, const Request& request,
                  Response& response, const std::string& read_after = "",
                  std::string* commit = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  context.AddMetadata("authorization", "Bearer " + token);
  if (!read_after.empty()) context.AddMetadata("mlmdx-read-after", read_after);
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (commit != nullptr) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find("mlmdx-commit");
    if (it != trailers.end()) {
      commit->assign(it->second.data(), it->second.size());
    }
  }
  return FromGrpc(status);
}

// What a lineage answer holds, by ids.
struct Seen {
  std::vector<int64_t> artifacts;
  std::vector<int64_t> executions;
  std::vector<int64_t> contexts;
  // (artifact_id, execution_id) of each event.
  std::vector<std::pair<int64_t, int64_t>> events;
};

Seen SeenIn(const ml_metadata::LineageGraph& graph) {
  Seen seen;
  seen.artifacts = IdsOf(graph.artifacts());
  seen.executions = IdsOf(graph.executions());
  seen.contexts = IdsOf(graph.contexts());
  for (const auto& e : graph.events()) {
    seen.events.emplace_back(e.artifact_id(), e.execution_id());
  }
  return seen;
}

class NamespaceLineageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mlmdx_ns_lineage_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    tokens_ = dir_ + "/tokens.csv";
    std::ofstream(tokens_) << kTokens;
    server_ = std::make_unique<TestServer>();
    ASSERT_THAT(server_->Start(Flags()), IsOk());
    stub_ = server_->NewStub();
  }

  void TearDown() override {
    second_.reset();
    server_.reset();
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }

  std::vector<std::string> Flags() const {
    return {"--auth_token_file=" + tokens_, "--read_after_timeout_ms=10000"};
  }

  // Through `*`: a team-a run (context run_a_, with the pipeline context
  // pipeline_, in no namespace) whose execution exec_a_ reads the new
  // artifact shared_ and writes model_a_; then a team-b run (run_b_) whose
  // exec_b_ reads shared_ and writes model_b_. `*commit` gets the last
  // write's commit token.
  void WriteTwoRuns(std::string* commit = nullptr) {
    const int64_t dataset = PutArtifactType("Dataset");
    const int64_t trainer = PutExecutionType("Trainer");
    run_type_ = PutContextType("Run");

    ml_metadata::PutExecutionRequest a;
    a.mutable_execution()->set_type_id(trainer);
    auto* in = a.add_artifact_event_pairs();
    in->mutable_artifact()->set_type_id(dataset);
    in->mutable_event()->set_type(ml_metadata::Event::INPUT);
    auto* out = a.add_artifact_event_pairs();
    out->mutable_artifact()->set_type_id(dataset);
    out->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
    *a.add_contexts() = RunContext("run-a", "team-a");
    *a.add_contexts() = RunContext("pipeline", "");
    ml_metadata::PutExecutionResponse a_ids;
    ASSERT_THAT(Call(*stub_, &MetadataStoreService::Stub::PutExecution, kAdmin,
                     a, a_ids),
                IsOk());
    exec_a_ = a_ids.execution_id();
    shared_ = a_ids.artifact_ids(0);
    model_a_ = a_ids.artifact_ids(1);
    run_a_ = a_ids.context_ids(0);
    pipeline_ = a_ids.context_ids(1);

    ml_metadata::PutExecutionRequest b;
    b.mutable_execution()->set_type_id(trainer);
    auto* shared_in = b.add_artifact_event_pairs();
    shared_in->mutable_artifact()->set_id(shared_);
    shared_in->mutable_artifact()->set_type_id(dataset);
    shared_in->mutable_event()->set_type(ml_metadata::Event::INPUT);
    auto* out_b = b.add_artifact_event_pairs();
    out_b->mutable_artifact()->set_type_id(dataset);
    out_b->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
    *b.add_contexts() = RunContext("run-b", "team-b");
    ml_metadata::PutExecutionResponse b_ids;
    ASSERT_THAT(Call(*stub_, &MetadataStoreService::Stub::PutExecution, kAdmin,
                     b, b_ids, "", commit),
                IsOk());
    exec_b_ = b_ids.execution_id();
    model_b_ = b_ids.artifact_ids(1);
    run_b_ = b_ids.context_ids(0);
  }

  // A context of type Run named `name`, in namespace `ns` unless empty.
  ml_metadata::Context RunContext(const std::string& name,
                                  const std::string& ns) const {
    ml_metadata::Context context;
    context.set_type_id(run_type_);
    context.set_name(name);
    if (!ns.empty()) {
      (*context.mutable_custom_properties())["namespace"].set_string_value(ns);
    }
    return context;
  }

  // Moves run_b_ to namespace `ns` through `*` (a whole-context update).
  void MoveRunB(const std::string& ns, std::string* commit = nullptr) {
    ml_metadata::PutContextsRequest request;
    ml_metadata::Context* context = request.add_contexts();
    *context = RunContext("run-b", ns);
    context->set_id(run_b_);
    ml_metadata::PutContextsResponse response;
    ASSERT_THAT(Call(*stub_, &MetadataStoreService::Stub::PutContexts, kAdmin,
                     request, response, "", commit),
                IsOk());
  }

  // Puts a type of each kind through `*`.
  int64_t PutArtifactType(const std::string& name) {
    ml_metadata::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name(name);
    ml_metadata::PutArtifactTypeResponse response;
    EXPECT_THAT(Call(*stub_, &MetadataStoreService::Stub::PutArtifactType,
                     kAdmin, request, response),
                IsOk());
    return response.type_id();
  }
  int64_t PutExecutionType(const std::string& name) {
    ml_metadata::PutExecutionTypeRequest request;
    request.mutable_execution_type()->set_name(name);
    ml_metadata::PutExecutionTypeResponse response;
    EXPECT_THAT(Call(*stub_, &MetadataStoreService::Stub::PutExecutionType,
                     kAdmin, request, response),
                IsOk());
    return response.type_id();
  }
  int64_t PutContextType(const std::string& name) {
    ml_metadata::PutContextTypeRequest request;
    request.mutable_context_type()->set_name(name);
    ml_metadata::PutContextTypeResponse response;
    EXPECT_THAT(Call(*stub_, &MetadataStoreService::Stub::PutContextType,
                     kAdmin, request, response),
                IsOk());
    return response.type_id();
  }

  // GetLineageSubgraph from artifact `start`, both ways, 10 hops.
  absl::StatusOr<Seen> Subgraph(MetadataStoreService::Stub& stub,
                                const std::string& token, int64_t start,
                                const std::string& read_after = "") {
    ml_metadata::GetLineageSubgraphRequest request;
    auto* options = request.mutable_lineage_subgraph_query_options();
    options->mutable_starting_artifacts()->set_filter_query(
        absl::StrCat("id = ", start));
    options->set_max_num_hops(10);
    ml_metadata::GetLineageSubgraphResponse response;
    MLMDX_RETURN_IF_ERROR(Call(stub,
                               &MetadataStoreService::Stub::GetLineageSubgraph,
                               token, request, response, read_after));
    return SeenIn(response.lineage_subgraph());
  }

  // GetLineageGraph from the artifacts matching `filter`.
  absl::StatusOr<Seen> Graph(const std::string& token,
                             const std::string& filter) {
    ml_metadata::GetLineageGraphRequest request;
    request.mutable_options()->mutable_artifacts_options()->set_filter_query(
        filter);
    request.mutable_options()->mutable_stop_conditions()->set_max_num_hops(10);
    ml_metadata::GetLineageGraphResponse response;
    MLMDX_RETURN_IF_ERROR(Call(*stub_,
                               &MetadataStoreService::Stub::GetLineageGraph,
                               token, request, response));
    return SeenIn(response.subgraph());
  }

  // QueryLineage from artifact `start`, upstream, as a subgraph.
  absl::StatusOr<Seen> Upstream(const std::string& token, int64_t start) {
    auto stub = ::mlmdx::LineageService::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
    ::mlmdx::QueryLineageRequest request;
    request.set_start_artifacts_filter(absl::StrCat("id = ", start));
    request.set_direction(::mlmdx::QueryLineageRequest::UPSTREAM);
    ::mlmdx::QueryLineageResponse response;
    MLMDX_RETURN_IF_ERROR(Call(*stub,
                               &::mlmdx::LineageService::Stub::QueryLineage,
                               token, request, response));
    return SeenIn(response.subgraph());
  }

  // Both teams' and `*`'s subgraphs from shared_ with both runs in their
  // first namespaces.
  void ExpectEachTeamsSide(MetadataStoreService::Stub& stub,
                           const std::string& read_after = "") {
    absl::StatusOr<Seen> a = Subgraph(stub, kTeamA, shared_, read_after);
    ASSERT_THAT(a.status(), IsOk());
    EXPECT_THAT(a->artifacts, UnorderedElementsAre(shared_, model_a_));
    EXPECT_THAT(a->executions, ElementsAre(exec_a_));
    EXPECT_THAT(a->contexts, UnorderedElementsAre(run_a_, pipeline_));
    EXPECT_THAT(a->events,
                UnorderedElementsAre(std::make_pair(shared_, exec_a_),
                                     std::make_pair(model_a_, exec_a_)));

    absl::StatusOr<Seen> b = Subgraph(stub, kTeamB, shared_, read_after);
    ASSERT_THAT(b.status(), IsOk());
    EXPECT_THAT(b->artifacts, UnorderedElementsAre(shared_, model_b_));
    EXPECT_THAT(b->executions, ElementsAre(exec_b_));
    // The pipeline context is in no namespace: team-b sees it, through the
    // shared artifact.
    EXPECT_THAT(b->contexts, UnorderedElementsAre(pipeline_, run_b_));
    EXPECT_THAT(b->events,
                UnorderedElementsAre(std::make_pair(shared_, exec_b_),
                                     std::make_pair(model_b_, exec_b_)));

    absl::StatusOr<Seen> all = Subgraph(stub, kAdmin, shared_, read_after);
    ASSERT_THAT(all.status(), IsOk());
    EXPECT_THAT(all->artifacts,
                UnorderedElementsAre(shared_, model_a_, model_b_));
    EXPECT_THAT(all->executions, UnorderedElementsAre(exec_a_, exec_b_));
    EXPECT_THAT(all->contexts, UnorderedElementsAre(run_a_, pipeline_, run_b_));
    EXPECT_EQ(all->events.size(), 4u);

    // The other team's model is no place to start from.
    EXPECT_THAT(Subgraph(stub, kTeamA, model_b_, read_after).status(),
                StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(Subgraph(stub, kTeamB, model_a_, read_after).status(),
                StatusIs(absl::StatusCode::kNotFound));
  }

  // With run_b_ moved to team-a: team-a sees both runs, team-b nothing (the
  // shared artifact is now in team-a's namespace only).
  void ExpectRunBMovedToTeamA(MetadataStoreService::Stub& stub,
                              const std::string& read_after = "") {
    absl::StatusOr<Seen> a = Subgraph(stub, kTeamA, model_b_, read_after);
    ASSERT_THAT(a.status(), IsOk());
    EXPECT_THAT(a->artifacts,
                UnorderedElementsAre(shared_, model_a_, model_b_));
    EXPECT_THAT(a->executions, UnorderedElementsAre(exec_a_, exec_b_));
    EXPECT_THAT(a->contexts, UnorderedElementsAre(run_a_, pipeline_, run_b_));
    EXPECT_THAT(Subgraph(stub, kTeamB, shared_, read_after).status(),
                StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(Subgraph(stub, kTeamB, model_b_, read_after).status(),
                StatusIs(absl::StatusCode::kNotFound));
  }

  std::string dir_;
  std::string tokens_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<TestServer> second_;
  std::unique_ptr<MetadataStoreService::Stub> stub_;
  int64_t run_type_ = 0;
  int64_t exec_a_ = 0, exec_b_ = 0;
  int64_t shared_ = 0, model_a_ = 0, model_b_ = 0;
  int64_t run_a_ = 0, run_b_ = 0, pipeline_ = 0;
};

TEST_F(NamespaceLineageTest, SubgraphStopsAtTheOtherTeamsNodes) {
  WriteTwoRuns();
  ExpectEachTeamsSide(*stub_);
}

TEST_F(NamespaceLineageTest, LineageGraphStopsAtTheOtherTeamsNodes) {
  WriteTwoRuns();
  absl::StatusOr<Seen> b = Graph(kTeamB, absl::StrCat("id = ", shared_));
  ASSERT_THAT(b.status(), IsOk());
  EXPECT_THAT(b->artifacts, UnorderedElementsAre(shared_, model_b_));
  EXPECT_THAT(b->executions, ElementsAre(exec_b_));
  EXPECT_THAT(b->events,
              UnorderedElementsAre(std::make_pair(shared_, exec_b_),
                                   std::make_pair(model_b_, exec_b_)));
  absl::StatusOr<Seen> all = Graph(kAdmin, absl::StrCat("id = ", shared_));
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_THAT(all->executions, UnorderedElementsAre(exec_a_, exec_b_));
}

TEST_F(NamespaceLineageTest, QueryLineageStopsAtTheOtherTeamsNodes) {
  WriteTwoRuns();
  absl::StatusOr<Seen> a = Upstream(kTeamA, model_a_);
  ASSERT_THAT(a.status(), IsOk());
  EXPECT_THAT(a->artifacts, UnorderedElementsAre(shared_, model_a_));
  EXPECT_THAT(a->executions, ElementsAre(exec_a_));
  EXPECT_THAT(Upstream(kTeamB, model_a_).status(),
              StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<Seen> all = Upstream(kAdmin, model_b_);
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_THAT(all->executions, ElementsAre(exec_b_));
  EXPECT_THAT(all->artifacts, UnorderedElementsAre(shared_, model_b_));
}

TEST_F(NamespaceLineageTest, ChangingARunsNamespaceMovesItsNodes) {
  WriteTwoRuns();
  MoveRunB("team-a");
  ExpectRunBMovedToTeamA(*stub_);
  // Back in team-b, and then in no namespace: team-b's run is everyone's,
  // but the shared artifact stays in team-a's run.
  MoveRunB("team-b");
  ExpectEachTeamsSide(*stub_);
  MoveRunB("");
  absl::StatusOr<Seen> b = Subgraph(*stub_, kTeamB, model_b_);
  ASSERT_THAT(b.status(), IsOk());
  EXPECT_THAT(b->artifacts, ElementsAre(model_b_));
  EXPECT_THAT(b->executions, ElementsAre(exec_b_));
  EXPECT_THAT(b->contexts, ElementsAre(run_b_));
}

TEST_F(NamespaceLineageTest, ARestartedServerAnswersTheSame) {
  WriteTwoRuns();
  ExpectEachTeamsSide(*stub_);
  server_->Stop();
  ASSERT_THAT(server_->Start(Flags()), IsOk());
  stub_ = server_->NewStub();
  ExpectEachTeamsSide(*stub_);
  MoveRunB("team-a");
  server_->Stop();
  ASSERT_THAT(server_->Start(Flags()), IsOk());
  stub_ = server_->NewStub();
  ExpectRunBMovedToTeamA(*stub_);
}

TEST_F(NamespaceLineageTest, ASecondServerFollowsTheNamespacesOnPostgres) {
  if (server_->backend() != TestBackend::kPostgres) {
    GTEST_SKIP() << "one SQLite file has one server";
  }
  // Started before the writes: it learns them from the change log, not
  // from its start-up scan.
  second_ = std::make_unique<TestServer>(server_->db_path());
  ASSERT_THAT(second_->Start(Flags()), IsOk());
  auto second_stub = second_->NewStub();
  std::string commit;
  WriteTwoRuns(&commit);
  ASSERT_FALSE(commit.empty());
  ExpectEachTeamsSide(*second_stub, commit);
  MoveRunB("team-a", &commit);
  ExpectRunBMovedToTeamA(*second_stub, commit);
}

}  // namespace
}  // namespace mlmdx::testing
