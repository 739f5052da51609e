// The standard grpc.health.v1.Health service, called the way Kubernetes'
// gRPC probes call it. Debian ships no generated stubs for it, so the test
// speaks its (tiny) wire format through a generic stub: an empty
// HealthCheckRequest, and a response whose field 1 is the serving status.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>
#include <string>

#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

// HealthCheckResponse.ServingStatus values.
constexpr int kServing = 1;

// Returns the serving status, or -1 when the call failed.
int CheckHealth(const std::string& address) {
  grpc::GenericStub stub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request, &response,
                 [&done](grpc::Status status) { done.set_value(status); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  // Field 1, varint: tag byte 0x08 then the value.
  if (bytes.size() != 2 || bytes[0] != 0x08) return -1;
  return bytes[1];
}

TEST(HealthTest, ServerReportsServing) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  EXPECT_EQ(CheckHealth(server.address()), kServing);
}

TEST(HealthTest, NoServerMeansNoAnswer) {
  TestServer server;
  ASSERT_THAT(server.Start(), IsOk());
  const std::string address = server.address();
  server.Stop();
  EXPECT_EQ(CheckHealth(address), -1);
}

}  // namespace
}  // namespace mlmdx::testing
