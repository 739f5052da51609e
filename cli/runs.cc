// mlmdx runs list / runs compare / runs delete: pipeline runs (run
// contexts), two runs side by side, step by step (state, parameters, inputs
// and outputs, metrics with deltas), and deleting runs with what only they
// hold (mlmdx.RetentionService).

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/output.h"
#include "cli/records.h"
#include "cli/report.h"
#include "cli/verbs.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

namespace mlmd = ::ml_metadata;

// Context types that hold one pipeline run: Kubeflow Pipelines v2's, TFX's
// and KFP v1's.
const char* const kRunTypes[] = {"system.PipelineRun", "pipeline_run",
                                 "KfpRun"};

// Context types that group runs (a pipeline, or one step across runs) and
// hold every node of each: Kubeflow Pipelines v2's, and TFX's pipeline and
// node contexts. `runs delete` does not let them keep a deleted run's nodes.
const char* const kGroupingTypes[] = {"system.Pipeline", "pipeline", "node"};

// Per-run bookkeeping Kubeflow Pipelines keeps among an execution's custom
// properties; it differs between any two runs, so comparing it says
// nothing.
const std::set<std::string>& BookkeepingProperties() {
  static const auto* names = new std::set<std::string>{
      "display_name", "task_name",           "parent_dag_id",     "pod_name",
      "pod_uid",      "cached_execution_id", "cache_fingerprint", "namespace"};
  return *names;
}

struct RunsFlags {
  CommonFlags common;
  std::vector<std::string> run_types;
  // list
  std::string pipeline;
  int64_t limit = 0;
  // compare
  std::string run_a, run_b;
  // delete
  std::vector<std::string> runs;
  std::string older_than;
  std::vector<std::string> grouping_types;  // empty: kGroupingTypes
  bool dry_run = false;
  bool yes = false;
};

// The run context types to look for: --run-type, else those of kRunTypes
// the database has.
absl::StatusOr<std::vector<std::string>> RunTypes(MetadataSource& source,
                                                  const RunsFlags& flags) {
  if (!flags.run_types.empty()) return flags.run_types;
  mlmd::GetContextTypesResponse types;
  MLMDX_RETURN_IF_ERROR(source.GetContextTypes({}, &types));
  std::vector<std::string> present;
  for (const char* name : kRunTypes) {
    for (const auto& t : types.context_types()) {
      if (t.name() == name) present.push_back(name);
    }
  }
  return present;
}

std::string TypeFilter(const std::vector<std::string>& types) {
  std::vector<std::string> quoted;
  for (const auto& t : types) quoted.push_back(FilterQuote(t));
  return absl::StrCat("type IN (", absl::StrJoin(quoted, ", "), ")");
}

// Pages through GetExecutionsByContext / GetArtifactsByContext.
template <typename Request, typename Response, typename Node>
absl::Status ListByContext(
    MetadataSource& source, int64_t context_id,
    absl::Status (MetadataSource::*call)(const Request&, Response*),
    google::protobuf::RepeatedPtrField<Node>* (Response::*nodes)(),
    std::vector<Node>& out) {
  Request request;
  request.set_context_id(context_id);
  request.mutable_options()->set_max_result_size(100);
  while (true) {
    Response response;
    MLMDX_RETURN_IF_ERROR((source.*call)(request, &response));
    for (auto& node : *(response.*nodes)()) out.push_back(std::move(node));
    if (response.next_page_token().empty()) return absl::OkStatus();
    request.mutable_options()->set_next_page_token(response.next_page_token());
  }
}

