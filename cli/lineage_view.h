// File: cli/lineage_view.h
// -----------------------------------------------------------------------------
//
// A lineage answer (one or more GetLineageSubgraph results) held for
// rendering: nodes by id, events indexed by artifact and by execution, the
// contexts of each node, and the renderings the verbs share: a tree for a
// terminal, GraphViz DOT (Boost.Graph's writer), SVG through Graphviz's
// `dot`, and a self-contained HTML page.
//
// Example:
//
//   LineageView view;
//   MLMDX_RETURN_IF_ERROR(view.Fetch(source, query, types));
//   std::string dot = view.ToDot({{NodeKind::kArtifact, 7}});
//
// Thread-safety: not thread-safe.

#ifndef MLMDX_CLI_LINEAGE_VIEW_H_
#define MLMDX_CLI_LINEAGE_VIEW_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/metadata_source.h"
#include "cli/records.h"

namespace mlmdx::cli {

enum class NodeKind { kArtifact, kExecution };
using NodeRef = std::pair<NodeKind, int64_t>;

enum class Walk { kUpstream, kDownstream };

class LineageView {
 public:
  // Runs GetLineageSubgraph with `options` and adds its answer (nodes,
  // events, and the contexts of those nodes, read in full) to the view.
  absl::Status Fetch(MetadataSource& source,
                     const ml_metadata::LineageSubgraphQueryOptions& options);

  // Adds everything `other` holds (nodes, events, contexts, type names).
  void Merge(const LineageView& other);

  // Reads every node's type name (once per kind) for labels.
  absl::Status ResolveTypes(TypeCatalog& types);

  const std::map<int64_t, ml_metadata::Artifact>& artifacts() const {
    return artifacts_;
  }
  const std::map<int64_t, ml_metadata::Execution>& executions() const {
    return executions_;
  }
  const std::map<int64_t, ml_metadata::Context>& contexts() const {
    return contexts_;
  }
  const std::vector<ml_metadata::Event>& events() const { return events_; }

  // Context ids of an artifact (attributions) or execution (associations).
  const std::vector<int64_t>& ContextsOf(NodeRef node) const;

  // Events of one node, in id order of the other end.
  std::vector<const ml_metadata::Event*> EventsOf(NodeRef node) const;

  // The type name of a node or context ("" before ResolveTypes).
  const std::string& TypeOf(NodeRef node) const;
  const std::string& ContextTypeOf(int64_t context_id) const;

  // One line naming a node: "artifact 7 system.Model s3://m" or
  // "execution 3 system.ContainerExecution train COMPLETE".
  std::string Label(NodeRef node) const;

  // The tree a walk from `root` draws: each node's neighbours one step
  // `walk`-wards, nodes seen before marked instead of drawn again.
  std::string Tree(NodeRef root, Walk walk, bool color) const;

  // GraphViz DOT: artifacts as ellipses, executions as boxes, edges in the
  // direction data flowed (labelled with the event's path), `highlight`
  // filled.
  std::string ToDot(const std::vector<NodeRef>& highlight) const;

  // Nodes, contexts and events as JSON (records as cli/records.h writes
  // them).
  absl::StatusOr<nlohmann::json> ToJson(TypeCatalog& types) const;

 private:
  std::map<int64_t, ml_metadata::Artifact> artifacts_;
  std::map<int64_t, ml_metadata::Execution> executions_;
  std::map<int64_t, ml_metadata::Context> contexts_;
  std::vector<ml_metadata::Event> events_;
  // Adds `event` unless the view has it (both walks of a view may bring
  // it).
  void AddEvent(const ml_metadata::Event& event);
  void LinkContext(NodeRef node, int64_t context_id);

  std::set<std::tuple<int64_t, int64_t, int, int64_t, std::string>> event_keys_;
  // Positions in events_ of each node's events, so that EventsOf reads
  // only a node's own events (renderings call it once per node).
  std::map<NodeRef, std::vector<size_t>> events_by_node_;
  std::map<NodeRef, std::vector<int64_t>> node_contexts_;
  std::map<NodeRef, std::string> type_names_;
  std::map<int64_t, std::string> context_type_names_;
};

// SVG of a DOT graph, drawn by Graphviz's `dot` program. FAILED_PRECONDITION
// when `dot` is not installed.
absl::StatusOr<std::string> DotToSvg(const std::string& dot);

// Escapes text for HTML element content and attribute values.
std::string HtmlEscape(absl::string_view text);

// A complete HTML document with inline CSS: `body` is HTML.
std::string HtmlPage(absl::string_view title, absl::string_view body);

}  // namespace mlmdx::cli

#endif  // MLMDX_CLI_LINEAGE_VIEW_H_
