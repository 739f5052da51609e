#include "server/grpc_web.h"

#include <civetweb.h>
#include <grpc/grpc.h>
#include <grpc/slice.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>
#include <grpcpp/support/stub_options.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "server/grpc_web_framing.h"
#include "server/web_ui.h"
#include "util/log.h"

namespace mlmdx::server {
namespace {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The request headers a grpc-web client may send beyond the simple ones,
// listed in answers to CORS preflights.
constexpr char kAllowedRequestHeaders[] =
    "content-type, x-grpc-web, x-user-agent, authorization, grpc-timeout, "
    "mlmdx-read-after, x-accept-content-transfer-encoding, "
    "x-accept-response-streaming";

// Request headers about the HTTP exchange itself, not gRPC metadata of the
// call; everything else is passed on as metadata. grpc-* names are gRPC's
// own (grpc-timeout is read as the deadline).
bool IsHttpOnlyHeader(absl::string_view name) {
  static constexpr absl::string_view kNames[] = {
      "accept",
      "accept-encoding",
      "accept-language",
      "cache-control",
      "connection",
      "content-length",
      "content-type",
      "cookie",
      "dnt",
      "expect",
      "host",
      "keep-alive",
      "origin",
      "pragma",
      "priority",
      "referer",
      "te",
      "trailer",
      "transfer-encoding",
      "upgrade",
      "user-agent",
      "x-grpc-web",
      "x-user-agent",
      "x-accept-content-transfer-encoding",
      "x-accept-response-streaming"};
  if (absl::StartsWith(name, "grpc-") || absl::StartsWith(name, "sec-") ||
      absl::StartsWith(name, "access-control-") ||
      absl::StartsWith(name, "proxy-")) {
    return true;
  }
  return std::find(std::begin(kNames), std::end(kNames), name) !=
         std::end(kNames);
}

// Copies the request's metadata headers onto `context` and turns
// grpc-timeout into its deadline. INVALID_ARGUMENT naming a header whose
// name or value gRPC metadata cannot carry.
absl::Status AddRequestMetadata(const mg_request_info& info,
                                grpc::ClientContext& context) {
  for (int i = 0; i < info.num_headers; ++i) {
    const std::string name = absl::AsciiStrToLower(info.http_headers[i].name);
    const absl::string_view value = info.http_headers[i].value;
    if (name == "grpc-timeout") {
      absl::StatusOr<absl::Duration> timeout = ParseGrpcTimeout(value);
      if (!timeout.ok()) return timeout.status();
      context.set_deadline(absl::ToChronoTime(absl::Now() + *timeout));
      continue;
    }
    if (IsHttpOnlyHeader(name)) continue;
    if (!grpc_header_key_is_legal(
            grpc_slice_from_static_buffer(name.data(), name.size()))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "request header '", name.substr(0, 64),
          "' is not a valid gRPC metadata key (0-9 a-z _ - . only)"));
    }
    if (absl::EndsWith(name, "-bin")) {
      std::string bytes;
      if (!absl::Base64Unescape(value, &bytes)) {
        return absl::InvalidArgumentError(
            absl::StrCat("request header '", name, "' is not base64"));
      }
      context.AddMetadata(name, bytes);
      continue;
    }
    if (!grpc_header_nonbin_value_is_legal(
            grpc_slice_from_static_buffer(value.data(), value.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("request header '", name,
                       "' has a value that is not printable ASCII"));
    }
    context.AddMetadata(name, std::string(value));
  }
  return absl::OkStatus();
}

// Metadata the server sent, binary values in base64 as grpc-web carries
// them.
HttpHeaders MetadataLines(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  HttpHeaders lines;
  for (const auto& [key_ref, value_ref] : metadata) {
    std::string key(key_ref.data(), key_ref.size());
    absl::string_view value(value_ref.data(), value_ref.size());
    if (absl::StartsWith(key, "grpc-") || key == "content-type") continue;
    lines.emplace_back(key, absl::EndsWith(key, "-bin")
                                ? absl::Base64Escape(value)
                                : std::string(value));
  }
  return lines;
}

// Writes a whole answer with its length, so that the connection can be
// kept alive; the body is left out (its length still sent) for a HEAD
// request. Returns `status`.
int SendAnswer(mg_connection* connection, int status,
               const HttpHeaders& headers, absl::string_view body,
               bool head = false) {
  mg_response_header_start(connection, status);
  for (const auto& [name, value] : headers) {
    mg_response_header_add(connection, name.c_str(), value.data(),
                           static_cast<int>(value.size()));
  }
  if (status != 204) {
    const std::string length = absl::StrCat(body.size());
    mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
  }
  mg_response_header_send(connection);
  if (!head && !body.empty()) mg_write(connection, body.data(), body.size());
  return status;
}

// An HTTP-level refusal of something that is not a grpc-web call. The
// connection is closed after it: its request body may be unread.
int SendHttpError(mg_connection* connection, int status, HttpHeaders headers,
                  const std::string& text) {
  mg_disable_keep_alive(connection);
  headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  return SendAnswer(connection, status, headers, absl::StrCat(text, "\n"));
}

// The request's media type without parameters, lower case.
std::string MediaType(const char* content_type) {
  if (content_type == nullptr) return "";
  absl::string_view type = content_type;
  type = type.substr(0, type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(type));
}

// "/package.Service/Method": both parts non-empty, nothing more.
bool IsMethodPath(absl::string_view path) {
  if (path.size() < 4 || path.front() != '/') return false;
  const size_t slash = path.find('/', 1);
  return slash != absl::string_view::npos && slash > 1 &&
         slash + 1 < path.size() &&
         path.find('/', slash + 1) == absl::string_view::npos;
}

int LogHttpMessage(const mg_connection* /*connection*/, const char* message) {
  LogWarning(absl::StrCat("grpc-web listener: ", message));
  return 1;
}

}  // namespace

