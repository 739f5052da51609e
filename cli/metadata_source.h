// File: cli/metadata_source.h
// -----------------------------------------------------------------------------
//
// Where the command-line verbs read metadata from: a running mlmdx (or MLMD)
// server over gRPC, or a database (a SQLite file or a PostgreSQL database)
// opened read-only in this process.
// Both answer the same read RPCs with the same messages, so every verb is
// written once against this interface. The direct source runs the server's
// own store and lineage engine (store/, engine/), not a second
// implementation.
//
// Example:
//
//   SourceOptions options;
//   options.db = "/data/mlmd.sqlite";  // or "postgresql://user@host/mlmd",
//                                      // or options.server = "host:8080"
//   MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<MetadataSource> source,
//                          OpenMetadataSource(options));
//   ml_metadata::GetArtifactsByURIRequest request;
//   request.add_uris("s3://bucket/model");
//   ml_metadata::GetArtifactsByURIResponse response;
//   MLMDX_RETURN_IF_ERROR(source->GetArtifactsByURI(request, &response));
//
// Thread-safety: not thread-safe; a verb uses its source from one thread.

#ifndef MLMDX_CLI_METADATA_SOURCE_H_
#define MLMDX_CLI_METADATA_SOURCE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ml_metadata/proto/metadata_store_service.pb.h"
#include "mlmdx/lineage_service.pb.h"
#include "mlmdx/retention_service.pb.h"

namespace mlmdx::cli {

// The read RPCs the verbs use that the store answers, as X(Name): request
// ml_metadata::NameRequest, response ml_metadata::NameResponse.
#define MLMDX_CLI_STORE_READ_RPCS(X) \
  X(GetArtifactTypes)                \
  X(GetExecutionTypes)               \
  X(GetContextTypes)                 \
  X(GetArtifactTypesByID)            \
  X(GetExecutionTypesByID)           \
  X(GetContextTypesByID)             \
  X(GetArtifacts)                    \
  X(GetExecutions)                   \
  X(GetContexts)                     \
  X(GetArtifactsByID)                \
  X(GetExecutionsByID)               \
  X(GetContextsByID)                 \
  X(GetArtifactsByURI)               \
  X(GetArtifactsByContext)           \
  X(GetExecutionsByContext)          \
  X(GetEventsByArtifactIDs)          \
  X(GetEventsByExecutionIDs)         \
  X(GetContextsByArtifact)           \
  X(GetContextsByExecution)          \
  X(GetParentContextsByContexts)     \
  X(GetContextByTypeAndName)

// Those and the lineage traversal, which the lineage engine answers.
#define MLMDX_CLI_READ_RPCS(X) \
  MLMDX_CLI_STORE_READ_RPCS(X) \
  X(GetLineageSubgraph)

struct SourceOptions {
  // A database to open read-only in this process: a SQLite file, or a
  // postgresql:// URI. When set, `server` is not used.
  std::string db;
  // host:port of a server speaking ml_metadata.MetadataStoreService.
  std::string server = "localhost:8080";
  // Deadline of each call to the server.
  absl::Duration timeout = absl::Seconds(10);
  // TLS to the server (a server whose config has an ssl_config).
  bool tls = false;
  // PEM files: the CA that signed the server's certificate (default: the
  // system's roots), and a client certificate and key for a server that
  // verifies clients (client_verify).
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // The name to check the server's certificate against, when it is not
  // the host of `server`.
  std::string tls_server_name;
  // Sent as `authorization: Bearer <token>` on every call to a server that
  // requires one (--auth_token_file, --jwt_jwks_file); empty: none.
  std::string token;
};

class MetadataSource {
 public:
  virtual ~MetadataSource() = default;

  // Each RPC answers as the server would: OK with the response filled, or
  // the server's status. A server that cannot be reached is UNAVAILABLE (or
  // DEADLINE_EXCEEDED) with a message naming its address.
#define MLMDX_CLI_DECLARE_RPC(Name)                                    \
  virtual absl::Status Name(const ml_metadata::Name##Request& request, \
                            ml_metadata::Name##Response* response) = 0;
  MLMDX_CLI_READ_RPCS(MLMDX_CLI_DECLARE_RPC)
#undef MLMDX_CLI_DECLARE_RPC

  // mlmdx.LineageService/QueryLineage. A plain MLMD server answers
  // UNIMPLEMENTED.
  virtual absl::Status QueryLineage(
      const ::mlmdx::QueryLineageRequest& request,
      ::mlmdx::QueryLineageResponse* response) = 0;

  // mlmdx.RetentionService/DeleteContexts: the one call that writes. A
  // direct source opens the database read-only and answers
  // FAILED_PRECONDITION; a plain MLMD server answers UNIMPLEMENTED.
  virtual absl::Status DeleteContexts(
      const ::mlmdx::DeleteContextsRequest& request,
      ::mlmdx::DeleteContextsResponse* response) = 0;

  // Whether the source answers: the server's grpc.health.v1 status, or the
  // database's schema check. OK means serving; the text says what was
  // checked ("SERVING", "schema version 10").
  virtual absl::StatusOr<std::string> CheckHealth() = 0;

  // What the source is, for messages: "server localhost:8080",
  // "database /data/mlmd.sqlite" or "PostgreSQL database mlmd on db port
  // 5432 as mlmd".
  virtual std::string Describe() const = 0;
};

// Whether `db` (SourceOptions::db) names a PostgreSQL database: a
// postgresql:// or postgres:// URI. Anything else is a SQLite file.
bool IsPostgresDatabase(absl::string_view db);

// `db` for messages: "database FILE", or for PostgreSQL the database, host,
// port and user (never the password a URI may hold).
std::string DescribeDatabase(const std::string& db);

// A direct source when `options.db` is set, else a server connection (no
// call is made yet). The database is only read: nothing is created or
// migrated, on SQLite or PostgreSQL (a missing database included).
// UNAVAILABLE / FAILED_PRECONDITION when the database cannot be opened or
// holds no MLMD schema at version 10;
// INVALID_ARGUMENT when a TLS file cannot be read.
absl::StatusOr<std::unique_ptr<MetadataSource>> OpenMetadataSource(
    const SourceOptions& options);

}  // namespace mlmdx::cli

#endif  // MLMDX_CLI_METADATA_SOURCE_H_
