// File: server/grpc_status.h
// -----------------------------------------------------------------------------
//
// The one place where absl::Status becomes grpc::Status. The numeric codes are
// the same (both follow google.rpc.Code), so the code passes through and the
// message is kept; MLMD's server does the same.

#ifndef MLMDX_SERVER_GRPC_STATUS_H_
#define MLMDX_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace mlmdx::server {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_GRPC_STATUS_H_
