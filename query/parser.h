// File: query/parser.h
// -----------------------------------------------------------------------------
//
// A recursive descent parser for the filter grammar of spec/listing.md §5.2:
//
//   expr       := and_expr { OR and_expr }
//   and_expr   := not_expr { AND not_expr }
//   not_expr   := NOT not_expr | comparison
//   comparison := additive [ cmp_op additive | [NOT] LIKE additive
//                          | [NOT] IN '(' expr { ',' expr } ')'
//                          | [NOT] BETWEEN additive AND additive
//                          | IS [NOT] (NULL | TRUE | FALSE) ]
//   additive   := multiplicative { ('+' | '-') multiplicative }
//   multiplicative := unary { ('*' | '/') unary }
//   unary      := ('-' | '+') unary | primary
//   primary    := literal | path | '(' expr ')'
//
// Keywords are case-insensitive. Comparisons do not chain. Function calls
// are rejected. The parser checks FilterLimits::max_depth before every
// recursive step and bounds the height of the tree it returns by the same
// limit, so neither parsing nor the later passes can exhaust the stack.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(AstPtr ast, ParseFilter("id IN (1, 2)", limits));

#ifndef MLMDX_QUERY_PARSER_H_
#define MLMDX_QUERY_PARSER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query/ast.h"
#include "query/filter.h"

namespace mlmdx::query {

// Parses `query` into an AST. Returns INVALID_ARGUMENT (see FilterError) for
// lexical and syntax errors, an empty query, nesting deeper than
// `limits.max_depth` and IN lists longer than `limits.max_in_list`.
// REQUIRES: query.size() <= limits.max_query_length (checked by the caller).
absl::StatusOr<AstPtr> ParseFilter(absl::string_view query,
                                   const FilterLimits& limits);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_PARSER_H_
