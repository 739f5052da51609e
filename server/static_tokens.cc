#include "server/static_tokens.h"

#include <openssl/evp.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "util/log.h"

namespace mlmdx::server {
namespace {

// Splits one CSV line into fields (RFC 4180 quoting); nullopt on an
// unterminated quote or text after a closing quote.
std::optional<std::vector<std::string>> SplitCsvLine(absl::string_view line) {
  std::vector<std::string> fields(1);
  size_t i = 0;
  while (i < line.size()) {
    std::string& field = fields.back();
    if (line[i] == '"' && field.empty()) {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field += line[i++];
      }
      if (!closed) return std::nullopt;
      if (i < line.size() && line[i] != ',') return std::nullopt;
      if (i < line.size()) {
        fields.emplace_back();
        ++i;
      }
      continue;
    }
    if (line[i] == ',') {
      fields.emplace_back();
    } else {
      field += line[i];
    }
    ++i;
  }
  return fields;
}

}  // namespace

std::string TokenDigest(absl::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(),
             nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

absl::StatusOr<StaticTokenTable> ParseStaticTokens(
    absl::string_view text, absl::string_view file_name) {
  StaticTokenTable table;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (absl::StripAsciiWhitespace(line).empty() ||
        absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "#")) {
      continue;
    }
    auto where = [&] { return absl::StrCat(file_name, " line ", line_number); };
    std::optional<std::vector<std::string>> fields = SplitCsvLine(line);
    if (!fields.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), ": unterminated quote or text after a closing quote"));
    }
    if (fields->size() > 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), ": ", fields->size(),
          " columns; expected token,user,uid,\"namespaces\" (quote the "
          "namespaces when they are several)"));
    }
    fields->resize(4);
    const std::string token(absl::StripAsciiWhitespace((*fields)[0]));
    CallerIdentity caller;
    caller.user = std::string(absl::StripAsciiWhitespace((*fields)[1]));
    caller.uid = std::string(absl::StripAsciiWhitespace((*fields)[2]));
    caller.method = AuthMethod::kStaticToken;
    if (token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), ": the token (first column) is empty"));
    }
    if (caller.user.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), ": the user (second column) is empty"));
    }
    for (absl::string_view ns : absl::StrSplit((*fields)[3], ',')) {
      ns = absl::StripAsciiWhitespace(ns);
      if (ns.empty()) continue;
      if (ns == "*") {
        caller.all_namespaces = true;
      } else {
        caller.namespaces.emplace_back(ns);
      }
    }
    if (caller.all_namespaces) caller.namespaces.clear();
    if (!table.emplace(TokenDigest(token), std::move(caller)).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), ": this token is already listed on an earlier line"));
    }
  }
  return table;
}

StaticTokenFile::StaticTokenFile(const std::string& path)
    : path_(path), watch_(path, absl::Milliseconds(250)) {}

absl::StatusOr<std::unique_ptr<StaticTokenFile>> StaticTokenFile::Open(
    const std::string& path) {
  std::unique_ptr<StaticTokenFile> file(new StaticTokenFile(path));
  absl::MutexLock lock(&file->mutex_);
  absl::Status status = file->Load();
  if (!status.ok()) return status;
  return file;
}

absl::Status StaticTokenFile::Load() {
  watch_.MarkRead();
  std::ifstream in(path_, std::ios::binary);
  if (!in.is_open()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--auth_token_file: cannot read ", path_));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<StaticTokenTable> table =
      ParseStaticTokens(text.str(), absl::StrCat("--auth_token_file ", path_));
  if (!table.ok()) return table.status();
  table_ = *std::move(table);
  return absl::OkStatus();
}

std::optional<CallerIdentity> StaticTokenFile::Lookup(absl::string_view token) {
  absl::MutexLock lock(&mutex_);
  if (watch_.Changed()) {
    const absl::Status status = Load();
    if (status.ok()) {
      LogInfo(absl::StrCat("reloaded --auth_token_file ", path_, ": ",
                           table_.size(), " tokens"));
    } else {
      LogWarning(
          absl::StrCat(status.message(), "; keeping the tokens read before"));
    }
  }
  auto it = table_.find(TokenDigest(token));
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

}  // namespace mlmdx::server
