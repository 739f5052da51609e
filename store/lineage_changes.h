// File: store/lineage_changes.h
// -----------------------------------------------------------------------------
//
// The part of a committed write that changes the lineage graph: new events,
// new context links and contexts' namespaces, or nodes deleted with
// everything that named them.
// MetadataStore reports one LineageChanges per committed write transaction to
// its commit listener, and streams the whole graph in the same form at
// start-up, so that an in-memory index can be built and then kept exactly in
// step with the database.

#ifndef MLMDX_STORE_LINEAGE_CHANGES_H_
#define MLMDX_STORE_LINEAGE_CHANGES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlmdx::store {

struct LineageChanges {
  struct Event {
    int64_t id = 0;
    int64_t artifact_id = 0;
    int64_t execution_id = 0;
    // ml_metadata::Event::Type number.
    int type = 0;
    // NULL in the database leaves it unset.
    bool has_milliseconds_since_epoch = false;
    int64_t milliseconds_since_epoch = 0;
    // The serialized ml_metadata.Event.Path, as a read of the event returns
    // it (steps in insertion order); empty when the event has no steps.
    std::string path;
  };
  std::vector<Event> events;
  // (context_id, artifact_id)
  std::vector<std::pair<int64_t, int64_t>> attributions;
  // (context_id, execution_id)
  std::vector<std::pair<int64_t, int64_t>> associations;
  // (child_id, parent_id)
  std::vector<std::pair<int64_t, int64_t>> parent_contexts;
  // (context_id, namespace): the `namespace` custom property
  // (store/visible_namespaces.h) of a context the write created with one,
  // or whose namespace it changed or removed (an empty namespace: none).
  // The scan at start-up reports every context that has one.
  std::vector<std::pair<int64_t, std::string>> context_namespaces;
  // Nodes the write deleted, ascending. Their events, attributions,
  // associations and parent-context links went with them. Ids are never
  // reused (MLMD's tables count ids up), so a later change naming one of
  // them is a replay of an older one and is to be ignored.
  std::vector<int64_t> removed_artifacts;
  std::vector<int64_t> removed_executions;
  std::vector<int64_t> removed_contexts;
  // The write's position in the change log (PostgreSQL), as its commit
  // listener and change-log readers see it; 0 where there is none or it is
  // unknown. Not part of the encoded row (the row's own seq is the
  // position).
  int64_t log_position = 0;

  bool has_removals() const {
    return !removed_artifacts.empty() || !removed_executions.empty() ||
           !removed_contexts.empty();
  }
  bool empty() const {
    return events.empty() && attributions.empty() && associations.empty() &&
           parent_contexts.empty() && context_namespaces.empty() &&
           !has_removals();
  }
};

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_LINEAGE_CHANGES_H_
