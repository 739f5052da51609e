// File: store/internal/schema_steps.h
// -----------------------------------------------------------------------------
//
// MLMD's schema history on SQLite, one step per version: the scripts
// migrations/sqlite/steps/NNNN_<what>.up.sql take a database from version
// NNNN - 1 to NNNN, and NNNN_<what>.down.sql back. The runners below apply
// them one version at a time and record each version in MLMDEnv as MLMD
// does (UPDATE of its single row; at version 0 the table itself is gone).
//
// A database below version 10 holds none of mlmdx's own objects (the
// mlmdx_* indexes and the mlmdx_schema table): both runners drop them first.
// Table rebuilds would drop some of the indexes anyway, and an older MLMD
// library, which knows nothing of them, may rebuild more tables later; with
// no track record left, the mlmdx track (store/schema.h) applies afresh
// once the database is back at version 10.
//
// REQUIRES for every function: an open read-write transaction on an SQLite
// connection. On error the caller rolls back; SQLite's DDL is transactional,
// so nothing of a failed migration remains.

#ifndef MLMDX_STORE_INTERNAL_SCHEMA_STEPS_H_
#define MLMDX_STORE_INTERNAL_SCHEMA_STEPS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "store/connection.h"

namespace mlmdx::store::internal {

// Upgrades a database at `from_version` to `to_version`.
// REQUIRES: 0 <= from_version < to_version <= the newest step.
// Errors: the failing step's status, its message prefixed with the step.
absl::Status UpgradeSqliteSchema(Connection& conn, int64_t from_version,
                                 int64_t to_version);

// Downgrades a database at `from_version` to `to_version`, dropping the
// tables, columns and rows that version cannot hold.
// REQUIRES: 0 <= to_version < from_version <= the newest step.
absl::Status DowngradeSqliteSchema(Connection& conn, int64_t from_version,
                                   int64_t to_version);

// Drops every index and table named mlmdx_*.
absl::Status DropMlmdxObjects(Connection& conn);

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_SCHEMA_STEPS_H_
