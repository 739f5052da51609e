// Crash consistency on SQLite (tests/crash_driver.h): a few kill -9 cycles
// under eight writing clients, and the checker's own tests, which show it
// reports each kind of broken promise. The long form is
// bench/crash_consistency.cc.

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/crash_driver.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

WriteRecord PutExecutionRecord(const std::string& name, WriteOutcome outcome) {
  WriteRecord write;
  write.label = name;
  write.outcome = outcome;
  write.executions = {name + "-e"};
  write.artifacts = {name + "-in0", name + "-out0"};
  write.events = {EventKey(name + "-e", name + "-in0", 3),
                  EventKey(name + "-e", name + "-out0", 4)};
  return write;
}

// Every row of `write` in a state.
StoredState Holding(const WriteRecord& write) {
  StoredState state;
  state.executions.insert(write.executions.begin(), write.executions.end());
  state.artifacts.insert(write.artifacts.begin(), write.artifacts.end());
  state.events.insert(write.events.begin(), write.events.end());
  return state;
}

TEST(CrashHistoryTest, OutcomesAreClassifiedByWhatTheyProve) {
  EXPECT_EQ(ClassifyOutcome(grpc::StatusCode::OK), WriteOutcome::kAcknowledged);
  for (grpc::StatusCode code :
       {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::CANCELLED, grpc::StatusCode::INTERNAL}) {
    EXPECT_EQ(ClassifyOutcome(code), WriteOutcome::kUnknown) << code;
  }
  for (grpc::StatusCode code :
       {grpc::StatusCode::ALREADY_EXISTS, grpc::StatusCode::INVALID_ARGUMENT,
        grpc::StatusCode::NOT_FOUND, grpc::StatusCode::ABORTED}) {
    EXPECT_EQ(ClassifyOutcome(code), WriteOutcome::kDefiniteError) << code;
  }
}

TEST(CrashHistoryTest, AcceptsAHistoryThatKeptItsPromises) {
  const WriteRecord acked =
      PutExecutionRecord("a", WriteOutcome::kAcknowledged);
  const WriteRecord refused =
      PutExecutionRecord("r", WriteOutcome::kDefiniteError);
  const WriteRecord lost = PutExecutionRecord("u", WriteOutcome::kUnknown);
  const WriteRecord applied = PutExecutionRecord("v", WriteOutcome::kUnknown);
  StoredState stored = Holding(acked);
  const StoredState also = Holding(applied);
  stored.executions.insert(also.executions.begin(), also.executions.end());
  stored.artifacts.insert(also.artifacts.begin(), also.artifacts.end());
  stored.events.insert(also.events.begin(), also.events.end());
  EXPECT_THAT(CheckHistory({acked, refused, lost, applied}, stored), IsEmpty());
}

TEST(CrashHistoryTest, ReportsAnAcknowledgedWriteThatIsMissing) {
  const WriteRecord acked =
      PutExecutionRecord("a", WriteOutcome::kAcknowledged);
  EXPECT_THAT(CheckHistory({acked}, StoredState()),
              ElementsAre(HasSubstr("a: acknowledged, but only 0 of its 5")));
  // One lost event is enough.
  StoredState stored = Holding(acked);
  stored.events.erase(acked.events[1]);
  EXPECT_THAT(CheckHistory({acked}, stored),
              ElementsAre(HasSubstr("acknowledged, but only 4 of its 5")));
}

TEST(CrashHistoryTest, ReportsARefusedWriteThatWasApplied) {
  const WriteRecord refused =
      PutExecutionRecord("r", WriteOutcome::kDefiniteError);
  StoredState stored;
  stored.artifacts.insert("r-in0");
  EXPECT_THAT(CheckHistory({refused}, stored),
              ElementsAre(HasSubstr("r: refused with code")));
}

TEST(CrashHistoryTest, ReportsAnUnknownWriteAppliedInPart) {
  const WriteRecord unknown = PutExecutionRecord("u", WriteOutcome::kUnknown);
  StoredState stored = Holding(unknown);
  stored.events.clear();
  EXPECT_THAT(CheckHistory({unknown}, stored),
              ElementsAre(HasSubstr("u: outcome unknown and applied in part")));
}

