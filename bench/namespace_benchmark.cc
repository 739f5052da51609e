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
// Usage:
//   mlmdx_namespace_benchmark [--mlmdx_bench_sizes=1000] [benchmark flags]
// (the number of runs; 20 artifacts each).

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_sizes.h"
#include "benchmark/benchmark.h"
#include "store/metadata_store.h"
#include "store/visible_namespaces.h"

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
    std::string dir = std::filesystem::temp_directory_path().string() +
                      "/mlmdx_ns_bench_XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    f->dir = dir;
    store::StoreOptions options;
    options.sqlite.filename_uri = dir + "/mlmd.sqlite";
    // Population speed only; reads do not fsync.
    options.sqlite.synchronous = "OFF";
    auto opened = store::MetadataStore::Open(options);
    Check(opened.status(), "Open");
    f->store = *std::move(opened);

    ml_metadata::PutTypesRequest types;
    types.add_artifact_types()->set_name("Data");
    types.add_execution_types()->set_name("Step");
    types.add_context_types()->set_name("Run");
    ml_metadata::PutTypesResponse type_ids;
    Check(f->store->PutTypes(types, &type_ids), "PutTypes");

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
  return 0;
}
