// File: tests/fuzz/make_handler_corpus.cc
// -----------------------------------------------------------------------------
//
// Writes the handler fuzzer's seed corpus: valid requests for every RPC,
// with ids of the rows the harness seeds (tests/fuzz/handler_fuzz_target.h),
// one file per request named after its RPC. Every RPC must have at least
// one request here; the program fails otherwise.
//
// Example:
//
//   build/ci/tests/fuzz/make_handler_corpus tests/fuzz/corpus

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "google/protobuf/text_format.h"
#include "mlmdx/lineage_service.pb.h"
#include "mlmdx/retention_service.pb.h"
#include "tests/fuzz/handler_fuzz_target.h"

namespace mlmdx::fuzz {
namespace {

// Text-format requests; $0..$2 are the seeded artifact, execution and
// context types, $3..$5 artifacts, $6..$7 executions, $8..$9 contexts.
const std::vector<std::pair<const char*, const char*>> kRequests = {
    {"PutArtifactType",
     R"(artifact_type { name: "fuzz.Model" properties { key: "f" value: DOUBLE } })"},
    {"PutArtifactType",
     R"(artifact_type { name: "fuzz.Dataset" properties { key: "extra" value: STRING } } can_add_fields: true can_omit_fields: true)"},
    {"PutExecutionType", R"(execution_type { name: "fuzz.Evaluator" })"},
    {"PutContextType",
     R"(context_type { name: "fuzz.Run" properties { key: "owner" value: STRING } })"},
    {"PutTypes",
     R"(artifact_types { name: "fuzz.Metrics" } execution_types { name: "fuzz.Pusher" } context_types { name: "fuzz.Experiment" })"},
    {"GetArtifactType", R"(type_name: "fuzz.Dataset")"},
    {"GetExecutionType", R"(type_name: "fuzz.Trainer")"},
    {"GetContextType", R"(type_name: "fuzz.Pipeline")"},
    {"GetArtifactTypesByID", "type_ids: $0 type_ids: $1"},
    {"GetExecutionTypesByID", "type_ids: $1"},
    {"GetContextTypesByID", "type_ids: $2"},
    {"GetArtifactTypes", ""},
    {"GetExecutionTypes", ""},
    {"GetContextTypes", ""},
    {"GetArtifactTypesByExternalIds", R"(external_ids: "ext-type-dataset")"},
    {"GetExecutionTypesByExternalIds", R"(external_ids: "none")"},
    {"GetContextTypesByExternalIds", R"(external_ids: "none")"},
    {"PutArtifacts",
     R"(artifacts { type_id: $0 name: "new" uri: "s3://bucket/new" properties { key: "rows" value { int_value: 5 } } })"},
    {"PutArtifacts",
     R"(artifacts { id: $3 type_id: $0 uri: "s3://bucket/moved" state: MARKED_FOR_DELETION })"},
    {"PutExecutions",
     R"(executions { type_id: $1 name: "e-new" last_known_state: NEW })"},
    {"PutExecutions",
     R"(executions { id: $6 type_id: $1 last_known_state: FAILED })"},
    {"PutContexts", R"(contexts { type_id: $2 name: "p-new" })"},
    {"PutContexts", R"(contexts { id: $8 type_id: $2 name: "p0" })"},
    {"PutEvents",
     R"(events { execution_id: $7 artifact_id: $3 type: INPUT path { steps { key: "x" } } })"},
    {"PutAttributionsAndAssociations",
     R"(attributions { context_id: $9 artifact_id: $3 } associations { context_id: $9 execution_id: $6 })"},
    {"PutParentContexts", R"(parent_contexts { parent_id: $9 child_id: $8 })"},
    {"PutExecution",
     R"(execution { type_id: $1 name: "e-put" last_known_state: COMPLETE }
        artifact_event_pairs { artifact { id: $5 } event { type: INPUT } }
        artifact_event_pairs { artifact { type_id: $0 uri: "s3://bucket/out" } event { type: OUTPUT } }
        contexts { type_id: $2 name: "p0" }
        options { reuse_context_if_already_exist: true })"},
    {"PutLineageSubgraph",
     R"(executions { type_id: $1 name: "e-sub" }
        artifacts { type_id: $0 uri: "s3://bucket/sub" }
        contexts { type_id: $2 name: "p-sub" }
        event_edges { execution_index: 0 artifact_index: 0 event { type: OUTPUT } })"},
    {"GetArtifacts",
     R"(options { max_result_size: 2 order_by_field { field: CREATE_TIME is_asc: false } })"},
    {"GetArtifacts",
     R"(options { filter_query: "uri LIKE 's3://%' AND properties.rows.int_value > 1" })"},
    {"GetExecutions",
     R"(options { filter_query: "last_known_state = COMPLETE" })"},
    {"GetContexts",
     R"(options { filter_query: "type = 'fuzz.Pipeline'" max_result_size: 1 })"},
    {"GetArtifactsByType",
     R"(type_name: "fuzz.Dataset" options { max_result_size: 2 })"},
    {"GetExecutionsByType", R"(type_name: "fuzz.Trainer")"},
    {"GetContextsByType", R"(type_name: "fuzz.Pipeline")"},
    {"GetArtifactsByContext", "context_id: $8 options { max_result_size: 1 }"},
    {"GetExecutionsByContext", "context_id: $8"},
    {"GetArtifactsByID", "artifact_ids: $3 artifact_ids: $4 artifact_ids: 999"},
    {"GetExecutionsByID", "execution_ids: $6 execution_ids: $7"},
    {"GetContextsByID", "context_ids: $8 context_ids: $9"},
    {"GetArtifactByTypeAndName",
     R"(type_name: "fuzz.Dataset" artifact_name: "a1")"},
    {"GetExecutionByTypeAndName",
     R"(type_name: "fuzz.Trainer" execution_name: "e0")"},
    {"GetContextByTypeAndName",
     R"(type_name: "fuzz.Pipeline" context_name: "p1")"},
    {"GetArtifactsByURI", R"(uris: "s3://bucket/a2")"},
    {"GetArtifactsByExternalIds", R"(external_ids: "ext-a0")"},
    {"GetExecutionsByExternalIds", R"(external_ids: "ext-e1")"},
    {"GetContextsByExternalIds", R"(external_ids: "ext-p0")"},
    {"GetEventsByExecutionIDs", "execution_ids: $6 execution_ids: $7"},
    {"GetEventsByArtifactIDs", "artifact_ids: $4"},
    {"GetContextsByArtifact", "artifact_id: $3"},
    {"GetContextsByExecution", "execution_id: $6"},
    {"GetParentContextsByContext", "context_id: $9"},
    {"GetChildrenContextsByContext", "context_id: $8"},
    {"GetParentContextsByContexts", "context_ids: $8 context_ids: $9"},
    {"GetChildrenContextsByContexts", "context_ids: $8 context_ids: $9"},
    {"GetLineageGraph",
     R"(options { artifacts_options { filter_query: "uri = 's3://bucket/a0'" } stop_conditions { max_num_hops: 4 } })"},
    {"GetLineageSubgraph",
     R"(lineage_subgraph_query_options { starting_artifacts { filter_query: "id = $4" } max_num_hops: 3 direction: BIDIRECTIONAL })"},
    {"GetLineageSubgraph",
     R"(lineage_subgraph_query_options { starting_executions { filter_query: "name = 'e1'" } max_num_hops: 2 direction: UPSTREAM ending_artifacts { filter_query: "uri LIKE '%a0'" } } read_mask { paths: "artifacts" })"},
    {"QueryLineage",
     R"(start_artifacts_filter: "id = $3" direction: DOWNSTREAM output: SUBGRAPH)"},
    {"QueryLineage",
     R"(start_artifacts_filter: "id = $5" direction: UPSTREAM output: PATHS target_artifact_id: $3 max_hops: 6)"},
    {"QueryLineage",
     R"(start_executions_filter: "name = 'e0'" output: ENDPOINTS endpoint_artifacts_filter: "uri LIKE 's3://%'" artifact_predicate: "state = LIVE")"},
    {"DeleteContexts", "context_ids: $8 dry_run: true"},
    {"DeleteContexts",
     R"(context_ids: $9 weak_context_types: "fuzz.Pipeline" weak_context_types: "fuzz.Run")"},
};

#define MLMDX_CORPUS_PARSE(Name)                                          \
  if (rpc == #Name) {                                                     \
    ml_metadata::Name##Request request;                                   \
    if (!google::protobuf::TextFormat::ParseFromString(text, &request)) { \
      return false;                                                       \
    }                                                                     \
    return request.AppendToString(bytes);                                 \
  }

// Parses `text` as the request message of `rpc` and appends it serialized.
bool Serialize(absl::string_view rpc, const std::string& text,
               std::string* bytes) {
  MLMDX_STORE_RPCS(MLMDX_CORPUS_PARSE)
  MLMDX_CORPUS_PARSE(GetLineageGraph)
  MLMDX_CORPUS_PARSE(GetLineageSubgraph)
  if (rpc == "QueryLineage") {
    QueryLineageRequest request;
    if (!google::protobuf::TextFormat::ParseFromString(text, &request)) {
      return false;
    }
    return request.AppendToString(bytes);
  }
  if (rpc == "DeleteContexts") {
    DeleteContextsRequest request;
    if (!google::protobuf::TextFormat::ParseFromString(text, &request)) {
      return false;
    }
    return request.AppendToString(bytes);
  }
  return false;
}
#undef MLMDX_CORPUS_PARSE

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIRECTORY\n", argv[0]);
    return 2;
  }
  auto harness = Harness::Create();
  if (!harness.ok()) {
    std::fprintf(stderr, "%s\n", harness.status().ToString().c_str());
    return 1;
  }
  const SeededIds& ids = (*harness)->ids();
  std::map<std::string, int> written;
  for (const auto& [rpc, text_template] : kRequests) {
    const std::string text = absl::Substitute(
        text_template, ids.artifact_type, ids.execution_type, ids.context_type,
        ids.artifacts[0], ids.artifacts[1], ids.artifacts[2], ids.executions[0],
        ids.executions[1], ids.contexts[0], ids.contexts[1]);
    const int index = RpcIndex(rpc);
    std::string input(1, static_cast<char>(index));
    if (index < 0 || !Serialize(rpc, text, &input)) {
      std::fprintf(stderr, "%s: bad request text: %s\n", rpc, text.c_str());
      return 1;
    }
    const std::string path =
        absl::StrCat(argv[1], "/", rpc, "-", written[rpc]++);
    std::ofstream out(path, std::ios::binary);
    out << input;
    if (!out) {
      std::fprintf(stderr, "%s: cannot write\n", path.c_str());
      return 1;
    }
  }
  for (int i = 0; i < RpcCount(); ++i) {
    if (written.count(std::string(RpcName(i))) == 0) {
      std::fprintf(stderr, "no request for %s\n",
                   std::string(RpcName(i)).c_str());
      return 1;
    }
  }
  std::printf("wrote %zu requests for %d RPCs\n", kRequests.size(), RpcCount());
  return 0;
}

}  // namespace
}  // namespace mlmdx::fuzz

int main(int argc, char** argv) { return mlmdx::fuzz::Main(argc, argv); }
