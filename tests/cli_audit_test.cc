// `mlmdx audit model` and `mlmdx audit dataset` end to end on a KFP-shaped
// database: the reports name exactly the right datasets, parameters, runs
// and cached steps, through a server and on the file directly.

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"

namespace mlmdx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class AuditTest : public CliTest {};
MLMDX_INSTANTIATE_CLI_SUITE(AuditTest);

const nlohmann::json* FindById(const nlohmann::json& list, int64_t id) {
  for (const auto& item : list) {
    if (item["id"] == id) return &item;
  }
  return nullptr;
}

std::vector<std::string> Names(const nlohmann::json& list) {
  std::vector<std::string> names;
  for (const auto& item : list) names.push_back(item["name"]);
  return names;
}

TEST_P(AuditTest, ModelOfCachedRunJson) {
  const KfpRun& a = Runs().a;
  const KfpRun& b = Runs().b;
  const CliResult r =
      Cli({"audit", "model", "--uri", b.model_uri, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = r.Json();
  EXPECT_EQ(json["model"]["id"], b.model_id);

  // Exactly one dataset: run a's, reused by run b's cache hit.
  ASSERT_EQ(json["datasets"].size(), 1u) << r.out;
  EXPECT_EQ(json["datasets"][0]["id"], a.dataset_id);
  EXPECT_EQ(json["datasets"][0]["uri"], a.dataset_uri);
  EXPECT_THAT(json["datasets"][0]["producer_execution_ids"],
              UnorderedElementsAre(a.preprocess_id, b.preprocess_id));
  EXPECT_TRUE(json["other_upstream_artifacts"].empty());

  // The executions: train (b) with its parameters, both preprocesses.
  std::vector<int64_t> ids;
  for (const auto& e : json["executions"]) ids.push_back(e["id"]);
  EXPECT_THAT(
      ids, UnorderedElementsAre(b.train_id, a.preprocess_id, b.preprocess_id));
  const nlohmann::json* train = FindById(json["executions"], b.train_id);
  ASSERT_NE(train, nullptr);
  EXPECT_EQ((*train)["parameters"]["inputs.learning_rate"], "0.05");
  EXPECT_EQ((*train)["parameters"]["inputs.row_count"], "1000");
  EXPECT_EQ((*train)["parameters"]["inputs.epochs"], "10");
  EXPECT_EQ((*train)["state"], "COMPLETE");
  EXPECT_NE((*train)["started"], "");
  EXPECT_NE((*train)["ended"], "");
  EXPECT_THAT((*train)["input_artifact_ids"], ElementsAre(a.dataset_id));

  // Runs and pipeline of those executions.
  EXPECT_THAT(Names(json["contexts"]),
              UnorderedElementsAre("three-step", "run-a", "run-b"));

  // The cache hit and what it reused.
  ASSERT_EQ(json["cached_steps"].size(), 1u);
  EXPECT_EQ(json["cached_steps"][0]["execution_id"], b.preprocess_id);
  EXPECT_EQ(json["cached_steps"][0]["reused_execution_id"], a.preprocess_id);
  EXPECT_THAT(json["cached_steps"][0]["reused_artifact_ids"],
              ElementsAre(a.dataset_id));

  // What the model fed: run b's evaluate and its metrics.
  ASSERT_EQ(json["downstream_executions"].size(), 1u);
  EXPECT_EQ(json["downstream_executions"][0]["id"], b.evaluate_id);
  const nlohmann::json* metrics =
      FindById(json["downstream_artifacts"], b.metrics_id);
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ((*metrics)["custom_properties"]["accuracy"], 0.93);
}

TEST_P(AuditTest, ModelWithoutCacheHit) {
  const KfpRun& c = Runs().c;
  const CliResult r =
      Cli({"audit", "model", "--id", absl::StrCat(c.model_id), "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = r.Json();
  ASSERT_EQ(json["datasets"].size(), 1u);
  EXPECT_EQ(json["datasets"][0]["id"], c.dataset_id);
  EXPECT_TRUE(json["cached_steps"].empty());
  EXPECT_THAT(Names(json["contexts"]),
              UnorderedElementsAre("three-step", "run-c"));
  const nlohmann::json* preprocess =
      FindById(json["executions"], c.preprocess_id);
  ASSERT_NE(preprocess, nullptr);
  EXPECT_EQ((*preprocess)["parameters"]["inputs.n_rows"], "2000");
  EXPECT_EQ((*preprocess)["parameters"]["outputs.row_count"], "2000");
}

TEST_P(AuditTest, ModelMarkdownReport) {
  const KfpRun& a = Runs().a;
  const KfpRun& b = Runs().b;
  const CliResult r = Cli({"audit", "model", "--uri", b.model_uri, "-o", "md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith(
                         absl::StrCat("# Provenance of model ", b.model_id,
                                      ": ", b.model_uri, "\n")));
  EXPECT_THAT(r.out, HasSubstr("## Datasets (1)\n"));
  EXPECT_THAT(r.out,
              HasSubstr(absl::StrCat("| ", a.dataset_id, " | system.Dataset | ",
                                     a.dataset_uri, " | LIVE |")));
  EXPECT_THAT(r.out, HasSubstr("## Executions (3)\n"));
  EXPECT_THAT(r.out, HasSubstr("| inputs.learning_rate | 0.05 |"));
  EXPECT_THAT(r.out, HasSubstr("## Cached steps (1)\n"));
  EXPECT_THAT(
      r.out, HasSubstr(absl::StrCat("| preprocess (", b.preprocess_id,
                                    ") | three-step, "
                                    "run-b | preprocess (",
                                    a.preprocess_id, ") three-step, run-a |")));
  EXPECT_THAT(r.out, HasSubstr("## Runs and pipelines (3)\n"));
  EXPECT_THAT(r.out, HasSubstr("| system.PipelineRun |"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("evaluate (", b.evaluate_id, ")")));
  EXPECT_THAT(r.out, Not(HasSubstr("<svg")));
}

TEST_P(AuditTest, DatasetImpact) {
  const KfpRun& a = Runs().a;
  const KfpRun& b = Runs().b;
  CliResult r = Cli({"audit", "dataset", "--uri", a.dataset_uri, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = r.Json();
  EXPECT_EQ(json["dataset"]["id"], a.dataset_id);
  // Both models trained on it (run a's and run b's), not run c's.
  std::vector<int64_t> models;
  for (const auto& m : json["models"]) models.push_back(m["id"]);
  EXPECT_THAT(models, UnorderedElementsAre(a.model_id, b.model_id));
  std::vector<int64_t> executions;
  for (const auto& e : json["executions"]) executions.push_back(e["id"]);
  EXPECT_THAT(executions, UnorderedElementsAre(a.train_id, a.evaluate_id,
                                               b.train_id, b.evaluate_id));
  EXPECT_THAT(Names(json["contexts"]),
              UnorderedElementsAre("three-step", "run-a", "run-b"));

  r = Cli({"audit", "dataset", "--id", absl::StrCat(a.dataset_id), "-o", "md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("## Models (2)\n"));
  EXPECT_THAT(r.out, HasSubstr(b.model_uri));
  EXPECT_THAT(r.out, Not(HasSubstr(Runs().c.model_uri)));
}

TEST_P(AuditTest, HtmlIsOneFileWithThePicture) {
  const CliResult r =
      Cli({"audit", "model", "--uri", Runs().b.model_uri, "-o", "html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(r.out, HasSubstr("<h2>Cached steps (1)</h2>"));
  EXPECT_THAT(r.out, HasSubstr("<svg"));
  // Self-contained: no script, stylesheet or image fetched from elsewhere.
  EXPECT_THAT(r.out, Not(HasSubstr("<script")));
  EXPECT_THAT(r.out, Not(HasSubstr("<link")));
  EXPECT_THAT(r.out, Not(HasSubstr("src=")));
}

TEST_P(AuditTest, ErrorsAndUsage) {
  CliResult r = Cli({"audit", "model", "--uri", "s3://nothing/here"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "mlmdx: no artifact with URI s3://nothing/here\n");
  r = Cli({"audit", "dataset", "--id", "424242"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "mlmdx: no artifact with id 424242\n");
  EXPECT_EQ(Cli({"audit", "model"}).exit_code, 2);
  EXPECT_EQ(Cli({"audit", "model", "--id", "1", "-o", "dot"}).exit_code, 2);
  EXPECT_EQ(Cli({"audit"}).exit_code, 2);
}

}  // namespace
}  // namespace mlmdx::testing
