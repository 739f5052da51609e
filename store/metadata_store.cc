// MetadataStore: opening, the connection pool, the transaction runner, and
// the type RPCs. Node, event and link RPCs are in metadata_store_nodes.cc;
// PutExecution and PutLineageSubgraph in metadata_store_lineage_writes.cc.

#include "store/metadata_store.h"

#include <limits>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "store/change_log.h"
#include "store/internal/record_access.h"
#include "store/internal/rpc_macros.h"
#include "store/internal/type_ops.h"
#include "util/status_macros.h"

namespace mlmdx::store {

using internal::RecordAccess;
using internal::ToTypeProto;
using internal::TypeKind;
using internal::TypeRecord;
using internal::TypeUpsertFlags;
using internal::TypeView;
using internal::UpsertType;

absl::StatusOr<std::unique_ptr<MetadataStore>> MetadataStore::Open(
    const StoreOptions& options) {
  // A read-only store also connects read-only, so that the database itself
  // refuses whatever would write, and creates nothing.
  StoreOptions connect = options;
  if (options.read_only) {
    connect.sqlite.read_only = true;
    if (connect.postgres.has_value()) connect.postgres->read_only = true;
  }
  const bool read_only = connect.postgres.has_value()
                             ? connect.postgres->read_only
                             : connect.sqlite.read_only;
  std::unique_ptr<MetadataStore> store(new MetadataStore(connect));
  if (connect.postgres.has_value() && connect.create_postgres_database &&
      !read_only) {
    MLMDX_RETURN_IF_ERROR(CreatePostgresDatabaseIfMissing(*connect.postgres));
  }
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                         store->AcquireConnection());
  absl::Status status;
  for (int attempt = 0; attempt <= options.open_retries; ++attempt) {
    status = read_only ? CheckSchemaReadOnly(*conn)
                       : InitSchema(*conn, store->dialect(), options.migration);
    if (!absl::IsAborted(status)) break;
    absl::SleepFor(absl::Milliseconds(100 * (attempt + 1)));
  }
  MLMDX_RETURN_IF_ERROR(status);
  store->ReleaseConnection(std::move(conn));
  return store;
}

namespace {

// Non-zero, so that no store's rows can be mistaken for another's, and
// random, so that servers need no coordination to pick theirs.
int64_t NewChangeLogOrigin() {
  absl::BitGen bitgen;
  return absl::Uniform<int64_t>(absl::IntervalClosed, bitgen, 1,
                                std::numeric_limits<int64_t>::max());
}

// The innermost CommitPositionScope of this thread.
thread_local CommitPositionScope* current_commit_scope = nullptr;

}  // namespace

CommitPositionScope::CommitPositionScope() : enclosing_(current_commit_scope) {
  current_commit_scope = this;
}

CommitPositionScope::~CommitPositionScope() {
  current_commit_scope = enclosing_;
}

MetadataStore::MetadataStore(const StoreOptions& options)
    : options_(options), change_log_origin_(NewChangeLogOrigin()) {}

MetadataStore::~MetadataStore() = default;

bool MetadataStore::has_change_log() const {
  return options_.postgres.has_value() && !options_.postgres->read_only;
}

absl::StatusOr<std::unique_ptr<ChangeLogReader>>
MetadataStore::OpenChangeLogReader() {
  if (!has_change_log()) {
    return absl::FailedPreconditionError(
        absl::StrCat(DatabaseDescription(), " has no change log"));
  }
  return ChangeLogReader::Open(*options_.postgres);
}

std::string MetadataStore::DatabaseDescription() const {
  if (options_.postgres.has_value())
    return DescribePostgres(*options_.postgres);
  return options_.sqlite.filename_uri.empty()
             ? "an in-memory database"
             : absl::StrCat("SQLite file ", options_.sqlite.filename_uri);
}

absl::StatusOr<std::unique_ptr<Connection>> MetadataStore::NewConnection() {
  if (options_.postgres.has_value()) {
    MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> conn,
                           PostgresConnection::Open(*options_.postgres));
    return std::unique_ptr<Connection>(std::move(conn));
  }
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                         SqliteConnection::Open(options_.sqlite));
  return std::unique_ptr<Connection>(std::move(conn));
}

int MetadataStore::ConnectionLimit() const {
  // An in-memory database is private to its one connection.
  return !options_.postgres.has_value() && options_.sqlite.filename_uri.empty()
             ? 1
             : std::max(1, options_.max_connections);
}

