#include "server/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "util/log.h"

namespace mlmdx::server {
namespace {

using Json = nlohmann::json;

// The int64 fields of `response` that hold ids (`*_id`, `*_ids`), by name.
Json IdsOf(const google::protobuf::Message& response) {
  Json ids = Json::object();
  const google::protobuf::Descriptor* descriptor = response.GetDescriptor();
  const google::protobuf::Reflection* reflection = response.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
      continue;
    }
    const std::string& name = field->name();
    const bool named_id = absl::EndsWith(name, "_id") ||
                          absl::EndsWith(name, "_ids") || name == "id";
    if (!named_id) continue;
    if (field->is_repeated()) {
      Json values = Json::array();
      for (int j = 0; j < reflection->FieldSize(response, field); ++j) {
        values.push_back(reflection->GetRepeatedInt64(response, field, j));
      }
      if (!values.empty()) ids[name] = std::move(values);
    } else if (reflection->HasField(response, field)) {
      ids[name] = reflection->GetInt64(response, field);
    }
  }
  return ids;
}

}  // namespace

std::string FormatAuditLine(const AuditRecord& record) {
  Json line = Json::object();
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", record.time,
                                absl::UTCTimeZone());
  if (record.caller != nullptr) {
    line["user"] = record.caller->user;
    line["uid"] = record.caller->uid;
    if (record.caller->all_namespaces) {
      line["namespaces"] = Json::array({"*"});
    } else {
      line["namespaces"] = record.caller->namespaces;
    }
    line["auth"] = std::string(AuthMethodName(record.caller->method));
  } else {
    line["user"] = nullptr;
    line["uid"] = nullptr;
    line["namespaces"] = nullptr;
    line["auth"] = nullptr;
  }
  line["method"] = record.method;
  line["ids"] = record.status.ok() && record.response != nullptr
                    ? IdsOf(*record.response)
                    : Json::object();
  line["code"] = absl::StatusCodeToString(record.status.code());
  if (!record.status.ok()) {
    line["message"] = std::string(record.status.message());
  }
  // Microseconds, shown as milliseconds with three decimals.
  line["latency_ms"] =
      static_cast<double>(absl::ToInt64Microseconds(record.latency)) / 1000.0;
  line["peer"] = record.peer;
  // Invalid UTF-8 (a name a client sent) is replaced, never a reason to
  // lose the line.
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(
    const std::string& path) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--audit_log: cannot open ", path,
                     " for appending: ", std::strerror(errno)));
  }
  return std::unique_ptr<AuditLog>(new AuditLog(path, fd));
}

AuditLog::~AuditLog() { close(fd_); }

void AuditLog::Write(const AuditRecord& record) {
  const std::string line = absl::StrCat(FormatAuditLine(record), "\n");
  absl::MutexLock lock(&mutex_);
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      LogError(absl::StrCat("--audit_log ", path_,
                            ": write failed: ", std::strerror(errno)));
      return;
    }
    written += static_cast<size_t>(n);
  }
}

}  // namespace mlmdx::server
