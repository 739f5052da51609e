// File: query/filter_golden_test.cc
// -----------------------------------------------------------------------------
//
// Runs the golden files tests/query/*.test (format: query/testing/
// golden_file.h) on SQLite. Each file starts from an empty in-memory
// database with the MLMD schema (read from migrations/ at test time).

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"
#include "query/filter.h"
#include "query/testing/golden_file.h"
#include "query/testing/schema_db.h"

namespace mlmdx::query {
namespace {

class GoldenFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenFileTest, Run) {
  const std::string path = std::string(MLMDX_QUERY_TEST_DIR) + "/" + GetParam();
  const std::string text = ReadTextFile(path);
  ASSERT_FALSE(text.empty()) << path;
  absl::StatusOr<std::vector<GoldenBlock>> blocks =
      ParseGoldenFile(GetParam(), text);
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  absl::StatusOr<std::unique_ptr<SchemaDb>> db =
      SchemaDb::Open(ReadTextFile(MLMDX_SQLITE_SCHEMA_PATH));
  ASSERT_TRUE(db.ok()) << db.status();

  for (const GoldenBlock& block : *blocks) {
    if (block.kind == GoldenBlock::Kind::kStatement) {
      const absl::Status s = (*db)->Exec(block.text);
      ASSERT_TRUE(s.ok()) << block.where << ": " << s;
      continue;
    }
    for (NodeKind kind : block.kinds) {
      const absl::Status s =
          CheckGoldenBlock(block, kind, Dialect::kSqlite,
                           [&](NodeKind k, const CompiledFilter& f) {
                             return (*db)->MatchingIds(k, f);
                           });
      EXPECT_TRUE(s.ok()) << s.message();
    }
  }
  EXPECT_FALSE(blocks->empty()) << path;
}

INSTANTIATE_TEST_SUITE_P(
    TestsQuery, GoldenFileTest,
    ::testing::ValuesIn(GoldenFileNames(MLMDX_QUERY_TEST_DIR)),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string name = info.param.substr(0, info.param.rfind('.'));
      for (char& c : name) {
        if (!absl::ascii_isalnum(c)) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace mlmdx::query
