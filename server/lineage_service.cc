#include "server/lineage_service.h"

#include "server/consistency.h"
#include "server/grpc_status.h"

namespace mlmdx::server {

grpc::Status LineageQueryService::QueryLineage(
    grpc::ServerContext* context, const QueryLineageRequest* request,
    QueryLineageResponse* response) {
  InFlightCalls::Guard guard(in_flight_);
  CallScope call(access_, *context, "/mlmdx.LineageService/QueryLineage",
                 /*is_write=*/false);
  absl::Status status = call.admission();
  if (status.ok()) {
    status = AwaitReadAfter(*context, *lineage_, read_after_timeout_);
  }
  if (status.ok()) status = lineage_->QueryLineage(*request, response);
  call.Finish(status, *response);
  return ToGrpcStatus(status);
}

}  // namespace mlmdx::server
