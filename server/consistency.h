// File: server/consistency.h
// -----------------------------------------------------------------------------
//
// Reading one's writes across several servers over one database. Each
// server's lineage index follows the others' writes within moments, not
// at once (engine/lineage_engine.h), so a client that writes through one
// server and reads lineage through another says what it must see:
//
//   - every successful write answers with trailing metadata `mlmdx-commit`:
//     an opaque token naming the write's commit position;
//   - a call that carries request metadata `mlmdx-read-after: <token>` is
//     answered only once this server's state holds that write and every
//     write committed before it, waiting up to a bound (the server's
//     --read_after_timeout_ms, and the call's deadline), then UNAVAILABLE.
//
// Tokens from later writes cover earlier ones, so a client keeps the last
// it got. A malformed token is INVALID_ARGUMENT.

#ifndef MLMDX_SERVER_CONSISTENCY_H_
#define MLMDX_SERVER_CONSISTENCY_H_

#include <grpcpp/server_context.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/lineage_engine.h"
#include "store/metadata_store.h"

namespace mlmdx::server {

inline constexpr char kCommitTokenKey[] = "mlmdx-commit";
inline constexpr char kReadAfterKey[] = "mlmdx-read-after";

std::string CommitToken(int64_t position);
// nullopt unless `token` is one CommitToken makes.
std::optional<int64_t> ParseCommitToken(absl::string_view token);

// Waits as described above when `context` carries kReadAfterKey (the
// latest position when it carries several); OK at once otherwise.
absl::Status AwaitReadAfter(const grpc::ServerContext& context,
                            engine::LineageEngine& lineage,
                            absl::Duration max_wait);

// Adds kCommitTokenKey to the call's trailing metadata when `commit`
// captured a write.
void AddCommitToken(const store::CommitPositionScope& commit,
                    grpc::ServerContext& context);

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_CONSISTENCY_H_
