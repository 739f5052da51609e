// filter_query through the real list RPCs (spec/listing.md §2, §4, §5.9):
// the worked examples that need the RPC layer (ordering, updates, contexts,
// associations, attributions, parent contexts, *ByContext restriction),
// errors, *ByType / *ByContext filters, and paging with a filter under every
// ordering while rows are inserted between pages.

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e_fixture.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

namespace mlmd = ::ml_metadata;
using mlmd::ListOperationOptions;
using Field = mlmd::ListOperationOptions::OrderByField;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One page of any list RPC.
struct Page {
  std::vector<int64_t> ids;
  std::string token;
};
using Lister = std::function<absl::Status(const ListOperationOptions&, Page*)>;

ListOperationOptions Options(const std::string& filter, Field::Field field,
                             bool asc, int size = 20) {
  ListOperationOptions options;
  options.set_filter_query(filter);
  options.set_max_result_size(size);
  options.mutable_order_by_field()->set_field(field);
  options.mutable_order_by_field()->set_is_asc(asc);
  return options;
}

void SleepMs(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

class FilterRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
  }

  // Listers for every RPC that takes ListOperationOptions.
  Lister Artifacts() {
    return [this](const ListOperationOptions& options, Page* page) {
      mlmd::GetArtifactsRequest request;
      *request.mutable_options() = options;
      mlmd::GetArtifactsResponse response;
      absl::Status status = MLMDX_CALL(*stub_, GetArtifacts, request, response);
      *page = {IdsOf(response.artifacts()), response.next_page_token()};
      return status;
    };
  }
  Lister Executions() {
    return [this](const ListOperationOptions& options, Page* page) {
      mlmd::GetExecutionsRequest request;
      *request.mutable_options() = options;
      mlmd::GetExecutionsResponse response;
      absl::Status status =
          MLMDX_CALL(*stub_, GetExecutions, request, response);
      *page = {IdsOf(response.executions()), response.next_page_token()};
      return status;
    };
  }
  Lister Contexts() {
    return [this](const ListOperationOptions& options, Page* page) {
      mlmd::GetContextsRequest request;
      *request.mutable_options() = options;
      mlmd::GetContextsResponse response;
      absl::Status status = MLMDX_CALL(*stub_, GetContexts, request, response);
      *page = {IdsOf(response.contexts()), response.next_page_token()};
      return status;
    };
  }
  Lister ArtifactsByType(const std::string& type) {
    return [this, type](const ListOperationOptions& options, Page* page) {
      mlmd::GetArtifactsByTypeRequest request;
      request.set_type_name(type);
      *request.mutable_options() = options;
      mlmd::GetArtifactsByTypeResponse response;
      absl::Status status =
          MLMDX_CALL(*stub_, GetArtifactsByType, request, response);
      *page = {IdsOf(response.artifacts()), response.next_page_token()};
      return status;
    };
  }
  Lister ExecutionsByType(const std::string& type) {
    return [this, type](const ListOperationOptions& options, Page* page) {
      mlmd::GetExecutionsByTypeRequest request;
      request.set_type_name(type);
      *request.mutable_options() = options;
      mlmd::GetExecutionsByTypeResponse response;
      absl::Status status =
          MLMDX_CALL(*stub_, GetExecutionsByType, request, response);
      *page = {IdsOf(response.executions()), response.next_page_token()};
      return status;
    };
  }
  Lister ContextsByType(const std::string& type) {
    return [this, type](const ListOperationOptions& options, Page* page) {
      mlmd::GetContextsByTypeRequest request;
      request.set_type_name(type);
      *request.mutable_options() = options;
      mlmd::GetContextsByTypeResponse response;
      absl::Status status =
          MLMDX_CALL(*stub_, GetContextsByType, request, response);
      *page = {IdsOf(response.contexts()), response.next_page_token()};
      return status;
    };
  }
  Lister ArtifactsByContext(int64_t context_id) {
    return [this, context_id](const ListOperationOptions& options, Page* page) {
      mlmd::GetArtifactsByContextRequest request;
      request.set_context_id(context_id);
      *request.mutable_options() = options;
      mlmd::GetArtifactsByContextResponse response;
      absl::Status status =
          MLMDX_CALL(*stub_, GetArtifactsByContext, request, response);
      *page = {IdsOf(response.artifacts()), response.next_page_token()};
      return status;
    };
  }
  Lister ExecutionsByContext(int64_t context_id) {
    return [this, context_id](const ListOperationOptions& options, Page* page) {
      mlmd::GetExecutionsByContextRequest request;
      request.set_context_id(context_id);
      *request.mutable_options() = options;
      mlmd::GetExecutionsByContextResponse response;
      absl::Status status =
          MLMDX_CALL(*stub_, GetExecutionsByContext, request, response);
      *page = {IdsOf(response.executions()), response.next_page_token()};
      return status;
    };
  }

  // One page; fails the test unless OK.
  std::vector<int64_t> List(const Lister& lister,
                            const ListOperationOptions& options) {
    Page page;
    EXPECT_THAT(lister(options, &page), IsOk()) << options.filter_query();
    return page.ids;
  }

  // Follows tokens to the end; `between(page_index, &options)` may insert
  // rows or change the options before the next page.
  std::vector<int64_t> Walk(
      const Lister& lister, ListOperationOptions options,
      const std::function<void(int, ListOperationOptions*)>& between = nullptr,
      int max_pages = 200) {
    std::vector<int64_t> ids;
    for (int index = 0; index < max_pages; ++index) {
      Page page;
      EXPECT_THAT(lister(options, &page), IsOk());
      EXPECT_LE(static_cast<int>(page.ids.size()), options.max_result_size());
      ids.insert(ids.end(), page.ids.begin(), page.ids.end());
      if (page.token.empty()) return ids;
      options.set_next_page_token(page.token);
      if (between) between(index, &options);
    }
    ADD_FAILURE() << "paging did not end";
    return ids;
  }

  void Attribute(int64_t context_id, int64_t artifact_id) {
    mlmd::PutAttributionsAndAssociationsRequest request;
    auto* attribution = request.add_attributions();
    attribution->set_context_id(context_id);
    attribution->set_artifact_id(artifact_id);
    mlmd::PutAttributionsAndAssociationsResponse response;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, PutAttributionsAndAssociations, request, response),
        IsOk());
  }
  void Associate(int64_t context_id, int64_t execution_id) {
    mlmd::PutAttributionsAndAssociationsRequest request;
    auto* association = request.add_associations();
    association->set_context_id(context_id);
    association->set_execution_id(execution_id);
    mlmd::PutAttributionsAndAssociationsResponse response;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, PutAttributionsAndAssociations, request, response),
        IsOk());
  }
  void LinkParent(int64_t parent, int64_t child) {
    mlmd::PutParentContextsRequest request;
    auto* link = request.add_parent_contexts();
    link->set_parent_id(parent);
    link->set_child_id(child);
    mlmd::PutParentContextsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutParentContexts, request, response),
                IsOk());
  }
  int64_t PutOne(const mlmd::Artifact& artifact) {
    mlmd::PutArtifactsRequest request;
    *request.add_artifacts() = artifact;
    mlmd::PutArtifactsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
    return response.artifact_ids(0);
  }
  mlmd::Artifact GetArtifact(int64_t id) {
    mlmd::GetArtifactsByIDRequest request;
    request.add_artifact_ids(id);
    mlmd::GetArtifactsByIDResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, request, response),
                IsOk());
    return response.artifacts(0);
  }

  TestServer server_;
  std::unique_ptr<Stub> stub_;
};

