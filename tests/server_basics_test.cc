// The server process itself: start-up on a fresh file, the schema it
// creates, RPCs of later work answering UNIMPLEMENTED, and clean shutdown.

#include <grpcpp/generic/generic_stub.h>
#include <sqlite3.h>

#include <future>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::GetArtifactTypesRequest;
using ml_metadata::GetArtifactTypesResponse;

TEST(ServerBasicsTest, FreshFileGetsMlmdSchemaVersion10) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_EQ(
      QuerySqliteInt(server.db_path(), "SELECT schema_version FROM MLMDEnv"),
      10);
  EXPECT_EQ(QuerySqliteInt(server.db_path(), "SELECT COUNT(*) FROM MLMDEnv"),
            1);
  // MLMD's layout: 15 tables plus sqlite_sequence, 40 indexes. Everything
  // else is mlmdx's own track (mlmdx_* indexes and the mlmdx_schema table),
  // which MLMD ignores.
  const std::string mlmd_objects =
      "SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'mlmdx\\_%' "
      "ESCAPE '\\' AND type = ";
  EXPECT_EQ(QuerySqliteInt(server.db_path(), mlmd_objects + "'table'"), 16);
  EXPECT_EQ(QuerySqliteInt(server.db_path(), mlmd_objects + "'index'"), 40);
  EXPECT_EQ(
      QuerySqliteInt(server.db_path(),
                     "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
                     "AND name LIKE 'mlmdx\\_%' ESCAPE '\\'"),
      2);
  EXPECT_EQ(
      QuerySqliteInt(server.db_path(),
                     "SELECT version FROM mlmdx_schema WHERE track = 'mlmdx'"),
      1);
  EXPECT_EQ(
      QuerySqliteInt(server.db_path(),
                     "SELECT COUNT(*) FROM Type WHERE name LIKE 'mlmd.%'"),
      9);
}

TEST(ServerBasicsTest, EmptyStoreHidesSimpleTypes) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  auto stub = server.NewStub();
  GetArtifactTypesResponse response;
  ASSERT_THAT(
      MLMDX_CALL(*stub, GetArtifactTypes, GetArtifactTypesRequest(), response),
      IsOk());
  EXPECT_EQ(response.artifact_types_size(), 0);
}

// All 52 RPCs of the service are served: an empty request gets an answer
// (OK or a validation error), never UNIMPLEMENTED.
TEST(ServerBasicsTest, EveryRpcOfTheServiceIsServed) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          ml_metadata::MetadataStoreService::service_full_name());
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->method_count(), 52);
  grpc::GenericStub stub(grpc::CreateChannel(
      server.address(), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string method = absl::StrCat("/", service->full_name(), "/",
                                            service->method(i)->name());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::Slice empty;  // An empty message: every field at its default.
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    const grpc::Status status = done.get_future().get();
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
        << method << ": " << status.error_message();
  }
}

TEST(ServerBasicsTest, RestartKeepsDataAndSigtermExitsCleanly) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  int64_t type_id = 0;
  {
    auto stub = server.NewStub();
    ml_metadata::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name("Model");
    ml_metadata::PutArtifactTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub, PutArtifactType, request, response), IsOk());
    type_id = response.type_id();
    EXPECT_EQ(type_id, 10);  // After the nine simple types.
  }
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_NE(server.Log().find("clean exit"), std::string::npos);
  ASSERT_THAT(server.Start(), IsOk());
  auto stub = server.NewStub();
  ml_metadata::GetArtifactTypeRequest request;
  request.set_type_name("Model");
  ml_metadata::GetArtifactTypeResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub, GetArtifactType, request, response), IsOk());
  EXPECT_EQ(response.artifact_type().id(), type_id);
}

TEST(ServerBasicsTest, PortInUseIsRefusedAtStartUp) {
  TestServer first;
  ASSERT_THAT(first.Start(), IsOk());
  TestServer second;
  const std::string port_flag = absl::StrCat("--grpc_port=", first.port());
  const absl::Status started = second.Start({port_flag});
  ASSERT_FALSE(started.ok());
  EXPECT_NE(second.start_up_exit_status(), 0);
  EXPECT_NE(second.start_up_exit_status(), -1);
  const std::string log = second.Log();
  EXPECT_NE(log.find(absl::StrCat("127.0.0.1:", first.port())),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(port_flag), std::string::npos) << log;
  // The first server still owns the port and answers.
  auto stub = first.NewStub();
  GetArtifactTypesRequest request;
  GetArtifactTypesResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub, GetArtifactTypes, request, response), IsOk());
  EXPECT_EQ(first.Stop(), 0);
}

TEST(ServerBasicsTest, RefusesNewerSchemaWithFailedPrecondition) {
  TestServer first;
  ASSERT_THAT(first.Start(), IsOk());
  first.Stop();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(first.db_path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE MLMDEnv SET schema_version = 11", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  TestServer second(first.db_path());
  const absl::Status status = second.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("FAILED_PRECONDITION"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("version 11"), std::string::npos);
}

}  // namespace
}  // namespace mlmdx::testing
