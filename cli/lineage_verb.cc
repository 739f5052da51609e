// mlmdx lineage: the lineage of an artifact or execution, upstream,
// downstream or both, as a tree, JSON, DOT, SVG or an HTML page.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/lineage_view.h"
#include "cli/output.h"
#include "cli/start_nodes.h"
#include "cli/verbs.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

namespace mlmd = ::ml_metadata;

struct LineageFlags {
  CommonFlags common;
  StartFlags start;
  bool upstream = false;
  bool downstream = false;
  int64_t hops = -1;
  std::string until;
  std::string until_execution;
};

absl::Status RunLineage(const LineageFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(
      Format format,
      ResolveFormat(flags.common, {Format::kTree, Format::kJson, Format::kDot,
                                   Format::kSvg, Format::kHtml}));
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  MLMDX_ASSIGN_OR_RETURN(std::vector<NodeRef> start,
                         ResolveStart(*source, flags.start));
  std::vector<Walk> walks;
  if (flags.upstream || !flags.downstream) walks.push_back(Walk::kUpstream);
  if (flags.downstream || !flags.upstream) walks.push_back(Walk::kDownstream);

  LineageView view;
  for (Walk walk : walks) {
    mlmd::LineageSubgraphQueryOptions options =
        StartOptions(start, walk, flags.hops);
    if (!flags.until.empty()) {
      options.mutable_ending_artifacts()->set_filter_query(flags.until);
      options.mutable_ending_artifacts()->set_include_ending_nodes(true);
    }
    if (!flags.until_execution.empty()) {
      options.mutable_ending_executions()->set_filter_query(
          flags.until_execution);
      options.mutable_ending_executions()->set_include_ending_nodes(true);
    }
    MLMDX_RETURN_IF_ERROR(view.Fetch(*source, options));
  }
  TypeCatalog types(*source);
  MLMDX_RETURN_IF_ERROR(view.ResolveTypes(types));

  const std::string title =
      absl::StrCat("Lineage of ", view.Label(start.front()));
  switch (format) {
    case Format::kTree: {
      std::string out;
      const bool color = flags.common.Color();
      for (Walk walk : walks) {
        absl::StrAppend(&out, out.empty() ? "" : "\n",
                        Bold(walk == Walk::kUpstream ? "upstream (where it "
                                                       "came from)"
                                                     : "downstream (what it "
                                                       "fed)",
                             color),
                        "\n");
        for (const NodeRef& root : start) {
          absl::StrAppend(&out, view.Tree(root, walk, color));
        }
      }
      return WriteStdout(out);
    }
    case Format::kJson: {
      MLMDX_ASSIGN_OR_RETURN(nlohmann::json json, view.ToJson(types));
      nlohmann::json starts = nlohmann::json::array();
      for (const NodeRef& node : start) {
        starts.push_back(
            {{"kind",
              node.first == NodeKind::kArtifact ? "artifact" : "execution"},
             {"id", node.second}});
      }
      json["start"] = std::move(starts);
      json["direction"] = walks.size() == 2             ? "both"
                          : walks[0] == Walk::kUpstream ? "upstream"
                                                        : "downstream";
      return WriteStdout(json.dump(2) + "\n");
    }
    case Format::kDot:
      return WriteStdout(view.ToDot(start));
    case Format::kSvg: {
      MLMDX_ASSIGN_OR_RETURN(std::string svg, DotToSvg(view.ToDot(start)));
      return WriteStdout(svg);
    }
    default: {
      MLMDX_ASSIGN_OR_RETURN(std::string svg, DotToSvg(view.ToDot(start)));
      return WriteStdout(
          HtmlPage(title, absl::StrCat("<h1>", HtmlEscape(title), "</h1>\n<p>",
                                       view.artifacts().size(), " artifacts, ",
                                       view.executions().size(),
                                       " executions, ", view.events().size(),
                                       " events.</p>\n<div class=\"graph\">\n",
                                       svg, "</div>")));
    }
  }
}

}  // namespace

void AddLineageVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<LineageFlags>();
  CLI::App* verb = app.add_subcommand(
      "lineage", "Where an artifact or execution came from and what it fed");
  AddStartFlags(*verb, flags->start);
  CLI::Option* up =
      verb->add_flag("--upstream", flags->upstream,
                     "only where it came from (producers, their inputs, ...)");
  verb->add_flag("--downstream", flags->downstream,
                 "only what it fed (consumers, their outputs, ...)")
      ->excludes(up);
  verb->add_option("--hops", flags->hops,
                   "at most this many hops (an event is one hop; default "
                   "and maximum 100)")
      ->check(CLI::NonNegativeNumber);
  verb->add_option("--until", flags->until,
                   "stop at artifacts matching this filter (they are shown, "
                   "not walked past), e.g. \"type = 'system.Dataset'\"");
  verb->add_option("--until-execution", flags->until_execution,
                   "stop at executions matching this filter");
  AddCommonFlags(*verb, flags->common, "tree, json, dot, svg, html");
  verb->footer(absl::StrCat(
      "Examples:\n"
      "  mlmdx lineage --uri minio://mlpipeline/v2/artifacts/p/run/train/"
      "model --upstream\n"
      "  mlmdx lineage --artifact 42 --downstream --hops 4 -o dot\n"
      "  mlmdx lineage --artifact 42 -o html > lineage.html\n\n",
      kExitCodesHelp));
  verb->callback(
      [flags, &action] { action = [flags] { return RunLineage(*flags); }; });
}

}  // namespace mlmdx::cli
