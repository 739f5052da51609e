// File: tests/test_certificates.h
// -----------------------------------------------------------------------------
//
// Certificates for TLS tests, made at test time with the openssl command.
//
// Example:
//
//   MakeTestCertificates(dir, "mlmdx-test-ca");
//   // dir/ca.pem, dir/server.pem + server.key, dir/client.pem + client.key

#ifndef MLMDX_TESTS_TEST_CERTIFICATES_H_
#define MLMDX_TESTS_TEST_CERTIFICATES_H_

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace mlmdx::testing {

// Writes into `dir` (made if missing) a CA named `ca_name` (ca.pem), a
// server certificate for localhost and 127.0.0.1 signed by it (server.pem,
// server.key) and a client certificate signed by it (client.pem,
// client.key), all P-256 keys valid for a day. Fails the test on errors,
// with openssl's output.
inline void MakeTestCertificates(const std::string& dir,
                                 const std::string& ca_name) {
  ASSERT_EQ(std::system(absl::StrCat("mkdir -p ", dir).c_str()), 0);
  std::ofstream(dir + "/san.ext")
      << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  const std::string new_key =
      "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string script = absl::StrCat(
      "cd ", dir, " && ( openssl req -x509 ", new_key,
      " -keyout ca.key -out ca.pem -days 1 -subj /CN=", ca_name,
      " && openssl req ", new_key,
      " -keyout server.key -out server.csr -subj /CN=localhost"
      " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -out server.pem -days 1 -extfile san.ext"
      " && openssl req ",
      new_key,
      " -keyout client.key -out client.csr -subj /CN=mlmdx-test-client"
      " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -out client.pem -days 1"
      " ) >openssl.log 2>&1");
  ASSERT_EQ(std::system(script.c_str()), 0)
      << ReadWholeFile(dir + "/openssl.log");
}

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_TEST_CERTIFICATES_H_
