// File: tests/screenshot.h
// -----------------------------------------------------------------------------
//
// What the browser suites need to judge a page by its looks: where Debian's
// Chromium is, and a PNG screenshot's pixels, counted by colour.
//
// Example:
//
//   Pixels shot;
//   ASSERT_TRUE(ReadPng(path, shot));
//   EXPECT_GT(shot.Count(0xe8eefc), 2000);

#ifndef MLMDX_TESTS_SCREENSHOT_H_
#define MLMDX_TESTS_SCREENSHOT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mlmdx::testing {

// The path of an executable chromium; empty when none is installed.
std::string FindChromium();

struct Pixels {
  int width = 0, height = 0;
  // Four bytes a pixel, row by row.
  std::vector<uint8_t> rgba;
  // Pixels within `tolerance` (per channel) of the colour 0xrrggbb.
  int Count(uint32_t rgb, int tolerance = 6) const;
};

// Decodes the PNG file at `path` into `out`; false when it cannot.
bool ReadPng(const std::string& path, Pixels& out);

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_SCREENSHOT_H_
