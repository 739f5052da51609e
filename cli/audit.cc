// mlmdx audit model / audit dataset: provenance and impact reports.
//
// `audit model` walks upstream from a model: the datasets it came from, every
// execution on the way with its parameters, state and times, the runs and
// pipelines involved, the steps that were cache hits and the earlier
// execution whose outputs they reused, and (walking downstream) what the
// model fed. `audit dataset` walks downstream from a dataset: every model,
// execution and run that depends on it.

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/lineage_view.h"
#include "cli/output.h"
#include "cli/report.h"
#include "cli/start_nodes.h"
#include "cli/verbs.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

namespace mlmd = ::ml_metadata;

struct AuditFlags {
  CommonFlags common;
  StartFlags start;
  // Type names that count as datasets / models; empty: the defaults below.
  std::vector<std::string> dataset_types;
  std::vector<std::string> model_types;
};

// KFP's system.Dataset, TFX's Examples, and any type named like a dataset.
bool IsDatasetType(const std::string& type, const AuditFlags& flags) {
  if (!flags.dataset_types.empty()) {
    return std::find(flags.dataset_types.begin(), flags.dataset_types.end(),
                     type) != flags.dataset_types.end();
  }
  return absl::EndsWith(type, "Dataset") || type == "Examples";
}

// KFP's system.Model, TFX's Model and PushedModel.
bool IsModelType(const std::string& type, const AuditFlags& flags) {
  if (!flags.model_types.empty()) {
    return std::find(flags.model_types.begin(), flags.model_types.end(),
                     type) != flags.model_types.end();
  }
  return absl::EndsWith(type, "Model");
}

// The artifacts of `view` but `subject`, by whether their type is `wanted`.
void Split(const LineageView& view, int64_t subject,
           const std::function<bool(const std::string&)>& wanted,
           std::vector<int64_t>& matching, std::vector<int64_t>& others) {
  for (const auto& [id, a] : view.artifacts()) {
    if (id == subject) continue;
    (wanted(view.TypeOf({NodeKind::kArtifact, id})) ? matching : others)
        .push_back(id);
  }
}

bool Terminal(mlmd::Execution::State state) {
  return state == mlmd::Execution::COMPLETE ||
         state == mlmd::Execution::FAILED || state == mlmd::Execution::CACHED ||
         state == mlmd::Execution::CANCELED;
}

// When an execution ended: its last update, once it reached a final state.
int64_t EndTime(const mlmd::Execution& e) {
  return Terminal(e.last_known_state()) ? e.last_update_time_since_epoch() : 0;
}

// A cache hit and what it reused.
struct CacheHit {
  int64_t execution_id = 0;
  // The execution that computed the reused outputs (0: unknown).
  int64_t original_id = 0;
  std::vector<int64_t> reused_artifact_ids;
};

