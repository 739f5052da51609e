// File: lineage/graph_index.h
// -----------------------------------------------------------------------------
//
// GraphIndex is the in-memory lineage graph of one metadata store: artifacts
// and executions joined by events, plus the attributions, associations and
// parent links of contexts. The store feeds it the change set of every
// committed write (`Apply`) and rebuilds it from the database after a
// `Clear`; lineage queries (`GetLineageSubgraph`, see spec/lineage.md §2)
// then run from memory. Node records themselves live in the database: the
// index knows only ids and the edges between them.
//
// The index is derived data and depends on nothing but absl: filters are
// evaluated by the caller through an `EndingFilter` callback.
//
// Example:
//
//   GraphIndex index;
//   ChangeSet changes;
//   changes.events.push_back({/*event_id=*/1, /*artifact_id=*/10,
//                             /*execution_id=*/20, /*OUTPUT=*/4});
//   index.Apply(changes);
//   SubgraphQuery q;
//   q.start_kind = NodeKind::kArtifact;
//   q.start_ids = {10};
//   q.max_num_hops = 1;
//   absl::StatusOr<Subgraph> g = index.GetLineageSubgraph(q);
//   // g->execution_ids == {20}, g->events == the one event.
//
// Memory: about 55 bytes per event with KFP-like attributions (records are kept
// in fixed-size chunks and ids in dense arrays when ids are dense; see
// MemoryBytes()), plus about 5 bytes per artifact and execution once
// contexts have namespaces (each node's interned namespace set).

#ifndef MLMDX_LINEAGE_GRAPH_INDEX_H_
#define MLMDX_LINEAGE_GRAPH_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lineage/internal/chunked_vector.h"
#include "lineage/internal/id_map.h"
#include "lineage/internal/link_list.h"
#include "lineage/internal/rw_lock.h"
#include "lineage/visibility.h"

namespace mlmdx::lineage {

// The two kinds of lineage nodes; also used as an index into per-kind arrays.
enum class NodeKind { kArtifact = 0, kExecution = 1 };

// MLMD's DIRECTION_UNSPECIFIED maps to kBidirectional.
enum class Direction { kBidirectional, kUpstream, kDownstream };

// One event (edge). `type` is the ml_metadata::Event::Type number (0..7;
// the index stores it in one byte).
struct EventRef {
  int64_t event_id = 0;
  int64_t artifact_id = 0;
  int64_t execution_id = 0;
  int type = 0;

