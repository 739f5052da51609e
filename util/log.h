// File: util/log.h
// -----------------------------------------------------------------------------
//
// Minimal structured logging to stderr: one line per event, with a UTC
// timestamp and a level. Thread-safe (each line is written with one call).

#ifndef MLMDX_UTIL_LOG_H_
#define MLMDX_UTIL_LOG_H_

#include "absl/strings/string_view.h"

namespace mlmdx {

void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

}  // namespace mlmdx

#endif  // MLMDX_UTIL_LOG_H_
