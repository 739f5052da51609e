// File: tests/fuzz/handler_fuzz_target.h
// -----------------------------------------------------------------------------
//
// What the handler fuzzer runs for one input, shared by the libFuzzer build
// (clang, sanitizers), the corpus replay test (g++) and the seed corpus
// writer. An input is one RPC call: its first byte picks the RPC (modulo
// RpcCount(), in RpcName order), the rest is the serialized request message,
// decoded with the generated parser as gRPC decodes it. A request that
// decodes is handed to the service implementation (server::MetadataService
// or server::LineageQueryService) in-process, over an in-memory SQLite store
// seeded with a small lineage graph, so that ids in requests hit real rows.
//
// Example:
//
//   auto harness = mlmdx::fuzz::Harness::Create();
//   std::string input(1, char(mlmdx::fuzz::RpcIndex("GetArtifactsByID")));
//   request.AppendToString(&input);
//   absl::Status contract = (*harness)->Run(input);

#ifndef MLMDX_TESTS_FUZZ_HANDLER_FUZZ_TARGET_H_
#define MLMDX_TESTS_FUZZ_HANDLER_FUZZ_TARGET_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/lineage_engine.h"
#include "server/in_flight.h"
#include "server/lineage_service.h"
#include "server/metadata_service.h"
#include "server/retention_service.h"
#include "store/metadata_store.h"

namespace mlmdx::fuzz {

// Every RPC of ml_metadata.MetadataStoreService and mlmdx.LineageService.
int RpcCount();
absl::string_view RpcName(int index);
// -1 for a name that is not an RPC.
int RpcIndex(absl::string_view name);

// The rows the store is seeded with, in creation order.
struct SeededIds {
  int64_t artifact_type = 0;
  int64_t execution_type = 0;
  int64_t context_type = 0;
  std::vector<int64_t> artifacts;
  std::vector<int64_t> executions;
  std::vector<int64_t> contexts;
};

class Harness {
 public:
  // A fresh in-memory store holding the seed rows, its lineage engine and
  // the services.
  static absl::StatusOr<std::unique_ptr<Harness>> Create();

  ~Harness();

  const SeededIds& ids() const { return ids_; }

  // Runs one input. OK unless the handler broke the contract that bad input
  // gets a precise status: UNKNOWN, INTERNAL and DATA_LOSS are violations.
  // An empty input, or a request that does not decode, does nothing.
  absl::Status Run(absl::string_view input);

 private:
  Harness() = default;

  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<engine::LineageEngine> lineage_;
  server::InFlightCalls in_flight_;
  std::unique_ptr<server::MetadataService> metadata_service_;
  std::unique_ptr<server::LineageQueryService> lineage_service_;
  std::unique_ptr<server::RetentionServiceImpl> retention_service_;
  SeededIds ids_;
};

}  // namespace mlmdx::fuzz

#endif  // MLMDX_TESTS_FUZZ_HANDLER_FUZZ_TARGET_H_
