// mlmdx_crash_consistency: the long form of the kill -9 test
// (tests/crash_driver.h). Runs --cycles cycles on one database: eight
// clients write, the server is killed with SIGKILL at a random moment
// between --min_kill_delay_ms and --max_kill_delay_ms, started again, and
// everything acknowledged, refused or left unknown is checked against the
// database, the server's listings and its lineage index (and, on SQLite,
// PRAGMA integrity_check).
//
//   mlmdx_crash_consistency --backend=sqlite --cycles=100
//   mlmdx_crash_consistency --backend=postgresql --cycles=100
//
// On PostgreSQL it starts a durable throwaway cluster of its own (only the
// server is killed, never PostgreSQL). Prints one line per cycle and a
// summary; exits 1 if any promise was broken, 2 if a cycle could not run.

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "tests/crash_driver.h"
#include "tests/postgres_cluster.h"
#include "tests/test_server.h"

ABSL_FLAG(std::string, backend, "sqlite", "sqlite or postgresql");
ABSL_FLAG(int, cycles, 100, "kill -9 cycles to run");
ABSL_FLAG(int, clients, 8, "concurrent writing clients");
ABSL_FLAG(int, min_kill_delay_ms, 10,
          "earliest kill after the clients start writing");
ABSL_FLAG(int, max_kill_delay_ms, 2000,
          "latest kill after the clients start writing");
ABSL_FLAG(uint64_t, seed, 1, "seeds kill delays and the clients' writes");

namespace {

using mlmdx::testing::CrashDriver;
using mlmdx::testing::CrashDriverOptions;
using mlmdx::testing::CycleReport;
using mlmdx::testing::PostgresCluster;
using mlmdx::testing::PostgresClusterOptions;
using mlmdx::testing::TestBackend;
using mlmdx::testing::TestServer;

int Run() {
  const std::string backend = absl::GetFlag(FLAGS_backend);
  if (backend != "sqlite" && backend != "postgresql") {
    std::cerr << "--backend must be sqlite or postgresql, not " << backend
              << "\n";
    return 2;
  }
  std::unique_ptr<PostgresCluster> cluster;
  std::unique_ptr<TestServer> server;
  if (backend == "postgresql") {
    PostgresClusterOptions cluster_options;
    cluster_options.durable = true;
    cluster = std::make_unique<PostgresCluster>(cluster_options);
    if (absl::Status started = cluster->Start(); !started.ok()) {
      std::cerr << "PostgreSQL: " << started << "\n";
      return 2;
    }
    server = std::make_unique<TestServer>(
        absl::StrCat(cluster->UriBase(), "/crash"));
  } else {
    server = std::make_unique<TestServer>(TestBackend::kSqlite);
  }
  CrashDriverOptions options;
  options.clients = absl::GetFlag(FLAGS_clients);
  options.min_kill_delay_ms = absl::GetFlag(FLAGS_min_kill_delay_ms);
  options.max_kill_delay_ms = absl::GetFlag(FLAGS_max_kill_delay_ms);
  options.seed = absl::GetFlag(FLAGS_seed);
  CrashDriver driver(*server, options);
  if (absl::Status started = driver.Start(); !started.ok()) {
    std::cerr << "server: " << started << "\n";
    return 2;
  }

  const auto begin = std::chrono::steady_clock::now();
  const int cycles = absl::GetFlag(FLAGS_cycles);
  int64_t acknowledged = 0, refused = 0, unknown = 0, unknown_applied = 0;
  int64_t violations = 0;
  int ran = 0;
  for (int cycle = 1; cycle <= cycles; ++cycle) {
    absl::StatusOr<CycleReport> report = driver.RunCycle();
    if (!report.ok()) {
      std::cerr << "cycle " << cycle << " could not run: " << report.status()
                << "\n";
      break;
    }
    ++ran;
    acknowledged += report->acknowledged;
    refused += report->definite_errors;
    unknown += report->unknown;
    unknown_applied += report->unknown_applied;
    violations += static_cast<int64_t>(report->violations.size());
    std::printf(
        "cycle %d: kill after %d ms, %lld acknowledged, %lld refused, "
        "%lld unknown (%lld applied), %zu violations\n",
        cycle, report->kill_delay_ms,
        static_cast<long long>(report->acknowledged),
        static_cast<long long>(report->definite_errors),
        static_cast<long long>(report->unknown),
        static_cast<long long>(report->unknown_applied),
        report->violations.size());
    for (const std::string& violation : report->violations) {
      std::printf("  VIOLATION %s\n", violation.c_str());
    }
    std::fflush(stdout);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
          .count();
  std::printf(
      "backend=%s clients=%d cycles=%d/%d writes: %lld acknowledged, %lld "
      "definite errors, %lld unknown (%lld applied); violations=%lld; "
      "%.1f s\n",
      backend.c_str(), options.clients, ran, cycles,
      static_cast<long long>(acknowledged), static_cast<long long>(refused),
      static_cast<long long>(unknown), static_cast<long long>(unknown_applied),
      static_cast<long long>(violations), seconds);
  if (ran < cycles) return 2;
  return violations == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
