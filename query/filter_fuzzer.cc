// File: query/filter_fuzzer.cc
// -----------------------------------------------------------------------------
//
// libFuzzer target for CompileFilter. Every input is compiled for every node
// kind; it must either fail with INVALID_ARGUMENT (in the documented message
// layout) or give SQL that prepares and runs on the MLMD schema with exactly
// as many placeholders as parameters (CheckFilterContract). Built only with
// clang and -DMLMDX_BUILD_FUZZERS=ON; the seed corpus is query/fuzz_corpus/,
// which fuzz_corpus_replay_test also runs under gcc.
//
// Example:
//
//   cp -r query/fuzz_corpus /tmp/corpus
//   ./build-fuzz/query/filter_fuzzer -dict=query/filter_fuzzer.dict \
//       -runs=1000000 -max_len=4096 -timeout=2 /tmp/corpus

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "query/testing/schema_db.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mlmdx::query::SchemaDb* db = [] {
    auto opened =
        mlmdx::query::SchemaDb::Open(mlmdx::query::EmbeddedSqliteSchema());
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
      std::abort();
    }
    return opened->release();
  }();
  const absl::Status status = mlmdx::query::CheckFilterContract(
      *db, absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!status.ok()) {
    std::fprintf(stderr, "contract violated: %s\n", status.ToString().c_str());
    std::abort();
  }
  return 0;
}
