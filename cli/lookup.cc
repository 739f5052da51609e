// mlmdx lookup: artifacts by exact URI or URI prefix, each with its type,
// state, properties, the executions that produced it and its contexts.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/output.h"
#include "cli/records.h"
#include "cli/verbs.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

namespace mlmd = ::ml_metadata;

struct LookupFlags {
  CommonFlags common;
  std::vector<std::string> uris;
  std::string prefix;
  int limit = 1000;
};

// One artifact and what the report says about it.
struct Found {
  mlmd::Artifact artifact;
  // Producing executions with the output event's path.
  std::vector<std::pair<mlmd::Execution, std::string>> producers;
  std::vector<mlmd::Context> contexts;
};

absl::StatusOr<std::vector<mlmd::Artifact>> ByPrefix(MetadataSource& source,
                                                     const LookupFlags& flags,
                                                     ProgressLine& progress) {
  // LIKE narrows the scan; '%' and '_' in the prefix are wildcards to it,
  // so the exact prefix test is made here.
  mlmd::GetArtifactsRequest request;
  request.mutable_options()->set_filter_query(
      absl::StrCat("uri LIKE ", FilterQuote(flags.prefix + "%")));
  request.mutable_options()->set_max_result_size(100);
  std::vector<mlmd::Artifact> artifacts;
  while (true) {
    mlmd::GetArtifactsResponse response;
    MLMDX_RETURN_IF_ERROR(source.GetArtifacts(request, &response));
    for (auto& artifact : *response.mutable_artifacts()) {
      if (!absl::StartsWith(artifact.uri(), flags.prefix)) continue;
      if (static_cast<int>(artifacts.size()) == flags.limit) {
        return artifacts;
      }
      artifacts.push_back(std::move(artifact));
    }
    progress.Update(artifacts.size());
    if (response.next_page_token().empty()) return artifacts;
    request.mutable_options()->set_next_page_token(response.next_page_token());
  }
}

absl::Status Describe(MetadataSource& source, std::vector<Found>& found,
                      ProgressLine& progress) {
  mlmd::GetEventsByArtifactIDsRequest events_request;
  for (const Found& f : found) {
    events_request.add_artifact_ids(f.artifact.id());
  }
  mlmd::GetEventsByArtifactIDsResponse events;
  MLMDX_RETURN_IF_ERROR(source.GetEventsByArtifactIDs(events_request, &events));
  mlmd::GetExecutionsByIDRequest executions_request;
  absl::flat_hash_set<int64_t> execution_ids;
  for (const mlmd::Event& event : events.events()) {
    if (IsOutputEvent(event.type()) &&
        execution_ids.insert(event.execution_id()).second) {
      executions_request.add_execution_ids(event.execution_id());
    }
  }
  mlmd::GetExecutionsByIDResponse executions;
  MLMDX_RETURN_IF_ERROR(
      source.GetExecutionsByID(executions_request, &executions));
  absl::flat_hash_map<int64_t, const mlmd::Execution*> by_id;
  for (const auto& e : executions.executions()) by_id[e.id()] = &e;
  absl::flat_hash_map<int64_t, Found*> by_artifact;
  for (Found& f : found) by_artifact[f.artifact.id()] = &f;
  for (const mlmd::Event& event : events.events()) {
    auto e = by_id.find(event.execution_id());
    if (!IsOutputEvent(event.type()) || e == by_id.end()) continue;
    by_artifact[event.artifact_id()]->producers.emplace_back(
        *e->second, EventPathText(event));
  }
  // Contexts: MLMD has no batch read of attributions, so one call each.
  for (size_t i = 0; i < found.size(); ++i) {
    mlmd::GetContextsByArtifactRequest request;
    request.set_artifact_id(found[i].artifact.id());
    mlmd::GetContextsByArtifactResponse response;
    MLMDX_RETURN_IF_ERROR(source.GetContextsByArtifact(request, &response));
    found[i].contexts.assign(response.contexts().begin(),
                             response.contexts().end());
    progress.Update(i + 1, found.size());
  }
  return absl::OkStatus();
}

std::string PropertiesText(
    const google::protobuf::Map<std::string, mlmd::Value>& properties) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : properties) {
    parts.push_back(absl::StrCat(name, "=", ValueText(value)));
  }
  std::sort(parts.begin(), parts.end());
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

absl::StatusOr<std::string> ContextsText(
    const std::vector<mlmd::Context>& contexts, TypeCatalog& types) {
  std::vector<std::string> parts;
  for (const mlmd::Context& c : contexts) {
    MLMDX_ASSIGN_OR_RETURN(std::string type, types.ContextType(c.type_id()));
    parts.push_back(absl::StrCat(type, " ", c.name(), " (", c.id(), ")"));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, "\n               ");
}

