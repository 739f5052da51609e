// A database written by MLMD itself is opened and served as it is: the
// fixture is built here with the sqlite3 C API only (MLMD's v10 DDL, MLMD's
// value encodings, spec/schema.md §2-§4), then read back through the real
// server, written to through it, and checked again with sqlite3.

#include <sqlite3.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// MLMD's schema v10 DDL for SQLite, in MLMD's formatting.
constexpr char kMlmdDdl[] = R"sql(
CREATE TABLE IF NOT EXISTS `Type` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `name` VARCHAR(255) NOT NULL, `version` VARCHAR(255), `type_kind` TINYINT(1) NOT NULL, `description` TEXT, `input_type` TEXT, `output_type` TEXT, `external_id` VARCHAR(255) UNIQUE );
CREATE TABLE IF NOT EXISTS `ParentType` ( `type_id` INT NOT NULL, `parent_type_id` INT NOT NULL, PRIMARY KEY (`type_id`, `parent_type_id`));
CREATE TABLE IF NOT EXISTS `TypeProperty` ( `type_id` INT NOT NULL, `name` VARCHAR(255) NOT NULL, `data_type` INT NULL, PRIMARY KEY (`type_id`, `name`));
CREATE TABLE IF NOT EXISTS `Artifact` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `type_id` INT NOT NULL, `uri` TEXT, `state` INT, `name` VARCHAR(255), `external_id` VARCHAR(255) UNIQUE, `create_time_since_epoch` INT NOT NULL DEFAULT 0, `last_update_time_since_epoch` INT NOT NULL DEFAULT 0, UNIQUE(`type_id`, `name`) );
CREATE TABLE IF NOT EXISTS `ArtifactProperty` ( `artifact_id` INT NOT NULL, `name` VARCHAR(255) NOT NULL, `is_custom_property` TINYINT(1) NOT NULL, `int_value` INT, `double_value` DOUBLE, `string_value` TEXT, `byte_value` BLOB, `proto_value` BLOB, `bool_value` BOOLEAN, PRIMARY KEY (`artifact_id`, `name`, `is_custom_property`));
CREATE TABLE IF NOT EXISTS `Execution` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `type_id` INT NOT NULL, `last_known_state` INT, `name` VARCHAR(255), `external_id` VARCHAR(255) UNIQUE, `create_time_since_epoch` INT NOT NULL DEFAULT 0, `last_update_time_since_epoch` INT NOT NULL DEFAULT 0, UNIQUE(`type_id`, `name`) );
CREATE TABLE IF NOT EXISTS `ExecutionProperty` ( `execution_id` INT NOT NULL, `name` VARCHAR(255) NOT NULL, `is_custom_property` TINYINT(1) NOT NULL, `int_value` INT, `double_value` DOUBLE, `string_value` TEXT, `byte_value` BLOB, `proto_value` BLOB, `bool_value` BOOLEAN, PRIMARY KEY (`execution_id`, `name`, `is_custom_property`));
CREATE TABLE IF NOT EXISTS `Context` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `type_id` INT NOT NULL, `name` VARCHAR(255) NOT NULL, `external_id` VARCHAR(255) UNIQUE, `create_time_since_epoch` INT NOT NULL DEFAULT 0, `last_update_time_since_epoch` INT NOT NULL DEFAULT 0, UNIQUE(`type_id`, `name`) );
CREATE TABLE IF NOT EXISTS `ContextProperty` ( `context_id` INT NOT NULL, `name` VARCHAR(255) NOT NULL, `is_custom_property` TINYINT(1) NOT NULL, `int_value` INT, `double_value` DOUBLE, `string_value` TEXT, `byte_value` BLOB, `proto_value` BLOB, `bool_value` BOOLEAN, PRIMARY KEY (`context_id`, `name`, `is_custom_property`));
CREATE TABLE IF NOT EXISTS `ParentContext` ( `context_id` INT NOT NULL, `parent_context_id` INT NOT NULL, PRIMARY KEY (`context_id`, `parent_context_id`));
CREATE TABLE IF NOT EXISTS `Event` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `artifact_id` INT NOT NULL, `execution_id` INT NOT NULL, `type` INT NOT NULL, `milliseconds_since_epoch` INT, UNIQUE(`artifact_id`, `execution_id`, `type`) );
CREATE TABLE IF NOT EXISTS `EventPath` ( `event_id` INT NOT NULL, `is_index_step` TINYINT(1) NOT NULL, `step_index` INT, `step_key` TEXT );
CREATE TABLE IF NOT EXISTS `Association` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `context_id` INT NOT NULL, `execution_id` INT NOT NULL, UNIQUE(`context_id`, `execution_id`) );
CREATE TABLE IF NOT EXISTS `Attribution` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `context_id` INT NOT NULL, `artifact_id` INT NOT NULL, UNIQUE(`context_id`, `artifact_id`) );
CREATE TABLE IF NOT EXISTS `MLMDEnv` ( `schema_version` INTEGER PRIMARY KEY );
CREATE INDEX IF NOT EXISTS `idx_artifact_uri` ON `Artifact`(`uri`);
CREATE INDEX IF NOT EXISTS `idx_artifact_create_time_since_epoch` ON `Artifact`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_artifact_last_update_time_since_epoch` ON `Artifact`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_event_execution_id` ON `Event`(`execution_id`);
CREATE INDEX IF NOT EXISTS `idx_parentcontext_parent_context_id` ON `ParentContext`(`parent_context_id`);
CREATE INDEX IF NOT EXISTS `idx_type_name` ON `Type`(`name`);
CREATE INDEX IF NOT EXISTS `idx_execution_create_time_since_epoch` ON `Execution`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_execution_last_update_time_since_epoch` ON `Execution`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_context_create_time_since_epoch` ON `Context`(`create_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_context_last_update_time_since_epoch` ON `Context`(`last_update_time_since_epoch`);
CREATE INDEX IF NOT EXISTS `idx_eventpath_event_id` ON `EventPath`(`event_id`);
CREATE INDEX IF NOT EXISTS `idx_artifact_property_int` ON `ArtifactProperty`(`name`, `is_custom_property`, `int_value`) WHERE `int_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_artifact_property_double` ON `ArtifactProperty`(`name`, `is_custom_property`, `double_value`) WHERE `double_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_artifact_property_string` ON `ArtifactProperty`(`name`, `is_custom_property`, `string_value`) WHERE `string_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_execution_property_int` ON `ExecutionProperty`(`name`, `is_custom_property`, `int_value`) WHERE `int_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_execution_property_double` ON `ExecutionProperty`(`name`, `is_custom_property`, `double_value`) WHERE `double_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_execution_property_string` ON `ExecutionProperty`(`name`, `is_custom_property`, `string_value`) WHERE `string_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_context_property_int` ON `ContextProperty`(`name`, `is_custom_property`, `int_value`) WHERE `int_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_context_property_double` ON `ContextProperty`(`name`, `is_custom_property`, `double_value`) WHERE `double_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_context_property_string` ON `ContextProperty`(`name`, `is_custom_property`, `string_value`) WHERE `string_value` IS NOT NULL;
CREATE INDEX IF NOT EXISTS `idx_type_external_id` ON `Type`(`external_id`);
CREATE INDEX IF NOT EXISTS `idx_artifact_external_id` ON `Artifact`(`external_id`);
CREATE INDEX IF NOT EXISTS `idx_execution_external_id` ON `Execution`(`external_id`);
CREATE INDEX IF NOT EXISTS `idx_context_external_id` ON `Context`(`external_id`);
)sql";

