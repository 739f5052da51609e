// ListOperationOptions without filter over gRPC (spec/listing.md §1-4,
// spec/api.md §3.4): page sizes, ordering, tokens and their errors.

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::ListOperationOptions;
using ::testing::ElementsAreArray;

class ListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    at_ = PutArtifactTypeOrDie(*stub_, "Data");
  }

  // One GetArtifacts page.
  absl::Status Page(const ListOperationOptions& options,
                    ml_metadata::GetArtifactsResponse* response) {
    ml_metadata::GetArtifactsRequest request;
    *request.mutable_options() = options;
    return MLMDX_CALL(*stub_, GetArtifacts, request, *response);
  }

  // Follows tokens from the first page to the end; fails the test on
  // an error or after `max_pages`. `between` runs after each page.
  std::vector<int64_t> Walk(ListOperationOptions options,
                            const std::function<void()>& between = nullptr,
                            int max_pages = 100) {
    std::vector<int64_t> ids;
    for (int page = 0; page < max_pages; ++page) {
      ml_metadata::GetArtifactsResponse response;
      EXPECT_THAT(Page(options, &response), IsOk());
      for (const auto& artifact : response.artifacts()) {
        ids.push_back(artifact.id());
      }
      if (response.next_page_token().empty()) return ids;
      EXPECT_LE(response.artifacts_size(), options.max_result_size());
      options.set_next_page_token(response.next_page_token());
      if (between) between();
    }
    ADD_FAILURE() << "paging did not end";
    return ids;
  }

  std::vector<ml_metadata::Artifact> AllArtifacts() {
    ml_metadata::GetArtifactsRequest request;
    ml_metadata::GetArtifactsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifacts, request, response), IsOk());
    return {response.artifacts().begin(), response.artifacts().end()};
  }

  // Creates `batches` batches of `per_batch` artifacts, a few ms apart, so
  // that create times form short runs of ties.
  std::vector<int64_t> PutBatches(int batches, int per_batch) {
    std::vector<int64_t> ids;
    for (int i = 0; i < batches; ++i) {
      for (int64_t id : PutArtifactsOrDie(*stub_, at_, per_batch)) {
        ids.push_back(id);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    return ids;
  }

  // Rewrites `id` with a new uri, bumping its last update time.
  void Touch(int64_t id, const std::string& uri) {
    ml_metadata::PutArtifactsRequest request;
    ml_metadata::Artifact* artifact = request.add_artifacts();
    artifact->set_id(id);
    artifact->set_type_id(at_);
    artifact->set_uri(uri);
    ml_metadata::PutArtifactsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
  int64_t at_ = 0;
};

ListOperationOptions Options(int size,
                             ListOperationOptions::OrderByField::Field field,
                             bool asc) {
  ListOperationOptions options;
  options.set_max_result_size(size);
  options.mutable_order_by_field()->set_field(field);
  options.mutable_order_by_field()->set_is_asc(asc);
  return options;
}

// Expected order of `artifacts` under (field, asc), ties broken by id.
std::vector<int64_t> Sorted(std::vector<ml_metadata::Artifact> artifacts,
                            ListOperationOptions::OrderByField::Field field,
                            bool asc) {
  const auto key = [field](const ml_metadata::Artifact& a) {
    switch (field) {
      case ListOperationOptions::OrderByField::CREATE_TIME:
        return std::pair(a.create_time_since_epoch(), a.id());
      case ListOperationOptions::OrderByField::LAST_UPDATE_TIME:
        return std::pair(a.last_update_time_since_epoch(), a.id());
      default:
        return std::pair(a.id(), a.id());
    }
  };
  std::sort(artifacts.begin(), artifacts.end(),
            [&](const auto& x, const auto& y) {
              return asc ? key(x) < key(y) : key(y) < key(x);
            });
  return IdsOf(artifacts);
}

constexpr ListOperationOptions::OrderByField::Field kFields[] = {
    ListOperationOptions::OrderByField::ID,
    ListOperationOptions::OrderByField::CREATE_TIME,
    ListOperationOptions::OrderByField::LAST_UPDATE_TIME};

TEST_F(ListingTest, NoOptionsReturnsAllRowsAscendingWithoutToken) {
  std::vector<int64_t> ids = PutArtifactsOrDie(*stub_, at_, 130);
  ml_metadata::GetArtifactsRequest request;
  ml_metadata::GetArtifactsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifacts, request, response), IsOk());
  EXPECT_THAT(IdsOf(response.artifacts()), ElementsAreArray(ids));
  EXPECT_FALSE(response.has_next_page_token());
}

