// JWTs against the real server: keys made with `openssl` at test time, a
// JWKS built from their public parts, tokens signed here with libjwt. A
// valid RS256 or ES256 token is accepted; an expired one, a wrong issuer or
// audience, a key not in the JWKS, and alg "none" are UNAUTHENTICATED with
// a message saying which.

#include <grpcpp/grpcpp.h>
#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kIssuer[] = "https://issuer.example";
constexpr char kAudience[] = "mlmdx";

// A private key made by the openssl command line, as PEM.
std::string MakeKey(const std::string& dir, const std::string& name,
                    const std::string& algorithm_options) {
  const std::string path = dir + "/" + name + ".pem";
  const std::string command = absl::StrCat(
      "openssl genpkey ", algorithm_options, " -out ", path, " 2>/dev/null");
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return ReadWholeFile(path);
}

std::string Base64Url(const std::string& bytes) {
  return absl::WebSafeBase64Escape(bytes);
}

// The big-endian bytes of the key's parameter `name`, padded to `width`.
std::string BigNumberParam(EVP_PKEY* key, const char* name, int width = 0) {
  BIGNUM* number = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &number), 1) << name;
  const int size = width > 0 ? width : BN_num_bytes(number);
  std::string bytes(size, '\0');
  BN_bn2binpad(number, reinterpret_cast<unsigned char*>(bytes.data()), size);
  BN_free(number);
  return bytes;
}