// MLMDEnv and the nine simple types MLMD seeds on every open (ids 1-9).
constexpr char kMlmdSeed[] = R"sql(
INSERT INTO `MLMDEnv`(`schema_version`) VALUES (10);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Dataset', 1);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Model', 1);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Metrics', 1);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Statistics', 1);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Train', 0);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Transform', 0);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Process', 0);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Evaluate', 0);
INSERT INTO `Type`(`name`, `type_kind`) VALUES ('mlmd.Deploy', 0);
)sql";

// User rows in every table. Each AUTOINCREMENT table also gets one row that
// is deleted again, as a library-level delete would leave it: the next id
// must come from sqlite_sequence, not from MAX(id).
constexpr char kMlmdRows[] = R"sql(
INSERT INTO `Type` VALUES (10, 'MyModel', 'v1', 1, 'a model', NULL, NULL, 'type-ext-1');
INSERT INTO `Type` VALUES (11, 'Trainer', NULL, 0, NULL, '{"simple":{"name":"MyModel"}}', '{"any":{}}', NULL);
INSERT INTO `Type` VALUES (12, 'Pipeline', NULL, 2, NULL, NULL, NULL, NULL);
INSERT INTO `Type` VALUES (13, 'Dropped', NULL, 2, NULL, NULL, NULL, NULL);
DELETE FROM `Type` WHERE `id` = 13;
INSERT INTO `TypeProperty` VALUES (10, 'p_int', 1), (10, 'p_double', 2),
  (10, 'p_string', 3), (10, 'p_struct', 4), (10, 'p_proto', 5),
  (10, 'p_bool', 6), (11, 'lr', 2), (12, 'owner', 3);
INSERT INTO `ParentType` VALUES (10, 2), (11, 5);

INSERT INTO `Artifact` VALUES (1, 10, '/data/model/1', 2, 'model-1', 'art-ext-1', 1600000000000, 1600000000500);
INSERT INTO `Artifact` VALUES (2, 10, '', NULL, NULL, NULL, 1600000001000, 1600000001000);
INSERT INTO `Artifact` VALUES (3, 10, '/data/model/1', 1, 'model-3', NULL, 1600000002000, 1600000003000);
INSERT INTO `Artifact` VALUES (4, 10, '/gone', NULL, NULL, NULL, 1, 1);
DELETE FROM `Artifact` WHERE `id` = 4;
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `int_value`) VALUES (1, 'p_int', 0, 42);
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `double_value`) VALUES (1, 'p_double', 0, '0.500000');
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `string_value`) VALUES (1, 'p_string', 0, 'hello');
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `bool_value`) VALUES (1, 'p_bool', 0, 1);
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `string_value`) VALUES (1, 'note', 1, 'custom');
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `double_value`) VALUES (1, 'score', 1, 0.25);
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `bool_value`) VALUES (1, 'flag', 1, 0);
INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, `is_custom_property`, `double_value`) VALUES (3, 'p_double', 0, '1.123457');

