// Filtered, paged listings (ListOperationOptions.filter_query) on a store of
// N artifacts and N executions shaped the way TFX, KFP and the Kubeflow Model
// Registry write them, measured through gRPC against the real `mlmdx serve`.
//
// Two servers serve byte-identical data: "mlmdx" opens the database normally
// (mlmdx's own migration track adds its mlmdx_* indexes), "mlmd" opens a copy
// from which those indexes were dropped, started with
// MLMDX_BENCH_SKIP_MLMDX_TRACK=1, i.e. the database exactly as MLMD's schema
// leaves it. Benchmarks of the two alternate in one run.
//
// For every filter it measures the first page (20 rows) and a full paged walk
// (page sizes 20 and 100), prints each mean as a ratio of an unfiltered
// GetArtifacts first page measured on the same server in the same run, and
// prints `EXPLAIN QUERY PLAN` of the exact SQL the store runs (built by
// store::internal::BuildListQuery on each database file, first page and a
// next page).
//
// Usage:
//   mlmdx_listing_benchmark [--mlmdx_bench_sizes=100000] [benchmark flags]
// MLMDX_BENCH_SIZES is used when the flag is absent. One size per run (the
// last one given).

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/bench_sizes.h"
#include "bench/timed_loop.h"
#include "benchmark/benchmark.h"
#include "store/internal/list_query.h"
#include "store/sqlite_connection.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;
using ml_metadata::MetadataStoreService;
using Stub = MetadataStoreService::Stub;

constexpr int kNodesPerPipeline = 10;
constexpr int kArtifactsPerNodeRun = 10;
constexpr int kRunsPerBatch = 5;
constexpr int kDagsPerKfpRun = 5;
constexpr int kExecutionsPerKfpRun = 100;
constexpr int kVersionsPerModel = 10;
constexpr int kRuntimes = 20;

constexpr const char* kTfxNodes[kNodesPerPipeline] = {
    "ExampleGen", "StatisticsGen", "SchemaGen", "ExampleValidator", "Transform",
    "Trainer",    "Tuner",         "Evaluator", "InfraValidator",   "Pusher"};

void Check(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s failed: %s\n", std::string(what).c_str(),
               status.error_message().c_str());
  std::abort();
}

void Check(const absl::Status& status, absl::string_view what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s failed: %s\n", std::string(what).c_str(),
               status.ToString().c_str());
  std::abort();
}

template <typename Request, typename Response>
Response Call(Stub& stub,
              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                           Response*),
              const Request& request, absl::string_view what) {
  grpc::ClientContext context;
  Response response;
  Check((stub.*method)(&context, request, &response), what);
  return response;
}

int64_t PutType(Stub& stub, int kind, const std::string& name,
                const std::map<std::string, ml_metadata::PropertyType>& props) {
  if (kind == 0) {
    ml_metadata::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name(name);
    for (const auto& [key, type] : props) {
      (*request.mutable_artifact_type()->mutable_properties())[key] = type;
    }
    return Call(stub, &Stub::PutArtifactType, request, "PutArtifactType")
        .type_id();
  }
  if (kind == 1) {
    ml_metadata::PutExecutionTypeRequest request;
    request.mutable_execution_type()->set_name(name);
    for (const auto& [key, type] : props) {
      (*request.mutable_execution_type()->mutable_properties())[key] = type;
    }
    return Call(stub, &Stub::PutExecutionType, request, "PutExecutionType")
        .type_id();
  }
  ml_metadata::PutContextTypeRequest request;
  request.mutable_context_type()->set_name(name);
  for (const auto& [key, type] : props) {
    (*request.mutable_context_type()->mutable_properties())[key] = type;
  }
  return Call(stub, &Stub::PutContextType, request, "PutContextType").type_id();
}

