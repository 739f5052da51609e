// MLMD's schema on PostgreSQL (migrations/postgresql/): created as MLMD lays
// it out, opened again unchanged, accepted when MLMD created it (and its
// 32-bit int_value widened by mlmdx's track), refused when newer. Against a
// throwaway cluster (tests/postgres_test.h).

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "migrations/migrations.h"
#include "store/postgres_connection.h"
#include "store/schema.h"
#include "tests/postgres_test.h"
#include "tests/test_util.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::StatusIs;

class PostgresSchemaTest : public ::mlmdx::testing::PostgresClusterTest {
 protected:
  // A connection to a new, empty database for this test.
  void SetUp() override {
    PostgresClusterTest::SetUp();
    if (HasFatalFailure()) return;
    const std::string db = absl::AsciiStrToLower(absl::StrCat(
        "db_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    auto admin = Open("postgres");
    ASSERT_NE(admin, nullptr);
    ASSERT_THAT(admin->ExecuteScript(absl::StrCat("CREATE DATABASE ", db)),
                IsOk());
    conn_ = Open(db);
    ASSERT_NE(conn_, nullptr);
  }

  std::unique_ptr<PostgresConnection> Open(const std::string& db) {
    PostgresOptions options;
    options.conninfo = cluster().ConnInfo(db);
    auto conn = PostgresConnection::Open(options);
    EXPECT_THAT(conn.status(), IsOk());
    return conn.ok() ? std::move(*conn) : nullptr;
  }

  int64_t Int(const std::string& sql) {
    auto rows = conn_->Query(sql, {});
    EXPECT_THAT(rows.status(), IsOk()) << sql;
    if (!rows.ok() || rows->rows.empty()) return -1;
    return rows->rows[0][0].AsInt();
  }

  std::string IntValueType() {
    auto rows = conn_->Query(
        "SELECT data_type FROM information_schema.columns WHERE "
        "table_name = 'artifactproperty' AND column_name = 'int_value'",
        {});
    return rows.ok() && !rows->rows.empty() ? rows->rows[0][0].AsString() : "";
  }

  std::unique_ptr<PostgresConnection> conn_;
};

TEST_F(PostgresSchemaTest, CreatesMlmdsLayoutAndReopensUnchanged) {
  ASSERT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}), IsOk());
  EXPECT_EQ(Int("SELECT schema_version FROM MLMDEnv"), 10);
  for (const char* table :
       {"Type", "ParentType", "TypeProperty", "Artifact", "ArtifactProperty",
        "Execution", "ExecutionProperty", "Context", "ContextProperty",
        "ParentContext", "Event", "EventPath", "Association", "Attribution",
        "MLMDEnv"}) {
    auto exists = conn_->TableExists(table);
    ASSERT_THAT(exists.status(), IsOk());
    EXPECT_TRUE(*exists) << table;
  }
  // MLMD's tables are unquoted, hence lower case, as MLMD makes them.
  EXPECT_EQ(Int("SELECT count(*) FROM pg_tables WHERE schemaname = "
                "current_schema() AND tablename = 'artifactproperty'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM pg_indexes WHERE schemaname = "
                "current_schema() AND indexname LIKE 'idx\\_%'"),
            24);
  EXPECT_EQ(Int("SELECT count(*) FROM Type"), 9);  // The simple types.
  EXPECT_EQ(Int("SELECT count(*) FROM Type WHERE name = 'mlmd.Dataset' AND "
                "type_kind = 1 AND version IS NULL"),
            1);
  EXPECT_EQ(IntValueType(), "bigint");
  EXPECT_EQ(Int("SELECT version FROM mlmdx_schema WHERE track = 'mlmdx'"), 4);

  // Opened again: accepted, nothing added.
  ASSERT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}), IsOk());
  EXPECT_EQ(Int("SELECT count(*) FROM Type"), 9);
  EXPECT_EQ(Int("SELECT count(*) FROM MLMDEnv"), 1);
  ASSERT_THAT(CheckSchemaReadOnly(*conn_), IsOk());
  conn_->Rollback();
}