INSERT INTO `Execution` VALUES (1, 11, 3, 'train-1', 'exe-ext-1', 1600000004000, 1600000005000);
INSERT INTO `Execution` VALUES (2, 11, NULL, NULL, NULL, 1600000006000, 1600000006000);
INSERT INTO `Execution` VALUES (3, 11, NULL, NULL, NULL, 1, 1);
DELETE FROM `Execution` WHERE `id` = 3;
INSERT INTO `ExecutionProperty`(`execution_id`, `name`, `is_custom_property`, `double_value`) VALUES (1, 'lr', 0, '0.010000');
INSERT INTO `ExecutionProperty`(`execution_id`, `name`, `is_custom_property`, `int_value`) VALUES (1, 'epochs', 1, 10);

INSERT INTO `Context` VALUES (1, 12, 'pipeline-1', 'ctx-ext-1', 1600000007000, 1600000008000);
INSERT INTO `Context` VALUES (2, 12, 'run-1', NULL, 1600000009000, 1600000009000);
INSERT INTO `Context` VALUES (3, 12, 'gone', NULL, 1, 1);
DELETE FROM `Context` WHERE `id` = 3;
INSERT INTO `ContextProperty`(`context_id`, `name`, `is_custom_property`, `string_value`) VALUES (1, 'owner', 0, 'alice');
INSERT INTO `ContextProperty`(`context_id`, `name`, `is_custom_property`, `int_value`) VALUES (1, 'version', 1, 3);
INSERT INTO `ParentContext` VALUES (2, 1);

INSERT INTO `Event` VALUES (1, 1, 1, 4, 1600000010000);
INSERT INTO `Event` VALUES (2, 2, 1, 3, 1600000011000);
INSERT INTO `Event` VALUES (3, 3, 2, 3, 1600000012000);
INSERT INTO `Event` VALUES (4, 3, 1, 3, 1);
DELETE FROM `Event` WHERE `id` = 4;
INSERT INTO `EventPath` VALUES (1, 0, NULL, 'out'), (1, 1, 0, NULL);
INSERT INTO `EventPath` VALUES (2, 1, 1, NULL);

INSERT INTO `Attribution`(`context_id`, `artifact_id`) VALUES (1, 1), (2, 1), (1, 2);
INSERT INTO `Association`(`context_id`, `execution_id`) VALUES (1, 1), (2, 2);
)sql";

// A minimal RAII handle over a sqlite3 connection for fixture work.
class Db {
 public:
  explicit Db(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK) << path;
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { sqlite3_close_v2(db_); }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error),
              SQLITE_OK)
        << (error != nullptr ? error : "") << "\n"
        << sql;
    sqlite3_free(error);
  }

  // Every row of `sql`, each column as text ("NULL" for SQL NULL).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr),
              SQLITE_OK)
        << sql;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text == nullptr ? "NULL"
                                      : reinterpret_cast<const char*>(text));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return rows;
  }

  std::string Text(const std::string& sql) {
    const auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? "<no row>" : rows[0][0];
  }

 private:
  sqlite3* db_ = nullptr;
};

google::protobuf::Struct FixtureStruct() {
  google::protobuf::Struct value;
  (*value.mutable_fields())["a"].set_number_value(1);
  (*value.mutable_fields())["b"].set_string_value("x");
  return value;
}

google::protobuf::Any FixtureAny() {
  ml_metadata::Artifact packed;
  packed.set_uri("packed");
  google::protobuf::Any any;
  any.PackFrom(packed);
  return any;
}

// Writes the full MLMD fixture database at `path`.
void WriteMlmdDatabase(const std::string& path) {
  Db db(path);
  db.Exec(kMlmdDdl);
  db.Exec(kMlmdSeed);
  db.Exec(kMlmdRows);
  // Struct and proto values exactly as MLMD encodes them (§3).
  db.Exec(absl::StrCat(
      "INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, "
      "`is_custom_property`, `string_value`) VALUES (1, 'p_struct', 0, "
      "'mlmd-struct::",
      absl::Base64Escape(FixtureStruct().SerializeAsString()), "');"));
  db.Exec(absl::StrCat(
      "INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, "
      "`is_custom_property`, `proto_value`) VALUES (1, 'p_proto', 0, '",
      absl::Base64Escape(FixtureAny().SerializeAsString()), "');"));
}

class MlmdDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteMlmdDatabase(server_.db_path());
    schema_before_ = Schema();
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
  }

  std::vector<std::vector<std::string>> Schema() {
    Db db(server_.db_path());
    return db.Rows(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "ORDER BY type, name");
  }

  // The schema objects that are not mlmdx's own (named mlmdx_*).
  std::vector<std::vector<std::string>> MlmdSchema() {
    Db db(server_.db_path());
    return db.Rows(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'mlmdx\\_%' ESCAPE '\\' ORDER BY type, name");
  }

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  std::vector<std::vector<std::string>> schema_before_;
};

template <typename Message>
Message WithStructAndProto(Message message) {
  (*message.mutable_properties())["p_struct"].mutable_struct_value()->CopyFrom(
      FixtureStruct());
  (*message.mutable_properties())["p_proto"].mutable_proto_value()->CopyFrom(
      FixtureAny());
  return message;
}

ml_metadata::Artifact ExpectedArtifact1() {
  return WithStructAndProto(ParseTextProto<ml_metadata::Artifact>(R"pb(
    id: 1
    type_id: 10
    type: "MyModel"
    uri: "/data/model/1"
    state: LIVE
    name: "model-1"
    external_id: "art-ext-1"
    create_time_since_epoch: 1600000000000
    last_update_time_since_epoch: 1600000000500
    properties {
      key: "p_int"
      value { int_value: 42 }
    }
    properties {
      key: "p_double"
      value { double_value: 0.5 }
    }
    properties {
      key: "p_string"
      value { string_value: "hello" }
    }
    properties {
      key: "p_bool"
      value { bool_value: true }
    }
    custom_properties {
      key: "note"
      value { string_value: "custom" }
    }
    custom_properties {
      key: "score"
      value { double_value: 0.25 }
    }
    custom_properties {
      key: "flag"
      value { bool_value: false }
    }
  )pb"));
}

ml_metadata::Artifact ExpectedArtifact2() {
  return ParseTextProto<ml_metadata::Artifact>(R"pb(
    id: 2
    type_id: 10
    type: "MyModel"
    uri: ""
    create_time_since_epoch: 1600000001000
    last_update_time_since_epoch: 1600000001000
  )pb");
}

ml_metadata::Artifact ExpectedArtifact3() {
  return ParseTextProto<ml_metadata::Artifact>(R"pb(
    id: 3
    type_id: 10
    type: "MyModel"
    uri: "/data/model/1"
    state: PENDING
    name: "model-3"
    create_time_since_epoch: 1600000002000
    last_update_time_since_epoch: 1600000003000
    properties {
      key: "p_double"
      value { double_value: 1.123457 }
    }
  )pb");
}

ml_metadata::Execution ExpectedExecution1() {
  return ParseTextProto<ml_metadata::Execution>(R"pb(
    id: 1
    type_id: 11
    type: "Trainer"
    last_known_state: COMPLETE
    name: "train-1"
    external_id: "exe-ext-1"
    create_time_since_epoch: 1600000004000
    last_update_time_since_epoch: 1600000005000
    properties {
      key: "lr"
      value { double_value: 0.01 }
    }
    custom_properties {
      key: "epochs"
      value { int_value: 10 }
    }
  )pb");
}

ml_metadata::Execution ExpectedExecution2() {
  return ParseTextProto<ml_metadata::Execution>(R"pb(
    id: 2
    type_id: 11
    type: "Trainer"
    create_time_since_epoch: 1600000006000
    last_update_time_since_epoch: 1600000006000
  )pb");
}

ml_metadata::Context ExpectedContext1() {
  return ParseTextProto<ml_metadata::Context>(R"pb(
    id: 1
    type_id: 12
    type: "Pipeline"
    name: "pipeline-1"
    external_id: "ctx-ext-1"
    create_time_since_epoch: 1600000007000
    last_update_time_since_epoch: 1600000008000
    properties {
      key: "owner"
      value { string_value: "alice" }
    }
    custom_properties {
      key: "version"
      value { int_value: 3 }
    }
  )pb");
}

ml_metadata::Context ExpectedContext2() {
  return ParseTextProto<ml_metadata::Context>(R"pb(
    id: 2
    type_id: 12
    type: "Pipeline"
    name: "run-1"
    create_time_since_epoch: 1600000009000
    last_update_time_since_epoch: 1600000009000
  )pb");
}

TEST_F(MlmdDatabaseTest, NodesReadBackExactly) {
  ml_metadata::GetArtifactsByIDRequest artifacts_request;
  for (int64_t id : {1, 2, 3, 4}) artifacts_request.add_artifact_ids(id);
  ml_metadata::GetArtifactsByIDResponse artifacts;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifactsByID, artifacts_request, artifacts),
      IsOk());
  EXPECT_THAT(artifacts.artifacts(),
              ElementsAre(EqualsProto(ExpectedArtifact1()),
                          EqualsProto(ExpectedArtifact2()),
                          EqualsProto(ExpectedArtifact3())));

  ml_metadata::GetExecutionsByIDRequest executions_request;
  executions_request.add_execution_ids(1);
  executions_request.add_execution_ids(2);
  ml_metadata::GetExecutionsByIDResponse executions;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetExecutionsByID, executions_request, executions),
      IsOk());
  EXPECT_THAT(executions.executions(),
              ElementsAre(EqualsProto(ExpectedExecution1()),
                          EqualsProto(ExpectedExecution2())));

  ml_metadata::GetContextsByIDRequest contexts_request;
  contexts_request.add_context_ids(1);
  contexts_request.add_context_ids(2);
  ml_metadata::GetContextsByIDResponse contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByID, contexts_request, contexts),
              IsOk());
  EXPECT_THAT(contexts.contexts(),
              ElementsAre(EqualsProto(ExpectedContext1()),
                          EqualsProto(ExpectedContext2())));
}

