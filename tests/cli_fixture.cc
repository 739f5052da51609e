#include "tests/cli_fixture.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

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
  return info.param == CliMode::kServer ? "Server" : "Direct";
}

std::unique_ptr<TestServer> CliTest::server_;
std::unique_ptr<KfpRuns> CliTest::runs_;

void CliTest::SetUpTestSuite() {
  server_ = std::make_unique<TestServer>();
  ASSERT_TRUE(server_->Start().ok());
  auto stub = server_->NewStub();
  KfpRecorder kfp(*stub);
  runs_ = std::make_unique<KfpRuns>();
  auto a = kfp.RecordRun({.name = "run-a",
                          .n_rows = 1000,
                          .learning_rate = 0.01,
                          .accuracy = 0.90});
  ASSERT_TRUE(a.ok()) << a.status();
  runs_->a = *a;
  auto b = kfp.RecordRun({.name = "run-b",
                          .n_rows = 1000,
                          .learning_rate = 0.05,
                          .accuracy = 0.93,
                          .cache_preprocess_from = &runs_->a});
  ASSERT_TRUE(b.ok()) << b.status();
  runs_->b = *b;
  auto c = kfp.RecordRun({.name = "run-c",
                          .n_rows = 2000,
                          .learning_rate = 0.01,
                          .epochs = 20,
                          .accuracy = 0.91});
  ASSERT_TRUE(c.ok()) << c.status();
  runs_->c = *c;
  // MLMDX_CLI_TEST_DB=FILE keeps a copy of the recorded database, to try
  // the verbs on by hand.
  if (const char* keep = std::getenv("MLMDX_CLI_TEST_DB")) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(server_->db_path().c_str(), &db, SQLITE_OPEN_READONLY,
                    nullptr);
    const std::string sql = absl::StrCat("VACUUM INTO '", keep, "'");
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
}

void CliTest::TearDownTestSuite() {
  server_.reset();
  runs_.reset();
}

CliResult CliTest::Cli(std::vector<std::string> args) const {
  if (GetParam() == CliMode::kServer) {
    args.insert(args.end(), {"--server", server_->address()});
  } else {
    args.insert(args.end(), {"--db", server_->db_path()});
  }
  return RunMlmdx(args);
}

}  // namespace mlmdx::testing
