// File: query/testing/postgres_schema_db.h
// -----------------------------------------------------------------------------
//
// Test support for query/ on PostgreSQL: a fresh database with MLMD's
// PostgreSQL schema, filled by copying the rows of a SchemaDb (so that the
// SQLite setup SQL of the golden files serves both backends), and a way to
// run a CompiledFilter of Dialect::kPostgres against it the way the store
// does: `?` renumbered to $1, $2, ..., prepared with no parameter types,
// parameters sent in text format. Not part of the server; links libpq.
//
// The database's default collation is ICU's en-US, unlike byte order and
// with Unicode case folding, so that SQL which relied on the locale to
// agree with SQLite would fail here.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(
//       auto pg, PostgresSchemaDb::Create(cluster.ConnInfo("postgres"),
//                                         "golden_1",
//                                         EmbeddedPostgresSchema()));
//   MLMDX_RETURN_IF_ERROR(pg->CopyFrom(*sqlite_db));
//   MLMDX_ASSIGN_OR_RETURN(
//       CompiledFilter f,
//       CompileFilter("id = 1", NodeKind::kArtifact, Dialect::kPostgres));
//   MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
//                          pg->MatchingIds(NodeKind::kArtifact, f));
//
// Thread-safety: a PostgresSchemaDb is used by one thread at a time.

#ifndef MLMDX_QUERY_TESTING_POSTGRES_SCHEMA_DB_H_
#define MLMDX_QUERY_TESTING_POSTGRES_SCHEMA_DB_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/filter.h"
#include "query/testing/schema_db.h"

namespace mlmdx::query {

class PostgresSchemaDb {
 public:
  // Creates database `name` (an identifier of ours) on the server that
  // `admin_conninfo` reaches, as a user allowed to create databases, then
  // runs `schema_sql` in it. Returns INTERNAL with the server's message and
  // SQLSTATE when a step fails (e.g. the database exists).
  static absl::StatusOr<std::unique_ptr<PostgresSchemaDb>> Create(
      absl::string_view admin_conninfo, absl::string_view name,
      absl::string_view schema_sql);

  PostgresSchemaDb(const PostgresSchemaDb&) = delete;
  PostgresSchemaDb& operator=(const PostgresSchemaDb&) = delete;

  // Replaces the rows of every table of this database by the rows of the
  // table of the same name in `source`, ids included, in one transaction.
  // An integer bound for a BOOLEAN column becomes its truth value. INTERNAL
  // when a table is missing in `source` or a row does not fit.
  absl::Status CopyFrom(SchemaDb& source);

  // Runs `SELECT id FROM <Node> WHERE id IN (<filter.sql>) ORDER BY id`
  // with the filter's parameters. INTERNAL (with the SQLSTATE in the
  // message) when the SQL does not prepare, the parameter count differs or
  // the execution fails.
  absl::StatusOr<std::vector<int64_t>> MatchingIds(
      NodeKind kind, const CompiledFilter& filter);

  // Every column of every table of the public schema with its type, one a
  // line, to detect changes.
  absl::StatusOr<std::string> SchemaText();

 private:
  struct ConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
  };
  struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
  };
  using Conn = std::unique_ptr<PGconn, ConnDeleter>;
  using Result = std::unique_ptr<PGresult, ResultDeleter>;

  explicit PostgresSchemaDb(Conn conn) : conn_(std::move(conn)) {}

  // Opens a connection; UNAVAILABLE when it fails.
  static absl::StatusOr<Conn> Connect(const std::string& conninfo);
  // OK when `result` succeeded, else INTERNAL naming `what`.
  static absl::Status Check(PGconn* conn, const PGresult* result,
                            absl::string_view what);
  // Runs one or more statements without parameters.
  absl::Status Exec(absl::string_view sql);
  // The names of the tables of the public schema.
  absl::StatusOr<std::vector<std::string>> Tables();
  absl::Status CopyTable(SchemaDb& source, const std::string& table);

  Conn conn_;
  int prepared_ = 0;
};

// The PostgreSQL schema embedded from migrations/
// (postgresql/0010...up.sql).
absl::string_view EmbeddedPostgresSchema();

// Checks that `input` behaves alike on both backends for every NodeKind:
// CompileFilter fails with the same status for both dialects, or both SQL
// texts run and select the same ids from `sqlite` and from `postgres`
// (which should hold the same rows). Returns how many kinds selected at
// least one id, or INTERNAL describing the first difference.
absl::StatusOr<int> CheckSameIdsOnPostgres(SchemaDb& sqlite,
                                           PostgresSchemaDb& postgres,
                                           absl::string_view input);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_TESTING_POSTGRES_SCHEMA_DB_H_
