#include "cli/start_nodes.h"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/output.h"
#include "util/status_macros.h"

namespace mlmdx::cli {

namespace mlmd = ::ml_metadata;

void AddStartFlags(CLI::App& verb, StartFlags& flags,
                   const std::string& id_flag, bool executions) {
  verb.add_option("--uri", flags.uri,
                  "start from the artifact(s) with this URI");
  verb.add_option(id_flag, flags.artifact_id,
                  "start from the artifact with this id");
  if (executions) {
    verb.add_option("--execution", flags.execution_id,
                    "start from the execution with this id");
  }
}

absl::StatusOr<std::vector<NodeRef>> ResolveStart(MetadataSource& source,
                                                  const StartFlags& flags) {
  const int given =
      !flags.uri.empty() + (flags.artifact_id != 0) + (flags.execution_id != 0);
  if (given != 1) {
    return UsageError(
        "name one starting node: --uri URI, an artifact id or an execution "
        "id");
  }
  std::vector<NodeRef> start;
  if (!flags.uri.empty()) {
    mlmd::GetArtifactsByURIRequest request;
    request.add_uris(flags.uri);
    mlmd::GetArtifactsByURIResponse response;
    MLMDX_RETURN_IF_ERROR(source.GetArtifactsByURI(request, &response));
    for (const auto& a : response.artifacts()) {
      start.emplace_back(NodeKind::kArtifact, a.id());
    }
    if (start.empty()) {
      return absl::NotFoundError(
          absl::StrCat("no artifact with URI ", flags.uri));
    }
    std::sort(start.begin(), start.end());
  } else if (flags.artifact_id != 0) {
    mlmd::GetArtifactsByIDRequest request;
    request.add_artifact_ids(flags.artifact_id);
    mlmd::GetArtifactsByIDResponse response;
    MLMDX_RETURN_IF_ERROR(source.GetArtifactsByID(request, &response));
    if (response.artifacts().empty()) {
      return absl::NotFoundError(
          absl::StrCat("no artifact with id ", flags.artifact_id));
    }
    start.emplace_back(NodeKind::kArtifact, flags.artifact_id);
  } else {
    mlmd::GetExecutionsByIDRequest request;
    request.add_execution_ids(flags.execution_id);
    mlmd::GetExecutionsByIDResponse response;
    MLMDX_RETURN_IF_ERROR(source.GetExecutionsByID(request, &response));
    if (response.executions().empty()) {
      return absl::NotFoundError(
          absl::StrCat("no execution with id ", flags.execution_id));
    }
    start.emplace_back(NodeKind::kExecution, flags.execution_id);
  }
  return start;
}

mlmd::LineageSubgraphQueryOptions StartOptions(
    const std::vector<NodeRef>& start, Walk walk, int64_t hops) {
  std::vector<int64_t> ids;
  for (const NodeRef& node : start) ids.push_back(node.second);
  const std::string filter =
      ids.size() == 1 ? absl::StrCat("id = ", ids[0])
                      : absl::StrCat("id IN (", absl::StrJoin(ids, ", "), ")");
  mlmd::LineageSubgraphQueryOptions options;
  if (start.front().first == NodeKind::kArtifact) {
    options.mutable_starting_artifacts()->set_filter_query(filter);
  } else {
    options.mutable_starting_executions()->set_filter_query(filter);
  }
  if (hops >= 0) options.set_max_num_hops(hops);
  options.set_direction(walk == Walk::kUpstream
                            ? mlmd::LineageSubgraphQueryOptions::UPSTREAM
                            : mlmd::LineageSubgraphQueryOptions::DOWNSTREAM);
  return options;
}

}  // namespace mlmdx::cli
