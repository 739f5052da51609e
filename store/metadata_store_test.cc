// MetadataStore used directly (no server), on a real SQLite file: the
// transaction guarantees that the RPC suites cannot observe from outside.

#include "store/metadata_store.h"

#include <cstdlib>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::ParseTextProto;
using ::mlmdx::testing::StatusIs;

std::unique_ptr<MetadataStore> OpenFileStore() {
  char dir[] = "/tmp/mlmdx_store_test_XXXXXX";
  StoreOptions options;
  options.sqlite.filename_uri = std::string(mkdtemp(dir)) + "/db.sqlite";
  auto store = MetadataStore::Open(options);
  EXPECT_THAT(store.status(), IsOk());
  return std::move(*store);
}

int64_t PutType(MetadataStore& store, const std::string& name) {
  auto request = ParseTextProto<ml_metadata::PutArtifactTypeRequest>(
      "artifact_type { name: '" + name +
      "' properties { key: 'p' value: INT } }");
  ml_metadata::PutArtifactTypeResponse response;
  EXPECT_THAT(store.PutArtifactType(request, &response), IsOk());
  return response.type_id();
}

TEST(MetadataStoreTest, FailedPutArtifactsWritesNothingAndClearsResponse) {
  auto store = OpenFileStore();
  const int64_t type_id = PutType(*store, "T");
  ml_metadata::PutArtifactsRequest request;
  auto* good = request.add_artifacts();
  good->set_type_id(type_id);
  good->set_uri("ok");
  auto* bad = request.add_artifacts();
  bad->set_type_id(type_id);
  (*bad->mutable_properties())["p"].set_string_value("not an int");
  ml_metadata::PutArtifactsResponse response;
  response.add_artifact_ids(42);  // Must not survive a failed call.
  EXPECT_THAT(store->PutArtifacts(request, &response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(response.artifact_ids_size(), 0);

  ml_metadata::GetArtifactsResponse all;
  ASSERT_THAT(store->GetArtifacts({}, &all), IsOk());
  EXPECT_EQ(all.artifacts_size(), 0);
}

TEST(MetadataStoreTest, ConcurrentWritersAndReadersAllSucceed) {
  auto store = OpenFileStore();
  const int64_t type_id = PutType(*store, "T");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ml_metadata::PutArtifactsRequest put;
        auto* artifact = put.add_artifacts();
        artifact->set_type_id(type_id);
        artifact->set_name("a" + std::to_string(t) + "_" + std::to_string(i));
        ml_metadata::PutArtifactsResponse put_response;
        if (!store->PutArtifacts(put, &put_response).ok()) ++failures;
        ml_metadata::GetArtifactsByIDRequest get;
        get.add_artifact_ids(put_response.artifact_ids(0));
        ml_metadata::GetArtifactsByIDResponse got;
        if (!store->GetArtifactsByID(get, &got).ok() ||
            got.artifacts_size() != 1 ||
            got.artifacts(0).name() != artifact->name()) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ml_metadata::GetArtifactsResponse all;
  ASSERT_THAT(store->GetArtifacts({}, &all), IsOk());
  EXPECT_EQ(all.artifacts_size(), kThreads * kPerThread);
  for (int i = 1; i < all.artifacts_size(); ++i) {
    EXPECT_LT(all.artifacts(i - 1).id(), all.artifacts(i).id());
  }
  // Every call is over: each connection the pool opened is idle again, and
  // it never opened more than its limit (the default 8).
  const MetadataStore::PoolStats pool = store->pool_stats();
  EXPECT_EQ(pool.limit, 8);
  EXPECT_GE(pool.open, 1);
  EXPECT_LE(pool.open, pool.limit);
  EXPECT_EQ(pool.idle, pool.open);
}

TEST(MetadataStoreTest, InMemoryStoreKeepsDataForItsLifetime) {
  auto store = MetadataStore::Open({});
  ASSERT_THAT(store.status(), IsOk());
  const int64_t type_id = PutType(**store, "T");
  EXPECT_EQ(type_id, 10);
  ml_metadata::GetArtifactTypesResponse types;
  ASSERT_THAT((*store)->GetArtifactTypes({}, &types), IsOk());
  ASSERT_EQ(types.artifact_types_size(), 1);
  EXPECT_EQ(types.artifact_types(0).name(), "T");
}

}  // namespace
}  // namespace mlmdx::store

namespace mlmdx::store {
namespace {

// A store with one artifact type, one execution type and one context type.
struct LineageFixture {
  std::unique_ptr<MetadataStore> store = OpenFileStore();
  int64_t artifact_type = 0, execution_type = 0, context_type = 0;

