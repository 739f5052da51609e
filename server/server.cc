#include "server/server.h"

#include <grpc/grpc.h>
#include <grpc/support/log.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/lineage_engine.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "server/call_interceptor.h"
#include "server/grpc_web.h"
#include "server/lineage_service.h"
#include "server/metadata_service.h"
#include "server/metrics.h"
#include "server/retention_service.h"
#include "util/log.h"
#include "util/status_macros.h"

namespace mlmdx::server {

void AddServeFlags(CLI::App& app, ServeFlags& flags) {
  app.add_option("--grpc_port,--grpc-port", flags.grpc_port,
                 "Port to serve on (0 picks a free port)")
      ->envname("MLMD_GRPC_PORT")
      ->capture_default_str();
  app.add_option("--grpc_channel_arguments,--grpc-channel-arguments",
                 flags.grpc_channel_arguments,
                 "Comma-separated key=value gRPC server channel arguments, "
                 "e.g. grpc.max_receive_message_length=104857600")
      ->envname("MLMD_GRPC_CHANNEL_ARGUMENTS");
  app.add_option("--metadata_source_config_type",
                 flags.metadata_source_config_type,
                 "default | config_file | mysql | postgresql | sqlite")
      ->capture_default_str();
  app.add_option("--metadata_store_server_config_file,--config",
                 flags.metadata_store_server_config_file,
                 "Text-format ml_metadata.MetadataStoreServerConfig")
      ->envname("METADATA_STORE_SERVER_CONFIG_FILE");
  app.add_option("--metadata_store_connection_retries",
                 flags.metadata_store_connection_retries,
                 "Retries while opening the store answers ABORTED")
      ->capture_default_str();
  app.add_flag("--enable_database_upgrade", flags.enable_database_upgrade,
               "Upgrade an older MLMD schema in place");
  app.add_option("--downgrade_db_schema_version",
                 flags.downgrade_db_schema_version,
                 "Downgrade the database to this MLMD schema version (0-10) "
                 "and exit, with status 0 once done (MLMD's server aborts "
                 "instead); -1: no downgrade")
      ->capture_default_str();
  app.add_option("--db", flags.db,
                 "SQLite database file (default ./mlmd.sqlite when nothing "
                 "else names a database), or a PostgreSQL URI "
                 "postgresql://user@host:port/dbname")
      ->envname("MLMD_DB");
  app.add_option("--db_pool_size", flags.db_pool_size,
                 "Database connections kept open for concurrent requests")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--listen_address", flags.listen_address,
                 "Address to bind, e.g. 127.0.0.1 or [::]")
      ->envname("MLMD_LISTEN_ADDRESS")
      ->capture_default_str();
  app.add_option("--sqlite_synchronous", flags.sqlite_synchronous,
                 "SQLite PRAGMA synchronous: FULL (durable) or NORMAL")
      ->check(CLI::IsMember({"FULL", "NORMAL", "OFF"}))
      ->capture_default_str();
  app.add_option("--sqlite_group_commit", flags.sqlite_group_commit,
                 "SQLite: concurrent writes share one commit (true) or each "
                 "commits alone (false)")
      ->capture_default_str();
  app.add_option("--shutdown_grace_period", flags.shutdown_grace_period_seconds,
                 "Seconds to let in-flight calls finish on SIGTERM")
      ->capture_default_str();
  app.add_option("--read_after_timeout_ms", flags.read_after_timeout_ms,
                 "How long a call carrying mlmdx-read-after metadata waits "
                 "for this server to hold that write before answering "
                 "UNAVAILABLE")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  app.add_option("--statement_timeout_ms", flags.statement_timeout_ms,
                 "A database statement running longer is interrupted and "
                 "its call fails with RESOURCE_EXHAUSTED (0: no limit)")
      ->check(CLI::Range(int64_t{0}, int64_t{24} * 3600 * 1000))
      ->capture_default_str();
  app.add_option("--max_lineage_nodes", flags.max_lineage_nodes,
                 "Most nodes one GetLineageSubgraph or GetLineageGraph "
                 "answer may hold; more answers RESOURCE_EXHAUSTED before "
                 "any node is read (0: no limit)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--max_response_bytes", flags.max_response_bytes,
                 "Largest answer a read may send; a larger one is refused "
                 "with RESOURCE_EXHAUSTED (0: no limit)")
      ->check(CLI::Range(int64_t{0}, int64_t{2} << 30))
      ->capture_default_str();
  app.add_option("--max_request_list_length", flags.max_request_list_length,
                 "Most entries one request may list in a field (ids, uris, "
                 "nodes, events); more is refused with INVALID_ARGUMENT "
                 "(0: no limit)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--change_log_retention_seconds",
                 flags.change_log_retention_seconds,
                 "PostgreSQL: how long the change log that servers over one "
                 "database follow keeps its rows (0: forever); a server "
                 "behind by more reloads its lineage index")
      ->check(CLI::Range(int64_t{0}, int64_t{10} * 365 * 24 * 3600))
      ->capture_default_str();
  app.add_option("--tls_cert", flags.tls_cert,
                 "PEM certificate chain of the server: serve TLS (with "
                 "--tls_key); re-read when the file changes")
      ->envname("MLMD_TLS_CERT");
  app.add_option("--tls_key", flags.tls_key,
                 "PEM private key of --tls_cert; re-read when it changes")
      ->envname("MLMD_TLS_KEY");
  app.add_option("--tls_client_ca", flags.tls_client_ca,
                 "PEM CA bundle: require client certificates signed by it "
                 "(mutual TLS); re-read when it changes")
      ->envname("MLMD_TLS_CLIENT_CA");
  app.add_option("--tls_refresh_interval_seconds",
                 flags.tls_refresh_interval_seconds,
                 "How often the --tls_* files are checked for changes")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--auth_token_file", flags.auth_token_file,
                 "Require a bearer token on every call: CSV lines "
                 "token,user,uid,\"ns1,ns2\" (Kubernetes' static token "
                 "file; * grants all namespaces), re-read when it changes")
      ->envname("MLMDX_AUTH_TOKEN_FILE");
  app.add_option("--jwt_jwks_file", flags.jwt_jwks_file,
                 "Also accept JWTs (RS256, ES256) signed by a key of this "
                 "JWKS file (re-read when it changes); needs --jwt_issuer "
                 "and --jwt_audience");
  app.add_option("--jwt_issuer", flags.jwt_issuer, "The iss a JWT must carry");
  app.add_option("--jwt_audience", flags.jwt_audience,
                 "A value the JWT's aud must contain");
  app.add_option("--jwt_namespaces_claim", flags.jwt_namespaces_claim,
                 "Dotted path of the JWT claim listing the caller's "
                 "namespaces (a string or an array; * grants all)")
      ->capture_default_str();
  app.add_option("--audit_log", flags.audit_log,
                 "Append one JSON line per write and per refused call to "
                 "this file")
      ->envname("MLMDX_AUDIT_LOG");
  app.add_option("--metrics_port", flags.metrics_port,
                 "Serve Prometheus metrics at /metrics and a liveness check "
                 "at /healthz on this HTTP port (0 picks a free port, "
                 "logged; -1: off)")
      ->envname("MLMD_METRICS_PORT")
      ->check(CLI::Range(-1, 65535))
      ->capture_default_str();
  app.add_option("--grpc_web_port", flags.grpc_web_port,
                 "Answer grpc-web (browsers, the Kubeflow Pipelines UI) on "
                 "this HTTP port, with the same services, tokens and limits "
                 "as gRPC (0 picks a free port, logged; -1: off)")
      ->envname("MLMDX_GRPC_WEB_PORT")
      ->check(CLI::Range(-1, 65535))
      ->capture_default_str();
  app.add_option("--grpc_web_allowed_origins", flags.grpc_web_allowed_origins,
                 "Comma-separated origins (https://host:port) whose pages "
                 "may call over grpc-web (CORS); * allows any")
      ->envname("MLMDX_GRPC_WEB_ALLOWED_ORIGINS");
  app.add_flag("--web_ui", flags.web_ui,
               "Serve the lineage page (search artifacts, lineage graph, "
               "model audit) at / on the --grpc_web_port")
      ->envname("MLMDX_WEB_UI");
  app.add_option("--log_format", flags.log_format,
                 "text: one line per event; json: one JSON object per line "
                 "(ts, level, msg; method, code, latency_ms for calls)")
      ->envname("MLMD_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--mysql_config_host", flags.mysql_config_host);
  app.add_option("--mysql_config_port", flags.mysql_config_port);
  app.add_option("--mysql_config_database", flags.mysql_config_database);
  app.add_option("--mysql_config_user", flags.mysql_config_user);
  app.add_option("--mysql_config_password", flags.mysql_config_password);
  app.add_option("--postgres_config_host", flags.postgres_config_host);
  app.add_option("--postgres_config_hostaddr", flags.postgres_config_hostaddr);
  app.add_option("--postgres_config_port", flags.postgres_config_port);
  app.add_option("--postgres_config_user", flags.postgres_config_user);
  app.add_option("--postgres_config_password", flags.postgres_config_password);
  app.add_option("--postgres_config_passfile", flags.postgres_config_passfile);
  app.add_option("--postgres_config_dbname", flags.postgres_config_dbname);
  app.add_flag("--postgres_config_skip_db_creation",
               flags.postgres_config_skip_db_creation);
  app.add_option("--postgres_config_sslmode", flags.postgres_config_sslmode);
  app.add_option("--postgres_config_sslcert", flags.postgres_config_sslcert);
  app.add_option("--postgres_config_sslkey", flags.postgres_config_sslkey);
  app.add_option("--postgres_config_sslpassword",
                 flags.postgres_config_sslpassword);
  app.add_option("--postgres_config_sslrootcert",
                 flags.postgres_config_sslrootcert);
}

