// File: tests/test_server.h
// -----------------------------------------------------------------------------
//
// Starts the real `mlmdx serve` binary on a free loopback port with its own
// fresh database, and hands out gRPC stubs connected to it. The process is
// stopped with SIGTERM when the TestServer is destroyed.
//
// The database is a new SQLite file, or, when MLMDX_TEST_POSTGRES names a
// state directory, a new database in the PostgreSQL cluster recorded there
// (tests/postgres_cluster_main.cc; CTest starts it as a fixture for the
// suites' PostgreSQL runs). If that directory holds no cluster, the first
// TestServer of the process starts one of its own. The database is
// dropped when the TestServer is destroyed.
//
// Example:
//
//   TestServer server;
//   ASSERT_TRUE(server.Start().ok());
//   auto stub = server.NewStub();
//   grpc::ClientContext context;
//   stub->GetArtifactTypes(&context, request, &response);

#ifndef MLMDX_TESTS_TEST_SERVER_H_
#define MLMDX_TESTS_TEST_SERVER_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"

namespace mlmdx::testing {

enum class TestBackend { kSqlite, kPostgres };

// kPostgres when MLMDX_TEST_POSTGRES is set, else kSqlite.
TestBackend DefaultTestBackend();

class TestServer {
 public:
  // `db_path` empty: a new database of DefaultTestBackend() (a file in a
  // fresh temporary directory for SQLite). Otherwise that SQLite file, or
  // that postgresql:// URI (another owner's database, not dropped).
  explicit TestServer(std::string db_path = "");
  // A new database of `backend`, whatever MLMDX_TEST_POSTGRES says.
  explicit TestServer(TestBackend backend);
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer();

  // Launches the binary with `extra_flags` and waits until it listens.
  // `--grpc_port=0` unless `extra_flags` sets --grpc_port.
  absl::Status Start(const std::vector<std::string>& extra_flags = {});
  // Start() in two halves, so that several servers can start at once.
  // Launch from the thread that outlives the server: the process is told
  // to end when the thread that launched it ends.
  absl::Status Launch(const std::vector<std::string>& extra_flags = {});
  absl::Status WaitUntilServing();
  // How long Start() and WaitUntilServing() wait for the server to serve
  // (30 s unless set); a server on a large database spends that long
  // building its lineage index first.
  void set_start_timeout(std::chrono::seconds timeout) {
    start_timeout_ = timeout;
  }
  // SIGTERM, then waits for the exit; returns the exit status code.
  int Stop();
  // SIGKILL, as a crash would end the server: no graceful shutdown, no
  // cleanup. Waits until the process is gone. Start() (or Launch()) then
  // starts it again on the same database, on a new port.
  void Kill();

  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> NewStub() const;
  std::string address() const;
  int port() const { return port_; }
  // Process id of the running server, -1 when stopped.
  pid_t pid() const { return pid_; }
  // Exit status of a server that ended during start-up, else -1.
  int start_up_exit_status() const { return exit_status_; }
  // The SQLite file, or for PostgreSQL the database's URI: what the server
  // gets as --db.
  const std::string& db_path() const { return db_path_; }
  TestBackend backend() const { return backend_; }
  // The first column of the first row of `sql` (-1 when there is no row),
  // run on the server's database; fails the test on errors.
  int64_t QueryInt(const std::string& sql) const;
  // Runs the write statement `sql` on the server's database behind the
  // server's back, for states no request can make (such as many nodes with
  // one timestamp); fails the test on errors.
  void ExecuteSql(const std::string& sql) const;
  // Everything the server wrote to stderr and stdout since the last
  // Start().
  std::string Log() const;

 private:
  // A new database of `backend` when `db_path` is empty, else `db_path`.
  void Init(TestBackend backend, std::string db_path);

  std::string dir_;
  TestBackend backend_ = TestBackend::kSqlite;
  std::string db_path_;
  std::string postgres_database_;  // Its name, for PostgreSQL.
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  int starts_ = 0;
  int exit_status_ = -1;
  std::chrono::seconds start_timeout_{30};
};

// The first column of the first row of `sql`, run read-only on the SQLite
// file at `db_path` (-1 when there is no row); fails the test on errors.
int64_t QuerySqliteInt(const std::string& db_path, const std::string& sql);

// Every row of `sql` (one statement, or several: the last one's rows) run
// on the PostgreSQL database `conninfo` (a URI or a libpq connection
// string), each column as PostgreSQL's text: "NULL" for SQL NULL, "t" / "f"
// for booleans. Fails the test on errors.
std::vector<std::vector<std::string>> QueryPostgresRows(
    const std::string& conninfo, const std::string& sql);

// As QueryPostgresRows, but returns failures (UNAVAILABLE when the
// connection fails, INTERNAL when the statement does) instead of failing the
// test, for callers that retry or report them.
absl::StatusOr<std::vector<std::vector<std::string>>> TryQueryPostgresRows(
    const std::string& conninfo, const std::string& sql);

// PutArtifactType (can_add_fields) of a type named `type_name` on `server`,
// sending `token` as a bearer token ("" sends no authorization metadata).
absl::Status PutArtifactTypeWithToken(const TestServer& server,
                                      const std::string& token,
                                      const std::string& type_name = "Model");

// Path of the mlmdx binary under test: $MLMDX_BINARY if set, else the one
// built with the tests.
std::string MlmdxBinary();

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_TEST_SERVER_H_
