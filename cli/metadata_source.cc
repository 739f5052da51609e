// OpenMetadataSource and the two sources: a gRPC client of a server, and
// the store and lineage engine over a database opened read-only.

#include "cli/metadata_source.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/lineage_engine.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "mlmdx/retention_service.grpc.pb.h"
#include "store/metadata_store.h"
#include "store/schema.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

// KFP's client limit: lineage answers and big listings can be large.
constexpr int kMaxMessageBytes = 100 << 20;

class RemoteSource final : public MetadataSource {
 public:
  RemoteSource(const SourceOptions& options,
               std::shared_ptr<grpc::ChannelCredentials> credentials)
      : address_(options.server),
        timeout_(options.timeout),
        token_(options.token) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(kMaxMessageBytes);
    args.SetMaxSendMessageSize(kMaxMessageBytes);
    if (!options.tls_server_name.empty()) {
      args.SetSslTargetNameOverride(options.tls_server_name);
    }
    channel_ = grpc::CreateCustomChannel(address_, credentials, args);
    metadata_ = ml_metadata::MetadataStoreService::NewStub(channel_);
    lineage_ = ::mlmdx::LineageService::NewStub(channel_);
    retention_ = ::mlmdx::RetentionService::NewStub(channel_);
    health_ = grpc::health::v1::Health::NewStub(channel_);
  }

#define MLMDX_CLI_REMOTE_RPC(Name)                                        \
  absl::Status Name(const ml_metadata::Name##Request& request,            \
                    ml_metadata::Name##Response* response) override {     \
    grpc::ClientContext context;                                          \
    Prepare(context);                                                     \
    return FromGrpc(metadata_->Name(&context, request, response), #Name); \
  }
  MLMDX_CLI_READ_RPCS(MLMDX_CLI_REMOTE_RPC)
#undef MLMDX_CLI_REMOTE_RPC

  absl::Status QueryLineage(const ::mlmdx::QueryLineageRequest& request,
                            ::mlmdx::QueryLineageResponse* response) override {
    grpc::ClientContext context;
    Prepare(context);
    return FromGrpc(lineage_->QueryLineage(&context, request, response),
                    "QueryLineage");
  }

  absl::Status DeleteContexts(
      const ::mlmdx::DeleteContextsRequest& request,
      ::mlmdx::DeleteContextsResponse* response) override {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    return FromGrpc(retention_->DeleteContexts(&context, request, response),
                    "DeleteContexts");
  }

  absl::StatusOr<std::string> CheckHealth() override {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    MLMDX_RETURN_IF_ERROR(
        FromGrpc(health_->Check(&context, request, &response), "Check"));
    const std::string status =
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
            response.status());
    if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::UnavailableError(
          absl::StrCat("the server at ", address_, " is ", status));
    }
    return status;
  }

  std::string Describe() const override {
    return absl::StrCat("server ", address_);
  }

 private:
  // Every call's deadline and token.
  void Prepare(grpc::ClientContext& context) const {
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    if (!token_.empty()) {
      context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    }
  }

  // The server's status as it is, except when no server answered: then the
  // message names the address instead of gRPC's transport details.
  absl::Status FromGrpc(const grpc::Status& status,
                        absl::string_view method) const {
    if (status.ok()) return absl::OkStatus();
    const auto code = static_cast<absl::StatusCode>(status.error_code());
    if (code == absl::StatusCode::kUnavailable &&
        channel_->GetState(false) != GRPC_CHANNEL_READY) {
      return absl::UnavailableError(absl::StrCat("cannot reach the server at ",
                                                 address_, " (",
                                                 status.error_message(), ")"));
    }
    if (code == absl::StatusCode::kDeadlineExceeded) {
      return absl::DeadlineExceededError(
          absl::StrCat("no answer from the server at ", address_, " within ",
                       absl::FormatDuration(timeout_), " (", method, ")"));
    }
    if (code == absl::StatusCode::kUnauthenticated) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the server at ", address_,
          " refused the call: ", status.error_message(),
          token_.empty() ? " (pass --token or set MLMDX_TOKEN)" : ""));
    }
    return absl::Status(code, status.error_message());
  }

  const std::string address_;
  const absl::Duration timeout_;
  const std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> metadata_;
  std::unique_ptr<::mlmdx::LineageService::Stub> lineage_;
  std::unique_ptr<::mlmdx::RetentionService::Stub> retention_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

