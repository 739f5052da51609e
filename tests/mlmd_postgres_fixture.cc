// The PostgreSQL database of tests/mlmd_postgres_fixture.h: MLMD's DDL and
// rows as MLMD's queries write them, and what the API must answer for them.

#include "tests/mlmd_postgres_fixture.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

// MLMD's 15 tables at schema v10 on PostgreSQL and their 24 secondary
// indexes. Identifiers are unquoted, so PostgreSQL folds them to lower case.
constexpr char kMlmdDdl[] = R"sql(
CREATE TABLE IF NOT EXISTS Type (id SERIAL PRIMARY KEY,
  name VARCHAR(255) NOT NULL, version VARCHAR(255),
  type_kind SMALLINT NOT NULL, description TEXT, input_type TEXT,
  output_type TEXT, external_id VARCHAR(255) UNIQUE);
CREATE TABLE IF NOT EXISTS ParentType (type_id INT NOT NULL,
  parent_type_id INT NOT NULL, PRIMARY KEY (type_id, parent_type_id));
CREATE TABLE IF NOT EXISTS TypeProperty (type_id INT NOT NULL,
  name VARCHAR(255) NOT NULL, data_type INT NULL,
  PRIMARY KEY (type_id, name));
CREATE TABLE IF NOT EXISTS Artifact (id SERIAL PRIMARY KEY,
  type_id INT NOT NULL, uri TEXT, state INT, name VARCHAR(255),
  external_id VARCHAR(255) UNIQUE,
  create_time_since_epoch BIGINT NOT NULL DEFAULT 0,
  last_update_time_since_epoch BIGINT NOT NULL DEFAULT 0,
  CONSTRAINT UniqueArtifactTypeName UNIQUE (type_id, name));
CREATE TABLE IF NOT EXISTS ArtifactProperty (artifact_id INT NOT NULL,
  name VARCHAR(255) NOT NULL, is_custom_property BOOLEAN NOT NULL,
  int_value INT, double_value DOUBLE PRECISION, string_value TEXT,
  byte_value BYTEA, proto_value BYTEA, bool_value BOOLEAN,
  PRIMARY KEY (artifact_id, name, is_custom_property));
CREATE TABLE IF NOT EXISTS Execution (id SERIAL PRIMARY KEY,
  type_id INT NOT NULL, last_known_state INT, name VARCHAR(255),
  external_id VARCHAR(255) UNIQUE,
  create_time_since_epoch BIGINT NOT NULL DEFAULT 0,
  last_update_time_since_epoch BIGINT NOT NULL DEFAULT 0,
  CONSTRAINT UniqueExecutionTypeName UNIQUE (type_id, name));
CREATE TABLE IF NOT EXISTS ExecutionProperty (execution_id INT NOT NULL,
  name VARCHAR(255) NOT NULL, is_custom_property BOOLEAN NOT NULL,
  int_value INT, double_value DOUBLE PRECISION, string_value TEXT,
  byte_value BYTEA, proto_value BYTEA, bool_value BOOLEAN,
  PRIMARY KEY (execution_id, name, is_custom_property));
CREATE TABLE IF NOT EXISTS Context (id SERIAL PRIMARY KEY,
  type_id INT NOT NULL, name VARCHAR(255) NOT NULL,
  external_id VARCHAR(255) UNIQUE,
  create_time_since_epoch BIGINT NOT NULL DEFAULT 0,
  last_update_time_since_epoch BIGINT NOT NULL DEFAULT 0,
  UNIQUE (type_id, name));
CREATE TABLE IF NOT EXISTS ContextProperty (context_id INT NOT NULL,
  name VARCHAR(255) NOT NULL, is_custom_property BOOLEAN NOT NULL,
  int_value INT, double_value DOUBLE PRECISION, string_value TEXT,
  byte_value BYTEA, proto_value BYTEA, bool_value BOOLEAN,
  PRIMARY KEY (context_id, name, is_custom_property));
CREATE TABLE IF NOT EXISTS ParentContext (context_id INT NOT NULL,
  parent_context_id INT NOT NULL,
  PRIMARY KEY (context_id, parent_context_id));
CREATE TABLE IF NOT EXISTS Event (id SERIAL PRIMARY KEY,
  artifact_id INT NOT NULL, execution_id INT NOT NULL, type INT NOT NULL,
  milliseconds_since_epoch BIGINT,
  CONSTRAINT UniqueEvent UNIQUE (artifact_id, execution_id, type));
