// Hostile and malformed requests: each gets a clear non-OK status (or a
// well-defined answer), changes nothing, and leaves the server serving.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::Artifact;

// Sends `bytes` as the body of `method` and returns the status.
grpc::Status SendRawBytes(const std::string& address, const std::string& method,
                          const std::string& bytes) {
  grpc::GenericStub stub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(status); });
  return done.get_future().get();
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    ml_metadata::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name("T");
    ml_metadata::PutArtifactTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifactType, request, response), IsOk());
    type_id_ = response.type_id();
  }

  // The server still answers, and holds exactly `count` artifacts.
  void ExpectServingWithArtifacts(int count) {
    ml_metadata::GetArtifactsResponse all;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifacts,
                           ml_metadata::GetArtifactsRequest(), all),
                IsOk());
    EXPECT_EQ(all.artifacts_size(), count);
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  int64_t type_id_ = 0;
};

TEST_F(BadInputTest, GarbageBytesAreRejectedWithoutHarm) {
  const std::string garbage = "\xff\xff\xff\xff\x0f\x12\x99garbage";
  const grpc::Status status =
      SendRawBytes(server_.address(),
                   "/ml_metadata.MetadataStoreService/PutArtifacts", garbage);
  // The client's fault, not the server's: INVALID_ARGUMENT naming the RPC
  // (gRPC alone would answer INTERNAL with no message).
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find(
                "/ml_metadata.MetadataStoreService/PutArtifacts"),
            std::string::npos)
      << status.error_message();
  ExpectServingWithArtifacts(0);
}

TEST_F(BadInputTest, RemovedUriFieldOfGetArtifactsByUriIsRefused) {
  // Field 1 (`uri`, a string) of MLMD's GetArtifactsByURIRequest, removed
  // from the API: tag 0x0a, length 3, "abc".
  const grpc::Status status = SendRawBytes(
      server_.address(), "/ml_metadata.MetadataStoreService/GetArtifactsByURI",
      std::string("\x0a\x03"
                  "abc",
                  5));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(
      status.error_message().find("The request contains deprecated field"),
      std::string::npos)
      << status.error_message();
}

TEST_F(BadInputTest, StatementRunningTooLongIsInterrupted) {
  // 2,000 artifacts with 4,000-character URIs. A LIKE pattern of '%', 200
  // 'a's and a 'b' compares up to 200 characters at each of the 4,000
  // positions of every URI (both SQLite and PostgreSQL match it by trying
  // each position): about a second of work, far over the limit set below.
  constexpr int kArtifacts = 2000;
  for (int batch = 0; batch < kArtifacts / 200; ++batch) {
    ml_metadata::PutArtifactsRequest request;
    for (int i = 0; i < 200; ++i) {
      Artifact* artifact = request.add_artifacts();
      artifact->set_type_id(type_id_);
      artifact->set_uri(absl::StrCat(batch * 200 + i, std::string(4000, 'a')));
    }
    ml_metadata::PutArtifactsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
  }
  server_.Stop();
  ASSERT_THAT(server_.Start({"--statement_timeout_ms=100"}), IsOk());
  stub_ = server_.NewStub();

  ml_metadata::GetArtifactsRequest request;
  request.mutable_options()->set_filter_query(
      absl::StrCat("uri LIKE '%", std::string(200, 'a'), "b'"));
  ml_metadata::GetArtifactsResponse response;
  const absl::Status status =
      MLMDX_CALL(*stub_, GetArtifacts, request, response);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(status.message().find("--statement_timeout_ms"), std::string::npos)
      << status;
  EXPECT_NE(status.message().find("100 ms"), std::string::npos) << status;
  // The connections that ran it serve the next calls (a page at a time: all
  // of them are over the client's 4 MiB limit).
  for (int i = 0; i < 10; ++i) {
    ml_metadata::GetArtifactsRequest page;
    page.mutable_options()->set_max_result_size(5);
    ml_metadata::GetArtifactsResponse got;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifacts, page, got), IsOk());
    EXPECT_EQ(got.artifacts_size(), 5);
  }
}

