// File: server/metadata_service.h
// -----------------------------------------------------------------------------
//
// ml_metadata.MetadataStoreService on top of a store::MetadataStore: decodes
// nothing itself (gRPC hands over parsed requests), forwards every RPC to the
// store method of the same name, and maps the status. RPCs that this build
// does not serve yet answer UNIMPLEMENTED with a message saying so.
//
// Thread-safety: thread-safe; gRPC calls it from many threads.

#ifndef MLMDX_SERVER_METADATA_SERVICE_H_
#define MLMDX_SERVER_METADATA_SERVICE_H_

#include <memory>

#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "store/metadata_store.h"

namespace mlmdx::server {

class MetadataService final
    : public ml_metadata::MetadataStoreService::Service {
 public:
  // `store` must outlive the service.
  explicit MetadataService(store::MetadataStore* store) : store_(store) {}

#define MLMDX_DECLARE_HANDLER(Name)                            \
  grpc::Status Name(grpc::ServerContext* context,              \
                    const ml_metadata::Name##Request* request, \
                    ml_metadata::Name##Response* response) override;
  MLMDX_STORE_RPCS(MLMDX_DECLARE_HANDLER)
  MLMDX_DECLARE_HANDLER(GetLineageGraph)
  MLMDX_DECLARE_HANDLER(GetLineageSubgraph)
  MLMDX_DECLARE_HANDLER(GetParentContextsByContexts)
  MLMDX_DECLARE_HANDLER(GetChildrenContextsByContexts)
#undef MLMDX_DECLARE_HANDLER

 private:
  store::MetadataStore* const store_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_METADATA_SERVICE_H_
