// End-to-end throughput and latency of the real `mlmdx serve` binary, seen
// through one gRPC client: the KFP-style PutExecution write and the two point
// reads (artifact by id, artifact by uri) on a store holding N artifacts.
//
// Every figure is wall-clock time of a full round trip (client, loopback,
// server, SQLite with synchronous=FULL and WAL). The program never asserts on
// timings; it prints each benchmark's mean latency as a ratio of a bare gRPC
// round trip measured in the same run (GetArtifactsByID with no ids).
//
// Usage:
//   mlmdx_server_benchmark [--mlmdx_bench_sizes=10000,100000] [benchmark flags]
// The environment variable MLMDX_BENCH_SIZES is used when the flag is absent.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/bench_sizes.h"
#include "bench/timed_loop.h"
#include "benchmark/benchmark.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;
using ml_metadata::MetadataStoreService;

constexpr int kBatchSize = 500;

// Aborts the program: a failed RPC makes every later figure meaningless.
void Check(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s failed: %s\n", std::string(what).c_str(),
               status.error_message().c_str());
  std::abort();
}

template <typename Request, typename Response, typename Method>
Response Call(MetadataStoreService::Stub& stub, Method method,
              const Request& request, absl::string_view what) {
  grpc::ClientContext context;
  Response response;
  Check((stub.*method)(&context, request, &response), what);
  return response;
}

std::string Uri(int64_t i) { return absl::StrCat("/bench/artifact/", i); }

// One server process with N artifacts, plus what PutExecution reuses.
struct Store {
  std::unique_ptr<testing::TestServer> server;
  std::unique_ptr<MetadataStoreService::Stub> stub;
  int64_t size = 0;
  int64_t artifact_type_id = 0;
  int64_t execution_type_id = 0;
  std::vector<ml_metadata::Artifact> inputs;
  std::vector<ml_metadata::Context> contexts;
  int64_t next_uri = 0;
};

std::unique_ptr<Store> Populate(int64_t size) {
  auto store = std::make_unique<Store>();
  store->size = size;
  store->server = std::make_unique<testing::TestServer>();
  // MLMDX_BENCH_SERVER_FLAGS: extra `mlmdx serve` flags for experiments,
  // e.g. "--sqlite_synchronous=NORMAL"; the recorded figures use none.
  std::vector<std::string> flags;
  if (const char* extra = std::getenv("MLMDX_BENCH_SERVER_FLAGS")) {
    flags = absl::StrSplit(extra, ' ', absl::SkipEmpty());
  }
  const absl::Status started = store->server->Start(flags);
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    std::abort();
  }
  store->stub = store->server->NewStub();
  MetadataStoreService::Stub& stub = *store->stub;

  ml_metadata::PutArtifactTypeRequest artifact_type;
  artifact_type.mutable_artifact_type()->set_name("system.Dataset");
  auto& properties =
      *artifact_type.mutable_artifact_type()->mutable_properties();
  properties["split"] = ml_metadata::STRING;
  properties["rows"] = ml_metadata::INT;
  store->artifact_type_id =
      Call<ml_metadata::PutArtifactTypeRequest,
           ml_metadata::PutArtifactTypeResponse>(
          stub, &MetadataStoreService::Stub::PutArtifactType, artifact_type,
          "PutArtifactType")
          .type_id();
  ml_metadata::PutExecutionTypeRequest execution_type;
  execution_type.mutable_execution_type()->set_name(
      "system.ContainerExecution");
  store->execution_type_id =
      Call<ml_metadata::PutExecutionTypeRequest,
           ml_metadata::PutExecutionTypeResponse>(
          stub, &MetadataStoreService::Stub::PutExecutionType, execution_type,
          "PutExecutionType")
          .type_id();
  ml_metadata::PutContextTypeRequest context_type;
  context_type.mutable_context_type()->set_name("system.PipelineRun");
  const int64_t context_type_id =
      Call<ml_metadata::PutContextTypeRequest,
           ml_metadata::PutContextTypeResponse>(
          stub, &MetadataStoreService::Stub::PutContextType, context_type,
          "PutContextType")
          .type_id();

  for (int64_t done = 0; done < size; done += kBatchSize) {
    ml_metadata::PutArtifactsRequest request;
    for (int64_t i = done; i < std::min(size, done + kBatchSize); ++i) {
      ml_metadata::Artifact& artifact = *request.add_artifacts();
      artifact.set_type_id(store->artifact_type_id);
      artifact.set_uri(Uri(i));
      artifact.set_state(ml_metadata::Artifact::LIVE);
      (*artifact.mutable_properties())["split"].set_string_value("train");
      (*artifact.mutable_properties())["rows"].set_int_value(i);
    }
    Call<ml_metadata::PutArtifactsRequest, ml_metadata::PutArtifactsResponse>(
        stub, &MetadataStoreService::Stub::PutArtifacts, request,
        "PutArtifacts");
  }
  store->next_uri = size;

  // Two existing input artifacts and two contexts (pipeline and run), passed
  // back unchanged on every PutExecution as the KFP launcher does.
  ml_metadata::GetArtifactsByIDRequest inputs;
  inputs.add_artifact_ids(1);
  inputs.add_artifact_ids(2);
  const auto read = Call<ml_metadata::GetArtifactsByIDRequest,
                         ml_metadata::GetArtifactsByIDResponse>(
      stub, &MetadataStoreService::Stub::GetArtifactsByID, inputs,
      "GetArtifactsByID");
  store->inputs.assign(read.artifacts().begin(), read.artifacts().end());
  ml_metadata::PutContextsRequest contexts;
  for (const char* name : {"pipeline", "pipeline-run"}) {
    ml_metadata::Context& context = *contexts.add_contexts();
    context.set_type_id(context_type_id);
    context.set_name(name);
  }
  const auto context_ids =
      Call<ml_metadata::PutContextsRequest, ml_metadata::PutContextsResponse>(
          stub, &MetadataStoreService::Stub::PutContexts, contexts,
          "PutContexts");
  for (int i = 0; i < 2; ++i) {
    ml_metadata::Context context = contexts.contexts(i);
    context.set_id(context_ids.context_ids(i));
    store->contexts.push_back(context);
  }
  return store;
}

