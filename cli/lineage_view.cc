#include "cli/lineage_view.h"

#include <unistd.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/output.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

namespace mlmd = ::ml_metadata;

const std::string kEmpty;

// Whether walking `walk`-wards from `from` may follow `event`.
bool Follows(const mlmd::Event& event, NodeKind from, Walk walk) {
  const bool output = IsOutputEvent(event.type());
  // Upstream: an artifact's producers, an execution's inputs.
  if (walk == Walk::kUpstream) return (from == NodeKind::kArtifact) == output;
  return (from == NodeKind::kArtifact) != output;
}

NodeRef OtherEnd(const mlmd::Event& event, NodeKind from) {
  return from == NodeKind::kArtifact
             ? NodeRef{NodeKind::kExecution, event.execution_id()}
             : NodeRef{NodeKind::kArtifact, event.artifact_id()};
}

std::string DotQuote(absl::string_view text) {
  return absl::StrCat(
      "\"", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

struct DotVertex {
  std::string id;
  std::string label;
  bool execution = false;
  bool highlight = false;
};
struct DotEdge {
  std::string label;
};
using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS,
                                       boost::directedS, DotVertex, DotEdge>;

}  // namespace

absl::Status LineageView::Fetch(
    MetadataSource& source, const mlmd::LineageSubgraphQueryOptions& options) {
  mlmd::GetLineageSubgraphRequest request;
  *request.mutable_lineage_subgraph_query_options() = options;
  // Types come from the TypeCatalog: only what this view uses, read once.
  for (const char* path : {"artifacts", "executions", "contexts", "events",
                           "attributions", "associations"}) {
    request.mutable_read_mask()->add_paths(path);
  }
  mlmd::GetLineageSubgraphResponse response;
  MLMDX_RETURN_IF_ERROR(source.GetLineageSubgraph(request, &response));
  const mlmd::LineageGraph& graph = response.lineage_subgraph();
  // The answer's nodes carry ids only (as MLMD's do): read the new ones in
  // one call per kind.
  mlmd::GetArtifactsByIDRequest artifacts_request;
  for (const auto& a : graph.artifacts()) {
    if (!artifacts_.count(a.id())) artifacts_request.add_artifact_ids(a.id());
  }
  if (artifacts_request.artifact_ids_size() > 0) {
    mlmd::GetArtifactsByIDResponse artifacts;
    MLMDX_RETURN_IF_ERROR(
        source.GetArtifactsByID(artifacts_request, &artifacts));
    for (const auto& a : artifacts.artifacts()) artifacts_[a.id()] = a;
  }
  mlmd::GetExecutionsByIDRequest executions_request;
  for (const auto& e : graph.executions()) {
    if (!executions_.count(e.id())) {
      executions_request.add_execution_ids(e.id());
    }
  }
  if (executions_request.execution_ids_size() > 0) {
    mlmd::GetExecutionsByIDResponse executions;
    MLMDX_RETURN_IF_ERROR(
        source.GetExecutionsByID(executions_request, &executions));
    for (const auto& e : executions.executions()) executions_[e.id()] = e;
  }
  for (const auto& e : graph.events()) AddEvent(e);
  for (const auto& a : graph.attributions()) {
    if (artifacts_.count(a.artifact_id())) {
      LinkContext({NodeKind::kArtifact, a.artifact_id()}, a.context_id());
    }
  }
  for (const auto& a : graph.associations()) {
    if (executions_.count(a.execution_id())) {
      LinkContext({NodeKind::kExecution, a.execution_id()}, a.context_id());
    }
  }
  mlmd::GetContextsByIDRequest contexts_request;
  for (const auto& c : graph.contexts()) {
    if (!contexts_.count(c.id())) contexts_request.add_context_ids(c.id());
  }
  if (contexts_request.context_ids_size() > 0) {
    mlmd::GetContextsByIDResponse contexts;
    MLMDX_RETURN_IF_ERROR(source.GetContextsByID(contexts_request, &contexts));
    for (const auto& c : contexts.contexts()) contexts_[c.id()] = c;
  }
  return absl::OkStatus();
}

void LineageView::AddEvent(const mlmd::Event& e) {
  if (event_keys_
          .emplace(e.artifact_id(), e.execution_id(), e.type(),
                   e.milliseconds_since_epoch(), e.path().SerializeAsString())
          .second) {
    events_by_node_[{NodeKind::kArtifact, e.artifact_id()}].push_back(
        events_.size());
    events_by_node_[{NodeKind::kExecution, e.execution_id()}].push_back(
        events_.size());
    events_.push_back(e);
  }
}

void LineageView::LinkContext(NodeRef node, int64_t context_id) {
  std::vector<int64_t>& ids = node_contexts_[node];
  auto at = std::lower_bound(ids.begin(), ids.end(), context_id);
  if (at == ids.end() || *at != context_id) ids.insert(at, context_id);
}

void LineageView::Merge(const LineageView& other) {
  artifacts_.insert(other.artifacts_.begin(), other.artifacts_.end());
  executions_.insert(other.executions_.begin(), other.executions_.end());
  contexts_.insert(other.contexts_.begin(), other.contexts_.end());
  for (const auto& e : other.events_) AddEvent(e);
  for (const auto& [node, ids] : other.node_contexts_) {
    for (int64_t id : ids) LinkContext(node, id);
  }
  type_names_.insert(other.type_names_.begin(), other.type_names_.end());
  context_type_names_.insert(other.context_type_names_.begin(),
                             other.context_type_names_.end());
}

absl::Status LineageView::ResolveTypes(TypeCatalog& types) {
  for (const auto& [id, a] : artifacts_) {
    const NodeRef node{NodeKind::kArtifact, id};
    MLMDX_ASSIGN_OR_RETURN(type_names_[node], types.ArtifactType(a.type_id()));
  }
  for (const auto& [id, e] : executions_) {
    const NodeRef node{NodeKind::kExecution, id};
    MLMDX_ASSIGN_OR_RETURN(type_names_[node], types.ExecutionType(e.type_id()));
  }
  for (const auto& [id, c] : contexts_) {
    MLMDX_ASSIGN_OR_RETURN(context_type_names_[id],
                           types.ContextType(c.type_id()));
  }
  return absl::OkStatus();
}

const std::vector<int64_t>& LineageView::ContextsOf(NodeRef node) const {
  static const std::vector<int64_t> kNone;
  auto it = node_contexts_.find(node);
  return it == node_contexts_.end() ? kNone : it->second;
}

std::vector<const mlmd::Event*> LineageView::EventsOf(NodeRef node) const {
  std::vector<const mlmd::Event*> out;
  auto it = events_by_node_.find(node);
  if (it == events_by_node_.end()) return out;
  for (size_t index : it->second) out.push_back(&events_[index]);
  std::sort(out.begin(), out.end(),
            [&node](const mlmd::Event* x, const mlmd::Event* y) {
              return OtherEnd(*x, node.first).second <
                     OtherEnd(*y, node.first).second;
            });
  return out;
}

const std::string& LineageView::TypeOf(NodeRef node) const {
  auto it = type_names_.find(node);
  return it == type_names_.end() ? kEmpty : it->second;
}

const std::string& LineageView::ContextTypeOf(int64_t context_id) const {
  auto it = context_type_names_.find(context_id);
  return it == context_type_names_.end() ? kEmpty : it->second;
}

std::string LineageView::Label(NodeRef node) const {
  if (node.first == NodeKind::kArtifact) {
    auto it = artifacts_.find(node.second);
    if (it == artifacts_.end()) return absl::StrCat("artifact ", node.second);
    return absl::StrCat("artifact ", node.second, " ", TypeOf(node), " ",
                        it->second.uri());
  }
  auto it = executions_.find(node.second);
  if (it == executions_.end()) return absl::StrCat("execution ", node.second);
  const std::string label = ExecutionLabel(it->second);
  return absl::StrCat("execution ", node.second, " ", TypeOf(node),
                      label.empty() ? "" : " ", label, " ",
                      StateName(it->second.last_known_state()));
}

std::string LineageView::Tree(NodeRef root, Walk walk, bool color) const {
  std::string out = absl::StrCat(Bold(Label(root), color), "\n");
  std::set<NodeRef> drawn = {root};
  // Depth-first with explicit prefixes; a node already drawn is named
  // again but not expanded, so shared ancestry stays linear in size.
  std::function<void(NodeRef, const std::string&)> draw =
      [&](NodeRef node, const std::string& prefix) {
        std::vector<std::pair<NodeRef, std::string>> next;
        for (const mlmd::Event* e : EventsOf(node)) {
          if (!Follows(*e, node.first, walk)) continue;
          const NodeRef other = OtherEnd(*e, node.first);
          if (other.first == NodeKind::kArtifact
                  ? !artifacts_.count(other.second)
                  : !executions_.count(other.second)) {
            continue;
          }
          const std::string path = EventPathText(*e);
          next.emplace_back(other, absl::StrCat(EventTypeName(e->type()),
                                                path.empty() ? "" : " ", path));
        }
        for (size_t i = 0; i < next.size(); ++i) {
          const bool last = i + 1 == next.size();
          const auto& [child, how] = next[i];
          const bool again = !drawn.insert(child).second;
          absl::StrAppend(&out, prefix, last ? "└── " : "├── ", Label(child),
                          " ", Dim(absl::StrCat("[", how, "]"), color),
                          again ? Dim(" (shown above)", color) : "", "\n");
          if (!again) draw(child, prefix + (last ? "    " : "│   "));
        }
      };
  draw(root, "");
  return out;
}

std::string LineageView::ToDot(const std::vector<NodeRef>& highlight) const {
  DotGraph graph;
  std::map<NodeRef, DotGraph::vertex_descriptor> vertex;
  auto add = [&](NodeRef node, std::string label) {
    DotVertex v;
    v.id = absl::StrCat(node.first == NodeKind::kArtifact ? "a" : "e",
                        node.second);
    v.label = std::move(label);
    v.execution = node.first == NodeKind::kExecution;
    v.highlight =
        std::find(highlight.begin(), highlight.end(), node) != highlight.end();
    vertex[node] = boost::add_vertex(v, graph);
  };
  for (const auto& [id, a] : artifacts_) {
    const NodeRef node{NodeKind::kArtifact, id};
    add(node, absl::StrCat(TypeOf(node), " #", id, "\n", a.uri()));
  }
  for (const auto& [id, e] : executions_) {
    const NodeRef node{NodeKind::kExecution, id};
    add(node, absl::StrCat(TypeOf(node), " #", id, "\n", ExecutionLabel(e),
                           " (", StateName(e.last_known_state()), ")"));
  }
  for (const auto& e : events_) {
    auto a = vertex.find({NodeKind::kArtifact, e.artifact_id()});
    auto x = vertex.find({NodeKind::kExecution, e.execution_id()});
    if (a == vertex.end() || x == vertex.end()) continue;
    // Edges follow the data: produced artifacts out of their execution,
    // consumed ones into it.
    DotEdge edge{EventPathText(e)};
    if (IsOutputEvent(e.type())) {
      boost::add_edge(x->second, a->second, edge, graph);
    } else {
      boost::add_edge(a->second, x->second, edge, graph);
    }
  }
  std::ostringstream out;
  boost::write_graphviz(
      out, graph,
      [&graph](std::ostream& os, DotGraph::vertex_descriptor v) {
        const DotVertex& d = graph[v];
        os << "[label=" << DotQuote(d.label) << ", id=" << DotQuote(d.id)
           << (d.execution ? ", shape=box, style=\"rounded,filled\", "
                             "fillcolor=\"#e8eefc\""
                           : ", shape=ellipse, style=filled, "
                             "fillcolor=\"#eef7e8\"")
           << (d.highlight ? ", penwidth=3, color=\"#c0392b\"" : "") << "]";
      },
      [&graph](std::ostream& os, DotGraph::edge_descriptor e) {
        if (!graph[e].label.empty()) {
          os << "[label=" << DotQuote(graph[e].label) << "]";
        }
      },
      [](std::ostream& os) {
        os << "rankdir=LR;\nnode [fontname=\"DejaVu Sans\", fontsize=10];\n"
              "edge [fontname=\"DejaVu Sans\", fontsize=9];\n";
      });
  return out.str();
}

absl::StatusOr<nlohmann::json> LineageView::ToJson(TypeCatalog& types) const {
  nlohmann::json json = {{"artifacts", nlohmann::json::array()},
                         {"executions", nlohmann::json::array()},
                         {"contexts", nlohmann::json::array()},
                         {"events", nlohmann::json::array()}};
  for (const auto& [id, a] : artifacts_) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json node, ArtifactJson(a, types));
    node["context_ids"] = ContextsOf({NodeKind::kArtifact, id});
    json["artifacts"].push_back(std::move(node));
  }
  for (const auto& [id, e] : executions_) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json node, ExecutionJson(e, types));
    node["context_ids"] = ContextsOf({NodeKind::kExecution, id});
    json["executions"].push_back(std::move(node));
  }
  for (const auto& [id, c] : contexts_) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json node, ContextJson(c, types));
    json["contexts"].push_back(std::move(node));
  }
  for (const auto& e : events_) {
    nlohmann::json event = {{"artifact_id", e.artifact_id()},
                            {"execution_id", e.execution_id()},
                            {"type", EventTypeName(e.type())},
                            {"path", EventPathText(e)}};
    if (e.milliseconds_since_epoch() != 0) {
      event["time"] = TimeJson(e.milliseconds_since_epoch());
    }
    json["events"].push_back(std::move(event));
  }
  return json;
}