std::vector<int64_t> PutContexts(Stub& stub,
                                 const std::vector<ml_metadata::Context>& all) {
  std::vector<int64_t> ids;
  constexpr size_t kBatch = 500;
  for (size_t done = 0; done < all.size(); done += kBatch) {
    ml_metadata::PutContextsRequest request;
    for (size_t i = done; i < std::min(all.size(), done + kBatch); ++i) {
      *request.add_contexts() = all[i];
    }
    const auto response =
        Call(stub, &Stub::PutContexts, request, "PutContexts");
    ids.insert(ids.end(), response.context_ids().begin(),
               response.context_ids().end());
  }
  return ids;
}

ml_metadata::Context NewContext(int64_t type_id, std::string name) {
  ml_metadata::Context context;
  context.set_type_id(type_id);
  context.set_name(std::move(name));
  return context;
}

// What the benchmarks need to know about the populated data.
struct Data {
  int64_t size = 0;
  std::string trainer_node;  // a TFX node context name
  std::string some_run;      // a TFX pipeline_run context name
  std::string some_uri;      // an artifact uri
  int64_t recent_time = 0;   // last_update_time of the newest 5% artifacts
  int64_t kfp_run_id = 0;    // a KFP run context
  int64_t kfp_dag_id = 0;    // a sub-DAG execution of that run
  int64_t registered_model_id = 0;
  std::string runtime;  // an InferenceService runtime
};