absl::Status RunList(const RunsFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(
      Format format,
      ResolveFormat(flags.common, {Format::kTable, Format::kJson}));
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  MLMDX_ASSIGN_OR_RETURN(std::vector<std::string> run_types,
                         RunTypes(*source, flags));
  std::vector<mlmd::Context> runs;
  if (!run_types.empty()) {
    mlmd::GetContextsRequest request;
    std::string filter = TypeFilter(run_types);
    if (!flags.pipeline.empty()) {
      absl::StrAppend(&filter, " AND parent_contexts_a.name = ",
                      FilterQuote(flags.pipeline));
    }
    request.mutable_options()->set_filter_query(filter);
    request.mutable_options()->mutable_order_by_field()->set_field(
        mlmd::ListOperationOptions::OrderByField::ID);
    request.mutable_options()->mutable_order_by_field()->set_is_asc(true);
    ProgressLine progress("runs", flags.common.Progress());
    while (flags.limit == 0 ||
           static_cast<int64_t>(runs.size()) < flags.limit) {
      request.mutable_options()->set_max_result_size(100);
      mlmd::GetContextsResponse response;
      MLMDX_RETURN_IF_ERROR(source->GetContexts(request, &response));
      for (auto& c : *response.mutable_contexts()) {
        if (flags.limit > 0 &&
            static_cast<int64_t>(runs.size()) == flags.limit) {
          break;
        }
        runs.push_back(std::move(c));
      }
      progress.Update(runs.size());
      if (response.next_page_token().empty()) break;
      request.mutable_options()->set_next_page_token(
          response.next_page_token());
    }
  }
  if (runs.empty() && !flags.pipeline.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no run of a pipeline named ", flags.pipeline));
  }
  // Each run's pipeline: its parent context, all in one request.
  std::map<int64_t, std::vector<std::string>> pipelines;
  if (!runs.empty()) {
    mlmd::GetParentContextsByContextsRequest request;
    for (const auto& c : runs) request.add_context_ids(c.id());
    mlmd::GetParentContextsByContextsResponse response;
    MLMDX_RETURN_IF_ERROR(
        source->GetParentContextsByContexts(request, &response));
    for (const auto& [child, parents] : response.contexts()) {
      for (const auto& p : parents.parent_contexts()) {
        pipelines[child].push_back(p.name());
      }
    }
  }
  TypeCatalog types(*source);
  if (format == Format::kJson) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : runs) {
      MLMDX_ASSIGN_OR_RETURN(nlohmann::json json, ContextJson(c, types));
      json["pipelines"] = pipelines[c.id()];
      out.push_back(std::move(json));
    }
    return WriteStdout(out.dump(2) + "\n");
  }
  Table table({"ID", "NAME", "PIPELINE", "TYPE", "CREATED"});
  for (const auto& c : runs) {
    MLMDX_ASSIGN_OR_RETURN(std::string type, types.ContextType(c.type_id()));
    table.AddRow({absl::StrCat(c.id()), c.name(),
                  absl::StrJoin(pipelines[c.id()], ", "), type,
                  TimeText(c.create_time_since_epoch())});
  }
  table.Print(stdout, flags.common.Color());
  return absl::OkStatus();
}

// One run as the comparison needs it.
struct RunRecord {
  mlmd::Context context;
  // Steps by name, each an execution.
  std::map<std::string, mlmd::Execution> steps;
  std::map<int64_t, mlmd::Artifact> artifacts;
  std::map<int64_t, std::string> artifact_types;
  // Per execution: (INPUT|OUTPUT key, artifact id).
  std::map<int64_t, std::vector<std::pair<std::string, int64_t>>> io;
};

// A step's name: KFP's task_name (the root DAG has an empty one), else the
// execution's name, else its type.
std::string StepName(const mlmd::Execution& e, const std::string& type) {
  auto task = e.custom_properties().find("task_name");
  if (task != e.custom_properties().end()) {
    return task->second.string_value().empty() ? "(pipeline)"
                                               : task->second.string_value();
  }
  if (e.has_name() && !e.name().empty()) return e.name();
  return type;
}