// §5.9 #1-#9: attributes of artifacts a0, a1, a2 created in that order.
TEST_F(FilterRpcTest, ArtifactAttributesOrderingAndUpdate) {
  const int64_t t = PutArtifactTypeOrDie(*stub_, "t1");
  std::vector<int64_t> a;
  for (int i = 0; i < 3; ++i) {
    mlmd::Artifact artifact;
    artifact.set_type_id(t);
    artifact.set_uri(absl::StrCat("uri_", i));
    artifact.set_name(absl::StrCat("artifact_", i));
    artifact.set_external_id(absl::StrCat("artifact_", i));
    a.push_back(PutOne(artifact));
    SleepMs(3);
  }
  const auto desc = [](const std::string& filter) {
    return Options(filter, Field::CREATE_TIME, false);
  };
  // #1
  EXPECT_THAT(List(Artifacts(), desc(absl::StrCat("NOT(id = ", a[1], ")"))),
              ElementsAre(a[2], a[0]));
  // #2
  const mlmd::Artifact a1 = GetArtifact(a[1]);
  EXPECT_THAT(List(Artifacts(),
                   desc(absl::Substitute("uri = 'uri_1' and type_id = $0 and "
                                         "create_time_since_epoch = $1",
                                         t, a1.create_time_since_epoch()))),
              ElementsAre(a[1]));
  // #3-#5
  EXPECT_THAT(List(Artifacts(), desc("uri LIKE 'uri_%' OR state = LIVE")),
              ElementsAre(a[2], a[1], a[0]));
  EXPECT_THAT(
      List(Artifacts(), desc(absl::StrCat("uri LIKE 'uri_%' and type_id = ", t,
                                          " AND state IS NULL"))),
      ElementsAre(a[2], a[1], a[0]));
  EXPECT_THAT(List(Artifacts(), desc("uri LIKE 'uri_%' and type = 't1'")),
              ElementsAre(a[2], a[1], a[0]));

  // #6: a2 is updated to LIVE; only it is newer than its old update time.
  const mlmd::Artifact old_a2 = GetArtifact(a[2]);
  SleepMs(3);
  mlmd::Artifact live = old_a2;
  live.set_state(mlmd::Artifact::LIVE);
  EXPECT_EQ(PutOne(live), a[2]);
  const std::string base = absl::StrCat("uri LIKE 'uri_%' and type_id = ", t);
  EXPECT_THAT(
      List(Artifacts(),
           desc(absl::StrCat(base, " AND last_update_time_since_epoch > ",
                             old_a2.last_update_time_since_epoch()))),
      ElementsAre(a[2]));
  // #7, #8 (NULL states are included by the enum rewrite of !=), #9
  EXPECT_THAT(
      List(Artifacts(), desc(base + " AND (state = LIVE OR state = DELETED)")),
      ElementsAre(a[2]));
  EXPECT_THAT(List(Artifacts(), desc(base + " and state != LIVE")),
              ElementsAre(a[1], a[0]));
  EXPECT_THAT(List(Artifacts(), desc("external_id = 'artifact_0'")),
              ElementsAre(a[0]));
  // LAST_UPDATE_TIME desc puts the updated artifact first.
  EXPECT_THAT(List(Artifacts(),
                   Options("uri LIKE 'uri_%'", Field::LAST_UPDATE_TIME, false)),
              ElementsAre(a[2], a[1], a[0]));
}