// Writes the data set through `stub` (a server on a fresh database).
Data Populate(Stub& stub, int64_t size) {
  Data data;
  data.size = size;
  // TFX.
  const int64_t examples_type = PutType(stub, 0, "Examples",
                                        {{"span", ml_metadata::INT},
                                         {"split_names", ml_metadata::STRING},
                                         {"version", ml_metadata::INT}});
  const int64_t pipeline_type = PutType(stub, 2, "pipeline", {});
  const int64_t run_type = PutType(stub, 2, "pipeline_run", {});
  const int64_t node_type = PutType(stub, 2, "node", {});
  const int64_t pipeline_id =
      PutContexts(stub, {NewContext(pipeline_type, "tfx_pipeline")})[0];
  std::vector<ml_metadata::Context> nodes;
  for (const char* node : kTfxNodes) {
    nodes.push_back(NewContext(node_type, absl::StrCat("tfx_pipeline.", node)));
  }
  const std::vector<int64_t> node_ids = PutContexts(stub, nodes);
  data.trainer_node = "tfx_pipeline.Trainer";
  const int64_t per_run = kNodesPerPipeline * kArtifactsPerNodeRun;
  const int64_t runs = std::max<int64_t>(1, size / per_run);
  data.some_run = absl::StrCat("run-", runs / 2);
  data.some_uri = absl::StrCat("/tfx/Trainer/", runs / 2, "/3");
  for (int64_t first = 0; first < runs; first += kRunsPerBatch) {
    const int64_t last = std::min(runs, first + kRunsPerBatch);
    std::vector<ml_metadata::Context> run_contexts;
    for (int64_t r = first; r < last; ++r) {
      run_contexts.push_back(NewContext(run_type, absl::StrCat("run-", r)));
    }
    const std::vector<int64_t> run_ids = PutContexts(stub, run_contexts);
    ml_metadata::PutArtifactsRequest artifacts;
    for (int64_t r = first; r < last; ++r) {
      for (int n = 0; n < kNodesPerPipeline; ++n) {
        for (int k = 0; k < kArtifactsPerNodeRun; ++k) {
          ml_metadata::Artifact& a = *artifacts.add_artifacts();
          a.set_type_id(examples_type);
          a.set_uri(absl::StrCat("/tfx/", kTfxNodes[n], "/", r, "/", k));
          // Older runs' outputs were garbage-collected by TFX.
          a.set_state(r < runs / 5 && k % 2 == 0
                          ? ml_metadata::Artifact::DELETED
                          : ml_metadata::Artifact::LIVE);
          (*a.mutable_properties())["span"].set_int_value(r);
          (*a.mutable_properties())["split_names"].set_string_value(
              "[\"train\", \"eval\"]");
          (*a.mutable_properties())["version"].set_int_value(k);
          (*a.mutable_custom_properties())["tfx_version"].set_string_value(
              "1.14.0");
        }
      }
    }
    const auto ids = Call(stub, &Stub::PutArtifacts, artifacts, "PutArtifacts");
    ml_metadata::PutAttributionsAndAssociationsRequest links;
    int i = 0;
    for (int64_t r = first; r < last; ++r) {
      for (int n = 0; n < kNodesPerPipeline; ++n) {
        for (int k = 0; k < kArtifactsPerNodeRun; ++k, ++i) {
          for (int64_t context :
               {pipeline_id, run_ids[r - first], node_ids[n]}) {
            auto& attribution = *links.add_attributions();
            attribution.set_artifact_id(ids.artifact_ids(i));
            attribution.set_context_id(context);
          }
        }
      }
    }
    Call(stub, &Stub::PutAttributionsAndAssociations, links,
         "PutAttributionsAndAssociations");
  }
  {
    ml_metadata::GetArtifactsByIDRequest request;
    request.add_artifact_ids(std::max<int64_t>(1, runs * per_run * 95 / 100));
    data.recent_time =
        Call(stub, &Stub::GetArtifactsByID, request, "GetArtifactsByID")
            .artifacts(0)
            .last_update_time_since_epoch();
  }

  // KFP: per run one root DAG, sub-DAGs under it, tasks under the DAGs.
  const int64_t kfp_run_type = PutType(stub, 2, "system.PipelineRun", {});
  const int64_t dag_type = PutType(stub, 1, "system.DAGExecution", {});
  const int64_t task_type = PutType(stub, 1, "system.ContainerExecution", {});
  const int64_t kfp_runs = std::max<int64_t>(1, size / kExecutionsPerKfpRun);
  for (int64_t first = 0; first < kfp_runs; first += kRunsPerBatch) {
    const int64_t last = std::min(kfp_runs, first + kRunsPerBatch);
    std::vector<ml_metadata::Context> run_contexts;
    for (int64_t r = first; r < last; ++r) {
      run_contexts.push_back(
          NewContext(kfp_run_type, absl::StrCat("kfp-run-", r)));
    }
    const std::vector<int64_t> run_ids = PutContexts(stub, run_contexts);
    ml_metadata::PutAttributionsAndAssociationsRequest links;
    auto associate = [&](int64_t execution, int64_t context) {
      auto& association = *links.add_associations();
      association.set_execution_id(execution);
      association.set_context_id(context);
    };
    auto execution = [](int64_t type, const std::string& name, int64_t parent) {
      ml_metadata::Execution e;
      e.set_type_id(type);
      e.set_last_known_state(ml_metadata::Execution::COMPLETE);
      (*e.mutable_custom_properties())["task_name"].set_string_value(name);
      (*e.mutable_custom_properties())["display_name"].set_string_value(name);
      if (parent > 0) {
        (*e.mutable_custom_properties())["parent_dag_id"].set_int_value(parent);
      }
      return e;
    };
    // Roots first: their ids are the sub-DAGs' parent_dag_id.
    ml_metadata::PutExecutionsRequest roots;
    for (int64_t r = first; r < last; ++r) {
      *roots.add_executions() = execution(dag_type, "root", 0);
    }
    const auto root_ids =
        Call(stub, &Stub::PutExecutions, roots, "PutExecutions");
    ml_metadata::PutExecutionsRequest sub_dags;
    for (int64_t r = first; r < last; ++r) {
      for (int d = 1; d < kDagsPerKfpRun; ++d) {
        *sub_dags.add_executions() =
            execution(dag_type, absl::StrCat("dag-", d),
                      root_ids.execution_ids(r - first));
      }
    }
    const auto sub_dag_ids =
        Call(stub, &Stub::PutExecutions, sub_dags, "PutExecutions");
    ml_metadata::PutExecutionsRequest tasks;
    for (int64_t r = first; r < last; ++r) {
      std::vector<int64_t> dags = {root_ids.execution_ids(r - first)};
      for (int d = 1; d < kDagsPerKfpRun; ++d) {
        dags.push_back(sub_dag_ids.execution_ids(
            (r - first) * (kDagsPerKfpRun - 1) + d - 1));
      }
      for (int t = kDagsPerKfpRun; t < kExecutionsPerKfpRun; ++t) {
        *tasks.add_executions() = execution(task_type, absl::StrCat("task-", t),
                                            dags[t % kDagsPerKfpRun]);
      }
      for (int64_t dag : dags) associate(dag, run_ids[r - first]);
      if (r == kfp_runs / 2) {
        data.kfp_run_id = run_ids[r - first];
        data.kfp_dag_id = dags[2];
      }
    }
    const auto task_ids =
        Call(stub, &Stub::PutExecutions, tasks, "PutExecutions");
    const int per = kExecutionsPerKfpRun - kDagsPerKfpRun;
    for (int i = 0; i < task_ids.execution_ids_size(); ++i) {
      associate(task_ids.execution_ids(i), run_ids[i / per]);
    }
    Call(stub, &Stub::PutAttributionsAndAssociations, links,
         "PutAttributionsAndAssociations");
  }

  // Model Registry: registered models with versions (child contexts), and
  // inference services with a runtime, children of serving environments.
  const int64_t model_type = PutType(stub, 2, "kf.RegisteredModel",
                                     {{"description", ml_metadata::STRING}});
  const int64_t version_type =
      PutType(stub, 2, "kf.ModelVersion", {{"author", ml_metadata::STRING}});
  const int64_t environment_type =
      PutType(stub, 2, "kf.ServingEnvironment", {});
  const int64_t service_type =
      PutType(stub, 2, "kf.InferenceService",
              {{"runtime", ml_metadata::STRING},
               {"desired_state", ml_metadata::STRING}});
  const int64_t models = std::max<int64_t>(1, size / 100);
  std::vector<ml_metadata::Context> model_contexts;
  for (int64_t m = 0; m < models; ++m) {
    model_contexts.push_back(NewContext(model_type, absl::StrCat("model-", m)));
  }
  const std::vector<int64_t> model_ids = PutContexts(stub, model_contexts);
  data.registered_model_id = model_ids[models / 2];
  std::vector<ml_metadata::Context> versions;
  for (int64_t m = 0; m < models; ++m) {
    for (int v = 0; v < kVersionsPerModel; ++v) {
      ml_metadata::Context c =
          NewContext(version_type, absl::StrCat(model_ids[m], ":v", v));
      (*c.mutable_properties())["author"].set_string_value("bench");
      versions.push_back(std::move(c));
    }
  }
  const std::vector<int64_t> version_ids = PutContexts(stub, versions);
  std::vector<ml_metadata::Context> environments;
  for (int e = 0; e < 10; ++e) {
    environments.push_back(
        NewContext(environment_type, absl::StrCat("env-", e)));
  }
  const std::vector<int64_t> environment_ids = PutContexts(stub, environments);
  std::vector<ml_metadata::Context> services;
  for (int64_t s = 0; s < models; ++s) {
    ml_metadata::Context c = NewContext(
        service_type, absl::StrCat(environment_ids[s % 10], ":svc-", s));
    (*c.mutable_properties())["runtime"].set_string_value(
        absl::StrCat("runtime-", s % kRuntimes));
    (*c.mutable_properties())["desired_state"].set_string_value("DEPLOYED");
    services.push_back(std::move(c));
  }
  const std::vector<int64_t> service_ids = PutContexts(stub, services);
  data.runtime = "runtime-3";
  ml_metadata::PutParentContextsRequest parents;
  auto add_parent = [&](int64_t child, int64_t parent) {
    auto& link = *parents.add_parent_contexts();
    link.set_child_id(child);
    link.set_parent_id(parent);
  };
  for (size_t i = 0; i < version_ids.size(); ++i) {
    add_parent(version_ids[i], model_ids[i / kVersionsPerModel]);
  }
  for (size_t i = 0; i < service_ids.size(); ++i) {
    add_parent(service_ids[i], environment_ids[i % 10]);
  }
  Call(stub, &Stub::PutParentContexts, parents, "PutParentContexts");
  return data;
}

