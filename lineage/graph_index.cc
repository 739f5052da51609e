// File: lineage/graph_index.cc
// -----------------------------------------------------------------------------
//
// Storage side of GraphIndex: applying change sets, snapshots, fetching the
// events of a set of nodes and attaching contexts. The §2.4 traversal itself
// is in lineage_subgraph.cc.

#include "lineage/graph_index.h"

#include <algorithm>
#include <tuple>

#include "absl/status/status.h"

namespace mlmdx::lineage {

void GraphIndex::Apply(const ChangeSet& changes) {
  internal::WriterLock lock(mu_);
  for (const EventRef& e : changes.events) {
    if (event_slot_.Get(e.event_id) != kNone) continue;
    EventRecord rec{e.event_id, e.artifact_id, e.execution_id,
                    artifact_head_.Get(e.artifact_id),
                    execution_head_.Get(e.execution_id)};
    const uint32_t slot = events_.PushBack(rec);
    event_types_.PushBack(static_cast<uint8_t>(e.type));
    event_slot_.Set(e.event_id, slot);
    artifact_head_.Set(e.artifact_id, slot);
    execution_head_.Set(e.execution_id, slot);
  }
  for (const auto& [context_id, artifact_id] : changes.attributions) {
    attributions_.Add(context_id, artifact_id);
  }
  for (const auto& [context_id, execution_id] : changes.associations) {
    associations_.Add(context_id, execution_id);
  }
  for (const auto& [child, parent] : changes.parent_contexts) {
    std::vector<int64_t>& parents = parents_[child];
    if (std::find(parents.begin(), parents.end(), parent) != parents.end()) {
      continue;
    }
    parents.push_back(parent);
    children_[parent].push_back(child);
  }
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
  return sizeof(*this) + events_.MemoryBytes() + event_types_.MemoryBytes() +
         event_slot_.MemoryBytes() + artifact_head_.MemoryBytes() +
         execution_head_.MemoryBytes() + attributions_.MemoryBytes() +
         associations_.MemoryBytes() + VectorMapBytes(parents_) +
         VectorMapBytes(children_);
}

void GraphIndex::Clear() {
  internal::WriterLock lock(mu_);
  ++generation_;
  events_.Clear();
  event_types_.Clear();
  event_slot_.Clear();
  artifact_head_.Clear();
  execution_head_.Clear();
  attributions_.Clear();
  associations_.Clear();
  parents_.clear();
  children_.clear();
}

GraphIndex::Snapshot GraphIndex::TakeSnapshot() const {
  internal::ReaderLock lock(mu_);
  return Snapshot{generation_, static_cast<uint32_t>(events_.size()),
                  static_cast<uint32_t>(attributions_.size()),
                  static_cast<uint32_t>(associations_.size())};
}

absl::Status GraphIndex::CheckGeneration(const Snapshot& snapshot) const {
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
    for (int64_t id : ids) {
      uint32_t i = heads.Get(id);
      while (i != kNone) {
        const EventRecord& r = events_[i];
        // Slots past the snapshot belong to later change sets.
        if (i < snapshot.events) {
          out.push_back(EventRef{r.event_id, r.artifact_id, r.execution_id,
                                 event_types_[i]});
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
    for (int64_t artifact : graph->artifact_ids) {
      attributions_.ForEach(artifact, snapshot.attributions, [&](int64_t c) {
        graph->attributions.emplace_back(c, artifact);
      });
    }
    for (int64_t execution : graph->execution_ids) {
      associations_.ForEach(execution, snapshot.associations, [&](int64_t c) {
        graph->associations.emplace_back(c, execution);
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
