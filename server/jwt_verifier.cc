#include "server/jwt_verifier.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "util/log.h"

namespace mlmdx::server {
namespace {

using Json = nlohmann::json;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuildPtr =
    std::unique_ptr<OSSL_PARAM_BLD,
                    Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr =
    std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using KeyContextPtr =
    std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using JwtPtr = std::unique_ptr<jwt_t, Deleter<jwt_t, jwt_free>>;

void FreeBio(BIO* bio) { BIO_free(bio); }
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, FreeBio>>;

// Parses JSON without exceptions: nullopt unless `text` is a JSON object.
std::optional<Json> ParseObject(absl::string_view text) {
  Json json = Json::parse(text.begin(), text.end(), nullptr,
                          /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

// The string member `key` of `object`, or "" when absent or not a string.
std::string StringMember(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// A base64url member of a JWK, decoded; nullopt when absent or malformed.
std::optional<std::string> Base64UrlMember(const Json& jwk, const char* key) {
  const std::string encoded = StringMember(jwk, key);
  std::string decoded;
  if (encoded.empty() || !absl::WebSafeBase64Unescape(encoded, &decoded)) {
    return std::nullopt;
  }
  return decoded;
}

BignumPtr ToBignum(const std::string& bytes) {
  return BignumPtr(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                static_cast<int>(bytes.size()), nullptr));
}

// Builds a public key of `type` ("RSA" or "EC") from `params` and writes it
// as PEM; "" when OpenSSL refuses the parameters.
std::string PublicKeyPem(const char* type, OSSL_PARAM_BLD* build) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(build));
  KeyContextPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (params == nullptr || context == nullptr ||
      EVP_PKEY_fromdata_init(context.get()) <= 0) {
    return "";
  }
  EVP_PKEY* raw_key = nullptr;
  if (EVP_PKEY_fromdata(context.get(), &raw_key, EVP_PKEY_PUBLIC_KEY,
                        params.get()) <= 0) {
    return "";
  }
  KeyPtr key(raw_key);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return "";
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, length);
}

absl::StatusOr<std::string> RsaPem(const Json& jwk) {
  std::optional<std::string> n = Base64UrlMember(jwk, "n");
  std::optional<std::string> e = Base64UrlMember(jwk, "e");
  if (!n.has_value() || !e.has_value()) {
    return absl::InvalidArgumentError(
        "an RSA key needs base64url members n and e");
  }
  BignumPtr modulus = ToBignum(*n);
  BignumPtr exponent = ToBignum(*e);
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (modulus == nullptr || exponent == nullptr || build == nullptr ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N,
                              modulus.get()) ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E,
                              exponent.get())) {
    return absl::InvalidArgumentError("cannot build the RSA key");
  }
  std::string pem = PublicKeyPem("RSA", build.get());
  if (pem.empty()) {
    return absl::InvalidArgumentError("OpenSSL refuses the RSA key's n and e");
  }
  return pem;
}

absl::StatusOr<std::string> EcPem(const Json& jwk) {
  const std::string curve = StringMember(jwk, "crv");
  if (curve != "P-256") {
    return absl::InvalidArgumentError(absl::StrCat(
        "EC curve '", curve, "' is not supported (only P-256, for ES256)"));
  }
  std::optional<std::string> x = Base64UrlMember(jwk, "x");
  std::optional<std::string> y = Base64UrlMember(jwk, "y");
  if (!x.has_value() || !y.has_value() || x->size() != 32 || y->size() != 32) {
    return absl::InvalidArgumentError(
        "a P-256 key needs base64url members x and y of 32 bytes each");
  }
  // The uncompressed point: 0x04, then x, then y (SEC 1, 2.3.3).
  const std::string point = absl::StrCat("\x04", *x, *y);
  ParamBuildPtr build(OSSL_PARAM_BLD_new());
  static char kGroup[] = "prime256v1";
  if (build == nullptr ||
      !OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                       kGroup, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                        point.data(), point.size())) {
    return absl::InvalidArgumentError("cannot build the EC key");
  }
  std::string pem = PublicKeyPem("EC", build.get());
  if (pem.empty()) {
    return absl::InvalidArgumentError(
        "OpenSSL refuses the EC key's x and y (not a point of P-256)");
  }
  return pem;
}

