// Replays the whole documented MLMD call sequence of a Kubeflow Pipelines v2
// run of the 3-task pipeline (/work/shared/workloads/kfp_run.md): the root
// DAG driver (A), every container driver (B, D, F) and launcher (C, E, G)
// with their repeated reads, two runs (the second skips A2-A5 and A8), the
// cache-hit variant, and the UI reads (H). Each pod is a helper that makes
// exactly the documented RPCs, and the per-pod RPC counts are checked
// against the document's totals.

#include <algorithm>
#include <map>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/kfp_workload.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

namespace mlmd = ::ml_metadata;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kPipeline[] = "three-step";
constexpr char kNamespace[] = "kubeflow-user-example-com";
constexpr char kRoot[] = "minio://mlpipeline/v2/artifacts";

// One call of the KFP client: counts RPCs per pod.
#define KFP_CALL(method, request, response) \
  (++calls_, MLMDX_CALL(*stub_, method, request, response))

// What a task publishes.
struct Output {
  std::string key;        // Output name, also the event path key.
  std::string type_name;  // Schema title, e.g. system.Dataset.
  std::map<std::string, double> metrics;  // Scalar metrics (double props).
};

// A pipeline run as KFP's driver sees it.
struct PipelineRun {
  std::string id;
  mlmd::Context pipeline;
  mlmd::Context run;
  int64_t root = 0;
};

class KfpFullRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
  }

  std::string PipelineRoot(const PipelineRun& run) const {
    return absl::StrCat(kRoot, "/", kPipeline, "/", run.id);
  }

  // ---- Single RPCs of metadata/client.go ---------------------------------

  mlmd::Context GetContextByTypeAndName(const std::string& type,
                                        const std::string& name) {
    mlmd::GetContextByTypeAndNameRequest request;
    request.set_type_name(type);
    request.set_context_name(name);
    mlmd::GetContextByTypeAndNameResponse response;
    EXPECT_THAT(KFP_CALL(GetContextByTypeAndName, request, response), IsOk());
    return response.context();
  }

  absl::StatusOr<int64_t> GetContextType(const std::string& name) {
    mlmd::GetContextTypeRequest request;
    request.set_type_name(name);
    mlmd::GetContextTypeResponse response;
    absl::Status status = KFP_CALL(GetContextType, request, response);
    if (!status.ok()) return status;
    EXPECT_EQ(response.context_type().name(), name);
    return response.context_type().id();
  }

  int64_t PutContextType(const std::string& name) {
    mlmd::PutContextTypeRequest request;
    request.mutable_context_type()->set_name(name);
    mlmd::PutContextTypeResponse response;
    EXPECT_THAT(KFP_CALL(PutContextType, request, response), IsOk());
    return response.type_id();
  }

  int64_t PutContext(const mlmd::Context& context) {
    mlmd::PutContextsRequest request;
    *request.add_contexts() = context;
    mlmd::PutContextsResponse response;
    EXPECT_THAT(KFP_CALL(PutContexts, request, response), IsOk());
    return response.context_ids_size() == 1 ? response.context_ids(0) : 0;
  }

  std::vector<mlmd::Context> GetParentContextsByContext(int64_t id) {
    mlmd::GetParentContextsByContextRequest request;
    request.set_context_id(id);
    mlmd::GetParentContextsByContextResponse response;
    EXPECT_THAT(KFP_CALL(GetParentContextsByContext, request, response),
                IsOk());
    return {response.contexts().begin(), response.contexts().end()};
  }

  int64_t PutExecutionType(const std::string& name) {
    mlmd::PutExecutionTypeRequest request;
    request.mutable_execution_type()->set_name(name);
    mlmd::PutExecutionTypeResponse response;
    EXPECT_THAT(KFP_CALL(PutExecutionType, request, response), IsOk());
    return response.type_id();
  }

  int64_t PutArtifactType(const std::string& name) {
    mlmd::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name(name);
    mlmd::PutArtifactTypeResponse response;
    EXPECT_THAT(KFP_CALL(PutArtifactType, request, response), IsOk());
    return response.type_id();
  }

  mlmd::PutExecutionResponse PutExecution(
      const mlmd::PutExecutionRequest& request) {
    mlmd::PutExecutionResponse response;
    EXPECT_THAT(KFP_CALL(PutExecution, request, response), IsOk());
    return response;
  }

  std::vector<mlmd::Execution> GetExecutionsByID(
      const std::vector<int64_t>& ids) {
    mlmd::GetExecutionsByIDRequest request;
    for (int64_t id : ids) request.add_execution_ids(id);
    mlmd::GetExecutionsByIDResponse response;
    EXPECT_THAT(KFP_CALL(GetExecutionsByID, request, response), IsOk());
    return {response.executions().begin(), response.executions().end()};
  }

  std::vector<mlmd::Artifact> GetArtifactsByID(
      const std::vector<int64_t>& ids) {
    mlmd::GetArtifactsByIDRequest request;
    for (int64_t id : ids) request.add_artifact_ids(id);
    mlmd::GetArtifactsByIDResponse response;
    EXPECT_THAT(KFP_CALL(GetArtifactsByID, request, response), IsOk());
    return {response.artifacts().begin(), response.artifacts().end()};
  }

  std::vector<mlmd::Context> GetContextsByExecution(int64_t id) {
    mlmd::GetContextsByExecutionRequest request;
    request.set_execution_id(id);
    mlmd::GetContextsByExecutionResponse response;
    EXPECT_THAT(KFP_CALL(GetContextsByExecution, request, response), IsOk());
    return {response.contexts().begin(), response.contexts().end()};
  }

  std::vector<mlmd::Event> GetEventsByExecutionIDs(
      const std::vector<int64_t>& ids) {
    mlmd::GetEventsByExecutionIDsRequest request;
    for (int64_t id : ids) request.add_execution_ids(id);
    mlmd::GetEventsByExecutionIDsResponse response;
    EXPECT_THAT(KFP_CALL(GetEventsByExecutionIDs, request, response), IsOk());
    return {response.events().begin(), response.events().end()};
  }

  std::vector<mlmd::Event> GetEventsByArtifactIDs(
      const std::vector<int64_t>& ids) {
    mlmd::GetEventsByArtifactIDsRequest request;
    for (int64_t id : ids) request.add_artifact_ids(id);
    mlmd::GetEventsByArtifactIDsResponse response;
    EXPECT_THAT(KFP_CALL(GetEventsByArtifactIDs, request, response), IsOk());
    return {response.events().begin(), response.events().end()};
  }

  // getDAGTasks: GetExecutionsByContext with the parent_dag_id filter,
  // following next_page_token from "" until it is empty (#10396).
  std::vector<mlmd::Execution> GetExecutionsInDAG(const PipelineRun& run) {
    std::vector<mlmd::Execution> tasks;
    std::string token;
    for (int page = 0; page < 100; ++page) {
      mlmd::GetExecutionsByContextRequest request;
      request.set_context_id(run.run.id());
      request.mutable_options()->set_filter_query(absl::StrCat(
          "custom_properties.parent_dag_id.int_value = ", run.root));
      request.mutable_options()->set_next_page_token(token);
      mlmd::GetExecutionsByContextResponse response;
      EXPECT_THAT(KFP_CALL(GetExecutionsByContext, request, response), IsOk());
      tasks.insert(tasks.end(), response.executions().begin(),
                   response.executions().end());
      token = response.next_page_token();
      if (token.empty()) return tasks;
    }
    ADD_FAILURE() << "GetExecutionsByContext paging did not end";
    return tasks;
  }

  // ---- Composite client calls ---------------------------------------------

  // GetPipeline in a container driver (B1-B3): both contexts by name, and
  // the run context must have exactly the pipeline context as parent.
  void GetPipeline(PipelineRun& run) {
    const mlmd::Context pipeline =
        GetContextByTypeAndName("system.Pipeline", kPipeline);
    const mlmd::Context run_context =
        GetContextByTypeAndName("system.PipelineRun", run.id);
    EXPECT_EQ(pipeline.id(), run.pipeline.id());
    EXPECT_EQ(run_context.id(), run.run.id());
    const std::vector<mlmd::Context> parents =
        GetParentContextsByContext(run_context.id());
    ASSERT_EQ(parents.size(), 1u);
    EXPECT_EQ(parents[0].id(), pipeline.id());
    run.pipeline = pipeline;
    run.run = run_context;
  }

  // GetPipelineFromExecution: the context types (a fresh pod has an empty
  // cache), then the execution's contexts, picked by type id.
  void GetPipelineFromExecution(const PipelineRun& run, int64_t execution_id) {
    const absl::StatusOr<int64_t> t_p = GetContextType("system.Pipeline");
    const absl::StatusOr<int64_t> t_r = GetContextType("system.PipelineRun");
    ASSERT_THAT(t_p.status(), IsOk());
    ASSERT_THAT(t_r.status(), IsOk());
    const std::vector<mlmd::Context> contexts =
        GetContextsByExecution(execution_id);
    ASSERT_EQ(contexts.size(), 2u);
    std::map<int64_t, int64_t> by_type;
    for (const mlmd::Context& context : contexts) {
      by_type[context.type_id()] = context.id();
    }
    EXPECT_EQ(by_type[*t_p], run.pipeline.id());
    EXPECT_EQ(by_type[*t_r], run.run.id());
  }

  // A1-A15. Returns the number of RPCs made.
  int RootDriver(PipelineRun& run, bool first_run) {
    calls_ = 0;
    run.pipeline = GetContextByTypeAndName("system.Pipeline", kPipeline);
    if (first_run) {
      EXPECT_EQ(run.pipeline.id(), 0);  // A1: OK and empty, not NOT_FOUND.
      EXPECT_THAT(GetContextType("system.Pipeline").status(),
                  StatusIs(absl::StatusCode::kNotFound));  // A2
      mlmd::Context pipeline;
      pipeline.set_name(kPipeline);
      pipeline.set_type_id(PutContextType("system.Pipeline"));  // A3
      const int64_t id = PutContext(pipeline);                  // A4
      run.pipeline =
          GetContextByTypeAndName("system.Pipeline", kPipeline);  // A5
      EXPECT_EQ(run.pipeline.id(), id);
    }
    EXPECT_NE(run.pipeline.id(), 0);
    EXPECT_EQ(run.pipeline.type(), "system.Pipeline");
    EXPECT_EQ(GetContextByTypeAndName("system.PipelineRun", run.id).id(),
              0);                                                        // A6
    absl::StatusOr<int64_t> t_r = GetContextType("system.PipelineRun");  // A7
    if (first_run) {
      EXPECT_THAT(t_r.status(), StatusIs(absl::StatusCode::kNotFound));
      t_r = PutContextType("system.PipelineRun");  // A8
    }
    EXPECT_THAT(t_r.status(), IsOk());
    mlmd::Context run_context;  // A9
    run_context.set_name(run.id);
    run_context.set_type_id(*t_r);
    auto& props = *run_context.mutable_custom_properties();
    props["namespace"] = StringValue(kNamespace);
    props["resource_name"] = StringValue("run-resource");
    props["pipeline_root"] = StringValue(PipelineRoot(run));
    props["store_session_info"] =
        StringValue(R"({"Provider":"minio","Params":{"region":"minio"}})");
    const int64_t run_id = PutContext(run_context);
    run.run = GetContextByTypeAndName("system.PipelineRun", run.id);  // A10
    EXPECT_EQ(run.run.id(), run_id);
    EXPECT_EQ(run.run.custom_properties().at("namespace").string_value(),
              kNamespace);
    EXPECT_THAT(GetParentContextsByContext(run.run.id()), IsEmpty());  // A11
    mlmd::PutParentContextsRequest link;                               // A12
    link.add_parent_contexts()->set_child_id(run.run.id());
    link.mutable_parent_contexts(0)->set_parent_id(run.pipeline.id());
    mlmd::PutParentContextsResponse link_response;
    EXPECT_THAT(KFP_CALL(PutParentContexts, link, link_response), IsOk());
    const int64_t t_dag = PutExecutionType("system.DAGExecution");  // A13
    mlmd::PutExecutionRequest request;                              // A14
    mlmd::Execution* root = request.mutable_execution();
    root->set_type_id(t_dag);
    root->set_name("run/" + run.id);
    root->set_last_known_state(mlmd::Execution::RUNNING);
    (*root->mutable_custom_properties())["display_name"] = StringValue("");
    (*root->mutable_custom_properties())["task_name"] = StringValue("");
    (*root->mutable_custom_properties())["inputs"] =
        StructValue({{"n_rows", 1000}});
    *request.add_contexts() = run.pipeline;
    *request.add_contexts() = run.run;
    const mlmd::PutExecutionResponse response = PutExecution(request);
    run.root = response.execution_id();
    EXPECT_THAT(response.context_ids(),
                ElementsAre(run.pipeline.id(), run.run.id()));
    const std::vector<mlmd::Execution> dag =
        GetExecutionsByID({run.root});  // A15
    EXPECT_EQ(dag.size(), 1u);
    if (!dag.empty()) {
      EXPECT_EQ(dag[0].name(), "run/" + run.id);
      EXPECT_EQ(dag[0].type(), "system.DAGExecution");
      EXPECT_EQ(dag[0].last_known_state(), mlmd::Execution::RUNNING);
      EXPECT_EQ(dag[0]
                    .custom_properties()
                    .at("inputs")
                    .struct_value()
                    .fields()
                    .at("n_rows")
                    .number_value(),
                1000);
    }
    return calls_;
  }

  // The creation request of a container task (B11 / D15 / F).
  mlmd::PutExecutionRequest TaskRequest(
      const PipelineRun& run, const std::string& task, int64_t t_c,
      const std::map<std::string, double>& inputs,
      const std::vector<std::pair<int64_t, std::string>>& input_artifacts) {
    mlmd::PutExecutionRequest request;
    mlmd::Execution* execution = request.mutable_execution();
    execution->set_type_id(t_c);
    execution->set_last_known_state(mlmd::Execution::RUNNING);
    auto& props = *execution->mutable_custom_properties();
    props["display_name"] = StringValue(task);
    props["task_name"] = StringValue(task);
    props["parent_dag_id"] = IntValue(run.root);
    props["pod_name"] = StringValue("");
    props["pod_uid"] = StringValue("");
    props["namespace"] = StringValue("");
    props["image"] = StringValue("");
    props["cache_fingerprint"] = StringValue("sha256-" + task);
    props["inputs"] = StructValue(inputs);
    for (const auto& [artifact_id, key] : input_artifacts) {
      mlmd::Event* event = request.add_artifact_event_pairs()->mutable_event();
      event->set_artifact_id(artifact_id);
      event->set_type(mlmd::Event::INPUT);
      event->mutable_path()->add_steps()->set_key(key);
    }
    *request.add_contexts() = run.pipeline;
    *request.add_contexts() = run.run;
    return request;
  }

  // B1-B9 (the start of every container driver).
  void DriverPrologue(PipelineRun& run) {
    GetPipeline(run);                         // B1-B3
    const std::vector<mlmd::Execution> dag =  //
        GetExecutionsByID({run.root});        // B4
    ASSERT_EQ(dag.size(), 1u);
    EXPECT_FALSE(dag[0].custom_properties().contains("total_dag_tasks"));
    GetPipelineFromExecution(run, run.root);                      // B5-B7
    EXPECT_THAT(GetEventsByExecutionIDs({run.root}), IsEmpty());  // B8
    EXPECT_THAT(GetArtifactsByID({}), IsEmpty());                 // B9
  }

  // The upstream task `task` of the DAG (D10/D11/F), read through the
  // parent_dag_id filter.
  mlmd::Execution FindTask(const PipelineRun& run, const std::string& task,
                           size_t expected_tasks) {
    const std::vector<mlmd::Execution> tasks = GetExecutionsInDAG(run);
    EXPECT_EQ(tasks.size(), expected_tasks);
    for (const mlmd::Execution& execution : tasks) {
      EXPECT_EQ(execution.custom_properties().at("parent_dag_id").int_value(),
                run.root);
      if (execution.custom_properties().at("task_name").string_value() ==
          task) {
        return execution;
      }
    }
    ADD_FAILURE() << "no task " << task << " in the DAG";
    return {};
  }

  // GetOutputArtifactsByExecutionId (D12/D13): OUTPUT events, then artifacts.
  std::map<std::string, mlmd::Artifact> OutputsOf(int64_t execution_id) {
    std::map<int64_t, std::string> keys;
    std::vector<int64_t> ids;
    for (const mlmd::Event& event : GetEventsByExecutionIDs({execution_id})) {
      EXPECT_EQ(event.execution_id(), execution_id);
      if (event.type() != mlmd::Event::OUTPUT) continue;
      EXPECT_EQ(event.path().steps_size(), 1);
      keys[event.artifact_id()] = event.path().steps(0).key();
      ids.push_back(event.artifact_id());
    }
    std::map<std::string, mlmd::Artifact> outputs;
    for (const mlmd::Artifact& artifact : GetArtifactsByID(ids)) {
      outputs[keys[artifact.id()]] = artifact;
    }
    EXPECT_EQ(outputs.size(), ids.size());
    return outputs;
  }

  // Container driver: B1-B12 for `preprocess` (no upstream), D1-D16 for
  // `train` and F for `evaluate`. Returns the new execution id; `rpcs` gets
  // the pod's RPC count.
  int64_t ContainerDriver(
      PipelineRun& run, const std::string& task,
      const std::vector<std::pair<std::string, std::string>>& upstream,
      const std::map<std::string, double>& parameters, size_t dag_tasks,
      int* rpcs, std::vector<int64_t>* input_ids = nullptr) {
    calls_ = 0;
    DriverPrologue(run);
    std::map<std::string, double> inputs = parameters;
    std::vector<std::pair<int64_t, std::string>> input_artifacts;
    // resolveInputs: parameters first (one lookup), then one lookup per
    // input artifact.
    for (const auto& [producer, key] : upstream) {
      if (key != "row_count") continue;
      const mlmd::Execution execution = FindTask(run, producer, dag_tasks);
      inputs[key] = execution.custom_properties()
                        .at("outputs")
                        .struct_value()
                        .fields()
                        .at(key)
                        .number_value();
    }
    for (const auto& [producer, key] : upstream) {
      if (key == "row_count") continue;
      const mlmd::Execution execution = FindTask(run, producer, dag_tasks);
      const auto outputs = OutputsOf(execution.id());
      EXPECT_TRUE(outputs.count("executor-logs"));
      EXPECT_TRUE(outputs.count(key)) << producer << " has no " << key;
      if (outputs.count(key)) {
        input_artifacts.emplace_back(outputs.at(key).id(), key);
        if (input_ids) input_ids->push_back(outputs.at(key).id());
      }
    }
    const int64_t t_c = PutExecutionType("system.ContainerExecution");
    const mlmd::PutExecutionResponse response =
        PutExecution(TaskRequest(run, task, t_c, inputs, input_artifacts));
    EXPECT_THAT(response.artifact_ids(),
                ::testing::SizeIs(input_artifacts.size()));
    const std::vector<mlmd::Execution> created =
        GetExecutionsByID({response.execution_id()});
    EXPECT_EQ(created.size(), 1u);
    if (!created.empty()) {
      EXPECT_EQ(created[0].last_known_state(), mlmd::Execution::RUNNING);
      EXPECT_FALSE(created[0].has_name());
    }
    *rpcs = calls_;
    return response.execution_id();
  }

  // Launcher (C1-C15 / E / G). Returns the output artifact ids by key.
  std::map<std::string, int64_t> Launcher(
      PipelineRun& run, int64_t execution_id, const std::string& task,
      const std::vector<Output>& outputs,
      const std::map<std::string, double>& output_parameters, int* rpcs) {
    calls_ = 0;
    std::vector<mlmd::Execution> executions =
        GetExecutionsByID({execution_id});  // C1
    EXPECT_EQ(executions.size(), 1u);
    if (executions.empty()) return {};
    GetPipelineFromExecution(run, execution_id);  // C2-C4
    // C5: read-modify-write of the whole execution, no contexts or events.
    mlmd::Execution execution = executions[0];
    auto& props = *execution.mutable_custom_properties();
    props["pod_name"] = StringValue("three-step-abc-" + task);
    props["pod_uid"] = StringValue("uid-" + task);
    props["namespace"] = StringValue(kNamespace);
    mlmd::PutExecutionRequest pre_publish;
    *pre_publish.mutable_execution() = execution;
    const mlmd::PutExecutionResponse pre = PutExecution(pre_publish);
    EXPECT_EQ(pre.execution_id(), execution_id);
    EXPECT_THAT(pre.artifact_ids(), IsEmpty());
    EXPECT_THAT(pre.context_ids(), IsEmpty());

    // Each output: PutArtifactType, PutArtifacts, GetArtifactsByID.
    mlmd::PutExecutionRequest publish;  // C12
    std::map<std::string, int64_t> ids;
    std::vector<Output> all = outputs;
    all.push_back({"executor-logs", "system.Artifact", {}});
    for (const Output& output : all) {
      mlmd::PutArtifactsRequest request;
      mlmd::Artifact* artifact = request.add_artifacts();
      artifact->set_type_id(PutArtifactType(output.type_name));
      artifact->set_uri(absl::StrCat(PipelineRoot(run), "/", task, "/uuid-",
                                     task, "/", output.key));
      artifact->set_state(mlmd::Artifact::LIVE);
      auto& artifact_props = *artifact->mutable_custom_properties();
      artifact_props["display_name"] = StringValue(output.key);
      artifact_props["store_session_info"] =
          StringValue(R"({"Provider":"minio"})");
      for (const auto& [name, number] : output.metrics) {
        artifact_props[name].set_double_value(number);
      }
      mlmd::PutArtifactsResponse response;
      EXPECT_THAT(KFP_CALL(PutArtifacts, request, response), IsOk());
      if (response.artifact_ids_size() != 1) continue;
      const int64_t id = response.artifact_ids(0);
      const std::vector<mlmd::Artifact> read = GetArtifactsByID({id});
      EXPECT_EQ(read.size(), 1u);
      if (!read.empty()) {
        EXPECT_EQ(read[0].uri(), artifact->uri());
        EXPECT_EQ(read[0].type(), output.type_name);
        EXPECT_EQ(read[0].state(), mlmd::Artifact::LIVE);
        EXPECT_FALSE(read[0].has_name());
      }
      ids[output.key] = id;
      mlmd::Event* event = publish.add_artifact_event_pairs()->mutable_event();
      event->set_artifact_id(id);
      event->set_type(mlmd::Event::OUTPUT);
      event->mutable_path()->add_steps()->set_key(output.key);
    }
    execution.set_last_known_state(mlmd::Execution::COMPLETE);
    props["outputs"] = StructValue(output_parameters);
    *publish.mutable_execution() = execution;
    *publish.add_contexts() = run.pipeline;
    *publish.add_contexts() = run.run;
    const mlmd::PutExecutionResponse published = PutExecution(publish);
    EXPECT_EQ(published.execution_id(), execution_id);
    EXPECT_EQ(published.artifact_ids_size(), static_cast<int>(all.size()));
    EXPECT_THAT(published.context_ids(),
                ElementsAre(run.pipeline.id(), run.run.id()));
    // C13-C15: UpdateDAGExecutionsState; a no-op for the root DAG.
    const std::vector<mlmd::Execution> dag = GetExecutionsByID(
        {execution.custom_properties().at("parent_dag_id").int_value()});
    EXPECT_EQ(dag.size(), 1u);
    if (!dag.empty()) EXPECT_EQ(dag[0].id(), run.root);
    EXPECT_THAT(IdsOf(GetContextsByExecution(run.root)),
                ElementsAre(run.pipeline.id(), run.run.id()));
    EXPECT_THAT(IdsOf(GetContextsByExecution(execution_id)),
                ElementsAre(run.pipeline.id(), run.run.id()));
    *rpcs = calls_;
    return ids;
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
  int calls_ = 0;
};

