#include "tests/fuzz/handler_fuzz_target.h"

#include <grpcpp/server_context.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "google/protobuf/text_format.h"
#include "util/status_macros.h"

namespace mlmdx::fuzz {
namespace {

// Decodes the request as gRPC would and calls the handler. A request that
// does not decode never reaches a handler (gRPC answers it itself), so it
// counts as OK here.
template <typename Request, typename Response, typename Service>
grpc::Status Call(Service& service,
                  grpc::Status (Service::*handler)(grpc::ServerContext*,
                                                   const Request*, Response*),
                  absl::string_view bytes) {
  Request request;
  if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return grpc::Status::OK;
  }
  Response response;
  grpc::ServerContext context;
  return (service.*handler)(&context, &request, &response);
}

struct Services {
  server::MetadataService& metadata;
  server::LineageQueryService& lineage;
  server::RetentionServiceImpl& retention;
};

struct Rpc {
  const char* name;
  grpc::Status (*call)(const Services&, absl::string_view);
};

#define MLMDX_FUZZ_METADATA_RPC(Name)                                          \
  Rpc{#Name, [](const Services& services, absl::string_view bytes) {           \
        return Call(services.metadata, &server::MetadataService::Name, bytes); \
      }},

// The order is the input's first byte: append new RPCs at the end so that
// committed corpus files keep their meaning.
const Rpc kRpcs[] = {
    MLMDX_STORE_RPCS(MLMDX_FUZZ_METADATA_RPC) MLMDX_FUZZ_METADATA_RPC(
        GetLineageGraph) MLMDX_FUZZ_METADATA_RPC(GetLineageSubgraph)
        Rpc{"QueryLineage",
            [](const Services& services, absl::string_view bytes) {
              return Call(services.lineage,
                          &server::LineageQueryService::QueryLineage, bytes);
            }},
    Rpc{"DeleteContexts",
        [](const Services& services, absl::string_view bytes) {
          return Call(services.retention,
                      &server::RetentionServiceImpl::DeleteContexts, bytes);
        }},
};
#undef MLMDX_FUZZ_METADATA_RPC

constexpr int kRpcCount = sizeof(kRpcs) / sizeof(kRpcs[0]);

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  // The seed texts are fixed; a typo is a programming error.
  if (!google::protobuf::TextFormat::ParseFromString(text, &message)) {
    std::abort();
  }
  return message;
}

absl::Status Seed(store::MetadataStore& store, SeededIds& ids) {
  ml_metadata::PutArtifactTypeResponse artifact_type;
  MLMDX_RETURN_IF_ERROR(
      store.PutArtifactType(Parse<ml_metadata::PutArtifactTypeRequest>(
                                R"pb(artifact_type {
                                       name: "fuzz.Dataset"
                                       external_id: "ext-type-dataset"
                                       properties { key: "split" value: STRING }
                                       properties { key: "rows" value: INT }
                                     })pb"),
                            &artifact_type));
  ids.artifact_type = artifact_type.type_id();
  ml_metadata::PutExecutionTypeResponse execution_type;
  MLMDX_RETURN_IF_ERROR(store.PutExecutionType(
      Parse<ml_metadata::PutExecutionTypeRequest>(
          R"pb(execution_type {
                 name: "fuzz.Trainer"
                 properties { key: "learning_rate" value: DOUBLE }
               })pb"),
      &execution_type));
  ids.execution_type = execution_type.type_id();
  ml_metadata::PutContextTypeResponse context_type;
  MLMDX_RETURN_IF_ERROR(store.PutContextType(
      Parse<ml_metadata::PutContextTypeRequest>(R"pb(context_type {
                                                       name: "fuzz.Pipeline"
                                                     })pb"),
      &context_type));
  ids.context_type = context_type.type_id();

  std::string artifacts;
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&artifacts, absl::Substitute(
                                    R"pb(artifacts {
                                           type_id: $0
                                           name: "a$1"
                                           uri: "s3://bucket/a$1"
                                           external_id: "ext-a$1"
                                           state: LIVE
                                           properties {
                                             key: "split"
                                             value { string_value: "train" }
                                           }
                                           properties {
                                             key: "rows"
                                             value { int_value: $1 }
                                           }
                                           custom_properties {
                                             key: "note"
                                             value { string_value: "seed" }
                                           }
                                         })pb",
                                    ids.artifact_type, i));
  }
  ml_metadata::PutArtifactsResponse put_artifacts;
  MLMDX_RETURN_IF_ERROR(store.PutArtifacts(
      Parse<ml_metadata::PutArtifactsRequest>(artifacts), &put_artifacts));
  ids.artifacts.assign(put_artifacts.artifact_ids().begin(),
                       put_artifacts.artifact_ids().end());

  ml_metadata::PutExecutionsResponse put_executions;
  MLMDX_RETURN_IF_ERROR(store.PutExecutions(
      Parse<ml_metadata::PutExecutionsRequest>(absl::Substitute(
          R"pb(executions {
                 type_id: $0
                 name: "e0"
                 last_known_state: COMPLETE
                 properties {
                   key: "learning_rate"
                   value { double_value: 0.1 }
                 }
               }
               executions {
                 type_id: $0
                 name: "e1"
                 external_id: "ext-e1"
                 last_known_state: RUNNING
               })pb",
          ids.execution_type)),
      &put_executions));
  ids.executions.assign(put_executions.execution_ids().begin(),
                        put_executions.execution_ids().end());

  ml_metadata::PutContextsResponse put_contexts;
  MLMDX_RETURN_IF_ERROR(store.PutContexts(
      Parse<ml_metadata::PutContextsRequest>(absl::Substitute(
          R"pb(contexts { type_id: $0 name: "p0" external_id: "ext-p0" }
               contexts { type_id: $0 name: "p1" }
               contexts { type_id: $0 name: "p2" })pb",
          ids.context_type)),
      &put_contexts));
  ids.contexts.assign(put_contexts.context_ids().begin(),
                      put_contexts.context_ids().end());

  const auto& a = ids.artifacts;
  const auto& e = ids.executions;
  const auto& c = ids.contexts;
  ml_metadata::PutEventsResponse put_events;
  MLMDX_RETURN_IF_ERROR(store.PutEvents(
      Parse<ml_metadata::PutEventsRequest>(absl::Substitute(
          R"pb(events { execution_id: $4 artifact_id: $0 type: INPUT }
               events {
                 execution_id: $4
                 artifact_id: $1
                 type: OUTPUT
                 path {
                   steps { key: "model" }
                   steps { index: 0 }
                 }
               }
               events { execution_id: $5 artifact_id: $1 type: INPUT }
               events { execution_id: $5 artifact_id: $2 type: OUTPUT }
               events { execution_id: $5 artifact_id: $3 type: OUTPUT })pb",
          a[0], a[1], a[2], a[3], e[0], e[1])),
      &put_events));

  ml_metadata::PutAttributionsAndAssociationsResponse put_links;
  MLMDX_RETURN_IF_ERROR(store.PutAttributionsAndAssociations(
      Parse<ml_metadata::PutAttributionsAndAssociationsRequest>(
          absl::Substitute(
              R"pb(attributions { context_id: $0 artifact_id: $2 }
                   attributions { context_id: $0 artifact_id: $3 }
                   attributions { context_id: $1 artifact_id: $4 }
                   associations { context_id: $0 execution_id: $5 }
                   associations { context_id: $1 execution_id: $6 })pb",
              c[0], c[1], a[0], a[1], a[2], e[0], e[1])),
      &put_links));

  ml_metadata::PutParentContextsResponse put_parents;
  return store.PutParentContexts(
      Parse<ml_metadata::PutParentContextsRequest>(absl::Substitute(
          R"pb(parent_contexts { parent_id: $0 child_id: $1 }
               parent_contexts { parent_id: $1 child_id: $2 })pb",
          c[0], c[1], c[2])),
      &put_parents);
}

}  // namespace

