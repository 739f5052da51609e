#include "server/metadata_service.h"

#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/consistency.h"
#include "server/grpc_status.h"

namespace mlmdx::server {

absl::Status CheckListLengths(const google::protobuf::Message& request,
                              int64_t max_list_length) {
  if (max_list_length <= 0) return absl::OkStatus();
  const google::protobuf::Descriptor* descriptor = request.GetDescriptor();
  const google::protobuf::Reflection* reflection = request.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (!field->is_repeated()) continue;
    const int size = reflection->FieldSize(request, field);
    if (size > max_list_length) {
      return absl::InvalidArgumentError(absl::StrCat(
          descriptor->name(), ".", field->name(), " lists ", size,
          " entries; the limit is ", max_list_length,
          " per request (--max_request_list_length); split the request"));
    }
  }
  return absl::OkStatus();
}

namespace {

// Refuses an answer of more than `max_bytes` bytes (0: no limit), so that
// one call cannot make the server send, and the client receive, a message
// of any size. Only reads are checked: a write's answer is a list of ids,
// bounded by its request's, and a write has committed by then.
absl::Status CheckResponseSize(absl::string_view method, bool is_read,
                               const google::protobuf::Message& response,
                               int64_t max_bytes) {
  if (max_bytes <= 0 || !is_read) return absl::OkStatus();
  const size_t bytes = response.ByteSizeLong();
  if (bytes <= static_cast<size_t>(max_bytes)) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("the answer to ", method, " would be ", bytes,
                   " bytes; the limit is ", max_bytes,
                   " (--max_response_bytes); ask for less: a smaller page "
                   "(options.max_result_size), fewer ids or fewer hops"));
}

}  // namespace

// Every handler authenticates the caller, forwards to the method of the
// same name on `target` (the store, or the lineage engine for traversals),
// audits the call and maps the status. Every RPC but Get* writes.
#define MLMDX_FORWARD(Name, target)                                            \
  grpc::Status MetadataService::Name(                                          \
      grpc::ServerContext* context, const ml_metadata::Name##Request* request, \
      ml_metadata::Name##Response* response) {                                 \
    InFlightCalls::Guard guard(in_flight_);                                    \
    CallScope call(access_, *context,                                          \
                   "/ml_metadata.MetadataStoreService/" #Name,                 \
                   !absl::StartsWith(#Name, "Get"));                           \
    absl::Status status = call.admission();                                    \
    if (status.ok()) {                                                         \
      status = AwaitReadAfter(*context, *lineage_, read_after_timeout_);       \
    }                                                                          \
    store::CommitPositionScope commit;                                         \
    if (status.ok()) status = CheckListLengths(*request, max_list_length_);    \
    if (status.ok()) status = target->Name(*request, response);                \
    if (status.ok()) {                                                         \
      status = CheckResponseSize(#Name, absl::StartsWith(#Name, "Get"),        \
                                 *response, max_response_bytes_);              \
      if (!status.ok()) response->Clear();                                     \
    }                                                                          \
    if (status.ok()) AddCommitToken(commit, *context);                         \
    call.Finish(status, *response);                                            \
    return ToGrpcStatus(status);                                               \
  }
#define MLMDX_FORWARD_TO_STORE(Name) MLMDX_FORWARD(Name, store_)
MLMDX_STORE_RPCS(MLMDX_FORWARD_TO_STORE)
MLMDX_FORWARD(GetLineageSubgraph, lineage_)
MLMDX_FORWARD(GetLineageGraph, lineage_)
#undef MLMDX_FORWARD_TO_STORE
#undef MLMDX_FORWARD

}  // namespace mlmdx::server