TEST_F(KfpFullRunTest, TwoRunsOfThreeStepPipeline) {
  // ---- PipelineRun 1 on a fresh database: all cache misses. ----
  PipelineRun run1{"3f0c-run-1"};
  EXPECT_EQ(RootDriver(run1, /*first_run=*/true), 15);
  // IDs of a fresh DB as documented.
  EXPECT_EQ(run1.pipeline.id(), 1);
  EXPECT_EQ(run1.run.id(), 2);
  EXPECT_EQ(run1.root, 1);

  // A retried root driver: the duplicate named DAG execution is
  // ALREADY_EXISTS and KFP reads it back by type and name.
  {
    mlmd::GetExecutionsByIDRequest get;
    get.add_execution_ids(run1.root);
    mlmd::GetExecutionsByIDResponse got;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByID, get, got), IsOk());
    mlmd::PutExecutionRequest retry;
    retry.mutable_execution()->set_type_id(got.executions(0).type_id());
    retry.mutable_execution()->set_name("run/" + run1.id);
    retry.mutable_execution()->set_last_known_state(mlmd::Execution::RUNNING);
    *retry.add_contexts() = run1.pipeline;
    *retry.add_contexts() = run1.run;
    mlmd::PutExecutionResponse duplicate;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutExecution, retry, duplicate),
                StatusIs(absl::StatusCode::kAlreadyExists));
    mlmd::GetExecutionByTypeAndNameRequest by_name;
    by_name.set_type_name("system.DAGExecution");
    by_name.set_execution_name("run/" + run1.id);
    mlmd::GetExecutionByTypeAndNameResponse found;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionByTypeAndName, by_name, found),
                IsOk());
    EXPECT_EQ(found.execution().id(), run1.root);
    // A racing PutParentContexts is ALREADY_EXISTS (tolerated by KFP).
    mlmd::PutParentContextsRequest link;
    link.add_parent_contexts()->set_child_id(run1.run.id());
    link.mutable_parent_contexts(0)->set_parent_id(run1.pipeline.id());
    mlmd::PutParentContextsResponse link_response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutParentContexts, link, link_response),
                StatusIs(absl::StatusCode::kAlreadyExists));
  }

  int rpcs = 0;
  const int64_t preprocess =
      ContainerDriver(run1, "preprocess", {}, {{"n_rows", 1000}}, 0, &rpcs);
  EXPECT_EQ(rpcs, 12);
  EXPECT_EQ(preprocess, 2);
  const auto preprocess_out = Launcher(run1, preprocess, "preprocess",
                                       {{"dataset", "system.Dataset", {}}},
                                       {{"row_count", 1000}}, &rpcs);
  EXPECT_EQ(rpcs, 15);
  EXPECT_EQ(preprocess_out.at("dataset"), 1);
  EXPECT_EQ(preprocess_out.at("executor-logs"), 2);

  std::vector<int64_t> train_inputs;
  const int64_t train = ContainerDriver(
      run1, "train", {{"preprocess", "row_count"}, {"preprocess", "dataset"}},
      {}, 1, &rpcs, &train_inputs);
  EXPECT_EQ(rpcs, 16);
  EXPECT_EQ(train, 3);
  EXPECT_THAT(train_inputs, ElementsAre(preprocess_out.at("dataset")));
  const auto train_out = Launcher(run1, train, "train",
                                  {{"model", "system.Model", {}}}, {}, &rpcs);
  EXPECT_EQ(rpcs, 15);
  EXPECT_EQ(train_out.at("model"), 3);
  EXPECT_EQ(train_out.at("executor-logs"), 4);

  std::vector<int64_t> evaluate_inputs;
  const int64_t evaluate = ContainerDriver(
      run1, "evaluate", {{"train", "model"}}, {}, 2, &rpcs, &evaluate_inputs);
  EXPECT_EQ(rpcs, 15);
  EXPECT_EQ(evaluate, 4);
  EXPECT_THAT(evaluate_inputs, ElementsAre(train_out.at("model")));
  const auto evaluate_out = Launcher(
      run1, evaluate, "evaluate",
      {{"metrics", "system.Metrics", {{"accuracy", 0.93}}}}, {}, &rpcs);
  EXPECT_EQ(rpcs, 15);
  EXPECT_EQ(evaluate_out.at("metrics"), 5);
  EXPECT_EQ(evaluate_out.at("executor-logs"), 6);

  // The train task's state and properties after the whole sequence.
  {
    calls_ = 0;
    const std::vector<mlmd::Execution> done = GetExecutionsByID({train});
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].last_known_state(), mlmd::Execution::COMPLETE);
    EXPECT_EQ(done[0].custom_properties().at("pod_name").string_value(),
              "three-step-abc-train");
    EXPECT_EQ(done[0].custom_properties().at("namespace").string_value(),
              kNamespace);
    EXPECT_EQ(done[0]
                  .custom_properties()
                  .at("inputs")
                  .struct_value()
                  .fields()
                  .at("row_count")
                  .number_value(),
              1000);
    EXPECT_GE(done[0].last_update_time_since_epoch(),
              done[0].create_time_since_epoch());
  }

  // ---- PipelineRun 2: pipeline context exists; preprocess is a cache hit.
  // ----
  PipelineRun run2{"3f0c-run-2"};
  // A1, A6, A7, A9-A15. kfp_run.md says "12 calls", but its own list
  // (15 minus A2-A5 and A8) makes 10.
  EXPECT_EQ(RootDriver(run2, /*first_run=*/false), 10);
  EXPECT_EQ(run2.pipeline.id(), run1.pipeline.id());
  EXPECT_NE(run2.run.id(), run1.run.id());

  // Cache-hit variant of B: after B12, the cached execution (run 1's
  // preprocess) is read and its outputs are republished as CACHED.
  const int64_t preprocess2 =
      ContainerDriver(run2, "preprocess", {}, {{"n_rows", 1000}}, 0, &rpcs);
  EXPECT_EQ(rpcs, 12);
  {
    calls_ = 0;
    const std::vector<mlmd::Execution> cached = GetExecutionsByID({preprocess});
    ASSERT_EQ(cached.size(), 1u);
    EXPECT_THAT(IdsOf(GetContextsByExecution(preprocess)),
                ElementsAre(run1.pipeline.id(), run1.run.id()));
    const auto old_outputs = OutputsOf(preprocess);  // 2 RPCs
    ASSERT_EQ(old_outputs.size(), 2u);
    mlmd::PutExecutionRequest hit;
    const std::vector<mlmd::Execution> current =
        GetExecutionsByID({preprocess2});
    ASSERT_EQ(current.size(), 1u);
    *hit.mutable_execution() = current[0];
    hit.mutable_execution()->set_last_known_state(mlmd::Execution::CACHED);
    auto& props = *hit.mutable_execution()->mutable_custom_properties();
    props["cached_execution_id"] = StringValue(absl::StrCat(preprocess));
    props["outputs"] = cached[0].custom_properties().at("outputs");
    for (const auto& [key, artifact] : old_outputs) {
      mlmd::Event* event = hit.add_artifact_event_pairs()->mutable_event();
      event->set_artifact_id(artifact.id());
      event->set_type(mlmd::Event::OUTPUT);
      event->mutable_path()->add_steps()->set_key(key);
    }
    *hit.add_contexts() = run2.pipeline;
    *hit.add_contexts() = run2.run;
    const mlmd::PutExecutionResponse response = PutExecution(hit);
    EXPECT_EQ(response.execution_id(), preprocess2);
    EXPECT_THAT(response.artifact_ids(),
                UnorderedElementsAre(preprocess_out.at("dataset"),
                                     preprocess_out.at("executor-logs")));
  }
  // No launcher on a cache hit; train and evaluate run normally and read
  // the cached task's outputs (run 1's dataset) through run 2's DAG.
  std::vector<int64_t> train2_inputs;
  const int64_t train2 = ContainerDriver(
      run2, "train", {{"preprocess", "row_count"}, {"preprocess", "dataset"}},
      {}, 1, &rpcs, &train2_inputs);
  EXPECT_EQ(rpcs, 16);
  EXPECT_THAT(train2_inputs, ElementsAre(preprocess_out.at("dataset")));
  const auto train2_out = Launcher(run2, train2, "train",
                                   {{"model", "system.Model", {}}}, {}, &rpcs);
  const int64_t evaluate2 =
      ContainerDriver(run2, "evaluate", {{"train", "model"}}, {}, 2, &rpcs);
  EXPECT_EQ(rpcs, 15);
  const auto evaluate2_out = Launcher(
      run2, evaluate2, "evaluate",
      {{"metrics", "system.Metrics", {{"accuracy", 0.95}}}}, {}, &rpcs);
  EXPECT_EQ(rpcs, 15);

  // ---- H. UI reads. ----
  // RunDetailsV2: the four calls, for run 1.
  {
    const mlmd::Context context =
        GetContextByTypeAndName("system.PipelineRun", run1.id);
    EXPECT_EQ(context.id(), run1.run.id());
    mlmd::GetExecutionsByContextRequest executions_request;
    executions_request.set_context_id(context.id());
    mlmd::GetExecutionsByContextResponse executions;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, executions_request,
                           executions),
                IsOk());
    EXPECT_THAT(IdsOf(executions.executions()),
                ElementsAre(run1.root, preprocess, train, evaluate));
    EXPECT_FALSE(executions.has_next_page_token());
    for (const auto& execution : executions.executions()) {
      EXPECT_EQ(execution.last_known_state(), execution.id() == run1.root
                                                  ? mlmd::Execution::RUNNING
                                                  : mlmd::Execution::COMPLETE);
    }
    mlmd::GetArtifactsByContextRequest artifacts_request;
    artifacts_request.set_context_id(context.id());
    mlmd::GetArtifactsByContextResponse artifacts;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_request, artifacts),
        IsOk());
    EXPECT_THAT(IdsOf(artifacts.artifacts()), ElementsAre(1, 2, 3, 4, 5, 6));
    const mlmd::Artifact& metrics = artifacts.artifacts(4);
    EXPECT_EQ(metrics.type(), "system.Metrics");
    EXPECT_DOUBLE_EQ(metrics.custom_properties().at("accuracy").double_value(),
                     0.93);
    const std::vector<mlmd::Event> events =
        GetEventsByExecutionIDs(IdsOf(executions.executions()));
    std::vector<std::tuple<int64_t, int64_t, int, std::string>> seen;
    for (const mlmd::Event& event : events) {
      EXPECT_GT(event.milliseconds_since_epoch(), 0);
      seen.emplace_back(event.execution_id(), event.artifact_id(), event.type(),
                        event.path().steps(0).key());
    }
    EXPECT_THAT(
        seen,
        UnorderedElementsAre(
            std::tuple(preprocess, 1, mlmd::Event::OUTPUT, "dataset"),
            std::tuple(preprocess, 2, mlmd::Event::OUTPUT, "executor-logs"),
            std::tuple(train, 1, mlmd::Event::INPUT, "dataset"),
            std::tuple(train, 3, mlmd::Event::OUTPUT, "model"),
            std::tuple(train, 4, mlmd::Event::OUTPUT, "executor-logs"),
            std::tuple(evaluate, 3, mlmd::Event::INPUT, "model"),
            std::tuple(evaluate, 5, mlmd::Event::OUTPUT, "metrics"),
            std::tuple(evaluate, 6, mlmd::Event::OUTPUT, "executor-logs")));
  }
  // RunDetailsV2 for run 2: the cached preprocess lists run 1's artifacts.
  {
    mlmd::GetExecutionsByContextRequest executions_request;
    executions_request.set_context_id(run2.run.id());
    mlmd::GetExecutionsByContextResponse executions;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, executions_request,
                           executions),
                IsOk());
    EXPECT_THAT(IdsOf(executions.executions()),
                ElementsAre(run2.root, preprocess2, train2, evaluate2));
    EXPECT_EQ(executions.executions(1).last_known_state(),
              mlmd::Execution::CACHED);
    mlmd::GetArtifactsByContextRequest artifacts_request;
    artifacts_request.set_context_id(run2.run.id());
    mlmd::GetArtifactsByContextResponse artifacts;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_request, artifacts),
        IsOk());
    EXPECT_THAT(
        IdsOf(artifacts.artifacts()),
        ElementsAre(1, 2, train2_out.at("model"),
                    train2_out.at("executor-logs"), evaluate2_out.at("metrics"),
                    evaluate2_out.at("executor-logs")));
    // The dataset is now attributed to both runs (artifact download check).
    mlmd::GetArtifactsByURIRequest by_uri;
    by_uri.add_uris(artifacts.artifacts(0).uri());
    mlmd::GetArtifactsByURIResponse found;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, by_uri, found), IsOk());
    EXPECT_THAT(IdsOf(found.artifacts()), ElementsAre(1));
    mlmd::GetContextsByArtifactRequest contexts_request;
    contexts_request.set_artifact_id(1);
    mlmd::GetContextsByArtifactResponse contexts;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetContextsByArtifact, contexts_request, contexts),
        IsOk());
    EXPECT_THAT(IdsOf(contexts.contexts()),
                ElementsAre(run1.pipeline.id(), run1.run.id(), run2.run.id()));
    EXPECT_EQ(
        contexts.contexts(1).custom_properties().at("namespace").string_value(),
        kNamespace);
  }
  // Lineage Explorer, one hop from run 1's model.
  {
    const int64_t model = train_out.at("model");
    const std::vector<mlmd::Event> hop = GetEventsByArtifactIDs({model});
    mlmd::GetExecutionTypesRequest execution_types_request;
    mlmd::GetExecutionTypesResponse execution_types;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionTypes, execution_types_request,
                           execution_types),
                IsOk());
    EXPECT_EQ(execution_types.execution_types_size(), 2);
    mlmd::GetArtifactTypesRequest artifact_types_request;
    mlmd::GetArtifactTypesResponse artifact_types;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactTypes, artifact_types_request,
                           artifact_types),
                IsOk());
    EXPECT_EQ(artifact_types.artifact_types_size(), 4);
    std::vector<int64_t> producers, consumers;
    for (const mlmd::Event& event : hop) {
      (event.type() == mlmd::Event::OUTPUT ? producers : consumers)
          .push_back(event.execution_id());
    }
    EXPECT_THAT(producers, ElementsAre(train));
    EXPECT_THAT(consumers, ElementsAre(evaluate));
    EXPECT_THAT(IdsOf(GetExecutionsByID(producers)), ElementsAre(train));
    EXPECT_THAT(IdsOf(GetExecutionsByID(consumers)), ElementsAre(evaluate));
    std::vector<int64_t> producer_inputs, consumer_outputs;
    for (const mlmd::Event& event : GetEventsByExecutionIDs(producers)) {
      if (event.type() == mlmd::Event::INPUT) {
        producer_inputs.push_back(event.artifact_id());
      }
    }
    for (const mlmd::Event& event : GetEventsByExecutionIDs(consumers)) {
      if (event.type() == mlmd::Event::OUTPUT) {
        consumer_outputs.push_back(event.artifact_id());
      }
    }
    EXPECT_THAT(IdsOf(GetArtifactsByID(producer_inputs)), ElementsAre(1));
    EXPECT_THAT(IdsOf(GetArtifactsByID(consumer_outputs)),
                UnorderedElementsAre(5, 6));
  }
  // ExecutionDetails: the run context through GetContextType + contexts.
  {
    const absl::StatusOr<int64_t> t_r = GetContextType("system.PipelineRun");
    ASSERT_THAT(t_r.status(), IsOk());
    int64_t run_context = 0;
    for (const mlmd::Context& context : GetContextsByExecution(evaluate2)) {
      if (context.type_id() == *t_r) run_context = context.id();
    }
    EXPECT_EQ(run_context, run2.run.id());
  }
  // Error contract leftovers: unknown context type is NOT_FOUND; an unknown
  // run name is OK and empty.
  EXPECT_THAT(GetContextType("pipeline_run").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(GetContextByTypeAndName("system.PipelineRun", "nope").id(), 0);
}