struct GrpcWebGateway::Request {
  std::string path;
  // As sent; the answer carries the same.
  std::string content_type;
  bool text = false;
  // CORS headers of the answer (none for an origin not allowed).
  HttpHeaders cors;
  std::string body;
};

GrpcWebGateway::GrpcWebGateway(GrpcWebOptions options,
                               std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      stub_(channel_) {}

GrpcWebGateway::~GrpcWebGateway() {
  if (context_ != nullptr) mg_stop(context_);
  mg_exit_library();
}

absl::StatusOr<std::unique_ptr<GrpcWebGateway>> GrpcWebGateway::Start(
    const GrpcWebOptions& options, std::shared_ptr<grpc::Channel> channel) {
  mg_init_library(0);
  std::unique_ptr<GrpcWebGateway> gateway(
      new GrpcWebGateway(options, std::move(channel)));
  std::string address = options.listen_address;
  if (address.find(':') != std::string::npos && address.front() != '[') {
    address = absl::StrCat("[", address, "]");
  }
  const std::string bind = absl::StrCat(address, ":", options.port);
  const std::string threads = absl::StrCat(options.worker_threads);
  const std::string keep_alive = absl::StrCat(options.keep_alive_timeout_ms);
  // Answers are written as headers then body; without TCP_NODELAY the body
  // of a kept-alive connection's second answer waits for the client's
  // delayed ACK.
  const char* settings[] = {"listening_ports",
                            bind.c_str(),
                            "num_threads",
                            threads.c_str(),
                            "enable_keep_alive",
                            "yes",
                            "keep_alive_timeout_ms",
                            keep_alive.c_str(),
                            "request_timeout_ms",
                            "30000",
                            "tcp_nodelay",
                            "1",
                            nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  callbacks.begin_request = &GrpcWebGateway::HandleRequest;
  callbacks.log_message = &LogHttpMessage;
  mg_init_data init;
  init.callbacks = &callbacks;
  init.user_data = gateway.get();
  init.configuration_options = settings;
  char error_text[256] = {0};
  unsigned error_code = 0;
  mg_error_data error;
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);
  gateway->context_ = mg_start2(&init, &error);
  if (gateway->context_ == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve grpc-web on ", bind, " (--grpc_web_port=", options.port,
        "): ", error_text[0] != 0 ? error_text : "cannot listen"));
  }
  mg_server_port ports[4];
  const int count = mg_get_server_ports(gateway->context_, 4, ports);
  if (count <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve grpc-web on ", bind, " (--grpc_web_port=", options.port,
        "): no port is listening"));
  }
  gateway->port_ = ports[0].port;
  return gateway;
}

