#include "bench/pipeline_db.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "store/metadata_store.h"

namespace mlmdx::bench {

using ml_metadata::Artifact;
using ml_metadata::Event;

void Die(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::exit(1);
}

void Check(const absl::Status& status, const std::string& what) {
  if (!status.ok()) Die(absl::StrCat(what, ": ", status.ToString()));
}

namespace {

void AddEvent(ml_metadata::PutLineageSubgraphRequest& request, int execution,
              int artifact, Event::Type type, const char* key) {
  auto* edge = request.add_event_edges();
  edge->set_execution_index(execution);
  edge->set_artifact_index(artifact);
  edge->mutable_event()->set_type(type);
  edge->mutable_event()->mutable_path()->add_steps()->set_key(key);
}

}  // namespace

std::unique_ptr<store::MetadataStore> OpenGeneratorStore(
    const std::string& db) {
  store::StoreOptions options;
  if (absl::StartsWith(db, "postgresql://")) {
    options.postgres.emplace();
    options.postgres->conninfo = db;
  } else {
    options.sqlite.filename_uri = db;
    options.sqlite.synchronous = "OFF";
  }
  auto opened = store::MetadataStore::Open(options);
  Check(opened.status(), "open store");
  return *std::move(opened);
}

Graph GeneratePipelineDatabase(const std::string& db, int64_t size) {
  const std::unique_ptr<store::MetadataStore> opened = OpenGeneratorStore(db);
  store::MetadataStore& store = *opened;

  auto types_request = ml_metadata::PutTypesRequest();
  for (const char* name : {"system.Dataset", "system.Model", "system.Metrics",
                           "system.Artifact"}) {
    types_request.add_artifact_types()->set_name(name);
  }
  types_request.add_execution_types()->set_name("system.ContainerExecution");
  types_request.add_context_types()->set_name("system.PipelineRun");
  ml_metadata::PutTypesResponse types;
  Check(store.PutTypes(types_request, &types), "PutTypes");
  const int64_t dataset_type = types.artifact_type_ids(0);
  const int64_t model_type = types.artifact_type_ids(1);
  const int64_t metrics_type = types.artifact_type_ids(2);
  const int64_t logs_type = types.artifact_type_ids(3);
  const int64_t exec_type = types.execution_type_ids(0);
  const int64_t context_type = types.context_type_ids(0);

  const int64_t pipelines =
      std::max<int64_t>(1, size / (kRunsPerPipeline * kArtifactsPerRun));
  Graph graph;
  graph.models.assign(kRunsPerPipeline, std::vector<int64_t>(pipelines));
  graph.datasets.assign(kRunsPerPipeline, std::vector<int64_t>(pipelines));
  graph.sources.resize(pipelines);
  for (int64_t p = 0; p < pipelines; ++p) {
    (IsChained(p) ? graph.chained_pipelines : graph.ordinary_pipelines)
        .push_back(p);
  }
  std::vector<Artifact> sources(pipelines);
  std::vector<Artifact> last_model(pipelines);
  std::mt19937_64 random(1);

  // The pipelines' source datasets.
  for (int64_t p0 = 0; p0 < pipelines; p0 += 1000) {
    ml_metadata::PutLineageSubgraphRequest request;
    for (int64_t p = p0; p < std::min(pipelines, p0 + 1000); ++p) {
      auto* a = request.add_artifacts();
      a->set_type_id(dataset_type);
      a->set_uri(absl::StrCat("gs://data/source/", p));
      a->set_state(Artifact::LIVE);
    }
    ml_metadata::PutLineageSubgraphResponse response;
    Check(store.PutLineageSubgraph(request, &response), "sources");
    for (int i = 0; i < response.artifact_ids_size(); ++i) {
      sources[p0 + i] = request.artifacts(i);
      sources[p0 + i].set_id(response.artifact_ids(i));
      graph.sources[p0 + i] = response.artifact_ids(i);
    }
    graph.artifacts += response.artifact_ids_size();
  }

  for (int run = 0; run < kRunsPerPipeline; ++run) {
    for (int64_t p0 = 0; p0 < pipelines; p0 += kPipelinesPerBatch) {
      const int64_t p1 = std::min(pipelines, p0 + kPipelinesPerBatch);
      ml_metadata::PutLineageSubgraphRequest request;
      auto* context = request.add_contexts();
      context->set_type_id(context_type);
      context->set_name(absl::StrCat("run-", run, "-", p0));
      struct Slots {
        int model;
        int dataset;
      };
      std::vector<Slots> slots;
      for (int64_t p = p0; p < p1; ++p) {
        const std::string root = absl::StrCat("gs://runs/p", p, "/r", run, "/");
        const auto artifact = [&](int64_t type, const std::string& name) {
          auto* a = request.add_artifacts();
          a->set_type_id(type);
          a->set_uri(root + name);
          a->set_state(Artifact::LIVE);
          return request.artifacts_size() - 1;
        };
        const auto execution = [&](const char* task) {
          auto* e = request.add_executions();
          e->set_type_id(exec_type);
          e->set_last_known_state(ml_metadata::Execution::COMPLETE);
          (*e->mutable_custom_properties())["task_name"].set_string_value(task);
          return request.executions_size() - 1;
        };
        *request.add_artifacts() = sources[p];
        const int source = request.artifacts_size() - 1;
        const int preprocess = execution("preprocess");
        AddEvent(request, preprocess, source, Event::INPUT, "n_rows");
        const int dataset = artifact(dataset_type, "dataset");
        AddEvent(request, preprocess, dataset, Event::OUTPUT, "dataset");
        AddEvent(request, preprocess, artifact(logs_type, "logs1"),
                 Event::OUTPUT, "executor-logs");
        const int train = execution("train");
        AddEvent(request, train, dataset, Event::INPUT, "dataset");
        // The draw is made for every pipeline so that the others get the
        // same warm starts whatever the chained ones do.
        const bool warm_start = run > 0 && (random() % 10 != 0 || IsChained(p));
        if (warm_start) {
          *request.add_artifacts() = last_model[p];
          AddEvent(request, train, request.artifacts_size() - 1, Event::INPUT,
                   "warm_start");
        }
        const int model = artifact(model_type, "model");
        AddEvent(request, train, model, Event::OUTPUT, "model");
        AddEvent(request, train, artifact(logs_type, "logs2"), Event::OUTPUT,
                 "executor-logs");
        const int evaluate = execution("evaluate");
        AddEvent(request, evaluate, model, Event::INPUT, "model");
        AddEvent(request, evaluate, artifact(metrics_type, "metrics"),
                 Event::OUTPUT, "metrics");
        AddEvent(request, evaluate, artifact(logs_type, "logs3"), Event::OUTPUT,
                 "executor-logs");
        slots.push_back({model, dataset});
      }
      ml_metadata::PutLineageSubgraphResponse response;
      Check(store.PutLineageSubgraph(request, &response), "PutLineageSubgraph");
      for (int64_t p = p0; p < p1; ++p) {
        const Slots& s = slots[p - p0];
        last_model[p] = request.artifacts(s.model);
        last_model[p].set_id(response.artifact_ids(s.model));
        graph.models[run][p] = response.artifact_ids(s.model);
        graph.datasets[run][p] = response.artifact_ids(s.dataset);
      }
      graph.artifacts += (p1 - p0) * kArtifactsPerRun;
      graph.executions += response.execution_ids_size();
      graph.events += request.event_edges_size();
    }
  }
  return graph;
}

}  // namespace mlmdx::bench
