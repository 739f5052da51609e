// GetLineageSubgraph through the real `mlmdx serve` (in-memory lineage index)
// against MLMD's server, on pipeline-shaped databases of N artifacts.
//
// MLMD itself cannot be installed here, so its server is stood in for by
// bench/mlmd_shaped_server.h: an in-process gRPC server that answers each
// request at MLMD's SQL cost (a new SQLite connection per RPC, the schema
// check and simple-type check transactions, then the SQL-per-hop traversal
// with sqlite3_exec and literal SQL; it leaves out some of MLMD's CPU work,
// which flatters MLMD). Both servers get the same requests on the same file
// and their answers are compared in full. The in-process SQL-per-hop
// traversal of tests/sql_lineage_baseline.h (cached connection, no RPC, no
// serialization, traversal only) is kept as a lower bound on any SQL-per-hop
// server.
//
// Databases: bench/pipeline_db.h (pipelines of 50 KFP-like runs, fan-out
// from each pipeline's source dataset, warm-start chains across runs, a
// 50-run chain in every 20th pipeline). Larger N means more pipelines, not
// deeper ones, so answers have the same size at every N and the growth
// figure measures the cost of the database size alone.
//
// Measured, per size: server start-up (wall time from fork to serving, and
// the index build time and memory its log reports; server RSS), bare gRPC
// round trips to both servers, then per case p50/p90 of the mlmdx call, of
// the MLMD-shaped call and of the in-process traversal, the ratios, answer
// sizes and the SQL statements the MLMD-shaped server ran for one query.
// Cases: upstream from a recent model and downstream from an early dataset
// at 2, 10 and unset (100) hops; upstream from the last model of a 50-run
// chain (deep); downstream from a pipeline's source dataset (wide: all 50
// runs); all with the read mask MLMD's Python client sends (artifacts,
// executions, contexts, events, attributions, associations), plus one case
// with the mask artifacts, executions, events. Queries run in blocks of 50:
// each server answers the block back to back after a few unmeasured bare
// calls, then the next server the same queries.
//
// The generated file carries mlmdx's own indexes (migrations/sqlite/mlmdx:
// Attribution(artifact_id), Association(execution_id)), which a database
// made by MLMD does not have; on the same file the MLMD-shaped server's
// attribution and association lookups use them, which flatters MLMD. With
// --mlmd_without_mlmdx_indexes the MLMD-shaped server serves a page-for-page
// copy of the file with those indexes dropped (MLMD's schema v10 exactly),
// so those lookups scan the tables as they do under MLMD.
//
// Usage:
//   mlmdx_lineage_rpc_benchmark [--sizes=10000,100000[,1000000]]
//                               [--queries=100] [--keep_db_dir=DIR]
//                               [--mlmd_without_mlmdx_indexes]
//                               [--skip_mlmd_shaped]
// Exits 1 if any answer differs.

#include <grpcpp/grpcpp.h>
#include <sqlite3.h>
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
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/lineage_cases.h"
#include "bench/mlmd_shaped_server.h"
#include "bench/pipeline_db.h"
#include "store/metadata_store.h"
#include "tests/sql_lineage_baseline.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;
using ml_metadata::LineageGraph;
using ml_metadata::LineageSubgraphQueryOptions;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
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

// Empty when the two answers list the same types (id, name, version,
// description, properties), in the same order.
template <typename Type>
std::string TypesDifference(const google::protobuf::RepeatedPtrField<Type>& a,
                            const google::protobuf::RepeatedPtrField<Type>& b,
                            const char* what) {
  const auto text = [](const Type& t) {
    std::map<std::string, int> properties(t.properties().begin(),
                                          t.properties().end());
    std::string result = absl::StrCat(
        t.id(), " ", t.name(), " v", t.has_version() ? t.version() : "-", " d",
        t.has_description() ? t.description() : "-");
    for (const auto& [name, type] : properties) {
      absl::StrAppend(&result, " ", name, ":", type);
    }
    return result;
  };
  if (a.size() != b.size()) {
    return absl::StrCat(what, " counts differ (", a.size(), " vs ", b.size(),
                        ")");
  }
  for (int i = 0; i < a.size(); ++i) {
    if (text(a[i]) != text(b[i])) {
      return absl::StrCat(what, " differ: ", text(a[i]), " vs ", text(b[i]));
    }
  }
  return "";
}

