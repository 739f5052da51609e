#include "tests/test_server.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mlmdx::testing {

std::string MlmdxBinary() {
  // MLMDX_BINARY runs the suites against another build or an installed
  // binary (or a wrapper, e.g. for profiling).
  if (const char* binary = std::getenv("MLMDX_BINARY")) return binary;
  return MLMDX_BINARY_PATH;
}

TestServer::TestServer(std::string db_path) {
  char dir_template[] = "/tmp/mlmdx_test_XXXXXX";
  dir_ = mkdtemp(dir_template);
  db_path_ = db_path.empty() ? dir_ + "/mlmd.sqlite" : std::move(db_path);
}

TestServer::~TestServer() {
  Stop();
  std::string command = absl::StrCat("rm -rf '", dir_, "'");
  if (std::system(command.c_str()) != 0) {
    // Leaving a temporary directory behind is harmless.
  }
}

absl::Status TestServer::Start(const std::vector<std::string>& extra_flags) {
  std::vector<std::string> args = {
      MlmdxBinary(), "serve", "--grpc_port=0", "--listen_address",
      "127.0.0.1",   "--db",  db_path_};
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  // A new log per start, so that a restart never reads the last run's
  // "listening" line.
  log_path_ = absl::StrCat(dir_, "/server-", ++starts_, ".log");
  port_ = 0;
  pid_ = fork();
  if (pid_ < 0) return absl::InternalError("fork failed");
  if (pid_ == 0) {
    // A crashed or leaked parent must not leave servers running (nor holding
    // the parent's stdout pipe open).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    FILE* log = std::freopen(log_path_.c_str(), "w", stderr);
    (void)log;
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // The server logs "listening on port N" once it serves.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = Log();
    const size_t at = log.find("listening on port ");
    if (at != std::string::npos) {
      const size_t start = at + sizeof("listening on port ") - 1;
      const size_t end = log.find(' ', start);
      if (absl::SimpleAtoi(log.substr(start, end - start), &port_)) {
        return absl::OkStatus();
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(
          absl::StrCat("server exited during start-up:\n", log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("server did not start:\n", Log()));
}

int TestServer::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string TestServer::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::unique_ptr<ml_metadata::MetadataStoreService::Stub> TestServer::NewStub()
    const {
  return ml_metadata::MetadataStoreService::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::string TestServer::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int64_t QuerySqliteInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(
      sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql;
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

}  // namespace mlmdx::testing
