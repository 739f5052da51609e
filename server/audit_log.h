// File: server/audit_log.h
// -----------------------------------------------------------------------------
//
// The audit log of --audit_log: one JSON object per line, appended to the
// file with a single write(2) each (so lines from concurrent calls never
// interleave and each is on disk, or at least in the kernel, when the call
// answers). Every write RPC and every refused call gets a line:
//
//   {"ts":"2026-01-02T03:04:05.678Z","user":"alice","uid":"u1",
//    "namespaces":["team-a"],"auth":"static_token",
//    "method":"/ml_metadata.MetadataStoreService/PutArtifacts",
//    "ids":{"artifact_ids":[7,8]},"code":"OK","latency_ms":1.234,
//    "peer":"ipv4:127.0.0.1:53122"}
//
// `user`, `uid` and `namespaces` are null when the caller was not
// identified; `namespaces` is ["*"] for a caller granted all of them;
// `message` is present only when `code` is not "OK"; `ids` lists the id
// fields of the answer (artifact_ids, execution_ids, context_ids, type_id,
// ...), empty when the call failed.
//
// Thread-safety: thread-safe.
//
// Example:
//
//   auto log = AuditLog::Open("/var/log/mlmdx/audit.jsonl");
//   (*log)->Write(record);

#ifndef MLMDX_SERVER_AUDIT_LOG_H_
#define MLMDX_SERVER_AUDIT_LOG_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "server/caller_identity.h"

namespace mlmdx::server {

struct AuditRecord {
  absl::Time time;
  // Null when the call was refused before its caller was known.
  const CallerIdentity* caller = nullptr;
  // The full gRPC method, e.g. "/ml_metadata.MetadataStoreService/PutTypes".
  std::string method;
  // The answer whose id fields are logged; null or ignored on error.
  const google::protobuf::Message* response = nullptr;
  absl::Status status;
  absl::Duration latency;
  std::string peer;
};

// The record as one line of JSON (no newline).
std::string FormatAuditLine(const AuditRecord& record);

class AuditLog {
 public:
  // Opens `path` for appending, creating it (mode 0640) if needed;
  // INVALID_ARGUMENT naming the file when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const std::string& path);
  ~AuditLog();

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends the record's line. A failed write is reported in the server's
  // log (once per failure) and does not fail the call.
  void Write(const AuditRecord& record);

 private:
  AuditLog(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  absl::Mutex mutex_;
  const int fd_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_AUDIT_LOG_H_