TEST_F(BadInputTest, AnswerLargerThanTheLimitIsRefused) {
  TestServer limited;
  ASSERT_THAT(limited.Start({"--max_response_bytes=2000"}), IsOk());
  auto stub = limited.NewStub();
  ml_metadata::PutArtifactTypeRequest type_request;
  type_request.mutable_artifact_type()->set_name("T");
  ml_metadata::PutArtifactTypeResponse type_response;
  ASSERT_THAT(MLMDX_CALL(*stub, PutArtifactType, type_request, type_response),
              IsOk());
  // 40 artifacts of more than 100 bytes each: over 4,000 bytes in all.
  ml_metadata::PutArtifactsRequest put;
  for (int i = 0; i < 40; ++i) {
    ml_metadata::Artifact& artifact = *put.add_artifacts();
    artifact.set_type_id(type_response.type_id());
    artifact.set_uri(absl::StrCat("gs://bucket/", std::string(100, 'u'), i));
  }
  ml_metadata::PutArtifactsResponse put_response;
  ASSERT_THAT(MLMDX_CALL(*stub, PutArtifacts, put, put_response), IsOk());

  ml_metadata::GetArtifactsResponse all;
  const absl::Status refused =
      MLMDX_CALL(*stub, GetArtifacts, ml_metadata::GetArtifactsRequest(), all);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(refused.message().find("the answer to GetArtifacts would be "),
            std::string::npos)
      << refused;
  EXPECT_NE(refused.message().find("the limit is 2000 (--max_response_bytes)"),
            std::string::npos)
      << refused;

  // A page under the limit is answered in full.
  ml_metadata::GetArtifactsRequest page;
  page.mutable_options()->set_max_result_size(10);
  ml_metadata::GetArtifactsResponse got;
  ASSERT_THAT(MLMDX_CALL(*stub, GetArtifacts, page, got), IsOk());
  EXPECT_EQ(got.artifacts_size(), 10);
  EXPECT_EQ(got.artifacts(0).uri(),
            absl::StrCat("gs://bucket/", std::string(100, 'u'), 0));
}

TEST_F(BadInputTest, LineageAnswerOverTheNodeLimitIsRefused) {
  TestServer limited;
  ASSERT_THAT(limited.Start({"--max_lineage_nodes=5"}), IsOk());
  auto stub = limited.NewStub();
  ml_metadata::PutTypesRequest types;
  types.add_artifact_types()->set_name("Data");
  types.add_execution_types()->set_name("Step");
  ml_metadata::PutTypesResponse typed;
  ASSERT_THAT(MLMDX_CALL(*stub, PutTypes, types, typed), IsOk());
  // One execution that wrote six artifacts: seven nodes two hops apart.
  ml_metadata::PutExecutionRequest put;
  put.mutable_execution()->set_type_id(typed.execution_type_ids(0));
  for (int i = 0; i < 6; ++i) {
    auto& pair = *put.add_artifact_event_pairs();
    pair.mutable_artifact()->set_type_id(typed.artifact_type_ids(0));
    pair.mutable_artifact()->set_uri(absl::StrCat("gs://out/", i));
    pair.mutable_event()->set_type(ml_metadata::Event::OUTPUT);
  }
  ml_metadata::PutExecutionResponse put_response;
  ASSERT_THAT(MLMDX_CALL(*stub, PutExecution, put, put_response), IsOk());

  const auto walk = [&](int64_t hops,
                        ml_metadata::GetLineageSubgraphResponse& response) {
    ml_metadata::GetLineageSubgraphRequest request;
    auto& options = *request.mutable_lineage_subgraph_query_options();
    options.mutable_starting_artifacts()->set_filter_query(
        absl::StrCat("id = ", put_response.artifact_ids(0)));
    options.set_max_num_hops(hops);
    return MLMDX_CALL(*stub, GetLineageSubgraph, request, response);
  };
  ml_metadata::GetLineageSubgraphResponse near;
  ASSERT_THAT(walk(1, near), IsOk());
  EXPECT_EQ(near.lineage_subgraph().artifacts_size(), 1);
  EXPECT_EQ(near.lineage_subgraph().executions_size(), 1);

  ml_metadata::GetLineageSubgraphResponse far;
  const absl::Status refused = walk(2, far);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_NE(refused.message().find("the answer to GetLineageSubgraph would "
                                   "hold 7 nodes; the limit is 5 "
                                   "(--max_lineage_nodes)"),
            std::string::npos)
      << refused;
}

