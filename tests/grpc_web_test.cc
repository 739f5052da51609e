// grpc-web (--grpc_web_port) against the real server, with libcurl as the
// HTTP client and the request and answer frames built and read here, on
// their own: every call the Kubeflow Pipelines UI makes, and mlmdx's
// QueryLineage, answer over grpc-web exactly what native gRPC answers on
// the same server (the binary and the base64 "-text" forms); errors arrive
// as grpc-status trailers with native gRPC's message; connections are kept
// alive; CORS preflights are answered for the allowed origins only; tokens,
// deadlines, custom metadata and size limits apply as natively; malformed
// bodies are refused with a status naming the problem, and the server keeps
// serving.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "tests/http_client.h"
#include "tests/kfp_workload.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kProto[] = "application/grpc-web+proto";
constexpr char kText[] = "application/grpc-web-text";
constexpr char kMetadataService[] = "/ml_metadata.MetadataStoreService/";

// The port from the server's "grpc-web on port N" line; 0 when absent.
int GrpcWebPort(const TestServer& server) {
  return LoggedGrpcWebPort(server.Log());
}

// One grpc-web frame, written here independently of the server's code.
std::string Frame(uint8_t flag, absl::string_view payload) {
  std::string frame(1, static_cast<char>(flag));
  const uint32_t length = static_cast<uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame.push_back(static_cast<char>((length >> shift) & 0xff));
  }
  frame.append(payload.data(), payload.size());
  return frame;
}

// A grpc-web answer's body, read frame by frame.
struct WebCall {
  HttpAnswer http;
  std::vector<std::string> messages;
  int grpc_status = -1;
  // Percent-decoded.
  std::string grpc_message;
  std::map<std::string, std::string> trailers;
  // The trailer frame as sent.
  std::string trailer_frame;
};

std::string PercentDecode(absl::string_view text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    int byte = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        absl::SimpleHexAtoi(text.substr(i + 1, 2), &byte)) {
      decoded.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      decoded.push_back(text[i]);
    }
  }
  return decoded;
}

// Splits `body` into data frames and the one trailer frame that must end
// it; fails the test on anything else.
void ReadFrames(absl::string_view body, WebCall& call) {
  while (!body.empty()) {
    ASSERT_GE(body.size(), 5u) << "cut frame header";
    const uint8_t flag = static_cast<uint8_t>(body[0]);
    uint32_t length = 0;
    for (int i = 1; i <= 4; ++i) {
      length = (length << 8) | static_cast<uint8_t>(body[i]);
    }
    ASSERT_GE(body.size() - 5, length) << "cut frame";
    const absl::string_view payload = body.substr(5, length);
    if (flag == 0x00) {
      ASSERT_EQ(call.grpc_status, -1) << "data frame after the trailers";
      call.messages.emplace_back(payload);
    } else {
      ASSERT_EQ(flag, 0x80) << "unknown frame flag";
      call.trailer_frame = std::string(body.substr(0, 5 + length));
      for (absl::string_view line :
           absl::StrSplit(payload, "\r\n", absl::SkipEmpty())) {
        const size_t colon = line.find(':');
        ASSERT_NE(colon, absl::string_view::npos) << line;
        call.trailers[std::string(line.substr(0, colon))] =
            std::string(line.substr(colon + 1));
      }
      ASSERT_TRUE(
          absl::SimpleAtoi(call.trailers["grpc-status"], &call.grpc_status))
          << payload;
      call.grpc_message = PercentDecode(call.trailers["grpc-message"]);
    }
    body.remove_prefix(5 + length);
  }
  ASSERT_NE(call.grpc_status, -1) << "no trailer frame";
}

// POSTs `body` (frames, encoded by the caller) to `path`.
WebCall PostRaw(HttpClient& http, const std::string& path,
                const std::string& body, const std::string& content_type,
                std::vector<std::string> headers = {}) {
  headers.push_back("Content-Type: " + content_type);
  headers.push_back("X-Grpc-Web: 1");
  WebCall call;
  call.http = http.Send("POST", path, headers, body);
  EXPECT_EQ(call.http.status, 200) << call.http.body;
  EXPECT_EQ(HeaderOf(call.http, "content-type"), content_type);
  if (absl::StartsWith(content_type, kText)) {
    std::string decoded;
    EXPECT_TRUE(absl::Base64Unescape(call.http.body, &decoded));
    ReadFrames(decoded, call);
  } else {
    ReadFrames(call.http.body, call);
  }
  return call;
}

