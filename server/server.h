// File: server/server.h
// -----------------------------------------------------------------------------
//
// The `serve` command: MLMD's metadata_store_server flags, how they resolve to
// a database and listen address, and the server's lifetime (health service,
// reflection, clean shutdown on SIGTERM/SIGINT).
//
// Example:
//
//   CLI::App app;
//   ServeFlags flags;
//   AddServeFlags(app, flags);
//   CLI11_PARSE(app, argc, argv);
//   absl::StatusOr<ServerConfig> config = ResolveServerConfig(flags);
//   return config.ok() ? RunServer(*config) : ...;

#ifndef MLMDX_SERVER_SERVER_H_
#define MLMDX_SERVER_SERVER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "server/call_scope.h"
#include "store/metadata_store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace mlmdx::server {

// Command-line flags, named as MLMD's server names them so that existing
// manifests (Kubeflow Pipelines') work unchanged.
struct ServeFlags {
  int grpc_port = 8080;
  std::string grpc_channel_arguments;
  std::string metadata_source_config_type = "default";
  std::string metadata_store_server_config_file;
  int metadata_store_connection_retries = 5;
  bool enable_database_upgrade = false;
  int64_t downgrade_db_schema_version = -1;
  // mlmdx additions.
  std::string db;  // SQLite file, or a postgresql:// URI
  int db_pool_size = 8;
  std::string listen_address = "0.0.0.0";
  std::string sqlite_synchronous = "FULL";
  bool sqlite_group_commit = true;
  int shutdown_grace_period_seconds = 5;
  int read_after_timeout_ms = 5000;
  int64_t statement_timeout_ms = 600000;
  int64_t max_request_list_length = 100000;
  int64_t max_response_bytes = int64_t{64} << 20;
  int64_t max_lineage_nodes = 100000;
  int64_t change_log_retention_seconds = 3600;
  // TLS from PEM files, watched for changes (see TlsFiles).
  std::string tls_cert, tls_key, tls_client_ca;
  int tls_refresh_interval_seconds = 60;
  // Access control (server/call_scope.h); all off by default.
  std::string auth_token_file;
  std::string jwt_jwks_file;
  std::string jwt_issuer;
  std::string jwt_audience;
  std::string jwt_namespaces_claim = "kubernetes.io.namespace";
  std::string audit_log;
  // -1: no metrics listener.
  int metrics_port = -1;
  // -1: no grpc-web listener.
  int grpc_web_port = -1;
  // Comma-separated origins whose pages may call over grpc-web ("*": any).
  std::string grpc_web_allowed_origins;
  // Serve the lineage page on the grpc-web port.
  bool web_ui = false;
  // "text" or "json" (util/log.h); applied by the caller, before it logs.
  std::string log_format = "text";
  // Accepted so that MLMD invocations parse; any of them set is refused with
  // a clear error: mlmdx serves SQLite and PostgreSQL, not MySQL.
  std::string mysql_config_host, mysql_config_database, mysql_config_user,
      mysql_config_password;
  int mysql_config_port = 0;
  std::string postgres_config_host, postgres_config_hostaddr,
      postgres_config_port, postgres_config_user, postgres_config_password,
      postgres_config_passfile, postgres_config_dbname, postgres_config_sslmode,
      postgres_config_sslcert, postgres_config_sslkey,
      postgres_config_sslpassword, postgres_config_sslrootcert;
  bool postgres_config_skip_db_creation = false;
};

// Registers every flag of ServeFlags on `app`, with MLMD_* environment
// variables as fallbacks.
void AddServeFlags(CLI::App& app, ServeFlags& flags);

// TLS served from PEM files that are read again when they change on disk, so
// that rotated certificates take effect without a restart.
struct TlsFiles {
  // The server's certificate chain and its private key.
  std::string cert_path;
  std::string key_path;
  // When set, clients must present a certificate signed by one of these CAs
  // (mutual TLS); when empty, client certificates are not requested.
  std::string client_ca_path;
  // How often the files are checked for changes. A change is picked up by
  // the next handshake after the check; connections already open keep the
  // certificates they started with.
  int refresh_interval_seconds = 60;
};

struct ServerConfig {
  std::string listen_address = "0.0.0.0";
  // 0 picks a free port (printed in the "listening" log line).
  int port = 8080;
  // "key=value,key=value": gRPC server channel arguments; a value that
  // parses as an integer is passed as one.
  std::string channel_arguments;
  store::StoreOptions store;
  // At most one of `ssl` (MLMD's config file, PEM text) and `tls_files`.
  std::optional<ml_metadata::MetadataStoreServerConfig::SSLConfig> ssl;
  std::optional<TlsFiles> tls_files;
  int shutdown_grace_period_seconds = 5;
  // How long a call carrying mlmdx-read-after waits for this server to
  // hold that write (server/consistency.h).
  absl::Duration read_after_timeout = absl::Seconds(5);
  // See MetadataService; 0: no limit.
  int64_t max_request_list_length = 0;
  int64_t max_response_bytes = 0;
  // See engine::LineageEngineOptions::max_answer_nodes; 0: no limit.
  int64_t max_lineage_nodes = 0;
  // PostgreSQL: how long change-log rows are kept (zero: forever).
  absl::Duration change_log_retention = absl::Hours(1);
  // Tokens, JWTs and the audit log; everything off by default.
  AccessOptions access;
  // HTTP port of /metrics and /healthz (server/metrics.h); 0 picks a free
  // port (printed in the "metrics on port" log line), -1 serves none.
  int metrics_port = -1;
  // HTTP port of grpc-web (server/grpc_web.h); 0 picks a free port (printed
  // in the "grpc-web on port" log line), -1 serves none.
  int grpc_web_port = -1;
  // See GrpcWebOptions::allowed_origins.
  std::vector<std::string> grpc_web_allowed_origins;
  // See GrpcWebOptions::web_ui; needs grpc_web_port.
  bool web_ui = false;
};

// Applies MLMD's resolution rules (config file, then flags, then the default
// SQLite file ./mlmd.sqlite); `--db` names a SQLite file or a PostgreSQL URI
// and wins over both. The --tls_* files must be readable, and cannot be
// combined with the config file's ssl_config. INVALID_ARGUMENT names the
// offending flag;
// UNIMPLEMENTED for MySQL, which mlmdx does not serve.
absl::StatusOr<ServerConfig> ResolveServerConfig(const ServeFlags& flags);

// Opens the store, serves until SIGTERM or SIGINT, then drains in-flight
// calls (up to the grace period) and returns. Errors if the store cannot be
// opened or the port cannot be bound.
absl::Status RunServer(const ServerConfig& config);

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_SERVER_H_
