#include "store/sqlite_connection.h"

#include <sqlite3.h>

#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace mlmdx::store {

void SqliteConnection::StatementDeleter::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

absl::StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const SqliteOptions& options) {
  const bool in_memory = options.filename_uri.empty();
  int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  }
  const std::string name = in_memory ? ":memory:" : options.filename_uri;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  // The handle exists even when opening failed and must be closed.
  std::unique_ptr<SqliteConnection> conn(
      new SqliteConnection(raw, options.statement_cache_capacity));
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(
        absl::StrCat("cannot open SQLite database '", name,
                     "': ", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (!in_memory && options.wal && !options.read_only) {
    MLMDX_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA journal_mode=WAL;"));
  }
  MLMDX_RETURN_IF_ERROR(conn->ExecuteScript(
      absl::StrCat("PRAGMA synchronous=", options.synchronous, ";")));
  // Group commit runs each write in a savepoint, and SQLite journals a
  // savepoint's pages in a statement journal: kept in memory, that costs a
  // copy; kept in a temporary file (the compiled-in default), it costs file
  // writes inside every group's critical path (bench/RESULTS.md, group
  // commit: 2.4x -> 3.1x on a slow disk).
  MLMDX_RETURN_IF_ERROR(conn->ExecuteScript("PRAGMA temp_store=MEMORY;"));
  if (options.statement_timeout_ms > 0) {
    conn->statement_timeout_ms_ = options.statement_timeout_ms;
    // Every 1000 virtual machine instructions: a clock read costs far less
    // than that many instructions, and a runaway statement stops within
    // microseconds of its deadline.
    sqlite3_progress_handler(raw, 1000, &SqliteConnection::InterruptWhenLate,
                             conn.get());
  }
  return conn;
}

int SqliteConnection::InterruptWhenLate(void* connection) {
  const auto* self = static_cast<const SqliteConnection*>(connection);
  return self->statement_deadline_.has_value() &&
                 std::chrono::steady_clock::now() > *self->statement_deadline_
             ? 1
             : 0;
}

SqliteConnection::~SqliteConnection() {
  statements_.Clear();  // Finalize before closing.
  retired_.clear();
  sqlite3_close_v2(db_);
}

absl::Status SqliteConnection::ErrorStatus(int code,
                                           absl::string_view context) const {
  const std::string message = absl::StrCat(context, ": ", sqlite3_errmsg(db_),
                                           " (SQLite code ", code, ")");
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::AbortedError(
          absl::StrCat(message,
                       "; the database is locked by another "
                       "writer, retry the call"));
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_UNIQUE ||
          code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(message);
      }
      return absl::InternalError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status SqliteConnection::Begin(TransactionMode mode) {
  return ExecuteScript(mode == TransactionMode::kReadWrite ? "BEGIN IMMEDIATE;"
                                                           : "BEGIN DEFERRED;");
}

absl::Status SqliteConnection::Commit() { return ExecuteScript("COMMIT;"); }

void SqliteConnection::Rollback() {
  // Fails harmlessly when SQLite already rolled back on its own.
  sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
}

bool SqliteConnection::InTransaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

absl::Status SqliteConnection::ExecuteScript(absl::string_view sql) {
  const std::string script(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return ErrorStatus(rc, "SQL script failed");
  return absl::OkStatus();
}

absl::StatusOr<sqlite3_stmt*> SqliteConnection::Prepare(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  Statement* cached = statements_.Find(sql);
  if (cached == nullptr) {
    sqlite3_stmt* raw = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return ErrorStatus(rc, absl::StrCat("cannot prepare `", sql, "`"));
    }
    auto evicted = statements_.Insert(std::string(sql), Statement(raw));
    if (evicted.has_value()) {
      // Finalizing frees the statement's memory; one a row callback is
      // still stepping waits until it is done.
      if (running_ > 0) {
        retired_.push_back(std::move(evicted->second));
      }
    }
    cached = statements_.Find(sql);
  }
  sqlite3_stmt* stmt = cached->get();
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
    return absl::InternalError(absl::StrCat(
        "statement `", sql, "` takes ", sqlite3_bind_parameter_count(stmt),
        " parameters, got ", params.size()));
  }
  for (int i = 0; i < static_cast<int>(params.size()); ++i) {
    const SqlValue& p = params[i];
    int rc = SQLITE_OK;
    switch (p.kind()) {
      case SqlValue::Kind::kNull:
        rc = sqlite3_bind_null(stmt, i + 1);
        break;
      case SqlValue::Kind::kInt:
      case SqlValue::Kind::kBool:
        rc = sqlite3_bind_int64(stmt, i + 1, p.AsInt());
        break;
      case SqlValue::Kind::kDouble:
        rc = sqlite3_bind_double(stmt, i + 1, p.AsDouble());
        break;
      case SqlValue::Kind::kText: {
        std::string text = p.AsString();
        rc = sqlite3_bind_text64(stmt, i + 1, text.data(), text.size(),
                                 SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
      }
      case SqlValue::Kind::kBlob: {
        std::string bytes = p.AsString();
        rc = sqlite3_bind_blob64(stmt, i + 1, bytes.data(), bytes.size(),
                                 SQLITE_TRANSIENT);
        break;
      }
    }
    if (rc != SQLITE_OK) return ErrorStatus(rc, "cannot bind parameter");
  }
  return stmt;
}

absl::Status SqliteConnection::Run(sqlite3_stmt* stmt, const RowCallback* row) {
  ++running_;
  absl::Cleanup done = [this] {
    if (--running_ == 0) retired_.clear();
  };
  const int columns = sqlite3_column_count(stmt);
  std::vector<SqlValue> values(columns);
  absl::Status status;
  if (statement_timeout_ms_ > 0) {
    statement_deadline_ = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(statement_timeout_ms_);
  }
  while (status.ok()) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_INTERRUPT && statement_deadline_.has_value()) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          "a database statement ran longer than the statement time limit of ",
          statement_timeout_ms_,
          " ms (--statement_timeout_ms) and was interrupted; narrow the "
          "request (e.g. a more selective filter or a smaller page)"));
      break;
    }
    if (rc != SQLITE_ROW) {
      status = ErrorStatus(sqlite3_extended_errcode(db_),
                           absl::StrCat("`", sqlite3_sql(stmt), "` failed"));
      break;
    }
    if (row == nullptr) continue;
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          values[c] = SqlValue::Int(sqlite3_column_int64(stmt, c));
          break;
        case SQLITE_FLOAT:
          values[c] = SqlValue::Double(sqlite3_column_double(stmt, c));
          break;
        case SQLITE_TEXT: {
          const auto* text =
              reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          values[c] =
              SqlValue::Text(std::string(text, sqlite3_column_bytes(stmt, c)));
          break;
        }
        case SQLITE_BLOB: {
          const auto* bytes =
              static_cast<const char*>(sqlite3_column_blob(stmt, c));
          values[c] = SqlValue::Blob(
              bytes ? std::string(bytes, sqlite3_column_bytes(stmt, c))
                    : std::string());
          break;
        }
        default:
          values[c] = SqlValue::Null();
      }
    }
    status = (*row)(values);
  }
  statement_deadline_.reset();
  sqlite3_reset(stmt);
  return status;
}

