#include "server/retention_service.h"

#include "absl/strings/str_cat.h"
#include "server/consistency.h"
#include "server/grpc_status.h"
#include "server/metadata_service.h"
#include "util/log.h"

namespace mlmdx::server {

grpc::Status RetentionServiceImpl::DeleteContexts(
    grpc::ServerContext* context, const DeleteContextsRequest* request,
    DeleteContextsResponse* response) {
  InFlightCalls::Guard guard(in_flight_);
  CallScope call(access_, *context, "/mlmdx.RetentionService/DeleteContexts",
                 /*is_write=*/!request->dry_run());
  absl::Status status = call.admission();
  if (status.ok()) {
    status = AwaitReadAfter(*context, *lineage_, read_after_timeout_);
  }
  store::CommitPositionScope commit;
  if (status.ok()) status = CheckListLengths(*request, max_list_length_);
  if (status.ok()) status = store_->DeleteContexts(*request, response);
  if (status.ok()) {
    AddCommitToken(commit, *context);
    if (!request->dry_run()) {
      LogInfo(absl::StrCat("DeleteContexts deleted ",
                           response->context_ids_size(), " contexts, ",
                           response->execution_ids_size(), " executions, ",
                           response->artifact_ids_size(), " artifacts"));
    }
  }
  call.Finish(status, *response);
  return ToGrpcStatus(status);
}

}  // namespace mlmdx::server