// A wide fan-out: getDAGTasks follows next_page_token with the default page
// size and collects every task of the DAG exactly once, and none of another
// DAG in the same run context.
TEST_F(KfpFullRunTest, WideDagTasksArePagedWithTheDefaultPageSize) {
  PipelineRun run{"fan-out"};
  RootDriver(run, /*first_run=*/true);
  const int64_t t_c =
      PutExecutionTypeOrDie(*stub_, "system.ContainerExecution");
  std::vector<int64_t> tasks;
  for (int i = 0; i < 45; ++i) {
    mlmd::PutExecutionRequest request =
        TaskRequest(run, absl::StrCat("task-", i), t_c, {{"i", double(i)}}, {});
    if (i % 5 == 4) {  // Tasks of some other (sub-)DAG.
      (*request.mutable_execution()
            ->mutable_custom_properties())["parent_dag_id"] =
          IntValue(run.root + 1000);
    }
    const int64_t id = PutExecution(request).execution_id();
    if (i % 5 != 4) tasks.push_back(id);
  }
  calls_ = 0;
  std::vector<int64_t> found = IdsOf(GetExecutionsInDAG(run));
  EXPECT_EQ(found, tasks);
  // listing.md §1: options without max_result_size page by 20 (the proto
  // default), so 36 tasks take two calls.
  EXPECT_EQ(calls_, 2);
}

