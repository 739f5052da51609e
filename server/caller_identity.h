// File: server/caller_identity.h
// -----------------------------------------------------------------------------
//
// Who is making a call, as the server established it from the call's bearer
// token: the user, a stable id, and the namespaces the token grants. Every
// handler gets one (server/call_scope.h); namespace isolation reads it to
// decide what the caller may see and write.
//
// Example:
//
//   CallerIdentity caller;
//   caller.user = "alice";
//   caller.namespaces = {"team-a"};
//   caller.MayAccess("team-a");  // true

#ifndef MLMDX_SERVER_CALLER_IDENTITY_H_
#define MLMDX_SERVER_CALLER_IDENTITY_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mlmdx::server {

enum class AuthMethod {
  // Authentication is off (no --auth_token_file and no --jwt_jwks_file):
  // every caller is anonymous and may access everything.
  kNone,
  // A token of --auth_token_file.
  kStaticToken,
  // A JWT verified against --jwt_jwks_file.
  kJwt,
};

// "none", "static_token" or "jwt".
absl::string_view AuthMethodName(AuthMethod method);

struct CallerIdentity {
  // The token's user name (the static file's second column, a JWT's `sub`).
  std::string user;
  // A stable id of the user (the static file's third column; a Kubernetes
  // service account's uid, else the JWT's `sub`); may be empty.
  std::string uid;
  // True when the token grants every namespace (`*`); `namespaces` is then
  // empty.
  bool all_namespaces = false;
  // The namespaces the token grants, in the order given; empty: none.
  std::vector<std::string> namespaces;
  AuthMethod method = AuthMethod::kNone;

  bool MayAccess(absl::string_view ns) const {
    return all_namespaces || std::find(namespaces.begin(), namespaces.end(),
                                       ns) != namespaces.end();
  }
};

// The identity of every call when authentication is off.
inline CallerIdentity AnonymousCaller() {
  CallerIdentity caller;
  caller.all_namespaces = true;
  return caller;
}

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_CALLER_IDENTITY_H_