namespace {

absl::StatusOr<ml_metadata::MetadataStoreServerConfig> ReadConfigFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metadata_store_server_config_file: cannot open '", path, "'"));
  }
  std::stringstream text;
  text << in.rdbuf();
  ml_metadata::MetadataStoreServerConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metadata_store_server_config_file: '", path,
                     "' is not a text-format MetadataStoreServerConfig"));
  }
  return config;
}

// Appends ` key='value'` to a libpq connection string, quoted as libpq
// reads it, when `value` is non-empty.
void AppendConnInfo(std::string& conninfo, absl::string_view key,
                    const std::string& value) {
  if (value.empty()) return;
  std::string quoted;
  for (char c : value) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  absl::StrAppend(&conninfo, conninfo.empty() ? "" : " ", key, "='", quoted,
                  "'");
}

// MLMD's PostgreSQLDatabaseConfig as a libpq connection string. Fields left
// unset fall back to the PG* environment variables, as libpq does.
void ApplyPostgresConfig(const ml_metadata::PostgreSQLDatabaseConfig& pg,
                         ServerConfig& config) {
  std::string conninfo;
  AppendConnInfo(conninfo, "host", pg.host());
  AppendConnInfo(conninfo, "hostaddr", pg.hostaddr());
  AppendConnInfo(conninfo, "port", pg.port());
  AppendConnInfo(conninfo, "user", pg.user());
  AppendConnInfo(conninfo, "password", pg.password());
  AppendConnInfo(conninfo, "passfile", pg.passfile());
  AppendConnInfo(conninfo, "dbname", pg.dbname());
  const auto& ssl = pg.ssloption();
  AppendConnInfo(conninfo, "sslmode", ssl.sslmode());
  AppendConnInfo(conninfo, "sslcert", ssl.sslcert());
  AppendConnInfo(conninfo, "sslkey", ssl.sslkey());
  AppendConnInfo(conninfo, "sslpassword", ssl.sslpassword());
  AppendConnInfo(conninfo, "sslrootcert", ssl.sslrootcert());
  config.store.postgres = store::PostgresOptions{conninfo, ""};
  config.store.create_postgres_database = !pg.skip_db_creation();
}

