// File: server/call_scope.h
// -----------------------------------------------------------------------------
//
// What every handler of the server's own services (MetadataStoreService,
// mlmdx.LineageService) does first and last: establish the caller
// (server/authenticator.h) and, once answered, log the call to the audit
// log (server/audit_log.h) when it wrote or was refused. Health and
// reflection are not among them: probes and tools reach those without a
// token.
//
// Thread-safety: AccessControl is thread-safe; a CallScope belongs to one
// call.
//
// Example:
//
//   grpc::Status Service::PutThing(grpc::ServerContext* context, ...) {
//     CallScope call(access_, *context, "/pkg.Service/PutThing", true);
//     absl::Status status = call.admission();
//     if (status.ok()) status = DoPut(call.caller(), ...);
//     call.Finish(status, response);
//     return ToGrpcStatus(status);
//   }

#ifndef MLMDX_SERVER_CALL_SCOPE_H_
#define MLMDX_SERVER_CALL_SCOPE_H_

#include <grpcpp/server_context.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "server/audit_log.h"
#include "server/authenticator.h"
#include "server/caller_identity.h"
#include "store/visible_namespaces.h"

namespace mlmdx::server {

struct AccessOptions {
  AuthOptions auth;
  // --audit_log; empty: no audit log.
  std::string audit_log;
};

class AccessControl {
 public:
  // INVALID_ARGUMENT naming the file (and line) that cannot be read, parsed
  // or opened.
  static absl::StatusOr<std::unique_ptr<AccessControl>> Create(
      const AccessOptions& options);

  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  // Null when authentication is off.
  Authenticator* authenticator() { return authenticator_.get(); }
  // Null when there is no audit log.
  AuditLog* audit_log() { return audit_log_.get(); }

 private:
  AccessControl() = default;

  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<AuditLog> audit_log_;
};

class CallScope {
 public:
  // Authenticates the call now, and for a caller not granted every
  // namespace opens a store::VisibleNamespacesScope of its namespaces on
  // this thread for the scope's life. `access` null: everything open,
  // nothing logged. `method` is the full gRPC method name; `is_write` says
  // whether the call is logged when it succeeds.
  CallScope(AccessControl* access, const grpc::ServerContext& context,
            std::string method, bool is_write);

  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

  // OK, or UNAUTHENTICATED saying why the caller is refused; the handler
  // then does nothing else.
  const absl::Status& admission() const { return admission_; }
  // The caller; only meaningful when admission() is OK.
  const CallerIdentity& caller() const { return caller_; }

  // Logs the call when it is a write or was refused. `response` supplies
  // the ids written.
  void Finish(const absl::Status& status,
              const google::protobuf::Message& response);

 private:
  AccessControl* const access_;
  const grpc::ServerContext& context_;
  const std::string method_;
  const bool is_write_;
  const absl::Time start_ = absl::Now();
  absl::Status admission_;
  CallerIdentity caller_;
  // Set for a caller limited to some namespaces; `visible_scope_` comes
  // after `visible_` so that it closes first.
  std::optional<store::VisibleNamespaces> visible_;
  std::optional<store::VisibleNamespacesScope> visible_scope_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_CALL_SCOPE_H_