  friend bool operator==(const EventRef& a, const EventRef& b) {
    return a.event_id == b.event_id && a.artifact_id == b.artifact_id &&
           a.execution_id == b.execution_id && a.type == b.type;
  }
  friend bool operator!=(const EventRef& a, const EventRef& b) {
    return !(a == b);
  }
};

// What one committed write added. Applying a change set twice is harmless.
// What an Event message carries besides its endpoints and type, kept so
// that answers need no database read. `path` is opaque to the index (the
// server stores the serialized ml_metadata.Event.Path there).
struct EventDetails {
  bool has_milliseconds_since_epoch = false;
  int64_t milliseconds_since_epoch = 0;
  std::string path;
};

struct ChangeSet {
  std::vector<EventRef> events;
  // Empty, or one entry per event. Events applied without details are held
  // without them, and EventDetailsOf reports them as missing.
  std::vector<EventDetails> event_details;
  // (context_id, artifact_id) pairs.
  std::vector<std::pair<int64_t, int64_t>> attributions;
  // (context_id, execution_id) pairs.
  std::vector<std::pair<int64_t, int64_t>> associations;
  // (child_id, parent_id) pairs.
  std::vector<std::pair<int64_t, int64_t>> parent_contexts;
  // (context_id, namespace) for contexts whose namespace a write set,
  // changed or removed (an empty namespace: none). The last entry for a
  // context wins.
  std::vector<std::pair<int64_t, std::string>> context_namespaces;
  // Nodes deleted (applied after the additions above): their events,
  // attributions, associations and parent links leave the index, and any
  // later change naming them is ignored, since ids are never reused and such
  // a change can only be a replay of one from before the deletion.
  std::vector<int64_t> removed_artifacts;
  std::vector<int64_t> removed_executions;
  std::vector<int64_t> removed_contexts;
  // The write's commit position (the change log's), 0 when it has none. A
  // context's namespace is a value, not a set: a change set with a position
  // sets it only when no later position has set it already, so an older
  // write read late (another server's row reaching the change-log follower
  // after this server's own newer commit, or a server re-reading its own
  // row) never puts back an older value. Position 0 always sets it.
  int64_t position = 0;
};

// Returns the subset of `candidates` (ids of `kind`, ascending) that match
// the ending (or boundary) filter of that kind. An error status aborts the
// traversal and is returned to its caller unchanged.
using EndingFilter = std::function<absl::StatusOr<std::vector<int64_t>>(
    NodeKind kind, absl::Span<const int64_t> candidates)>;

// A GetLineageSubgraph request after the store resolved the starting filter.
struct SubgraphQuery {
  // Kind of the starting nodes.
  NodeKind start_kind = NodeKind::kArtifact;
  // The first (at most 101) ids matching the starting filter, ascending.
  // Unsorted input is sorted; ids beyond the first 101 are ignored.
  std::vector<int64_t> start_ids;
  // Hops to walk; negative is INVALID_ARGUMENT, above 100 is clamped to 100.
  int64_t max_num_hops = 100;
  Direction direction = Direction::kBidirectional;
  // Indexed by NodeKind: an ending filter_query is present for that kind.
  bool ending_set[2] = {false, false};
  // Indexed by NodeKind: include_ending_nodes of that kind.
  bool include_ending[2] = {false, false};
  // Called only for kinds with ending_set, only with non-empty candidates.
  EndingFilter ending_filter;
  // What the caller may see (lineage/visibility.h); null: everything. Must
  // outlive the query.
  const Visibility* visibility = nullptr;
};

// The ids of a lineage subgraph; the store loads the records.
struct Subgraph {
  std::vector<int64_t> artifact_ids;   // ascending
  std::vector<int64_t> execution_ids;  // ascending
  // Hop order, then MLMD's per-hop fetch order (spec/lineage.md §2.6).
  std::vector<EventRef> events;
  // Contexts attributed to a returned artifact or associated with a returned
  // execution, ascending, deduplicated.
  std::vector<int64_t> context_ids;
  // (context_id, artifact_id) for returned artifacts, sorted.
  std::vector<std::pair<int64_t, int64_t>> attributions;
  // (context_id, execution_id) for returned executions, sorted.
  std::vector<std::pair<int64_t, int64_t>> associations;
};

// Thread-safe: any number of concurrent readers; Apply and Clear take an
// exclusive lock only for the short in-memory update. A query reads one
// consistent snapshot (a prefix of the applied change sets) but holds the
// lock only while collecting events, never while an EndingFilter runs.
class GraphIndex {
 public:
  // A consistent view: the records present when it was taken. Records are
  // append-only, so a snapshot is just their counts.
  //
  // Visibility is the exception: it is decided on the index as it is when
  // the snapshot's reader looks at a node, not as it was when the snapshot
  // was taken. Contexts' namespaces change in place, and each node keeps
  // the interned set of its contexts' namespaces, updated when a link is
  // added; that set includes links made after the snapshot. So a link
  // committed during a walk can hide a node that the snapshot's links alone
  // would show, or show one they would hide. Either way the node is shown
  // exactly when a query started at that moment would show it: a walk never
  // shows a node its caller could not see at the moment it was looked at.
  // (Holding visibility to the snapshot's links would need each node's link
  // slots compared with the snapshot's counts, which is the walk over its
  // links that the set exists to avoid.) The contexts a snapshot attaches
  // (AddContexts) are still only those of links within its counts.
  //
  // A snapshot caches the verdict for each namespace set it meets, so it is
  // read by one thread at a time; any number of snapshots may be read at
  // once.
  struct Snapshot {
    uint64_t generation = 0;
    uint32_t events = 0;
    uint32_t attributions = 0;
    uint32_t associations = 0;
    // Taken with a Visibility that the index's namespaces restrict: what
    // the snapshot reads (EventsOf, AddContexts, VisibleNodes) leaves
    // invisible nodes and contexts out. False (everything visible) when no
    // Visibility was given or no context has a namespace.
    bool restricted = false;
    // Indexed by interned namespace id: 1 for the caller's namespaces.
    // Namespaces interned after the snapshot are beyond its end: not the
    // caller's.
    absl::InlinedVector<uint8_t, 32> visible_namespaces;
    // Indexed by namespace set id (sets interned before the snapshot): 0
    // not yet decided, kSetVisible or kSetInvisible. The caller's
    // namespaces are fixed for a snapshot and a set never changes, so a
    // verdict holds for the snapshot's whole life.
    mutable absl::InlinedVector<uint8_t, 32> set_verdicts;
    static constexpr uint8_t kSetVisible = 1;
    static constexpr uint8_t kSetInvisible = 2;
  };