absl::StatusOr<std::string> DotToSvg(const std::string& dot) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    return absl::FailedPreconditionError(
        "Graphviz's `dot` is not installed (apt-get install graphviz); use "
        "-o dot for the graph source");
  }
  char dot_path[] = "/tmp/mlmdx-graph-XXXXXX";
  const int fd = mkstemp(dot_path);
  if (fd < 0) return absl::InternalError("cannot create a temporary file");
  close(fd);
  {
    std::ofstream file(dot_path);
    file << dot;
  }
  std::string svg;
  FILE* pipe =
      popen(absl::StrCat("dot -Tsvg '", dot_path, "' 2>&1").c_str(), "r");
  if (pipe != nullptr) {
    char buffer[65536];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
      svg.append(buffer, n);
    }
  }
  const int rc = pipe == nullptr ? -1 : pclose(pipe);
  std::remove(dot_path);
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("dot -Tsvg failed: ", svg));
  }
  // Drop the XML prolog and DOCTYPE so the SVG can sit inline in HTML.
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"},
                                    {"'", "&#39;"}});
}

std::string HtmlPage(absl::string_view title, absl::string_view body) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>",
      HtmlEscape(title),
      "</title>\n<style>\n"
      "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;"
      "color:#222}\n"
      "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em;"
      "border-bottom:1px solid #ccc}\n"
      "table{border-collapse:collapse;margin:.5em 0}\n"
      "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;"
      "vertical-align:top;font-size:.9em}\n"
      "th{background:#f3f3f3}\n"
      ".diff{background:#fde2e1;font-weight:bold}\n"
      ".graph svg{max-width:100%;height:auto}\n"
      "code{font-size:.9em}\n"
      "</style>\n</head>\n<body>\n",
      body, "\n</body>\n</html>\n");
}

}  // namespace mlmdx::cli
