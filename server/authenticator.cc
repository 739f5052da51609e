#include "server/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mlmdx::server {

absl::string_view AuthMethodName(AuthMethod method) {
  switch (method) {
    case AuthMethod::kNone:
      return "none";
    case AuthMethod::kStaticToken:
      return "static_token";
    case AuthMethod::kJwt:
      return "jwt";
  }
  return "none";
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(
    const AuthOptions& options) {
  std::unique_ptr<Authenticator> authenticator(new Authenticator());
  if (!options.token_file.empty()) {
    absl::StatusOr<std::unique_ptr<StaticTokenFile>> file =
        StaticTokenFile::Open(options.token_file);
    if (!file.ok()) return file.status();
    authenticator->static_tokens_ = *std::move(file);
  }
  if (!options.jwt.jwks_file.empty()) {
    absl::StatusOr<std::unique_ptr<JwtVerifier>> jwt =
        JwtVerifier::Create(options.jwt);
    if (!jwt.ok()) return jwt.status();
    authenticator->jwt_ = *std::move(jwt);
  }
  return authenticator;
}

absl::StatusOr<CallerIdentity> Authenticator::Authenticate(
    const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "this server requires a token: send 'authorization: Bearer <token>' "
        "metadata (mlmdx CLI: --token or MLMDX_TOKEN)");
  }
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError(
        "the authorization metadata is not 'Bearer <token>'");
  }
  return AuthenticateToken(
      absl::StripAsciiWhitespace(value.substr(kScheme.size())));
}

absl::StatusOr<CallerIdentity> Authenticator::AuthenticateToken(
    absl::string_view token) {
  if (static_tokens_ != nullptr) {
    std::optional<CallerIdentity> caller = static_tokens_->Lookup(token);
    if (caller.has_value()) return *std::move(caller);
  }
  // A JWT has three dot-separated parts; anything else is a static token
  // nobody issued.
  if (jwt_ != nullptr && absl::StrContains(token, ".")) {
    return jwt_->Verify(token);
  }
  return absl::UnauthenticatedError(
      "the bearer token is not one this server accepts (unknown or "
      "revoked)");
}

}  // namespace mlmdx::server
