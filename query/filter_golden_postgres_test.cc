// File: query/filter_golden_postgres_test.cc
// -----------------------------------------------------------------------------
//
// Runs the golden files tests/query/*.test (format: query/testing/
// golden_file.h) on a throwaway PostgreSQL server with Dialect::kPostgres,
// expecting exactly the ids the files state for SQLite. The `statement ok`
// blocks are SQLite SQL: they run in an in-memory SQLite database, whose
// rows are then copied into a fresh PostgreSQL database with MLMD's
// PostgreSQL schema before the next query. One test covers all files, so
// that the cluster starts once; each failure names its file and line.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "query/filter.h"
#include "query/testing/golden_file.h"
#include "query/testing/postgres_schema_db.h"
#include "query/testing/schema_db.h"
#include "tests/postgres_test.h"

namespace mlmdx::query {
namespace {

class GoldenPostgresTest : public testing::PostgresClusterTest {};

TEST_F(GoldenPostgresTest, EveryGoldenFileSelectsTheSameIds) {
  const std::vector<std::string> files = GoldenFileNames(MLMDX_QUERY_TEST_DIR);
  ASSERT_GE(files.size(), 9u);
  int checked = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    const std::string& name = files[f];
    absl::StatusOr<std::vector<GoldenBlock>> blocks = ParseGoldenFile(
        name, ReadTextFile(absl::StrCat(MLMDX_QUERY_TEST_DIR, "/", name)));
    ASSERT_TRUE(blocks.ok()) << blocks.status();
    absl::StatusOr<std::unique_ptr<SchemaDb>> sqlite =
        SchemaDb::Open(EmbeddedSqliteSchema());
    ASSERT_TRUE(sqlite.ok()) << sqlite.status();
    absl::StatusOr<std::unique_ptr<PostgresSchemaDb>> pg =
        PostgresSchemaDb::Create(cluster().ConnInfo("postgres"),
                                 absl::StrCat("golden_", f),
                                 EmbeddedPostgresSchema());
    ASSERT_TRUE(pg.ok()) << pg.status();

    bool copied = true;
    int file_checks = 0;
    for (const GoldenBlock& block : *blocks) {
      if (block.kind == GoldenBlock::Kind::kStatement) {
        const absl::Status s = (*sqlite)->Exec(block.text);
        ASSERT_TRUE(s.ok()) << block.where << ": " << s;
        copied = false;
        continue;
      }
      if (!copied) {
        const absl::Status s = (*pg)->CopyFrom(**sqlite);
        ASSERT_TRUE(s.ok()) << block.where << ": " << s;
        copied = true;
      }
      for (NodeKind kind : block.kinds) {
        ++file_checks;
        const absl::Status s =
            CheckGoldenBlock(block, kind, Dialect::kPostgres,
                             [&](NodeKind k, const CompiledFilter& f) {
                               return (*pg)->MatchingIds(k, f);
                             });
        EXPECT_TRUE(s.ok()) << s.message();
      }
    }
    EXPECT_GT(file_checks, 0) << name;
    checked += file_checks;
  }
  // Every query and error block of every file, once per node kind.
  EXPECT_GE(checked, 400);
}

}  // namespace
}  // namespace mlmdx::query
