// File: store/internal/node_ops.h
// -----------------------------------------------------------------------------
//
// MLMD's rules for writing one artifact, execution or context: validation
// against its type, create (spec §2.5), and update with replace semantics
// (empty mask) or patch semantics (update_mask), including when the update
// time moves (spec §2.7). REQUIRES for every function: an open read-write
// transaction.

#ifndef MLMDX_STORE_INTERNAL_NODE_OPS_H_
#define MLMDX_STORE_INTERNAL_NODE_OPS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "store/internal/record_access.h"
#include "store/internal/type_ops.h"

namespace mlmdx::store::internal {

struct NodeWriteOptions {
  // Paths to patch; empty means replace the node as a whole.
  const google::protobuf::FieldMask* update_mask = nullptr;
  // Rewrite the node and move its update time even when nothing changed.
  bool force_update_time = false;
};

// Milliseconds since the Unix epoch.
int64_t NowMillis();

// Creates `node` (which must have no id) and its properties; returns the id.
//   INVALID_ARGUMENT  no type_id, bad properties, context without name
//   NOT_FOUND         type_id is not a type of this kind
//   ALREADY_EXISTS    (type, name) or external_id taken
template <typename Node>
absl::StatusOr<int64_t> CreateNode(RecordAccess& access, TypeCache& types,
                                   const Node& node, int64_t now_ms);

// Updates the stored node `node.id()`.
//   INVALID_ARGUMENT  unknown id, a different type_id, bad properties
//   ALREADY_EXISTS    the new name or external_id is taken
template <typename Node>
absl::Status UpdateNode(RecordAccess& access, TypeCache& types,
                        const Node& node, const NodeWriteOptions& options,
                        int64_t now_ms);

// CreateNode without id, UpdateNode with one; returns the node's id.
template <typename Node>
absl::StatusOr<int64_t> UpsertNode(RecordAccess& access, TypeCache& types,
                                   const Node& node,
                                   const NodeWriteOptions& options,
                                   int64_t now_ms);

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_NODE_OPS_H_
