// File: cli/records.h
// -----------------------------------------------------------------------------
//
// How the verbs show MLMD records: property values as text and as JSON,
// times, states, and type names resolved through one read of each kind's
// types. JSON objects keep MLMD's field names (snake_case) so that scripts
// can rely on them.
//
// Example:
//
//   TypeCatalog types(source);
//   MLMDX_ASSIGN_OR_RETURN(nlohmann::json json,
//                          ArtifactJson(artifact, types));
//
// Thread-safety: TypeCatalog is not thread-safe.

#ifndef MLMDX_CLI_RECORDS_H_
#define MLMDX_CLI_RECORDS_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cli/metadata_source.h"
#include "ml_metadata/proto/metadata_store.pb.h"

namespace mlmdx::cli {

// A property value as one line of text: strings as they are, numbers in
// their shortest exact form, structs and protos as compact JSON.
std::string ValueText(const ml_metadata::Value& value);

// A number in the shortest text that reads back as the same double
// ("1000", "0.05", "0.1234567891").
std::string NumberText(double number);

// Properties and custom properties as (name, text) pairs sorted by name,
// with struct values flattened one leaf per pair ("inputs.n_rows"), as
// Kubeflow Pipelines keeps parameters in `inputs` / `outputs` structs.
std::vector<std::pair<std::string, std::string>> FlatProperties(
    const google::protobuf::Map<std::string, ml_metadata::Value>& properties,
    const google::protobuf::Map<std::string, ml_metadata::Value>& custom);

// A property value as JSON: numbers, strings, booleans, structs as objects.
nlohmann::json ValueJson(const ml_metadata::Value& value);

// Properties as a JSON object, sorted by name.
nlohmann::json PropertiesJson(
    const google::protobuf::Map<std::string, ml_metadata::Value>& properties);

// A time in milliseconds since the epoch, as "2026-12-03 11:35:41" (UTC) for
// people and "2026-12-03T11:35:41.123Z" for JSON; empty for 0 (unset).
std::string TimeText(int64_t millis);
std::string TimeJson(int64_t millis);

std::string StateName(ml_metadata::Artifact::State state);
std::string StateName(ml_metadata::Execution::State state);
std::string EventTypeName(ml_metadata::Event::Type type);

// The event's path as "key" or "key[0].x" (empty when it has none).
std::string EventPathText(const ml_metadata::Event& event);

// Whether an event type is output-like (the execution produced the
// artifact) or input-like (it consumed it), as spec/lineage.md classes them.
bool IsOutputEvent(ml_metadata::Event::Type type);

// Type names by id for each node kind, read once per kind on first use.
class TypeCatalog {
 public:
  // `source` must outlive the catalog.
  explicit TypeCatalog(MetadataSource& source) : source_(source) {}

  absl::StatusOr<std::string> ArtifactType(int64_t type_id);
  absl::StatusOr<std::string> ExecutionType(int64_t type_id);
  absl::StatusOr<std::string> ContextType(int64_t type_id);

 private:
  // `kind`: 0 artifacts, 1 executions, 2 contexts.
  absl::StatusOr<std::string> Name(int kind, int64_t type_id);

  MetadataSource& source_;
  bool loaded_[3] = {false, false, false};
  absl::flat_hash_map<int64_t, std::string> names_[3];
};

// Records as JSON objects: id, type, name, uri/state, properties,
// custom_properties, create_time, update_time (only fields that are set).
absl::StatusOr<nlohmann::json> ArtifactJson(const ml_metadata::Artifact& a,
                                            TypeCatalog& types);
absl::StatusOr<nlohmann::json> ExecutionJson(const ml_metadata::Execution& e,
                                             TypeCatalog& types);
absl::StatusOr<nlohmann::json> ContextJson(const ml_metadata::Context& c,
                                           TypeCatalog& types);

// What people call an execution: its name, else the task or display name
// Kubeflow Pipelines records as custom properties, else "".
std::string ExecutionLabel(const ml_metadata::Execution& execution);

// Escapes `text` for a single-quoted filter_query string literal.
std::string FilterQuote(const std::string& text);

}  // namespace mlmdx::cli

#endif  // MLMDX_CLI_RECORDS_H_