absl::StatusOr<std::string> RenderText(const std::vector<Found>& found,
                                       TypeCatalog& types, bool color) {
  std::string out;
  for (const Found& f : found) {
    const mlmd::Artifact& a = f.artifact;
    MLMDX_ASSIGN_OR_RETURN(std::string type, types.ArtifactType(a.type_id()));
    absl::StrAppend(&out, Bold(absl::StrCat("artifact ", a.id()), color), "  ",
                    a.uri(), "\n");
    auto field = [&out](absl::string_view name, absl::string_view value) {
      absl::StrAppend(&out, "  ", name, std::string(13 - name.size(), ' '),
                      value, "\n");
    };
    field("type", type);
    if (a.has_name()) field("name", a.name());
    field("state", StateName(a.state()));
    field("created", TimeText(a.create_time_since_epoch()));
    field("properties", PropertiesText(a.properties()));
    field("custom", PropertiesText(a.custom_properties()));
    std::vector<std::string> producers;
    for (const auto& [e, path] : f.producers) {
      MLMDX_ASSIGN_OR_RETURN(std::string e_type,
                             types.ExecutionType(e.type_id()));
      producers.push_back(
          absl::StrCat("execution ", e.id(), " ", e_type, " ",
                       ExecutionLabel(e), " (", StateName(e.last_known_state()),
                       path.empty() ? "" : ", output ", path, ")"));
    }
    field("produced by", producers.empty()
                             ? "-"
                             : absl::StrJoin(producers, "\n               "));
    MLMDX_ASSIGN_OR_RETURN(std::string contexts,
                           ContextsText(f.contexts, types));
    field("contexts", contexts);
  }
  return out;
}

absl::StatusOr<std::string> RenderJson(const std::vector<Found>& found,
                                       TypeCatalog& types) {
  nlohmann::json out = nlohmann::json::array();
  for (const Found& f : found) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json json,
                           ArtifactJson(f.artifact, types));
    json["produced_by"] = nlohmann::json::array();
    for (const auto& [e, path] : f.producers) {
      MLMDX_ASSIGN_OR_RETURN(nlohmann::json e_json, ExecutionJson(e, types));
      e_json["output_path"] = path;
      json["produced_by"].push_back(std::move(e_json));
    }
    json["contexts"] = nlohmann::json::array();
    for (const mlmd::Context& c : f.contexts) {
      MLMDX_ASSIGN_OR_RETURN(nlohmann::json c_json, ContextJson(c, types));
      json["contexts"].push_back(std::move(c_json));
    }
    out.push_back(std::move(json));
  }
  return out.dump(2) + "\n";
}

absl::Status RunLookup(const LookupFlags& flags) {
  if (flags.uris.empty() == flags.prefix.empty()) {
    return UsageError("lookup: give URIs or --prefix PREFIX (not both)");
  }
  MLMDX_ASSIGN_OR_RETURN(
      Format format,
      ResolveFormat(flags.common, {Format::kTable, Format::kJson}));
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  ProgressLine progress("artifacts", flags.common.Progress());
  std::vector<Found> found;
  std::vector<std::string> missing;
  if (!flags.uris.empty()) {
    mlmd::GetArtifactsByURIRequest request;
    for (const std::string& uri : flags.uris) request.add_uris(uri);
    mlmd::GetArtifactsByURIResponse response;
    MLMDX_RETURN_IF_ERROR(source->GetArtifactsByURI(request, &response));
    // In the order the URIs were given, then by id.
    for (const std::string& uri : flags.uris) {
      const size_t before = found.size();
      for (const mlmd::Artifact& a : response.artifacts()) {
        if (a.uri() == uri) found.push_back({a, {}, {}});
      }
      std::sort(found.begin() + before, found.end(),
                [](const Found& x, const Found& y) {
                  return x.artifact.id() < y.artifact.id();
                });
      if (found.size() == before) missing.push_back(uri);
    }
  } else {
    MLMDX_ASSIGN_OR_RETURN(std::vector<mlmd::Artifact> artifacts,
                           ByPrefix(*source, flags, progress));
    for (auto& a : artifacts) found.push_back({std::move(a), {}, {}});
    if (found.empty()) {
      return absl::NotFoundError(
          absl::StrCat("no artifact with a URI starting with ", flags.prefix));
    }
  }
  if (!found.empty()) {
    MLMDX_RETURN_IF_ERROR(Describe(*source, found, progress));
    TypeCatalog types(*source);
    MLMDX_ASSIGN_OR_RETURN(
        std::string text, format == Format::kJson
                              ? RenderJson(found, types)
                              : RenderText(found, types, flags.common.Color()));
    MLMDX_RETURN_IF_ERROR(WriteStdout(text));
  }
  if (!missing.empty()) {
    std::vector<std::string> lines;
    for (const std::string& uri : missing) {
      lines.push_back(absl::StrCat("no artifact with URI ", uri));
    }
    return absl::NotFoundError(absl::StrJoin(lines, "\nmlmdx: "));
  }
  return absl::OkStatus();
}

}  // namespace

void AddLookupVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<LookupFlags>();
  CLI::App* verb = app.add_subcommand(
      "lookup",
      "Artifacts by URI: type, state, properties, producing execution, "
      "contexts");
  verb->add_option("uris", flags->uris, "exact artifact URIs");
  verb->add_option("--prefix", flags->prefix,
                   "every artifact whose URI starts with PREFIX");
  verb->add_option("--limit", flags->limit,
                   "at most this many artifacts for --prefix")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  AddCommonFlags(*verb, flags->common, "table, json");
  verb->footer(absl::StrCat(
      "Examples:\n"
      "  mlmdx lookup minio://mlpipeline/v2/artifacts/three-step/run-1/"
      "train/model\n"
      "  mlmdx lookup --prefix s3://datasets/ --db mlmd.sqlite -o json\n\n",
      kExitCodesHelp));
  verb->callback(
      [flags, &action] { action = [flags] { return RunLookup(*flags); }; });
}

}  // namespace mlmdx::cli
