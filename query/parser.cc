// File: query/parser.cc

#include "query/parser.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "query/error_context.h"
#include "query/lexer.h"
#include "util/status_macros.h"

namespace mlmdx::query {
namespace {

// Words that can never be a name in the grammar.
constexpr absl::string_view kReserved[] = {
    "AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL", "BETWEEN", "TRUE", "FALSE"};

class Parser {
 public:
  Parser(absl::string_view query, std::vector<Token> tokens,
         const FilterLimits& limits)
      : q_(query), tokens_(std::move(tokens)), limits_(limits) {}

  absl::StatusOr<AstPtr> Run() {
    if (Peek().kind == TokenKind::kEnd) {
      return Error(Peek().pos, "Syntax error: Unexpected end of input");
    }
    MLMDX_ASSIGN_OR_RETURN(AstPtr expr, ParseOr());
    if (Peek().kind != TokenKind::kEnd) {
      return Error(Peek().pos,
                   absl::StrCat("Syntax error: Expected end of input but got ",
                                Describe(Peek())));
    }
    return expr;
  }

 private:
  const Token& Peek() const { return tokens_[i_]; }
  const Token& Take() {
    const Token& token = tokens_[i_];
    if (token.kind != TokenKind::kEnd) ++i_;
    return token;
  }

  static bool IsKeyword(const Token& token, absl::string_view word) {
    return token.kind == TokenKind::kIdentifier && !token.after_dot &&
           absl::EqualsIgnoreCase(token.text, word);
  }
  static bool IsReserved(const Token& token) {
    for (absl::string_view word : kReserved) {
      if (IsKeyword(token, word)) return true;
    }
    return false;
  }
  static std::string Describe(const Token& token) {
    if (IsReserved(token)) {
      std::string upper = token.text;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; });
      return absl::StrCat("keyword ", upper);
    }
    return DescribeToken(token);
  }

  absl::Status Error(size_t pos, absl::string_view what) const {
    return FilterError(q_, pos, what);
  }
  absl::Status Unexpected(const Token& token) const {
    return Error(token.pos,
                 absl::StrCat("Syntax error: Unexpected ", Describe(token)));
  }

  // Enters one level of nesting; fails before the recursion would exceed
  // the limit.
  absl::Status Enter(size_t pos) {
    if (++depth_ > limits_.max_depth) {
      return Error(pos, absl::StrCat("Filter is nested too deeply (limit ",
                                     limits_.max_depth, ")"));
    }
    return absl::OkStatus();
  }

  // Makes a node of `kind` at `pos` over `children`, enforcing the height
  // limit.
  absl::StatusOr<AstPtr> Make(AstKind kind, size_t pos,
                              std::vector<AstPtr> children) {
    auto node = std::make_unique<AstNode>();
    node->kind = kind;
    node->pos = pos;
    for (const AstPtr& child : children) {
      node->height = std::max(node->height, child->height + 1);
    }
    if (node->height > limits_.max_depth) {
      return Error(pos, absl::StrCat("Filter is nested too deeply (limit ",
                                     limits_.max_depth, ")"));
    }
    node->children = std::move(children);
    return node;
  }

  // Parses `first { <word> next }` into one n-ary node of `kind`.
  template <typename ParseNext>
  absl::StatusOr<AstPtr> ParseChain(absl::string_view word, AstKind kind,
                                    ParseNext next) {
    MLMDX_ASSIGN_OR_RETURN(AstPtr first, (this->*next)());
    if (!IsKeyword(Peek(), word)) return first;
    const size_t pos = Peek().pos;
    std::vector<AstPtr> children;
    children.push_back(std::move(first));
    while (IsKeyword(Peek(), word)) {
      Take();
      MLMDX_ASSIGN_OR_RETURN(AstPtr operand, (this->*next)());
      children.push_back(std::move(operand));
    }
    return Make(kind, pos, std::move(children));
  }

  absl::StatusOr<AstPtr> ParseOr() {
    return ParseChain("OR", AstKind::kOr, &Parser::ParseAnd);
  }
  absl::StatusOr<AstPtr> ParseAnd() {
    return ParseChain("AND", AstKind::kAnd, &Parser::ParseNot);
  }

  absl::StatusOr<AstPtr> ParseNot() {
    if (!IsKeyword(Peek(), "NOT")) return ParseComparison();
    const size_t pos = Take().pos;
    MLMDX_RETURN_IF_ERROR(Enter(pos));
    MLMDX_ASSIGN_OR_RETURN(AstPtr operand, ParseNot());
    --depth_;
    std::vector<AstPtr> children;
    children.push_back(std::move(operand));
    return Make(AstKind::kNot, pos, std::move(children));
  }

