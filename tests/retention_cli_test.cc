// `mlmdx runs delete` end to end: the real binary against a real server
// holding two Kubeflow Pipelines runs of one pipeline, the second reusing
// the first's dataset (a cache hit). Runs on SQLite and (as pg.*) on
// PostgreSQL.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"
#include "tests/kfp_workload.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;

class RunsDeleteCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    KfpRecorder recorder(*stub_);
    KfpRunOptions a;
    a.name = "run-a";
    absl::StatusOr<KfpRun> run_a = recorder.RecordRun(a);
    ASSERT_THAT(run_a.status(), IsOk());
    a_ = *run_a;
    KfpRunOptions b;
    b.name = "run-b";
    b.cache_preprocess_from = &a_;
    absl::StatusOr<KfpRun> run_b = recorder.RecordRun(b);
    ASSERT_THAT(run_b.status(), IsOk());
    b_ = *run_b;
  }

  CliResult Delete(std::vector<std::string> args) {
    args.insert(args.begin(), {"runs", "delete"});
    args.insert(args.end(), {"--server", server_.address()});
    return RunMlmdx(args);
  }

  static std::set<int64_t> Ids(const nlohmann::json& list) {
    std::set<int64_t> ids;
    for (const auto& id : list) ids.insert(id.get<int64_t>());
    return ids;
  }

  bool ContextExists(int64_t id) {
    return server_.QueryInt(absl::StrCat(
               "SELECT COUNT(*) FROM Context WHERE id = ", id)) == 1;
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  KfpRun a_, b_;
};

TEST_F(RunsDeleteCliTest, DryRunListsAndYesDeletesTheSameIds) {
  const CliResult dry = Delete({"run-b", "--dry-run", "-o", "json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const nlohmann::json plan = dry.Json();
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_EQ(Ids(plan["context_ids"]), std::set<int64_t>{b_.run_context_id});
  // Kubeflow Pipelines puts every execution and artifact in the pipeline's
  // context as well as the run's; the pipeline does not keep them. The
  // dataset run-b reused from run-a stays.
  EXPECT_EQ(Ids(plan["execution_ids"]),
            (std::set<int64_t>{b_.dag_execution_id, b_.preprocess_id,
                               b_.train_id, b_.evaluate_id}))
      << dry.out;
  const std::set<int64_t> artifacts = Ids(plan["artifact_ids"]);
  EXPECT_TRUE(artifacts.count(b_.model_id)) << dry.out;
  EXPECT_TRUE(artifacts.count(b_.metrics_id)) << dry.out;
  EXPECT_FALSE(artifacts.count(b_.dataset_id)) << dry.out;
  EXPECT_EQ(b_.dataset_id, a_.dataset_id);
  EXPECT_TRUE(ContextExists(b_.run_context_id));

  const CliResult done = Delete({"run-b", "--yes", "-o", "json"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  nlohmann::json deleted = done.Json();
  EXPECT_EQ(deleted["dry_run"], false);
  deleted["dry_run"] = true;
  EXPECT_EQ(deleted, plan);
  EXPECT_FALSE(ContextExists(b_.run_context_id));
  EXPECT_TRUE(ContextExists(a_.run_context_id));
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Execution WHERE id = ", b_.train_id)),
            0);
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Artifact WHERE id = ", b_.dataset_id)),
            1);
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Execution WHERE id = ", a_.train_id)),
            1);
  EXPECT_EQ(server_.QueryInt(absl::StrCat(
                "SELECT COUNT(*) FROM Association WHERE context_id = ",
                b_.run_context_id)),
            0);

  // The run is gone: naming it again is "not found".
  const CliResult again = Delete({"run-b", "--yes"});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_THAT(again.err, HasSubstr("run-b"));
}

// `--pipeline-type none`: the pipeline's context keeps every node it holds,
// so deleting a Kubeflow Pipelines run takes only the run's context.
TEST_F(RunsDeleteCliTest, PipelineTypeNoneLetsThePipelineKeepItsNodes) {
  const CliResult dry =
      Delete({"run-b", "--pipeline-type", "none", "--dry-run", "-o", "json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const nlohmann::json plan = dry.Json();
  EXPECT_EQ(Ids(plan["context_ids"]), std::set<int64_t>{b_.run_context_id});
  EXPECT_TRUE(plan["execution_ids"].empty()) << dry.out;
  EXPECT_TRUE(plan["artifact_ids"].empty()) << dry.out;
}

TEST_F(RunsDeleteCliTest, WithoutATerminalOrYesItRefusesAndDeletesNothing) {
  const CliResult refused = Delete({"run-b"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("--yes"));
  EXPECT_TRUE(ContextExists(b_.run_context_id));

  const CliResult direct =
      RunMlmdx({"runs", "delete", "run-b", "--yes", "--db", server_.db_path()});
  EXPECT_EQ(direct.exit_code, 2);
  EXPECT_THAT(direct.err, HasSubstr("--server"));
  EXPECT_TRUE(ContextExists(b_.run_context_id));

  const CliResult nothing = Delete({});
  EXPECT_EQ(nothing.exit_code, 2);
}

TEST_F(RunsDeleteCliTest, OlderThanSelectsRunsByCreationTime) {
  const CliResult all =
      Delete({"--older-than", "0s", "--dry-run", "-o", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(Ids(all.Json()["context_ids"]),
            (std::set<int64_t>{a_.run_context_id, b_.run_context_id}));

  const CliResult none =
      Delete({"--older-than", "3650d", "--yes", "-o", "json"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(none.Json()["context_ids"].empty());
  EXPECT_TRUE(ContextExists(a_.run_context_id));

  const CliResult bad = Delete({"--older-than", "ninety", "--dry-run"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--older-than"));
}

}  // namespace
}  // namespace mlmdx::testing