// §5.9 #10-#12: events of artifacts and executions.
TEST_F(FilterRpcTest, EventNeighbours) {
  const int64_t at = PutArtifactTypeOrDie(*stub_, "A");
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, at, 3);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, et, 2);
  mlmd::PutEventsRequest request;
  for (const auto& [artifact, execution, type] :
       {std::tuple(a[0], e[0], mlmd::Event::INPUT),
        std::tuple(a[1], e[0], mlmd::Event::OUTPUT),
        std::tuple(a[2], e[1], mlmd::Event::OUTPUT)}) {
    mlmd::Event* event = request.add_events();
    event->set_artifact_id(artifact);
    event->set_execution_id(execution);
    event->set_type(type);
  }
  mlmd::PutEventsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutEvents, request, response), IsOk());
  const auto asc = [](const std::string& filter) {
    return Options(filter, Field::ID, true);
  };
  EXPECT_THAT(List(Artifacts(), asc("events_0.type = INPUT")),
              ElementsAre(a[0]));
  EXPECT_THAT(
      List(Artifacts(), asc("events_0.type = INPUT OR events_0.type = OUTPUT")),
      ElementsAre(a[0], a[1], a[2]));
  EXPECT_THAT(
      List(Executions(), asc(absl::StrCat("events_0.artifact_id = ", a[1],
                                          " AND events_0.type = OUTPUT"))),
      ElementsAre(e[0]));
  EXPECT_THAT(
      List(Artifacts(), asc(absl::StrCat("events_0.execution_id = ", e[1]))),
      ElementsAre(a[2]));
}

// §5.9 #13-#16: contexts with attributed artifacts and associated
// executions, and artifacts through their contexts.
TEST_F(FilterRpcTest, ContextsByArtifactsAndExecutions) {
  const int64_t at = PutArtifactTypeOrDie(*stub_, "A");
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const int64_t ct = PutContextTypeOrDie(*stub_, "ctype");
  const std::vector<int64_t> a = PutArtifactsOrDie(*stub_, at, 3);
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, et, 3);
  std::vector<int64_t> c;
  for (int i = 0; i < 3; ++i) {
    c.push_back(PutContextsOrDie(*stub_, ct, 1, absl::StrCat("c", i, "_"))[0]);
    SleepMs(2);
  }
  Attribute(c[0], a[1]);
  Associate(c[0], e[2]);
  for (int64_t context : c) {
    Attribute(context, a[0]);
    Associate(context, e[0]);
  }
  const auto asc = [](const std::string& filter) {
    return Options(filter, Field::CREATE_TIME, true);
  };
  EXPECT_THAT(List(Contexts(), asc(absl::StrCat("artifacts_c.id = ", a[1]))),
              ElementsAre(c[0]));  // #13
  EXPECT_THAT(List(Contexts(), asc(absl::StrCat("artifacts_c.id = ", a[0]))),
              ElementsAre(c[0], c[1], c[2]));  // #14
  EXPECT_THAT(List(Contexts(), asc(absl::StrCat("artifacts_c.id = ", a[0],
                                                " and name = 'c0_0'"))),
              ElementsAre(c[0]));  // #14b
  EXPECT_THAT(List(Contexts(), asc(absl::StrCat("executions_c.id = ", e[2]))),
              ElementsAre(c[0]));  // #15
  EXPECT_THAT(                     // #16: a2 has no context.
      List(Artifacts(),
           Options("contexts_c.name LIKE '%' AND contexts_c.type = 'ctype'",
                   Field::CREATE_TIME, false)),
      ElementsAre(a[1], a[0]));
  // Neighbour fields that MLMD's SQL cannot run (§5.5) are supported.
  EXPECT_THAT(List(Contexts(), asc("artifacts_c.external_id IS NULL AND "
                                   "executions_c.external_id IS NULL")),
              ElementsAre(c[0], c[1], c[2]));
}

// §5.9 #17/17b/17c: executions through their associated contexts.
TEST_F(FilterRpcTest, ExecutionsByContextAliases) {
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const int64_t ct = PutContextTypeOrDie(*stub_, "t");
  const std::vector<int64_t> e = PutExecutionsOrDie(*stub_, et, 3);
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, ct, 3);
  Associate(c[0], e[0]);
  Associate(c[0], e[2]);
  Associate(c[1], e[0]);
  Associate(c[1], e[1]);
  Associate(c[2], e[0]);
  const auto desc = [](const std::string& filter) {
    return Options(filter, Field::ID, false);
  };
  EXPECT_THAT(List(Executions(), desc(absl::Substitute(
                                     "contexts_a.id = $0 OR contexts_a.id = $1",
                                     c[0], c[1]))),
              ElementsAre(e[2], e[1], e[0]));
  EXPECT_THAT(List(Executions(),
                   desc("(contexts_1.type = 't' AND contexts_1.name = 'c2') OR "
                        "(contexts_2.type = 't' AND contexts_2.name = 'c1')")),
              ElementsAre(e[1], e[0]));
  EXPECT_THAT(List(Executions(),
                   desc("contexts_1.name = 'c2' AND contexts_2.name = 'c1' AND "
                        "contexts_3.name = 'c0'")),
              ElementsAre(e[0]));
  // The same alias twice is one row: never in c0 and c1 at once.
  EXPECT_THAT(List(Executions(),
                   desc("contexts_a.name = 'c0' AND contexts_a.name = 'c1'")),
              IsEmpty());
  // NOT(contexts_a.id = c0): some context other than c0.
  EXPECT_THAT(
      List(Executions(), desc(absl::StrCat("NOT(contexts_a.id = ", c[0], ")"))),
      ElementsAre(e[1], e[0]));
}

