// Type RPCs end to end (api.md §2.8, §2.10, §3.1, §3.2): upsert and
// evolution, base types, versions, external ids, PutTypes atomicity, and
// exactly which fields each read returns.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::absl::StatusCode;
using ::ml_metadata::ArtifactType;
using ::ml_metadata::ContextType;
using ::ml_metadata::ExecutionType;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Matches an absl::StatusOr<T> that is OK and whose value matches `matcher`.
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

class TypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
  }

  absl::Status PutArtifactType(const ArtifactType& type, int64_t* id,
                               bool add = false, bool omit = false) {
    ml_metadata::PutArtifactTypeRequest request;
    *request.mutable_artifact_type() = type;
    if (add) request.set_can_add_fields(true);
    if (omit) request.set_can_omit_fields(true);
    ml_metadata::PutArtifactTypeResponse response;
    absl::Status status =
        MLMDX_CALL(*stub_, PutArtifactType, request, response);
    if (id != nullptr) *id = response.type_id();
    return status;
  }

  absl::Status PutExecutionType(const ExecutionType& type, int64_t* id) {
    ml_metadata::PutExecutionTypeRequest request;
    *request.mutable_execution_type() = type;
    ml_metadata::PutExecutionTypeResponse response;
    absl::Status status =
        MLMDX_CALL(*stub_, PutExecutionType, request, response);
    if (id != nullptr) *id = response.type_id();
    return status;
  }

  absl::Status PutContextType(const ContextType& type, int64_t* id) {
    ml_metadata::PutContextTypeRequest request;
    *request.mutable_context_type() = type;
    ml_metadata::PutContextTypeResponse response;
    absl::Status status = MLMDX_CALL(*stub_, PutContextType, request, response);
    if (id != nullptr) *id = response.type_id();
    return status;
  }

  absl::StatusOr<ArtifactType> GetArtifactType(
      const std::string& name, const std::string& version = "") {
    ml_metadata::GetArtifactTypeRequest request;
    request.set_type_name(name);
    if (!version.empty()) request.set_type_version(version);
    ml_metadata::GetArtifactTypeResponse response;
    absl::Status status =
        MLMDX_CALL(*stub_, GetArtifactType, request, response);
    if (!status.ok()) return status;
    return response.artifact_type();
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
};

ArtifactType AType(const std::string& text) {
  return ParseTextProto<ArtifactType>(text);
}

TEST_F(TypesTest, FirstUserTypeGetsIdTenAndIdsAreShared) {
  int64_t a = 0, e = 0, c = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a'"), &a), IsOk());
  ASSERT_THAT(PutExecutionType(ParseTextProto<ExecutionType>("name: 'e'"), &e),
              IsOk());
  ASSERT_THAT(PutContextType(ParseTextProto<ContextType>("name: 'c'"), &c),
              IsOk());
  EXPECT_EQ(a, 10);
  EXPECT_EQ(e, 11);
  EXPECT_EQ(c, 12);
}

TEST_F(TypesTest, SameDefinitionIsIdempotent) {
  int64_t first = 0, second = 0;
  const ArtifactType type =
      AType("name: 't' properties { key: 'p1' value: STRING }");
  ASSERT_THAT(PutArtifactType(type, &first), IsOk());
  // The request id is ignored.
  ArtifactType with_id = type;
  with_id.set_id(999);
  ASSERT_THAT(PutArtifactType(with_id, &second), IsOk());
  EXPECT_EQ(first, second);
}