// Kubeflow Pipelines records a cache hit as a CACHED execution, with the
// id of the execution it reused in `cached_execution_id`, and OUTPUT events
// on that execution's artifacts. Without the property, the original is the
// other, non-cached producer of the same outputs.
std::vector<CacheHit> FindCacheHits(const LineageView& view) {
  std::vector<CacheHit> hits;
  for (const auto& [id, e] : view.executions()) {
    if (e.last_known_state() != mlmd::Execution::CACHED) continue;
    CacheHit hit;
    hit.execution_id = id;
    auto prop = e.custom_properties().find("cached_execution_id");
    if (prop != e.custom_properties().end()) {
      if (prop->second.has_int_value()) {
        hit.original_id = prop->second.int_value();
      } else if (!absl::SimpleAtoi(prop->second.string_value(),
                                   &hit.original_id)) {
        hit.original_id = 0;
      }
    }
    for (const mlmd::Event* event : view.EventsOf({NodeKind::kExecution, id})) {
      if (!IsOutputEvent(event->type())) continue;
      hit.reused_artifact_ids.push_back(event->artifact_id());
      if (hit.original_id != 0) continue;
      for (const mlmd::Event* other :
           view.EventsOf({NodeKind::kArtifact, event->artifact_id()})) {
        auto producer = view.executions().find(other->execution_id());
        if (IsOutputEvent(other->type()) && other->execution_id() != id &&
            producer != view.executions().end() &&
            producer->second.last_known_state() != mlmd::Execution::CACHED) {
          hit.original_id = other->execution_id();
        }
      }
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

std::string ExecutionName(const LineageView& view, int64_t id) {
  auto it = view.executions().find(id);
  if (it == view.executions().end()) return absl::StrCat("execution ", id);
  const std::string label = ExecutionLabel(it->second);
  return absl::StrCat(label.empty() ? "execution" : label, " (", id, ")");
}

// Names of the contexts of a node, "run-a (system.PipelineRun)".
std::string ContextNames(const LineageView& view, NodeRef node) {
  std::vector<std::string> names;
  for (int64_t id : view.ContextsOf(node)) {
    auto it = view.contexts().find(id);
    if (it != view.contexts().end()) names.push_back(it->second.name());
  }
  return absl::StrJoin(names, ", ");
}

std::string Producers(const LineageView& view, int64_t artifact_id) {
  std::vector<std::string> names;
  for (const mlmd::Event* e :
       view.EventsOf({NodeKind::kArtifact, artifact_id})) {
    if (IsOutputEvent(e->type())) {
      names.push_back(ExecutionName(view, e->execution_id()));
    }
  }
  return absl::StrJoin(names, ", ");
}

std::vector<int64_t> Neighbours(const LineageView& view, NodeRef node,
                                bool outputs) {
  std::vector<int64_t> ids;
  for (const mlmd::Event* e : view.EventsOf(node)) {
    if (IsOutputEvent(e->type()) != outputs) continue;
    ids.push_back(node.first == NodeKind::kArtifact ? e->execution_id()
                                                    : e->artifact_id());
  }
  return ids;
}

// Artifacts `ids` of `view` as JSON, with their producers and contexts.
absl::StatusOr<nlohmann::json> ArtifactsJson(const LineageView& view,
                                             const std::vector<int64_t>& ids,
                                             TypeCatalog& types) {
  nlohmann::json list = nlohmann::json::array();
  for (int64_t id : ids) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json a,
                           ArtifactJson(view.artifacts().at(id), types));
    a["producer_execution_ids"] =
        Neighbours(view, {NodeKind::kArtifact, id}, true);
    a["context_ids"] = view.ContextsOf({NodeKind::kArtifact, id});
    list.push_back(std::move(a));
  }
  return list;
}

// The executions of `view` as JSON, with flattened parameters, times,
// contexts, inputs and outputs.
absl::StatusOr<nlohmann::json> ExecutionsJson(const LineageView& view,
                                              TypeCatalog& types) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, e] : view.executions()) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json json, ExecutionJson(e, types));
    nlohmann::json parameters = nlohmann::json::object();
    for (const auto& [name, value] :
         FlatProperties(e.properties(), e.custom_properties())) {
      parameters[name] = value;
    }
    json["parameters"] = std::move(parameters);
    json["started"] = TimeJson(e.create_time_since_epoch());
    json["ended"] = TimeJson(EndTime(e));
    const NodeRef node{NodeKind::kExecution, id};
    json["context_ids"] = view.ContextsOf(node);
    json["input_artifact_ids"] = Neighbours(view, node, false);
    json["output_artifact_ids"] = Neighbours(view, node, true);
    out.push_back(std::move(json));
  }
  return out;
}

// Contexts of the executions of `view`, each with its execution ids.
absl::StatusOr<nlohmann::json> ContextsJson(const LineageView& view,
                                            TypeCatalog& types) {
  std::map<int64_t, std::vector<int64_t>> members;
  for (const auto& [id, e] : view.executions()) {
    for (int64_t c : view.ContextsOf({NodeKind::kExecution, id})) {
      members[c].push_back(id);
    }
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [context_id, execution_ids] : members) {
    auto it = view.contexts().find(context_id);
    if (it == view.contexts().end()) continue;
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json json, ContextJson(it->second, types));
    json["execution_ids"] = execution_ids;
    out.push_back(std::move(json));
  }
  return out;
}

void AddExecutionSections(const LineageView& view, Report& report) {
  report.Heading(absl::StrCat("Executions (", view.executions().size(), ")"));
  Report::Table& summary = report.AddTable(
      {"id", "step", "type", "state", "started", "ended", "runs"});
  for (const auto& [id, e] : view.executions()) {
    summary.rows.push_back({{absl::StrCat(id)},
                            {ExecutionLabel(e)},
                            {view.TypeOf({NodeKind::kExecution, id})},
                            {StateName(e.last_known_state()),
                             e.last_known_state() == mlmd::Execution::CACHED},
                            {TimeText(e.create_time_since_epoch())},
                            {TimeText(EndTime(e))},
                            {ContextNames(view, {NodeKind::kExecution, id})}});
  }
  for (const auto& [id, e] : view.executions()) {
    report.Heading(absl::StrCat("Parameters of ", ExecutionName(view, id)), 3);
    Report::Table& params = report.AddTable({"parameter", "value"});
    for (auto& [name, value] :
         FlatProperties(e.properties(), e.custom_properties())) {
      params.rows.push_back({{name}, {value}});
    }
  }
}

