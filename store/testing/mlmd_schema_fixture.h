// File: store/testing/mlmd_schema_fixture.h
// -----------------------------------------------------------------------------
//
// SQLite databases as MLMD left them at each schema version 0..10: the
// tables, columns, constraints and secondary indexes of that version
// (spec/schema.md §6.1, MLMD's per-version layouts in
// metadata_source_query_config.cc) and a few rows in every table. Written
// here independently of migrations/, so that tests of the migration steps do
// not check the steps against themselves.
//
// The rows describe one small pipeline (types 1-4, artifacts 1-3,
// executions 1-2, contexts 1-2, events 2, 4 and 5), the same at every
// version as far as the version can hold it. Before version 8 it also has
// two duplicates of event 5 (ids 1 and 3, with path steps of their own)
// that the version-8 upgrade must drop. Each AUTOINCREMENT table also had a
// row that was deleted again, so its id counter is above its highest id.
//
// Example:
//
//   absl::Status status = WriteMlmdFixture(path, 5, /*with_rows=*/true);

#ifndef MLMDX_STORE_TESTING_MLMD_SCHEMA_FIXTURE_H_
#define MLMDX_STORE_TESTING_MLMD_SCHEMA_FIXTURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace mlmdx::store {

inline constexpr int kOldestSchemaVersion = 0;
inline constexpr int kNewestSchemaVersion = 10;

// The base64 text MLMD stores for the struct {"k": 1} (after
// "mlmd-struct::") and for an Any holding StringValue "hi" (v10 fixture).
inline constexpr char kFixtureStructBase64[] = "Cg4KAWsSCREAAAAAAADwPw==";
inline constexpr char kFixtureAnyBase64[] =
    "Ci90eXBlLmdvb2dsZWFwaXMuY29tL2dvb2dsZS5wcm90b2J1Zi5TdHJpbmdWYWx1ZRIECgJo"
    "aQ==";

// The tables of `version` (MLMDEnv from version 1 on), without
// sqlite_sequence.
std::vector<std::string> MlmdTables(int version);

// CREATE TABLE and CREATE INDEX statements of `version`, plus its MLMDEnv
// row from version 1 on.
std::string MlmdLayoutSql(int version);

// INSERT (and DELETE) statements filling every table of `version`.
std::string MlmdRowsSql(int version);

// Writes a new database file at `path` in WAL mode (as mlmdx keeps it, so
// that opening it changes no byte of the main file) with the layout of
// `version` and, when `with_rows`, the rows.
absl::Status WriteMlmdFixture(const std::string& path, int version,
                              bool with_rows);

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_TESTING_MLMD_SCHEMA_FIXTURE_H_