MetadataStore::PoolStats MetadataStore::pool_stats() {
  PoolStats stats;
  stats.limit = ConnectionLimit();
  absl::MutexLock lock(&pool_mutex_);
  stats.open = open_connections_;
  stats.idle = static_cast<int>(idle_.size());
  return stats;
}

absl::StatusOr<std::unique_ptr<Connection>> MetadataStore::AcquireConnection() {
  const int limit = ConnectionLimit();
  {
    absl::MutexLock lock(&pool_mutex_);
    auto available = [this, limit]()
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(pool_mutex_) {
                           return !idle_.empty() || open_connections_ < limit;
                         };
    pool_mutex_.Await(absl::Condition(&available));
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    // The slot is taken before connecting, so that concurrent callers
    // never open more than `limit`.
    ++open_connections_;
  }
  absl::StatusOr<std::unique_ptr<Connection>> conn = NewConnection();
  if (!conn.ok()) DiscardConnection(nullptr);
  return conn;
}

void MetadataStore::DiscardConnection(std::unique_ptr<Connection> conn) {
  conn.reset();
  absl::MutexLock lock(&pool_mutex_);
  --open_connections_;
}

void MetadataStore::ReleaseConnection(std::unique_ptr<Connection> conn) {
  absl::MutexLock lock(&pool_mutex_);
  idle_.push_back(std::move(conn));
}

absl::Status MetadataStore::Transact(TransactionMode mode, const Body& body) {
  // Read on the caller's thread: the group committer runs bodies on its own.
  const VisibleNamespaces* const visible = VisibleNamespacesScope::Current();
  if (mode == TransactionMode::kReadWrite && options_.group_commit &&
      dialect() == Dialect::kSqlite) {
    return TransactGrouped(body, visible);
  }
  // Writers queue here rather than spinning on SQLite's busy handler; the
  // busy timeout then only covers other processes sharing the file.
  std::optional<absl::MutexLock> write_lock;
  if (mode == TransactionMode::kReadWrite) write_lock.emplace(&write_mutex_);
  // On PostgreSQL a write that lost a race to another server (serialization
  // failure, deadlock, a row created concurrently) is run again from the
  // start, a bounded number of times, before the caller sees ABORTED. On
  // SQLite ABORTED means the busy timeout already ran out: no retry.
  const bool retry_writes =
      mode == TransactionMode::kReadWrite && dialect() == Dialect::kPostgres;
  absl::Status status;
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    status = TransactOnce(mode, body, visible, retryable);
    if (status.ok() || !retryable || attempt >= kMaxTransactionAttempts) break;
    if (!retry_writes && !absl::IsUnavailable(status)) break;
    // Jittered backoff, so that the racers do not collide again in step.
    thread_local absl::BitGen bitgen;
    absl::SleepFor(absl::Milliseconds((1 << std::min(attempt, 6)) *
                                      (1 + absl::Uniform(bitgen, 0, 4))));
  }
  return status;
}

