#include "server/grpc_web_framing.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mlmdx::server {
namespace {

using ::testing::HasSubstr;

TEST(GrpcWebFramingTest, FramesAreFlagLengthPayload) {
  EXPECT_EQ(DataFrame("abc"), std::string("\x00\x00\x00\x00\x03"
                                          "abc",
                                          8));
  EXPECT_EQ(TrailerFrame(0, "", {}), std::string("\x80\x00\x00\x00\x1e", 5) +
                                         "grpc-status:0\r\ngrpc-message:\r\n");
  EXPECT_EQ(TrailerFrame(5, "no\n100%", {{"mlmdx-commit", "7"}}).substr(5),
            "grpc-status:5\r\ngrpc-message:no%0A100%25\r\nmlmdx-commit:7\r\n");
}

TEST(GrpcWebFramingTest, UnaryRequestMessageTakesExactlyOneDataFrame) {
  const absl::StatusOr<std::string> message =
      UnaryRequestMessage(DataFrame("hello"));
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(*message, "hello");
  EXPECT_EQ(*UnaryRequestMessage(DataFrame("")), "");
  EXPECT_THAT(
      UnaryRequestMessage(DataFrame("a") + DataFrame("b")).status().message(),
      HasSubstr("offset 6"));
  EXPECT_THAT(
      UnaryRequestMessage(DataFrame("abc").substr(0, 6)).status().message(),
      HasSubstr("declares 3 message bytes but the body holds 1"));
}

TEST(GrpcWebFramingTest, TextBodiesMayBeSeveralPaddedChunks) {
  const std::string frame = DataFrame("hello");
  const absl::StatusOr<std::string> whole =
      DecodeGrpcWebText(absl::Base64Escape(frame));
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, frame);
  const absl::StatusOr<std::string> chunked =
      DecodeGrpcWebText(absl::Base64Escape(frame.substr(0, 4)) +
                        absl::Base64Escape(frame.substr(4, 1)) +
                        absl::Base64Escape(frame.substr(5)));
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  EXPECT_EQ(*chunked, frame);
  EXPECT_FALSE(DecodeGrpcWebText("AAA").ok());
  EXPECT_THAT(DecodeGrpcWebText("AAAA!!!!").status().message(),
              HasSubstr("between characters 0 and 8"));
}

TEST(GrpcWebFramingTest, GrpcTimeoutUnits) {
  EXPECT_EQ(*ParseGrpcTimeout("100m"), absl::Milliseconds(100));
  EXPECT_EQ(*ParseGrpcTimeout("2H"), absl::Hours(2));
  EXPECT_EQ(*ParseGrpcTimeout("99999999n"), absl::Nanoseconds(99999999));
  EXPECT_FALSE(ParseGrpcTimeout("123456789S").ok());  // 9 digits
  EXPECT_FALSE(ParseGrpcTimeout("10x").ok());
  EXPECT_FALSE(ParseGrpcTimeout("m").ok());
  EXPECT_FALSE(ParseGrpcTimeout("-1S").ok());
}

}  // namespace
}  // namespace mlmdx::server
