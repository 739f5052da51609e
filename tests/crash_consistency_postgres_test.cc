// Crash consistency on PostgreSQL (tests/crash_driver.h): a few kill -9
// cycles of the server under eight writing clients, on a throwaway cluster
// of this suite's own. PostgreSQL itself keeps running; it must roll back
// what the killed server left open and serve the restarted one.

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/crash_driver.h"
#include "tests/postgres_test.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::IsEmpty;

class CrashConsistencyPostgresTest : public PostgresClusterTest {};

TEST_F(CrashConsistencyPostgresTest, KeepsEveryPromiseAcrossKills) {
  TestServer server(absl::StrCat(cluster().UriBase(), "/crash"));
  CrashDriverOptions options;
  options.clients = 8;
  options.min_kill_delay_ms = 100;
  options.max_kill_delay_ms = 500;
  options.seed = 11;
  CrashDriver driver(server, options);
  ASSERT_THAT(driver.Start(), IsOk());
  int64_t acknowledged = 0, refused = 0;
  for (int cycle = 1; cycle <= 3; ++cycle) {
    absl::StatusOr<CycleReport> report = driver.RunCycle();
    ASSERT_THAT(report.status(), IsOk());
    EXPECT_THAT(report->violations, IsEmpty()) << "cycle " << cycle;
    acknowledged += report->acknowledged;
    refused += report->definite_errors;
  }
  EXPECT_GT(acknowledged, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace mlmdx::testing