// Calls `method` ("/package.Service/Method") with `request` over grpc-web.
WebCall Post(HttpClient& http, const std::string& method,
             const google::protobuf::Message& request,
             const std::string& content_type = kProto,
             std::vector<std::string> headers = {}) {
  std::string body = Frame(0x00, request.SerializeAsString());
  if (absl::StartsWith(content_type, kText)) body = absl::Base64Escape(body);
  return PostRaw(http, method, body, content_type, std::move(headers));
}

// The answer's one message parsed as `Response`; fails the test unless the
// call succeeded with exactly one message.
template <typename Response>
Response MessageOf(const WebCall& call) {
  Response response;
  EXPECT_EQ(call.grpc_status, 0) << call.grpc_message;
  EXPECT_EQ(call.messages.size(), 1u);
  if (call.messages.size() == 1) {
    EXPECT_TRUE(response.ParseFromString(call.messages[0]));
  }
  return response;
}

std::shared_ptr<grpc::Channel> ChannelTo(const TestServer& server) {
  return grpc::CreateChannel(server.address(),
                             grpc::InsecureChannelCredentials());
}

class GrpcWebTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> flags = {}) {
    flags.push_back("--grpc_web_port=0");
    ASSERT_THAT(server_.Start(flags), IsOk());
    port_ = GrpcWebPort(server_);
    ASSERT_GT(port_, 0) << server_.Log();
    stub_ = server_.NewStub();
  }

  // One recorded KFP run: types, artifacts, executions, contexts, events.
  void RecordRun() {
    KfpRecorder kfp(*stub_);
    absl::StatusOr<KfpRun> run = kfp.RecordRun({.name = "run-a"});
    ASSERT_THAT(run.status(), IsOk());
    run_ = *run;
  }

  // Calls `method` of MetadataStoreService both ways and expects the same
  // answer; returns it.
  template <typename Request, typename Response>
  Response ExpectSameAnswer(
      HttpClient& http, const std::string& method, const Request& request,
      grpc::Status (ml_metadata::MetadataStoreService::Stub::*native)(
          grpc::ClientContext*, const Request&, Response*),
      const std::string& content_type = kProto) {
    Response expected;
    grpc::ClientContext context;
    EXPECT_TRUE(((*stub_).*native)(&context, request, &expected).ok());
    EXPECT_GT(expected.ByteSizeLong(), 0u) << method << ": empty answer";
    const WebCall call =
        Post(http, kMetadataService + method, request, content_type);
    const Response answer = MessageOf<Response>(call);
    EXPECT_THAT(answer, EqualsProto(expected)) << method;
    return answer;
  }

  TestServer server_;
  int port_ = 0;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  KfpRun run_;
};

