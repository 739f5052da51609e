// File: store/metadata_store.h
// -----------------------------------------------------------------------------
//
// MetadataStore is MLMD's MetadataStore API over an MLMD-schema database: one
// method per RPC of ml_metadata.MetadataStoreService, taking the request and
// filling the response, with MLMD's semantics (spec/api.md). Every call runs
// in one database transaction: it either commits everything or changes
// nothing, and on error the response is left cleared.
//
// Namespace isolation: a call made while a VisibleNamespacesScope is open
// on the calling thread (store/visible_namespaces.h) sees and changes only
// the nodes that scope makes visible. Others are absent from every read
// (point reads, listings and their pages, filters, events, context links),
// and a write that names one (to update it, or to link, attach or record
// an event with it) is NOT_FOUND, in the words an unknown id gets under a
// scope. A context created in, or moved to, a namespace the scope lacks
// is PERMISSION_DENIED. With no scope open, no statement changes.
//
// Thread-safety: thread-safe. Reads run concurrently on a pool of
// connections; writes are serialized in-process and take the database's
// write lock at BEGIN, so a write never fails halfway on a lock upgrade.
//
// Example:
//
//   StoreOptions options;
//   options.sqlite.filename_uri = "/data/mlmd.sqlite";
//   MLMDX_ASSIGN_OR_RETURN(auto store, MetadataStore::Open(options));
//   ml_metadata::PutArtifactTypeRequest request;
//   request.mutable_artifact_type()->set_name("Model");
//   ml_metadata::PutArtifactTypeResponse response;
//   MLMDX_RETURN_IF_ERROR(store->PutArtifactType(request, &response));

#ifndef MLMDX_STORE_METADATA_STORE_H_
#define MLMDX_STORE_METADATA_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ml_metadata/proto/metadata_store_service.pb.h"
#include "mlmdx/retention_service.pb.h"
#include "store/commit_observer.h"
#include "store/connection.h"
#include "store/lineage_changes.h"
#include "store/postgres_connection.h"
#include "store/schema.h"
#include "store/sqlite_connection.h"
#include "store/visible_namespaces.h"

