// GetLineageSubgraph through the real `mlmdx serve` (in-memory lineage index)
// against the SQL-per-hop baseline of MLMD (tests/sql_lineage_baseline.h,
// spec/lineage.md §2.8), on pipeline-shaped databases of N artifacts.
//
// Generator (in-process, store::MetadataStore::PutLineageSubgraph in
// batches, synchronous=OFF): pipelines of kRunsPerPipeline KFP-like runs
// (workloads/kfp_run.md: preprocess -> dataset, train -> model, evaluate ->
// metrics, each task also writing an executor-logs artifact; events carry a
// path step). Every run's preprocess reads its pipeline's source dataset
// (fan-out), and nine trains in ten warm-start from the previous run's model
// (a chain across runs). Runs of different pipelines are interleaved in id
// order, as concurrent pipelines are. Larger N means more pipelines, not
// deeper ones, so answers have the same size at every N and the growth
// figure measures the cost of the database size alone.
//
// Measured, per size: server start-up (wall time from fork to serving, and
// the index build time and memory its log reports; server RSS), then for
// upstream-from-model and downstream-from-dataset at 2, 10 and unset (100)
// hops: p50/p90 of the gRPC call (read_mask artifacts, executions, events:
// full events with paths) and of the baseline. The baseline runs in-process
// over the same file with the sqlite3 C API: no RPC, no serialization, no
// network — which flatters it; MLMD adds all of these. Both answers are
// compared (artifact ids, execution ids, events in order). "+RTT" adds the
// p50 of a bare gRPC round trip to the baseline: the least an MLMD server
// doing the same SQL would cost a client.
//
// Usage:
//   mlmdx_lineage_rpc_benchmark [--sizes=10000,100000[,1000000]]
//                               [--queries=100] [--keep_db_dir=DIR]

#include <grpcpp/grpcpp.h>
#include <stdlib.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "store/metadata_store.h"
#include "tests/sql_lineage_baseline.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;
using ml_metadata::Artifact;
using ml_metadata::Event;
using ml_metadata::LineageSubgraphQueryOptions;

constexpr int kRunsPerPipeline = 50;
constexpr int kArtifactsPerRun = 6;
constexpr int kPipelinesPerBatch = 100;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void Die(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::exit(1);
}

void Check(const absl::Status& status, const std::string& what) {
  if (!status.ok()) Die(absl::StrCat(what, ": ", status.ToString()));
}

// Ids of the artifacts queries start from.
struct Graph {
  int64_t artifacts = 0;
  int64_t executions = 0;
  int64_t events = 0;
  // models_[run][pipeline], datasets_[run][pipeline]
  std::vector<std::vector<int64_t>> models;
  std::vector<std::vector<int64_t>> datasets;
};

void AddEvent(ml_metadata::PutLineageSubgraphRequest& request, int execution,
              int artifact, Event::Type type, const char* key) {
  auto* edge = request.add_event_edges();
  edge->set_execution_index(execution);
  edge->set_artifact_index(artifact);
  edge->mutable_event()->set_type(type);
  edge->mutable_event()->mutable_path()->add_steps()->set_key(key);
}

Graph Generate(const std::string& db_path, int64_t size) {
  store::StoreOptions options;
  options.sqlite.filename_uri = db_path;
  options.sqlite.synchronous = "OFF";
  auto opened = store::MetadataStore::Open(options);
  Check(opened.status(), "open store");
  store::MetadataStore& store = **opened;

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
        if (run > 0 && random() % 10 != 0) {
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

struct Case {
  std::string name;
  LineageSubgraphQueryOptions::Direction direction;
  int hops;  // -1: unset (100)
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

long RssKiB(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "VmRSS:")) {
      long kib = 0;
      (void)absl::SimpleAtoi(
          absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
          &kib);
      return kib;
    }
  }
  return -1;
}

struct Row {
  int64_t size;
  std::string name;
  double index_p50_ms, index_p90_ms, base_p50_ms, base_p90_ms;
  double nodes, events;  // mean answer size
  int mismatches;
};

