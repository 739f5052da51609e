// File: tests/crash_driver.h
// -----------------------------------------------------------------------------
//
// Crash consistency under kill -9. Client threads write uniquely named
// nodes through a real server while the driver kills it (SIGKILL) at a
// random moment, starts it again on the same database, and checks what
// survived against what the clients were told:
//
//   - every acknowledged write is present with all its parts;
//   - every write that got a definite error (a status the server chose,
//     such as ALREADY_EXISTS or INVALID_ARGUMENT) is absent;
//   - every write whose outcome is unknown (UNAVAILABLE, DEADLINE_EXCEEDED
//     or cancelled by the kill) is there entirely or not at all;
//   - the server's view through gRPC equals the database's, and so does
//     its lineage index (events, attributions, associations);
//   - on SQLite, `PRAGMA integrity_check` answers ok.
//
// Some writes are bad on purpose (a name clash after new nodes, a missing
// type), so that the "definite error means absent" rule has material.
//
// Example:
//
//   TestServer server(TestBackend::kSqlite);
//   CrashDriver driver(server, {.clients = 8});
//   ASSERT_TRUE(driver.Start().ok());
//   absl::StatusOr<CycleReport> report = driver.RunCycle();
//   // report->violations is empty when every promise held.
//
// Thread-safety: a CrashDriver is used from one thread; it runs its client
// threads itself.

#ifndef MLMDX_TESTS_CRASH_DRIVER_H_
#define MLMDX_TESTS_CRASH_DRIVER_H_

#include <grpcpp/support/status.h>

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "tests/test_server.h"

namespace mlmdx::testing {

// What a client learnt about one write.
enum class WriteOutcome {
  kAcknowledged,   // OK: must be present.
  kDefiniteError,  // The server refused it: must be absent.
  kUnknown,        // The answer was lost: all or nothing.
};

// kUnknown for the codes that do not say whether the write committed
// (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN, INTERNAL),
// kDefiniteError for the other errors, kAcknowledged for OK.
WriteOutcome ClassifyOutcome(grpc::StatusCode code);

// One write request and its outcome, with every row it creates named by
// the unique names the client chose.
struct WriteRecord {
  std::string label;  // e.g. "c3-w1-17 PutExecution"
  WriteOutcome outcome = WriteOutcome::kUnknown;
  grpc::StatusCode code = grpc::StatusCode::OK;
  // The request is bad on purpose; OK for it is a violation.
  bool expect_error = false;
  std::vector<std::string> artifacts;
  std::vector<std::string> executions;
  std::vector<std::string> contexts;
  // EventKey(...) of each event.
  std::vector<std::string> events;
  // "context|artifact" and "context|execution" names.
  std::vector<std::string> attributions;
  std::vector<std::string> associations;
};

// "execution|artifact|type" for an event, by node names.
std::string EventKey(const std::string& execution, const std::string& artifact,
                     int type);

// What a database (or a server) holds of the writes of one cycle, by name,
// in the key formats of WriteRecord.
struct StoredState {
  std::set<std::string> artifacts;
  std::set<std::string> executions;
  std::set<std::string> contexts;
  std::set<std::string> events;
  std::set<std::string> attributions;
  std::set<std::string> associations;
};

// Checks `history` against `stored` under the rules in the file comment;
// returns one line per violation (empty when all hold).
std::vector<std::string> CheckHistory(const std::vector<WriteRecord>& history,
                                      const StoredState& stored);

struct CrashDriverOptions {
  // Concurrent writing clients, each with its own channel.
  int clients = 8;
  // The kill comes at a uniformly random moment in this range after the
  // clients start writing.
  int min_kill_delay_ms = 10;
  int max_kill_delay_ms = 2000;
  // Seeds the kill delays and the clients' choice of writes.
  uint64_t seed = 1;
  // Deadline of each write.
  int write_deadline_ms = 10000;
};

// Counts of one cycle, and what went wrong in it.
struct CycleReport {
  int64_t acknowledged = 0;
  int64_t definite_errors = 0;
  int64_t unknown = 0;
  // Unknown writes found applied after the restart.
  int64_t unknown_applied = 0;
  int kill_delay_ms = 0;
  std::vector<std::string> violations;
};

class CrashDriver {
 public:
  // `server` is not started yet; it must outlive the driver.
  CrashDriver(TestServer& server, CrashDriverOptions options);
  CrashDriver(const CrashDriver&) = delete;
  CrashDriver& operator=(const CrashDriver&) = delete;

  // Starts the server and creates the types and the name the bad writes
  // clash with.
  absl::Status Start();

  // One cycle: clients write, the server is killed and started again, then
  // everything is checked. An error status means the cycle could not be
  // run or checked (e.g. the server did not come back); broken promises
  // are in the report's violations.
  absl::StatusOr<CycleReport> RunCycle();

  // The database's rows of one cycle (names starting with `prefix`), read
  // with SQL on the database itself.
  absl::StatusOr<StoredState> ReadDatabase(const std::string& prefix) const;
  // The same through the server's gRPC API (listings and events).
  absl::StatusOr<StoredState> ReadThroughServer(
      const std::string& prefix) const;
  // Differences between the server's lineage index (GetLineageSubgraph)
  // and the database's events, attributions and associations of the nodes
  // named with `prefix`; empty when equal.
  absl::StatusOr<std::vector<std::string>> CompareIndex(
      const std::string& prefix) const;

 private:
  // The writes one client makes until `stop` is set.
  void RunClient(int client, const std::string& prefix, uint64_t seed,
                 const std::atomic<bool>* stop,
                 std::vector<WriteRecord>* records) const;
  // Every row of `sql` on the server's database, as text.
  absl::StatusOr<std::vector<std::vector<std::string>>> Query(
      const std::string& sql) const;

  TestServer& server_;
  const CrashDriverOptions options_;
  int cycle_ = 0;
  int64_t artifact_type_ = 0;
  int64_t execution_type_ = 0;
  int64_t context_type_ = 0;
};

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_CRASH_DRIVER_H_