TEST_F(TypesTest, EvolutionTable) {
  struct Row {
    std::string stored;
    std::string request;
    bool add;
    bool omit;
    StatusCode code;
    std::string after;  // stored properties afterwards, text proto
  };
  const std::vector<Row> rows = {
      {"properties { key: 'p1' value: STRING }",
       "properties { key: 'p1' value: STRING } "
       "properties { key: 'p2' value: STRING }",
       false, false, StatusCode::kAlreadyExists,
       "properties { key: 'p1' value: STRING }"},
      {"properties { key: 'p1' value: STRING }",
       "properties { key: 'p1' value: STRING } "
       "properties { key: 'p2' value: INT }",
       true, false, StatusCode::kOk,
       "properties { key: 'p1' value: STRING } "
       "properties { key: 'p2' value: INT }"},
      {"properties { key: 'p1' value: STRING } "
       "properties { key: 'p2' value: STRING }",
       "properties { key: 'p1' value: STRING }", false, false,
       StatusCode::kAlreadyExists,
       "properties { key: 'p1' value: STRING } "
       "properties { key: 'p2' value: STRING }"},
      {"properties { key: 'p1' value: INT } "
       "properties { key: 'p2' value: STRING }",
       "properties { key: 'p2' value: STRING }", false, true, StatusCode::kOk,
       "properties { key: 'p1' value: INT } "
       "properties { key: 'p2' value: STRING }"},
      {"properties { key: 'p1' value: INT } "
       "properties { key: 'p2' value: STRING }",
       "properties { key: 'p3' value: DOUBLE }", false, true,
       StatusCode::kAlreadyExists,
       "properties { key: 'p1' value: INT } "
       "properties { key: 'p2' value: STRING }"},
      {"properties { key: 'p1' value: INT } "
       "properties { key: 'p2' value: STRING }",
       "properties { key: 'p3' value: DOUBLE }", true, true, StatusCode::kOk,
       "properties { key: 'p1' value: INT } "
       "properties { key: 'p2' value: STRING } "
       "properties { key: 'p3' value: DOUBLE }"},
      {"properties { key: 'p1' value: STRING }",
       "properties { key: 'p1' value: INT }", true, false,
       StatusCode::kAlreadyExists, "properties { key: 'p1' value: STRING }"},
  };
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(n);
    const std::string name = "t" + std::to_string(n++);
    int64_t stored_id = 0, id = 0;
    ASSERT_THAT(PutArtifactType(AType("name: '" + name + "' " + row.stored),
                                &stored_id),
                IsOk());
    const absl::Status status = PutArtifactType(
        AType("name: '" + name + "' " + row.request), &id, row.add, row.omit);
    EXPECT_THAT(status, StatusIs(row.code));
    if (status.ok()) EXPECT_EQ(id, stored_id);
    ArtifactType expected = AType("name: '" + name + "' " + row.after);
    expected.set_id(stored_id);
    EXPECT_THAT(GetArtifactType(name), IsOkAndHolds(EqualsProto(expected)));
  }
}

TEST_F(TypesTest, EmptyNameAndMissingTypeAreInvalid) {
  EXPECT_THAT(PutArtifactType(AType("name: ''"), nullptr),
              StatusIs(StatusCode::kInvalidArgument));
  ml_metadata::PutExecutionTypeRequest request;  // no execution_type at all
  ml_metadata::PutExecutionTypeResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutExecutionType, request, response),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TypesTest, UnknownPropertyTypeIsInvalid) {
  EXPECT_THAT(
      PutArtifactType(AType("name: 't' properties { key: 'p' value: UNKNOWN }"),
                      nullptr),
      StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(GetArtifactType("t").status(), StatusIs(StatusCode::kNotFound));
  ASSERT_THAT(PutArtifactType(AType("name: 't'"), nullptr), IsOk());
  EXPECT_THAT(
      PutArtifactType(AType("name: 't' properties { key: 'p' value: UNKNOWN }"),
                      nullptr, /*add=*/true),
      StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TypesTest, AllFieldsMatchFalseIsUnimplemented) {
  ml_metadata::PutArtifactTypeRequest request;
  request.mutable_artifact_type()->set_name("t");
  request.set_all_fields_match(false);
  ml_metadata::PutArtifactTypeResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifactType, request, response),
              StatusIs(StatusCode::kUnimplemented));
  EXPECT_THAT(GetArtifactType("t").status(), StatusIs(StatusCode::kNotFound));

  ml_metadata::PutTypesRequest types;
  types.add_context_types()->set_name("c");
  types.set_all_fields_match(false);
  ml_metadata::PutTypesResponse types_response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutTypes, types, types_response),
              StatusIs(StatusCode::kUnimplemented));

  // Explicit true behaves normally; can_delete_fields is ignored.
  request.set_all_fields_match(true);
  request.set_can_delete_fields(true);
  EXPECT_THAT(MLMDX_CALL(*stub_, PutArtifactType, request, response), IsOk());
}

