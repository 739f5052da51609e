// Node writes and point reads end to end (api.md §2.4-2.7, §3.3, §3.5):
// create and update rules, replace vs. mask semantics, timestamps, OCC,
// uniqueness with rollback, and exact property round trips.

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::absl::StatusCode;
using ::ml_metadata::Artifact;
using ::ml_metadata::Context;
using ::ml_metadata::Execution;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class NodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    ml_metadata::PutTypesRequest types =
        ParseTextProto<ml_metadata::PutTypesRequest>(
            "artifact_types { name: 'at' "
            "  properties { key: 'i' value: INT } "
            "  properties { key: 'd' value: DOUBLE } "
            "  properties { key: 's' value: STRING } "
            "  properties { key: 'st' value: STRUCT } "
            "  properties { key: 'pr' value: PROTO } "
            "  properties { key: 'b' value: BOOLEAN } } "
            "artifact_types { name: 'at2' } "
            "execution_types { name: 'et' "
            "  properties { key: 'i' value: INT } } "
            "context_types { name: 'ct' "
            "  properties { key: 'i' value: INT } }");
    ml_metadata::PutTypesResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, PutTypes, types, response), IsOk());
    at_ = response.artifact_type_ids(0);
    at2_ = response.artifact_type_ids(1);
    et_ = response.execution_type_ids(0);
    ct_ = response.context_type_ids(0);
  }

  absl::Status PutArtifacts(const std::vector<Artifact>& artifacts,
                            std::vector<int64_t>* ids = nullptr,
                            const std::vector<std::string>& mask = {}) {
    ml_metadata::PutArtifactsRequest request;
    for (const Artifact& a : artifacts) *request.add_artifacts() = a;
    for (const std::string& path : mask) {
      request.mutable_update_mask()->add_paths(path);
    }
    ml_metadata::PutArtifactsResponse response;
    absl::Status status = MLMDX_CALL(*stub_, PutArtifacts, request, response);
    if (ids != nullptr) {
      ids->assign(response.artifact_ids().begin(),
                  response.artifact_ids().end());
    }
    return status;
  }

  int64_t PutArtifact(const Artifact& artifact) {
    std::vector<int64_t> ids;
    EXPECT_THAT(PutArtifacts({artifact}, &ids), IsOk());
    return ids.empty() ? -1 : ids[0];
  }

  absl::Status PutExecutions(const std::vector<Execution>& executions,
                             std::vector<int64_t>* ids = nullptr,
                             const std::vector<std::string>& mask = {}) {
    ml_metadata::PutExecutionsRequest request;
    for (const Execution& e : executions) *request.add_executions() = e;
    for (const std::string& path : mask) {
      request.mutable_update_mask()->add_paths(path);
    }
    ml_metadata::PutExecutionsResponse response;
    absl::Status status = MLMDX_CALL(*stub_, PutExecutions, request, response);
    if (ids != nullptr) {
      ids->assign(response.execution_ids().begin(),
                  response.execution_ids().end());
    }
    return status;
  }

  absl::Status PutContexts(const std::vector<Context>& contexts,
                           std::vector<int64_t>* ids = nullptr,
                           const std::vector<std::string>& mask = {}) {
    ml_metadata::PutContextsRequest request;
    for (const Context& c : contexts) *request.add_contexts() = c;
    for (const std::string& path : mask) {
      request.mutable_update_mask()->add_paths(path);
    }
    ml_metadata::PutContextsResponse response;
    absl::Status status = MLMDX_CALL(*stub_, PutContexts, request, response);
    if (ids != nullptr) {
      ids->assign(response.context_ids().begin(), response.context_ids().end());
    }
    return status;
  }

  std::vector<Artifact> GetArtifacts(const std::vector<int64_t>& ids) {
    ml_metadata::GetArtifactsByIDRequest request;
    for (int64_t id : ids) request.add_artifact_ids(id);
    ml_metadata::GetArtifactsByIDResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, request, response),
                IsOk());
    return {response.artifacts().begin(), response.artifacts().end()};
  }

  Artifact GetArtifact(int64_t id) {
    std::vector<Artifact> found = GetArtifacts({id});
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? Artifact() : found[0];
  }

  Execution GetExecution(int64_t id) {
    ml_metadata::GetExecutionsByIDRequest request;
    request.add_execution_ids(id);
    ml_metadata::GetExecutionsByIDResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetExecutionsByID, request, response),
                IsOk());
    EXPECT_EQ(response.executions_size(), 1);
    return response.executions_size() ? response.executions(0) : Execution();
  }

  Context GetContext(int64_t id) {
    ml_metadata::GetContextsByIDRequest request;
    request.add_context_ids(id);
    ml_metadata::GetContextsByIDResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetContextsByID, request, response), IsOk());
    EXPECT_EQ(response.contexts_size(), 1);
    return response.contexts_size() ? response.contexts(0) : Context();
  }

  // `text` with type_id: at_ prepended.
  Artifact A(const std::string& text = "") {
    Artifact a = ParseTextProto<Artifact>(text);
    if (!a.has_type_id()) a.set_type_id(at_);
    return a;
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  int64_t at_ = 0, at2_ = 0, et_ = 0, ct_ = 0;
};

