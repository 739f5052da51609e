// PostgresConnection against a real PostgreSQL server: a throwaway cluster
// (tests/postgres_test.h) started for this suite and stopped after it.

#include "store/postgres_connection.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/postgres_test.h"
#include "tests/test_util.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::StatusIs;
using ::testing::HasSubstr;

TEST(NumberPlaceholdersTest, NumbersOnlyPlaceholdersOutsideQuotes) {
  EXPECT_EQ(PostgresConnection::NumberPlaceholders(
                "SELECT ? , '?' , \"a?\" , 'it''s ?' , ?"),
            "SELECT $1 , '?' , \"a?\" , 'it''s ?' , $2");
  EXPECT_EQ(PostgresConnection::NumberPlaceholders("SELECT 1"), "SELECT 1");
}

class PostgresConnectionTest : public ::mlmdx::testing::PostgresClusterTest {
 protected:
  void SetUp() override {
    PostgresClusterTest::SetUp();
    if (HasFatalFailure()) return;
    conn_ = Connect();
    ASSERT_NE(conn_, nullptr);
    // Each test gets its own schema, so tests never see each other's
    // tables.
    schema_ = absl::StrCat(
        "t_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_THAT(
        conn_->ExecuteScript(absl::StrCat("DROP SCHEMA IF EXISTS ", schema_,
                                          " CASCADE; CREATE SCHEMA ", schema_,
                                          "; SET search_path TO ", schema_)),
        IsOk());
  }

  std::unique_ptr<PostgresConnection> Connect(size_t statement_cache = 256) {
    PostgresOptions options;
    options.statement_cache_capacity = statement_cache;
    options.conninfo = cluster().ConnInfo("postgres");
    auto conn = PostgresConnection::Open(options);
    EXPECT_THAT(conn.status(), IsOk());
    if (!conn.ok()) return nullptr;
    if (!schema_.empty()) {
      EXPECT_THAT(
          (*conn)->ExecuteScript(absl::StrCat("SET search_path TO ", schema_)),
          IsOk());
    }
    return std::move(*conn);
  }

  std::unique_ptr<PostgresConnection> conn_;
  std::string schema_;
};

// The server's own count of this session's prepared statements.
int64_t ServerPreparedStatements(PostgresConnection& conn) {
  auto rows = conn.Query("SELECT count(*) FROM pg_prepared_statements", {});
  EXPECT_THAT(rows.status(), IsOk());
  return rows.ok() ? (*rows).rows[0][0].AsInt() : -1;
}

// Many distinct statements leave at most the cache's capacity prepared on
// the server (the evicted ones are DEALLOCATEd), and a statement evicted
// and prepared again answers correctly, also inside a transaction and with
// deferred statements in the same pipeline.
TEST_F(PostgresConnectionTest, StatementCacheIsBoundedOnTheServer) {
  auto conn = Connect(/*statement_cache=*/8);
  ASSERT_NE(conn, nullptr);
  ASSERT_THAT(conn->ExecuteScript("CREATE TABLE c (v BIGINT)"), IsOk());
  for (int shape = 0; shape < 200; ++shape) {
    auto rows =
        conn->Query(absl::StrCat("SELECT ? + ", shape), {SqlValue::Int(1000)});
    ASSERT_THAT(rows.status(), IsOk());
    ASSERT_EQ(rows->rows[0][0].AsInt(), 1000 + shape);
  }
  EXPECT_LE(conn->CachedStatementCount(), 8u);
  // The count query is one more statement; the DEALLOCATEs went with it.
  EXPECT_LE(ServerPreparedStatements(*conn), 8);
  ASSERT_THAT(conn->Begin(TransactionMode::kReadWrite), IsOk());
  for (int round = 0; round < 3; ++round) {
    for (int shape = 0; shape < 20; ++shape) {
      ASSERT_THAT(conn->ExecuteDeferred(
                      absl::StrCat("INSERT INTO c VALUES (? + ", shape, ")"),
                      {SqlValue::Int(round * 100)}),
                  IsOk());
      auto rows = conn->Query(absl::StrCat("SELECT ? * ", shape),
                              {SqlValue::Int(round + 1)});
      ASSERT_THAT(rows.status(), IsOk());
      ASSERT_EQ(rows->rows[0][0].AsInt(), (round + 1) * shape);
    }
  }
  ASSERT_THAT(conn->Commit(), IsOk());
  EXPECT_THAT(conn->FirstDeferredError(), IsOk());
  auto sum = conn->Query("SELECT count(*), sum(v) FROM c", {});
  ASSERT_THAT(sum.status(), IsOk());
  EXPECT_EQ(sum->rows[0][0].AsInt(), 60);
  // Sum over rounds r and shapes s of 100 r + s.
  EXPECT_EQ(sum->rows[0][1].AsInt(), 20 * 100 * (0 + 1 + 2) + 3 * 190);
  EXPECT_LE(ServerPreparedStatements(*conn), 8);
}

