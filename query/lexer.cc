// File: query/lexer.cc

#include "query/lexer.h"

#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "query/error_context.h"
#include "util/status_macros.h"

namespace mlmdx::query {
namespace {

bool IsIdentStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdentChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(absl::string_view query) : q_(query) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      MLMDX_RETURN_IF_ERROR(SkipSpaceAndComments());
      Token token;
      token.pos = i_;
      if (i_ >= q_.size()) {
        token.kind = TokenKind::kEnd;
        tokens.push_back(std::move(token));
        return tokens;
      }
      const bool after_dot =
          !tokens.empty() && tokens.back().kind == TokenKind::kDot;
      const bool after_path =
          !tokens.empty() &&
          (tokens.back().kind == TokenKind::kIdentifier ||
           tokens.back().kind == TokenKind::kQuotedIdentifier ||
           tokens.back().kind == TokenKind::kRParen);
      MLMDX_RETURN_IF_ERROR(Next(after_dot, after_path, &token));
      tokens.push_back(std::move(token));
    }
  }

 private:
  char Peek(size_t ahead = 0) const {
    return i_ + ahead < q_.size() ? q_[i_ + ahead] : '\0';
  }
  bool AtEnd(size_t ahead = 0) const { return i_ + ahead >= q_.size(); }

  absl::Status Error(size_t pos, absl::string_view what) const {
    return FilterError(q_, pos, what);
  }

  absl::Status SkipSpaceAndComments() {
    while (!AtEnd()) {
      const char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
          c == '\v') {
        ++i_;
      } else if (c == '#' || (c == '-' && Peek(1) == '-')) {
        while (!AtEnd() && Peek() != '\n') ++i_;
      } else if (c == '/' && Peek(1) == '*') {
        const size_t start = i_;
        const size_t end = q_.find("*/", i_ + 2);
        if (end == absl::string_view::npos) {
          return Error(start, "Syntax error: Unclosed comment");
        }
        i_ = end + 2;
      } else {
        break;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Next(bool after_dot, bool after_path, Token* token) {
    const char c = Peek();
    if (after_dot && IsIdentChar(c)) {
      const size_t start = i_;
      while (!AtEnd() && IsIdentChar(Peek())) ++i_;
      token->kind = TokenKind::kIdentifier;
      token->text = std::string(q_.substr(start, i_ - start));
      token->after_dot = true;
      return absl::OkStatus();
    }
    if (IsIdentStart(c)) {
      const char next = Peek(1);
      if ((c == 'r' || c == 'R') && (next == '\'' || next == '"')) {
        ++i_;
        token->kind = TokenKind::kString;
        return LexQuoted(/*raw=*/true, token);
      }
      if ((c == 'b' || c == 'B') && (next == '\'' || next == '"')) {
        return Error(i_, "Bytes literals are not supported");
      }
      const size_t start = i_;
      while (!AtEnd() && IsIdentChar(Peek())) ++i_;
      token->kind = TokenKind::kIdentifier;
      token->text = std::string(q_.substr(start, i_ - start));
      return absl::OkStatus();
    }
    if (absl::ascii_isdigit(c) ||
        (c == '.' && absl::ascii_isdigit(Peek(1)) && !after_path)) {
      return LexNumber(token);
    }
    if (c == '\'' || c == '"') {
      token->kind = TokenKind::kString;
      return LexQuoted(/*raw=*/false, token);
    }
    if (c == '`') {
      token->kind = TokenKind::kQuotedIdentifier;
      return LexQuoted(/*raw=*/false, token);
    }
    return LexOperator(token);
  }

  absl::Status LexOperator(Token* token) {
    const char c = Peek();
    const char next = Peek(1);
    size_t length = 1;
    switch (c) {
      case '(':
        token->kind = TokenKind::kLParen;
        break;
      case ')':
        token->kind = TokenKind::kRParen;
        break;
      case ',':
        token->kind = TokenKind::kComma;
        break;
      case '.':
        token->kind = TokenKind::kDot;
        break;
      case '=':
        token->kind = TokenKind::kEq;
        break;
      case '+':
        token->kind = TokenKind::kPlus;
        break;
      case '-':
        token->kind = TokenKind::kMinus;
        break;
      case '*':
        token->kind = TokenKind::kStar;
        break;
      case '/':
        token->kind = TokenKind::kSlash;
        break;
      case '!':
        if (next != '=') {
          return Error(i_, "Syntax error: Illegal input character \"!\"");
        }
        token->kind = TokenKind::kNe;
        length = 2;
        break;
      case '<':
        if (next == '=') {
          token->kind = TokenKind::kLe;
          length = 2;
        } else if (next == '>') {
          token->kind = TokenKind::kNe;
          length = 2;
        } else {
          token->kind = TokenKind::kLt;
        }
        break;
      case '>':
        if (next == '=') {
          token->kind = TokenKind::kGe;
          length = 2;
        } else {
          token->kind = TokenKind::kGt;
        }
        break;
      default: {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x21 && u < 0x7F) {
          return Error(i_,
                       absl::StrCat("Syntax error: Illegal input character \"",
                                    absl::string_view(&c, 1), "\""));
        }
        return Error(i_,
                     absl::StrCat("Syntax error: Illegal input character 0x",
                                  absl::Hex(u, absl::kZeroPad2)));
      }
    }
    token->text = std::string(q_.substr(i_, length));
    i_ += length;
    return absl::OkStatus();
  }

  absl::Status LexNumber(Token* token) {
    const size_t start = i_;
    if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X') &&
        HexDigit(Peek(2)) >= 0) {
      i_ += 2;
      while (!AtEnd() && HexDigit(Peek()) >= 0) ++i_;
      if (!AtEnd() && IsIdentChar(Peek())) {
        return Error(start, "Syntax error: Invalid number literal");
      }
      token->kind = TokenKind::kInteger;
      token->text = std::string(q_.substr(start, i_ - start));
      uint64_t value = 0;
      if (!absl::SimpleHexAtoi(token->text.substr(2), &value) ||
          value > static_cast<uint64_t>(INT64_MAX)) {
        return Error(start, "Integer literal out of range");
      }
      token->int_value = static_cast<int64_t>(value);
      return absl::OkStatus();
    }
    bool is_float = false;
    while (!AtEnd() && absl::ascii_isdigit(Peek())) ++i_;
    if (Peek() == '.') {
      is_float = true;
      ++i_;
      while (!AtEnd() && absl::ascii_isdigit(Peek())) ++i_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      size_t exponent = 1;
      if (Peek(1) == '+' || Peek(1) == '-') exponent = 2;
      if (absl::ascii_isdigit(Peek(exponent))) {
        is_float = true;
        i_ += exponent;
        while (!AtEnd() && absl::ascii_isdigit(Peek())) ++i_;
      }
    }
    if (!AtEnd() && IsIdentChar(Peek())) {
      return Error(start, "Syntax error: Invalid number literal");
    }
    token->text = std::string(q_.substr(start, i_ - start));
    if (is_float) {
      token->kind = TokenKind::kFloat;
      if (!absl::SimpleAtod(token->text, &token->double_value) ||
          !std::isfinite(token->double_value)) {
        return Error(start, "Floating point literal out of range");
      }
    } else {
      token->kind = TokenKind::kInteger;
      if (!absl::SimpleAtoi(token->text, &token->int_value)) {
        return Error(start, "Integer literal out of range");
      }
    }
    return absl::OkStatus();
  }

  // Lexes a string (quote ' or "), or a back-quoted identifier, starting at
  // the opening quote; `raw` keeps backslashes as written.
  absl::Status LexQuoted(bool raw, Token* token) {
    const size_t start = token->pos;
    const char quote = Peek();
    const bool is_identifier = quote == '`';
    const bool triple = !is_identifier && Peek(1) == quote && Peek(2) == quote;
    i_ += triple ? 3 : 1;
    std::string value;
    while (true) {
      if (AtEnd()) {
        return Error(start, is_identifier
                                ? "Syntax error: Unclosed identifier literal"
                                : "Syntax error: Unclosed string literal");
      }
      const char c = Peek();
      if (c == quote && (!triple || (Peek(1) == quote && Peek(2) == quote))) {
        i_ += triple ? 3 : 1;
        break;
      }
      if (c == '\n' && !triple) {
        return Error(start, is_identifier
                                ? "Syntax error: Unclosed identifier literal"
                                : "Syntax error: Unclosed string literal");
      }
      if (c != '\\') {
        value += c;
        ++i_;
        continue;
      }
      if (AtEnd(1)) {
        return Error(i_, "Syntax error: Illegal escape sequence");
      }
      if (raw) {
        value += c;
        value += Peek(1);
        i_ += 2;
        continue;
      }
      MLMDX_RETURN_IF_ERROR(LexEscape(&value));
    }
    if (is_identifier && value.empty()) {
      return Error(start, "Syntax error: Invalid empty identifier");
    }
    token->text = std::move(value);
    return absl::OkStatus();
  }

  // Decodes the escape sequence at i_ (a backslash) into `out`.
  absl::Status LexEscape(std::string* out) {
    const size_t start = i_;
    const char e = Peek(1);
    i_ += 2;
    switch (e) {
      case 'a':
        *out += '\a';
        return absl::OkStatus();
      case 'b':
        *out += '\b';
        return absl::OkStatus();
      case 'f':
        *out += '\f';
        return absl::OkStatus();
      case 'n':
        *out += '\n';
        return absl::OkStatus();
      case 'r':
        *out += '\r';
        return absl::OkStatus();
      case 't':
        *out += '\t';
        return absl::OkStatus();
      case 'v':
        *out += '\v';
        return absl::OkStatus();
      case '\\':
      case '?':
      case '"':
      case '\'':
      case '`':
        *out += e;
        return absl::OkStatus();
      default:
        break;
    }
    int digits = 0;
    int base = 16;
    if (e == 'x' || e == 'X') {
      digits = 2;
    } else if (e == 'u') {
      digits = 4;
    } else if (e == 'U') {
      digits = 8;
    } else if (e >= '0' && e <= '7') {
      digits = 2;  // The first of three octal digits is `e` itself.
      base = 8;
    } else {
      return Error(start, "Syntax error: Illegal escape sequence");
    }
    uint32_t value = base == 8 ? static_cast<uint32_t>(e - '0') : 0;
    for (int k = 0; k < digits; ++k) {
      const int d = HexDigit(Peek());
      if (d < 0 || d >= base) {
        return Error(start, "Syntax error: Illegal escape sequence");
      }
      value = value * base + d;
      ++i_;
    }
    if (e == 'u' || e == 'U') {
      if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return Error(start, "Syntax error: Illegal escape sequence");
      }
      AppendUtf8(value, out);
    } else {
      if (value > 0xFF) {
        return Error(start, "Syntax error: Illegal escape sequence");
      }
      *out += static_cast<char>(value);
    }
    return absl::OkStatus();
  }

  absl::string_view q_;
  size_t i_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view query) {
  return Lexer(query).Run();
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kString:
      return "string literal";
    case TokenKind::kQuotedIdentifier:
      return absl::StrCat("identifier `", token.text, "`");
    case TokenKind::kIdentifier:
      return absl::StrCat("\"", token.text, "\"");
    case TokenKind::kInteger:
    case TokenKind::kFloat:
      return absl::StrCat("number ", token.text);
    default:
      return absl::StrCat("\"", token.text, "\"");
  }
}

}  // namespace mlmdx::query
