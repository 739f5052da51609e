#include "store/change_log.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mlmdx/change_log.pb.h"
#include "util/status_macros.h"

namespace mlmdx::store {

namespace internal {

std::string EncodeLineageChanges(const LineageChanges& changes) {
  storage::LineageChangeRecord record;
  for (const LineageChanges::Event& e : changes.events) {
    storage::LineageChangeRecord::Event* event = record.add_events();
    event->set_id(e.id);
    event->set_artifact_id(e.artifact_id);
    event->set_execution_id(e.execution_id);
    event->set_type(e.type);
    if (e.has_milliseconds_since_epoch) {
      event->set_milliseconds_since_epoch(e.milliseconds_since_epoch);
    }
    event->set_path(e.path);
  }
  for (const auto& [context, artifact] : changes.attributions) {
    record.add_attributions(context);
    record.add_attributions(artifact);
  }
  for (const auto& [context, execution] : changes.associations) {
    record.add_associations(context);
    record.add_associations(execution);
  }
  for (const auto& [child, parent] : changes.parent_contexts) {
    record.add_parent_contexts(child);
    record.add_parent_contexts(parent);
  }
  record.mutable_removed_artifacts()->Add(changes.removed_artifacts.begin(),
                                          changes.removed_artifacts.end());
  record.mutable_removed_executions()->Add(changes.removed_executions.begin(),
                                           changes.removed_executions.end());
  record.mutable_removed_contexts()->Add(changes.removed_contexts.begin(),
                                         changes.removed_contexts.end());
  for (const auto& [context, name] : changes.context_namespaces) {
    storage::LineageChangeRecord::ContextNamespace* entry =
        record.add_context_namespaces();
    entry->set_context_id(context);
    entry->set_name(name);
  }
  return record.SerializeAsString();
}

absl::StatusOr<LineageChanges> DecodeLineageChanges(absl::string_view bytes) {
  storage::LineageChangeRecord record;
  if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      record.attributions_size() % 2 != 0 ||
      record.associations_size() % 2 != 0 ||
      record.parent_contexts_size() % 2 != 0) {
    return absl::DataLossError("an unreadable row in mlmdx_change_log");
  }
  LineageChanges changes;
  changes.events.reserve(record.events_size());
  for (const auto& event : record.events()) {
    LineageChanges::Event& e = changes.events.emplace_back();
    e.id = event.id();
    e.artifact_id = event.artifact_id();
    e.execution_id = event.execution_id();
    e.type = event.type();
    e.has_milliseconds_since_epoch = event.has_milliseconds_since_epoch();
    e.milliseconds_since_epoch = event.milliseconds_since_epoch();
    e.path = event.path();
  }
  const auto pairs = [](const google::protobuf::RepeatedField<int64_t>& flat,
                        std::vector<std::pair<int64_t, int64_t>>& out) {
    out.reserve(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.emplace_back(flat[i], flat[i + 1]);
    }
  };
  pairs(record.attributions(), changes.attributions);
  pairs(record.associations(), changes.associations);
  pairs(record.parent_contexts(), changes.parent_contexts);
  changes.removed_artifacts.assign(record.removed_artifacts().begin(),
                                   record.removed_artifacts().end());
  changes.removed_executions.assign(record.removed_executions().begin(),
                                    record.removed_executions().end());
  changes.removed_contexts.assign(record.removed_contexts().begin(),
                                  record.removed_contexts().end());
  changes.context_namespaces.reserve(record.context_namespaces_size());
  for (const auto& entry : record.context_namespaces()) {
    changes.context_namespaces.emplace_back(entry.context_id(), entry.name());
  }
  return changes;
}

absl::Status AppendToChangeLog(Connection& conn, int64_t origin,
                               const LineageChanges& changes,
                               int64_t* position) {
  // One statement, sent with the COMMIT. The lock comes first (the INSERT
  // reads from it), so the row's seq is drawn only once every earlier
  // writer has finished its COMMIT and no later one can start before this
  // one's ends: seq order is commit order. The writer holds it only for its
  // last statement and its COMMIT, after every row lock it takes, so it
  // waits on no other lock. The key is LockUntilTransactionEnds's for
  // "mlmdx.change_log".
  return conn.ExecuteDeferred(
      "WITH log_lock AS MATERIALIZED ("
      "  SELECT pg_advisory_xact_lock(1835822456, "
      "                               hashtext('mlmdx.change_log'))), "
      "entry AS ("
      "  INSERT INTO mlmdx_change_log (origin, changes) "
      "  SELECT ?, ? FROM log_lock RETURNING seq) "
      "SELECT seq, pg_notify('mlmdx_change_log', CAST(seq AS TEXT)) "
      "FROM entry",
      {SqlValue::Int(origin), SqlValue::Blob(EncodeLineageChanges(changes))},
      [position](const RecordSet& rows) {
        if (rows.rows.size() == 1) *position = rows.rows[0][0].AsInt();
      });
}

absl::StatusOr<int64_t> LatestChangeLogPosition(Connection& conn) {
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      // Never below the prune mark: once every row is pruned, a reader that
      // starts from here must not see itself as behind it.
      conn.Query("SELECT GREATEST((SELECT COALESCE(MAX(seq), 0) "
                 "                 FROM mlmdx_change_log), "
                 "                (SELECT through_seq "
                 "                 FROM mlmdx_change_log_pruned))",
                 {}));
  return rows.rows.empty() ? 0 : rows.rows[0][0].AsInt();
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<ChangeLogReader>> ChangeLogReader::Open(
    const PostgresOptions& options) {
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> conn,
                         PostgresConnection::Open(options));
  MLMDX_RETURN_IF_ERROR(conn->Listen(kChangeLogChannel));
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    return absl::InternalError(
        absl::StrCat("eventfd failed: ", std::strerror(errno)));
  }
  return std::unique_ptr<ChangeLogReader>(
      new ChangeLogReader(std::move(conn), wake_fd));
}

