// File: query/filter_golden_test.cc
// -----------------------------------------------------------------------------
//
// Runs the golden files tests/query/*.test, in the style of DuckDB's
// sqllogictest files. Each file starts from an empty in-memory database with
// the MLMD schema (read from migrations/ at test time) and holds blocks
// separated by blank lines:
//
//   statement ok          plain SQL (the dataset), run as is
//   <sql lines>
//
//   query <kind>          kind: artifact, execution, context or any (all
//   <filter lines>        three, expecting the same ids); the ids of the
//   ----                  matching nodes in ascending order, separated by
//   <ids>                 blanks or newlines (nothing for no match)
//
//   error <kind>          the filter must fail with INVALID_ARGUMENT whose
//   <filter lines>        message contains the given text
//   ----
//   <substring>
//
// Lines starting with '#' outside blocks are comments.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "query/filter.h"
#include "query/testing/schema_db.h"

namespace mlmdx::query {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> TestFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(MLMDX_QUERY_TEST_DIR)) {
    if (entry.path().extension() == ".test") {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<NodeKind> KindsOf(const std::string& word) {
  if (word == "artifact") return {NodeKind::kArtifact};
  if (word == "execution") return {NodeKind::kExecution};
  if (word == "context") return {NodeKind::kContext};
  if (word == "any") {
    return {NodeKind::kArtifact, NodeKind::kExecution, NodeKind::kContext};
  }
  return {};
}

class GoldenFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenFileTest, Run) {
  const std::string path = std::string(MLMDX_QUERY_TEST_DIR) + "/" + GetParam();
  const std::string text = ReadFile(path);
  ASSERT_FALSE(text.empty()) << path;
  absl::StatusOr<std::unique_ptr<SchemaDb>> db =
      SchemaDb::Open(ReadFile(MLMDX_SQLITE_SCHEMA_PATH));
  ASSERT_TRUE(db.ok()) << db.status();

  const std::vector<std::string> lines = absl::StrSplit(text, '\n');
  size_t i = 0;
  int blocks = 0;
  while (i < lines.size()) {
    const std::string header(absl::StripAsciiWhitespace(lines[i]));
    const size_t header_line = i + 1;
    ++i;
    if (header.empty() || header[0] == '#') continue;
    const std::string where = absl::StrCat(GetParam(), ":", header_line);
    std::vector<std::string> body;
    std::vector<std::string> expected;
    bool after_separator = false;
    for (; i < lines.size() && !absl::StripAsciiWhitespace(lines[i]).empty();
         ++i) {
      if (lines[i] == "----") {
        after_separator = true;
      } else {
        (after_separator ? expected : body).push_back(lines[i]);
      }
    }
    ++blocks;
    const std::vector<std::string> words = absl::StrSplit(header, ' ');
    if (header == "statement ok") {
      const absl::Status s = (*db)->Exec(absl::StrJoin(body, "\n"));
      ASSERT_TRUE(s.ok()) << where << ": " << s;
      continue;
    }
    ASSERT_EQ(words.size(), 2u) << where << ": bad header " << header;
    const std::vector<NodeKind> kinds = KindsOf(words[1]);
    ASSERT_FALSE(kinds.empty()) << where << ": bad kind " << words[1];
    ASSERT_TRUE(after_separator) << where << ": missing ----";
    const std::string filter = absl::StrJoin(body, "\n");
    for (NodeKind kind : kinds) {
      const std::string label =
          absl::StrCat(where, " [", static_cast<int>(kind), "] ", filter);
      absl::StatusOr<CompiledFilter> compiled = CompileFilter(filter, kind);
      if (words[0] == "error") {
        const std::string want = absl::StrJoin(expected, "\n");
        if (compiled.ok()) {
          ADD_FAILURE() << label << ": compiled to " << compiled->sql;
          continue;
        }
        EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument)
            << label;
        EXPECT_TRUE(absl::StrContains(compiled.status().message(), want))
            << label << "\nwant substring: " << want
            << "\ngot: " << compiled.status().message();
        continue;
      }
      ASSERT_EQ(words[0], "query") << where << ": bad header " << header;
      if (!compiled.ok()) {
        ADD_FAILURE() << label << ": " << compiled.status();
        continue;
      }
      std::vector<int64_t> want;
      for (const std::string& line : expected) {
        for (absl::string_view id :
             absl::StrSplit(line, ' ', absl::SkipWhitespace())) {
          int64_t value = 0;
          ASSERT_TRUE(absl::SimpleAtoi(id, &value)) << where << ": " << id;
          want.push_back(value);
        }
      }
      absl::StatusOr<std::vector<int64_t>> got =
          (*db)->MatchingIds(kind, *compiled);
      if (!got.ok()) {
        ADD_FAILURE() << label << ": " << got.status();
        continue;
      }
      EXPECT_EQ(*got, want) << label << "\nsql: " << compiled->sql;
    }
  }
  EXPECT_GT(blocks, 0) << path;
}

INSTANTIATE_TEST_SUITE_P(TestsQuery, GoldenFileTest,
                         ::testing::ValuesIn(TestFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name =
                               info.param.substr(0, info.param.rfind('.'));
                           for (char& c : name) {
                             if (!absl::ascii_isalnum(c)) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace mlmdx::query