// Finds the claim at `path[from..]` under `object`, matching keys that
// contain dots whole: the longest run of segments that names a key wins.
const Json* FindClaim(const Json& object, const std::vector<std::string>& path,
                      size_t from) {
  if (!object.is_object()) return nullptr;
  for (size_t end = path.size(); end > from; --end) {
    const std::string key =
        absl::StrJoin(path.begin() + from, path.begin() + end, ".");
    auto it = object.find(key);
    if (it == object.end()) continue;
    if (end == path.size()) return &*it;
    if (const Json* found = FindClaim(*it, path, end)) return found;
  }
  return nullptr;
}

absl::Status Refuse(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("JWT refused: ", why));
}

std::string FormatSeconds(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::vector<JsonWebKey>> ParseJwks(absl::string_view json,
                                                  absl::string_view source) {
  std::optional<Json> document = ParseObject(json);
  if (!document.has_value() || !document->contains("keys") ||
      !(*document)["keys"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a JWKS document (a JSON object with a \"keys\" array)"));
  }
  std::vector<JsonWebKey> keys;
  const Json& list = (*document)["keys"];
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& jwk = list[i];
    JsonWebKey key;
    key.kid = jwk.is_object() ? StringMember(jwk, "kid") : "";
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": key ", i, key.kid.empty() ? "" : " (kid '",
                       key.kid, key.kid.empty() ? "" : "')", ": ", why));
    };
    if (!jwk.is_object()) return fail("not a JSON object");
    const std::string type = StringMember(jwk, "kty");
    absl::StatusOr<std::string> pem;
    if (type == "RSA") {
      key.alg = "RS256";
      pem = RsaPem(jwk);
    } else if (type == "EC") {
      key.alg = "ES256";
      pem = EcPem(jwk);
    } else {
      return fail(absl::StrCat("key type (kty) '", type,
                               "' is not supported; use RSA or EC"));
    }
    if (!pem.ok()) return fail(pem.status().message());
    const std::string declared = StringMember(jwk, "alg");
    if (!declared.empty() && declared != key.alg) {
      return fail(absl::StrCat("alg '", declared, "' does not fit a ", type,
                               " key here (", key.alg, " is accepted)"));
    }
    key.pem = *std::move(pem);
    keys.push_back(std::move(key));
  }
  return keys;
}

JwtVerifier::JwtVerifier(const JwtOptions& options)
    : options_(options), watch_(options.jwks_file, absl::Milliseconds(250)) {}

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(
    const JwtOptions& options) {
  if (options.issuer.empty() || options.audience.empty()) {
    return absl::InvalidArgumentError(
        "--jwt_jwks_file needs --jwt_issuer and --jwt_audience: a token is "
        "accepted only from one issuer and for this server");
  }
  std::unique_ptr<JwtVerifier> verifier(new JwtVerifier(options));
  absl::MutexLock lock(&verifier->mutex_);
  absl::Status status = verifier->LoadKeys();
  if (!status.ok()) return status;
  return verifier;
}

absl::Status JwtVerifier::LoadKeys() {
  watch_.MarkRead();
  std::ifstream in(options_.jwks_file, std::ios::binary);
  if (!in.is_open()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--jwt_jwks_file: cannot read ", options_.jwks_file));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<JsonWebKey>> keys = ParseJwks(
      text.str(), absl::StrCat("--jwt_jwks_file ", options_.jwks_file));
  if (!keys.ok()) return keys.status();
  keys_ = *std::move(keys);
  return absl::OkStatus();
}

std::vector<JsonWebKey> JwtVerifier::CandidateKeys(const std::string& alg,
                                                   const std::string& kid) {
  absl::MutexLock lock(&mutex_);
  if (watch_.Changed()) {
    const absl::Status status = LoadKeys();
    if (status.ok()) {
      LogInfo(absl::StrCat("reloaded --jwt_jwks_file ", options_.jwks_file,
                           ": ", keys_.size(), " keys"));
    } else {
      LogWarning(
          absl::StrCat(status.message(), "; keeping the keys read before"));
    }
  }
  std::vector<JsonWebKey> candidates;
  for (const JsonWebKey& key : keys_) {
    if (key.alg == alg && (kid.empty() || key.kid == kid)) {
      candidates.push_back(key);
    }
  }
  return candidates;
}

