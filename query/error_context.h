// File: query/error_context.h
// -----------------------------------------------------------------------------
//
// Builds the INVALID_ARGUMENT status that every stage of the filter compiler
// returns, with the position rendered as line, column and a caret under the
// offending character, in the manner of DuckDB's QueryErrorContext::Format.
//
// Example:
//
//   return FilterError(query, token.pos, "Syntax error: unexpected \"==\"");
//   // Invalid `filter_query`: Syntax error: unexpected "==" at line 1,
//   // column 3
//   // a == 'a'
//   //   ^

#ifndef MLMDX_QUERY_ERROR_CONTEXT_H_
#define MLMDX_QUERY_ERROR_CONTEXT_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mlmdx::query {

// Returns INVALID_ARGUMENT "Invalid `filter_query`: <what> at line L, column
// C\n<line>\n<caret>". `pos` is a byte offset into `query`; values past the
// end point just after the last character. Long lines are cut to a window
// around the position so that the message stays small.
absl::Status FilterError(absl::string_view query, size_t pos,
                         absl::string_view what);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_ERROR_CONTEXT_H_
