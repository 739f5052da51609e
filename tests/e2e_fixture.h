// File: tests/e2e_fixture.h
// -----------------------------------------------------------------------------
//
// Small write helpers shared by the end-to-end suites: each creates a type or
// some nodes through the real RPCs and fails the current test when the server
// does not answer OK.
//
// Example:
//
//   auto stub = server.NewStub();
//   const int64_t type_id = PutArtifactTypeOrDie(*stub, "Model");
//   const std::vector<int64_t> ids = PutArtifactsOrDie(*stub, type_id, 3);

#ifndef MLMDX_TESTS_E2E_FIXTURE_H_
#define MLMDX_TESTS_E2E_FIXTURE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "tests/test_util.h"

namespace mlmdx::testing {

using Stub = ml_metadata::MetadataStoreService::Stub;

inline int64_t PutArtifactTypeOrDie(Stub& stub, const std::string& name) {
  ml_metadata::PutArtifactTypeRequest request;
  request.mutable_artifact_type()->set_name(name);
  ml_metadata::PutArtifactTypeResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutArtifactType, request, response), IsOk());
  return response.type_id();
}

inline int64_t PutExecutionTypeOrDie(Stub& stub, const std::string& name) {
  ml_metadata::PutExecutionTypeRequest request;
  request.mutable_execution_type()->set_name(name);
  ml_metadata::PutExecutionTypeResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutExecutionType, request, response), IsOk());
  return response.type_id();
}

inline int64_t PutContextTypeOrDie(Stub& stub, const std::string& name) {
  ml_metadata::PutContextTypeRequest request;
  request.mutable_context_type()->set_name(name);
  ml_metadata::PutContextTypeResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutContextType, request, response), IsOk());
  return response.type_id();
}

// Creates `count` unnamed artifacts of `type_id`; returns their ids.
inline std::vector<int64_t> PutArtifactsOrDie(Stub& stub, int64_t type_id,
                                              int count) {
  ml_metadata::PutArtifactsRequest request;
  for (int i = 0; i < count; ++i) {
    request.add_artifacts()->set_type_id(type_id);
  }
  ml_metadata::PutArtifactsResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutArtifacts, request, response), IsOk());
  return {response.artifact_ids().begin(), response.artifact_ids().end()};
}

inline std::vector<int64_t> PutExecutionsOrDie(Stub& stub, int64_t type_id,
                                               int count) {
  ml_metadata::PutExecutionsRequest request;
  for (int i = 0; i < count; ++i) {
    request.add_executions()->set_type_id(type_id);
  }
  ml_metadata::PutExecutionsResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutExecutions, request, response), IsOk());
  return {response.execution_ids().begin(), response.execution_ids().end()};
}

// Creates contexts named `<prefix>0`, `<prefix>1`, ...; returns their ids.
inline std::vector<int64_t> PutContextsOrDie(Stub& stub, int64_t type_id,
                                             int count,
                                             const std::string& prefix = "c") {
  ml_metadata::PutContextsRequest request;
  for (int i = 0; i < count; ++i) {
    ml_metadata::Context* context = request.add_contexts();
    context->set_type_id(type_id);
    context->set_name(prefix + std::to_string(i));
  }
  ml_metadata::PutContextsResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutContexts, request, response), IsOk());
  return {response.context_ids().begin(), response.context_ids().end()};
}

// The ids of `nodes` (any repeated field of messages with id()), in order.
template <typename Nodes>
std::vector<int64_t> IdsOf(const Nodes& nodes) {
  std::vector<int64_t> ids;
  for (const auto& node : nodes) ids.push_back(node.id());
  return ids;
}

// One event between two nodes named in a test's name -> id map.
struct NamedEvent {
  std::string artifact;
  std::string execution;
  ml_metadata::Event::Type type;
};

// Puts `events`, resolving node names through `ids`.
inline void PutNamedEventsOrDie(Stub& stub,
                                const std::map<std::string, int64_t>& ids,
                                const std::vector<NamedEvent>& events) {
  ml_metadata::PutEventsRequest request;
  for (const NamedEvent& named : events) {
    auto* event = request.add_events();
    event->set_artifact_id(ids.at(named.artifact));
    event->set_execution_id(ids.at(named.execution));
    event->set_type(named.type);
  }
  ml_metadata::PutEventsResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutEvents, request, response), IsOk());
}

// One step of a lineage chain: a new execution of `execution_type` that
// reads artifact `input` (when > 0) and writes one new artifact of
// `artifact_type` (the last of the response's artifact_ids).
inline ml_metadata::PutExecutionRequest ChainStepRequest(int64_t execution_type,
                                                         int64_t artifact_type,
                                                         int64_t input) {
  ml_metadata::PutExecutionRequest request;
  request.mutable_execution()->set_type_id(execution_type);
  if (input > 0) {
    auto* pair = request.add_artifact_event_pairs();
    pair->mutable_artifact()->set_id(input);
    pair->mutable_artifact()->set_type_id(artifact_type);
    pair->mutable_event()->set_type(ml_metadata::Event::INPUT);
  }
  auto* output = request.add_artifact_event_pairs();
  output->mutable_artifact()->set_type_id(artifact_type);
  output->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
  return request;
}

// One call of `method` on `stub` (e.g. &Stub::PutExecution) that sends
// `read_after`, when not empty, as mlmdx-read-after request metadata, and
// stores the mlmdx-commit trailing metadata in `*commit` (empty when the
// answer has none).
template <typename StubType, typename Request, typename Response>
absl::Status CallWithCommitTokens(
    StubType& stub,
    grpc::Status (StubType::*method)(grpc::ClientContext*, const Request&,
                                     Response*),
    const Request& request, Response& response,
    const std::string& read_after = "", std::string* commit = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  if (!read_after.empty()) context.AddMetadata("mlmdx-read-after", read_after);
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (commit != nullptr) {
    commit->clear();
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find("mlmdx-commit");
    if (it != trailers.end())
      commit->assign(it->second.data(), it->second.size());
  }
  return FromGrpc(status);
}

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_E2E_FIXTURE_H_