TEST(CrashHistoryTest, ReportsABadWriteThatWasAcknowledged) {
  WriteRecord bad = PutExecutionRecord("b", WriteOutcome::kAcknowledged);
  bad.expect_error = true;
  EXPECT_THAT(CheckHistory({bad}, Holding(bad)),
              ElementsAre(HasSubstr("b: a bad write was acknowledged")));
}

// Short kill cycles: the long form runs 100 and more by hand.
CrashDriverOptions ShortCycles() {
  CrashDriverOptions options;
  options.clients = 8;
  options.min_kill_delay_ms = 100;
  options.max_kill_delay_ms = 500;
  options.seed = 7;
  return options;
}

TEST(CrashConsistencyTest, SqliteKeepsEveryPromiseAcrossKills) {
  TestServer server(TestBackend::kSqlite);
  CrashDriver driver(server, ShortCycles());
  ASSERT_THAT(driver.Start(), IsOk());
  int64_t acknowledged = 0, refused = 0;
  for (int cycle = 1; cycle <= 3; ++cycle) {
    absl::StatusOr<CycleReport> report = driver.RunCycle();
    ASSERT_THAT(report.status(), IsOk());
    EXPECT_THAT(report->violations, IsEmpty()) << "cycle " << cycle;
    acknowledged += report->acknowledged;
    refused += report->definite_errors;
  }
  // The cycles had material: writes acknowledged and bad writes refused.
  EXPECT_GT(acknowledged, 0);
  EXPECT_GT(refused, 0);
}

// Writes to the SQLite file behind the server's back, which the index
// cannot know about.
void ExecuteOnFile(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error == nullptr ? "" : error);
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(CrashConsistencyTest, CheckerSeesWhatTheDatabaseAndIndexHold) {
  TestServer server(TestBackend::kSqlite);
  CrashDriver driver(server, ShortCycles());
  ASSERT_THAT(driver.Start(), IsOk());
  absl::StatusOr<CycleReport> report = driver.RunCycle();
  ASSERT_THAT(report.status(), IsOk());
  ASSERT_THAT(report->violations, IsEmpty());

  // An acknowledgement for a write that never happened is reported.
  absl::StatusOr<StoredState> stored = driver.ReadDatabase("c1-");
  ASSERT_THAT(stored.status(), IsOk());
  ASSERT_FALSE(stored->executions.empty());
  const WriteRecord fabricated =
      PutExecutionRecord("c1-never", WriteOutcome::kAcknowledged);
  EXPECT_THAT(CheckHistory({fabricated}, *stored),
              ElementsAre(HasSubstr("c1-never: acknowledged, but only 0")));

  // The server's view and the index agree with the database...
  absl::StatusOr<StoredState> seen = driver.ReadThroughServer("c1-");
  ASSERT_THAT(seen.status(), IsOk());
  EXPECT_EQ(seen->executions, stored->executions);
  EXPECT_EQ(seen->events, stored->events);
  absl::StatusOr<std::vector<std::string>> index = driver.CompareIndex("c1-");
  ASSERT_THAT(index.status(), IsOk());
  EXPECT_THAT(*index, IsEmpty());

  // ...until the database gains an event and an association that did not
  // pass through the server: the index lacks both.
  ExecuteOnFile(server.db_path(),
                "INSERT INTO Event (artifact_id, execution_id, type) "
                "SELECT a.id, e.id, 4 FROM Artifact a, Execution e "
                "WHERE a.name LIKE 'c1-%' AND e.name LIKE 'c1-%' "
                "AND NOT EXISTS (SELECT 1 FROM Event v WHERE v.artifact_id = "
                "a.id AND v.execution_id = e.id) LIMIT 1; "
                "INSERT INTO Association (context_id, execution_id) "
                "SELECT c.id, e.id FROM Context c, Execution e "
                "WHERE c.name LIKE 'c1-%-run' AND e.name LIKE 'c1-%' "
                "AND NOT EXISTS (SELECT 1 FROM Association s WHERE "
                "s.context_id = c.id AND s.execution_id = e.id) LIMIT 1");
  index = driver.CompareIndex("c1-");
  ASSERT_THAT(index.status(), IsOk());
  EXPECT_THAT(*index,
              ::testing::Contains(HasSubstr(
                  "edge in the database, not in the lineage index: event ")));
  EXPECT_THAT(*index, ::testing::Contains(HasSubstr(
                          "edge in the database, not in the lineage index: "
                          "association ")));
}

}  // namespace
}  // namespace mlmdx::testing