ml_metadata::PostgreSQLDatabaseConfig PostgresConfigFromFlags(
    const ServeFlags& f) {
  ml_metadata::PostgreSQLDatabaseConfig pg;
  if (!f.postgres_config_host.empty()) pg.set_host(f.postgres_config_host);
  if (!f.postgres_config_hostaddr.empty()) {
    pg.set_hostaddr(f.postgres_config_hostaddr);
  }
  if (!f.postgres_config_port.empty()) pg.set_port(f.postgres_config_port);
  if (!f.postgres_config_user.empty()) pg.set_user(f.postgres_config_user);
  if (!f.postgres_config_password.empty()) {
    pg.set_password(f.postgres_config_password);
  }
  if (!f.postgres_config_passfile.empty()) {
    pg.set_passfile(f.postgres_config_passfile);
  }
  if (!f.postgres_config_dbname.empty()) {
    pg.set_dbname(f.postgres_config_dbname);
  }
  pg.set_skip_db_creation(f.postgres_config_skip_db_creation);
  auto* ssl = pg.mutable_ssloption();
  if (!f.postgres_config_sslmode.empty()) {
    ssl->set_sslmode(f.postgres_config_sslmode);
  }
  if (!f.postgres_config_sslcert.empty()) {
    ssl->set_sslcert(f.postgres_config_sslcert);
  }
  if (!f.postgres_config_sslkey.empty()) {
    ssl->set_sslkey(f.postgres_config_sslkey);
  }
  if (!f.postgres_config_sslpassword.empty()) {
    ssl->set_sslpassword(f.postgres_config_sslpassword);
  }
  if (!f.postgres_config_sslrootcert.empty()) {
    ssl->set_sslrootcert(f.postgres_config_sslrootcert);
  }
  return pg;
}