TEST_F(MlmdDatabaseTest, TypesReadBackWithBaseTypeAndStructTypes) {
  ml_metadata::GetArtifactTypeRequest artifact_request;
  artifact_request.set_type_name("MyModel");
  artifact_request.set_type_version("v1");
  ml_metadata::GetArtifactTypeResponse artifact_type;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifactType, artifact_request, artifact_type),
      IsOk());
  EXPECT_THAT(artifact_type.artifact_type(),
              EqualsProto(ParseTextProto<ml_metadata::ArtifactType>(R"pb(
                id: 10
                name: "MyModel"
                version: "v1"
                description: "a model"
                external_id: "type-ext-1"
                properties { key: "p_int" value: INT }
                properties { key: "p_double" value: DOUBLE }
                properties { key: "p_string" value: STRING }
                properties { key: "p_struct" value: STRUCT }
                properties { key: "p_proto" value: PROTO }
                properties { key: "p_bool" value: BOOLEAN }
                base_type: MODEL
              )pb")));

  ml_metadata::GetExecutionTypeRequest execution_request;
  execution_request.set_type_name("Trainer");
  ml_metadata::GetExecutionTypeResponse execution_type;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetExecutionType, execution_request, execution_type),
      IsOk());
  EXPECT_THAT(execution_type.execution_type(),
              EqualsProto(ParseTextProto<ml_metadata::ExecutionType>(R"pb(
                id: 11
                name: "Trainer"
                properties { key: "lr" value: DOUBLE }
                input_type { simple { name: "MyModel" } }
                output_type { any {} }
                base_type: TRAIN
              )pb")));

  ml_metadata::GetContextTypeRequest context_request;
  context_request.set_type_name("Pipeline");
  ml_metadata::GetContextTypeResponse context_type;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextType, context_request, context_type),
              IsOk());
  EXPECT_THAT(context_type.context_type(),
              EqualsProto(ParseTextProto<ml_metadata::ContextType>(R"pb(
                id: 12
                name: "Pipeline"
                properties { key: "owner" value: STRING }
              )pb")));
}

TEST_F(MlmdDatabaseTest, EventsReadBackWithPaths) {
  ml_metadata::GetEventsByExecutionIDsRequest request;
  request.add_execution_ids(1);
  request.add_execution_ids(2);
  ml_metadata::GetEventsByExecutionIDsResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByExecutionIDs, request, response),
              IsOk());
  EXPECT_THAT(response.events(),
              ElementsAre(EqualsProto(ParseTextProto<ml_metadata::Event>(R"pb(
                            artifact_id: 1
                            execution_id: 1
                            type: OUTPUT
                            milliseconds_since_epoch: 1600000010000
                            path {
                              steps { key: "out" }
                              steps { index: 0 }
                            }
                          )pb")),
                          EqualsProto(ParseTextProto<ml_metadata::Event>(R"pb(
                            artifact_id: 2
                            execution_id: 1
                            type: INPUT
                            milliseconds_since_epoch: 1600000011000
                            path { steps { index: 1 } }
                          )pb")),
                          EqualsProto(ParseTextProto<ml_metadata::Event>(R"pb(
                            artifact_id: 3
                            execution_id: 2
                            type: INPUT
                            milliseconds_since_epoch: 1600000012000
                          )pb"))));

  ml_metadata::GetEventsByArtifactIDsRequest by_artifact;
  by_artifact.add_artifact_ids(3);
  ml_metadata::GetEventsByArtifactIDsResponse by_artifact_response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByArtifactIDs, by_artifact,
                         by_artifact_response),
              IsOk());
  ASSERT_EQ(by_artifact_response.events_size(), 1);
  EXPECT_EQ(by_artifact_response.events(0).execution_id(), 2);
}

// The lineage index holds each event's time and path, read from MLMD's
// rows at start-up (NULL time included): lineage answers carry the same
// events as the event reads.
TEST_F(MlmdDatabaseTest, LineageEventsEqualTheStoredEvents) {
  server_.Stop();
  {
    Db db(server_.db_path());
    db.Exec(
        "INSERT INTO `Event` VALUES (5, 2, 2, 3, NULL);"
        "INSERT INTO `EventPath` VALUES (5, 0, NULL, 'k'), (5, 0, NULL, ''),"
        " (5, 1, -7, NULL);");
  }
  ASSERT_THAT(server_.Start(), IsOk());
  stub_ = server_.NewStub();

  ml_metadata::GetEventsByExecutionIDsRequest by_execution;
  by_execution.add_execution_ids(1);
  by_execution.add_execution_ids(2);
  ml_metadata::GetEventsByExecutionIDsResponse stored;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByExecutionIDs, by_execution, stored),
              IsOk());
  ASSERT_EQ(stored.events_size(), 4);

  ml_metadata::GetLineageSubgraphRequest request;
  request.mutable_lineage_subgraph_query_options()
      ->mutable_starting_executions()
      ->set_filter_query("id IN (1, 2)");
  request.mutable_read_mask()->add_paths("events");
  ml_metadata::GetLineageSubgraphResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetLineageSubgraph, request, response),
              IsOk());
  std::vector<::testing::Matcher<const ml_metadata::Event&>> want;
  for (const auto& event : stored.events()) want.push_back(EqualsProto(event));
  EXPECT_THAT(response.lineage_subgraph().events(),
              ::testing::UnorderedElementsAreArray(want));
  const auto& null_time = stored.events(3);
  EXPECT_FALSE(null_time.has_milliseconds_since_epoch());
  EXPECT_EQ(null_time.path().steps_size(), 3);
}

