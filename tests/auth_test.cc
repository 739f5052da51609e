// Bearer tokens against the real server: the static token file (missing,
// unknown and valid tokens, reloading, a malformed file), the services that
// need a token and those that stay open, and the CLI's --token. JWTs are
// in jwt_auth_test.cc.

#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "mlmdx/retention_service.grpc.pb.h"
#include "tests/cli_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;

std::string MakeTempDir() {
  std::string pattern = ::testing::TempDir() + "mlmdx_auth_XXXXXX";
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  return pattern;
}

void WriteFile(const std::string& path, const std::string& text) {
  // Written beside, then renamed over: the server never reads half a file.
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ASSERT_EQ(std::rename(temporary.c_str(), path.c_str()), 0);
}

std::shared_ptr<grpc::Channel> ChannelTo(const TestServer& server) {
  return grpc::CreateChannel(server.address(),
                             grpc::InsecureChannelCredentials());
}

constexpr char kTokens[] =
    "# token,user,uid,namespaces\n"
    "alice-secret,alice,u-1,\"team-a,team-b\"\n"
    "admin-secret,admin,u-0,*\n"
    "bob-secret,bob\n";

class StaticTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    tokens_ = dir_ + "/tokens.csv";
    WriteFile(tokens_, kTokens);
    ASSERT_THAT(server_.Start({"--auth_token_file=" + tokens_}), IsOk());
  }

  std::string dir_;
  std::string tokens_;
  TestServer server_;
};

TEST_F(StaticTokenTest, MissingTokenIsUnauthenticated) {
  const absl::Status status = PutArtifactTypeWithToken(server_, "");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(status.message(), HasSubstr("requires a token"));
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Type WHERE name = 'Model'"),
            0);
}

TEST_F(StaticTokenTest, UnknownTokenIsUnauthenticated) {
  const absl::Status status =
      PutArtifactTypeWithToken(server_, "guessed-secret");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(status.message(), HasSubstr("not one this server accepts"));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("guessed-secret")));
}

TEST_F(StaticTokenTest, ListedTokensAreAccepted) {
  EXPECT_THAT(PutArtifactTypeWithToken(server_, "alice-secret"), IsOk());
  EXPECT_THAT(PutArtifactTypeWithToken(server_, "admin-secret"), IsOk());
  // A line without uid and namespaces still names a user.
  EXPECT_THAT(PutArtifactTypeWithToken(server_, "bob-secret"), IsOk());
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Type WHERE name = 'Model'"),
            1);
}

TEST_F(StaticTokenTest, LineageServiceNeedsTheTokenToo) {
  auto stub = ::mlmdx::LineageService::NewStub(ChannelTo(server_));
  ::mlmdx::QueryLineageRequest request;
  request.set_start_artifacts_filter("id = 1");
  ::mlmdx::QueryLineageResponse response;
  {
    grpc::ClientContext context;
    EXPECT_THAT(FromGrpc(stub->QueryLineage(&context, request, &response)),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer alice-secret");
  EXPECT_THAT(FromGrpc(stub->QueryLineage(&context, request, &response)),
              ::testing::Not(StatusIs(absl::StatusCode::kUnauthenticated)));
}

TEST_F(StaticTokenTest, RetentionServiceNeedsTheTokenToo) {
  auto metadata =
      ml_metadata::MetadataStoreService::NewStub(ChannelTo(server_));
  ml_metadata::PutContextTypeRequest type;
  type.mutable_context_type()->set_name("Run");
  ml_metadata::PutContextTypeResponse type_id;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer alice-secret");
    ASSERT_THAT(FromGrpc(metadata->PutContextType(&context, type, &type_id)),
                IsOk());
  }
  ml_metadata::PutContextsRequest run;
  run.add_contexts()->set_type_id(type_id.type_id());
  run.mutable_contexts(0)->set_name("run-1");
  ml_metadata::PutContextsResponse run_id;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer alice-secret");
    ASSERT_THAT(FromGrpc(metadata->PutContexts(&context, run, &run_id)),
                IsOk());
  }
  auto retention = ::mlmdx::RetentionService::NewStub(ChannelTo(server_));
  ::mlmdx::DeleteContextsRequest request;
  request.add_context_ids(run_id.context_ids(0));
  ::mlmdx::DeleteContextsResponse response;
  {
    grpc::ClientContext context;
    EXPECT_THAT(
        FromGrpc(retention->DeleteContexts(&context, request, &response)),
        StatusIs(absl::StatusCode::kUnauthenticated));
  }
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Context"), 1);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer alice-secret");
  EXPECT_THAT(FromGrpc(retention->DeleteContexts(&context, request, &response)),
              IsOk());
  EXPECT_EQ(response.context_ids_size(), 1);
  EXPECT_EQ(server_.QueryInt("SELECT COUNT(*) FROM Context"), 0);
}

