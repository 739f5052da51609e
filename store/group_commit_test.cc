// Group commit on a SQLite file: writes that wait while another commits
// share the next transaction, yet each still answers for itself alone. A
// write that fails undoes only its own changes, the others commit; every
// committed write gets its own position, and the commit listener (the
// lineage index) sees the writes in that order.
//
// The tests hold the committer inside the commit listener until the other
// writers have queued, so that the group they form is known exactly.

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/metadata_store.h"
#include "tests/test_util.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr int kWriters = 6;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/mlmdx_group_commit_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    StoreOptions options;
    options.sqlite.filename_uri = dir_ + "/db.sqlite";
    absl::StatusOr<std::unique_ptr<MetadataStore>> store =
        MetadataStore::Open(options);
    ASSERT_THAT(store.status(), IsOk());
    store_ = *std::move(store);

    ml_metadata::PutTypesRequest types;
    types.add_artifact_types()->set_name("Dataset");
    types.add_execution_types()->set_name("Trainer");
    types.add_context_types()->set_name("Run");
    ml_metadata::PutTypesResponse type_ids;
    ASSERT_THAT(store_->PutTypes(types, &type_ids), IsOk());
    artifact_type_ = type_ids.artifact_type_ids(0);
    execution_type_ = type_ids.execution_type_ids(0);

    ml_metadata::PutContextsRequest contexts;
    auto* run = contexts.add_contexts();
    run->set_type_id(type_ids.context_type_ids(0));
    run->set_name("run");
    ml_metadata::PutContextsResponse context_ids;
    ASSERT_THAT(store_->PutContexts(contexts, &context_ids), IsOk());
    ml_metadata::GetContextsByIDRequest read;
    read.add_context_ids(context_ids.context_ids(0));
    ml_metadata::GetContextsByIDResponse stored;
    ASSERT_THAT(store_->GetContextsByID(read, &stored), IsOk());
    ASSERT_EQ(stored.contexts_size(), 1);
    run_ = stored.contexts(0);

    ASSERT_THAT(PutArtifact("taken").status(), IsOk());
    absl::StatusOr<int64_t> input = PutArtifact("input");
    ASSERT_THAT(input.status(), IsOk());
    input_artifact_ = *input;
  }

  void TearDown() override {
    store_.reset();
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }

  absl::StatusOr<int64_t> PutArtifact(const std::string& name) {
    ml_metadata::PutArtifactsRequest request;
    auto* artifact = request.add_artifacts();
    artifact->set_type_id(artifact_type_);
    artifact->set_name(name);
    ml_metadata::PutArtifactsResponse response;
    absl::Status status = store_->PutArtifacts(request, &response);
    if (!status.ok()) return status;
    return response.artifact_ids(0);
  }

  // Artifact ids by name; 0 for a name that no artifact has.
  int64_t ArtifactIdByName(const std::string& name) {
    ml_metadata::GetArtifactByTypeAndNameRequest request;
    request.set_type_name("Dataset");
    request.set_artifact_name(name);
    ml_metadata::GetArtifactByTypeAndNameResponse response;
    EXPECT_THAT(store_->GetArtifactByTypeAndName(request, &response), IsOk());
    return response.artifact().id();
  }

  // Makes the commit listener hold the committer, at the first commit that
  // reports lineage after this call, until kWriters writes have queued
  // behind it; records the artifact of every attribution reported.
  void HoldFirstCommitUntilQueued() {
    store_->SetCommitListener([this](const LineageChanges& changes) {
      bool hold = false;
      {
        absl::MutexLock lock(&mutex_);
        for (const auto& [context, artifact] : changes.attributions) {
          reported_artifacts_.push_back(artifact);
        }
        hold = !held_;
        held_ = true;
      }
      // A bounded wait: a group that never forms shows in the counts the
      // tests check, not as a hang.
      const absl::Time give_up = absl::Now() + absl::Seconds(30);
      while (hold && store_->queued_writes() < kWriters &&
             absl::Now() < give_up) {
        absl::SleepFor(absl::Milliseconds(1));
      }
    });
  }

  // Starts the first write in `first_write_` and returns once its committer
  // is held in the listener. The write is an execution attributed nowhere,
  // with an INPUT event, so that its commit reports lineage.
  void StartHeldFirstWrite() {
    HoldFirstCommitUntilQueued();
    first_write_ = std::thread([this] {
      ml_metadata::PutExecutionRequest request;
      request.mutable_execution()->set_type_id(execution_type_);
      auto* input = request.add_artifact_event_pairs();
      input->mutable_artifact()->set_id(input_artifact_);
      input->mutable_artifact()->set_type_id(artifact_type_);
      input->mutable_event()->set_type(ml_metadata::Event::INPUT);
      ml_metadata::PutExecutionResponse response;
      first_write_status_ = store_->PutExecution(request, &response);
    });
    absl::MutexLock lock(&mutex_);
    mutex_.AwaitWithTimeout(absl::Condition(&held_), absl::Seconds(30));
  }

  std::string dir_;
  std::unique_ptr<MetadataStore> store_;
  int64_t artifact_type_ = 0;
  int64_t execution_type_ = 0;
  // The run context as stored, passed back whole by writers.
  ml_metadata::Context run_;
  // The first write's input.
  int64_t input_artifact_ = 0;
  std::thread first_write_;
  absl::Status first_write_status_;
  absl::Mutex mutex_;
  bool held_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<int64_t> reported_artifacts_ ABSL_GUARDED_BY(mutex_);
};