absl::StatusOr<mlmd::Context> FindRun(MetadataSource& source,
                                      const std::string& name_or_id,
                                      const std::vector<std::string>& types) {
  int64_t id = 0;
  if (absl::SimpleAtoi(name_or_id, &id)) {
    mlmd::GetContextsByIDRequest request;
    request.add_context_ids(id);
    mlmd::GetContextsByIDResponse response;
    MLMDX_RETURN_IF_ERROR(source.GetContextsByID(request, &response));
    if (!response.contexts().empty()) return response.contexts(0);
  }
  if (!types.empty()) {
    mlmd::GetContextsRequest request;
    request.mutable_options()->set_filter_query(absl::StrCat(
        TypeFilter(types), " AND name = ", FilterQuote(name_or_id)));
    mlmd::GetContextsResponse response;
    MLMDX_RETURN_IF_ERROR(source.GetContexts(request, &response));
    if (response.contexts_size() > 1) {
      return UsageError(absl::StrCat(response.contexts_size(),
                                     " runs are named ", name_or_id,
                                     "; name one by id"));
    }
    if (response.contexts_size() == 1) return response.contexts(0);
  }
  return absl::NotFoundError(absl::StrCat("no run named ", name_or_id));
}

absl::StatusOr<RunRecord> LoadRun(MetadataSource& source, TypeCatalog& types,
                                  mlmd::Context context) {
  RunRecord run;
  run.context = std::move(context);
  std::vector<mlmd::Execution> executions;
  MLMDX_RETURN_IF_ERROR(ListByContext(
      source, run.context.id(), &MetadataSource::GetExecutionsByContext,
      &mlmd::GetExecutionsByContextResponse::mutable_executions, executions));
  mlmd::GetEventsByExecutionIDsRequest events_request;
  for (const auto& e : executions) {
    MLMDX_ASSIGN_OR_RETURN(std::string type, types.ExecutionType(e.type_id()));
    std::string step = StepName(e, type);
    // Two executions of one step (a retry): keep the latest.
    auto [it, added] = run.steps.emplace(step, e);
    if (!added && e.id() > it->second.id()) it->second = e;
    events_request.add_execution_ids(e.id());
  }
  mlmd::GetEventsByExecutionIDsResponse events;
  MLMDX_RETURN_IF_ERROR(
      source.GetEventsByExecutionIDs(events_request, &events));
  mlmd::GetArtifactsByIDRequest artifacts_request;
  std::set<int64_t> artifact_ids;
  for (const auto& e : events.events()) {
    const std::string key = absl::StrCat(
        IsOutputEvent(e.type()) ? "output " : "input ", EventPathText(e));
    run.io[e.execution_id()].emplace_back(key, e.artifact_id());
    if (artifact_ids.insert(e.artifact_id()).second) {
      artifacts_request.add_artifact_ids(e.artifact_id());
    }
  }
  if (!artifact_ids.empty()) {
    mlmd::GetArtifactsByIDResponse artifacts;
    MLMDX_RETURN_IF_ERROR(
        source.GetArtifactsByID(artifacts_request, &artifacts));
    for (const auto& a : artifacts.artifacts()) {
      run.artifacts[a.id()] = a;
      MLMDX_ASSIGN_OR_RETURN(run.artifact_types[a.id()],
                             types.ArtifactType(a.type_id()));
    }
  }
  return run;
}

struct Row {
  std::string step, field, a, b;
  bool differs = false;
};

struct Metric {
  std::string name;
  std::optional<double> a, b;
};

// KFP's metrics artifacts (system.Metrics, and TFX-style Metrics).
bool IsMetricsType(const std::string& type) {
  return type == "system.Metrics" || type == "Metrics";
}

