// mlmdx-commit and mlmdx-read-after (server/consistency.h) through one real
// server, on either backend: every successful write names its commit, a
// later write's token covers an earlier one's, and a read that names a
// commit sees it.

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::MetadataStoreService;

class CommitTokenTest : public ::testing::Test {
 protected:
  // On PostgreSQL a read that names a commit waits for the change-log
  // follower, which a loaded machine can delay well past a few hundred
  // milliseconds: the tests that expect the wait to end in success give
  // it ample time, and only the one that expects it to run out is short.
  virtual int ReadAfterTimeoutMs() const { return 30'000; }

  void SetUp() override {
    ASSERT_THAT(server_.Start({absl::StrCat("--read_after_timeout_ms=",
                                            ReadAfterTimeoutMs())}),
                IsOk());
    stub_ = server_.NewStub();
    dataset_type_ = PutArtifactTypeOrDie(*stub_, "Dataset");
    trainer_type_ = PutExecutionTypeOrDie(*stub_, "Trainer");
  }

  // A PutExecution reading `input` (when > 0) and writing a new artifact.
  ml_metadata::PutExecutionRequest Execution(int64_t input) const {
    return ChainStepRequest(trainer_type_, dataset_type_, input);
  }

  static int64_t Position(const std::string& token) {
    int64_t position = -1;
    EXPECT_TRUE(absl::SimpleAtoi(token, &position)) << "'" << token << "'";
    return position;
  }

  TestServer server_;
  std::unique_ptr<MetadataStoreService::Stub> stub_;
  int64_t dataset_type_ = 0;
  int64_t trainer_type_ = 0;
};

TEST_F(CommitTokenTest, EveryWriteAnswersWithATokenThatGrows) {
  std::string first, second, plain, type;
  ml_metadata::PutExecutionResponse response;
  ASSERT_THAT(
      CallWithCommitTokens(*stub_, &MetadataStoreService::Stub::PutExecution,
                           Execution(0), response, "", &first),
      IsOk());
  ASSERT_FALSE(first.empty());
  const int64_t output = response.artifact_ids(0);
  ASSERT_THAT(
      CallWithCommitTokens(*stub_, &MetadataStoreService::Stub::PutExecution,
                           Execution(output), response, "", &second),
      IsOk());
  EXPECT_GT(Position(second), Position(first));

  // Writes that change no lineage answer too, with a token that still
  // covers the writes before them.
  ml_metadata::PutArtifactsRequest artifacts;
  artifacts.add_artifacts()->set_type_id(dataset_type_);
  ml_metadata::PutArtifactsResponse artifact_ids;
  ASSERT_THAT(
      CallWithCommitTokens(*stub_, &MetadataStoreService::Stub::PutArtifacts,
                           artifacts, artifact_ids, "", &plain),
      IsOk());
  EXPECT_GE(Position(plain), Position(second));
  ml_metadata::PutArtifactTypeRequest type_request;
  type_request.mutable_artifact_type()->set_name("Model");
  ml_metadata::PutArtifactTypeResponse type_response;
  ASSERT_THAT(
      CallWithCommitTokens(*stub_, &MetadataStoreService::Stub::PutArtifactType,
                           type_request, type_response, "", &type),
      IsOk());
  EXPECT_GE(Position(type), Position(plain));

  // Reads and failed writes carry none.
  std::string none = "unset";
  ml_metadata::GetArtifactsByIDRequest read;
  read.add_artifact_ids(output);
  ml_metadata::GetArtifactsByIDResponse read_response;
  ASSERT_THAT(CallWithCommitTokens(
                  *stub_, &MetadataStoreService::Stub::GetArtifactsByID, read,
                  read_response, "", &none),
              IsOk());
  EXPECT_EQ(none, "");
  none = "unset";
  ml_metadata::PutArtifactsRequest bad;
  bad.add_artifacts()->set_type_id(987654);
  EXPECT_FALSE(CallWithCommitTokens(*stub_,
                                    &MetadataStoreService::Stub::PutArtifacts,
                                    bad, artifact_ids, "", &none)
                   .ok());
  EXPECT_EQ(none, "");
}

TEST_F(CommitTokenTest, AReadAfterItsOwnWriteSeesIt) {
  std::string token;
  ml_metadata::PutExecutionResponse made;
  ASSERT_THAT(
      CallWithCommitTokens(*stub_, &MetadataStoreService::Stub::PutExecution,
                           Execution(0), made, "", &token),
      IsOk());
  ml_metadata::PutExecutionResponse used;
  ASSERT_THAT(CallWithCommitTokens(
                  *stub_, &MetadataStoreService::Stub::PutExecution,
                  Execution(made.artifact_ids(0)), used, token, &token),
              IsOk());
  ml_metadata::GetLineageSubgraphRequest request;
  auto* options = request.mutable_lineage_subgraph_query_options();
  options->mutable_starting_artifacts()->set_filter_query(
      absl::StrCat("id = ", used.artifact_ids(1)));
  options->set_direction(ml_metadata::LineageSubgraphQueryOptions::UPSTREAM);
  ml_metadata::GetLineageSubgraphResponse response;
  ASSERT_THAT(CallWithCommitTokens(
                  *stub_, &MetadataStoreService::Stub::GetLineageSubgraph,
                  request, response, token),
              IsOk());
  EXPECT_THAT(IdsOf(response.lineage_subgraph().executions()),
              ::testing::UnorderedElementsAre(made.execution_id(),
                                              used.execution_id()));
  EXPECT_EQ(response.lineage_subgraph().events_size(), 3);
}

TEST_F(CommitTokenTest, AMalformedTokenIsInvalidAndChangesNothing) {
  for (const std::string token :
       {"abc", "-1", "12x", "1.5", " 7", "99999999999999999999"}) {
    ml_metadata::PutArtifactsRequest request;
    request.add_artifacts()->set_type_id(dataset_type_);
    ml_metadata::PutArtifactsResponse response;
    const absl::Status status =
        CallWithCommitTokens(*stub_, &MetadataStoreService::Stub::PutArtifacts,
                             request, response, token);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument)) << token;
    EXPECT_THAT(std::string(status.message()),
                ::testing::HasSubstr("mlmdx-read-after"));
  }
  ml_metadata::GetArtifactsRequest all;
  ml_metadata::GetArtifactsResponse artifacts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifacts, all, artifacts), IsOk());
  EXPECT_EQ(artifacts.artifacts_size(), 0);
}

