// File: server/authenticator.h
// -----------------------------------------------------------------------------
//
// Establishes who is calling from the call's `authorization: Bearer TOKEN`
// metadata: a token of the static token file (server/static_tokens.h), else
// a JWT (server/jwt_verifier.h). Off unless one of them is configured; then
// every caller is anonymous with access to everything, as with MLMD.
//
// Thread-safety: thread-safe.
//
// Example:
//
//   AuthOptions options;
//   options.token_file = "/etc/mlmdx/tokens.csv";
//   auto authenticator = Authenticator::Create(options);
//   absl::StatusOr<CallerIdentity> caller =
//       (*authenticator)->Authenticate(*server_context);

#ifndef MLMDX_SERVER_AUTHENTICATOR_H_
#define MLMDX_SERVER_AUTHENTICATOR_H_

#include <grpcpp/server_context.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/caller_identity.h"
#include "server/jwt_verifier.h"
#include "server/static_tokens.h"

namespace mlmdx::server {

struct AuthOptions {
  // --auth_token_file; empty: no static tokens.
  std::string token_file;
  // JWTs are accepted when jwt.jwks_file is set.
  JwtOptions jwt;

  bool enabled() const { return !token_file.empty() || !jwt.jwks_file.empty(); }
};

class Authenticator {
 public:
  // Reads the configured files; INVALID_ARGUMENT naming the file (and line)
  // when one cannot be read or parsed, or when a JWT option is missing.
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(
      const AuthOptions& options);

  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // The caller, or UNAUTHENTICATED with a message saying why: no bearer
  // token, a token nobody issued, or a JWT refused (expired, wrong issuer,
  // ...). The message never repeats the token.
  absl::StatusOr<CallerIdentity> Authenticate(
      const grpc::ServerContext& context);
  // The same for the token alone (the part after "Bearer ").
  absl::StatusOr<CallerIdentity> AuthenticateToken(absl::string_view token);

 private:
  Authenticator() = default;

  std::unique_ptr<StaticTokenFile> static_tokens_;
  std::unique_ptr<JwtVerifier> jwt_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_AUTHENTICATOR_H_
