// File: bench/commit_floor.h
// -----------------------------------------------------------------------------
//
// The cheapest durable commit a backend can make: one single-row INSERT in
// a transaction of its own, on SQLite in WAL mode with synchronous=FULL (what
// `mlmdx serve` runs by default) or on a PostgreSQL server (one round trip
// and one WAL flush). With one client, every write RPC waits for at least
// one of these, so the write benchmarks measure it in the same run as the
// floor under their figures.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(auto floor, CommitFloor::OnSqlite("/tmp/f.db"));
//   MLMDX_RETURN_IF_ERROR(floor->Commit());
//
// Thread-safety: not thread-safe.

#ifndef MLMDX_BENCH_COMMIT_FLOOR_H_
#define MLMDX_BENCH_COMMIT_FLOOR_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mlmdx::bench {

class CommitFloor {
 public:
  // A new SQLite file at `path` in WAL mode with `synchronous` ("FULL", as
  // `mlmdx serve` by default, or "NORMAL", "OFF"). UNAVAILABLE when it
  // cannot be created.
  static absl::StatusOr<std::unique_ptr<CommitFloor>> OnSqlite(
      const std::string& path, const std::string& synchronous = "FULL");
  // A new database `dbname` on the PostgreSQL server at `uri_base`
  // ("postgresql://user@host:port"); it must not exist yet. UNAVAILABLE
  // when the server cannot be reached, INTERNAL on SQL errors.
  static absl::StatusOr<std::unique_ptr<CommitFloor>> OnPostgres(
      const std::string& uri_base, const std::string& dbname);

  CommitFloor(const CommitFloor&) = delete;
  CommitFloor& operator=(const CommitFloor&) = delete;
  virtual ~CommitFloor() = default;

  // Inserts one row in a transaction of its own; returns once it is
  // committed. INTERNAL on errors.
  virtual absl::Status Commit() = 0;

 protected:
  CommitFloor() = default;
};

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_COMMIT_FLOOR_H_