TEST_F(TypesTest, BaseTypeRules) {
  int64_t id = 0, again = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 't' base_type: MODEL"), &id),
              IsOk());
  ArtifactType expected = AType("name: 't' base_type: MODEL");
  expected.set_id(id);
  EXPECT_THAT(GetArtifactType("t"), IsOkAndHolds(EqualsProto(expected)));
  // Same base: no-op. Absent: link kept.
  EXPECT_THAT(PutArtifactType(AType("name: 't' base_type: MODEL"), &again),
              IsOk());
  EXPECT_EQ(again, id);
  EXPECT_THAT(PutArtifactType(AType("name: 't'"), &again), IsOk());
  EXPECT_THAT(GetArtifactType("t"), IsOkAndHolds(EqualsProto(expected)));
  // Change and UNSET are not supported.
  EXPECT_THAT(PutArtifactType(AType("name: 't' base_type: DATASET"), nullptr),
              StatusIs(StatusCode::kUnimplemented));
  EXPECT_THAT(PutArtifactType(AType("name: 't' base_type: UNSET"), nullptr),
              StatusIs(StatusCode::kUnimplemented));
  EXPECT_THAT(GetArtifactType("t"), IsOkAndHolds(EqualsProto(expected)));

  // Set on an existing type without a link creates the link.
  ASSERT_THAT(PutExecutionType(ParseTextProto<ExecutionType>("name: 'e'"), &id),
              IsOk());
  ASSERT_THAT(
      PutExecutionType(
          ParseTextProto<ExecutionType>("name: 'e' base_type: TRAIN"), &again),
      IsOk());
  EXPECT_EQ(again, id);
  ml_metadata::GetExecutionTypeRequest get;
  get.set_type_name("e");
  ml_metadata::GetExecutionTypeResponse got;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionType, get, got), IsOk());
  EXPECT_EQ(got.execution_type().base_type(), ExecutionType::TRAIN);

  // Context types only know UNSET, which is rejected.
  EXPECT_THAT(
      PutContextType(ParseTextProto<ContextType>("name: 'c' base_type: UNSET"),
                     nullptr),
      StatusIs(StatusCode::kUnimplemented));
}

TEST_F(TypesTest, VersionsAreIdentity) {
  int64_t unversioned = 0, empty_version = 0, v1 = 0, v2 = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 't'"), &unversioned), IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 't' version: ''"), &empty_version),
              IsOk());
  EXPECT_EQ(unversioned, empty_version);
  ASSERT_THAT(PutArtifactType(AType("name: 't' version: 'v1'"), &v1), IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 't' version: 'v2'"), &v2), IsOk());
  EXPECT_NE(v1, unversioned);
  EXPECT_NE(v1, v2);

  ArtifactType expected = AType("name: 't'");
  expected.set_id(unversioned);
  EXPECT_THAT(GetArtifactType("t"), IsOkAndHolds(EqualsProto(expected)));
  // Empty version reads back unset.
  EXPECT_THAT(GetArtifactType("t", ""), IsOkAndHolds(EqualsProto(expected)));
  ml_metadata::GetArtifactTypeRequest request;
  request.set_type_name("t");
  request.set_type_version("");
  ml_metadata::GetArtifactTypeResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactType, request, response), IsOk());
  EXPECT_THAT(response.artifact_type(), EqualsProto(expected));

  expected = AType("name: 't' version: 'v2'");
  expected.set_id(v2);
  EXPECT_THAT(GetArtifactType("t", "v2"), IsOkAndHolds(EqualsProto(expected)));
  EXPECT_THAT(GetArtifactType("t", "v3").status(),
              StatusIs(StatusCode::kNotFound));

  // A name that only exists with versions is not found without one.
  ASSERT_THAT(PutArtifactType(AType("name: 'only' version: 'v1'"), nullptr),
              IsOk());
  EXPECT_THAT(GetArtifactType("only").status(),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(TypesTest, GetTypeByUnknownNameIsNotFound) {
  EXPECT_THAT(GetArtifactType("nope").status(),
              StatusIs(StatusCode::kNotFound));
  ml_metadata::GetExecutionTypeRequest e;
  e.set_type_name("nope");
  ml_metadata::GetExecutionTypeResponse er;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetExecutionType, e, er),
              StatusIs(StatusCode::kNotFound));
  ml_metadata::GetContextTypeRequest c;
  c.set_type_name("nope");
  ml_metadata::GetContextTypeResponse cr;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetContextType, c, cr),
              StatusIs(StatusCode::kNotFound));
  // Simple types are visible by name.
  EXPECT_THAT(GetArtifactType("mlmd.Dataset"),
              IsOkAndHolds(EqualsProto(AType("id: 1 name: 'mlmd.Dataset'"))));
}