// Stores are populated on first use and live until StopStores().
std::map<int64_t, std::unique_ptr<Store>>& Stores() {
  static auto* stores = new std::map<int64_t, std::unique_ptr<Store>>();
  return *stores;
}

void StopStores() { Stores().clear(); }

Store& StoreOfSize(int64_t size) {
  std::unique_ptr<Store>& store = Stores()[size];
  if (store == nullptr) {
    const auto start = Clock::now();
    store = Populate(size);
    std::fprintf(stderr, "populated %lld artifacts in %.1f s\n",
                 static_cast<long long>(size),
                 std::chrono::duration<double>(Clock::now() - start).count());
  }
  return *store;
}

// Mean latency per (store size, operation), for the ratio table printed at
// the end.
std::map<std::pair<int64_t, std::string>, double>& MeanMicros() {
  static auto* means = new std::map<std::pair<int64_t, std::string>, double>();
  return *means;
}

constexpr char kBaseline[] = "BareRoundTrip";

// Runs `call` once per iteration and reports items/s, mean, p50 and p99.
template <typename Fn>
void Measure(benchmark::State& state, const std::string& operation, Fn call) {
  std::vector<double> micros = TimedLoop(state, call);
  if (micros.empty()) return;
  state.SetItemsProcessed(state.iterations());
  double total = 0;
  for (double m : micros) total += m;
  std::sort(micros.begin(), micros.end());
  const double mean = total / micros.size();
  state.counters["mean_us"] = mean;
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  MeanMicros()[{state.range(0), operation}] = mean;
}

void BM_BareRoundTrip(benchmark::State& state) {
  Store& store = StoreOfSize(state.range(0));
  const ml_metadata::GetArtifactsByIDRequest request;
  Measure(state, kBaseline, [&] {
    Call<ml_metadata::GetArtifactsByIDRequest,
         ml_metadata::GetArtifactsByIDResponse>(
        *store.stub, &MetadataStoreService::Stub::GetArtifactsByID, request,
        "GetArtifactsByID");
  });
}

