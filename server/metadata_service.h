// File: server/metadata_service.h
// -----------------------------------------------------------------------------
//
// ml_metadata.MetadataStoreService on top of a store::MetadataStore and a
// LineageEngine: decodes nothing itself (gRPC hands over parsed requests),
// forwards every RPC to the method of the same name (lineage traversals to
// the engine, everything else to the store), and maps the status.
//
// Thread-safety: thread-safe; gRPC calls it from many threads.

#ifndef MLMDX_SERVER_METADATA_SERVICE_H_
#define MLMDX_SERVER_METADATA_SERVICE_H_

#include <atomic>
#include <memory>

#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "server/lineage_engine.h"
#include "store/metadata_store.h"

namespace mlmdx::server {

class MetadataService final
    : public ml_metadata::MetadataStoreService::Service {
 public:
  // `store` and `lineage` must outlive the service.
  MetadataService(store::MetadataStore* store, LineageEngine* lineage)
      : store_(store), lineage_(lineage) {}

#define MLMDX_DECLARE_HANDLER(Name)                            \
  grpc::Status Name(grpc::ServerContext* context,              \
                    const ml_metadata::Name##Request* request, \
                    ml_metadata::Name##Response* response) override;
  MLMDX_STORE_RPCS(MLMDX_DECLARE_HANDLER)
  MLMDX_DECLARE_HANDLER(GetLineageGraph)
  MLMDX_DECLARE_HANDLER(GetLineageSubgraph)
#undef MLMDX_DECLARE_HANDLER

  // Calls currently being handled; the server drains to zero on shutdown.
  int InFlight() const { return in_flight_.load(std::memory_order_acquire); }

 private:
  // Counts a call as in flight for the lifetime of the guard.
  class InFlightGuard {
   public:
    explicit InFlightGuard(std::atomic<int>& count) : count_(count) {
      count_.fetch_add(1, std::memory_order_acq_rel);
    }
    ~InFlightGuard() { count_.fetch_sub(1, std::memory_order_acq_rel); }
    InFlightGuard(const InFlightGuard&) = delete;
    InFlightGuard& operator=(const InFlightGuard&) = delete;

   private:
    std::atomic<int>& count_;
  };

  store::MetadataStore* const store_;
  LineageEngine* const lineage_;
  std::atomic<int> in_flight_{0};
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_METADATA_SERVICE_H_