std::vector<Row> CompareSteps(const RunRecord& a, const RunRecord& b) {
  // Steps in the order they ran: by the first execution id of either run.
  std::map<std::string, int64_t> first_id;
  for (const RunRecord* run : {&a, &b}) {
    for (const auto& [name, e] : run->steps) {
      auto [it, added] = first_id.emplace(name, e.id());
      if (!added) it->second = std::min(it->second, e.id());
    }
  }
  std::vector<std::pair<int64_t, std::string>> order;
  for (const auto& [name, id] : first_id) order.emplace_back(id, name);
  std::sort(order.begin(), order.end());
  std::vector<Row> rows;
  for (const auto& [unused_id, step] : order) {
    auto ea = a.steps.find(step);
    auto eb = b.steps.find(step);
    const bool has_a = ea != a.steps.end(), has_b = eb != b.steps.end();
    auto add = [&](std::string field, std::string va, std::string vb,
                   bool differs) {
      rows.push_back(
          {step, std::move(field), std::move(va), std::move(vb), differs});
    };
    add("execution", has_a ? absl::StrCat(ea->second.id()) : "-",
        has_b ? absl::StrCat(eb->second.id()) : "-", has_a != has_b);
    const std::string sa =
        has_a ? StateName(ea->second.last_known_state()) : "-";
    const std::string sb =
        has_b ? StateName(eb->second.last_known_state()) : "-";
    add("state", sa, sb, sa != sb);
    std::map<std::string, std::pair<std::string, std::string>> params;
    auto collect = [&](const mlmd::Execution& e, bool first) {
      for (auto& [name, value] :
           FlatProperties(e.properties(), e.custom_properties())) {
        if (BookkeepingProperties().count(name)) continue;
        auto& slot = params[name];
        (first ? slot.first : slot.second) = value;
      }
    };
    if (has_a) collect(ea->second, true);
    if (has_b) collect(eb->second, false);
    for (const auto& [name, values] : params) {
      add(name, values.first.empty() ? "-" : values.first,
          values.second.empty() ? "-" : values.second,
          values.first != values.second);
    }
    // Inputs and outputs by event path; "differs" means another artifact,
    // not merely another run's copy at another URI.
    std::map<std::string, std::pair<int64_t, int64_t>> io;
    if (has_a) {
      auto it = a.io.find(ea->second.id());
      if (it != a.io.end()) {
        for (const auto& [key, id] : it->second) io[key].first = id;
      }
    }
    if (has_b) {
      auto it = b.io.find(eb->second.id());
      if (it != b.io.end()) {
        for (const auto& [key, id] : it->second) io[key].second = id;
      }
    }
    auto describe = [](const RunRecord& run, int64_t id) {
      if (id == 0) return std::string("-");
      auto it = run.artifacts.find(id);
      return it == run.artifacts.end()
                 ? absl::StrCat("#", id)
                 : absl::StrCat("#", id, " ", it->second.uri());
    };
    for (const auto& [key, ids] : io) {
      const bool is_input = key.rfind("input", 0) == 0;
      add(key, describe(a, ids.first), describe(b, ids.second),
          is_input ? ids.first != ids.second
                   : (ids.first == 0) != (ids.second == 0));
    }
  }
  return rows;
}

// Numeric custom properties of the metrics artifacts each step output,
// "step/key property".
std::vector<Metric> CompareMetrics(const RunRecord& a, const RunRecord& b) {
  std::map<std::string, Metric> metrics;
  auto collect = [&metrics](const RunRecord& run, bool first) {
    for (const auto& [step, e] : run.steps) {
      auto io = run.io.find(e.id());
      if (io == run.io.end()) continue;
      for (const auto& [key, id] : io->second) {
        if (key.rfind("output", 0) != 0) continue;
        auto type = run.artifact_types.find(id);
        if (type == run.artifact_types.end() || !IsMetricsType(type->second)) {
          continue;
        }
        const mlmd::Artifact& artifact = run.artifacts.at(id);
        for (const auto* props :
             {&artifact.properties(), &artifact.custom_properties()}) {
          for (const auto& [name, value] : *props) {
            double number;
            if (value.has_double_value()) {
              number = value.double_value();
            } else if (value.has_int_value()) {
              number = static_cast<double>(value.int_value());
            } else {
              continue;
            }
            const std::string label =
                absl::StrCat(step, "/", key.substr(7), " ", name);
            Metric& m = metrics[label];
            m.name = label;
            (first ? m.a : m.b) = number;
          }
        }
      }
    }
  };
  collect(a, true);
  collect(b, false);
  std::vector<Metric> out;
  for (auto& [name, m] : metrics) out.push_back(std::move(m));
  return out;
}