// Empty when the answer has the baseline's ids and events (endpoints and
// type, in order).
std::string DifferenceFromBaseline(const LineageGraph& g,
                                   const testing::BaselineResult& want) {
  std::vector<int64_t> artifacts, executions;
  for (const auto& a : g.artifacts()) artifacts.push_back(a.id());
  for (const auto& e : g.executions()) executions.push_back(e.id());
  std::sort(artifacts.begin(), artifacts.end());
  std::sort(executions.begin(), executions.end());
  if (artifacts != want.artifact_ids) return "artifacts differ";
  if (executions != want.execution_ids) return "executions differ";
  if (g.events_size() != static_cast<int>(want.events.size())) {
    return "event counts differ";
  }
  for (int i = 0; i < g.events_size(); ++i) {
    if (g.events(i).artifact_id() != want.events[i].artifact_id ||
        g.events(i).execution_id() != want.events[i].execution_id ||
        g.events(i).type() != want.events[i].type) {
      return absl::StrCat("event ", i, " differs");
    }
  }
  return "";
}

double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Row {
  int64_t size;
  std::string name;
  double mlmdx_p50, mlmdx_p90;
  double mlmd_p50, mlmd_p90;
  double base_p50, base_p90;
  double nodes, events, contexts;  // mean answer size
  MlmdStatementCounts statements;  // of the query with the median total
  int max_statements;
  int mismatches_mlmd;      // mlmdx vs MLMD-shaped (full answer)
  int mismatches_baseline;  // mlmdx vs in-process traversal
};

// A few unmeasured bare round trips, so that a block of measured calls does
// not start with the wake-up of a server that sat idle while another one
// worked (threads, caches; up to a few tenths of a millisecond here).
void WarmUp(ml_metadata::MetadataStoreService::Stub& stub) {
  for (int i = 0; i < 5; ++i) {
    ml_metadata::GetArtifactsByIDRequest request;
    ml_metadata::GetArtifactsByIDResponse response;
    grpc::ClientContext context;
    (void)stub.GetArtifactsByID(&context, request, &response);
  }
}

// The bare round trip of a server: GetArtifactsByID with no ids on mlmdx,
// an UNIMPLEMENTED call on the MLMD-shaped server.
double BareRoundTripP50(ml_metadata::MetadataStoreService::Stub& stub) {
  std::vector<double> ms;
  for (int q = 0; q < 200; ++q) {
    ml_metadata::GetArtifactsByIDRequest request;
    ml_metadata::GetArtifactsByIDResponse response;
    grpc::ClientContext context;
    const auto start = Clock::now();
    (void)stub.GetArtifactsByID(&context, request, &response);
    ms.push_back(Millis(Clock::now() - start));
  }
  return Percentile(ms, 0.5);
}