// The public part of a private PEM key as a JWK.
Json PublicJwk(const std::string& private_pem, const std::string& kid) {
  BIO* bio =
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(key, nullptr);
  Json jwk;
  jwk["kid"] = kid;
  if (EVP_PKEY_is_a(key, "RSA")) {
    jwk["kty"] = "RSA";
    jwk["n"] = Base64Url(BigNumberParam(key, OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = Base64Url(BigNumberParam(key, OSSL_PKEY_PARAM_RSA_E));
  } else {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64Url(BigNumberParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32));
    jwk["y"] = Base64Url(BigNumberParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  }
  EVP_PKEY_free(key);
  return jwk;
}

// Claims valid for an hour, for the server's issuer and audience, naming
// the namespace where Kubernetes puts it.
Json ValidClaims() {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  Json claims;
  claims["iss"] = kIssuer;
  claims["aud"] = Json::array({"other", kAudience});
  claims["sub"] = "system:serviceaccount:team-a:pipeline-runner";
  claims["iat"] = now;
  claims["exp"] = now + 3600;
  claims["kubernetes.io"]["namespace"] = "team-a";
  claims["kubernetes.io"]["serviceaccount"]["uid"] = "sa-uid-1";
  return claims;
}

std::string Sign(const Json& claims, jwt_alg_t alg,
                 const std::string& private_pem, const std::string& kid) {
  jwt_t* token = nullptr;
  EXPECT_EQ(jwt_new(&token), 0);
  EXPECT_EQ(jwt_add_grants_json(token, claims.dump().c_str()), 0);
  EXPECT_EQ(jwt_add_header(token, "kid", kid.c_str()), 0);
  EXPECT_EQ(
      jwt_set_alg(token, alg,
                  reinterpret_cast<const unsigned char*>(private_pem.data()),
                  static_cast<int>(private_pem.size())),
      0);
  char* encoded = jwt_encode_str(token);
  EXPECT_NE(encoded, nullptr);
  std::string result = encoded == nullptr ? "" : encoded;
  free(encoded);
  jwt_free(token);
  return result;
}

class JwtAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = ::testing::TempDir() + "mlmdx_jwt_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = new std::string(pattern);
    rsa_ = new std::string(
        MakeKey(*dir_, "rsa", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"));
    ec_ = new std::string(
        MakeKey(*dir_, "ec", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"));
    stranger_ = new std::string(MakeKey(
        *dir_, "stranger", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"));
    Json jwks;
    jwks["keys"] =
        Json::array({PublicJwk(*rsa_, "rsa-1"), PublicJwk(*ec_, "ec-1")});
    std::ofstream(*dir_ + "/jwks.json") << jwks.dump();
    server_ = new TestServer();
    ASSERT_THAT(server_->Start({"--jwt_jwks_file=" + *dir_ + "/jwks.json",
                                absl::StrCat("--jwt_issuer=", kIssuer),
                                absl::StrCat("--jwt_audience=", kAudience),
                                "--audit_log=" + *dir_ + "/audit.jsonl"}),
                IsOk());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    delete rsa_;
    delete ec_;
    delete stranger_;
  }

  static std::string* dir_;
  static std::string* rsa_;
  static std::string* ec_;
  static std::string* stranger_;
  static TestServer* server_;
};
std::string* JwtAuthTest::dir_ = nullptr;
std::string* JwtAuthTest::rsa_ = nullptr;
std::string* JwtAuthTest::ec_ = nullptr;
std::string* JwtAuthTest::stranger_ = nullptr;
TestServer* JwtAuthTest::server_ = nullptr;

TEST_F(JwtAuthTest, ValidRs256TokenIsAccepted) {
  EXPECT_THAT(PutArtifactTypeWithToken(
                  *server_, Sign(ValidClaims(), JWT_ALG_RS256, *rsa_, "rsa-1")),
              IsOk());
}

TEST_F(JwtAuthTest, ValidEs256TokenIsAccepted) {
  EXPECT_THAT(PutArtifactTypeWithToken(
                  *server_, Sign(ValidClaims(), JWT_ALG_ES256, *ec_, "ec-1")),
              IsOk());
}

TEST_F(JwtAuthTest, IdentityComesFromTheClaims) {
  ASSERT_THAT(PutArtifactTypeWithToken(
                  *server_, Sign(ValidClaims(), JWT_ALG_RS256, *rsa_, "rsa-1")),
              IsOk());
  // The audit line of that write (the last one) shows the identity.
  std::istringstream lines(ReadWholeFile(*dir_ + "/audit.jsonl"));
  std::string line, last;
  while (std::getline(lines, line)) last = line;
  const Json audit = Json::parse(last);
  EXPECT_EQ(audit["user"], "system:serviceaccount:team-a:pipeline-runner");
  EXPECT_EQ(audit["uid"], "sa-uid-1");
  EXPECT_EQ(audit["namespaces"], Json::array({"team-a"}));
  EXPECT_EQ(audit["auth"], "jwt");
}

void ExpectRefused(const absl::Status& status, const std::string& why) {
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(status.message(), HasSubstr(why));
}

TEST_F(JwtAuthTest, ExpiredTokenIsRefused) {
  Json claims = ValidClaims();
  claims["exp"] = absl::ToUnixSeconds(absl::Now()) - 3600;
  ExpectRefused(PutArtifactTypeWithToken(
                    *server_, Sign(claims, JWT_ALG_RS256, *rsa_, "rsa-1")),
                "expired at");
}

TEST_F(JwtAuthTest, TokenWithoutExpiryIsRefused) {
  Json claims = ValidClaims();
  claims.erase("exp");
  ExpectRefused(PutArtifactTypeWithToken(
                    *server_, Sign(claims, JWT_ALG_RS256, *rsa_, "rsa-1")),
                "no exp");
}

TEST_F(JwtAuthTest, WrongIssuerIsRefused) {
  Json claims = ValidClaims();
  claims["iss"] = "https://elsewhere.example";
  ExpectRefused(PutArtifactTypeWithToken(
                    *server_, Sign(claims, JWT_ALG_RS256, *rsa_, "rsa-1")),
                "issuer 'https://elsewhere.example' is not");
}

TEST_F(JwtAuthTest, WrongAudienceIsRefused) {
  Json claims = ValidClaims();
  claims["aud"] = "another-service";
  ExpectRefused(PutArtifactTypeWithToken(
                    *server_, Sign(claims, JWT_ALG_RS256, *rsa_, "rsa-1")),
                "audience");
}

TEST_F(JwtAuthTest, KeyOutsideTheJwksIsRefused) {
  // Signed by another key under a kid of the JWKS.
  ExpectRefused(
      PutArtifactTypeWithToken(
          *server_, Sign(ValidClaims(), JWT_ALG_RS256, *stranger_, "rsa-1")),
      "signature does not verify");
}

TEST_F(JwtAuthTest, UnknownKidIsRefused) {
  ExpectRefused(
      PutArtifactTypeWithToken(
          *server_, Sign(ValidClaims(), JWT_ALG_RS256, *rsa_, "rsa-9")),
      "no RS256 key with kid 'rsa-9'");
}

TEST_F(JwtAuthTest, AlgNoneIsRefused) {
  const std::string header =
      absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT","kid":"rsa-1"})");
  const std::string payload = absl::WebSafeBase64Escape(ValidClaims().dump());
  ExpectRefused(
      PutArtifactTypeWithToken(*server_, header + "." + payload + "."),
      "algorithm 'none' is not accepted");
}

TEST_F(JwtAuthTest, Hs256IsRefused) {
  // HMAC keyed with the public key's text: the classic confusion attack.
  const std::string secret = "not-a-real-secret";
  jwt_t* token = nullptr;
  ASSERT_EQ(jwt_new(&token), 0);
  jwt_add_grants_json(token, ValidClaims().dump().c_str());
  jwt_set_alg(token, JWT_ALG_HS256,
              reinterpret_cast<const unsigned char*>(secret.data()),
              static_cast<int>(secret.size()));
  char* encoded = jwt_encode_str(token);
  const std::string text = encoded;
  free(encoded);
  jwt_free(token);
  ExpectRefused(PutArtifactTypeWithToken(*server_, text),
                "algorithm 'HS256' is not accepted");
}

TEST(JwtStartTest, JwksWithoutIssuerRefusesStart) {
  TestServer server;
  EXPECT_FALSE(server.Start({"--jwt_jwks_file=/nonexistent/jwks.json"}).ok());
  EXPECT_THAT(server.Log(), HasSubstr("--jwt_issuer"));
}

}  // namespace
}  // namespace mlmdx::testing
