// mlmdx on PostgreSQL against mlmdx on SQLite, through gRPC: the real
// `mlmdx serve` binary on each backend, one client, the same requests.
//
// Both servers serve the pipeline-shaped database of bench/pipeline_db.h
// (N artifacts; the lineage benchmark's generator), generated in process
// through the store on each backend: a SQLite file, and a database in a
// throwaway PostgreSQL cluster (tests/postgres_cluster.h) that this program
// starts and stops. The cluster is durable (fsync=on,
// synchronous_commit=on, PostgreSQL's defaults) and the SQLite server runs
// with its defaults (WAL, synchronous=FULL), so every commit of either waits
// for the disk.
//
// Measured, per backend (benchmark names end in /sqlite or /postgres):
//   - start-up: wall time from fork to serving, and the lineage index's
//     load time from the server's log (median of --mlmdx_starts starts);
//   - EmptyRead: GetArtifactsByID with no ids (gRPC and the store's read
//     transaction around no statement: BEGIN and COMMIT);
//   - GetArtifactsByID: one random artifact id (a point read);
//   - PutExecution: as the KFP launcher publishes a task (a new execution
//     with KFP's custom properties, two existing inputs passed back whole,
//     two new outputs, the pipeline and run contexts with their ids set);
//   - DurableCommit: the floor under any write with one client, one
//     single-row INSERT committed on the same disk and settings, no server
//     (bench/commit_floor.h);
//   - Lineage/<case>: GetLineageSubgraph, the cases of bench/lineage_cases.h.
// Before timing, the two servers' lineage answers are compared in full
// (except event times, which differ between two generated databases); the
// program exits 1 if any differ. At the end it prints each figure of the
// two backends side by side, from every call timed in the run (all
// repetitions pooled). It never asserts on timings.
//
// Usage:
//   mlmdx_postgres_benchmark [--mlmdx_bench_sizes=100000] [--mlmdx_starts=3]
//                            [--mlmdx_check_queries=20]
//                            [--mlmdx_no_sync] [benchmark flags]
// --mlmdx_no_sync commits without waiting for the disk, to see what
// durability costs: the cluster runs as the tests run it (fsync and
// synchronous_commit off), SQLite with synchronous=OFF. Recorded figures
// are durable. Recommended for comparisons:
//   --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true

#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bench/bench_sizes.h"
#include "bench/blocking_call.h"
#include "bench/commit_floor.h"
#include "bench/kfp_put_execution.h"
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

enum Backend { kSqlite = 0, kPostgres = 1 };
constexpr Backend kBackends[] = {kSqlite, kPostgres};
const char* BackendName(Backend backend) {
  return backend == kSqlite ? "sqlite" : "postgres";
}

double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Commits wait for the disk (false: --mlmdx_no_sync). Set by main() before
// anything starts.
bool durable_commits = true;

testing::PostgresClusterOptions ClusterOptions() {
  testing::PostgresClusterOptions options;
  options.durable = durable_commits;
  return options;
}

// The throwaway cluster, made by the first call. A function-local static,
// so that std::exit (Die) stops it too.
testing::PostgresCluster& Cluster() {
  static testing::PostgresCluster cluster(ClusterOptions());
  return cluster;
}

// Removed at exit, however the program ends.
const std::string& TempDir() {
  static const struct Dir {
    Dir() {
      char dir_template[] = "/tmp/mlmdx_pg_bench_XXXXXX";
      path = mkdtemp(dir_template);
    }
    ~Dir() { (void)std::system(absl::StrCat("rm -rf '", path, "'").c_str()); }
    std::string path;
  } dir;
  return dir.path;
}

// One backend's server, and its PutExecution requests.
struct Served {
  std::string db;                  // what the server gets as --db
  std::vector<std::string> flags;  // and the other flags
  std::unique_ptr<testing::TestServer> server;
  std::unique_ptr<MetadataStoreService::Stub> stub;
  std::vector<double> index_ms, serving_ms;  // one per start
  std::optional<KfpPutExecution> writes;
};

// The floor under the writes, one per backend, made by the first call and
// closed at exit (before the cluster, which was made before it).
CommitFloor& Floor(Backend backend) {
  static std::unique_ptr<CommitFloor> floors[2];
  if (floors[backend] == nullptr) {
    absl::StatusOr<std::unique_ptr<CommitFloor>> made =
        backend == kSqlite
            ? CommitFloor::OnSqlite(TempDir() + "/commit_floor.db",
                                    durable_commits ? "FULL" : "OFF")
            : CommitFloor::OnPostgres(Cluster().UriBase(),
                                      "mlmdx_bench_commit_floor");
    Check(made.status(), "commit floor");
    floors[backend] = *std::move(made);
  }
  return *floors[backend];
}