TEST_F(PostgresConnectionTest, BindsParametersAndReadsRowsBack) {
  ASSERT_THAT(
      conn_->ExecuteScript("CREATE TABLE t (id SERIAL PRIMARY KEY, i BIGINT, "
                           "d DOUBLE PRECISION, s TEXT, b BYTEA, f BOOLEAN)"),
      IsOk());
  const std::string evil = "'; DROP TABLE t; -- ? \"x\"";
  const std::string bytes("\0\x01\xff?", 4);
  auto id = conn_->Insert(
      "INSERT INTO t (i, d, s, b, f) VALUES (?, ?, ?, ?, ?)",
      {SqlValue::Int(int64_t{1} << 40), SqlValue::Double(0.1 + 0.2),
       SqlValue::Text(evil), SqlValue::Blob(bytes), SqlValue::Bool(true)});
  ASSERT_THAT(id.status(), IsOk());
  EXPECT_EQ(*id, 1);
  auto second =
      conn_->Insert("INSERT INTO t (i) VALUES (?)", {SqlValue::Null()});
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(*second, 2);

  auto rows = conn_->Query("SELECT i, d, s, b, f FROM t WHERE id = ? OR s = ?",
                           {SqlValue::Int(1), SqlValue::Text("none")});
  ASSERT_THAT(rows.status(), IsOk());
  ASSERT_EQ(rows->rows.size(), 1u);
  const auto& row = rows->rows[0];
  EXPECT_EQ(row[0].kind(), SqlValue::Kind::kInt);
  EXPECT_EQ(row[0].AsInt(), int64_t{1} << 40);
  EXPECT_EQ(row[1].kind(), SqlValue::Kind::kDouble);
  EXPECT_EQ(row[1].AsDouble(), 0.1 + 0.2);  // Full precision.
  EXPECT_EQ(row[2].AsString(), evil);
  EXPECT_EQ(row[3].kind(), SqlValue::Kind::kBlob);
  EXPECT_EQ(row[3].AsString(), bytes);
  EXPECT_EQ(row[4].AsInt(), 1);

  rows = conn_->Query("SELECT i FROM t WHERE id = ?", {SqlValue::Int(2)});
  ASSERT_THAT(rows.status(), IsOk());
  EXPECT_TRUE(rows->rows[0][0].is_null());
  auto changed = conn_->Execute("UPDATE t SET i = ? WHERE id > ?",
                                {SqlValue::Int(7), SqlValue::Int(0)});
  ASSERT_THAT(changed.status(), IsOk());
  EXPECT_EQ(*changed, 2);
  auto exists = conn_->TableExists("T");
  ASSERT_THAT(exists.status(), IsOk());
  EXPECT_TRUE(*exists);
  exists = conn_->TableExists("missing");
  ASSERT_THAT(exists.status(), IsOk());
  EXPECT_FALSE(*exists);
}

TEST_F(PostgresConnectionTest,
       UniqueViolationIsAlreadyExistsAndAbortsTheTransaction) {
  ASSERT_THAT(conn_->ExecuteScript("CREATE TABLE u (name TEXT UNIQUE)"),
              IsOk());
  ASSERT_THAT(conn_->Begin(TransactionMode::kReadWrite), IsOk());
  ASSERT_THAT(conn_->Execute("INSERT INTO u VALUES (?)", {SqlValue::Text("a")})
                  .status(),
              IsOk());
  EXPECT_THAT(conn_->Execute("INSERT INTO u VALUES (?)", {SqlValue::Text("a")})
                  .status(),
              StatusIs(absl::StatusCode::kAlreadyExists));
  // PostgreSQL ends a failed transaction with ROLLBACK: nothing committed.
  EXPECT_THAT(conn_->Commit(), StatusIs(absl::StatusCode::kAborted));
  auto rows = conn_->Query("SELECT count(*) FROM u", {});
  ASSERT_THAT(rows.status(), IsOk());
  EXPECT_EQ(rows->rows[0][0].AsInt(), 0);
}

