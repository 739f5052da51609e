// File: server/grpc_web.h
// -----------------------------------------------------------------------------
//
// GrpcWebGateway answers grpc-web (HTTP/1.1 POSTs of application/grpc-web,
// application/grpc-web+proto and application/grpc-web-text) on a port of its
// own, so that browsers, and the Kubeflow Pipelines UI's Node server, reach
// the server without an Envoy in between.
//
// It implements no RPC. Each request's message is passed, as bytes, to the
// server's own gRPC services through the server's in-process channel, with
// the request headers that carry gRPC metadata (authorization,
// mlmdx-read-after, any custom header; grpc-timeout becomes the deadline).
// The call therefore meets the same interceptors (metrics, logging), tokens,
// namespaces, size limits and handlers as a native gRPC call, and only the
// services the server registers are reachable.
//
// The answer is HTTP 200 with the status in the body: a data frame and a
// trailer frame on success, the trailer frame alone (grpc-status,
// percent-encoded grpc-message) on failure; base64-encoded for the "-text"
// content types. Requests that are not grpc-web at all get HTTP errors: 405
// for other methods, 415 for other content types. CORS: an OPTIONS
// preflight from an allowed origin gets 204 with the methods and headers a
// grpc-web client uses, any other preflight 403; answers to allowed origins
// carry access-control-allow-origin and expose grpc-status and
// grpc-message. A POST from an origin not allowed is still answered (without
// CORS headers, so that a browser keeps the answer from the page): the KFP
// UI's server forwards its own browser's Origin header, and access is
// decided by tokens, as for native calls.
//
// With `web_ui` set, GET and HEAD requests are answered with the lineage
// page's files (server/web_ui.h), 404 for paths that are none of them;
// without it they get 405 as any other method that is not grpc-web.
//
// Thread-safety: thread-safe; requests are served by a fixed pool of
// threads, one connection each (HTTP/1.1 keep-alive).
//
// Example:
//
//   GrpcWebOptions options;
//   options.port = 8081;
//   MLMDX_ASSIGN_OR_RETURN(
//       auto gateway,
//       GrpcWebGateway::Start(options, server->InProcessChannel(args)));
//   LogInfo(absl::StrCat("grpc-web on port ", gateway->port()));

#ifndef MLMDX_SERVER_GRPC_WEB_H_
#define MLMDX_SERVER_GRPC_WEB_H_

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct mg_connection;
struct mg_context;

namespace mlmdx::server {

struct GrpcWebOptions {
  // Address and port to bind; port 0 picks a free port (see port()).
  std::string listen_address = "0.0.0.0";
  int port = 0;
  // Origins ("https://host:port", as browsers send them) whose pages may
  // call; "*" allows every origin. Empty: no cross-origin page may.
  std::vector<std::string> allowed_origins;
  // The largest request message accepted, as native gRPC's
  // grpc.max_receive_message_length; larger ones are answered
  // RESOURCE_EXHAUSTED, as natively, without reading the rest of the body.
  // Negative: no limit.
  int64_t max_message_bytes = 4 << 20;
  // Requests served at once; each open connection holds one thread while it
  // is kept alive, so this also bounds the connections served at once.
  int worker_threads = 16;
  // How long an idle kept-alive connection keeps its thread.
  int keep_alive_timeout_ms = 5000;
  // Serve the lineage page (server/web_ui.h) for GET and HEAD.
  bool web_ui = false;
};

class GrpcWebGateway {
 public:
  // Starts serving; calls go to `channel` (the server's in-process channel,
  // which must outlive the gateway's destruction). UNAVAILABLE naming the
  // address and --grpc_web_port when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcWebGateway>> Start(
      const GrpcWebOptions& options, std::shared_ptr<grpc::Channel> channel);

  GrpcWebGateway(const GrpcWebGateway&) = delete;
  GrpcWebGateway& operator=(const GrpcWebGateway&) = delete;
  // Stops listening and waits for the requests being served.
  ~GrpcWebGateway();

  // The port the listener is bound to.
  int port() const { return port_; }

 private:
  struct Request;

  GrpcWebGateway(GrpcWebOptions options,
                 std::shared_ptr<grpc::Channel> channel);

  // civetweb's begin_request callback: answers every request; returns the
  // HTTP status sent.
  static int HandleRequest(mg_connection* connection);
  int Handle(mg_connection* connection);
  int AnswerPreflight(mg_connection* connection, const char* origin);
  // GET or HEAD of one of the page's files.
  int AnswerPageFile(mg_connection* connection, bool head);
  // Runs the call, unless `refusal` is not OK, and writes its answer (a
  // refusal's status in the trailer frame).
  int AnswerCall(mg_connection* connection, const Request& request,
                 const absl::Status& refusal);
  bool OriginAllowed(const char* origin) const;

  const GrpcWebOptions options_;
  const std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  // Declared last: stopped first, so that no request runs while the rest
  // goes away.
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_GRPC_WEB_H_
