#include "tests/kfp_workload.h"

#include <grpcpp/grpcpp.h>

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace mlmdx::testing {
namespace {

namespace mlmd = ::ml_metadata;

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

#define KFP_CALL(Name, request, response)                      \
  [&]() {                                                      \
    grpc::ClientContext context;                               \
    return FromGrpc(stub_.Name(&context, request, &response)); \
  }()

}  // namespace

mlmd::Value StringValue(const std::string& s) {
  mlmd::Value value;
  value.set_string_value(s);
  return value;
}

mlmd::Value IntValue(int64_t n) {
  mlmd::Value value;
  value.set_int_value(n);
  return value;
}

mlmd::Value DoubleValue(double x) {
  mlmd::Value value;
  value.set_double_value(x);
  return value;
}

mlmd::Value StructValue(const std::map<std::string, double>& fields) {
  mlmd::Value value;
  value.mutable_struct_value();  // Set even when empty.
  for (const auto& [name, number] : fields) {
    (*value.mutable_struct_value()->mutable_fields())[name].set_number_value(
        number);
  }
  return value;
}

absl::Status KfpRecorder::EnsureTypes() {
  if (have_types_) return absl::OkStatus();
  auto context_type =
      [this](const std::string& name) -> absl::StatusOr<int64_t> {
    mlmd::PutContextTypeRequest request;
    request.mutable_context_type()->set_name(name);
    mlmd::PutContextTypeResponse response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutContextType, request, response));
    return response.type_id();
  };
  auto execution_type =
      [this](const std::string& name) -> absl::StatusOr<int64_t> {
    mlmd::PutExecutionTypeRequest request;
    request.mutable_execution_type()->set_name(name);
    mlmd::PutExecutionTypeResponse response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutExecutionType, request, response));
    return response.type_id();
  };
  auto artifact_type =
      [this](const std::string& name) -> absl::StatusOr<int64_t> {
    mlmd::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name(name);
    mlmd::PutArtifactTypeResponse response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutArtifactType, request, response));
    return response.type_id();
  };
  MLMDX_ASSIGN_OR_RETURN(pipeline_type_, context_type("system.Pipeline"));
  MLMDX_ASSIGN_OR_RETURN(run_type_, context_type("system.PipelineRun"));
  MLMDX_ASSIGN_OR_RETURN(dag_type_, execution_type("system.DAGExecution"));
  MLMDX_ASSIGN_OR_RETURN(container_type_,
                         execution_type("system.ContainerExecution"));
  MLMDX_ASSIGN_OR_RETURN(dataset_type_, artifact_type("system.Dataset"));
  MLMDX_ASSIGN_OR_RETURN(model_type_, artifact_type("system.Model"));
  MLMDX_ASSIGN_OR_RETURN(metrics_type_, artifact_type("system.Metrics"));
  MLMDX_ASSIGN_OR_RETURN(logs_type_, artifact_type("system.Artifact"));

  mlmd::GetContextByTypeAndNameRequest get;
  get.set_type_name("system.Pipeline");
  get.set_context_name(pipeline_);
  mlmd::GetContextByTypeAndNameResponse got;
  MLMDX_RETURN_IF_ERROR(KFP_CALL(GetContextByTypeAndName, get, got));
  if (got.has_context()) {
    pipeline_context_ = got.context().id();
  } else {
    mlmd::PutContextsRequest request;
    mlmd::Context* context = request.add_contexts();
    context->set_type_id(pipeline_type_);
    context->set_name(pipeline_);
    mlmd::PutContextsResponse response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutContexts, request, response));
    pipeline_context_ = response.context_ids(0);
  }
  have_types_ = true;
  return absl::OkStatus();
}

