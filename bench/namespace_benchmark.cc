// What namespace isolation costs the store's reads: the same call made with
// no VisibleNamespacesScope (authentication off, or a `*` caller: the
// queries of old) and under a scope (a caller limited to some namespaces:
// one more condition per statement), both measured in the same loop.
//
// The store (MetadataStore on a SQLite file, no gRPC, so that the ratio is
// the store's own) holds N runs shaped as Kubeflow Pipelines writes them:
// per run a context whose `namespace` custom property names one of 20
// teams, and one PutExecution with its output artifacts, attributed to the
// run. Reads, each once without and once with a scope per iteration (in
// alternating order):
//   PointRead       GetArtifactsByID of one artifact, caller of its team
//   RunPage         GetArtifacts, first page of 20 filtered by
//                   `contexts_a.name = 'run-K'`, caller of run K's team
//   BroadPage       GetArtifacts, first page of 20 filtered by
//                   `uri LIKE '/data/%'`, caller of all 20 teams (the same
//                   rows either way: the price of the condition alone)
// Each prints off_mean_us, on_mean_us and on_over_off. The program never
// asserts on timings.
//
// BM_ServerSubgraph measures lineage under namespaces end to end: a real
// `mlmdx serve` (tests/test_server.h) with static tokens, over its own
// SQLite file holding N runs of kSteps chained steps, run K in team K % 20
// and reading team K % 20's dataset (PutExecution attributes it to every
// run that reads it, so it is in that team's namespace alone). One
// GetLineageSubgraph over gRPC, once with a `*` token (off) and once with a
// token of team-0 alone (on), same answer:
//   /1  upstream, 10 hops, from run 0's last output back to the dataset
//   /2  downstream, 10 hops, from team-0's dataset (all of team-0's runs)
//
// Usage:
//   mlmdx_namespace_benchmark [--mlmdx_bench_sizes=1000] [benchmark flags]
// (the number of runs; 20 artifacts each).

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_sizes.h"
#include "benchmark/benchmark.h"
#include "store/metadata_store.h"
#include "store/visible_namespaces.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

constexpr int kTeams = 20;
constexpr int kArtifactsPerRun = 20;

int64_t runs_to_write = 1000;

void Check(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s failed: %s\n", what, status.ToString().c_str());
  std::abort();
}

std::string TeamOf(int run) { return absl::StrCat("team-", run % kTeams); }

// A new temporary directory named after `prefix` (its path in `*dir`) with
// a store on the SQLite file mlmd.sqlite in it, holding the types Data, Step
// and Run (their ids in `*type_ids`).
std::unique_ptr<store::MetadataStore> NewStore(
    const char* prefix, std::string* dir,
    ml_metadata::PutTypesResponse* type_ids) {
  *dir = std::filesystem::temp_directory_path().string() + "/" + prefix +
         "_XXXXXX";
  if (mkdtemp(dir->data()) == nullptr) std::abort();
  store::StoreOptions options;
  options.sqlite.filename_uri = *dir + "/mlmd.sqlite";
  // Population speed only; reads do not fsync.
  options.sqlite.synchronous = "OFF";
  auto opened = store::MetadataStore::Open(options);
  Check(opened.status(), "Open");
  std::unique_ptr<store::MetadataStore> s = *std::move(opened);
  ml_metadata::PutTypesRequest types;
  types.add_artifact_types()->set_name("Data");
  types.add_execution_types()->set_name("Step");
  types.add_context_types()->set_name("Run");
  Check(s->PutTypes(types, type_ids), "PutTypes");
  return s;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<store::MetadataStore> store;
  // Per run, its artifacts.
  std::vector<std::vector<int64_t>> run_artifacts;
};

// Set once the first benchmark has built it.
Fixture* built_fixture = nullptr;

Fixture& TheFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    built_fixture = f;
    ml_metadata::PutTypesResponse type_ids;
    f->store = NewStore("mlmdx_ns_bench", &f->dir, &type_ids);

    for (int run = 0; run < runs_to_write; ++run) {
      ml_metadata::PutExecutionRequest request;
      request.mutable_execution()->set_type_id(type_ids.execution_type_ids(0));
      ml_metadata::Context* context = request.add_contexts();
      context->set_type_id(type_ids.context_type_ids(0));
      context->set_name(absl::StrCat("run-", run));
      (*context->mutable_custom_properties())["namespace"].set_string_value(
          TeamOf(run));
      for (int i = 0; i < kArtifactsPerRun; ++i) {
        auto* pair = request.add_artifact_event_pairs();
        pair->mutable_artifact()->set_type_id(type_ids.artifact_type_ids(0));
        pair->mutable_artifact()->set_uri(
            absl::StrCat("/data/run-", run, "/out-", i));
        pair->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
      }
      ml_metadata::PutExecutionResponse response;
      Check(f->store->PutExecution(request, &response), "PutExecution");
      f->run_artifacts.emplace_back(response.artifact_ids().begin(),
                                    response.artifact_ids().end());
    }
    return f;
  }();
  return *fixture;
}

