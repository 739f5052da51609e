// File: lineage/internal/test_graph.h
// -----------------------------------------------------------------------------
//
// Test-only helpers: build a ChangeSet event by event (event ids in call
// order) and express MLMD filters as EndingFilter lambdas over id sets.
//
// Example:
//
//   TestGraph g;
//   g.Input(a0, e0).Output(a1, e0);
//   index.Apply(g.changes);
//
// Thread-safety: none.

#ifndef MLMDX_LINEAGE_INTERNAL_TEST_GRAPH_H_
#define MLMDX_LINEAGE_INTERNAL_TEST_GRAPH_H_

#include <cstdint>
#include <ostream>
#include <set>
#include <utility>
#include <vector>

#include "lineage/graph_index.h"
#include "lineage/internal/event_types.h"

namespace mlmdx::lineage::internal {

struct TestGraph {
  ChangeSet changes;
  int64_t next_event_id = 1;

  TestGraph& Event(int64_t artifact, int64_t execution, int type) {
    changes.events.push_back({next_event_id++, artifact, execution, type});
    return *this;
  }
  TestGraph& Input(int64_t artifact, int64_t execution) {
    return Event(artifact, execution, kInput);
  }
  TestGraph& Output(int64_t artifact, int64_t execution) {
    return Event(artifact, execution, kOutput);
  }
  TestGraph& Attribute(int64_t context, int64_t artifact) {
    changes.attributions.emplace_back(context, artifact);
    return *this;
  }
  TestGraph& Associate(int64_t context, int64_t execution) {
    changes.associations.emplace_back(context, execution);
    return *this;
  }
};

// A filter matching exactly `artifacts` / `executions`; `all_*` makes every
// node of that kind match (MLMD's present-but-empty filter_query).
struct IdSetFilter {
  std::set<int64_t> artifacts, executions;
  bool all_artifacts = false, all_executions = false;

  EndingFilter AsFilter() const {
    IdSetFilter f = *this;
    return [f](NodeKind kind, absl::Span<const int64_t> candidates)
               -> absl::StatusOr<std::vector<int64_t>> {
      const bool artifact = kind == NodeKind::kArtifact;
      const std::set<int64_t>& ids = artifact ? f.artifacts : f.executions;
      const bool all = artifact ? f.all_artifacts : f.all_executions;
      std::vector<int64_t> out;
      for (int64_t id : candidates) {
        if (all || ids.count(id) > 0) out.push_back(id);
      }
      return out;
    };
  }
};

// (artifact_id, execution_id) of each event, in order.
inline std::vector<std::pair<int64_t, int64_t>> Edges(
    const std::vector<EventRef>& events) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const EventRef& e : events)
    out.emplace_back(e.artifact_id, e.execution_id);
  return out;
}

}  // namespace mlmdx::lineage::internal

namespace mlmdx::lineage {
// Readable EventRef in GoogleTest failure messages.
inline void PrintTo(const EventRef& e, std::ostream* os) {
  *os << "{event " << e.event_id << ": a" << e.artifact_id << " e"
      << e.execution_id << " type " << e.type << "}";
}
}  // namespace mlmdx::lineage

#endif  // MLMDX_LINEAGE_INTERNAL_TEST_GRAPH_H_
