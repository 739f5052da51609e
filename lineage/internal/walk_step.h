// File: lineage/internal/walk_step.h
// -----------------------------------------------------------------------------
//
// The step every lineage walk repeats once per hop: take the events of the
// frontier that the direction allows, then the nodes at their other ends
// that the walk has not seen yet, ascending and each once. Plus the small
// NodeKind helpers the walks share.

#ifndef MLMDX_LINEAGE_INTERNAL_WALK_STEP_H_
#define MLMDX_LINEAGE_INTERNAL_WALK_STEP_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "lineage/graph_index.h"
#include "lineage/internal/event_types.h"
#include "util/status_macros.h"

namespace mlmdx::lineage::internal {

inline int Index(NodeKind kind) { return static_cast<int>(kind); }

inline NodeKind Other(NodeKind kind) {
  return kind == NodeKind::kArtifact ? NodeKind::kExecution
                                     : NodeKind::kArtifact;
}

// The id of the node of `kind` that `e` links.
inline int64_t Endpoint(const EventRef& e, NodeKind kind) {
  return kind == NodeKind::kArtifact ? e.artifact_id : e.execution_id;
}

// The events of `frontier` (nodes of `from`) in MLMD's fetch order, keeping
// only those `direction` lets a walk take from that side.
inline absl::StatusOr<std::vector<EventRef>> DirectedEvents(
    const GraphIndex& index, const GraphIndex::Snapshot& snapshot,
    NodeKind from, absl::Span<const int64_t> frontier, Direction direction) {
  MLMDX_ASSIGN_OR_RETURN(std::vector<EventRef> events,
                         index.EventsOf(snapshot, from, frontier));
  events.erase(std::remove_if(events.begin(), events.end(),
                              [&](const EventRef& e) {
                                return !KeptByDirection(e.type, from,
                                                        direction);
                              }),
               events.end());
  return events;
}

// The nodes of `to` at the ends of `events` for which `seen(id)` is false,
// ascending, each once.
template <typename Seen>
std::vector<int64_t> NewEndpoints(const std::vector<EventRef>& events,
                                  NodeKind to, const Seen& seen) {
  std::vector<int64_t> ids;
  for (const EventRef& e : events) {
    const int64_t id = Endpoint(e, to);
    if (!seen(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_WALK_STEP_H_
