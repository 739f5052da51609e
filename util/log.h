// File: util/log.h
// -----------------------------------------------------------------------------
//
// Minimal structured logging to stderr: one line per event. Thread-safe
// (each line is written with one call).
//
// Two formats, chosen once at start-up:
//   text (default)  2026-01-02T03:04:05.678Z INFO message
//   json            {"ts":"2026-01-02T03:04:05.678Z","level":"INFO",
//                    "msg":"message"}
// A finished call (LogRequest) adds its method, status code and latency:
// text appends them to the message, json gives them their own fields
// "method", "code" and "latency_ms".
//
// Example:
//
//   SetLogFormat(LogFormat::kJson);
//   LogInfo("listening");
//   LogRequest(LogLevel::kWarning, "GetArtifactType", "NOT_FOUND", 0.42,
//              "no type named Model");

#ifndef MLMDX_UTIL_LOG_H_
#define MLMDX_UTIL_LOG_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlmdx {

enum class LogFormat { kText, kJson };
enum class LogLevel { kInfo, kWarning, kError };

// "text" or "json"; INVALID_ARGUMENT naming --log_format otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// REQUIRES: called before other threads log.
void SetLogFormat(LogFormat format);

void Log(LogLevel level, absl::string_view message);
void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

// One finished call: `method` as "GetArtifacts", `code` as "NOT_FOUND".
// The line's message is "<method> failed: <code>: <message>" when the code
// is not OK, "<method> OK" when it is; text appends " (<latency> ms)".
void LogRequest(LogLevel level, absl::string_view method,
                absl::string_view code, double latency_ms,
                absl::string_view message);

}  // namespace mlmdx

#endif  // MLMDX_UTIL_LOG_H_