double Micros(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// Runs `read(i, scoped)` once without and once with a scope per iteration,
// alternating which goes first, and reports both means and their ratio.
// `read` opens the scope itself when `scoped`.
template <typename Read>
void CompareScopes(benchmark::State& state, Read read) {
  double off_micros = 0;
  double on_micros = 0;
  int64_t i = 0;
  for (auto _ : state) {
    for (int side = 0; side < 2; ++side) {
      const bool scoped = (side == 0) == (i % 2 == 1);
      const auto start = std::chrono::steady_clock::now();
      read(i, scoped);
      (scoped ? on_micros : off_micros) += Micros(start);
    }
    ++i;
  }
  const double n = static_cast<double>(i);
  state.counters["off_mean_us"] = off_micros / n;
  state.counters["on_mean_us"] = on_micros / n;
  state.counters["on_over_off"] = on_micros / off_micros;
}

void BM_PointRead(benchmark::State& state) {
  Fixture& f = TheFixture();
  CompareScopes(state, [&](int64_t i, bool scoped) {
    const int run = static_cast<int>((i * 7919) % f.run_artifacts.size());
    store::VisibleNamespaces team({TeamOf(run)});
    std::optional<store::VisibleNamespacesScope> scope;
    if (scoped) scope.emplace(&team);
    ml_metadata::GetArtifactsByIDRequest request;
    request.add_artifact_ids(f.run_artifacts[run][i % kArtifactsPerRun]);
    ml_metadata::GetArtifactsByIDResponse response;
    Check(f.store->GetArtifactsByID(request, &response), "GetArtifactsByID");
    if (response.artifacts_size() != 1) std::abort();
  });
}
BENCHMARK(BM_PointRead)->Iterations(5000)->UseRealTime();

void BM_RunPage(benchmark::State& state) {
  Fixture& f = TheFixture();
  CompareScopes(state, [&](int64_t i, bool scoped) {
    const int run = static_cast<int>((i * 7919) % f.run_artifacts.size());
    store::VisibleNamespaces team({TeamOf(run)});
    std::optional<store::VisibleNamespacesScope> scope;
    if (scoped) scope.emplace(&team);
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_max_result_size(20);
    request.mutable_options()->set_filter_query(
        absl::StrCat("contexts_a.name = 'run-", run, "'"));
    ml_metadata::GetArtifactsResponse response;
    Check(f.store->GetArtifacts(request, &response), "GetArtifacts");
    if (response.artifacts_size() != kArtifactsPerRun) std::abort();
  });
}
BENCHMARK(BM_RunPage)->Iterations(2000)->UseRealTime();

void BM_BroadPage(benchmark::State& state) {
  Fixture& f = TheFixture();
  std::vector<std::string> all;
  for (int team = 0; team < kTeams; ++team) all.push_back(TeamOf(team));
  store::VisibleNamespaces every_team(all);
  CompareScopes(state, [&](int64_t, bool scoped) {
    std::optional<store::VisibleNamespacesScope> scope;
    if (scoped) scope.emplace(&every_team);
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_max_result_size(20);
    request.mutable_options()->set_filter_query("uri LIKE '/data/%'");
    ml_metadata::GetArtifactsResponse response;
    Check(f.store->GetArtifacts(request, &response), "GetArtifacts");
    if (response.artifacts_size() != 20) std::abort();
  });
}
BENCHMARK(BM_BroadPage)->Iterations(2000)->UseRealTime();

constexpr int kSteps = 5;
constexpr char kTeamToken[] = "team-0-secret";
constexpr char kAdminToken[] = "admin-secret";

struct LineageServer {
  std::string dir;
  std::unique_ptr<testing::TestServer> server;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub;
  int64_t team_0_dataset = 0;
  int64_t run_0_last_output = 0;
};

LineageServer* built_server = nullptr;

// Writes the runs with the store directly (fast), then serves that file.
LineageServer& TheLineageServer() {
  static LineageServer* fixture = [] {
    auto* f = new LineageServer;
    built_server = f;
    {
      ml_metadata::PutTypesResponse type_ids;
      std::unique_ptr<store::MetadataStore> s =
          NewStore("mlmdx_ns_lineage_bench", &f->dir, &type_ids);
      ml_metadata::PutArtifactsRequest datasets;
      for (int team = 0; team < kTeams; ++team) {
        auto* a = datasets.add_artifacts();
        a->set_type_id(type_ids.artifact_type_ids(0));
        a->set_uri(absl::StrCat("/data/", TeamOf(team)));
      }
      ml_metadata::PutArtifactsResponse dataset_ids;
      Check(s->PutArtifacts(datasets, &dataset_ids), "PutArtifacts");
      f->team_0_dataset = dataset_ids.artifact_ids(0);
      for (int run = 0; run < runs_to_write; ++run) {
        ml_metadata::PutContextsRequest contexts;
        ml_metadata::Context* context = contexts.add_contexts();
        context->set_type_id(type_ids.context_type_ids(0));
        context->set_name(absl::StrCat("run-", run));
        (*context->mutable_custom_properties())["namespace"].set_string_value(
            TeamOf(run));
        ml_metadata::PutContextsResponse context_ids;
        Check(s->PutContexts(contexts, &context_ids), "PutContexts");
        context->set_id(context_ids.context_ids(0));
        int64_t input = dataset_ids.artifact_ids(run % kTeams);
        for (int step = 0; step < kSteps; ++step) {
          ml_metadata::PutExecutionRequest request;
          request.mutable_execution()->set_type_id(
              type_ids.execution_type_ids(0));
          *request.add_contexts() = *context;
          auto* in = request.add_artifact_event_pairs();
          in->mutable_artifact()->set_id(input);
          in->mutable_artifact()->set_type_id(type_ids.artifact_type_ids(0));
          in->mutable_artifact()->set_uri(
              step == 0 ? absl::StrCat("/data/", TeamOf(run))
                        : absl::StrCat("/run-", run, "/", step - 1));
          in->mutable_event()->set_type(ml_metadata::Event::INPUT);
          auto* out = request.add_artifact_event_pairs();
          out->mutable_artifact()->set_type_id(type_ids.artifact_type_ids(0));
          out->mutable_artifact()->set_uri(
              absl::StrCat("/run-", run, "/", step));
          out->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
          ml_metadata::PutExecutionResponse response;
          Check(s->PutExecution(request, &response), "PutExecution");
          input = response.artifact_ids(1);
        }
        if (run == 0) f->run_0_last_output = input;
      }
    }
    const std::string tokens = f->dir + "/tokens.csv";
    std::ofstream(tokens) << kTeamToken << ",alice,u-1,team-0\n"
                          << kAdminToken << ",admin,u-0,*\n";
    f->server = std::make_unique<testing::TestServer>(f->dir + "/mlmd.sqlite");
    Check(f->server->Start({"--auth_token_file=" + tokens}), "server start");
    f->stub = f->server->NewStub();
    return f;
  }();
  return *fixture;
}

// Nodes and contexts in the answer; aborts on an error.
int SubgraphSize(LineageServer& f, const std::string& token, int64_t start,
                 bool upstream) {
  ml_metadata::GetLineageSubgraphRequest request;
  auto* options = request.mutable_lineage_subgraph_query_options();
  options->mutable_starting_artifacts()->set_filter_query(
      absl::StrCat("id = ", start));
  options->set_max_num_hops(10);
  options->set_direction(
      upstream ? ml_metadata::LineageSubgraphQueryOptions::UPSTREAM
               : ml_metadata::LineageSubgraphQueryOptions::DOWNSTREAM);
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ml_metadata::GetLineageSubgraphResponse response;
  const grpc::Status status =
      f.stub->GetLineageSubgraph(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "GetLineageSubgraph failed: %s\n",
                 status.error_message().c_str());
    std::abort();
  }
  const ml_metadata::LineageGraph& g = response.lineage_subgraph();
  return g.artifacts_size() + g.executions_size() + g.contexts_size();
}

