// File: query/testing/golden_file.h
// -----------------------------------------------------------------------------
//
// Reads the golden files tests/query/*.test, in the style of DuckDB's
// sqllogictest files, for the runners of every backend. A file holds blocks
// separated by blank lines:
//
//   statement ok          plain SQLite SQL (the dataset), run as is
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
//
// Example:
//
//   for (const std::string& name : GoldenFileNames(dir)) {
//     MLMDX_ASSIGN_OR_RETURN(
//         std::vector<GoldenBlock> blocks,
//         ParseGoldenFile(name, ReadTextFile(dir + "/" + name)));
//     // Run the kStatement blocks, then CheckGoldenBlock the others.
//   }

#ifndef MLMDX_QUERY_TESTING_GOLDEN_FILE_H_
#define MLMDX_QUERY_TESTING_GOLDEN_FILE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/filter.h"

namespace mlmdx::query {

struct GoldenBlock {
  enum class Kind { kStatement, kQuery, kError };
  Kind kind = Kind::kStatement;
  // "<file name>:<line of the header>", for failure messages.
  std::string where;
  // The node kinds to compile the filter for (kQuery, kError).
  std::vector<NodeKind> kinds;
  // The SQL of a kStatement block, the filter of the others.
  std::string text;
  // The expected ids, ascending (kQuery).
  std::vector<int64_t> ids;
  // The expected part of the error message (kError).
  std::string error_substring;
};

// The names (not paths) of the *.test files in `dir`, sorted.
std::vector<std::string> GoldenFileNames(const std::string& dir);

// The whole content of the file at `path`, or "" when it cannot be read.
std::string ReadTextFile(const std::string& path);

// Parses the golden file `name` with content `text`. Returns
// INVALID_ARGUMENT naming file and line for a bad header, a kind that is
// not one of the four, a missing "----" or an id that is not an integer.
absl::StatusOr<std::vector<GoldenBlock>> ParseGoldenFile(
    absl::string_view name, absl::string_view text);

// Runs the SQL of a compiled filter for nodes of a kind; returns the ids of
// the matching nodes, ascending.
using MatchingIdsFn = std::function<absl::StatusOr<std::vector<int64_t>>(
    NodeKind, const CompiledFilter&)>;

// Checks a kQuery or kError `block` for `kind`, compiling for `dialect`: a
// kError block must fail with INVALID_ARGUMENT containing its substring; a
// kQuery block must compile, and `matching_ids` must return its ids. Returns
// OK, or INTERNAL whose message names the block, kind and filter and says
// what differs.
absl::Status CheckGoldenBlock(const GoldenBlock& block, NodeKind kind,
                              Dialect dialect,
                              const MatchingIdsFn& matching_ids);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_TESTING_GOLDEN_FILE_H_
