// File: server/jwt_verifier.h
// -----------------------------------------------------------------------------
//
// Verifies JSON Web Tokens (RFC 7519) signed with RS256 or ES256 against the
// public keys of a JWKS file (RFC 7517), as Kubernetes service-account
// tokens and OpenID Connect issuers' ID tokens are. The signature check is
// libjwt's (with OpenSSL); this class picks the key, allows only RS256 and
// ES256 (never `none` or HMAC, whose "secret" would be the public key), and
// checks the claims:
//
//   - `exp` is required and must not have passed, `nbf` (when present) must
//     have come, each with `leeway` for clock skew;
//   - `iss` must equal the expected issuer;
//   - `aud` (a string or an array) must contain the expected audience.
//
// The caller's namespaces come from the claim named by `namespaces_claim`,
// a dotted path (`kubernetes.io.namespace` finds {"kubernetes.io":
// {"namespace": ...}}: keys containing dots are matched whole), holding a
// string or an array of strings; `*` grants all.
//
// The JWKS file is re-read when it changes, so that keys can be rotated; a
// file that no longer parses keeps the previous keys in force.
//
// Thread-safety: thread-safe.
//
// Example:
//
//   JwtOptions options;
//   options.jwks_file = "/etc/mlmdx/jwks.json";
//   options.issuer = "https://kubernetes.default.svc";
//   options.audience = "mlmdx";
//   auto verifier = JwtVerifier::Create(options);
//   absl::StatusOr<CallerIdentity> caller = (*verifier)->Verify(token);

#ifndef MLMDX_SERVER_JWT_VERIFIER_H_
#define MLMDX_SERVER_JWT_VERIFIER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/caller_identity.h"
#include "server/file_watch.h"

namespace mlmdx::server {

struct JwtOptions {
  // JSON file {"keys": [...]} of RSA (n, e) and EC P-256 (crv, x, y) public
  // keys, each with an optional `kid`.
  std::string jwks_file;
  // Required value of `iss`.
  std::string issuer;
  // Required member of `aud`.
  std::string audience;
  // Dotted path of the claim listing the caller's namespaces; empty: the
  // token grants none.
  std::string namespaces_claim = "kubernetes.io.namespace";
  // Clock skew allowed on `exp` and `nbf`.
  absl::Duration leeway = absl::Seconds(30);
};

// One public key of a JWKS, as PEM for libjwt.
struct JsonWebKey {
  std::string kid;
  // "RS256" for RSA keys, "ES256" for EC P-256 keys.
  std::string alg;
  std::string pem;
};

// Parses a JWKS document. INVALID_ARGUMENT names `source` and the key (by
// index and kid) that is malformed or of an unsupported type or curve.
absl::StatusOr<std::vector<JsonWebKey>> ParseJwks(absl::string_view json,
                                                  absl::string_view source);

class JwtVerifier {
 public:
  // Reads the JWKS file; INVALID_ARGUMENT when an option is missing or the
  // file cannot be read or parsed.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(
      const JwtOptions& options);

  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // The caller `token` identifies, or UNAUTHENTICATED saying why it is
  // refused (malformed, algorithm, unknown key, bad signature, expired, not
  // yet valid, issuer, audience).
  absl::StatusOr<CallerIdentity> Verify(absl::string_view token,
                                        absl::Time now = absl::Now());

 private:
  explicit JwtVerifier(const JwtOptions& options);
  absl::Status LoadKeys() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The keys that may have signed a token with header `alg` and `kid`.
  std::vector<JsonWebKey> CandidateKeys(const std::string& alg,
                                        const std::string& kid);

  const JwtOptions options_;
  absl::Mutex mutex_;
  FileWatch watch_ ABSL_GUARDED_BY(mutex_);
  std::vector<JsonWebKey> keys_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_JWT_VERIFIER_H_