absl::Status MetadataStore::TransactOnce(TransactionMode mode, const Body& body,
                                         const VisibleNamespaces* visible,
                                         bool& retryable) {
  absl::StatusOr<std::unique_ptr<Connection>> acquired = AcquireConnection();
  if (!acquired.ok()) {
    // The database could not be reached: nothing ran.
    retryable = absl::IsUnavailable(acquired.status());
    return acquired.status();
  }
  std::unique_ptr<Connection> conn = *std::move(acquired);
  absl::Status status = conn->Begin(mode);
  if (!status.ok()) {
    // A pooled connection that the server dropped (a restart, an idle
    // timeout) fails here, before anything ran: safe to retry on a new one.
    retryable = absl::IsUnavailable(status);
    if (retryable) {
      DiscardConnection(std::move(conn));
    } else {
      ReleaseConnection(std::move(conn));
    }
    return status;
  }
  const bool write = mode == TransactionMode::kReadWrite;
  const bool report = write && commit_listener_;
  const bool log = write && has_change_log();
  CommitPositionScope* const scope = current_commit_scope;
  LineageChanges changes;
  RecordAccess access(*conn, report || log ? &changes : nullptr, visible);
  status = body(access);
  // The changes are complete once every deferred statement is answered
  // (new event ids, which links were new).
  if (status.ok() && log) status = conn->Flush();
  std::optional<int64_t> position;
  int64_t logged_position = -1;
  if (status.ok() && log) {
    // The change log's row is the transaction's last statement (its lock is
    // held until COMMIT ends). A write without lineage changes writes no
    // row; its position, only when asked for, is the latest committed.
    if (!changes.empty()) {
      status = internal::AppendToChangeLog(*conn, change_log_origin_, changes,
                                           &logged_position);
    } else if (scope != nullptr) {
      absl::StatusOr<int64_t> latest = internal::LatestChangeLogPosition(*conn);
      if (latest.ok()) {
        position = *latest;
      } else {
        status = latest.status();
      }
    }
  }
  const absl::Time commit_start = absl::Now();
  if (status.ok()) status = conn->Commit();
  const absl::Duration commit_duration = absl::Now() - commit_start;
  // A deferred statement's error is the transaction's first: a later call
  // that carried it may have been re-labelled by its caller.
  if (!status.ok()) {
    // Answers still queued may hold an earlier failure than this one.
    if (!absl::IsUnavailable(status)) (void)conn->Flush();
    if (!conn->FirstDeferredError().ok()) status = conn->FirstDeferredError();
  }
  if (status.ok() && logged_position >= 0) position = logged_position;
  if (status.ok() && log && !changes.empty() && logged_position < 0 &&
      scope != nullptr) {
    // Committed, but the answer carrying the row's position was lost with
    // the connection (the outcome was learned afresh): any later position
    // covers this write.
    absl::StatusOr<int64_t> latest = internal::LatestChangeLogPosition(*conn);
    if (latest.ok()) position = *latest;
  }
  if (!status.ok()) {
    // ABORTED and UNAVAILABLE both mean that nothing was committed (a
    // connection that broke during COMMIT answers UNAVAILABLE only once the
    // server said the transaction did not commit, UNKNOWN when it could not
    // tell): retryable.
    retryable = absl::IsAborted(status) || absl::IsUnavailable(status);
    if (absl::IsUnavailable(status) || absl::IsUnknown(status)) {
      DiscardConnection(std::move(conn));
    } else {
      conn->Rollback();
      ReleaseConnection(std::move(conn));
    }
    return status;
  }
  // The connection goes back first (the listener may read, e.g. to rebuild
  // an index, and an in-memory store has only one connection), but the
  // listener still runs under write_mutex_: it sees commits in commit
  // order, and before the write's caller is answered.
  ReleaseConnection(std::move(conn));
  if (write) {
    ++counted_writes_;
    ++counted_transactions_;
    if (commit_observer_ != nullptr) {
      commit_observer_->OnCommit(commit_duration, 1);
    }
  }
  if (write && !log) position = ++committed_writes_;
  if (scope != nullptr && position.has_value()) scope->position_ = position;
  if (report && !changes.empty()) {
    if (logged_position > 0) changes.log_position = logged_position;
    commit_listener_(changes);
  }
  return absl::OkStatus();
}

// ---- Group commit ----------------------------------------------------------

MetadataStore::WriteCounts MetadataStore::write_counts() const {
  WriteCounts counts;
  counts.transactions = counted_transactions_.load();
  counts.writes = counted_writes_.load();
  return counts;
}

int MetadataStore::queued_writes() {
  absl::MutexLock lock(&group_mutex_);
  return static_cast<int>(queued_writes_.size());
}

struct MetadataStore::QueuedWrite {
  const Body* body;
  // The writer's CommitPositionScope and what it may see (the committer
  // runs on another thread).
  CommitPositionScope* scope;
  const VisibleNamespaces* visible;
  // Set by the committer before `done`.
  absl::Status status;
  bool done = false;
};

absl::Status MetadataStore::TransactGrouped(const Body& body,
                                            const VisibleNamespaces* visible) {
  QueuedWrite write{&body, current_commit_scope, visible};
  {
    absl::MutexLock lock(&group_mutex_);
    queued_writes_.push_back(&write);
    auto done_or_free = [this, &write]()
                            ABSL_EXCLUSIVE_LOCKS_REQUIRED(group_mutex_) {
                              return write.done || !committer_busy_;
                            };
    group_mutex_.Await(absl::Condition(&done_or_free));
    if (write.done) return write.status;
    committer_busy_ = true;
  }
  // This thread is the committer until its own write is done. The writes
  // that queue while a group commits form the next group, so a group is as
  // large as the number of writers that waited for the last commit: one
  // writer alone commits alone, with no wait added.
  for (;;) {
    std::vector<QueuedWrite*> group;
    {
      absl::MutexLock lock(&group_mutex_);
      while (!queued_writes_.empty() && group.size() < kMaxGroupSize) {
        group.push_back(queued_writes_.front());
        queued_writes_.pop_front();
      }
    }
    CommitGroup(group);
    absl::MutexLock lock(&group_mutex_);
    // Once `done` is set a writer may return and its QueuedWrite is gone.
    for (QueuedWrite* queued : group) queued->done = true;
    if (write.done) {
      committer_busy_ = false;
      return write.status;
    }
  }
}