// §5.9 #18/#18b: parent and child contexts linked by PutParentContexts.
TEST_F(FilterRpcTest, ParentAndChildContexts) {
  const int64_t ct = PutContextTypeOrDie(*stub_, "child_type");
  const int64_t pt1 = PutContextTypeOrDie(*stub_, "parent_context_type_1");
  const int64_t pt2 = PutContextTypeOrDie(*stub_, "parent_context_type_2");
  mlmd::PutContextsRequest request = ParseTextProto<mlmd::PutContextsRequest>(
      absl::Substitute(R"pb(
                         contexts {
                           type_id: $0
                           name: 'c1'
                           custom_properties {
                             key: 'custom_property_1'
                             value { string_value: 'foo' }
                           }
                         }
                         contexts {
                           type_id: $0
                           name: 'c2'
                           custom_properties {
                             key: 'custom_property_1'
                             value { string_value: 'foo' }
                           }
                         }
                         contexts {
                           type_id: $0
                           name: 'c3'
                           custom_properties {
                             key: 'custom_property_1'
                             value { string_value: 'bar' }
                           }
                         }
                         contexts { type_id: $1 name: 'p1' }
                         contexts { type_id: $2 name: 'p2' }
                       )pb",
                       ct, pt1, pt2));
  mlmd::PutContextsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, request, response), IsOk());
  const auto& ids = response.context_ids();
  const int64_t c1 = ids[0], c2 = ids[1], c3 = ids[2], p1 = ids[3], p2 = ids[4];
  LinkParent(p1, c1);
  LinkParent(p1, c2);
  LinkParent(p1, c3);
  LinkParent(p2, c1);
  LinkParent(p2, c2);
  const auto desc = [](const std::string& filter) {
    return Options(filter, Field::ID, false);
  };
  EXPECT_THAT(List(Contexts(), desc("parent_contexts_c.name = 'p2'")),
              ElementsAre(c2, c1));
  EXPECT_THAT(
      List(Contexts(), desc(absl::StrCat("child_contexts_c.id = ", c1))),
      ElementsAre(p2, p1));
  EXPECT_THAT(
      List(Contexts(), desc(absl::StrCat("child_contexts_c.id = ", c3))),
      ElementsAre(p1));
  // Here c2 is a child of p1 too (#18b below has it without a parent).
  EXPECT_THAT(
      List(Contexts(),
           desc("parent_contexts_c.type = 'parent_context_type_1' AND "
                "custom_properties.custom_property_1.string_value = 'foo'")),
      ElementsAre(c2, c1));
  EXPECT_THAT(
      List(Contexts(),
           desc("parent_contexts_c.type = 'parent_context_type_1' AND "
                "custom_properties.custom_property_1.string_value = 'bar'")),
      ElementsAre(c3));
  // On GetContextsByType the type restriction applies too.
  EXPECT_THAT(List(ContextsByType("parent_context_type_1"),
                   desc("child_contexts_c.name LIKE 'c%'")),
              ElementsAre(p1));
}

// §5.9 #18b exactly: c2 has property 'foo' but no parent.
TEST_F(FilterRpcTest, ParentContextTypeAndCustomProperty) {
  const int64_t ct = PutContextTypeOrDie(*stub_, "child_type");
  const int64_t pt = PutContextTypeOrDie(*stub_, "parent_context_type_1");
  mlmd::PutContextsRequest request =
      ParseTextProto<mlmd::PutContextsRequest>(absl::Substitute(
          R"pb(
            contexts {
              type_id: $0
              name: 'c1'
              custom_properties {
                key: 'custom_property_1'
                value { string_value: 'foo' }
              }
            }
            contexts {
              type_id: $0
              name: 'c2'
              custom_properties {
                key: 'custom_property_1'
                value { string_value: 'foo' }
              }
            }
            contexts {
              type_id: $0
              name: 'c3'
              custom_properties {
                key: 'custom_property_1'
                value { string_value: 'bar' }
              }
            }
            contexts { type_id: $1 name: 'p1' }
          )pb",
          ct, pt));
  mlmd::PutContextsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, request, response), IsOk());
  const auto& ids = response.context_ids();
  LinkParent(ids[3], ids[0]);
  LinkParent(ids[3], ids[2]);
  EXPECT_THAT(
      List(Contexts(),
           Options("parent_contexts_c.type = 'parent_context_type_1' AND "
                   "custom_properties.custom_property_1.string_value = 'foo'",
                   Field::ID, true)),
      ElementsAre(ids[0]));
}

// §5.9 #26 (the Python client): 200 nodes, page size 1, tokens to the end.
TEST_F(FilterRpcTest, PythonPagedFilterOnEveryKind) {
  const int64_t at = PutArtifactTypeOrDie(*stub_, "A");
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const int64_t ct = PutContextTypeOrDie(*stub_, "C");
  mlmd::PutArtifactsRequest artifacts;
  mlmd::PutExecutionsRequest executions;
  mlmd::PutContextsRequest contexts;
  for (int i = 0; i < 200; ++i) {
    const std::string name = absl::StrCat("node_", i);
    mlmd::Artifact* artifact = artifacts.add_artifacts();
    artifact->set_type_id(at);
    artifact->set_name(name);
    (*artifact->mutable_custom_properties())["p"].set_int_value(i);
    mlmd::Execution* execution = executions.add_executions();
    execution->set_type_id(et);
    execution->set_name(name);
    (*execution->mutable_custom_properties())["p"].set_int_value(i);
    mlmd::Context* context = contexts.add_contexts();
    context->set_type_id(ct);
    context->set_name(name);
    (*context->mutable_custom_properties())["p"].set_int_value(i);
  }
  mlmd::PutArtifactsResponse artifact_ids;
  mlmd::PutExecutionsResponse execution_ids;
  mlmd::PutContextsResponse context_ids;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, artifacts, artifact_ids),
              IsOk());
  ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, executions, execution_ids),
              IsOk());
  ASSERT_THAT(MLMDX_CALL(*stub_, PutContexts, contexts, context_ids), IsOk());
  const ListOperationOptions options =
      Options("custom_properties.p.int_value < 21 AND name LIKE 'node_2%'",
              Field::ID, true, /*size=*/1);
  EXPECT_THAT(
      Walk(Artifacts(), options),
      ElementsAre(artifact_ids.artifact_ids(2), artifact_ids.artifact_ids(20)));
  EXPECT_THAT(Walk(Executions(), options),
              ElementsAre(execution_ids.execution_ids(2),
                          execution_ids.execution_ids(20)));
  EXPECT_THAT(
      Walk(Contexts(), options),
      ElementsAre(context_ids.context_ids(2), context_ids.context_ids(20)));
  // The first page has exactly one node and a token; the last has none.
  Page page;
  ASSERT_THAT(Artifacts()(options, &page), IsOk());
  EXPECT_THAT(page.ids, ElementsAre(artifact_ids.artifact_ids(2)));
  EXPECT_FALSE(page.token.empty());
}

