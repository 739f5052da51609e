// The lineage page (--web_ui) of the real server. With libcurl: the page and
// its files are served from the binary, byte for byte as in the source tree,
// with their content types and the Content-Security-Policy, for GET and
// HEAD only, while POSTs stay grpc-web; without --web_ui nothing is served,
// and --web_ui without --grpc_web_port is refused at start-up.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/http_client.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The port from the server's "grpc-web on port N" line; 0 when absent.
int GrpcWebPort(const TestServer& server) {
  const std::string log = server.Log();
  const std::string kLine = "grpc-web on port ";
  const size_t at = log.find(kLine);
  if (at == std::string::npos) return 0;
  return std::atoi(log.c_str() + at + kLine.size());
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
        AllOf(HasSubstr("default-src 'none'"), HasSubstr("script-src 'self'"),
              HasSubstr("connect-src 'self'")));
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

}  // namespace
}  // namespace mlmdx::testing