// The root DAG driver's first four calls race between two runs started at
// once: the loser of PutContextType / PutContexts gets ALREADY_EXISTS and
// re-reads (kfp_run.md A3/A4).
TEST_F(KfpFullRunTest, RacingRootDriversGetAlreadyExists) {
  mlmd::PutContextTypeRequest type;
  type.mutable_context_type()->set_name("system.Pipeline");
  mlmd::PutContextTypeResponse type_response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContextType, type, type_response), IsOk());
  // Same name, no properties: the second PutContextType is idempotent.
  mlmd::PutContextTypeResponse again;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContextType, type, again), IsOk());
  EXPECT_EQ(again.type_id(), type_response.type_id());
  mlmd::PutContextsRequest context;
  context.add_contexts()->set_type_id(type_response.type_id());
  context.mutable_contexts(0)->set_name(kPipeline);
  mlmd::PutContextsResponse context_response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, context, context_response),
              IsOk());
  EXPECT_THAT(MLMDX_CALL(*stub_, PutContexts, context, context_response),
              StatusIs(absl::StatusCode::kAlreadyExists));
  calls_ = 0;
  EXPECT_NE(GetContextByTypeAndName("system.Pipeline", kPipeline).id(), 0);
}

}  // namespace
}  // namespace mlmdx::testing