// §5.9 #27-#29: quotes and property-like text inside string literals.
TEST_F(FilterRpcTest, QuotesInNames) {
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const int64_t ct = PutContextTypeOrDie(*stub_, "context_type");
  mlmd::PutExecutionRequest request;
  request.mutable_execution()->set_type_id(et);
  request.mutable_execution()->set_name("exe_name_with_'");
  mlmd::Context* quoted = request.add_contexts();
  quoted->set_type_id(ct);
  quoted->set_name("context_name_with_'");
  mlmd::Context* dotted = request.add_contexts();
  dotted->set_type_id(ct);
  dotted->set_name("properties.component.component");
  mlmd::PutExecutionResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutExecution, request, response), IsOk());
  const int64_t e = response.execution_id();
  const auto asc = [](const std::string& filter) {
    return Options(filter, Field::ID, true);
  };
  EXPECT_THAT(List(Executions(), asc("name = \"exe_name_with_'\"")),
              ElementsAre(e));
  EXPECT_THAT(List(Executions(), asc("name = 'exe_name_with_\\''")),
              ElementsAre(e));
  EXPECT_THAT(
      List(Executions(), asc("contexts_1.name = \"context_name_with_'\"")),
      ElementsAre(e));
  EXPECT_THAT(List(Executions(),
                   asc("(contexts_0.type = 'context_type') AND "
                       "(contexts_0.name = 'properties.component.component')")),
              ElementsAre(e));
  Page page;
  EXPECT_THAT(Executions()(asc("name = 'exe_name_with_''"), &page),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Executions()(asc("name = 'it''s'"), &page),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// §5.9 #30: GetExecutionsByContext keeps only the context's executions.
TEST_F(FilterRpcTest, ContextRestrictionWins) {
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const int64_t ct = PutContextTypeOrDie(*stub_, "C");
  const std::vector<int64_t> c = PutContextsOrDie(*stub_, ct, 2);
  mlmd::PutExecutionsRequest request;
  request.add_executions()->set_type_id(et);
  request.mutable_executions(0)->set_last_known_state(mlmd::Execution::NEW);
  request.add_executions()->set_type_id(et);
  request.mutable_executions(1)->set_last_known_state(mlmd::Execution::RUNNING);
  mlmd::PutExecutionsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, request, response), IsOk());
  const std::vector<int64_t> e(response.execution_ids().begin(),
                               response.execution_ids().end());
  Associate(c[0], e[0]);
  Associate(c[1], e[1]);
  const std::string filter =
      "last_known_state = NEW OR last_known_state = RUNNING";
  EXPECT_THAT(List(ExecutionsByContext(c[0]), Options(filter, Field::ID, true)),
              ElementsAre(e[0]));
  EXPECT_THAT(List(ExecutionsByContext(c[1]), Options(filter, Field::ID, true)),
              ElementsAre(e[1]));
  EXPECT_THAT(List(Executions(), Options(filter, Field::ID, true)),
              ElementsAre(e[0], e[1]));
  EXPECT_THAT(List(ExecutionsByContext(c[0]),
                   Options("last_known_state = RUNNING", Field::ID, true)),
              IsEmpty());
}