// Strips the server-assigned fields so a read can be compared with input.
template <typename Node>
Node WithoutTimes(Node node) {
  node.clear_create_time_since_epoch();
  node.clear_last_update_time_since_epoch();
  return node;
}

TEST_F(NodesTest, CreateRequiresTypeIdOfMatchingKind) {
  EXPECT_THAT(PutArtifacts({ParseTextProto<Artifact>("uri: 'u'")}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PutArtifacts({A("type_id: " + std::to_string(et_))}),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(PutArtifacts({A("type_id: 12345")}),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(PutExecutions({ParseTextProto<Execution>("type_id: " +
                                                       std::to_string(at_))}),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(PutContexts({ParseTextProto<Context>("name: 'c' type_id: " +
                                                   std::to_string(et_))}),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(PutExecutions({Execution()}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(NodesTest, CreateChecksProperties) {
  EXPECT_THAT(
      PutArtifacts({A("properties { key: 'nope' value { int_value: 1 } }")}),
      StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(
      PutArtifacts({A("properties { key: 'd' value { int_value: 1 } }")}),
      StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PutArtifacts({A("properties { key: 'i' value { } }")}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PutArtifacts({A("custom_properties { key: 'c' value { } }")}),
              StatusIs(StatusCode::kInvalidArgument));
  // Custom properties are never type-checked.
  EXPECT_THAT(
      PutArtifacts(
          {A("custom_properties { key: 'i' value { string_value: 'x' } }")}),
      IsOk());
  EXPECT_THAT(GetArtifacts({1, 2}), ::testing::SizeIs(1));
}

TEST_F(NodesTest, ContextNameRequired) {
  const std::string type = "type_id: " + std::to_string(ct_);
  EXPECT_THAT(PutContexts({ParseTextProto<Context>(type)}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PutContexts({ParseTextProto<Context>(type + " name: ''")}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(NodesTest, FullNodeReadBack) {
  const int64_t id = PutArtifact(A());
  EXPECT_EQ(id, 1);
  const Artifact read = GetArtifact(id);
  Artifact expected = A("id: 1 uri: '' type: 'at'");
  EXPECT_THAT(WithoutTimes(read), EqualsProto(expected));
  EXPECT_TRUE(read.has_uri());
  EXPECT_GT(read.create_time_since_epoch(), 0);
  EXPECT_EQ(read.create_time_since_epoch(),
            read.last_update_time_since_epoch());

  // Output-only input fields are ignored.
  const int64_t id2 = PutArtifact(
      A("type: 'bogus' create_time_since_epoch: 5 "
        "last_update_time_since_epoch: 6 name: 'n' uri: 'u' state: LIVE "
        "external_id: 'x'"));
  const Artifact read2 = GetArtifact(id2);
  expected = A("type: 'at' name: 'n' uri: 'u' state: LIVE external_id: 'x'");
  expected.set_id(id2);
  EXPECT_THAT(WithoutTimes(read2), EqualsProto(expected));
  EXPECT_NE(read2.create_time_since_epoch(), 5);

  std::vector<int64_t> eids;
  ASSERT_THAT(
      PutExecutions(
          {ParseTextProto<Execution>("last_known_state: RUNNING type_id: " +
                                     std::to_string(et_))},
          &eids),
      IsOk());
  Execution want_e = ParseTextProto<Execution>(
      "last_known_state: RUNNING type: 'et' type_id: " + std::to_string(et_));
  want_e.set_id(eids[0]);
  EXPECT_THAT(WithoutTimes(GetExecution(eids[0])), EqualsProto(want_e));

  std::vector<int64_t> cids;
  ASSERT_THAT(PutContexts({ParseTextProto<Context>("name: 'c' type_id: " +
                                                   std::to_string(ct_))},
                          &cids),
              IsOk());
  Context want_c = ParseTextProto<Context>("name: 'c' type: 'ct' type_id: " +
                                           std::to_string(ct_));
  want_c.set_id(cids[0]);
  EXPECT_THAT(WithoutTimes(GetContext(cids[0])), EqualsProto(want_c));
}

TEST_F(NodesTest, IdsIncreaseInRequestOrder) {
  std::vector<int64_t> ids;
  ASSERT_THAT(PutArtifacts({A(), A(), A()}, &ids), IsOk());
  EXPECT_THAT(ids, ElementsAre(1, 2, 3));
}

TEST_F(NodesTest, PropertyValuesRoundTripExactly) {
  Artifact input = A(R"pb(
    properties {
      key: 'i'
      value { int_value: -9007199254740993 }
    }
    properties {
      key: 'd'
      value { double_value: 0.5 }
    }
    properties {
      key: 's'
      value { string_value: 'hé\x00llo' }
    }
    properties {
      key: 'st'
      value {
        struct_value {
          fields {
            key: 'k'
            value { list_value { values { number_value: 1 } } }
          }
        }
      }
    }
    properties {
      key: 'pr'
      value {
        proto_value {
          type_url: 'type.googleapis.com/ml_metadata.Artifact'
          value: '\x08\x01'
        }
      }
    }
    properties {
      key: 'b'
      value { bool_value: false }
    }
    custom_properties {
      key: 'ci'
      value { int_value: 7 }
    }
    custom_properties {
      key: 'cb'
      value { bool_value: true }
    }
  )pb");
  if (server_.backend() == TestBackend::kPostgres) {
    // PostgreSQL text cannot hold a NUL byte (bad_input_test checks the
    // refusal); everything else round-trips there too.
    (*input.mutable_properties())["s"].set_string_value("hé llo");
  }
  const int64_t id = PutArtifact(input);
  Artifact expected = input;
  expected.set_id(id);
  expected.set_type("at");
  expected.set_uri("");
  EXPECT_THAT(WithoutTimes(GetArtifact(id)), EqualsProto(expected));
}

TEST_F(NodesTest, DuplicateNamesAndExternalIds) {
  ASSERT_GT(PutArtifact(A("name: 'n'")), 0);
  EXPECT_THAT(PutArtifacts({A("name: 'n'")}),
              StatusIs(StatusCode::kAlreadyExists));
  // Names are per type.
  EXPECT_THAT(PutArtifacts({A("name: 'n' type_id: " + std::to_string(at2_))}),
              IsOk());
  // "" names collide; absent names never do.
  ASSERT_THAT(PutArtifacts({A("name: ''"), A(), A()}), IsOk());
  EXPECT_THAT(PutArtifacts({A("name: ''")}),
              StatusIs(StatusCode::kAlreadyExists));
  // External ids are unique across all artifacts, "" included.
  ASSERT_GT(PutArtifact(A("external_id: 'x'")), 0);
  EXPECT_THAT(
      PutArtifacts({A("external_id: 'x' type_id: " + std::to_string(at2_))}),
      StatusIs(StatusCode::kAlreadyExists));
  ASSERT_GT(PutArtifact(A("external_id: ''")), 0);
  EXPECT_THAT(PutArtifacts({A("external_id: ''")}),
              StatusIs(StatusCode::kAlreadyExists));
  const Artifact empty_ext = GetArtifacts({7})[0];
  EXPECT_TRUE(empty_ext.has_external_id());

  // Executions and contexts likewise.
  const std::string et = "type_id: " + std::to_string(et_);
  ASSERT_THAT(PutExecutions({ParseTextProto<Execution>(et + " name: 'e'")}),
              IsOk());
  EXPECT_THAT(PutExecutions({ParseTextProto<Execution>(et + " name: 'e'")}),
              StatusIs(StatusCode::kAlreadyExists));
  const std::string ct = "type_id: " + std::to_string(ct_);
  ASSERT_THAT(PutContexts({ParseTextProto<Context>(
                  ct + " name: 'c' external_id: 'x'")}),
              IsOk());
  EXPECT_THAT(PutContexts({ParseTextProto<Context>(ct + " name: 'c'")}),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(PutContexts({ParseTextProto<Context>(
                  ct + " name: 'c2' external_id: 'x'")}),
              StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(NodesTest, DuplicateWithinOneRequestRollsBackEverything) {
  EXPECT_THAT(
      PutArtifacts({A("name: 'first'"), A("name: 'dup'"), A("name: 'dup'")}),
      StatusIs(StatusCode::kAlreadyExists));
  ml_metadata::GetArtifactsResponse all;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifacts, ml_metadata::GetArtifactsRequest(), all),
      IsOk());
  EXPECT_THAT(all.artifacts(), IsEmpty());

  const std::string ct = "type_id: " + std::to_string(ct_);
  EXPECT_THAT(PutContexts({ParseTextProto<Context>(ct + " name: 'a'"),
                           ParseTextProto<Context>(ct + " name: 'a'")}),
              StatusIs(StatusCode::kAlreadyExists));
  ml_metadata::GetContextsResponse contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContexts, ml_metadata::GetContextsRequest(),
                         contexts),
              IsOk());
  EXPECT_THAT(contexts.contexts(), IsEmpty());
}

TEST_F(NodesTest, UpdateUnknownIdOrTypeChangeIsInvalid) {
  EXPECT_THAT(PutArtifacts({A("id: 42")}),
              StatusIs(StatusCode::kInvalidArgument));
  const int64_t id = PutArtifact(A("uri: 'u'"));
  Artifact change = A("uri: 'u'");
  change.set_id(id);
  change.set_type_id(at2_);
  EXPECT_THAT(PutArtifacts({change}), StatusIs(StatusCode::kInvalidArgument));
  // Absent type_id keeps the stored one.
  Artifact no_type;
  no_type.set_id(id);
  no_type.set_uri("v");
  ASSERT_THAT(PutArtifacts({no_type}), IsOk());
  const Artifact read = GetArtifact(id);
  EXPECT_EQ(read.type_id(), at_);
  EXPECT_EQ(read.uri(), "v");
}

TEST_F(NodesTest, UnmaskedUpdateReplacesWholeNode) {
  const int64_t id =
      PutArtifact(A("name: 'n' uri: 'u' state: LIVE external_id: 'x' "
                    "properties { key: 'i' value { int_value: 1 } } "
                    "custom_properties { key: 'c' value { int_value: 2 } }"));
  Artifact update;
  update.set_id(id);
  update.set_name("renamed");
  ASSERT_THAT(PutArtifacts({update}), IsOk());
  const Artifact read = GetArtifact(id);
  // Name immutable, everything else wiped.
  Artifact expected = A("name: 'n' uri: '' type: 'at'");
  expected.set_id(id);
  EXPECT_THAT(WithoutTimes(read), EqualsProto(expected));

  // Executions: last_known_state/external_id/properties wiped, name kept.
  std::vector<int64_t> eids;
  const std::string et = "type_id: " + std::to_string(et_);
  ASSERT_THAT(
      PutExecutions(
          {ParseTextProto<Execution>(et + " name: 'e' last_known_state: NEW "
                                          "external_id: 'x' "
                                          "properties { key: 'i' value { "
                                          "int_value: 1 } }")},
          &eids),
      IsOk());
  Execution eupdate;
  eupdate.set_id(eids[0]);
  ASSERT_THAT(PutExecutions({eupdate}), IsOk());
  Execution want_e = ParseTextProto<Execution>(et + " name: 'e' type: 'et'");
  want_e.set_id(eids[0]);
  EXPECT_THAT(WithoutTimes(GetExecution(eids[0])), EqualsProto(want_e));
}

TEST_F(NodesTest, ExternalIdCollisionOnUpdateIsAlreadyExists) {
  std::vector<int64_t> ids;
  ASSERT_THAT(
      PutArtifacts({A("external_id: 'x'"), A("external_id: 'y'")}, &ids),
      IsOk());
  Artifact update = A("external_id: 'x'");
  update.set_id(ids[1]);
  EXPECT_THAT(PutArtifacts({update}), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(GetArtifact(ids[1]).external_id(), "y");

  std::vector<int64_t> eids;
  const std::string et = "type_id: " + std::to_string(et_);
  ASSERT_THAT(
      PutExecutions({ParseTextProto<Execution>(et + " external_id: 'x'"),
                     ParseTextProto<Execution>(et)},
                    &eids),
      IsOk());
  Execution eupdate = ParseTextProto<Execution>("external_id: 'x'");
  eupdate.set_id(eids[1]);
  EXPECT_THAT(PutExecutions({eupdate}, nullptr, {"external_id"}),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_FALSE(GetExecution(eids[1]).has_external_id());
}

TEST_F(NodesTest, ExecutionMaskedStateUpdate) {
  std::vector<int64_t> ids;
  const std::string et = "type_id: " + std::to_string(et_);
  ASSERT_THAT(PutExecutions({ParseTextProto<Execution>(
                                et + " name: 'e' last_known_state: RUNNING "
                                     "properties { key: 'i' value { "
                                     "int_value: 1 } }")},
                            &ids),
              IsOk());
  Execution update = ParseTextProto<Execution>("last_known_state: COMPLETE");
  update.set_id(ids[0]);
  ASSERT_THAT(PutExecutions({update}, nullptr, {"last_known_state"}), IsOk());
  Execution expected = ParseTextProto<Execution>(
      et +
      " name: 'e' type: 'et' last_known_state: COMPLETE "
      "properties { key: 'i' value { int_value: 1 } }");
  expected.set_id(ids[0]);
  EXPECT_THAT(WithoutTimes(GetExecution(ids[0])), EqualsProto(expected));
}

TEST_F(NodesTest, ContextRenameAndEmptyNameOnUpdate) {
  std::vector<int64_t> ids;
  const std::string ct = "type_id: " + std::to_string(ct_);
  ASSERT_THAT(
      PutContexts({ParseTextProto<Context>(ct + " name: 'a' external_id: 'x'")},
                  &ids),
      IsOk());
  Context update;
  update.set_id(ids[0]);
  EXPECT_THAT(PutContexts({update}), StatusIs(StatusCode::kInvalidArgument));
  update.set_name("b");
  ASSERT_THAT(PutContexts({update}), IsOk());
  Context expected = ParseTextProto<Context>(ct + " name: 'b' type: 'ct'");
  expected.set_id(ids[0]);
  EXPECT_THAT(WithoutTimes(GetContext(ids[0])), EqualsProto(expected));
  // Masking name without one is rejected too.
  Context masked;
  masked.set_id(ids[0]);
  EXPECT_THAT(PutContexts({masked}, nullptr, {"name"}),
              StatusIs(StatusCode::kInvalidArgument));
  // Rename onto an existing name collides.
  ASSERT_THAT(PutContexts({ParseTextProto<Context>(ct + " name: 'c'")}),
              IsOk());
  update.set_name("c");
  EXPECT_THAT(PutContexts({update}), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(NodesTest, MaskTopLevelPaths) {
  const int64_t id =
      PutArtifact(A("uri: 'u' state: LIVE external_id: 'x' "
                    "properties { key: 'i' value { int_value: 1 } }"));
  Artifact update;
  update.set_id(id);
  update.set_state(Artifact::DELETED);
  // uri named but absent → cleared; state copied; unknown paths ignored;
  // external_id and properties untouched.
  ASSERT_THAT(PutArtifacts({update}, nullptr,
                           {"uri", "state", "", "foo", "a.b", "name", "id",
                            "create_time_since_epoch"}),
              IsOk());
  Artifact expected =
      A("uri: '' state: DELETED external_id: 'x' type: 'at' "
        "properties { key: 'i' value { int_value: 1 } }");
  expected.set_id(id);
  EXPECT_THAT(WithoutTimes(GetArtifact(id)), EqualsProto(expected));

  // Only unknown paths: nothing changes.
  ASSERT_THAT(PutArtifacts({update}, nullptr, {"invalid_field_mask_path"}),
              IsOk());
  EXPECT_THAT(WithoutTimes(GetArtifact(id)), EqualsProto(expected));

  // external_id absent under the mask → cleared.
  ASSERT_THAT(PutArtifacts({update}, nullptr, {"external_id"}), IsOk());
  expected.clear_external_id();
  EXPECT_THAT(WithoutTimes(GetArtifact(id)), EqualsProto(expected));
}

TEST_F(NodesTest, MaskPropertyPaths) {
  const int64_t id = PutArtifact(
      A("properties { key: 'i' value { int_value: 1 } } "
        "properties { key: 's' value { string_value: 's' } } "
        "custom_properties { key: 'a.b' value { int_value: 1 } } "
        "custom_properties { key: 'keep' value { int_value: 2 } }"));
  Artifact update =
      A("properties { key: 'i' value { int_value: 5 } } "
        "properties { key: 'd' value { double_value: 1.5 } } "
        "properties { key: 'b' value { string_value: 'not validated' } } "
        "custom_properties { key: 'new' value { int_value: 3 } }");
  update.set_id(id);
  ASSERT_THAT(PutArtifacts({update}, nullptr,
                           {"properties.i", "properties.d", "properties.s",
                            "custom_properties.a.b", "custom_properties.new",
                            "custom_properties.ghost"}),
              IsOk());
  Artifact expected =
      A("uri: '' type: 'at' "
        "properties { key: 'i' value { int_value: 5 } } "
        "properties { key: 'd' value { double_value: 1.5 } } "
        "custom_properties { key: 'keep' value { int_value: 2 } } "
        "custom_properties { key: 'new' value { int_value: 3 } }");
  expected.set_id(id);
  EXPECT_THAT(WithoutTimes(GetArtifact(id)), EqualsProto(expected));

  // A named property is validated.
  EXPECT_THAT(PutArtifacts({update}, nullptr, {"properties.b"}),
              StatusIs(StatusCode::kInvalidArgument));

  // Bare `properties` replaces the whole map and validates all of it.
  EXPECT_THAT(PutArtifacts({update}, nullptr, {"properties"}),
              StatusIs(StatusCode::kInvalidArgument));
  Artifact replace = A("properties { key: 's' value { string_value: 't' } }");
  replace.set_id(id);
  ASSERT_THAT(PutArtifacts({replace}, nullptr, {"properties", "properties.i"}),
              IsOk());
  expected =
      A("uri: '' type: 'at' "
        "properties { key: 's' value { string_value: 't' } } "
        "custom_properties { key: 'keep' value { int_value: 2 } } "
        "custom_properties { key: 'new' value { int_value: 3 } }");
  expected.set_id(id);
  EXPECT_THAT(WithoutTimes(GetArtifact(id)), EqualsProto(expected));
}

TEST_F(NodesTest, MaskIgnoredOnCreate) {
  const int64_t id = PutArtifact(A("uri: 'old'"));
  Artifact update = A("uri: 'new' state: LIVE");
  update.set_id(id);
  const Artifact created =
      A("uri: 'c' state: LIVE properties { key: 'i' value { int_value: 1 } }");
  std::vector<int64_t> ids;
  ASSERT_THAT(PutArtifacts({update, created}, &ids, {"uri"}), IsOk());
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], id);
  Artifact want_update = A("uri: 'new' type: 'at'");
  want_update.set_id(id);
  EXPECT_THAT(WithoutTimes(GetArtifact(id)), EqualsProto(want_update));
  Artifact want_created = created;
  want_created.set_id(ids[1]);
  want_created.set_type("at");
  EXPECT_THAT(WithoutTimes(GetArtifact(ids[1])), EqualsProto(want_created));
}

TEST_F(NodesTest, LastUpdateTimeBumpsOnlyOnChange) {
  const int64_t id =
      PutArtifact(A("uri: 'u' properties { key: 'i' value { int_value: 1 } }"));
  const Artifact before = GetArtifact(id);
  // Resent exactly as read: unchanged.
  ASSERT_THAT(PutArtifacts({before}), IsOk());
  EXPECT_THAT(GetArtifact(id), EqualsProto(before));
  // The same content without `type`: counts as changed.
  Artifact without_type = before;
  without_type.clear_type();
  usleep(5000);
  ASSERT_THAT(PutArtifacts({without_type}), IsOk());
  const Artifact after = GetArtifact(id);
  EXPECT_GT(after.last_update_time_since_epoch(),
            before.last_update_time_since_epoch());
  EXPECT_EQ(after.create_time_since_epoch(), before.create_time_since_epoch());
  EXPECT_THAT(WithoutTimes(after), EqualsProto(WithoutTimes(before)));
  // A property change alone bumps too.
  Artifact prop = after;
  (*prop.mutable_properties())["i"].set_int_value(2);
  usleep(5000);
  ASSERT_THAT(PutArtifacts({prop}), IsOk());
  EXPECT_GT(GetArtifact(id).last_update_time_since_epoch(),
            after.last_update_time_since_epoch());
}

TEST_F(NodesTest, AbortIfLatestUpdatedTimeChanged) {
  const int64_t id = PutArtifact(A("uri: 'u'"));
  const Artifact read = GetArtifact(id);
  ml_metadata::PutArtifactsRequest request;
  request.mutable_options()->set_abort_if_latest_updated_time_changed(true);
  Artifact* stale = request.add_artifacts();
  *stale = read;
  stale->set_uri("stale");
  stale->set_last_update_time_since_epoch(read.last_update_time_since_epoch() -
                                          1);
  *request.add_artifacts() = A("uri: 'new node'");
  ml_metadata::PutArtifactsResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(GetArtifact(id), EqualsProto(read));
  EXPECT_THAT(GetArtifacts({2}), IsEmpty());

  // Absent timestamp compares as 0 and fails.
  stale->clear_last_update_time_since_epoch();
  EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response),
              StatusIs(StatusCode::kFailedPrecondition));

  stale->set_last_update_time_since_epoch(read.last_update_time_since_epoch());
  ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response), IsOk());
  const Artifact updated = GetArtifact(id);
  EXPECT_EQ(updated.uri(), "stale");
  EXPECT_GT(updated.last_update_time_since_epoch(),
            read.last_update_time_since_epoch());

  // Unknown id: the normal update path answers.
  request.Clear();
  request.mutable_options()->set_abort_if_latest_updated_time_changed(true);
  *request.add_artifacts() = A("id: 99");
  EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifacts, request, response),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(NodesTest, GetArtifactsByIdOrderAndTypes) {
  std::vector<int64_t> ids;
  ASSERT_THAT(
      PutArtifacts({A(), A("type_id: " + std::to_string(at2_)), A()}, &ids),
      IsOk());
  ml_metadata::GetArtifactsByIDRequest request;
  for (int64_t id : {ids[2], ids[0], int64_t{99}, ids[2], ids[1]}) {
    request.add_artifact_ids(id);
  }
  ml_metadata::GetArtifactsByIDResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, request, response), IsOk());
  ASSERT_EQ(response.artifacts_size(), 3);
  EXPECT_EQ(response.artifacts(0).id(), ids[0]);
  EXPECT_EQ(response.artifacts(1).id(), ids[1]);
  EXPECT_EQ(response.artifacts(2).id(), ids[2]);
  EXPECT_THAT(response.artifact_types(), IsEmpty());

  request.set_populate_artifact_types(true);
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, request, response), IsOk());
  ASSERT_EQ(response.artifact_types_size(), 2);
  std::vector<int64_t> type_ids = {response.artifact_types(0).id(),
                                   response.artifact_types(1).id()};
  std::sort(type_ids.begin(), type_ids.end());
  EXPECT_THAT(type_ids, ElementsAre(at_, at2_));
  for (const auto& type : response.artifact_types()) {
    if (type.id() != at2_) continue;
    ml_metadata::ArtifactType expected;
    expected.set_id(at2_);
    expected.set_name("at2");
    EXPECT_THAT(type, EqualsProto(expected));
  }

  ml_metadata::GetArtifactsByIDResponse empty;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID,
                         ml_metadata::GetArtifactsByIDRequest(), empty),
              IsOk());
  EXPECT_THAT(empty.artifacts(), IsEmpty());
}

TEST_F(NodesTest, GetByTypeAndName) {
  const int64_t id = PutArtifact(A("name: 'n'"));
  ml_metadata::GetArtifactByTypeAndNameRequest request;
  request.set_type_name("at");
  request.set_artifact_name("n");
  ml_metadata::GetArtifactByTypeAndNameResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactByTypeAndName, request, response),
              IsOk());
  EXPECT_THAT(response.artifact(), EqualsProto(GetArtifact(id)));

  request.set_artifact_name("missing");
  response.Clear();
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactByTypeAndName, request, response),
              IsOk());
  EXPECT_FALSE(response.has_artifact());
  request.set_type_name("no_type");
  request.set_artifact_name("n");
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactByTypeAndName, request, response),
              IsOk());
  EXPECT_FALSE(response.has_artifact());

  std::vector<int64_t> cids;
  ASSERT_THAT(PutContexts({ParseTextProto<Context>("name: 'c' type_id: " +
                                                   std::to_string(ct_))},
                          &cids),
              IsOk());
  ml_metadata::GetContextByTypeAndNameRequest crequest;
  crequest.set_type_name("ct");
  crequest.set_context_name("c");
  crequest.set_type_version("");
  ml_metadata::GetContextByTypeAndNameResponse cresponse;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextByTypeAndName, crequest, cresponse),
              IsOk());
  EXPECT_EQ(cresponse.context().id(), cids[0]);
}

