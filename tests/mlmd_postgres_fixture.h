// File: tests/mlmd_postgres_fixture.h
// -----------------------------------------------------------------------------
//
// A PostgreSQL database built the way MLMD builds one, written with libpq
// only: MLMD's schema v10 DDL for PostgreSQL (its 32-bit int_value
// included) and rows inserted as MLMD's query executor inserts them (ids
// from the SERIAL sequences, TRUE/FALSE booleans, doubles as `%f` text,
// proto values through decode(..., 'base64'), structs as `mlmd-struct::`
// text; spec/schema.md §2-§4). Every table has rows, every property kind
// appears, and each SERIAL table has a deleted row (ids come from the
// sequences, not MAX(id)). Also: what the API must answer for those rows,
// and the tables and columns MLMD's schema check looks for.
//
// Ids: types 1-9 the simple types, 10 MyModel (artifact, version v1, base
// type MODEL), 11 Trainer (execution, base type TRAIN), 12 Pipeline
// (context), 13 deleted; artifacts 1-3 (4 deleted), executions 1-2 (3
// deleted), contexts 1-2 (3 deleted; 2 is a child of 1), events 1-3 (4
// deleted).
//
// Example:
//
//   WriteMlmdPostgresDatabase(cluster.ConnInfo("mlmd"));
//   ... GetArtifactsByID(1) ... EqualsProto(ExpectedMlmdArtifact1())

#ifndef MLMDX_TESTS_MLMD_POSTGRES_FIXTURE_H_
#define MLMDX_TESTS_MLMD_POSTGRES_FIXTURE_H_

#include <string>
#include <vector>

#include "google/protobuf/any.pb.h"
#include "google/protobuf/struct.pb.h"
#include "ml_metadata/proto/metadata_store.pb.h"

namespace mlmdx::testing {

// Writes the schema and the rows into the empty database `conninfo`;
// fails the test on errors.
void WriteMlmdPostgresDatabase(const std::string& conninfo);

// One of MLMD's tables, as its schema check on PostgreSQL sees it.
struct MlmdTable {
  const char* name;  // As PostgreSQL stores it (lower case).
  std::vector<const char*> columns;
};

// MLMD's 15 tables at schema v10 and all of their columns.
const std::vector<MlmdTable>& MlmdTables();

// The values of the struct and proto properties (`p_struct`, `p_proto`).
google::protobuf::Struct FixtureStruct();
google::protobuf::Any FixtureAny();
// Sets `p_struct` and `p_proto` in `properties`.
void AddStructAndProto(
    google::protobuf::Map<std::string, ml_metadata::Value>& properties);

// The fixture's nodes and events as the API answers with them.
ml_metadata::Artifact ExpectedArtifact1();
ml_metadata::Artifact ExpectedArtifact2();
ml_metadata::Artifact ExpectedArtifact3();
ml_metadata::Execution ExpectedExecution1();
ml_metadata::Execution ExpectedExecution2();
ml_metadata::Context ExpectedContext1();
ml_metadata::Context ExpectedContext2();
ml_metadata::Event ExpectedEvent1();
ml_metadata::Event ExpectedEvent2();
ml_metadata::Event ExpectedEvent3();

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_MLMD_POSTGRES_FIXTURE_H_
