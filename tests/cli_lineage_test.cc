// `mlmdx lineage` end to end: trees, JSON, DOT, SVG and HTML of the
// lineage of KFP runs, through a server and on the file directly.

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

class LineageCliTest : public CliTest {};
MLMDX_INSTANTIATE_CLI_SUITE(LineageCliTest);

std::vector<int64_t> Ids(const nlohmann::json& nodes) {
  std::vector<int64_t> ids;
  for (const auto& n : nodes) ids.push_back(n["id"]);
  return ids;
}

TEST_P(LineageCliTest, UpstreamJsonOfCachedRunsModel) {
  const KfpRun& a = Runs().a;
  const KfpRun& b = Runs().b;
  const CliResult r =
      Cli({"lineage", "--uri", b.model_uri, "--upstream", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = r.Json();
  EXPECT_EQ(json["direction"], "upstream");
  EXPECT_EQ(json["start"][0]["id"], b.model_id);
  // model <- train(b) <- dataset(a) <- preprocess(a) and the cached
  // preprocess(b).
  EXPECT_THAT(Ids(json["artifacts"]),
              UnorderedElementsAreArray({b.model_id, a.dataset_id}));
  EXPECT_THAT(Ids(json["executions"]),
              UnorderedElementsAreArray(
                  {b.train_id, a.preprocess_id, b.preprocess_id}));
  EXPECT_EQ(json["events"].size(), 4u);
  std::set<std::string> contexts;
  for (const auto& c : json["contexts"]) contexts.insert(c["name"]);
  EXPECT_EQ(contexts, (std::set<std::string>{"three-step", "run-a", "run-b"}));
}

TEST_P(LineageCliTest, DownstreamHopsAndUntil) {
  const KfpRun& a = Runs().a;
  // Two hops downstream of run a's dataset: both trains and their outputs.
  CliResult r = Cli({"lineage", "--artifact", absl::StrCat(a.dataset_id),
                     "--downstream", "--hops", "2", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Ids(r.Json()["executions"]),
              UnorderedElementsAreArray({a.train_id, Runs().b.train_id}));
  EXPECT_EQ(r.Json()["artifacts"].size(), 5u);  // dataset, 2 models, 2 logs
  // --until stops at models: no evaluate beyond them.
  r = Cli({"lineage", "--artifact", absl::StrCat(a.dataset_id), "--downstream",
           "--until", "type = 'system.Model'", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Ids(r.Json()["executions"]),
              UnorderedElementsAreArray({a.train_id, Runs().b.train_id}));
  // Unbounded, the evaluates come in too.
  r = Cli({"lineage", "--artifact", absl::StrCat(a.dataset_id), "--downstream",
           "-o", "json"});
  EXPECT_EQ(r.Json()["executions"].size(), 4u);
}

TEST_P(LineageCliTest, TreeBothWays) {
  const KfpRun& c = Runs().c;
  const CliResult r = Cli({"lineage", "--uri", c.model_uri, "-o", "tree"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string up = "upstream (where it came from)\n";
  const std::string down = "downstream (what it fed)\n";
  ASSERT_THAT(r.out, HasSubstr(up));
  ASSERT_THAT(r.out, HasSubstr(down));
  const std::string upstream = r.out.substr(0, r.out.find(down));
  const std::string downstream = r.out.substr(r.out.find(down));
  EXPECT_THAT(upstream,
              HasSubstr(absl::StrCat("└── execution ", c.train_id,
                                     " system.ContainerExecution train "
                                     "COMPLETE [OUTPUT model]")));
  EXPECT_THAT(upstream,
              HasSubstr(absl::StrCat("    └── artifact ", c.dataset_id,
                                     " system.Dataset ", c.dataset_uri,
                                     " [INPUT dataset]")));
  EXPECT_THAT(upstream, HasSubstr("preprocess"));
  EXPECT_THAT(upstream, Not(HasSubstr("evaluate")));
  EXPECT_THAT(downstream,
              HasSubstr(absl::StrCat("execution ", c.evaluate_id,
                                     " system.ContainerExecution evaluate")));
  EXPECT_THAT(downstream, HasSubstr(c.metrics_uri));
  EXPECT_THAT(downstream, Not(HasSubstr("preprocess")));
}

TEST_P(LineageCliTest, DotSvgHtml) {
  const KfpRun& a = Runs().a;
  CliResult r =
      Cli({"lineage", "--execution", absl::StrCat(a.train_id), "-o", "dot"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("digraph G {"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("id=\"e", a.train_id, "\"")));
  EXPECT_THAT(r.out, HasSubstr("penwidth=3"));  // the start is marked
  EXPECT_THAT(r.out, HasSubstr(a.model_uri));
  // Edges follow the data, one per event: upstream dataset -> train and
  // both producers of the dataset (run a's, run b's cached one); downstream
  // train -> model and logs, model -> evaluate -> metrics and logs.
  size_t edges = 0;
  for (size_t at = r.out.find("->"); at != std::string::npos;
       at = r.out.find("->", at + 2)) {
    ++edges;
  }
  EXPECT_EQ(edges, 8u) << r.out;

  r = Cli({"lineage", "--execution", absl::StrCat(a.train_id), "-o", "svg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("<svg"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("system.Model #", a.model_id)));
  EXPECT_THAT(r.out, HasSubstr("preprocess (CACHED)"));

  r = Cli({"lineage", "--execution", absl::StrCat(a.train_id), "-o", "html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(r.out, HasSubstr("<svg"));
  EXPECT_THAT(r.out, Not(HasSubstr("<script")));
}

TEST_P(LineageCliTest, NotFoundAndUsage) {
  CliResult r = Cli({"lineage", "--artifact", "999999"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "mlmdx: no artifact with id 999999\n");
  r = Cli({"lineage", "--uri", "gs://missing"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "mlmdx: no artifact with URI gs://missing\n");
  EXPECT_EQ(Cli({"lineage"}).exit_code, 2);
  EXPECT_EQ(Cli({"lineage", "--artifact", "1", "--upstream", "--downstream"})
                .exit_code,
            2);
  EXPECT_EQ(Cli({"lineage", "--artifact", "1", "-o", "md"}).exit_code, 2);
  r = Cli({"lineage", "--artifact", "1", "--until", "uri ==", "-o", "json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("column"));
}

}  // namespace
}  // namespace mlmdx::testing
