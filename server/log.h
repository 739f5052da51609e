// File: server/log.h
// -----------------------------------------------------------------------------
//
// Minimal structured logging to stderr: one line per event, with a UTC
// timestamp and a level. Thread-safe (each line is written with one call).

#ifndef MLMDX_SERVER_LOG_H_
#define MLMDX_SERVER_LOG_H_

#include "absl/strings/string_view.h"

namespace mlmdx::server {

void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_LOG_H_