TEST_F(TypesTest, ExternalIdUniqueAcrossKinds) {
  int64_t id = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a' external_id: 'x'"), &id),
              IsOk());
  EXPECT_THAT(PutArtifactType(AType("name: 'b' external_id: 'x'"), nullptr),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(
      PutExecutionType(
          ParseTextProto<ExecutionType>("name: 'e' external_id: 'x'"), nullptr),
      StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(
      PutContextType(ParseTextProto<ContextType>("name: 'c' external_id: 'x'"),
                     nullptr),
      StatusIs(StatusCode::kAlreadyExists));
  // "" is a real, unique value.
  ASSERT_THAT(PutArtifactType(AType("name: 'd' external_id: ''"), nullptr),
              IsOk());
  EXPECT_THAT(PutArtifactType(AType("name: 'f' external_id: ''"), nullptr),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(GetArtifactType("b").status(), StatusIs(StatusCode::kNotFound));
  ArtifactType expected = AType("name: 'd' external_id: ''");
  expected.set_id(id + 1);
  EXPECT_THAT(GetArtifactType("d"), IsOkAndHolds(EqualsProto(expected)));
}

TEST_F(TypesTest, ExternalIdCanChangeButNotBeCleared) {
  int64_t id = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a' external_id: 'x'"), &id),
              IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 'a'"), nullptr), IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 'a' external_id: ''"), nullptr),
              IsOk());
  ArtifactType expected = AType("name: 'a' external_id: 'x'");
  expected.set_id(id);
  EXPECT_THAT(GetArtifactType("a"), IsOkAndHolds(EqualsProto(expected)));
  ASSERT_THAT(PutArtifactType(AType("name: 'a' external_id: 'y'"), nullptr),
              IsOk());
  expected.set_external_id("y");
  EXPECT_THAT(GetArtifactType("a"), IsOkAndHolds(EqualsProto(expected)));
}

TEST_F(TypesTest, ExternalIdChangeOntoTakenIdIsAlreadyExists) {
  ASSERT_THAT(
      PutExecutionType(
          ParseTextProto<ExecutionType>("name: 'e' external_id: 'x'"), nullptr),
      IsOk());
  int64_t id = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a' external_id: 'y'"), &id),
              IsOk());
  EXPECT_THAT(PutArtifactType(AType("name: 'a' external_id: 'x'"), nullptr),
              StatusIs(StatusCode::kAlreadyExists));
  ArtifactType expected = AType("name: 'a' external_id: 'y'");
  expected.set_id(id);
  EXPECT_THAT(GetArtifactType("a"), IsOkAndHolds(EqualsProto(expected)));
}

TEST_F(TypesTest, DescriptionAndVersionNeverUpdated) {
  int64_t id = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a' description: ''"), &id), IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 'a' description: 'new'"), nullptr),
              IsOk());
  ArtifactType expected = AType("name: 'a' description: ''");
  expected.set_id(id);
  EXPECT_THAT(GetArtifactType("a"), IsOkAndHolds(EqualsProto(expected)));
}

TEST_F(TypesTest, PutTypesAlignsIdsAndResolvesRepeats) {
  ml_metadata::PutTypesRequest request =
      ParseTextProto<ml_metadata::PutTypesRequest>(
          "artifact_types { name: 'a' } artifact_types { name: 'b' } "
          "artifact_types { name: 'a' } execution_types { name: 'e' } "
          "context_types { name: 'c' }");
  ml_metadata::PutTypesResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutTypes, request, response), IsOk());
  EXPECT_THAT(response.artifact_type_ids(), ElementsAre(10, 11, 10));
  EXPECT_THAT(response.execution_type_ids(), ElementsAre(12));
  EXPECT_THAT(response.context_type_ids(), ElementsAre(13));

  ml_metadata::PutTypesResponse empty;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutTypes, ml_metadata::PutTypesRequest(), empty),
      IsOk());
  EXPECT_THAT(empty, EqualsProto(ml_metadata::PutTypesResponse()));
}

