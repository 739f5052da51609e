// File: store/connection.h
// -----------------------------------------------------------------------------
//
// A database connection as the rest of store/ sees it: transactions and SQL
// statements with bound parameters. User-supplied text only ever reaches the
// database as a bound parameter; the SQL text itself is always ours.
//
// SQL is written with `?` placeholders (SQLite style); a backend whose driver
// numbers its placeholders rewrites them.
//
// Thread-safety: a Connection is used by one thread at a time. The store
// hands connections out from a pool (store/connection_pool.h).
//
// Example:
//
//   MLMDX_RETURN_IF_ERROR(conn.Begin(TransactionMode::kReadWrite));
//   MLMDX_ASSIGN_OR_RETURN(int64_t id, conn.Insert(
//       "INSERT INTO Type(name, type_kind) VALUES (?, ?)",
//       {SqlValue::Text("t"), SqlValue::Int(1)}));
//   MLMDX_RETURN_IF_ERROR(conn.Commit());

#ifndef MLMDX_STORE_CONNECTION_H_
#define MLMDX_STORE_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mlmdx::store {

// One SQL value: a bound parameter or a column of a result row.
class SqlValue {
 public:
  // kBool is a parameter for a BOOLEAN column (PostgreSQL types it so;
  // SQLite stores 0/1). Result columns of BOOLEAN type read back as kInt.
  enum class Kind { kNull, kInt, kDouble, kText, kBlob, kBool };

  SqlValue() = default;
  static SqlValue Null() { return SqlValue(); }
  static SqlValue Int(int64_t v);
  static SqlValue Bool(bool v);
  static SqlValue Double(double v);
  static SqlValue Text(std::string v);
  static SqlValue Blob(std::string bytes);
  // Text(*v) when `v` has a value, else NULL.
  static SqlValue OptionalText(const std::optional<std::string>& v);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  // Accessors convert leniently (an integer column read as text, etc.), as
  // SQLite's own column accessors do.
  int64_t AsInt() const;
  double AsDouble() const;
  // For kText and kBlob the stored bytes; for numbers their decimal text.
  std::string AsString() const;

 private:
  Kind kind_ = Kind::kNull;
  int64_t int_ = 0;
  double double_ = 0;
  std::string bytes_;
};

// The rows a query returned, in order; each row has one value per column.
struct RecordSet {
  std::vector<std::vector<SqlValue>> rows;
};

// The SQL dialect a connection speaks. Statements are written once where
// both dialects accept them; the few that differ ask the connection.
enum class Dialect { kSqlite, kPostgres };

enum class TransactionMode {
  // Takes no write lock; sees a consistent snapshot.
  kReadOnly,
  // Takes the database's write lock at BEGIN, so that the transaction cannot
  // fail halfway through with a lock upgrade conflict.
  kReadWrite,
};

// Errors every method may return, by meaning:
//   ABORTED          lock contention or serialization conflict: retry
//   ALREADY_EXISTS   a UNIQUE or PRIMARY KEY constraint was violated
//   UNAVAILABLE      the database could not be reached
//   INTERNAL         any other database error (the message has the SQL error)
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;

  virtual absl::Status Begin(TransactionMode mode) = 0;
  virtual absl::Status Commit() = 0;
  // Never fails in a way the caller can act on; errors are logged away.
  virtual void Rollback() = 0;
  // Whether a transaction is open. A database may end one by itself on an
  // error (SQLite rolls back on an I/O error, a full disk or an interrupt).
  virtual bool InTransaction() const = 0;

  // Runs one or more statements without parameters (DDL, pragmas).
  virtual absl::Status ExecuteScript(absl::string_view sql) = 0;

  // Runs one statement and returns all of its rows.
  virtual absl::StatusOr<RecordSet> Query(
      absl::string_view sql, absl::Span<const SqlValue> params) = 0;

  // A row as QueryEach hands it over: one value per column, valid only
  // during the call.
  using RowCallback = std::function<absl::Status(absl::Span<const SqlValue>)>;

  // Runs one statement and hands each row to `row` as it is read, keeping
  // none: for scans too large to hold as a RecordSet. Stops at, and
  // returns, the first error `row` returns.
  virtual absl::Status QueryEach(absl::string_view sql,
                                 absl::Span<const SqlValue> params,
                                 const RowCallback& row) = 0;

  // Runs one INSERT and returns the id of the inserted row.
  virtual absl::StatusOr<int64_t> Insert(absl::string_view sql,
                                         absl::Span<const SqlValue> params) = 0;

  // Runs one statement that returns no rows and reports how many rows it
  // changed.
  virtual absl::StatusOr<int64_t> Execute(
      absl::string_view sql, absl::Span<const SqlValue> params) = 0;

  // Whether `table` exists in the database.
  virtual absl::StatusOr<bool> TableExists(absl::string_view table) = 0;

  // ---- Statements whose outcome the caller does not wait for ---------------

  // Gets the rows of a deferred statement once they are read.
  using RowsCallback = std::function<void(const RecordSet&)>;
  // Turns a deferred statement's error into the one its caller would have
  // returned (e.g. a unique violation into a message naming the node).
  using ErrorMapper = std::function<absl::Status(absl::Status)>;

  // Runs one statement whose result nothing waits on at once. A backend
  // with a network round trip per statement queues it and sends it with the
  // next statement whose result is awaited (or with Flush or Commit), so
  // that several statements cost one round trip; SQLite runs it now. Order
  // is kept: every later statement of the transaction sees its effect.
  //
  // `on_rows`, when set, receives the statement's rows when they are read.
  // An error, passed through `map_error` when set, comes back from the
  // call that reads it: this one, a later statement, Flush or Commit. The
  // transaction is then failed; FirstDeferredError keeps that error for
  // the transaction's end, since the later call's own caller may have
  // re-labelled it.
  virtual absl::Status ExecuteDeferred(absl::string_view sql,
                                       absl::Span<const SqlValue> params,
                                       RowsCallback on_rows = nullptr,
                                       ErrorMapper map_error = nullptr);

  // Sends every deferred statement and waits for them; returns the first
  // error among them.
  virtual absl::Status Flush() { return absl::OkStatus(); }

  // The first error a deferred statement of the current transaction
  // returned (mapped), or OK.
  virtual absl::Status FirstDeferredError() const { return absl::OkStatus(); }
};

// Makes other transactions that take the lock named `name` wait until this
// one ends (commit or rollback), across every process sharing the database:
// for check-then-insert steps that no unique key protects (MLMD's Type table
// has none on its name), and for creating the schema once. On PostgreSQL a
// transaction-scoped advisory lock; on SQLite a no-op, since a write
// transaction already holds the database's only write lock.
// REQUIRES: `conn` is inside a read-write transaction.
absl::Status LockUntilTransactionEnds(Connection& conn, absl::string_view name);

// The lock a deletion (RetentionService) holds, with LockUntilTransactionEnds,
// while it decides what to delete and deletes it. On PostgreSQL every
// read-write transaction holds it shared from its first statement
// (PostgresConnection::Begin), so a deletion starts once every write in
// flight has committed, and no write starts until it ends: no other server
// can add an event or a link to a node while its deletion is being decided.
inline constexpr char kDeletionLockName[] = "mlmdx.deletion";

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_CONNECTION_H_
