// File: lineage/graph_index.cc
// -----------------------------------------------------------------------------
//
// Storage side of GraphIndex: applying change sets, snapshots, fetching the
// events of a set of nodes and attaching contexts. The §2.4 traversal itself
// is in lineage_subgraph.cc.

#include "lineage/graph_index.h"

#include <algorithm>
#include <new>
#include <tuple>

#include "absl/status/status.h"

namespace mlmdx::lineage {

bool GraphIndex::Apply(const ChangeSet& changes) {
  internal::WriterLock lock(mu_);
  bool applied = false;
  try {
    applied = ApplyLocked(changes);
  } catch (const std::bad_alloc&) {
    // Part of the change set may be in: the index no longer equals the
    // database, so it must not answer until it is rebuilt.
    applied = false;
  }
  if (!applied) {
    ++generation_;
    usable_ = false;
    failed_since_rebuild_ = true;
  }
  return applied;
}

void GraphIndex::BeginRebuild() {
  internal::WriterLock lock(mu_);
  ClearLocked();
  namespace_positions_.clear();
  usable_ = false;
  failed_since_rebuild_ = false;
}

bool GraphIndex::EndRebuild() {
  internal::WriterLock lock(mu_);
  usable_ = !failed_since_rebuild_;
  return usable_;
}

bool GraphIndex::usable() const {
  internal::ReaderLock lock(mu_);
  return usable_;
}

void GraphIndex::FailNextApplyForTesting() {
  internal::WriterLock lock(mu_);
  fail_next_apply_ = true;
}

bool GraphIndex::ApplyLocked(const ChangeSet& changes) {
  const bool with_details =
      changes.event_details.size() == changes.events.size();
  for (size_t n = 0; n < changes.events.size(); ++n) {
    if (fail_next_apply_ && n == changes.events.size() / 2) {
      fail_next_apply_ = false;
      return false;
    }
    const EventRef& e = changes.events[n];
    if (event_slot_.Get(e.event_id) != kNone || NamesRemovedNode(e)) continue;
    const auto fits = [](int64_t id) {
      return id >= 0 && id < static_cast<int64_t>(kWideId);
    };
    const bool wide = !fits(e.event_id) || !fits(e.artifact_id) ||
                      !fits(e.execution_id) || e.type < 0 || e.type > kTypeMask;
    EventRecord rec{
        static_cast<uint32_t>(e.event_id), static_cast<uint32_t>(e.artifact_id),
        static_cast<uint32_t>(e.execution_id),
        artifact_head_.Get(e.artifact_id), execution_head_.Get(e.execution_id)};
    if (wide) rec.event_id = kWideId;
    uint8_t flags = wide ? 0 : static_cast<uint8_t>(e.type);
    int64_t time = 0;
    uint32_t path = kNone;
    if (with_details) {
      const EventDetails& details = changes.event_details[n];
      path = InternPath(details.path);
      if (path != kNone) flags |= kHasDetails;
      if (details.has_milliseconds_since_epoch) {
        flags |= kHasTime;
        time = details.milliseconds_since_epoch;
      }
    }
    const uint32_t slot = events_.PushBack(rec);
    event_flags_.PushBack(flags);
    event_times_.PushBack(time);
    event_paths_.PushBack(path);
    if (wide) {
      wide_ids_[slot] = {e.event_id, e.artifact_id, e.execution_id, e.type};
    }
    event_slot_.Set(e.event_id, slot);
    artifact_head_.Set(e.artifact_id, slot);
    execution_head_.Set(e.execution_id, slot);
  }
  // Namespaces before links: a new link then takes its context's namespace
  // as this change set leaves it, and only the nodes of contexts that had
  // links before need their sets recomputed.
  absl::flat_hash_set<int64_t> moved_contexts;
  for (const auto& [context_id, name] : changes.context_namespaces) {
    if (removed_contexts_.contains(context_id)) continue;
    if (changes.position > 0) {
      int64_t& latest = namespace_positions_[context_id];
      if (latest >= changes.position) continue;
      latest = changes.position;
    }
    if (SetContextNamespaceLocked(context_id, name) &&
        linked_contexts_.Get(context_id) != kNone) {
      moved_contexts.insert(context_id);
    }
  }
  if (!moved_contexts.empty()) RecomputeNodeNamespacesLocked(moved_contexts);
  for (const auto& [context_id, artifact_id] : changes.attributions) {
    if (removed_contexts_.contains(context_id) ||
        removed_artifacts_.contains(artifact_id)) {
      continue;
    }
    attributions_.Add(context_id, artifact_id);
    linked_contexts_.Set(context_id, 1);
    const uint32_t name = context_namespace_.Get(context_id);
    if (name != kNone) {
      AddNodeNamespaceLocked(artifact_namespaces_, artifact_id, name);
    }
  }
  for (const auto& [context_id, execution_id] : changes.associations) {
    if (removed_contexts_.contains(context_id) ||
        removed_executions_.contains(execution_id)) {
      continue;
    }
    associations_.Add(context_id, execution_id);
    linked_contexts_.Set(context_id, 1);
    const uint32_t name = context_namespace_.Get(context_id);
    if (name != kNone) {
      AddNodeNamespaceLocked(execution_namespaces_, execution_id, name);
    }
  }
  for (const auto& [child, parent] : changes.parent_contexts) {
    if (removed_contexts_.contains(child) ||
        removed_contexts_.contains(parent)) {
      continue;
    }
    std::vector<int64_t>& parents = parents_[child];
    if (std::find(parents.begin(), parents.end(), parent) != parents.end()) {
      continue;
    }
    parents.push_back(parent);
    children_[parent].push_back(child);
  }
  if (fail_next_apply_) {  // a change set without events
    fail_next_apply_ = false;
    return false;
  }
  return RemoveLocked(changes);
}

bool GraphIndex::SetContextNamespaceLocked(int64_t context_id,
                                           const std::string& name) {
  const uint32_t before = context_namespace_.Get(context_id);
  if (name.empty()) {
    context_namespace_.Erase(context_id);
    return before != kNone;
  }
  auto [it, added] = namespace_ids_.try_emplace(
      name, static_cast<uint32_t>(namespace_names_.size()));
  if (added) namespace_names_.push_back(name);
  context_namespace_.Set(context_id, it->second);
  return before != it->second;
}

uint32_t GraphIndex::SingleNamespaceSetLocked(uint32_t name) {
  if (name >= single_namespace_set_.size()) {
    single_namespace_set_.resize(name + 1, kNone);
  }
  uint32_t& set = single_namespace_set_[name];
  if (set == kNone) {
    set = static_cast<uint32_t>(namespace_sets_.size());
    namespace_sets_.push_back({name});
    namespace_set_ids_.emplace(namespace_sets_.back(), set);
  }
  return set;
}

uint32_t GraphIndex::InternNamespaceSetLocked(
    const std::vector<uint32_t>& names) {
  if (names.empty()) return kNone;
  if (names.size() == 1) return SingleNamespaceSetLocked(names.front());
  auto it = namespace_set_ids_.find(names);
  if (it != namespace_set_ids_.end()) return it->second;
  const auto set = static_cast<uint32_t>(namespace_sets_.size());
  namespace_sets_.push_back(names);
  namespace_set_ids_.emplace(names, set);
  return set;
}

void GraphIndex::AddNodeNamespaceLocked(internal::IdMap& sets, int64_t id,
                                        uint32_t name) {
  const uint32_t before = sets.Get(id);
  if (before == kNone) {
    sets.Set(id, SingleNamespaceSetLocked(name));
    return;
  }
  const std::vector<uint32_t>& held = namespace_sets_[before];
  auto pos = std::lower_bound(held.begin(), held.end(), name);
  if (pos != held.end() && *pos == name) return;
  std::vector<uint32_t> names;
  names.reserve(held.size() + 1);
  names.assign(held.begin(), pos);
  names.push_back(name);
  names.insert(names.end(), pos, held.end());
  sets.Set(id, InternNamespaceSetLocked(names));
}

void GraphIndex::RecomputeNodeNamespacesLocked(
    const absl::flat_hash_set<int64_t>& contexts) {
  // One pass over all links: moving a linked context is rare (an operator
  // regrouping teams, or a rebuild's batch of namespaces), and a per-context
  // list of nodes would cost 8 bytes on every link.
  const auto recompute = [&](const internal::LinkList& links,
                             internal::IdMap& sets) {
    std::vector<int64_t> nodes;
    links.ForEachLink([&](int64_t context_id, int64_t node_id) {
      if (contexts.contains(context_id)) nodes.push_back(node_id);
    });
    // In id order, as writes come: the node map then grows its dense array
    // instead of spilling ids to its hash map on the way.
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    std::vector<uint32_t> names;
    for (int64_t node_id : nodes) {
      names.clear();
      links.ForEach(node_id, links.size(), [&](int64_t context_id) {
        const uint32_t name = context_namespace_.Get(context_id);
        if (name != kNone) names.push_back(name);
      });
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      const uint32_t set = InternNamespaceSetLocked(names);
      if (set == kNone) {
        sets.Erase(node_id);
      } else {
        sets.Set(node_id, set);
      }
    }
  };
  recompute(attributions_, artifact_namespaces_);
  recompute(associations_, execution_namespaces_);
}

bool GraphIndex::NamesRemovedNode(const EventRef& event) const {
  return removed_artifacts_.contains(event.artifact_id) ||
         removed_executions_.contains(event.execution_id);
}

bool GraphIndex::RemoveLocked(const ChangeSet& changes) {
  if (changes.removed_artifacts.empty() && changes.removed_executions.empty() &&
      changes.removed_contexts.empty()) {
    return true;
  }
  removed_artifacts_.insert(changes.removed_artifacts.begin(),
                            changes.removed_artifacts.end());
  removed_executions_.insert(changes.removed_executions.begin(),
                             changes.removed_executions.end());
  removed_contexts_.insert(changes.removed_contexts.begin(),
                           changes.removed_contexts.end());
  // Namespaces change in place: a deleted context's simply goes.
  for (int64_t context_id : changes.removed_contexts) {
    context_namespace_.Erase(context_id);
  }
  // Records are append-only (snapshots are counts of them), so the index is
  // rebuilt from what stays. Deletion is rare and in bulk: one pass for the
  // whole set is cheaper than unlinking records one by one.
  ChangeSet with_details;
  ChangeSet without_details;
  size_t dropped = 0;
  for (uint32_t slot = 0; slot < events_.size(); ++slot) {
    const EventRef event = RefAt(slot);
    if (NamesRemovedNode(event)) {
      ++dropped;
      continue;
    }
    const uint8_t flags = event_flags_[slot];
    if ((flags & kHasDetails) == 0) {
      without_details.events.push_back(event);
      continue;
    }
    with_details.events.push_back(event);
    EventDetails& details = with_details.event_details.emplace_back();
    details.has_milliseconds_since_epoch = (flags & kHasTime) != 0;
    details.milliseconds_since_epoch = event_times_[slot];
    details.path = paths_[event_paths_[slot]];
  }
  attributions_.ForEachLink([&](int64_t context_id, int64_t artifact_id) {
    if (removed_contexts_.contains(context_id) ||
        removed_artifacts_.contains(artifact_id)) {
      ++dropped;
    } else {
      with_details.attributions.emplace_back(context_id, artifact_id);
    }
  });
  associations_.ForEachLink([&](int64_t context_id, int64_t execution_id) {
    if (removed_contexts_.contains(context_id) ||
        removed_executions_.contains(execution_id)) {
      ++dropped;
    } else {
      with_details.associations.emplace_back(context_id, execution_id);
    }
  });
  for (const auto& [child, parents] : parents_) {
    for (int64_t parent : parents) {
      if (removed_contexts_.contains(child) ||
          removed_contexts_.contains(parent)) {
        ++dropped;
      } else {
        with_details.parent_contexts.emplace_back(child, parent);
      }
    }
  }
  // A replayed removal (a server re-reading its own change-log row) finds
  // nothing left to drop: the index, and queries in flight, stay as they are.
  if (dropped == 0) return true;
  context_namespace_.ForEach([&](int64_t context_id, uint32_t name) {
    with_details.context_namespaces.emplace_back(context_id,
                                                 namespace_names_[name]);
  });
  ClearLocked();
  return ApplyLocked(with_details) && ApplyLocked(without_details);
}

uint32_t GraphIndex::InternPath(const std::string& path) {
  auto it = path_ids_.find(path);
  if (it != path_ids_.end()) return it->second;
  if (paths_.size() >= kMaxHeldPaths) return kNone;
  const auto id = static_cast<uint32_t>(paths_.size());
  paths_.push_back(path);
  path_bytes_ += path.capacity() > 15 ? path.capacity() + 1 : 0;
  path_ids_.emplace(paths_.back(), id);
  return id;
}

EventRef GraphIndex::RefAt(uint32_t slot) const {
  const EventRecord& r = events_[slot];
  if (r.event_id == kWideId) {
    const WideIds& w = wide_ids_.at(slot);
    return EventRef{w.event_id, w.artifact_id, w.execution_id, w.type};
  }
  return EventRef{r.event_id, r.artifact_id, r.execution_id,
                  event_flags_[slot] & kTypeMask};
}

bool GraphIndex::HasLinkedNode(NodeKind kind, int64_t id) const {
  internal::ReaderLock lock(mu_);
  if (kind == NodeKind::kArtifact) {
    return artifact_head_.Get(id) != kNone || attributions_.Contains(id);
  }
  return execution_head_.Get(id) != kNone || associations_.Contains(id);
}

std::vector<std::optional<EventDetails>> GraphIndex::EventDetailsOf(
    absl::Span<const int64_t> event_ids) const {
  std::vector<std::optional<EventDetails>> out(event_ids.size());
  internal::ReaderLock lock(mu_);
  for (size_t n = 0; n < event_ids.size(); ++n) {
    const uint32_t slot = event_slot_.Get(event_ids[n]);
    if (slot == kNone) continue;
    const uint8_t flags = event_flags_[slot];
    if ((flags & kHasDetails) == 0) continue;
    EventDetails& details = out[n].emplace();
    details.has_milliseconds_since_epoch = (flags & kHasTime) != 0;
    details.milliseconds_since_epoch = event_times_[slot];
    details.path = paths_[event_paths_[slot]];
  }
  return out;
}

namespace {

std::vector<int64_t> SortedCopy(
    const absl::flat_hash_map<int64_t, std::vector<int64_t>>& map,
    int64_t key) {
  auto it = map.find(key);
  if (it == map.end()) return {};
  std::vector<int64_t> ids = it->second;
  std::sort(ids.begin(), ids.end());
  return ids;
}

template <typename Map>
size_t VectorMapBytes(const Map& map) {
  size_t bytes = map.capacity() * (sizeof(typename Map::value_type) + 1);
  for (const auto& [key, ids] : map) bytes += ids.capacity() * sizeof(int64_t);
  return bytes;
}

}  // namespace

std::vector<int64_t> GraphIndex::ParentContexts(int64_t context_id) const {
  internal::ReaderLock lock(mu_);
  return SortedCopy(parents_, context_id);
}

std::vector<int64_t> GraphIndex::ChildContexts(int64_t context_id) const {
  internal::ReaderLock lock(mu_);
  return SortedCopy(children_, context_id);
}

size_t GraphIndex::event_count() const {
  internal::ReaderLock lock(mu_);
  return events_.size();
}

size_t GraphIndex::MemoryBytes() const {
  internal::ReaderLock lock(mu_);
  return MemoryBytesLocked();
}

GraphIndex::Stats GraphIndex::stats() const {
  internal::ReaderLock lock(mu_);
  Stats stats;
  stats.events = events_.size();
  stats.artifacts = artifact_head_.size();
  stats.executions = execution_head_.size();
  stats.memory_bytes = MemoryBytesLocked();
  return stats;
}

size_t GraphIndex::NamespaceBytes() const {
  size_t bytes =
      context_namespace_.MemoryBytes() + artifact_namespaces_.MemoryBytes() +
      execution_namespaces_.MemoryBytes() + linked_contexts_.MemoryBytes() +
      single_namespace_set_.capacity() * sizeof(uint32_t) +
      namespace_sets_.capacity() * sizeof(std::vector<uint32_t>) +
      namespace_set_ids_.capacity() *
          (sizeof(std::pair<std::vector<uint32_t>, uint32_t>) + 1) +
      namespace_ids_.capacity() *
          (sizeof(std::pair<std::string, uint32_t>) + 1) +
      namespace_names_.capacity() * sizeof(std::string);
  for (const std::string& name : namespace_names_) {
    // Both copies, when beyond the short-string buffer.
    if (name.capacity() > 15) bytes += 2 * (name.capacity() + 1);
  }
  for (const std::vector<uint32_t>& set : namespace_sets_) {
    bytes += 2 * set.capacity() * sizeof(uint32_t);  // both copies
  }
  return bytes;
}

size_t GraphIndex::MemoryBytesLocked() const {
  size_t paths = paths_.size() * sizeof(std::string) + path_bytes_ +
                 path_ids_.capacity() *
                     (sizeof(std::pair<absl::string_view, uint32_t>) + 1);
  return sizeof(*this) + events_.MemoryBytes() + event_flags_.MemoryBytes() +
         event_times_.MemoryBytes() + event_paths_.MemoryBytes() + paths +
         wide_ids_.capacity() * (sizeof(std::pair<uint32_t, WideIds>) + 1) +
         event_slot_.MemoryBytes() + artifact_head_.MemoryBytes() +
         execution_head_.MemoryBytes() + attributions_.MemoryBytes() +
         associations_.MemoryBytes() + VectorMapBytes(parents_) +
         VectorMapBytes(children_) + NamespaceBytes() +
         (removed_artifacts_.capacity() + removed_executions_.capacity() +
          removed_contexts_.capacity()) *
             (sizeof(int64_t) + 1) +
         namespace_positions_.capacity() * (2 * sizeof(int64_t) + 1);
}

void GraphIndex::Clear() {
  internal::WriterLock lock(mu_);
  ClearLocked();
}

void GraphIndex::ClearLocked() {
  ++generation_;
  events_.Clear();
  event_flags_.Clear();
  event_times_.Clear();
  event_paths_.Clear();
  wide_ids_.clear();
  path_ids_.clear();
  paths_.clear();
  path_bytes_ = 0;
  event_slot_.Clear();
  artifact_head_.Clear();
  execution_head_.Clear();
  attributions_.Clear();
  associations_.Clear();
  parents_.clear();
  children_.clear();
  context_namespace_.Clear();
  artifact_namespaces_.Clear();
  execution_namespaces_.Clear();
  linked_contexts_.Clear();
}

GraphIndex::Snapshot GraphIndex::TakeSnapshot(const Visibility* visible) const {
  internal::ReaderLock lock(mu_);
  Snapshot snapshot;
  snapshot.generation = generation_;
  snapshot.events = static_cast<uint32_t>(events_.size());
  snapshot.attributions = static_cast<uint32_t>(attributions_.size());
  snapshot.associations = static_cast<uint32_t>(associations_.size());
  // With no context in a namespace every node is visible: the walk then
  // runs as if unrestricted.
  if (visible != nullptr && context_namespace_.size() > 0) {
    snapshot.restricted = true;
    snapshot.visible_namespaces.assign(namespace_names_.size(), 0);
    for (const std::string& name : visible->namespaces) {
      auto it = namespace_ids_.find(name);
      if (it != namespace_ids_.end()) {
        snapshot.visible_namespaces[it->second] = 1;
      }
    }
    snapshot.set_verdicts.assign(namespace_sets_.size(), 0);
  }
  return snapshot;
}

namespace {

bool IsVisibleNamespace(const GraphIndex::Snapshot& snapshot, uint32_t name) {
  return name < snapshot.visible_namespaces.size() &&
         snapshot.visible_namespaces[name] != 0;
}

}  // namespace

bool GraphIndex::ContextVisibleLocked(const Snapshot& snapshot,
                                      int64_t context) const {
  const uint32_t name = context_namespace_.Get(context);
  return name == kNone || IsVisibleNamespace(snapshot, name);
}

bool GraphIndex::SetVisibleLocked(const Snapshot& snapshot,
                                  uint32_t set) const {
  const auto decide = [&] {
    for (uint32_t name : namespace_sets_[set]) {
      if (IsVisibleNamespace(snapshot, name)) return true;
    }
    return false;
  };
  // A set interned after the snapshot has no slot: decided each time.
  if (set >= snapshot.set_verdicts.size()) return decide();
  uint8_t& verdict = snapshot.set_verdicts[set];
  if (verdict == 0) {
    verdict = decide() ? Snapshot::kSetVisible : Snapshot::kSetInvisible;
  }
  return verdict == Snapshot::kSetVisible;
}

bool GraphIndex::NodeVisibleLocked(const Snapshot& snapshot, NodeKind kind,
                                   int64_t id) const {
  const internal::IdMap& sets = kind == NodeKind::kArtifact
                                    ? artifact_namespaces_
                                    : execution_namespaces_;
  const uint32_t set = sets.Get(id);
  return set == kNone || SetVisibleLocked(snapshot, set);
}

absl::StatusOr<std::vector<int64_t>> GraphIndex::VisibleNodes(
    const Snapshot& snapshot, NodeKind kind,
    absl::Span<const int64_t> ids) const {
  std::vector<int64_t> out;
  out.reserve(ids.size());
  internal::ReaderLock lock(mu_);
  if (absl::Status s = CheckGeneration(snapshot); !s.ok()) return s;
  for (int64_t id : ids) {
    if (!snapshot.restricted || NodeVisibleLocked(snapshot, kind, id)) {
      out.push_back(id);
    }
  }
  return out;
}

std::string GraphIndex::ContextNamespace(int64_t context_id) const {
  internal::ReaderLock lock(mu_);
  const uint32_t name = context_namespace_.Get(context_id);
  return name == kNone ? std::string() : namespace_names_[name];
}

absl::Status GraphIndex::CheckGeneration(const Snapshot& snapshot) const {
  if (!usable_) {
    return absl::UnavailableError(
        "The lineage index is being rebuilt from the database after a "
        "failed update; retry.");
  }
  if (snapshot.generation != generation_) {
    return absl::AbortedError(
        "The lineage index was rebuilt during the query; retry.");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<EventRef>> GraphIndex::EventsOf(
    const Snapshot& snapshot, NodeKind kind,
    absl::Span<const int64_t> ids) const {
  std::vector<EventRef> out;
  {
    internal::ReaderLock lock(mu_);
    if (absl::Status s = CheckGeneration(snapshot); !s.ok()) return s;
    const bool from_artifact = kind == NodeKind::kArtifact;
    const internal::IdMap& heads =
        from_artifact ? artifact_head_ : execution_head_;
    const NodeKind to =
        from_artifact ? NodeKind::kExecution : NodeKind::kArtifact;
    for (int64_t id : ids) {
      uint32_t i = heads.Get(id);
      while (i != kNone) {
        const EventRecord& r = events_[i];
        // Slots past the snapshot belong to later change sets.
        if (i < snapshot.events) {
          const EventRef event = RefAt(i);
          if (!snapshot.restricted ||
              NodeVisibleLocked(
                  snapshot, to,
                  from_artifact ? event.execution_id : event.artifact_id)) {
            out.push_back(event);
          }
        }
        i = from_artifact ? r.next_by_artifact : r.next_by_execution;
      }
    }
  }
  if (kind == NodeKind::kArtifact) {
    std::sort(out.begin(), out.end(), [](const EventRef& a, const EventRef& b) {
      return std::tie(a.artifact_id, a.execution_id, a.type, a.event_id) <
             std::tie(b.artifact_id, b.execution_id, b.type, b.event_id);
    });
  } else {
    std::sort(out.begin(), out.end(), [](const EventRef& a, const EventRef& b) {
      return std::tie(a.execution_id, a.event_id) <
             std::tie(b.execution_id, b.event_id);
    });
  }
  return out;
}

absl::Status GraphIndex::AddContexts(const Snapshot& snapshot,
                                     Subgraph* graph) const {
  graph->attributions.clear();
  graph->associations.clear();
  {
    internal::ReaderLock lock(mu_);
    if (absl::Status s = CheckGeneration(snapshot); !s.ok()) return s;
    const auto shown = [&](int64_t context) {
      return !snapshot.restricted || ContextVisibleLocked(snapshot, context);
    };
    for (int64_t artifact : graph->artifact_ids) {
      attributions_.ForEach(artifact, snapshot.attributions, [&](int64_t c) {
        if (shown(c)) graph->attributions.emplace_back(c, artifact);
      });
    }
    for (int64_t execution : graph->execution_ids) {
      associations_.ForEach(execution, snapshot.associations, [&](int64_t c) {
        if (shown(c)) graph->associations.emplace_back(c, execution);
      });
    }
  }
  std::sort(graph->attributions.begin(), graph->attributions.end());
  std::sort(graph->associations.begin(), graph->associations.end());
  graph->context_ids.clear();
  for (const auto& link : graph->attributions) {
    graph->context_ids.push_back(link.first);
  }
  for (const auto& link : graph->associations) {
    graph->context_ids.push_back(link.first);
  }
  std::sort(graph->context_ids.begin(), graph->context_ids.end());
  graph->context_ids.erase(
      std::unique(graph->context_ids.begin(), graph->context_ids.end()),
      graph->context_ids.end());
  return absl::OkStatus();
}

}  // namespace mlmdx::lineage