class CommitTokenShortWaitTest : public CommitTokenTest {
 protected:
  int ReadAfterTimeoutMs() const override { return 300; }
};

// A token from the future: no server can hold it yet. With several servers
// (PostgreSQL) the call waits --read_after_timeout_ms and is UNAVAILABLE;
// a lone SQLite server holds every acknowledged write, so it answers.
TEST_F(CommitTokenShortWaitTest, ATokenNotYetCommitted) {
  std::string token;
  ml_metadata::PutExecutionResponse made;
  ASSERT_THAT(
      CallWithCommitTokens(*stub_, &MetadataStoreService::Stub::PutExecution,
                           Execution(0), made, "", &token),
      IsOk());
  const std::string future = absl::StrCat(Position(token) + 1000);
  ml_metadata::GetArtifactsByIDRequest request;
  request.add_artifact_ids(made.artifact_ids(0));
  ml_metadata::GetArtifactsByIDResponse response;
  const absl::Status status = CallWithCommitTokens(
      *stub_, &MetadataStoreService::Stub::GetArtifactsByID, request, response,
      future);
  if (server_.backend() == TestBackend::kPostgres) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(std::string(status.message()),
                ::testing::HasSubstr(absl::StrCat("not yet commit ", future)));
  } else {
    EXPECT_THAT(status, IsOk());
    EXPECT_EQ(response.artifacts_size(), 1);
  }
}

}  // namespace
}  // namespace mlmdx::testing
