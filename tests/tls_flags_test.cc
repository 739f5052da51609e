// TLS from files (--tls_cert, --tls_key, --tls_client_ca): a real gRPC client
// with the right client certificate is served; one without a certificate,
// with a certificate from another CA, or speaking plaintext is refused; and
// certificates replaced on disk are served to new connections without a
// restart. Certificates are made for each test with the openssl command.

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <stdio.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "tests/test_certificates.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;

// A client of its own: a new channel that shares no connection with earlier
// ones, so every call below makes a fresh TLS handshake.
struct ClientIdentity {
  std::string trusted_ca_pem;
  std::string cert_pem;  // Empty: no client certificate.
  std::string key_pem;
  bool plaintext = false;
};

grpc::Status CallServer(const std::string& address,
                        const ClientIdentity& identity) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (identity.plaintext) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = identity.trusted_ca_pem;
    options.pem_private_key = identity.key_pem;
    options.pem_cert_chain = identity.cert_pem;
    credentials = grpc::SslCredentials(options);
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto stub = ml_metadata::MetadataStoreService::NewStub(
      grpc::CreateCustomChannel(address, credentials, args));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  ml_metadata::GetArtifactTypesRequest request;
  ml_metadata::GetArtifactTypesResponse response;
  return stub->GetArtifactTypes(&context, request, &response);
}

class TlsFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/mlmdx_tls_flags_XXXXXX";
    dir_ = mkdtemp(dir_template);
    ASSERT_NO_FATAL_FAILURE(
        MakeTestCertificates(dir_ + "/a", "mlmdx-test-ca-a"));
    ASSERT_NO_FATAL_FAILURE(
        MakeTestCertificates(dir_ + "/b", "mlmdx-test-ca-b"));
    // The server reads its files through the symlink `live`, which the
    // rotation test swings to another directory in one rename.
    ASSERT_EQ(symlink((dir_ + "/a").c_str(), (dir_ + "/live").c_str()), 0);
  }
  void TearDown() override {
    server_.Stop();
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }

  std::vector<std::string> TlsFlags() const {
    return {"--tls_cert",
            dir_ + "/live/server.pem",
            "--tls_key",
            dir_ + "/live/server.key",
            "--tls_client_ca",
            dir_ + "/live/ca.pem",
            "--tls_refresh_interval_seconds",
            "1"};
  }

  // A client of CA `set` ("a" or "b"): trusts that CA and presents a
  // certificate it signed.
  ClientIdentity Client(const std::string& set) const {
    const std::string dir = dir_ + "/" + set;
    return {ReadWholeFile(dir + "/ca.pem"), ReadWholeFile(dir + "/client.pem"),
            ReadWholeFile(dir + "/client.key")};
  }

  std::string dir_;
  TestServer server_;
};

TEST_F(TlsFlagsTest, ServesOnlyClientsWithACertificateOfTheClientCa) {
  ASSERT_TRUE(server_.Start(TlsFlags()).ok()) << server_.Log();
  const ClientIdentity right = Client("a");

  grpc::Status status = CallServer(server_.address(), right);
  EXPECT_TRUE(status.ok()) << status.error_message();

  ClientIdentity no_certificate = right;
  no_certificate.cert_pem.clear();
  no_certificate.key_pem.clear();
  status = CallServer(server_.address(), no_certificate);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();

  // Trusts the server's CA, but its own certificate comes from CA b.
  ClientIdentity other_ca = Client("b");
  other_ca.trusted_ca_pem = right.trusted_ca_pem;
  status = CallServer(server_.address(), other_ca);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();

  ClientIdentity plaintext;
  plaintext.plaintext = true;
  status = CallServer(server_.address(), plaintext);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

TEST_F(TlsFlagsTest, WithoutClientCaServesClientsWithoutCertificates) {
  ASSERT_TRUE(server_
                  .Start({"--tls_cert", dir_ + "/live/server.pem", "--tls_key",
                          dir_ + "/live/server.key"})
                  .ok())
      << server_.Log();
  ClientIdentity no_certificate = Client("a");
  no_certificate.cert_pem.clear();
  no_certificate.key_pem.clear();
  grpc::Status status = CallServer(server_.address(), no_certificate);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ClientIdentity plaintext;
  plaintext.plaintext = true;
  EXPECT_EQ(CallServer(server_.address(), plaintext).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsFlagsTest, CertificatesReplacedOnDiskServeNewConnections) {
  ASSERT_TRUE(server_.Start(TlsFlags()).ok()) << server_.Log();
  ASSERT_TRUE(CallServer(server_.address(), Client("a")).ok());
  ASSERT_EQ(CallServer(server_.address(), Client("b")).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // Swing `live` to CA b's files in one rename, so that the server never
  // reads a key of one set with the certificate of the other.
  ASSERT_EQ(symlink((dir_ + "/b").c_str(), (dir_ + "/live.new").c_str()), 0);
  ASSERT_EQ(rename((dir_ + "/live.new").c_str(), (dir_ + "/live").c_str()), 0);

  // The files are checked every second; give it up to a minute.
  grpc::Status status;
  for (int attempt = 0; attempt < 120; ++attempt) {
    status = CallServer(server_.address(), Client("b"));
    if (status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
  // A client that trusts only the old CA no longer accepts the server.
  EXPECT_EQ(CallServer(server_.address(), Client("a")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsFlagsTest, BadTlsFlagsAreRefusedAtStartUp) {
  // Half a server identity.
  EXPECT_FALSE(server_.Start({"--tls_cert", dir_ + "/a/server.pem"}).ok());
  EXPECT_EQ(server_.start_up_exit_status(), 2);
  EXPECT_THAT(server_.Log(), HasSubstr("--tls_cert and --tls_key go together"));

  EXPECT_FALSE(server_
                   .Start({"--tls_cert", dir_ + "/a/server.pem", "--tls_key",
                           dir_ + "/a/missing.key"})
                   .ok());
  EXPECT_EQ(server_.start_up_exit_status(), 2);
  EXPECT_THAT(server_.Log(), HasSubstr(absl::StrCat("--tls_key: cannot read '",
                                                    dir_, "/a/missing.key'")));

  // The flags and the config file's ssl_config both set.
  ml_metadata::MetadataStoreServerConfig config;
  config.mutable_connection_config()->mutable_sqlite()->set_filename_uri(
      server_.db_path());
  auto* ssl = config.mutable_ssl_config();
  ssl->set_server_key(ReadWholeFile(dir_ + "/a/server.key"));
  ssl->set_server_cert(ReadWholeFile(dir_ + "/a/server.pem"));
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(config, &text));
  std::ofstream(dir_ + "/server.config") << text;
  std::vector<std::string> flags = TlsFlags();
  flags.push_back("--metadata_store_server_config_file");
  flags.push_back(dir_ + "/server.config");
  EXPECT_FALSE(server_.Start(flags).ok());
  EXPECT_EQ(server_.start_up_exit_status(), 2);
  EXPECT_THAT(server_.Log(), HasSubstr("--tls_cert"));
  EXPECT_THAT(server_.Log(), HasSubstr("ssl_config"));
}

}  // namespace
}  // namespace mlmdx::testing
