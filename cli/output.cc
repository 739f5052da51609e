#include "cli/output.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace mlmdx::cli {
namespace {

constexpr char kUsagePayload[] = "mlmdx.dev/usage";

// Columns a cell takes on a terminal: UTF-8 code points, without SGR colour
// sequences.
size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {
      while (i < text.size() && text[i] != 'm') ++i;
      continue;
    }
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string Sgr(absl::string_view code, absl::string_view text, bool color) {
  if (!color) return std::string(text);
  return absl::StrCat("\x1b[", code, "m", text, "\x1b[0m");
}

}  // namespace

const char kExitCodesHelp[] =
    "Exit codes: 0 ok, 1 error (server unreachable, bad filter, ...), "
    "2 usage error, 3 not found (unknown URI, id or run).";

bool CommonFlags::Color() const {
  return !no_color && std::getenv("NO_COLOR") == nullptr &&
         isatty(STDOUT_FILENO) == 1;
}

bool CommonFlags::Progress() const {
  return !quiet && isatty(STDERR_FILENO) == 1;
}

absl::StatusOr<std::unique_ptr<MetadataSource>> OpenSource(
    const CommonFlags& flags) {
  SourceOptions options = flags.source;
  options.timeout = absl::Seconds(flags.timeout_seconds);
  return OpenMetadataSource(options);
}

void AddCommonFlags(CLI::App& verb, CommonFlags& flags,
                    const std::string& formats) {
  verb.add_option("--server", flags.source.server,
                  "host:port of the mlmdx (or MLMD) server")
      ->envname("MLMDX_SERVER")
      ->capture_default_str();
  verb.add_option("--db", flags.source.db,
                  "read this database directly, read-only, instead of asking "
                  "a server: a SQLite file or a postgresql:// URI");
  verb.add_option("--timeout", flags.timeout_seconds,
                  "seconds to wait for each answer from the server")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  verb.add_flag("--tls", flags.source.tls,
                "connect to the server with TLS (system CA roots unless "
                "--tls-ca)");
  verb.add_option("--tls-ca", flags.source.tls_ca_file,
                  "PEM file of the CA that signed the server's certificate "
                  "(implies --tls)");
  verb.add_option("--tls-cert", flags.source.tls_cert_file,
                  "PEM client certificate, for a server that verifies "
                  "clients (implies --tls)");
  verb.add_option("--tls-key", flags.source.tls_key_file,
                  "PEM key of --tls-cert");
  verb.add_option("--tls-server-name", flags.source.tls_server_name,
                  "name to check the server's certificate against");
  verb.add_option("--token", flags.source.token,
                  "bearer token for a server that requires one")
      ->envname("MLMDX_TOKEN");
  verb.add_option("-o,--output", flags.output,
                  absl::StrCat("output format: ", formats,
                               " (default: the first on a terminal, json "
                               "when piped)"));
  verb.add_flag("-q,--quiet", flags.quiet,
                "no progress or informational messages on stderr");
  verb.add_flag("--no-color", flags.no_color,
                "no colour (also when NO_COLOR is set)");
  verb.footer(kExitCodesHelp);
}

absl::string_view FormatName(Format format) {
  switch (format) {
    case Format::kTable:
      return "table";
    case Format::kJson:
      return "json";
    case Format::kTree:
      return "tree";
    case Format::kDot:
      return "dot";
    case Format::kSvg:
      return "svg";
    case Format::kHtml:
      return "html";
    case Format::kMarkdown:
      return "md";
  }
  return "";
}

absl::StatusOr<Format> ResolveFormat(const CommonFlags& flags,
                                     std::initializer_list<Format> supported) {
  if (flags.output.empty()) {
    if (isatty(STDOUT_FILENO) == 1) return *supported.begin();
    return Format::kJson;
  }
  std::vector<std::string> names;
  for (Format format : supported) {
    if (flags.output == FormatName(format)) return format;
    names.emplace_back(FormatName(format));
  }
  return UsageError(absl::StrCat("-o ", flags.output,
                                 ": not a format of this command (use ",
                                 absl::StrJoin(names, ", "), ")"));
}

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.GetPayload(kUsagePayload).has_value()) return kExitUsage;
  if (absl::IsNotFound(status)) return kExitNotFound;
  return kExitError;
}

int ReportStatus(const absl::Status& status) {
  if (!status.ok()) {
    const std::string line = absl::StrCat("mlmdx: ", status.message(), "\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  return ExitCodeFor(status);
}

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

void Table::Print(std::FILE* out, bool color) const {
  std::vector<size_t> widths(header_.size(), 0);
  auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto line = [&](const std::vector<std::string>& row, bool header) {
    std::string text;
    for (size_t i = 0; i < row.size(); ++i) {
      const bool last = i + 1 == row.size();
      std::string cell = header ? Bold(row[i], color) : row[i];
      if (!last) cell.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
      text += cell;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), out);
  };
  line(header_, true);
  for (const auto& row : rows_) line(row, false);
}

ProgressLine::ProgressLine(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), start_(absl::Now()) {}

ProgressLine::~ProgressLine() {
  if (drawn_) std::fputs("\r\x1b[2K", stderr);
}

void ProgressLine::Update(int64_t done, int64_t total) {
  if (!enabled_ || absl::Now() - start_ < absl::Seconds(1)) return;
  std::string text = absl::StrCat("\r\x1b[2K", label_, " ", done);
  if (total > 0) {
    constexpr int kBarWidth = 30;
    const int filled = static_cast<int>(
        std::min<int64_t>(kBarWidth, done * kBarWidth / total));
    absl::StrAppend(&text, "/", total, " [", std::string(filled, '#'),
                    std::string(kBarWidth - filled, '.'), "]");
  }
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

std::string Bold(absl::string_view text, bool color) {
  return Sgr("1", text, color);
}
std::string Red(absl::string_view text, bool color) {
  return Sgr("31", text, color);
}
std::string Green(absl::string_view text, bool color) {
  return Sgr("32", text, color);
}
std::string Yellow(absl::string_view text, bool color) {
  return Sgr("33", text, color);
}
std::string Dim(absl::string_view text, bool color) {
  return Sgr("2", text, color);
}

absl::Status WriteStdout(absl::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
      std::fflush(stdout) != 0) {
    return absl::UnavailableError("cannot write to standard output");
  }
  return absl::OkStatus();
}

}  // namespace mlmdx::cli
