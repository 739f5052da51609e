// The command line as a person meets it: wall time of whole `mlmdx`
// processes (start, connect or open, query, render, exit) for
// `audit model -o json`, `lineage -o json` and `audit dataset -o json` on
// the pipeline-shaped database of bench/pipeline_db.h, through a running
// server (--server) and on the file directly (--db, which builds the
// lineage index in the process).
//
// Baseline, measured in the same run: `mlmdx version`, the same binary
// starting and exiting with nothing to do. Each case reports its wall time
// and `x_start`, its mean over the baseline's mean, so that a noisy shared
// machine moves both together.
//
// Starts: a recent model of an ordinary pipeline (upstream through the
// warm-start chain of about ten runs), the last model of a chained pipeline
// (a 50-run, ~100-hop upstream chain), and a pipeline's source dataset
// (downstream: all 50 runs).
//
// Usage:
//   mlmdx_cli_benchmark [--mlmdx_bench_sizes=100000] [benchmark flags]

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_sizes.h"
#include "bench/pipeline_db.h"
#include "tests/test_server.h"

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Runs `mlmdx args...` with stdout and stderr to /dev/null; exits the
// benchmark on a non-zero exit code (a broken case measures nothing).
double RunSeconds(const std::vector<std::string>& args) {
  std::vector<std::string> strings = {testing::MlmdxBinary()};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string line;
    for (const auto& s : strings) absl::StrAppend(&line, s, " ");
    Die(absl::StrCat("failed: ", line));
  }
  return seconds;
}

double MeanSeconds(const std::vector<std::string>& args, int runs) {
  double total = 0;
  for (int i = 0; i < runs; ++i) total += RunSeconds(args);
  return total / runs;
}

double baseline_seconds = 0;

void BM_Cli(benchmark::State& state, std::vector<std::string> args) {
  double total = 0;
  int64_t runs = 0;
  for (auto _ : state) {
    const double seconds = RunSeconds(args);
    state.SetIterationTime(seconds);
    total += seconds;
    ++runs;
  }
  state.counters["x_start"] = (total / runs) / baseline_seconds;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  using namespace mlmdx::bench;  // NOLINT(google-build-using-namespace)
  const std::vector<int64_t> sizes = TakeBenchSizes(&argc, argv, "100000", 300);
  benchmark::Initialize(&argc, argv);
  char dir_template[] = "/tmp/mlmdx_cli_bench_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  std::vector<std::unique_ptr<mlmdx::testing::TestServer>> servers;
  for (int64_t size : sizes) {
    const std::string db = absl::StrCat(dir, "/pipelines-", size, ".sqlite");
    const auto start = Clock::now();
    const Graph graph = GeneratePipelineDatabase(db, size);
    std::fprintf(stderr,
                 "size %lld: %lld artifacts, %lld executions, %lld events, "
                 "generated in %.1f s\n",
                 static_cast<long long>(size),
                 static_cast<long long>(graph.artifacts),
                 static_cast<long long>(graph.executions),
                 static_cast<long long>(graph.events),
                 std::chrono::duration<double>(Clock::now() - start).count());
    auto server = std::make_unique<mlmdx::testing::TestServer>(db);
    Check(server->Start(), "start server");
    const std::string address = server->address();
    servers.push_back(std::move(server));

    const int64_t pipeline = graph.ordinary_pipelines.size() > 1
                                 ? graph.ordinary_pipelines[1]
                                 : graph.ordinary_pipelines[0];
    const int64_t recent_model = graph.models[kRunsPerPipeline - 1][pipeline];
    const int64_t chain_model =
        graph.models[kRunsPerPipeline - 1][graph.chained_pipelines[0]];
    const int64_t source = graph.sources[pipeline];
    struct Case {
      std::string name;
      std::vector<std::string> args;
    };
    const std::vector<Case> cases = {
        {"audit_model", {"audit", "model", "--id", absl::StrCat(recent_model)}},
        {"audit_model_chain",
         {"audit", "model", "--id", absl::StrCat(chain_model)}},
        {"lineage_json", {"lineage", "--artifact", absl::StrCat(recent_model)}},
        {"audit_dataset_fanout",
         {"audit", "dataset", "--id", absl::StrCat(source)}},
    };
    for (const Case& c : cases) {
      for (const bool direct : {false, true}) {
        std::vector<std::string> args = c.args;
        args.insert(args.end(), {"-o", "json", "--quiet"});
        if (direct) {
          args.insert(args.end(), {"--db", db});
        } else {
          args.insert(args.end(), {"--server", address});
        }
        benchmark::RegisterBenchmark(
            absl::StrCat(c.name, direct ? "/direct/" : "/server/", size)
                .c_str(),
            BM_Cli, args)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  // The baseline: the same binary starting and exiting.
  RunSeconds({"version"});  // Warm the page cache.
  baseline_seconds = MeanSeconds({"version"}, 20);
  std::fprintf(stderr, "baseline `mlmdx version`: %.2f ms\n",
               baseline_seconds * 1e3);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  servers.clear();
  std::system(absl::StrCat("rm -rf ", dir).c_str());
  return 0;
}
