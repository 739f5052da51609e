// File: engine/lineage_engine_test.cc
// -----------------------------------------------------------------------------
//
// LineageEngine over a real store (a SQLite file, and the in-memory store):
// when applying a committed write to the index fails, the engine reloads
// the index from the database before the write returns, so the next query
// sees the whole write, never a part of it.

#include "engine/lineage_engine.h"

#include <stdlib.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/metadata_store.h"
#include "tests/test_util.h"

namespace mlmdx::engine {
namespace {

using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::ParseTextProto;
using ::testing::ElementsAre;

std::unique_ptr<store::MetadataStore> OpenStore(bool on_file) {
  store::StoreOptions options;
  if (on_file) {
    char dir[] = "/tmp/mlmdx_engine_test_XXXXXX";
    options.sqlite.filename_uri = std::string(mkdtemp(dir)) + "/db.sqlite";
  }
  auto store = store::MetadataStore::Open(options);
  EXPECT_THAT(store.status(), IsOk());
  return std::move(*store);
}

// One execution reading `inputs` new artifacts and writing `outputs` new
// ones; returns the execution's id.
int64_t PutRun(store::MetadataStore& store, int64_t artifact_type,
               int64_t execution_type, int inputs, int outputs) {
  ml_metadata::PutExecutionRequest request;
  request.mutable_execution()->set_type_id(execution_type);
  for (int i = 0; i < inputs + outputs; ++i) {
    auto* pair = request.add_artifact_event_pairs();
    pair->mutable_artifact()->set_type_id(artifact_type);
    pair->mutable_event()->set_type(i < inputs ? ml_metadata::Event::INPUT
                                               : ml_metadata::Event::OUTPUT);
    pair->mutable_event()->mutable_path()->add_steps()->set_index(i);
  }
  ml_metadata::PutExecutionResponse response;
  EXPECT_THAT(store.PutExecution(request, &response), IsOk());
  return response.execution_id();
}

ml_metadata::GetLineageSubgraphResponse FromExecution(LineageEngine& engine,
                                                      int64_t execution_id,
                                                      absl::Status* status) {
  ml_metadata::GetLineageSubgraphRequest request;
  request.mutable_lineage_subgraph_query_options()
      ->mutable_starting_executions()
      ->set_filter_query("id = " + std::to_string(execution_id));
  request.mutable_read_mask()->add_paths("events");
  request.mutable_read_mask()->add_paths("artifacts");
  ml_metadata::GetLineageSubgraphResponse response;
  *status = engine.GetLineageSubgraph(request, &response);
  return response;
}

class LineageEngineRebuildTest : public ::testing::TestWithParam<bool> {};

TEST_P(LineageEngineRebuildTest, FailedApplyIsRepairedBeforeTheWriteReturns) {
  std::unique_ptr<store::MetadataStore> store = OpenStore(GetParam());
  auto types = ParseTextProto<ml_metadata::PutTypesRequest>(
      "artifact_types { name: 'A' } execution_types { name: 'E' }");
  ml_metadata::PutTypesResponse type_ids;
  ASSERT_THAT(store->PutTypes(types, &type_ids), IsOk());
  const int64_t artifact_type = type_ids.artifact_type_ids(0);
  const int64_t execution_type = type_ids.execution_type_ids(0);
  const int64_t first = PutRun(*store, artifact_type, execution_type, 1, 1);

  auto engine = LineageEngine::Start(store.get());
  ASSERT_THAT(engine.status(), IsOk());
  EXPECT_EQ((*engine)->index().event_count(), 2u);

  // The write commits; applying it stops half-way; the engine reloads.
  (*engine)->FailNextIndexApplyForTesting();
  const int64_t second = PutRun(*store, artifact_type, execution_type, 2, 4);
  EXPECT_TRUE((*engine)->index().usable());
  EXPECT_EQ((*engine)->index().event_count(), 8u);

  absl::Status status;
  const auto answer = FromExecution(**engine, second, &status);
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(answer.lineage_subgraph().artifacts_size(), 6);
  ASSERT_EQ(answer.lineage_subgraph().events_size(), 6);
  // Events come from the reloaded index with their paths.
  std::vector<int64_t> indexes;
  for (const auto& event : answer.lineage_subgraph().events()) {
    ASSERT_EQ(event.path().steps_size(), 1);
    indexes.push_back(event.path().steps(0).index());
    EXPECT_TRUE(event.has_milliseconds_since_epoch());
  }
  std::sort(indexes.begin(), indexes.end());
  EXPECT_THAT(indexes, ElementsAre(0, 1, 2, 3, 4, 5));

  // Later writes apply normally, and the graph equals one loaded afresh.
  const int64_t third = PutRun(*store, artifact_type, execution_type, 1, 1);
  EXPECT_EQ((*engine)->index().event_count(), 10u);
  auto fresh = LineageEngine::Start(store.get());
  ASSERT_THAT(fresh.status(), IsOk());
  for (int64_t execution : {first, second, third}) {
    absl::Status kept_status, fresh_status;
    const auto kept = FromExecution(**engine, execution, &kept_status);
    const auto loaded = FromExecution(**fresh, execution, &fresh_status);
    ASSERT_THAT(kept_status, IsOk());
    ASSERT_THAT(fresh_status, IsOk());
    EXPECT_EQ(kept.SerializeAsString(), loaded.SerializeAsString())
        << execution;
  }
}

// An index built without event details (the CLI's) answers exactly as one
// with them: the answer's events, paths (several steps, keys and indexes,
// and none) and times included, are read from the database instead.
TEST(LineageEngineTest, WithoutEventDetailsAnswersTheSame) {
  std::unique_ptr<store::MetadataStore> store = OpenStore(/*on_file=*/true);
  auto types = ParseTextProto<ml_metadata::PutTypesRequest>(
      "artifact_types { name: 'A' } execution_types { name: 'E' }");
  ml_metadata::PutTypesResponse type_ids;
  ASSERT_THAT(store->PutTypes(types, &type_ids), IsOk());
  std::vector<int64_t> executions;
  for (int i = 0; i < 3; ++i) {
    executions.push_back(PutRun(*store, type_ids.artifact_type_ids(0),
                                type_ids.execution_type_ids(0), 2, 3));
  }
  auto request = ParseTextProto<ml_metadata::PutExecutionRequest>(
      "artifact_event_pairs { artifact { type_id: " +
      std::to_string(type_ids.artifact_type_ids(0)) +
      " } event { type: OUTPUT path { steps { key: 'a' } steps { index: 3 } "
      "steps { key: 'b' } } } } "
      "artifact_event_pairs { artifact { type_id: " +
      std::to_string(type_ids.artifact_type_ids(0)) +
      " } event { type: INPUT } }");
  request.mutable_execution()->set_type_id(type_ids.execution_type_ids(0));
  ml_metadata::PutExecutionResponse put;
  ASSERT_THAT(store->PutExecution(request, &put), IsOk());
  executions.push_back(put.execution_id());

  auto with = LineageEngine::Start(store.get());
  ASSERT_THAT(with.status(), IsOk());
  LineageEngineOptions options;
  options.hold_event_details = false;
  auto without = LineageEngine::Start(store.get(), options);
  ASSERT_THAT(without.status(), IsOk());
  EXPECT_EQ((*without)->index().event_count(), (*with)->index().event_count());
  for (int64_t execution : executions) {
    absl::Status with_status, without_status;
    const auto a = FromExecution(**with, execution, &with_status);
    const auto b = FromExecution(**without, execution, &without_status);
    ASSERT_THAT(with_status, IsOk());
    ASSERT_THAT(without_status, IsOk());
    EXPECT_GT(a.lineage_subgraph().events_size(), 0);
    EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString()) << execution;
  }
}

INSTANTIATE_TEST_SUITE_P(FileAndInMemoryStore, LineageEngineRebuildTest,
                         ::testing::Bool(), [](const auto& info) {
                           return info.param ? "SqliteFile" : "InMemory";
                         });

}  // namespace
}  // namespace mlmdx::engine
