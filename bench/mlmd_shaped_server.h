// File: bench/mlmd_shaped_server.h
// -----------------------------------------------------------------------------
//
// Benchmark-only: an in-process gRPC server that answers GetLineageSubgraph
// on an MLMD SQLite file at the SQL cost of MLMD's own server, so that the
// lineage benchmark can set mlmdx against "MLMD's server on the same
// database" in the same run (MLMD itself cannot be installed here). It is
// not part of the product; every other RPC answers UNIMPLEMENTED.
//
// What one request does, as MLMD's server does it (spec/server.md §1.3,
// spec/schema.md §5, spec/lineage.md §2.4, §2.5, §2.8):
//   * opens a NEW SQLite connection to the file (sqlite3_open_v2 with
//     SQLITE_OPEN_URI | READWRITE | CREATE) and installs MLMD's busy handler
//     (sleep 100-300 ms, at most 10 retries; it only runs under lock
//     contention);
//   * transaction 1, the schema-presence check: reads MLMDEnv's
//     schema_version, then `SELECT <columns> FROM <table> LIMIT 1` for each
//     of the 15 tables of schema v10, in MLMD's order;
//   * transaction 2, the simple-type upsert: for each of the nine mlmd.*
//     types it looks the type up by name, version and kind, then reads its
//     properties and its parent type; nothing is written because they exist
//     (a missing simple type is reported as FAILED_PRECONDITION instead of
//     being inserted: the benchmark never writes);
//   * transaction 3, the body: the starting-node listing (MLMD's id-only
//     listing shape with `LIMIT 101`), then per hop one
//     `Event ... WHERE artifact_id IN (...)` (or `execution_id IN`) query and,
//     when it returned rows, one `EventPath ... WHERE event_id IN (...)`
//     query; the §2.4 traversal with MLMD's hash sets, direction filter and
//     event-emission rules; then per read-mask path: `contexts` 2 queries
//     (attributions by artifact ids, associations by execution ids),
//     `attributions` 1, `associations` 1, each `*_types` path 2 (the types
//     of that kind, then their properties). An empty read mask means every
//     field, as in MLMD;
//   * closes the connection.
// Every statement goes through sqlite3_exec with the values written into
// the SQL text (no prepared statement is reused) and a callback that copies
// every column of every row into strings, as MLMD's SqliteMetadataSource
// does. The response is filled per §2.5: dehydrated nodes (id only), full
// events (type, timestamp, path), attributions, associations, types.
//
// What it leaves out, each of which makes it CHEAPER than MLMD, so the
// comparison flatters MLMD:
//   * the per-connection MetadataStore construction, which in MLMD parses
//     its whole SQL query configuration from a text-format protobuf on every
//     RPC;
//   * ZetaSQL parsing and analysis of the starting `filter_query`. Only the
//     form `id = N` is accepted (anything else is INVALID_ARGUMENT) and it is
//     written straight into MLMD's SQL shape for that filter;
//   * the RecordSet protobuf messages MLMD collects rows into (plain vectors
//     of strings here) and the reflection-based parsing of rows into
//     messages (direct field parsing here);
//   * MLMD's log lines (e.g. the INFO line for an unset max_num_hops);
//   * ending-node filters (`ending_artifacts` / `ending_executions`): not
//     needed by the benchmark; requests that set them get UNIMPLEMENTED.
//
// Statement counts of the last request are kept (LastRequestStatements) so
// that a benchmark can print what one query costs in SQL round trips.
//
// Example:
//
//   auto server = MlmdShapedServer::Start("/tmp/x/mlmd.sqlite");
//   auto stub = (*server)->NewStub();
//   grpc::ClientContext context;
//   stub->GetLineageSubgraph(&context, request, &response);
//   int statements = (*server)->LastRequestStatements().total();
//
// Thread-safe: requests run concurrently, each on its own connection.

#ifndef MLMDX_BENCH_MLMD_SHAPED_SERVER_H_
#define MLMDX_BENCH_MLMD_SHAPED_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace mlmdx::bench {

// sqlite3_exec calls of one request, by phase.
struct MlmdStatementCounts {
  int schema_check = 0;  // transaction 1: MLMDEnv read + 15 table probes
  int simple_types = 0;  // transaction 2: 9 types x (type, properties, parent)
  int body = 0;          // transaction 3: listing, hops, read-mask queries
  int transaction_control = 0;  // BEGIN / COMMIT / ROLLBACK

  int total() const {
    return schema_check + simple_types + body + transaction_control;
  }
};

class MlmdShapedServer {
 public:
  // Serves `db_path` (an existing MLMD schema-v10 SQLite file) on
  // 127.0.0.1 at a port chosen by the system.
  static absl::StatusOr<std::unique_ptr<MlmdShapedServer>> Start(
      const std::string& db_path);
  MlmdShapedServer(const MlmdShapedServer&) = delete;
  MlmdShapedServer& operator=(const MlmdShapedServer&) = delete;
  ~MlmdShapedServer();  // Shuts the server down.

  int port() const { return port_; }
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> NewStub() const;

  // Statements run by the request that finished last.
  MlmdStatementCounts LastRequestStatements() const;

 private:
  class Service;

  MlmdShapedServer() = default;

  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_MLMD_SHAPED_SERVER_H_