CREATE TABLE IF NOT EXISTS EventPath (event_id INT NOT NULL,
  is_index_step BOOLEAN NOT NULL, step_index INT, step_key TEXT);
CREATE TABLE IF NOT EXISTS Association (id SERIAL PRIMARY KEY,
  context_id INT NOT NULL, execution_id INT NOT NULL,
  UNIQUE (context_id, execution_id));
CREATE TABLE IF NOT EXISTS Attribution (id SERIAL PRIMARY KEY,
  context_id INT NOT NULL, artifact_id INT NOT NULL,
  UNIQUE (context_id, artifact_id));
CREATE TABLE IF NOT EXISTS MLMDEnv (schema_version INT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS idx_artifact_uri ON Artifact (uri);
CREATE INDEX IF NOT EXISTS idx_artifact_create_time_since_epoch
  ON Artifact (create_time_since_epoch);
CREATE INDEX IF NOT EXISTS idx_artifact_last_update_time_since_epoch
  ON Artifact (last_update_time_since_epoch);
CREATE INDEX IF NOT EXISTS idx_event_execution_id ON Event (execution_id);
CREATE INDEX IF NOT EXISTS idx_parentcontext_parent_context_id
  ON ParentContext (parent_context_id);
CREATE INDEX IF NOT EXISTS idx_type_name ON Type (name);
CREATE INDEX IF NOT EXISTS idx_execution_create_time_since_epoch
  ON Execution (create_time_since_epoch);
CREATE INDEX IF NOT EXISTS idx_execution_last_update_time_since_epoch
  ON Execution (last_update_time_since_epoch);
CREATE INDEX IF NOT EXISTS idx_context_create_time_since_epoch
  ON Context (create_time_since_epoch);
CREATE INDEX IF NOT EXISTS idx_context_last_update_time_since_epoch
  ON Context (last_update_time_since_epoch);
CREATE INDEX IF NOT EXISTS idx_eventpath_event_id ON EventPath (event_id);
CREATE INDEX IF NOT EXISTS idx_artifact_property_int
  ON ArtifactProperty (name, is_custom_property, int_value);
CREATE INDEX IF NOT EXISTS idx_artifact_property_double
  ON ArtifactProperty (name, is_custom_property, double_value);
CREATE INDEX IF NOT EXISTS idx_artifact_property_string
  ON ArtifactProperty (name, is_custom_property, string_value);
CREATE INDEX IF NOT EXISTS idx_execution_property_int
  ON ExecutionProperty (name, is_custom_property, int_value);
CREATE INDEX IF NOT EXISTS idx_execution_property_double
  ON ExecutionProperty (name, is_custom_property, double_value);
CREATE INDEX IF NOT EXISTS idx_execution_property_string
  ON ExecutionProperty (name, is_custom_property, string_value);
CREATE INDEX IF NOT EXISTS idx_context_property_int
  ON ContextProperty (name, is_custom_property, int_value);
CREATE INDEX IF NOT EXISTS idx_context_property_double
  ON ContextProperty (name, is_custom_property, double_value);
CREATE INDEX IF NOT EXISTS idx_context_property_string
  ON ContextProperty (name, is_custom_property, string_value);
CREATE INDEX IF NOT EXISTS idx_type_external_id ON Type (external_id);
CREATE INDEX IF NOT EXISTS idx_artifact_external_id ON Artifact (external_id);
CREATE INDEX IF NOT EXISTS idx_execution_external_id
  ON Execution (external_id);
CREATE INDEX IF NOT EXISTS idx_context_external_id ON Context (external_id);
)sql";

// The schema version, written as MLMD writes it on PostgreSQL (TRUNCATE,
// then INSERT), and the nine simple types of MLMD's second open
// transaction: ids 1-9.
constexpr char kMlmdSeed[] = R"sql(
TRUNCATE TABLE MLMDEnv; INSERT INTO MLMDEnv(schema_version) VALUES(10);
INSERT INTO Type(name, type_kind, version, description, external_id)
  VALUES('mlmd.Dataset', 1, NULL, NULL, NULL);
INSERT INTO Type(name, type_kind, version, description, external_id)
  VALUES('mlmd.Model', 1, NULL, NULL, NULL);
INSERT INTO Type(name, type_kind, version, description, external_id)
  VALUES('mlmd.Metrics', 1, NULL, NULL, NULL);
INSERT INTO Type(name, type_kind, version, description, external_id)
  VALUES('mlmd.Statistics', 1, NULL, NULL, NULL);
INSERT INTO Type(name, type_kind, version, description, input_type,
  output_type, external_id) VALUES('mlmd.Train', 0, NULL, NULL, NULL, NULL,
  NULL);
