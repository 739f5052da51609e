// File: server/static_tokens.h
// -----------------------------------------------------------------------------
//
// The token file of --auth_token_file, in the form of Kubernetes' static
// token file: one CSV line per token,
//
//   token,user,uid,"ns1,ns2"
//
// where the fourth column lists the namespaces the token may access (`*`:
// all of them). The uid and namespaces columns may be left out (no
// namespaces). Blank lines and lines starting with `#` are skipped. Fields
// may be quoted, with `""` for a quote inside.
//
// StaticTokenFile re-reads the file when it changes; a file that no longer
// parses keeps the previous table in force (and says so in the log).
//
// Thread-safety: StaticTokenFile is thread-safe.
//
// Example:
//
//   absl::StatusOr<std::unique_ptr<StaticTokenFile>> file =
//       StaticTokenFile::Open("/etc/mlmdx/tokens.csv");
//   std::optional<CallerIdentity> caller = (*file)->Lookup(token);

#ifndef MLMDX_SERVER_STATIC_TOKENS_H_
#define MLMDX_SERVER_STATIC_TOKENS_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/caller_identity.h"
#include "server/file_watch.h"

namespace mlmdx::server {

// Tokens are kept as SHA-256 digests, so that the table holds no secret
// and a lookup's timing tells nothing about how close a guess came.
using StaticTokenTable = absl::flat_hash_map<std::string, CallerIdentity>;

// SHA-256 of `token`, as the key of a StaticTokenTable.
std::string TokenDigest(absl::string_view token);

// Parses the file's text. INVALID_ARGUMENT names `file_name`, the line and
// what is wrong (unterminated quote, empty token or user, a token listed
// twice).
absl::StatusOr<StaticTokenTable> ParseStaticTokens(absl::string_view text,
                                                   absl::string_view file_name);

class StaticTokenFile {
 public:
  // Reads and parses `path`; INVALID_ARGUMENT when it cannot be read or
  // parsed, naming the file (and line).
  static absl::StatusOr<std::unique_ptr<StaticTokenFile>> Open(
      const std::string& path);

  StaticTokenFile(const StaticTokenFile&) = delete;
  StaticTokenFile& operator=(const StaticTokenFile&) = delete;

  // The identity `token` stands for, or nullopt for a token the file does
  // not list. Re-reads the file first when it changed (checked at most
  // every quarter second).
  std::optional<CallerIdentity> Lookup(absl::string_view token);

 private:
  explicit StaticTokenFile(const std::string& path);
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string path_;
  absl::Mutex mutex_;
  FileWatch watch_ ABSL_GUARDED_BY(mutex_);
  StaticTokenTable table_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_STATIC_TOKENS_H_
