// File: tests/fuzz/replay_main.cc
// -----------------------------------------------------------------------------
//
// Feeds files to LLVMFuzzerTestOneInput without libFuzzer, so that a normal
// (g++) build replays the handler fuzzer's corpus and regression inputs.
// Each argument is a file or a directory (its files, sorted). Exits
// non-zero when an argument cannot be read or holds no file; a finding
// aborts, as it does under libFuzzer.
//
// Example:
//
//   build/ci/tests/fuzz/handler_fuzz_replay tests/fuzz/corpus
//   build/ci/tests/fuzz/handler_fuzz_replay tests/fuzz/regressions/crash-1

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path path(argv[i]);
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<fs::path> in_directory;
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file()) in_directory.push_back(entry.path());
      }
      std::sort(in_directory.begin(), in_directory.end());
      if (in_directory.empty()) {
        std::fprintf(stderr, "%s: no input files\n", argv[i]);
        return 1;
      }
      files.insert(files.end(), in_directory.begin(), in_directory.end());
    } else if (fs::is_regular_file(path, error)) {
      files.push_back(path);
    } else {
      std::fprintf(stderr, "%s: not a file or directory\n", argv[i]);
      return 1;
    }
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "%s: cannot read\n", file.c_str());
      return 1;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                           bytes.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