bool IsPostgresUri(absl::string_view db) {
  return absl::StartsWith(db, "postgresql://") ||
         absl::StartsWith(db, "postgres://");
}

absl::Status ApplyConnectionConfig(
    const ml_metadata::ConnectionConfig& connection, ServerConfig& config) {
  switch (connection.config_case()) {
    case ml_metadata::ConnectionConfig::kFakeDatabase:
      config.store.sqlite.filename_uri.clear();
      return absl::OkStatus();
    case ml_metadata::ConnectionConfig::kSqlite: {
      const auto& sqlite = connection.sqlite();
      config.store.sqlite.filename_uri = sqlite.filename_uri();
      using Mode = ml_metadata::SqliteMetadataSourceConfig;
      switch (sqlite.connection_mode()) {
        case Mode::READONLY:
          config.store.sqlite.read_only = true;
          break;
        case Mode::READWRITE:
          config.store.sqlite.create_if_missing = false;
          break;
        default:
          break;
      }
      return absl::OkStatus();
    }
    case ml_metadata::ConnectionConfig::kMysql:
      return absl::UnimplementedError(
          "connection_config.mysql: MySQL is not supported by mlmdx; use "
          "sqlite or postgresql");
    case ml_metadata::ConnectionConfig::kPostgresql:
      ApplyPostgresConfig(connection.postgresql(), config);
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          "connection_config: Unset (set sqlite, fake_database, mysql or "
          "postgresql)");
  }
}

// The --tls_* flags as TlsFiles: none set means no TLS from files.
absl::StatusOr<std::optional<TlsFiles>> TlsFilesFromFlags(const ServeFlags& f) {
  if (f.tls_cert.empty() && f.tls_key.empty() && f.tls_client_ca.empty()) {
    return std::optional<TlsFiles>();
  }
  if (f.tls_cert.empty() || f.tls_key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert and --tls_key go together (got --tls_cert='",
                     f.tls_cert, "', --tls_key='", f.tls_key, "')"));
  }
  // gRPC reads the files in the background and refuses handshakes while it
  // has no certificate, so a missing file would look like a network error to
  // clients; refuse it here instead.
  const std::pair<const char*, const std::string*> files[] = {
      {"--tls_cert", &f.tls_cert},
      {"--tls_key", &f.tls_key},
      {"--tls_client_ca", &f.tls_client_ca}};
  for (const auto& [flag, path] : files) {
    if (path->empty()) continue;
    std::ifstream in(*path);
    if (!in || in.peek() == std::ifstream::traits_type::eof()) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, ": cannot read '", *path, "' (missing, unreadable or empty)"));
    }
  }
  TlsFiles tls;
  tls.cert_path = f.tls_cert;
  tls.key_path = f.tls_key;
  tls.client_ca_path = f.tls_client_ca;
  tls.refresh_interval_seconds = f.tls_refresh_interval_seconds;
  return std::optional<TlsFiles>(std::move(tls));
}

bool AnyMysqlFlag(const ServeFlags& f) {
  return !f.mysql_config_host.empty() || !f.mysql_config_database.empty() ||
         f.mysql_config_port != 0;
}