namespace mlmdx::store {

namespace internal {
class RecordAccess;
class TypeFacts;
std::shared_ptr<TypeFacts> NewTypeFacts();
}  // namespace internal

// Every RPC the store answers, as X(Name): the request type is
// ml_metadata::NameRequest and the response ml_metadata::NameResponse.
#define MLMDX_STORE_RPCS(X)         \
  X(PutArtifactType)                \
  X(PutExecutionType)               \
  X(PutContextType)                 \
  X(PutTypes)                       \
  X(GetArtifactType)                \
  X(GetExecutionType)               \
  X(GetContextType)                 \
  X(GetArtifactTypesByID)           \
  X(GetExecutionTypesByID)          \
  X(GetContextTypesByID)            \
  X(GetArtifactTypes)               \
  X(GetExecutionTypes)              \
  X(GetContextTypes)                \
  X(GetArtifactTypesByExternalIds)  \
  X(GetExecutionTypesByExternalIds) \
  X(GetContextTypesByExternalIds)   \
  X(PutArtifacts)                   \
  X(PutExecutions)                  \
  X(PutContexts)                    \
  X(PutEvents)                      \
  X(PutAttributionsAndAssociations) \
  X(PutParentContexts)              \
  X(PutExecution)                   \
  X(PutLineageSubgraph)             \
  X(GetArtifacts)                   \
  X(GetExecutions)                  \
  X(GetContexts)                    \
  X(GetArtifactsByType)             \
  X(GetExecutionsByType)            \
  X(GetContextsByType)              \
  X(GetArtifactsByContext)          \
  X(GetExecutionsByContext)         \
  X(GetArtifactsByID)               \
  X(GetExecutionsByID)              \
  X(GetContextsByID)                \
  X(GetArtifactByTypeAndName)       \
  X(GetExecutionByTypeAndName)      \
  X(GetContextByTypeAndName)        \
  X(GetArtifactsByURI)              \
  X(GetArtifactsByExternalIds)      \
  X(GetExecutionsByExternalIds)     \
  X(GetContextsByExternalIds)       \
  X(GetEventsByExecutionIDs)        \
  X(GetEventsByArtifactIDs)         \
  X(GetContextsByArtifact)          \
  X(GetContextsByExecution)         \
  X(GetParentContextsByContext)     \
  X(GetChildrenContextsByContext)   \
  X(GetParentContextsByContexts)    \
  X(GetChildrenContextsByContexts)

struct StoreOptions {
  // The database. An empty filename_uri is a private in-memory database that
  // lives as long as the store (MLMD's fake_database).
  SqliteOptions sqlite;
  // When set, the store is on this PostgreSQL database instead, and
  // `sqlite` is unused.
  std::optional<PostgresOptions> postgres;
  // PostgreSQL: create the database when it is missing (MLMD's
  // skip_db_creation turns this off).
  bool create_postgres_database = true;
  // Open without writing anything, on either backend: the schema is only
  // checked, never created, migrated or given mlmdx's track, a missing
  // PostgreSQL database is not created, and every write fails. The
  // database is reached read-only too: SQLite opens the file read-only (as
  // `sqlite.read_only` does), PostgreSQL sessions are read-only
  // (PostgresOptions::read_only, which alone has the same effect).
  bool read_only = false;
  // Schema upgrade/downgrade on open.
  MigrationOptions migration;
  // Connections kept for concurrent reads (file databases and PostgreSQL;
  // an in-memory database has exactly one connection).
  int max_connections = 8;
  // How often Open retries while the schema check answers ABORTED (another
  // process is creating the schema), as MLMD's
  // --metadata_store_connection_retries.
  int open_retries = 5;
  // SQLite: concurrent writes share one transaction and one commit (group
  // commit), each in its own savepoint. Off, every write commits alone.
  bool group_commit = true;
};

class ChangeLogReader;

// Captures the commit position of the writes a thread makes while the scope
// lives: the thread that calls a write RPC of MetadataStore is the one that
// runs its transaction, so a caller that wants to know where its write
// landed (the server, to return it to the client) opens a scope around the
// call. Scopes nest; the innermost one captures.
//
// A position orders commits: a lineage index that holds position P holds
// every write committed at or before P. On PostgreSQL it is the change
// log's (store/change_log.h), shared by every server over the database; a
// write that changed no lineage gets the latest position committed before
// it, so positions also carry a client's earlier writes. On SQLite, which
// one server serves and whose index follows each write before it returns,
// it is this store's count of committed writes.
class CommitPositionScope {
 public:
  CommitPositionScope();
  ~CommitPositionScope();
  CommitPositionScope(const CommitPositionScope&) = delete;
  CommitPositionScope& operator=(const CommitPositionScope&) = delete;

  // The last write committed on this thread in the scope, if any.
  std::optional<int64_t> position() const { return position_; }

 private:
  friend class MetadataStore;
  CommitPositionScope* const enclosing_;
  std::optional<int64_t> position_;
};

class MetadataStore {
 public:
  // Opens the database, creates or checks MLMD's schema and seeds the simple
  // types. Errors as InitSchema (store/schema.h), UNAVAILABLE if the database
  // cannot be opened. A read-only store (`read_only`, `sqlite.read_only` or
  // `postgres->read_only`) is only checked (CheckSchemaReadOnly) and never
  // written; every write then fails.
  static absl::StatusOr<std::unique_ptr<MetadataStore>> Open(
      const StoreOptions& options);

  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;
  ~MetadataStore();

  Dialect dialect() const {
    return options_.postgres.has_value() ? Dialect::kPostgres
                                         : Dialect::kSqlite;
  }
  // What the store is on, for logs (no password).
  std::string DatabaseDescription() const;

  // ---- Write statistics ----------------------------------------------------

