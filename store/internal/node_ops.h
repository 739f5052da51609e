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

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
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
//   PERMISSION_DENIED a context in a namespace the caller
//                     (access.visible()) does not have
template <typename Node>
absl::StatusOr<int64_t> CreateNode(RecordAccess& access, TypeCache& types,
                                   const Node& node, int64_t now_ms);

// Stored nodes read ahead by id, all in one round trip, for a request that
// updates several. UpdateNode takes its node from here when it is there,
// and drops the entry of any node it updates, so that a node named again
// is read again and sees its first update.
template <typename Node>
using ReadAhead = absl::flat_hash_map<int64_t, Node>;

// The stored nodes among `ids` (unknown ids are left out).
template <typename Node>
absl::StatusOr<ReadAhead<Node>> ReadNodesAhead(RecordAccess& access,
                                               absl::Span<const int64_t> ids);

// Updates the stored node `node.id()`.
//   INVALID_ARGUMENT  unknown id, a different type_id, bad properties
//   NOT_FOUND         instead, under access.visible(): an unknown or
//                     invisible id
//   ALREADY_EXISTS    the new name or external_id is taken
//   PERMISSION_DENIED a context moved to a namespace the caller does not
//                     have
template <typename Node>
absl::Status UpdateNode(RecordAccess& access, TypeCache& types,
                        const Node& node, const NodeWriteOptions& options,
                        int64_t now_ms, ReadAhead<Node>* read_ahead = nullptr);

// CreateNode without id, UpdateNode with one; returns the node's id.
template <typename Node>
absl::StatusOr<int64_t> UpsertNode(RecordAccess& access, TypeCache& types,
                                   const Node& node,
                                   const NodeWriteOptions& options,
                                   int64_t now_ms,
                                   ReadAhead<Node>* read_ahead = nullptr);

// INVALID_ARGUMENT naming `field` unless a node of this kind has `id`
// (references to unknown nodes are bad input, not "not found"). Under
// access.visible(), NOT_FOUND in the same words unless that node is also
// visible: the caller cannot tell which.
template <typename Node>
absl::Status CheckNodeExists(RecordAccess& access, int64_t id,
                             absl::string_view field);

// Checks an event's own fields (both ids and a known type) and inserts it
// with its path. Existence of the two nodes is the caller's to check.
//   INVALID_ARGUMENT  a missing id or type
//   ALREADY_EXISTS    an event of this type between the two nodes exists
absl::Status InsertCheckedEvent(RecordAccess& access,
                                const ml_metadata::Event& event);

// INVALID_ARGUMENT unless the event has both ids and a known type.
absl::Status CheckEventFields(const ml_metadata::Event& event);

// InsertCheckedEvent for each of `events`, in order (in one statement on
// PostgreSQL).
absl::Status InsertCheckedEvents(RecordAccess& access,
                                 absl::Span<const ml_metadata::Event> events);

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_NODE_OPS_H_
