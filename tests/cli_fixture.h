// File: tests/cli_fixture.h
// -----------------------------------------------------------------------------
//
// For the end-to-end suites of the command-line verbs: runs the real
// `mlmdx` binary with arguments and captures what it printed and its exit
// code, and keeps one server per suite over a KFP-shaped SQLite file (three
// runs of the 3-task pipeline, the second a cache hit of the first's
// preprocess step). Each suite is parameterized over how the CLI reaches
// the data: through the server (--server), the file itself (--db FILE), or
// a PostgreSQL database holding the same runs (--db postgresql://...; the
// runs are recorded through a server on PostgreSQL, in the shared cluster
// of MLMDX_TEST_POSTGRES or in one the process starts).
//
// Example:
//
//   TEST_P(LookupTest, FindsModel) {
//     CliResult r = Cli({"lookup", Runs().a.model_uri, "-o", "json"});
//     EXPECT_EQ(r.exit_code, 0);
//   }

#ifndef MLMDX_TESTS_CLI_FIXTURE_H_
#define MLMDX_TESTS_CLI_FIXTURE_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/kfp_workload.h"
#include "tests/test_server.h"

namespace mlmdx::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  // `out` parsed as JSON (null when it is not JSON).
  nlohmann::json Json() const;
};

// Runs `mlmdx args...` with stdin closed, stdout and stderr captured (both
// pipes, so never a terminal), `env` added to the environment.
CliResult RunMlmdx(const std::vector<std::string>& args,
                   const std::vector<std::string>& env = {});

enum class CliMode { kServer, kDirect, kDirectPostgres };

std::string CliModeName(const ::testing::TestParamInfo<CliMode>& info);

// The three recorded runs: a (n_rows 1000, lr 0.01, accuracy 0.90),
// b (preprocess cached from a, lr 0.05, accuracy 0.93) and c (n_rows 2000,
// epochs 20, accuracy 0.91).
struct KfpRuns {
  KfpRun a, b, c;
};

class CliTest : public ::testing::TestWithParam<CliMode> {
 protected:
  // Records the runs on the parameter's backend, the first time a test of
  // the process needs that backend (a process that runs one test records
  // on one backend only).
  void SetUp() override;
  static void TearDownTestSuite();

  // `mlmdx args...` plus --server or --db per the parameter.
  CliResult Cli(std::vector<std::string> args) const;

  // The runs, and the server that recorded them, of the parameter's
  // backend: SQLite for kServer and kDirect, PostgreSQL for
  // kDirectPostgres.
  const KfpRuns& Runs() const { return *Recorded().runs; }
  TestServer& Server() const { return *Recorded().server; }

 private:
  struct Recording {
    std::unique_ptr<TestServer> server;
    std::unique_ptr<KfpRuns> runs;
  };
  Recording& Recorded() const;

  static Recording sqlite_;
  static Recording postgres_;
};

#define MLMDX_INSTANTIATE_CLI_SUITE(Suite)                           \
  INSTANTIATE_TEST_SUITE_P(                                          \
      Modes, Suite,                                                  \
      ::testing::Values(::mlmdx::testing::CliMode::kServer,          \
                        ::mlmdx::testing::CliMode::kDirect,          \
                        ::mlmdx::testing::CliMode::kDirectPostgres), \
      ::mlmdx::testing::CliModeName)

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_CLI_FIXTURE_H_