INSERT INTO Type(name, type_kind, version, description, input_type,
  output_type, external_id) VALUES('mlmd.Transform', 0, NULL, NULL, NULL,
  NULL, NULL);
INSERT INTO Type(name, type_kind, version, description, input_type,
  output_type, external_id) VALUES('mlmd.Process', 0, NULL, NULL, NULL,
  NULL, NULL);
INSERT INTO Type(name, type_kind, version, description, input_type,
  output_type, external_id) VALUES('mlmd.Evaluate', 0, NULL, NULL, NULL,
  NULL, NULL);
INSERT INTO Type(name, type_kind, version, description, input_type,
  output_type, external_id) VALUES('mlmd.Deploy', 0, NULL, NULL, NULL,
  NULL, NULL);
)sql";

// User rows in every table, in an order that gives the ids in the
// comments. Each SERIAL table also gets a row that is deleted again (as a
// library-level delete leaves it): the next id comes from the sequence,
// not from MAX(id). Properties of struct and proto kind are added by
// WriteMlmdDatabase, which computes their encodings.
constexpr char kMlmdRows[] = R"sql(
INSERT INTO Type(name, type_kind, version, description, external_id)
  VALUES('MyModel', 1, 'v1', 'a model', 'type-ext-1');  -- 10
INSERT INTO Type(name, type_kind, version, description, input_type,
  output_type, external_id) VALUES('Trainer', 0, NULL, NULL,
  '{"simple":{"name":"MyModel"}}', '{"any":{}}', NULL);  -- 11
INSERT INTO Type(name, type_kind, version, description, external_id)
  VALUES('Pipeline', 2, NULL, NULL, NULL);  -- 12
INSERT INTO Type(name, type_kind, version, description, external_id)
  VALUES('Dropped', 2, NULL, NULL, NULL);  -- 13
DELETE FROM Type WHERE id = 13;
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(10, 'p_int', 1);
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(10, 'p_double', 2);
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(10, 'p_string', 3);
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(10, 'p_struct', 4);
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(10, 'p_proto', 5);
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(10, 'p_bool', 6);
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(11, 'lr', 2);
INSERT INTO TypeProperty(type_id, name, data_type) VALUES(12, 'owner', 3);
INSERT INTO ParentType(type_id, parent_type_id) VALUES(10, 2);
INSERT INTO ParentType(type_id, parent_type_id) VALUES(11, 5);

INSERT INTO Artifact(type_id, uri, state, name, external_id,
  create_time_since_epoch, last_update_time_since_epoch)
  VALUES(10, '/data/model/1', 2, 'model-1', 'art-ext-1', 1600000000000,
  1600000000500);  -- 1
INSERT INTO Artifact(type_id, uri, state, name, external_id,
  create_time_since_epoch, last_update_time_since_epoch)
  VALUES(10, '', NULL, NULL, NULL, 1600000001000, 1600000001000);  -- 2
INSERT INTO Artifact(type_id, uri, state, name, external_id,
  create_time_since_epoch, last_update_time_since_epoch)
  VALUES(10, '/data/model/1', 1, 'model-3', NULL, 1600000002000,
  1600000003000);  -- 3
INSERT INTO Artifact(type_id, uri, state, name, external_id,
  create_time_since_epoch, last_update_time_since_epoch)
  VALUES(10, '/gone', NULL, NULL, NULL, 1, 1);  -- 4
DELETE FROM Artifact WHERE id = 4;
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  int_value) VALUES(1, 'p_int', FALSE, 42);
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  double_value) VALUES(1, 'p_double', FALSE, 0.500000);
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  string_value) VALUES(1, 'p_string', FALSE, 'hello');
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  bool_value) VALUES(1, 'p_bool', FALSE, TRUE);
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  string_value) VALUES(1, 'note', TRUE, 'custom');
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  double_value) VALUES(1, 'score', TRUE, -0.250000);
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  bool_value) VALUES(1, 'flag', TRUE, FALSE);
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  int_value) VALUES(1, 'max32', TRUE, 2147483647);
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property,
  double_value) VALUES(3, 'p_double', FALSE, 1.123457);

INSERT INTO Execution(type_id, last_known_state, name, external_id,
  create_time_since_epoch, last_update_time_since_epoch)
  VALUES(11, 3, 'train-1', 'exe-ext-1', 1600000004000, 1600000005000);  -- 1
INSERT INTO Execution(type_id, last_known_state, name, external_id,
  create_time_since_epoch, last_update_time_since_epoch)
  VALUES(11, NULL, NULL, NULL, 1600000006000, 1600000006000);  -- 2