TEST_F(TypesTest, PutTypesIsAtomic) {
  int64_t id = 0;
  ASSERT_THAT(PutArtifactType(
                  AType("name: 'a' properties { key: 'p' value: INT }"), &id),
              IsOk());
  ml_metadata::PutTypesRequest request =
      ParseTextProto<ml_metadata::PutTypesRequest>(
          "can_add_fields: true "
          "artifact_types { name: 'a' properties { key: 'p' value: INT } "
          "                 properties { key: 'q' value: STRING } } "
          "artifact_types { name: 'new_a' } "
          "execution_types { name: 'e' } "
          "context_types { name: 'c' properties { key: 'x' value: UNKNOWN } }");
  ml_metadata::PutTypesResponse response;
  EXPECT_THAT(MLMDX_CALL(*stub_, PutTypes, request, response),
              StatusIs(StatusCode::kInvalidArgument));
  ArtifactType expected = AType("name: 'a' properties { key: 'p' value: INT }");
  expected.set_id(id);
  EXPECT_THAT(GetArtifactType("a"), IsOkAndHolds(EqualsProto(expected)));
  EXPECT_THAT(GetArtifactType("new_a").status(),
              StatusIs(StatusCode::kNotFound));
  ml_metadata::GetExecutionTypeRequest get;
  get.set_type_name("e");
  ml_metadata::GetExecutionTypeResponse got;
  EXPECT_THAT(MLMDX_CALL(*stub_, GetExecutionType, get, got),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(TypesTest, GetTypesByIdKeepsRequestOrderAndSkipsOthers) {
  int64_t a = 0, b = 0, e = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a'"), &a), IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 'b'"), &b), IsOk());
  ASSERT_THAT(PutExecutionType(ParseTextProto<ExecutionType>("name: 'e'"), &e),
              IsOk());
  ml_metadata::GetArtifactTypesByIDRequest request;
  for (int64_t id : {b, a, b, e, int64_t{999}, int64_t{1}}) {
    request.add_type_ids(id);
  }
  ml_metadata::GetArtifactTypesByIDResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactTypesByID, request, response),
              IsOk());
  ASSERT_EQ(response.artifact_types_size(), 4);
  EXPECT_EQ(response.artifact_types(0).id(), b);
  EXPECT_EQ(response.artifact_types(1).id(), a);
  EXPECT_EQ(response.artifact_types(2).id(), b);
  EXPECT_EQ(response.artifact_types(3).id(), 1);
  EXPECT_EQ(response.artifact_types(3).name(), "mlmd.Dataset");

  ml_metadata::GetExecutionTypesByIDRequest erequest;
  erequest.add_type_ids(a);
  erequest.add_type_ids(e);
  ml_metadata::GetExecutionTypesByIDResponse eresponse;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionTypesByID, erequest, eresponse),
              IsOk());
  ASSERT_EQ(eresponse.execution_types_size(), 1);
  EXPECT_EQ(eresponse.execution_types(0).id(), e);

  ml_metadata::GetContextTypesByIDResponse cresponse;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextTypesByID,
                         ml_metadata::GetContextTypesByIDRequest(), cresponse),
              IsOk());
  EXPECT_THAT(cresponse.context_types(), IsEmpty());
}

TEST_F(TypesTest, GetTypesHidesSimpleTypesInIdOrder) {
  int64_t a = 0, b = 0, e = 0, c = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'z'"), &a), IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 'a'"), &b), IsOk());
  ASSERT_THAT(PutExecutionType(ParseTextProto<ExecutionType>("name: 'e'"), &e),
              IsOk());
  ASSERT_THAT(PutContextType(ParseTextProto<ContextType>("name: 'c'"), &c),
              IsOk());
  ml_metadata::GetArtifactTypesResponse artifacts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactTypes,
                         ml_metadata::GetArtifactTypesRequest(), artifacts),
              IsOk());
  ASSERT_EQ(artifacts.artifact_types_size(), 2);
  EXPECT_EQ(artifacts.artifact_types(0).id(), a);
  EXPECT_EQ(artifacts.artifact_types(1).id(), b);
  ml_metadata::GetExecutionTypesResponse executions;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionTypes,
                         ml_metadata::GetExecutionTypesRequest(), executions),
              IsOk());
  ASSERT_EQ(executions.execution_types_size(), 1);
  EXPECT_EQ(executions.execution_types(0).id(), e);
  ml_metadata::GetContextTypesResponse contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextTypes,
                         ml_metadata::GetContextTypesRequest(), contexts),
              IsOk());
  ASSERT_EQ(contexts.context_types_size(), 1);
  EXPECT_EQ(contexts.context_types(0).id(), c);
}

