// What --metrics_port costs a call: the point read GetArtifactsByID (one id)
// against two real `mlmdx serve` processes over equal stores, one serving
// metrics and one not. Every call of the first goes through the metrics
// interceptor (a started counter, a handled counter and a histogram).
//
// The program never asserts on timings; it prints the mean latency with
// metrics as a ratio of the one without (on_over_off), both measured in the
// same loop.
//
// Usage:
//   mlmdx_metrics_benchmark [benchmark flags]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/timed_loop.h"
#include "benchmark/benchmark.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

using ml_metadata::MetadataStoreService;

constexpr int kArtifacts = 1000;

void Check(const grpc::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s failed: %s\n", what, status.error_message().c_str());
  std::abort();
}

struct Server {
  std::unique_ptr<testing::TestServer> process;
  std::unique_ptr<MetadataStoreService::Stub> stub;
  std::vector<int64_t> artifact_ids;
};

std::unique_ptr<Server> StartServer(bool metrics) {
  auto server = std::make_unique<Server>();
  server->process = std::make_unique<testing::TestServer>();
  std::vector<std::string> flags;
  if (metrics) flags.push_back("--metrics_port=0");
  const absl::Status started = server->process->Start(flags);
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    std::abort();
  }
  server->stub = server->process->NewStub();
  ml_metadata::PutArtifactTypeRequest type;
  type.mutable_artifact_type()->set_name("Model");
  ml_metadata::PutArtifactTypeResponse type_id;
  {
    grpc::ClientContext context;
    Check(server->stub->PutArtifactType(&context, type, &type_id),
          "PutArtifactType");
  }
  ml_metadata::PutArtifactsRequest artifacts;
  for (int i = 0; i < kArtifacts; ++i) {
    ml_metadata::Artifact* artifact = artifacts.add_artifacts();
    artifact->set_type_id(type_id.type_id());
    artifact->set_uri(absl::StrCat("/bench/artifact/", i));
  }
  ml_metadata::PutArtifactsResponse ids;
  grpc::ClientContext context;
  Check(server->stub->PutArtifacts(&context, artifacts, &ids), "PutArtifacts");
  server->artifact_ids.assign(ids.artifact_ids().begin(),
                              ids.artifact_ids().end());
  return server;
}

Server& ServerWithMetrics(bool metrics) {
  static Server* const off = StartServer(false).release();
  static Server* const on = StartServer(true).release();
  return metrics ? *on : *off;
}

// One point read on `server`; returns its wall time in microseconds.
double TimedRead(Server& server, size_t i) {
  ml_metadata::GetArtifactsByIDRequest request;
  request.add_artifact_ids(server.artifact_ids[i % server.artifact_ids.size()]);
  ml_metadata::GetArtifactsByIDResponse response;
  grpc::ClientContext context;
  const auto start = std::chrono::steady_clock::now();
  Check(server.stub->GetArtifactsByID(&context, request, &response),
        "GetArtifactsByID");
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// Each iteration reads once from each server, in alternating order, so
// that whatever else the machine does falls on both sides alike.
void BM_PointReadMetricsOnVsOff(benchmark::State& state) {
  Server& off = ServerWithMetrics(false);
  Server& on = ServerWithMetrics(true);
  double off_micros = 0;
  double on_micros = 0;
  size_t i = 0;
  for (auto _ : state) {
    if (i % 2 == 0) {
      off_micros += TimedRead(off, i);
      on_micros += TimedRead(on, i);
    } else {
      on_micros += TimedRead(on, i);
      off_micros += TimedRead(off, i);
    }
    ++i;
  }
  const double n = static_cast<double>(i);
  state.counters["off_mean_us"] = off_micros / n;
  state.counters["on_mean_us"] = on_micros / n;
  state.counters["on_over_off"] = on_micros / off_micros;
}
BENCHMARK(BM_PointReadMetricsOnVsOff)->Iterations(5000)->UseRealTime();

}  // namespace
}  // namespace mlmdx::bench

BENCHMARK_MAIN();
