// File: query/error_context.cc

#include "query/error_context.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace mlmdx::query {
namespace {

// Characters of the query line shown either side of the caret.
constexpr size_t kHalfWindow = 60;
// Longest description kept; names and tokens quoted in it come from the
// query and could otherwise make the message as large as the query.
constexpr size_t kMaxWhat = 200;

// Replaces bytes that would break the two-line layout.
std::string Printable(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\0') c = ' ';
  }
  return out;
}

}  // namespace

absl::Status FilterError(absl::string_view query, size_t pos,
                         absl::string_view what) {
  pos = std::min(pos, query.size());
  size_t line_start = 0;
  int line = 1;
  for (size_t i = 0; i < pos; ++i) {
    if (query[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  size_t line_end = query.find('\n', pos);
  if (line_end == absl::string_view::npos) line_end = query.size();
  const size_t column = pos - line_start;

  size_t shown_start = line_start;
  std::string prefix;
  if (column > kHalfWindow) {
    shown_start = pos - kHalfWindow;
    prefix = "...";
  }
  size_t shown_end = line_end;
  std::string suffix;
  if (line_end - pos > kHalfWindow) {
    shown_end = pos + kHalfWindow;
    suffix = "...";
  }
  std::string caret(prefix.size() + (pos - shown_start), ' ');
  // Keep tabs so that the caret lines up under tab-indented text.
  for (size_t i = shown_start; i < pos; ++i) {
    if (query[i] == '\t') caret[prefix.size() + (i - shown_start)] = '\t';
  }
  caret += '^';
  if (what.size() > kMaxWhat) what = what.substr(0, kMaxWhat);
  return absl::InvalidArgumentError(absl::StrCat(
      "Invalid `filter_query`: ", what, what.size() == kMaxWhat ? "..." : "",
      " at line ", line, ", column ", column + 1, "\n", prefix,
      Printable(query.substr(shown_start, shown_end - shown_start)), suffix,
      "\n", caret));
}

}  // namespace mlmdx::query