TEST_F(PostgresConnectionTest, ReadTransactionSeesOneSnapshot) {
  ASSERT_THAT(conn_->ExecuteScript("CREATE TABLE s (x INT)"), IsOk());
  auto other = Connect();
  ASSERT_THAT(conn_->Begin(TransactionMode::kReadOnly), IsOk());
  auto count = [&] {
    auto rows = conn_->Query("SELECT count(*) FROM s", {});
    return rows.ok() ? rows->rows[0][0].AsInt() : -1;
  };
  EXPECT_EQ(count(), 0);
  ASSERT_THAT(other->ExecuteScript("INSERT INTO s VALUES (1)"), IsOk());
  EXPECT_EQ(count(), 0);
  // A read-only transaction refuses writes.
  EXPECT_FALSE(
      conn_->Execute("INSERT INTO s VALUES (?)", {SqlValue::Int(2)}).ok());
  conn_->Rollback();
  EXPECT_EQ(count(), 1);
}

// A read-only session refuses writes even in a read-write transaction,
// and DDL outside of one; it still reads.
TEST_F(PostgresConnectionTest, ReadOnlySessionRefusesEveryWrite) {
  ASSERT_THAT(conn_->ExecuteScript("CREATE TABLE r (x INT); "
                                   "INSERT INTO r VALUES (1)"),
              IsOk());
  PostgresOptions options;
  options.conninfo = cluster().ConnInfo("postgres");
  options.read_only = true;
  auto reader = PostgresConnection::Open(options);
  ASSERT_THAT(reader.status(), IsOk());
  PostgresConnection& conn = **reader;
  ASSERT_THAT(conn.ExecuteScript(absl::StrCat("SET search_path TO ", schema_)),
              IsOk());
  ASSERT_THAT(conn.Begin(TransactionMode::kReadWrite), IsOk());
  const absl::Status insert =
      conn.Execute("INSERT INTO r VALUES (?)", {SqlValue::Int(2)}).status();
  EXPECT_THAT(insert.message(), HasSubstr("read-only transaction"));
  conn.Rollback();
  EXPECT_FALSE(conn.ExecuteScript("CREATE TABLE r2 (x INT)").ok());
  auto rows = conn.Query("SELECT count(*) FROM r", {});
  ASSERT_THAT(rows.status(), IsOk());
  EXPECT_EQ(rows->rows[0][0].AsInt(), 1);
}