// §5.9 #31 and §2: invalid filters on every list RPC → INVALID_ARGUMENT
// naming filter_query; empty filter = no filter.
TEST_F(FilterRpcTest, InvalidFiltersOnEveryRpc) {
  // The plain lists validate even on an empty database.
  for (const Lister& lister : {Artifacts(), Executions(), Contexts()}) {
    Page page;
    EXPECT_THAT(lister(Options("a == 'a'", Field::ID, true), &page),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  // *ByType / *ByContext answer OK and empty when there are no candidates.
  const int64_t at = PutArtifactTypeOrDie(*stub_, "A");
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const int64_t ct = PutContextTypeOrDie(*stub_, "C");
  const int64_t empty_context = PutContextsOrDie(*stub_, ct, 1, "empty")[0];
  for (const Lister& lister : {ArtifactsByType("A"), ExecutionsByType("E"),
                               ArtifactsByContext(empty_context),
                               ExecutionsByContext(empty_context)}) {
    Page page;
    EXPECT_THAT(lister(Options("invalid syntax", Field::ID, true), &page),
                IsOk());
    EXPECT_THAT(page.ids, IsEmpty());
  }

  const int64_t artifact = PutArtifactsOrDie(*stub_, at, 1)[0];
  const int64_t execution = PutExecutionsOrDie(*stub_, et, 1)[0];
  const int64_t context = PutContextsOrDie(*stub_, ct, 1)[0];
  Attribute(context, artifact);
  Associate(context, execution);
  const std::vector<Lister> listers = {Artifacts(),
                                       Executions(),
                                       Contexts(),
                                       ArtifactsByType("A"),
                                       ExecutionsByType("E"),
                                       ContextsByType("C"),
                                       ArtifactsByContext(context),
                                       ExecutionsByContext(context)};
  for (const std::string& filter :
       {"invalid syntax", "a == 'a'", "'a'", "id = 'a'", "uri = 1",
        "contexts_0.foo", "properties.baz.int", "   ", "type_id",
        "state = 'LIVE'", "id = 1 AND", "name = 'x' x"}) {
    for (size_t i = 0; i < listers.size(); ++i) {
      Page page;
      const absl::Status status =
          listers[i](Options(filter, Field::ID, true), &page);
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument))
          << "lister " << i << " filter [" << filter << "]";
      EXPECT_THAT(std::string(status.message()), HasSubstr("filter_query"))
          << "lister " << i << " filter [" << filter << "]";
    }
  }
  // An empty filter is no filter, on every RPC; so is a missing one.
  for (const Lister& lister : listers) {
    EXPECT_THAT(List(lister, Options("", Field::ID, true)),
                ::testing::Not(IsEmpty()));
  }
  // `uri` only exists on artifacts.
  EXPECT_EQ(List(Artifacts(), Options("uri = ''", Field::ID, true)).size(), 1u);
  // An invalid filter on a later page is still an error.
  ListOperationOptions first = Options("", Field::ID, true, 1);
  PutArtifactsOrDie(*stub_, at, 1);
  Page page;
  ASSERT_THAT(Artifacts()(first, &page), IsOk());
  ASSERT_FALSE(page.token.empty());
  first.set_next_page_token(page.token);
  first.set_filter_query("id = ");
  EXPECT_THAT(Artifacts()(first, &page),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Filters on *ByType and *ByContext lists combine with the restriction.
TEST_F(FilterRpcTest, FiltersOnByTypeAndByContext) {
  const int64_t a1 = PutArtifactTypeOrDie(*stub_, "A1");
  const int64_t a2 = PutArtifactTypeOrDie(*stub_, "A2");
  const int64_t e1 = PutExecutionTypeOrDie(*stub_, "E1");
  const int64_t e2 = PutExecutionTypeOrDie(*stub_, "E2");
  const int64_t c1 = PutContextTypeOrDie(*stub_, "C1");
  const int64_t c2 = PutContextTypeOrDie(*stub_, "C2");
  // Two of each type, named x0/x1 in both types.
  std::vector<int64_t> art, exe, ctx;
  for (int64_t type : {a1, a2}) {
    for (int i = 0; i < 2; ++i) {
      mlmd::Artifact artifact;
      artifact.set_type_id(type);
      artifact.set_name(absl::StrCat("x", i));
      art.push_back(PutOne(artifact));
    }
  }
  for (int64_t type : {e1, e2}) {
    mlmd::PutExecutionsRequest request;
    for (int i = 0; i < 2; ++i) {
      request.add_executions()->set_type_id(type);
      request.mutable_executions(i)->set_name(absl::StrCat("x", i));
    }
    mlmd::PutExecutionsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, request, response), IsOk());
    exe.insert(exe.end(), response.execution_ids().begin(),
               response.execution_ids().end());
  }
  for (int64_t type : {c1, c2}) {
    for (int64_t id : PutContextsOrDie(*stub_, type, 2, "x")) {
      ctx.push_back(id);
    }
  }
  // Context ctx[0] holds the first artifact and execution of each type.
  for (int i : {0, 2}) {
    Attribute(ctx[0], art[i]);
    Associate(ctx[0], exe[i]);
  }
  Attribute(ctx[1], art[1]);
  const auto asc = [](const std::string& filter) {
    return Options(filter, Field::ID, true);
  };
  EXPECT_THAT(List(ArtifactsByType("A2"), asc("name = 'x1'")),
              ElementsAre(art[3]));
  EXPECT_THAT(List(ArtifactsByType("A2"), asc("type = 'A1'")), IsEmpty());
  EXPECT_THAT(List(ExecutionsByType("E1"), asc("name LIKE 'x%'")),
              ElementsAre(exe[0], exe[1]));
  EXPECT_THAT(List(ContextsByType("C2"), asc("name = 'x0'")),
              ElementsAre(ctx[2]));
  EXPECT_THAT(List(ArtifactsByContext(ctx[0]), asc("type = 'A2'")),
              ElementsAre(art[2]));
  EXPECT_THAT(List(ArtifactsByContext(ctx[0]), asc("name = 'x1'")), IsEmpty());
  EXPECT_THAT(List(ExecutionsByContext(ctx[0]), asc("name = 'x0'")),
              ElementsAre(exe[0], exe[2]));
  EXPECT_THAT(List(ArtifactsByContext(ctx[1]),
                   asc(absl::StrCat("contexts_a.id = ", ctx[0]))),
              IsEmpty());
  EXPECT_THAT(List(ArtifactsByContext(ctx[0]),
                   asc(absl::StrCat("contexts_a.id = ", ctx[0]))),
              ElementsAre(art[0], art[2]));
}

// Paging with a filter: every ordering, page by page, while matching and
// non-matching rows are inserted between pages and the page size changes.
class FilterPagingTest
    : public FilterRpcTest,
      public ::testing::WithParamInterface<std::tuple<Field::Field, bool>> {
 protected:
  // One batch of four artifacts, two of them matching; a pause after it so
  // that batches never share a millisecond (runs of equal timestamps among
  // matching rows stay shorter than the smallest page, see listing.md §4.2).
  std::vector<int64_t> PutBatch(int64_t type_id, int batch) {
    mlmd::PutArtifactsRequest request;
    for (int i = 0; i < 4; ++i) {
      mlmd::Artifact* artifact = request.add_artifacts();
      artifact->set_type_id(type_id);
      artifact->set_uri(absl::StrCat("u/", batch, "/", i));
      (*artifact->mutable_custom_properties())["parity"].set_string_value(
          i % 2 == 0 ? "even" : "odd");
    }
    mlmd::PutArtifactsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
    SleepMs(3);
    return {response.artifact_ids().begin(), response.artifact_ids().end()};
  }

  // Key of each listed artifact in the current ordering.
  std::map<int64_t, std::pair<int64_t, int64_t>> Keys(Field::Field field) {
    mlmd::GetArtifactsRequest request;
    mlmd::GetArtifactsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifacts, request, response), IsOk());
    std::map<int64_t, std::pair<int64_t, int64_t>> keys;
    for (const auto& a : response.artifacts()) {
      const int64_t f =
          field == Field::CREATE_TIME        ? a.create_time_since_epoch()
          : field == Field::LAST_UPDATE_TIME ? a.last_update_time_since_epoch()
                                             : a.id();
      keys[a.id()] = {f, a.id()};
    }
    return keys;
  }
};