bool AnyPostgresFlag(const ServeFlags& f) {
  return !f.postgres_config_host.empty() ||
         !f.postgres_config_hostaddr.empty() ||
         !f.postgres_config_dbname.empty() || !f.postgres_config_port.empty();
}

}  // namespace

absl::StatusOr<ServerConfig> ResolveServerConfig(const ServeFlags& flags) {
  ServerConfig config;
  if (flags.grpc_port < 0 || flags.grpc_port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--grpc_port must be between 0 and 65535, got ", flags.grpc_port));
  }
  if (flags.enable_database_upgrade && flags.downgrade_db_schema_version >= 0) {
    return absl::InvalidArgumentError(
        "--enable_database_upgrade and --downgrade_db_schema_version cannot "
        "be used together");
  }
  config.port = flags.grpc_port;
  config.listen_address = flags.listen_address;
  config.channel_arguments = flags.grpc_channel_arguments;
  config.shutdown_grace_period_seconds = flags.shutdown_grace_period_seconds;
  config.read_after_timeout = absl::Milliseconds(flags.read_after_timeout_ms);
  config.max_request_list_length = flags.max_request_list_length;
  config.max_response_bytes = flags.max_response_bytes;
  config.max_lineage_nodes = flags.max_lineage_nodes;
  config.change_log_retention =
      absl::Seconds(flags.change_log_retention_seconds);
  if (flags.jwt_jwks_file.empty() &&
      (!flags.jwt_issuer.empty() || !flags.jwt_audience.empty())) {
    return absl::InvalidArgumentError(
        "--jwt_issuer and --jwt_audience need --jwt_jwks_file (the keys "
        "that sign the tokens)");
  }
  if (!flags.jwt_jwks_file.empty() &&
      (flags.jwt_issuer.empty() || flags.jwt_audience.empty())) {
    return absl::InvalidArgumentError(
        "--jwt_jwks_file needs --jwt_issuer and --jwt_audience: a token is "
        "accepted only from one issuer and for this server");
  }
  config.access.auth.token_file = flags.auth_token_file;
  config.access.auth.jwt.jwks_file = flags.jwt_jwks_file;
  config.access.auth.jwt.issuer = flags.jwt_issuer;
  config.access.auth.jwt.audience = flags.jwt_audience;
  config.access.auth.jwt.namespaces_claim = flags.jwt_namespaces_claim;
  config.access.audit_log = flags.audit_log;
  config.metrics_port = flags.metrics_port;
  config.grpc_web_port = flags.grpc_web_port;
  for (absl::string_view origin :
       absl::StrSplit(flags.grpc_web_allowed_origins, ',', absl::SkipEmpty())) {
    config.grpc_web_allowed_origins.emplace_back(
        absl::StripAsciiWhitespace(origin));
  }
  if (!config.grpc_web_allowed_origins.empty() && flags.grpc_web_port < 0) {
    return absl::InvalidArgumentError(
        "--grpc_web_allowed_origins needs --grpc_web_port (the grpc-web "
        "listener is off)");
  }
  config.web_ui = flags.web_ui;
  if (flags.web_ui && flags.grpc_web_port < 0) {
    return absl::InvalidArgumentError(
        "--web_ui needs --grpc_web_port (the page is served on the grpc-web "
        "port, which is off)");
  }
  config.store.open_retries = flags.metadata_store_connection_retries;
  config.store.max_connections = flags.db_pool_size;
  config.store.sqlite.synchronous = flags.sqlite_synchronous;
  config.store.group_commit = flags.sqlite_group_commit;
  config.store.migration.enable_upgrade = flags.enable_database_upgrade;
  config.store.migration.downgrade_to_schema_version =
      flags.downgrade_db_schema_version;
  config.store.sqlite.filename_uri = "mlmd.sqlite";

  const std::string& type = flags.metadata_source_config_type;
  if (type != "default" && type != "config_file" && type != "mysql" &&
      type != "postgresql" && type != "sqlite") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metadata_source_config_type: unknown value '", type,
        "'; use default, config_file, mysql, postgresql or sqlite"));
  }
  const bool use_file =
      type == "config_file" ||
      (type == "default" && !flags.metadata_store_server_config_file.empty());
  if (use_file) {
    MLMDX_ASSIGN_OR_RETURN(
        ml_metadata::MetadataStoreServerConfig file,
        ReadConfigFile(flags.metadata_store_server_config_file));
    MLMDX_RETURN_IF_ERROR(
        ApplyConnectionConfig(file.connection_config(), config));
    // In config-file mode MLMD takes migration options from the file.
    config.store.migration.enable_upgrade =
        file.migration_options().enable_upgrade_migration();
    config.store.migration.downgrade_to_schema_version =
        file.migration_options().downgrade_to_schema_version();
    if (file.has_ssl_config()) config.ssl = file.ssl_config();
  } else if (type == "mysql" || (type == "default" && AnyMysqlFlag(flags))) {
    return absl::UnimplementedError(
        "--mysql_config_*: MySQL is not supported by mlmdx; use --db, the "
        "--postgres_config_* flags or a config file with connection_config "
        "{ sqlite {...} } or { postgresql {...} }");
  } else if (type == "postgresql" ||
             (type == "default" && AnyPostgresFlag(flags))) {
    ApplyPostgresConfig(PostgresConfigFromFlags(flags), config);
  }
  if (IsPostgresUri(flags.db)) {
    config.store.postgres = store::PostgresOptions{flags.db, ""};
    config.store.create_postgres_database =
        !flags.postgres_config_skip_db_creation;
  } else if (!flags.db.empty()) {
    config.store.postgres.reset();
    config.store.sqlite.filename_uri = flags.db;
  }
  config.store.sqlite.statement_timeout_ms = flags.statement_timeout_ms;
  if (config.store.postgres.has_value()) {
    config.store.postgres->statement_timeout_ms = flags.statement_timeout_ms;
  }
  MLMDX_ASSIGN_OR_RETURN(config.tls_files, TlsFilesFromFlags(flags));
  if (config.tls_files.has_value() && config.ssl.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert/--tls_key/--tls_client_ca and ssl_config in "
                     "--metadata_store_server_config_file '",
                     flags.metadata_store_server_config_file,
                     "' both configure TLS; use one of them"));
  }
  return config;
}

