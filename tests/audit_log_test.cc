// The audit log against the real server: known calls give exactly the
// expected lines, each a JSON object with the caller, method, ids written,
// code, latency and peer; reads are not logged, refused calls are.

#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using Json = nlohmann::json;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "mlmdx_audit_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ + "/tokens.csv")
        << "alice-secret,alice,u-1,\"team-a,team-b\"\n"
           "admin-secret,admin,u-0,*\n";
    ASSERT_THAT(server_.Start({"--auth_token_file=" + dir_ + "/tokens.csv",
                               "--audit_log=" + dir_ + "/audit.jsonl"}),
                IsOk());
    stub_ = server_.NewStub();
  }

  // A call of `method` carrying `token` ("" for none).
  template <typename Request, typename Response>
  absl::Status Call(
      grpc::Status (ml_metadata::MetadataStoreService::Stub::*method)(
          grpc::ClientContext*, const Request&, Response*),
      const std::string& token, const Request& request, Response& response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    if (!token.empty()) {
      context.AddMetadata("authorization", "Bearer " + token);
    }
    return FromGrpc((stub_.get()->*method)(&context, request, &response));
  }

  std::vector<Json> AuditLines() {
    std::ifstream in(dir_ + "/audit.jsonl");
    std::vector<Json> lines;
    std::string line;
    while (std::getline(in, line)) {
      Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      EXPECT_TRUE(json.is_object()) << line;
      lines.push_back(std::move(json));
    }
    return lines;
  }

  std::string dir_;
  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
};

using Stub = ml_metadata::MetadataStoreService::Stub;

// The fields every line has, checked for form; the rest is compared as is.
void ExpectCommonFields(Json& line) {
  ASSERT_TRUE(line["ts"].is_string());
  EXPECT_TRUE(
      std::regex_match(line["ts"].get<std::string>(),
                       std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line["ts"];
  ASSERT_TRUE(line["latency_ms"].is_number());
  EXPECT_GE(line["latency_ms"].get<double>(), 0.0);
  ASSERT_TRUE(line["peer"].is_string());
  EXPECT_TRUE(std::regex_match(line["peer"].get<std::string>(),
                               std::regex(R"(ipv[46]:.+:\d+)")))
      << line["peer"];
  line.erase("ts");
  line.erase("latency_ms");
  line.erase("peer");
}

TEST_F(AuditLogTest, WritesAndRefusalsAreLoggedReadsAreNot) {
  ml_metadata::PutArtifactTypeRequest put_type;
  put_type.mutable_artifact_type()->set_name("Model");
  ml_metadata::PutArtifactTypeResponse type;
  ASSERT_THAT(Call(&Stub::PutArtifactType, "alice-secret", put_type, type),
              IsOk());

  ml_metadata::PutArtifactsRequest put_artifacts;
  put_artifacts.add_artifacts()->set_type_id(type.type_id());
  put_artifacts.add_artifacts()->set_type_id(type.type_id());
  ml_metadata::PutArtifactsResponse artifacts;
  ASSERT_THAT(
      Call(&Stub::PutArtifacts, "admin-secret", put_artifacts, artifacts),
      IsOk());
  ASSERT_EQ(artifacts.artifact_ids_size(), 2);

  // A read: not logged.
  ml_metadata::GetArtifactsRequest get;
  ml_metadata::GetArtifactsResponse got;
  ASSERT_THAT(Call(&Stub::GetArtifacts, "alice-secret", get, got), IsOk());

  // A write that fails: logged with its code and message, no ids.
  ml_metadata::PutArtifactsRequest bad_put;
  bad_put.add_artifacts()->set_type_id(type.type_id() + 1000);
  ml_metadata::PutArtifactsResponse bad;
  ASSERT_FALSE(Call(&Stub::PutArtifacts, "alice-secret", bad_put, bad).ok());

  // Refused calls, a read and a write: both logged.
  ASSERT_THAT(Call(&Stub::GetArtifacts, "", get, got),
              StatusIs(absl::StatusCode::kUnauthenticated));
  ASSERT_THAT(Call(&Stub::PutArtifacts, "stolen", put_artifacts, artifacts),
              StatusIs(absl::StatusCode::kUnauthenticated));

  std::vector<Json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 5u);
  for (Json& line : lines) ExpectCommonFields(line);

  EXPECT_EQ(lines[0], Json::parse(R"({
    "user": "alice", "uid": "u-1", "namespaces": ["team-a", "team-b"],
    "auth": "static_token",
    "method": "/ml_metadata.MetadataStoreService/PutArtifactType",
    "ids": {"type_id": )" + std::to_string(type.type_id()) +
                                  R"(},
    "code": "OK"})"));
  EXPECT_EQ(lines[1],
            Json::parse(R"({
    "user": "admin", "uid": "u-0", "namespaces": ["*"], "auth": "static_token",
    "method": "/ml_metadata.MetadataStoreService/PutArtifacts",
    "ids": {"artifact_ids": [)" +
                        std::to_string(artifacts.artifact_ids(0)) + "," +
                        std::to_string(artifacts.artifact_ids(1)) + R"(]},
    "code": "OK"})"));
  EXPECT_EQ(lines[2]["user"], "alice");
  EXPECT_EQ(lines[2]["ids"], Json::object());
  EXPECT_NE(lines[2]["code"], "OK");
  EXPECT_TRUE(lines[2]["message"].is_string());

  const Json refused_read = lines[3];
  EXPECT_EQ(refused_read["method"],
            "/ml_metadata.MetadataStoreService/GetArtifacts");
  EXPECT_EQ(refused_read["code"], "UNAUTHENTICATED");
  EXPECT_TRUE(refused_read["user"].is_null());
  EXPECT_TRUE(refused_read["namespaces"].is_null());
  EXPECT_NE(refused_read["message"].get<std::string>().find("requires a token"),
            std::string::npos);
  EXPECT_EQ(lines[4]["method"],
            "/ml_metadata.MetadataStoreService/PutArtifacts");
  EXPECT_EQ(lines[4]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(lines[4]["ids"], Json::object());
}

TEST(AuditLogStartTest, UnwritableLogRefusesStart) {
  TestServer server;
  EXPECT_FALSE(server.Start({"--audit_log=/nonexistent-dir/audit.jsonl"}).ok());
  EXPECT_NE(server.Log().find("--audit_log: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace mlmdx::testing