std::string MetricText(const std::optional<double>& v) {
  return v.has_value() ? NumberText(*v) : "-";
}

// B - A with six significant digits, signed ("+0.03"); "-" if either is
// missing.
std::string DeltaText(const Metric& m) {
  if (!m.a || !m.b) return "-";
  const double delta = *m.b - *m.a;
  return delta == 0 ? "0" : absl::StrFormat("%+.6g", delta);
}

absl::Status RunCompare(const RunsFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(
      Format format, ResolveFormat(flags.common, {Format::kTable, Format::kJson,
                                                  Format::kMarkdown}));
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  MLMDX_ASSIGN_OR_RETURN(std::vector<std::string> run_types,
                         RunTypes(*source, flags));
  MLMDX_ASSIGN_OR_RETURN(mlmd::Context context_a,
                         FindRun(*source, flags.run_a, run_types));
  MLMDX_ASSIGN_OR_RETURN(mlmd::Context context_b,
                         FindRun(*source, flags.run_b, run_types));
  TypeCatalog types(*source);
  MLMDX_ASSIGN_OR_RETURN(RunRecord a,
                         LoadRun(*source, types, std::move(context_a)));
  MLMDX_ASSIGN_OR_RETURN(RunRecord b,
                         LoadRun(*source, types, std::move(context_b)));
  const std::vector<Row> rows = CompareSteps(a, b);
  const std::vector<Metric> metrics = CompareMetrics(a, b);
  const std::string name_a = a.context.name(), name_b = b.context.name();

  if (format == Format::kJson) {
    nlohmann::json out;
    MLMDX_ASSIGN_OR_RETURN(out["run_a"], ContextJson(a.context, types));
    MLMDX_ASSIGN_OR_RETURN(out["run_b"], ContextJson(b.context, types));
    out["steps"] = nlohmann::json::array();
    for (const Row& row : rows) {
      out["steps"].push_back({{"step", row.step},
                              {"field", row.field},
                              {"a", row.a},
                              {"b", row.b},
                              {"differs", row.differs}});
    }
    out["metrics"] = nlohmann::json::array();
    for (const Metric& m : metrics) {
      nlohmann::json json = {{"metric", m.name}};
      json["a"] = m.a ? nlohmann::json(*m.a) : nlohmann::json(nullptr);
      json["b"] = m.b ? nlohmann::json(*m.b) : nlohmann::json(nullptr);
      json["delta"] =
          (m.a && m.b) ? nlohmann::json(*m.b - *m.a) : nlohmann::json(nullptr);
      out["metrics"].push_back(std::move(json));
    }
    return WriteStdout(out.dump(2) + "\n");
  }
  if (format == Format::kMarkdown) {
    Report report(absl::StrCat("Runs ", name_a, " and ", name_b));
    report.Paragraph("Values that differ are in bold.");
    report.Heading("Steps");
    Report::Table& steps = report.AddTable({"step", "field", name_a, name_b});
    for (const Row& row : rows) {
      steps.rows.push_back({{row.step},
                            {row.field},
                            {row.a, row.differs},
                            {row.b, row.differs}});
    }
    report.Heading("Metrics");
    Report::Table& table = report.AddTable({"metric", name_a, name_b, "delta"});
    for (const Metric& m : metrics) {
      const bool differs = DeltaText(m) != "0";
      table.rows.push_back({{m.name},
                            {MetricText(m.a)},
                            {MetricText(m.b)},
                            {DeltaText(m), differs}});
    }
    return WriteStdout(report.Markdown());
  }
  const bool color = flags.common.Color();
  std::string head = absl::StrCat(Bold("A", color), ": ", name_a, " (",
                                  a.context.id(), ")   ", Bold("B", color),
                                  ": ", name_b, " (", b.context.id(), ")\n\n");
  MLMDX_RETURN_IF_ERROR(WriteStdout(head));
  Table table({"STEP", "FIELD", "A", "B", ""});
  for (const Row& row : rows) {
    table.AddRow({row.step, row.field, row.differs ? Red(row.a, color) : row.a,
                  row.differs ? Red(row.b, color) : row.b,
                  row.differs ? Red("*", color) : ""});
  }
  table.Print(stdout, color);
  if (!metrics.empty()) {
    MLMDX_RETURN_IF_ERROR(WriteStdout("\n"));
    Table metric_table({"METRIC", "A", "B", "DELTA"});
    for (const Metric& m : metrics) {
      const std::string delta = DeltaText(m);
      metric_table.AddRow(
          {m.name, MetricText(m.a), MetricText(m.b),
           delta == "0" || delta == "-"
               ? delta
               : (delta[0] == '+' ? Green(delta, color) : Red(delta, color))});
    }
    metric_table.Print(stdout, color);
  }
  return absl::OkStatus();
}

