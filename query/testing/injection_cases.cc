// File: query/testing/injection_cases.cc

#include "query/testing/injection_cases.h"

#include <variant>

#include "absl/strings/str_cat.h"

namespace mlmdx::query {

const std::vector<std::string>& InjectionPayloads() {
  static const auto* payloads = new std::vector<std::string>{
      "x' OR 1=1 --",
      "x\" OR 1=1",
      "x'' OR 1=1 --",
      "'; DROP TABLE Artifact; --",
      "Robert'); DROP TABLE Type;--",
      "1; DELETE FROM Artifact",
      "*/ OR 1=1 /*",
      "' OR '1'='1",
      "%' OR '1'='1",
      "x` UNION SELECT id FROM Type --",
      "table_0.id",
      "?",
      "?1 ?2 ??",
      ":name @p $1",
      "NULL",
      ") OR (1=1",
      "\\' OR 1=1 --",
      "\\\\'; DROP TABLE Event; --",
      "'||(SELECT name FROM sqlite_master)||'",
      "x\nOR 1=1",
      "semi;colon",
      "back`tick",
      "UNION ALL SELECT 1",
      "'); ATTACH DATABASE '/tmp/x' AS x; --",
      "x\x01\x7f\xff",
  };
  return *payloads;
}

namespace {

// Escapes `text` for a ZetaSQL literal or identifier quoted with `quote`.
std::string Escape(absl::string_view text, char quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == quote) out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

const InjectionTemplate kTemplates[] = {
    {[](absl::string_view p) {
       return absl::StrCat("name = '", Escape(p, '\''), "'");
     },
     true},
    {[](absl::string_view p) {
       return absl::StrCat("name = \"", Escape(p, '"'), "\"");
     },
     true},
    {[](absl::string_view p) {
       return absl::StrCat("name IN ('a', '", Escape(p, '\''), "') OR id = 1");
     },
     true},
    {[](absl::string_view p) {
       return absl::StrCat("custom_properties.`", Escape(p, '`'),
                           "`.string_value = 'v'");
     },
     true},
    {[](absl::string_view p) {
       return absl::StrCat("properties.`", Escape(p, '`'),
                           "`.int_value > 1 AND name LIKE '", Escape(p, '\''),
                           "'");
     },
     true},
    {[](absl::string_view p) {
       return absl::StrCat("type = '''", Escape(p, '\''), "''' AND id > 0");
     },
     true},
    {[](absl::string_view p) { return absl::StrCat("name = '", p, "'"); },
     false},
    {[](absl::string_view p) {
       return absl::StrCat("custom_properties.`", p, "`.int_value = 1");
     },
     false},
};

}  // namespace

absl::Span<const InjectionTemplate> InjectionTemplates() { return kTemplates; }

bool HasStringParam(const CompiledFilter& filter, absl::string_view value) {
  for (const SqlParam& param : filter.params) {
    if (const auto* s = std::get_if<std::string>(&param); s && *s == value) {
      return true;
    }
  }
  return false;
}

}  // namespace mlmdx::query