TEST_F(StaticTokenTest, HealthStaysOpen) {
  auto stub = grpc::health::v1::Health::NewStub(ChannelTo(server_));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_THAT(FromGrpc(stub->Check(&context, request, &response)), IsOk());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

// Polls (bounded) until `token` is accepted; true when it was.
bool EventuallyAccepted(const TestServer& server, const std::string& token) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (PutArtifactTypeWithToken(server, token).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_F(StaticTokenTest, ReloadsTheFileWhenItChanges) {
  EXPECT_THAT(PutArtifactTypeWithToken(server_, "carol-secret"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  WriteFile(tokens_, "carol-secret,carol,u-3,team-c\n");
  ASSERT_TRUE(EventuallyAccepted(server_, "carol-secret"));
  // The rewritten file no longer lists alice.
  EXPECT_THAT(PutArtifactTypeWithToken(server_, "alice-secret"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(StaticTokenTest, MalformedReloadKeepsTheOldTokens) {
  WriteFile(tokens_, "dave-secret,dave,u-4,\"team-d\n");
  bool logged = false;
  for (int attempt = 0; attempt < 200 && !logged; ++attempt) {
    PutArtifactTypeWithToken(server_, "alice-secret").IgnoreError();
    logged = server_.Log().find("keeping the tokens read before") !=
             std::string::npos;
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(logged) << server_.Log();
  EXPECT_THAT(server_.Log(), HasSubstr(tokens_ + " line 1"));
  EXPECT_THAT(PutArtifactTypeWithToken(server_, "alice-secret"), IsOk());
  EXPECT_THAT(PutArtifactTypeWithToken(server_, "dave-secret"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(StaticTokenTest, CliSendsItsToken) {
  ASSERT_THAT(PutArtifactTypeWithToken(server_, "alice-secret"), IsOk());
  const std::vector<std::string> get = {
      "get", "types", "--server", server_.address(), "-o", "json"};
  CliResult refused = RunMlmdx(get);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("refused the call"));
  EXPECT_THAT(refused.err, HasSubstr("pass --token or set MLMDX_TOKEN"));

  std::vector<std::string> with_flag = get;
  with_flag.push_back("--token=alice-secret");
  CliResult by_flag = RunMlmdx(with_flag);
  EXPECT_EQ(by_flag.exit_code, 0) << by_flag.err;
  EXPECT_THAT(by_flag.out, HasSubstr("Model"));

  CliResult by_env = RunMlmdx(get, {"MLMDX_TOKEN=alice-secret"});
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  EXPECT_THAT(by_env.out, HasSubstr("Model"));

  CliResult wrong = RunMlmdx(get, {"MLMDX_TOKEN=wrong-secret"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("not one this server accepts"));
}

TEST(StaticTokenStartTest, MalformedFileRefusesStart) {
  const std::string dir = MakeTempDir();
  const std::string tokens = dir + "/tokens.csv";
  WriteFile(tokens, "alice-secret,alice,u-1\n,nobody,u-2\n");
  TestServer server;
  EXPECT_FALSE(server.Start({"--auth_token_file=" + tokens}).ok());
  EXPECT_NE(server.start_up_exit_status(), 0);
  EXPECT_THAT(server.Log(), HasSubstr(tokens + " line 2"));
  EXPECT_THAT(server.Log(), HasSubstr("token (first column) is empty"));
}

TEST(StaticTokenStartTest, NoFlagsMeansNoTokenNeeded) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_THAT(PutArtifactTypeWithToken(server, ""), IsOk());
}

}  // namespace
}  // namespace mlmdx::testing
