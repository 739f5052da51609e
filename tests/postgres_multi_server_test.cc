// Two mlmdx servers over one PostgreSQL database: writes go through A, and
// lineage is asked of B, whose index follows A's writes through the change
// log (store/change_log.h). With mlmdx-read-after B answers only once it
// holds the write; without it B catches up on its own. Also: B reloads
// when the log was pruned past it while it was stopped, and B's index
// drops the nodes a deletion through A took.

#include <grpcpp/create_channel.h>
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "mlmdx/retention_service.grpc.pb.h"
#include "tests/e2e_fixture.h"
#include "tests/postgres_cluster.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::MetadataStoreService;

// Each test (a process of its own under ctest) gets a cluster of its own,
// durable as a production one is: a crash then loses no acknowledged
// commit, and the change log never goes back.
class TwoServersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(cluster_.Start(), IsOk());
    const std::string database = absl::StrCat(cluster_.UriBase(), "/two");
    a_ = std::make_unique<TestServer>(database);
    b_ = std::make_unique<TestServer>(database);
    ASSERT_THAT(a_->Start(), IsOk());
    ASSERT_THAT(b_->Start({"--read_after_timeout_ms=10000"}), IsOk());
    a_stub_ = a_->NewStub();
    b_stub_ = b_->NewStub();
    dataset_type_ = PutArtifactTypeOrDie(*a_stub_, "Dataset");
    trainer_type_ = PutExecutionTypeOrDie(*a_stub_, "Trainer");
  }

  struct Written {
    int64_t execution_id = 0;
    int64_t output_id = 0;
    std::string token;
  };

  // Through A: an execution reading `input` (when > 0) and writing a new
  // artifact.
  Written WriteThroughA(int64_t input) {
    const ml_metadata::PutExecutionRequest request =
        ChainStepRequest(trainer_type_, dataset_type_, input);
    ml_metadata::PutExecutionResponse response;
    Written written;
    EXPECT_THAT(CallWithCommitTokens(*a_stub_,
                                     &MetadataStoreService::Stub::PutExecution,
                                     request, response, "", &written.token),
                IsOk());
    EXPECT_FALSE(written.token.empty());
    written.execution_id = response.execution_id();
    written.output_id = response.artifact_ids(response.artifact_ids_size() - 1);
    return written;
  }

  // B's answer to "what made `artifact_id`", as execution ids.
  absl::StatusOr<std::set<int64_t>> UpstreamExecutionsFromB(
      int64_t artifact_id, const std::string& read_after = "") {
    ml_metadata::GetLineageSubgraphRequest request;
    auto* options = request.mutable_lineage_subgraph_query_options();
    options->mutable_starting_artifacts()->set_filter_query(
        absl::StrCat("id = ", artifact_id));
    options->set_direction(ml_metadata::LineageSubgraphQueryOptions::UPSTREAM);
    ml_metadata::GetLineageSubgraphResponse response;
    absl::Status status = CallWithCommitTokens(
        *b_stub_, &MetadataStoreService::Stub::GetLineageSubgraph, request,
        response, read_after);
    if (!status.ok()) return status;
    std::set<int64_t> ids;
    for (const auto& e : response.lineage_subgraph().executions()) {
      ids.insert(e.id());
    }
    return ids;
  }

  PostgresCluster cluster_{PostgresClusterOptions{.durable = true}};
  void TearDown() override {
    if (HasFailure() && b_ != nullptr) std::cerr << "B's log:\n" << b_->Log();
  }

  std::unique_ptr<TestServer> a_, b_;
  std::unique_ptr<MetadataStoreService::Stub> a_stub_, b_stub_;
  int64_t dataset_type_ = 0;
  int64_t trainer_type_ = 0;
};

// Each write's token, sent to B at once, makes B answer with that write and
// every one before it: a chain of 25 executions, asked after each step.
TEST_F(TwoServersTest, WithReadAfterBSeesEachWriteOfAAtOnce) {
  std::set<int64_t> made;
  int64_t last_output = 0;
  for (int step = 0; step < 25; ++step) {
    const Written written = WriteThroughA(last_output);
    made.insert(written.execution_id);
    last_output = written.output_id;
    absl::StatusOr<std::set<int64_t>> seen =
        UpstreamExecutionsFromB(written.output_id, written.token);
    ASSERT_THAT(seen.status(), IsOk());
    ASSERT_EQ(*seen, made) << "step " << step;
  }
}

