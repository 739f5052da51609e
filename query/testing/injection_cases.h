// File: query/testing/injection_cases.h
// -----------------------------------------------------------------------------
//
// SQL injection cases shared by the injection tests of every backend:
// hostile payloads and the filter templates that carry them, either as
// proper literals and identifiers (whose value is the payload) or pasted
// raw into the filter text.
//
// Example:
//
//   for (const std::string& payload : InjectionPayloads()) {
//     for (const InjectionTemplate& t : InjectionTemplates()) {
//       CompileFilter(t.make(payload), NodeKind::kArtifact);
//     }
//   }

#ifndef MLMDX_QUERY_TESTING_INJECTION_CASES_H_
#define MLMDX_QUERY_TESTING_INJECTION_CASES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "query/filter.h"

namespace mlmdx::query {

// A filter with a payload in it.
struct InjectionTemplate {
  std::string (*make)(absl::string_view payload);
  // The payload is written as a proper literal or quoted identifier, so
  // that its value is the payload; otherwise it is pasted raw.
  bool escaped;
};

// Quotes, comments, statement separators, placeholders of every driver,
// and bytes that are not valid UTF-8.
const std::vector<std::string>& InjectionPayloads();

// The templates, each used with every payload.
absl::Span<const InjectionTemplate> InjectionTemplates();

// True when `value` is one of the string parameters of `filter`.
bool HasStringParam(const CompiledFilter& filter, absl::string_view value);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_TESTING_INJECTION_CASES_H_