void AddContextSection(const LineageView& view, Report& report) {
  std::map<int64_t, std::vector<std::string>> members;
  for (const auto& [id, e] : view.executions()) {
    for (int64_t c : view.ContextsOf({NodeKind::kExecution, id})) {
      members[c].push_back(ExecutionName(view, id));
    }
  }
  report.Heading(absl::StrCat("Runs and pipelines (", members.size(), ")"));
  Report::Table& table = report.AddTable({"id", "name", "type", "executions"});
  for (const auto& [context_id, names] : members) {
    auto it = view.contexts().find(context_id);
    if (it == view.contexts().end()) continue;
    table.rows.push_back({{absl::StrCat(context_id)},
                          {it->second.name()},
                          {view.ContextTypeOf(context_id)},
                          {absl::StrJoin(names, ", ")}});
  }
}

void AddArtifactTable(const LineageView& view, const std::vector<int64_t>& ids,
                      Report& report) {
  Report::Table& table =
      report.AddTable({"id", "type", "uri", "state", "produced by", "runs"});
  for (int64_t id : ids) {
    const mlmd::Artifact& a = view.artifacts().at(id);
    table.rows.push_back({{absl::StrCat(id)},
                          {view.TypeOf({NodeKind::kArtifact, id})},
                          {a.uri()},
                          {StateName(a.state())},
                          {Producers(view, id)},
                          {ContextNames(view, {NodeKind::kArtifact, id})}});
  }
}

absl::Status AddGraph(const LineageView& a, const LineageView* b,
                      NodeRef subject, Report& report) {
  // One picture of both walks, drawn from one merged view.
  LineageView merged = a;
  if (b != nullptr) merged.Merge(*b);
  MLMDX_ASSIGN_OR_RETURN(std::string svg, DotToSvg(merged.ToDot({subject})));
  report.Heading("Lineage graph");
  report.RawHtml(absl::StrCat("<div class=\"graph\">\n", svg, "</div>\n"));
  return absl::OkStatus();
}

absl::Status Emit(const Report& report, Format format) {
  return WriteStdout(format == Format::kHtml ? report.Html()
                                             : report.Markdown());
}

absl::StatusOr<NodeRef> OneArtifact(MetadataSource& source,
                                    const AuditFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(std::vector<NodeRef> start,
                         ResolveStart(source, flags.start));
  if (start.size() > 1) {
    return UsageError(absl::StrCat(start.size(), " artifacts have URI ",
                                   flags.start.uri, "; name one with --id"));
  }
  return start.front();
}

