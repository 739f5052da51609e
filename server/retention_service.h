// File: server/retention_service.h
// -----------------------------------------------------------------------------
//
// mlmdx.RetentionService (proto/mlmdx/retention_service.proto), deletion of
// runs, served over gRPC. The deletion itself is
// store::MetadataStore::DeleteContexts, which hands the deleted ids to the
// lineage index like any committed write; this is its gRPC adapter. A
// deletion answers with mlmdx-commit like every write (server/consistency.h).
//
// Example (client side):
//
//   auto stub = mlmdx::RetentionService::NewStub(channel);
//   mlmdx::DeleteContextsRequest request;
//   request.add_context_ids(run_id);
//   request.set_dry_run(true);
//   stub->DeleteContexts(&context, request, &response);
//
// Thread-safety: thread-safe; gRPC calls it from many threads.

#ifndef MLMDX_SERVER_RETENTION_SERVICE_H_
#define MLMDX_SERVER_RETENTION_SERVICE_H_

#include <cstdint>

#include "absl/time/time.h"
#include "engine/lineage_engine.h"
#include "mlmdx/retention_service.grpc.pb.h"
#include "server/call_scope.h"
#include "server/in_flight.h"
#include "store/metadata_store.h"

namespace mlmdx::server {

class RetentionServiceImpl final : public ::mlmdx::RetentionService::Service {
 public:
  // `store`, `lineage`, `in_flight` and `access` (when not null) must
  // outlive the service. A request listing more than `max_list_length`
  // context ids is INVALID_ARGUMENT before any work (0: no limit). With
  // access control on, a call needs a token as every other RPC does, and a
  // deletion (not a dry run) is audited as a write.
  RetentionServiceImpl(store::MetadataStore* store,
                       engine::LineageEngine* lineage, InFlightCalls& in_flight,
                       absl::Duration read_after_timeout,
                       int64_t max_list_length, AccessControl* access = nullptr)
      : store_(store),
        lineage_(lineage),
        in_flight_(in_flight),
        read_after_timeout_(read_after_timeout),
        max_list_length_(max_list_length),
        access_(access) {}

  RetentionServiceImpl(const RetentionServiceImpl&) = delete;
  RetentionServiceImpl& operator=(const RetentionServiceImpl&) = delete;

  grpc::Status DeleteContexts(grpc::ServerContext* context,
                              const DeleteContextsRequest* request,
                              DeleteContextsResponse* response) override;

 private:
  store::MetadataStore* const store_;
  engine::LineageEngine* const lineage_;
  InFlightCalls& in_flight_;
  const absl::Duration read_after_timeout_;
  const int64_t max_list_length_;
  AccessControl* const access_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_RETENTION_SERVICE_H_
