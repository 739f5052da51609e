// File: cli/output.h
// -----------------------------------------------------------------------------
//
// The conventions every verb shares: the common flags (where to read from,
// output format, --quiet, colour), output formats chosen by whether stdout
// is a terminal, aligned tables, a progress line on a terminal's stderr,
// and the mapping from a status to the documented exit codes.
//
// Data goes to stdout; progress, warnings and errors go to stderr.
//
// Example:
//
//   CommonFlags flags;
//   AddCommonFlags(*verb, flags);
//   ...
//   MLMDX_ASSIGN_OR_RETURN(Format format,
//                          ResolveFormat(flags, {Format::kTable,
//                                                Format::kJson}));
//   Table table({"ID", "URI"});
//   table.AddRow({"7", "s3://bucket/model"});
//   table.Print(stdout, flags.Color());
//
// Thread-safety: none of this is shared between threads.

#ifndef MLMDX_CLI_OUTPUT_H_
#define MLMDX_CLI_OUTPUT_H_

#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/metadata_source.h"

namespace CLI {
class App;
}  // namespace CLI

namespace mlmdx::cli {

// Exit codes, as `mlmdx --help` documents them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;

// The help text's table of exit codes.
extern const char kExitCodesHelp[];

struct CommonFlags {
  SourceOptions source;
  // --timeout, seconds.
  double timeout_seconds = 10;
  // -o: empty picks the verb's default for a terminal or a pipe.
  std::string output;
  bool quiet = false;
  bool no_color = false;

  // Colour on stdout: a terminal, no --no-color and no NO_COLOR variable.
  bool Color() const;
  // A progress line may be drawn on stderr: a terminal and no --quiet.
  bool Progress() const;
};

// The source the common flags name (--db, else --server with --timeout).
absl::StatusOr<std::unique_ptr<MetadataSource>> OpenSource(
    const CommonFlags& flags);

// Adds --server, --db, --timeout, -o/--output, --quiet and --no-color to a
// verb. `formats` lists the -o values the verb takes, for its help text.
void AddCommonFlags(CLI::App& verb, CommonFlags& flags,
                    const std::string& formats);

enum class Format { kTable, kJson, kTree, kDot, kSvg, kHtml, kMarkdown };

absl::string_view FormatName(Format format);

// The format -o asked for, which must be one of `supported`; without -o, the
// first of `supported` when stdout is a terminal and JSON otherwise (JSON
// must then be supported). A format the verb does not take is a usage error.
absl::StatusOr<Format> ResolveFormat(const CommonFlags& flags,
                                     std::initializer_list<Format> supported);

// A status that means the command line was wrong (exit code 2).
absl::Status UsageError(absl::string_view message);

// The exit code for a verb's final status: 0, 2 for UsageError, 3 for
// NOT_FOUND, 1 otherwise.
int ExitCodeFor(const absl::Status& status);

// Prints "mlmdx: <message>" on stderr for a failed status, nothing for OK.
// Returns ExitCodeFor(status).
int ReportStatus(const absl::Status& status);

// A left-aligned table with a header row, columns as wide as their widest
// cell. With colour the header is bold.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void AddRow(std::vector<std::string> row);
  size_t size() const { return rows_.size(); }
  void Print(std::FILE* out, bool color) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// A one-line progress report on stderr, redrawn in place, shown only when
// enabled and only once the work has run for a second; cleared when done.
class ProgressLine {
 public:
  ProgressLine(std::string label, bool enabled);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine();

  // `done` items so far, of `total` (0 when unknown).
  void Update(int64_t done, int64_t total = 0);

 private:
  const std::string label_;
  const bool enabled_;
  const absl::Time start_;
  bool drawn_ = false;
};

// SGR colour helpers: the text unchanged when `color` is false.
std::string Bold(absl::string_view text, bool color);
std::string Red(absl::string_view text, bool color);
std::string Green(absl::string_view text, bool color);
std::string Yellow(absl::string_view text, bool color);
std::string Dim(absl::string_view text, bool color);

// Writes `text` to stdout and reports a failed write (a closed pipe).
absl::Status WriteStdout(absl::string_view text);

}  // namespace mlmdx::cli

#endif  // MLMDX_CLI_OUTPUT_H_
