// mlmdx get: listings of artifacts, executions, contexts or types, with the
// filter language, paging through everything (or --limit).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/output.h"
#include "cli/records.h"
#include "cli/verbs.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

namespace mlmd = ::ml_metadata;

struct GetFlags {
  CommonFlags common;
  std::string resource;
  std::string type;
  std::string filter;
  int64_t limit = 0;
};

constexpr int kPageSize = 100;

// The filter of --type and --filter together. A filter alone goes as it
// is, so that the server's line and column point into what was typed.
std::string CombinedFilter(const GetFlags& flags) {
  if (flags.type.empty()) return flags.filter;
  std::vector<std::string> parts;
  if (!flags.type.empty()) {
    parts.push_back(absl::StrCat("type = ", FilterQuote(flags.type)));
  }
  if (!flags.filter.empty())
    parts.push_back(absl::StrCat("(", flags.filter, ")"));
  return absl::StrJoin(parts, " AND ");
}

// Pages through one listing RPC (`call`, whose responses hold `nodes`)
// until it ends or --limit nodes arrived, then prints them as JSON
// (`to_json`) or as a table (`header`, one `row` per node).
template <typename Node, typename Request, typename Response>
absl::Status PrintNodes(
    MetadataSource& source, const GetFlags& flags, Format format,
    absl::Status (MetadataSource::*call)(const Request&, Response*),
    google::protobuf::RepeatedPtrField<Node>* (Response::*nodes)(),
    absl::StatusOr<nlohmann::json> (*to_json)(const Node&, TypeCatalog&),
    std::vector<std::string> header,
    const std::function<absl::StatusOr<std::vector<std::string>>(
        const Node&, TypeCatalog&)>& row) {
  Request request;
  const std::string filter = CombinedFilter(flags);
  if (!filter.empty()) request.mutable_options()->set_filter_query(filter);
  request.mutable_options()->mutable_order_by_field()->set_field(
      mlmd::ListOperationOptions::OrderByField::ID);
  request.mutable_options()->mutable_order_by_field()->set_is_asc(true);
  std::vector<Node> listed;
  ProgressLine progress(flags.resource, flags.common.Progress());
  while (true) {
    int64_t page = kPageSize;
    if (flags.limit > 0) {
      page = std::min<int64_t>(page, flags.limit - listed.size());
    }
    request.mutable_options()->set_max_result_size(static_cast<int>(page));
    Response response;
    MLMDX_RETURN_IF_ERROR((source.*call)(request, &response));
    for (auto& node : *(response.*nodes)()) listed.push_back(std::move(node));
    progress.Update(listed.size());
    if (response.next_page_token().empty() ||
        (flags.limit > 0 &&
         static_cast<int64_t>(listed.size()) >= flags.limit)) {
      break;
    }
    request.mutable_options()->set_next_page_token(response.next_page_token());
  }
  TypeCatalog types(source);
  if (format == Format::kJson) {
    nlohmann::json out = nlohmann::json::array();
    for (const Node& node : listed) {
      MLMDX_ASSIGN_OR_RETURN(nlohmann::json json, to_json(node, types));
      out.push_back(std::move(json));
    }
    return WriteStdout(out.dump(2) + "\n");
  }
  Table table(std::move(header));
  for (const Node& node : listed) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<std::string> cells, row(node, types));
    table.AddRow(std::move(cells));
  }
  table.Print(stdout, flags.common.Color());
  return absl::OkStatus();
}

absl::Status PrintArtifacts(MetadataSource& source, const GetFlags& flags,
                            Format format) {
  return PrintNodes<mlmd::Artifact>(
      source, flags, format, &MetadataSource::GetArtifacts,
      &mlmd::GetArtifactsResponse::mutable_artifacts, &ArtifactJson,
      {"ID", "TYPE", "NAME", "STATE", "CREATED", "URI"},
      [](const mlmd::Artifact& a,
         TypeCatalog& types) -> absl::StatusOr<std::vector<std::string>> {
        MLMDX_ASSIGN_OR_RETURN(std::string type,
                               types.ArtifactType(a.type_id()));
        return std::vector<std::string>{absl::StrCat(a.id()),
                                        type,
                                        a.name(),
                                        StateName(a.state()),
                                        TimeText(a.create_time_since_epoch()),
                                        a.uri()};
      });
}

absl::Status PrintExecutions(MetadataSource& source, const GetFlags& flags,
                             Format format) {
  return PrintNodes<mlmd::Execution>(
      source, flags, format, &MetadataSource::GetExecutions,
      &mlmd::GetExecutionsResponse::mutable_executions, &ExecutionJson,
      {"ID", "TYPE", "NAME", "STATE", "CREATED", "UPDATED"},
      [](const mlmd::Execution& e,
         TypeCatalog& types) -> absl::StatusOr<std::vector<std::string>> {
        MLMDX_ASSIGN_OR_RETURN(std::string type,
                               types.ExecutionType(e.type_id()));
        return std::vector<std::string>{
            absl::StrCat(e.id()),
            type,
            ExecutionLabel(e),
            StateName(e.last_known_state()),
            TimeText(e.create_time_since_epoch()),
            TimeText(e.last_update_time_since_epoch())};
      });
}