// One filtered listing: which RPC, its scope and filter.
struct Listing {
  std::string name;
  enum class Rpc { kArtifacts, kExecutionsByContext, kContextsByType } rpc;
  int64_t context_id = 0;
  std::string type_name;
  int64_t type_id = 0;  // for the plan of kContextsByType
  std::string filter;
};

// One server over one database file.
struct Variant {
  std::string name;
  std::unique_ptr<testing::TestServer> server;
  std::unique_ptr<Stub> stub;
};

struct World {
  Data data;
  std::vector<Listing> listings;
  std::vector<Variant> variants;
  std::string scratch_dir;
};

World*& TheWorld() {
  static World* world = nullptr;
  return world;
}

// One page; returns the next page token ("" at the end) and counts rows.
std::string Page(Stub& stub, const Listing& listing, int page_size,
                 const std::string& token, int64_t* rows) {
  ml_metadata::ListOperationOptions options;
  options.set_max_result_size(page_size);
  options.set_filter_query(listing.filter);
  if (!token.empty()) options.set_next_page_token(token);
  switch (listing.rpc) {
    case Listing::Rpc::kArtifacts: {
      ml_metadata::GetArtifactsRequest request;
      *request.mutable_options() = options;
      const auto response =
          Call(stub, &Stub::GetArtifacts, request, listing.name);
      *rows += response.artifacts_size();
      return response.next_page_token();
    }
    case Listing::Rpc::kExecutionsByContext: {
      ml_metadata::GetExecutionsByContextRequest request;
      request.set_context_id(listing.context_id);
      *request.mutable_options() = options;
      const auto response =
          Call(stub, &Stub::GetExecutionsByContext, request, listing.name);
      *rows += response.executions_size();
      return response.next_page_token();
    }
    case Listing::Rpc::kContextsByType: {
      ml_metadata::GetContextsByTypeRequest request;
      request.set_type_name(listing.type_name);
      *request.mutable_options() = options;
      const auto response =
          Call(stub, &Stub::GetContextsByType, request, listing.name);
      *rows += response.contexts_size();
      return response.next_page_token();
    }
  }
  std::abort();
}