void MetadataStore::CommitGroup(std::vector<QueuedWrite*> group) {
  absl::MutexLock write_lock(&write_mutex_);
  const auto fail_all = [](const std::vector<QueuedWrite*>& writes,
                           const absl::Status& status) {
    for (QueuedWrite* write : writes) write->status = status;
  };
  int attempts = 0;
  while (!group.empty()) {
    absl::StatusOr<std::unique_ptr<Connection>> acquired = AcquireConnection();
    if (!acquired.ok()) return fail_all(group, acquired.status());
    std::unique_ptr<Connection> conn = *std::move(acquired);
    absl::Status status = conn->Begin(TransactionMode::kReadWrite);
    if (!status.ok()) {
      // As in TransactOnce: a connection that broke before anything ran is
      // replaced, a bounded number of times.
      if (absl::IsUnavailable(status)) {
        DiscardConnection(std::move(conn));
        if (++attempts < kMaxTransactionAttempts) continue;
      } else {
        ReleaseConnection(std::move(conn));
      }
      return fail_all(group, status);
    }
    // A write alone needs no savepoint: its failure rolls back the whole.
    const bool isolate = group.size() > 1;
    std::vector<std::pair<QueuedWrite*, LineageChanges>> applied;
    std::vector<QueuedWrite*> run_again;
    bool transaction_lost = false;
    for (QueuedWrite* write : group) {
      if (transaction_lost) {
        run_again.push_back(write);
        continue;
      }
      LineageChanges changes;
      // Prepared once per connection, as any statement of a write.
      status = isolate ? conn->Execute("SAVEPOINT mlmdx_write", {}).status()
                       : absl::OkStatus();
      if (status.ok()) {
        RecordAccess access(*conn, commit_listener_ ? &changes : nullptr,
                            write->visible);
        status = (*write->body)(access);
      }
      if (status.ok() && isolate) {
        status = conn->Execute("RELEASE mlmdx_write", {}).status();
      }
      if (status.ok()) {
        applied.emplace_back(write, std::move(changes));
        continue;
      }
      // The write's own error, whatever happens to the others.
      write->status = status;
      if (isolate && conn->InTransaction() &&
          conn->ExecuteScript("ROLLBACK TO mlmdx_write; RELEASE mlmdx_write;")
              .ok()) {
        continue;
      }
      // SQLite ended the transaction itself (an I/O error, a full disk, an
      // interrupted statement), taking the writes applied before this one
      // with it: they run again, in order, in a new transaction.
      transaction_lost = true;
      for (auto& [earlier, unused] : applied) run_again.push_back(earlier);
      // A node write may have learned a type that an earlier write of the
      // group created or changed, which is now undone.
      if (!applied.empty()) type_facts_->Forget();
      applied.clear();
    }
    if (applied.empty()) {
      conn->Rollback();
      ReleaseConnection(std::move(conn));
      group = std::move(run_again);
      continue;
    }
    const absl::Time commit_start = absl::Now();
    status = conn->Commit();
    const absl::Duration commit_duration = absl::Now() - commit_start;
    if (!status.ok()) {
      conn->Rollback();
      if (absl::IsUnavailable(status)) {
        DiscardConnection(std::move(conn));
      } else {
        ReleaseConnection(std::move(conn));
      }
      type_facts_->Forget();
      for (auto& [write, unused] : applied) write->status = status;
      return;
    }
    // As in TransactOnce: the connection goes back before the listener
    // runs, which still sees the writes in commit order (the group's order)
    // and before any of them is answered.
    ReleaseConnection(std::move(conn));
    counted_writes_ += static_cast<int64_t>(applied.size());
    ++counted_transactions_;
    if (commit_observer_ != nullptr) {
      commit_observer_->OnCommit(commit_duration,
                                 static_cast<int>(applied.size()));
    }
    for (auto& [write, changes] : applied) {
      const int64_t position = ++committed_writes_;
      if (write->scope != nullptr) write->scope->position_ = position;
      if (commit_listener_ && !changes.empty()) commit_listener_(changes);
      write->status = absl::OkStatus();
    }
    return;
  }
}