  absl::StatusOr<AstPtr> ParseComparison() {
    MLMDX_ASSIGN_OR_RETURN(AstPtr left, ParseAdditive());
    const Token& token = Peek();
    std::vector<AstPtr> children;
    switch (token.kind) {
      case TokenKind::kEq:
      case TokenKind::kNe:
      case TokenKind::kLt:
      case TokenKind::kLe:
      case TokenKind::kGt:
      case TokenKind::kGe: {
        Take();
        MLMDX_ASSIGN_OR_RETURN(AstPtr right, ParseAdditive());
        children.push_back(std::move(left));
        children.push_back(std::move(right));
        MLMDX_ASSIGN_OR_RETURN(AstPtr node, Make(AstKind::kCompare, token.pos,
                                                 std::move(children)));
        node->op = token.kind == TokenKind::kNe ? "!=" : token.text;
        return node;
      }
      default:
        break;
    }
    if (IsKeyword(token, "IS")) return ParseIs(std::move(left));
    bool negated = false;
    const size_t pos = token.pos;
    if (IsKeyword(token, "NOT")) {
      const Token& next = tokens_[i_ + 1];
      if (!IsKeyword(next, "LIKE") && !IsKeyword(next, "IN") &&
          !IsKeyword(next, "BETWEEN")) {
        return Unexpected(token);
      }
      Take();
      negated = true;
    }
    AstPtr node;
    if (IsKeyword(Peek(), "LIKE")) {
      Take();
      MLMDX_ASSIGN_OR_RETURN(AstPtr pattern, ParseAdditive());
      children.push_back(std::move(left));
      children.push_back(std::move(pattern));
      MLMDX_ASSIGN_OR_RETURN(node,
                             Make(AstKind::kLike, pos, std::move(children)));
    } else if (IsKeyword(Peek(), "IN")) {
      MLMDX_ASSIGN_OR_RETURN(node, ParseIn(pos, std::move(left)));
    } else if (IsKeyword(Peek(), "BETWEEN")) {
      Take();
      MLMDX_ASSIGN_OR_RETURN(AstPtr low, ParseAdditive());
      if (!IsKeyword(Peek(), "AND")) {
        return Error(Peek().pos,
                     absl::StrCat("Syntax error: Expected keyword AND but got ",
                                  Describe(Peek())));
      }
      Take();
      MLMDX_ASSIGN_OR_RETURN(AstPtr high, ParseAdditive());
      children.push_back(std::move(left));
      children.push_back(std::move(low));
      children.push_back(std::move(high));
      MLMDX_ASSIGN_OR_RETURN(node,
                             Make(AstKind::kBetween, pos, std::move(children)));
    } else {
      return left;
    }
    node->negated = negated;
    return node;
  }

  absl::StatusOr<AstPtr> ParseIs(AstPtr left) {
    const size_t pos = Take().pos;
    bool negated = false;
    if (IsKeyword(Peek(), "NOT")) {
      Take();
      negated = true;
    }
    const Token& what = Take();
    std::vector<AstPtr> children;
    children.push_back(std::move(left));
    AstPtr node;
    if (IsKeyword(what, "NULL")) {
      MLMDX_ASSIGN_OR_RETURN(node,
                             Make(AstKind::kIsNull, pos, std::move(children)));
    } else if (IsKeyword(what, "TRUE") || IsKeyword(what, "FALSE")) {
      MLMDX_ASSIGN_OR_RETURN(node,
                             Make(AstKind::kIsBool, pos, std::move(children)));
      node->bool_value = IsKeyword(what, "TRUE");
    } else {
      return Error(what.pos,
                   absl::StrCat("Syntax error: Expected NULL, TRUE or FALSE "
                                "after IS but got ",
                                Describe(what)));
    }
    node->negated = negated;
    return node;
  }

  absl::StatusOr<AstPtr> ParseIn(size_t pos, AstPtr left) {
    Take();  // IN
    if (Peek().kind != TokenKind::kLParen) {
      return Error(
          Peek().pos,
          absl::StrCat("Syntax error: Expected \"(\" after IN but got ",
                       Describe(Peek())));
    }
    const size_t paren = Take().pos;
    MLMDX_RETURN_IF_ERROR(Enter(paren));
    std::vector<AstPtr> children;
    children.push_back(std::move(left));
    while (true) {
      if (children.size() > limits_.max_in_list) {
        return Error(Peek().pos,
                     absl::StrCat("IN list has more than ", limits_.max_in_list,
                                  " elements"));
      }
      if (Peek().kind == TokenKind::kRParen) return Unexpected(Peek());
      MLMDX_ASSIGN_OR_RETURN(AstPtr element, ParseOr());
      children.push_back(std::move(element));
      if (Peek().kind == TokenKind::kComma) {
        Take();
        continue;
      }
      if (Peek().kind == TokenKind::kRParen) break;
      return Error(
          Peek().pos,
          absl::StrCat("Syntax error: Expected \",\" or \")\" but got ",
                       Describe(Peek())));
    }
    Take();  // )
    --depth_;
    return Make(AstKind::kIn, pos, std::move(children));
  }