  GraphIndex() = default;
  GraphIndex(const GraphIndex&) = delete;
  GraphIndex& operator=(const GraphIndex&) = delete;

  // Adds the events and links of one committed write, then drops the
  // removed nodes. Events whose id is already present, links already
  // present and anything naming a node removed before are skipped. A
  // removal that drops something rewrites the index (a pass over all of it,
  // queries running meanwhile fail with ABORTED); one that drops nothing
  // costs a pass and changes nothing. Returns false
  // if the change set could not be applied in full (memory exhausted): the
  // index is then unusable, and every query fails with UNAVAILABLE, until
  // a BeginRebuild ... EndRebuild cycle has reloaded it.
  bool Apply(const ChangeSet& changes);

  // Rebuilding from the database: BeginRebuild drops everything and makes
  // the index unusable (queries running or starting meanwhile fail);
  // the caller then Applies every row and calls EndRebuild, which makes the
  // index usable again unless an Apply failed since BeginRebuild (returns
  // whether it did). Applies of new commits may interleave with the reload.
  void BeginRebuild();
  bool EndRebuild();
  bool usable() const;

  // Makes the next Apply stop half-way and fail, as if memory ran out.
  void FailNextApplyForTesting();

  // GetLineageSubgraph over the index, exactly as spec/lineage.md §2.4.
  // Returns INVALID_ARGUMENT if max_num_hops < 0 or an ending filter is set
  // without an `ending_filter` callback, NOT_FOUND if start_ids is empty,
  // ABORTED if the index was cleared during the query, and any error of the
  // callback.
  absl::StatusOr<Subgraph> GetLineageSubgraph(const SubgraphQuery& query) const;

  // Direct parents / children of a context, ascending.
  std::vector<int64_t> ParentContexts(int64_t context_id) const;
  std::vector<int64_t> ChildContexts(int64_t context_id) const;

  // Number of distinct events held.
  size_t event_count() const;
  // Heap bytes held by the index (capacity included).
  size_t MemoryBytes() const;

  // What the index holds, read in one consistent view (for monitoring).
  struct Stats {
    size_t events = 0;
    // Artifacts and executions that are an endpoint of at least one event.
    size_t artifacts = 0;
    size_t executions = 0;
    // As MemoryBytes().
    size_t memory_bytes = 0;
  };
  Stats stats() const;

  // Drops everything. Queries running across a Clear fail with ABORTED.
  void Clear();

  // Building blocks for traversals (lineage_graph.h and the like).

  // `visible` (null: everything) restricts what the snapshot's reads return.
  Snapshot TakeSnapshot(const Visibility* visible = nullptr) const;

  // Returns the events of `snapshot` with an endpoint in `ids` (nodes of
  // `kind`), in MLMD's SQLite fetch order: by (artifact_id, execution_id,
  // type) for artifacts, by (execution_id, event_id) for executions. A
  // restricted snapshot leaves out events whose node of the other kind is
  // invisible (the nodes in `ids` are taken to be visible).
  // Returns ABORTED if the index was cleared since the snapshot.
  absl::StatusOr<std::vector<EventRef>> EventsOf(
      const Snapshot& snapshot, NodeKind kind,
      absl::Span<const int64_t> ids) const;

  // Fills context_ids, attributions and associations of `graph` from its
  // artifact_ids and execution_ids; a restricted snapshot keeps only
  // visible contexts. Returns ABORTED as EventsOf.
  absl::Status AddContexts(const Snapshot& snapshot, Subgraph* graph) const;