TEST_F(PostgresSchemaTest, ServesAnMlmdDatabaseAndWidensItsIntValues) {
  // MLMD's own layout: the same DDL with 32-bit int_value columns, and a
  // row of MLMD's.
  std::string script;
  for (const auto& file : migrations::AllSqlFiles()) {
    if (file.name == "postgresql/0010_mlmd_schema.up.sql") {
      script = absl::StrReplaceAll(file.sql,
                                   {{"int_value BIGINT", "int_value INT"}});
    }
  }
  ASSERT_FALSE(script.empty());
  ASSERT_THAT(conn_->ExecuteScript(script), IsOk());
  ASSERT_EQ(IntValueType(), "integer");
  ASSERT_THAT(conn_->ExecuteScript(
                  "INSERT INTO ArtifactProperty (artifact_id, name, "
                  "is_custom_property, int_value) VALUES (1, 'n', TRUE, 5)"),
              IsOk());

  ASSERT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}), IsOk());
  EXPECT_EQ(IntValueType(), "bigint");
  EXPECT_EQ(Int("SELECT int_value FROM ArtifactProperty"), 5);
  EXPECT_EQ(Int("SELECT count(*) FROM Type"), 9);
  auto wide = conn_->Execute("UPDATE ArtifactProperty SET int_value = ?",
                             {SqlValue::Int(int64_t{1} << 40)});
  ASSERT_THAT(wide.status(), IsOk());
  EXPECT_EQ(Int("SELECT int_value FROM ArtifactProperty"), int64_t{1} << 40);
}

// Some of MLMD's tables, one of them lacking a column: another client is
// creating the schema. ABORTED (retry), as on SQLite, even though
// PostgreSQL aborts a transaction at its first failed statement.
TEST_F(PostgresSchemaTest, PartialSchemaIsAborted) {
  ASSERT_THAT(conn_->ExecuteScript(
                  "CREATE TABLE MLMDEnv (schema_version INT PRIMARY KEY); "
                  "INSERT INTO MLMDEnv VALUES (10); "
                  "CREATE TABLE Type (id SERIAL PRIMARY KEY, name TEXT); "
                  "CREATE TABLE ParentType (type_id INT, parent_type_id INT)"),
              IsOk());
  EXPECT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}),
              StatusIs(absl::StatusCode::kAborted));
  // Nothing was created.
  auto exists = conn_->TableExists("Artifact");
  ASSERT_THAT(exists.status(), IsOk());
  EXPECT_FALSE(*exists);
}

TEST_F(PostgresSchemaTest, NewerSchemaIsRefused) {
  ASSERT_THAT(conn_->ExecuteScript("CREATE TABLE MLMDEnv (schema_version INT "
                                   "PRIMARY KEY); INSERT INTO MLMDEnv "
                                   "VALUES (11)"),
              IsOk());
  EXPECT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CheckSchemaReadOnly(*conn_),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// MLMD supports PostgreSQL from schema version 10 on: there is no older
// PostgreSQL schema to upgrade from.
TEST_F(PostgresSchemaTest, OlderVersionIsNotUpgraded) {
  ASSERT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}), IsOk());
  ASSERT_THAT(conn_->ExecuteScript("UPDATE MLMDEnv SET schema_version = 9"),
              IsOk());
  EXPECT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  MigrationOptions upgrade;
  upgrade.enable_upgrade = true;
  const absl::Status upgraded = InitSchema(*conn_, Dialect::kPostgres, upgrade);
  EXPECT_THAT(upgraded, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(upgraded.message(), ::testing::HasSubstr("PostgreSQL"));
  EXPECT_EQ(Int("SELECT schema_version FROM MLMDEnv"), 9);
}

// ... nor to downgrade to. Downgrading to 10 is the no-op that still stops,
// as on SQLite.
TEST_F(PostgresSchemaTest, DowngradeBelowVersion10IsRefused) {
  ASSERT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}), IsOk());
  MigrationOptions downgrade;
  downgrade.downgrade_to_schema_version = 9;
  EXPECT_THAT(InitSchema(*conn_, Dialect::kPostgres, downgrade),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Int("SELECT schema_version FROM MLMDEnv"), 10);
  downgrade.downgrade_to_schema_version = 10;
  EXPECT_THAT(InitSchema(*conn_, Dialect::kPostgres, downgrade),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(InitSchema(*conn_, Dialect::kPostgres, {}), IsOk());
}

}  // namespace
}  // namespace mlmdx::store
