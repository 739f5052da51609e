// File: store/change_log.h
// -----------------------------------------------------------------------------
//
// The change log on PostgreSQL: what each committed write added to the
// lineage graph, one row per write transaction (the table
// mlmdx_change_log, migrations/postgresql/mlmdx/0004_change_log.up.sql),
// so that several servers over one database keep their lineage indexes in
// step with each other's writes. MetadataStore appends the row inside the
// write's transaction, last, under a lock held until the COMMIT ends: so a
// row's position (its seq) orders it by commit, and a reader that has read
// position N has read every row at or below N that will ever commit. The
// row is announced with NOTIFY on channel `kChangeLogChannel`.
//
// ChangeLogReader is the reading side, on a connection of its own.
//
// Example (the lineage engine's follower, simplified):
//
//   MLMDX_ASSIGN_OR_RETURN(auto reader, store->OpenChangeLogReader());
//   int64_t position = ...;  // what the index already holds
//   while (running) {
//     MLMDX_ASSIGN_OR_RETURN(ChangeLogBatch batch,
//                            reader->ReadAfter(position, 1000));
//     for (const auto& entry : batch.entries) { apply; position = ...; }
//     if (batch.entries.empty())
//       MLMDX_RETURN_IF_ERROR(reader->WaitForChanges(absl::Seconds(1)));
//   }
//
// Thread-safety: a ChangeLogReader is used by one thread at a time, except
// Interrupt(), which any thread may call.

#ifndef MLMDX_STORE_CHANGE_LOG_H_
#define MLMDX_STORE_CHANGE_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "store/connection.h"
#include "store/lineage_changes.h"
#include "store/postgres_connection.h"

namespace mlmdx::store {

inline constexpr absl::string_view kChangeLogChannel = "mlmdx_change_log";

struct ChangeLogEntry {
  int64_t position = 0;
  // The server that wrote it (MetadataStore::change_log_origin()).
  int64_t origin = 0;
  // Rows a server wrote itself come back too: it applied them as they
  // committed, but a reader may see the row a moment before that, and
  // applying twice is harmless while skipping is not.
  LineageChanges changes;
};

struct ChangeLogBatch {
  // Ascending positions.
  std::vector<ChangeLogEntry> entries;
  // Rows after the position asked for have been pruned: the reader cannot
  // catch up from the log and must reload from the tables.
  bool pruned_past = false;
};

class ChangeLogReader {
 public:
  // Connects and listens on kChangeLogChannel.
  static absl::StatusOr<std::unique_ptr<ChangeLogReader>> Open(
      const PostgresOptions& options);
  ~ChangeLogReader();

  ChangeLogReader(const ChangeLogReader&) = delete;
  ChangeLogReader& operator=(const ChangeLogReader&) = delete;

  // Waits until a write is announced, `timeout` passes, or Interrupt() is
  // called. UNAVAILABLE when the connection is lost (open a new reader; no
  // row is lost, since rows stay in the table).
  absl::Status WaitForChanges(absl::Duration timeout);

  // Up to `limit` rows after `position`, from one snapshot.
  absl::StatusOr<ChangeLogBatch> ReadAfter(int64_t position, int limit);

  // The highest position committed so far (0 for an empty log).
  absl::StatusOr<int64_t> LatestPosition();

  // Deletes the rows written more than `age` ago and records how far it
  // deleted. Returns the number of rows deleted.
  absl::StatusOr<int64_t> Prune(absl::Duration age);

  // Makes a WaitForChanges in progress (or the next one) return at once.
  void Interrupt();

 private:
  ChangeLogReader(std::unique_ptr<PostgresConnection> conn, int wake_fd)
      : conn_(std::move(conn)), wake_fd_(wake_fd) {}

  std::unique_ptr<PostgresConnection> conn_;
  // An eventfd that Interrupt() signals.
  const int wake_fd_;
};

namespace internal {

// The change log's storage form of `changes` (proto/mlmdx/change_log.proto).
std::string EncodeLineageChanges(const LineageChanges& changes);
absl::StatusOr<LineageChanges> DecodeLineageChanges(absl::string_view bytes);

// Appends `changes` to the log as the last statement of the open write
// transaction on `conn`, and announces it. Takes the log's lock, held until
// the transaction ends. The statement is deferred (Connection::
// ExecuteDeferred): `*position` gets the entry's position once its answer
// is read, by the COMMIT's round trip at the latest.
absl::Status AppendToChangeLog(Connection& conn, int64_t origin,
                               const LineageChanges& changes,
                               int64_t* position);

// The highest position committed when `conn`'s statement runs.
absl::StatusOr<int64_t> LatestChangeLogPosition(Connection& conn);

}  // namespace internal

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_CHANGE_LOG_H_
