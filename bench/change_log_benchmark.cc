// How far behind one mlmdx server's lineage index runs when another server
// over the same PostgreSQL database takes the writes: the change log's
// catch-up lag (store/change_log.h), under a steady write load.
//
// Two real `mlmdx serve` processes, A and B, over one database of a
// throwaway, durable PostgreSQL cluster (tests/postgres_cluster.h) that
// this program starts and stops. Background writers send PutExecution
// calls (each adds lineage: one input, one new output) at a fixed total
// rate (--mlmdx_write_rate per second, half through each server) for the
// whole run. Measured, one client, GetArtifactsByID of one artifact sent
// to B with request metadata mlmdx-read-after:
//   - HeldToken (the baseline): the token of a write B already holds, so
//     the call never waits: gRPC, the token check and a point read;
//   - FreshToken: the token of a write just acknowledged by A (the write
//     itself is not timed), so the call waits until B's follower has read
//     the write from the log.
// FreshToken minus HeldToken is the lag, from A's acknowledgement to B
// holding the write. The program prints both distributions and the lag at
// the end (every timed call pooled); it never asserts on timings.
//
// Usage:
//   mlmdx_change_log_benchmark [--mlmdx_write_rate=100] [benchmark flags]

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/lineage_cases.h"
#include "bench/pipeline_db.h"
#include "bench/timed_loop.h"
#include "benchmark/benchmark.h"
#include "tests/postgres_cluster.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;
using ml_metadata::MetadataStoreService;

struct Setup {
  testing::PostgresCluster cluster{
      testing::PostgresClusterOptions{.durable = true}};
  std::unique_ptr<testing::TestServer> a, b;
  std::unique_ptr<MetadataStoreService::Stub> a_stub, b_stub;
  int64_t dataset_type = 0;
  int64_t trainer_type = 0;
  int64_t seed_artifact = 0;
  std::string held_token;
  std::atomic<bool> stop_writers{false};
  std::atomic<int64_t> background_writes{0};
  std::vector<std::thread> writers;

  // However the program ends (Die exits), the writers stop first, then the
  // servers, then the cluster they are connected to.
  ~Setup() {
    stop_writers = true;
    for (std::thread& writer : writers) {
      if (writer.joinable()) writer.join();
    }
    b.reset();
    a.reset();
  }
};

// A function-local static, so that std::exit (Die) stops the cluster too.
Setup& TheSetup() {
  static Setup setup;
  return setup;
}

// One PutExecution reading `input` and writing a new artifact; returns its
// mlmdx-commit token and the new artifact's id, or an error.
absl::StatusOr<std::pair<std::string, int64_t>> TryWriteExecution(
    MetadataStoreService::Stub& stub, int64_t input) {
  const Setup& s = TheSetup();
  ml_metadata::PutExecutionRequest request;
  request.mutable_execution()->set_type_id(s.trainer_type);
  auto* in = request.add_artifact_event_pairs();
  in->mutable_artifact()->set_id(input);
  in->mutable_artifact()->set_type_id(s.dataset_type);
  in->mutable_event()->set_type(ml_metadata::Event::INPUT);
  auto* out = request.add_artifact_event_pairs();
  out->mutable_artifact()->set_type_id(s.dataset_type);
  out->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
  grpc::ClientContext context;
  ml_metadata::PutExecutionResponse response;
  const grpc::Status status = stub.PutExecution(&context, request, &response);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("PutExecution: ", status.error_message()));
  }
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find("mlmdx-commit");
  if (it == trailers.end()) {
    return absl::InternalError("PutExecution answered without mlmdx-commit");
  }
  return std::pair{std::string(it->second.data(), it->second.size()),
                   response.artifact_ids(1)};
}

std::pair<std::string, int64_t> WriteExecution(MetadataStoreService::Stub& stub,
                                               int64_t input) {
  auto written = TryWriteExecution(stub, input);
  if (!written.ok()) Die(std::string(written.status().message()));
  return *written;
}

void ReadFromB(const std::string& token, int64_t artifact_id) {
  Setup& s = TheSetup();
  ml_metadata::GetArtifactsByIDRequest request;
  request.add_artifact_ids(artifact_id);
  grpc::ClientContext context;
  context.AddMetadata("mlmdx-read-after", token);
  ml_metadata::GetArtifactsByIDResponse response;
  const grpc::Status status =
      s.b_stub->GetArtifactsByID(&context, request, &response);
  if (!status.ok() || response.artifacts_size() != 1) {
    Die(absl::StrCat("GetArtifactsByID from B: ", status.error_message()));
  }
}

std::map<std::string, std::vector<double>>& Samples() {
  static auto* samples = new std::map<std::string, std::vector<double>>();
  return *samples;
}

void Record(benchmark::State& state, const std::string& name,
            const std::vector<double>& micros) {
  std::vector<double>& pooled = Samples()[name];
  pooled.insert(pooled.end(), micros.begin(), micros.end());
  state.counters["p50_us"] = Percentile(micros, 0.5);
  state.counters["p99_us"] = Percentile(micros, 0.99);
}

void BM_HeldToken(benchmark::State& state) {
  const Setup& s = TheSetup();
  Record(state, "HeldToken",
         TimedLoop(state, [&] { ReadFromB(s.held_token, s.seed_artifact); }));
}