absl::Status PrintContexts(MetadataSource& source, const GetFlags& flags,
                           Format format) {
  return PrintNodes<mlmd::Context>(
      source, flags, format, &MetadataSource::GetContexts,
      &mlmd::GetContextsResponse::mutable_contexts, &ContextJson,
      {"ID", "TYPE", "NAME", "CREATED"},
      [](const mlmd::Context& c,
         TypeCatalog& types) -> absl::StatusOr<std::vector<std::string>> {
        MLMDX_ASSIGN_OR_RETURN(std::string type,
                               types.ContextType(c.type_id()));
        return std::vector<std::string>{absl::StrCat(c.id()), type, c.name(),
                                        TimeText(c.create_time_since_epoch())};
      });
}

// Types of every kind (--type keeps those of that name).
absl::Status PrintTypes(MetadataSource& source, const GetFlags& flags,
                        Format format) {
  if (!flags.filter.empty()) {
    return UsageError("get types: --filter applies to nodes, not types");
  }
  mlmd::GetArtifactTypesResponse artifact_types;
  MLMDX_RETURN_IF_ERROR(source.GetArtifactTypes({}, &artifact_types));
  mlmd::GetExecutionTypesResponse execution_types;
  MLMDX_RETURN_IF_ERROR(source.GetExecutionTypes({}, &execution_types));
  mlmd::GetContextTypesResponse context_types;
  MLMDX_RETURN_IF_ERROR(source.GetContextTypes({}, &context_types));
  nlohmann::json out = nlohmann::json::array();
  Table table({"KIND", "ID", "NAME", "BASE", "PROPERTIES"});
  auto add = [&](absl::string_view kind, const auto& types) {
    for (const auto& type : types) {
      if (!flags.type.empty() && type.name() != flags.type) continue;
      std::vector<std::string> properties;
      nlohmann::json json_properties = nlohmann::json::object();
      for (const auto& [name, value_type] : type.properties()) {
        const std::string value_name = mlmd::PropertyType_Name(value_type);
        properties.push_back(absl::StrCat(name, ":", value_name));
        json_properties[name] = value_name;
      }
      std::sort(properties.begin(), properties.end());
      std::string base;
      if (type.has_base_type()) {
        base = type.GetReflection()
                   ->GetEnum(type,
                             type.GetDescriptor()->FindFieldByName("base_type"))
                   ->name();
      }
      nlohmann::json json = {{"kind", kind},
                             {"id", type.id()},
                             {"name", type.name()},
                             {"properties", json_properties}};
      if (!base.empty()) json["base_type"] = base;
      if (type.has_external_id()) json["external_id"] = type.external_id();
      out.push_back(std::move(json));
      table.AddRow({std::string(kind), absl::StrCat(type.id()), type.name(),
                    base, absl::StrJoin(properties, ", ")});
    }
  };
  add("artifact", artifact_types.artifact_types());
  add("execution", execution_types.execution_types());
  add("context", context_types.context_types());
  if (format == Format::kJson) return WriteStdout(out.dump(2) + "\n");
  table.Print(stdout, flags.common.Color());
  return absl::OkStatus();
}

absl::Status RunGet(const GetFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(
      Format format,
      ResolveFormat(flags.common, {Format::kTable, Format::kJson}));
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  if (flags.resource == "artifacts") {
    return PrintArtifacts(*source, flags, format);
  }
  if (flags.resource == "executions") {
    return PrintExecutions(*source, flags, format);
  }
  if (flags.resource == "contexts") {
    return PrintContexts(*source, flags, format);
  }
  return PrintTypes(*source, flags, format);
}

}  // namespace

void AddGetVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<GetFlags>();
  CLI::App* verb = app.add_subcommand(
      "get", "List artifacts, executions, contexts or types");
  verb->add_option("resource", flags->resource,
                   "artifacts, executions, contexts or types")
      ->required()
      ->check(CLI::IsMember({"artifacts", "executions", "contexts", "types"}));
  verb->add_option("--type", flags->type, "only nodes (or types) of this type");
  verb->add_option("--filter", flags->filter,
                   "an MLMD filter_query, e.g. \"uri LIKE 's3://%'\"");
  verb->add_option("--limit", flags->limit, "at most this many (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  AddCommonFlags(*verb, flags->common, "table, json");
  verb->footer(absl::StrCat(
      "Examples:\n"
      "  mlmdx get artifacts --type system.Model --limit 20\n"
      "  mlmdx get executions --filter \"last_known_state = FAILED\" -o json\n"
      "  mlmdx get contexts --type system.PipelineRun --db mlmd.sqlite\n\n",
      kExitCodesHelp));
  verb->callback(
      [flags, &action] { action = [flags] { return RunGet(*flags); }; });
}

}  // namespace mlmdx::cli