TEST_F(ListingTest, DefaultPageSizeIsTwentyOnEveryListRpc) {
  const int64_t et = PutExecutionTypeOrDie(*stub_, "Exec");
  const int64_t ct = PutContextTypeOrDie(*stub_, "Ctx");
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, at_, 25);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, et, 25);
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, ct, 25);
  ml_metadata::PutAttributionsAndAssociationsRequest links;
  for (int i = 0; i < 25; ++i) {
    ml_metadata::Attribution* attribution = links.add_attributions();
    attribution->set_artifact_id(a[i]);
    attribution->set_context_id(c[0]);
    ml_metadata::Association* association = links.add_associations();
    association->set_execution_id(e[i]);
    association->set_context_id(c[0]);
  }
  ml_metadata::PutAttributionsAndAssociationsResponse links_response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutAttributionsAndAssociations, links, links_response),
      IsOk());
  const std::vector<int64_t> a20(a.begin(), a.begin() + 20);
  const std::vector<int64_t> e20(e.begin(), e.begin() + 20);
  const std::vector<int64_t> c20(c.begin(), c.begin() + 20);

  {
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options();
    ml_metadata::GetArtifactsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifacts, request, response), IsOk());
    EXPECT_THAT(IdsOf(response.artifacts()), ElementsAreArray(a20));
    EXPECT_FALSE(response.next_page_token().empty());
  }
  {
    ml_metadata::GetExecutionsRequest request;
    request.mutable_options();
    ml_metadata::GetExecutionsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutions, request, response), IsOk());
    EXPECT_THAT(IdsOf(response.executions()), ElementsAreArray(e20));
    EXPECT_FALSE(response.next_page_token().empty());
  }
  {
    ml_metadata::GetContextsRequest request;
    request.mutable_options();
    ml_metadata::GetContextsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetContexts, request, response), IsOk());
    EXPECT_THAT(IdsOf(response.contexts()), ElementsAreArray(c20));
    EXPECT_FALSE(response.next_page_token().empty());
  }
  {
    ml_metadata::GetArtifactsByTypeRequest request;
    request.set_type_name("Data");
    request.mutable_options();
    ml_metadata::GetArtifactsByTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByType, request, response),
                IsOk());
    EXPECT_THAT(IdsOf(response.artifacts()), ElementsAreArray(a20));
    EXPECT_FALSE(response.next_page_token().empty());
  }
  {
    ml_metadata::GetExecutionsByTypeRequest request;
    request.set_type_name("Exec");
    request.mutable_options();
    ml_metadata::GetExecutionsByTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByType, request, response),
                IsOk());
    EXPECT_THAT(IdsOf(response.executions()), ElementsAreArray(e20));
  }
  {
    ml_metadata::GetContextsByTypeRequest request;
    request.set_type_name("Ctx");
    request.mutable_options();
    ml_metadata::GetContextsByTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByType, request, response),
                IsOk());
    EXPECT_THAT(IdsOf(response.contexts()), ElementsAreArray(c20));
  }
  {
    ml_metadata::GetArtifactsByContextRequest request;
    request.set_context_id(c[0]);
    request.mutable_options();
    ml_metadata::GetArtifactsByContextResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByContext, request, response),
                IsOk());
    EXPECT_THAT(IdsOf(response.artifacts()), ElementsAreArray(a20));
    EXPECT_FALSE(response.next_page_token().empty());
  }
  {
    ml_metadata::GetExecutionsByContextRequest request;
    request.set_context_id(c[0]);
    request.mutable_options()->set_filter_query("");
    request.mutable_options()->set_next_page_token("");
    ml_metadata::GetExecutionsByContextResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, request, response),
                IsOk());
    EXPECT_THAT(IdsOf(response.executions()), ElementsAreArray(e20));
    EXPECT_FALSE(response.next_page_token().empty());
    // The second page holds the remaining 5 and no token.
    request.mutable_options()->set_next_page_token(response.next_page_token());
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, request, response),
                IsOk());
    EXPECT_THAT(IdsOf(response.executions()),
                ElementsAreArray(e.begin() + 20, e.end()));
    EXPECT_TRUE(response.next_page_token().empty());
  }
}