// "90d", "12h", "30m", "45s", "2w" as a duration.
absl::StatusOr<absl::Duration> ParseAge(const std::string& text) {
  int64_t count = 0;
  const absl::Duration unit = text.empty()         ? absl::ZeroDuration()
                              : text.back() == 's' ? absl::Seconds(1)
                              : text.back() == 'm' ? absl::Minutes(1)
                              : text.back() == 'h' ? absl::Hours(1)
                              : text.back() == 'd' ? absl::Hours(24)
                              : text.back() == 'w' ? absl::Hours(24 * 7)
                                                   : absl::ZeroDuration();
  if (unit == absl::ZeroDuration() ||
      !absl::SimpleAtoi(text.substr(0, text.size() - 1), &count) || count < 0) {
    return UsageError(absl::StrCat("--older-than ", text,
                                   ": expected a number and a unit of s, m, h, "
                                   "d or w, such as 90d"));
  }
  return unit * count;
}

// The runs `flags` names: each RUN, and with --older-than every run created
// before then. Ascending id, each once.
absl::StatusOr<std::vector<mlmd::Context>> SelectRuns(MetadataSource& source,
                                                      const RunsFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(std::vector<std::string> run_types,
                         RunTypes(source, flags));
  std::map<int64_t, mlmd::Context> selected;
  for (const std::string& run : flags.runs) {
    MLMDX_ASSIGN_OR_RETURN(mlmd::Context context,
                           FindRun(source, run, run_types));
    selected[context.id()] = std::move(context);
  }
  if (!flags.older_than.empty() && !run_types.empty()) {
    MLMDX_ASSIGN_OR_RETURN(absl::Duration age, ParseAge(flags.older_than));
    mlmd::GetContextsRequest request;
    request.mutable_options()->set_filter_query(
        absl::StrCat(TypeFilter(run_types), " AND create_time_since_epoch < ",
                     absl::ToUnixMillis(absl::Now() - age)));
    while (true) {
      request.mutable_options()->set_max_result_size(100);
      mlmd::GetContextsResponse response;
      MLMDX_RETURN_IF_ERROR(source.GetContexts(request, &response));
      for (auto& c : *response.mutable_contexts()) {
        selected[c.id()] = std::move(c);
      }
      if (response.next_page_token().empty()) break;
      request.mutable_options()->set_next_page_token(
          response.next_page_token());
    }
  }
  std::vector<mlmd::Context> runs;
  for (auto& [id, context] : selected) runs.push_back(std::move(context));
  return runs;
}

std::string IdList(const google::protobuf::RepeatedField<int64_t>& ids) {
  return ids.empty() ? "-" : absl::StrJoin(ids, " ");
}