  absl::StatusOr<AstPtr> ParseArithmetic(
      TokenKind plus, TokenKind minus,
      absl::StatusOr<AstPtr> (Parser::*next)()) {
    MLMDX_ASSIGN_OR_RETURN(AstPtr left, (this->*next)());
    while (Peek().kind == plus || Peek().kind == minus) {
      const Token& op = Take();
      MLMDX_ASSIGN_OR_RETURN(AstPtr right, (this->*next)());
      std::vector<AstPtr> children;
      children.push_back(std::move(left));
      children.push_back(std::move(right));
      MLMDX_ASSIGN_OR_RETURN(
          left, Make(AstKind::kArithmetic, op.pos, std::move(children)));
      left->op = op.text;
    }
    return left;
  }

  absl::StatusOr<AstPtr> ParseAdditive() {
    return ParseArithmetic(TokenKind::kPlus, TokenKind::kMinus,
                           &Parser::ParseMultiplicative);
  }
  absl::StatusOr<AstPtr> ParseMultiplicative() {
    return ParseArithmetic(TokenKind::kStar, TokenKind::kSlash,
                           &Parser::ParseUnary);
  }

  absl::StatusOr<AstPtr> ParseUnary() {
    const Token& token = Peek();
    if (token.kind != TokenKind::kMinus && token.kind != TokenKind::kPlus) {
      return ParsePrimary();
    }
    Take();
    MLMDX_RETURN_IF_ERROR(Enter(token.pos));
    MLMDX_ASSIGN_OR_RETURN(AstPtr operand, ParseUnary());
    --depth_;
    if (token.kind == TokenKind::kPlus) return operand;
    std::vector<AstPtr> children;
    children.push_back(std::move(operand));
    return Make(AstKind::kNegate, token.pos, std::move(children));
  }

  absl::StatusOr<AstPtr> ParsePrimary() {
    const Token& token = Take();
    auto node = std::make_unique<AstNode>();
    node->pos = token.pos;
    switch (token.kind) {
      case TokenKind::kInteger:
        node->kind = AstKind::kInteger;
        node->int_value = token.int_value;
        return node;
      case TokenKind::kFloat:
        node->kind = AstKind::kFloat;
        node->double_value = token.double_value;
        return node;
      case TokenKind::kString:
        node->kind = AstKind::kString;
        node->string_value = token.text;
        return node;
      case TokenKind::kLParen: {
        MLMDX_RETURN_IF_ERROR(Enter(token.pos));
        MLMDX_ASSIGN_OR_RETURN(AstPtr inner, ParseOr());
        --depth_;
        if (Peek().kind != TokenKind::kRParen) {
          return Error(Peek().pos,
                       absl::StrCat("Syntax error: Expected \")\" but got ",
                                    Describe(Peek())));
        }
        Take();
        return inner;
      }
      case TokenKind::kIdentifier:
      case TokenKind::kQuotedIdentifier:
        break;
      default:
        return Unexpected(token);
    }
    if (IsKeyword(token, "NULL")) {
      node->kind = AstKind::kNull;
      return node;
    }
    if (IsKeyword(token, "TRUE") || IsKeyword(token, "FALSE")) {
      node->kind = AstKind::kBool;
      node->bool_value = IsKeyword(token, "TRUE");
      return node;
    }
    if (IsReserved(token)) return Unexpected(token);
    if (Peek().kind == TokenKind::kLParen) {
      return Error(token.pos, absl::StrCat("Function calls are not supported: ",
                                           token.text));
    }
    node->kind = AstKind::kPath;
    node->path.push_back(
        {token.text, token.pos, token.kind == TokenKind::kQuotedIdentifier});
    while (Peek().kind == TokenKind::kDot) {
      Take();
      const Token& part = Take();
      if (part.kind != TokenKind::kIdentifier &&
          part.kind != TokenKind::kQuotedIdentifier) {
        return Error(part.pos,
                     absl::StrCat("Syntax error: Expected a name after \".\" "
                                  "but got ",
                                  Describe(part)));
      }
      node->path.push_back({part.text, part.pos, true});
    }
    return node;
  }

  absl::string_view q_;
  std::vector<Token> tokens_;
  const FilterLimits& limits_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

absl::StatusOr<AstPtr> ParseFilter(absl::string_view query,
                                   const FilterLimits& limits) {
  MLMDX_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(query));
  return Parser(query, std::move(tokens), limits).Run();
}

}  // namespace mlmdx::query
