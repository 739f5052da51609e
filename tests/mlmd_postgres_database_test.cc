// A PostgreSQL database built the way MLMD builds one
// (tests/mlmd_postgres_fixture.h) is served as it is, and what mlmdx
// writes to it stays readable by MLMD: the real server is started on it and
// read and written through gRPC; then MLMD's own SELECT statements and its
// schema check (spec/schema.md §5) run on the database with libpq.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "tests/mlmd_postgres_fixture.h"
#include "tests/postgres_test.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using Rows = std::vector<std::vector<std::string>>;

// A database of the test's cluster, for fixture work and MLMD's queries.
class PgDb {
 public:
  explicit PgDb(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  void Exec(const std::string& sql) { QueryPostgresRows(conninfo_, sql); }
  Rows Query(const std::string& sql) {
    return QueryPostgresRows(conninfo_, sql);
  }
  // The first column of the first row.
  std::string Text(const std::string& sql) {
    const Rows rows = Query(sql);
    return rows.empty() || rows[0].empty() ? "<no row>" : rows[0][0];
  }

 private:
  const std::string conninfo_;
};

// An MLMD query with its $0, $1, ... bound to `args` (SQL literals), as
// MLMD's PostgreSQL query executor binds them: spliced into the text.
std::string MlmdQuery(const std::string& query,
                      const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> bindings;
  for (size_t i = 0; i < args.size(); ++i) {
    bindings.emplace_back(absl::StrCat("$", i), args[i]);
  }
  return absl::StrReplaceAll(query, bindings);
}

class MlmdPostgresDatabaseTest : public PostgresClusterTest {
 protected:
  void SetUp() override {
    PostgresClusterTest::SetUp();
    if (HasFatalFailure()) return;
    // A database per test: the tests of one process share the cluster.
    const std::string name = absl::AsciiStrToLower(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    PgDb(cluster().ConnInfo("postgres"))
        .Exec(absl::StrCat("CREATE DATABASE ", name));
    db_ = std::make_unique<PgDb>(cluster().ConnInfo(name));
    WriteMlmdPostgresDatabase(cluster().ConnInfo(name));
    columns_before_ = Columns();
    indexes_before_ = Indexes();
    server_ = std::make_unique<TestServer>(
        absl::StrCat(cluster().UriBase(), "/", name));
    ASSERT_THAT(server_->Start(), IsOk());
    stub_ = server_->NewStub();
  }

  // (table, column, type) of MLMD's tables, as information_schema has
  // them.
  Rows Columns() {
    return db_->Query(
        "SELECT table_name, column_name, data_type FROM "
        "information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name NOT LIKE 'mlmdx\\_%' ORDER BY table_name, "
        "ordinal_position");
  }

  // (name, definition) of every index.
  Rows Indexes() {
    return db_->Query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
        "current_schema() ORDER BY indexname COLLATE \"C\"");
  }

  // The steps of WhatMlmdxWritesMlmdStillReads.
  void WriteThroughServer();
  // MLMD's check on open (spec/schema.md §5) passes, and mlmdx changed
  // MLMD's schema only by its own track.
  void ExpectMlmdsSchemaCheckPasses();
  // MLMD's SELECT statements for types, nodes, properties, events and
  // links return what WriteThroughServer wrote.
  void ExpectMlmdReadsWhatMlmdxWrote();

