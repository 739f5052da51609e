// The `mlmdx` verbs lookup, get, health and version end to end: the real
// binary against a real server and, in direct mode, the database itself
// (the SQLite file, or the same runs on PostgreSQL), over a KFP-shaped
// database. Output content is checked, not only exit
// codes.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class LookupTest : public CliTest {};
MLMDX_INSTANTIATE_CLI_SUITE(LookupTest);

TEST_P(LookupTest, ModelByUriShowsTypeProducerAndContexts) {
  const KfpRun& b = Runs().b;
  const CliResult r = Cli({"lookup", b.model_uri, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = r.Json();
  ASSERT_EQ(json.size(), 1u) << r.out;
  const nlohmann::json& model = json[0];
  EXPECT_EQ(model["id"], b.model_id);
  EXPECT_EQ(model["uri"], b.model_uri);
  EXPECT_EQ(model["type"], "system.Model");
  EXPECT_EQ(model["state"], "LIVE");
  EXPECT_EQ(model["custom_properties"]["framework"], "sklearn");
  ASSERT_EQ(model["produced_by"].size(), 1u);
  EXPECT_EQ(model["produced_by"][0]["id"], b.train_id);
  EXPECT_EQ(model["produced_by"][0]["output_path"], "model");
  EXPECT_EQ(model["produced_by"][0]["custom_properties"]["task_name"], "train");
  std::vector<std::string> contexts;
  for (const auto& c : model["contexts"]) {
    contexts.push_back(c["type"].get<std::string>() + "/" +
                       c["name"].get<std::string>());
  }
  EXPECT_THAT(contexts,
              ::testing::UnorderedElementsAre("system.Pipeline/three-step",
                                              "system.PipelineRun/run-b"));
}

TEST_P(LookupTest, ReusedDatasetHasBothProducers) {
  // Run b's preprocess was a cache hit: its OUTPUT event names run a's
  // dataset, so that dataset has two producers.
  const CliResult r = Cli({"lookup", Runs().a.dataset_uri, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json producers = r.Json()[0]["produced_by"];
  ASSERT_EQ(producers.size(), 2u) << r.out;
  EXPECT_EQ(producers[0]["id"], Runs().a.preprocess_id);
  EXPECT_EQ(producers[1]["id"], Runs().b.preprocess_id);
  EXPECT_EQ(producers[1]["state"], "CACHED");
}

TEST_P(LookupTest, SeveralUrisInOrderAndTableOutput) {
  const CliResult r =
      Cli({"lookup", Runs().c.metrics_uri, Runs().a.model_uri, "-o", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t metrics = r.out.find(Runs().c.metrics_uri);
  const size_t model = r.out.find(Runs().a.model_uri);
  ASSERT_NE(metrics, std::string::npos) << r.out;
  ASSERT_NE(model, std::string::npos) << r.out;
  EXPECT_LT(metrics, model);
  EXPECT_THAT(r.out, HasSubstr("system.Metrics"));
  EXPECT_THAT(r.out, HasSubstr("accuracy=0.91"));
  EXPECT_THAT(r.out, HasSubstr("system.PipelineRun run-c"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(
                         "execution ", Runs().c.evaluate_id,
                         " system.ContainerExecution evaluate (COMPLETE")));
  // No colour codes when stdout is not a terminal.
  EXPECT_THAT(r.out, Not(HasSubstr("\x1b[")));
}

TEST_P(LookupTest, UnknownUriIsExit3WithOneLine) {
  const CliResult r = Cli({"lookup", Runs().a.model_uri, "s3://no/such"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "mlmdx: no artifact with URI s3://no/such\n");
  // What was found is still printed.
  EXPECT_THAT(r.out, HasSubstr(Runs().a.model_uri));
}

TEST_P(LookupTest, Prefix) {
  const CliResult r =
      Cli({"lookup", "--prefix",
           "minio://mlpipeline/v2/artifacts/three-step/run-c/", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> uris;
  for (const auto& a : r.Json()) uris.insert(a["uri"].get<std::string>());
  // dataset, model, metrics and three executor logs.
  EXPECT_EQ(uris.size(), 6u) << r.out;
  EXPECT_TRUE(uris.count(Runs().c.dataset_uri));
  EXPECT_TRUE(uris.count(Runs().c.model_uri));
  EXPECT_TRUE(uris.count(Runs().c.metrics_uri));
  // LIKE wildcards in the prefix match only themselves.
  const CliResult none = Cli({"lookup", "--prefix", "minio://mlpipeline/v2/_"});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_THAT(none.err, HasSubstr("no artifact with a URI starting with"));
}

TEST_P(LookupTest, UsageErrors) {
  EXPECT_EQ(Cli({"lookup"}).exit_code, 2);
  EXPECT_EQ(Cli({"lookup", "x", "--prefix", "y"}).exit_code, 2);
  const CliResult r = Cli({"lookup", "x", "-o", "dot"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("-o dot: not a format of this command"));
}

class GetTest : public CliTest {};
MLMDX_INSTANTIATE_CLI_SUITE(GetTest);

TEST_P(GetTest, ArtifactsByTypeAllPages) {
  const CliResult r =
      Cli({"get", "artifacts", "--type", "system.Model", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<int64_t> ids;
  for (const auto& a : r.Json()) ids.push_back(a["id"]);
  EXPECT_THAT(ids, ::testing::ElementsAre(Runs().a.model_id, Runs().b.model_id,
                                          Runs().c.model_id));
}

TEST_P(GetTest, FilterAndLimit) {
  CliResult r = Cli({"get", "executions", "--filter",
                     "last_known_state = CACHED", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.Json().size(), 1u) << r.out;
  EXPECT_EQ(r.Json()[0]["id"], Runs().b.preprocess_id);
  EXPECT_EQ(r.Json()[0]["custom_properties"]["cached_execution_id"],
            absl::StrCat(Runs().a.preprocess_id));

  // 16 artifacts in all (6 for runs a and c; run b's cached preprocess
  // wrote neither dataset nor logs); --limit
  // stops early, ordered by id.
  r = Cli({"get", "artifacts", "--limit", "4", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.Json().size(), 4u);
  EXPECT_EQ(r.Json()[0]["id"], Runs().a.dataset_id);
  r = Cli({"get", "artifacts", "-o", "json"});
  EXPECT_EQ(r.Json().size(), 16u);
}

TEST_P(GetTest, ContextsAndTypesTables) {
  CliResult r =
      Cli({"get", "contexts", "--type", "system.PipelineRun", "-o", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("ID"));
  EXPECT_THAT(r.out, HasSubstr("run-a"));
  EXPECT_THAT(r.out, HasSubstr("run-c"));
  EXPECT_THAT(r.out, Not(HasSubstr("three-step")));
  r = Cli({"get", "types", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> names;
  for (const auto& t : r.Json()) {
    names.insert(t["kind"].get<std::string>() + "/" +
                 t["name"].get<std::string>());
  }
  EXPECT_TRUE(names.count("artifact/system.Metrics"));
  EXPECT_TRUE(names.count("execution/system.ContainerExecution"));
  EXPECT_TRUE(names.count("context/system.PipelineRun"));
}

TEST_P(GetTest, FilterSyntaxErrorShowsLineAndColumn) {
  const CliResult r = Cli({"get", "artifacts", "--filter", "uri = = 'x'"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("line 1, column 7"));
  EXPECT_THAT(r.err, HasSubstr("uri = = 'x'\n      ^"));
  EXPECT_EQ(r.out, "");
}

// What `command` prints when its stdout is a terminal: a pty from
// util-linux's `script`.
std::string OnTerminal(const std::string& command) {
  std::string out;
  FILE* pipe = popen(
      absl::StrCat("script -qec '", command, "' /dev/null </dev/null").c_str(),
      "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    out.append(buffer, n);
  }
  pclose(pipe);
  return out;
}

// On a terminal the default output is a table with a bold header, and
// NO_COLOR turns the colour off; piped, it is JSON (every other test).
TEST_P(GetTest, TerminalGetsTableAndColourUnlessNoColor) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "util-linux's script is not installed";
  }
  const std::string where = GetParam() == CliMode::kServer
                                ? absl::StrCat("--server ", Server().address())
                                : absl::StrCat("--db ", Server().db_path());
  const std::string command = absl::StrCat(
      MlmdxBinary(), " get contexts --type system.PipelineRun ", where);
  std::string out = OnTerminal(command);
  EXPECT_THAT(out, HasSubstr("\x1b[1mID\x1b[0m")) << out;
  EXPECT_THAT(out, HasSubstr("run-b"));
  EXPECT_THAT(out, Not(HasSubstr("\"name\"")));
  out = OnTerminal("env NO_COLOR=1 " + command);
  EXPECT_THAT(out, ::testing::StartsWith("ID")) << out;
  EXPECT_THAT(out, HasSubstr("run-b"));
  EXPECT_THAT(out, Not(HasSubstr("\x1b[")));
}

class HealthTest : public CliTest {};
MLMDX_INSTANTIATE_CLI_SUITE(HealthTest);

TEST_P(HealthTest, AnswersAndVersion) {
  // A file is named by its path; a PostgreSQL database by its name, host,
  // port and user (a URI could hold a password).
  const std::string& db = Server().db_path();
  const std::string database =
      Server().backend() == TestBackend::kPostgres
          ? absl::StrCat("PostgreSQL database ", db.substr(db.rfind('/') + 1),
                         " on 127.0.0.1 port ")
          : absl::StrCat("database ", db);
  CliResult r = Cli({"health"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, GetParam() == CliMode::kServer
                         ? HasSubstr("SERVING (server 127.0.0.1:")
                         : HasSubstr(absl::StrCat("MLMD schema version 10 (",
                                                  database)));
  r = RunMlmdx({"version", "--db", db});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\n", database)));
  EXPECT_THAT(r.out, ::testing::EndsWith(": MLMD schema version 10\n"));
}

TEST(CliErrorsTest, UnreachableServerNamesAddressAndExits1) {
  const CliResult r = RunMlmdx(
      {"get", "artifacts", "--server", "127.0.0.1:1", "--timeout", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot reach the server at 127.0.0.1:1"));
  EXPECT_THAT(r.err, Not(HasSubstr("\n\n")));
}

// A port that accepts connections but never answers (a hung server): the
// verb gives up after --timeout, naming the address.
TEST(CliErrorsTest, SilentServerTimesOutNamingAddress) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
      0);
  ASSERT_EQ(listen(listener, 8), 0);
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string target =
      absl::StrCat("127.0.0.1:", ntohs(address.sin_port));
  const auto start = std::chrono::steady_clock::now();
  const CliResult r =
      RunMlmdx({"get", "artifacts", "--server", target, "--timeout", "1"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  close(listener);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(target));
  // Bounded by the timeout, with room for a slow machine: not a hang.
  EXPECT_LT(seconds, 10);
}

TEST(CliErrorsTest, VersionReportsAnyDatabaseVersion) {
  char path[] = "/tmp/mlmdx_v8_XXXXXX";
  close(mkstemp(path));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE MLMDEnv (schema_version INTEGER "
                         "PRIMARY KEY); INSERT INTO MLMDEnv VALUES (8);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  CliResult r = RunMlmdx({"version", "--db", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(
                         "database ", path,
                         ": MLMD schema version 8 (older; `mlmdx serve "
                         "--enable_database_upgrade` upgrades it)")));
  // Other verbs refuse it, saying why.
  r = RunMlmdx({"get", "artifacts", "--db", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("MLMD schema version 8"));
  unlink(path);
}

TEST(CliErrorsTest, MissingOrForeignDatabase) {
  CliResult r = RunMlmdx({"get", "artifacts", "--db", "/nonexistent/x.db"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/x.db"));
  // An empty SQLite file is not an MLMD database; the CLI must not make it
  // one.
  char path[] = "/tmp/mlmdx_empty_XXXXXX";
  close(mkstemp(path));
  r = RunMlmdx({"get", "artifacts", "--db", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("holds no MLMD schema"));
  EXPECT_EQ(QuerySqliteInt(path, "SELECT count(*) FROM sqlite_master"), 0);
  unlink(path);
}

TEST(CliErrorsTest, HelpShowsExampleAndExitCodes) {
  for (const char* verb : {"lookup", "get", "lineage", "health", "version"}) {
    const CliResult r = RunMlmdx({verb, "--help"});
    EXPECT_EQ(r.exit_code, 0) << verb;
    EXPECT_THAT(r.out, HasSubstr("Exit codes: 0 ok")) << verb;
    EXPECT_THAT(r.out, HasSubstr("mlmdx ")) << verb;
  }
  EXPECT_EQ(RunMlmdx({"no-such-verb"}).exit_code, 2);
}

}  // namespace
}  // namespace mlmdx::testing
