// Replays the MLMD calls of a Kubeflow Pipelines v2 run
// (/work/shared/workloads/kfp_run.md) and checks the answers KFP relies on.

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace mlmd = ::ml_metadata;

class KfpRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
  }

  // GetContextByTypeAndName; id 0 when the response has no context.
  mlmd::Context ContextByName(const std::string& type,
                              const std::string& name) {
    mlmd::GetContextByTypeAndNameRequest request;
    request.set_type_name(type);
    request.set_context_name(name);
    mlmd::GetContextByTypeAndNameResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetContextByTypeAndName, request, response),
                IsOk());
    return response.context();
  }

  absl::Status GetContextType(const std::string& name, int64_t* id) {
    mlmd::GetContextTypeRequest request;
    request.set_type_name(name);
    mlmd::GetContextTypeResponse response;
    absl::Status status = MLMDX_CALL(*stub_, GetContextType, request, response);
    *id = response.context_type().id();
    return status;
  }

  // A1-A13 (root driver up to the DAG execution type); returns the contexts.
  std::pair<mlmd::Context, mlmd::Context> RootContexts(const std::string& run,
                                                       bool first_run) {
    mlmd::Context pipeline = ContextByName("system.Pipeline", "three-step");
    int64_t type_id = 0;
    if (first_run) {
      EXPECT_EQ(pipeline.id(), 0);  // A1: OK and empty.
      EXPECT_THAT(GetContextType("system.Pipeline", &type_id),
                  StatusIs(absl::StatusCode::kNotFound));  // A2
      const int64_t t_p = PutContextTypeOrDie(*stub_, "system.Pipeline");
      mlmd::PutContextsRequest request;  // A4
      request.add_contexts()->set_type_id(t_p);
      request.mutable_contexts(0)->set_name("three-step");
      mlmd::PutContextsResponse response;
      EXPECT_THAT(MLMDX_CALL(*stub_, PutContexts, request, response), IsOk());
      pipeline = ContextByName("system.Pipeline", "three-step");  // A5
      EXPECT_EQ(pipeline.id(), response.context_ids(0));
    } else {
      EXPECT_NE(pipeline.id(), 0);
    }
    EXPECT_EQ(ContextByName("system.PipelineRun", run).id(), 0);  // A6
    int64_t t_r = 0;
    const absl::Status a7 = GetContextType("system.PipelineRun", &t_r);
    if (first_run) {
      EXPECT_THAT(a7, StatusIs(absl::StatusCode::kNotFound));
      t_r = PutContextTypeOrDie(*stub_, "system.PipelineRun");  // A8
    } else {
      EXPECT_THAT(a7, IsOk());
    }
    mlmd::PutContextsRequest request = ParseTextProto<
        mlmd::PutContextsRequest>(absl::Substitute(
        "contexts { name: '$0' type_id: $1 custom_properties { key: "
        "'namespace' value { string_value: 'ns' } } custom_properties { key: "
        "'pipeline_root' value { string_value: 'minio://r/$0' } } }",
        run, t_r));
    mlmd::PutContextsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutContexts, request, response), IsOk());
    const mlmd::Context run_context =
        ContextByName("system.PipelineRun", run);  // A10
    EXPECT_EQ(run_context.id(), response.context_ids(0));
    EXPECT_THAT(Parents(run_context.id()), IsEmpty());  // A11
    mlmd::PutParentContextsRequest link;
    link.add_parent_contexts()->set_child_id(run_context.id());
    link.mutable_parent_contexts(0)->set_parent_id(pipeline.id());
    mlmd::PutParentContextsResponse link_response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutParentContexts, link, link_response),
                IsOk());  // A12
    EXPECT_THAT(MLMDX_CALL(*stub_, PutParentContexts, link, link_response),
                StatusIs(absl::StatusCode::kAlreadyExists));
    return {pipeline, run_context};
  }

  std::vector<int64_t> Parents(int64_t id) {
    mlmd::GetParentContextsByContextRequest request;
    request.set_context_id(id);
    mlmd::GetParentContextsByContextResponse response;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetParentContextsByContext, request, response),
        IsOk());
    return IdsOf(response.contexts());
  }

  mlmd::PutExecutionResponse PutExecutionOrDie(
      const mlmd::PutExecutionRequest& request) {
    mlmd::PutExecutionResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutExecution, request, response), IsOk());
    return response;
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(KfpRunTest, TwoRunsOfThreeStepPipelineWithCacheHit) {
  for (int run_number = 0; run_number < 2; ++run_number) {
    const std::string run = absl::StrCat("run-", run_number);
    const auto [pipeline, run_context] = RootContexts(run, run_number == 0);
    const int64_t t_dag = PutExecutionTypeOrDie(*stub_, "system.DAGExecution");
    EXPECT_EQ(PutExecutionTypeOrDie(*stub_, "system.DAGExecution"), t_dag);

    // A14: the root DAG execution, with both contexts by full message.
    mlmd::PutExecutionRequest root;
    root.mutable_execution()->set_type_id(t_dag);
    root.mutable_execution()->set_name("run/" + run);
    root.mutable_execution()->set_last_known_state(mlmd::Execution::RUNNING);
    *root.add_contexts() = pipeline;
    *root.add_contexts() = run_context;
    const mlmd::PutExecutionResponse root_response = PutExecutionOrDie(root);
    const int64_t root_id = root_response.execution_id();
    EXPECT_THAT(root_response.context_ids(),
                ElementsAre(pipeline.id(), run_context.id()));
    mlmd::PutExecutionResponse duplicate;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutExecution, root, duplicate),
                StatusIs(absl::StatusCode::kAlreadyExists));
    {
      mlmd::GetExecutionByTypeAndNameRequest request;
      request.set_type_name("system.DAGExecution");
      request.set_execution_name("run/" + run);
      mlmd::GetExecutionByTypeAndNameResponse response;
      ASSERT_THAT(
          MLMDX_CALL(*stub_, GetExecutionByTypeAndName, request, response),
          IsOk());
      EXPECT_EQ(response.execution().id(), root_id);
    }

    // B: container driver for `preprocess`.
    EXPECT_THAT(Parents(run_context.id()), ElementsAre(pipeline.id()));  // B3
    {
      mlmd::GetContextsByExecutionRequest request;
      request.set_execution_id(root_id);
      mlmd::GetContextsByExecutionResponse response;
      ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByExecution, request, response),
                  IsOk());
      EXPECT_THAT(IdsOf(response.contexts()),
                  ElementsAre(pipeline.id(), run_context.id()));  // B7
      mlmd::GetEventsByExecutionIDsRequest events_request;
      events_request.add_execution_ids(root_id);
      mlmd::GetEventsByExecutionIDsResponse events;
      ASSERT_THAT(
          MLMDX_CALL(*stub_, GetEventsByExecutionIDs, events_request, events),
          IsOk());
      EXPECT_EQ(events.events_size(), 0);  // B8
      mlmd::GetArtifactsByIDRequest artifacts_request;
      mlmd::GetArtifactsByIDResponse artifacts;
      ASSERT_THAT(
          MLMDX_CALL(*stub_, GetArtifactsByID, artifacts_request, artifacts),
          IsOk());
      EXPECT_EQ(artifacts.artifacts_size(), 0);  // B9
    }
    const int64_t t_c =
        PutExecutionTypeOrDie(*stub_, "system.ContainerExecution");
    mlmd::PutExecutionRequest task;
    task.mutable_execution()->set_type_id(t_c);
    task.mutable_execution()->set_last_known_state(mlmd::Execution::RUNNING);
    (*task.mutable_execution()->mutable_custom_properties())["parent_dag_id"]
        .set_int_value(root_id);
    *task.add_contexts() = pipeline;
    *task.add_contexts() = run_context;
    const int64_t preprocess = PutExecutionOrDie(task).execution_id();  // B11

    // C: launcher publishes two output artifacts.
    const int64_t t_ds = PutArtifactTypeOrDie(*stub_, "system.Dataset");
    const int64_t t_art = PutArtifactTypeOrDie(*stub_, "system.Artifact");
    const int64_t dataset = PutArtifactsOrDie(*stub_, t_ds, 1)[0];
    const int64_t logs = PutArtifactsOrDie(*stub_, t_art, 1)[0];
    mlmd::PutExecutionRequest publish = task;
    publish.mutable_execution()->set_id(preprocess);
    publish.mutable_execution()->set_last_known_state(
        mlmd::Execution::COMPLETE);
    for (const auto& [id, key] :
         {std::pair(dataset, "dataset"), std::pair(logs, "executor-logs")}) {
      mlmd::Event* event = publish.add_artifact_event_pairs()->mutable_event();
      event->set_artifact_id(id);
      event->set_type(mlmd::Event::OUTPUT);
      event->mutable_path()->add_steps()->set_key(key);
    }
    const mlmd::PutExecutionResponse published = PutExecutionOrDie(publish);
    EXPECT_EQ(published.execution_id(), preprocess);
    EXPECT_THAT(published.artifact_ids(), ElementsAre(dataset, logs));

    // D10/D11: KFP finds the tasks of the DAG by parent_dag_id, paging with
    // an empty first token and the default page size. The root DAG has no
    // parent_dag_id, so it is not a match.
    mlmd::GetExecutionsByContextRequest by_context;
    by_context.set_context_id(run_context.id());
    by_context.mutable_options()->set_filter_query(
        absl::StrCat("custom_properties.parent_dag_id.int_value = ", root_id));
    by_context.mutable_options()->set_next_page_token("");
    mlmd::GetExecutionsByContextResponse tasks;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, by_context, tasks),
                IsOk());
    EXPECT_THAT(IdsOf(tasks.executions()), ElementsAre(preprocess));
    EXPECT_EQ(tasks.executions(0).last_known_state(),
              mlmd::Execution::COMPLETE);
    EXPECT_FALSE(tasks.has_next_page_token());
    // The same query without the filter lists the root DAG too.
    by_context.mutable_options()->clear_filter_query();
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, by_context, tasks),
                IsOk());
    EXPECT_THAT(IdsOf(tasks.executions()), ElementsAre(root_id, preprocess));

    // D12/D13: outputs of preprocess.
    mlmd::GetEventsByExecutionIDsRequest events_request;
    events_request.add_execution_ids(preprocess);
    mlmd::GetEventsByExecutionIDsResponse events;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetEventsByExecutionIDs, events_request, events),
        IsOk());
    ASSERT_EQ(events.events_size(), 2);
    EXPECT_EQ(events.events(0).path().steps(0).key(), "dataset");

    // D15: train consumes the dataset with an INPUT event at creation.
    mlmd::PutExecutionRequest train = task;
    mlmd::Event* input = train.add_artifact_event_pairs()->mutable_event();
    input->set_artifact_id(dataset);
    input->set_type(mlmd::Event::INPUT);
    input->mutable_path()->add_steps()->set_key("dataset");
    const int64_t train_id = PutExecutionOrDie(train).execution_id();
    EXPECT_GT(train_id, preprocess);

    // Cache-hit variant: a new task execution republishes preprocess'
    // outputs as CACHED, without a launcher.
    const int64_t cached = PutExecutionOrDie(task).execution_id();
    mlmd::PutExecutionRequest hit = publish;
    hit.mutable_execution()->set_id(cached);
    hit.mutable_execution()->set_last_known_state(mlmd::Execution::CACHED);
    const mlmd::PutExecutionResponse hit_response = PutExecutionOrDie(hit);
    EXPECT_THAT(hit_response.artifact_ids(), ElementsAre(dataset, logs));

    // UI: artifacts of the run context, and contexts of an artifact.
    mlmd::GetArtifactsByContextRequest artifacts_request;
    artifacts_request.set_context_id(run_context.id());
    mlmd::GetArtifactsByContextResponse artifacts;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_request, artifacts),
        IsOk());
    EXPECT_THAT(IdsOf(artifacts.artifacts()), ElementsAre(dataset, logs));
    mlmd::GetContextsByArtifactRequest contexts_request;
    contexts_request.set_artifact_id(dataset);
    mlmd::GetContextsByArtifactResponse contexts;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetContextsByArtifact, contexts_request, contexts),
        IsOk());
    EXPECT_THAT(IdsOf(contexts.contexts()),
                ElementsAre(pipeline.id(), run_context.id()));
  }
}

}  // namespace
}  // namespace mlmdx::testing
