// `mlmdx runs list` and `mlmdx runs compare` end to end on KFP runs: the
// comparison marks exactly the parameters that differ and computes metric
// deltas, through a server and on the file directly.

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class RunsTest : public CliTest {};
MLMDX_INSTANTIATE_CLI_SUITE(RunsTest);

// (step, field) of every row marked as differing.
std::set<std::pair<std::string, std::string>> Differing(
    const nlohmann::json& json) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& row : json["steps"]) {
    if (row["differs"]) out.emplace(row["step"], row["field"]);
  }
  return out;
}

const nlohmann::json* Row(const nlohmann::json& json, const std::string& step,
                          const std::string& field) {
  for (const auto& row : json["steps"]) {
    if (row["step"] == step && row["field"] == field) return &row;
  }
  return nullptr;
}

TEST_P(RunsTest, ListWithPipelines) {
  CliResult r = Cli({"runs", "list", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  for (const auto& run : r.Json()) {
    names.push_back(run["name"]);
    EXPECT_EQ(run["pipelines"], nlohmann::json({"three-step"}));
  }
  EXPECT_THAT(names, ::testing::ElementsAre("run-a", "run-b", "run-c"));
  r = Cli({"runs", "list", "--pipeline", "three-step", "--limit", "2", "-o",
           "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("run-b"));
  EXPECT_THAT(r.out, Not(HasSubstr("run-c")));
  r = Cli({"runs", "list", "--pipeline", "no-such-pipeline"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("no run of a pipeline named no-such-pipeline"));
}

TEST_P(RunsTest, CompareMarksExactlyTheDifferences) {
  // a and c differ in n_rows (2000), epochs (20) and accuracy.
  const KfpRun& a = Runs().a;
  const KfpRun& c = Runs().c;
  const CliResult r = Cli({"runs", "compare", "run-a", "run-c", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = r.Json();
  EXPECT_EQ(json["run_a"]["name"], "run-a");
  EXPECT_EQ(json["run_b"]["name"], "run-c");
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(Differing(json), (std::set<P>{
                                 {"(pipeline)", "inputs.n_rows"},
                                 {"(pipeline)", "inputs.epochs"},
                                 {"preprocess", "inputs.n_rows"},
                                 {"preprocess", "outputs.row_count"},
                                 {"train", "inputs.row_count"},
                                 {"train", "inputs.epochs"},
                                 // Each run trained on its own dataset and
                                 // evaluated its own model.
                                 {"train", "input dataset"},
                                 {"evaluate", "input model"},
                             }));
  const nlohmann::json* lr = Row(json, "train", "inputs.learning_rate");
  ASSERT_NE(lr, nullptr);
  EXPECT_EQ((*lr)["a"], "0.01");
  EXPECT_EQ((*lr)["b"], "0.01");
  const nlohmann::json* epochs = Row(json, "train", "inputs.epochs");
  ASSERT_NE(epochs, nullptr);
  EXPECT_EQ((*epochs)["a"], "10");
  EXPECT_EQ((*epochs)["b"], "20");
  const nlohmann::json* model = Row(json, "train", "output model");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ((*model)["a"], absl::StrCat("#", a.model_id, " ", a.model_uri));
  EXPECT_EQ((*model)["b"], absl::StrCat("#", c.model_id, " ", c.model_uri));

  // Metrics with deltas.
  std::map<std::string, nlohmann::json> metrics;
  for (const auto& m : json["metrics"]) metrics[m["metric"]] = m;
  ASSERT_EQ(metrics.count("evaluate/metrics accuracy"), 1u) << r.out;
  EXPECT_DOUBLE_EQ(metrics["evaluate/metrics accuracy"]["a"], 0.90);
  EXPECT_DOUBLE_EQ(metrics["evaluate/metrics accuracy"]["b"], 0.91);
  EXPECT_NEAR(metrics["evaluate/metrics accuracy"]["delta"].get<double>(), 0.01,
              1e-12);
  EXPECT_NEAR(metrics["evaluate/metrics loss"]["delta"].get<double>(), -0.01,
              1e-12);
}

TEST_P(RunsTest, CompareWithCacheHitByIdTable) {
  // b reused a's preprocess: CACHED against COMPLETE, the same dataset,
  // and only the learning rate differs among parameters.
  const CliResult r =
      Cli({"runs", "compare", absl::StrCat(Runs().a.run_context_id),
           absl::StrCat(Runs().b.run_context_id), "-o", "table"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("A: run-a ("));
  EXPECT_THAT(r.out, HasSubstr("B: run-b ("));
  auto line_of = [&r](const std::string& step, const std::string& field) {
    const size_t at = r.out.find(step + "  ");
    for (size_t pos = r.out.find('\n', 0); pos != std::string::npos;
         pos = r.out.find('\n', pos + 1)) {
      const size_t end = r.out.find('\n', pos + 1);
      const std::string line = r.out.substr(pos + 1, end - pos - 1);
      if (line.rfind(step + " ", 0) == 0 &&
          line.find(" " + field + " ") != std::string::npos) {
        return line;
      }
    }
    (void)at;
    return std::string();
  };
  EXPECT_THAT(line_of("preprocess", "state"), HasSubstr("COMPLETE"));
  EXPECT_THAT(line_of("preprocess", "state"), HasSubstr("CACHED"));
  EXPECT_THAT(line_of("preprocess", "state"), ::testing::EndsWith("*"));
  EXPECT_THAT(line_of("train", "inputs.learning_rate"),
              ::testing::EndsWith("*"));
  EXPECT_THAT(line_of("train", "inputs.row_count"),
              Not(::testing::EndsWith("*")));
  EXPECT_THAT(line_of("train", "input dataset"), Not(::testing::EndsWith("*")));
  EXPECT_THAT(r.out, HasSubstr("evaluate/metrics accuracy"));
  EXPECT_THAT(r.out, HasSubstr("+0.03"));
  EXPECT_THAT(r.out, Not(HasSubstr("\x1b[")));
}

TEST_P(RunsTest, CompareMarkdown) {
  const CliResult r = Cli({"runs", "compare", "run-a", "run-b", "-o", "md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("# Runs run-a and run-b\n"));
  EXPECT_THAT(
      r.out,
      HasSubstr("| train | inputs.learning_rate | **0.01** | **0.05** |"));
  EXPECT_THAT(r.out, HasSubstr("| train | inputs.row_count | 1000 | 1000 |"));
  EXPECT_THAT(r.out, HasSubstr("| evaluate/metrics accuracy | 0.9 | 0.93 | "
                               "**+0.03** |"));
}

TEST_P(RunsTest, UnknownRunIsExit3) {
  CliResult r = Cli({"runs", "compare", "run-a", "run-zzz"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "mlmdx: no run named run-zzz\n");
  EXPECT_EQ(Cli({"runs", "compare", "run-a"}).exit_code, 2);
  EXPECT_EQ(Cli({"runs"}).exit_code, 2);
  EXPECT_EQ(Cli({"runs", "compare", "run-a", "run-b", "-o", "svg"}).exit_code,
            2);
}

}  // namespace
}  // namespace mlmdx::testing