ChangeLogReader::~ChangeLogReader() { close(wake_fd_); }

void ChangeLogReader::Interrupt() {
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

absl::Status ChangeLogReader::WaitForChanges(absl::Duration timeout) {
  MLMDX_ASSIGN_OR_RETURN(bool notified,
                         conn_->WaitForNotification(timeout, wake_fd_));
  (void)notified;
  uint64_t count = 0;
  (void)!read(wake_fd_, &count, sizeof(count));  // Non-blocking drain.
  return absl::OkStatus();
}

absl::StatusOr<ChangeLogBatch> ChangeLogReader::ReadAfter(int64_t position,
                                                          int limit) {
  // One statement, so one snapshot for the rows and the prune mark; the
  // mark's row always exists, so the answer always has a row.
  ChangeLogBatch batch;
  MLMDX_RETURN_IF_ERROR(conn_->QueryEach(
      "SELECT p.through_seq, l.seq, l.origin, l.changes "
      "FROM mlmdx_change_log_pruned AS p LEFT JOIN LATERAL ("
      "  SELECT seq, origin, changes FROM mlmdx_change_log "
      "  WHERE seq > ? ORDER BY seq LIMIT ?) AS l ON TRUE "
      "ORDER BY l.seq",
      {SqlValue::Int(position), SqlValue::Int(limit)},
      [&](absl::Span<const SqlValue> row) -> absl::Status {
        if (row[0].AsInt() > position) batch.pruned_past = true;
        if (row[1].is_null()) return absl::OkStatus();
        ChangeLogEntry& entry = batch.entries.emplace_back();
        entry.position = row[1].AsInt();
        entry.origin = row[2].AsInt();
        MLMDX_ASSIGN_OR_RETURN(
            entry.changes, internal::DecodeLineageChanges(row[3].AsString()));
        entry.changes.log_position = entry.position;
        return absl::OkStatus();
      }));
  if (batch.pruned_past) batch.entries.clear();
  return batch;
}

absl::StatusOr<int64_t> ChangeLogReader::LatestPosition() {
  return internal::LatestChangeLogPosition(*conn_);
}

absl::StatusOr<int64_t> ChangeLogReader::Prune(absl::Duration age) {
  // The cut is the newest row old enough; every row below it committed
  // before it (seq order is commit order), so nothing is deleted that a
  // reader could still be about to see for the first time without also
  // seeing the mark move past it.
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      conn_->Query(
          "WITH cut AS ("
          "  SELECT MAX(seq) AS seq FROM mlmdx_change_log "
          "  WHERE written_at < now() - make_interval(secs => ?)), "
          "removed AS ("
          "  DELETE FROM mlmdx_change_log "
          "  WHERE seq <= (SELECT seq FROM cut) RETURNING 1), "
          "mark AS ("
          "  UPDATE mlmdx_change_log_pruned "
          "  SET through_seq = GREATEST(through_seq, (SELECT seq FROM cut)) "
          "  WHERE (SELECT seq FROM cut) IS NOT NULL RETURNING 1) "
          "SELECT (SELECT COUNT(*) FROM removed), (SELECT COUNT(*) FROM mark)",
          {SqlValue::Double(absl::ToDoubleSeconds(age))}));
  return rows.rows.empty() ? 0 : rows.rows[0][0].AsInt();
}

}  // namespace mlmdx::store
