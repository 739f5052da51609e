// mlmdx: the server and the command-line tools in one binary.
//
// Installed twice: as `mlmdx` (subcommands) and as `metadata_store_server`,
// which takes MLMD's server flags directly so that existing manifests run it
// unchanged.

#include <CLI/CLI.hpp>
#include <string>

#include "absl/strings/match.h"
#include "cli/output.h"
#include "cli/verbs.h"
#include "server/server.h"
#include "util/log.h"

namespace {

int Serve(const mlmdx::server::ServeFlags& flags) {
  absl::StatusOr<mlmdx::LogFormat> log_format =
      mlmdx::ParseLogFormat(flags.log_format);
  if (!log_format.ok()) {
    mlmdx::LogError(log_format.status().ToString());
    return 2;
  }
  mlmdx::SetLogFormat(*log_format);
  absl::StatusOr<mlmdx::server::ServerConfig> config =
      mlmdx::server::ResolveServerConfig(flags);
  if (!config.ok()) {
    mlmdx::LogError(config.status().ToString());
    return 2;
  }
  const absl::Status status = mlmdx::server::RunServer(*config);
  if (!status.ok()) {
    mlmdx::LogError(status.ToString());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = argc > 0 ? argv[0] : "mlmdx";
  mlmdx::server::ServeFlags flags;
  if (absl::EndsWith(program, "metadata_store_server")) {
    CLI::App app{"MLMD-compatible metadata store server (mlmdx)"};
    mlmdx::server::AddServeFlags(app, flags);
    // CLI11 reports usage errors and --help by throwing; caught here, at
    // the program's boundary.
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
    return Serve(flags);
  }
  CLI::App app{
      "mlmdx: an ML Metadata (MLMD) compatible metadata and lineage service"};
  app.require_subcommand(1);
  app.footer(mlmdx::cli::kExitCodesHelp);
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve ml_metadata.MetadataStoreService over gRPC");
  mlmdx::server::AddServeFlags(*serve, flags);
  mlmdx::cli::VerbAction action;
  mlmdx::cli::AddLookupVerb(app, action);
  mlmdx::cli::AddGetVerb(app, action);
  mlmdx::cli::AddLineageVerb(app, action);
  mlmdx::cli::AddAuditVerb(app, action);
  mlmdx::cli::AddRunsVerb(app, action);
  mlmdx::cli::AddHealthVerb(app, action);
  mlmdx::cli::AddVersionVerb(app, action);
  mlmdx::cli::AddBackupVerb(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "success" parse error; every other one is a usage error.
    const int code = app.exit(e);
    return code == 0 ? mlmdx::cli::kExitOk : mlmdx::cli::kExitUsage;
  }
  if (serve->parsed()) return Serve(flags);
  return mlmdx::cli::ReportStatus(action());
}