TEST_P(FilterPagingTest, WalksAllMatchesWhileInserting) {
  const auto [field, asc] = GetParam();
  const int64_t type_id = PutArtifactTypeOrDie(*stub_, "A");
  std::vector<int64_t> matching;  // Those present when the walk starts.
  for (int batch = 0; batch < 8; ++batch) {
    const std::vector<int64_t> ids = PutBatch(type_id, batch);
    matching.push_back(ids[0]);
    matching.push_back(ids[2]);
  }
  const std::string filter =
      "custom_properties.parity.string_value = 'even' AND uri LIKE 'u/%'";
  const int sizes[] = {2, 3, 5, 2, 4};
  int inserted_batches = 0;
  const std::vector<int64_t> walked =
      Walk(Artifacts(), Options(filter, field, asc, 2),
           [&](int page, ListOperationOptions* options) {
             options->set_max_result_size(sizes[page % 5]);
             if (page < 4) PutBatch(type_id, 100 + inserted_batches++);
           });

  const auto keys = Keys(field);
  // Nothing repeats; every match present at the start is listed; every
  // listed row matches; the order is the requested one.
  EXPECT_EQ(std::set<int64_t>(walked.begin(), walked.end()).size(),
            walked.size());
  for (int64_t id : matching) {
    EXPECT_NE(std::find(walked.begin(), walked.end(), id), walked.end())
        << "skipped " << id;
  }
  mlmd::GetArtifactsRequest all;
  *all.mutable_options() = Options(filter, Field::ID, true, 100);
  mlmd::GetArtifactsResponse all_matches;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifacts, all, all_matches), IsOk());
  const std::vector<int64_t> now = IdsOf(all_matches.artifacts());
  EXPECT_EQ(now.size(), matching.size() + 2 * inserted_batches);
  for (int64_t id : walked) {
    EXPECT_NE(std::find(now.begin(), now.end(), id), now.end())
        << id << " does not match";
  }
  for (size_t i = 1; i < walked.size(); ++i) {
    const auto previous = keys.at(walked[i - 1]);
    const auto current = keys.at(walked[i]);
    EXPECT_TRUE(asc ? previous < current : current < previous)
        << walked[i - 1] << " before " << walked[i];
  }
  // Descending walks never see rows created after they started; ascending
  // walks over ID / CREATE_TIME / LAST_UPDATE_TIME see them at the end.
  if (!asc) {
    EXPECT_EQ(walked.size(), matching.size());
  } else {
    EXPECT_EQ(walked.size(), now.size());
  }
  // Without inserts the walk is exactly the sorted match list.
  std::vector<int64_t> expected = now;
  std::sort(expected.begin(), expected.end(), [&](int64_t x, int64_t y) {
    return asc ? keys.at(x) < keys.at(y) : keys.at(y) < keys.at(x);
  });
  EXPECT_THAT(Walk(Artifacts(), Options(filter, field, asc, 3)),
              ElementsAreArray(expected));
}

TEST_P(FilterPagingTest, ByTypeAndByContextWalks) {
  const auto [field, asc] = GetParam();
  const int64_t type_id = PutArtifactTypeOrDie(*stub_, "A");
  PutArtifactTypeOrDie(*stub_, "Other");
  const int64_t et = PutExecutionTypeOrDie(*stub_, "E");
  const int64_t ct = PutContextTypeOrDie(*stub_, "C");
  const int64_t context = PutContextsOrDie(*stub_, ct, 1)[0];
  std::vector<int64_t> expected;  // Even artifacts in the context.
  for (int batch = 0; batch < 5; ++batch) {
    const std::vector<int64_t> ids = PutBatch(type_id, batch);
    for (int i = 0; i < 4; ++i) {
      if ((batch + i) % 3 == 0) continue;  // Not in the context.
      Attribute(context, ids[i]);
      if (i % 2 == 0) expected.push_back(ids[i]);
    }
  }
  // Executions in the context, every other one FAILED.
  std::vector<int64_t> failed;
  for (int i = 0; i < 9; ++i) {
    mlmd::PutExecutionsRequest request;
    request.add_executions()->set_type_id(et);
    request.mutable_executions(0)->set_last_known_state(
        i % 2 ? mlmd::Execution::FAILED : mlmd::Execution::COMPLETE);
    mlmd::PutExecutionsResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutExecutions, request, response), IsOk());
    Associate(context, response.execution_ids(0));
    if (i % 2) failed.push_back(response.execution_ids(0));
    SleepMs(2);
  }
  const auto keys = Keys(field);
  const std::string even = "custom_properties.parity.string_value = 'even'";
  std::sort(expected.begin(), expected.end(), [&](int64_t x, int64_t y) {
    return asc ? keys.at(x) < keys.at(y) : keys.at(y) < keys.at(x);
  });
  ASSERT_FALSE(expected.empty());
  EXPECT_THAT(Walk(ArtifactsByContext(context), Options(even, field, asc, 2)),
              ElementsAreArray(expected));
  // *ByType: all even artifacts of the type.
  const std::vector<int64_t> by_type =
      Walk(ArtifactsByType("A"), Options(even, field, asc, 3));
  EXPECT_EQ(by_type.size(), 10u);
  EXPECT_EQ(std::set<int64_t>(by_type.begin(), by_type.end()).size(), 10u);
  // Executions: the failed ones, in id order for ID / CREATE_TIME asc.
  std::vector<int64_t> walked_failed =
      Walk(ExecutionsByContext(context),
           Options("last_known_state = FAILED", field, asc, 1));
  if (!asc) std::reverse(walked_failed.begin(), walked_failed.end());
  EXPECT_THAT(walked_failed, ElementsAreArray(failed));
  EXPECT_THAT(Walk(ExecutionsByType("E"),
                   Options("last_known_state = FAILED", field, asc, 3)),
              ::testing::UnorderedElementsAreArray(failed));
}

