// Walking every page of a broad filtered listing, and the memory that many
// distinct filter shapes leave behind, on SQLite and on PostgreSQL, through
// store::MetadataStore (the layer that pages and caches statements).
//
// The store holds N matching artifacts (attributed to one context, the
// filter `contexts_a.name = 'trainer'`) and N/2 others. Per backend it
// measures a full walk (next_page_token until empty) at page size 20 and at
// 100, ordered by ID ascending and by CREATE_TIME descending, and prints the
// ratio of the two walks: a page that costs in proportion to its size, not
// to the number of matches, keeps it near 1 (MLMD's cap is 100 a page, so a
// client at 20 a page should not pay 5x for the same rows).
//
// Then it lists once with each of 3,000 distinct filter shapes (IN lists of
// 1-1,000 ids, with three different extra terms: each shape is a statement
// of its own) and prints the memory the statements hold afterwards: this
// process's resident set on SQLite (after malloc_trim), the server
// processes' private memory on PostgreSQL.
//
// Usage:
//   mlmdx_paging_benchmark [--mlmdx_bench_sizes=20000] [--mlmdx_shapes=3000]
//                          [benchmark flags]
// PostgreSQL runs on a throwaway cluster (tests/postgres_cluster.h); it is
// skipped, with a note, when PostgreSQL's server programs are missing.

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/bench_sizes.h"
#include "benchmark/benchmark.h"
#include "store/metadata_store.h"
#include "store/postgres_connection.h"
#include "tests/postgres_cluster.h"

namespace mlmdx::bench {
namespace {

namespace mlmd = ::ml_metadata;
using Clock = std::chrono::steady_clock;
using Field = mlmd::ListOperationOptions::OrderByField;

constexpr char kFilter[] = "contexts_a.name = 'trainer'";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "paging_benchmark: %s\n", what.c_str());
  std::exit(1);
}

void Check(const absl::Status& status, const std::string& what) {
  if (!status.ok()) Die(absl::StrCat(what, ": ", status.ToString()));
}

struct Backend {
  std::string name;
  std::unique_ptr<store::MetadataStore> store;
  // Bytes of memory that prepared statements can occupy, as the backend
  // lets us see it.
  std::function<int64_t()> memory;
  // Mean milliseconds of one walk, by "<order>/<page size>".
  std::map<std::string, double> walk_ms;
  int64_t memory_before = 0;
  int64_t memory_after = 0;
};

std::vector<std::unique_ptr<Backend>>& Backends() {
  static auto* backends = new std::vector<std::unique_ptr<Backend>>();
  return *backends;
}

int64_t matches = 20000;
int shapes = 3000;

// Reads "<key>: <n> kB" from a /proc file; bytes, 0 if absent.
int64_t ProcKilobytes(const std::string& path, absl::string_view key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, key)) continue;
    std::vector<std::string> parts =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    int64_t kb = 0;
    if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &kb)) return kb * 1024;
  }
  return 0;
}

int64_t OwnResidentBytes() {
  malloc_trim(0);
  return ProcKilobytes("/proc/self/status", "VmRSS:");
}

void Populate(store::MetadataStore& store) {
  mlmd::PutArtifactTypeRequest type_request;
  type_request.mutable_artifact_type()->set_name("Data");
  mlmd::PutArtifactTypeResponse type_response;
  Check(store.PutArtifactType(type_request, &type_response), "type");
  mlmd::PutContextTypeRequest context_type_request;
  context_type_request.mutable_context_type()->set_name("Node");
  mlmd::PutContextTypeResponse context_type_response;
  Check(store.PutContextType(context_type_request, &context_type_response),
        "context type");
  mlmd::PutContextsRequest contexts_request;
  mlmd::Context* context = contexts_request.add_contexts();
  context->set_type_id(context_type_response.type_id());
  context->set_name("trainer");
  mlmd::PutContextsResponse contexts_response;
  Check(store.PutContexts(contexts_request, &contexts_response), "context");
  const int64_t context_id = contexts_response.context_ids(0);

  // Two of every three artifacts match.
  const int64_t total = matches + matches / 2;
  constexpr int kBatch = 600;
  for (int64_t done = 0; done < total; done += kBatch) {
    mlmd::PutArtifactsRequest request;
    for (int64_t i = done; i < std::min(total, done + kBatch); ++i) {
      mlmd::Artifact* artifact = request.add_artifacts();
      artifact->set_type_id(type_response.type_id());
      artifact->set_uri(absl::StrCat("s3://bucket/a/", i));
    }
    mlmd::PutArtifactsResponse response;
    Check(store.PutArtifacts(request, &response), "artifacts");
    mlmd::PutAttributionsAndAssociationsRequest links;
    for (int i = 0; i < response.artifact_ids_size(); ++i) {
      if ((done + i) % 3 == 2) continue;
      mlmd::Attribution* attribution = links.add_attributions();
      attribution->set_context_id(context_id);
      attribution->set_artifact_id(response.artifact_ids(i));
    }
    mlmd::PutAttributionsAndAssociationsResponse links_response;
    Check(store.PutAttributionsAndAssociations(links, &links_response),
          "attributions");
  }
}