  struct WriteCounts {
    // Write calls that committed.
    int64_t writes = 0;
    // Transactions that committed them: fewer than `writes` when group
    // commit let several writes share one.
    int64_t transactions = 0;
  };
  WriteCounts write_counts() const;
  // Writes waiting for the group committer (SQLite) at this moment.
  int queued_writes();

  // `observer` hears of every committed read-write transaction
  // (store/commit_observer.h); null stops it. It must outlive the store's
  // use of it.
  // REQUIRES: called before the store serves requests.
  void SetCommitObserver(CommitObserver* observer) {
    commit_observer_ = observer;
  }

  // ---- Connection pool -----------------------------------------------------

  struct PoolStats {
    // Connections open: idle ones plus those a call is using.
    int open = 0;
    int idle = 0;
    // Most connections the pool opens at once.
    int limit = 0;
  };
  PoolStats pool_stats();

  // ---- For the lineage engine ----------------------------------------------

  // Receives what each committed write added to the lineage graph. It runs
  // after the commit, while writes are still serialized (so calls arrive in
  // commit order) and before the write's RPC returns.
  using CommitListener = std::function<void(const LineageChanges&)>;
  // REQUIRES: called before the store serves requests.
  void SetCommitListener(CommitListener listener);

  // Streams every event, attribution, association and parent-context link,
  // and every context's namespace (LineageChanges::context_namespaces), to
  // `sink`, in id order and batches of at most `batch_size` rows, from
  // one consistent snapshot. Stops at the first error `sink` returns.
  // Without `event_details`, events come without their paths (not read).
  // `position`, when given, receives the commit position the snapshot
  // holds (see CommitPositionScope; 0 on SQLite).
  absl::Status ScanLineage(
      const std::function<absl::Status(const LineageChanges&)>& sink,
      int batch_size = 65536, bool event_details = true,
      int64_t* position = nullptr);

  // Whether writes are recorded in a change log that other servers over
  // the same database follow (PostgreSQL, unless read-only).
  bool has_change_log() const;
  // This store's mark on the change-log rows it writes (random per store).
  int64_t change_log_origin() const { return change_log_origin_; }
  // A reader of the change log on a connection of its own.
  // FAILED_PRECONDITION without a change log; UNAVAILABLE if the database
  // cannot be reached.
  absl::StatusOr<std::unique_ptr<ChangeLogReader>> OpenChangeLogReader();

  enum class NodeKind { kArtifact, kExecution, kContext };

  // Ascending ids of the first `limit` nodes of `kind` matching
  // `filter_query` (which must be non-empty). INVALID_ARGUMENT for a bad
  // filter. This and the two below honour the caller's
  // VisibleNamespacesScope: invisible nodes, and events with an invisible
  // end, are left out.
  absl::StatusOr<std::vector<int64_t>> FindNodeIdsByFilter(
      NodeKind kind, const std::string& filter_query, int limit);

  // The ids among `candidates` (ascending, each once) that match
  // `filter_query`; an empty filter matches every existing node.
  absl::StatusOr<std::vector<int64_t>> FilterNodeIds(
      NodeKind kind, const std::string& filter_query,
      const std::vector<int64_t>& candidates);

  // Full events (with paths) by event id, in the order of `event_ids`;
  // unknown ids are skipped.
  absl::StatusOr<std::vector<ml_metadata::Event>> GetEventsById(
      const std::vector<int64_t>& event_ids);

  // Every artifact, execution and context type, in the form lineage answers
  // carry (simple types included; no external_id or base_type).
  absl::Status GetLineageTypes(ml_metadata::LineageGraph* graph);

  // ---- Retention (mlmdx.RetentionService) ----------------------------------

  // Deletes the contexts of `request`, the executions left in no context by
  // that, and the artifacts nothing remaining holds or touches, with every
  // row naming them, in one transaction
  // (proto/mlmdx/retention_service.proto); the lineage listener and the
  // change log get the deleted ids. A dry run only reads. Fills `response`
  // with the ids deleted (or that would be), ascending.
  //   INVALID_ARGUMENT  no context_ids
  //   NOT_FOUND         a context does not exist, or is not visible to the
  //                     caller (nothing is deleted)
  absl::Status DeleteContexts(const ::mlmdx::DeleteContextsRequest& request,
                              ::mlmdx::DeleteContextsResponse* response);

