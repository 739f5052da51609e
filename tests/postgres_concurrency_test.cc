// Several mlmdx servers over one PostgreSQL database, racing clients, the
// Kubeflow Pipelines hot row, and PostgreSQL crashing under writes. Each
// test starts its own throwaway cluster and real `mlmdx serve` processes.

#include <sys/wait.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/postgres_test.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::Artifact;
using ml_metadata::Context;
using ml_metadata::Execution;

class PostgresConcurrencyTest : public PostgresClusterTest {
 protected:
  std::string Database(const std::string& name) const {
    return absl::StrCat(cluster().UriBase(), "/", name);
  }

  // Starts `count` servers on `database` at the same moment.
  std::vector<std::unique_ptr<TestServer>> StartServers(
      const std::string& database, int count) {
    std::vector<std::unique_ptr<TestServer>> servers;
    for (int i = 0; i < count; ++i) {
      servers.push_back(std::make_unique<TestServer>(database));
    }
    for (auto& server : servers) EXPECT_THAT(server->Launch(), IsOk());
    for (auto& server : servers) {
      const absl::Status serving = server->WaitUntilServing();
      EXPECT_TRUE(serving.ok()) << serving;
    }
    return servers;
  }
};

TEST_F(PostgresConcurrencyTest, ServersStartingAtOnceCreateTheSchemaOnce) {
  auto servers = StartServers(Database("fresh"), 4);
  const TestServer& any = *servers[0];
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM MLMDEnv"), 1);
  EXPECT_EQ(any.QueryInt("SELECT schema_version FROM MLMDEnv"), 10);
  // The nine simple types, once each.
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM Type"), 9);
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM mlmdx_schema"), 1);
  for (auto& server : servers) {
    auto stub = server->NewStub();
    ml_metadata::GetArtifactTypesRequest request;
    ml_metadata::GetArtifactTypesResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub, GetArtifactTypes, request, response), IsOk());
  }
}

// 32 clients over two servers create the same type and the same context at
// once: one row each, and every answer OK or ALREADY_EXISTS.
TEST_F(PostgresConcurrencyTest, RacingClientsCreateOneTypeAndOneContext) {
  auto servers = StartServers(Database("race"), 2);
  constexpr int kClients = 32;
  std::vector<std::thread> clients;
  std::mutex mutex;
  std::set<int64_t> type_ids;
  std::map<absl::StatusCode, int> context_codes;
  std::vector<std::string> unexpected;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      auto stub = servers[i % 2]->NewStub();
      ml_metadata::PutContextTypeRequest type_request;
      type_request.mutable_context_type()->set_name("system.PipelineRun");
      (*type_request.mutable_context_type()->mutable_properties())["p"] =
          ml_metadata::STRING;
      ml_metadata::PutContextTypeResponse type_response;
      const absl::Status type_status =
          MLMDX_CALL(*stub, PutContextType, type_request, type_response);
      ml_metadata::PutContextsRequest context_request;
      Context* context = context_request.add_contexts();
      context->set_type_id(type_response.type_id());
      context->set_name("run-1");
      ml_metadata::PutContextsResponse context_response;
      const absl::Status context_status =
          type_status.ok() ? MLMDX_CALL(*stub, PutContexts, context_request,
                                        context_response)
                           : type_status;
      std::lock_guard<std::mutex> lock(mutex);
      if (type_status.ok()) {
        type_ids.insert(type_response.type_id());
      } else {
        unexpected.push_back(type_status.ToString());
      }
      ++context_codes[context_status.code()];
      if (!context_status.ok() && !absl::IsAlreadyExists(context_status)) {
        unexpected.push_back(context_status.ToString());
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  EXPECT_EQ(type_ids.size(), 1u);
  EXPECT_EQ(context_codes[absl::StatusCode::kOk], 1);
  EXPECT_EQ(context_codes[absl::StatusCode::kAlreadyExists], kClients - 1);
  const TestServer& any = *servers[0];
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM Type WHERE name = "
                         "'system.PipelineRun'"),
            1);
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM Context"), 1);
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM TypeProperty"), 1);
}

