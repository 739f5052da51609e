#include "server/grpc_web_framing.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mlmdx::server {
namespace {

constexpr uint8_t kDataFlag = 0x00;
constexpr uint8_t kCompressedFlag = 0x01;
constexpr uint8_t kTrailerFlag = 0x80;

std::string Frame(uint8_t flag, absl::string_view payload) {
  std::string frame;
  frame.reserve(kGrpcWebFrameHeaderBytes + payload.size());
  const uint32_t length = static_cast<uint32_t>(payload.size());
  frame.push_back(static_cast<char>(flag));
  frame.push_back(static_cast<char>((length >> 24) & 0xff));
  frame.push_back(static_cast<char>((length >> 16) & 0xff));
  frame.push_back(static_cast<char>((length >> 8) & 0xff));
  frame.push_back(static_cast<char>(length & 0xff));
  frame.append(payload.data(), payload.size());
  return frame;
}

}  // namespace

absl::StatusOr<std::string> UnaryRequestMessage(absl::string_view body) {
  if (body.empty()) {
    return absl::InvalidArgumentError(
        "grpc-web request body is empty: a unary call sends one data frame "
        "(flag byte, 4-byte length, message)");
  }
  if (body.size() < kGrpcWebFrameHeaderBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grpc-web request body of ", body.size(),
        " bytes is shorter than a frame header (5 bytes: flag, length)"));
  }
  const uint8_t flag = static_cast<uint8_t>(body[0]);
  const uint32_t length = (uint32_t{static_cast<uint8_t>(body[1])} << 24) |
                          (uint32_t{static_cast<uint8_t>(body[2])} << 16) |
                          (uint32_t{static_cast<uint8_t>(body[3])} << 8) |
                          uint32_t{static_cast<uint8_t>(body[4])};
  if (flag != kDataFlag) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc-web request frame at offset 0 has flag 0x",
                     absl::Hex(flag, absl::kZeroPad2), "; expected 0x00 (data)",
                     (flag & kCompressedFlag) != 0 && (flag & kTrailerFlag) == 0
                         ? ": compressed messages are not accepted"
                         : ""));
  }
  const size_t available = body.size() - kGrpcWebFrameHeaderBytes;
  if (length > available) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grpc-web request frame at offset 0 declares ", length,
        " message bytes but the body holds ", available, " after its header"));
  }
  if (length < available) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grpc-web request body has ", available - length,
        " bytes after its data frame (at offset ",
        kGrpcWebFrameHeaderBytes + length, "); a unary call sends one frame"));
  }
  return std::string(body.substr(kGrpcWebFrameHeaderBytes));
}

std::string DataFrame(absl::string_view message) {
  return Frame(kDataFlag, message);
}

std::string TrailerFrame(
    int status_code, absl::string_view status_message,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string lines = absl::StrCat(
      "grpc-status:", status_code,
      "\r\ngrpc-message:", PercentEncodeStatusMessage(status_message), "\r\n");
  for (const auto& [key, value] : metadata) {
    absl::StrAppend(&lines, key, ":", value, "\r\n");
  }
  return Frame(kTrailerFlag, lines);
}

absl::StatusOr<std::string> DecodeGrpcWebText(absl::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc-web-text request body of ", text.size(),
                     " characters is not base64 (not a multiple of 4)"));
  }
  std::string decoded;
  size_t start = 0;
  // A padded chunk ends with the quartet that holds its first '='; the
  // next chunk starts after it.
  while (start < text.size()) {
    size_t end = text.find('=', start);
    end = end == absl::string_view::npos ? text.size() : (end / 4 + 1) * 4;
    std::string chunk;
    if (!absl::Base64Unescape(text.substr(start, end - start), &chunk)) {
      return absl::InvalidArgumentError(
          absl::StrCat("grpc-web-text request body is not base64 between "
                       "characters ",
                       start, " and ", end));
    }
    decoded += chunk;
    start = end;
  }
  return decoded;
}

std::string PercentEncodeStatusMessage(absl::string_view message) {
  std::string encoded;
  encoded.reserve(message.size());
  for (char c : message) {
    const uint8_t byte = static_cast<uint8_t>(c);
    if (byte < 0x20 || byte > 0x7e || c == '%') {
      absl::StrAppend(&encoded, "%",
                      absl::AsciiStrToUpper(
                          absl::StrCat(absl::Hex(byte, absl::kZeroPad2))));
    } else {
      encoded.push_back(c);
    }
  }
  return encoded;
}

absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc-timeout '", value.substr(0, 32),
                     "' is not 1 to 8 digits followed by H, M, S, m, u or n"));
  };
  if (value.size() < 2 || value.size() > 9) return invalid();
  int64_t amount = 0;
  const absl::string_view digits = value.substr(0, value.size() - 1);
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return invalid();
  }
  if (!absl::SimpleAtoi(digits, &amount)) return invalid();
  switch (value.back()) {
    case 'H':
      return absl::Hours(amount);
    case 'M':
      return absl::Minutes(amount);
    case 'S':
      return absl::Seconds(amount);
    case 'm':
      return absl::Milliseconds(amount);
    case 'u':
      return absl::Microseconds(amount);
    case 'n':
      return absl::Nanoseconds(amount);
    default:
      return invalid();
  }
}

}  // namespace mlmdx::server