  std::unique_ptr<PgDb> db_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  Rows columns_before_;
  Rows indexes_before_;
};

TEST_F(MlmdPostgresDatabaseTest, ServesEveryRowAsMlmdWroteIt) {
  // Types, with their properties, base types and struct types.
  ml_metadata::GetArtifactTypeRequest artifact_type_request;
  artifact_type_request.set_type_name("MyModel");
  artifact_type_request.set_type_version("v1");
  ml_metadata::GetArtifactTypeResponse artifact_type;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetArtifactType, artifact_type_request, artifact_type),
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
  ml_metadata::GetExecutionTypesByIDRequest execution_types_request;
  execution_types_request.add_type_ids(11);
  execution_types_request.add_type_ids(5);
  ml_metadata::GetExecutionTypesByIDResponse execution_types;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionTypesByID, execution_types_request,
                         execution_types),
              IsOk());
  EXPECT_THAT(
      execution_types.execution_types(),
      ElementsAre(EqualsProto(ParseTextProto<ml_metadata::ExecutionType>(
                      R"pb(
                        id: 11
                        name: "Trainer"
                        properties { key: "lr" value: DOUBLE }
                        input_type { simple { name: "MyModel" } }
                        output_type { any {} }
                        base_type: TRAIN
                      )pb")),
                  EqualsProto(ParseTextProto<ml_metadata::ExecutionType>(
                      R"pb(
                        id: 5 name: "mlmd.Train"
                      )pb"))));
  ml_metadata::GetContextTypesResponse context_types;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextTypes,
                         ml_metadata::GetContextTypesRequest(), context_types),
              IsOk());
  EXPECT_THAT(context_types.context_types(),
              ElementsAre(EqualsProto(ParseTextProto<ml_metadata::ContextType>(
                  R"pb(
                    id: 12
                    name: "Pipeline"
                    properties { key: "owner" value: STRING }
                  )pb"))));

  // Nodes, with every property kind; deleted ids are skipped.
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
  ml_metadata::GetExecutionsResponse executions;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutions,
                         ml_metadata::GetExecutionsRequest(), executions),
              IsOk());
  EXPECT_THAT(executions.executions(),
              ElementsAre(EqualsProto(ExpectedExecution1()),
                          EqualsProto(ExpectedExecution2())));
  ml_metadata::GetContextsResponse contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContexts, ml_metadata::GetContextsRequest(),
                         contexts),
              IsOk());
  EXPECT_THAT(contexts.contexts(),
              ElementsAre(EqualsProto(ExpectedContext1()),
                          EqualsProto(ExpectedContext2())));
  ml_metadata::GetArtifactsByURIRequest by_uri;
  by_uri.add_uris("/data/model/1");
  ml_metadata::GetArtifactsByURIResponse by_uri_response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, by_uri, by_uri_response),
              IsOk());
  EXPECT_THAT(by_uri_response.artifacts(),
              ElementsAre(EqualsProto(ExpectedArtifact1()),
                          EqualsProto(ExpectedArtifact3())));

  // Events, with their path steps in the order MLMD inserted them.
  ml_metadata::GetEventsByExecutionIDsRequest events_request;
  events_request.add_execution_ids(1);
  events_request.add_execution_ids(2);
  ml_metadata::GetEventsByExecutionIDsResponse events;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, GetEventsByExecutionIDs, events_request, events),
      IsOk());
  EXPECT_THAT(events.events(), ElementsAre(EqualsProto(ExpectedEvent1()),
                                           EqualsProto(ExpectedEvent2()),
                                           EqualsProto(ExpectedEvent3())));
  ml_metadata::GetEventsByArtifactIDsRequest by_artifact;
  by_artifact.add_artifact_ids(3);
  ml_metadata::GetEventsByArtifactIDsResponse by_artifact_events;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetEventsByArtifactIDs, by_artifact,
                         by_artifact_events),
              IsOk());
  EXPECT_THAT(by_artifact_events.events(),
              ElementsAre(EqualsProto(ExpectedEvent3())));

  // Attributions, associations and parent contexts.
  ml_metadata::GetContextsByArtifactRequest contexts_of_artifact;
  contexts_of_artifact.set_artifact_id(1);
  ml_metadata::GetContextsByArtifactResponse artifact_contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByArtifact, contexts_of_artifact,
                         artifact_contexts),
              IsOk());
  EXPECT_THAT(artifact_contexts.contexts(),
              ElementsAre(EqualsProto(ExpectedContext1()),
                          EqualsProto(ExpectedContext2())));
  ml_metadata::GetContextsByExecutionRequest contexts_of_execution;
  contexts_of_execution.set_execution_id(2);
  ml_metadata::GetContextsByExecutionResponse execution_contexts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetContextsByExecution, contexts_of_execution,
                         execution_contexts),
              IsOk());
  EXPECT_THAT(execution_contexts.contexts(),
              ElementsAre(EqualsProto(ExpectedContext2())));
  ml_metadata::GetArtifactsByContextRequest artifacts_of_context;
  artifacts_of_context.set_context_id(1);
  ml_metadata::GetArtifactsByContextResponse context_artifacts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByContext, artifacts_of_context,
                         context_artifacts),
              IsOk());
  EXPECT_THAT(context_artifacts.artifacts(),
              ElementsAre(EqualsProto(ExpectedArtifact1()),
                          EqualsProto(ExpectedArtifact2())));
  ml_metadata::GetExecutionsByContextRequest executions_of_context;
  executions_of_context.set_context_id(1);
  ml_metadata::GetExecutionsByContextResponse context_executions;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetExecutionsByContext, executions_of_context,
                         context_executions),
              IsOk());
  EXPECT_THAT(context_executions.executions(),
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

  // The lineage index is built from MLMD's rows: from artifact 1 back
  // through execution 1 to its input, artifact 2.
  ml_metadata::GetLineageSubgraphRequest lineage_request;
  lineage_request.mutable_lineage_subgraph_query_options()
      ->mutable_starting_artifacts()
      ->set_filter_query("id = 1");
  ml_metadata::GetLineageSubgraphResponse lineage;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetLineageSubgraph, lineage_request, lineage),
              IsOk());
  // MLMD answers with dehydrated nodes (ids only) and full events.
  const ml_metadata::LineageGraph& graph = lineage.lineage_subgraph();
  std::vector<int64_t> artifact_ids, execution_ids, context_ids;
  for (const auto& node : graph.artifacts()) artifact_ids.push_back(node.id());
  for (const auto& node : graph.executions()) {
    execution_ids.push_back(node.id());
  }
  for (const auto& node : graph.contexts()) context_ids.push_back(node.id());
  EXPECT_THAT(artifact_ids, UnorderedElementsAre(1, 2));
  EXPECT_THAT(execution_ids, ElementsAre(1));
  EXPECT_THAT(context_ids, UnorderedElementsAre(1, 2));
  EXPECT_THAT(graph.events(),
              UnorderedElementsAre(EqualsProto(ExpectedEvent1()),
                                   EqualsProto(ExpectedEvent2())));
  EXPECT_EQ(graph.attributions_size(), 3);
  EXPECT_EQ(graph.associations_size(), 1);
  std::vector<std::string> artifact_types;
  for (const auto& type : graph.artifact_types()) {
    artifact_types.push_back(type.name());
  }
  EXPECT_THAT(artifact_types,
              ElementsAre("mlmd.Dataset", "mlmd.Model", "mlmd.Metrics",
                          "mlmd.Statistics", "MyModel"));
}