absl::Status RunAuditModel(const AuditFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(
      Format format,
      ResolveFormat(flags.common,
                    {Format::kMarkdown, Format::kJson, Format::kHtml}));
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  MLMDX_ASSIGN_OR_RETURN(NodeRef model, OneArtifact(*source, flags));
  ProgressLine progress("audit", flags.common.Progress());
  LineageView upstream, downstream;
  MLMDX_RETURN_IF_ERROR(
      upstream.Fetch(*source, StartOptions({model}, Walk::kUpstream, -1)));
  progress.Update(1, 2);
  MLMDX_RETURN_IF_ERROR(
      downstream.Fetch(*source, StartOptions({model}, Walk::kDownstream, -1)));
  progress.Update(2, 2);
  TypeCatalog types(*source);
  MLMDX_RETURN_IF_ERROR(upstream.ResolveTypes(types));
  MLMDX_RETURN_IF_ERROR(downstream.ResolveTypes(types));

  const mlmd::Artifact& subject = upstream.artifacts().at(model.second);
  std::vector<int64_t> datasets, others;
  Split(
      upstream, model.second,
      [&flags](const std::string& type) { return IsDatasetType(type, flags); },
      datasets, others);
  const std::vector<CacheHit> hits = FindCacheHits(upstream);
  std::vector<int64_t> fed_artifacts;
  for (const auto& [id, a] : downstream.artifacts()) {
    if (id != model.second) fed_artifacts.push_back(id);
  }

  if (format == Format::kJson) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json json, ArtifactJson(subject, types));
    nlohmann::json out = {{"model", json}};
    MLMDX_ASSIGN_OR_RETURN(out["datasets"],
                           ArtifactsJson(upstream, datasets, types));
    MLMDX_ASSIGN_OR_RETURN(out["other_upstream_artifacts"],
                           ArtifactsJson(upstream, others, types));
    MLMDX_ASSIGN_OR_RETURN(out["executions"], ExecutionsJson(upstream, types));
    MLMDX_ASSIGN_OR_RETURN(out["contexts"], ContextsJson(upstream, types));
    out["cached_steps"] = nlohmann::json::array();
    for (const CacheHit& hit : hits) {
      out["cached_steps"].push_back(
          {{"execution_id", hit.execution_id},
           {"reused_execution_id", hit.original_id},
           {"reused_artifact_ids", hit.reused_artifact_ids}});
    }
    MLMDX_ASSIGN_OR_RETURN(out["downstream_artifacts"],
                           ArtifactsJson(downstream, fed_artifacts, types));
    MLMDX_ASSIGN_OR_RETURN(out["downstream_executions"],
                           ExecutionsJson(downstream, types));
    return WriteStdout(out.dump(2) + "\n");
  }

  Report report(
      absl::StrCat("Provenance of model ", subject.id(), ": ", subject.uri()));
  std::vector<std::pair<std::string, std::string>> facts = {
      {"type", upstream.TypeOf(model)},
      {"state", StateName(subject.state())},
      {"created", TimeText(subject.create_time_since_epoch())},
      {"produced by", Producers(upstream, model.second)},
      {"runs", ContextNames(upstream, model)}};
  for (auto& [name, value] :
       FlatProperties(subject.properties(), subject.custom_properties())) {
    facts.emplace_back(name, value);
  }
  report.KeyValues(std::move(facts));
  if (format == Format::kHtml) {
    MLMDX_RETURN_IF_ERROR(AddGraph(upstream, &downstream, model, report));
  }
  report.Heading(absl::StrCat("Datasets (", datasets.size(), ")"));
  AddArtifactTable(upstream, datasets, report);
  if (!others.empty()) {
    report.Heading(
        absl::StrCat("Other upstream artifacts (", others.size(), ")"));
    AddArtifactTable(upstream, others, report);
  }
  AddExecutionSections(upstream, report);
  AddContextSection(upstream, report);
  report.Heading(absl::StrCat("Cached steps (", hits.size(), ")"));
  if (hits.empty()) {
    report.Paragraph("Every upstream step was computed, none reused.");
  } else {
    Report::Table& table = report.AddTable(
        {"cached execution", "runs", "reused execution", "reused outputs"});
    for (const CacheHit& hit : hits) {
      std::vector<std::string> outputs;
      for (int64_t id : hit.reused_artifact_ids) {
        auto a = upstream.artifacts().find(id);
        outputs.push_back(a == upstream.artifacts().end()
                              ? absl::StrCat(id)
                              : absl::StrCat(id, " ", a->second.uri()));
      }
      table.rows.push_back(
          {{ExecutionName(upstream, hit.execution_id)},
           {ContextNames(upstream, {NodeKind::kExecution, hit.execution_id})},
           {hit.original_id == 0
                ? "unknown"
                : absl::StrCat(ExecutionName(upstream, hit.original_id), " ",
                               ContextNames(upstream, {NodeKind::kExecution,
                                                       hit.original_id}))},
           {absl::StrJoin(outputs, "\n")}});
    }
  }
  report.Heading(absl::StrCat("What the model fed (", fed_artifacts.size(),
                              " artifacts, ", downstream.executions().size(),
                              " executions)"));
  if (downstream.executions().empty()) {
    report.Paragraph("Nothing has consumed this model yet.");
  } else {
    Report::Table& table =
        report.AddTable({"execution", "type", "state", "runs", "outputs"});
    for (const auto& [id, e] : downstream.executions()) {
      std::vector<std::string> outputs;
      for (int64_t a :
           Neighbours(downstream, {NodeKind::kExecution, id}, true)) {
        outputs.push_back(downstream.Label({NodeKind::kArtifact, a}));
      }
      table.rows.push_back(
          {{ExecutionName(downstream, id)},
           {downstream.TypeOf({NodeKind::kExecution, id})},
           {StateName(e.last_known_state())},
           {ContextNames(downstream, {NodeKind::kExecution, id})},
           {absl::StrJoin(outputs, "\n")}});
    }
  }
  return Emit(report, format);
}

