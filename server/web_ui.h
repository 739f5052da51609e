// File: server/web_ui.h
// -----------------------------------------------------------------------------
//
// The lineage page (`mlmdx serve --grpc_web_port P --web_ui`): static files
// built into the binary and served by the grpc-web gateway for GET and HEAD,
// so that the page's own grpc-web calls go to the same origin. The files live
// in server/web_ui/ (index.html, app.js, style.css, vendor/) and are read at
// build time; the page also loads the service's .proto files, served under
// /proto/, to encode its requests.
//
// Example:
//
//   std::optional<WebUiFile> file = FindWebUiFile("/");
//   if (file) Send(file->content_type, file->bytes);

#ifndef MLMDX_SERVER_WEB_UI_H_
#define MLMDX_SERVER_WEB_UI_H_

#include <optional>

#include "absl/strings/string_view.h"

namespace mlmdx::server {

struct WebUiFile {
  absl::string_view bytes;
  // A media type with its charset where it is text.
  absl::string_view content_type;
};

// The file served at `url_path` ("/" is the page itself); nullopt for every
// other path.
std::optional<WebUiFile> FindWebUiFile(absl::string_view url_path);

// Sent with every file: scripts, styles and calls from this origin only, no
// inline script and no eval (the page encodes messages without protobuf.js's
// compiled codecs for this), no frames.
inline constexpr char kWebUiContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_WEB_UI_H_
