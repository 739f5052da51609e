#include "server/lineage_service.h"

#include "server/grpc_status.h"

namespace mlmdx::server {

grpc::Status LineageQueryService::QueryLineage(
    grpc::ServerContext* /*context*/, const QueryLineageRequest* request,
    QueryLineageResponse* response) {
  InFlightCalls::Guard guard(in_flight_);
  return ToGrpcStatus(lineage_->QueryLineage(*request, response));
}

}  // namespace mlmdx::server
