// File: engine/lineage_engine.h
// -----------------------------------------------------------------------------
//
// Joins the store (store/) and the in-memory graph index (lineage/) and
// answers the lineage queries, MLMD's and mlmdx's own, without gRPC: the
// server's adapters and the offline command-line tools call the same code.
// The index walks the graph and the store holds the records: the index walks
// the graph and holds each event's time and path, so the common answer
// (starting from literal ids, events and dehydrated nodes) needs no database
// read; other starting filters and ending filters are evaluated by the store
// (the filter language lives there), and types are read from it in one batch.
// The index is built from the database at start-up and then follows every
// committed write through the store's commit listener, before that write's RPC
// returns, so an acknowledged write is visible to the next lineage query.
// If applying a write fails (memory), the index is reloaded from the
// database before that write is acknowledged, and lineage queries answer
// UNAVAILABLE instead of a partial graph while it is.
//
// Namespace isolation: the answers honour the caller's namespaces
// (store/visible_namespaces.h, the scope the server opens for each call):
// the index knows every context's namespace and leaves nodes, events and
// contexts the caller may not see out of each walk. With no scope open the
// walks run unrestricted.
//
// On PostgreSQL several servers share one database: the engine also follows
// the store's change log (store/change_log.h) on a thread of its own,
// woken by NOTIFY as each write commits and polling at least every
// `change_log_poll_interval`, and applies the writes other servers made.
// Its position says how far it has: every write committed at or below it
// is in the index (AwaitPosition). A follower that fell behind the log's
// pruning, or lost the database for a while, catches up or reloads.
//
// Thread-safety: thread-safe.

#ifndef MLMDX_ENGINE_LINEAGE_ENGINE_H_
#define MLMDX_ENGINE_LINEAGE_ENGINE_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "lineage/graph_index.h"
#include "lineage/lineage_graph.h"
#include "lineage/visibility.h"
#include "ml_metadata/proto/metadata_store_service.pb.h"
#include "mlmdx/lineage_service.pb.h"
#include "store/change_log.h"
#include "store/metadata_store.h"

namespace mlmdx::engine {

struct LineageEngineOptions {
  // Hold each event's time and path in the index, so that answers need no
  // database read (a server's choice). A one-shot reader such as the CLI
  // builds faster without them and reads the few events of its answer from
  // the database instead.
  bool hold_event_details = true;
  // Most nodes (artifacts, executions and contexts) one GetLineageSubgraph
  // or GetLineageGraph answer may hold; a walk that reaches more answers
  // RESOURCE_EXHAUSTED before any node is read from the database. 0: no
  // limit.
  int64_t max_answer_nodes = 0;
  // Follow the change log, when the store has one (PostgreSQL). A one-shot
  // reader has no use for it.
  bool follow_change_log = true;
  // How often the follower looks at the log when no NOTIFY arrives (one
  // can be missed while the connection is being replaced).
  absl::Duration change_log_poll_interval = absl::Seconds(1);
  // Rows older than this are pruned from the log by the follower (checked
  // every minute); zero keeps every row.
  absl::Duration change_log_retention = absl::Hours(1);
};

// What this thread's store::VisibleNamespacesScope lets the caller see, in
// the index's terms; nullopt when no scope is open (everything).
std::optional<lineage::Visibility> CurrentVisibility();

class LineageEngine {
 public:
  // Subscribes to `store`'s commits and builds the index from its rows.
  // `store` must outlive the engine.
  static absl::StatusOr<std::unique_ptr<LineageEngine>> Start(
      store::MetadataStore* store, const LineageEngineOptions& options = {});

  LineageEngine(const LineageEngine&) = delete;
  LineageEngine& operator=(const LineageEngine&) = delete;
  // Stops following the change log.
  ~LineageEngine();

  // Returns once the index holds every write committed at or before
  // commit position `position` (store/metadata_store.h,
  // CommitPositionScope). Without a change log every acknowledged write
  // already is. UNAVAILABLE when `deadline` passes first.
  absl::Status AwaitPosition(int64_t position, absl::Time deadline);
  // The position the index holds (0 without a change log).
  int64_t applied_position() const;

