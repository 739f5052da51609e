// `mlmdx backup` on the SQLite file of a running server: the copy taken with
// writes paused equals the source table by table, row by row; a copy taken
// while clients write is one consistent moment (no execution without its
// events, no event without its nodes), passes integrity_check, keeps MLMD's
// schema version, and a server started on it serves it.

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;

// Every row of `sql` on the SQLite file `path`, each as its columns' text
// joined by '|'.
std::vector<std::string> Rows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  std::vector<std::string> rows;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      absl::StrAppend(
          &row, i > 0 ? "|" : "",
          text != nullptr ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  return rows;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    artifact_type_ = PutArtifactTypeOrDie(*stub_, "Dataset");
    execution_type_ = PutExecutionTypeOrDie(*stub_, "Trainer");
    ml_metadata::PutContextTypeRequest request;
    request.mutable_context_type()->set_name("Run");
    ml_metadata::PutContextTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutContextType, request, response), IsOk());
    context_type_ = response.type_id();
    backup_dir_ = server_.db_path() + ".backups";
    ASSERT_EQ(mkdir(backup_dir_.c_str(), 0700), 0);
  }

  // One PutExecution: an execution reading one new artifact and writing
  // another, in the context "run-<run>": one transaction of seven rows
  // and more (nodes, events, paths, links, properties).
  absl::Status PutStep(ml_metadata::MetadataStoreService::Stub& stub, int run,
                       int step) {
    ml_metadata::PutExecutionRequest request =
        ParseTextProto<ml_metadata::PutExecutionRequest>(absl::Substitute(
            "execution { type_id: $1 name: 'step-$3-$4' "
            "  custom_properties { key: 'n' value { int_value: $4 } } } "
            "artifact_event_pairs { artifact { type_id: $0 uri: 'in/$3/$4' } "
            "  event { type: INPUT path { steps { key: 'in' } } } } "
            "artifact_event_pairs { artifact { type_id: $0 uri: 'out/$3/$4' } "
            "  event { type: OUTPUT path { steps { key: 'out' } } } } "
            "contexts { type_id: $2 name: 'run-$3' }",
            artifact_type_, execution_type_, context_type_, run, step));
    request.mutable_options()->set_reuse_context_if_already_exist(true);
    ml_metadata::PutExecutionResponse response;
    return MLMDX_CALL(stub, PutExecution, request, response);
  }

  // Runs `mlmdx backup` of the server's database into `out`.
  CliResult Backup(const std::string& out,
                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"backup", "--db", server_.db_path(), out};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunMlmdx(args);
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  int64_t artifact_type_ = 0, execution_type_ = 0, context_type_ = 0;
  std::string backup_dir_;
};

