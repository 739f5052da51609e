// --metrics_port and --log_format against the real server: known calls are
// made over gRPC, then /metrics is scraped over loopback HTTP and its
// Prometheus text parsed, and the counters, histogram counts and gauges must
// equal exactly what those calls did. /healthz answers 200 while serving.
// With --log_format=json, every line the server prints is a JSON object.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e_fixture.h"
#include "tests/http_client.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// One sample line of the Prometheus text format: name{labels} value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses every sample line of `text`; fails the test on a line that is
// not one (label values here never hold quotes or backslashes).
std::vector<Sample> ParseMetrics(const std::string& text) {
  std::vector<Sample> samples;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line.front() == '#') continue;
    Sample sample;
    const size_t space = line.rfind(' ');
    EXPECT_NE(space, absl::string_view::npos) << line;
    if (space == absl::string_view::npos) continue;
    EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &sample.value))
        << line;
    absl::string_view series = line.substr(0, space);
    const size_t brace = series.find('{');
    sample.name = std::string(series.substr(0, brace));
    if (brace != absl::string_view::npos) {
      EXPECT_EQ(series.back(), '}') << line;
      absl::string_view labels = series.substr(brace + 1);
      labels.remove_suffix(1);
      for (absl::string_view pair : absl::StrSplit(labels, "\",")) {
        std::pair<std::string, std::string> kv =
            absl::StrSplit(pair, absl::MaxSplits("=\"", 1));
        if (!kv.second.empty() && kv.second.back() == '"') kv.second.pop_back();
        sample.labels.insert(std::move(kv));
      }
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

// The value of the one sample named `name` whose labels include `labels`;
// -1 when there is none. Fails the test if several match.
double ValueOf(const std::vector<Sample>& samples, const std::string& name,
               const std::map<std::string, std::string>& labels = {}) {
  double value = -1;
  int matches = 0;
  for (const Sample& sample : samples) {
    if (sample.name != name) continue;
    bool all = true;
    for (const auto& [key, expected] : labels) {
      auto it = sample.labels.find(key);
      all = all && it != sample.labels.end() && it->second == expected;
    }
    if (!all) continue;
    value = sample.value;
    ++matches;
  }
  EXPECT_LE(matches, 1) << name;
  return value;
}

// The labels of a MetadataStoreService call as the Go gRPC middleware
// writes them.
std::map<std::string, std::string> Call(const std::string& method) {
  return {{"grpc_service", "ml_metadata.MetadataStoreService"},
          {"grpc_method", method},
          {"grpc_type", "unary"}};
}

std::map<std::string, std::string> Call(const std::string& method,
                                        const std::string& code) {
  std::map<std::string, std::string> labels = Call(method);
  labels["grpc_code"] = code;
  return labels;
}

TEST(MetricsTest, CountsKnownCallsExactly) {
  TestServer server;
  ASSERT_THAT(server.Start({"--metrics_port=0"}), IsOk());
  const int port = LoggedMetricsPort(server.Log());
  ASSERT_GT(port, 0) << server.Log();
  auto stub = server.NewStub();

  // Three types created, one refused.
  const int64_t model = PutArtifactTypeOrDie(*stub, "Model");
  PutArtifactTypeOrDie(*stub, "Dataset");
  PutArtifactTypeOrDie(*stub, "Metrics");
  {
    ml_metadata::PutArtifactTypeRequest request;
    request.mutable_artifact_type();  // no name
    ml_metadata::PutArtifactTypeResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub, PutArtifactType, request, response),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  {
    ml_metadata::GetArtifactTypeRequest request;
    request.set_type_name("NoSuchType");
    ml_metadata::GetArtifactTypeResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub, GetArtifactType, request, response),
                StatusIs(absl::StatusCode::kNotFound));
  }
  // Lineage: two artifacts and one execution joined by three events.
  const int64_t trainer = PutExecutionTypeOrDie(*stub, "Trainer");
  const std::vector<int64_t> artifacts = PutArtifactsOrDie(*stub, model, 2);
  const std::vector<int64_t> executions = PutExecutionsOrDie(*stub, trainer, 1);
  ASSERT_EQ(artifacts.size(), 2u);
  ASSERT_EQ(executions.size(), 1u);
  {
    ml_metadata::PutEventsRequest request;
    const std::pair<int64_t, ml_metadata::Event::Type> events[] = {
        {artifacts[0], ml_metadata::Event::INPUT},
        {artifacts[1], ml_metadata::Event::OUTPUT},
        {artifacts[1], ml_metadata::Event::INPUT}};
    for (const auto& [artifact, type] : events) {
      ml_metadata::Event* event = request.add_events();
      event->set_artifact_id(artifact);
      event->set_execution_id(executions[0]);
      event->set_type(type);
    }
    ml_metadata::PutEventsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub, PutEvents, request, response), IsOk());
  }
  for (int i = 0; i < 2; ++i) {
    ml_metadata::GetArtifactsByIDRequest request;
    request.add_artifact_ids(artifacts[i]);
    ml_metadata::GetArtifactsByIDResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub, GetArtifactsByID, request, response), IsOk());
    EXPECT_EQ(response.artifacts_size(), 1);
  }

  const HttpAnswer scrape = HttpGet(port, "/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.body;
  const std::vector<Sample> metrics = ParseMetrics(scrape.body);

  // Calls, by method and code.
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handled_total",
                    Call("PutArtifactType", "OK")),
            3);
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handled_total",
                    Call("PutArtifactType", "INVALID_ARGUMENT")),
            1);
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handled_total",
                    Call("GetArtifactType", "NOT_FOUND")),
            1);
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handled_total",
                    Call("GetArtifactType", "OK")),
            -1)
      << "no GetArtifactType succeeded";
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handled_total",
                    Call("GetArtifactsByID", "OK")),
            2);
  EXPECT_EQ(
      ValueOf(metrics, "grpc_server_handled_total", Call("PutEvents", "OK")),
      1);
  EXPECT_EQ(
      ValueOf(metrics, "grpc_server_started_total", Call("PutArtifactType")),
      4);
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handling_seconds_count",
                    Call("PutArtifactType")),
            4);
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handling_seconds_count",
                    Call("GetArtifactsByID")),
            2);
  // The +Inf bucket holds every call.
  std::map<std::string, std::string> inf = Call("GetArtifactsByID");
  inf["le"] = "+Inf";
  EXPECT_EQ(ValueOf(metrics, "grpc_server_handling_seconds_bucket", inf), 2);

  // Seven writes committed, one at a time (no two were concurrent).
  EXPECT_EQ(ValueOf(metrics, "mlmdx_store_commit_seconds_count"), 7);
  EXPECT_EQ(ValueOf(metrics, "mlmdx_store_commit_batch_writes_count"), 7);
  EXPECT_EQ(ValueOf(metrics, "mlmdx_store_commit_batch_writes_sum"), 7);

  // The lineage index holds what was written.
  EXPECT_EQ(
      ValueOf(metrics, "mlmdx_lineage_index_nodes", {{"kind", "artifact"}}), 2);
  EXPECT_EQ(
      ValueOf(metrics, "mlmdx_lineage_index_nodes", {{"kind", "execution"}}),
      1);
  EXPECT_EQ(ValueOf(metrics, "mlmdx_lineage_index_events"), 3);
  EXPECT_GT(ValueOf(metrics, "mlmdx_lineage_index_bytes"), 0);

  // No call is running: every open connection is idle.
  EXPECT_EQ(ValueOf(metrics, "mlmdx_store_connections", {{"state", "in_use"}}),
            0);
  EXPECT_GE(ValueOf(metrics, "mlmdx_store_connections", {{"state", "idle"}}),
            1);
  EXPECT_EQ(ValueOf(metrics, "mlmdx_store_connections_max"), 8);
  EXPECT_EQ(ValueOf(metrics, "mlmdx_store_queued_writes"), 0);

  const HttpAnswer health = HttpGet(port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(server.Stop(), 0);
}

