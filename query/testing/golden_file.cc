// File: query/testing/golden_file.cc

#include "query/testing/golden_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mlmdx::query {
namespace {

std::vector<NodeKind> KindsOf(absl::string_view word) {
  if (word == "artifact") return {NodeKind::kArtifact};
  if (word == "execution") return {NodeKind::kExecution};
  if (word == "context") return {NodeKind::kContext};
  if (word == "any") {
    return {NodeKind::kArtifact, NodeKind::kExecution, NodeKind::kContext};
  }
  return {};
}

}  // namespace

std::vector<std::string> GoldenFileNames(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::vector<GoldenBlock>> ParseGoldenFile(
    absl::string_view name, absl::string_view text) {
  const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  std::vector<GoldenBlock> blocks;
  size_t i = 0;
  while (i < lines.size()) {
    const absl::string_view header = absl::StripAsciiWhitespace(lines[i]);
    const size_t header_line = i + 1;
    ++i;
    if (header.empty() || header[0] == '#') continue;
    GoldenBlock block;
    block.where = absl::StrCat(name, ":", header_line);
    std::vector<absl::string_view> body;
    std::vector<absl::string_view> expected;
    bool after_separator = false;
    for (; i < lines.size() && !absl::StripAsciiWhitespace(lines[i]).empty();
         ++i) {
      if (lines[i] == "----") {
        after_separator = true;
      } else {
        (after_separator ? expected : body).push_back(lines[i]);
      }
    }
    block.text = absl::StrJoin(body, "\n");
    if (header == "statement ok") {
      blocks.push_back(std::move(block));
      continue;
    }
    const std::vector<absl::string_view> words = absl::StrSplit(header, ' ');
    if (words.size() != 2 || (words[0] != "query" && words[0] != "error")) {
      return absl::InvalidArgumentError(
          absl::StrCat(block.where, ": bad header ", header));
    }
    block.kinds = KindsOf(words[1]);
    if (block.kinds.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(block.where, ": bad kind ", words[1]));
    }
    if (!after_separator) {
      return absl::InvalidArgumentError(
          absl::StrCat(block.where, ": missing ----"));
    }
    if (words[0] == "error") {
      block.kind = GoldenBlock::Kind::kError;
      block.error_substring = absl::StrJoin(expected, "\n");
    } else {
      block.kind = GoldenBlock::Kind::kQuery;
      for (absl::string_view line : expected) {
        for (absl::string_view id :
             absl::StrSplit(line, ' ', absl::SkipWhitespace())) {
          int64_t value = 0;
          if (!absl::SimpleAtoi(id, &value)) {
            return absl::InvalidArgumentError(
                absl::StrCat(block.where, ": bad id ", id));
          }
          block.ids.push_back(value);
        }
      }
    }
    blocks.push_back(std::move(block));
  }
  return blocks;
}

absl::Status CheckGoldenBlock(const GoldenBlock& block, NodeKind kind,
                              Dialect dialect,
                              const MatchingIdsFn& matching_ids) {
  const std::string label =
      absl::StrCat(block.where, " [", static_cast<int>(kind), "] ", block.text);
  absl::StatusOr<CompiledFilter> compiled =
      CompileFilter(block.text, kind, dialect);
  if (block.kind == GoldenBlock::Kind::kError) {
    if (compiled.ok()) {
      return absl::InternalError(
          absl::StrCat(label, ": compiled to ", compiled->sql));
    }
    if (compiled.status().code() != absl::StatusCode::kInvalidArgument ||
        !absl::StrContains(compiled.status().message(),
                           block.error_substring)) {
      return absl::InternalError(absl::StrCat(
          label, "\nwant INVALID_ARGUMENT with: ", block.error_substring,
          "\ngot: ", compiled.status().ToString()));
    }
    return absl::OkStatus();
  }
  if (!compiled.ok()) {
    return absl::InternalError(
        absl::StrCat(label, ": ", compiled.status().ToString()));
  }
  absl::StatusOr<std::vector<int64_t>> got = matching_ids(kind, *compiled);
  if (!got.ok()) {
    return absl::InternalError(
        absl::StrCat(label, ": ", got.status().ToString()));
  }
  if (*got != block.ids) {
    return absl::InternalError(absl::StrCat(
        label, "\nwant ids: ", absl::StrJoin(block.ids, " "),
        "\ngot ids: ", absl::StrJoin(*got, " "), "\nsql: ", compiled->sql));
  }
  return absl::OkStatus();
}

}  // namespace mlmdx::query
