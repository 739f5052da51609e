// File: server/lineage_service.h
// -----------------------------------------------------------------------------
//
// mlmdx.LineageService (proto/mlmdx/lineage_service.proto), mlmdx's own
// lineage query beyond MLMD's API. It turns the request into a
// lineage::LineageQuery: the store resolves the start filter and evaluates
// predicates and endpoint filters, the LineageEngine's graph index is walked
// (lineage/lineage_query.h), and the store loads the answer's events.
//
// Example (client side):
//
//   auto stub = mlmdx::LineageService::NewStub(channel);
//   mlmdx::QueryLineageRequest request;
//   request.set_start_artifacts_filter("id = 7");
//   request.set_direction(mlmdx::QueryLineageRequest::UPSTREAM);
//   request.set_output(mlmdx::QueryLineageRequest::ENDPOINTS);
//   request.set_endpoint_artifacts_filter("type = 'system.Dataset'");
//   stub->QueryLineage(&context, request, &response);
//
// Thread-safety: thread-safe; gRPC calls it from many threads.

#ifndef MLMDX_SERVER_LINEAGE_SERVICE_H_
#define MLMDX_SERVER_LINEAGE_SERVICE_H_

#include "absl/status/status.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "server/in_flight.h"
#include "server/lineage_engine.h"
#include "store/metadata_store.h"

namespace mlmdx::server {

class LineageQueryService final : public ::mlmdx::LineageService::Service {
 public:
  // `store`, `lineage` and `in_flight` must outlive the service.
  LineageQueryService(store::MetadataStore* store, LineageEngine* lineage,
                      InFlightCalls& in_flight)
      : store_(store), lineage_(lineage), in_flight_(in_flight) {}

  LineageQueryService(const LineageQueryService&) = delete;
  LineageQueryService& operator=(const LineageQueryService&) = delete;

  grpc::Status QueryLineage(grpc::ServerContext* context,
                            const QueryLineageRequest* request,
                            QueryLineageResponse* response) override;

  // The RPC without gRPC (what QueryLineage calls).
  //   INVALID_ARGUMENT  no start filter, an empty or bad filter, negative
  //                     max_hops, max_nodes <= 0, PATHS without a target,
  //                     ENDPOINTS without an endpoint filter
  //   NOT_FOUND         the start filter matches nothing, or the PATHS
  //                     target does not exist
  absl::Status Query(const QueryLineageRequest& request,
                     QueryLineageResponse* response);

 private:
  store::MetadataStore* const store_;
  LineageEngine* const lineage_;
  InFlightCalls& in_flight_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_LINEAGE_SERVICE_H_