mlmd::ListOperationOptions Options(const std::string& filter,
                                   Field::Field field, bool asc,
                                   int page_size) {
  mlmd::ListOperationOptions options;
  options.set_filter_query(filter);
  options.set_max_result_size(page_size);
  options.mutable_order_by_field()->set_field(field);
  options.mutable_order_by_field()->set_is_asc(asc);
  return options;
}

// Follows tokens to the end; returns the rows listed.
int64_t Walk(store::MetadataStore& store, Field::Field field, bool asc,
             int page_size) {
  mlmd::GetArtifactsRequest request;
  *request.mutable_options() = Options(kFilter, field, asc, page_size);
  int64_t rows = 0;
  for (;;) {
    mlmd::GetArtifactsResponse response;
    Check(store.GetArtifacts(request, &response), "GetArtifacts");
    rows += response.artifacts_size();
    if (response.next_page_token().empty()) return rows;
    request.mutable_options()->set_next_page_token(response.next_page_token());
  }
}

void BM_Walk(benchmark::State& state, Backend* backend, Field::Field field,
             bool asc, int page_size) {
  double total_ms = 0;
  int64_t walks = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    const int64_t rows = Walk(*backend->store, field, asc, page_size);
    total_ms +=
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    ++walks;
    if (rows != matches) {
      Die(absl::StrCat(backend->name, ": walked ", rows, " rows, expected ",
                       matches));
    }
  }
  state.counters["pages"] =
      static_cast<double>((matches + page_size - 1) / page_size);
  backend->walk_ms[absl::StrCat(Field::Field_Name(field),
                                asc ? "_asc" : "_desc", "/", page_size)] =
      total_ms / walks;
}

// One listing per distinct filter shape.
void ListEveryShape(store::MetadataStore& store) {
  for (int i = 0; i < shapes; ++i) {
    std::vector<std::string> ids;
    for (int k = 0; k <= i % 1000; ++k) ids.push_back(absl::StrCat(k + 1));
    const char* extra[] = {"", " AND uri != 'none'", " AND type = 'Data'"};
    const std::string filter = absl::StrCat("id IN (", absl::StrJoin(ids, ", "),
                                            ")", extra[(i / 1000) % 3]);
    mlmd::GetArtifactsRequest request;
    *request.mutable_options() = Options(filter, Field::ID, true, 20);
    mlmd::GetArtifactsResponse response;
    Check(store.GetArtifacts(request, &response), "GetArtifacts (shape)");
  }
}

void BM_Shapes(benchmark::State& state, Backend* backend) {
  for (auto _ : state) {
    backend->memory_before = backend->memory();
    ListEveryShape(*backend->store);
    backend->memory_after = backend->memory();
  }
  state.counters["MB_before"] = backend->memory_before / 1e6;
  state.counters["MB_after"] = backend->memory_after / 1e6;
}

std::string TempDir() {
  char dir_template[] = "/tmp/mlmdx_paging_bench_XXXXXX";
  return mkdtemp(dir_template);
}

testing::PostgresCluster& Cluster() {
  static testing::PostgresCluster cluster;
  return cluster;
}

