#include "server/metadata_service.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "server/grpc_status.h"
#include "server/log.h"

namespace mlmdx::server {

#define MLMDX_DEFINE_HANDLER(Name)                                             \
  grpc::Status MetadataService::Name(                                          \
      grpc::ServerContext* context, const ml_metadata::Name##Request* request, \
      ml_metadata::Name##Response* response) {                                 \
    InFlightGuard guard(in_flight_);                                           \
    const absl::Status status = store_->Name(*request, response);              \
    if (!status.ok())                                                          \
      LogWarning(absl::StrCat(#Name " failed: ", status.ToString()));          \
    return ToGrpcStatus(status);                                               \
  }
MLMDX_STORE_RPCS(MLMDX_DEFINE_HANDLER)
#undef MLMDX_DEFINE_HANDLER

grpc::Status MetadataService::GetLineageSubgraph(
    grpc::ServerContext* context,
    const ml_metadata::GetLineageSubgraphRequest* request,
    ml_metadata::GetLineageSubgraphResponse* response) {
  InFlightGuard guard(in_flight_);
  const absl::Status status = lineage_->GetLineageSubgraph(*request, response);
  if (!status.ok()) {
    LogWarning(absl::StrCat("GetLineageSubgraph failed: ", status.ToString()));
  }
  return ToGrpcStatus(status);
}

// The deprecated GetLineageGraph: MLMD's server never served it either.
#define MLMDX_DEFINE_UNIMPLEMENTED(Name)                                       \
  grpc::Status MetadataService::Name(                                          \
      grpc::ServerContext* context, const ml_metadata::Name##Request* request, \
      ml_metadata::Name##Response* response) {                                 \
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, #Name                 \
                        " is not implemented by this mlmdx build "             \
                        "yet; it arrives with the lineage engine");            \
  }
MLMDX_DEFINE_UNIMPLEMENTED(GetLineageGraph)
#undef MLMDX_DEFINE_UNIMPLEMENTED

}  // namespace mlmdx::server