  LineageFixture() {
    auto types = ParseTextProto<ml_metadata::PutTypesRequest>(
        "artifact_types { name: 'A' } execution_types { name: 'E' } "
        "context_types { name: 'C' }");
    ml_metadata::PutTypesResponse ids;
    EXPECT_THAT(store->PutTypes(types, &ids), IsOk());
    artifact_type = ids.artifact_type_ids(0);
    execution_type = ids.execution_type_ids(0);
    context_type = ids.context_type_ids(0);
  }

  // PutExecution with one input artifact, one output artifact, one context.
  ml_metadata::PutExecutionResponse Run(const std::string& context_name) {
    ml_metadata::PutExecutionRequest request;
    request.mutable_execution()->set_type_id(execution_type);
    for (auto type : {ml_metadata::Event::INPUT, ml_metadata::Event::OUTPUT}) {
      auto* pair = request.add_artifact_event_pairs();
      pair->mutable_artifact()->set_type_id(artifact_type);
      pair->mutable_artifact()->set_uri(context_name + "/" +
                                        ml_metadata::Event::Type_Name(type));
      pair->mutable_event()->set_type(type);
      // Paths of every shape: keys, indexes, a step with neither, none.
      auto* path = pair->mutable_event()->mutable_path();
      if (type == ml_metadata::Event::INPUT) {
        path->add_steps()->set_key(context_name);
        path->add_steps();
        path->add_steps()->set_index(static_cast<int64_t>(context_name.size()));
      }
    }
    auto* context = request.add_contexts();
    context->set_type_id(context_type);
    context->set_name(context_name);
    request.mutable_options()->set_reuse_context_if_already_exist(true);
    ml_metadata::PutExecutionResponse response;
    EXPECT_THAT(store->PutExecution(request, &response), IsOk());
    return response;
  }
};

TEST(MetadataStoreLineageTest, ListenerSeesExactlyTheNewRowsInCommitOrder) {
  LineageFixture f;
  std::vector<LineageChanges> seen;
  f.store->SetCommitListener(
      [&seen](const LineageChanges& changes) { seen.push_back(changes); });
  const auto first = f.Run("run");
  const auto second = f.Run("run");  // Same context: one new association.
  ASSERT_EQ(seen.size(), 2u);
  ASSERT_EQ(seen[0].events.size(), 2u);
  EXPECT_EQ(seen[0].events[0].artifact_id, first.artifact_ids(0));
  EXPECT_EQ(seen[0].events[0].execution_id, first.execution_id());
  EXPECT_EQ(seen[0].events[0].type, ml_metadata::Event::INPUT);
  EXPECT_EQ(seen[0].events[1].type, ml_metadata::Event::OUTPUT);
  EXPECT_LT(seen[0].events[0].id, seen[0].events[1].id);
  EXPECT_EQ(seen[0].associations.size(), 1u);
  EXPECT_EQ(seen[0].attributions.size(), 2u);
  EXPECT_EQ(seen[1].associations,
            (std::vector<std::pair<int64_t, int64_t>>{
                {second.context_ids(0), second.execution_id()}}));
  EXPECT_GT(seen[1].events[0].id, seen[0].events[1].id);

  // A write that adds nothing to the graph is not reported; a failed write
  // is not reported either.
  ml_metadata::PutAttributionsAndAssociationsRequest again;
  auto* link = again.add_associations();
  link->set_context_id(first.context_ids(0));
  link->set_execution_id(first.execution_id());
  ml_metadata::PutAttributionsAndAssociationsResponse none;
  ASSERT_THAT(f.store->PutAttributionsAndAssociations(again, &none), IsOk());
  ml_metadata::PutEventsRequest duplicate;
  auto* event = duplicate.add_events();
  event->set_artifact_id(first.artifact_ids(0));
  event->set_execution_id(first.execution_id());
  event->set_type(ml_metadata::Event::INPUT);
  ml_metadata::PutEventsResponse ignored;
  EXPECT_THAT(f.store->PutEvents(duplicate, &ignored),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(seen.size(), 2u);
}

TEST(MetadataStoreLineageTest, ScanReturnsEveryRowInBatches) {
  LineageFixture f;
  for (int i = 0; i < 7; ++i) f.Run("run" + std::to_string(i % 3));
  ml_metadata::PutParentContextsRequest parents;
  auto* link = parents.add_parent_contexts();
  link->set_child_id(2);
  link->set_parent_id(1);
  ml_metadata::PutParentContextsResponse ok;
  ASSERT_THAT(f.store->PutParentContexts(parents, &ok), IsOk());

  LineageChanges all;
  int batches = 0;
  ASSERT_THAT(f.store->ScanLineage(
                  [&](const LineageChanges& batch) {
                    ++batches;
                    for (const auto& e : batch.events) all.events.push_back(e);
                    all.attributions.insert(all.attributions.end(),
                                            batch.attributions.begin(),
                                            batch.attributions.end());
                    all.associations.insert(all.associations.end(),
                                            batch.associations.begin(),
                                            batch.associations.end());
                    all.parent_contexts.insert(all.parent_contexts.end(),
                                               batch.parent_contexts.begin(),
                                               batch.parent_contexts.end());
                    return absl::OkStatus();
                  },
                  /*batch_size=*/4),
              IsOk());
  EXPECT_EQ(all.events.size(), 14u);
  for (size_t i = 1; i < all.events.size(); ++i) {
    EXPECT_LT(all.events[i - 1].id, all.events[i].id);
  }
  EXPECT_EQ(all.associations.size(), 7u);
  EXPECT_EQ(all.attributions.size(), 14u);
  EXPECT_EQ(all.parent_contexts,
            (std::vector<std::pair<int64_t, int64_t>>{{2, 1}}));
  EXPECT_GE(batches, 4 + 1 + 2 + 1);
}

// Contexts' namespaces reach the index: a write reports each context it
// put in a namespace, moved or took out of one, and the scan reports every
// context that is in one.
TEST(MetadataStoreLineageTest, ListenerAndScanCarryContextNamespaces) {
  LineageFixture f;
  std::vector<std::pair<int64_t, std::string>> heard;
  f.store->SetCommitListener([&heard](const LineageChanges& changes) {
    heard.insert(heard.end(), changes.context_namespaces.begin(),
                 changes.context_namespaces.end());
  });
  const auto put = [&](const std::string& text) {
    auto request = ParseTextProto<ml_metadata::PutContextsRequest>(text);
    for (auto& context : *request.mutable_contexts()) {
      context.set_type_id(f.context_type);
    }
    ml_metadata::PutContextsResponse response;
    EXPECT_THAT(f.store->PutContexts(request, &response), IsOk());
    return std::vector<int64_t>(response.context_ids().begin(),
                                response.context_ids().end());
  };
  const std::vector<int64_t> ids =
      put("contexts { name: 'a' custom_properties { key: 'namespace' value { "
          "string_value: 'team-a' } } } "
          "contexts { name: 'none' } "
          "contexts { name: 'int' custom_properties { key: 'namespace' value { "
          "int_value: 3 } } } "
          "contexts { name: 'b' custom_properties { key: 'namespace' value { "
          "string_value: 'team-b' } } }");
  ASSERT_EQ(ids.size(), 4u);
  using Entries = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(heard, (Entries{{ids[0], "team-a"}, {ids[3], "team-b"}}));
  heard.clear();

  // Moved, unchanged (another property changes), taken out.
  put("contexts { id: " + std::to_string(ids[0]) +
      " name: 'a' custom_properties { key: 'namespace' value { "
      "string_value: 'team-c' } } } "
      "contexts { id: " +
      std::to_string(ids[3]) +
      " name: 'b' custom_properties { key: 'namespace' value { "
      "string_value: 'team-b' } } custom_properties { key: 'x' value { "
      "int_value: 1 } } } "
      "contexts { id: " +
      std::to_string(ids[1]) +
      " name: 'none' custom_properties { key: 'namespace' value { "
      "string_value: 'team-a' } } }");
  EXPECT_EQ(heard, (Entries{{ids[0], "team-c"}, {ids[1], "team-a"}}));
  heard.clear();
  put("contexts { id: " + std::to_string(ids[1]) + " name: 'none' }");
  EXPECT_EQ(heard, (Entries{{ids[1], ""}}));

  Entries scanned;
  ASSERT_THAT(f.store->ScanLineage(
                  [&](const LineageChanges& batch) {
                    scanned.insert(scanned.end(),
                                   batch.context_namespaces.begin(),
                                   batch.context_namespaces.end());
                    return absl::OkStatus();
                  },
                  /*batch_size=*/1),
              IsOk());
  EXPECT_EQ(scanned, (Entries{{ids[0], "team-c"}, {ids[3], "team-b"}}));
}

// The listener and the start-up scan report each event's time and path as
// the event reads return them, so the index can answer without reading.
TEST(MetadataStoreLineageTest, ListenerAndScanCarryTimeAndPath) {
  LineageFixture f;
  std::map<int64_t, LineageChanges::Event> heard;
  f.store->SetCommitListener([&heard](const LineageChanges& changes) {
    for (const auto& e : changes.events) heard[e.id] = e;
  });
  for (const char* name : {"a", "bb", "ccc"}) f.Run(name);
  ASSERT_EQ(heard.size(), 6u);
  std::map<int64_t, LineageChanges::Event> scanned;
  ASSERT_THAT(f.store->ScanLineage(
                  [&](const LineageChanges& batch) {
                    for (const auto& e : batch.events) scanned[e.id] = e;
                    return absl::OkStatus();
                  },
                  /*batch_size=*/4),
              IsOk());
  ASSERT_EQ(scanned.size(), 6u);
  std::vector<int64_t> ids;
  for (const auto& [id, e] : heard) ids.push_back(id);
  auto read = f.store->GetEventsById(ids);
  ASSERT_THAT(read.status(), IsOk());
  ASSERT_EQ(read->size(), ids.size());
  int with_path = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const LineageChanges::Event& h = heard[ids[i]];
    const LineageChanges::Event& s = scanned[ids[i]];
    const ml_metadata::Event& event = (*read)[i];
    EXPECT_TRUE(h.has_milliseconds_since_epoch);
    EXPECT_TRUE(s.has_milliseconds_since_epoch);
    EXPECT_EQ(h.milliseconds_since_epoch, event.milliseconds_since_epoch());
    EXPECT_EQ(s.milliseconds_since_epoch, event.milliseconds_since_epoch());
    EXPECT_EQ(h.path, event.path().SerializeAsString()) << ids[i];
    EXPECT_EQ(s.path, event.path().SerializeAsString()) << ids[i];
    if (event.path().steps_size() > 0) {
      ++with_path;
      EXPECT_EQ(event.path().steps_size(), 2);  // the empty step is dropped
    }
  }
  EXPECT_EQ(with_path, 3);
}

TEST(MetadataStoreLineageTest, FiltersSelectStartingAndEndingNodes) {
  LineageFixture f;
  std::vector<int64_t> outputs;
  for (int i = 0; i < 5; ++i) outputs.push_back(f.Run("r").artifact_ids(1));
  using Kind = MetadataStore::NodeKind;
  auto found =
      f.store->FindNodeIdsByFilter(Kind::kArtifact, "uri LIKE '%OUTPUT'", 3);
  ASSERT_THAT(found.status(), IsOk());
  EXPECT_EQ(*found, std::vector<int64_t>(outputs.begin(), outputs.begin() + 3));
  EXPECT_THAT(
      f.store->FindNodeIdsByFilter(Kind::kArtifact, "uri ==", 3).status(),
      StatusIs(absl::StatusCode::kInvalidArgument));

  auto matched = f.store->FilterNodeIds(Kind::kArtifact, "uri LIKE '%OUTPUT'",
                                        {1, 2, outputs[4], 999});
  ASSERT_THAT(matched.status(), IsOk());
  EXPECT_EQ(*matched, std::vector<int64_t>({2, outputs[4]}));
  auto all = f.store->FilterNodeIds(Kind::kArtifact, "", {1, 2, 999});
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_EQ(*all, std::vector<int64_t>({1, 2}));
}

TEST(MetadataStoreLineageTest, EventsByIdKeepRequestOrderAndPaths) {
  LineageFixture f;
  f.Run("r");
  std::vector<int64_t> ids;
  ASSERT_THAT(f.store->ScanLineage([&](const LineageChanges& batch) {
    for (const auto& e : batch.events) ids.push_back(e.id);
    return absl::OkStatus();
  }),
              IsOk());
  ASSERT_EQ(ids.size(), 2u);
  auto events = f.store->GetEventsById({ids[1], 12345, ids[0]});
  ASSERT_THAT(events.status(), IsOk());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].type(), ml_metadata::Event::OUTPUT);
  EXPECT_EQ((*events)[1].type(), ml_metadata::Event::INPUT);
  EXPECT_TRUE((*events)[0].has_milliseconds_since_epoch());

  ml_metadata::LineageGraph types;
  ASSERT_THAT(f.store->GetLineageTypes(&types), IsOk());
  EXPECT_EQ(types.artifact_types_size(), 5);   // 4 simple + A
  EXPECT_EQ(types.execution_types_size(), 6);  // 5 simple + E
  EXPECT_EQ(types.context_types_size(), 1);
  EXPECT_FALSE(types.artifact_types(4).has_external_id());
}

}  // namespace
}  // namespace mlmdx::store