struct Database {
  int64_t size = 0;
  Graph graph;
  Served served[2];
  // The lineage requests, per case of LineageCases(), the same for both.
  std::vector<std::vector<ml_metadata::GetLineageSubgraphRequest>> lineage;
};

std::vector<std::unique_ptr<Database>>& Databases() {
  static auto* databases = new std::vector<std::unique_ptr<Database>>();
  return *databases;
}

// Starts (or restarts) a server and records its start-up: wall time to
// serving and the index load time from its log line "lineage index: N
// events, K KiB, built in D".
void Start(Served& served) {
  if (served.server == nullptr) {
    served.server = std::make_unique<testing::TestServer>(served.db);
  }
  const auto start = Clock::now();
  Check(served.server->Start(served.flags), "start server");
  served.serving_ms.push_back(Millis(Clock::now() - start));
  absl::Duration built = absl::InfiniteDuration();
  for (absl::string_view line : absl::StrSplit(served.server->Log(), '\n')) {
    const size_t at = line.find("built in ");
    if (absl::StrContains(line, "lineage index: ") &&
        at != absl::string_view::npos &&
        !absl::ParseDuration(line.substr(at + 9), &built)) {
      Die(absl::StrCat("cannot read the index time in: ", line));
    }
  }
  if (built == absl::InfiniteDuration()) Die("no lineage index line in log");
  served.index_ms.push_back(absl::ToDoubleMilliseconds(built));
  served.stub = served.server->NewStub();
}

// Every call's latency in microseconds, by (size, operation, backend),
// pooled over all the runs of a benchmark.
using SampleKey = std::tuple<int64_t, std::string, int>;
std::map<SampleKey, std::vector<double>>& Samples() {
  static auto* samples = new std::map<SampleKey, std::vector<double>>();
  return *samples;
}

// Runs `call` once per iteration; reports the run's p50 and p99.
template <typename Fn>
void Measure(benchmark::State& state, const SampleKey& key, Fn call) {
  const std::vector<double> micros = TimedLoop(state, call);
  state.SetItemsProcessed(state.iterations());
  state.counters["p50_us"] = Percentile(micros, 0.5);
  state.counters["p99_us"] = Percentile(micros, 0.99);
  std::vector<double>& all = Samples()[key];
  all.insert(all.end(), micros.begin(), micros.end());
}

void Register(Database& db, Backend backend) {
  const int64_t size = db.size;
  Served& served = db.served[backend];
  const auto name = [&](absl::string_view operation) {
    return absl::StrCat(operation, "/", size, "/", BackendName(backend));
  };
  const auto add = [&](absl::string_view operation, auto body) {
    benchmark::RegisterBenchmark(
        name(operation).c_str(),
        [key = SampleKey{size, std::string(operation), backend},
         body](benchmark::State& state) { Measure(state, key, body); })
        ->UseRealTime();
  };
  add("EmptyRead", [&served] {
    CallOrDie(*served.stub, &MetadataStoreService::Stub::GetArtifactsByID,
              ml_metadata::GetArtifactsByIDRequest(), "GetArtifactsByID");
  });
  // The same id sequence on both backends.
  auto random = std::make_shared<std::mt19937_64>(42);
  add("GetArtifactsByID", [&served, random, n = db.graph.artifacts] {
    ml_metadata::GetArtifactsByIDRequest request;
    request.add_artifact_ids(1 + (*random)() % n);
    const auto response =
        CallOrDie(*served.stub, &MetadataStoreService::Stub::GetArtifactsByID,
                  request, "GetArtifactsByID");
    if (response.artifacts_size() != 1) Die("GetArtifactsByID: no artifact");
  });
  add("PutExecution", [&served] {
    CallOrDie(*served.stub, &MetadataStoreService::Stub::PutExecution,
              served.writes->Next(), "PutExecution");
  });
  add("DurableCommit",
      [&floor = Floor(backend)] { Check(floor.Commit(), "commit floor"); });
  const std::vector<LineageCase> cases = LineageCases();
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& requests = db.lineage[i];
    add(absl::StrCat("Lineage/", cases[i].name),
        [&served, &requests, next = std::make_shared<size_t>(0)] {
          CallOrDie(
              *served.stub, &MetadataStoreService::Stub::GetLineageSubgraph,
              requests[(*next)++ % requests.size()], "GetLineageSubgraph");
        });
  }
}