int64_t Walk(Stub& stub, const Listing& listing, int page_size) {
  int64_t rows = 0;
  std::string token;
  do {
    token = Page(stub, listing, page_size, token, &rows);
  } while (!token.empty());
  return rows;
}

std::vector<Listing> MakeListings(const Data& data, Stub& stub) {
  ml_metadata::GetContextTypeRequest type_request;
  type_request.set_type_name("kf.ModelVersion");
  const int64_t version_type =
      Call(stub, &Stub::GetContextType, type_request, "GetContextType")
          .context_type()
          .id();
  type_request.set_type_name("kf.InferenceService");
  const int64_t service_type =
      Call(stub, &Stub::GetContextType, type_request, "GetContextType")
          .context_type()
          .id();
  const std::string node =
      absl::StrCat("contexts_0.type = \"node\" AND contexts_0.name = \"",
                   data.trainer_node, "\"");
  const std::string since = absl::StrCat(
      "state IN (LIVE) AND last_update_time_since_epoch >= ", data.recent_time);
  type_request.set_type_name("pipeline_run");
  const int64_t run_type =
      Call(stub, &Stub::GetContextType, type_request, "GetContextType")
          .context_type()
          .id();
  type_request.set_type_name("system.PipelineRun");
  const int64_t kfp_run_type =
      Call(stub, &Stub::GetContextType, type_request, "GetContextType")
          .context_type()
          .id();
  return {
      {"unfiltered", Listing::Rpc::kArtifacts, 0, "", 0, ""},
      {"tfx_node", Listing::Rpc::kArtifacts, 0, "", 0, node},
      {"tfx_node_run", Listing::Rpc::kArtifacts, 0, "", 0,
       absl::StrCat(node,
                    " AND contexts_1.type = \"pipeline_run\" AND "
                    "contexts_1.name = \"",
                    data.some_run, "\"")},
      {"tfx_live_since", Listing::Rpc::kArtifacts, 0, "", 0, since},
      {"tfx_node_live_since", Listing::Rpc::kArtifacts, 0, "", 0,
       absl::StrCat(node, " AND ", since)},
      {"tfx_uri_in_node", Listing::Rpc::kArtifacts, 0, "", 0,
       absl::StrCat("uri = \"", data.some_uri,
                    "\" AND contexts_0.type = \"node\"")},
      {"tfx_run_of_uri", Listing::Rpc::kContextsByType, 0, "pipeline_run",
       run_type, absl::StrCat("artifacts_0.uri = \"", data.some_uri, "\"")},
      {"kfp_parent_dag", Listing::Rpc::kExecutionsByContext, data.kfp_run_id,
       "", 0,
       absl::StrCat("custom_properties.parent_dag_id.int_value = ",
                    data.kfp_dag_id)},
      {"kfp_run_of_execution", Listing::Rpc::kContextsByType, 0,
       "system.PipelineRun", kfp_run_type,
       absl::StrCat("executions_0.id = ", data.kfp_dag_id)},
      {"mr_version_by_name", Listing::Rpc::kContextsByType, 0,
       "kf.ModelVersion", version_type,
       absl::StrCat("name = \"", data.registered_model_id, ":v3\"")},
      {"mr_versions_of_model", Listing::Rpc::kContextsByType, 0,
       "kf.ModelVersion", version_type,
       absl::StrCat("parent_contexts_a.id = ", data.registered_model_id)},
      {"mr_services_by_runtime", Listing::Rpc::kContextsByType, 0,
       "kf.InferenceService", service_type,
       absl::StrCat("properties.runtime.string_value = \"", data.runtime,
                    "\"")},
  };
}

