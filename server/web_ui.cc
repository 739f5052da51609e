#include "server/web_ui.h"

#include "absl/strings/match.h"
#include "server/embedded_files.h"

namespace mlmdx::server {
namespace {

absl::string_view ContentTypeOf(absl::string_view path) {
  if (absl::EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(path, ".svg")) return "image/svg+xml";
  return "text/plain; charset=utf-8";
}

}  // namespace

std::optional<WebUiFile> FindWebUiFile(absl::string_view url_path) {
  if (url_path == "/") url_path = "/index.html";
  for (int i = 0; i < kEmbeddedFileCount; ++i) {
    const EmbeddedFile& file = kEmbeddedFiles[i];
    if (url_path != file.path) continue;
    return WebUiFile{
        absl::string_view(reinterpret_cast<const char*>(file.bytes), file.size),
        ContentTypeOf(file.path)};
  }
  return std::nullopt;
}

}  // namespace mlmdx::server
