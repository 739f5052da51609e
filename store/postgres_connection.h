// File: store/postgres_connection.h
// -----------------------------------------------------------------------------
//
// The PostgreSQL implementation of Connection, over libpq. Statements are
// written once for both dialects with `?` placeholders; this connection
// numbers them ($1, $2, ...) outside quoted text, prepares each statement
// once per connection and runs it with bound parameters only (never a
// value spliced into SQL text). PGconn and PGresult are held by RAII
// owners, so no error path leaks or double-frees them.
//
// Statements go through libpq's pipeline mode: a deferred statement
// (ExecuteDeferred, and BEGIN) is queued and sent with the next statement
// whose answer is awaited, so a transaction's writes cost few round trips;
// a new statement is prepared in the same round trip as its first run.
//
// Errors, by SQLSTATE: serialization failure (40001), deadlock (40P01) and
// lock timeouts (55P03) are ABORTED, so that clients retry; unique
// violations (23505) ALREADY_EXISTS; a lost connection (class 08, or the
// connection gone bad) UNAVAILABLE; anything else INTERNAL with the
// server's message.
//
// Example:
//
//   PostgresOptions options;
//   options.conninfo = "postgresql://mlmd@db:5432/mlmd";
//   MLMDX_ASSIGN_OR_RETURN(auto conn, PostgresConnection::Open(options));
//   MLMDX_RETURN_IF_ERROR(conn->Begin(TransactionMode::kReadOnly));
//   MLMDX_ASSIGN_OR_RETURN(RecordSet rows,
//                          conn->Query("SELECT id FROM Type WHERE name = ?",
//                                      {SqlValue::Text("Model")}));
//
// Thread-safety: not thread-safe; see Connection.

#ifndef MLMDX_STORE_POSTGRES_CONNECTION_H_
#define MLMDX_STORE_POSTGRES_CONNECTION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "store/connection.h"
#include "store/internal/lru_cache.h"

struct pg_conn;
struct pg_result;

namespace mlmdx::store {

struct PostgresOptions {
  // A libpq connection string ("host=db port=5432 dbname=mlmd") or URI
  // ("postgresql://user@host:port/dbname"). What it leaves out comes from
  // the standard PG* environment variables and PGPASSFILE, as libpq does.
  std::string conninfo;
  // When non-empty, the database to connect to, whatever `conninfo` says.
  std::string dbname;
  // How long a COMMIT whose connection broke keeps trying to learn from
  // the server whether it committed (the server may be restarting).
  int commit_outcome_timeout_ms = 10000;
  // Every transaction of the session is read-only
  // (default_transaction_read_only), so that PostgreSQL itself refuses any
  // write, whatever statement runs.
  bool read_only = false;
  // Most prepared statements kept per session; the least recently used is
  // DEALLOCATEd to make room. Every distinct filter shape is a statement of
  // its own, and each holds server memory for as long as the session lives.
  size_t statement_cache_capacity = 256;

  // PostgreSQL's statement_timeout for the session: a statement running
  // longer is cancelled and its call fails with RESOURCE_EXHAUSTED naming
  // the limit. 0: no limit.
  int64_t statement_timeout_ms = 0;
};

// The database `options` connect to: its dbname, else PGDATABASE, else the
// user name (libpq's own default).
std::string PostgresDatabaseName(const PostgresOptions& options);

// "database D on host H port P as user U": for logs, never the password.
std::string DescribePostgres(const PostgresOptions& options);

// Creates the database `options` name unless it exists, connecting to the
// server's `postgres` maintenance database to do so (as MLMD does unless
// skip_db_creation). A concurrent creator winning the race is not an error.
// UNAVAILABLE if the server cannot be reached; PERMISSION_DENIED-like
// failures (no CREATEDB right) come back INTERNAL with the server's message.
absl::Status CreatePostgresDatabaseIfMissing(const PostgresOptions& options);

class PostgresConnection final : public Connection {
 public:
  // Connects. UNAVAILABLE (with libpq's reason) if the server cannot be
  // reached or refuses the login.
  static absl::StatusOr<std::unique_ptr<PostgresConnection>> Open(
      const PostgresOptions& options);

  ~PostgresConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }

  // kReadOnly runs REPEATABLE READ READ ONLY, so that every statement of
  // the transaction sees one snapshot (as a SQLite read transaction does);
  // kReadWrite runs READ COMMITTED, as MLMD does, and notes the
  // transaction's id.
  absl::Status Begin(TransactionMode mode) override;
  // When the connection breaks during COMMIT, the outcome is unknown to
  // libpq; this connects again and asks the server (txid_status) until it
  // knows, up to commit_outcome_timeout_ms, and then carries on over the
  // new connection. Returns OK if the transaction committed, UNAVAILABLE if
  // it certainly did not, and UNKNOWN if the server could not tell in time
  // (the write may or may not be there: read before retrying).
  absl::Status Commit() override;
  void Rollback() override;
  bool InTransaction() const override;
  absl::Status ExecuteScript(absl::string_view sql) override;
  absl::StatusOr<RecordSet> Query(absl::string_view sql,
                                  absl::Span<const SqlValue> params) override;
  absl::Status QueryEach(absl::string_view sql,
                         absl::Span<const SqlValue> params,
                         const RowCallback& row) override;
  // Returns the id of the row inserted (the statement gets `RETURNING id`
  // unless it has a RETURNING clause); 0 for a table without an id column
  // when the statement says `RETURNING 0`.
  absl::StatusOr<int64_t> Insert(absl::string_view sql,
                                 absl::Span<const SqlValue> params) override;
  absl::StatusOr<int64_t> Execute(absl::string_view sql,
                                  absl::Span<const SqlValue> params) override;
  // Case-insensitive, in the connection's current schema.
  absl::StatusOr<bool> TableExists(absl::string_view table) override;
  // Queued in libpq's pipeline mode until a statement whose result is
  // awaited, Flush, Commit or Rollback sends them all in one round trip
  // (BEGIN is queued the same way). At most kMaxPendingStatements wait.
  absl::Status ExecuteDeferred(absl::string_view sql,
                               absl::Span<const SqlValue> params,
                               RowsCallback on_rows = nullptr,
                               ErrorMapper map_error = nullptr) override;
  absl::Status Flush() override;
  absl::Status FirstDeferredError() const override {
    return first_deferred_error_;
  }