// Every call of the KFP UI's artifact and lineage pages, with the requests
// it builds, and QueryLineage: the same messages as native gRPC, and the
// exact framing the KFP UI reads.
TEST_F(GrpcWebTest, KfpUiCallsAnswerAsNativeGrpc) {
  StartServer();
  RecordRun();
  HttpClient http(port_);
  using Stub = ml_metadata::MetadataStoreService::Stub;

  ml_metadata::GetArtifactTypesRequest artifact_types_request;
  const auto artifact_types =
      ExpectSameAnswer(http, "GetArtifactTypes", artifact_types_request,
                       &Stub::GetArtifactTypes);
  {
    // The exact bytes the KFP UI parses: one data frame, then the trailer
    // frame "grpc-status:0\r\ngrpc-message:\r\n", in that order.
    const WebCall call =
        Post(http, "/ml_metadata.MetadataStoreService/GetArtifactTypes",
             artifact_types_request);
    ASSERT_EQ(call.messages.size(), 1u);
    EXPECT_EQ(call.http.body,
              Frame(0x00, call.messages[0]) +
                  Frame(0x80, "grpc-status:0\r\ngrpc-message:\r\n"));
  }

  ml_metadata::GetArtifactsRequest artifacts_request;
  ExpectSameAnswer(http, "GetArtifacts", artifacts_request,
                   &Stub::GetArtifacts);

  ml_metadata::GetArtifactsByIDRequest by_id;
  by_id.add_artifact_ids(run_.dataset_id);
  by_id.add_artifact_ids(run_.model_id);
  by_id.add_artifact_ids(run_.metrics_id);
  const auto artifacts = ExpectSameAnswer(http, "GetArtifactsByID", by_id,
                                          &Stub::GetArtifactsByID);
  EXPECT_EQ(artifacts.artifacts_size(), 3);

  ml_metadata::GetArtifactTypesByIDRequest types_by_id;
  for (const auto& type : artifact_types.artifact_types()) {
    types_by_id.add_type_ids(type.id());
  }
  ExpectSameAnswer(http, "GetArtifactTypesByID", types_by_id,
                   &Stub::GetArtifactTypesByID);

  ml_metadata::GetEventsByArtifactIDsRequest events_by_artifact;
  events_by_artifact.add_artifact_ids(run_.model_id);
  events_by_artifact.add_artifact_ids(run_.dataset_id);
  ExpectSameAnswer(http, "GetEventsByArtifactIDs", events_by_artifact,
                   &Stub::GetEventsByArtifactIDs);

  ml_metadata::GetEventsByExecutionIDsRequest events_by_execution;
  events_by_execution.add_execution_ids(run_.train_id);
  ExpectSameAnswer(http, "GetEventsByExecutionIDs", events_by_execution,
                   &Stub::GetEventsByExecutionIDs);

  ml_metadata::GetExecutionsByIDRequest executions_by_id;
  executions_by_id.add_execution_ids(run_.train_id);
  executions_by_id.add_execution_ids(run_.preprocess_id);
  ExpectSameAnswer(http, "GetExecutionsByID", executions_by_id,
                   &Stub::GetExecutionsByID);

  ml_metadata::GetExecutionTypesRequest execution_types;
  ExpectSameAnswer(http, "GetExecutionTypes", execution_types,
                   &Stub::GetExecutionTypes);

  ml_metadata::GetContextsByArtifactRequest contexts;
  contexts.set_artifact_id(run_.model_id);
  ExpectSameAnswer(http, "GetContextsByArtifact", contexts,
                   &Stub::GetContextsByArtifact);

  ml_metadata::GetArtifactsByURIRequest by_uri;
  by_uri.add_uris(run_.model_uri);
  const auto by_uri_answer = ExpectSameAnswer(http, "GetArtifactsByURI", by_uri,
                                              &Stub::GetArtifactsByURI);
  ASSERT_EQ(by_uri_answer.artifacts_size(), 1);
  EXPECT_EQ(by_uri_answer.artifacts(0).id(), run_.model_id);

  // The extension service, through the same port.
  ::mlmdx::QueryLineageRequest lineage_request;
  lineage_request.set_start_artifacts_filter(
      absl::StrCat("id = ", run_.model_id));
  lineage_request.set_direction(::mlmdx::QueryLineageRequest::UPSTREAM);
  ::mlmdx::QueryLineageResponse expected;
  {
    auto lineage = ::mlmdx::LineageService::NewStub(ChannelTo(server_));
    grpc::ClientContext context;
    ASSERT_TRUE(
        lineage->QueryLineage(&context, lineage_request, &expected).ok());
  }
  EXPECT_GE(expected.subgraph().artifacts_size(), 2);
  const WebCall lineage_call =
      Post(http, "/mlmdx.LineageService/QueryLineage", lineage_request);
  EXPECT_THAT(MessageOf<::mlmdx::QueryLineageResponse>(lineage_call),
              EqualsProto(expected));
}

