// File: tests/fuzz/handler_fuzzer.cc
// -----------------------------------------------------------------------------
//
// libFuzzer entry point over request decoding and every handler
// (tests/fuzz/handler_fuzz_target.h has the input format). A crash, a
// sanitizer report or a handler answering UNKNOWN/INTERNAL/DATA_LOSS is a
// finding. The store is recreated every kInputsPerStore inputs so that what
// fuzzed writes add stays bounded.
//
// Built by clang with -DMLMDX_BUILD_FUZZERS=ON (README, "Fuzzing"), and by
// g++ into handler_fuzz_replay, which feeds it the committed corpus.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "tests/fuzz/handler_fuzz_target.h"

namespace {

constexpr int kInputsPerStore = 256;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<mlmdx::fuzz::Harness> harness;
  static int inputs_on_store = 0;
  if (harness == nullptr || inputs_on_store == kInputsPerStore) {
    harness.reset();
    auto created = mlmdx::fuzz::Harness::Create();
    if (!created.ok()) {
      std::fprintf(stderr, "cannot seed the store: %s\n",
                   created.status().ToString().c_str());
      std::abort();
    }
    harness = *std::move(created);
    inputs_on_store = 0;
  }
  ++inputs_on_store;
  const absl::Status contract = harness->Run(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!contract.ok()) {
    std::fprintf(stderr, "contract violated: %s\n",
                 contract.ToString().c_str());
    std::abort();
  }
  return 0;
}