namespace {

absl::Status ApplyChannelArguments(const std::string& text,
                                   grpc::ServerBuilder& builder) {
  if (text.empty()) return absl::OkStatus();
  for (absl::string_view pair : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first.empty() || pair.find('=') == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--grpc_channel_arguments: '", pair, "' is not key=value"));
    }
    int64_t number = 0;
    if (absl::SimpleAtoi(kv.second, &number)) {
      builder.AddChannelArgument(kv.first, static_cast<int>(number));
    } else {
      builder.AddChannelArgument(kv.first, kv.second);
    }
  }
  return absl::OkStatus();
}

// The largest request message the server accepts: its
// grpc.max_receive_message_length channel argument, else gRPC's default.
// Negative: no limit. Malformed arguments are reported by
// ApplyChannelArguments.
int64_t MaxReceiveMessageBytes(const std::string& channel_arguments) {
  int64_t bytes = GRPC_DEFAULT_MAX_RECV_MESSAGE_LENGTH;
  for (absl::string_view pair :
       absl::StrSplit(channel_arguments, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    int64_t value = 0;
    if (kv.first == GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH &&
        absl::SimpleAtoi(kv.second, &value)) {
      bytes = value;
    }
  }
  return bytes;
}

// TLS whose certificates gRPC reloads from the files every refresh interval.
// `provider` is kept by the caller for as long as the server runs: it owns
// the thread that watches the files.
std::shared_ptr<grpc::ServerCredentials> WatchedFileCredentials(
    const TlsFiles& files,
    std::shared_ptr<grpc::experimental::CertificateProviderInterface>&
        provider) {
  provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          files.key_path, files.cert_path, files.client_ca_path,
          static_cast<unsigned int>(files.refresh_interval_seconds));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (files.client_ca_path.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ServerCredentials> Credentials(
    const ServerConfig& config,
    std::shared_ptr<grpc::experimental::CertificateProviderInterface>&
        provider) {
  if (config.tls_files.has_value()) {
    return WatchedFileCredentials(*config.tls_files, provider);
  }
  if (!config.ssl.has_value()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      config.ssl->client_verify()
          ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
          : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_root_certs = config.ssl->custom_ca();
  options.pem_key_cert_pairs.push_back(
      {config.ssl->server_key(), config.ssl->server_cert()});
  return grpc::SslServerCredentials(options);
}

// gRPC's own log lines (errors only, unless GRPC_VERBOSITY says more) go
// through the server's logger, so that they share its format.
void LogGrpcMessage(gpr_log_func_args* args) {
  const std::string message = absl::StrCat("grpc: ", args->message, " (",
                                           args->file, ":", args->line, ")");
  switch (args->severity) {
    case GPR_LOG_SEVERITY_ERROR:
      LogError(message);
      break;
    case GPR_LOG_SEVERITY_INFO:
    case GPR_LOG_SEVERITY_DEBUG:
      LogInfo(message);
      break;
  }
}

// Likewise protobuf's (e.g. a string field that is not valid UTF-8).
void LogProtobufMessage(google::protobuf::LogLevel level, const char* file,
                        int line, const std::string& message) {
  const std::string text =
      absl::StrCat("protobuf: ", message, " (", file, ":", line, ")");
  if (level >= google::protobuf::LOGLEVEL_ERROR) {
    LogError(text);
  } else if (level == google::protobuf::LOGLEVEL_WARNING) {
    LogWarning(text);
  } else {
    LogInfo(text);
  }
}

}  // namespace

absl::Status RunServer(const ServerConfig& config) {
#ifdef __GLIBC__
  // Requests and answers of megabytes are allocated and freed by whichever
  // gRPC thread handles them. With glibc's adaptive threshold, a freed
  // large block raises the threshold, the next ones come from the thread's
  // arena, and each arena keeps a few megabytes resident for good; a fixed
  // threshold keeps every block of 1 MiB or more mapped on its own and
  // returned to the system when freed.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  // Block the shutdown signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Keep the gRPC library initialized until the process exits (after the
  // signals are blocked, so that gRPC's threads inherit the mask). Otherwise
  // destroying the last grpc::Server runs grpc_shutdown(), which joins gRPC's
  // timer thread and so can hold the exit for up to ~10 s after a large
  // message armed a timer; process exit ends those threads anyway.
  static const bool kGrpcInitialized = [] {
    gpr_set_log_function(&LogGrpcMessage);
    google::protobuf::SetLogHandler(&LogProtobufMessage);
    grpc_init();
    return true;
  }();
  (void)kGrpcInitialized;

  // Token files are checked before the database is touched: a server that
  // would refuse every call should not start.
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<AccessControl> access,
                         AccessControl::Create(config.access));
  if (access->authenticator() != nullptr) {
    LogInfo(absl::StrCat(
        "calls need a bearer token",
        config.access.auth.token_file.empty()
            ? ""
            : absl::StrCat(" of ", config.access.auth.token_file),
        config.access.auth.jwt.jwks_file.empty()
            ? ""
            : absl::StrCat(" or a JWT from ", config.access.auth.jwt.issuer),
        " (health and reflection stay open)"));
  }
  absl::StatusOr<std::unique_ptr<store::MetadataStore>> opened =
      store::MetadataStore::Open(config.store);
  // A downgrade ends the process: the store answers CANCELLED once the
  // database is at the target version, which this build cannot serve. That
  // is the expected outcome, so the exit status says success.
  if (config.store.migration.downgrade_to_schema_version >= 0 &&
      absl::IsCancelled(opened.status())) {
    LogInfo(opened.status().message());
    return absl::OkStatus();
  }
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<store::MetadataStore> store,
                         std::move(opened));
  const std::string db_name = store->DatabaseDescription();
  LogInfo(absl::StrCat("opened ", db_name));
  const absl::Time index_start = absl::Now();
  engine::LineageEngineOptions lineage_options;
  lineage_options.change_log_retention = config.change_log_retention;
  lineage_options.max_answer_nodes = config.max_lineage_nodes;
  MLMDX_ASSIGN_OR_RETURN(
      std::unique_ptr<engine::LineageEngine> lineage,
      engine::LineageEngine::Start(store.get(), lineage_options));
  LogInfo(absl::StrCat("lineage index: ", lineage->index().event_count(),
                       " events, ", lineage->index().MemoryBytes() >> 10,
                       " KiB, built in ",
                       absl::FormatDuration(absl::Now() - index_start)));
  InFlightCalls in_flight;
  MetadataService service(
      store.get(), lineage.get(), in_flight, config.read_after_timeout,
      config.max_request_list_length, config.max_response_bytes, access.get());
  // mlmdx's own extension (proto/mlmdx/), on the same port.
  LineageQueryService lineage_service(lineage.get(), in_flight,
                                      config.read_after_timeout, access.get());
  RetentionServiceImpl retention_service(
      store.get(), lineage.get(), in_flight, config.read_after_timeout,
      config.max_request_list_length, access.get());

  // Off unless asked for, so that a server started with MLMD's flags opens
  // no port beyond MLMD's.
  std::unique_ptr<ServerMetrics> metrics;
  if (config.metrics_port >= 0) {
    MLMDX_ASSIGN_OR_RETURN(
        metrics,
        ServerMetrics::Start(config.listen_address, config.metrics_port,
                             store.get(), lineage.get()));
    store->SetCommitObserver(metrics.get());
    LogInfo(absl::StrCat("metrics on port ", metrics->port(),
                         " (/metrics, /healthz)"));
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  MLMDX_RETURN_IF_ERROR(
      ApplyChannelArguments(config.channel_arguments, builder));
  // gRPC binds with SO_REUSEPORT by default on Linux, so a second server on
  // a port already in use would start and silently share the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(NewCallInterceptorFactory(metrics.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  int bound_port = 0;
  std::string address = config.listen_address;
  if (address.find(':') != std::string::npos && address.front() != '[') {
    address = absl::StrCat("[", address, "]");
  }
  std::shared_ptr<grpc::experimental::CertificateProviderInterface>
      certificate_provider;
  builder.AddListeningPort(absl::StrCat(address, ":", config.port),
                           Credentials(config, certificate_provider),
                           &bound_port);
  builder.RegisterService(&service);
  builder.RegisterService(&lineage_service);
  builder.RegisterService(&retention_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", address, ":", config.port, " (--grpc_port=",
        config.port, "): the address is in use or not available"));
  }
  // grpc-web is a second door to the same services: it calls them through
  // the server's in-process channel. Answers are bounded by the services
  // (--max_response_bytes), requests by the server's own limit, so the
  // channel itself sets none.
  std::unique_ptr<GrpcWebGateway> grpc_web;
  if (config.grpc_web_port >= 0) {
    grpc::ChannelArguments channel_args;
    channel_args.SetMaxReceiveMessageSize(-1);
    channel_args.SetMaxSendMessageSize(-1);
    GrpcWebOptions web_options;
    web_options.listen_address = config.listen_address;
    web_options.port = config.grpc_web_port;
    web_options.allowed_origins = config.grpc_web_allowed_origins;
    web_options.web_ui = config.web_ui;
    web_options.max_message_bytes =
        MaxReceiveMessageBytes(config.channel_arguments);
    MLMDX_ASSIGN_OR_RETURN(
        grpc_web, GrpcWebGateway::Start(
                      web_options, server->InProcessChannel(channel_args)));
    LogInfo(absl::StrCat("grpc-web on port ", grpc_web->port(),
                         config.web_ui ? ", lineage page at /" : ""));
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  if (metrics != nullptr) metrics->SetServing(true);
  LogInfo(
      absl::StrCat("mlmdx listening on port ", bound_port, " (", db_name, ")"));

  std::thread waiter([&server, &in_flight, &signals, &config, &metrics] {
    int received = 0;
    sigwait(&signals, &received);
    LogInfo(absl::StrCat("received signal ", received, ", shutting down"));
    server->GetHealthCheckService()->SetServingStatus(false);
    if (metrics != nullptr) metrics->SetServing(false);
    // gRPC's Shutdown(deadline) waits out the whole deadline while any client
    // keeps an idle connection open, which long-lived clients always do. So
    // drain the calls in flight first (bounded by the grace period), then
    // give stragglers a moment.
    const auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::seconds(config.shutdown_grace_period_seconds);
    while (in_flight.count() > 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(100));
  });
  server->Wait();
  waiter.join();
  // Its last calls ended with the server's shutdown; it stops before the
  // server it calls goes away.
  grpc_web.reset();
  store->SetCommitObserver(nullptr);
  LogInfo("clean exit");
  return absl::OkStatus();
}

}  // namespace mlmdx::server
