// The lineage page (--web_ui) of the real server. With libcurl: the page and
// its files are served from the binary, byte for byte as in the source tree,
// with their content types and the Content-Security-Policy, for GET and
// HEAD only, while POSTs stay grpc-web; without --web_ui nothing is served,
// and --web_ui without --grpc_web_port is refused at start-up. In Debian's
// headless Chromium (tests/web_ui/page_test.js, Playwright driving the
// browser): on a Kubeflow Pipelines run recorded through native gRPC, a
// search by URI finds the model, its lineage within two hops draws exactly
// the nodes two hops away, its properties, producing execution and audit
// (datasets, executions with parameters, runs) are shown, clicking a node
// opens it, and a screenshot shows the drawing's colours. Skipped, saying
// so, only where chromium or node is not installed.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/http_client.h"
#include "tests/kfp_workload.h"
#include "tests/screenshot.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAreArray;

// The port from the server's "grpc-web on port N" line; 0 when absent.
int GrpcWebPort(const TestServer& server) {
  return LoggedGrpcWebPort(server.Log());
}

std::string ReadSource(const std::string& relative_path) {
  std::ifstream in(absl::StrCat(MLMDX_SOURCE_DIR, "/", relative_path),
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(WebUiFlagsTest, WebUiWithoutGrpcWebPortIsRefused) {
  TestServer server;
  EXPECT_FALSE(server.Start({"--web_ui"}).ok());
  EXPECT_EQ(server.start_up_exit_status(), 2);
  EXPECT_THAT(server.Log(), HasSubstr("--web_ui needs --grpc_web_port"));
}

TEST(WebUiFilesTest, NotServedWithoutTheFlag) {
  TestServer server;
  ASSERT_THAT(server.Start({"--grpc_web_port=0"}), IsOk());
  const HttpAnswer page = HttpGet(GrpcWebPort(server), "/");
  EXPECT_EQ(page.status, 405);
  EXPECT_EQ(HeaderOf(page, "allow"), "POST, OPTIONS");
  EXPECT_EQ(HttpGet(GrpcWebPort(server), "/app.js").status, 405);
}

TEST(WebUiFilesTest, PageAndFilesAreServedWithTheirTypes) {
  TestServer server;
  ASSERT_THAT(server.Start({"--grpc_web_port=0", "--web_ui"}), IsOk());
  const int port = GrpcWebPort(server);
  ASSERT_NE(port, 0) << server.Log();
  HttpClient http(port);

  struct File {
    std::string url;
    std::string source;
    std::string content_type;
  };
  const std::vector<File> files = {
      {"/", "server/web_ui/index.html", "text/html; charset=utf-8"},
      {"/index.html", "server/web_ui/index.html", "text/html; charset=utf-8"},
      {"/app.js", "server/web_ui/app.js", "text/javascript; charset=utf-8"},
      {"/style.css", "server/web_ui/style.css", "text/css; charset=utf-8"},
      {"/vendor/dagre.min.js", "server/web_ui/vendor/dagre.min.js",
       "text/javascript; charset=utf-8"},
      {"/vendor/protobuf.min.js", "server/web_ui/vendor/protobuf.min.js",
       "text/javascript; charset=utf-8"},
      {"/proto/ml_metadata/proto/metadata_store.proto",
       "proto/ml_metadata/proto/metadata_store.proto",
       "text/plain; charset=utf-8"},
      {"/proto/ml_metadata/proto/metadata_store_service.proto",
       "proto/ml_metadata/proto/metadata_store_service.proto",
       "text/plain; charset=utf-8"},
      {"/proto/mlmdx/lineage_service.proto",
       "proto/mlmdx/lineage_service.proto", "text/plain; charset=utf-8"},
  };
  for (const File& file : files) {
    SCOPED_TRACE(file.url);
    const std::string source = ReadSource(file.source);
    ASSERT_FALSE(source.empty()) << file.source;
    const HttpAnswer answer = http.Send("GET", file.url, {}, "");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(HeaderOf(answer, "content-type"), file.content_type);
    EXPECT_EQ(answer.body, source);
    EXPECT_THAT(
        HeaderOf(answer, "content-security-policy"),
        // No inline script and no eval: the browser test runs the page
        // under this policy.
        AllOf(HasSubstr("default-src 'none'"), HasSubstr("script-src 'self';"),
              HasSubstr("connect-src 'self'"), Not(HasSubstr("unsafe"))));
    EXPECT_EQ(HeaderOf(answer, "x-content-type-options"), "nosniff");
    // One connection for the whole page.
    if (&file != &files.front()) {
      EXPECT_TRUE(answer.reused_connection);
    }
  }
  // descriptor.proto, which metadata_store.proto imports, comes from the
  // protobuf installation.
  const HttpAnswer descriptor =
      http.Send("GET", "/proto/google/protobuf/descriptor.proto", {}, "");
  EXPECT_EQ(descriptor.status, 200);
  EXPECT_THAT(descriptor.body, HasSubstr("message EnumValueOptions"));

  const HttpAnswer head = http.Send("HEAD", "/", {}, "");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(HeaderOf(head, "content-length"),
            absl::StrCat(ReadSource("server/web_ui/index.html").size()));
  EXPECT_THAT(head.body, IsEmpty());

  const HttpAnswer missing = http.Send("GET", "/etc/passwd", {}, "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("no page file at '/etc/passwd'"));
  EXPECT_EQ(HttpGet(port, "/../server/web_ui/app.js").status, 404);
  const HttpAnswer put = HttpClient(port).Send("PUT", "/", {}, "");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(HeaderOf(put, "allow"), "GET, HEAD, POST, OPTIONS");

  // POSTs are still grpc-web calls: an empty GetArtifactTypes request
  // answers a data frame and grpc-status 0.
  const std::string empty_frame(5, '\0');
  const HttpAnswer call = HttpClient(port).Send(
      "POST", "/ml_metadata.MetadataStoreService/GetArtifactTypes",
      {"Content-Type: application/grpc-web+proto", "X-Grpc-Web: 1"},
      empty_frame);
  EXPECT_EQ(call.status, 200);
  EXPECT_EQ(HeaderOf(call, "content-type"), "application/grpc-web+proto");
  EXPECT_THAT(call.body, HasSubstr("grpc-status:0"));
}

// ---------------------------------------------------------------------------
// The page in a browser.

bool HaveNode() { return std::system("node --version >/dev/null 2>&1") == 0; }

// Runs `command`, returning its standard output; its exit status in
// `status`.
std::string RunCommand(const std::string& command, int& status) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    status = -1;
    return output;
  }
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, read);
  }
  status = pclose(pipe);
  return output;
}

