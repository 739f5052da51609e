// mlmdx.LineageService/QueryLineage through the real server, on a
// KFP-shaped store with two runs (run 2 reuses run 1's dataset):
//
//   d1 --> t1 --> m1 --> v1 --> x1
//   d1, d2 --> t2 --> m2 --> v2 --> x2
//
// d* are system.Dataset, m* system.Model, x* system.Metrics; t* (train) and
// v* (evaluate) are executions.

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::Event;
using Request = ::mlmdx::QueryLineageRequest;
using Names = std::set<std::string>;

class LineageQueryRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    lineage_ = ::mlmdx::LineageService::NewStub(grpc::CreateChannel(
        server_.address(), grpc::InsecureChannelCredentials()));
    auto types = ParseTextProto<ml_metadata::PutTypesRequest>(
        "artifact_types { name: 'system.Dataset' } "
        "artifact_types { name: 'system.Model' } "
        "artifact_types { name: 'system.Metrics' } "
        "execution_types { name: 'system.ContainerExecution' }");
    ml_metadata::PutTypesResponse ids;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutTypes, types, ids), IsOk());
    for (const char* d : {"d1", "d2"}) PutArtifact(d, ids.artifact_type_ids(0));
    for (const char* m : {"m1", "m2"}) PutArtifact(m, ids.artifact_type_ids(1));
    for (const char* x : {"x1", "x2"}) PutArtifact(x, ids.artifact_type_ids(2));
    for (const char* e : {"t1", "v1", "t2", "v2"}) {
      PutExecution(e, ids.execution_type_ids(0));
    }
    PutEvents({{"d1", "t1", Event::INPUT},
               {"m1", "t1", Event::OUTPUT},
               {"m1", "v1", Event::INPUT},
               {"x1", "v1", Event::OUTPUT},
               {"d1", "t2", Event::INPUT},
               {"d2", "t2", Event::INPUT},
               {"m2", "t2", Event::OUTPUT},
               {"m2", "v2", Event::INPUT},
               {"x2", "v2", Event::OUTPUT}});
  }

  void PutArtifact(const std::string& name, int64_t type) {
    ml_metadata::PutArtifactsRequest request;
    auto* artifact = request.add_artifacts();
    artifact->set_type_id(type);
    artifact->set_name(name);
    artifact->set_uri(absl::StrCat("gs://bucket/", name));
    ml_metadata::PutArtifactsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
    id_[name] = response.artifact_ids(0);
    artifact_name_[response.artifact_ids(0)] = name;
  }

  void PutExecution(const std::string& name, int64_t type) {
    ml_metadata::PutExecutionsRequest request;
    auto* execution = request.add_executions();
    execution->set_type_id(type);
    execution->set_name(name);
    ml_metadata::PutExecutionsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, request, response), IsOk());
    id_[name] = response.execution_ids(0);
    execution_name_[response.execution_ids(0)] = name;
  }

  void PutEvents(const std::vector<NamedEvent>& events) {
    PutNamedEventsOrDie(*stub_, id_, events);
  }

  struct Answer {
    absl::Status status;
    Names artifacts, executions, endpoints;
    std::set<std::pair<std::string, std::string>> events;
    ::mlmdx::QueryLineageResponse response;
  };

  Answer Query(const Request& request) {
    Answer answer;
    answer.status =
        MLMDX_CALL(*lineage_, QueryLineage, request, answer.response);
    const auto& graph = answer.response.subgraph();
    for (const auto& a : graph.artifacts()) {
      answer.artifacts.insert(artifact_name_[a.id()]);
    }
    for (const auto& e : graph.executions()) {
      answer.executions.insert(execution_name_[e.id()]);
    }
    for (const auto& e : graph.events()) {
      EXPECT_TRUE(e.has_type());  // full events, not just ids
      answer.events.insert(
          {artifact_name_[e.artifact_id()], execution_name_[e.execution_id()]});
    }
    for (int64_t id : answer.response.endpoint_artifact_ids()) {
      answer.endpoints.insert(artifact_name_[id]);
    }
    for (int64_t id : answer.response.endpoint_execution_ids()) {
      answer.endpoints.insert(execution_name_[id]);
    }
    return answer;
  }

  static Request Parse(const std::string& text) {
    return ParseTextProto<Request>(text);
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  std::unique_ptr<::mlmdx::LineageService::Stub> lineage_;
  std::map<std::string, int64_t> id_;
  std::map<int64_t, std::string> artifact_name_, execution_name_;
};

TEST_F(LineageQueryRpcTest, EveryDatasetUpstreamOfAModel) {
  Answer answer =
      Query(Parse("start_artifacts_filter: \"name = 'm2'\" direction: UPSTREAM "
                  "output: ENDPOINTS "
                  "endpoint_artifacts_filter: \"type = 'system.Dataset'\""));
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.endpoints, Names({"d1", "d2"}));
  EXPECT_EQ(answer.response.subgraph().artifacts_size(), 0);
  EXPECT_FALSE(answer.response.truncated());
  EXPECT_EQ(answer.response.hops_walked(), 2);

  answer =
      Query(Parse("start_artifacts_filter: \"name = 'x1'\" direction: UPSTREAM "
                  "output: ENDPOINTS "
                  "endpoint_artifacts_filter: \"type = 'system.Dataset'\""));
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.endpoints, Names({"d1"}));
}