TEST_F(TypesTest, GetTypesByExternalIds) {
  int64_t a = 0, b = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a' external_id: 'xa'"), &a),
              IsOk());
  ASSERT_THAT(PutArtifactType(AType("name: 'b' external_id: 'xb'"), &b),
              IsOk());
  ml_metadata::GetArtifactTypesByExternalIdsResponse response;
  auto call = [&](std::vector<std::string> ids) {
    ml_metadata::GetArtifactTypesByExternalIdsRequest request;
    for (const std::string& id : ids) request.add_external_ids(id);
    response.Clear();
    return MLMDX_CALL(*stub_, GetArtifactTypesByExternalIds, request, response);
  };
  EXPECT_THAT(call({}), IsOk());
  EXPECT_THAT(response.artifact_types(), IsEmpty());
  EXPECT_THAT(call({"nope"}), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(call({"xa", ""}), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_THAT(call({"xb", "nope", "xb"}), IsOk());
  ASSERT_EQ(response.artifact_types_size(), 1);
  EXPECT_EQ(response.artifact_types(0).id(), b);
  ASSERT_THAT(call({"xa", "xb"}), IsOk());
  EXPECT_EQ(response.artifact_types_size(), 2);

  // Kinds are separate for lookups.
  ml_metadata::GetExecutionTypesByExternalIdsRequest erequest;
  erequest.add_external_ids("xa");
  ml_metadata::GetExecutionTypesByExternalIdsResponse eresponse;
  EXPECT_THAT(
      MLMDX_CALL(*stub_, GetExecutionTypesByExternalIds, erequest, eresponse),
      StatusIs(StatusCode::kNotFound));
}

// §2.8: which fields each read returns, for types created with everything.
TEST_F(TypesTest, ReadsReturnExactlyTheDocumentedFields) {
  int64_t a = 0, e = 0, c = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'a' version: 'v' description: 'd' "
                                    "external_id: 'xa' base_type: MODEL "
                                    "properties { key: 'p' value: INT }"),
                              &a),
              IsOk());
  ASSERT_THAT(
      PutExecutionType(
          ParseTextProto<ExecutionType>(
              "name: 'e' description: 'd' external_id: 'xe' base_type: TRAIN "
              "properties { key: 'p' value: STRING } "
              "input_type { any {} } output_type { none {} }"),
          &e),
      IsOk());
  ASSERT_THAT(PutContextType(ParseTextProto<ContextType>(
                                 "name: 'c' description: 'd' external_id: 'xc' "
                                 "properties { key: 'p' value: BOOLEAN }"),
                             &c),
              IsOk());

  ArtifactType full_a = AType(
      "name: 'a' version: 'v' description: 'd' external_id: 'xa' "
      "base_type: MODEL properties { key: 'p' value: INT }");
  full_a.set_id(a);
  ExecutionType full_e = ParseTextProto<ExecutionType>(
      "name: 'e' description: 'd' external_id: 'xe' base_type: TRAIN "
      "properties { key: 'p' value: STRING } "
      "input_type { any {} } output_type { none {} }");
  full_e.set_id(e);
  ContextType full_c = ParseTextProto<ContextType>(
      "name: 'c' description: 'd' external_id: 'xc' "
      "properties { key: 'p' value: BOOLEAN }");
  full_c.set_id(c);

  // By name: everything.
  EXPECT_THAT(GetArtifactType("a", "v"), IsOkAndHolds(EqualsProto(full_a)));
  {
    ml_metadata::GetExecutionTypeRequest request;
    request.set_type_name("e");
    ml_metadata::GetExecutionTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionType, request, response),
                IsOk());
    EXPECT_THAT(response.execution_type(), EqualsProto(full_e));
  }
  {
    ml_metadata::GetContextTypeRequest request;
    request.set_type_name("c");
    ml_metadata::GetContextTypeResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetContextType, request, response), IsOk());
    EXPECT_THAT(response.context_type(), EqualsProto(full_c));
  }
  // By id: everything.
  {
    ml_metadata::GetArtifactTypesByIDRequest request;
    request.add_type_ids(a);
    ml_metadata::GetArtifactTypesByIDResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactTypesByID, request, response),
                IsOk());
    ASSERT_EQ(response.artifact_types_size(), 1);
    EXPECT_THAT(response.artifact_types(0), EqualsProto(full_a));
    ml_metadata::GetExecutionTypesByIDRequest erequest;
    erequest.add_type_ids(e);
    ml_metadata::GetExecutionTypesByIDResponse eresponse;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionTypesByID, erequest, eresponse),
                IsOk());
    ASSERT_EQ(eresponse.execution_types_size(), 1);
    EXPECT_THAT(eresponse.execution_types(0), EqualsProto(full_e));
    ml_metadata::GetContextTypesByIDRequest crequest;
    crequest.add_type_ids(c);
    ml_metadata::GetContextTypesByIDResponse cresponse;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetContextTypesByID, crequest, cresponse),
                IsOk());
    ASSERT_EQ(cresponse.context_types_size(), 1);
    EXPECT_THAT(cresponse.context_types(0), EqualsProto(full_c));
  }
  // List reads: no external_id.
  {
    ArtifactType want_a = full_a;
    want_a.clear_external_id();
    ml_metadata::GetArtifactTypesResponse response;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactTypes,
                           ml_metadata::GetArtifactTypesRequest(), response),
                IsOk());
    ASSERT_EQ(response.artifact_types_size(), 1);
    EXPECT_THAT(response.artifact_types(0), EqualsProto(want_a));
    ExecutionType want_e = full_e;
    want_e.clear_external_id();
    ml_metadata::GetExecutionTypesResponse eresponse;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionTypes,
                           ml_metadata::GetExecutionTypesRequest(), eresponse),
                IsOk());
    ASSERT_EQ(eresponse.execution_types_size(), 1);
    EXPECT_THAT(eresponse.execution_types(0), EqualsProto(want_e));
    ContextType want_c = full_c;
    want_c.clear_external_id();
    ml_metadata::GetContextTypesResponse cresponse;
    ASSERT_THAT(MLMDX_CALL(*stub_, GetContextTypes,
                           ml_metadata::GetContextTypesRequest(), cresponse),
                IsOk());
    ASSERT_EQ(cresponse.context_types_size(), 1);
    EXPECT_THAT(cresponse.context_types(0), EqualsProto(want_c));
  }
  // By external id: no base_type, no input/output types.
  {
    ArtifactType want_a = full_a;
    want_a.clear_base_type();
    ml_metadata::GetArtifactTypesByExternalIdsRequest request;
    request.add_external_ids("xa");
    ml_metadata::GetArtifactTypesByExternalIdsResponse response;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetArtifactTypesByExternalIds, request, response),
        IsOk());
    ASSERT_EQ(response.artifact_types_size(), 1);
    EXPECT_THAT(response.artifact_types(0), EqualsProto(want_a));
    ExecutionType want_e = full_e;
    want_e.clear_base_type();
    want_e.clear_input_type();
    want_e.clear_output_type();
    ml_metadata::GetExecutionTypesByExternalIdsRequest erequest;
    erequest.add_external_ids("xe");
    ml_metadata::GetExecutionTypesByExternalIdsResponse eresponse;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetExecutionTypesByExternalIds, erequest, eresponse),
        IsOk());
    ASSERT_EQ(eresponse.execution_types_size(), 1);
    EXPECT_THAT(eresponse.execution_types(0), EqualsProto(want_e));
    ml_metadata::GetContextTypesByExternalIdsRequest crequest;
    crequest.add_external_ids("xc");
    ml_metadata::GetContextTypesByExternalIdsResponse cresponse;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, GetContextTypesByExternalIds, crequest, cresponse),
        IsOk());
    ASSERT_EQ(cresponse.context_types_size(), 1);
    EXPECT_THAT(cresponse.context_types(0), EqualsProto(full_c));
  }
}

TEST_F(TypesTest, OversizedTypeNameIsInvalidAndNothingStored) {
  const std::string long_name(256, 'n');
  EXPECT_THAT(PutArtifactType(AType("name: '" + long_name + "'"), nullptr),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(GetArtifactType(long_name).status(),
              StatusIs(StatusCode::kNotFound));
  ml_metadata::GetArtifactTypesResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactTypes,
                         ml_metadata::GetArtifactTypesRequest(), response),
              IsOk());
  EXPECT_THAT(response.artifact_types(), IsEmpty());
  int64_t id = 0;
  ASSERT_THAT(PutArtifactType(AType("name: 'ok'"), &id), IsOk());
  EXPECT_EQ(id, 10);
}

}  // namespace
}  // namespace mlmdx::testing
