// File: query/catalog.h
// -----------------------------------------------------------------------------
//
// What a filter may name, per node kind (spec/listing.md §5.3-§5.5): the
// attributes of the listed node, the neighbour alias prefixes with their
// fields, the property value fields and the enum names with their stored
// integers. The binder resolves names against these tables; the emitter
// turns the alias kinds into joins. Everything here is static data.
//
// Example:
//
//   const Field* field = FindAttribute(NodeKind::kArtifact, "uri");
//   // field->column == "uri", field->type == ValueType::kString

#ifndef MLMDX_QUERY_CATALOG_H_
#define MLMDX_QUERY_CATALOG_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "query/filter.h"

namespace mlmdx::query {

// The static type of an expression.
enum class ValueType {
  kNull,  // an untyped NULL literal: fits every non-enum type
  kInt64,
  kDouble,
  kString,
  kBool,
  kEnum,      // an enum column; see EnumSet
  kEnumName,  // a bare enum name such as LIVE, resolved by its comparison
};

// The enums a filter can compare against bare names.
enum class EnumSet { kNone, kArtifactState, kExecutionState, kEventType };

// The kinds of related rows an alias can denote.
enum class AliasKind {
  kType,            // `type`: the node's Type row
  kContexts,        // contexts_X (artifacts and executions)
  kParentContexts,  // parent_contexts_X (contexts)
  kChildContexts,   // child_contexts_X (contexts)
  kArtifacts,       // artifacts_X (contexts)
  kExecutions,      // executions_X (contexts)
  kEvents,          // events_X (artifacts and executions)
  kProperty,        // properties.NAME
  kCustomProperty,  // custom_properties.NAME
};

// An attribute of a node or a field of an alias.
struct Field {
  absl::string_view name;    // as written in a filter (lowercase)
  absl::string_view column;  // column of the row's table
  ValueType type;
  EnumSet enum_set = EnumSet::kNone;
  // The value is the name of the row's type (a join with Type).
  bool from_type = false;
};

// Returns the attribute of nodes of `kind` named `name` (ASCII
// case-insensitive), or nullptr. `type` is not an attribute: it is the alias
// kType with the field FindField(kType, ...) "name".
const Field* FindAttribute(NodeKind kind, absl::string_view name);

// Returns the alias kind named by the prefix of `identifier` (which must be
// lowercase and followed by at least one of [A-Za-z0-9_]), or nullopt. Does
// not check that the kind is valid for the node kind.
std::optional<AliasKind> AliasKindOf(absl::string_view identifier);

// True when nodes of `kind` may use aliases of `alias`.
bool AliasValidFor(AliasKind alias, NodeKind kind);

// Returns the field `name` (ASCII case-insensitive) of an alias of kind
// `alias` listed from nodes of `kind`, or nullptr.
const Field* FindField(AliasKind alias, NodeKind kind, absl::string_view name);

// True when `name` is an enum name of any set (case-sensitive).
bool IsAnyEnumName(absl::string_view name);

// Returns the stored integer of enum name `name` in `set`, or nullopt when
// the name is not accepted for that set (including ABANDONED, REFERENCE,
// PENDING_OUTPUT and the event type UNKNOWN, which MLMD rejects).
std::optional<int64_t> EnumValue(EnumSet set, absl::string_view name);

// The accepted names of `set`, comma separated, for error messages.
absl::string_view EnumNames(EnumSet set);

// Readable names for error messages.
absl::string_view TypeName(ValueType type);
// The MLMD table that holds nodes of `kind` ("Artifact", "Execution",
// "Context"), which is also how error messages name the kind.
absl::string_view NodeKindName(NodeKind kind);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_CATALOG_H_