absl::StatusOr<KfpRun> KfpRecorder::RecordRun(const KfpRunOptions& options) {
  MLMDX_RETURN_IF_ERROR(EnsureTypes());
  KfpRun run;
  run.name = options.name;
  const std::string root = absl::StrCat("minio://mlpipeline/v2/artifacts/",
                                        pipeline_, "/", options.name);

  // Root DAG driver: the run context, its parent link, the DAG execution.
  mlmd::Context run_context;
  {
    mlmd::PutContextsRequest request;
    mlmd::Context* context = request.add_contexts();
    context->set_type_id(run_type_);
    context->set_name(options.name);
    (*context->mutable_custom_properties())["namespace"] =
        StringValue("kubeflow-user-example-com");
    (*context->mutable_custom_properties())["pipeline_root"] =
        StringValue(root);
    mlmd::PutContextsResponse response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutContexts, request, response));
    run.run_context_id = response.context_ids(0);
    run_context = *context;
    run_context.set_id(run.run_context_id);
    mlmd::PutParentContextsRequest parents;
    mlmd::ParentContext* link = parents.add_parent_contexts();
    link->set_child_id(run.run_context_id);
    link->set_parent_id(pipeline_context_);
    mlmd::PutParentContextsResponse linked;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutParentContexts, parents, linked));
  }
  // KFP sends the whole context messages (with id) in every PutExecution,
  // which rewrites them as they are.
  auto contexts = [&](mlmd::PutExecutionRequest& request) {
    mlmd::Context* pipeline = request.add_contexts();
    pipeline->set_id(pipeline_context_);
    pipeline->set_type_id(pipeline_type_);
    pipeline->set_name(pipeline_);
    *request.add_contexts() = run_context;
  };
  mlmd::Execution dag_record;
  {
    mlmd::PutExecutionRequest request;
    mlmd::Execution* dag = request.mutable_execution();
    dag->set_type_id(dag_type_);
    dag->set_name(absl::StrCat("run/", options.name));
    dag->set_last_known_state(mlmd::Execution::RUNNING);
    (*dag->mutable_custom_properties())["display_name"] = StringValue("");
    (*dag->mutable_custom_properties())["task_name"] = StringValue("");
    (*dag->mutable_custom_properties())["inputs"] =
        StructValue({{"n_rows", static_cast<double>(options.n_rows)},
                     {"learning_rate", options.learning_rate},
                     {"epochs", static_cast<double>(options.epochs)}});
    contexts(request);
    mlmd::PutExecutionResponse response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutExecution, request, response));
    run.dag_execution_id = response.execution_id();
    dag_record = *dag;
    dag_record.set_id(run.dag_execution_id);
  }

  // One task: the driver's PutExecution (with INPUT events), the
  // launcher's artifacts, and the publishing PutExecution (OUTPUT events).
  struct Output {
    std::string key;
    int64_t type_id;
    std::map<std::string, mlmd::Value> custom;
  };
  auto task = [&](const std::string& name, mlmd::Value inputs,
                  std::vector<std::pair<int64_t, std::string>> input_events,
                  std::vector<Output> outputs, mlmd::Value published,
                  std::vector<int64_t>* output_ids) -> absl::StatusOr<int64_t> {
    mlmd::PutExecutionRequest create;
    mlmd::Execution* e = create.mutable_execution();
    e->set_type_id(container_type_);
    e->set_last_known_state(mlmd::Execution::RUNNING);
    auto& props = *e->mutable_custom_properties();
    props["display_name"] = StringValue(name);
    props["task_name"] = StringValue(name);
    props["parent_dag_id"] = IntValue(run.dag_execution_id);
    props["image"] = StringValue(absl::StrCat("python:3.11-", name));
    props["inputs"] = std::move(inputs);
    for (const auto& [artifact_id, key] : input_events) {
      mlmd::Event* event = create.add_artifact_event_pairs()->mutable_event();
      event->set_artifact_id(artifact_id);
      event->set_type(mlmd::Event::INPUT);
      event->mutable_path()->add_steps()->set_key(key);
    }
    contexts(create);
    mlmd::PutExecutionResponse created;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutExecution, create, created));
    const int64_t id = created.execution_id();

    mlmd::PutArtifactsRequest put_artifacts;
    for (const Output& output : outputs) {
      mlmd::Artifact* a = put_artifacts.add_artifacts();
      a->set_type_id(output.type_id);
      a->set_uri(absl::StrCat(root, "/", name, "/", output.key));
      a->set_state(mlmd::Artifact::LIVE);
      (*a->mutable_custom_properties())["display_name"] =
          StringValue(output.key);
      for (const auto& [k, v] : output.custom) {
        (*a->mutable_custom_properties())[k] = v;
      }
    }
    mlmd::PutArtifactsResponse put;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutArtifacts, put_artifacts, put));

    mlmd::PutExecutionRequest publish;
    *publish.mutable_execution() = create.execution();
    publish.mutable_execution()->set_id(id);
    publish.mutable_execution()->set_last_known_state(
        mlmd::Execution::COMPLETE);
    (*publish.mutable_execution()->mutable_custom_properties())["outputs"] =
        std::move(published);
    for (size_t i = 0; i < outputs.size(); ++i) {
      mlmd::Event* event = publish.add_artifact_event_pairs()->mutable_event();
      event->set_artifact_id(put.artifact_ids(i));
      event->set_type(mlmd::Event::OUTPUT);
      event->mutable_path()->add_steps()->set_key(outputs[i].key);
      output_ids->push_back(put.artifact_ids(i));
    }
    contexts(publish);
    mlmd::PutExecutionResponse published_response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutExecution, publish, published_response));
    return id;
  };

  std::vector<int64_t> ids;
  if (options.cache_preprocess_from != nullptr) {
    // Cache hit: no launcher; the execution is CACHED and its OUTPUT event
    // names the dataset the earlier run produced.
    const KfpRun& earlier = *options.cache_preprocess_from;
    mlmd::PutExecutionRequest request;
    mlmd::Execution* e = request.mutable_execution();
    e->set_type_id(container_type_);
    e->set_last_known_state(mlmd::Execution::CACHED);
    auto& props = *e->mutable_custom_properties();
    props["display_name"] = StringValue("preprocess");
    props["task_name"] = StringValue("preprocess");
    props["parent_dag_id"] = IntValue(run.dag_execution_id);
    props["image"] = StringValue("python:3.11-preprocess");
    props["inputs"] =
        StructValue({{"n_rows", static_cast<double>(options.n_rows)}});
    props["outputs"] =
        StructValue({{"row_count", static_cast<double>(options.n_rows)}});
    props["cached_execution_id"] =
        StringValue(absl::StrCat(earlier.preprocess_id));
    mlmd::Event* event = request.add_artifact_event_pairs()->mutable_event();
    event->set_artifact_id(earlier.dataset_id);
    event->set_type(mlmd::Event::OUTPUT);
    event->mutable_path()->add_steps()->set_key("dataset");
    contexts(request);
    mlmd::PutExecutionResponse response;
    MLMDX_RETURN_IF_ERROR(KFP_CALL(PutExecution, request, response));
    run.preprocess_id = response.execution_id();
    run.dataset_id = earlier.dataset_id;
    run.dataset_uri = earlier.dataset_uri;
  } else {
    MLMDX_ASSIGN_OR_RETURN(
        run.preprocess_id,
        task("preprocess",
             StructValue({{"n_rows", static_cast<double>(options.n_rows)}}), {},
             {{"dataset", dataset_type_, {{"rows", IntValue(options.n_rows)}}},
              {"executor-logs", logs_type_, {}}},
             StructValue({{"row_count", static_cast<double>(options.n_rows)}}),
             &ids));
    run.dataset_id = ids[0];
    run.dataset_uri = absl::StrCat(root, "/preprocess/dataset");
  }
  ids.clear();
  MLMDX_ASSIGN_OR_RETURN(
      run.train_id,
      task("train",
           StructValue({{"row_count", static_cast<double>(options.n_rows)},
                        {"learning_rate", options.learning_rate},
                        {"epochs", static_cast<double>(options.epochs)}}),
           {{run.dataset_id, "dataset"}},
           {{"model", model_type_, {{"framework", StringValue("sklearn")}}},
            {"executor-logs", logs_type_, {}}},
           StructValue({}), &ids));
  run.model_id = ids[0];
  run.model_uri = absl::StrCat(root, "/train/model");
  ids.clear();
  MLMDX_ASSIGN_OR_RETURN(
      run.evaluate_id,
      task("evaluate", StructValue({}), {{run.model_id, "model"}},
           {{"metrics",
             metrics_type_,
             {{"accuracy", DoubleValue(options.accuracy)},
              {"loss", DoubleValue(1.0 - options.accuracy)}}},
            {"executor-logs", logs_type_, {}}},
           StructValue({}), &ids));
  run.metrics_id = ids[0];
  run.metrics_uri = absl::StrCat(root, "/evaluate/metrics");

  // The root DAG completes.
  mlmd::PutExecutionRequest done;
  *done.mutable_execution() = dag_record;
  done.mutable_execution()->set_last_known_state(mlmd::Execution::COMPLETE);
  mlmd::PutExecutionResponse done_response;
  MLMDX_RETURN_IF_ERROR(KFP_CALL(PutExecution, done, done_response));
  return run;
}

#undef KFP_CALL

}  // namespace mlmdx::testing
