// File: server/embedded_files.h
// -----------------------------------------------------------------------------
//
// The files compiled into the binary by cmake/EmbedFiles.cmake: the lineage
// page of server/web_ui/ and the .proto files it reads. Only server/web_ui.cc
// reads the table; everyone else asks FindWebUiFile (server/web_ui.h).

#ifndef MLMDX_SERVER_EMBEDDED_FILES_H_
#define MLMDX_SERVER_EMBEDDED_FILES_H_

#include <cstddef>

namespace mlmdx::server {

struct EmbeddedFile {
  // The URL path it is served at, such as "/app.js".
  const char* path;
  const unsigned char* bytes;
  size_t size;
};

// Defined in the generated web_ui_files.cc.
extern const EmbeddedFile kEmbeddedFiles[];
extern const int kEmbeddedFileCount;

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_EMBEDDED_FILES_H_
