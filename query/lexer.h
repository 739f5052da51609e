// File: query/lexer.h
// -----------------------------------------------------------------------------
//
// Splits a filter query into tokens, following ZetaSQL's lexical rules for
// the subset MLMD clients use: identifiers, back-quoted identifiers, integer
// and floating point literals, '…' / "…" strings with backslash escapes (and
// the raw r'…' and triple-quoted forms), operators and comments. String
// literals are decoded here; positions are byte offsets into the query.
//
// One context rule: right after a '.', a run of [A-Za-z0-9_] is an
// identifier even when it starts with a digit, so that
// `properties.0.int_value` names the property "0".
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize("id = 1"));
//   // kIdentifier "id", kEq, kInteger 1, kEnd

#ifndef MLMDX_QUERY_LEXER_H_
#define MLMDX_QUERY_LEXER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlmdx::query {

enum class TokenKind {
  kIdentifier,        // name, AND, contexts_0 (keywords are identifiers here)
  kQuotedIdentifier,  // `my prop`
  kInteger,
  kFloat,
  kString,
  kLParen,
  kRParen,
  kComma,
  kDot,
  kEq,     // =
  kNe,     // != or <>
  kLt,     // <
  kLe,     // <=
  kGt,     // >
  kGe,     // >=
  kPlus,   // +
  kMinus,  // -
  kStar,   // *
  kSlash,  // /
  kEnd,    // end of input, always the last token
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  // Byte offset of the first character in the query.
  size_t pos = 0;
  // Identifier text as written, decoded string / quoted identifier value, or
  // the literal's source text for numbers and operators.
  std::string text;
  int64_t int_value = 0;    // kInteger only.
  double double_value = 0;  // kFloat only.
  // True for an identifier lexed right after '.', which is never a keyword.
  bool after_dot = false;
};

// Returns the tokens of `query`, ending with one kEnd token, or
// INVALID_ARGUMENT (see FilterError) for an illegal character, an
// unterminated string, comment or quoted identifier, a bad escape or an out
// of range number.
absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view query);

// A short description of `token` for error messages, e.g. `"="`,
// `end of input`, `string literal "x"`.
std::string DescribeToken(const Token& token);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_LEXER_H_