// EXPLAIN QUERY PLAN of the SQL the store runs for `listing`, as indented
// lines.
std::string Plan(store::Connection& conn, const Listing& listing,
                 const std::string& token) {
  namespace si = store::internal;
  ml_metadata::ListOperationOptions options;
  options.set_max_result_size(20);
  options.set_filter_query(listing.filter);
  if (!token.empty()) options.set_next_page_token(token);
  absl::StatusOr<si::ListQuery> query;
  switch (listing.rpc) {
    case Listing::Rpc::kArtifacts:
      query = si::BuildListQuery<ml_metadata::Artifact>(
          options, {}, mlmdx::store::Dialect::kSqlite);
      break;
    case Listing::Rpc::kExecutionsByContext:
      query = si::BuildListQuery<ml_metadata::Execution>(
          options, {si::ListScope::Kind::kContext, listing.context_id},
          mlmdx::store::Dialect::kSqlite);
      break;
    case Listing::Rpc::kContextsByType:
      query = si::BuildListQuery<ml_metadata::Context>(
          options, {si::ListScope::Kind::kType, listing.type_id},
          mlmdx::store::Dialect::kSqlite);
      break;
  }
  Check(query.status(), "BuildListQuery");
  const auto rows = conn.Query(absl::StrCat("EXPLAIN QUERY PLAN ", query->sql),
                               query->params);
  Check(rows.status(), "EXPLAIN QUERY PLAN");
  // Columns: id, parent, notused, detail. Indent by depth.
  std::map<int64_t, int> depth;
  std::string out;
  for (const auto& row : rows->rows) {
    const int d = depth.count(row[1].AsInt()) ? depth[row[1].AsInt()] + 1 : 0;
    depth[row[0].AsInt()] = d;
    absl::StrAppend(&out, "    ", std::string(2 * d, ' '), row[3].AsString(),
                    "\n");
  }
  return out;
}

