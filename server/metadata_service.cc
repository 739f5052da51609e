#include "server/metadata_service.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "server/consistency.h"
#include "server/grpc_status.h"
#include "util/log.h"

namespace mlmdx::server {

// Every handler forwards to the method of the same name on `target` (the
// store, or the lineage engine for traversals) and maps the status.
#define MLMDX_FORWARD(Name, target)                                            \
  grpc::Status MetadataService::Name(                                          \
      grpc::ServerContext* context, const ml_metadata::Name##Request* request, \
      ml_metadata::Name##Response* response) {                                 \
    InFlightCalls::Guard guard(in_flight_);                                    \
    absl::Status status =                                                      \
        AwaitReadAfter(*context, *lineage_, read_after_timeout_);              \
    store::CommitPositionScope commit;                                         \
    if (status.ok()) status = target->Name(*request, response);                \
    if (status.ok()) {                                                         \
      AddCommitToken(commit, *context);                                        \
    } else {                                                                   \
      LogWarning(absl::StrCat(#Name " failed: ", status.ToString()));          \
    }                                                                          \
    return ToGrpcStatus(status);                                               \
  }
#define MLMDX_FORWARD_TO_STORE(Name) MLMDX_FORWARD(Name, store_)
MLMDX_STORE_RPCS(MLMDX_FORWARD_TO_STORE)
MLMDX_FORWARD(GetLineageSubgraph, lineage_)
MLMDX_FORWARD(GetLineageGraph, lineage_)
#undef MLMDX_FORWARD_TO_STORE
#undef MLMDX_FORWARD

}  // namespace mlmdx::server
