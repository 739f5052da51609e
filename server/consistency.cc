#include "server/consistency.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace mlmdx::server {

std::string CommitToken(int64_t position) { return absl::StrCat(position); }

std::optional<int64_t> ParseCommitToken(absl::string_view token) {
  int64_t position = 0;
  if (token.empty() || token.size() > 19 ||
      !std::all_of(token.begin(), token.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(token, &position)) {
    return std::nullopt;
  }
  return position;
}

absl::Status AwaitReadAfter(const grpc::ServerContext& context,
                            engine::LineageEngine& lineage,
                            absl::Duration max_wait) {
  const auto& metadata = context.client_metadata();
  const auto [first, last] = metadata.equal_range(kReadAfterKey);
  if (first == last) return absl::OkStatus();
  int64_t position = 0;
  for (auto it = first; it != last; ++it) {
    const absl::string_view token(it->second.data(), it->second.size());
    std::optional<int64_t> parsed = ParseCommitToken(token);
    if (!parsed.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "request metadata ", kReadAfterKey, ": '", token.substr(0, 64),
          "' is not a token from ", kCommitTokenKey));
    }
    position = std::max(position, *parsed);
  }
  absl::Time deadline = absl::Now() + max_wait;
  if (context.deadline() != std::chrono::system_clock::time_point::max()) {
    deadline = std::min(deadline, absl::FromChrono(context.deadline()));
  }
  return lineage.AwaitPosition(position, deadline);
}

void AddCommitToken(const store::CommitPositionScope& commit,
                    grpc::ServerContext& context) {
  if (commit.position().has_value()) {
    context.AddTrailingMetadata(kCommitTokenKey,
                                CommitToken(*commit.position()));
  }
}

}  // namespace mlmdx::server