  // The visible ones of `ids` (nodes of `kind`), in order: all of them
  // unless `snapshot` is restricted. Returns ABORTED as EventsOf.
  absl::StatusOr<std::vector<int64_t>> VisibleNodes(
      const Snapshot& snapshot, NodeKind kind,
      absl::Span<const int64_t> ids) const;

  // The namespace of a context, "" when it has none.
  std::string ContextNamespace(int64_t context_id) const;

  // True if `id` (of `kind`) has an event, an attribution or an association
  // in the index: such a node exists in the database. A node without any
  // may exist too; the index cannot tell.
  bool HasLinkedNode(NodeKind kind, int64_t id) const;

  // The details of each of `event_ids`, in order; nullopt for an event the
  // index does not hold or holds without details (see kMaxHeldPaths).
  std::vector<std::optional<EventDetails>> EventDetailsOf(
      absl::Span<const int64_t> event_ids) const;

  // Distinct event paths held at most; events with further paths are held
  // without details, so that an unbounded variety of paths cannot grow the
  // index without bound.
  static constexpr size_t kMaxHeldPaths = 1 << 16;

 private:
  static constexpr uint32_t kNone = internal::IdMap::kNone;

  // Ids are stored in 32 bits: MLMD's ids count up from 1, so in practice
  // they all fit. A record with an id that does not (or a type beyond
  // kTypeMask) has event_id == kWideId and its values in wide_ids_, which
  // keeps the record at 20 bytes.
  static constexpr uint32_t kWideId = UINT32_MAX;
  struct EventRecord {
    uint32_t event_id;
    uint32_t artifact_id;
    uint32_t execution_id;
    uint32_t next_by_artifact;   // older event of the same artifact, or kNone
    uint32_t next_by_execution;  // older event of the same execution
  };  // 20 bytes; type, time and path are kept apart (13 bytes)
  struct WideIds {
    int64_t event_id;
    int64_t artifact_id;
    int64_t execution_id;
    int type;
  };

  // event_flags_: the type in the low bits, and these.
  static constexpr uint8_t kTypeMask = 0x3f;
  static constexpr uint8_t kHasTime = 0x40;
  static constexpr uint8_t kHasDetails = 0x80;

  // UNAVAILABLE while the index is unusable, ABORTED if it was cleared or
  // broken since `snapshot`. REQUIRES: mu_ held (shared or exclusive).
  absl::Status CheckGeneration(const Snapshot& snapshot) const;
  // REQUIRES: mu_ held exclusively. False if stopped by the injected fault.
  bool ApplyLocked(const ChangeSet& changes);
  // REQUIRES: mu_ held exclusively.
  void ClearLocked();
  // REQUIRES: mu_ held exclusively. The removal part of ApplyLocked.
  bool RemoveLocked(const ChangeSet& changes);
  // Whether a removal named the event's artifact or execution.
  // REQUIRES: mu_ held.
  bool NamesRemovedNode(const EventRef& event) const;
  // REQUIRES: mu_ held (shared or exclusive), `snapshot.restricted`.
  bool ContextVisibleLocked(const Snapshot& snapshot, int64_t context) const;
  bool NodeVisibleLocked(const Snapshot& snapshot, NodeKind kind,
                         int64_t id) const;
  // Returns whether the context's namespace changed.
  // REQUIRES: mu_ held exclusively.
  bool SetContextNamespaceLocked(int64_t context_id, const std::string& name);
  // Whether a node of namespace set `set` (not kNone) is visible.
  // REQUIRES: mu_ held (shared or exclusive), `snapshot.restricted`.
  bool SetVisibleLocked(const Snapshot& snapshot, uint32_t set) const;
  // The id of the sorted, duplicate-free namespace id list `names`; kNone
  // for an empty one. REQUIRES: mu_ held exclusively.
  uint32_t InternNamespaceSetLocked(const std::vector<uint32_t>& names);
  // The id of the set of namespace `name` alone. REQUIRES: mu_ held
  // exclusively.
  uint32_t SingleNamespaceSetLocked(uint32_t name);
  // Adds namespace `name` to the set of node `id` held in `sets`.
  // REQUIRES: mu_ held exclusively.
  void AddNodeNamespaceLocked(internal::IdMap& sets, int64_t id, uint32_t name);
  // Recomputes the namespace sets of every node linked to one of
  // `contexts` from all its links. REQUIRES: mu_ held exclusively.
  void RecomputeNodeNamespacesLocked(
      const absl::flat_hash_set<int64_t>& contexts);
  // REQUIRES: mu_ held (shared or exclusive).
  size_t MemoryBytesLocked() const;
  size_t NamespaceBytes() const;
  EventRef RefAt(uint32_t slot) const;
  // REQUIRES: mu_ held exclusively. Returns kNone when no more paths may be
  // held.
  uint32_t InternPath(const std::string& path);

