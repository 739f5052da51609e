// mlmdx: the server and the command-line tools in one binary.
//
// Installed twice: as `mlmdx` (subcommands) and as `metadata_store_server`,
// which takes MLMD's server flags directly so that existing manifests run it
// unchanged.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "server/server.h"
#include "util/log.h"

namespace {

int Serve(const mlmdx::server::ServeFlags& flags) {
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
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve ml_metadata.MetadataStoreService over gRPC");
  mlmdx::server::AddServeFlags(*serve, flags);
  CLI::App* version = app.add_subcommand("version", "Print the version");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (version->parsed()) {
    std::printf("mlmdx 0.1.0 (MLMD schema version 10)\n");
    return 0;
  }
  return Serve(flags);
}