int RpcCount() { return kRpcCount; }

absl::string_view RpcName(int index) { return kRpcs[index].name; }

int RpcIndex(absl::string_view name) {
  for (int i = 0; i < kRpcCount; ++i) {
    if (name == kRpcs[i].name) return i;
  }
  return -1;
}

absl::StatusOr<std::unique_ptr<Harness>> Harness::Create() {
  std::unique_ptr<Harness> harness(new Harness());
  store::StoreOptions options;  // empty filename_uri: in memory
  MLMDX_ASSIGN_OR_RETURN(harness->store_, store::MetadataStore::Open(options));
  MLMDX_RETURN_IF_ERROR(Seed(*harness->store_, harness->ids_));
  MLMDX_ASSIGN_OR_RETURN(harness->lineage_,
                         engine::LineageEngine::Start(harness->store_.get()));
  // A zero wait: the fuzzer's contexts never carry mlmdx-read-after.
  harness->metadata_service_ = std::make_unique<server::MetadataService>(
      harness->store_.get(), harness->lineage_.get(), harness->in_flight_,
      absl::ZeroDuration());
  harness->lineage_service_ = std::make_unique<server::LineageQueryService>(
      harness->lineage_.get(), harness->in_flight_, absl::ZeroDuration());
  // The server's default list limit, so that a long list is refused as it
  // would be there.
  harness->retention_service_ = std::make_unique<server::RetentionServiceImpl>(
      harness->store_.get(), harness->lineage_.get(), harness->in_flight_,
      absl::ZeroDuration(), /*max_list_length=*/100000);
  return harness;
}

Harness::~Harness() {
  // The services use the engine, which follows the store.
  retention_service_.reset();
  lineage_service_.reset();
  metadata_service_.reset();
  lineage_.reset();
  store_.reset();
}

absl::Status Harness::Run(absl::string_view input) {
  if (input.empty()) return absl::OkStatus();
  const int rpc = static_cast<uint8_t>(input[0]) % kRpcCount;
  const grpc::Status status = kRpcs[rpc].call(
      Services{*metadata_service_, *lineage_service_, *retention_service_},
      input.substr(1));
  switch (status.error_code()) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
      return absl::InternalError(
          absl::StrCat(kRpcs[rpc].name, " answered code ", status.error_code(),
                       ": ", status.error_message()));
    default:
      return absl::OkStatus();
  }
}

}  // namespace mlmdx::fuzz