TEST_F(ListingTest, PageSizeCapQuirkQ6) {
  const std::vector<int64_t> ids = PutArtifactsOrDie(*stub_, at_, 110);
  for (int size : {100, 101, 102, 1000}) {
    ListOperationOptions options;
    options.set_max_result_size(size);
    ml_metadata::GetArtifactsResponse response;
    ASSERT_THAT(Page(options, &response), IsOk());
    const int expected = std::min(size, 101);
    EXPECT_THAT(IdsOf(response.artifacts()),
                ElementsAreArray(ids.begin(), ids.begin() + expected))
        << size;
    EXPECT_EQ(response.next_page_token().empty(), size > 100) << size;
  }
  // Same through *ByType.
  ml_metadata::GetArtifactsByTypeRequest request;
  request.set_type_name("Data");
  request.mutable_options()->set_max_result_size(102);
  ml_metadata::GetArtifactsByTypeResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByType, request, response),
              IsOk());
  EXPECT_EQ(response.artifacts_size(), 101);
  EXPECT_TRUE(response.has_next_page_token());
  EXPECT_EQ(response.next_page_token(), "");
}

TEST_F(ListingTest, SingleBigPageIsSortedUnderEveryOrdering) {
  PutBatches(8, 3);
  // Give last update times an order different from ids.
  for (int64_t id : {int64_t{5}, int64_t{2}, int64_t{17}}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    Touch(id, absl::StrCat("t", id));
  }
  const std::vector<ml_metadata::Artifact> all = AllArtifacts();
  ASSERT_EQ(all.size(), 24u);
  for (auto field : kFields) {
    for (bool asc : {true, false}) {
      ml_metadata::GetArtifactsResponse response;
      ASSERT_THAT(Page(Options(100, field, asc), &response), IsOk());
      EXPECT_THAT(IdsOf(response.artifacts()),
                  ElementsAreArray(Sorted(all, field, asc)))
          << field << " asc=" << asc;
      EXPECT_TRUE(response.next_page_token().empty());
    }
  }
}

TEST_F(ListingTest, WalkingPageByPageSeesEveryRowOnceUnderEveryOrdering) {
  PutBatches(10, 3);
  for (int64_t id : {int64_t{7}, int64_t{1}, int64_t{30}, int64_t{12}}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    Touch(id, absl::StrCat("t", id));
  }
  const std::vector<ml_metadata::Artifact> all = AllArtifacts();
  for (auto field : kFields) {
    for (bool asc : {true, false}) {
      for (int size : {1, 4, 7, 30}) {
        // A run of equal update times longer than a page repeats forever
        // (listing.md §4.2 quirk); runs here are 3 long.
        if (field == ListOperationOptions::OrderByField::LAST_UPDATE_TIME &&
            size < 3) {
          continue;
        }
        EXPECT_THAT(Walk(Options(size, field, asc)),
                    ElementsAreArray(Sorted(all, field, asc)))
            << field << " asc=" << asc << " size=" << size;
      }
    }
  }
}

TEST_F(ListingTest, WalkingWhileInsertingSkipsAndRepeatsNothing) {
  const std::vector<int64_t> original = PutBatches(6, 3);
  for (auto field : kFields) {
    for (bool asc : {true, false}) {
      std::vector<int64_t> inserted;
      const std::vector<int64_t> seen = Walk(Options(4, field, asc), [&]() {
        for (int64_t id : PutArtifactsOrDie(*stub_, at_, 1)) {
          inserted.push_back(id);
        }
      });
      const std::set<int64_t> distinct(seen.begin(), seen.end());
      EXPECT_EQ(distinct.size(), seen.size()) << field << " asc=" << asc;
      for (int64_t id : original) {
        EXPECT_EQ(distinct.count(id), 1u) << field << " asc=" << asc;
      }
      // Rows inserted behind the cursor of an ascending walk show up.
      if (asc) {
        for (int64_t id : inserted) EXPECT_EQ(distinct.count(id), 1u);
      }
      // Only original and inserted rows, in the walk's order.
      std::vector<int64_t> expected_order = seen;
      std::vector<ml_metadata::Artifact> listed;
      for (const auto& artifact : AllArtifacts()) {
        if (distinct.count(artifact.id())) listed.push_back(artifact);
      }
      EXPECT_THAT(seen, ElementsAreArray(Sorted(listed, field, asc)));
    }
  }
}

