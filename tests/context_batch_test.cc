// GetParentContextsByContexts / GetChildrenContextsByContexts: MLMD's server
// never served them; mlmdx follows MLMD's library semantics (spec/api.md
// §3.6): an entry only for ids with at least one linked context, unknown ids
// absent, an empty id list INVALID_ARGUMENT.

#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

class ContextBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    ml_metadata::PutContextTypeRequest type;
    type.mutable_context_type()->set_name("C");
    ml_metadata::PutContextTypeResponse type_id;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutContextType, type, type_id), IsOk());
    // p1 and p2 are parents of c1; p1 is the parent of c2; c3 stands alone.
    ml_metadata::PutContextsRequest contexts;
    for (const char* name : {"p1", "p2", "c1", "c2", "c3"}) {
      auto* context = contexts.add_contexts();
      context->set_type_id(type_id.type_id());
      context->set_name(name);
    }
    ml_metadata::PutContextsResponse ids;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, contexts, ids), IsOk());
    for (int i = 0; i < 5; ++i)
      id_[contexts.contexts(i).name()] = ids.context_ids(i);
    ml_metadata::PutParentContextsRequest links;
    for (auto [child, parent] : {std::pair("c1", "p1"), std::pair("c1", "p2"),
                                 std::pair("c2", "p1")}) {
      auto* link = links.add_parent_contexts();
      link->set_child_id(id_[child]);
      link->set_parent_id(id_[parent]);
    }
    ml_metadata::PutParentContextsResponse done;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutParentContexts, links, done), IsOk());
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  std::map<std::string, int64_t> id_;
};

std::vector<std::string> Names(
    const google::protobuf::RepeatedPtrField<ml_metadata::Context>& contexts) {
  std::vector<std::string> names;
  for (const auto& context : contexts) names.push_back(context.name());
  return names;
}

TEST_F(ContextBatchTest, ParentsPerChild) {
  ml_metadata::GetParentContextsByContextsRequest request;
  for (const char* name : {"c1", "c2", "c3", "p1"}) {
    request.add_context_ids(id_[name]);
  }
  request.add_context_ids(424242);
  ml_metadata::GetParentContextsByContextsResponse response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetParentContextsByContexts, request, response),
      IsOk());
  ASSERT_EQ(response.contexts_size(), 2);  // c3, p1 and 424242 have none.
  EXPECT_EQ(Names(response.contexts().at(id_["c1"]).parent_contexts()),
            (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(Names(response.contexts().at(id_["c2"]).parent_contexts()),
            (std::vector<std::string>{"p1"}));
  // Full contexts, not just ids.
  const auto& p1 = response.contexts().at(id_["c2"]).parent_contexts(0);
  EXPECT_EQ(p1.type(), "C");
  EXPECT_TRUE(p1.has_create_time_since_epoch());
}

TEST_F(ContextBatchTest, ChildrenPerParent) {
  ml_metadata::GetChildrenContextsByContextsRequest request;
  for (const char* name : {"p1", "p2", "c1"})
    request.add_context_ids(id_[name]);
  ml_metadata::GetChildrenContextsByContextsResponse response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetChildrenContextsByContexts, request, response),
      IsOk());
  ASSERT_EQ(response.contexts_size(), 2);
  EXPECT_EQ(Names(response.contexts().at(id_["p1"]).children_contexts()),
            (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(Names(response.contexts().at(id_["p2"]).children_contexts()),
            (std::vector<std::string>{"c1"}));
}

TEST_F(ContextBatchTest, EmptyAndOversizedIdListsAreInvalid) {
  ml_metadata::GetParentContextsByContextsRequest empty;
  ml_metadata::GetParentContextsByContextsResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetParentContextsByContexts, empty, response),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ml_metadata::GetChildrenContextsByContextsRequest huge;
  for (int i = 0; i < 10001; ++i) huge.add_context_ids(i + 1);
  ml_metadata::GetChildrenContextsByContextsResponse children;
  const absl::Status status =
      MLMDX_CALL(*stub_, GetChildrenContextsByContexts, huge, children);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(status.message().find("context_ids"), std::string::npos);
}

}  // namespace
}  // namespace mlmdx::testing
