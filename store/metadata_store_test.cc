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
