#include "bench/kfp_put_execution.h"

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace mlmdx::bench {
namespace {

using ml_metadata::MetadataStoreService;

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> Rpc(MetadataStoreService::Stub& stub, Method method,
                             const Request& request) {
  grpc::ClientContext context;
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return response;
}

}  // namespace

absl::StatusOr<KfpPutExecution> KfpPutExecution::Prepare(
    MetadataStoreService::Stub& stub) {
  KfpPutExecution writes;
  ml_metadata::PutExecutionTypeRequest execution_type;
  execution_type.mutable_execution_type()->set_name(
      "system.ContainerExecution");
  MLMDX_ASSIGN_OR_RETURN(
      auto put_execution_type,
      (Rpc<ml_metadata::PutExecutionTypeRequest,
           ml_metadata::PutExecutionTypeResponse>(
          stub, &MetadataStoreService::Stub::PutExecutionType,
          execution_type)));
  writes.execution_type_id_ = put_execution_type.type_id();
  int64_t input_type_id = 0;
  for (auto [name, id] :
       {std::make_pair("system.Dataset", &input_type_id),
        std::make_pair("system.Model", &writes.output_type_id_)}) {
    ml_metadata::PutArtifactTypeRequest artifact_type;
    artifact_type.mutable_artifact_type()->set_name(name);
    MLMDX_ASSIGN_OR_RETURN(
        auto put_artifact_type,
        (Rpc<ml_metadata::PutArtifactTypeRequest,
             ml_metadata::PutArtifactTypeResponse>(
            stub, &MetadataStoreService::Stub::PutArtifactType,
            artifact_type)));
    *id = put_artifact_type.type_id();
  }

  // The inputs as the launcher passes them: read back whole.
  ml_metadata::PutArtifactsRequest inputs;
  for (int i = 0; i < 2; ++i) {
    ml_metadata::Artifact& input = *inputs.add_artifacts();
    input.set_type_id(input_type_id);
    input.set_uri(absl::StrCat("minio://mlpipeline/v2/artifacts/input/", i));
    input.set_state(ml_metadata::Artifact::LIVE);
    (*input.mutable_custom_properties())["display_name"].set_string_value(
        "dataset");
  }
  MLMDX_ASSIGN_OR_RETURN(
      auto input_ids,
      (Rpc<ml_metadata::PutArtifactsRequest, ml_metadata::PutArtifactsResponse>(
          stub, &MetadataStoreService::Stub::PutArtifacts, inputs)));
  ml_metadata::GetArtifactsByIDRequest read;
  *read.mutable_artifact_ids() = input_ids.artifact_ids();
  MLMDX_ASSIGN_OR_RETURN(
      auto read_back,
      (Rpc<ml_metadata::GetArtifactsByIDRequest,
           ml_metadata::GetArtifactsByIDResponse>(
          stub, &MetadataStoreService::Stub::GetArtifactsByID, read)));
  writes.inputs_.assign(read_back.artifacts().begin(),
                        read_back.artifacts().end());

  // The pipeline and run contexts (kfp_run.md A4, A9).
  ml_metadata::PutContextsRequest contexts;
  for (const char* type : {"system.Pipeline", "system.PipelineRun"}) {
    ml_metadata::PutContextTypeRequest context_type;
    context_type.mutable_context_type()->set_name(type);
    MLMDX_ASSIGN_OR_RETURN(
        auto put_context_type,
        (Rpc<ml_metadata::PutContextTypeRequest,
             ml_metadata::PutContextTypeResponse>(
            stub, &MetadataStoreService::Stub::PutContextType, context_type)));
    ml_metadata::Context& context = *contexts.add_contexts();
    context.set_type_id(put_context_type.type_id());
    context.set_name(absl::StrCat("kfp-put-execution-", type));
  }
  auto& run = *contexts.mutable_contexts(1)->mutable_custom_properties();
  run["namespace"].set_string_value("kubeflow-user-example-com");
  run["resource_name"].set_string_value("run-resource");
  run["pipeline_root"].set_string_value("minio://mlpipeline/v2/artifacts");
  MLMDX_ASSIGN_OR_RETURN(
      auto context_ids,
      (Rpc<ml_metadata::PutContextsRequest, ml_metadata::PutContextsResponse>(
          stub, &MetadataStoreService::Stub::PutContexts, contexts)));
  // Passed back as read (kfp_run.md B1: the launcher reads them whole,
  // output-only `type` included), so an unchanged context is not
  // rewritten.
  ml_metadata::GetContextsByIDRequest read_contexts;
  *read_contexts.mutable_context_ids() = context_ids.context_ids();
  MLMDX_ASSIGN_OR_RETURN(
      auto read_back_contexts,
      (Rpc<ml_metadata::GetContextsByIDRequest,
           ml_metadata::GetContextsByIDResponse>(
          stub, &MetadataStoreService::Stub::GetContextsByID, read_contexts)));
  if (read_back_contexts.contexts_size() != contexts.contexts_size()) {
    return absl::InternalError("the contexts just written did not read back");
  }
  writes.contexts_.assign(read_back_contexts.contexts().begin(),
                          read_back_contexts.contexts().end());
  return writes;
}

ml_metadata::PutExecutionRequest KfpPutExecution::Next() {
  const int64_t n = requests_++;
  ml_metadata::PutExecutionRequest request;
  ml_metadata::Execution& execution = *request.mutable_execution();
  execution.set_type_id(execution_type_id_);
  execution.set_last_known_state(ml_metadata::Execution::COMPLETE);
  auto& properties = *execution.mutable_custom_properties();
  properties["display_name"].set_string_value("train");
  properties["task_name"].set_string_value("train");
  properties["parent_dag_id"].set_int_value(1);
  properties["pod_name"].set_string_value(absl::StrCat("three-step-", n));
  properties["pod_uid"].set_string_value(absl::StrCat("uid-", n));
  properties["namespace"].set_string_value("kubeflow-user-example-com");
  properties["image"].set_string_value("python:3.11");
  properties["cache_fingerprint"].set_string_value(std::string(64, 'f'));
  for (const ml_metadata::Artifact& input : inputs_) {
    auto& pair = *request.add_artifact_event_pairs();
    *pair.mutable_artifact() = input;
    pair.mutable_event()->set_type(ml_metadata::Event::INPUT);
    pair.mutable_event()->mutable_path()->add_steps()->set_key("dataset");
  }
  for (const char* name : {"model", "executor-logs"}) {
    auto& pair = *request.add_artifact_event_pairs();
    ml_metadata::Artifact& output = *pair.mutable_artifact();
    output.set_type_id(output_type_id_);
    output.set_uri(
        absl::StrCat("minio://mlpipeline/v2/artifacts/train/", n, "/", name));
    output.set_state(ml_metadata::Artifact::LIVE);
    (*output.mutable_custom_properties())["display_name"].set_string_value(
        name);
    pair.mutable_event()->set_type(ml_metadata::Event::OUTPUT);
    pair.mutable_event()->mutable_path()->add_steps()->set_key(name);
  }
  for (const ml_metadata::Context& context : contexts_) {
    *request.add_contexts() = context;
  }
  return request;
}

}  // namespace mlmdx::bench