// `text` as one word for sh.
std::string ShellQuoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string Key(const std::string& kind, int64_t id) {
  return absl::StrCat(kind, ":", id);
}

TEST(WebUiBrowserTest, SearchOpensTheModelAndDrawsItsLineage) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium); "
                    "the page was not opened in a browser";
  }
  if (!HaveNode()) {
    GTEST_SKIP() << "node is not installed (apt-get install nodejs npm); "
                    "the page was not opened in a browser";
  }
  ASSERT_EQ(access(MLMDX_WEB_UI_TEST_DIR "/node_modules/playwright-core", R_OK),
            0)
      << "playwright-core is missing: `npm ci` in " << MLMDX_WEB_UI_TEST_DIR
      << " (the web_ui.npm_ci test) did not run or failed";
  TestServer server;
  ASSERT_THAT(server.Start({"--grpc_web_port=0", "--web_ui"}), IsOk());
  const int port = GrpcWebPort(server);
  ASSERT_NE(port, 0) << server.Log();
  auto stub = server.NewStub();
  KfpRecorder recorder(*stub);
  absl::StatusOr<KfpRun> run =
      recorder.RecordRun({.name = "run-web-1", .learning_rate = 0.05});
  ASSERT_THAT(run.status(), IsOk());
  // For the prefix searches: more than a page (50) of artifacts under one
  // prefix, and a URI with a quote and LIKE's wildcards beside a near miss
  // that LIKE alone would match.
  ml_metadata::PutArtifactTypeRequest type_request;
  type_request.mutable_artifact_type()->set_name("Blob");
  ml_metadata::PutArtifactTypeResponse type;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->PutArtifactType(&context, type_request, &type).ok());
  }
  ml_metadata::PutArtifactsRequest blobs;
  std::vector<std::string> bulk_uris;
  bulk_uris.reserve(60);
  for (int i = 0; i < 60; ++i) {
    bulk_uris.push_back(absl::StrCat("s3://bulk/part-", 100 + i));
  }
  const std::string odd_uri = "s3://odd/it's_100%/x";
  std::vector<std::string> uris = bulk_uris;
  uris.push_back(odd_uri);
  uris.push_back("s3://odd/it's-100%/y");
  for (const std::string& uri : uris) {
    ml_metadata::Artifact* blob = blobs.add_artifacts();
    blob->set_type_id(type.type_id());
    blob->set_uri(uri);
  }
  {
    grpc::ClientContext context;
    ml_metadata::PutArtifactsResponse put;
    ASSERT_TRUE(stub->PutArtifacts(&context, blobs, &put).ok());
  }

  char dir_template[] = "/tmp/mlmdx_web_ui_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string png = dir + "/page.png";
  int status = 0;
  const std::string output = RunCommand(
      absl::StrCat("MLMDX_CHROMIUM=", chromium, " node ", MLMDX_WEB_UI_TEST_DIR,
                   "/page_test.js http://127.0.0.1:", port, " ",
                   ShellQuoted(run->model_uri), " 2 ", run->train_id, " ", png,
                   " s3://bulk/ ", ShellQuoted("s3://odd/it's_1"), " 2>", dir,
                   "/node.log"),
      status);
  int log_status = 0;
  ASSERT_EQ(status, 0) << RunCommand(absl::StrCat("cat ", dir, "/node.log"),
                                     log_status);
  const nlohmann::json page = nlohmann::json::parse(output, nullptr, false);
  ASSERT_FALSE(page.is_discarded()) << output;
  SCOPED_TRACE(page.dump(1));

  EXPECT_EQ(page["error"], "");
  EXPECT_THAT(page["console_errors"], IsEmpty());
  // Prefix searches: 60 artifacts come as a page of 50 and, after "Next
  // page", the other 10; a quote and LIKE's wildcards in the prefix are
  // taken literally.
  const std::vector<std::string> first_page(bulk_uris.begin(),
                                            bulk_uris.begin() + 50);
  const std::vector<std::string> second_page(bulk_uris.begin() + 50,
                                             bulk_uris.end());
  EXPECT_EQ(page["prefix_searches"]["s3://bulk/"],
            nlohmann::json::array({first_page, second_page}));
  EXPECT_EQ(page["prefix_searches"]["s3://odd/it's_1"],
            nlohmann::json::array({nlohmann::json::array({odd_uri})}));
  // A node that does not exist, or an id that is none, is an error on the
  // page.
  EXPECT_TRUE(page["missing_error_visible"]);
  EXPECT_EQ(page["missing_error"], "no artifact with id 0");
  EXPECT_EQ(page["bad_id_error"], "#execution= needs a numeric id");
  // The exact-URI search finds the model alone.
  EXPECT_EQ(page["results"], nlohmann::json::array({run->model_uri}));
  EXPECT_THAT(page["title"].get<std::string>(),
              StartsWith(absl::StrCat("Artifact ", run->model_id, ": model")));

  // Two hops either way from the model: the training and evaluation
  // executions, what training read and wrote, what evaluation wrote; not
  // the preprocessing step three hops up.
  std::vector<std::string> drawn;
  std::set<std::string> labels;
  for (const auto& node : page["nodes"]) {
    drawn.push_back(Key(node["kind"], node["id"].get<int64_t>()));
    labels.insert(node["label"].get<std::string>());
  }
  const int64_t train_logs = run->model_id + 1;
  const int64_t evaluate_logs = run->metrics_id + 1;
  EXPECT_THAT(
      drawn,
      UnorderedElementsAreArray(
          {Key("artifact", run->model_id), Key("artifact", run->dataset_id),
           Key("artifact", train_logs), Key("artifact", run->metrics_id),
           Key("artifact", evaluate_logs), Key("execution", run->train_id),
           Key("execution", run->evaluate_id)}));
  EXPECT_EQ(labels, (std::set<std::string>{"model", "dataset", "executor-logs",
                                           "metrics", "train", "evaluate"}));
  // dataset -> train -> model, logs; model -> evaluate -> metrics, logs.
  EXPECT_EQ(page["edges"], 6);

  // Its properties, and the execution that made it with its parameters.
  EXPECT_THAT(page["properties"],
              Contains(nlohmann::json::array({"framework *", "sklearn"})));
  EXPECT_THAT(page["producer"].get<std::string>(),
              AllOf(HasSubstr("train"), HasSubstr("COMPLETE"),
                    HasSubstr("\"learning_rate\":0.05")));

  // The audit of a model: its dataset, the executions upstream with their
  // parameters and state, and the run.
  EXPECT_TRUE(page["audit_visible"]);
  ASSERT_EQ(page["audit_datasets"].size(), 1u);
  EXPECT_EQ(page["audit_datasets"][0][0], absl::StrCat(run->dataset_id));
  EXPECT_EQ(page["audit_datasets"][0][2], run->dataset_uri);
  std::vector<std::string> audited;
  for (const auto& row : page["audit_executions"]) {
    audited.push_back(absl::StrCat(row[0].get<std::string>(), " ",
                                   row[2].get<std::string>()));
  }
  EXPECT_THAT(audited, ElementsAre("preprocess COMPLETE", "train COMPLETE"));
  EXPECT_THAT(page["audit_executions"][1][5].get<std::string>(),
              AllOf(HasSubstr("learning_rate"), HasSubstr("0.05"),
                    HasSubstr("python:3.11-train")));
  std::vector<std::string> runs;
  for (const auto& name : page["audit_runs"]) runs.push_back(name);
  EXPECT_THAT(runs, Contains(HasSubstr("run-web-1")));

  // Clicking the training node opens it, with its inputs and outputs, and
  // keeps the hops.
  EXPECT_EQ(page["clicked"]["hash"],
            absl::StrCat("#execution=", run->train_id,
                         "&hops=2&direction=BIDIRECTIONAL"));
  EXPECT_THAT(page["clicked"]["title"].get<std::string>(),
              StartsWith(absl::StrCat("Execution ", run->train_id, ": train")));
  EXPECT_THAT(
      page["clicked"]["events"],
      Contains(nlohmann::json::array({"INPUT", "dataset", run->dataset_uri})));
  EXPECT_EQ(page["clicked"]["start_outlined"],
            nlohmann::json::array({Key("execution", run->train_id)}));

  // The screenshot shows the drawing: execution boxes (#e8eefc) and
  // artifact ellipses (#eef7e8) each cover a real area, and the node on
  // view has its red outline.
  Pixels shot;
  ASSERT_TRUE(ReadPng(png, shot)) << "no PNG at " << png;
  EXPECT_EQ(shot.width, 1400);
  EXPECT_GT(shot.Count(0xe8eefc), 4000);
  EXPECT_GT(shot.Count(0xeef7e8), 8000);
  EXPECT_GT(shot.Count(0xc0392b, 30), 100);
  std::system(absl::StrCat("rm -rf ", dir).c_str());
}

}  // namespace
}  // namespace mlmdx::testing
