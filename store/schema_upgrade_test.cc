// Upgrades of MLMD databases of every older schema version (0..9) to 10, and
// downgrades of a version-10 database to each of them, on real SQLite files.
// The databases come from store/testing/mlmd_schema_fixture.h, which writes
// MLMD's layout of each version without migrations/, so that the steps are
// checked against MLMD's layouts and not against themselves. Data is checked
// twice: row by row in SQL, and through MetadataStore's RPCs.

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/metadata_store.h"
#include "store/schema.h"
#include "store/sqlite_connection.h"
#include "store/testing/mlmd_schema_fixture.h"
#include "tests/test_util.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::EqualsProto;
using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::ParseTextProto;
using ::mlmdx::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// ---- Files and connections -------------------------------------------------

std::string TempDbPath() {
  char dir[] = "/tmp/mlmdx_schema_upgrade_test_XXXXXX";
  return std::string(mkdtemp(dir)) + "/db.sqlite";
}

std::string FixturePath(int version, bool with_rows) {
  const std::string path = TempDbPath();
  EXPECT_THAT(WriteMlmdFixture(path, version, with_rows), IsOk());
  return path;
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<SqliteConnection> Connect(const std::string& path) {
  SqliteOptions options;
  options.filename_uri = path;
  options.create_if_missing = false;
  auto conn = SqliteConnection::Open(options);
  EXPECT_THAT(conn.status(), IsOk());
  return conn.ok() ? std::move(*conn) : nullptr;
}

MigrationOptions Upgrade() {
  MigrationOptions options;
  options.enable_upgrade = true;
  return options;
}

MigrationOptions DowngradeTo(int64_t version) {
  MigrationOptions options;
  options.downgrade_to_schema_version = version;
  return options;
}

// ---- Reading a database in SQL ---------------------------------------------

std::string Render(const SqlValue& value) {
  switch (value.kind()) {
    case SqlValue::Kind::kNull:
      return "NULL";
    case SqlValue::Kind::kInt:
      return absl::StrCat(value.AsInt());
    case SqlValue::Kind::kDouble:
      return absl::StrCat("d", value.AsDouble());
    case SqlValue::Kind::kText:
      return absl::StrCat("'", value.AsString(), "'");
    case SqlValue::Kind::kBlob:
      return absl::StrCat("x", absl::BytesToHexString(value.AsString()));
  }
  return "?";
}

// Every row of `sql`, rendered and sorted.
std::vector<std::string> Rows(Connection& conn, const std::string& sql) {
  auto rows = conn.Query(sql, {});
  EXPECT_THAT(rows.status(), IsOk()) << sql;
  std::vector<std::string> rendered;
  if (!rows.ok()) return rendered;
  for (const auto& row : rows->rows) {
    std::vector<std::string> values;
    for (const SqlValue& value : row) values.push_back(Render(value));
    rendered.push_back(absl::StrJoin(values, " | "));
  }
  std::sort(rendered.begin(), rendered.end());
  return rendered;
}

int64_t Int(Connection& conn, const std::string& sql) {
  auto rows = conn.Query(sql, {});
  EXPECT_THAT(rows.status(), IsOk()) << sql;
  if (!rows.ok() || rows->rows.empty()) return -1;
  return rows->rows[0][0].AsInt();
}

std::vector<std::string> Columns(Connection& conn, const std::string& table) {
  std::vector<std::string> columns;
  auto rows = conn.Query(absl::StrCat("PRAGMA table_info(`", table, "`)"), {});
  EXPECT_THAT(rows.status(), IsOk());
  if (!rows.ok()) return columns;
  for (const auto& row : rows->rows) columns.push_back(row[1].AsString());
  return columns;
}

constexpr char kNotMlmdx[] = "name NOT LIKE 'mlmdx\\_%' ESCAPE '\\'";

// Tables with their columns (PRAGMA table_info) and indexes (name, unique,
// origin, partial, columns), in a form that does not depend on how the
// CREATE statements were written. sqlite_sequence is left out, and mlmdx's
// own objects too unless `with_mlmdx`.
std::string Layout(Connection& conn, bool with_mlmdx = true) {
  const std::string filter = with_mlmdx ? "" : absl::StrCat(" AND ", kNotMlmdx);
  std::string layout;
  for (const std::string& table :
       Rows(conn, absl::StrCat("SELECT name FROM sqlite_master WHERE "
                               "type = 'table' AND name != 'sqlite_sequence'",
                               filter))) {
    const std::string name = table.substr(1, table.size() - 2);
    absl::StrAppend(&layout, "table ", name, "\n");
    auto info = conn.Query(absl::StrCat("PRAGMA table_info(`", name, "`)"), {});
    EXPECT_THAT(info.status(), IsOk());
    if (!info.ok()) continue;
    for (const auto& column : info->rows) {
      std::vector<std::string> values;
      for (const SqlValue& value : column) values.push_back(Render(value));
      absl::StrAppend(&layout, "  column ", absl::StrJoin(values, " "), "\n");
    }
    auto indexes =
        conn.Query(absl::StrCat("PRAGMA index_list(`", name, "`)"), {});
    EXPECT_THAT(indexes.status(), IsOk());
    if (!indexes.ok()) continue;
    std::vector<std::string> lines;
    for (const auto& index : indexes->rows) {
      const std::string index_name = index[1].AsString();
      if (!with_mlmdx && index_name.rfind("mlmdx_", 0) == 0) continue;
      std::vector<std::string> columns;
      for (const std::string& column : Rows(
               conn, absl::StrCat("SELECT seqno, name FROM pragma_index_info('",
                                  index_name, "')"))) {
        columns.push_back(column);
      }
      lines.push_back(absl::StrCat(
          "  index ", index_name, " unique=", index[2].AsInt(),
          " origin=", index[3].AsString(), " partial=", index[4].AsInt(), " (",
          absl::StrJoin(columns, ", "), ")\n"));
    }
    std::sort(lines.begin(), lines.end());
    absl::StrAppend(&layout, absl::StrJoin(lines, ""));
  }
  return layout;
}

// The layout MLMD gives version `version`, from the fixture.
std::string FixtureLayout(int version) {
  auto conn = Connect(FixturePath(version, /*with_rows=*/false));
  return Layout(*conn);
}

// MLMDEnv's rows, or {"no MLMDEnv"}.
std::vector<std::string> EnvRows(Connection& conn) {
  auto exists = conn.TableExists("MLMDEnv");
  EXPECT_THAT(exists.status(), IsOk());
  if (!exists.ok() || !*exists) return {"no MLMDEnv"};
  return Rows(conn, "SELECT schema_version FROM MLMDEnv");
}

// `columns` of `table` as a SELECT list, reading the version-0/1 column
// is_artifact_type from type_kind when the database has that instead.
std::string SelectList(const std::vector<std::string>& columns,
                       bool type_kind_as_is_artifact_type) {
  std::vector<std::string> select;
  for (const std::string& column : columns) {
    select.push_back(type_kind_as_is_artifact_type &&
                             column == "is_artifact_type"
                         ? "`type_kind`"
                         : absl::StrCat("`", column, "`"));
  }
  return absl::StrJoin(select, ", ");
}

// ---- Reading a database through MetadataStore -----------------------------

std::unique_ptr<MetadataStore> OpenStore(const std::string& path,
                                         const MigrationOptions& migration) {
  StoreOptions options;
  options.sqlite.filename_uri = path;
  options.migration = migration;
  auto store = MetadataStore::Open(options);
  EXPECT_THAT(store.status(), IsOk());
  return store.ok() ? std::move(*store) : nullptr;
}

// What the fixture's nodes read as once upgraded. `columns_version` is the
// version whose columns the rows were written in (later columns read as
// unset, times as 0); `with_struct` says whether artifact 1 has its struct
// property (fixture rows of version 6 on).
ml_metadata::Artifact ExpectedArtifact(int id, int columns_version,
                                       bool with_struct) {
  const bool v5 = columns_version >= 5;
  const bool v9 = columns_version >= 9;
  std::string text;
  if (id == 1) {
    text = absl::StrCat(
        "id: 1 type_id: 1 type: 'Dataset' uri: '/data/1' "
        "properties { key: 'size' value { int_value: 42 } } "
        "properties { key: 'ratio' value { double_value: 0.5 } } "
        "properties { key: 'label' value { string_value: 'train' } } "
        "custom_properties { key: 'note' value { string_value: 'custom note' "
        "} } custom_properties { key: 'count' value { int_value: -7 } } ",
        with_struct ? "custom_properties { key: 'config' value { struct_value "
                      "{ fields { key: 'k' value { number_value: 1 } } } } } "
                    : "",
        v5 ? "state: LIVE name: 'dataset-1' "
             "create_time_since_epoch: 1600000000000 "
             "last_update_time_since_epoch: 1600000000500 "
           : "create_time_since_epoch: 0 last_update_time_since_epoch: 0 ",
        v9 ? "external_id: 'art-ext-1'" : "");
  } else if (id == 2) {
    text = absl::StrCat(
        "id: 2 type_id: 1 type: 'Dataset' uri: '' ",
        v5 ? "create_time_since_epoch: 1600000001000 "
             "last_update_time_since_epoch: 1600000001000"
           : "create_time_since_epoch: 0 last_update_time_since_epoch: 0");
  } else {
    // Its uri is NULL in the database, which mlmdx reads as "".
    text = absl::StrCat(
        "id: 3 type_id: 4 type: 'Model' uri: '' "
        "custom_properties { key: 'big' value { int_value: 9000000000 } } "
        "create_time_since_epoch: 0 last_update_time_since_epoch: 0 ",
        v5 ? "name: 'model-3'" : "");
  }
  return ParseTextProto<ml_metadata::Artifact>(text);
}

ml_metadata::Execution ExpectedExecution(int id, int columns_version) {
  const bool v5 = columns_version >= 5;
  if (id == 1) {
    return ParseTextProto<ml_metadata::Execution>(absl::StrCat(
        "id: 1 type_id: 2 type: 'Trainer' "
        "properties { key: 'lr' value { double_value: 0.01 } } "
        "custom_properties { key: 'epochs' value { int_value: 10 } } ",
        v5 ? "last_known_state: COMPLETE name: 'train-1' "
             "create_time_since_epoch: 1600000004000 "
             "last_update_time_since_epoch: 1600000005000 "
           : "create_time_since_epoch: 0 last_update_time_since_epoch: 0 ",
        columns_version >= 9 ? "external_id: 'exe-ext-1'" : ""));
  }
  return ParseTextProto<ml_metadata::Execution>(absl::StrCat(
      "id: 2 type_id: 2 type: 'Trainer' "
      "custom_properties { key: 'note' value { string_value: 'second' } } ",
      v5 ? "create_time_since_epoch: 1600000006000 "
           "last_update_time_since_epoch: 1600000006000"
         : "create_time_since_epoch: 0 last_update_time_since_epoch: 0"));
}

ml_metadata::Context ExpectedContext(int id, int columns_version) {
  const bool v5 = columns_version >= 5;
  if (id == 1) {
    return ParseTextProto<ml_metadata::Context>(absl::StrCat(
        "id: 1 type_id: 3 type: 'Pipeline' name: 'pipeline-1' "
        "properties { key: 'owner' value { string_value: 'alice' } } ",
        v5 ? "create_time_since_epoch: 1600000007000 "
             "last_update_time_since_epoch: 1600000008000 "
           : "create_time_since_epoch: 0 last_update_time_since_epoch: 0 ",
        columns_version >= 9 ? "external_id: 'ctx-ext-1'" : ""));
  }
  return ParseTextProto<ml_metadata::Context>(absl::StrCat(
      "id: 2 type_id: 3 type: 'Pipeline' name: 'run-1' "
      "custom_properties { key: 'attempt' value { int_value: 2 } } "
      "custom_properties { key: 'score' value { double_value: 0.75 } } ",
      v5 ? "create_time_since_epoch: 1600000009000 "
           "last_update_time_since_epoch: 1600000009000"
         : "create_time_since_epoch: 0 last_update_time_since_epoch: 0"));
}

// The events left after version 8's collapse: 2, 4 and 5 (not 1 and 3, the
// duplicates of 5 with lower ids), each with its own path.
std::vector<ml_metadata::Event> ExpectedEvents() {
  return {
      ParseTextProto<ml_metadata::Event>(
          "artifact_id: 2 execution_id: 1 type: OUTPUT "
          "path { steps { key: 'model' } } "
          "milliseconds_since_epoch: 1600000011000"),
      ParseTextProto<ml_metadata::Event>(
          "artifact_id: 1 execution_id: 2 type: INPUT "
          "path { steps { index: 0 } }"),
      ParseTextProto<ml_metadata::Event>(
          "artifact_id: 1 execution_id: 1 type: INPUT "
          "path { steps { index: 1 } steps { key: 'examples' } } "
          "milliseconds_since_epoch: 1600000014000"),
  };
}

// Reads the fixture's nodes, events and links back through the store.
// `columns_version`: as for ExpectedArtifact; the tables a version lacks
// (contexts before 3, links before 4 and 6) are empty.
void ExpectFixtureNodes(MetadataStore& store, int columns_version,
                        bool with_struct) {
  ml_metadata::GetArtifactsByIDRequest artifacts_request;
  artifacts_request.add_artifact_ids(1);
  artifacts_request.add_artifact_ids(3);
  ml_metadata::GetArtifactsByIDResponse artifacts;
  ASSERT_THAT(store.GetArtifactsByID(artifacts_request, &artifacts), IsOk());
  EXPECT_THAT(
      artifacts.artifacts(),
      ElementsAre(
          EqualsProto(ExpectedArtifact(1, columns_version, with_struct)),
          EqualsProto(ExpectedArtifact(3, columns_version, with_struct))));

  ml_metadata::GetExecutionsByIDRequest executions_request;
  executions_request.add_execution_ids(1);
  executions_request.add_execution_ids(2);
  ml_metadata::GetExecutionsByIDResponse executions;
  ASSERT_THAT(store.GetExecutionsByID(executions_request, &executions), IsOk());
  EXPECT_THAT(executions.executions(),
              ElementsAre(EqualsProto(ExpectedExecution(1, columns_version)),
                          EqualsProto(ExpectedExecution(2, columns_version))));

  ml_metadata::GetEventsByExecutionIDsRequest events_request;
  events_request.add_execution_ids(1);
  events_request.add_execution_ids(2);
  ml_metadata::GetEventsByExecutionIDsResponse events;
  ASSERT_THAT(store.GetEventsByExecutionIDs(events_request, &events), IsOk());
  const std::vector<ml_metadata::Event> expected_events = ExpectedEvents();
  EXPECT_THAT(events.events(),
              UnorderedElementsAre(EqualsProto(expected_events[0]),
                                   EqualsProto(expected_events[1]),
                                   EqualsProto(expected_events[2])));

  ml_metadata::GetContextsByIDRequest contexts_request;
  contexts_request.add_context_ids(1);
  contexts_request.add_context_ids(2);
  ml_metadata::GetContextsByIDResponse contexts;
  ASSERT_THAT(store.GetContextsByID(contexts_request, &contexts), IsOk());
  if (columns_version < 3) {
    EXPECT_EQ(contexts.contexts_size(), 0);
    return;
  }
  EXPECT_THAT(contexts.contexts(),
              ElementsAre(EqualsProto(ExpectedContext(1, columns_version)),
                          EqualsProto(ExpectedContext(2, columns_version))));

  ml_metadata::GetContextsByArtifactRequest by_artifact;
  by_artifact.set_artifact_id(1);
  ml_metadata::GetContextsByArtifactResponse artifact_contexts;
  const absl::Status artifact_contexts_status =
      store.GetContextsByArtifact(by_artifact, &artifact_contexts);
  ml_metadata::GetExecutionsByContextRequest by_context;
  by_context.set_context_id(2);
  ml_metadata::GetExecutionsByContextResponse context_executions;
  ASSERT_THAT(store.GetExecutionsByContext(by_context, &context_executions),
              IsOk());
  if (columns_version < 4) {
    EXPECT_THAT(artifact_contexts_status,
                StatusIs(absl::StatusCode::kNotFound));
    EXPECT_EQ(context_executions.executions_size(), 0);
  } else {
    ASSERT_THAT(artifact_contexts_status, IsOk());
    EXPECT_THAT(artifact_contexts.contexts(),
                ElementsAre(EqualsProto(ExpectedContext(2, columns_version))));
    EXPECT_THAT(context_executions.executions(),
                UnorderedElementsAre(
                    EqualsProto(ExpectedExecution(1, columns_version)),
                    EqualsProto(ExpectedExecution(2, columns_version))));
  }

  ml_metadata::GetParentContextsByContextRequest parents_request;
  parents_request.set_context_id(2);
  ml_metadata::GetParentContextsByContextResponse parents;
  ASSERT_THAT(store.GetParentContextsByContext(parents_request, &parents),
              IsOk());
  if (columns_version < 6) {
    EXPECT_EQ(parents.contexts_size(), 0);
  } else {
    EXPECT_THAT(parents.contexts(),
                ElementsAre(EqualsProto(ExpectedContext(1, columns_version))));
  }
}

// The fixture's types of version `version` read back through the store.
void ExpectFixtureTypes(MetadataStore& store, int version) {
  const bool v6 = version >= 6;
  ml_metadata::GetArtifactTypesByIDRequest artifact_request;
  artifact_request.add_type_ids(1);
  artifact_request.add_type_ids(4);
  ml_metadata::GetArtifactTypesByIDResponse artifact_types;
  ASSERT_THAT(store.GetArtifactTypesByID(artifact_request, &artifact_types),
              IsOk());
  EXPECT_THAT(
      artifact_types.artifact_types(),
      ElementsAre(
          EqualsProto(ParseTextProto<ml_metadata::ArtifactType>(absl::StrCat(
              "id: 1 name: 'Dataset' properties { key: 'size' value: INT } "
              "properties { key: 'ratio' value: DOUBLE } "
              "properties { key: 'label' value: STRING } ",
              v6 ? "properties { key: 'config' value: STRUCT } "
                   "version: 'v1' description: 'a dataset' "
                 : "",
              version >= 9 ? "external_id: 'type-ext-1'" : ""))),
          EqualsProto(ParseTextProto<ml_metadata::ArtifactType>(absl::StrCat(
              "id: 4 name: 'Model' ", v6 ? "base_type: MODEL" : "")))));

  ml_metadata::GetExecutionTypesByIDRequest execution_request;
  execution_request.add_type_ids(2);
  ml_metadata::GetExecutionTypesByIDResponse execution_types;
  ASSERT_THAT(store.GetExecutionTypesByID(execution_request, &execution_types),
              IsOk());
  EXPECT_THAT(
      execution_types.execution_types(),
      ElementsAre(EqualsProto(ParseTextProto<ml_metadata::ExecutionType>(
          "id: 2 name: 'Trainer' properties { key: 'lr' value: DOUBLE "
          "} input_type { any {} } output_type { none {} }"))));

  ml_metadata::GetContextTypesByIDRequest context_request;
  context_request.add_type_ids(3);
  ml_metadata::GetContextTypesByIDResponse context_types;
  ASSERT_THAT(store.GetContextTypesByID(context_request, &context_types),
              IsOk());
  if (version < 2) {
    EXPECT_EQ(context_types.context_types_size(), 0);
  } else {
    EXPECT_THAT(
        context_types.context_types(),
        ElementsAre(EqualsProto(ParseTextProto<ml_metadata::ContextType>(
            absl::StrCat("id: 3 name: 'Pipeline' properties { key: "
                         "'owner' value: STRING } ",
                         v6 ? "description: 'runs'" : "")))));
  }

  ml_metadata::GetArtifactTypesResponse all_artifact_types;
  ASSERT_THAT(store.GetArtifactTypes({}, &all_artifact_types), IsOk());
  std::vector<std::string> names;
  for (const auto& type : all_artifact_types.artifact_types()) {
    names.push_back(type.name());
  }
  EXPECT_THAT(names, ::testing::IsSupersetOf({"Dataset", "Model"}));

  // The simple types are seeded as in any database MLMD opens.
  ml_metadata::GetArtifactTypeRequest simple;
  simple.set_type_name("mlmd.Statistics");
  ml_metadata::GetArtifactTypeResponse simple_type;
  EXPECT_THAT(store.GetArtifactType(simple, &simple_type), IsOk());
}

// ---- Upgrades ---------------------------------------------------------------

class UpgradeTest : public ::testing::TestWithParam<int> {};

INSTANTIATE_TEST_SUITE_P(AllOlderVersions, UpgradeTest, ::testing::Range(0, 10),
                         [](const auto& info) {
                           return absl::StrCat("FromVersion", info.param);
                         });

// Row by row: every column the old version had keeps its value, every new
// column is unset (NULL, times 0), new tables are empty, and ids and id
// counters stay; the only rows gone are version 8's duplicate events with
// their path steps. The layout is MLMD's version 10, index for index.
TEST_P(UpgradeTest, KeepsEveryRowAndReachesMlmdsVersion10Layout) {
  const int version = GetParam();
  const std::string path = FixturePath(version, /*with_rows=*/true);
  auto conn = Connect(path);
  ASSERT_NE(conn, nullptr);

  struct TableBefore {
    std::string table;
    std::vector<std::string> columns;
    std::vector<std::string> kept_rows;
  };
  std::vector<TableBefore> before;
  const int64_t max_type_id = Int(*conn, "SELECT MAX(id) FROM Type");
  for (const std::string& table : MlmdTables(version)) {
    if (table == "MLMDEnv") continue;
    TableBefore entry{table, Columns(*conn, table), {}};
    std::string where;
    if (version < 8 && table == "Event") where = " WHERE id NOT IN (1, 3)";
    if (version < 8 && table == "EventPath") {
      where = " WHERE event_id NOT IN (1, 3)";
    }
    entry.kept_rows =
        Rows(*conn, absl::StrCat("SELECT ", SelectList(entry.columns, false),
                                 " FROM `", table, "`", where));
    EXPECT_FALSE(entry.kept_rows.empty())
        << "fixture without rows in " << table;
    before.push_back(std::move(entry));
  }
  const std::vector<std::string> counters_before =
      Rows(*conn, "SELECT name, seq FROM sqlite_sequence WHERE name != 'Type'");
  const int64_t type_counter_before =
      Int(*conn, "SELECT seq FROM sqlite_sequence WHERE name = 'Type'");

  ASSERT_THAT(InitSchema(*conn, Dialect::kSqlite, Upgrade()), IsOk());

  EXPECT_THAT(EnvRows(*conn), ElementsAre("10"));
  EXPECT_EQ(Layout(*conn, /*with_mlmdx=*/false), FixtureLayout(10));
  for (const TableBefore& entry : before) {
    SCOPED_TRACE(entry.table);
    const std::string where =
        entry.table == "Type" ? absl::StrCat(" WHERE id <= ", max_type_id) : "";
    EXPECT_EQ(Rows(*conn, absl::StrCat("SELECT ",
                                       SelectList(entry.columns, version < 2),
                                       " FROM `", entry.table, "`", where)),
              entry.kept_rows);
  }
  // New columns and tables hold nothing (the Type rows past the old ones
  // are the seeded simple types).
  for (const std::string& table : MlmdTables(10)) {
    SCOPED_TRACE(table);
    const auto old = std::find_if(
        before.begin(), before.end(),
        [&](const TableBefore& entry) { return entry.table == table; });
    if (table == "MLMDEnv") continue;
    if (old == before.end()) {
      EXPECT_EQ(Int(*conn, absl::StrCat("SELECT COUNT(*) FROM `", table, "`")),
                0);
      continue;
    }
    for (const std::string& column : Columns(*conn, table)) {
      if (std::find(old->columns.begin(), old->columns.end(), column) !=
              old->columns.end() ||
          (column == "type_kind" && version < 2)) {
        continue;
      }
      EXPECT_EQ(
          Int(*conn, absl::StrCat("SELECT COUNT(*) FROM `", table,
                                  "` WHERE COALESCE(`", column, "`, 0) != 0")),
          0)
          << column;
    }
  }
  EXPECT_EQ(
      Int(*conn, absl::StrCat("SELECT COUNT(*) FROM Type WHERE id > ",
                              max_type_id, " AND name NOT LIKE 'mlmd.%'")),
      0);
  EXPECT_EQ(
      Rows(*conn, "SELECT name, seq FROM sqlite_sequence WHERE name != 'Type'"),
      counters_before);
  EXPECT_GE(Int(*conn, "SELECT seq FROM sqlite_sequence WHERE name = 'Type'"),
            type_counter_before);
  // mlmdx's own track applies as on any version-10 database.
  EXPECT_THAT(Rows(*conn, "SELECT track, version FROM mlmdx_schema"),
              ElementsAre("'mlmdx' | 1"));
  EXPECT_EQ(Int(*conn,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                "name LIKE 'mlmdx\\_%' ESCAPE '\\'"),
            2);
  conn.reset();

  // A second open finds version 10 and changes nothing.
  const std::string upgraded = FileBytes(path);
  conn = Connect(path);
  ASSERT_THAT(InitSchema(*conn, Dialect::kSqlite, Upgrade()), IsOk());
  ASSERT_THAT(InitSchema(*conn, Dialect::kSqlite, {}), IsOk());
  conn.reset();
  EXPECT_EQ(FileBytes(path), upgraded);
}

TEST_P(UpgradeTest, UpgradedDatabaseServesTheSameData) {
  const int version = GetParam();
  const std::string path = FixturePath(version, /*with_rows=*/true);
  {
    auto store = OpenStore(path, Upgrade());
    ASSERT_NE(store, nullptr);
    ExpectFixtureNodes(*store, version, /*with_struct=*/version >= 6);
    ExpectFixtureTypes(*store, version);
    ml_metadata::GetArtifactsByIDRequest request;
    request.add_artifact_ids(2);
    ml_metadata::GetArtifactsByIDResponse response;
    ASSERT_THAT(store->GetArtifactsByID(request, &response), IsOk());
    EXPECT_THAT(response.artifacts(),
                ElementsAre(EqualsProto(ExpectedArtifact(2, version, false))));
  }
  // Reopened without the flag: it is a version-10 database now. New ids
  // continue after the highest ever given, also where a table was rebuilt.
  auto store = OpenStore(path, {});
  ASSERT_NE(store, nullptr);
  ExpectFixtureNodes(*store, version, /*with_struct=*/version >= 6);
  ml_metadata::PutArtifactsRequest put;
  put.add_artifacts()->set_type_id(1);
  ml_metadata::PutArtifactsResponse put_response;
  ASSERT_THAT(store->PutArtifacts(put, &put_response), IsOk());
  EXPECT_THAT(put_response.artifact_ids(), ElementsAre(7));
  ml_metadata::PutExecutionsRequest put_execution;
  put_execution.add_executions()->set_type_id(2);
  ml_metadata::PutExecutionsResponse put_execution_response;
  ASSERT_THAT(store->PutExecutions(put_execution, &put_execution_response),
              IsOk());
  EXPECT_THAT(put_execution_response.execution_ids(), ElementsAre(4));
}

TEST_P(UpgradeTest, WithoutTheFlagIsRefusedAndChangesNoByte) {
  const int version = GetParam();
  const std::string path = FixturePath(version, /*with_rows=*/true);
  const std::string original = FileBytes(path);
  {
    auto conn = Connect(path);
    const absl::Status status = InitSchema(*conn, Dialect::kSqlite, {});
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(status.message(),
                HasSubstr(absl::StrCat("MLMD database version ", version,
                                       " is older than library version 10. "
                                       "Schema migration is disabled.")));
  }
  StoreOptions options;
  options.sqlite.filename_uri = path;
  EXPECT_THAT(MetadataStore::Open(options).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(FileBytes(path), original);
}

// A step that fails (here version 9's rebuild of Context, because a table
// of its temporary name is in the way) rolls back every step before it.
TEST(UpgradeFailureTest, LeavesTheFileExactlyAsItWas) {
  const std::string path = FixturePath(5, /*with_rows=*/true);
  {
    auto conn = Connect(path);
    ASSERT_THAT(conn->ExecuteScript("CREATE TABLE ContextTemp (x INT);"),
                IsOk());
  }
  const std::string original = FileBytes(path);
  {
    auto conn = Connect(path);
    const absl::Status status = InitSchema(*conn, Dialect::kSqlite, Upgrade());
    EXPECT_FALSE(status.ok());
    EXPECT_THAT(status.message(),
                HasSubstr("from version 8 to 9 failed, the database is "
                          "unchanged"));
    EXPECT_THAT(status.message(), HasSubstr("ContextTemp"));
  }
  StoreOptions options;
  options.sqlite.filename_uri = path;
  options.migration = Upgrade();
  EXPECT_FALSE(MetadataStore::Open(options).ok());
  EXPECT_EQ(FileBytes(path), original);
  auto conn = Connect(path);
  EXPECT_THAT(EnvRows(*conn), ElementsAre("5"));
}

// ---- Downgrades -------------------------------------------------------------

class DowngradeTest : public ::testing::TestWithParam<int> {};

INSTANTIATE_TEST_SUITE_P(AllOlderVersions, DowngradeTest,
                         ::testing::Range(0, 10), [](const auto& info) {
                           return absl::StrCat("ToVersion", info.param);
                         });

// From a version-10 database as mlmdx keeps it (simple types seeded, mlmdx
// track applied) to `target`: MLMD's layout of that version exactly,
// MLMDEnv at the target (gone at 0), and every value the target can hold
// still there. Then upgraded again, the same values read back.
TEST_P(DowngradeTest, ReachesMlmdsLayoutKeepsWhatItCanHoldAndRoundTrips) {
  const int target = GetParam();
  const std::string path = FixturePath(10, /*with_rows=*/true);
  auto conn = Connect(path);
  ASSERT_THAT(InitSchema(*conn, Dialect::kSqlite, {}), IsOk());

  // The target's columns, read from the source database.
  auto target_layout = Connect(FixturePath(target, /*with_rows=*/false));
  struct Expected {
    std::string table;
    std::string select_list;
    std::vector<std::string> rows;
  };
  std::vector<Expected> expected;
  for (const std::string& table : MlmdTables(target)) {
    if (table == "MLMDEnv") continue;
    const std::vector<std::string> columns = Columns(*target_layout, table);
    // Version 1 has no context types: the downgrade deletes them.
    const std::string where =
        target < 2 && table == "Type" ? " WHERE type_kind != 2" : "";
    expected.push_back(
        {table, SelectList(columns, false),
         Rows(*conn, absl::StrCat("SELECT ", SelectList(columns, true),
                                  " FROM `", table, "`", where))});
  }

  const absl::Status status =
      InitSchema(*conn, Dialect::kSqlite, DowngradeTo(target));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(status.message(),
              HasSubstr(absl::StrCat("Downgrade migration was performed. ",
                                     "Connection to the downgraded database "
                                     "is Cancelled. Now the database is at "
                                     "schema version ",
                                     target, ".")));
  EXPECT_THAT(EnvRows(*conn),
              ElementsAre(target == 0 ? "no MLMDEnv" : absl::StrCat(target)));
  // No table, column or index more or less than MLMD's, none of mlmdx's.
  EXPECT_EQ(Layout(*conn), Layout(*target_layout));
  for (const Expected& entry : expected) {
    SCOPED_TRACE(entry.table);
    EXPECT_EQ(Rows(*conn, absl::StrCat("SELECT ", entry.select_list, " FROM `",
                                       entry.table, "`")),
              entry.rows);
  }
  const absl::Status reopen = InitSchema(*conn, Dialect::kSqlite, {});
  EXPECT_THAT(reopen, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(reopen.message(), HasSubstr(absl::StrCat("database version ",
                                                       target, " is older")));

  // Back to 10: the same values, and mlmdx's track applied afresh.
  const int64_t max_type_id = Int(*conn, "SELECT MAX(id) FROM Type");
  ASSERT_THAT(InitSchema(*conn, Dialect::kSqlite, Upgrade()), IsOk());
  EXPECT_THAT(EnvRows(*conn), ElementsAre("10"));
  EXPECT_EQ(Layout(*conn, /*with_mlmdx=*/false), FixtureLayout(10));
  for (const Expected& entry : expected) {
    SCOPED_TRACE(entry.table);
    const std::string where =
        entry.table == "Type" ? absl::StrCat(" WHERE id <= ", max_type_id) : "";
    const bool renamed = target < 2 && entry.table == "Type";
    EXPECT_EQ(Rows(*conn, absl::StrCat(
                              "SELECT ",
                              renamed ? absl::StrReplaceAll(
                                            entry.select_list,
                                            {{"is_artifact_type", "type_kind"}})
                                      : entry.select_list,
                              " FROM `", entry.table, "`", where)),
              entry.rows);
  }
  EXPECT_THAT(Rows(*conn, "SELECT track, version FROM mlmdx_schema"),
              ElementsAre("'mlmdx' | 1"));
  EXPECT_EQ(Int(*conn,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                "name LIKE 'mlmdx\\_%' ESCAPE '\\'"),
            2);
  conn.reset();

  auto store = OpenStore(path, {});
  ASSERT_NE(store, nullptr);
  ExpectFixtureNodes(*store, target, /*with_struct=*/true);
  // Artifact 2's proto and boolean properties lost their values with the
  // columns below version 10; their rows stay, as MLMD leaves them, and read
  // as MLMD reads a property without a value.
  ml_metadata::GetArtifactsByIDRequest request;
  request.add_artifact_ids(2);
  ml_metadata::GetArtifactsByIDResponse response;
  EXPECT_THAT(store->GetArtifactsByID(request, &response),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(DowngradeEdgeTest, ToVersion10IsANoOpThatStillStops) {
  const std::string path = FixturePath(10, /*with_rows=*/true);
  {
    auto conn = Connect(path);
    ASSERT_THAT(InitSchema(*conn, Dialect::kSqlite, {}), IsOk());
  }
  const std::string original = FileBytes(path);
  {
    auto conn = Connect(path);
    const absl::Status status =
        InitSchema(*conn, Dialect::kSqlite, DowngradeTo(10));
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled));
    EXPECT_THAT(status.message(), HasSubstr("at schema version 10."));
  }
  StoreOptions options;
  options.sqlite.filename_uri = path;
  options.migration = DowngradeTo(10);
  EXPECT_THAT(MetadataStore::Open(options).status(),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(FileBytes(path), original);
}

TEST(DowngradeEdgeTest, FromAnOlderVersionStepsDownFromThere) {
  const std::string path = FixturePath(5, /*with_rows=*/true);
  auto conn = Connect(path);
  EXPECT_THAT(InitSchema(*conn, Dialect::kSqlite, DowngradeTo(2)),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(EnvRows(*conn), ElementsAre("2"));
  EXPECT_EQ(Layout(*conn), FixtureLayout(2));
  EXPECT_THAT(Rows(*conn, "SELECT id, type_id, uri FROM Artifact"),
              ElementsAre("1 | 1 | '/data/1'", "2 | 1 | ''", "3 | 4 | NULL"));
}

TEST(DowngradeEdgeTest, TargetAtOrAboveTheDatabaseChangesNothing) {
  const std::string path = FixturePath(5, /*with_rows=*/true);
  const std::string original = FileBytes(path);
  {
    auto conn = Connect(path);
    const absl::Status status =
        InitSchema(*conn, Dialect::kSqlite, DowngradeTo(7));
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled));
    EXPECT_THAT(status.message(), HasSubstr("at schema version 5."));
  }
  EXPECT_EQ(FileBytes(path), original);
}

TEST(DowngradeEdgeTest, RefusesWhatMlmdRefuses) {
  auto conn = Connect(FixturePath(10, /*with_rows=*/false));
  EXPECT_THAT(InitSchema(*conn, Dialect::kSqlite, DowngradeTo(11)),
              StatusIs(absl::StatusCode::kInvalidArgument));

  SqliteOptions options;
  options.filename_uri = TempDbPath();
  auto empty_conn = SqliteConnection::Open(options);
  ASSERT_THAT(empty_conn.status(), IsOk());
  const absl::Status on_empty =
      InitSchema(**empty_conn, Dialect::kSqlite, DowngradeTo(3));
  EXPECT_THAT(on_empty, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(on_empty.message(), HasSubstr("Empty database"));

  ASSERT_THAT(conn->ExecuteScript("UPDATE MLMDEnv SET schema_version = 11;"),
              IsOk());
  EXPECT_THAT(InitSchema(*conn, Dialect::kSqlite, DowngradeTo(3)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(EnvRows(*conn), ElementsAre("11"));
}

}  // namespace
}  // namespace mlmdx::store