// Records the size of every committed transaction the store reports.
class BatchRecorder : public CommitObserver {
 public:
  void OnCommit(absl::Duration commit_duration, int writes) override {
    absl::MutexLock lock(&mutex_);
    EXPECT_GE(commit_duration, absl::ZeroDuration());
    batches_.push_back(writes);
  }
  std::vector<int> batches() {
    absl::MutexLock lock(&mutex_);
    return batches_;
  }

 private:
  absl::Mutex mutex_;
  std::vector<int> batches_ ABSL_GUARDED_BY(mutex_);
};

// What writer k of a group got back.
struct GroupWrite {
  absl::Status status;
  int64_t artifact_id = 0;
  std::optional<int64_t> position;
};

TEST_F(GroupCommitTest, WritesQueuedDuringACommitShareTheNextOne) {
  const MetadataStore::WriteCounts before = store_->write_counts();
  BatchRecorder recorder;
  store_->SetCommitObserver(&recorder);
  StartHeldFirstWrite();
  std::vector<GroupWrite> writes(kWriters);
  std::vector<std::thread> writers;
  for (int k = 0; k < kWriters; ++k) {
    writers.emplace_back([this, k, &writes] {
      // A new output artifact, attributed to the run.
      ml_metadata::PutExecutionRequest request;
      request.mutable_execution()->set_type_id(execution_type_);
      auto* output = request.add_artifact_event_pairs();
      output->mutable_artifact()->set_type_id(artifact_type_);
      output->mutable_artifact()->set_name(absl::StrCat("artifact-", k));
      output->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
      *request.add_contexts() = run_;
      ml_metadata::PutExecutionResponse response;
      CommitPositionScope scope;
      writes[k].status = store_->PutExecution(request, &response);
      if (writes[k].status.ok()) {
        writes[k].artifact_id = response.artifact_ids(0);
      }
      writes[k].position = scope.position();
    });
  }
  first_write_.join();
  for (std::thread& writer : writers) writer.join();

  ASSERT_THAT(first_write_status_, IsOk());
  for (int k = 0; k < kWriters; ++k) {
    ASSERT_THAT(writes[k].status, IsOk()) << "writer " << k;
    EXPECT_EQ(ArtifactIdByName(absl::StrCat("artifact-", k)),
              writes[k].artifact_id);
    ASSERT_TRUE(writes[k].position.has_value());
  }
  // The first write committed alone, the others together.
  const MetadataStore::WriteCounts after = store_->write_counts();
  EXPECT_EQ(after.writes - before.writes, 1 + kWriters);
  EXPECT_EQ(after.transactions - before.transactions, 2);
  // The observer heard of both transactions, with their sizes.
  EXPECT_THAT(recorder.batches(), ElementsAreArray({1, kWriters}));
  store_->SetCommitObserver(nullptr);

  // Each write has its own position, and the listener saw the writes'
  // attributions in position order.
  std::vector<GroupWrite> by_position = writes;
  std::sort(by_position.begin(), by_position.end(),
            [](const GroupWrite& a, const GroupWrite& b) {
              return *a.position < *b.position;
            });
  std::vector<int64_t> expected;
  for (size_t i = 0; i < by_position.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(*by_position[i - 1].position, *by_position[i].position);
    }
    expected.push_back(by_position[i].artifact_id);
  }
  absl::MutexLock lock(&mutex_);
  EXPECT_THAT(reported_artifacts_, ElementsAreArray(expected));
}