int SqliteConnection::LiveStatementCount() const {
  int count = 0;
  for (sqlite3_stmt* stmt = sqlite3_next_stmt(db_, nullptr); stmt != nullptr;
       stmt = sqlite3_next_stmt(db_, stmt)) {
    ++count;
  }
  return count;
}

int64_t SqliteConnection::StatementMemoryBytes() const {
  int current = 0;
  int highwater = 0;
  sqlite3_db_status(db_, SQLITE_DBSTATUS_STMT_USED, &current, &highwater, 0);
  return current;
}

absl::StatusOr<RecordSet> SqliteConnection::Query(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  MLMDX_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
  RecordSet result;
  const RowCallback keep = [&result](absl::Span<const SqlValue> row) {
    result.rows.emplace_back(row.begin(), row.end());
    return absl::OkStatus();
  };
  MLMDX_RETURN_IF_ERROR(Run(stmt, &keep));
  return result;
}

absl::Status SqliteConnection::QueryEach(absl::string_view sql,
                                         absl::Span<const SqlValue> params,
                                         const RowCallback& row) {
  MLMDX_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
  return Run(stmt, &row);
}

absl::StatusOr<int64_t> SqliteConnection::Insert(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  MLMDX_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
  MLMDX_RETURN_IF_ERROR(Run(stmt, nullptr));
  return sqlite3_last_insert_rowid(db_);
}

absl::StatusOr<int64_t> SqliteConnection::Execute(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  MLMDX_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
  MLMDX_RETURN_IF_ERROR(Run(stmt, nullptr));
  return sqlite3_changes64(db_);
}

absl::StatusOr<bool> SqliteConnection::TableExists(absl::string_view table) {
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            {SqlValue::Text(std::string(table))}));
  return !rows.rows.empty();
}

}  // namespace mlmdx::store
