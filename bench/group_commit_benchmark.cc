// Durable write throughput of the real `mlmdx serve` binary on a SQLite file
// (WAL, synchronous=FULL) with one and with eight concurrent clients, each
// sending the PutExecution of a Kubeflow Pipelines launcher
// (bench/kfp_put_execution.h) as fast as its answers come back.
//
// Two disks: this machine's own, and one whose every fsync/fdatasync first
// waits MLMDX_FSYNC_DELAY_US (default 3,000 us, as network block storage
// takes), made by preloading bench/slow_fsync.cc into the server. On each,
// the server runs with group commit off (every write commits alone) and on
// (writes that queue during a commit share the next one).
//
// Figures are ratios measured in the same run: `x_one_client` is calls/s
// against the one-client run of the same disk and setting; `x_alone` is
// calls/s against the same client count with group commit off.
//
// Usage:
//   mlmdx_group_commit_benchmark [--mlmdx_run_seconds=5] [benchmark flags]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/kfp_put_execution.h"
#include "benchmark/benchmark.h"
#include "tests/test_server.h"

#ifndef MLMDX_SLOW_FSYNC_LIBRARY
#error "MLMDX_SLOW_FSYNC_LIBRARY must name the slow-fsync shim"
#endif

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;

enum class Disk { kFast, kSlow };

double run_seconds = 5;

struct Server {
  Disk disk;
  bool group_commit;
  std::unique_ptr<testing::TestServer> process;
  std::unique_ptr<KfpPutExecution> writes;
};

void Fail(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

// One server at a time: the one of the running benchmark.
std::unique_ptr<Server>& CurrentServer() {
  static auto* server = new std::unique_ptr<Server>();
  return *server;
}

Server& ServerFor(Disk disk, bool group_commit) {
  std::unique_ptr<Server>& server = CurrentServer();
  if (server != nullptr && server->disk == disk &&
      server->group_commit == group_commit) {
    return *server;
  }
  server.reset();
  server = std::make_unique<Server>();
  server->disk = disk;
  server->group_commit = group_commit;
  server->process =
      std::make_unique<testing::TestServer>(testing::TestBackend::kSqlite);
  // The server process inherits the preload; this process is not affected.
  if (disk == Disk::kSlow) setenv("LD_PRELOAD", MLMDX_SLOW_FSYNC_LIBRARY, 1);
  const absl::Status started = server->process->Start(
      {absl::StrCat("--sqlite_group_commit=", group_commit ? "true" : "false"),
       "--sqlite_synchronous=FULL"});
  unsetenv("LD_PRELOAD");
  if (!started.ok()) Fail(started.ToString());
  auto stub = server->process->NewStub();
  absl::StatusOr<KfpPutExecution> writes = KfpPutExecution::Prepare(*stub);
  if (!writes.ok()) Fail(writes.status().ToString());
  server->writes = std::make_unique<KfpPutExecution>(*std::move(writes));
  // Warm-up: the first writes grow the file and the WAL.
  for (int i = 0; i < 200; ++i) {
    grpc::ClientContext context;
    ml_metadata::PutExecutionResponse response;
    const grpc::Status status =
        stub->PutExecution(&context, server->writes->Next(), &response);
    if (!status.ok()) Fail("warm-up PutExecution: " + status.error_message());
  }
  return *server;
}

// calls/s per (disk, group commit, clients), for the ratios.
std::map<std::tuple<Disk, bool, int>, double>& Rates() {
  static auto* rates = new std::map<std::tuple<Disk, bool, int>, double>();
  return *rates;
}

double Percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1,
                         static_cast<size_t>(q * sorted.size()))];
}

void BM_PutExecution(benchmark::State& state, Disk disk, bool group_commit,
                     int clients) {
  Server& server = ServerFor(disk, group_commit);
  for (auto _ : state) {
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> micros(clients);
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int c = 0; c < clients; ++c) {
      // Each client its own channel and its own copy of the request maker,
      // as separate launcher pods have.
      threads.emplace_back([&, c, writes = *server.writes]() mutable {
        auto stub = server.process->NewStub();
        while (!stop.load()) {
          const ml_metadata::PutExecutionRequest request = writes.Next();
          const auto sent = Clock::now();
          grpc::ClientContext context;
          ml_metadata::PutExecutionResponse response;
          const grpc::Status status =
              stub->PutExecution(&context, request, &response);
          if (!status.ok()) Fail("PutExecution: " + status.error_message());
          micros[c].push_back(
              std::chrono::duration<double, std::micro>(Clock::now() - sent)
                  .count());
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(run_seconds));
    stop = true;
    for (std::thread& thread : threads) thread.join();
    const double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    state.SetIterationTime(seconds);

    std::vector<double> all;
    for (const auto& one : micros)
      all.insert(all.end(), one.begin(), one.end());
    std::sort(all.begin(), all.end());
    const double rate = all.size() / seconds;
    Rates()[{disk, group_commit, clients}] = rate;
    state.counters["calls_per_s"] = rate;
    state.counters["p50_ms"] = Percentile(all, 0.5) / 1000;
    state.counters["p99_ms"] = Percentile(all, 0.99) / 1000;
    const auto one = Rates().find({disk, group_commit, 1});
    if (one != Rates().end() && one->second > 0) {
      state.counters["x_one_client"] = rate / one->second;
    }
    const auto alone = Rates().find({disk, false, clients});
    if (group_commit && alone != Rates().end() && alone->second > 0) {
      state.counters["x_alone"] = rate / alone->second;
    }
  }
}

void RegisterAll() {
  for (Disk disk : {Disk::kFast, Disk::kSlow}) {
    for (bool group_commit : {false, true}) {
      for (int clients : {1, 8}) {
        const std::string name = absl::StrCat(
            "PutExecution/disk:", disk == Disk::kFast ? "fast" : "slow_fsync",
            "/group_commit:", group_commit ? "on" : "off",
            "/clients:", clients);
        benchmark::RegisterBenchmark(name.c_str(), BM_PutExecution, disk,
                                     group_commit, clients)
            ->Iterations(1)
            ->UseManualTime()
            ->Unit(benchmark::kSecond);
      }
    }
  }
}

// Removes --mlmdx_run_seconds=S from argv.
void TakeRunSeconds(int* argc, char** argv) {
  constexpr absl::string_view kFlag = "--mlmdx_run_seconds=";
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    if (absl::StartsWith(argv[i], kFlag)) {
      if (!absl::SimpleAtod(argv[i] + kFlag.size(), &run_seconds) ||
          run_seconds <= 0) {
        std::fprintf(stderr, "bad %s\n", argv[i]);
        std::exit(2);
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  mlmdx::bench::TakeRunSeconds(&argc, argv);
  if (std::getenv("MLMDX_FSYNC_DELAY_US") == nullptr) {
    setenv("MLMDX_FSYNC_DELAY_US", "3000", 1);
  }
  mlmdx::bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  mlmdx::bench::CurrentServer().reset();
  benchmark::Shutdown();
  return 0;
}