TEST_F(GrpcWebTest, TextAndPlainContentTypesAnswerTheSame) {
  StartServer();
  RecordRun();
  HttpClient http(port_);
  using Stub = ml_metadata::MetadataStoreService::Stub;
  ml_metadata::GetArtifactsByIDRequest by_id;
  by_id.add_artifact_ids(run_.model_id);
  by_id.add_artifact_ids(run_.dataset_id);
  for (const std::string type :
       {"application/grpc-web", "application/grpc-web-text",
        "application/grpc-web-text+proto"}) {
    SCOPED_TRACE(type);
    ExpectSameAnswer(http, "GetArtifactsByID", by_id, &Stub::GetArtifactsByID,
                     type);
  }
  // A text body may come as several padded base64 chunks: here the frame
  // header and the message apart.
  const std::string message = by_id.SerializeAsString();
  const std::string header = Frame(0x00, message).substr(0, 5);
  const WebCall chunked =
      PostRaw(http, std::string(kMetadataService) + "GetArtifactsByID",
              absl::Base64Escape(header) + absl::Base64Escape(message), kText);
  EXPECT_EQ(MessageOf<ml_metadata::GetArtifactsByIDResponse>(chunked)
                .artifacts_size(),
            2);
}

TEST_F(GrpcWebTest, ErrorsArriveAsTrailersWithNativeMessages) {
  StartServer();
  HttpClient http(port_);

  // NOT_FOUND.
  ml_metadata::GetArtifactTypeRequest missing;
  missing.set_type_name("NoSuchType");
  ml_metadata::GetArtifactTypeResponse ignored;
  const absl::Status native_missing =
      MLMDX_CALL(*stub_, GetArtifactType, missing, ignored);
  ASSERT_THAT(native_missing, StatusIs(absl::StatusCode::kNotFound));
  const WebCall not_found =
      Post(http, std::string(kMetadataService) + "GetArtifactType", missing);
  EXPECT_EQ(not_found.grpc_status, 5);
  EXPECT_EQ(not_found.grpc_message, native_missing.message());
  EXPECT_THAT(not_found.messages, IsEmpty()) << "trailers only";

  // INVALID_ARGUMENT, with a multi-line message (the filter's caret line)
  // that travels percent-encoded.
  ml_metadata::GetArtifactsRequest bad_filter;
  bad_filter.mutable_options()->set_filter_query("uri = = 'x'");
  ml_metadata::GetArtifactsResponse ignored_artifacts;
  const absl::Status native_bad =
      MLMDX_CALL(*stub_, GetArtifacts, bad_filter, ignored_artifacts);
  ASSERT_THAT(native_bad, StatusIs(absl::StatusCode::kInvalidArgument));
  const WebCall invalid =
      Post(http, std::string(kMetadataService) + "GetArtifacts", bad_filter);
  EXPECT_EQ(invalid.grpc_status, 3);
  EXPECT_EQ(invalid.grpc_message, native_bad.message());
  EXPECT_THAT(invalid.messages, IsEmpty());
  ASSERT_THAT(std::string(native_bad.message()), HasSubstr("\n"));
  EXPECT_EQ(std::count(invalid.trailer_frame.begin(),
                       invalid.trailer_frame.end(), '\n'),
            2)
      << "a line break of grpc-message sent as is";

  // A method no service has, and a path that names no method.
  const WebCall unknown =
      Post(http, std::string(kMetadataService) + "NoSuchMethod", missing);
  EXPECT_EQ(unknown.grpc_status, 12);
  const WebCall not_a_method = Post(http, "/index.html", missing);
  EXPECT_EQ(not_a_method.grpc_status, 12);
  EXPECT_THAT(not_a_method.grpc_message, HasSubstr("/index.html"));

  // Not grpc-web at all: HTTP errors.
  EXPECT_EQ(http.Send("GET", "/", {}, "").status, 405);
  EXPECT_EQ(http.Send("POST", std::string(kMetadataService) + "GetArtifacts",
                      {"Content-Type: application/json"}, "{}")
                .status,
            415);
}

