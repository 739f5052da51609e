// File: store/internal/type_ops.h
// -----------------------------------------------------------------------------
//
// MLMD's rules for types: upsert with evolution flags (can_add_fields,
// can_omit_fields), external id changes, base_type links, and which fields
// each read returns. REQUIRES for every function: an open transaction.

#ifndef MLMDX_STORE_INTERNAL_TYPE_OPS_H_
#define MLMDX_STORE_INTERNAL_TYPE_OPS_H_

#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "store/internal/record_access.h"

namespace mlmdx::store::internal {

struct TypeUpsertFlags {
  bool can_add_fields = false;
  bool can_omit_fields = false;
};

// Creates the type or evolves the stored type with the same kind, name and
// version; returns its id. See spec §2.10 for the rules. Errors:
//   INVALID_ARGUMENT  empty name, a property typed UNKNOWN, an oversized field
//   ALREADY_EXISTS    incompatible with the stored type, or external_id taken
//   UNIMPLEMENTED     base_type UNSET, or a change of an existing base_type
template <typename TypeProto>
absl::StatusOr<int64_t> UpsertType(RecordAccess& access, const TypeProto& type,
                                   const TypeUpsertFlags& flags);

// Which fields a read returns (spec §2.8).
enum class TypeView {
  kFull,           // Get*Type, Get*TypesByID
  kList,           // Get*Types: no external_id
  kByExternalIds,  // Get*TypesByExternalIds: no signatures, no base_type
  kPopulated,      // GetArtifactsByID's artifact_types: no base_type
  kLineage,        // GetLineageSubgraph: no external_id, no base_type
};

template <typename TypeProto>
TypeProto ToTypeProto(const TypeRecord& record, TypeView view);

template <typename TypeProto>
constexpr TypeKind KindOfType();
template <>
constexpr TypeKind KindOfType<ml_metadata::ArtifactType>() {
  return TypeKind::kArtifact;
}
template <>
constexpr TypeKind KindOfType<ml_metadata::ExecutionType>() {
  return TypeKind::kExecution;
}
template <>
constexpr TypeKind KindOfType<ml_metadata::ContextType>() {
  return TypeKind::kContext;
}

// Types read once per request: node writes look up the same type for every
// node of a batch.
class TypeCache {
 public:
  // The type with `id` if it is of `kind`, else nullptr.
  absl::StatusOr<const TypeRecord*> Get(RecordAccess& access, TypeKind kind,
                                        int64_t id);

 private:
  absl::flat_hash_map<int64_t, std::optional<TypeRecord>> types_;
};

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_TYPE_OPS_H_