// KFP's tasks of one run each send PutExecution with the run's context, id
// set and unchanged (KFP issues 5467, 12131): 16 tasks over two servers, 10
// calls each, all succeed, and the context row is never rewritten.
TEST_F(PostgresConcurrencyTest, SixteenParallelTasksOfOneRunShareTheHotRow) {
  auto servers = StartServers(Database("hot"), 2);
  auto setup = servers[0]->NewStub();
  const int64_t run_type = PutContextTypeOrDie(*setup, "system.PipelineRun");
  const int64_t task_type = PutExecutionTypeOrDie(*setup, "system.Container");
  const int64_t dataset_type = PutArtifactTypeOrDie(*setup, "system.Dataset");
  Context run;
  run.set_type_id(run_type);
  run.set_name("run-hot");
  (*run.mutable_custom_properties())["namespace"].set_string_value("kf");
  {
    ml_metadata::PutContextsRequest request;
    *request.add_contexts() = run;
    ml_metadata::PutContextsResponse response;
    ASSERT_THAT(MLMDX_CALL(*setup, PutContexts, request, response), IsOk());
    // KFP sends the context as it read it back.
    ml_metadata::GetContextsByIDRequest get;
    get.add_context_ids(response.context_ids(0));
    ml_metadata::GetContextsByIDResponse got;
    ASSERT_THAT(MLMDX_CALL(*setup, GetContextsByID, get, got), IsOk());
    ASSERT_EQ(got.contexts_size(), 1);
    run = got.contexts(0);
  }
  const int64_t created_at = servers[0]->QueryInt(
      absl::StrCat("SELECT last_update_time_since_epoch FROM Context "
                   "WHERE id = ",
                   run.id()));

  constexpr int kTasks = 16;
  constexpr int kCallsPerTask = 10;
  std::vector<std::thread> tasks;
  std::mutex mutex;
  std::vector<std::string> failures;
  for (int t = 0; t < kTasks; ++t) {
    tasks.emplace_back([&, t] {
      auto stub = servers[t % 2]->NewStub();
      for (int call = 0; call < kCallsPerTask; ++call) {
        ml_metadata::PutExecutionRequest request;
        Execution* execution = request.mutable_execution();
        execution->set_type_id(task_type);
        execution->set_name(absl::StrCat("task-", t, "-", call));
        execution->set_last_known_state(Execution::COMPLETE);
        auto* pair = request.add_artifact_event_pairs();
        pair->mutable_artifact()->set_type_id(dataset_type);
        pair->mutable_artifact()->set_uri(
            absl::StrCat("gs://bucket/run-hot/", t, "/", call));
        pair->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
        *request.add_contexts() = run;  // With its id: KFP's hot row.
        request.mutable_options()->set_reuse_context_if_already_exist(true);
        ml_metadata::PutExecutionResponse response;
        const absl::Status status =
            MLMDX_CALL(*stub, PutExecution, request, response);
        if (!status.ok()) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back(status.ToString());
        }
      }
    });
  }
  for (std::thread& task : tasks) task.join();
  EXPECT_TRUE(failures.empty())
      << failures.size() << " calls failed, first: " << failures.front();
  const TestServer& any = *servers[1];
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM Execution"),
            kTasks * kCallsPerTask);
  EXPECT_EQ(any.QueryInt("SELECT COUNT(*) FROM Event"), kTasks * kCallsPerTask);
  EXPECT_EQ(
      any.QueryInt(absl::StrCat(
          "SELECT COUNT(*) FROM Association WHERE context_id = ", run.id())),
      kTasks * kCallsPerTask);
  EXPECT_EQ(
      any.QueryInt(absl::StrCat(
          "SELECT COUNT(*) FROM Attribution WHERE context_id = ", run.id())),
      kTasks * kCallsPerTask);
  EXPECT_EQ(any.QueryInt(absl::StrCat("SELECT last_update_time_since_epoch "
                                      "FROM Context WHERE id = ",
                                      run.id())),
            created_at);
}