// Arg: 1 upstream from run 0's last output, 2 downstream from team-0's
// dataset.
void BM_ServerSubgraph(benchmark::State& state) {
  LineageServer& f = TheLineageServer();
  const bool upstream = state.range(0) == 1;
  const int64_t start = upstream ? f.run_0_last_output : f.team_0_dataset;
  int sizes[2] = {-1, -1};
  CompareScopes(state, [&](int64_t, bool scoped) {
    const int size =
        SubgraphSize(f, scoped ? kTeamToken : kAdminToken, start, upstream);
    int& seen = sizes[scoped ? 1 : 0];
    if (seen != -1 && seen != size) std::abort();
    seen = size;
  });
  if (sizes[0] != sizes[1]) {
    state.SkipWithError("the two tokens saw different answers");
    return;
  }
  state.counters["nodes"] = sizes[0];
}
BENCHMARK(BM_ServerSubgraph)->Arg(1)->Arg(2)->Iterations(1000)->UseRealTime();

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  const std::vector<int64_t> sizes =
      mlmdx::bench::TakeBenchSizes(&argc, argv, "1000", 1);
  mlmdx::bench::runs_to_write = sizes.back();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (mlmdx::bench::built_fixture != nullptr) {
    mlmdx::bench::built_fixture->store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(mlmdx::bench::built_fixture->dir, ignored);
  }
  if (mlmdx::bench::built_server != nullptr) {
    mlmdx::bench::built_server->stub.reset();
    mlmdx::bench::built_server->server.reset();
    std::error_code ignored;
    std::filesystem::remove_all(mlmdx::bench::built_server->dir, ignored);
  }
  return 0;
}
