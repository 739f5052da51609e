// File: bench/bench_sizes.h
// -----------------------------------------------------------------------------
//
// The store sizes a benchmark program runs at: `--mlmdx_bench_sizes=a,b,...`,
// else the environment variable MLMDX_BENCH_SIZES, else the program's
// default. The flag is removed from argv so that benchmark::Initialize does
// not reject it.

#ifndef MLMDX_BENCH_BENCH_SIZES_H_
#define MLMDX_BENCH_BENCH_SIZES_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace mlmdx::bench {

// Exits with status 2 on a size that is not an integer >= `min_size`.
inline std::vector<int64_t> TakeBenchSizes(int* argc, char** argv,
                                           absl::string_view default_sizes,
                                           int64_t min_size) {
  constexpr absl::string_view kFlag = "--mlmdx_bench_sizes=";
  std::string text(default_sizes);
  if (const char* env = std::getenv("MLMDX_BENCH_SIZES")) text = env;
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    if (absl::StartsWith(argv[i], kFlag)) {
      text = std::string(argv[i] + kFlag.size());
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  std::vector<int64_t> sizes;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int64_t size = 0;
    if (!absl::SimpleAtoi(part, &size) || size < min_size) {
      std::fprintf(stderr, "bad size '%s' (need integers >= %lld)\n",
                   std::string(part).c_str(), static_cast<long long>(min_size));
      std::exit(2);
    }
    sizes.push_back(size);
  }
  if (sizes.empty()) {
    std::fprintf(stderr, "no benchmark size given\n");
    std::exit(2);
  }
  return sizes;
}

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_BENCH_SIZES_H_