// Private memory of the server processes serving database `dbname`.
int64_t PostgresBackendsBytes(store::PostgresConnection& admin,
                              const std::string& dbname) {
  auto rows = admin.Query(
      "SELECT pid FROM pg_stat_activity WHERE datname = ? AND pid <> "
      "pg_backend_pid()",
      {store::SqlValue::Text(dbname)});
  Check(rows.status(), "pg_stat_activity");
  int64_t bytes = 0;
  for (const auto& row : rows->rows) {
    const std::string smaps =
        absl::StrCat("/proc/", row[0].AsInt(), "/smaps_rollup");
    bytes += ProcKilobytes(smaps, "Private_Dirty:");
    bytes += ProcKilobytes(smaps, "Private_Clean:");
  }
  return bytes;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  matches = TakeBenchSizes(&argc, argv, "20000", 10).back();
  {
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
      if (absl::StartsWith(argv[i], "--mlmdx_shapes=")) {
        if (!absl::SimpleAtoi(argv[i] + 15, &shapes)) Die("bad --mlmdx_shapes");
      } else {
        argv[kept++] = argv[i];
      }
    }
    argc = kept;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::string dir = TempDir();
  {
    auto sqlite = std::make_unique<Backend>();
    sqlite->name = "sqlite";
    mlmdx::store::StoreOptions options;
    options.sqlite.filename_uri = dir + "/paging.sqlite";
    options.sqlite.synchronous = "NORMAL";
    auto store = mlmdx::store::MetadataStore::Open(options);
    Check(store.status(), "open SQLite");
    sqlite->store = std::move(*store);
    sqlite->memory = OwnResidentBytes;
    Backends().push_back(std::move(sqlite));
  }
  std::unique_ptr<mlmdx::store::PostgresConnection> admin;
  if (absl::Status started = Cluster().Start(); !started.ok()) {
    std::printf("PostgreSQL skipped: %s\n", started.ToString().c_str());
  } else {
    auto postgres = std::make_unique<Backend>();
    postgres->name = "postgres";
    mlmdx::store::StoreOptions options;
    mlmdx::store::PostgresOptions pg;
    pg.conninfo = Cluster().ConnInfo("paging");
    options.postgres = pg;
    auto store = mlmdx::store::MetadataStore::Open(options);
    Check(store.status(), "open PostgreSQL");
    postgres->store = std::move(*store);
    mlmdx::store::PostgresOptions admin_options;
    admin_options.conninfo = Cluster().ConnInfo("postgres");
    auto opened = mlmdx::store::PostgresConnection::Open(admin_options);
    Check(opened.status(), "admin connection");
    admin = std::move(*opened);
    mlmdx::store::PostgresConnection* admin_raw = admin.get();
    postgres->memory = [admin_raw] {
      return PostgresBackendsBytes(*admin_raw, "paging");
    };
    Backends().push_back(std::move(postgres));
  }

  for (auto& backend : Backends()) {
    const auto start = Clock::now();
    Populate(*backend->store);
    std::printf("%s: %lld matches of %lld artifacts written in %.1f s\n",
                backend->name.c_str(), static_cast<long long>(matches),
                static_cast<long long>(matches + matches / 2),
                std::chrono::duration<double>(Clock::now() - start).count());
    // Warm the connections and their statements.
    Walk(*backend->store, Field::ID, true, 100);
    for (const auto& [field, asc] :
         {std::pair(Field::ID, true), std::pair(Field::CREATE_TIME, false)}) {
      for (int page_size : {20, 100}) {
        const std::string name = absl::StrCat(
            "BM_Walk/", backend->name, "/", Field::Field_Name(field),
            asc ? "_asc" : "_desc", "/page:", page_size);
        benchmark::RegisterBenchmark(name.c_str(), BM_Walk, backend.get(),
                                     field, asc, page_size)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_Shapes/", backend->name, "/shapes:", shapes).c_str(),
        BM_Shapes, backend.get())
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  std::printf("\nWalking all %lld matches, page size 20 against 100:\n",
              static_cast<long long>(matches));
  for (const auto& backend : Backends()) {
    for (const char* order : {"ID_asc", "CREATE_TIME_desc"}) {
      const auto small = backend->walk_ms.find(absl::StrCat(order, "/20"));
      const auto large = backend->walk_ms.find(absl::StrCat(order, "/100"));
      if (small == backend->walk_ms.end() || large == backend->walk_ms.end()) {
        continue;
      }
      std::printf("  %-8s %-16s %9.1f ms / %9.1f ms = %.2fx\n",
                  backend->name.c_str(), order, small->second, large->second,
                  small->second / large->second);
    }
  }
  std::printf("\nMemory around %d distinct filter shapes:\n", shapes);
  for (const auto& backend : Backends()) {
    if (backend->memory_after == 0) continue;
    std::printf("  %-8s %7.1f MB before, %7.1f MB after (+%.1f MB)\n",
                backend->name.c_str(), backend->memory_before / 1e6,
                backend->memory_after / 1e6,
                (backend->memory_after - backend->memory_before) / 1e6);
  }
  Backends().clear();
  admin.reset();
  (void)std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
  return 0;
}