TEST_F(GroupCommitTest, FailedWriteUndoesOnlyItsOwnChanges) {
  const MetadataStore::WriteCounts before = store_->write_counts();
  StartHeldFirstWrite();
  // Odd writers put a new artifact and then one named like an existing
  // artifact, in one call: the call fails after its first insert.
  std::vector<absl::Status> statuses(kWriters);
  std::vector<std::thread> writers;
  for (int k = 0; k < kWriters; ++k) {
    writers.emplace_back([this, k, &statuses] {
      ml_metadata::PutArtifactsRequest request;
      auto* artifact = request.add_artifacts();
      artifact->set_type_id(artifact_type_);
      artifact->set_name(absl::StrCat("artifact-", k));
      if (k % 2 == 1) {
        auto* duplicate = request.add_artifacts();
        duplicate->set_type_id(artifact_type_);
        duplicate->set_name("taken");
      }
      ml_metadata::PutArtifactsResponse response;
      statuses[k] = store_->PutArtifacts(request, &response);
    });
  }
  first_write_.join();
  for (std::thread& writer : writers) writer.join();

  ASSERT_THAT(first_write_status_, IsOk());
  for (int k = 0; k < kWriters; ++k) {
    if (k % 2 == 1) {
      EXPECT_THAT(statuses[k], StatusIs(absl::StatusCode::kAlreadyExists))
          << "writer " << k;
      EXPECT_THAT(statuses[k].message(), HasSubstr("taken"));
      EXPECT_EQ(ArtifactIdByName(absl::StrCat("artifact-", k)), 0)
          << "writer " << k << " failed, yet its first artifact is stored";
    } else {
      EXPECT_THAT(statuses[k], IsOk()) << "writer " << k;
      EXPECT_NE(ArtifactIdByName(absl::StrCat("artifact-", k)), 0)
          << "writer " << k;
    }
  }
  const MetadataStore::WriteCounts after = store_->write_counts();
  EXPECT_EQ(after.writes - before.writes, 1 + kWriters / 2);
  EXPECT_EQ(after.transactions - before.transactions, 2);
}

// Runs `sql` on the SQLite file at `path` through a connection of its own.
void ExecuteOnFile(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// An INSERT interrupted by the statement time limit inside a transaction
// makes SQLite roll back the whole transaction, not only the savepoint: the
// group's writes applied before it are gone too. The committer must see
// that, apply them again, and still answer each write for itself.
TEST_F(GroupCommitTest,
       WriteCutOffByTheStatementLimitLeavesTheOthersCommitted) {
  const std::string path = dir_ + "/db.sqlite";
  // Inserting the artifact named "slow" fires a trigger whose statement
  // walks a billion rows: far past the limit below.
  ExecuteOnFile(path,
                "CREATE TABLE Filler(x INTEGER);"
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                "FROM c WHERE x < 1000) INSERT INTO Filler SELECT x FROM c;"
                "CREATE TABLE Scratch(x INTEGER);"
                "CREATE TRIGGER slow_insert AFTER INSERT ON Artifact "
                "WHEN NEW.name = 'slow' BEGIN "
                "INSERT INTO Scratch SELECT count(*) FROM Filler a, Filler b, "
                "Filler c; END;");
  store_.reset();
  StoreOptions options;
  options.sqlite.filename_uri = path;
  options.sqlite.statement_timeout_ms = 200;
  absl::StatusOr<std::unique_ptr<MetadataStore>> reopened =
      MetadataStore::Open(options);
  ASSERT_THAT(reopened.status(), IsOk());
  store_ = *std::move(reopened);

  constexpr int kSlowWriter = 2;
  StartHeldFirstWrite();
  std::vector<absl::Status> statuses(kWriters);
  std::vector<int64_t> ids(kWriters, 0);
  std::vector<std::thread> writers;
  for (int k = 0; k < kWriters; ++k) {
    writers.emplace_back([this, k, &statuses, &ids] {
      absl::StatusOr<int64_t> id = PutArtifact(
          k == kSlowWriter ? std::string("slow") : absl::StrCat("fast-", k));
      statuses[k] = id.status();
      if (id.ok()) ids[k] = *id;
    });
  }
  first_write_.join();
  for (std::thread& writer : writers) writer.join();

  ASSERT_THAT(first_write_status_, IsOk());
  EXPECT_THAT(statuses[kSlowWriter],
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(statuses[kSlowWriter].message()),
              HasSubstr("--statement_timeout_ms"));
  for (int k = 0; k < kWriters; ++k) {
    if (k == kSlowWriter) continue;
    ASSERT_THAT(statuses[k], IsOk()) << "writer " << k;
    EXPECT_EQ(ArtifactIdByName(absl::StrCat("fast-", k)), ids[k]);
  }
  EXPECT_EQ(ArtifactIdByName("slow"), 0);

  // The same after reopening: the answers were durable, the cut-off write
  // left nothing behind, its trigger's work included.
  store_.reset();
  reopened = MetadataStore::Open(options);
  ASSERT_THAT(reopened.status(), IsOk());
  store_ = *std::move(reopened);
  for (int k = 0; k < kWriters; ++k) {
    if (k == kSlowWriter) continue;
    EXPECT_EQ(ArtifactIdByName(absl::StrCat("fast-", k)), ids[k]);
  }
  EXPECT_EQ(ArtifactIdByName("slow"), 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM Scratch", -1, &count,
                               nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(count, 0), 0);
  sqlite3_finalize(count);
  sqlite3_close(db);
}

}  // namespace
}  // namespace mlmdx::store
