// File: server/grpc_web_framing.h
// -----------------------------------------------------------------------------
//
// The byte formats of grpc-web (gRPC's PROTOCOL-WEB.md) that the gateway in
// server/grpc_web.h reads and writes, kept apart from any HTTP library so
// that they can be checked on their own:
//   - a body is a sequence of frames: one flag byte (0x00 data, 0x80
//     trailers; 0x01 marks a compressed message), a 4-byte big-endian
//     length, then that many bytes;
//   - the trailer frame holds HTTP/1-style header lines
//     "grpc-status:0\r\ngrpc-message:\r\n";
//   - the "-text" content types carry the same bytes base64-encoded, where a
//     client may send several padded base64 chunks one after the other;
//   - grpc-message is percent-encoded and grpc-timeout is "<digits><unit>",
//     as in gRPC over HTTP/2.
//
// Thread-safety: free functions without shared state.
//
// Example:
//
//   absl::StatusOr<std::string> message = UnaryRequestMessage(body);
//   std::string answer = DataFrame(response_bytes);
//   answer += TrailerFrame(0, "", {});

#ifndef MLMDX_SERVER_GRPC_WEB_FRAMING_H_
#define MLMDX_SERVER_GRPC_WEB_FRAMING_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mlmdx::server {

// Bytes before each frame's payload: the flag and the length.
inline constexpr size_t kGrpcWebFrameHeaderBytes = 5;

// The one uncompressed data frame of a unary call's request body, without
// its header. INVALID_ARGUMENT saying what is wrong (and at which byte
// offset) when the body is empty, a frame is cut short, the message is
// compressed (grpc-web clients do not compress, and this server offers no
// encoding), or there is more than one frame.
absl::StatusOr<std::string> UnaryRequestMessage(absl::string_view body);

// A data frame holding `message`.
std::string DataFrame(absl::string_view message);

// A trailer frame: grpc-status, grpc-message (percent-encoded), then each
// of `metadata` as "key:value" (the caller encodes binary values).
std::string TrailerFrame(
    int status_code, absl::string_view status_message,
    const std::vector<std::pair<std::string, std::string>>& metadata);

// Decodes a grpc-web-text body: standard base64, possibly several padded
// chunks in a row. INVALID_ARGUMENT naming the offset of the first bad
// character or a length that is not a multiple of 4.
absl::StatusOr<std::string> DecodeGrpcWebText(absl::string_view text);

// grpc-message's encoding: bytes outside printable ASCII, and '%', as %XX.
std::string PercentEncodeStatusMessage(absl::string_view message);

// A grpc-timeout value ("100m", "5S", at most 8 digits; units H M S m u n)
// as a duration. INVALID_ARGUMENT quoting the value otherwise.
absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value);

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_GRPC_WEB_FRAMING_H_
