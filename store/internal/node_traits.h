// File: store/internal/node_traits.h
// -----------------------------------------------------------------------------
//
// What differs between the three node kinds (Artifact, Execution, Context) in
// MLMD's tables: table names, the kind-specific columns, and how they map to
// the proto. Generic code in record_access.cc is written once against these.
//
// Every node table has the common columns id, type_id, name, external_id,
// create_time_since_epoch, last_update_time_since_epoch; the extra columns
// follow them in kExtraColumns order.

#ifndef MLMDX_STORE_INTERNAL_NODE_TRAITS_H_
#define MLMDX_STORE_INTERNAL_NODE_TRAITS_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "store/connection.h"

namespace mlmdx::store::internal {

// Type.type_kind values.
enum class TypeKind : int { kExecution = 0, kArtifact = 1, kContext = 2 };

template <typename Node>
struct NodeTraits;

template <>
struct NodeTraits<ml_metadata::Artifact> {
  using Type = ml_metadata::ArtifactType;
  static constexpr TypeKind kTypeKind = TypeKind::kArtifact;
  static constexpr absl::string_view kKindName = "artifact";
  static constexpr absl::string_view kTable = "Artifact";
  static constexpr absl::string_view kPropertyTable = "ArtifactProperty";
  static constexpr absl::string_view kPropertyIdColumn = "artifact_id";
  static constexpr absl::string_view kExtraColumns = "uri, state";
  static constexpr int kExtraCount = 2;

  static void BindExtra(const ml_metadata::Artifact& node,
                        std::vector<SqlValue>& params) {
    // MLMD always stores a string: "" when no uri was given.
    params.push_back(SqlValue::Text(node.uri()));
    params.push_back(node.has_state() ? SqlValue::Int(node.state())
                                      : SqlValue::Null());
  }
  static void ReadExtra(const std::vector<SqlValue>& row, size_t offset,
                        ml_metadata::Artifact& node) {
    // Rows written before schema v5 may hold NULL; read it as "".
    node.set_uri(row[offset].AsString());
    if (!row[offset + 1].is_null()) {
      node.set_state(
          static_cast<ml_metadata::Artifact::State>(row[offset + 1].AsInt()));
    }
  }
};

template <>
struct NodeTraits<ml_metadata::Execution> {
  using Type = ml_metadata::ExecutionType;
  static constexpr TypeKind kTypeKind = TypeKind::kExecution;
  static constexpr absl::string_view kKindName = "execution";
  static constexpr absl::string_view kTable = "Execution";
  static constexpr absl::string_view kPropertyTable = "ExecutionProperty";
  static constexpr absl::string_view kPropertyIdColumn = "execution_id";
  static constexpr absl::string_view kExtraColumns = "last_known_state";
  static constexpr int kExtraCount = 1;

  static void BindExtra(const ml_metadata::Execution& node,
                        std::vector<SqlValue>& params) {
    params.push_back(node.has_last_known_state()
                         ? SqlValue::Int(node.last_known_state())
                         : SqlValue::Null());
  }
  static void ReadExtra(const std::vector<SqlValue>& row, size_t offset,
                        ml_metadata::Execution& node) {
    if (!row[offset].is_null()) {
      node.set_last_known_state(
          static_cast<ml_metadata::Execution::State>(row[offset].AsInt()));
    }
  }
};

template <>
struct NodeTraits<ml_metadata::Context> {
  using Type = ml_metadata::ContextType;
  static constexpr TypeKind kTypeKind = TypeKind::kContext;
  static constexpr absl::string_view kKindName = "context";
  static constexpr absl::string_view kTable = "Context";
  static constexpr absl::string_view kPropertyTable = "ContextProperty";
  static constexpr absl::string_view kPropertyIdColumn = "context_id";
  static constexpr absl::string_view kExtraColumns = "";
  static constexpr int kExtraCount = 0;

  static void BindExtra(const ml_metadata::Context&, std::vector<SqlValue>&) {}
  static void ReadExtra(const std::vector<SqlValue>&, size_t,
                        ml_metadata::Context&) {}
};

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_NODE_TRAITS_H_