INSERT INTO Execution(type_id, last_known_state, name, external_id,
  create_time_since_epoch, last_update_time_since_epoch)
  VALUES(11, NULL, NULL, NULL, 1, 1);  -- 3
DELETE FROM Execution WHERE id = 3;
INSERT INTO ExecutionProperty(execution_id, name, is_custom_property,
  double_value) VALUES(1, 'lr', FALSE, 0.010000);
INSERT INTO ExecutionProperty(execution_id, name, is_custom_property,
  int_value) VALUES(1, 'epochs', TRUE, -10);
INSERT INTO ExecutionProperty(execution_id, name, is_custom_property,
  bool_value) VALUES(1, 'cached', TRUE, TRUE);

INSERT INTO Context(type_id, name, external_id, create_time_since_epoch,
  last_update_time_since_epoch)
  VALUES(12, 'pipeline-1', 'ctx-ext-1', 1600000007000, 1600000008000);  -- 1
INSERT INTO Context(type_id, name, external_id, create_time_since_epoch,
  last_update_time_since_epoch)
  VALUES(12, 'run-1', NULL, 1600000009000, 1600000009000);  -- 2
INSERT INTO Context(type_id, name, external_id, create_time_since_epoch,
  last_update_time_since_epoch) VALUES(12, 'gone', NULL, 1, 1);  -- 3
DELETE FROM Context WHERE id = 3;
INSERT INTO ContextProperty(context_id, name, is_custom_property,
  string_value) VALUES(1, 'owner', FALSE, 'alice');
INSERT INTO ContextProperty(context_id, name, is_custom_property,
  int_value) VALUES(1, 'version', TRUE, 3);
INSERT INTO ParentContext(context_id, parent_context_id) VALUES(2, 1);

INSERT INTO Event(artifact_id, execution_id, type, milliseconds_since_epoch)
  VALUES(1, 1, 4, 1600000010000);  -- 1
INSERT INTO EventPath(event_id, is_index_step, step_key)
  VALUES(1, FALSE, 'out');
INSERT INTO EventPath(event_id, is_index_step, step_index)
  VALUES(1, TRUE, 0);
INSERT INTO EventPath(event_id, is_index_step, step_key)
  VALUES(1, FALSE, 'last');
INSERT INTO Event(artifact_id, execution_id, type, milliseconds_since_epoch)
  VALUES(2, 1, 3, 1600000011000);  -- 2
INSERT INTO EventPath(event_id, is_index_step, step_index)
  VALUES(2, TRUE, 1);
INSERT INTO Event(artifact_id, execution_id, type, milliseconds_since_epoch)
  VALUES(3, 2, 3, 1600000012000);  -- 3
INSERT INTO Event(artifact_id, execution_id, type, milliseconds_since_epoch)
  VALUES(3, 1, 3, 1);  -- 4
DELETE FROM Event WHERE id = 4;

INSERT INTO Attribution(context_id, artifact_id) VALUES(1, 1);
INSERT INTO Attribution(context_id, artifact_id) VALUES(2, 1);
INSERT INTO Attribution(context_id, artifact_id) VALUES(1, 2);
INSERT INTO Association(context_id, execution_id) VALUES(1, 1);
INSERT INTO Association(context_id, execution_id) VALUES(2, 2);
)sql";

// MLMD's insert_<node>_property for a struct (its string form) and a
// proto (its serialized Any, base64 in the SQL text, decoded by the
// server into raw bytes).
std::string InsertStructAndProto(const std::string& node, int64_t id,
                                 bool custom) {
  const std::string table = absl::StrCat(node, "Property");
  const std::string id_column = absl::StrCat(node, "_id");
  const std::string is_custom = custom ? "TRUE" : "FALSE";
  return absl::StrCat("INSERT INTO ", table, "(", id_column,
                      ", name, is_custom_property, string_value) VALUES(", id,
                      ", 'p_struct', ", is_custom, ", 'mlmd-struct::",
                      absl::Base64Escape(FixtureStruct().SerializeAsString()),
                      "');", "INSERT INTO ", table, "(", id_column,
                      ", name, is_custom_property, proto_value) VALUES(", id,
                      ", 'p_proto', ", is_custom, ", decode('",
                      absl::Base64Escape(FixtureAny().SerializeAsString()),
                      "', 'base64'));");
}

}  // namespace

