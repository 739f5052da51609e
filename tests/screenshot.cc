#include "tests/screenshot.h"

#include <png.h>
#include <unistd.h>

#include <cstdlib>

namespace mlmdx::testing {

std::string FindChromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

int Pixels::Count(uint32_t rgb, int tolerance) const {
  const int r = static_cast<int>(rgb >> 16);
  const int g = static_cast<int>((rgb >> 8) & 0xff);
  const int b = static_cast<int>(rgb & 0xff);
  int n = 0;
  for (size_t i = 0; i + 3 < rgba.size(); i += 4) {
    if (std::abs(rgba[i] - r) <= tolerance &&
        std::abs(rgba[i + 1] - g) <= tolerance &&
        std::abs(rgba[i + 2] - b) <= tolerance) {
      ++n;
    }
  }
  return n;
}

bool ReadPng(const std::string& path, Pixels& out) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return false;
  image.format = PNG_FORMAT_RGBA;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgba.resize(PNG_IMAGE_SIZE(image));
  return png_image_finish_read(&image, nullptr, out.rgba.data(), 0, nullptr);
}

}  // namespace mlmdx::testing