// Not timed: one request per start kind with an empty read mask (every
// field, *_types included, as raw gRPC clients get), answers compared in
// full. Returns the number of differing answers.
int CheckEmptyMask(int64_t size, const Graph& graph,
                   ml_metadata::MetadataStoreService::Stub& stub,
                   ml_metadata::MetadataStoreService::Stub& mlmd_stub) {
  int mismatches = 0;
  std::mt19937_64 random(size);
  for (const LineageCase& c : LineageCases()) {
    if (c.mask != Mask::kPythonClient || c.hops >= 0) continue;
    ml_metadata::GetLineageSubgraphRequest request =
        MakeLineageRequest(c, PickStart(c.start, graph, random));
    request.clear_read_mask();
    ml_metadata::GetLineageSubgraphResponse ours, theirs;
    grpc::ClientContext context, mlmd_context;
    if (!stub.GetLineageSubgraph(&context, request, &ours).ok() ||
        !mlmd_stub.GetLineageSubgraph(&mlmd_context, request, &theirs).ok()) {
      Die("empty-mask request failed");
    }
    const LineageGraph& a = ours.lineage_subgraph();
    const LineageGraph& b = theirs.lineage_subgraph();
    std::string difference = LineageDifference(a, b);
    for (std::string types :
         {TypesDifference(a.artifact_types(), b.artifact_types(),
                          "artifact types"),
          TypesDifference(a.execution_types(), b.execution_types(),
                          "execution types"),
          TypesDifference(a.context_types(), b.context_types(),
                          "context types")}) {
      if (difference.empty()) difference = types;
    }
    if (!difference.empty()) {
      ++mismatches;
      std::fprintf(stderr, "N=%lld %s, empty read mask: %s\n",
                   static_cast<long long>(size), c.name.c_str(),
                   difference.c_str());
    }
  }
  std::printf("N=%lld: empty-read-mask check (every field incl. types): %s\n",
              static_cast<long long>(size),
              mismatches == 0 ? "same answers" : "ANSWERS DIFFER");
  return mismatches;
}