TEST_F(BadInputTest, RequestListingTooManyEntriesIsRefused) {
  TestServer limited;
  ASSERT_THAT(limited.Start({"--max_request_list_length=50"}), IsOk());
  auto stub = limited.NewStub();
  ml_metadata::PutArtifactTypeRequest type_request;
  type_request.mutable_artifact_type()->set_name("T");
  ml_metadata::PutArtifactTypeResponse type_response;
  ASSERT_THAT(MLMDX_CALL(*stub, PutArtifactType, type_request, type_response),
              IsOk());

  ml_metadata::GetArtifactsByIDRequest get;
  for (int id = 1; id <= 51; ++id) get.add_artifact_ids(id);
  ml_metadata::GetArtifactsByIDResponse got;
  const absl::Status read = MLMDX_CALL(*stub, GetArtifactsByID, get, got);
  EXPECT_THAT(read, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(read.message().find("artifact_ids lists 51 entries; the limit is "
                                "50 per request (--max_request_list_length)"),
            std::string::npos)
      << read;

  // A refused write writes nothing; one at the limit goes through.
  ml_metadata::PutArtifactsRequest put;
  for (int i = 0; i < 51; ++i) {
    put.add_artifacts()->set_type_id(type_response.type_id());
  }
  ml_metadata::PutArtifactsResponse put_response;
  const absl::Status write = MLMDX_CALL(*stub, PutArtifacts, put, put_response);
  EXPECT_THAT(write, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(write.message().find("--max_request_list_length"),
            std::string::npos)
      << write;
  ml_metadata::GetArtifactsResponse all;
  ASSERT_THAT(
      MLMDX_CALL(*stub, GetArtifacts, ml_metadata::GetArtifactsRequest(), all),
      IsOk());
  EXPECT_EQ(all.artifacts_size(), 0);
  put.mutable_artifacts()->RemoveLast();
  ASSERT_THAT(MLMDX_CALL(*stub, PutArtifacts, put, put_response), IsOk());
  EXPECT_EQ(put_response.artifact_ids_size(), 50);
}

TEST_F(BadInputTest, UnknownMethodIsUnimplemented) {
  const grpc::Status status = SendRawBytes(
      server_.address(), "/ml_metadata.MetadataStoreService/DropAllTables", "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(BadInputTest, OversizedRequestIsResourceExhausted) {
  ml_metadata::PutArtifactsRequest request;
  Artifact* artifact = request.add_artifacts();
  artifact->set_type_id(type_id_);
  artifact->set_uri(std::string(5 << 20, 'u'));  // Over gRPC's 4 MiB default.
  ml_metadata::PutArtifactsResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response),
              StatusIs(absl::StatusCode::kResourceExhausted));
  ExpectServingWithArtifacts(0);
}

TEST_F(BadInputTest, ChannelArgumentsRaiseTheMessageLimit) {
  TestServer big;
  ASSERT_THAT(big.Start({"--grpc_channel_arguments="
                         "grpc.max_receive_message_length=104857600"}),
              IsOk());
  // The client needs a larger receive limit too, as KFP's client sets one.
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(100 << 20);
  auto stub =
      ml_metadata::MetadataStoreService::NewStub(grpc::CreateCustomChannel(
          big.address(), grpc::InsecureChannelCredentials(), args));
  ml_metadata::PutArtifactTypeRequest type_request;
  type_request.mutable_artifact_type()->set_name("T");
  ml_metadata::PutArtifactTypeResponse type_response;
  ASSERT_THAT(MLMDX_CALL(*stub, PutArtifactType, type_request, type_response),
              IsOk());
  ml_metadata::PutArtifactsRequest request;
  Artifact* artifact = request.add_artifacts();
  artifact->set_type_id(type_response.type_id());
  artifact->set_uri(std::string(5 << 20, 'u'));
  ml_metadata::PutArtifactsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub, PutArtifacts, request, response), IsOk());
  ml_metadata::GetArtifactsByIDRequest get;
  get.add_artifact_ids(response.artifact_ids(0));
  ml_metadata::GetArtifactsByIDResponse got;
  ASSERT_THAT(MLMDX_CALL(*stub, GetArtifactsByID, get, got), IsOk());
  ASSERT_EQ(got.artifacts_size(), 1);
  EXPECT_EQ(got.artifacts(0).uri().size(), size_t{5 << 20});
  EXPECT_EQ(big.Stop(), 0);
  std::cerr << big.Log();
}