TEST_F(MlmdDatabaseTest, ContextLinksReadBack) {
  ml_metadata::GetContextsByArtifactRequest by_artifact;
  by_artifact.set_artifact_id(1);
  ml_metadata::GetContextsByArtifactResponse artifact_contexts;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetContextsByArtifact, by_artifact, artifact_contexts),
      IsOk());
  EXPECT_THAT(artifact_contexts.contexts(),
              ElementsAre(EqualsProto(ExpectedContext1()),
                          EqualsProto(ExpectedContext2())));

  ml_metadata::GetContextsByExecutionRequest by_execution;
  by_execution.set_execution_id(2);
  ml_metadata::GetContextsByExecutionResponse execution_contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByExecution, by_execution,
                         execution_contexts),
              IsOk());
  EXPECT_THAT(execution_contexts.contexts(),
              ElementsAre(EqualsProto(ExpectedContext2())));

  ml_metadata::GetArtifactsByContextRequest artifacts_request;
  artifacts_request.set_context_id(1);
  ml_metadata::GetArtifactsByContextResponse artifacts;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_request, artifacts),
      IsOk());
  EXPECT_THAT(artifacts.artifacts(),
              ElementsAre(EqualsProto(ExpectedArtifact1()),
                          EqualsProto(ExpectedArtifact2())));

  ml_metadata::GetExecutionsByContextRequest executions_request;
  executions_request.set_context_id(1);
  ml_metadata::GetExecutionsByContextResponse executions;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, executions_request,
                         executions),
              IsOk());
  EXPECT_THAT(executions.executions(),
              ElementsAre(EqualsProto(ExpectedExecution1())));

  ml_metadata::GetParentContextsByContextRequest parents_request;
  parents_request.set_context_id(2);
  ml_metadata::GetParentContextsByContextResponse parents;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetParentContextsByContext, parents_request, parents),
      IsOk());
  EXPECT_THAT(parents.contexts(), ElementsAre(EqualsProto(ExpectedContext1())));

  ml_metadata::GetChildrenContextsByContextRequest children_request;
  children_request.set_context_id(1);
  ml_metadata::GetChildrenContextsByContextResponse children;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetChildrenContextsByContext, children_request,
                         children),
              IsOk());
  EXPECT_THAT(children.contexts(),
              ElementsAre(EqualsProto(ExpectedContext2())));
}

TEST_F(MlmdDatabaseTest, ArtifactsByUri) {
  ml_metadata::GetArtifactsByURIRequest request;
  request.add_uris("/data/model/1");
  ml_metadata::GetArtifactsByURIResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, request, response), IsOk());
  EXPECT_THAT(response.artifacts(),
              ElementsAre(EqualsProto(ExpectedArtifact1()),
                          EqualsProto(ExpectedArtifact3())));

  ml_metadata::GetArtifactsByURIRequest empty_uri;
  empty_uri.add_uris("");
  ml_metadata::GetArtifactsByURIResponse empty_uri_response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifactsByURI, empty_uri, empty_uri_response),
      IsOk());
  EXPECT_THAT(empty_uri_response.artifacts(),
              ElementsAre(EqualsProto(ExpectedArtifact2())));
}