// ---- Type writes -----------------------------------------------------------

namespace {

absl::Status CheckAllFieldsMatch(bool has, bool value) {
  if (has && !value) {
    return absl::UnimplementedError(
        "Must match all fields. (all_fields_match=false is not supported)");
  }
  return absl::OkStatus();
}

template <typename Request>
TypeUpsertFlags FlagsOf(const Request& request) {
  return {request.can_add_fields(), request.can_omit_fields()};
}

}  // namespace

template <typename Request, typename TypeProto, typename Response>
absl::Status MetadataStore::PutSingleType(const Request& request,
                                          const TypeProto& type,
                                          Response* response) {
  response->Clear();
  MLMDX_RETURN_IF_ERROR(CheckAllFieldsMatch(request.has_all_fields_match(),
                                            request.all_fields_match()));
  int64_t type_id = 0;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadWrite, [&](RecordAccess& access) {
        MLMDX_ASSIGN_OR_RETURN(type_id,
                               UpsertType(access, type, FlagsOf(request)));
        return absl::OkStatus();
      }));
  response->set_type_id(type_id);
  return absl::OkStatus();
}

absl::Status MetadataStore::PutArtifactType(
    const ml_metadata::PutArtifactTypeRequest& request,
    ml_metadata::PutArtifactTypeResponse* response) {
  return PutSingleType(request, request.artifact_type(), response);
}

absl::Status MetadataStore::PutExecutionType(
    const ml_metadata::PutExecutionTypeRequest& request,
    ml_metadata::PutExecutionTypeResponse* response) {
  return PutSingleType(request, request.execution_type(), response);
}

absl::Status MetadataStore::PutContextType(
    const ml_metadata::PutContextTypeRequest& request,
    ml_metadata::PutContextTypeResponse* response) {
  return PutSingleType(request, request.context_type(), response);
}

absl::Status MetadataStore::PutTypes(
    const ml_metadata::PutTypesRequest& request,
    ml_metadata::PutTypesResponse* response) {
  response->Clear();
  MLMDX_RETURN_IF_ERROR(CheckAllFieldsMatch(request.has_all_fields_match(),
                                            request.all_fields_match()));
  const TypeUpsertFlags flags = FlagsOf(request);
  ml_metadata::PutTypesResponse result;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadWrite, [&](RecordAccess& access) {
        result.Clear();  // A retried attempt starts over.
        for (const auto& type : request.artifact_types()) {
          MLMDX_ASSIGN_OR_RETURN(int64_t id, UpsertType(access, type, flags));
          result.add_artifact_type_ids(id);
        }
        for (const auto& type : request.execution_types()) {
          MLMDX_ASSIGN_OR_RETURN(int64_t id, UpsertType(access, type, flags));
          result.add_execution_type_ids(id);
        }
        for (const auto& type : request.context_types()) {
          MLMDX_ASSIGN_OR_RETURN(int64_t id, UpsertType(access, type, flags));
          result.add_context_type_ids(id);
        }
        return absl::OkStatus();
      }));
  *response = std::move(result);
  return absl::OkStatus();
}

// ---- Type reads ------------------------------------------------------------

namespace {

template <typename TypeProto, typename Request>
absl::StatusOr<TypeProto> ReadTypeByName(RecordAccess& access,
                                         const Request& request) {
  std::optional<std::string> version;
  if (request.has_type_version()) version = request.type_version();
  MLMDX_ASSIGN_OR_RETURN(std::optional<int64_t> id,
                         access.FindTypeId(internal::KindOfType<TypeProto>(),
                                           request.type_name(), version));
  if (!id.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("No type found for query, name: '", request.type_name(),
                     "', version: '", request.type_version(), "'"));
  }
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<TypeRecord> types,
      access.GetTypesById(internal::KindOfType<TypeProto>(), {*id}));
  return ToTypeProto<TypeProto>(types.at(0), TypeView::kFull);
}

