#include "bench/commit_floor.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace mlmdx::bench {
namespace {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
struct PgFinisher {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, PgFinisher>;

class SqliteFloor final : public CommitFloor {
 public:
  SqliteFloor(std::unique_ptr<sqlite3, SqliteCloser> db,
              std::unique_ptr<sqlite3_stmt, SqliteFinalizer> insert)
      : db_(std::move(db)), insert_(std::move(insert)) {}

  absl::Status Commit() override {
    const int rc = sqlite3_step(insert_.get());
    sqlite3_reset(insert_.get());
    if (rc != SQLITE_DONE)
      return absl::InternalError(sqlite3_errmsg(db_.get()));
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::unique_ptr<sqlite3_stmt, SqliteFinalizer> insert_;
};

// Runs `sql` (no parameters, no rows wanted) on `conn`.
absl::Status PgExec(PGconn* conn, const std::string& sql) {
  std::unique_ptr<PGresult, PgClearer> result(PQexec(conn, sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return absl::InternalError(
        absl::StrCat(sql, ": ", PQresultErrorMessage(result.get())));
  }
  return absl::OkStatus();
}

absl::StatusOr<PgConn> PgConnect(const std::string& uri) {
  PgConn conn(PQconnectdb(uri.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat(uri, ": ", PQerrorMessage(conn.get())));
  }
  return conn;
}

class PostgresFloor final : public CommitFloor {
 public:
  explicit PostgresFloor(PgConn conn) : conn_(std::move(conn)) {}

  // Autocommit: one statement is one transaction, so one WAL flush.
  absl::Status Commit() override {
    return PgExec(conn_.get(), "INSERT INTO t (x) VALUES (1)");
  }

 private:
  PgConn conn_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CommitFloor>> CommitFloor::OnSqlite(
    const std::string& path, const std::string& synchronous) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open(path.c_str(), &raw);
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(absl::StrCat(path, ": ", sqlite3_errstr(rc)));
  }
  const std::string setup =
      absl::StrCat("PRAGMA journal_mode=WAL; PRAGMA synchronous=", synchronous,
                   "; CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)");
  if (sqlite3_exec(db.get(), setup.c_str(), nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return absl::InternalError(sqlite3_errmsg(db.get()));
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.get(), "INSERT INTO t (x) VALUES (1)", -1, &stmt,
                         nullptr) != SQLITE_OK) {
    return absl::InternalError(sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, SqliteFinalizer> insert(stmt);
  return std::make_unique<SqliteFloor>(std::move(db), std::move(insert));
}

absl::StatusOr<std::unique_ptr<CommitFloor>> CommitFloor::OnPostgres(
    const std::string& uri_base, const std::string& dbname) {
  {
    MLMDX_ASSIGN_OR_RETURN(PgConn admin, PgConnect(uri_base + "/postgres"));
    MLMDX_RETURN_IF_ERROR(
        PgExec(admin.get(), absl::StrCat("CREATE DATABASE ", dbname)));
  }
  MLMDX_ASSIGN_OR_RETURN(PgConn conn,
                         PgConnect(absl::StrCat(uri_base, "/", dbname)));
  MLMDX_RETURN_IF_ERROR(PgExec(
      conn.get(), "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, x BIGINT)"));
  return std::make_unique<PostgresFloor>(std::move(conn));
}

}  // namespace mlmdx::bench
