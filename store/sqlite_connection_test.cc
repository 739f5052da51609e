#include "store/sqlite_connection.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/internal/property_codec.h"
#include "store/schema.h"
#include "tests/test_util.h"
#include "util/status_macros.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::StatusIs;

std::string TempDbPath() {
  char dir[] = "/tmp/mlmdx_conn_test_XXXXXX";
  return std::string(mkdtemp(dir)) + "/db.sqlite";
}

TEST(SqliteConnectionTest, BindsParametersAndReadsRowsBack) {
  auto conn = SqliteConnection::Open({});
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT((*conn)->ExecuteScript("CREATE TABLE t(a INT, b TEXT, c REAL);"),
              IsOk());
  // A value that would break naive SQL quoting reaches the table intact.
  const std::string tricky = "x'); DROP TABLE t; --";
  ASSERT_THAT((*conn)
                  ->Insert("INSERT INTO t VALUES (?, ?, ?)",
                           {SqlValue::Int(7), SqlValue::Text(tricky),
                            SqlValue::Double(0.1234567)})
                  .status(),
              IsOk());
  auto rows = (*conn)->Query("SELECT a, b, c FROM t", {});
  ASSERT_THAT(rows.status(), IsOk());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0].AsInt(), 7);
  EXPECT_EQ(rows->rows[0][1].AsString(), tricky);
  EXPECT_DOUBLE_EQ(rows->rows[0][2].AsDouble(), 0.1234567);
}

// Many distinct statements leave at most the cache's capacity alive on the
// handle (the evicted ones are finalized and their memory freed), and a
// statement evicted and prepared again answers correctly.
TEST(SqliteConnectionTest, StatementCacheIsBoundedAndFreesEvicted) {
  SqliteOptions options;
  options.statement_cache_capacity = 8;
  auto conn = SqliteConnection::Open(options);
  ASSERT_THAT(conn.status(), IsOk());
  int64_t memory_with_full_cache = 0;
  for (int round = 0; round < 3; ++round) {
    for (int shape = 0; shape < 100; ++shape) {
      auto rows = (*conn)->Query(absl::StrCat("SELECT ? + ", shape),
                                 {SqlValue::Int(round * 1000)});
      ASSERT_THAT(rows.status(), IsOk());
      ASSERT_EQ(rows->rows[0][0].AsInt(), round * 1000 + shape);
      EXPECT_LE((*conn)->LiveStatementCount(), 8);
      if (round == 0 && shape == 7) {
        memory_with_full_cache = (*conn)->StatementMemoryBytes();
      }
    }
  }
  EXPECT_EQ((*conn)->LiveStatementCount(), 8);
  EXPECT_GT(memory_with_full_cache, 0);
  // Statements of one shape family are alike, so eight of them hold about
  // what the first eight held, not 300 statements' worth.
  EXPECT_LT((*conn)->StatementMemoryBytes(), 2 * memory_with_full_cache);
}

// A row callback that runs enough other statements to evict the one still
// stepping: the outer statement keeps producing its rows.
TEST(SqliteConnectionTest, StatementEvictedWhileSteppingFinishesItsRows) {
  SqliteOptions options;
  options.statement_cache_capacity = 2;
  auto conn = SqliteConnection::Open(options);
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT((*conn)->ExecuteScript("CREATE TABLE n(v INT);"
                                     "INSERT INTO n VALUES (1), (2), (3);"),
              IsOk());
  std::vector<int64_t> seen;
  ASSERT_THAT((*conn)->QueryEach(
                  "SELECT v FROM n ORDER BY v", {},
                  [&](absl::Span<const SqlValue> row) -> absl::Status {
                    seen.push_back(row[0].AsInt());
                    for (int shape = 0; shape < 4; ++shape) {
                      MLMDX_ASSIGN_OR_RETURN(
                          RecordSet inner,
                          (*conn)->Query(absl::StrCat("SELECT ? * ", shape),
                                         {SqlValue::Int(row[0].AsInt())}));
                      if (inner.rows[0][0].AsInt() != row[0].AsInt() * shape) {
                        return absl::InternalError("wrong inner answer");
                      }
                    }
                    return absl::OkStatus();
                  }),
              IsOk());
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_LE((*conn)->LiveStatementCount(), 2);
}