TEST_F(BadInputTest, StructNestedBeyondTheParserLimitIsRejected) {
  ml_metadata::PutArtifactsRequest request;
  Artifact* artifact = request.add_artifacts();
  artifact->set_type_id(type_id_);
  google::protobuf::Value* value =
      &(*(*artifact->mutable_custom_properties())["deep"]
             .mutable_struct_value()
             ->mutable_fields())["k"];
  for (int depth = 0; depth < 300; ++depth) {
    value = &(*value->mutable_struct_value()->mutable_fields())["k"];
  }
  value->set_number_value(1);
  ml_metadata::PutArtifactsResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ExpectServingWithArtifacts(0);
}

TEST_F(BadInputTest, NulBytesAndNonUtf8RoundTripExactly) {
  ml_metadata::PutArtifactsRequest request;
  Artifact* artifact = request.add_artifacts();
  artifact->set_type_id(type_id_);
  const std::string uri("a\0b\xff\xfe", 5);
  artifact->set_uri(uri);
  (*artifact->mutable_custom_properties())["s"].set_string_value(uri);
  ml_metadata::PutArtifactsResponse response;
  if (server_.backend() == TestBackend::kPostgres) {
    // PostgreSQL text holds neither NUL bytes nor invalid UTF-8: refused,
    // never silently cut short.
    const absl::Status nul =
        MLMDX_CALL(*stub_, PutArtifacts, request, response);
    EXPECT_THAT(nul, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_NE(nul.message().find("NUL byte"), absl::string_view::npos) << nul;
    ExpectServingWithArtifacts(0);
    artifact->set_uri("a\xff\xfe");
    artifact->clear_custom_properties();
    EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response),
                StatusIs(absl::StatusCode::kInvalidArgument));
    ExpectServingWithArtifacts(0);
    return;
  }
  ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
  ml_metadata::GetArtifactsByURIRequest get;
  get.add_uris(uri);
  ml_metadata::GetArtifactsByURIResponse got;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, get, got), IsOk());
  ASSERT_EQ(got.artifacts_size(), 1);
  EXPECT_EQ(got.artifacts(0).uri(), uri);
  EXPECT_EQ(got.artifacts(0).custom_properties().at("s").string_value(), uri);
}

TEST_F(BadInputTest, NegativeAndHugeIdsAreHandled) {
  ml_metadata::GetArtifactsByIDRequest get;
  get.add_artifact_ids(-1);
  get.add_artifact_ids(INT64_MAX);
  ml_metadata::GetArtifactsByIDResponse got;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, get, got), IsOk());
  EXPECT_EQ(got.artifacts_size(), 0);

  ml_metadata::PutArtifactsRequest update;
  update.add_artifacts()->set_id(-7);
  ml_metadata::PutArtifactsResponse response;
  const absl::Status status =
      MLMDX_CALL(*stub_, PutArtifacts, update, response);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(status.message().find("-7"), std::string::npos) << status;

  ml_metadata::PutEventsRequest events;
  auto* event = events.add_events();
  event->set_artifact_id(-5);
  event->set_execution_id(-6);
  event->set_type(ml_metadata::Event::INPUT);
  ml_metadata::PutEventsResponse events_response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutEvents, events, events_response),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(BadInputTest, ManyBadRequestsInARowLeaveTheServerServing) {
  for (int i = 0; i < 200; ++i) {
    ml_metadata::PutArtifactsRequest request;
    Artifact* artifact = request.add_artifacts();
    artifact->set_type_id(i % 2 == 0 ? type_id_ : 999999);
    (*artifact->mutable_properties())["undeclared"].set_int_value(i);
    ml_metadata::PutArtifactsResponse response;
    EXPECT_FALSE(MLMDX_CALL(*stub_, PutArtifacts, request, response).ok());
  }
  ExpectServingWithArtifacts(0);
}

}  // namespace
}  // namespace mlmdx::testing