TEST_F(PostgresConnectionTest, DeadlockIsAborted) {
  ASSERT_THAT(
      conn_->ExecuteScript("CREATE TABLE d (id INT PRIMARY KEY, v INT); "
                           "INSERT INTO d VALUES (1, 0), (2, 0)"),
      IsOk());
  auto other = Connect();
  ASSERT_THAT(conn_->Begin(TransactionMode::kReadWrite), IsOk());
  ASSERT_THAT(other->Begin(TransactionMode::kReadWrite), IsOk());
  const char* kUpdate = "UPDATE d SET v = v + 1 WHERE id = ?";
  ASSERT_THAT(conn_->Execute(kUpdate, {SqlValue::Int(1)}).status(), IsOk());
  ASSERT_THAT(other->Execute(kUpdate, {SqlValue::Int(2)}).status(), IsOk());
  // Each now waits for the other's row; PostgreSQL breaks the cycle by
  // failing one of them with 40P01.
  absl::Status first;
  std::thread waiter(
      [&] { first = conn_->Execute(kUpdate, {SqlValue::Int(2)}).status(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const absl::Status second =
      other->Execute(kUpdate, {SqlValue::Int(1)}).status();
  if (!second.ok()) other->Rollback();
  waiter.join();
  EXPECT_NE(first.ok(), second.ok());
  const absl::Status& failed = first.ok() ? second : first;
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(std::string(failed.message()), HasSubstr("40P01"));
}

TEST_F(PostgresConnectionTest, IntegersAreBigintsAndTextWithNulIsRefused) {
  ASSERT_THAT(conn_->ExecuteScript("CREATE TABLE n (id SERIAL PRIMARY KEY, "
                                   "s TEXT, v VARCHAR(4))"),
              IsOk());
  ASSERT_THAT(
      conn_->Insert("INSERT INTO n (s) VALUES (?)", {SqlValue::Text("x")})
          .status(),
      IsOk());
  // An INT column compared with an id past 2^31 matches nothing, where an
  // untyped parameter would fail to parse as an INT.
  auto rows = conn_->Query("SELECT id FROM n WHERE id IN (?, ?)",
                           {SqlValue::Int(int64_t{1} << 40), SqlValue::Int(1)});
  ASSERT_THAT(rows.status(), IsOk());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0].AsInt(), 1);
  // libpq sends text NUL-terminated: refused rather than cut short.
  EXPECT_THAT(conn_
                  ->Insert("INSERT INTO n (s) VALUES (?)",
                           {SqlValue::Text(std::string("a\0b", 3))})
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Too long for the column: the request's fault.
  EXPECT_THAT(
      conn_->Insert("INSERT INTO n (v) VALUES (?)", {SqlValue::Text("toolong")})
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(conn_->Query("SELECT count(*) FROM n", {})->rows[0][0].AsInt(),
              1);
}

// Deferred statements wait for the next statement whose answer is awaited
// and share its round trip; their rows reach their callbacks, in order,
// and a later statement of the transaction sees their effect.
TEST_F(PostgresConnectionTest, DeferredStatementsShareTheNextRoundTrip) {
  ASSERT_THAT(conn_->ExecuteScript("CREATE TABLE d (id BIGSERIAL PRIMARY KEY, "
                                   "v TEXT)"),
              IsOk());
  ASSERT_THAT(conn_->Begin(TransactionMode::kReadWrite), IsOk());
  std::vector<int64_t> ids;
  const auto collect = [&ids](const RecordSet& rows) {
    for (const auto& row : rows.rows) ids.push_back(row[0].AsInt());
  };
  // Prepared once, so that the count below holds only runs.
  ASSERT_THAT(conn_->Query("SELECT count(*) FROM d", {}).status(), IsOk());
  ASSERT_THAT(conn_->ExecuteDeferred("INSERT INTO d(v) VALUES (?) RETURNING id",
                                     {SqlValue::Text("a")}, collect),
              IsOk());
  const int64_t before = PostgresConnection::RoundTrips();
  ASSERT_THAT(conn_->ExecuteDeferred("INSERT INTO d(v) VALUES (?) RETURNING id",
                                     {SqlValue::Text("b")}, collect),
              IsOk());
  ASSERT_THAT(
      conn_->ExecuteDeferred("UPDATE d SET v = v || ? WHERE v = ?",
                             {SqlValue::Text("!"), SqlValue::Text("a")}),
      IsOk());
  EXPECT_TRUE(ids.empty()) << "a deferred statement was answered at once";
  auto rows = conn_->Query("SELECT v FROM d ORDER BY id", {});
  ASSERT_THAT(rows.status(), IsOk());
  EXPECT_EQ(PostgresConnection::RoundTrips() - before, 1);
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->rows[0][0].AsString(), "a!");
  EXPECT_EQ(rows->rows[1][0].AsString(), "b");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_LT(ids[0], ids[1]);
  ASSERT_THAT(conn_->Commit(), IsOk());
  EXPECT_THAT(conn_->FirstDeferredError(), IsOk());
}

// A deferred statement that fails: the next awaited call returns its
// error, as mapped, and the transaction keeps it as its first error; the
// statements after it did not run, and after a rollback the connection
// works as before.
TEST_F(PostgresConnectionTest, DeferredErrorComesBackMappedFromTheNextCall) {
  ASSERT_THAT(conn_->ExecuteScript("CREATE TABLE u (k TEXT PRIMARY KEY)"),
              IsOk());
  ASSERT_THAT(conn_->ExecuteScript("INSERT INTO u VALUES ('taken')"), IsOk());
  ASSERT_THAT(conn_->Begin(TransactionMode::kReadWrite), IsOk());
  bool called = false;
  ASSERT_THAT(
      conn_->ExecuteDeferred(
          "INSERT INTO u VALUES (?)", {SqlValue::Text("taken")},
          [&called](const RecordSet&) { called = true; },
          [](absl::Status status) {
            return absl::IsAlreadyExists(status)
                       ? absl::AlreadyExistsError("key 'taken' is taken")
                       : status;
          }),
      IsOk());
  ASSERT_THAT(conn_->ExecuteDeferred("INSERT INTO u VALUES (?)",
                                     {SqlValue::Text("after")}),
              IsOk());
  auto rows = conn_->Query("SELECT k FROM u", {});
  EXPECT_THAT(rows.status(), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(std::string(rows.status().message()),
              HasSubstr("key 'taken' is taken"));
  EXPECT_FALSE(called);
  EXPECT_THAT(conn_->FirstDeferredError(),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(std::string(conn_->FirstDeferredError().message()),
              HasSubstr("key 'taken' is taken"));
  conn_->Rollback();
  ASSERT_THAT(conn_->Begin(TransactionMode::kReadOnly), IsOk());
  EXPECT_THAT(conn_->FirstDeferredError(), IsOk());
  rows = conn_->Query("SELECT k FROM u ORDER BY k", {});
  ASSERT_THAT(rows.status(), IsOk());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0].AsString(), "taken");
  ASSERT_THAT(conn_->Commit(), IsOk());
}

// A deferred statement that the server refuses to prepare is not taken
// for prepared: the same SQL later is prepared again and fails for its own
// reason, not as an unknown statement.
TEST_F(PostgresConnectionTest, FailedPreparationIsForgotten) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    ASSERT_THAT(conn_->Begin(TransactionMode::kReadWrite), IsOk());
    ASSERT_THAT(conn_->ExecuteDeferred("INSERT INTO no_such_table VALUES (?)",
                                       {SqlValue::Int(1)}),
                IsOk());
    const absl::Status committed = conn_->Commit();
    EXPECT_THAT(committed, StatusIs(absl::StatusCode::kInternal));
    EXPECT_THAT(std::string(committed.message()),
                HasSubstr("\"no_such_table\" does not exist"))
        << "attempt " << attempt;
    conn_->Rollback();
  }
  ASSERT_THAT(conn_->Begin(TransactionMode::kReadOnly), IsOk());
  EXPECT_THAT(conn_->Query("SELECT 1", {}).status(), IsOk());
  ASSERT_THAT(conn_->Commit(), IsOk());
}