TEST(SqliteConnectionTest, UniqueViolationIsAlreadyExists) {
  auto conn = SqliteConnection::Open({});
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT((*conn)->ExecuteScript("CREATE TABLE t(a INT UNIQUE);"), IsOk());
  ASSERT_THAT(
      (*conn)->Execute("INSERT INTO t VALUES (?)", {SqlValue::Int(1)}).status(),
      IsOk());
  EXPECT_THAT(
      (*conn)->Execute("INSERT INTO t VALUES (?)", {SqlValue::Int(1)}).status(),
      StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(SqliteConnectionTest, WrongParameterCountIsInternalNotACrash) {
  auto conn = SqliteConnection::Open({});
  ASSERT_THAT(conn.status(), IsOk());
  EXPECT_THAT((*conn)->Query("SELECT ?", {}).status(),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(SqliteConnectionTest, LockHeldByAnotherConnectionIsAborted) {
  SqliteOptions options;
  options.filename_uri = TempDbPath();
  options.busy_timeout_ms = 50;
  auto holder = SqliteConnection::Open(options);
  auto waiter = SqliteConnection::Open(options);
  ASSERT_THAT(holder.status(), IsOk());
  ASSERT_THAT(waiter.status(), IsOk());
  ASSERT_THAT((*holder)->ExecuteScript("CREATE TABLE t(a INT);"), IsOk());
  ASSERT_THAT((*holder)->Begin(TransactionMode::kReadWrite), IsOk());
  EXPECT_THAT((*waiter)->Begin(TransactionMode::kReadWrite),
              StatusIs(absl::StatusCode::kAborted));
  (*holder)->Rollback();
  EXPECT_THAT((*waiter)->Begin(TransactionMode::kReadWrite), IsOk());
  (*waiter)->Rollback();
}

TEST(SqliteConnectionTest, RollbackDiscardsEverything) {
  auto conn = SqliteConnection::Open({});
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT((*conn)->ExecuteScript("CREATE TABLE t(a INT);"), IsOk());
  ASSERT_THAT((*conn)->Begin(TransactionMode::kReadWrite), IsOk());
  ASSERT_THAT((*conn)->Execute("INSERT INTO t VALUES (1)", {}).status(),
              IsOk());
  (*conn)->Rollback();
  auto rows = (*conn)->Query("SELECT COUNT(*) FROM t", {});
  ASSERT_THAT(rows.status(), IsOk());
  EXPECT_EQ(rows->rows[0][0].AsInt(), 0);
}

TEST(SchemaTest, InitIsIdempotentAndSeedsSimpleTypesOnce) {
  SqliteOptions options;
  options.filename_uri = TempDbPath();
  auto conn = SqliteConnection::Open(options);
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT(InitSchema(**conn, Dialect::kSqlite, {}), IsOk());
  ASSERT_THAT(InitSchema(**conn, Dialect::kSqlite, {}), IsOk());
  auto rows = (*conn)->Query("SELECT COUNT(*), MAX(id) FROM Type", {});
  ASSERT_THAT(rows.status(), IsOk());
  EXPECT_EQ(rows->rows[0][0].AsInt(), 9);
  EXPECT_EQ(rows->rows[0][1].AsInt(), 9);
  ASSERT_THAT((*conn)->Begin(TransactionMode::kReadOnly), IsOk());
  auto version = ReadSchemaVersion(**conn);
  (*conn)->Rollback();
  ASSERT_THAT(version.status(), IsOk());
  EXPECT_EQ(*version, 10);
}

TEST(SchemaTest, MlmdxTrackAddsOnlyMlmdxObjectsAndReopenWritesNothing) {
  SqliteOptions options;
  options.filename_uri = TempDbPath();
  auto conn = SqliteConnection::Open(options);
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT(InitSchema(**conn, Dialect::kSqlite, {}), IsOk());
  auto track = (*conn)->Query(
      "SELECT track, version FROM mlmdx_schema ORDER BY track", {});
  ASSERT_THAT(track.status(), IsOk());
  ASSERT_EQ(track->rows.size(), 1u);
  EXPECT_EQ(track->rows[0][0].AsString(), "mlmdx");
  EXPECT_EQ(track->rows[0][1].AsInt(), 1);
  // MLMDEnv still holds MLMD's version only.
  auto env = (*conn)->Query("SELECT schema_version FROM MLMDEnv", {});
  ASSERT_THAT(env.status(), IsOk());
  ASSERT_EQ(env->rows.size(), 1u);
  EXPECT_EQ(env->rows[0][0].AsInt(), 10);
  auto added = (*conn)->Query(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE "
      "'mlmdx\\_%' ESCAPE '\\' ORDER BY name",
      {});
  ASSERT_THAT(added.status(), IsOk());
  std::vector<std::string> names;
  for (const auto& row : added->rows) names.push_back(row[0].AsString());
  EXPECT_THAT(names,
              ::testing::ElementsAre("mlmdx_idx_association_execution_id",
                                     "mlmdx_idx_attribution_artifact_id"));

  // A second open changes no row and no schema object.
  auto before = (*conn)->Query(
      "SELECT type, name, sql FROM sqlite_master ORDER BY type, name", {});
  auto changes = (*conn)->Query("SELECT total_changes()", {});
  ASSERT_THAT(InitSchema(**conn, Dialect::kSqlite, {}), IsOk());
  auto after = (*conn)->Query(
      "SELECT type, name, sql FROM sqlite_master ORDER BY type, name", {});
  auto changes_after = (*conn)->Query("SELECT total_changes()", {});
  ASSERT_THAT(before.status(), IsOk());
  ASSERT_THAT(after.status(), IsOk());
  ASSERT_EQ(before->rows.size(), after->rows.size());
  for (size_t i = 0; i < before->rows.size(); ++i) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(before->rows[i][c].AsString(), after->rows[i][c].AsString());
    }
  }
  EXPECT_EQ(changes->rows[0][0].AsInt(), changes_after->rows[0][0].AsInt());
}

TEST(SchemaTest, MlmdxTrackIsAppliedToAnExistingMlmdDatabase) {
  SqliteOptions options;
  options.filename_uri = TempDbPath();
  auto conn = SqliteConnection::Open(options);
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT(InitSchema(**conn, Dialect::kSqlite, {}), IsOk());
  // What MLMD itself leaves behind: no mlmdx objects at all.
  ASSERT_THAT(
      (*conn)->ExecuteScript("DROP INDEX mlmdx_idx_attribution_artifact_id;"
                             "DROP INDEX mlmdx_idx_association_execution_id;"
                             "DROP TABLE mlmdx_schema;"),
      IsOk());
  ASSERT_THAT(InitSchema(**conn, Dialect::kSqlite, {}), IsOk());
  auto count = (*conn)->Query(
      "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'mlmdx\\_%' "
      "ESCAPE '\\'",
      {});
  ASSERT_THAT(count.status(), IsOk());
  EXPECT_EQ(count->rows[0][0].AsInt(), 3);  // 2 indexes and mlmdx_schema
}

TEST(SchemaTest, OlderSchemaNeedsUpgradeFlag) {
  SqliteOptions options;
  options.filename_uri = TempDbPath();
  auto conn = SqliteConnection::Open(options);
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT(InitSchema(**conn, Dialect::kSqlite, {}), IsOk());
  ASSERT_THAT((*conn)->ExecuteScript("UPDATE MLMDEnv SET schema_version = 8;"),
              IsOk());
  EXPECT_THAT(InitSchema(**conn, Dialect::kSqlite, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // Upgrades themselves: store/schema_upgrade_test.cc.
}

TEST(SchemaTest, PartialSchemaIsAbortedAndTwoVersionRowsAreDataLoss) {
  SqliteOptions options;
  options.filename_uri = TempDbPath();
  auto conn = SqliteConnection::Open(options);
  ASSERT_THAT(conn.status(), IsOk());
  ASSERT_THAT((*conn)->ExecuteScript(
                  "CREATE TABLE Artifact(id INTEGER PRIMARY KEY, type_id INT, "
                  "uri TEXT, state INT, name TEXT, external_id TEXT, "
                  "create_time_since_epoch INT, "
                  "last_update_time_since_epoch INT);"),
              IsOk());
  EXPECT_THAT(InitSchema(**conn, Dialect::kSqlite, {}),
              StatusIs(absl::StatusCode::kAborted));

  auto other = SqliteConnection::Open({});
  ASSERT_THAT(other.status(), IsOk());
  ASSERT_THAT(InitSchema(**other, Dialect::kSqlite, {}), IsOk());
  ASSERT_THAT((*other)->ExecuteScript("INSERT INTO MLMDEnv VALUES (11);"),
              IsOk());
  EXPECT_THAT(InitSchema(**other, Dialect::kSqlite, {}),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(PropertyCodecTest, UsesMlmdEncodings) {
  ml_metadata::Value value;
  (*value.mutable_struct_value()->mutable_fields())["k"].set_number_value(1);
  auto columns = internal::EncodeValue(value, Dialect::kSqlite);
  ASSERT_THAT(columns.status(), IsOk());
  EXPECT_EQ((*columns)[2].AsString().rfind("mlmd-struct::", 0), 0u);
  for (int i : {0, 1, 3, 4}) EXPECT_TRUE((*columns)[i].is_null());
  auto decoded =
      internal::DecodeValue(Dialect::kSqlite, (*columns)[0], (*columns)[1],
                            (*columns)[2], (*columns)[3], (*columns)[4]);
  ASSERT_THAT(decoded.status(), IsOk());
  EXPECT_TRUE(internal::SameValue(*decoded, value));

  ml_metadata::Value empty;
  EXPECT_THAT(internal::EncodeValue(empty, Dialect::kSqlite).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A corrupt struct string is reported, not crashed on.
  EXPECT_THAT(internal::DecodeValue(Dialect::kSqlite, SqlValue(), SqlValue(),
                                    SqlValue::Text("mlmd-struct::!!notb64"),
                                    SqlValue(), SqlValue())
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mlmdx::store
