// The change log (store/change_log.h) on a real PostgreSQL server: what
// MetadataStore writes to it, commit order, pruning and notifications.

#include "store/change_log.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/metadata_store.h"
#include "tests/postgres_test.h"
#include "tests/test_util.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::StatusIs;

LineageChanges SampleChanges() {
  LineageChanges changes;
  LineageChanges::Event with_time;
  with_time.id = 7;
  with_time.artifact_id = 3;
  with_time.execution_id = 4;
  with_time.type = 2;
  with_time.has_milliseconds_since_epoch = true;
  with_time.milliseconds_since_epoch = 1700000000123;
  with_time.path = std::string("\x0a\x02\x08\x01", 4);
  changes.events.push_back(with_time);
  LineageChanges::Event without_time;
  without_time.id = 8;
  without_time.artifact_id = 5;
  without_time.execution_id = 4;
  without_time.type = 1;
  changes.events.push_back(without_time);
  changes.attributions = {{10, 3}, {10, 5}};
  changes.associations = {{10, 4}};
  changes.parent_contexts = {{10, 11}};
  changes.removed_artifacts = {20, 21};
  changes.removed_executions = {22};
  changes.removed_contexts = {23, 24, 25};
  changes.context_namespaces = {{10, "team-a"}, {11, ""}};
  return changes;
}

void ExpectSameChanges(const LineageChanges& a, const LineageChanges& b) {
  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].id, b.events[i].id);
    EXPECT_EQ(a.events[i].artifact_id, b.events[i].artifact_id);
    EXPECT_EQ(a.events[i].execution_id, b.events[i].execution_id);
    EXPECT_EQ(a.events[i].type, b.events[i].type);
    EXPECT_EQ(a.events[i].has_milliseconds_since_epoch,
              b.events[i].has_milliseconds_since_epoch);
    EXPECT_EQ(a.events[i].milliseconds_since_epoch,
              b.events[i].milliseconds_since_epoch);
    EXPECT_EQ(a.events[i].path, b.events[i].path);
  }
  EXPECT_EQ(a.attributions, b.attributions);
  EXPECT_EQ(a.associations, b.associations);
  EXPECT_EQ(a.parent_contexts, b.parent_contexts);
  EXPECT_EQ(a.removed_artifacts, b.removed_artifacts);
  EXPECT_EQ(a.removed_executions, b.removed_executions);
  EXPECT_EQ(a.removed_contexts, b.removed_contexts);
  EXPECT_EQ(a.context_namespaces, b.context_namespaces);
}

TEST(ChangeLogEncodingTest, RoundTripsEveryField) {
  const LineageChanges changes = SampleChanges();
  absl::StatusOr<LineageChanges> decoded =
      internal::DecodeLineageChanges(internal::EncodeLineageChanges(changes));
  ASSERT_THAT(decoded.status(), IsOk());
  ExpectSameChanges(*decoded, changes);
}