void PrintPlans(const World& world) {
  std::printf("\nSQL and EXPLAIN QUERY PLAN per filter (page size 20):\n");
  for (const Variant& variant : world.variants) {
    store::SqliteOptions options;
    options.filename_uri = variant.server->db_path();
    options.read_only = true;
    auto conn = store::SqliteConnection::Open(options);
    Check(conn.status(), "open for EXPLAIN");
    for (const Listing& listing : world.listings) {
      int64_t rows = 0;
      const std::string token = Page(*variant.stub, listing, 20, "", &rows);
      std::printf("\n[%s] %s: %s\n  first page:\n%s", variant.name.c_str(),
                  listing.name.c_str(), listing.filter.c_str(),
                  Plan(**conn, listing, "").c_str());
      if (!token.empty()) {
        std::printf("  next page:\n%s", Plan(**conn, listing, token).c_str());
      }
    }
  }
  if (!world.listings.empty()) {
    namespace si = store::internal;
    ml_metadata::ListOperationOptions options;
    options.set_max_result_size(20);
    options.set_filter_query(world.listings[1].filter);
    const auto query = si::BuildListQuery<ml_metadata::Artifact>(
        options, {}, mlmdx::store::Dialect::kSqlite);
    Check(query.status(), "BuildListQuery");
    std::printf("\nExample SQL (%s):\n  %s\n", world.listings[1].name.c_str(),
                query->sql.c_str());
  }
}

// Populates once, then copies the file for the "mlmd" variant.
void BuildWorld(int64_t size) {
  auto* world = new World();
  TheWorld() = world;
  const auto start = Clock::now();
  Variant indexed{"mlmdx", std::make_unique<testing::TestServer>(), nullptr};
  Check(indexed.server->Start(), "start");
  indexed.stub = indexed.server->NewStub();
  world->data = Populate(*indexed.stub, size);
  world->listings = MakeListings(world->data, *indexed.stub);
  indexed.stub.reset();
  indexed.server->Stop();  // checkpoints the WAL into the file
  std::fprintf(stderr, "populated %lld artifacts and executions in %.1f s\n",
               static_cast<long long>(size),
               std::chrono::duration<double>(Clock::now() - start).count());

  const std::string copy = indexed.server->db_path() + ".mlmd";
  std::filesystem::copy_file(indexed.server->db_path(), copy);
  if (std::filesystem::exists(indexed.server->db_path() + "-wal")) {
    std::filesystem::copy_file(indexed.server->db_path() + "-wal",
                               copy + "-wal");
  }
  {
    store::SqliteOptions options;
    options.filename_uri = copy;
    auto conn = store::SqliteConnection::Open(options);
    Check(conn.status(), "open copy");
    const auto indexes = (*conn)->Query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE "
        "'mlmdx\\_%' ESCAPE '\\'",
        {});
    Check(indexes.status(), "list mlmdx indexes");
    for (const auto& row : indexes->rows) {
      Check((*conn)->ExecuteScript(
                absl::StrCat("DROP INDEX ", row[0].AsString(), ";")),
            "DROP INDEX");
    }
    Check((*conn)->ExecuteScript("DROP TABLE IF EXISTS mlmdx_schema;"),
          "DROP TABLE mlmdx_schema");
  }
  Variant plain{"mlmd", std::make_unique<testing::TestServer>(copy), nullptr};
  setenv("MLMDX_BENCH_SKIP_MLMDX_TRACK", "1", 1);
  Check(plain.server->Start(), "start mlmd variant");
  unsetenv("MLMDX_BENCH_SKIP_MLMDX_TRACK");
  plain.stub = plain.server->NewStub();
  Check(indexed.server->Start(), "restart mlmdx variant");
  indexed.stub = indexed.server->NewStub();
  world->variants.push_back(std::move(indexed));
  world->variants.push_back(std::move(plain));
}

