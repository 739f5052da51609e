// File: query/fuzz_corpus_replay_test.cc
// -----------------------------------------------------------------------------
//
// Runs every file of query/fuzz_corpus/ through the same contract check as
// filter_fuzzer (CheckFilterContract), so that the corpus, including inputs
// the fuzzer once found, is a regression test under any compiler.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/testing/schema_db.h"

namespace mlmdx::query {
namespace {

TEST(FuzzCorpusReplayTest, EveryCorpusFileKeepsTheContract) {
  absl::StatusOr<std::unique_ptr<SchemaDb>> db =
      SchemaDb::Open(EmbeddedSqliteSchema());
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(MLMDX_FUZZ_CORPUS_DIR)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 100u);
  for (const std::filesystem::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const absl::Status status = CheckFilterContract(**db, buffer.str());
    EXPECT_TRUE(status.ok()) << path.filename() << ": " << status;
  }
}

}  // namespace
}  // namespace mlmdx::query
