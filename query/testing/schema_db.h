// File: query/testing/schema_db.h
// -----------------------------------------------------------------------------
//
// Test support for query/: an in-memory SQLite database with the MLMD
// schema, a way to run a CompiledFilter against it, and the invariant every
// filter input must satisfy (shared by the fuzzer, the corpus replay test and
// the injection test). Not part of the server; links SQLite.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(auto db, SchemaDb::Open(EmbeddedSqliteSchema()));
//   MLMDX_RETURN_IF_ERROR(db->Exec("INSERT INTO Type ..."));
//   MLMDX_ASSIGN_OR_RETURN(CompiledFilter f,
//                          CompileFilter("id = 1", NodeKind::kArtifact));
//   MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
//                          db->MatchingIds(NodeKind::kArtifact, f));
//
// Thread-safety: a SchemaDb is used by one thread at a time.

#ifndef MLMDX_QUERY_TESTING_SCHEMA_DB_H_
#define MLMDX_QUERY_TESTING_SCHEMA_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/filter.h"

namespace mlmdx::query {

// One value as SQLite stores it.
struct StoredValue {
  // SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_BLOB.
  int type = SQLITE_NULL;
  int64_t int_value = 0;
  double double_value = 0;
  std::string bytes;  // of TEXT and BLOB
};

// All rows of one table.
struct StoredTable {
  std::vector<std::string> columns;
  std::vector<std::vector<StoredValue>> rows;
};

class SchemaDb {
 public:
  // Opens a private in-memory database and runs `schema_sql` in it.
  // Returns INTERNAL when SQLite fails.
  static absl::StatusOr<std::unique_ptr<SchemaDb>> Open(
      absl::string_view schema_sql);

  SchemaDb(const SchemaDb&) = delete;
  SchemaDb& operator=(const SchemaDb&) = delete;

  // Runs one or more statements; INTERNAL with SQLite's message on failure.
  absl::Status Exec(absl::string_view sql);

  // Runs `SELECT id FROM <Node> WHERE id IN (<filter.sql>) ORDER BY id`
  // with the filter's parameters. INTERNAL when the SQL does not prepare,
  // the parameter count differs or a step fails.
  absl::StatusOr<std::vector<int64_t>> MatchingIds(
      NodeKind kind, const CompiledFilter& filter);

  // Every row of `table` (our own table name, not user text), in rowid
  // order. INTERNAL when the table does not exist.
  absl::StatusOr<StoredTable> ReadTable(absl::string_view table);

  // The schema as SQLite stores it (sqlite_master), to detect changes.
  absl::StatusOr<std::string> SchemaText();

 private:
  using Handle = std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)>;
  using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;
  explicit SchemaDb(Handle db) : db_(std::move(db)) {}

  // INTERNAL with SQLite's message when `sql` does not prepare. The
  // statement is null for SQL without one (only blanks or comments).
  absl::StatusOr<Statement> Prepare(const std::string& sql);

  Handle db_;
};

// The SQLite schema embedded from migrations/ (sqlite/0010...up.sql).
absl::string_view EmbeddedSqliteSchema();

// Checks the contract of CompileFilter on `input` for every NodeKind: it
// either returns INVALID_ARGUMENT with the documented message layout, or SQL
// that runs on `db` with exactly as many placeholders as parameters. Returns
// INTERNAL describing the first violation.
absl::Status CheckFilterContract(SchemaDb& db, absl::string_view input);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_TESTING_SCHEMA_DB_H_
