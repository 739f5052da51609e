// mlmdx backup: an online copy of a SQLite database (store/sqlite_backup.h).

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/metadata_source.h"
#include "cli/output.h"
#include "cli/verbs.h"
#include "store/sqlite_backup.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

struct BackupFlags {
  std::string db;
  std::string destination;
  int pages_per_step = store::BackupOptions().pages_per_step;
  bool quiet = false;
};

absl::Status RunBackup(const BackupFlags& flags) {
  if (IsPostgresDatabase(flags.db)) {
    return UsageError(
        "backup copies SQLite files; back up PostgreSQL with pg_dump or "
        "pg_basebackup");
  }
  CommonFlags progress_flags;
  progress_flags.quiet = flags.quiet;
  ProgressLine progress("backup: pages", progress_flags.Progress());
  store::BackupOptions options;
  options.pages_per_step = flags.pages_per_step;
  options.progress = [&progress](int64_t copied, int64_t total) {
    progress.Update(copied, total);
  };
  MLMDX_ASSIGN_OR_RETURN(
      store::BackupStats stats,
      store::BackupSqliteDatabase(flags.db, flags.destination, options));
  if (flags.quiet) return absl::OkStatus();
  return WriteStdout(absl::StrCat("backed up ", flags.db, " to ",
                                  flags.destination, " (",
                                  stats.pages * stats.page_size, " bytes)\n"));
}

}  // namespace

void AddBackupVerb(CLI::App& app, VerbAction& action) {
  auto flags = std::make_shared<BackupFlags>();
  CLI::App* verb = app.add_subcommand(
      "backup",
      "Copy a SQLite database while a server may be writing it: one "
      "consistent moment, checked, then renamed into place");
  verb->add_option("--db", flags->db, "the SQLite database to copy")
      ->required();
  verb->add_option("OUT", flags->destination,
                   "the file to write (replaced if it exists)")
      ->required();
  verb->add_option("--pages-per-step", flags->pages_per_step,
                   "database pages copied per step of SQLite's backup API")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str();
  verb->add_flag("--quiet,-q", flags->quiet, "print nothing on success");
  verb->footer(absl::StrCat(
      "Examples:\n"
      "  mlmdx backup --db /data/mlmd.sqlite /backup/mlmd-$(date +%F).sqlite\n"
      "\n",
      kExitCodesHelp));
  verb->callback(
      [flags, &action] { action = [flags] { return RunBackup(*flags); }; });
}

}  // namespace mlmdx::cli