TEST_F(NodesTest, GetArtifactsByUri) {
  std::vector<int64_t> ids;
  ASSERT_THAT(
      PutArtifacts({A("uri: 'a'"), A(), A("uri: 'a'"), A("uri: 'b'")}, &ids),
      IsOk());
  auto call = [&](std::vector<std::string> uris) {
    ml_metadata::GetArtifactsByURIRequest request;
    for (const std::string& uri : uris) request.add_uris(uri);
    ml_metadata::GetArtifactsByURIResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, request, response),
                IsOk());
    std::vector<int64_t> found;
    for (const Artifact& a : response.artifacts()) found.push_back(a.id());
    return found;
  };
  EXPECT_THAT(call({"a"}), ElementsAre(ids[0], ids[2]));
  EXPECT_THAT(call({"a", "a"}), ElementsAre(ids[0], ids[2]));
  EXPECT_THAT(call({""}), ElementsAre(ids[1]));
  EXPECT_THAT(call({"zzz"}), IsEmpty());
  EXPECT_THAT(call({}), IsEmpty());

  // The removed singular field 1 is rejected.
  ml_metadata::GetArtifactsByURIRequest request;
  request.add_uris("a");
  request.GetReflection()->MutableUnknownFields(&request)->AddLengthDelimited(
      1, "x");
  ml_metadata::GetArtifactsByURIResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, request, response),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(NodesTest, GetByExternalIds) {
  std::vector<int64_t> ids;
  ASSERT_THAT(
      PutArtifacts({A("external_id: 'y'"), A("external_id: 'x'")}, &ids),
      IsOk());
  ml_metadata::GetArtifactsByExternalIdsResponse response;
  auto call = [&](std::vector<std::string> external_ids) {
    ml_metadata::GetArtifactsByExternalIdsRequest request;
    for (const std::string& id : external_ids) request.add_external_ids(id);
    response.Clear();
    return MLMDX_CALL(*stub_, GetArtifactsByExternalIds, request, response);
  };
  EXPECT_THAT(call({}), IsOk());
  EXPECT_THAT(response.artifacts(), IsEmpty());
  EXPECT_THAT(call({"nope"}), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(call({"x", ""}), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_THAT(call({"x", "nope", "y"}), IsOk());
  ASSERT_EQ(response.artifacts_size(), 2);
  EXPECT_EQ(response.artifacts(0).id(), ids[0]);
  EXPECT_EQ(response.artifacts(1).id(), ids[1]);

  ml_metadata::GetExecutionsByExternalIdsRequest erequest;
  erequest.add_external_ids("x");
  ml_metadata::GetExecutionsByExternalIdsResponse eresponse;
  EXPECT_THAT(
      MLMDX_CALL(*stub_, GetExecutionsByExternalIds, erequest, eresponse),
      StatusIs(StatusCode::kNotFound));
  ml_metadata::GetContextsByExternalIdsRequest crequest;
  crequest.add_external_ids("");
  ml_metadata::GetContextsByExternalIdsResponse cresponse;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetContextsByExternalIds, crequest, cresponse),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(NodesTest, NameLengthLimit) {
  EXPECT_GT(PutArtifact(A("name: '" + std::string(255, 'n') + "'")), 0);
  EXPECT_THAT(PutArtifacts({A("name: '" + std::string(256, 'm') + "'")}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(GetArtifacts({1, 2}), ::testing::SizeIs(1));
  EXPECT_THAT(PutContexts({ParseTextProto<Context>(
                  "name: '" + std::string(256, 'c') +
                  "' type_id: " + std::to_string(ct_))}),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mlmdx::testing

namespace mlmdx::testing {
namespace {

// MLMD stores structs as strings with the "mlmd-struct::" marker, so a plain
// string with that prefix could not read back as itself (quirk Q13): it is
// refused on write, for properties and custom properties alike, and the
// request changes nothing.
TEST_F(NodesTest, StringWithTheStructMarkerIsRefused) {
  Artifact with_property;
  with_property.set_type_id(at_);
  (*with_property.mutable_properties())["s"].set_string_value(
      "mlmd-struct::looks like a struct");
  absl::Status status = PutArtifacts({with_property});
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(status.message().find("'s'"), std::string::npos) << status;

  Artifact fine;
  fine.set_type_id(at_);
  Artifact with_custom;
  with_custom.set_type_id(at_);
  (*with_custom.mutable_custom_properties())["c"].set_string_value(
      "mlmd-struct::");
  EXPECT_THAT(PutArtifacts({fine, with_custom}),
              StatusIs(absl::StatusCode::kInvalidArgument));

  ml_metadata::GetArtifactsResponse all;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifacts, ml_metadata::GetArtifactsRequest(), all),
      IsOk());
  EXPECT_EQ(all.artifacts_size(), 0);

  // The marker elsewhere in a string is an ordinary string.
  Artifact inside;
  inside.set_type_id(at_);
  (*inside.mutable_custom_properties())["c"].set_string_value(
      "x mlmd-struct::");
  const int64_t id = PutArtifact(inside);
  ml_metadata::GetArtifactsByIDRequest get;
  get.add_artifact_ids(id);
  ml_metadata::GetArtifactsByIDResponse got;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, get, got), IsOk());
  ASSERT_EQ(got.artifacts_size(), 1);
  EXPECT_EQ(got.artifacts(0).custom_properties().at("c").string_value(),
            "x mlmd-struct::");
}

}  // namespace
}  // namespace mlmdx::testing