  // MLMD's GetLineageSubgraph (spec/lineage.md §2).
  //   INVALID_ARGUMENT  no starting nodes, empty starting filter, negative
  //                     max_num_hops, a bad filter
  //   NOT_FOUND         the starting filter matches nothing
  absl::Status GetLineageSubgraph(
      const ml_metadata::GetLineageSubgraphRequest& request,
      ml_metadata::GetLineageSubgraphResponse* response);

  // The deprecated GetLineageGraph with MLMD 1.14's library semantics
  // (spec/lineage.md §3.3), which MLMD's server never served: query nodes
  // are one page of GetArtifacts, the walk is bidirectional, at most 20
  // hops and `max_node_size` nodes.
  //   INVALID_ARGUMENT  no artifacts_options, negative hops, a bad filter
  //   NOT_FOUND         the page of query nodes is empty
  absl::Status GetLineageGraph(
      const ml_metadata::GetLineageGraphRequest& request,
      ml_metadata::GetLineageGraphResponse* response);

  // mlmdx.LineageService/QueryLineage (proto/mlmdx/lineage_service.proto):
  // a pruned directed walk answered as a subgraph, paths or endpoints.
  //   INVALID_ARGUMENT  no start filter, an empty or bad filter, negative
  //                     max_hops, max_nodes <= 0, PATHS without a target,
  //                     ENDPOINTS without an endpoint filter
  //   NOT_FOUND         the start filter matches nothing, or the PATHS
  //                     target does not exist
  absl::Status QueryLineage(const ::mlmdx::QueryLineageRequest& request,
                            ::mlmdx::QueryLineageResponse* response);

  // The first `limit` ids (ascending) of `kind` matching `filter`. A filter
  // of literal ids (`id = 5`, `id IN (...)`) whose nodes the index knows is
  // answered from memory; anything else is evaluated by the store.
  absl::StatusOr<std::vector<int64_t>> FindStartingNodes(
      lineage::NodeKind kind, const std::string& filter, int limit);

  // The visible ones of `ids` (nodes of `kind`) for `visibility`, in
  // order; all of them when `visibility` is null.
  absl::StatusOr<std::vector<int64_t>> VisibleNodes(
      lineage::NodeKind kind, std::vector<int64_t> ids,
      const lineage::Visibility* visibility) const;

  // Full Event messages for `events`, in order: from the index's details,
  // and from the store for events held without them.
  absl::StatusOr<std::vector<ml_metadata::Event>> HydrateEvents(
      absl::Span<const lineage::EventRef> events);

  const lineage::GraphIndex& index() const { return index_; }

  // Makes the index fail to apply the next committed write half-way, as if
  // memory ran out (the engine then rebuilds it from the database).
  void FailNextIndexApplyForTesting();

 private:
  LineageEngine(store::MetadataStore* store,
                const LineageEngineOptions& options)
      : store_(store), options_(options) {}

  // The change-log follower's thread, and one round of it: applies every
  // row after the index's position.
  void FollowChangeLog();
  absl::Status CatchUp(store::ChangeLogReader& reader);
  void SetAppliedPosition(int64_t position);
  // Sleeps up to `duration`, less if the engine is stopping; returns
  // whether it is.
  bool SleepUnlessStopping(absl::Duration duration);

  // The store's commit listener: applies the write to the index, or
  // rebuilds the index when that fails.
  void OnCommit(const store::LineageChanges& changes);
  // Reloads the index from the database; it answers no query meanwhile.
  absl::Status Rebuild();
  absl::Status RebuildLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(follow_mutex_);

  store::MetadataStore* const store_;
  const LineageEngineOptions options_;
  lineage::GraphIndex index_;
  // Serializes reloads (the one at start-up and those after a failure) and
  // the follower's rounds, which both move the position.
  absl::Mutex follow_mutex_;
  // A failed apply or reload left the index unusable.
  std::atomic<bool> needs_rebuild_{false};

  mutable absl::Mutex position_mutex_;
  int64_t applied_position_ ABSL_GUARDED_BY(position_mutex_) = 0;
  bool stopping_ ABSL_GUARDED_BY(position_mutex_) = false;
  // The follower's reader, while it has one (for Interrupt at shutdown).
  store::ChangeLogReader* reader_ ABSL_GUARDED_BY(position_mutex_) = nullptr;
  std::thread follower_;
};

}  // namespace mlmdx::engine

#endif  // MLMDX_ENGINE_LINEAGE_ENGINE_H_
