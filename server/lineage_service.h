// File: server/lineage_service.h
// -----------------------------------------------------------------------------
//
// mlmdx.LineageService (proto/mlmdx/lineage_service.proto), mlmdx's own
// lineage query beyond MLMD's API, served over gRPC. The query itself is
// engine::LineageEngine::QueryLineage; this is its gRPC adapter.
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

#include "absl/time/time.h"
#include "engine/lineage_engine.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "server/call_scope.h"
#include "server/in_flight.h"

namespace mlmdx::server {

class LineageQueryService final : public ::mlmdx::LineageService::Service {
 public:
  // `lineage`, `in_flight` and `access` (when not null) must outlive the
  // service. A call carrying mlmdx-read-after waits up to
  // `read_after_timeout` (server/consistency.h). With access control on,
  // a call without a valid token is refused (and audited).
  LineageQueryService(engine::LineageEngine* lineage, InFlightCalls& in_flight,
                      absl::Duration read_after_timeout,
                      AccessControl* access = nullptr)
      : lineage_(lineage),
        in_flight_(in_flight),
        read_after_timeout_(read_after_timeout),
        access_(access) {}

  LineageQueryService(const LineageQueryService&) = delete;
  LineageQueryService& operator=(const LineageQueryService&) = delete;

  grpc::Status QueryLineage(grpc::ServerContext* context,
                            const QueryLineageRequest* request,
                            QueryLineageResponse* response) override;

 private:
  engine::LineageEngine* const lineage_;
  InFlightCalls& in_flight_;
  const absl::Duration read_after_timeout_;
  AccessControl* const access_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_LINEAGE_SERVICE_H_