TEST_F(ListingTest, TokenErrors) {
  PutArtifactsOrDie(*stub_, at_, 10);
  ml_metadata::GetArtifactsResponse response;
  ASSERT_THAT(
      Page(Options(3, ListOperationOptions::OrderByField::ID, true), &response),
      IsOk());
  const std::string token = response.next_page_token();
  ASSERT_FALSE(token.empty());

  // The token must come back with the same order_by.
  ListOperationOptions other =
      Options(3, ListOperationOptions::OrderByField::ID, false);
  other.set_next_page_token(token);
  EXPECT_THAT(Page(other, &response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  other = Options(3, ListOperationOptions::OrderByField::CREATE_TIME, true);
  other.set_next_page_token(token);
  EXPECT_THAT(Page(other, &response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A different page size is fine.
  other = Options(5, ListOperationOptions::OrderByField::ID, true);
  other.set_next_page_token(token);
  ASSERT_THAT(Page(other, &response), IsOk());
  EXPECT_THAT(IdsOf(response.artifacts()), ElementsAreArray({4, 5, 6, 7, 8}));
  // Padded base64 is accepted too.
  other.set_next_page_token(token +
                            std::string((4 - token.size() % 4) % 4, '='));
  EXPECT_THAT(Page(other, &response), IsOk());

  for (const std::string forged : {"not a token!", "AAAA", "////", "%%"}) {
    other.set_next_page_token(forged);
    EXPECT_THAT(Page(other, &response),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << forged;
  }
}

// A run of equal update times longer than a page is walked once, in id
// order within the run (MLMD's listed_ids predicate would list the run's
// first pages again and again).
TEST_F(ListingTest, RunOfEqualUpdateTimesLongerThanAPageIsWalkedOnce) {
  const std::vector<int64_t> ids = PutArtifactsOrDie(*stub_, at_, 30);
  // Each node takes its own "now", so how many share one millisecond
  // depends on the machine's speed: give 20 of them one time outright.
  server_.ExecuteSql(absl::StrCat(
      "UPDATE Artifact SET last_update_time_since_epoch = "
      "(SELECT last_update_time_since_epoch FROM Artifact WHERE id = ",
      ids[5], ") WHERE id BETWEEN ", ids[5], " AND ", ids[24]));
  const std::vector<ml_metadata::Artifact> all = AllArtifacts();
  std::map<int64_t, int> run_lengths;
  for (const auto& artifact : all) {
    ++run_lengths[artifact.last_update_time_since_epoch()];
  }
  int longest = 0;
  for (const auto& [time, length] : run_lengths) {
    longest = std::max(longest, length);
  }
  ASSERT_GE(longest, 20) << "the shared update time did not take";
  for (bool asc : {true, false}) {
    EXPECT_THAT(
        Walk(Options(4, ListOperationOptions::OrderByField::LAST_UPDATE_TIME,
                     asc)),
        ElementsAreArray(Sorted(
            all, ListOperationOptions::OrderByField::LAST_UPDATE_TIME, asc)))
        << "asc=" << asc;
  }
}

// A LAST_UPDATE_TIME token as MLMD writes it (no id_offset; the ids listed
// at the last time instead) still resumes after the rows it names, so a
// client can carry a walk over from an MLMD server.
TEST_F(ListingTest, MlmdShapedUpdateTimeTokenIsAccepted) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(PutArtifactsOrDie(*stub_, at_, 1)[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  const std::vector<ml_metadata::Artifact> all = AllArtifacts();
  ASSERT_EQ(all.size(), 6u);
  const auto field = ListOperationOptions::OrderByField::LAST_UPDATE_TIME;
  ListOperationOptions options = Options(10, field, true);
  const std::vector<int64_t> order = Sorted(all, field, true);
  ml_metadata::ListOperationNextPageToken token;
  int64_t third_time = 0;
  for (const auto& artifact : all) {
    if (artifact.id() == order[2]) {
      third_time = artifact.last_update_time_since_epoch();
    }
  }
  token.set_field_offset(third_time);
  for (const auto& artifact : all) {
    if (artifact.last_update_time_since_epoch() == third_time) {
      token.add_listed_ids(artifact.id());
    }
  }
  *token.mutable_set_options() = options;
  std::string encoded;
  absl::WebSafeBase64Escape(token.SerializeAsString(), &encoded);
  options.set_next_page_token(encoded);
  ml_metadata::GetArtifactsResponse response;
  ASSERT_THAT(Page(options, &response), IsOk());
  std::vector<int64_t> expected;
  for (int64_t id : order) {
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const auto& a) { return a.id() == id; });
    if (it->last_update_time_since_epoch() > third_time) expected.push_back(id);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_THAT(IdsOf(response.artifacts()), ElementsAreArray(expected));
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(ListingTest, InvalidOptionsAreRejectedEvenOnEmptyTables) {
  ml_metadata::GetArtifactsResponse response;
  ListOperationOptions options;
  options.set_max_result_size(0);
  EXPECT_THAT(Page(options, &response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options.set_max_result_size(-3);
  EXPECT_THAT(Page(options, &response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      Page(Options(5, ListOperationOptions::OrderByField::FIELD_UNSPECIFIED,
                   true),
           &response),
      StatusIs(absl::StatusCode::kInvalidArgument));

  ml_metadata::GetExecutionsRequest request;
  request.mutable_options()->set_max_result_size(0);
  ml_metadata::GetExecutionsResponse executions;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetExecutions, request, executions),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ListingTest, ByTypeSetsTokenFieldOnlyWhenTheTypeHasNodes) {
  PutArtifactTypeOrDie(*stub_, "Empty");
  PutArtifactsOrDie(*stub_, at_, 3);
  ml_metadata::GetArtifactsByTypeRequest request;
  request.set_type_name("Data");
  request.mutable_options()->set_max_result_size(10);
  ml_metadata::GetArtifactsByTypeResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByType, request, response),
              IsOk());
  EXPECT_EQ(response.artifacts_size(), 3);
  EXPECT_TRUE(response.has_next_page_token());
  EXPECT_EQ(response.next_page_token(), "");

  // Without options: no token field.
  request.clear_options();
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByType, request, response),
              IsOk());
  EXPECT_FALSE(response.has_next_page_token());

  // A type without nodes, or an unknown one: empty, no token, and invalid
  // options go unnoticed.
  for (const char* type : {"Empty", "Unknown"}) {
    request.set_type_name(type);
    request.mutable_options()->set_max_result_size(0);
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByType, request, response),
                IsOk());
    EXPECT_EQ(response.artifacts_size(), 0);
    EXPECT_FALSE(response.has_next_page_token());
  }
}

TEST_F(ListingTest, FilterQueryRestrictsAndPagesWithinTheMatches) {
  const std::vector<int64_t> ids = PutArtifactsOrDie(*stub_, at_, 30);
  ListOperationOptions options;
  options.set_filter_query(
      absl::StrCat("id > ", ids[9], " AND id <= ", ids[24]));
  options.set_max_result_size(10);
  options.mutable_order_by_field()->set_is_asc(false);
  ml_metadata::GetArtifactsResponse response;
  ASSERT_THAT(Page(options, &response), IsOk());
  ASSERT_EQ(response.artifacts_size(), 10);
  EXPECT_EQ(response.artifacts(0).id(), ids[24]);
  EXPECT_EQ(response.artifacts(9).id(), ids[15]);
  ASSERT_TRUE(response.has_next_page_token());
  options.set_next_page_token(response.next_page_token());
  ASSERT_THAT(Page(options, &response), IsOk());
  ASSERT_EQ(response.artifacts_size(), 5);
  EXPECT_EQ(response.artifacts(4).id(), ids[10]);
  EXPECT_FALSE(response.has_next_page_token());
  // An empty filter is no filter.
  options.Clear();
  options.set_filter_query("");
  options.set_max_result_size(100);
  ASSERT_THAT(Page(options, &response), IsOk());
  EXPECT_EQ(response.artifacts_size(), 30);
}

TEST_F(ListingTest, BadFilterQueryIsInvalidArgumentWithItsPosition) {
  PutArtifactsOrDie(*stub_, at_, 2);
  ListOperationOptions options;
  options.set_filter_query("uri = 'a' AND");
  ml_metadata::GetArtifactsResponse response;
  const absl::Status status = Page(options, &response);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(status.message().find("filter_query"), std::string::npos) << status;
  EXPECT_NE(status.message().find("column"), std::string::npos) << status;
  EXPECT_NE(status.message().find("^"), std::string::npos) << status;
}

}  // namespace
}  // namespace mlmdx::testing