void BM_GetArtifactsByID(benchmark::State& state) {
  Store& store = StoreOfSize(state.range(0));
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int64_t> id(1, store.size);
  ml_metadata::GetArtifactsByIDRequest request;
  request.add_artifact_ids(0);
  Measure(state, "GetArtifactsByID", [&] {
    request.set_artifact_ids(0, id(random));
    const auto response = Call<ml_metadata::GetArtifactsByIDRequest,
                               ml_metadata::GetArtifactsByIDResponse>(
        *store.stub, &MetadataStoreService::Stub::GetArtifactsByID, request,
        "GetArtifactsByID");
    if (response.artifacts_size() != 1) std::abort();
  });
}

void BM_GetArtifactsByURI(benchmark::State& state) {
  Store& store = StoreOfSize(state.range(0));
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> index(0, store.size - 1);
  ml_metadata::GetArtifactsByURIRequest request;
  request.add_uris("");
  Measure(state, "GetArtifactsByURI", [&] {
    request.set_uris(0, Uri(index(random)));
    const auto response = Call<ml_metadata::GetArtifactsByURIRequest,
                               ml_metadata::GetArtifactsByURIResponse>(
        *store.stub, &MetadataStoreService::Stub::GetArtifactsByURI, request,
        "GetArtifactsByURI");
    if (response.artifacts_size() != 1) std::abort();
  });
}

void BM_PutExecution(benchmark::State& state) {
  Store& store = StoreOfSize(state.range(0));
  Measure(state, "PutExecution", [&] {
    ml_metadata::PutExecutionRequest request;
    ml_metadata::Execution& execution = *request.mutable_execution();
    execution.set_type_id(store.execution_type_id);
    execution.set_last_known_state(ml_metadata::Execution::COMPLETE);
    (*execution.mutable_custom_properties())["task_name"].set_string_value(
        "trainer");
    for (const ml_metadata::Artifact& input : store.inputs) {
      auto& pair = *request.add_artifact_event_pairs();
      *pair.mutable_artifact() = input;
      pair.mutable_event()->set_type(ml_metadata::Event::INPUT);
      pair.mutable_event()->mutable_path()->add_steps()->set_key("examples");
    }
    for (int i = 0; i < 2; ++i) {
      auto& pair = *request.add_artifact_event_pairs();
      ml_metadata::Artifact& output = *pair.mutable_artifact();
      output.set_type_id(store.artifact_type_id);
      output.set_uri(Uri(store.next_uri++));
      output.set_state(ml_metadata::Artifact::LIVE);
      (*output.mutable_properties())["split"].set_string_value("eval");
      (*output.mutable_properties())["rows"].set_int_value(i);
      pair.mutable_event()->set_type(ml_metadata::Event::OUTPUT);
      pair.mutable_event()->mutable_path()->add_steps()->set_key("model");
    }
    for (const ml_metadata::Context& context : store.contexts) {
      *request.add_contexts() = context;
    }
    Call<ml_metadata::PutExecutionRequest, ml_metadata::PutExecutionResponse>(
        *store.stub, &MetadataStoreService::Stub::PutExecution, request,
        "PutExecution");
  });
}

// Sizes from --mlmdx_bench_sizes=..., else MLMDX_BENCH_SIZES, else 10k,100k.
std::vector<int64_t> TakeSizes(int* argc, char** argv) {
  return TakeBenchSizes(argc, argv, "10000,100000", 2);
}

void PrintRatios() {
  std::printf("\nMean latency relative to a bare gRPC round trip:\n");
  for (const auto& [key, mean] : MeanMicros()) {
    const auto baseline = MeanMicros().find({key.first, kBaseline});
    if (baseline == MeanMicros().end() || baseline->second <= 0) continue;
    std::printf("  N=%-8lld %-20s %9.1f us  %6.2fx\n",
                static_cast<long long>(key.first), key.second.c_str(), mean,
                mean / baseline->second);
  }
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  const std::vector<int64_t> sizes = TakeSizes(&argc, argv);
  for (int64_t size : sizes) {
    benchmark::RegisterBenchmark("BM_BareRoundTrip", BM_BareRoundTrip)
        ->Arg(size)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_GetArtifactsByID", BM_GetArtifactsByID)
        ->Arg(size)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_GetArtifactsByURI", BM_GetArtifactsByURI)
        ->Arg(size)
        ->UseRealTime();
    benchmark::RegisterBenchmark("BM_PutExecution", BM_PutExecution)
        ->Arg(size)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  StopStores();
  PrintRatios();
  return 0;
}