std::map<std::string, double>& MeanMicros() {
  static auto* means = new std::map<std::string, double>();
  return *means;
}

// Runs `call` once per iteration; reports mean and p50 in microseconds.
template <typename Fn>
void Measure(benchmark::State& state, const std::string& key, Fn call) {
  std::vector<double> micros = TimedLoop(state, call);
  if (micros.empty()) return;
  double total = 0;
  for (double m : micros) total += m;
  std::sort(micros.begin(), micros.end());
  state.counters["mean_us"] = total / micros.size();
  state.counters["p50_us"] = micros[micros.size() / 2];
  MeanMicros()[key] = total / micros.size();
}

// page_size 0: first page of 20; else a full walk with that page size.
void BM_Listing(benchmark::State& state, int variant, int listing,
                int page_size) {
  World& world = *TheWorld();
  Stub& stub = *world.variants[variant].stub;
  const Listing& l = world.listings[listing];
  int64_t rows = 0;
  const std::string key =
      absl::StrCat(l.name, page_size == 0 ? " first page" : " walk/",
                   page_size == 0 ? "" : absl::StrCat(page_size), " [",
                   world.variants[variant].name, "]");
  Measure(state, key, [&] {
    rows = 0;
    if (page_size == 0) {
      Page(stub, l, 20, "", &rows);
    } else {
      rows = Walk(stub, l, page_size);
    }
  });
  state.counters["rows"] = static_cast<double>(rows);
}

// The store size: the last of --mlmdx_bench_sizes / MLMDX_BENCH_SIZES.
int64_t TakeSize(int* argc, char** argv) {
  return TakeBenchSizes(argc, argv, "100000", 1000).back();
}

void PrintRatios(const World& world) {
  std::printf(
      "\nMean latency relative to an unfiltered GetArtifacts first page "
      "(same server, same run):\n");
  for (const Variant& variant : world.variants) {
    const std::string suffix = absl::StrCat(" [", variant.name, "]");
    const auto baseline =
        MeanMicros().find(absl::StrCat("unfiltered first page", suffix));
    if (baseline == MeanMicros().end()) continue;
    for (const auto& [key, mean] : MeanMicros()) {
      if (!absl::EndsWith(key, suffix)) continue;
      std::printf("  %-48s %11.1f us  %8.2fx\n", key.c_str(), mean,
                  mean / baseline->second);
    }
  }
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  const int64_t size = TakeSize(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  BuildWorld(size);
  World& world = *TheWorld();
  for (size_t l = 0; l < world.listings.size(); ++l) {
    for (int page_size : {0, 20, 100}) {
      if (l == 0 && page_size != 0) continue;  // no walk of everything
      for (size_t v = 0; v < world.variants.size(); ++v) {
        const std::string name = absl::StrCat(
            "BM_", world.listings[l].name, "/",
            page_size == 0 ? "first_page" : absl::StrCat("walk", page_size),
            "/", world.variants[v].name);
        benchmark::RegisterBenchmark(name.c_str(), BM_Listing, v, l, page_size)
            ->UseRealTime();
      }
    }
  }
  // Warm both servers (connections, statement caches) before measuring.
  for (const Variant& variant : world.variants) {
    for (const Listing& listing : world.listings) {
      int64_t rows = 0;
      Page(*variant.stub, listing, 20, "", &rows);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  PrintRatios(world);
  PrintPlans(world);
  // The "mlmd" copy lives in the "mlmdx" server's directory: stop it first.
  world.variants.pop_back();
  world.variants.clear();
  return 0;
}