void BM_FreshToken(benchmark::State& state) {
  Setup& s = TheSetup();
  std::vector<double> micros;
  micros.reserve(state.max_iterations);
  int64_t input = s.seed_artifact;
  for (auto _ : state) {
    state.PauseTiming();
    auto [token, output] = WriteExecution(*s.a_stub, input);
    input = output;
    state.ResumeTiming();
    const auto start = Clock::now();
    ReadFromB(token, output);
    micros.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - start)
            .count());
  }
  Record(state, "FreshToken", micros);
}

// Paced writers, half through each server, for the whole run.
void StartBackgroundWriters(int rate_per_second) {
  Setup& s = TheSetup();
  for (int w = 0; w < 2; ++w) {
    s.writers.emplace_back([&s, w, rate_per_second] {
      testing::TestServer& server = w == 0 ? *s.a : *s.b;
      auto stub = server.NewStub();
      const auto period =
          std::chrono::microseconds(2'000'000 / rate_per_second);
      auto next = Clock::now();
      int64_t input = s.seed_artifact;
      while (!s.stop_writers.load()) {
        // Not Die: exiting from here would race the main thread.
        auto written = TryWriteExecution(*stub, input);
        if (!written.ok()) {
          std::fprintf(stderr, "background writer stopped: %s\n",
                       std::string(written.status().message()).c_str());
          return;
        }
        input = written->second;
        s.background_writes.fetch_add(1);
        next += period;
        // A writer that fell behind skips ahead instead of bursting.
        if (next < Clock::now()) next = Clock::now();
        std::this_thread::sleep_until(next);
      }
    });
  }
}

int TakeWriteRate(int* argc, char** argv) {
  int rate = 100;
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--mlmdx_write_rate=")) {
      if (!absl::SimpleAtoi(arg.substr(19), &rate) || rate < 2) {
        Die(absl::StrCat("bad ", arg));
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return rate;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  using mlmdx::testing::TestServer;
  const int rate = TakeWriteRate(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  Setup& s = TheSetup();
  Check(s.cluster.Start(), "start PostgreSQL");
  const std::string db = absl::StrCat(s.cluster.UriBase(), "/catchup");
  s.a = std::make_unique<TestServer>(db);
  s.b = std::make_unique<TestServer>(db);
  Check(s.a->Start(), "start server A");
  Check(s.b->Start({"--read_after_timeout_ms=60000"}), "start server B");
  s.a_stub = s.a->NewStub();
  s.b_stub = s.b->NewStub();
  {
    ml_metadata::PutTypesRequest types;
    types.add_artifact_types()->set_name("Dataset");
    types.add_execution_types()->set_name("Trainer");
    grpc::ClientContext context;
    ml_metadata::PutTypesResponse ids;
    if (!s.a_stub->PutTypes(&context, types, &ids).ok()) Die("PutTypes");
    s.dataset_type = ids.artifact_type_ids(0);
    s.trainer_type = ids.execution_type_ids(0);
    ml_metadata::PutArtifactsRequest seed;
    seed.add_artifacts()->set_type_id(s.dataset_type);
    grpc::ClientContext seed_context;
    ml_metadata::PutArtifactsResponse seed_ids;
    if (!s.a_stub->PutArtifacts(&seed_context, seed, &seed_ids).ok()) {
      Die("PutArtifacts");
    }
    s.seed_artifact = seed_ids.artifact_ids(0);
    auto [token, output] = WriteExecution(*s.a_stub, s.seed_artifact);
    s.held_token = token;
    ReadFromB(token, output);  // B holds it from here on.
  }
  StartBackgroundWriters(rate);
  const auto started = Clock::now();
  benchmark::RegisterBenchmark("ChangeLog/HeldToken", BM_HeldToken);
  benchmark::RegisterBenchmark("ChangeLog/FreshToken", BM_FreshToken);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  s.stop_writers = true;
  for (std::thread& writer : s.writers) writer.join();
  const double seconds =
      std::chrono::duration<double>(Clock::now() - started).count();

  const auto& held = Samples()["HeldToken"];
  const auto& fresh = Samples()["FreshToken"];
  if (held.empty() || fresh.empty()) return 0;
  std::printf(
      "\nBackground load: %.0f PutExecution/s through A and B (asked %d/s)\n"
      "All timed calls pooled; ms.\n\n"
      "| call to B | p50 | p90 | p99 | calls |\n|---|---|---|---|---|\n",
      s.background_writes.load() / seconds, rate);
  for (const auto& [name, micros] : {std::pair{"HeldToken (baseline)", held},
                                     std::pair{"FreshToken", fresh}}) {
    std::printf("| %s | %.3f | %.3f | %.3f | %zu |\n", name,
                Percentile(micros, 0.5) / 1000, Percentile(micros, 0.9) / 1000,
                Percentile(micros, 0.99) / 1000, micros.size());
  }
  std::printf(
      "\nCatch-up lag (FreshToken - HeldToken): p50 %.3f ms, p90 %.3f ms, "
      "p99 %.3f ms; FreshToken/HeldToken p50 %.2fx\n",
      (Percentile(fresh, 0.5) - Percentile(held, 0.5)) / 1000,
      (Percentile(fresh, 0.9) - Percentile(held, 0.9)) / 1000,
      (Percentile(fresh, 0.99) - Percentile(held, 0.99)) / 1000,
      Percentile(fresh, 0.5) / Percentile(held, 0.5));
  return 0;
}