TEST(ChangeLogEncodingTest, UnreadableBytesAreDataLoss) {
  EXPECT_THAT(internal::DecodeLineageChanges("\xff\xff\xff").status(),
              StatusIs(absl::StatusCode::kDataLoss));
  // An odd number of values in a list of pairs.
  LineageChanges changes;
  changes.attributions = {{1, 2}};
  std::string bytes = internal::EncodeLineageChanges(changes);
  bytes += std::string("\x10\x05", 2);  // One more attributions value.
  EXPECT_THAT(internal::DecodeLineageChanges(bytes).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

class ChangeLogTest : public ::mlmdx::testing::PostgresClusterTest {
 protected:
  void SetUp() override {
    PostgresClusterTest::SetUp();
    if (HasFatalFailure()) return;
    database_ = absl::StrCat(
        "changelog_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : database_) c = absl::ascii_tolower(c);
    first_ = OpenStore();
    second_ = OpenStore();
    ASSERT_NE(first_, nullptr);
    ASSERT_NE(second_, nullptr);
    ml_metadata::PutArtifactTypeRequest artifact_type;
    artifact_type.mutable_artifact_type()->set_name("Dataset");
    ml_metadata::PutArtifactTypeResponse artifact_type_id;
    ASSERT_THAT(first_->PutArtifactType(artifact_type, &artifact_type_id),
                IsOk());
    artifact_type_id_ = artifact_type_id.type_id();
    ml_metadata::PutExecutionTypeRequest execution_type;
    execution_type.mutable_execution_type()->set_name("Trainer");
    ml_metadata::PutExecutionTypeResponse execution_type_id;
    ASSERT_THAT(first_->PutExecutionType(execution_type, &execution_type_id),
                IsOk());
    execution_type_id_ = execution_type_id.type_id();
  }

  PostgresOptions Options() const {
    PostgresOptions options;
    options.conninfo = cluster().ConnInfo(database_);
    return options;
  }

  std::unique_ptr<MetadataStore> OpenStore() {
    StoreOptions options;
    options.postgres = Options();
    absl::StatusOr<std::unique_ptr<MetadataStore>> store =
        MetadataStore::Open(options);
    EXPECT_THAT(store.status(), IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }

  // A PutExecution with one new output artifact (one event, lineage
  // changes); returns its commit position.
  int64_t WriteExecution(MetadataStore& store) {
    ml_metadata::PutExecutionRequest request;
    request.mutable_execution()->set_type_id(execution_type_id_);
    auto* pair = request.add_artifact_event_pairs();
    pair->mutable_artifact()->set_type_id(artifact_type_id_);
    pair->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
    ml_metadata::PutExecutionResponse response;
    CommitPositionScope commit;
    EXPECT_THAT(store.PutExecution(request, &response), IsOk());
    EXPECT_TRUE(commit.position().has_value());
    return commit.position().value_or(-1);
  }

  std::string database_;
  std::unique_ptr<MetadataStore> first_;
  std::unique_ptr<MetadataStore> second_;
  int64_t artifact_type_id_ = 0;
  int64_t execution_type_id_ = 0;
};

TEST_F(ChangeLogTest, WritesAreLoggedInCommitOrderWithTheirOrigin) {
  ASSERT_TRUE(first_->has_change_log());
  EXPECT_NE(first_->change_log_origin(), second_->change_log_origin());
  absl::StatusOr<std::unique_ptr<ChangeLogReader>> reader =
      second_->OpenChangeLogReader();
  ASSERT_THAT(reader.status(), IsOk());
  absl::StatusOr<int64_t> start = (*reader)->LatestPosition();
  ASSERT_THAT(start.status(), IsOk());

  const int64_t by_first = WriteExecution(*first_);
  const int64_t by_second = WriteExecution(*second_);
  EXPECT_GT(by_first, *start);
  EXPECT_GT(by_second, by_first);

  absl::StatusOr<ChangeLogBatch> batch = (*reader)->ReadAfter(*start, 100);
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_FALSE(batch->pruned_past);
  ASSERT_EQ(batch->entries.size(), 2u);
  EXPECT_EQ(batch->entries[0].position, by_first);
  EXPECT_EQ(batch->entries[0].origin, first_->change_log_origin());
  ASSERT_EQ(batch->entries[0].changes.events.size(), 1u);
  EXPECT_EQ(batch->entries[0].changes.events[0].type,
            ml_metadata::Event::OUTPUT);
  // Rows of the reader's own store come back whole too.
  EXPECT_EQ(batch->entries[1].position, by_second);
  EXPECT_EQ(batch->entries[1].origin, second_->change_log_origin());
  EXPECT_EQ(batch->entries[1].changes.events.size(), 1u);

  // A write that changes no lineage logs nothing and is positioned at the
  // latest commit, so its position still covers the writes before it.
  ml_metadata::PutArtifactsRequest artifacts;
  artifacts.add_artifacts()->set_type_id(artifact_type_id_);
  ml_metadata::PutArtifactsResponse artifact_ids;
  CommitPositionScope commit;
  ASSERT_THAT(first_->PutArtifacts(artifacts, &artifact_ids), IsOk());
  EXPECT_EQ(commit.position(), by_second);
  batch = (*reader)->ReadAfter(by_second, 100);
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_TRUE(batch->entries.empty());
}

// The property the followers rely on: while one writer has logged its row
// but not committed, no later writer can commit a row after it, so a
// reader never sees a position with an earlier one still to come.
TEST_F(ChangeLogTest, ALaterWriterWaitsForAnEarlierCommit) {
  absl::StatusOr<std::unique_ptr<PostgresConnection>> early =
      PostgresConnection::Open(Options());
  ASSERT_THAT(early.status(), IsOk());
  ASSERT_THAT((*early)->Begin(TransactionMode::kReadWrite), IsOk());
  absl::StatusOr<int64_t> early_position = 0;
  ASSERT_THAT(internal::AppendToChangeLog(**early, 42, SampleChanges(),
                                          &*early_position),
              IsOk());
  ASSERT_THAT((*early)->Flush(), IsOk());
  ASSERT_GT(*early_position, 0);

  std::atomic<int64_t> late_position{0};
  std::thread late([&] { late_position = WriteExecution(*first_); });
  absl::StatusOr<std::unique_ptr<ChangeLogReader>> reader =
      second_->OpenChangeLogReader();
  ASSERT_THAT(reader.status(), IsOk());
  // Give the late writer ample time to get as far as it can.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(late_position.load(), 0) << "the later write committed first";
  absl::StatusOr<ChangeLogBatch> batch =
      (*reader)->ReadAfter(*early_position - 1, 100);
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_TRUE(batch->entries.empty());

  ASSERT_THAT((*early)->Commit(), IsOk());
  late.join();
  EXPECT_GT(late_position.load(), *early_position);
  batch = (*reader)->ReadAfter(*early_position - 1, 100);
  ASSERT_THAT(batch.status(), IsOk());
  ASSERT_EQ(batch->entries.size(), 2u);
  EXPECT_EQ(batch->entries[0].position, *early_position);
  EXPECT_EQ(batch->entries[0].origin, 42);
  ExpectSameChanges(batch->entries[0].changes, SampleChanges());
  EXPECT_EQ(batch->entries[1].position, late_position.load());
}

TEST_F(ChangeLogTest, ARolledBackWriteLeavesNoRow) {
  absl::StatusOr<std::unique_ptr<ChangeLogReader>> reader =
      first_->OpenChangeLogReader();
  ASSERT_THAT(reader.status(), IsOk());
  absl::StatusOr<int64_t> start = (*reader)->LatestPosition();
  ASSERT_THAT(start.status(), IsOk());
  // An event on an execution that does not exist fails after nothing was
  // logged; a failing transaction must leave the log as it was.
  ml_metadata::PutEventsRequest request;
  auto* event = request.add_events();
  event->set_artifact_id(999999);
  event->set_execution_id(999999);
  event->set_type(ml_metadata::Event::INPUT);
  ml_metadata::PutEventsResponse response;
  CommitPositionScope commit;
  EXPECT_FALSE(first_->PutEvents(request, &response).ok());
  EXPECT_FALSE(commit.position().has_value());
  absl::StatusOr<ChangeLogBatch> batch = (*reader)->ReadAfter(*start, 100);
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_TRUE(batch->entries.empty());
}

TEST_F(ChangeLogTest, PruningMovesTheMarkAndALaggingReaderSeesIt) {
  absl::StatusOr<std::unique_ptr<ChangeLogReader>> reader =
      second_->OpenChangeLogReader();
  ASSERT_THAT(reader.status(), IsOk());
  const int64_t a = WriteExecution(*first_);
  const int64_t b = WriteExecution(*first_);
  // Nothing is old enough yet.
  absl::StatusOr<int64_t> pruned = (*reader)->Prune(absl::Hours(1));
  ASSERT_THAT(pruned.status(), IsOk());
  EXPECT_EQ(*pruned, 0);
  absl::StatusOr<ChangeLogBatch> batch = (*reader)->ReadAfter(a - 1, 100);
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_EQ(batch->entries.size(), 2u);

  absl::SleepFor(absl::Milliseconds(20));
  pruned = (*reader)->Prune(absl::Milliseconds(1));
  ASSERT_THAT(pruned.status(), IsOk());
  EXPECT_GE(*pruned, 2);
  // A reader that had not read them can no longer catch up from the log...
  batch = (*reader)->ReadAfter(a - 1, 100);
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_TRUE(batch->pruned_past);
  EXPECT_TRUE(batch->entries.empty());
  // ...and one that starts from the latest position can, although the log
  // is empty.
  absl::StatusOr<int64_t> latest = (*reader)->LatestPosition();
  ASSERT_THAT(latest.status(), IsOk());
  EXPECT_EQ(*latest, b);
  batch = (*reader)->ReadAfter(*latest, 100);
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_FALSE(batch->pruned_past);
  const int64_t c = WriteExecution(*first_);
  batch = (*reader)->ReadAfter(*latest, 100);
  ASSERT_THAT(batch.status(), IsOk());
  ASSERT_EQ(batch->entries.size(), 1u);
  EXPECT_EQ(batch->entries[0].position, c);
}

TEST_F(ChangeLogTest, WaitReturnsOnACommitAndOnInterrupt) {
  absl::StatusOr<std::unique_ptr<ChangeLogReader>> reader =
      second_->OpenChangeLogReader();
  ASSERT_THAT(reader.status(), IsOk());
  // Woken by the NOTIFY of a commit long before the timeout.
  absl::Notification returned;
  std::thread waiter([&] {
    EXPECT_THAT((*reader)->WaitForChanges(absl::Seconds(60)), IsOk());
    returned.Notify();
  });
  absl::SleepFor(absl::Milliseconds(100));
  WriteExecution(*first_);
  EXPECT_TRUE(returned.WaitForNotificationWithTimeout(absl::Seconds(30)));
  waiter.join();

  absl::Notification interrupted;
  std::thread sleeper([&] {
    EXPECT_THAT((*reader)->WaitForChanges(absl::Seconds(60)), IsOk());
    interrupted.Notify();
  });
  absl::SleepFor(absl::Milliseconds(100));
  (*reader)->Interrupt();
  EXPECT_TRUE(interrupted.WaitForNotificationWithTimeout(absl::Seconds(30)));
  sleeper.join();
}

}  // namespace
}  // namespace mlmdx::store
