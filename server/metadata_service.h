// File: server/metadata_service.h
// -----------------------------------------------------------------------------
//
// ml_metadata.MetadataStoreService on top of a store::MetadataStore and a
// LineageEngine: decodes nothing itself (gRPC hands over parsed requests),
// forwards every RPC to the method of the same name (lineage traversals to
// the engine, everything else to the store), and maps the status. Every
// call honours mlmdx-read-after, and every write returns mlmdx-commit
// (server/consistency.h). With access control on, every call is
// authenticated first and writes and refused calls are audited
// (server/call_scope.h).
//
// Thread-safety: thread-safe; gRPC calls it from many threads.

#ifndef MLMDX_SERVER_METADATA_SERVICE_H_
#define MLMDX_SERVER_METADATA_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "engine/lineage_engine.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "server/call_scope.h"
#include "server/in_flight.h"
#include "store/metadata_store.h"

namespace mlmdx::server {

// Refuses a request whose repeated fields list more than `max_list_length`
// entries (0: no limit) with INVALID_ARGUMENT naming the field and
// --max_request_list_length. Only the request's own fields count: a list is
// what makes one call cost as much as thousands.
absl::Status CheckListLengths(const google::protobuf::Message& request,
                              int64_t max_list_length);

class MetadataService final
    : public ml_metadata::MetadataStoreService::Service {
 public:
  // `store`, `lineage` and `in_flight` must outlive the service. A call
  // carrying mlmdx-read-after waits up to `read_after_timeout`
  // (server/consistency.h).
  // A request listing more than `max_list_length` entries in one of its
  // fields (ids, uris, nodes, events) is refused with INVALID_ARGUMENT
  // before any work; 0: no limit. A read whose answer would be larger than
  // `max_response_bytes` is refused with RESOURCE_EXHAUSTED instead of
  // sent; 0: no limit. `access`, when not null, must outlive the service.
  MetadataService(store::MetadataStore* store, engine::LineageEngine* lineage,
                  InFlightCalls& in_flight, absl::Duration read_after_timeout,
                  int64_t max_list_length = 0, int64_t max_response_bytes = 0,
                  AccessControl* access = nullptr)
      : store_(store),
        lineage_(lineage),
        in_flight_(in_flight),
        read_after_timeout_(read_after_timeout),
        max_list_length_(max_list_length),
        max_response_bytes_(max_response_bytes),
        access_(access) {}

#define MLMDX_DECLARE_HANDLER(Name)                            \
  grpc::Status Name(grpc::ServerContext* context,              \
                    const ml_metadata::Name##Request* request, \
                    ml_metadata::Name##Response* response) override;
  MLMDX_STORE_RPCS(MLMDX_DECLARE_HANDLER)
  MLMDX_DECLARE_HANDLER(GetLineageGraph)
  MLMDX_DECLARE_HANDLER(GetLineageSubgraph)
#undef MLMDX_DECLARE_HANDLER

 private:
  store::MetadataStore* const store_;
  engine::LineageEngine* const lineage_;
  InFlightCalls& in_flight_;
  const absl::Duration read_after_timeout_;
  const int64_t max_list_length_;
  const int64_t max_response_bytes_;
  AccessControl* const access_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_METADATA_SERVICE_H_