std::vector<Row> RunSize(int64_t size, int queries, const std::string& dir) {
  const std::string db_path = absl::StrCat(dir, "/lineage_", size, ".sqlite");
  std::remove(db_path.c_str());
  std::remove((db_path + "-wal").c_str());
  std::remove((db_path + "-shm").c_str());
  auto t0 = Clock::now();
  const Graph graph = Generate(db_path, size);
  std::printf(
      "N=%lld: generated %lld artifacts, %lld executions, %lld events in "
      "%.1f s\n",
      static_cast<long long>(size), static_cast<long long>(graph.artifacts),
      static_cast<long long>(graph.executions),
      static_cast<long long>(graph.events), Seconds(Clock::now() - t0));
  std::fflush(stdout);

  testing::TestServer server(db_path);
  t0 = Clock::now();
  Check(server.Start(), "start server");
  const double startup = Seconds(Clock::now() - t0);
  std::string index_line;
  for (absl::string_view line : absl::StrSplit(server.Log(), '\n')) {
    if (absl::StrContains(line, "lineage index: "))
      index_line = std::string(line);
  }
  std::printf(
      "N=%lld: serving after %.2f s (wall, fork to listening); "
      "server RSS %ld MiB; log: %s\n",
      static_cast<long long>(size), startup, RssKiB(server.pid()) >> 10,
      index_line.c_str());
  std::fflush(stdout);

  auto stub = server.NewStub();
  auto baseline = testing::SqlLineageBaseline::Open(db_path, true);
  Check(baseline.status(), "open baseline");

  const std::vector<Case> cases = {
      {"upstream from model, 2 hops", LineageSubgraphQueryOptions::UPSTREAM, 2},
      {"upstream from model, 10 hops", LineageSubgraphQueryOptions::UPSTREAM,
       10},
      {"upstream from model, unset", LineageSubgraphQueryOptions::UPSTREAM, -1},
      {"downstream from dataset, 2 hops",
       LineageSubgraphQueryOptions::DOWNSTREAM, 2},
      {"downstream from dataset, 10 hops",
       LineageSubgraphQueryOptions::DOWNSTREAM, 10},
      {"downstream from dataset, unset",
       LineageSubgraphQueryOptions::DOWNSTREAM, -1},
  };
  // The floor of any RPC: a bare round trip (GetArtifactsByID, no ids).
  std::vector<double> bare_ms;
  for (int q = 0; q < 200; ++q) {
    ml_metadata::GetArtifactsByIDRequest request;
    ml_metadata::GetArtifactsByIDResponse response;
    grpc::ClientContext context;
    const auto start = Clock::now();
    if (!stub->GetArtifactsByID(&context, request, &response).ok()) {
      Die("GetArtifactsByID");
    }
    bare_ms.push_back(Seconds(Clock::now() - start) * 1e3);
  }
  const double bare = Percentile(bare_ms, 0.5);
  std::printf("N=%lld: bare gRPC round trip p50 %.3f ms\n",
              static_cast<long long>(size), bare);
  std::vector<Row> rows;
  for (const Case& c : cases) {
    std::mt19937_64 random(size);
    const bool up = c.direction == LineageSubgraphQueryOptions::UPSTREAM;
    std::vector<double> index_ms, base_ms;
    double nodes = 0, events = 0;
    int mismatches = 0;
    for (int q = 0; q < queries; ++q) {
      // Models of late runs (long history), datasets of early runs (long
      // future), of a random pipeline.
      const int64_t p = random() % graph.models[0].size();
      const int run = up ? kRunsPerPipeline - 1 - random() % 10 : random() % 10;
      const int64_t id = up ? graph.models[run][p] : graph.datasets[run][p];
      const std::string filter = absl::StrCat("id = ", id);

      ml_metadata::GetLineageSubgraphRequest request;
      auto& options = *request.mutable_lineage_subgraph_query_options();
      options.mutable_starting_artifacts()->set_filter_query(filter);
      if (c.hops >= 0) options.set_max_num_hops(c.hops);
      options.set_direction(c.direction);
      for (const char* path : {"artifacts", "executions", "events"}) {
        request.mutable_read_mask()->add_paths(path);
      }
      ml_metadata::GetLineageSubgraphResponse response;
      auto start = Clock::now();
      grpc::ClientContext context;
      const grpc::Status status =
          stub->GetLineageSubgraph(&context, request, &response);
      index_ms.push_back(Seconds(Clock::now() - start) * 1e3);
      if (!status.ok()) Die(status.error_message());

      start = Clock::now();
      testing::BaselineQuery query;
      auto ids = (*baseline)->SelectIds(absl::StrCat(
          "SELECT id FROM Artifact WHERE ", filter, " ORDER BY id LIMIT 101"));
      Check(ids.status(), "baseline start");
      query.start_ids = *ids;
      query.max_num_hops = c.hops >= 0 ? c.hops : 100;
      query.direction = up ? testing::BaselineDirection::kUpstream
                           : testing::BaselineDirection::kDownstream;
      auto want = (*baseline)->Run(query);
      base_ms.push_back(Seconds(Clock::now() - start) * 1e3);
      Check(want.status(), "baseline");

      const auto& g = response.lineage_subgraph();
      std::vector<int64_t> artifacts, executions;
      for (const auto& a : g.artifacts()) artifacts.push_back(a.id());
      for (const auto& e : g.executions()) executions.push_back(e.id());
      std::sort(artifacts.begin(), artifacts.end());
      std::sort(executions.begin(), executions.end());
      bool same = artifacts == want->artifact_ids &&
                  executions == want->execution_ids &&
                  g.events_size() == static_cast<int>(want->events.size());
      for (int i = 0; same && i < g.events_size(); ++i) {
        same = g.events(i).artifact_id() == want->events[i].artifact_id &&
               g.events(i).execution_id() == want->events[i].execution_id &&
               g.events(i).type() == want->events[i].type;
      }
      if (!same) ++mismatches;
      nodes += artifacts.size() + executions.size();
      events += g.events_size();
    }
    rows.push_back({size, c.name, Percentile(index_ms, 0.5),
                    Percentile(index_ms, 0.9), Percentile(base_ms, 0.5),
                    Percentile(base_ms, 0.9), nodes / queries, events / queries,
                    mismatches});
    const Row& r = rows.back();
    std::printf(
        "N=%-8lld %-34s index p50 %7.3f ms p90 %7.3f | baseline p50 %8.3f ms "
        "p90 %8.3f | x%5.2f | +RTT x%5.2f | %4.0f nodes %4.0f events | "
        "mismatches %d\n",
        static_cast<long long>(size), r.name.c_str(), r.index_p50_ms,
        r.index_p90_ms, r.base_p50_ms, r.base_p90_ms,
        r.base_p50_ms / r.index_p50_ms, (r.base_p50_ms + bare) / r.index_p50_ms,
        r.nodes, r.events, r.mismatches);
    std::fflush(stdout);
  }
  server.Stop();
  return rows;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  std::vector<int64_t> sizes = {10000, 100000};
  int queries = 100;
  std::string keep_dir;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--sizes=")) {
      sizes.clear();
      for (absl::string_view part : absl::StrSplit(arg, ',')) {
        int64_t n = 0;
        if (!absl::SimpleAtoi(part, &n) || n < 1) Die("bad --sizes");
        sizes.push_back(n);
      }
    } else if (absl::ConsumePrefix(&arg, "--queries=")) {
      if (!absl::SimpleAtoi(arg, &queries) || queries < 1) Die("bad --queries");
    } else if (absl::ConsumePrefix(&arg, "--keep_db_dir=")) {
      keep_dir = std::string(arg);
    } else {
      Die(absl::StrCat("unknown flag ", arg));
    }
  }
  std::string dir = keep_dir;
  if (dir.empty()) {
    char dir_template[] = "/tmp/mlmdx_lineage_bench_XXXXXX";
    dir = mkdtemp(dir_template);
  }
  std::vector<Row> all;
  for (int64_t size : sizes) {
    std::vector<Row> rows = RunSize(size, queries, dir);
    all.insert(all.end(), rows.begin(), rows.end());
  }
  int mismatches = 0;
  std::printf(
      "\np50 growth against the first size (same answers, larger "
      "database):\n");
  for (const Row& r : all) {
    mismatches += r.mismatches;
    for (const Row& first : all) {
      if (first.name == r.name && first.size == sizes.front() &&
          r.size != sizes.front()) {
        std::printf("  N=%-8lld %-34s index x%.2f  baseline x%.2f\n",
                    static_cast<long long>(r.size), r.name.c_str(),
                    r.index_p50_ms / first.index_p50_ms,
                    r.base_p50_ms / first.base_p50_ms);
      }
    }
  }
  if (keep_dir.empty()) {
    (void)std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
  }
  if (mismatches > 0) {
    std::printf("%d answers differ from the baseline\n", mismatches);
    return 1;
  }
  return 0;
}