class DirectSource final : public MetadataSource {
 public:
  DirectSource(std::string description,
               std::unique_ptr<store::MetadataStore> store)
      : description_(std::move(description)), store_(std::move(store)) {}

#define MLMDX_CLI_DIRECT_RPC(Name)                                    \
  absl::Status Name(const ml_metadata::Name##Request& request,        \
                    ml_metadata::Name##Response* response) override { \
    return store_->Name(request, response);                           \
  }
  MLMDX_CLI_STORE_READ_RPCS(MLMDX_CLI_DIRECT_RPC)
#undef MLMDX_CLI_DIRECT_RPC

  absl::Status GetLineageSubgraph(
      const ml_metadata::GetLineageSubgraphRequest& request,
      ml_metadata::GetLineageSubgraphResponse* response) override {
    MLMDX_ASSIGN_OR_RETURN(engine::LineageEngine * lineage, Engine());
    return lineage->GetLineageSubgraph(request, response);
  }

  absl::Status QueryLineage(const ::mlmdx::QueryLineageRequest& request,
                            ::mlmdx::QueryLineageResponse* response) override {
    MLMDX_ASSIGN_OR_RETURN(engine::LineageEngine * lineage, Engine());
    return lineage->QueryLineage(request, response);
  }

  absl::Status DeleteContexts(const ::mlmdx::DeleteContextsRequest&,
                              ::mlmdx::DeleteContextsResponse*) override {
    return absl::FailedPreconditionError(
        absl::StrCat("deleting needs a server (--server): ", description_,
                     " is opened read-only"));
  }

  absl::StatusOr<std::string> CheckHealth() override {
    // Open already checked the schema; a read proves the file still reads.
    ml_metadata::GetArtifactTypesResponse response;
    MLMDX_RETURN_IF_ERROR(store_->GetArtifactTypes({}, &response));
    return absl::StrCat("MLMD schema version ", store::kSchemaVersion);
  }

  std::string Describe() const override { return description_; }

 private:
  // The index is built on the first lineage question only: listings and
  // lookups need none, and building it reads every event. One process asks
  // a question or two, so the index holds no event paths: reading them all
  // would cost more than reading the answer's events.
  absl::StatusOr<engine::LineageEngine*> Engine() {
    if (lineage_ == nullptr) {
      engine::LineageEngineOptions options;
      options.hold_event_details = false;
      MLMDX_ASSIGN_OR_RETURN(
          lineage_, engine::LineageEngine::Start(store_.get(), options));
    }
    return lineage_.get();
  }

  const std::string description_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<engine::LineageEngine> lineage_;
};

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  if (!file || text.str().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path));
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(
    const SourceOptions& options) {
  const bool tls = options.tls || !options.tls_ca_file.empty() ||
                   !options.tls_cert_file.empty();
  if (!tls) return grpc::InsecureChannelCredentials();
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together (a client certificate and its "
        "key)");
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_ca_file.empty()) {
    MLMDX_ASSIGN_OR_RETURN(ssl.pem_root_certs,
                           ReadPem("--tls-ca", options.tls_ca_file));
  }
  if (!options.tls_cert_file.empty()) {
    MLMDX_ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                           ReadPem("--tls-cert", options.tls_cert_file));
    MLMDX_ASSIGN_OR_RETURN(ssl.pem_private_key,
                           ReadPem("--tls-key", options.tls_key_file));
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

bool IsPostgresDatabase(absl::string_view db) {
  return absl::StartsWith(db, "postgresql://") ||
         absl::StartsWith(db, "postgres://");
}

std::string DescribeDatabase(const std::string& db) {
  if (IsPostgresDatabase(db)) return store::DescribePostgres({db});
  return absl::StrCat("database ", db);
}

absl::StatusOr<std::unique_ptr<MetadataSource>> OpenMetadataSource(
    const SourceOptions& options) {
  if (options.db.empty()) {
    MLMDX_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds,
                           Credentials(options));
    return std::make_unique<RemoteSource>(options, std::move(creds));
  }
  store::StoreOptions store_options;
  // Only read: no schema, track or database is created, on either backend.
  store_options.read_only = true;
  if (IsPostgresDatabase(options.db)) {
    store_options.postgres = store::PostgresOptions{options.db};
  } else {
    store_options.sqlite.filename_uri = options.db;
    store_options.sqlite.create_if_missing = false;
  }
  // One short-lived reader; no pool needed.
  store_options.max_connections = 1;
  store_options.open_retries = 0;
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<store::MetadataStore> store,
                         store::MetadataStore::Open(store_options));
  return std::make_unique<DirectSource>(DescribeDatabase(options.db),
                                        std::move(store));
}

}  // namespace mlmdx::cli
