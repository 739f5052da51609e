// File: server/call_interceptor.h
// -----------------------------------------------------------------------------
//
// The interceptor every call of the server passes through. It
//   - answers a request body that does not parse as the method's request
//     message with INVALID_ARGUMENT naming the method (gRPC itself answers
//     INTERNAL with no message, as if the server were at fault);
//   - logs every call that fails, with its method, status code and latency
//     (util/log.h, LogRequest);
//   - counts every call in `metrics`, when the server exports metrics.
//
// Example:
//
//   std::vector<std::unique_ptr<
//       grpc::experimental::ServerInterceptorFactoryInterface>> creators;
//   creators.push_back(NewCallInterceptorFactory(metrics.get()));
//   builder.experimental().SetInterceptorCreators(std::move(creators));

#ifndef MLMDX_SERVER_CALL_INTERCEPTOR_H_
#define MLMDX_SERVER_CALL_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "server/metrics.h"

namespace mlmdx::server {

// `metrics` may be null (no metrics); otherwise it must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallInterceptorFactory(ServerMetrics* metrics);

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_CALL_INTERCEPTOR_H_