TEST(MetricsTest, OffByDefault) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_EQ(LoggedMetricsPort(server.Log()), 0) << server.Log();
}

TEST(MetricsTest, PortInUseIsRefusedAtStartUp) {
  TestServer first;
  ASSERT_THAT(first.Start({"--metrics_port=0"}), IsOk());
  const int taken = LoggedMetricsPort(first.Log());
  ASSERT_GT(taken, 0);
  TestServer second;
  EXPECT_THAT(second.Start({absl::StrCat("--metrics_port=", taken)}),
              Not(IsOk()));
  EXPECT_EQ(second.start_up_exit_status(), 1);
  EXPECT_THAT(second.Log(), HasSubstr(absl::StrCat("--metrics_port=", taken)));
  // The first server still answers.
  EXPECT_EQ(HttpGet(taken, "/healthz").status, 200);
}

TEST(LogFormatTest, JsonPrintsOneObjectPerLine) {
  TestServer server;
  ASSERT_THAT(server.Start({"--log_format=json"}), IsOk());
  auto stub = server.NewStub();
  PutArtifactTypeOrDie(*stub, "Model");
  {
    // A name with a quote, a newline and a byte that is not UTF-8 must not
    // break the line.
    ml_metadata::GetArtifactTypeRequest request;
    request.set_type_name("no \"such\"\ntype \xff");
    ml_metadata::GetArtifactTypeResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub, GetArtifactType, request, response),
                StatusIs(absl::StatusCode::kNotFound));
  }
  ASSERT_EQ(server.Stop(), 0);

  const std::string log = server.Log();
  int lines = 0;
  int request_lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    ++lines;
    const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(object.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(object.is_object()) << line;
    EXPECT_TRUE(object["ts"].is_string()) << line;
    EXPECT_TRUE(object["level"].is_string()) << line;
    EXPECT_TRUE(object["msg"].is_string()) << line;
    if (!object.contains("method")) continue;
    ++request_lines;
    EXPECT_EQ(object["method"], "GetArtifactType") << line;
    EXPECT_EQ(object["code"], "NOT_FOUND") << line;
    EXPECT_EQ(object["level"], "WARNING") << line;
    ASSERT_TRUE(object["latency_ms"].is_number()) << line;
    EXPECT_GE(object["latency_ms"].get<double>(), 0) << line;
    EXPECT_THAT(object["msg"].get<std::string>(), HasSubstr("such")) << line;
  }
  // At least "listening", the failed call and "clean exit".
  EXPECT_GE(lines, 3) << log;
  EXPECT_EQ(request_lines, 1) << log;
  EXPECT_THAT(log, HasSubstr("clean exit"));
}

}  // namespace
}  // namespace mlmdx::testing