// Generates both databases, starts both servers `starts` times (the last
// start keeps serving), compares their lineage answers on `check_queries`
// requests per case, and registers the benchmarks. Returns the number of
// differing answers.
constexpr int kWarmUpWrites = 1000;

int SetUp(int64_t size, int starts, int check_queries) {
  auto db = std::make_unique<Database>();
  db->size = size;
  db->served[kSqlite].db = absl::StrCat(TempDir(), "/pipeline_", size, ".db");
  if (!durable_commits) {
    db->served[kSqlite].flags.push_back("--sqlite_synchronous=OFF");
  }
  db->served[kPostgres].db =
      absl::StrCat(Cluster().UriBase(), "/mlmdx_bench_", size);
  Graph graphs[2];
  for (Backend backend : kBackends) {
    const auto start = Clock::now();
    graphs[backend] = GeneratePipelineDatabase(db->served[backend].db, size);
    std::printf(
        "N=%lld %s: generated %lld artifacts, %lld executions, %lld events "
        "in %.1f s\n",
        static_cast<long long>(size), BackendName(backend),
        static_cast<long long>(graphs[backend].artifacts),
        static_cast<long long>(graphs[backend].executions),
        static_cast<long long>(graphs[backend].events),
        Millis(Clock::now() - start) / 1000);
    std::fflush(stdout);
  }
  // The requests carry ids: they must name the same nodes on both.
  if (graphs[kSqlite].models != graphs[kPostgres].models ||
      graphs[kSqlite].datasets != graphs[kPostgres].datasets ||
      graphs[kSqlite].sources != graphs[kPostgres].sources) {
    Die("the two generated databases have different ids");
  }
  db->graph = graphs[kSqlite];

  for (int i = 0; i < starts; ++i) {
    for (Backend backend : kBackends) {
      Served& served = db->served[backend];
      Start(served);
      if (i + 1 < starts) served.server->Stop();
    }
  }
  for (Served& served : db->served) {
    absl::StatusOr<KfpPutExecution> writes =
        KfpPutExecution::Prepare(*served.stub);
    Check(writes.status(), "prepare PutExecution");
    served.writes = *std::move(writes);
    // A warm-up of the write workload, so that the tables it grows (the
    // generated graph has no node properties) are not empty to the
    // planner.
    for (int i = 0; i < kWarmUpWrites; ++i) {
      CallOrDie(*served.stub, &MetadataStoreService::Stub::PutExecution,
                served.writes->Next(), "PutExecution");
    }
  }
  // Then the database as autovacuum keeps it under a steady workload: a
  // fresh cluster's autovacuum first reaches a new database only after a
  // minute or more, longer than a run, and until then the planner sees
  // the empty tables of population time and the hot context rows keep
  // every old version.
  {
    PGconn* conn = PQconnectdb(db->served[kPostgres].db.c_str());
    PGresult* result = PQexec(conn, "VACUUM ANALYZE");
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      Die(absl::StrCat("VACUUM ANALYZE: ", PQerrorMessage(conn)));
    }
    PQclear(result);
    PQfinish(conn);
  }

  std::mt19937_64 random(size);
  int mismatches = 0;
  for (const LineageCase& c : LineageCases()) {
    auto& requests = db->lineage.emplace_back();
    for (int i = 0; i < std::max(check_queries, 100); ++i) {
      requests.push_back(
          MakeLineageRequest(c, PickStart(c.start, db->graph, random)));
    }
    for (int i = 0; i < check_queries; ++i) {
      ml_metadata::GetLineageSubgraphResponse answers[2];
      for (Backend backend : kBackends) {
        answers[backend] =
            CallOrDie(*db->served[backend].stub,
                      &MetadataStoreService::Stub::GetLineageSubgraph,
                      requests[i], "GetLineageSubgraph");
      }
      const std::string difference = LineageDifference(
          answers[kSqlite].lineage_subgraph(),
          answers[kPostgres].lineage_subgraph(), EventTimes::kIgnore);
      if (!difference.empty() && mismatches++ < 5) {
        std::fprintf(stderr, "N=%lld %s: %s\n", static_cast<long long>(size),
                     c.name.c_str(), difference.c_str());
      }
    }
  }
  std::printf("N=%lld: lineage answers of the two servers: %s (%d x %zu)\n",
              static_cast<long long>(size),
              mismatches == 0 ? "same" : "DIFFERENT", check_queries,
              LineageCases().size());
  for (Backend backend : kBackends) Register(*db, backend);
  Databases().push_back(std::move(db));
  return mismatches;
}

