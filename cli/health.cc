// mlmdx health and mlmdx version.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/metadata_source.h"
#include "cli/output.h"
#include "cli/verbs.h"
#include "store/postgres_connection.h"
#include "store/schema.h"
#include "store/sqlite_connection.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

absl::Status RunHealth(const CommonFlags& flags) {
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
                         OpenSource(flags));
  MLMDX_ASSIGN_OR_RETURN(std::string status, source->CheckHealth());
  return WriteStdout(absl::StrCat(status, " (", source->Describe(), ")\n"));
}

// A read-only connection to `db` (a SQLite file or a postgresql:// URI).
absl::StatusOr<std::unique_ptr<store::Connection>> OpenReadOnly(
    const std::string& db) {
  if (IsPostgresDatabase(db)) {
    store::PostgresOptions options;
    options.conninfo = db;
    options.read_only = true;
    MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<store::PostgresConnection> conn,
                           store::PostgresConnection::Open(options));
    return std::unique_ptr<store::Connection>(std::move(conn));
  }
  store::SqliteOptions options;
  options.filename_uri = db;
  options.read_only = true;
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteConnection> conn,
                         store::SqliteConnection::Open(options));
  return std::unique_ptr<store::Connection>(std::move(conn));
}

absl::Status RunVersion(const CommonFlags& flags) {
  std::string text =
      absl::StrCat("mlmdx ", MLMDX_VERSION, " (MLMD schema version ",
                   store::kSchemaVersion, ")\n");
  if (!flags.source.db.empty()) {
    // Read as it is, whatever its version: this verb reports, it does not
    // need to serve the database.
    MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> conn,
                           OpenReadOnly(flags.source.db));
    MLMDX_RETURN_IF_ERROR(conn->Begin(store::TransactionMode::kReadOnly));
    absl::StatusOr<int64_t> version = store::ReadSchemaVersion(*conn);
    conn->Rollback();
    MLMDX_RETURN_IF_ERROR(version.status());
    absl::StrAppend(&text, DescribeDatabase(flags.source.db), ": ");
    if (*version < 0) {
      absl::StrAppend(&text, "no MLMD schema\n");
    } else {
      absl::StrAppend(&text, "MLMD schema version ", *version);
      if (*version < store::kSchemaVersion) {
        absl::StrAppend(&text,
                        " (older; `mlmdx serve --enable_database_upgrade` "
                        "upgrades it)");
      } else if (*version > store::kSchemaVersion) {
        absl::StrAppend(&text, " (newer than this build)");
      }
      text += "\n";
    }
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
                   "also check this database's schema version (a SQLite "
                   "file or a postgresql:// URI), read-only");
  verb->footer(
      absl::StrCat("Examples:\n"
                   "  mlmdx version --db mlmd.sqlite\n"
                   "  mlmdx version --db "
                   "postgresql://mlmd@db:5432/mlmd\n\n",
                   kExitCodesHelp));
  verb->callback(
      [flags, &action] { action = [flags] { return RunVersion(*flags); }; });
}

}  // namespace mlmdx::cli