  // One method per RPC. Each returns MLMD's status for the call (spec/api.md)
  // and fills `response` only on OK. Lock contention with another process
  // is ABORTED (retryable).
#define MLMDX_DECLARE_RPC(Name)                                \
  absl::Status Name(const ml_metadata::Name##Request& request, \
                    ml_metadata::Name##Response* response);
  MLMDX_STORE_RPCS(MLMDX_DECLARE_RPC)
#undef MLMDX_DECLARE_RPC

 private:
  using Body = std::function<absl::Status(internal::RecordAccess&)>;

  explicit MetadataStore(const StoreOptions& options);

  absl::StatusOr<std::unique_ptr<Connection>> NewConnection();
  absl::StatusOr<std::unique_ptr<Connection>> AcquireConnection();
  void ReleaseConnection(std::unique_ptr<Connection> conn);
  // Closes a connection that cannot be reused (lost, or failed to open:
  // null) and frees its slot in the pool.
  void DiscardConnection(std::unique_ptr<Connection> conn);

  // Runs `body` in one transaction: commits when it returns OK, rolls back
  // otherwise. May run `body` again (up to kMaxTransactionAttempts in all)
  // after a failure that left nothing committed: a stale pooled connection,
  // or on PostgreSQL a write that lost a race. So a body must write only
  // to the database and to state it resets itself.
  // The body's RecordAccess carries what the calling thread's
  // VisibleNamespacesScope makes visible, read here, on that thread.
  absl::Status Transact(TransactionMode mode, const Body& body);
  // One attempt of Transact; `retryable` says whether a failure left
  // nothing committed and may succeed if run again.
  absl::Status TransactOnce(TransactionMode mode, const Body& body,
                            const VisibleNamespaces* visible, bool& retryable);

  static constexpr int kMaxTransactionAttempts = 8;
  // The most connections the pool opens at once.
  int ConnectionLimit() const;

  // Group commit (SQLite). A write queues itself; the first writer that
  // finds no committer at work becomes it, and commits group after group of
  // the queued writes, its own among them, before it returns.
  struct QueuedWrite;
  absl::Status TransactGrouped(const Body& body,
                               const VisibleNamespaces* visible);
  // Runs `group` in one transaction, each write in its own savepoint, and
  // commits once; sets each write's status.
  void CommitGroup(std::vector<QueuedWrite*> group);
  // Most writes one transaction takes, so that no group holds the write lock
  // for long.
  static constexpr size_t kMaxGroupSize = 64;

  // PutArtifactType / PutExecutionType / PutContextType.
  template <typename Request, typename TypeProto, typename Response>
  absl::Status PutSingleType(const Request& request, const TypeProto& type,
                             Response* response);

  const StoreOptions options_;
  const int64_t change_log_origin_;
  // SQLite's commit positions.
  std::atomic<int64_t> committed_writes_{0};
  // For write_counts().
  std::atomic<int64_t> counted_writes_{0};
  std::atomic<int64_t> counted_transactions_{0};
  // Held for the whole of every read-write transaction.
  absl::Mutex write_mutex_;
  absl::Mutex group_mutex_;
  std::deque<QueuedWrite*> queued_writes_ ABSL_GUARDED_BY(group_mutex_);
  bool committer_busy_ ABSL_GUARDED_BY(group_mutex_) = false;
  CommitListener commit_listener_;
  CommitObserver* commit_observer_ = nullptr;
  absl::Mutex pool_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(pool_mutex_);
  int open_connections_ ABSL_GUARDED_BY(pool_mutex_) = 0;
  // The types that node writes read, kept across their transactions
  // (store/internal/type_ops.h).
  const std::shared_ptr<internal::TypeFacts> type_facts_ =
      internal::NewTypeFacts();
};

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_METADATA_STORE_H_