// Writes through the server: a type with a base type, an artifact with
// every property kind (an int past MLMD's 32 bits too), an execution with
// events and contexts, and links.
void MlmdPostgresDatabaseTest::WriteThroughServer() {
  ml_metadata::PutArtifactTypeRequest put_type;
  put_type.mutable_artifact_type()->set_name("MyDataset");
  put_type.mutable_artifact_type()->set_base_type(
      ml_metadata::ArtifactType::DATASET);
  (*put_type.mutable_artifact_type()->mutable_properties())["rows"] =
      ml_metadata::INT;
  ml_metadata::PutArtifactTypeResponse put_type_response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutArtifactType, put_type, put_type_response),
              IsOk());
  EXPECT_EQ(put_type_response.type_id(), 14);  // 13 was deleted.

  ml_metadata::PutArtifactsRequest put_artifacts;
  ml_metadata::Artifact* artifact = put_artifacts.add_artifacts();
  *artifact = ParseTextProto<ml_metadata::Artifact>(R"pb(
    type_id: 10
    uri: "/new/1"
    properties {
      key: "p_int"
      value { int_value: 1099511627776 }
    }
    properties {
      key: "p_double"
      value { double_value: 0.25 }
    }
    properties {
      key: "p_string"
      value { string_value: "it's" }
    }
    properties {
      key: "p_bool"
      value { bool_value: true }
    }
    custom_properties {
      key: "flag"
      value { bool_value: false }
    }
  )pb");
  AddStructAndProto(*artifact->mutable_properties());
  ml_metadata::PutArtifactsResponse put_artifacts_response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutArtifacts, put_artifacts, put_artifacts_response),
      IsOk());
  EXPECT_THAT(put_artifacts_response.artifact_ids(), ElementsAre(5));

  auto put_execution = ParseTextProto<ml_metadata::PutExecutionRequest>(R"pb(
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
      artifact { type_id: 14 uri: "/new/2" }
      event { type: OUTPUT }
    }
    contexts { type_id: 12 name: "pipeline-2" }
  )pb");
  // An existing node is passed back whole: an update replaces it.
  *put_execution.mutable_artifact_event_pairs(0)->mutable_artifact() =
      put_artifacts.artifacts(0);
  put_execution.mutable_artifact_event_pairs(0)->mutable_artifact()->set_id(5);
  *put_execution.add_contexts() = ExpectedContext1();
  ml_metadata::PutExecutionResponse put_execution_response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutExecution, put_execution, put_execution_response),
      IsOk());
  EXPECT_EQ(put_execution_response.execution_id(), 4);
  EXPECT_THAT(put_execution_response.artifact_ids(), ElementsAre(5, 6));
  EXPECT_THAT(put_execution_response.context_ids(), ElementsAre(4, 1));

  ml_metadata::PutParentContextsRequest put_parents;
  put_parents.add_parent_contexts()->set_child_id(4);
  put_parents.mutable_parent_contexts(0)->set_parent_id(1);
  ml_metadata::PutParentContextsResponse put_parents_response;
  ASSERT_THAT(
      MLMDX_CALL(*stub_, PutParentContexts, put_parents, put_parents_response),
      IsOk());
  ml_metadata::PutAttributionsAndAssociationsRequest put_links;
  put_links.add_attributions()->set_context_id(2);
  put_links.mutable_attributions(0)->set_artifact_id(5);
  ml_metadata::PutAttributionsAndAssociationsResponse put_links_response;
  ASSERT_THAT(MLMDX_CALL(*stub_, PutAttributionsAndAssociations, put_links,
                         put_links_response),
              IsOk());

  // The server read back its own writes.
  ml_metadata::GetArtifactsByIDRequest new_artifacts_request;
  new_artifacts_request.add_artifact_ids(5);
  ml_metadata::GetArtifactsByIDResponse new_artifacts;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByID, new_artifacts_request,
                         new_artifacts),
              IsOk());
  ASSERT_EQ(new_artifacts.artifacts_size(), 1);
  EXPECT_EQ(new_artifacts.artifacts(0).properties().at("p_int").int_value(),
            int64_t{1} << 40);
}