TEST_F(BackupTest, WithWritesPausedEveryTableEqualsTheSourceRowForRow) {
  for (int step = 0; step < 40; ++step) {
    ASSERT_THAT(PutStep(*stub_, step % 3, step), IsOk());
  }
  const std::string out = backup_dir_ + "/copy.sqlite";
  // Small steps, so the copy takes many of them.
  const CliResult result = Backup(out, {"--pages-per-step", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("backed up"));

  // The same schema objects...
  const std::string schema_sql =
      "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name";
  const std::vector<std::string> schema = Rows(server_.db_path(), schema_sql);
  EXPECT_EQ(Rows(out, schema_sql), schema);
  // ...and in every table, the same rows.
  const std::vector<std::string> tables =
      Rows(server_.db_path(),
           "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  ASSERT_GE(tables.size(), 15u);
  int64_t rows_compared = 0;
  for (const std::string& table : tables) {
    const std::string sql = absl::StrCat("SELECT * FROM \"", table, "\"");
    std::vector<std::string> source_rows = Rows(server_.db_path(), sql);
    std::vector<std::string> copy_rows = Rows(out, sql);
    std::sort(source_rows.begin(), source_rows.end());
    std::sort(copy_rows.begin(), copy_rows.end());
    EXPECT_EQ(copy_rows, source_rows) << "table " << table;
    rows_compared += source_rows.size();
  }
  EXPECT_GT(rows_compared, 40 * 7);
}

TEST_F(BackupTest, WhileClientsWriteTheCopyIsOneConsistentMomentAndServes) {
  for (int step = 0; step < 20; ++step) {
    ASSERT_THAT(PutStep(*stub_, 0, step), IsOk());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto stub = server_.NewStub();
      for (int step = 0; !stop.load(); ++step) {
        EXPECT_THAT(PutStep(*stub, 1 + w, step), IsOk());
        writes.fetch_add(1);
      }
    });
  }
  // Let the writers get going, then copy in one-page steps (many commits
  // land between steps), three times over.
  while (writes.load() < 20) std::this_thread::yield();
  std::vector<std::string> copies;
  for (int i = 0; i < 3; ++i) {
    const std::string out = absl::StrCat(backup_dir_, "/copy-", i, ".sqlite");
    const CliResult result = Backup(out, {"--pages-per-step", "1"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    copies.push_back(out);
  }
  const int writes_during_copies = writes.load();
  stop.store(true);
  for (std::thread& writer : writers) writer.join();
  EXPECT_GT(writes_during_copies, 20);

  for (const std::string& copy : copies) {
    SCOPED_TRACE(copy);
    EXPECT_EQ(Rows(copy, "PRAGMA integrity_check"),
              std::vector<std::string>{"ok"});
    EXPECT_EQ(Rows(copy, "SELECT schema_version FROM MLMDEnv"),
              std::vector<std::string>{"10"});
    // Every PutExecution is whole or absent: each execution has its two
    // events, one attribution per artifact, one association; every event
    // names nodes that exist.
    EXPECT_EQ(Rows(copy,
                   "SELECT count(*) FROM Execution e WHERE (SELECT count(*) "
                   "FROM Event v WHERE v.execution_id = e.id) != 2 OR (SELECT "
                   "count(*) FROM Association a WHERE a.execution_id = e.id) "
                   "!= 1"),
              std::vector<std::string>{"0"});
    EXPECT_EQ(Rows(copy,
                   "SELECT count(*) FROM Event v WHERE v.artifact_id NOT IN "
                   "(SELECT id FROM Artifact) OR v.execution_id NOT IN (SELECT "
                   "id FROM Execution) OR v.id NOT IN (SELECT event_id FROM "
                   "EventPath)"),
              std::vector<std::string>{"0"});
    EXPECT_EQ(Rows(copy,
                   "SELECT count(*) FROM Artifact a WHERE a.id NOT IN (SELECT "
                   "artifact_id FROM Event) OR a.id NOT IN (SELECT artifact_id "
                   "FROM Attribution)"),
              std::vector<std::string>{"0"});
  }

  // A server started on the last copy builds its lineage index from the
  // copy's rows and serves them.
  const std::string& copy = copies.back();
  const std::string events = Rows(copy, "SELECT count(*) FROM Event")[0];
  const std::string executions =
      Rows(copy, "SELECT count(*) FROM Execution")[0];
  EXPECT_GE(std::stoi(executions), 20);
  TestServer restored(copy);
  ASSERT_THAT(restored.Start(), IsOk());
  EXPECT_THAT(restored.Log(),
              HasSubstr(absl::StrCat("lineage index: ", events, " events")));
  auto stub = restored.NewStub();
  ml_metadata::GetExecutionsRequest request;
  ml_metadata::GetExecutionsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub, GetExecutions, request, response), IsOk());
  EXPECT_EQ(std::to_string(response.executions_size()), executions);
}

TEST_F(BackupTest, BadArgumentsChangeNothing) {
  const std::string out = backup_dir_ + "/kept.sqlite";
  std::ofstream(out) << "previous backup";
  const std::string not_a_database = backup_dir_ + "/notes.txt";
  std::ofstream(not_a_database) << std::string(4096, 'x');

  CliResult result = RunMlmdx({"backup", "--db", not_a_database, out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("is not a SQLite database"));
  result = RunMlmdx({"backup", "--db", backup_dir_ + "/missing.sqlite", out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("missing.sqlite"));
  result = Backup(server_.db_path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("is the database"));
  result = RunMlmdx({"backup", "--db", "postgresql://u@h/db", out});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("pg_dump"));
  result = RunMlmdx({"backup", out});
  EXPECT_EQ(result.exit_code, 2);

  // The old file is untouched and no temporary file is left behind.
  std::ifstream kept(out);
  std::string text((std::istreambuf_iterator<char>(kept)),
                   std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "previous backup");
  EXPECT_EQ(
      std::system(
          absl::StrCat("test $(ls ", backup_dir_, " | wc -l) -eq 2").c_str()),
      0);
  // The server still serves its own file.
  ASSERT_THAT(PutStep(*stub_, 0, 0), IsOk());
}

}  // namespace
}  // namespace mlmdx::testing