TEST_F(GrpcWebTest, MetadataAndDeadlineReachTheHandlers) {
  StartServer();
  HttpClient http(port_);
  // A write answers with its commit token as trailing metadata, in the
  // trailer frame.
  ml_metadata::PutArtifactTypeRequest put;
  put.mutable_artifact_type()->set_name("Model");
  const WebCall written =
      Post(http, std::string(kMetadataService) + "PutArtifactType", put);
  EXPECT_EQ(written.grpc_status, 0) << written.grpc_message;
  const std::string token = written.trailers.count("mlmdx-commit") > 0
                                ? written.trailers.at("mlmdx-commit")
                                : "";
  ASSERT_FALSE(token.empty()) << written.trailer_frame;
  // A custom header is request metadata: mlmdx-read-after is read.
  ml_metadata::GetArtifactTypesRequest read;
  const WebCall read_after =
      Post(http, std::string(kMetadataService) + "GetArtifactTypes", read,
           kProto, {"mlmdx-read-after: " + token});
  EXPECT_EQ(read_after.grpc_status, 0) << read_after.grpc_message;
  const WebCall bad_token =
      Post(http, std::string(kMetadataService) + "GetArtifactTypes", read,
           kProto, {"mlmdx-read-after: not-a-token"});
  EXPECT_EQ(bad_token.grpc_status, 3);
  EXPECT_THAT(bad_token.grpc_message, HasSubstr("mlmdx-read-after"));
  // grpc-timeout is read as the call's deadline: a value that is not one
  // is refused. (That it reaches the handler is not pinned here: on SQLite
  // no handler waits on it, and an expired deadline races the call.)
  const WebCall bad_timeout =
      Post(http, std::string(kMetadataService) + "GetArtifactTypes", read,
           kProto, {"grpc-timeout: soon"});
  EXPECT_EQ(bad_timeout.grpc_status, 3);
  EXPECT_THAT(bad_timeout.grpc_message, HasSubstr("'soon'"));
}

TEST_F(GrpcWebTest, KeepsTheConnectionAlive) {
  StartServer();
  HttpClient http(port_);
  ml_metadata::GetArtifactTypesRequest request;
  const WebCall first =
      Post(http, std::string(kMetadataService) + "GetArtifactTypes", request);
  const WebCall second =
      Post(http, std::string(kMetadataService) + "GetArtifactTypes", request);
  EXPECT_EQ(first.grpc_status, 0);
  EXPECT_EQ(second.grpc_status, 0);
  EXPECT_FALSE(first.http.reused_connection);
  EXPECT_TRUE(second.http.reused_connection);
}

TEST_F(GrpcWebTest, CorsPreflightOnlyForAllowedOrigins) {
  constexpr char kAllowed[] = "https://ui.example:8443";
  StartServer({absl::StrCat("--grpc_web_allowed_origins=https://other.example,",
                            kAllowed)});
  HttpClient http(port_);
  const std::string path = std::string(kMetadataService) + "GetArtifactTypes";
  const HttpAnswer allowed = http.Send(
      "OPTIONS", path,
      {absl::StrCat("Origin: ", kAllowed),
       "Access-Control-Request-Method: POST",
       "Access-Control-Request-Headers: content-type,x-grpc-web,authorization"},
      "");
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(HeaderOf(allowed, "access-control-allow-origin"), kAllowed);
  for (const char* header :
       {"content-type", "x-grpc-web", "authorization", "grpc-timeout"}) {
    EXPECT_THAT(HeaderOf(allowed, "access-control-allow-headers"),
                HasSubstr(header));
  }
  EXPECT_THAT(HeaderOf(allowed, "access-control-allow-methods"),
              HasSubstr("POST"));

  const HttpAnswer refused = http.Send(
      "OPTIONS", path,
      {"Origin: https://evil.example", "Access-Control-Request-Method: POST"},
      "");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.headers.count("access-control-allow-origin"), 0u);

  // The call itself: CORS headers for the allowed origin only.
  ml_metadata::GetArtifactTypesRequest request;
  const WebCall from_allowed =
      Post(http, path, request, kProto, {absl::StrCat("Origin: ", kAllowed)});
  EXPECT_EQ(HeaderOf(from_allowed.http, "access-control-allow-origin"),
            kAllowed);
  EXPECT_THAT(HeaderOf(from_allowed.http, "access-control-expose-headers"),
              HasSubstr("grpc-status"));
  const WebCall from_other =
      Post(http, path, request, kProto, {"Origin: https://evil.example"});
  EXPECT_EQ(from_other.grpc_status, 0);
  EXPECT_EQ(from_other.http.headers.count("access-control-allow-origin"), 0u);
}