TEST_F(LineageQueryRpcTest, EveryModelDownstreamOfADataset) {
  Answer answer = Query(
      Parse("start_artifacts_filter: \"name = 'd1'\" direction: DOWNSTREAM "
            "output: ENDPOINTS "
            "endpoint_artifacts_filter: \"type = 'system.Model'\""));
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.endpoints, Names({"m1", "m2"}));

  answer = Query(
      Parse("start_artifacts_filter: \"name = 'd2'\" direction: DOWNSTREAM "
            "output: ENDPOINTS "
            "endpoint_artifacts_filter: \"type = 'system.Model'\""));
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.endpoints, Names({"m2"}));
}

TEST_F(LineageQueryRpcTest, PathsFromADatasetToMetrics) {
  Request request = Parse(
      "start_artifacts_filter: \"name = 'd1'\" direction: DOWNSTREAM "
      "output: PATHS");
  request.set_target_artifact_id(id_["x2"]);
  Answer answer = Query(request);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.artifacts, Names({"d1", "m2", "x2"}));
  EXPECT_EQ(answer.executions, Names({"t2", "v2"}));
  EXPECT_EQ(answer.events.size(), 4u);
  EXPECT_EQ(answer.events.count({"d2", "t2"}), 0u);

  request.set_max_hops(3);  // x2 is 4 hops from d1
  answer = Query(request);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_TRUE(answer.artifacts.empty());
}

TEST_F(LineageQueryRpcTest, PredicatesPruneTheWalk) {
  Request request = Parse(
      "start_artifacts_filter: \"name = 'd1'\" direction: DOWNSTREAM "
      "execution_predicate: \"name = 't1' OR name = 'v1'\"");
  Answer answer = Query(request);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.artifacts, Names({"d1", "m1", "x1"}));
  EXPECT_EQ(answer.executions, Names({"t1", "v1"}));
  EXPECT_EQ(answer.events.size(), 4u);

  // Pruning a model also stops the walk there.
  request = Parse(
      "start_artifacts_filter: \"name = 'd1'\" direction: DOWNSTREAM "
      "artifact_predicate: \"type != 'system.Model'\"");
  answer = Query(request);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.artifacts, Names({"d1"}));
  EXPECT_EQ(answer.executions, Names({"t1", "t2"}));
}

TEST_F(LineageQueryRpcTest, MaxNodesTruncates) {
  Request request = Parse(
      "start_artifacts_filter: \"name = 'd1'\" direction: DOWNSTREAM "
      "max_nodes: 3");
  Answer answer = Query(request);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.artifacts, Names({"d1"}));
  EXPECT_EQ(answer.executions, Names({"t1", "t2"}));
  EXPECT_TRUE(answer.response.truncated());

  request.set_max_nodes(100);
  answer = Query(request);
  ASSERT_THAT(answer.status, IsOk());
  EXPECT_EQ(answer.artifacts, Names({"d1", "m1", "m2", "x1", "x2"}));
  EXPECT_FALSE(answer.response.truncated());
  EXPECT_EQ(answer.response.hops_walked(), 4);
}

TEST_F(LineageQueryRpcTest, BadRequests) {
  struct Case {
    std::string request;
    absl::StatusCode code;
    std::string field;
  };
  const std::string d1 = "start_artifacts_filter: \"name = 'd1'\" ";
  const std::vector<Case> cases = {
      {"direction: UPSTREAM", absl::StatusCode::kInvalidArgument, "start"},
      {"start_artifacts_filter: ''", absl::StatusCode::kInvalidArgument,
       "start_artifacts_filter"},
      {"start_executions_filter: 'name ='", absl::StatusCode::kInvalidArgument,
       "start_executions_filter"},
      {d1 + "artifact_predicate: 'uri LIKE'",
       absl::StatusCode::kInvalidArgument, "artifact_predicate"},
      {d1 + "max_hops: -1", absl::StatusCode::kInvalidArgument, "max_hops"},
      {d1 + "max_nodes: 0", absl::StatusCode::kInvalidArgument, "max_nodes"},
      {d1 + "output: PATHS", absl::StatusCode::kInvalidArgument, "target"},
      {d1 + "output: PATHS target_execution_id: 999",
       absl::StatusCode::kNotFound, "target_execution_id"},
      {d1 + "output: ENDPOINTS", absl::StatusCode::kInvalidArgument,
       "endpoint_artifacts_filter"},
      {d1 + "output: ENDPOINTS endpoint_executions_filter: 'bad bad'",
       absl::StatusCode::kInvalidArgument, "endpoint_executions_filter"},
      {"start_artifacts_filter: \"name = 'nothing'\"",
       absl::StatusCode::kNotFound, "start_artifacts_filter"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.request);
    const Answer answer = Query(Parse(c.request));
    EXPECT_EQ(answer.status.code(), c.code) << answer.status;
    EXPECT_NE(answer.status.message().find(c.field), std::string::npos)
        << answer.status;
  }
}

}  // namespace
}  // namespace mlmdx::testing
