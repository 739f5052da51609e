#include "server/call_scope.h"

namespace mlmdx::server {

absl::StatusOr<std::unique_ptr<AccessControl>> AccessControl::Create(
    const AccessOptions& options) {
  std::unique_ptr<AccessControl> access(new AccessControl());
  if (options.auth.enabled()) {
    absl::StatusOr<std::unique_ptr<Authenticator>> authenticator =
        Authenticator::Create(options.auth);
    if (!authenticator.ok()) return authenticator.status();
    access->authenticator_ = *std::move(authenticator);
  }
  if (!options.audit_log.empty()) {
    absl::StatusOr<std::unique_ptr<AuditLog>> log =
        AuditLog::Open(options.audit_log);
    if (!log.ok()) return log.status();
    access->audit_log_ = *std::move(log);
  }
  return access;
}

CallScope::CallScope(AccessControl* access, const grpc::ServerContext& context,
                     std::string method, bool is_write)
    : access_(access),
      context_(context),
      method_(std::move(method)),
      is_write_(is_write),
      caller_(AnonymousCaller()) {
  if (access_ == nullptr || access_->authenticator() == nullptr) return;
  absl::StatusOr<CallerIdentity> caller =
      access_->authenticator()->Authenticate(context_);
  if (caller.ok()) {
    caller_ = *std::move(caller);
    if (!caller_.all_namespaces) {
      visible_.emplace(caller_.namespaces);
      visible_scope_.emplace(&*visible_);
    }
  } else {
    admission_ = caller.status();
  }
}

void CallScope::Finish(const absl::Status& status,
                       const google::protobuf::Message& response) {
  if (access_ == nullptr || access_->audit_log() == nullptr) return;
  const bool refused =
      absl::IsUnauthenticated(status) || absl::IsPermissionDenied(status);
  if (!is_write_ && !refused) return;
  AuditRecord record;
  record.time = absl::Now();
  record.caller = admission_.ok() ? &caller_ : nullptr;
  record.method = method_;
  record.response = &response;
  record.status = status;
  record.latency = record.time - start_;
  record.peer = context_.peer();
  access_->audit_log()->Write(record);
}

}  // namespace mlmdx::server