TEST_F(GrpcWebTest, TokensApplyAsToNativeCalls) {
  const std::string tokens = ::testing::TempDir() + "grpc_web_tokens.csv";
  {
    std::ofstream out(tokens, std::ios::trunc);
    out << "web-secret,alice,u-1,*\n";
  }
  StartServer({"--auth_token_file=" + tokens});
  HttpClient http(port_);
  ml_metadata::PutArtifactTypeRequest put;
  put.mutable_artifact_type()->set_name("Model");
  const std::string path = std::string(kMetadataService) + "PutArtifactType";
  const WebCall without = Post(http, path, put);
  EXPECT_EQ(without.grpc_status, 16);
  EXPECT_THAT(without.grpc_message, HasSubstr("token"));
  const WebCall wrong =
      Post(http, path, put, kProto, {"Authorization: Bearer nope"});
  EXPECT_EQ(wrong.grpc_status, 16);
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Type WHERE name = 'Model'"),
            0);
  const WebCall with =
      Post(http, path, put, kProto, {"Authorization: Bearer web-secret"});
  EXPECT_EQ(with.grpc_status, 0) << with.grpc_message;
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Type WHERE name = 'Model'"),
            1);
}

TEST_F(GrpcWebTest, MalformedBodiesAreRefusedAndTheServerServesOn) {
  StartServer();
  HttpClient http(port_);
  const std::string path = std::string(kMetadataService) + "GetArtifactTypes";
  struct Case {
    std::string name;
    std::string body;
    std::string content_type;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"empty body", "", kProto, "empty"},
      {"cut header", std::string("\0\0\0", 3), kProto, "shorter than"},
      {"cut message", Frame(0x00, "abcdef").substr(0, 8), kProto, "declares 6"},
      {"two frames", Frame(0x00, "") + Frame(0x00, ""), kProto, "after"},
      {"compressed", Frame(0x01, "x"), kProto, "compressed"},
      {"trailer frame", Frame(0x80, "a:b\r\n"), kProto, "0x80"},
      {"not base64", "!!!!", kText, "not base64"},
      {"odd base64 length", "AAAAA", kText, "multiple of 4"},
      {"not a message", Frame(0x00, "\xff\xff\xff"), kProto,
       "not a valid protocol buffer"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const WebCall call = PostRaw(http, path, c.body, c.content_type);
    EXPECT_EQ(call.grpc_status, 3) << call.grpc_message;
    EXPECT_THAT(call.grpc_message, HasSubstr(c.says));
  }
  ml_metadata::GetArtifactTypesRequest request;
  EXPECT_EQ(Post(http, path, request).grpc_status, 0);
  ml_metadata::GetArtifactTypesResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactTypes, request, response), IsOk());
}

TEST_F(GrpcWebTest, RequestSizeLimitIsNativeGrpcs) {
  StartServer(
      {"--grpc_channel_arguments=grpc.max_receive_message_length=2000"});
  HttpClient http(port_);
  const std::string path = std::string(kMetadataService) + "GetArtifactsByURI";
  ml_metadata::GetArtifactsByURIRequest small;
  small.add_uris(std::string(1500, 'u'));
  EXPECT_EQ(Post(http, path, small).grpc_status, 0);
  ml_metadata::GetArtifactsByURIRequest large;
  large.add_uris(std::string(3000, 'u'));
  ml_metadata::GetArtifactsByURIResponse ignored;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, large, ignored),
              StatusIs(absl::StatusCode::kResourceExhausted));
  const WebCall refused = Post(http, path, large);
  EXPECT_EQ(refused.grpc_status, 8) << refused.grpc_message;
  EXPECT_THAT(refused.grpc_message, HasSubstr("2000"));
  // Far beyond the limit: refused before the body is read.
  large.set_uris(0, std::string(1 << 20, 'u'));
  EXPECT_EQ(Post(http, path, large).grpc_status, 8);
  EXPECT_EQ(Post(http, path, small, kText).grpc_status, 0);
}

TEST(GrpcWebOffTest, NoListenerUnlessAsked) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_THAT(server.Log(), Not(HasSubstr("grpc-web")));
}

}  // namespace
}  // namespace mlmdx::testing