TEST_F(MlmdDatabaseTest, OpenAddsOnlyTheMlmdxTrackAndReopenIsANoOp) {
  // The fixture has none of mlmdx's objects; opening added them and nothing
  // else.
  for (const auto& row : schema_before_) {
    EXPECT_FALSE(absl::StartsWith(row[1], "mlmdx_")) << row[1];
  }
  EXPECT_EQ(MlmdSchema(), schema_before_);
  const auto schema = Schema();
  std::vector<std::string> added;
  for (const auto& row : schema) {
    if (absl::StartsWith(row[1], "mlmdx_")) added.push_back(row[1]);
  }
  EXPECT_THAT(added,
              ElementsAre("mlmdx_idx_association_execution_id",
                          "mlmdx_idx_attribution_artifact_id", "mlmdx_schema"));
  EXPECT_EQ(
      Db(server_.db_path()).Rows("SELECT track, version FROM mlmdx_schema"),
      (std::vector<std::vector<std::string>>{{"mlmdx", "1"}}));

  // A second open changes nothing.
  ASSERT_EQ(server_.Stop(), 0);
  ASSERT_THAT(server_.Start(), IsOk());
  stub_ = server_.NewStub();
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(
      Db(server_.db_path()).Rows("SELECT track, version FROM mlmdx_schema"),
      (std::vector<std::vector<std::string>>{{"mlmdx", "1"}}));
  // And the data is served as before.
  ml_metadata::GetArtifactsByIDRequest request;
  request.add_artifact_ids(1);
  ml_metadata::GetArtifactsByIDResponse response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, request, response), IsOk());
  EXPECT_EQ(response.artifacts_size(), 1);
}

TEST_F(MlmdDatabaseTest, WritesKeepMlmdLayoutAndEncodings) {
  ml_metadata::PutArtifactsRequest put_artifacts;
  *put_artifacts.add_artifacts() =
      WithStructAndProto(ParseTextProto<ml_metadata::Artifact>(R"pb(
        type_id: 10
        uri: "/new/1"
        properties {
          key: "p_double"
          value { double_value: 0.25 }
        }
        properties {
          key: "p_bool"
          value { bool_value: true }
        }
      )pb"));
  ml_metadata::PutArtifactsResponse put_artifacts_response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutArtifacts, put_artifacts, put_artifacts_response),
      IsOk());
  // Artifact 4 was deleted: AUTOINCREMENT never reuses it.
  EXPECT_THAT(put_artifacts_response.artifact_ids(), ElementsAre(5));

  ml_metadata::PutExecutionRequest put_execution =
      ParseTextProto<ml_metadata::PutExecutionRequest>(R"pb(
        execution {
          type_id: 11
          last_known_state: RUNNING
          properties {
            key: "lr"
            value { double_value: 0.1 }
          }
        }
        artifact_event_pairs {
          event {
            type: INPUT
            path {
              steps { key: "in" }
              steps { index: 2 }
            }
          }
        }
        artifact_event_pairs {
          artifact { type_id: 10 uri: "/new/2" }
          event { type: OUTPUT }
        }
        contexts { type_id: 12 name: "pipeline-2" }
      )pb");
  // Existing nodes are passed back whole: an update replaces them (§2.7).
  *put_execution.mutable_artifact_event_pairs(0)->mutable_artifact() =
      ExpectedArtifact1();
  *put_execution.add_contexts() = ExpectedContext1();
  put_execution.mutable_contexts()->SwapElements(0, 1);
  ml_metadata::PutExecutionResponse put_execution_response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutExecution, put_execution, put_execution_response),
      IsOk());
  EXPECT_EQ(put_execution_response.execution_id(), 4);
  EXPECT_THAT(put_execution_response.artifact_ids(), ElementsAre(1, 6));
  EXPECT_THAT(put_execution_response.context_ids(), ElementsAre(1, 4));

  Db db(server_.db_path());
  EXPECT_EQ(db.Text("SELECT COUNT(*) FROM MLMDEnv"), "1");
  EXPECT_EQ(db.Text("SELECT schema_version FROM MLMDEnv"), "10");
  // MLMD's 16 tables and 40 indexes exactly as MLMD wrote them; mlmdx's
  // own objects are all named mlmdx_*.
  EXPECT_EQ(MlmdSchema(), schema_before_);
  EXPECT_EQ(db.Text("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'mlmdx\\_%' ESCAPE '\\'"),
            "16");
  EXPECT_EQ(db.Text("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
                    "AND name NOT LIKE 'mlmdx\\_%' ESCAPE '\\'"),
            "40");
  EXPECT_EQ(db.Text("SELECT COUNT(*) FROM Type WHERE name LIKE 'mlmd.%'"), "9");
  EXPECT_EQ(db.Rows("SELECT name, seq FROM sqlite_sequence ORDER BY name"),
            (std::vector<std::vector<std::string>>{{"Artifact", "6"},
                                                   {"Association", "4"},
                                                   {"Attribution", "6"},
                                                   {"Context", "4"},
                                                   {"Event", "6"},
                                                   {"Execution", "4"},
                                                   {"Type", "13"}}))
      << "sqlite_sequence";

  // The new events and their path, as MLMD writes them.
  EXPECT_EQ(db.Rows("SELECT id, artifact_id, execution_id, type FROM Event "
                    "WHERE execution_id = 4 ORDER BY id"),
            (std::vector<std::vector<std::string>>{{"5", "1", "4", "3"},
                                                   {"6", "6", "4", "4"}}));
  EXPECT_EQ(db.Rows("SELECT is_index_step, step_index, step_key FROM "
                    "EventPath WHERE event_id = 5 ORDER BY rowid"),
            (std::vector<std::vector<std::string>>{{"0", "NULL", "in"},
                                                   {"1", "2", "NULL"}}));

  // One non-NULL value column per property row, byte_value never written.
  for (const char* table :
       {"ArtifactProperty", "ExecutionProperty", "ContextProperty"}) {
    EXPECT_EQ(db.Text(absl::StrCat(
                  "SELECT COUNT(*) FROM ", table,
                  " WHERE byte_value IS NOT NULL OR (int_value IS NOT NULL) + "
                  "(double_value IS NOT NULL) + (string_value IS NOT NULL) + "
                  "(proto_value IS NOT NULL) + (bool_value IS NOT NULL) != 1")),
              "0")
        << table;
  }
  const std::string struct_text = db.Text(
      "SELECT string_value FROM ArtifactProperty WHERE artifact_id = 5 "
      "AND name = 'p_struct'");
  ASSERT_TRUE(absl::StartsWith(struct_text, "mlmd-struct::")) << struct_text;
  std::string struct_bytes;
  ASSERT_TRUE(absl::Base64Unescape(struct_text.substr(13), &struct_bytes));
  google::protobuf::Struct stored_struct;
  ASSERT_TRUE(stored_struct.ParseFromString(struct_bytes));
  EXPECT_THAT(stored_struct, EqualsProto(FixtureStruct()));

  std::string any_bytes;
  ASSERT_TRUE(absl::Base64Unescape(
      db.Text("SELECT proto_value FROM ArtifactProperty WHERE artifact_id = 5 "
              "AND name = 'p_proto'"),
      &any_bytes));
  google::protobuf::Any stored_any;
  ASSERT_TRUE(stored_any.ParseFromString(any_bytes));
  EXPECT_THAT(stored_any, EqualsProto(FixtureAny()));
  EXPECT_EQ(db.Text("SELECT bool_value FROM ArtifactProperty WHERE "
                    "artifact_id = 5 AND name = 'p_bool'"),
            "1");
  EXPECT_EQ(db.Text("SELECT uri FROM Artifact WHERE id = 6"), "/new/2");
  EXPECT_EQ(db.Text("SELECT state IS NULL AND name IS NULL AND external_id IS "
                    "NULL FROM Artifact WHERE id = 6"),
            "1");
}

