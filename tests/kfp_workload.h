// File: tests/kfp_workload.h
// -----------------------------------------------------------------------------
//
// Records runs of Kubeflow Pipelines' 3-task pipeline (preprocess → train →
// evaluate, /work/shared/workloads/kfp_run.md) through a real server, with
// the records KFP v2 writes: system.Pipeline and system.PipelineRun
// contexts, a system.DAGExecution root, system.ContainerExecution tasks
// with `inputs`/`outputs` structs, system.Dataset / Model / Metrics
// artifacts plus executor logs, and, for a cache hit, a CACHED execution
// with `cached_execution_id` whose OUTPUT event points at the artifact the
// earlier run produced. The CLI suites audit and compare such runs.
//
// Example:
//
//   KfpRecorder kfp(*stub);
//   KfpRun first = kfp.RecordRun({.name = "run-a", .n_rows = 1000});
//   KfpRun second = kfp.RecordRun({.name = "run-b", .n_rows = 1000,
//                                  .cache_preprocess_from = &first});

#ifndef MLMDX_TESTS_KFP_WORKLOAD_H_
#define MLMDX_TESTS_KFP_WORKLOAD_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"

namespace mlmdx::testing {

// MLMD values as KFP writes them: V(s), I(n), D(x) and S{...} (a struct
// of numbers, set even when empty) of workloads/kfp_run.md.
ml_metadata::Value StringValue(const std::string& s);
ml_metadata::Value IntValue(int64_t n);
ml_metadata::Value DoubleValue(double x);
ml_metadata::Value StructValue(const std::map<std::string, double>& fields);

// What one run left in the database.
struct KfpRun {
  std::string name;
  int64_t run_context_id = 0;
  int64_t dag_execution_id = 0;
  int64_t preprocess_id = 0;
  int64_t train_id = 0;
  int64_t evaluate_id = 0;
  int64_t dataset_id = 0;
  int64_t model_id = 0;
  int64_t metrics_id = 0;
  std::string dataset_uri;
  std::string model_uri;
  std::string metrics_uri;
};

struct KfpRunOptions {
  std::string name;
  int64_t n_rows = 1000;
  double learning_rate = 0.01;
  int64_t epochs = 10;
  double accuracy = 0.9;
  // Preprocess is a cache hit of this earlier run's preprocess: CACHED,
  // reusing its dataset.
  const KfpRun* cache_preprocess_from = nullptr;
};

class KfpRecorder {
 public:
  // `stub` must outlive the recorder.
  explicit KfpRecorder(ml_metadata::MetadataStoreService::Stub& stub,
                       std::string pipeline = "three-step")
      : stub_(stub), pipeline_(std::move(pipeline)) {}

  // Records one run (in the order KFP's pods would) and returns its ids.
  absl::StatusOr<KfpRun> RecordRun(const KfpRunOptions& options);

 private:
  absl::Status EnsureTypes();

  ml_metadata::MetadataStoreService::Stub& stub_;
  const std::string pipeline_;
  bool have_types_ = false;
  int64_t pipeline_type_ = 0, run_type_ = 0, dag_type_ = 0, container_type_ = 0;
  int64_t dataset_type_ = 0, model_type_ = 0, metrics_type_ = 0, logs_type_ = 0;
  int64_t pipeline_context_ = 0;
};

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_KFP_WORKLOAD_H_
