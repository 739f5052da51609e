#include "tests/cli_fixture.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/test_util.h"

extern char** environ;

namespace mlmdx::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

nlohmann::json CliResult::Json() const {
  return nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
}

CliResult RunMlmdx(const std::vector<std::string>& args,
                   const std::vector<std::string>& env) {
  char dir_template[] = "/tmp/mlmdx_cli_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string out_path = dir + "/out", err_path = dir + "/err";
  std::vector<std::string> argv_strings = {MlmdxBinary()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  CliResult result;
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  rmdir(dir.c_str());
  return result;
}

std::string CliModeName(const ::testing::TestParamInfo<CliMode>& info) {
  switch (info.param) {
    case CliMode::kServer:
      return "Server";
    case CliMode::kDirect:
      return "Direct";
    case CliMode::kDirectPostgres:
      return "DirectPostgres";
  }
  return "";
}

CliTest::Recording CliTest::sqlite_;
CliTest::Recording CliTest::postgres_;

CliTest::Recording& CliTest::Recorded() const {
  return GetParam() == CliMode::kDirectPostgres ? postgres_ : sqlite_;
}

void CliTest::SetUp() {
  Recording& recording = Recorded();
  if (recording.runs != nullptr) return;
  const TestBackend backend = GetParam() == CliMode::kDirectPostgres
                                  ? TestBackend::kPostgres
                                  : TestBackend::kSqlite;
  recording.server = std::make_unique<TestServer>(backend);
  ASSERT_THAT(recording.server->Start(), IsOk());
  auto stub = recording.server->NewStub();
  KfpRecorder kfp(*stub);
  auto runs = std::make_unique<KfpRuns>();
  auto a = kfp.RecordRun({.name = "run-a",
                          .n_rows = 1000,
                          .learning_rate = 0.01,
                          .accuracy = 0.90});
  ASSERT_TRUE(a.ok()) << a.status();
  runs->a = *a;
  auto b = kfp.RecordRun({.name = "run-b",
                          .n_rows = 1000,
                          .learning_rate = 0.05,
                          .accuracy = 0.93,
                          .cache_preprocess_from = &runs->a});
  ASSERT_TRUE(b.ok()) << b.status();
  runs->b = *b;
  auto c = kfp.RecordRun({.name = "run-c",
                          .n_rows = 2000,
                          .learning_rate = 0.01,
                          .epochs = 20,
                          .accuracy = 0.91});
  ASSERT_TRUE(c.ok()) << c.status();
  runs->c = *c;
  recording.runs = std::move(runs);
  // MLMDX_CLI_TEST_DB=FILE keeps a copy of the recorded SQLite database, to
  // try the verbs on by hand.
  const char* keep = std::getenv("MLMDX_CLI_TEST_DB");
  if (keep != nullptr && backend == TestBackend::kSqlite) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(recording.server->db_path().c_str(), &db,
                    SQLITE_OPEN_READONLY, nullptr);
    const std::string sql = absl::StrCat("VACUUM INTO '", keep, "'");
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
}

void CliTest::TearDownTestSuite() {
  for (Recording* recording : {&sqlite_, &postgres_}) {
    recording->server.reset();
    recording->runs.reset();
  }
}

CliResult CliTest::Cli(std::vector<std::string> args) const {
  if (GetParam() == CliMode::kServer) {
    args.insert(args.end(), {"--server", Server().address()});
  } else {
    args.insert(args.end(), {"--db", Server().db_path()});
  }
  return RunMlmdx(args);
}

}  // namespace mlmdx::testing