// Start-up failures on databases the server must not touch.
std::string StartFailure(const std::string& path,
                         const std::vector<std::string>& flags = {}) {
  TestServer server(path);
  const absl::Status status = server.Start(flags);
  EXPECT_FALSE(status.ok());
  return std::string(status.message());
}

std::string FreshFixturePath(TestServer& owner) {
  WriteMlmdDatabase(owner.db_path());
  return owner.db_path();
}

TEST(MlmdDatabaseRefusalTest, OlderSchemaVersionIsFailedPrecondition) {
  TestServer owner;
  const std::string path = FreshFixturePath(owner);
  Db(path).Exec("UPDATE MLMDEnv SET schema_version = 9");
  const std::string message = StartFailure(path);
  EXPECT_THAT(message, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(message, HasSubstr("migration"));
  EXPECT_EQ(Db(path).Text("SELECT schema_version FROM MLMDEnv"), "9");
}

TEST(MlmdDatabaseRefusalTest, EmptyMlmdEnvIsAborted) {
  TestServer owner;
  const std::string path = FreshFixturePath(owner);
  Db(path).Exec("DELETE FROM MLMDEnv");
  const std::string message =
      StartFailure(path, {"--metadata_store_connection_retries=0"});
  EXPECT_THAT(message, HasSubstr("ABORTED"));
  EXPECT_EQ(Db(path).Text("SELECT COUNT(*) FROM MLMDEnv"), "0");
}

TEST(MlmdDatabaseRefusalTest, SubsetOfTablesIsRefused) {
  TestServer owner;
  {
    Db db(owner.db_path());
    db.Exec(
        "CREATE TABLE `Type` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `name` "
        "VARCHAR(255) NOT NULL, `version` VARCHAR(255), `type_kind` "
        "TINYINT(1) NOT NULL, `description` TEXT, `input_type` TEXT, "
        "`output_type` TEXT, `external_id` VARCHAR(255) UNIQUE );"
        "CREATE TABLE `Artifact` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, "
        "`type_id` INT NOT NULL, `uri` TEXT, `state` INT, `name` "
        "VARCHAR(255), `external_id` VARCHAR(255) UNIQUE, "
        "`create_time_since_epoch` INT NOT NULL DEFAULT 0, "
        "`last_update_time_since_epoch` INT NOT NULL DEFAULT 0, "
        "UNIQUE(`type_id`, `name`) );");
  }
  const std::string message =
      StartFailure(owner.db_path(), {"--metadata_store_connection_retries=0"});
  EXPECT_THAT(message, HasSubstr("ABORTED"));
  // Nothing was created next to the partial schema.
  EXPECT_EQ(Db(owner.db_path())
                .Text("SELECT COUNT(*) FROM sqlite_master WHERE type = "
                      "'table' AND name != 'sqlite_sequence'"),
            "2");
}

}  // namespace
}  // namespace mlmdx::testing