// PostgreSQL crashes and comes back while clients write: the server never
// exits, no acknowledged write is lost, a write answered UNAVAILABLE is
// absent, and writes succeed again within 5 s of the restart. The cluster
// commits durably, as a production one does (the shared test cluster
// acknowledges commits before their WAL is written, so a crash loses them
// by design).
TEST(PostgresCrashTest, PostgresCrashWhileClientsWrite) {
  PostgresCluster cluster(PostgresClusterOptions{.durable = true});
  ASSERT_THAT(cluster.Start(), IsOk());
  TestServer server(absl::StrCat(cluster.UriBase(), "/crash"));
  ASSERT_THAT(server.Start(), IsOk());
  auto setup = server.NewStub();
  const int64_t type_id = PutArtifactTypeOrDie(*setup, "Dataset");

  constexpr int kClients = 4;
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::vector<std::string> refused;  // Answered UNAVAILABLE.
  std::map<absl::StatusCode, int> codes;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = server.NewStub();
      for (int i = 0; !stop.load(); ++i) {
        const std::string name = absl::StrCat("a-", c, "-", i);
        ml_metadata::PutArtifactsRequest request;
        Artifact* artifact = request.add_artifacts();
        artifact->set_type_id(type_id);
        artifact->set_name(name);
        ml_metadata::PutArtifactsResponse response;
        const absl::Status status =
            MLMDX_CALL(*stub, PutArtifacts, request, response);
        std::lock_guard<std::mutex> lock(mutex);
        ++codes[status.code()];
        if (status.ok()) acknowledged.push_back(name);
        if (absl::IsUnavailable(status)) refused.push_back(name);
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(500));
  ASSERT_THAT(cluster.CrashAndRestart(), IsOk());
  const absl::Time restarted = absl::Now();
  // Writes go through again soon after the restart.
  absl::Time recovered = absl::InfiniteFuture();
  while (absl::Now() - restarted < absl::Seconds(10)) {
    ml_metadata::PutArtifactsRequest request;
    request.add_artifacts()->set_type_id(type_id);
    ml_metadata::PutArtifactsResponse response;
    if (MLMDX_CALL(*setup, PutArtifacts, request, response).ok()) {
      recovered = absl::Now();
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  absl::SleepFor(absl::Milliseconds(300));
  stop = true;
  for (std::thread& client : clients) client.join();

  std::cerr << "writes: " << acknowledged.size() << " acknowledged, "
            << refused.size() << " UNAVAILABLE, "
            << codes[absl::StatusCode::kUnknown] << " UNKNOWN; writes back "
            << absl::FormatDuration(recovered - restarted)
            << " after the restart\n";
  EXPECT_LT(recovered - restarted, absl::Seconds(5));
  EXPECT_GT(acknowledged.size(), 0u);
  // The server is still the same process.
  EXPECT_EQ(waitpid(server.pid(), nullptr, WNOHANG), 0);
  for (const auto& [code, count] : codes) {
    EXPECT_TRUE(code == absl::StatusCode::kOk ||
                code == absl::StatusCode::kUnavailable ||
                code == absl::StatusCode::kUnknown)
        << absl::StatusCodeToString(code) << " x" << count;
  }
  auto check = server.NewStub();
  auto exists = [&](const std::string& name) {
    ml_metadata::GetArtifactByTypeAndNameRequest request;
    request.set_type_name("Dataset");
    request.set_artifact_name(name);
    ml_metadata::GetArtifactByTypeAndNameResponse response;
    EXPECT_THAT(MLMDX_CALL(*check, GetArtifactByTypeAndName, request, response),
                IsOk());
    return response.has_artifact();
  };
  for (const std::string& name : acknowledged) {
    EXPECT_TRUE(exists(name)) << "acknowledged " << name << " is lost";
  }
  for (const std::string& name : refused) {
    EXPECT_FALSE(exists(name)) << name << " was answered UNAVAILABLE but "
                               << "committed";
  }
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace mlmdx::testing