// Copies the SQLite file `from` to `to` page for page (the backup API, so
// the layout is the same) and drops the indexes mlmdx adds to MLMD's
// schema (named mlmdx_*), leaving the schema MLMD itself creates.
absl::Status CopyWithoutMlmdxIndexes(const std::string& from,
                                     const std::string& to) {
  std::remove(to.c_str());
  sqlite3* source = nullptr;
  sqlite3* copy = nullptr;
  absl::Status status;
  if (sqlite3_open_v2(from.c_str(), &source, SQLITE_OPEN_READONLY, nullptr) !=
          SQLITE_OK ||
      sqlite3_open(to.c_str(), &copy) != SQLITE_OK) {
    status = absl::UnavailableError("cannot open the files to copy");
  }
  if (status.ok()) {
    sqlite3_backup* backup = sqlite3_backup_init(copy, "main", source, "main");
    if (backup == nullptr || sqlite3_backup_step(backup, -1) != SQLITE_DONE) {
      status = absl::InternalError(sqlite3_errmsg(copy));
    }
    sqlite3_backup_finish(backup);
  }
  std::vector<std::string> indexes;
  if (status.ok()) {
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(copy,
                       "SELECT name FROM sqlite_master WHERE type = 'index' "
                       "AND name LIKE 'mlmdx\\_%' ESCAPE '\\'",
                       -1, &select, nullptr);
    while (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
      indexes.emplace_back(
          reinterpret_cast<const char*>(sqlite3_column_text(select, 0)));
    }
    sqlite3_finalize(select);
  }
  for (const std::string& index : indexes) {
    if (status.ok() &&
        sqlite3_exec(copy, absl::StrCat("DROP INDEX \"", index, "\"").c_str(),
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      status = absl::InternalError(sqlite3_errmsg(copy));
    }
  }
  sqlite3_close(copy);
  sqlite3_close(source);
  if (status.ok() && indexes.empty()) {
    status = absl::NotFoundError("no mlmdx_* index to drop");
  }
  return status;
}

struct Options {
  std::vector<int64_t> sizes = {10000, 100000};
  int queries = 100;
  std::string keep_dir;
  bool mlmd_without_mlmdx_indexes = false;
  // Time only mlmdx and the in-process traversal: at 1M artifacts each
  // MLMD-shaped request scans hundreds of MB, which evicts mlmdx's data from
  // the caches of the shared cores between blocks, so growth figures of
  // mlmdx alone come from a run without it.
  bool skip_mlmd_shaped = false;
};

// Runs every case at one size; differing answers of the untimed checks are
// added to `*check_mismatches`.
std::vector<Row> RunSize(int64_t size, const Options& options,
                         const std::string& dir, int* check_mismatches) {
  const int queries = options.queries;
  const std::string db_path = absl::StrCat(dir, "/lineage_", size, ".sqlite");
  std::remove(db_path.c_str());
  std::remove((db_path + "-wal").c_str());
  std::remove((db_path + "-shm").c_str());
  auto t0 = Clock::now();
  const Graph graph = GeneratePipelineDatabase(db_path, size);
  std::printf(
      "N=%lld: generated %lld artifacts, %lld executions, %lld events in "
      "%.1f s (%zu pipelines, %zu chained)\n",
      static_cast<long long>(size), static_cast<long long>(graph.artifacts),
      static_cast<long long>(graph.executions),
      static_cast<long long>(graph.events), Seconds(Clock::now() - t0),
      graph.sources.size(), graph.chained_pipelines.size());
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

  std::string mlmd_db_path = db_path;
  if (options.mlmd_without_mlmdx_indexes) {
    mlmd_db_path = absl::StrCat(dir, "/lineage_", size, "_mlmd_schema.sqlite");
    Check(CopyWithoutMlmdxIndexes(db_path, mlmd_db_path), "copy for MLMD");
  }
  std::printf("N=%lld: the MLMD-shaped server serves %s\n",
              static_cast<long long>(size),
              options.mlmd_without_mlmdx_indexes
                  ? "a copy without mlmdx's indexes (MLMD's schema)"
                  : "the same file (with mlmdx's indexes)");
  auto mlmd_server = MlmdShapedServer::Start(mlmd_db_path);
  Check(mlmd_server.status(), "start the MLMD-shaped server");
  auto stub = server.NewStub();
  auto mlmd_stub = (*mlmd_server)->NewStub();
  auto baseline = testing::SqlLineageBaseline::Open(db_path, true);
  Check(baseline.status(), "open baseline");

  std::printf(
      "N=%lld: bare gRPC round trip p50: mlmdx %.3f ms, MLMD-shaped "
      "(in-process) %.3f ms\n",
      static_cast<long long>(size), BareRoundTripP50(*stub),
      BareRoundTripP50(*mlmd_stub));

  std::vector<Row> rows;
  int reported_differences = 0;
  for (const LineageCase& c : LineageCases()) {
    std::mt19937_64 random(size);
    std::vector<double> mlmdx_ms, mlmd_ms, base_ms;
    std::vector<MlmdStatementCounts> statements;
    double nodes = 0, events = 0, contexts = 0;
    int mismatches_mlmd = 0, mismatches_baseline = 0;
    // Queries run in blocks: each server answers the block's queries back
    // to back (a closed loop, as a client issuing them in turn sees it),
    // then the next server the same queries. Alternating per block keeps
    // the servers under the same machine load; long blocks keep the thread
    // wake-ups and cache misses that follow the other servers' work (at 1M
    // artifacts the MLMD-shaped server and the in-process traversal read
    // hundreds of MB between blocks) out of all but a block's first calls.
    constexpr int kBlock = 50;
    for (int q0 = 0; q0 < queries; q0 += kBlock) {
      const int n = std::min(kBlock, queries - q0);
      std::vector<int64_t> start_ids;
      std::vector<ml_metadata::GetLineageSubgraphRequest> requests;
      for (int i = 0; i < n; ++i) {
        start_ids.push_back(PickStart(c.start, graph, random));
        requests.push_back(MakeLineageRequest(c, start_ids.back()));
      }

      std::vector<ml_metadata::GetLineageSubgraphResponse> responses(n);
      WarmUp(*stub);
      for (int i = 0; i < n; ++i) {
        const auto start = Clock::now();
        grpc::ClientContext context;
        const grpc::Status status =
            stub->GetLineageSubgraph(&context, requests[i], &responses[i]);
        mlmdx_ms.push_back(Millis(Clock::now() - start));
        if (!status.ok()) Die("mlmdx: " + status.error_message());
      }

      std::vector<ml_metadata::GetLineageSubgraphResponse> mlmd_responses(n);
      if (!options.skip_mlmd_shaped) WarmUp(*mlmd_stub);
      for (int i = 0; i < n && !options.skip_mlmd_shaped; ++i) {
        const auto start = Clock::now();
        grpc::ClientContext context;
        const grpc::Status status = mlmd_stub->GetLineageSubgraph(
            &context, requests[i], &mlmd_responses[i]);
        mlmd_ms.push_back(Millis(Clock::now() - start));
        if (!status.ok()) Die("MLMD-shaped: " + status.error_message());
        statements.push_back((*mlmd_server)->LastRequestStatements());
      }

      std::vector<testing::BaselineResult> wants;
      for (int i = 0; i < n; ++i) {
        const auto start = Clock::now();
        testing::BaselineQuery query;
        auto ids = (*baseline)->SelectIds(
            absl::StrCat("SELECT id FROM Artifact WHERE id = ", start_ids[i],
                         " ORDER BY id LIMIT 101"));
        Check(ids.status(), "baseline start");
        query.start_ids = *ids;
        query.max_num_hops = c.hops >= 0 ? c.hops : 100;
        query.direction = c.direction == LineageSubgraphQueryOptions::UPSTREAM
                              ? testing::BaselineDirection::kUpstream
                              : testing::BaselineDirection::kDownstream;
        auto want = (*baseline)->Run(query);
        base_ms.push_back(Millis(Clock::now() - start));
        Check(want.status(), "baseline");
        wants.push_back(*std::move(want));
      }

      for (int i = 0; i < n; ++i) {
        const LineageGraph& g = responses[i].lineage_subgraph();
        const std::string against_mlmd =
            options.skip_mlmd_shaped
                ? ""
                : LineageDifference(g, mlmd_responses[i].lineage_subgraph());
        const std::string against_baseline =
            DifferenceFromBaseline(g, wants[i]);
        if (!against_mlmd.empty()) ++mismatches_mlmd;
        if (!against_baseline.empty()) ++mismatches_baseline;
        if ((!against_mlmd.empty() || !against_baseline.empty()) &&
            reported_differences++ < 5) {
          std::fprintf(
              stderr,
              "N=%lld %s, start id %lld: vs MLMD-shaped: %s; vs "
              "in-process: %s\n",
              static_cast<long long>(size), c.name.c_str(),
              static_cast<long long>(start_ids[i]),
              against_mlmd.empty() ? "same" : against_mlmd.c_str(),
              against_baseline.empty() ? "same" : against_baseline.c_str());
        }
        nodes += g.artifacts_size() + g.executions_size();
        events += g.events_size();
        contexts += g.contexts_size();
      }
    }
    if (statements.empty()) statements.emplace_back();
    std::sort(statements.begin(), statements.end(),
              [](const MlmdStatementCounts& a, const MlmdStatementCounts& b) {
                return a.total() < b.total();
              });
    rows.push_back({size, c.name, Percentile(mlmdx_ms, 0.5),
                    Percentile(mlmdx_ms, 0.9), Percentile(mlmd_ms, 0.5),
                    Percentile(mlmd_ms, 0.9), Percentile(base_ms, 0.5),
                    Percentile(base_ms, 0.9), nodes / queries, events / queries,
                    contexts / queries, statements[statements.size() / 2],
                    statements.back().total(), mismatches_mlmd,
                    mismatches_baseline});
    const Row& r = rows.back();
    std::printf(
        "N=%-7lld %-38s mlmdx p50 %6.3f p90 %6.3f | MLMD-shaped p50 %7.3f "
        "p90 %7.3f x%6.1f | in-process p50 %6.3f x%5.2f | %4.0f nodes %4.0f "
        "events %3.0f contexts | MLMD SQL %d (%d+%d+%d+%d) | mismatches "
        "%d/%d\n",
        static_cast<long long>(size), r.name.c_str(), r.mlmdx_p50, r.mlmdx_p90,
        r.mlmd_p50, r.mlmd_p90, r.mlmd_p50 / r.mlmdx_p50, r.base_p50,
        r.base_p50 / r.mlmdx_p50, r.nodes, r.events, r.contexts,
        r.statements.total(), r.statements.schema_check,
        r.statements.simple_types, r.statements.body,
        r.statements.transaction_control, r.mismatches_mlmd,
        r.mismatches_baseline);
    std::fflush(stdout);
  }
  *check_mismatches += CheckEmptyMask(size, graph, *stub, *mlmd_stub);
  mlmd_server->reset();
  server.Stop();
  return rows;
}

void PrintTable(const std::vector<Row>& all) {
  std::printf(
      "\n| N | case | mlmdx p50 / p90 ms | MLMD-shaped p50 / p90 ms | "
      "MLMD-shaped / mlmdx | in-process p50 ms | in-process / mlmdx | "
      "nodes / events / contexts | MLMD SQL statements (schema + types + "
      "body + BEGIN/COMMIT) |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : all) {
    std::printf(
        "| %lld | %s | %.3f / %.3f | %.3f / %.3f | %.1fx | %.3f | %.2fx | "
        "%.0f / %.0f / %.0f | %d (%d + %d + %d + %d), max %d |\n",
        static_cast<long long>(r.size), r.name.c_str(), r.mlmdx_p50,
        r.mlmdx_p90, r.mlmd_p50, r.mlmd_p90, r.mlmd_p50 / r.mlmdx_p50,
        r.base_p50, r.base_p50 / r.mlmdx_p50, r.nodes, r.events, r.contexts,
        r.statements.total(), r.statements.schema_check,
        r.statements.simple_types, r.statements.body,
        r.statements.transaction_control, r.max_statements);
  }
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  Options options;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--sizes=")) {
      options.sizes.clear();
      for (absl::string_view part : absl::StrSplit(arg, ',')) {
        int64_t n = 0;
        if (!absl::SimpleAtoi(part, &n) || n < 1) Die("bad --sizes");
        options.sizes.push_back(n);
      }
    } else if (absl::ConsumePrefix(&arg, "--queries=")) {
      if (!absl::SimpleAtoi(arg, &options.queries) || options.queries < 1) {
        Die("bad --queries");
      }
    } else if (absl::ConsumePrefix(&arg, "--keep_db_dir=")) {
      options.keep_dir = std::string(arg);
    } else if (arg == "--mlmd_without_mlmdx_indexes") {
      options.mlmd_without_mlmdx_indexes = true;
    } else if (arg == "--skip_mlmd_shaped") {
      options.skip_mlmd_shaped = true;
    } else {
      Die(absl::StrCat("unknown flag ", arg));
    }
  }
  std::string dir = options.keep_dir;
  if (dir.empty()) {
    char dir_template[] = "/tmp/mlmdx_lineage_bench_XXXXXX";
    dir = mkdtemp(dir_template);
  }
  std::vector<Row> all;
  int mismatches = 0;
  for (int64_t size : options.sizes) {
    std::vector<Row> rows = RunSize(size, options, dir, &mismatches);
    all.insert(all.end(), rows.begin(), rows.end());
  }
  PrintTable(all);
  std::printf(
      "\np50 growth against the first size (same answers, larger "
      "database):\n");
  for (const Row& r : all) {
    mismatches += r.mismatches_mlmd + r.mismatches_baseline;
    for (const Row& first : all) {
      if (first.name == r.name && first.size == options.sizes.front() &&
          r.size != options.sizes.front()) {
        std::printf(
            "  N=%-8lld %-38s mlmdx x%.2f  MLMD-shaped x%.2f  in-process "
            "x%.2f\n",
            static_cast<long long>(r.size), r.name.c_str(),
            r.mlmdx_p50 / first.mlmdx_p50, r.mlmd_p50 / first.mlmd_p50,
            r.base_p50 / first.base_p50);
      }
    }
  }
  if (options.keep_dir.empty()) {
    (void)std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
  }
  if (mismatches > 0) {
    std::printf("%d answers differ\n", mismatches);
    return 1;
  }
  return 0;
}