// Without the token, B is allowed to lag, and catches up by itself, woken
// by PostgreSQL's NOTIFY. The lag is reported, not asserted (the machine is
// shared); bench/ measures it.
TEST_F(TwoServersTest, WithoutReadAfterBCatchesUpOnItsOwn) {
  std::vector<absl::Duration> lags;
  int64_t last_output = 0;
  for (int step = 0; step < 10; ++step) {
    const Written written = WriteThroughA(last_output);
    last_output = written.output_id;
    const absl::Time written_at = absl::Now();
    bool seen = false;
    while (absl::Now() - written_at < absl::Seconds(20)) {
      absl::StatusOr<std::set<int64_t>> executions =
          UpstreamExecutionsFromB(written.output_id);
      ASSERT_THAT(executions.status(), IsOk());
      if (executions->count(written.execution_id) > 0) {
        seen = true;
        break;
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
    ASSERT_TRUE(seen) << "B never saw step " << step;
    lags.push_back(absl::Now() - written_at);
  }
  std::sort(lags.begin(), lags.end());
  std::cerr << "B caught up after (median of 10) "
            << absl::FormatDuration(lags[lags.size() / 2]) << ", max "
            << absl::FormatDuration(lags.back()) << "\n";
}

// A write's token also covers the writes before it, including ones that
// changed no lineage, and B honours it for every RPC, not only lineage.
TEST_F(TwoServersTest, ReadAfterHoldsForEveryCall) {
  const Written first = WriteThroughA(0);
  ml_metadata::PutArtifactsRequest plain;
  plain.add_artifacts()->set_type_id(dataset_type_);
  ml_metadata::PutArtifactsResponse plain_ids;
  std::string plain_token;
  ASSERT_THAT(
      CallWithCommitTokens(*a_stub_, &MetadataStoreService::Stub::PutArtifacts,
                           plain, plain_ids, "", &plain_token),
      IsOk());
  ml_metadata::GetArtifactsByIDRequest get;
  get.add_artifact_ids(plain_ids.artifact_ids(0));
  ml_metadata::GetArtifactsByIDResponse got;
  ASSERT_THAT(CallWithCommitTokens(
                  *b_stub_, &MetadataStoreService::Stub::GetArtifactsByID, get,
                  got, plain_token),
              IsOk());
  EXPECT_EQ(got.artifacts_size(), 1);
  absl::StatusOr<std::set<int64_t>> seen =
      UpstreamExecutionsFromB(first.output_id, plain_token);
  ASSERT_THAT(seen.status(), IsOk());
  EXPECT_EQ(*seen, std::set<int64_t>{first.execution_id});
}

// B is stopped (SIGSTOP) while A writes and the log is pruned past B's
// position: once B runs again it notices, reloads its index from the
// tables, and answers with every write.
TEST_F(TwoServersTest, BReloadsWhenTheLogWasPrunedPastIt) {
  const Written before = WriteThroughA(0);
  ASSERT_THAT(UpstreamExecutionsFromB(before.output_id, before.token).status(),
              IsOk());
  ASSERT_EQ(kill(b_->pid(), SIGSTOP), 0);
  const Written during = WriteThroughA(before.output_id);
  const Written last = WriteThroughA(during.output_id);
  QueryPostgresRows(a_->db_path(),
                    absl::StrCat("DELETE FROM mlmdx_change_log; "
                                 "UPDATE mlmdx_change_log_pruned "
                                 "SET through_seq = ",
                                 last.token));
  ASSERT_EQ(kill(b_->pid(), SIGCONT), 0);
  absl::StatusOr<std::set<int64_t>> seen =
      UpstreamExecutionsFromB(last.output_id, last.token);
  ASSERT_THAT(seen.status(), IsOk());
  EXPECT_EQ(*seen, (std::set<int64_t>{before.execution_id, during.execution_id,
                                      last.execution_id}));
  EXPECT_NE(b_->Log().find("pruned past"), std::string::npos) << b_->Log();
}

// A deletion through A travels to B like any write: B's index drops the
// deleted execution and artifact, at once for a client that sends the
// deletion's token, and keeps what the deletion left.
TEST_F(TwoServersTest, BDropsWhatADeleted) {
  const Written first = WriteThroughA(0);
  const Written second = WriteThroughA(first.output_id);
  const Written third = WriteThroughA(second.output_id);
  const int64_t run_type = PutContextTypeOrDie(*a_stub_, "Run");
  const int64_t run = PutContextsOrDie(*a_stub_, run_type, 1, "run")[0];
  ml_metadata::PutAttributionsAndAssociationsRequest links;
  auto* association = links.add_associations();
  association->set_context_id(run);
  association->set_execution_id(third.execution_id);
  auto* attribution = links.add_attributions();
  attribution->set_context_id(run);
  attribution->set_artifact_id(third.output_id);
  ml_metadata::PutAttributionsAndAssociationsResponse linked;
  std::string links_token;
  ASSERT_THAT(
      CallWithCommitTokens(
          *a_stub_, &MetadataStoreService::Stub::PutAttributionsAndAssociations,
          links, linked, "", &links_token),
      IsOk());
  absl::StatusOr<std::set<int64_t>> seen =
      UpstreamExecutionsFromB(third.output_id, links_token);
  ASSERT_THAT(seen.status(), IsOk());
  ASSERT_EQ(*seen, (std::set<int64_t>{first.execution_id, second.execution_id,
                                      third.execution_id}));

  auto retention = ::mlmdx::RetentionService::NewStub(
      grpc::CreateChannel(a_->address(), grpc::InsecureChannelCredentials()));
  ::mlmdx::DeleteContextsRequest request;
  request.add_context_ids(run);
  ::mlmdx::DeleteContextsResponse deleted;
  std::string delete_token;
  ASSERT_THAT(CallWithCommitTokens(
                  *retention, &::mlmdx::RetentionService::Stub::DeleteContexts,
                  request, deleted, "", &delete_token),
              IsOk());
  ASSERT_FALSE(delete_token.empty());
  EXPECT_EQ(std::vector<int64_t>(deleted.execution_ids().begin(),
                                 deleted.execution_ids().end()),
            std::vector<int64_t>{third.execution_id});
  EXPECT_EQ(std::vector<int64_t>(deleted.artifact_ids().begin(),
                                 deleted.artifact_ids().end()),
            std::vector<int64_t>{third.output_id});

  // The deleted output is no starting point on B, and nothing B walks from
  // the first output reaches the deleted execution.
  EXPECT_THAT(UpstreamExecutionsFromB(third.output_id, delete_token).status(),
              StatusIs(absl::StatusCode::kNotFound));
  ml_metadata::GetLineageSubgraphRequest downstream;
  auto* options = downstream.mutable_lineage_subgraph_query_options();
  options->mutable_starting_artifacts()->set_filter_query(
      absl::StrCat("id = ", first.output_id));
  options->set_direction(ml_metadata::LineageSubgraphQueryOptions::DOWNSTREAM);
  ml_metadata::GetLineageSubgraphResponse reached;
  ASSERT_THAT(CallWithCommitTokens(
                  *b_stub_, &MetadataStoreService::Stub::GetLineageSubgraph,
                  downstream, reached, delete_token),
              IsOk());
  std::set<int64_t> executions;
  for (const auto& e : reached.lineage_subgraph().executions()) {
    executions.insert(e.id());
  }
  EXPECT_EQ(executions, std::set<int64_t>{second.execution_id});
  EXPECT_EQ(reached.lineage_subgraph().artifacts_size(), 2);
  EXPECT_EQ(reached.lineage_subgraph().events_size(), 2);
}

// PostgreSQL restarts under both servers: B's follower loses its
// connection, reconnects on its own, and B again answers with A's writes.
TEST_F(TwoServersTest, BFollowsAgainAfterPostgresRestarts) {
  const Written before = WriteThroughA(0);
  ASSERT_THAT(UpstreamExecutionsFromB(before.output_id, before.token).status(),
              IsOk());
  ASSERT_THAT(cluster_.CrashAndRestart(), IsOk());
  // A's pool notices the restart on its next write, which it retries.
  Written after;
  for (int attempt = 0; attempt < 100 && after.token.empty(); ++attempt) {
    const ml_metadata::PutExecutionRequest request =
        ChainStepRequest(trainer_type_, dataset_type_, 0);
    ml_metadata::PutExecutionResponse response;
    if (CallWithCommitTokens(*a_stub_,
                             &MetadataStoreService::Stub::PutExecution, request,
                             response, "", &after.token)
            .ok()) {
      after.execution_id = response.execution_id();
      after.output_id = response.artifact_ids(0);
    } else {
      after.token.clear();
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  ASSERT_FALSE(after.token.empty()) << "no write went through after restart";
  absl::StatusOr<std::set<int64_t>> seen =
      UpstreamExecutionsFromB(after.output_id, after.token);
  ASSERT_THAT(seen.status(), IsOk());
  EXPECT_EQ(*seen, std::set<int64_t>{after.execution_id});
  EXPECT_NE(b_->Log().find("following the change log again"), std::string::npos)
      << b_->Log();
}

}  // namespace
}  // namespace mlmdx::testing