absl::Status PrintDeleted(const ::mlmdx::DeleteContextsResponse& deleted,
                          bool dry_run, Format format, bool color) {
  if (format == Format::kJson) {
    nlohmann::json out;
    out["dry_run"] = dry_run;
    out["context_ids"] = std::vector<int64_t>(deleted.context_ids().begin(),
                                              deleted.context_ids().end());
    out["execution_ids"] = std::vector<int64_t>(deleted.execution_ids().begin(),
                                                deleted.execution_ids().end());
    out["artifact_ids"] = std::vector<int64_t>(deleted.artifact_ids().begin(),
                                               deleted.artifact_ids().end());
    return WriteStdout(out.dump(2) + "\n");
  }
  Table table({dry_run ? "WOULD DELETE" : "DELETED", "COUNT", "IDS"});
  table.AddRow({"contexts", absl::StrCat(deleted.context_ids_size()),
                IdList(deleted.context_ids())});
  table.AddRow({"executions", absl::StrCat(deleted.execution_ids_size()),
                IdList(deleted.execution_ids())});
  table.AddRow({"artifacts", absl::StrCat(deleted.artifact_ids_size()),
                IdList(deleted.artifact_ids())});
  table.Print(stdout, color);
  return absl::OkStatus();
}

// Asks on the terminal whether to delete what `plan` lists; true for yes.
bool Confirm(const std::vector<mlmd::Context>& runs,
             const ::mlmdx::DeleteContextsResponse& plan) {
  std::vector<std::string> names;
  for (const auto& run : runs) {
    names.push_back(absl::StrCat(run.name(), " (", run.id(), ")"));
  }
  std::cerr << "This deletes " << runs.size()
            << " run(s): " << absl::StrJoin(names, ", ") << "\nwith "
            << plan.execution_ids_size() << " execution(s) ["
            << IdList(plan.execution_ids()) << "] and "
            << plan.artifact_ids_size() << " artifact(s) ["
            << IdList(plan.artifact_ids())
            << "] that no other run holds.\nDelete? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

absl::Status RunDelete(const RunsFlags& flags) {
  if (flags.runs.empty() && flags.older_than.empty()) {
    return UsageError("name the runs to delete, or give --older-than");
  }
  if (!flags.common.source.db.empty()) {
    return UsageError(
        "runs delete needs a server (--server): --db opens the database "
        "read-only");
  }
  MLMDX_ASSIGN_OR_RETURN(
      Format format,
      ResolveFormat(flags.common, {Format::kTable, Format::kJson}));
  // Refused before anything is read: a script that forgot --yes learns it
  // at once, whatever it selected.
  const bool ask = !flags.dry_run && !flags.yes;
  if (ask && isatty(STDIN_FILENO) != 1) {
    return UsageError(
        "runs delete asks for confirmation, and stdin is not a terminal: "
        "pass --yes to delete without asking (or --dry-run to see what "
        "would go)");
  }
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags.common));
  MLMDX_ASSIGN_OR_RETURN(std::vector<mlmd::Context> runs,
                         SelectRuns(*source, flags));
  ::mlmdx::DeleteContextsResponse response;
  if (runs.empty()) {
    // Only --older-than selects nothing (a RUN that names none is
    // NOT_FOUND): a periodic clean-up with nothing to do succeeds.
    return PrintDeleted(response, flags.dry_run, format, flags.common.Color());
  }
  ::mlmdx::DeleteContextsRequest request;
  for (const auto& run : runs) request.add_context_ids(run.id());
  if (flags.grouping_types.empty()) {
    for (const char* type : kGroupingTypes) {
      request.add_weak_context_types(type);
    }
  }
  for (const std::string& type : flags.grouping_types) {
    if (type != "none") request.add_weak_context_types(type);
  }
  if (flags.dry_run || ask) {
    request.set_dry_run(true);
    MLMDX_RETURN_IF_ERROR(source->DeleteContexts(request, &response));
    if (flags.dry_run) {
      return PrintDeleted(response, true, format, flags.common.Color());
    }
    if (!Confirm(runs, response)) {
      return absl::CancelledError("not confirmed; nothing was deleted");
    }
    request.set_dry_run(false);
  }
  MLMDX_RETURN_IF_ERROR(source->DeleteContexts(request, &response));
  return PrintDeleted(response, false, format, flags.common.Color());
}

}  // namespace

