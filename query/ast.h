// File: query/ast.h
// -----------------------------------------------------------------------------
//
// The abstract syntax tree the parser builds from a filter query. Nodes are
// untyped and unresolved: a `Path` is just the dotted names as written, and
// the binder decides whether it is an attribute, an enum name, a neighbour
// alias field or a property value. Every node keeps the byte offset of the
// token that best explains an error about it (the operator of a binary
// expression, the first name of a path).
//
// AND and OR are n-ary so that long `a OR b OR c ...` chains stay shallow;
// the parser bounds the height of every tree, so recursive passes over it
// are safe.

#ifndef MLMDX_QUERY_AST_H_
#define MLMDX_QUERY_AST_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlmdx::query {

enum class AstKind {
  kNull,        // NULL
  kBool,        // TRUE / FALSE: bool_value
  kInteger,     // int_value
  kFloat,       // double_value
  kString,      // string_value
  kPath,        // names: id, contexts_a.name, properties.`p`.int_value
  kNot,         // NOT children[0]
  kNegate,      // -children[0]
  kAnd,         // children[0] AND children[1] AND ...
  kOr,          // children[0] OR children[1] OR ...
  kCompare,     // children[0] <op> children[1], op: = != < <= > >=
  kArithmetic,  // children[0] <op> children[1], op: + - * /
  kLike,        // children[0] [NOT] LIKE children[1]
  kIn,          // children[0] [NOT] IN (children[1], ...)
  kBetween,     // children[0] [NOT] BETWEEN children[1] AND children[2]
  kIsNull,      // children[0] IS [NOT] NULL
  kIsBool,      // children[0] IS [NOT] TRUE/FALSE (bool_value)
};

// One name of a path, as written (back-quotes removed).
struct PathPart {
  std::string name;
  size_t pos = 0;
  // Back-quoted in the query, or lexed right after a '.'.
  bool quoted = false;
};

struct AstNode {
  AstKind kind = AstKind::kNull;
  size_t pos = 0;
  // Nodes on the longest path from this node to a leaf, itself included.
  int height = 1;
  // The operator text for kCompare ("=", "!=", ...) and kArithmetic.
  std::string op;
  // NOT LIKE, NOT IN, NOT BETWEEN, IS NOT NULL, IS NOT TRUE.
  bool negated = false;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string string_value;
  std::vector<PathPart> path;
  std::vector<std::unique_ptr<AstNode>> children;
};

using AstPtr = std::unique_ptr<AstNode>;

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_AST_H_
