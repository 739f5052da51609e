// File: store/internal/type_ops.h
// -----------------------------------------------------------------------------
//
// MLMD's rules for types: upsert with evolution flags (can_add_fields,
// can_omit_fields), external id changes, base_type links, and which fields
// each read returns. REQUIRES for every function: an open transaction.

#ifndef MLMDX_STORE_INTERNAL_TYPE_OPS_H_
#define MLMDX_STORE_INTERNAL_TYPE_OPS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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

// What node writes need of the types of one database (id, kind, name,
// version and declared properties), kept across transactions. Keeping them
// is safe because MLMD never deletes or renames a type and never changes
// the data type of a property: a type only gains properties (PutType with
// can_add_fields). An entry may therefore lack a property that another
// server added since it was read, never hold one too many; TypeCache reads
// the type again when a node names a property its entry lacks. Types not
// found are not kept, since they may be created later.
//
// Thread-safe.
class TypeFacts {
 public:
  TypeFacts() = default;
  TypeFacts(const TypeFacts&) = delete;
  TypeFacts& operator=(const TypeFacts&) = delete;

  // The type with `id` as last remembered, or nullptr.
  std::shared_ptr<const TypeRecord> Find(int64_t id) const;
  // Keeps `type`, replacing what was kept for its id.
  // REQUIRES: `type` was read from the database, as committed.
  void Remember(std::shared_ptr<const TypeRecord> type);
  // Drops every type kept, after a transaction that may have taught some
  // of them was rolled back.
  void Forget();

 private:
  // Enough for any real set of types; past it, the oldest reads are
  // dropped all at once, which only costs reading them again.
  static constexpr size_t kMaxTypes = 4096;

  mutable absl::Mutex mutex_;
  absl::flat_hash_map<int64_t, std::shared_ptr<const TypeRecord>> types_
      ABSL_GUARDED_BY(mutex_);
};

// A TypeFacts for one store, which keeps it for as long as it is open.
std::shared_ptr<TypeFacts> NewTypeFacts();

// Types looked up by the node writes of one transaction: node writes look up
// the same type for every node of a batch. Only id, kind, name, version and
// properties are kept; the other fields of a type may change and are left
// unset.
class TypeCache {
 public:
  // `facts`, when given, answers for types that earlier transactions read
  // and learns the ones this transaction reads.
  // REQUIRES: the write writes no type, so that what it reads is committed,
  // or written by an earlier write of its group commit (whose committer
  // calls TypeFacts::Forget when that transaction does not commit).
  explicit TypeCache(TypeFacts* facts = nullptr) : facts_(facts) {}

  // The type with `id` if it is of `kind`, else nullptr. A type known from
  // an earlier transaction is read again when it lacks one of the names of
  // `properties`, which may have been added since.
  absl::StatusOr<const TypeRecord*> Get(
      RecordAccess& access, TypeKind kind, int64_t id,
      const google::protobuf::Map<std::string, ml_metadata::Value>* properties =
          nullptr);

 private:
  struct Entry {
    // Null when no type has the id.
    std::shared_ptr<const TypeRecord> type;
    // Read by this transaction rather than remembered from an earlier one.
    bool read_here = false;
  };

  // Reads the type with `id` into `entry`.
  absl::Status Read(RecordAccess& access, int64_t id, Entry& entry);

  TypeFacts* const facts_;
  absl::flat_hash_map<int64_t, Entry> types_;
};

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_TYPE_OPS_H_