TEST_F(PostgresConnectionTest, LostConnectionIsUnavailable) {
  auto victim = Connect();
  auto pid = victim->Query("SELECT pg_backend_pid()", {});
  ASSERT_THAT(pid.status(), IsOk());
  ASSERT_THAT(conn_
                  ->Query("SELECT pg_terminate_backend(CAST(? AS INTEGER))",
                          {SqlValue::Int(pid->rows[0][0].AsInt())})
                  .status(),
              IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_THAT(victim->Query("SELECT 1", {}).status(),
              StatusIs(absl::StatusCode::kUnavailable));
}

// PostgreSQL crashes while a write transaction is open, and the client
// then commits: the connection is gone, the server restarted without the
// transaction (its id may even lie past the ids the restarted server hands
// out, when no WAL of it reached the disk), and COMMIT must answer at once
// that it did not commit: UNAVAILABLE, not UNKNOWN after the timeout.
TEST_F(PostgresConnectionTest, CommitCutByACrashDidNotCommit) {
  // Written out at its COMMIT, so that the table outlives the crash (the
  // test cluster does not wait for the WAL otherwise).
  ASSERT_THAT(conn_->ExecuteScript("SET synchronous_commit = on; "
                                   "CREATE TABLE t (x INTEGER)"),
              IsOk());
  PostgresOptions options;
  options.conninfo = cluster().ConnInfo("postgres");
  options.commit_outcome_timeout_ms = 60000;
  auto victim = PostgresConnection::Open(options);
  ASSERT_THAT(victim.status(), IsOk());
  ASSERT_THAT(
      (*victim)->ExecuteScript(absl::StrCat("SET search_path TO ", schema_)),
      IsOk());
  ASSERT_THAT((*victim)->Begin(TransactionMode::kReadWrite), IsOk());
  ASSERT_THAT((*victim)->Execute("INSERT INTO t VALUES (1)", {}).status(),
              IsOk());
  ASSERT_THAT(cluster().CrashAndRestart(), IsOk());
  // UNKNOWN would come only after the 60 s given to learn the outcome.
  EXPECT_THAT((*victim)->Commit(), StatusIs(absl::StatusCode::kUnavailable));
  auto check = Connect();
  ASSERT_NE(check, nullptr);
  absl::StatusOr<RecordSet> rows = check->Query("SELECT count(*) FROM t", {});
  ASSERT_THAT(rows.status(), IsOk());
  EXPECT_EQ(rows->rows[0][0].AsInt(), 0);
}

TEST(PostgresConnectionOpenTest, UnreachableServerIsUnavailable) {
  PostgresOptions options;
  options.conninfo = "host=127.0.0.1 port=1 dbname=x connect_timeout=2";
  auto conn = PostgresConnection::Open(options);
  EXPECT_THAT(conn.status(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(conn.status().message()),
              HasSubstr("cannot connect to PostgreSQL"));
}

}  // namespace
}  // namespace mlmdx::store
