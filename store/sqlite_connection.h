// File: store/sqlite_connection.h
// -----------------------------------------------------------------------------
//
// The SQLite implementation of Connection. Opens a file (or an in-memory
// database) with the settings a durable multi-reader server needs: WAL
// journal, synchronous=FULL by default, a busy timeout after which lock
// contention is reported as ABORTED, and a cache of prepared statements so
// that a statement is compiled once per connection, not once per call.
//
// Thread-safety: not thread-safe; see Connection.

#ifndef MLMDX_STORE_SQLITE_CONNECTION_H_
#define MLMDX_STORE_SQLITE_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "store/connection.h"
#include "store/internal/lru_cache.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mlmdx::store {

struct SqliteOptions {
  // A file name or an SQLite URI ("file:x.db?mode=ro"). Empty means a private
  // in-memory database.
  std::string filename_uri;
  // Open without write access; creating tables then fails.
  bool read_only = false;
  // Create the file when it does not exist.
  bool create_if_missing = true;
  // How long a statement waits for another writer's lock before the call
  // fails with ABORTED.
  int busy_timeout_ms = 5000;
  // PRAGMA synchronous: "FULL" makes every commit durable across power loss;
  // "NORMAL" may lose the last commits (never corrupts) and is faster.
  std::string synchronous = "FULL";
  // Use the write-ahead log (readers never block the writer). Ignored for
  // in-memory databases.
  bool wal = true;
  // Most prepared statements kept per connection; the least recently used
  // is finalized to make room. Every distinct filter shape is a statement of
  // its own, so an unbounded cache would grow with the filters clients send.
  size_t statement_cache_capacity = 256;

  // A statement running longer than this is interrupted and its call fails
  // with RESOURCE_EXHAUSTED naming the limit. 0: no limit.
  int64_t statement_timeout_ms = 0;
};

class SqliteConnection final : public Connection {
 public:
  // Opens the database. UNAVAILABLE if the file cannot be opened.
  static absl::StatusOr<std::unique_ptr<SqliteConnection>> Open(
      const SqliteOptions& options);

  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::kSqlite; }

  absl::Status Begin(TransactionMode mode) override;
  absl::Status Commit() override;
  void Rollback() override;
  bool InTransaction() const override;
  absl::Status ExecuteScript(absl::string_view sql) override;
  absl::StatusOr<RecordSet> Query(absl::string_view sql,
                                  absl::Span<const SqlValue> params) override;
  absl::Status QueryEach(absl::string_view sql,
                         absl::Span<const SqlValue> params,
                         const RowCallback& row) override;
  absl::StatusOr<int64_t> Insert(absl::string_view sql,
                                 absl::Span<const SqlValue> params) override;
  absl::StatusOr<int64_t> Execute(absl::string_view sql,
                                  absl::Span<const SqlValue> params) override;
  absl::StatusOr<bool> TableExists(absl::string_view table) override;

  // Prepared statements alive on the database handle (sqlite3_next_stmt),
  // and the heap bytes they hold (SQLITE_DBSTATUS_STMT_USED). For tests and
  // benchmarks of the statement cache's bound.
  int LiveStatementCount() const;
  int64_t StatementMemoryBytes() const;

 private:
  struct StatementDeleter {
    void operator()(sqlite3_stmt* stmt) const;
  };
  using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

  SqliteConnection(sqlite3* db, size_t statement_cache_capacity)
      : db_(db), statements_(statement_cache_capacity) {}

  // SQLite's progress handler: non-zero interrupts the running statement.
  static int InterruptWhenLate(void* connection);

  // Returns the cached prepared statement for `sql`, reset and with
  // `params` bound.
  absl::StatusOr<sqlite3_stmt*> Prepare(absl::string_view sql,
                                        absl::Span<const SqlValue> params);
  // Steps `stmt` to completion, handing each row to `row` when set (the
  // values in one buffer reused for every row).
  absl::Status Run(sqlite3_stmt* stmt, const RowCallback* row);
  absl::Status ErrorStatus(int code, absl::string_view context) const;

  sqlite3* db_;
  internal::LruCache<Statement> statements_;
  // Run() calls in progress (a row callback may query again). A statement
  // evicted meanwhile may be the one stepping, so it waits in `retired_`
  // until the outermost Run() returns.
  int running_ = 0;
  std::vector<Statement> retired_;
  // Of SqliteOptions; 0: no limit.
  int64_t statement_timeout_ms_ = 0;
  // When the statement being stepped must end; only set while Run() steps.
  std::optional<std::chrono::steady_clock::time_point> statement_deadline_;
};

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_SQLITE_CONNECTION_H_