  // Writer-preferring and visible to TSan (see internal/rw_lock.h).
  // Everything below is guarded by mu_.
  mutable internal::RwLock mu_;
  uint64_t generation_ = 0;
  bool usable_ = true;
  bool failed_since_rebuild_ = false;
  bool fail_next_apply_ = false;
  internal::ChunkedVector<EventRecord> events_;
  internal::ChunkedVector<uint8_t> event_flags_;
  internal::ChunkedVector<int64_t> event_times_;
  internal::ChunkedVector<uint32_t> event_paths_;    // index into paths_
  absl::flat_hash_map<uint32_t, WideIds> wide_ids_;  // by slot
  // Distinct paths; path_ids_ keys view into paths_, whose elements never
  // move (std::deque keeps references on push_back).
  std::deque<std::string> paths_;
  absl::flat_hash_map<absl::string_view, uint32_t> path_ids_;
  size_t path_bytes_ = 0;
  internal::IdMap event_slot_;       // event id -> slot
  internal::IdMap artifact_head_;    // newest event slot
  internal::IdMap execution_head_;   // newest event slot
  internal::LinkList attributions_;  // by artifact
  internal::LinkList associations_;  // by execution
  absl::flat_hash_map<int64_t, std::vector<int64_t>> parents_;
  absl::flat_hash_map<int64_t, std::vector<int64_t>> children_;
  // Namespaces are interned: a context's is a small id into
  // namespace_names_. Names stay interned across Clear, so ids are stable.
  std::vector<std::string> namespace_names_;
  absl::flat_hash_map<std::string, uint32_t> namespace_ids_;
  // Context id -> interned namespace, for contexts in one; others are in
  // none.
  internal::IdMap context_namespace_;
  // A node's namespaces are those of the contexts it is linked to, kept as
  // an interned set: an id into namespace_sets_ (sorted namespace ids).
  // Most nodes are in one namespace or none, so a node costs one 4-byte
  // entry of a node-indexed map and a set is rarely new. Sets stay interned
  // across Clear, as names do.
  std::vector<std::vector<uint32_t>> namespace_sets_;
  absl::flat_hash_map<std::vector<uint32_t>, uint32_t> namespace_set_ids_;
  // Namespace id -> id of the set of just that namespace, or kNone.
  std::vector<uint32_t> single_namespace_set_;
  // Artifact / execution id -> namespace set id, for nodes linked to a
  // context in a namespace; others are in none.
  internal::IdMap artifact_namespaces_;
  internal::IdMap execution_namespaces_;
  // Contexts with an attribution or association (value 1): moving one of
  // them to another namespace must update its nodes' sets, moving any
  // other costs nothing.
  internal::IdMap linked_contexts_;
  // Every node ever removed; kept across Clear and rebuilds, so that a
  // replayed or re-read change from before the removal stays out.
  absl::flat_hash_set<int64_t> removed_artifacts_;
  absl::flat_hash_set<int64_t> removed_executions_;
  absl::flat_hash_set<int64_t> removed_contexts_;
  // Context id -> the latest position that set its namespace (ChangeSet::
  // position). Kept across RemoveLocked's re-application; a reload from the
  // database forgets it (its positions may start again, after a restore).
  absl::flat_hash_map<int64_t, int64_t> namespace_positions_;
};

}  // namespace mlmdx::lineage

#endif  // MLMDX_LINEAGE_GRAPH_INDEX_H_
