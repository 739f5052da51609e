// Schema migrations through the real `mlmdx serve`: an MLMD database of
// schema version 5 (store/testing/mlmd_schema_fixture.h) is refused without
// --enable_database_upgrade, upgraded and served with it, and then
// downgraded with --downgrade_db_schema_version, after which the process
// exits with status 0.

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/testing/mlmd_schema_fixture.h"
#include "tests/cli_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `mlmdx serve` on `db_path` with `flags` until it exits by itself.
CliResult ServeUntilExit(const std::string& db_path,
                         const std::vector<std::string>& flags) {
  std::vector<std::string> args = {
      "serve",     "--grpc_port=0", "--listen_address",
      "127.0.0.1", "--db",          db_path};
  args.insert(args.end(), flags.begin(), flags.end());
  return RunMlmdx(args);
}

class SchemaUpgradeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(store::WriteMlmdFixture(path_, 5, /*with_rows=*/true), IsOk());
  }

  int64_t SchemaVersion() {
    return QuerySqliteInt(path_, "SELECT schema_version FROM MLMDEnv");
  }

  // Serves the database with the upgrade enabled and reads artifact 1 and
  // execution 1's events back.
  void ExpectServedUpgraded() {
    TestServer server(path_);
    ASSERT_THAT(server.Start({"--enable_database_upgrade"}), IsOk());
    auto stub = server.NewStub();
    ml_metadata::GetArtifactsByIDRequest request;
    request.add_artifact_ids(1);
    ml_metadata::GetArtifactsByIDResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub, GetArtifactsByID, request, response), IsOk());
    ASSERT_EQ(response.artifacts_size(), 1);
    EXPECT_EQ(response.artifacts(0).uri(), "/data/1");
    EXPECT_EQ(response.artifacts(0).name(), "dataset-1");
    EXPECT_EQ(response.artifacts(0).properties().at("size").int_value(), 42);
    // Version 8 collapsed events 1 and 3 into event 5 (the highest id).
    ml_metadata::GetEventsByExecutionIDsRequest events_request;
    events_request.add_execution_ids(1);
    ml_metadata::GetEventsByExecutionIDsResponse events;
    ASSERT_THAT(
        MLMDX_CALL(*stub, GetEventsByExecutionIDs, events_request, events),
        IsOk());
    EXPECT_EQ(events.events_size(), 2);
    EXPECT_EQ(server.Stop(), 0);
    EXPECT_EQ(SchemaVersion(), 10);
  }

  TestServer owner_;  // Owns the temporary directory.
  const std::string path_ = owner_.db_path();
};

TEST_F(SchemaUpgradeE2eTest, OlderDatabaseIsRefusedWithoutTheFlag) {
  const std::string original = FileBytes(path_);
  const CliResult exit = ServeUntilExit(path_, {});
  EXPECT_NE(exit.exit_code, 0);
  EXPECT_NE(exit.exit_code, -1) << exit.err;
  EXPECT_THAT(exit.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(exit.err,
              HasSubstr("MLMD database version 5 is older than library "
                        "version 10. Schema migration is disabled."));
  EXPECT_EQ(FileBytes(path_), original);
}

TEST_F(SchemaUpgradeE2eTest, OlderDatabaseIsUpgradedAndServed) {
  ExpectServedUpgraded();
  // Open again without the flag: it is a version-10 database now.
  TestServer server(path_);
  EXPECT_THAT(server.Start(), IsOk());
}

TEST_F(SchemaUpgradeE2eTest, DowngradeExitsWithStatusZeroAndLeavesVersion7) {
  ExpectServedUpgraded();
  const CliResult exit =
      ServeUntilExit(path_, {"--downgrade_db_schema_version=7"});
  EXPECT_EQ(exit.exit_code, 0) << exit.err;
  EXPECT_THAT(exit.err, HasSubstr("Downgrade migration was performed"));
  EXPECT_THAT(exit.err, HasSubstr("at schema version 7."));
  EXPECT_THAT(exit.err, Not(HasSubstr("listening on port")));
  EXPECT_EQ(SchemaVersion(), 7);
  // Version 7: byte_value but no proto_value yet; no mlmdx objects.
  EXPECT_EQ(QuerySqliteInt(path_,
                           "SELECT COUNT(*) FROM pragma_table_info("
                           "'ArtifactProperty') WHERE name = 'byte_value'"),
            1);
  EXPECT_EQ(QuerySqliteInt(path_,
                           "SELECT COUNT(*) FROM pragma_table_info("
                           "'ArtifactProperty') WHERE name = 'proto_value'"),
            0);
  EXPECT_EQ(QuerySqliteInt(path_,
                           "SELECT COUNT(*) FROM sqlite_master WHERE name "
                           "LIKE 'mlmdx\\_%' ESCAPE '\\'"),
            0);

  // And back up, with mlmdx's own indexes again.
  ExpectServedUpgraded();
  EXPECT_EQ(QuerySqliteInt(path_,
                           "SELECT COUNT(*) FROM sqlite_master WHERE type = "
                           "'index' AND name LIKE 'mlmdx\\_%' ESCAPE '\\'"),
            2);
}

}  // namespace
}  // namespace mlmdx::testing