// A filter whose matches are dense in part of the ordering and sparse in
// the rest: pages in the dense part come from the ordered form (the order's
// index, each candidate tested against the filter), pages in the sparse
// part from the complete match list. Every page size walks exactly the
// answer of one unpaged call, and the rows inserted between pages change
// nothing for the rows already there.
TEST_P(FilterPagingTest, DenseAndSparseFiltersWalkLikeOneUnpagedCall) {
  const auto [field, asc] = GetParam();
  const int64_t type_id = PutArtifactTypeOrDie(*stub_, "A");
  const auto put_batch = [&](int batch) {
    mlmd::PutArtifactsRequest request;
    for (int i = 0; i < 4; ++i) {
      mlmd::Artifact* artifact = request.add_artifacts();
      artifact->set_type_id(type_id);
      // Batches 0-24 match every other row; later ones one row in five
      // batches.
      const bool match = batch < 25 ? i % 2 == 0 : (i == 0 && batch % 5 == 0);
      artifact->set_uri(absl::StrCat(match ? "hit/" : "miss/", batch, "/", i));
    }
    mlmd::PutArtifactsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
    SleepMs(2);
  };
  for (int batch = 0; batch < 40; ++batch) put_batch(batch);
  const std::string filter = "uri LIKE 'hit/%'";

  const auto keys = Keys(field);
  Page unpaged;
  ASSERT_THAT(Artifacts()(Options(filter, field, asc, 100), &unpaged), IsOk());
  ASSERT_TRUE(unpaged.token.empty());
  ASSERT_EQ(unpaged.ids.size(), 25u * 2 + 3);
  std::vector<int64_t> sorted = unpaged.ids;
  std::sort(sorted.begin(), sorted.end(), [&](int64_t x, int64_t y) {
    return asc ? keys.at(x) < keys.at(y) : keys.at(y) < keys.at(x);
  });
  EXPECT_THAT(unpaged.ids, ElementsAreArray(sorted));

  for (int size : {1, 2, 3, 7, 20}) {
    EXPECT_THAT(Walk(Artifacts(), Options(filter, field, asc, size)),
                ElementsAreArray(unpaged.ids))
        << "page size " << size;
  }
  // Matching and other rows added after every page: the rows that were
  // there are all listed once, in order; new ones only after them.
  int added = 0;
  const std::vector<int64_t> walked =
      Walk(Artifacts(), Options(filter, field, asc, 3),
           [&](int, ListOperationOptions*) { put_batch(added++ % 25); });
  std::vector<int64_t> original_part;
  for (int64_t id : walked) {
    if (std::find(unpaged.ids.begin(), unpaged.ids.end(), id) !=
        unpaged.ids.end()) {
      original_part.push_back(id);
    }
  }
  EXPECT_THAT(original_part, ElementsAreArray(unpaged.ids));
  if (asc) {
    ASSERT_GE(walked.size(), unpaged.ids.size());
    EXPECT_THAT(std::vector<int64_t>(walked.begin(),
                                     walked.begin() + unpaged.ids.size()),
                ElementsAreArray(unpaged.ids));
  }
  EXPECT_EQ(std::set<int64_t>(walked.begin(), walked.end()).size(),
            walked.size());
  if (!asc) EXPECT_EQ(walked.size(), unpaged.ids.size());
}

INSTANTIATE_TEST_SUITE_P(
    EveryOrdering, FilterPagingTest,
    ::testing::Combine(::testing::Values(Field::ID, Field::CREATE_TIME,
                                         Field::LAST_UPDATE_TIME),
                       ::testing::Bool()),
    [](const auto& info) {
      return absl::StrCat(Field::Field_Name(std::get<0>(info.param)),
                          std::get<1>(info.param) ? "_Asc" : "_Desc");
    });

// The token only pins the ordering: the filter of the current request
// applies on later pages (listing.md §4.3).
TEST_F(FilterRpcTest, ChangingTheFilterBetweenPagesTakesTheNewFilter) {
  const int64_t t = PutArtifactTypeOrDie(*stub_, "A");
  std::vector<int64_t> ids;
  for (int i = 0; i < 10; ++i) {
    mlmd::Artifact artifact;
    artifact.set_type_id(t);
    artifact.set_uri(i % 2 == 0 ? "even" : "odd");
    ids.push_back(PutOne(artifact));
  }
  ListOperationOptions options = Options("uri = 'even'", Field::ID, true, 2);
  Page page;
  ASSERT_THAT(Artifacts()(options, &page), IsOk());
  EXPECT_THAT(page.ids, ElementsAre(ids[0], ids[2]));
  options.set_next_page_token(page.token);
  options.set_filter_query("uri = 'odd'");
  ASSERT_THAT(Artifacts()(options, &page), IsOk());
  EXPECT_THAT(page.ids, ElementsAre(ids[3], ids[5]));
  // Dropping the filter lists everything after the token position.
  options.set_next_page_token(page.token);
  options.clear_filter_query();
  options.set_max_result_size(100);
  ASSERT_THAT(Artifacts()(options, &page), IsOk());
  EXPECT_THAT(page.ids, ElementsAre(ids[6], ids[7], ids[8], ids[9]));
  EXPECT_TRUE(page.token.empty());
  // Changing the ordering is an error, whatever the filter.
  options.set_next_page_token([&] {
    Page first;
    EXPECT_THAT(
        Artifacts()(Options("uri = 'even'", Field::ID, true, 1), &first),
        IsOk());
    return first.token;
  }());
  options.mutable_order_by_field()->set_is_asc(false);
  EXPECT_THAT(Artifacts()(options, &page),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mlmdx::testing