void MlmdPostgresDatabaseTest::ExpectMlmdsSchemaCheckPasses() {
  // MLMD's schema check (spec/schema.md §5): every table has all of its
  // columns, and mlmdx added none to MLMD's tables. Its track widened
  // int_value (MLMD reads BIGINT as it reads INT), and nothing else of
  // MLMD's changed type.
  for (const MlmdTable& table : MlmdTables()) {
    std::string listed;
    for (const char* column : table.columns) {
      absl::StrAppend(&listed, listed.empty() ? "" : ", ", "'", column, "'");
    }
    EXPECT_EQ(db_->Text(absl::StrCat(
                  "SELECT ((SELECT COUNT(*) FROM information_schema.columns "
                  "WHERE table_name = '",
                  table.name, "' AND column_name IN (", listed,
                  ")) = ", table.columns.size(), ")::int AS table_exists;")),
              "1")
        << table.name;
    EXPECT_EQ(db_->Text(absl::StrCat(
                  "SELECT COUNT(*) FROM information_schema.columns WHERE "
                  "table_schema = current_schema() AND table_name = '",
                  table.name, "'")),
              absl::StrCat(table.columns.size()))
        << table.name;
  }
  EXPECT_EQ(db_->Query("SELECT schema_version FROM MLMDEnv; "), Rows({{"10"}}));
  Rows columns_expected = columns_before_;
  for (auto& row : columns_expected) {
    if (row[1] == "int_value") row[2] = "bigint";
  }
  EXPECT_EQ(Columns(), columns_expected);
  EXPECT_EQ(db_->Query("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = current_schema() AND table_name "
                       "LIKE 'mlmdx%' ORDER BY 1"),
            Rows({{"mlmdx_change_log"},
                  {"mlmdx_change_log_pruned"},
                  {"mlmdx_schema"}}));
  EXPECT_EQ(db_->Query("SELECT track, version FROM mlmdx_schema"),
            Rows({{"mlmdx", "4"}}));

  // mlmdx's indexes: its own two (and its tables' keys), and MLMD's four over
  // unbounded text turned into hash indexes under MLMD's names; the others as
  // MLMD made them.
  const Rows indexes = Indexes();
  std::vector<std::string> added, changed;
  for (const auto& row : indexes) {
    bool existed = false;
    for (const auto& before : indexes_before_) {
      if (before[0] != row[0]) continue;
      existed = true;
      if (before[1] != row[1]) changed.push_back(row[0]);
    }
    if (!existed) added.push_back(row[0]);
  }
  EXPECT_EQ(indexes.size(), indexes_before_.size() + 5);
  EXPECT_THAT(added, ElementsAre("mlmdx_change_log_pkey",
                                 "mlmdx_change_log_pruned_pkey",
                                 "mlmdx_idx_association_execution_id",
                                 "mlmdx_idx_attribution_artifact_id",
                                 "mlmdx_schema_pkey"));
  EXPECT_THAT(changed,
              ElementsAre("idx_artifact_property_string", "idx_artifact_uri",
                          "idx_context_property_string",
                          "idx_execution_property_string"));
  for (const auto& row : indexes) {
    if (absl::c_linear_search(changed, row[0])) {
      EXPECT_TRUE(absl::StrContains(row[1], "USING hash")) << row[1];
    }
  }
}