double Median(const std::vector<double>& v) { return Percentile(v, 0.5); }

void PrintComparison() {
  std::printf(
      "\n| N | backend | events | index load (median) | serving after "
      "(median) | starts |\n|---|---|---|---|---|---|\n");
  for (const auto& db : Databases()) {
    for (Backend backend : kBackends) {
      const Served& s = db->served[backend];
      std::printf("| %lld | %s | %lld | %.0f ms | %.0f ms | %zu |\n",
                  static_cast<long long>(db->size), BackendName(backend),
                  static_cast<long long>(db->graph.events), Median(s.index_ms),
                  Median(s.serving_ms), s.index_ms.size());
    }
  }
  std::printf(
      "\nAll timed calls pooled; latencies in ms; PG/SQLite = ratio "
      "of the p50s.\n\n| N | operation | SQLite p50 / p99 | "
      "PostgreSQL p50 / p99 | PG/SQLite | calls/s SQLite / PG | "
      "calls |\n|---|---|---|---|---|---|---|\n");
  for (const auto& [key, sqlite] : Samples()) {
    const auto& [size, operation, backend] = key;
    if (backend != kSqlite) continue;
    const auto pg = Samples().find({size, operation, kPostgres});
    if (pg == Samples().end() || sqlite.empty() || pg->second.empty()) {
      continue;
    }
    const auto rate = [](const std::vector<double>& micros) {
      double total = 0;
      for (double m : micros) total += m;
      return micros.size() * 1e6 / total;
    };
    const double sqlite_p50 = Percentile(sqlite, 0.5) / 1000;
    const double pg_p50 = Percentile(pg->second, 0.5) / 1000;
    std::printf(
        "| %lld | %s | %.3f / %.3f | %.3f / %.3f | %.2fx | %.0f / %.0f | "
        "%zu / %zu |\n",
        static_cast<long long>(size), operation.c_str(), sqlite_p50,
        Percentile(sqlite, 0.99) / 1000, pg_p50,
        Percentile(pg->second, 0.99) / 1000, pg_p50 / sqlite_p50, rate(sqlite),
        rate(pg->second), sqlite.size(), pg->second.size());
  }
}

// Removes `--<name>=VALUE` (or a bare `--<name>`, VALUE "true") from argv.
std::string TakeFlag(int* argc, char** argv, absl::string_view name,
                     std::string value) {
  const std::string flag = absl::StrCat("--", name);
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == flag) {
      value = "true";
    } else if (absl::StartsWith(arg, flag + "=")) {
      value = std::string(arg.substr(flag.size() + 1));
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return value;
}

int TakeIntFlag(int* argc, char** argv, absl::string_view name, int value) {
  const std::string text = TakeFlag(argc, argv, name, absl::StrCat(value));
  if (!absl::SimpleAtoi(text, &value) || value < 1) {
    Die(absl::StrCat("bad --", name, ": ", text));
  }
  return value;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  const std::vector<int64_t> sizes = TakeBenchSizes(&argc, argv, "100000", 1);
  const int starts = TakeIntFlag(&argc, argv, "mlmdx_starts", 3);
  const int check_queries = TakeIntFlag(&argc, argv, "mlmdx_check_queries", 20);
  durable_commits = TakeFlag(&argc, argv, "mlmdx_no_sync", "false") != "true";
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  Check(Cluster().Start(), "start PostgreSQL");
  std::printf("PostgreSQL cluster at %s, %s\n", Cluster().UriBase().c_str(),
              durable_commits ? "durable (fsync=on, synchronous_commit=on)"
                              : "fsync=off, synchronous_commit=off");
  int mismatches = 0;
  for (int64_t size : sizes) mismatches += SetUp(size, starts, check_queries);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // The servers go before the cluster they are connected to.
  for (const auto& db : Databases()) {
    for (Served& served : db->served) served.server.reset();
  }
  PrintComparison();
  if (mismatches > 0) {
    std::printf("%d lineage answers differ\n", mismatches);
    return 1;
  }
  return 0;
}
