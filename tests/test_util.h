// File: tests/test_util.h
// -----------------------------------------------------------------------------
//
// Helpers shared by the test suites: status matchers (GoogleTest 1.12 has
// none for absl::Status), a text-proto parser for readable fixtures, reading
// a whole file, and a one-line way to call an RPC on a stub.

#ifndef MLMDX_TESTS_TEST_UTIL_H_
#define MLMDX_TESTS_TEST_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace mlmdx::testing {

// Parses a text proto or fails the test.
template <typename Message>
Message ParseTextProto(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << "bad text proto: " << text;
  return message;
}

MATCHER(IsOk, "is OK") {
  if (arg.ok()) return true;
  *result_listener << "status is " << arg.ToString();
  return false;
}

MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  if (arg.code() == code) return true;
  *result_listener << "status is " << arg.ToString();
  return false;
}

// Everything in the file at `path` ("" when it cannot be read).
inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// grpc::Status -> absl::Status, for the matchers above.
inline absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

// Calls `method` on `stub` with a fresh context and a 30 s deadline.
#define MLMDX_CALL(stub, method, request, response)               \
  ([&]() {                                                        \
    grpc::ClientContext mlmdx_context;                            \
    mlmdx_context.set_deadline(std::chrono::system_clock::now() + \
                               std::chrono::seconds(30));         \
    return ::mlmdx::testing::FromGrpc(                            \
        (stub).method(&mlmdx_context, (request), &(response)));   \
  }())

MATCHER_P(EqualsProto, expected, "equals " + expected.ShortDebugString()) {
  if (google::protobuf::util::MessageDifferencer::Equals(arg, expected)) {
    return true;
  }
  *result_listener << "is " << arg.ShortDebugString();
  return false;
}

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_TEST_UTIL_H_
