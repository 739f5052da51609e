// One blocking unary call for a benchmark's set-up and checks, where any
// failure ends the run: a figure measured after a failed call is no figure.
//
//   auto response = CallOrDie(stub,
//   &MetadataStoreService::Stub::GetArtifactsByID,
//                             request, "GetArtifactsByID");

#ifndef MLMDX_BENCH_BLOCKING_CALL_H_
#define MLMDX_BENCH_BLOCKING_CALL_H_

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "bench/pipeline_db.h"

namespace mlmdx::bench {

// Calls `method` on `stub` and returns its answer; on any status but OK,
// Die()s with `what` and the status' message. Die exits rather than aborts,
// so static destructors (a benchmark's PostgreSQL cluster) still run.
template <typename Stub, typename Request, typename Response>
Response CallOrDie(Stub& stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
                   const Request& request, const char* what) {
  grpc::ClientContext context;
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) Die(absl::StrCat(what, ": ", status.error_message()));
  return response;
}

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_BLOCKING_CALL_H_
