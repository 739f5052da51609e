// File: bench/kfp_put_execution.h
// -----------------------------------------------------------------------------
//
// The PutExecution a Kubeflow Pipelines launcher sends when it publishes a
// task (workloads/kfp_run.md C12, with B11's custom properties): a new
// COMPLETE execution with KFP's custom properties, two existing input
// artifacts passed back whole with INPUT events, two new output artifacts
// with OUTPUT events, and the pipeline and run contexts passed back whole
// as read (kfp_run.md B1, C12: with their ids and the output-only `type`,
// so that neither is rewritten, as with MLMD).
//
// Prepare() makes what every request reuses through the server's RPCs:
// the types (created when missing), two input artifacts and the two
// contexts. They are linked to nothing else, so the writes never change an
// answer about the rest of the database.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(KfpPutExecution writes,
//                          KfpPutExecution::Prepare(*stub));
//   ml_metadata::PutExecutionRequest request = writes.Next();
//
// Thread-safety: not thread-safe.

#ifndef MLMDX_BENCH_KFP_PUT_EXECUTION_H_
#define MLMDX_BENCH_KFP_PUT_EXECUTION_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"

namespace mlmdx::bench {

class KfpPutExecution {
 public:
  // Errors: the status of the first RPC that failed.
  static absl::StatusOr<KfpPutExecution> Prepare(
      ml_metadata::MetadataStoreService::Stub& stub);

  // The next request; its two output artifacts have new URIs.
  ml_metadata::PutExecutionRequest Next();

 private:
  KfpPutExecution() = default;

  int64_t execution_type_id_ = 0;
  int64_t output_type_id_ = 0;
  std::vector<ml_metadata::Artifact> inputs_;
  std::vector<ml_metadata::Context> contexts_;
  int64_t requests_ = 0;
};

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_KFP_PUT_EXECUTION_H_
