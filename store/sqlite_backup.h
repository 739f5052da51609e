// File: store/sqlite_backup.h
// -----------------------------------------------------------------------------
//
// An online copy of a SQLite database: BackupSqliteDatabase copies a file
// that a server may be writing at the same time, through SQLite's backup API,
// into a new file that holds one consistent moment of the source: every
// transaction committed before that moment and none after it.
//
// The copy reads the source inside one read transaction. In WAL mode (as
// mlmdx opens its databases) that never blocks the server's writers, and
// their commits during the copy do not restart it. The copy is written to a
// temporary file next to the destination, checked with PRAGMA
// integrity_check, synced, and then renamed over the destination, so the
// destination is either the old file or a whole new copy, never a part.
//
// Example:
//
//   absl::StatusOr<BackupStats> stats =
//       BackupSqliteDatabase("/data/mlmd.sqlite", "/backup/mlmd.sqlite", {});
//
// Thread-safety: the function may run from any thread; it uses connections
// of its own.

#ifndef MLMDX_STORE_SQLITE_BACKUP_H_
#define MLMDX_STORE_SQLITE_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace mlmdx::store {

struct BackupOptions {
  // Pages copied per step of the backup API; progress is reported after
  // each step.
  int pages_per_step = 1024;
  // Called after each step with the pages copied so far and the total.
  std::function<void(int64_t copied, int64_t total)> progress;
};

struct BackupStats {
  int64_t pages = 0;
  int64_t page_size = 0;
};

// Copies the SQLite database `source_path` to `destination_path`, replacing
// that file if it exists. Returns INVALID_ARGUMENT when the source does not
// exist or is not a SQLite database, or the destination is the source
// itself; UNAVAILABLE when
// a file cannot be opened, read or written, and DATA_LOSS when the copy
// fails its integrity check; in every error case the destination is left as
// it was and no temporary file remains.
absl::StatusOr<BackupStats> BackupSqliteDatabase(
    const std::string& source_path, const std::string& destination_path,
    const BackupOptions& options);

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_SQLITE_BACKUP_H_
