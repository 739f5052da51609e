// The CLI against a TLS server (ssl_config in the server's config file, with
// client certificates required): the verbs connect with --tls-ca and a
// client certificate, and fail with a clear message without them.
// Certificates are made for the test with the openssl command.

#include <google/protobuf/text_format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "tests/cli_fixture.h"
#include "tests/test_certificates.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;

class CliTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/mlmdx_tls_XXXXXX";
    dir_ = mkdtemp(dir_template);
    ASSERT_NO_FATAL_FAILURE(MakeTestCertificates(dir_, "mlmdx-test-ca"));
    ml_metadata::MetadataStoreServerConfig config;
    config.mutable_connection_config()->mutable_sqlite()->set_filename_uri(
        server_.db_path());
    auto* ssl = config.mutable_ssl_config();
    ssl->set_server_key(ReadWholeFile(dir_ + "/server.key"));
    ssl->set_server_cert(ReadWholeFile(dir_ + "/server.pem"));
    ssl->set_custom_ca(ReadWholeFile(dir_ + "/ca.pem"));
    ssl->set_client_verify(true);
    std::string text;
    ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(config, &text));
    std::ofstream(dir_ + "/server.config") << text;
    ASSERT_TRUE(server_
                    .Start({"--metadata_store_server_config_file",
                            dir_ + "/server.config"})
                    .ok())
        << server_.Log();
  }
  void TearDown() override {
    server_.Stop();
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }

  std::string dir_;
  TestServer server_;
};

TEST_F(CliTlsTest, VerbsConnectWithCaAndClientCertificate) {
  CliResult r = RunMlmdx({"health", "--server", server_.address(), "--tls-ca",
                          dir_ + "/ca.pem", "--tls-cert", dir_ + "/client.pem",
                          "--tls-key", dir_ + "/client.key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SERVING"));
  r = RunMlmdx({"get", "types", "-o", "json", "--server", server_.address(),
                "--tls-ca", dir_ + "/ca.pem", "--tls-cert",
                dir_ + "/client.pem", "--tls-key", dir_ + "/client.key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Json(), nlohmann::json::array());
}

TEST_F(CliTlsTest, WithoutTlsOrClientCertificateFailsClearly) {
  // Plaintext to a TLS port.
  CliResult r =
      RunMlmdx({"health", "--server", server_.address(), "--timeout", "3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(server_.address()));
  // TLS, but no client certificate for a server that requires one.
  r = RunMlmdx({"health", "--server", server_.address(), "--tls-ca",
                dir_ + "/ca.pem", "--timeout", "3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(server_.address()));
  // Unreadable files and half a client identity.
  r = RunMlmdx({"health", "--server", server_.address(), "--tls-ca",
                dir_ + "/missing.pem"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--tls-ca: cannot read"));
  r = RunMlmdx({"health", "--server", server_.address(), "--tls-cert",
                dir_ + "/client.pem"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--tls-cert and --tls-key go together"));
}

}  // namespace
}  // namespace mlmdx::testing