void AddRunsVerb(CLI::App& app, VerbAction& action) {
  CLI::App* runs =
      app.add_subcommand("runs", "List, compare and delete pipeline runs");
  runs->require_subcommand(1);
  runs->footer(kExitCodesHelp);

  auto list_flags = std::make_shared<RunsFlags>();
  CLI::App* list = runs->add_subcommand("list", "Pipeline runs, oldest first");
  list->add_option("--pipeline", list_flags->pipeline,
                   "only runs of the pipeline with this name");
  list->add_option("--limit", list_flags->limit, "at most this many (0: all)")
      ->check(CLI::NonNegativeNumber);
  list->add_option("--run-type", list_flags->run_types,
                   "context types that are runs (default: those of "
                   "system.PipelineRun, pipeline_run, KfpRun in the database)");
  AddCommonFlags(*list, list_flags->common, "table, json");
  list->footer(absl::StrCat(
      "Example:\n  mlmdx runs list --pipeline three-step\n\n", kExitCodesHelp));
  list->callback([list_flags, &action] {
    action = [list_flags] { return RunList(*list_flags); };
  });

  auto compare_flags = std::make_shared<RunsFlags>();
  CLI::App* compare = runs->add_subcommand(
      "compare",
      "Two runs side by side: parameters, inputs, outputs, metrics with "
      "deltas; differences marked");
  compare->add_option("run_a", compare_flags->run_a, "run name or context id")
      ->required();
  compare->add_option("run_b", compare_flags->run_b, "run name or context id")
      ->required();
  compare->add_option("--run-type", compare_flags->run_types,
                      "context types that are runs");
  AddCommonFlags(*compare, compare_flags->common, "table, json, md");
  compare->footer(
      absl::StrCat("Examples:\n  mlmdx runs compare 3f0c1a2b 9d8e7f6a\n"
                   "  mlmdx runs compare 12 15 -o md > diff.md\n\n",
                   kExitCodesHelp));
  compare->callback([compare_flags, &action] {
    action = [compare_flags] { return RunCompare(*compare_flags); };
  });

  auto delete_flags = std::make_shared<RunsFlags>();
  CLI::App* remove = runs->add_subcommand(
      "delete",
      "Delete runs with the executions and artifacts no other run holds "
      "(asks first on a terminal)");
  remove->add_option("runs", delete_flags->runs, "run names or context ids");
  remove->add_option("--older-than", delete_flags->older_than,
                     "also every run created longer ago than this (90d, "
                     "12h, 2w)");
  remove->add_flag("--dry-run", delete_flags->dry_run,
                   "only list what would be deleted");
  remove->add_flag("--yes,-y", delete_flags->yes,
                   "delete without asking (needed when stdin is not a "
                   "terminal)");
  remove->add_option("--run-type", delete_flags->run_types,
                     "context types that are runs");
  remove->add_option(
      "--pipeline-type", delete_flags->grouping_types,
      "context types that group runs and do not keep a deleted run's nodes "
      "(default: system.Pipeline, pipeline, node; `none`: every context "
      "keeps what it holds)");
  AddCommonFlags(*remove, delete_flags->common, "table, json");
  remove->footer(
      absl::StrCat("Examples:\n  mlmdx runs delete run-b --dry-run\n"
                   "  mlmdx runs delete --older-than 90d --yes\n\n",
                   kExitCodesHelp));
  remove->callback([delete_flags, &action] {
    action = [delete_flags] { return RunDelete(*delete_flags); };
  });
}

}  // namespace mlmdx::cli
