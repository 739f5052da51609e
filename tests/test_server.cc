#include "tests/test_server.h"

#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/postgres_cluster.h"

namespace mlmdx::testing {

std::string MlmdxBinary() {
  // MLMDX_BINARY runs the suites against another build or an installed
  // binary (or a wrapper, e.g. for profiling).
  if (const char* binary = std::getenv("MLMDX_BINARY")) return binary;
  return MLMDX_BINARY_PATH;
}

TestBackend DefaultTestBackend() {
  const char* state = std::getenv("MLMDX_TEST_POSTGRES");
  return state != nullptr && *state != '\0' ? TestBackend::kPostgres
                                            : TestBackend::kSqlite;
}

namespace {

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// postgresql://user@host:port of the cluster the PostgreSQL runs share, or
// of one this process starts (kept until it exits) when there is none.
std::string PostgresUriBase() {
  static const std::string* const base = [] {
    const char* state = std::getenv("MLMDX_TEST_POSTGRES");
    const std::string shared =
        state == nullptr ? "" : FirstLine(absl::StrCat(state, "/uri"));
    if (!shared.empty()) return new std::string(shared);
    // Stopped and removed when the process exits.
    static PostgresCluster own;
    const absl::Status started = own.Start();
    EXPECT_TRUE(started.ok()) << started;
    return new std::string(own.UriBase());
  }();
  return *base;
}

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};

// The first column of the first row of `sql` on `uri` (-1 when none;
// booleans 1 / 0); fails the test on errors.
int64_t QueryPostgresInt(const std::string& uri, const std::string& sql) {
  const std::vector<std::vector<std::string>> rows =
      QueryPostgresRows(uri, sql);
  if (rows.empty() || rows[0].empty()) return -1;
  const std::string& text = rows[0][0];
  if (text == "t" || text == "f") return text == "t" ? 1 : 0;
  int64_t value = -1;
  EXPECT_TRUE(absl::SimpleAtoi(text, &value)) << sql << " gave " << text;
  return value;
}

}  // namespace

TestServer::TestServer(std::string db_path) {
  Init(DefaultTestBackend(), std::move(db_path));
}

TestServer::TestServer(TestBackend backend) { Init(backend, ""); }

void TestServer::Init(TestBackend backend, std::string db_path) {
  char dir_template[] = "/tmp/mlmdx_test_XXXXXX";
  dir_ = mkdtemp(dir_template);
  if (!db_path.empty()) {
    // Another server's database; a PostgreSQL one stays its owner's.
    if (db_path.rfind("postgresql://", 0) == 0) {
      backend_ = TestBackend::kPostgres;
    }
    db_path_ = std::move(db_path);
  } else if (backend == TestBackend::kPostgres) {
    // The server creates the database when it first starts.
    static int created = 0;
    backend_ = TestBackend::kPostgres;
    postgres_database_ = absl::StrCat("mlmdx_test_", getpid(), "_", ++created);
    db_path_ = absl::StrCat(PostgresUriBase(), "/", postgres_database_);
  } else {
    db_path_ = dir_ + "/mlmd.sqlite";
  }
}

int64_t TestServer::QueryInt(const std::string& sql) const {
  return backend_ == TestBackend::kPostgres ? QueryPostgresInt(db_path_, sql)
                                            : QuerySqliteInt(db_path_, sql);
}

void TestServer::ExecuteSql(const std::string& sql) const {
  if (backend_ == TestBackend::kPostgres) {
    QueryPostgresRows(db_path_, sql);
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2(db_path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
      SQLITE_OK);
  // The server may be writing too; wait for its lock rather than fail.
  sqlite3_busy_timeout(db, 10000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << sql << ": " << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TestServer::~TestServer() {
  Stop();
  if (!postgres_database_.empty()) {
    QueryPostgresInt(absl::StrCat(PostgresUriBase(), "/postgres"),
                     absl::StrCat("DROP DATABASE IF EXISTS ",
                                  postgres_database_, " WITH (FORCE)"));
  }
  std::string command = absl::StrCat("rm -rf '", dir_, "'");
  if (std::system(command.c_str()) != 0) {
    // Leaving a temporary directory behind is harmless.
  }
}

absl::Status TestServer::Start(const std::vector<std::string>& extra_flags) {
  absl::Status launched = Launch(extra_flags);
  if (!launched.ok()) return launched;
  return WaitUntilServing();
}

absl::Status TestServer::Launch(const std::vector<std::string>& extra_flags) {
  std::vector<std::string> args = {MlmdxBinary(), "serve", "--listen_address",
                                   "127.0.0.1",   "--db",  db_path_};
  const bool port_given = std::any_of(
      extra_flags.begin(), extra_flags.end(), [](const std::string& flag) {
        return flag.rfind("--grpc_port", 0) == 0;
      });
  if (!port_given) args.push_back("--grpc_port=0");
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  // A new log per start, so that a restart never reads the last run's
  // "listening" line.
  log_path_ = absl::StrCat(dir_, "/server-", ++starts_, ".log");
  port_ = 0;
  exit_status_ = -1;
  pid_ = fork();
  if (pid_ < 0) return absl::InternalError("fork failed");
  if (pid_ == 0) {
    // A crashed or leaked parent must not leave servers running (nor holding
    // the parent's stdout pipe open).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    FILE* log = std::freopen(log_path_.c_str(), "w", stderr);
    // stdout too: whatever the server prints is in Log().
    if (log != nullptr) dup2(fileno(log), STDOUT_FILENO);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return absl::OkStatus();
}

absl::Status TestServer::WaitUntilServing() {
  // The server logs "listening on port N" once it serves.
  const auto deadline = std::chrono::steady_clock::now() + start_timeout_;
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
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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

void TestServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
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

absl::StatusOr<std::vector<std::vector<std::string>>> TryQueryPostgresRows(
    const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, PgConnDeleter> conn(PQconnectdb(conninfo.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to ", conninfo, ": ", PQerrorMessage(conn.get())));
  }
  // Notices ("relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, PgResultDeleter> result(
      PQexec(conn.get(), sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return absl::InternalError(
        absl::StrCat(sql, ": ", PQresultErrorMessage(result.get())));
  }
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      row.push_back(PQgetisnull(result.get(), r, c)
                        ? "NULL"
                        : PQgetvalue(result.get(), r, c));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::vector<std::string>> QueryPostgresRows(
    const std::string& conninfo, const std::string& sql) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows =
      TryQueryPostgresRows(conninfo, sql);
  if (!rows.ok()) {
    ADD_FAILURE() << rows.status();
    return {};
  }
  return *std::move(rows);
}

absl::Status PutArtifactTypeWithToken(const TestServer& server,
                                      const std::string& token,
                                      const std::string& type_name) {
  auto stub = server.NewStub();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  ml_metadata::PutArtifactTypeRequest request;
  request.mutable_artifact_type()->set_name(type_name);
  request.set_can_add_fields(true);
  ml_metadata::PutArtifactTypeResponse response;
  const grpc::Status status =
      stub->PutArtifactType(&context, request, &response);
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
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