absl::Status RunAuditDataset(const AuditFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(
      Format format,
      ResolveFormat(flags.common,
                    {Format::kMarkdown, Format::kJson, Format::kHtml}));
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  MLMDX_ASSIGN_OR_RETURN(NodeRef dataset, OneArtifact(*source, flags));
  LineageView downstream;
  MLMDX_RETURN_IF_ERROR(downstream.Fetch(
      *source, StartOptions({dataset}, Walk::kDownstream, -1)));
  TypeCatalog types(*source);
  MLMDX_RETURN_IF_ERROR(downstream.ResolveTypes(types));
  const mlmd::Artifact& subject = downstream.artifacts().at(dataset.second);
  std::vector<int64_t> models, others;
  Split(
      downstream, dataset.second,
      [&flags](const std::string& type) { return IsModelType(type, flags); },
      models, others);

  if (format == Format::kJson) {
    MLMDX_ASSIGN_OR_RETURN(nlohmann::json json, ArtifactJson(subject, types));
    nlohmann::json out = {{"dataset", json}};
    MLMDX_ASSIGN_OR_RETURN(out["models"],
                           ArtifactsJson(downstream, models, types));
    MLMDX_ASSIGN_OR_RETURN(out["other_downstream_artifacts"],
                           ArtifactsJson(downstream, others, types));
    MLMDX_ASSIGN_OR_RETURN(out["executions"],
                           ExecutionsJson(downstream, types));
    MLMDX_ASSIGN_OR_RETURN(out["contexts"], ContextsJson(downstream, types));
    return WriteStdout(out.dump(2) + "\n");
  }

  Report report(
      absl::StrCat("Impact of dataset ", subject.id(), ": ", subject.uri()));
  report.KeyValues({{"type", downstream.TypeOf(dataset)},
                    {"state", StateName(subject.state())},
                    {"created", TimeText(subject.create_time_since_epoch())},
                    {"runs", ContextNames(downstream, dataset)}});
  if (format == Format::kHtml) {
    MLMDX_RETURN_IF_ERROR(AddGraph(downstream, nullptr, dataset, report));
  }
  report.Heading(absl::StrCat("Models (", models.size(), ")"));
  AddArtifactTable(downstream, models, report);
  AddExecutionSections(downstream, report);
  AddContextSection(downstream, report);
  if (!others.empty()) {
    report.Heading(
        absl::StrCat("Other downstream artifacts (", others.size(), ")"));
    AddArtifactTable(downstream, others, report);
  }
  return Emit(report, format);
}

void AddAuditSubcommand(CLI::App& audit, const std::string& name,
                        const std::string& description,
                        const std::string& example,
                        absl::Status (*run)(const AuditFlags&),
                        VerbAction& action) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* verb = audit.add_subcommand(name, description);
  AddStartFlags(*verb, flags->start, "--id", /*executions=*/false);
  verb->add_option("--dataset-type", flags->dataset_types,
                   "artifact types that are datasets (default: types named "
                   "*Dataset, and Examples)");
  verb->add_option("--model-type", flags->model_types,
                   "artifact types that are models (default: types named "
                   "*Model)");
  AddCommonFlags(*verb, flags->common, "md, json, html");
  verb->footer(absl::StrCat("Example:\n  ", example, "\n\n", kExitCodesHelp));
  verb->callback(
      [flags, run, &action] { action = [flags, run] { return run(*flags); }; });
}

}  // namespace

void AddAuditVerb(CLI::App& app, VerbAction& action) {
  CLI::App* audit = app.add_subcommand(
      "audit", "Provenance of a model, or what depends on a dataset");
  audit->require_subcommand(1);
  audit->footer(kExitCodesHelp);
  AddAuditSubcommand(
      *audit, "model",
      "What trained a model: datasets, parameters, runs, cached steps, and "
      "what it fed",
      "mlmdx audit model --uri minio://mlpipeline/v2/artifacts/p/run/train/"
      "model -o html > provenance.html",
      &RunAuditModel, action);
  AddAuditSubcommand(
      *audit, "dataset",
      "Impact of a dataset: every model, execution and run downstream",
      "mlmdx audit dataset --id 12 -o md", &RunAuditDataset, action);
}

}  // namespace mlmdx::cli