absl::StatusOr<CallerIdentity> JwtVerifier::Verify(absl::string_view token,
                                                   absl::Time now) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string header_text, payload_text;
  if (parts.size() != 3 ||
      !absl::WebSafeBase64Unescape(parts[0], &header_text) ||
      !absl::WebSafeBase64Unescape(parts[1], &payload_text)) {
    return Refuse("not a signed JWT (three base64url parts)");
  }
  std::optional<Json> header = ParseObject(header_text);
  std::optional<Json> claims = ParseObject(payload_text);
  if (!header.has_value() || !claims.has_value()) {
    return Refuse("its header or payload is not a JSON object");
  }
  // Only asymmetric algorithms: "none" carries no signature, and an HMAC
  // "secret" would be the public key anyone can read.
  const std::string alg = StringMember(*header, "alg");
  if (alg != "RS256" && alg != "ES256") {
    return Refuse(absl::StrCat("algorithm '", alg,
                               "' is not accepted (only RS256 and ES256)"));
  }
  const std::string kid = StringMember(*header, "kid");
  const std::vector<JsonWebKey> keys = CandidateKeys(alg, kid);
  if (keys.empty()) {
    return Refuse(absl::StrCat("--jwt_jwks_file has no ", alg, " key",
                               kid.empty() ? "" : " with kid '", kid,
                               kid.empty() ? "" : "'"));
  }
  const std::string token_string(token);
  bool verified = false;
  for (const JsonWebKey& key : keys) {
    jwt_t* decoded = nullptr;
    const int error =
        jwt_decode(&decoded, token_string.c_str(),
                   reinterpret_cast<const unsigned char*>(key.pem.data()),
                   static_cast<int>(key.pem.size()));
    JwtPtr owned(decoded);
    const char* verified_alg =
        decoded == nullptr ? nullptr : jwt_alg_str(jwt_get_alg(decoded));
    if (error == 0 && verified_alg != nullptr && alg == verified_alg) {
      verified = true;
      break;
    }
  }
  if (!verified) {
    return Refuse(
        "the signature does not verify with the keys of "
        "--jwt_jwks_file");
  }

  const int64_t now_seconds = absl::ToUnixSeconds(now);
  const int64_t leeway = absl::ToInt64Seconds(options_.leeway);
  auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number()) {
    return Refuse("it has no exp (expiry) claim");
  }
  if (now_seconds > exp->get<int64_t>() + leeway) {
    return Refuse(
        absl::StrCat("it expired at ", FormatSeconds(exp->get<int64_t>())));
  }
  auto nbf = claims->find("nbf");
  if (nbf != claims->end() && nbf->is_number() &&
      now_seconds + leeway < nbf->get<int64_t>()) {
    return Refuse(absl::StrCat("it is not valid before ",
                               FormatSeconds(nbf->get<int64_t>())));
  }
  const std::string issuer = StringMember(*claims, "iss");
  if (issuer != options_.issuer) {
    return Refuse(absl::StrCat("issuer '", issuer, "' is not '",
                               options_.issuer, "' (--jwt_issuer)"));
  }
  bool audience_ok = false;
  auto aud = claims->find("aud");
  if (aud != claims->end() && aud->is_string()) {
    audience_ok = aud->get<std::string>() == options_.audience;
  } else if (aud != claims->end() && aud->is_array()) {
    for (const Json& member : *aud) {
      if (member.is_string() && member.get<std::string>() == options_.audience)
        audience_ok = true;
    }
  }
  if (!audience_ok) {
    return Refuse(absl::StrCat("its audience (aud) does not include '",
                               options_.audience, "' (--jwt_audience)"));
  }

  CallerIdentity caller;
  caller.method = AuthMethod::kJwt;
  caller.user = StringMember(*claims, "sub");
  if (caller.user.empty()) return Refuse("it has no sub (subject) claim");
  // A Kubernetes service account's uid outlives a re-created account of
  // the same name; other issuers' subjects are stable ids already.
  const Json* uid =
      FindClaim(*claims, {"kubernetes.io", "serviceaccount", "uid"}, 0);
  caller.uid = uid != nullptr && uid->is_string() ? uid->get<std::string>()
                                                  : caller.user;
  if (!options_.namespaces_claim.empty()) {
    const std::vector<std::string> path =
        absl::StrSplit(options_.namespaces_claim, '.');
    const Json* granted = FindClaim(*claims, path, 0);
    std::vector<std::string> names;
    if (granted != nullptr && granted->is_string()) {
      names.push_back(granted->get<std::string>());
    } else if (granted != nullptr && granted->is_array()) {
      for (const Json& name : *granted) {
        if (name.is_string()) names.push_back(name.get<std::string>());
      }
    }
    for (std::string& name : names) {
      if (name == "*") {
        caller.all_namespaces = true;
      } else if (!name.empty()) {
        caller.namespaces.push_back(std::move(name));
      }
    }
    if (caller.all_namespaces) caller.namespaces.clear();
  }
  return caller;
}

}  // namespace mlmdx::server