void MlmdPostgresDatabaseTest::ExpectMlmdReadsWhatMlmdxWrote() {
  // MLMD's reads of types (select_type_by_name_and_version,
  // select_all_types, select_properties_by_type_id,
  // select_parent_type_by_type_id).
  EXPECT_EQ(
      db_->Query(
          MlmdQuery(" SELECT id, name, version, description, external_id, "
                    "        input_type, output_type FROM Type "
                    " WHERE name = $0 AND version = $1 AND type_kind = $2; ",
                    {"'MyModel'", "'v1'", "1"})),
      Rows({{"10", "MyModel", "v1", "a model", "type-ext-1", "NULL", "NULL"}}));
  EXPECT_EQ(db_->Query(MlmdQuery(" SELECT id, name, version, description, "
                                 "        input_type, output_type FROM Type "
                                 " WHERE type_kind = $0; ",
                                 {"1"}))
                .back(),
            (std::vector<std::string>{"14", "MyDataset", "NULL", "NULL", "NULL",
                                      "NULL"}));
  EXPECT_EQ(
      db_->Query(MlmdQuery(" SELECT type_id, name as key, data_type as value "
                           " FROM TypeProperty WHERE type_id IN ($0); ",
                           {"14"})),
      Rows({{"14", "rows", "1"}}));
  EXPECT_EQ(db_->Query(MlmdQuery(" SELECT type_id, parent_type_id "
                                 " FROM ParentType WHERE type_id IN ($0); ",
                                 {"14"})),
            Rows({{"14", "1"}}));

  // MLMD's reads of nodes (select_artifact_by_id,
  // select_artifacts_by_uri, select_execution_by_id, select_context_by_id).
  EXPECT_EQ(
      db_->Query(MlmdQuery(" SELECT A.id, A.type_id, A.uri, A.state, A.name, "
                           " A.external_id, A.create_time_since_epoch, "
                           " A.last_update_time_since_epoch, "
                           " T.name AS type, T.version AS type_version, "
                           " T.description AS type_description, "
                           " T.external_id AS type_external_id "
                           " FROM Artifact AS A "
                           " LEFT JOIN Type AS T "
                           "    ON (T.id = A.type_id) "
                           " WHERE A.id IN ($0); ",
                           {"6"}))
          .at(0),
      (std::vector<std::string>{
          "6", "14", "/new/2", "NULL", "NULL", "NULL",
          db_->Text("SELECT create_time_since_epoch FROM Artifact WHERE "
                    "id = 6"),
          db_->Text("SELECT last_update_time_since_epoch FROM Artifact "
                    "WHERE id = 6"),
          "MyDataset", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(db_->Query(MlmdQuery(" SELECT id FROM Artifact WHERE uri = $0; ",
                                 {"'/new/1'"})),
            Rows({{"5"}}));
  const Rows execution = db_->Query(
      MlmdQuery(" SELECT E.id, E.type_id, E.last_known_state, E.name, "
                "        E.external_id, E.create_time_since_epoch, "
                "        E.last_update_time_since_epoch, T.name AS type, "
                "        T.version AS type_version, "
                "        T.description AS type_description, "
                "        T.external_id AS type_external_id "
                " FROM Execution AS E "
                " LEFT JOIN Type AS T "
                "        ON (T.id = E.type_id) "
                " WHERE E.id IN ($0);",
                {"4"}));
  ASSERT_EQ(execution.size(), 1);
  EXPECT_EQ(
      std::vector<std::string>(execution[0].begin(), execution[0].begin() + 5),
      (std::vector<std::string>{"4", "11", "2", "NULL", "NULL"}));
  EXPECT_EQ(execution[0][7], "Trainer");
  const Rows context =
      db_->Query(MlmdQuery(" SELECT C.id, C.type_id, C.name, C.external_id, "
                           " C.create_time_since_epoch, "
                           " C.last_update_time_since_epoch, "
                           " T.name AS type, T.version AS type_version, "
                           " T.description AS type_description, "
                           " T.external_id AS type_external_id "
                           " FROM Context AS C "
                           " LEFT JOIN Type AS T ON (T.id = C.type_id) "
                           " WHERE C.id IN ($0); ",
                           {"4"}));
  ASSERT_EQ(context.size(), 1);
  EXPECT_EQ(context[0][2], "pipeline-2");
  EXPECT_EQ(context[0][6], "Pipeline");

  // MLMD's read of properties (select_artifact_property_by_artifact_id):
  // one value column per row, in MLMD's encodings; the proto comes back
  // base64 through encode().
  const Rows properties =
      db_->Query(MlmdQuery(" SELECT artifact_id as id, name as key, "
                           "        is_custom_property, "
                           "        int_value, double_value, string_value, "
                           "        encode(proto_value, 'base64'), bool_value "
                           " FROM ArtifactProperty "
                           " WHERE artifact_id IN ($0) ORDER BY name; ",
                           {"5"}));
  ASSERT_EQ(properties.size(), 7);
  auto values = [&](const std::string& key) {
    for (const auto& row : properties) {
      if (row[1] == key)
        return std::vector<std::string>(row.begin() + 2, row.end());
    }
    return std::vector<std::string>{"<no row>"};
  };
  EXPECT_EQ(values("p_int"),
            (std::vector<std::string>{"f", "1099511627776", "NULL", "NULL",
                                      "NULL", "NULL"}));
  EXPECT_EQ(
      values("p_double"),
      (std::vector<std::string>{"f", "NULL", "0.25", "NULL", "NULL", "NULL"}));
  EXPECT_EQ(
      values("p_string"),
      (std::vector<std::string>{"f", "NULL", "NULL", "it's", "NULL", "NULL"}));
  EXPECT_EQ(values("p_bool"), (std::vector<std::string>{"f", "NULL", "NULL",
                                                        "NULL", "NULL", "t"}));
  EXPECT_EQ(values("flag"), (std::vector<std::string>{"t", "NULL", "NULL",
                                                      "NULL", "NULL", "f"}));
  const std::vector<std::string> struct_row = values("p_struct");
  ASSERT_EQ(struct_row.size(), 6);
  ASSERT_TRUE(absl::StartsWith(struct_row[3], "mlmd-struct::"));
  std::string struct_bytes;
  ASSERT_TRUE(absl::Base64Unescape(struct_row[3].substr(13), &struct_bytes));
  google::protobuf::Struct stored_struct;
  ASSERT_TRUE(stored_struct.ParseFromString(struct_bytes));
  EXPECT_THAT(stored_struct, EqualsProto(FixtureStruct()));
  const std::vector<std::string> proto_row = values("p_proto");
  ASSERT_EQ(proto_row.size(), 6);
  EXPECT_EQ(proto_row[3], "NULL");
  std::string any_bytes;
  // encode() breaks base64 into lines of 76 characters.
  ASSERT_TRUE(absl::Base64Unescape(
      absl::StrReplaceAll(proto_row[4], {{"\n", ""}}), &any_bytes));
  google::protobuf::Any stored_any;
  ASSERT_TRUE(stored_any.ParseFromString(any_bytes));
  EXPECT_THAT(stored_any, EqualsProto(FixtureAny()));
  for (const char* table :
       {"ArtifactProperty", "ExecutionProperty", "ContextProperty"}) {
    EXPECT_EQ(
        db_->Text(absl::StrCat(
            "SELECT COUNT(*) FROM ", table,
            " WHERE byte_value IS NOT NULL OR (int_value IS NOT NULL)::int"
            " + (double_value IS NOT NULL)::int + (string_value IS NOT "
            "NULL)::int + (proto_value IS NOT NULL)::int + (bool_value "
            "IS NOT NULL)::int != 1")),
        "0")
        << table;
  }
  EXPECT_EQ(
      db_->Query(MlmdQuery(" SELECT execution_id as id, name as key, "
                           "        is_custom_property, "
                           "        int_value, double_value, string_value, "
                           "        encode(proto_value, 'base64'),"
                           "        bool_value "
                           " FROM ExecutionProperty "
                           " WHERE execution_id IN ($0); ",
                           {"4"})),
      Rows({{"4", "lr", "f", "NULL", "0.1", "NULL", "NULL", "NULL"}}));

  // MLMD's reads of events and their paths (select_event_by_execution_ids,
  // select_event_path_by_event_ids): steps in insertion order.
  const Rows new_events =
      db_->Query(MlmdQuery(" SELECT id, artifact_id, execution_id, "
                           "        type, milliseconds_since_epoch "
                           " FROM Event "
                           " WHERE execution_id IN ($0); ",
                           {"4"}));
  ASSERT_EQ(new_events.size(), 2);
  EXPECT_EQ(std::vector<std::string>(new_events[0].begin(),
                                     new_events[0].begin() + 4),
            (std::vector<std::string>{"5", "5", "4", "3"}));
  EXPECT_EQ(std::vector<std::string>(new_events[1].begin(),
                                     new_events[1].begin() + 4),
            (std::vector<std::string>{"6", "6", "4", "4"}));
  EXPECT_NE(new_events[0][4], "NULL");
  EXPECT_EQ(db_->Query(MlmdQuery(
                " SELECT event_id, is_index_step, step_index, step_key "
                " FROM EventPath "
                " WHERE event_id IN ($0); ",
                {"5, 6"})),
            Rows({{"5", "f", "NULL", "in"}, {"5", "t", "2", "NULL"}}));

  // MLMD's reads of links (select_associations_by_execution_ids,
  // select_attributions_by_artifact_ids,
  // select_parent_contexts_by_context_ids).
  const Rows associations =
      db_->Query(MlmdQuery(" SELECT id, context_id, execution_id "
                           " FROM Association "
                           " WHERE execution_id IN ($0) ORDER BY context_id; ",
                           {"4"}));
  ASSERT_EQ(associations.size(), 2);
  EXPECT_EQ(associations[0][1], "1");
  EXPECT_EQ(associations[1][1], "4");
  const Rows attributions =
      db_->Query(MlmdQuery(" SELECT id, context_id, artifact_id "
                           " FROM Attribution "
                           " WHERE artifact_id IN ($0) ORDER BY context_id; ",
                           {"5"}));
  ASSERT_EQ(attributions.size(), 3);
  EXPECT_EQ(attributions[0][1], "1");
  EXPECT_EQ(attributions[1][1], "2");
  EXPECT_EQ(attributions[2][1], "4");
  EXPECT_EQ(db_->Query(MlmdQuery(
                " SELECT context_id, parent_context_id From ParentContext "
                " WHERE context_id IN ($0); ",
                {"4"})),
            Rows({{"4", "1"}}));
}

TEST_F(MlmdPostgresDatabaseTest, WhatMlmdxWritesMlmdStillReads) {
  ASSERT_NO_FATAL_FAILURE(WriteThroughServer());
  ExpectMlmdsSchemaCheckPasses();
  ASSERT_NO_FATAL_FAILURE(ExpectMlmdReadsWhatMlmdxWrote());

  // mlmdx took its ids from the SERIAL sequences, so MLMD's next INSERT
  // (which takes the default and reads LASTVAL()) follows them. One of
  // MLMD's writes, including an int that fits only the widened column, is
  // then served.
  db_->Exec(
      "INSERT INTO Artifact(type_id, uri, state, name, external_id, "
      "create_time_since_epoch, last_update_time_since_epoch) VALUES(10, "
      "'/mlmd/after', 2, NULL, NULL, 1700000000000, 1700000000000);"
      "INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property, "
      "int_value) VALUES(LASTVAL(), 'p_int', FALSE, 4294967296);");
  EXPECT_EQ(db_->Text("SELECT MAX(id) FROM Artifact"), "7");
  ml_metadata::GetArtifactsByURIRequest mlmd_written;
  mlmd_written.add_uris("/mlmd/after");
  ml_metadata::GetArtifactsByURIResponse mlmd_written_response;
  ASSERT_THAT(MLMDX_CALL(*stub_, GetArtifactsByURI, mlmd_written,
                         mlmd_written_response),
              IsOk());
  EXPECT_THAT(
      mlmd_written_response.artifacts(),
      ElementsAre(EqualsProto(ParseTextProto<ml_metadata::Artifact>(R"pb(
        id: 7
        type_id: 10
        type: "MyModel"
        uri: "/mlmd/after"
        state: LIVE
        create_time_since_epoch: 1700000000000
        last_update_time_since_epoch: 1700000000000
        properties {
          key: "p_int"
          value { int_value: 4294967296 }
        }
      )pb"))));

  // A restart opens the database again and changes nothing.
  const Rows indexes = Indexes();
  const Rows columns = Columns();
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_THAT(server_->Start(), IsOk());
  EXPECT_EQ(Indexes(), indexes);
  EXPECT_EQ(Columns(), columns);
  EXPECT_EQ(db_->Query("SELECT track, version FROM mlmdx_schema"),
            Rows({{"mlmdx", "4"}}));
  EXPECT_EQ(db_->Text("SELECT COUNT(*) FROM Type WHERE name LIKE 'mlmd.%'"),
            "9");
}

}  // namespace
}  // namespace mlmdx::testing