void WriteMlmdPostgresDatabase(const std::string& conninfo) {
  // MLMD creates the schema in one transaction and seeds the simple types
  // in the next.
  QueryPostgresRows(conninfo, absl::StrCat("BEGIN;", kMlmdDdl, "COMMIT;"));
  QueryPostgresRows(conninfo, absl::StrCat("BEGIN;", kMlmdSeed, "COMMIT;"));
  QueryPostgresRows(
      conninfo,
      absl::StrCat("BEGIN;", kMlmdRows,
                   InsertStructAndProto("Artifact", 1, false),
                   InsertStructAndProto("Execution", 1, true),
                   InsertStructAndProto("Context", 1, true), "COMMIT;"));
}

const std::vector<MlmdTable>& MlmdTables() {
  static const auto* const kTables = new std::vector<MlmdTable>{
      {"type",
       {"id", "name", "version", "type_kind", "description", "input_type",
        "output_type", "external_id"}},
      {"parenttype", {"type_id", "parent_type_id"}},
      {"typeproperty", {"type_id", "name", "data_type"}},
      {"artifact",
       {"id", "type_id", "uri", "state", "name", "external_id",
        "create_time_since_epoch", "last_update_time_since_epoch"}},
      {"artifactproperty",
       {"artifact_id", "name", "is_custom_property", "int_value",
        "double_value", "string_value", "byte_value", "proto_value",
        "bool_value"}},
      {"execution",
       {"id", "type_id", "last_known_state", "name", "external_id",
        "create_time_since_epoch", "last_update_time_since_epoch"}},
      {"executionproperty",
       {"execution_id", "name", "is_custom_property", "int_value",
        "double_value", "string_value", "byte_value", "proto_value",
        "bool_value"}},
      {"context",
       {"id", "type_id", "name", "external_id", "create_time_since_epoch",
        "last_update_time_since_epoch"}},
      {"contextproperty",
       {"context_id", "name", "is_custom_property", "int_value", "double_value",
        "string_value", "byte_value", "proto_value", "bool_value"}},
      {"parentcontext", {"context_id", "parent_context_id"}},
      {"event",
       {"id", "artifact_id", "execution_id", "type",
        "milliseconds_since_epoch"}},
      {"eventpath", {"event_id", "is_index_step", "step_index", "step_key"}},
      {"association", {"id", "context_id", "execution_id"}},
      {"attribution", {"id", "context_id", "artifact_id"}},
      {"mlmdenv", {"schema_version"}},
  };
  return *kTables;
}

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

void AddStructAndProto(
    google::protobuf::Map<std::string, ml_metadata::Value>& properties) {
  *properties["p_struct"].mutable_struct_value() = FixtureStruct();
  *properties["p_proto"].mutable_proto_value() = FixtureAny();
}

ml_metadata::Artifact ExpectedArtifact1() {
  auto artifact = ParseTextProto<ml_metadata::Artifact>(R"pb(
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
      value { double_value: -0.25 }
    }
    custom_properties {
      key: "flag"
      value { bool_value: false }
    }
    custom_properties {
      key: "max32"
      value { int_value: 2147483647 }
    }
  )pb");
  AddStructAndProto(*artifact.mutable_properties());
  return artifact;
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
  auto execution = ParseTextProto<ml_metadata::Execution>(R"pb(
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
      value { int_value: -10 }
    }
    custom_properties {
      key: "cached"
      value { bool_value: true }
    }
  )pb");
  AddStructAndProto(*execution.mutable_custom_properties());
  return execution;
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
  auto context = ParseTextProto<ml_metadata::Context>(R"pb(
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
  AddStructAndProto(*context.mutable_custom_properties());
  return context;
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

ml_metadata::Event ExpectedEvent1() {
  return ParseTextProto<ml_metadata::Event>(R"pb(
    artifact_id: 1
    execution_id: 1
    type: OUTPUT
    milliseconds_since_epoch: 1600000010000
    path {
      steps { key: "out" }
      steps { index: 0 }
      steps { key: "last" }
    }
  )pb");
}

ml_metadata::Event ExpectedEvent2() {
  return ParseTextProto<ml_metadata::Event>(R"pb(
    artifact_id: 2
    execution_id: 1
    type: INPUT
    milliseconds_since_epoch: 1600000011000
    path { steps { index: 1 } }
  )pb");
}

ml_metadata::Event ExpectedEvent3() {
  return ParseTextProto<ml_metadata::Event>(R"pb(
    artifact_id: 3
    execution_id: 2
    type: INPUT
    milliseconds_since_epoch: 1600000012000
  )pb");
}

}  // namespace mlmdx::testing