  // How many requests every PostgresConnection of the process has sent to
  // its server and waited on so far (statements, prepares, BEGIN, COMMIT):
  // for the tests and benchmarks that pin how many round trips a call takes.
  static int64_t RoundTrips();

  // `sql` with its `?` placeholders numbered $1, $2, ... (question marks
  // inside quoted strings and identifiers are left alone).
  static std::string NumberPlaceholders(absl::string_view sql);

  // Prepared statements this connection holds on its server (a named one
  // is evicted from the cache with a DEALLOCATE sent with the next round
  // trip). For tests and benchmarks of the statement cache's bound.
  size_t CachedStatementCount() const { return prepared_.size(); }

  // `name` as a quoted SQL identifier, for the DDL that cannot take a
  // parameter (CREATE DATABASE).
  std::string QuoteIdentifier(absl::string_view name) const;

  // ---- Notifications (LISTEN/NOTIFY) ---------------------------------------

  // Subscribes the session to `channel`. REQUIRES: no open transaction.
  absl::Status Listen(absl::string_view channel);
  // Waits until a notification arrives on a channel this session listens
  // to (true), `timeout` passes (false), or `wake_fd` (when >= 0) becomes
  // readable (false; the caller drains it). Notifications already received
  // count at once; all of them are consumed. UNAVAILABLE when the
  // connection is lost.
  absl::StatusOr<bool> WaitForNotification(absl::Duration timeout,
                                           int wake_fd = -1);

 private:
  struct ResultDeleter {
    void operator()(pg_result* result) const;
  };
  using Result = std::unique_ptr<pg_result, ResultDeleter>;
  struct ConnDeleter {
    void operator()(pg_conn* conn) const;
  };

  PostgresConnection(pg_conn* conn, const PostgresOptions& options)
      : conn_(conn),
        prepared_(options.statement_cache_capacity),
        options_(options) {}

  // What became of read-write transaction `xid` after its COMMIT lost the
  // connection; see Commit().
  absl::Status ResolveCommit(int64_t xid);

  // Starts a libpq connection for `options` (null only when out of
  // memory; otherwise check PQstatus).
  static pg_conn* Connect(const PostgresOptions& options);

  // A statement sent in the pipeline whose answer is not read yet.
  struct PendingStatement {
    // Names the statement in its error.
    std::string context;
    // Set for the preparation of a new statement, forgotten if it fails.
    std::string prepared_key;
    RowsCallback on_rows;
    ErrorMapper map_error;
    // The statement whose result the current call returns.
    bool awaited = false;
  };
  static constexpr size_t kMaxPendingStatements = 256;

  absl::Status EnterPipeline();
  // The status for a statement libpq would not send.
  absl::Status SendFailed(absl::string_view context) const;
  // Queues `sql` with `params`, preparing it first on first use.
  absl::Status Send(absl::string_view sql, absl::Span<const SqlValue> params,
                    PendingStatement statement);
  // Queues a statement without parameters and without preparing it
  // (transaction control).
  absl::Status SendUnprepared(const char* sql, PendingStatement statement);
  // Sends what is queued and reads every answer in order, handing rows to
  // the deferred statements' callbacks; `awaited` gets the awaited
  // statement's result. Returns the first error, a deferred statement's
  // before the awaited one's (the server skipped everything after it).
  absl::Status Sync(Result* awaited);
  // Runs `sql` with `params` after whatever is queued, in one round trip.
  absl::StatusOr<Result> Run(absl::string_view sql,
                             absl::Span<const SqlValue> params);
  // OK for a successful result, else the status its SQLSTATE maps to.
  absl::Status ResultStatus(const pg_result* result,
                            absl::string_view context) const;

  std::unique_ptr<pg_conn, ConnDeleter> conn_;
  // Prepared statement names by SQL text and parameter kinds.
  internal::LruCache<std::string> prepared_;
  const PostgresOptions options_;
  // Names of prepared statements ever made on this connection.
  int64_t prepared_count_ = 0;
  std::vector<PendingStatement> pending_;
  absl::Status first_deferred_error_;
  // The id of the open read-write transaction, -1 otherwise.
  int64_t xid_ = -1;
  // The open read-write transaction's id was asked for but not read yet.
  bool awaiting_xid_ = false;
};

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_POSTGRES_CONNECTION_H_