// Request order, duplicates repeated, unknown ids and other kinds skipped.
template <typename TypeProto, typename Field>
absl::Status ReadTypesById(RecordAccess& access, const Field& type_ids,
                           google::protobuf::RepeatedPtrField<TypeProto>* out) {
  std::vector<int64_t> ids(type_ids.begin(), type_ids.end());
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<TypeRecord> types,
      access.GetTypesById(internal::KindOfType<TypeProto>(), ids));
  absl::flat_hash_map<int64_t, const TypeRecord*> by_id;
  for (const TypeRecord& type : types) by_id[type.id] = &type;
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) {
      *out->Add() = ToTypeProto<TypeProto>(*it->second, TypeView::kFull);
    }
  }
  return absl::OkStatus();
}

bool IsSimpleTypeName(const std::string& name) {
  static const auto* const kNames = new absl::flat_hash_set<std::string>{
      "mlmd.Dataset",    "mlmd.Model",    "mlmd.Metrics",
      "mlmd.Statistics", "mlmd.Train",    "mlmd.Transform",
      "mlmd.Process",    "mlmd.Evaluate", "mlmd.Deploy"};
  return kNames->contains(name);
}

template <typename TypeProto>
absl::Status ReadAllTypes(RecordAccess& access, bool hide_simple_types,
                          google::protobuf::RepeatedPtrField<TypeProto>* out) {
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<TypeRecord> types,
      access.GetTypesOfKind(internal::KindOfType<TypeProto>()));
  for (const TypeRecord& type : types) {
    if (hide_simple_types && !type.version.has_value() &&
        IsSimpleTypeName(type.name)) {
      continue;
    }
    *out->Add() = ToTypeProto<TypeProto>(type, TypeView::kList);
  }
  return absl::OkStatus();
}

template <typename TypeProto, typename Field>
absl::Status ReadTypesByExternalIds(
    RecordAccess& access, const Field& external_ids,
    google::protobuf::RepeatedPtrField<TypeProto>* out) {
  if (external_ids.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const std::string& id : external_ids) {
    if (id.empty()) {
      return absl::InvalidArgumentError(
          "external_ids must not contain an empty string");
    }
    ids.push_back(id);
  }
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<TypeRecord> types,
      access.GetTypesByExternalIds(internal::KindOfType<TypeProto>(), ids));
  if (types.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "No type found for the given external_ids (", ids.size(), " given)"));
  }
  for (const TypeRecord& type : types) {
    *out->Add() = ToTypeProto<TypeProto>(type, TypeView::kByExternalIds);
  }
  return absl::OkStatus();
}

}  // namespace

MLMDX_STORE_READ_RPC(GetArtifactType, {
  MLMDX_ASSIGN_OR_RETURN(
      *result.mutable_artifact_type(),
      ReadTypeByName<ml_metadata::ArtifactType>(access, request));
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetExecutionType, {
  MLMDX_ASSIGN_OR_RETURN(
      *result.mutable_execution_type(),
      ReadTypeByName<ml_metadata::ExecutionType>(access, request));
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetContextType, {
  MLMDX_ASSIGN_OR_RETURN(
      *result.mutable_context_type(),
      ReadTypeByName<ml_metadata::ContextType>(access, request));
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetArtifactTypesByID, {
  return ReadTypesById(access, request.type_ids(),
                       result.mutable_artifact_types());
})
MLMDX_STORE_READ_RPC(GetExecutionTypesByID, {
  return ReadTypesById(access, request.type_ids(),
                       result.mutable_execution_types());
})
MLMDX_STORE_READ_RPC(GetContextTypesByID, {
  return ReadTypesById(access, request.type_ids(),
                       result.mutable_context_types());
})
MLMDX_STORE_READ_RPC(GetArtifactTypes, {
  return ReadAllTypes(access, true, result.mutable_artifact_types());
})
MLMDX_STORE_READ_RPC(GetExecutionTypes, {
  return ReadAllTypes(access, true, result.mutable_execution_types());
})
MLMDX_STORE_READ_RPC(GetContextTypes, {
  return ReadAllTypes(access, false, result.mutable_context_types());
})
MLMDX_STORE_READ_RPC(GetArtifactTypesByExternalIds, {
  return ReadTypesByExternalIds(access, request.external_ids(),
                                result.mutable_artifact_types());
})
MLMDX_STORE_READ_RPC(GetExecutionTypesByExternalIds, {
  return ReadTypesByExternalIds(access, request.external_ids(),
                                result.mutable_execution_types());
})
MLMDX_STORE_READ_RPC(GetContextTypesByExternalIds, {
  return ReadTypesByExternalIds(access, request.external_ids(),
                                result.mutable_context_types());
})

}  // namespace mlmdx::store
