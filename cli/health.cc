// mlmdx health and mlmdx version.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/output.h"
#include "cli/verbs.h"
#include "store/schema.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

absl::Status RunHealth(const CommonFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags));
  MLMDX_ASSIGN_OR_RETURN(std::string status, source->CheckHealth());
  return WriteStdout(absl::StrCat(status, " (", source->Describe(), ")\n"));
}

absl::Status RunVersion(const CommonFlags& flags) {
  std::string text =
      absl::StrCat("mlmdx ", MLMDX_VERSION, " (MLMD schema version ",
                   store::kSchemaVersion, ")\n");
  if (!flags.source.db.empty()) {
    // Opening checks the schema version; its error says which one it found.
    MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                           OpenSource(flags));
    absl::StrAppend(&text, source->Describe(), ": MLMD schema version ",
                    store::kSchemaVersion, "\n");
  }
  return WriteStdout(text);
}

}  // namespace

void AddHealthVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<CommonFlags>();
  CLI::App* verb = app.add_subcommand(
      "health",
      "Check that the server answers (grpc.health.v1) or that a database "
      "opens");
  AddCommonFlags(*verb, *flags, "table");
  verb->footer(
      absl::StrCat("Examples:\n"
                   "  mlmdx health --server 127.0.0.1:8080\n"
                   "  mlmdx health --db mlmd.sqlite\n\n",
                   kExitCodesHelp));
  verb->callback(
      [flags, &action] { action = [flags] { return RunHealth(*flags); }; });
}

void AddVersionVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<CommonFlags>();
  CLI::App* verb = app.add_subcommand(
      "version", "Print the version (and a database's schema version)");
  verb->add_option("--db", flags->source.db,
                   "also check this SQLite database's schema version");
  verb->footer(absl::StrCat("Example:\n  mlmdx version --db mlmd.sqlite\n\n",
                            kExitCodesHelp));
  verb->callback(
      [flags, &action] { action = [flags] { return RunVersion(*flags); }; });
}

}  // namespace mlmdx::cli