int GrpcWebGateway::HandleRequest(mg_connection* connection) {
  const mg_request_info* info = mg_get_request_info(connection);
  return static_cast<GrpcWebGateway*>(info->user_data)->Handle(connection);
}

bool GrpcWebGateway::OriginAllowed(const char* origin) const {
  if (origin == nullptr) return false;
  for (const std::string& allowed : options_.allowed_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

int GrpcWebGateway::AnswerPreflight(mg_connection* connection,
                                    const char* origin) {
  if (!OriginAllowed(origin)) {
    return SendHttpError(
        connection, 403, {},
        origin == nullptr
            ? std::string("OPTIONS without Origin: not a CORS preflight")
            : absl::StrCat("origin '", origin,
                           "' is not in --grpc_web_allowed_origins"));
  }
  return SendAnswer(connection, 204,
                    {{"Access-Control-Allow-Origin", origin},
                     {"Access-Control-Allow-Methods", "POST, OPTIONS"},
                     {"Access-Control-Allow-Headers", kAllowedRequestHeaders},
                     {"Access-Control-Max-Age", "86400"},
                     {"Vary", "Origin"}},
                    "");
}

int GrpcWebGateway::AnswerPageFile(mg_connection* connection, bool head) {
  const mg_request_info* info = mg_get_request_info(connection);
  const absl::string_view path =
      info->local_uri == nullptr ? "" : info->local_uri;
  const std::optional<WebUiFile> file = FindWebUiFile(path);
  if (!file.has_value()) {
    return SendHttpError(
        connection, 404, {},
        absl::StrCat("no page file at '", path.substr(0, 128), "'"));
  }
  // The page changes with the binary, not with time: revalidating is cheap
  // and keeps a browser from mixing files of two versions.
  return SendAnswer(connection, 200,
                    {{"Content-Type", std::string(file->content_type)},
                     {"Content-Security-Policy", kWebUiContentSecurityPolicy},
                     {"X-Content-Type-Options", "nosniff"},
                     {"Referrer-Policy", "no-referrer"},
                     {"Cache-Control", "no-cache"}},
                    file->bytes, head);
}

int GrpcWebGateway::Handle(mg_connection* connection) {
  const mg_request_info* info = mg_get_request_info(connection);
  const char* origin = mg_get_header(connection, "Origin");
  const absl::string_view method =
      info->request_method == nullptr ? "" : info->request_method;
  if (method == "OPTIONS") return AnswerPreflight(connection, origin);
  if (options_.web_ui && (method == "GET" || method == "HEAD")) {
    return AnswerPageFile(connection, method == "HEAD");
  }
  if (method != "POST") {
    return SendHttpError(connection, 405,
                         {{"Allow", options_.web_ui ? "GET, HEAD, POST, OPTIONS"
                                                    : "POST, OPTIONS"}},
                         options_.web_ui
                             ? "the page is read with GET; grpc-web calls are "
                               "POST requests"
                             : "grpc-web calls are POST requests");
  }
  Request request;
  const char* content_type = mg_get_header(connection, "Content-Type");
  const std::string media_type = MediaType(content_type);
  if (media_type == "application/grpc-web-text" ||
      media_type == "application/grpc-web-text+proto") {
    request.text = true;
  } else if (media_type != "application/grpc-web" &&
             media_type != "application/grpc-web+proto") {
    return SendHttpError(connection, 415, {},
                         absl::StrCat("content-type '", media_type,
                                      "' is not application/grpc-web, "
                                      "application/grpc-web+proto or "
                                      "application/grpc-web-text"));
  }
  request.content_type = content_type;
  if (OriginAllowed(origin)) {
    request.cors = {
        {"Access-Control-Allow-Origin", origin},
        {"Access-Control-Expose-Headers", "grpc-status, grpc-message"},
        {"Vary", "Origin"}};
  }
  request.path = info->local_uri_raw == nullptr ? "" : info->local_uri_raw;

  // The body is read up to what a message of the largest accepted size
  // takes; a larger one is refused unread, and the connection closed.
  int64_t limit = options_.max_message_bytes < 0
                      ? int64_t{std::numeric_limits<uint32_t>::max()}
                      : options_.max_message_bytes;
  limit += kGrpcWebFrameHeaderBytes;
  if (request.text) limit = (limit + 2) / 3 * 4 + 64;
  const absl::Status too_large = absl::ResourceExhaustedError(absl::StrCat(
      "grpc-web request to ", request.path.substr(0, 128),
      " is larger than the largest message the server accepts (",
      options_.max_message_bytes, " bytes, grpc.max_receive_message_length)"));
  if (info->content_length > limit) {
    mg_disable_keep_alive(connection);
    return AnswerCall(connection, request, too_large);
  }
  char buffer[16384];
  for (;;) {
    const int read = mg_read(connection, buffer, sizeof(buffer));
    if (read <= 0) break;
    request.body.append(buffer, static_cast<size_t>(read));
    if (static_cast<int64_t>(request.body.size()) > limit) {
      mg_disable_keep_alive(connection);
      return AnswerCall(connection, request, too_large);
    }
  }
  return AnswerCall(connection, request, absl::OkStatus());
}

int GrpcWebGateway::AnswerCall(mg_connection* connection,
                               const Request& request,
                               const absl::Status& refusal) {
  HttpHeaders headers = request.cors;
  headers.emplace_back("Content-Type", request.content_type);
  int code = static_cast<int>(refusal.code());
  std::string message(refusal.message());
  std::string frames;
  HttpHeaders trailers;

  std::string request_message;
  if (refusal.ok() && !IsMethodPath(request.path)) {
    code = grpc::StatusCode::UNIMPLEMENTED;
    message = absl::StrCat("grpc-web path '", request.path.substr(0, 128),
                           "' is not /<package.Service>/<Method>");
  }
  if (code == 0) {
    absl::StatusOr<std::string> body = request.body;
    if (request.text) body = DecodeGrpcWebText(request.body);
    absl::StatusOr<std::string> parsed =
        body.ok() ? UnaryRequestMessage(*body) : body.status();
    if (parsed.ok() && options_.max_message_bytes >= 0 &&
        static_cast<int64_t>(parsed->size()) > options_.max_message_bytes) {
      parsed = absl::ResourceExhaustedError(absl::StrCat(
          "grpc-web request message of ", parsed->size(), " bytes to ",
          request.path, " is larger than the server accepts (",
          options_.max_message_bytes,
          " bytes, grpc.max_receive_message_length)"));
    }
    if (parsed.ok()) {
      request_message = *std::move(parsed);
    } else {
      code = static_cast<int>(parsed.status().code());
      message = std::string(parsed.status().message());
    }
  }
  if (code == 0) {
    const mg_request_info* info = mg_get_request_info(connection);
    grpc::ClientContext context;
    absl::Status metadata = AddRequestMetadata(*info, context);
    if (!metadata.ok()) {
      code = static_cast<int>(metadata.code());
      message = std::string(metadata.message());
    } else {
      grpc::Slice slice(request_message);
      grpc::ByteBuffer request_buffer(&slice, 1);
      grpc::ByteBuffer response_buffer;
      absl::Notification done;
      grpc::Status status;
      stub_.UnaryCall(&context, request.path, grpc::StubOptions(),
                      &request_buffer, &response_buffer,
                      [&status, &done](grpc::Status call_status) {
                        status = std::move(call_status);
                        done.Notify();
                      });
      done.WaitForNotification();
      code = status.error_code();
      message = status.error_message();
      // The server's initial metadata travels as HTTP headers, which a
      // page may read only when they are exposed.
      for (auto& header : MetadataLines(context.GetServerInitialMetadata())) {
        for (auto& [name, value] : headers) {
          if (name == "Access-Control-Expose-Headers") {
            absl::StrAppend(&value, ", ", header.first);
          }
        }
        headers.push_back(std::move(header));
      }
      trailers = MetadataLines(context.GetServerTrailingMetadata());
      if (!status.error_details().empty()) {
        trailers.emplace_back("grpc-status-details-bin",
                              absl::Base64Escape(status.error_details()));
      }
      if (status.ok()) {
        grpc::Slice answer;
        if (response_buffer.Valid() &&
            response_buffer.DumpToSingleSlice(&answer).ok()) {
          frames = DataFrame(absl::string_view(
              reinterpret_cast<const char*>(answer.begin()), answer.size()));
        } else {
          frames = DataFrame("");
        }
      }
    }
  }
  frames += TrailerFrame(code, message, trailers);
  if (request.text) frames = absl::Base64Escape(frames);
  return SendAnswer(connection, 200, headers, frames);
}

}  // namespace mlmdx::server
