// File: store/schema.h
// -----------------------------------------------------------------------------
//
// Brings a database to MLMD schema version 10 the way MLMD does when it opens
// one: an empty database gets every table and index; a version-10 database is
// accepted as it is; a newer one is refused (FAILED_PRECONDITION), and so is
// an older one unless upgrades are enabled, in which case it is upgraded one
// version at a time (migrations/sqlite/steps/). Also seeds MLMD's nine
// "simple" types, which every MLMD database has. Then applies mlmdx's own
// migration track (migrations/<dialect>/mlmdx/NNNN_*.up.sql: extra indexes
// named mlmdx_*, versioned in the table mlmdx_schema), in the same
// transaction; it adds no column to MLMD's tables (on SQLite it changes
// nothing of MLMD's; on PostgreSQL it widens property int_value to BIGINT
// and makes the indexes over unbounded text hash indexes), and does nothing
// when already current. MLMDX_BENCH_SKIP_MLMDX_TRACK=1 in the environment skips that
// track (for the listing benchmark's before/after comparison only).
//
// Downgrades (to any version 0..10 on SQLite) follow MLMD too: one version
// at a time, with the data the older schema cannot hold dropped, and then
// the store stops (CANCELLED). A downgrade also drops the mlmdx track's
// objects, so the track applies afresh after the next upgrade. PostgreSQL
// databases exist only at version 10: mlmdx neither upgrades nor
// downgrades them.
//
// Example:
//
//   MLMDX_RETURN_IF_ERROR(InitSchema(conn, Dialect::kSqlite, {}));

#ifndef MLMDX_STORE_SCHEMA_H_
#define MLMDX_STORE_SCHEMA_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/connection.h"

namespace mlmdx::store {

// The MLMD schema version this build reads and writes.
inline constexpr int64_t kSchemaVersion = 10;

struct MigrationOptions {
  // Upgrade a database of an older MLMD schema version (0..9, SQLite only)
  // in place (`--enable_database_upgrade`).
  bool enable_upgrade = false;
  // When >= 0, downgrade the database to this version and stop
  // (`--downgrade_db_schema_version`). Takes precedence over
  // `enable_upgrade`.
  int64_t downgrade_to_schema_version = -1;
};

// The schema version recorded in the database, 0 for a pre-versioning MLMD
// 0.13 database, or nullopt-like -1 for an empty database (no MLMD tables).
// ABORTED if MLMDEnv has no row (another client is creating it right now);
// DATA_LOSS if it has more than one.
// REQUIRES: `conn` is inside a transaction.
absl::StatusOr<int64_t> ReadSchemaVersion(Connection& conn);

// Runs MLMD's open algorithm in its own read-write transaction: an upgrade
// or a downgrade either completes or leaves the database as it was.
// Returns:
//   OK                   the database is at version 10 and ready (upgraded
//                        first when it was older and `enable_upgrade` is on)
//   CANCELLED            a downgrade was requested and done (or there was
//                        nothing to do: the database was not above the
//                        target); the store must not be used at that version
//   FAILED_PRECONDITION  the database is newer than this build, or older and
//                        `enable_upgrade` is off, or older on PostgreSQL
//   ABORTED              only some of MLMD's tables exist (a concurrent
//                        creator is running): retry
//   INVALID_ARGUMENT     a downgrade target above version 10, below 10 on
//                        PostgreSQL, or of an empty database
//   other                a migration step failed (its SQL error, the
//                        database unchanged)
absl::Status InitSchema(Connection& conn, Dialect dialect,
                        const MigrationOptions& options);

// For a database opened read-only: checks, in a read transaction, that it
// holds MLMD's schema at version 10, and writes nothing (mlmdx's own track
// is not applied; its indexes only speed up listings).
//   FAILED_PRECONDITION  no MLMD schema, or another schema version
//   ABORTED              MLMDEnv has no row yet (a creator is running)
absl::Status CheckSchemaReadOnly(Connection& conn);

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_SCHEMA_H_
