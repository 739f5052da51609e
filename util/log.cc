#include "util/log.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace mlmdx {
namespace {

std::atomic<LogFormat> log_format{LogFormat::kText};

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

std::string Now() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                          absl::UTCTimeZone());
}

void WriteLine(std::string line) {
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

// Messages may carry bytes from requests (names, filters) that are not
// UTF-8: replace them rather than fail, so that every line stays JSON.
std::string Dump(const nlohmann::json& object) {
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat(
      "--log_format: unknown value '", name, "'; use text or json"));
}

void SetLogFormat(LogFormat format) { log_format.store(format); }

void Log(LogLevel level, absl::string_view message) {
  if (log_format.load(std::memory_order_relaxed) == LogFormat::kText) {
    WriteLine(absl::StrCat(Now(), " ", LevelName(level), " ", message));
    return;
  }
  nlohmann::json object;
  object["ts"] = Now();
  object["level"] = std::string(LevelName(level));
  object["msg"] = std::string(message);
  WriteLine(Dump(object));
}

void LogInfo(absl::string_view message) { Log(LogLevel::kInfo, message); }
void LogWarning(absl::string_view message) { Log(LogLevel::kWarning, message); }
void LogError(absl::string_view message) { Log(LogLevel::kError, message); }

void LogRequest(LogLevel level, absl::string_view method,
                absl::string_view code, double latency_ms,
                absl::string_view message) {
  const std::string text = absl::StrCat(
      method, " ",
      code == "OK" ? "OK" : absl::StrCat("failed: ", code, ": ", message));
  if (log_format.load(std::memory_order_relaxed) == LogFormat::kText) {
    WriteLine(absl::StrFormat("%s %s %s (%.3f ms)", Now(), LevelName(level),
                              text, latency_ms));
    return;
  }
  nlohmann::json object;
  object["ts"] = Now();
  object["level"] = std::string(LevelName(level));
  object["msg"] = text;
  object["method"] = std::string(method);
  object["code"] = std::string(code);
  object["latency_ms"] = latency_ms;
  WriteLine(Dump(object));
}

}  // namespace mlmdx
