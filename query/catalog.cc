// File: query/catalog.cc

#include "query/catalog.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace mlmdx::query {
namespace {

constexpr ValueType kInt = ValueType::kInt64;
constexpr ValueType kStr = ValueType::kString;

constexpr Field kCommonAttributes[] = {
    {"id", "id", kInt},
    {"type_id", "type_id", kInt},
    {"name", "name", kStr},
    {"external_id", "external_id", kStr},
    {"create_time_since_epoch", "create_time_since_epoch", kInt},
    {"last_update_time_since_epoch", "last_update_time_since_epoch", kInt},
};
constexpr Field kArtifactAttributes[] = {
    {"uri", "uri", kStr},
    {"state", "state", ValueType::kEnum, EnumSet::kArtifactState},
};
constexpr Field kExecutionAttributes[] = {
    {"last_known_state", "last_known_state", ValueType::kEnum,
     EnumSet::kExecutionState},
};

constexpr Field kTypeFields[] = {{"name", "name", kStr}};
constexpr Field kContextFields[] = {
    {"id", "id", kInt},
    {"name", "name", kStr},
    {"type", "name", kStr, EnumSet::kNone, /*from_type=*/true},
    {"create_time_since_epoch", "create_time_since_epoch", kInt},
    {"last_update_time_since_epoch", "last_update_time_since_epoch", kInt},
};
constexpr Field kArtifactFields[] = {
    {"id", "id", kInt},
    {"name", "name", kStr},
    {"type", "name", kStr, EnumSet::kNone, /*from_type=*/true},
    {"uri", "uri", kStr},
    {"state", "state", ValueType::kEnum, EnumSet::kArtifactState},
    {"external_id", "external_id", kStr},
    {"create_time_since_epoch", "create_time_since_epoch", kInt},
    {"last_update_time_since_epoch", "last_update_time_since_epoch", kInt},
};
constexpr Field kExecutionFields[] = {
    {"id", "id", kInt},
    {"name", "name", kStr},
    {"type", "name", kStr, EnumSet::kNone, /*from_type=*/true},
    {"last_known_state", "last_known_state", ValueType::kEnum,
     EnumSet::kExecutionState},
    {"external_id", "external_id", kStr},
    {"create_time_since_epoch", "create_time_since_epoch", kInt},
    {"last_update_time_since_epoch", "last_update_time_since_epoch", kInt},
};
constexpr Field kArtifactEventFields[] = {
    {"type", "type", ValueType::kEnum, EnumSet::kEventType},
    {"milliseconds_since_epoch", "milliseconds_since_epoch", kInt},
    {"execution_id", "execution_id", kInt},
};
constexpr Field kExecutionEventFields[] = {
    {"type", "type", ValueType::kEnum, EnumSet::kEventType},
    {"milliseconds_since_epoch", "milliseconds_since_epoch", kInt},
    {"artifact_id", "artifact_id", kInt},
};
constexpr Field kPropertyFields[] = {
    {"int_value", "int_value", kInt},
    {"double_value", "double_value", ValueType::kDouble},
    {"string_value", "string_value", kStr},
    {"bool_value", "bool_value", ValueType::kBool},
};

template <size_t N>
const Field* Lookup(const Field (&fields)[N], absl::string_view name) {
  for (const Field& field : fields) {
    if (absl::EqualsIgnoreCase(field.name, name)) return &field;
  }
  return nullptr;
}

struct EnumEntry {
  absl::string_view name;
  int64_t value;
};

// Values from ml_metadata/proto/metadata_store.proto.
constexpr EnumEntry kArtifactStates[] = {{"UNKNOWN", 0},
                                         {"PENDING", 1},
                                         {"LIVE", 2},
                                         {"MARKED_FOR_DELETION", 3},
                                         {"DELETED", 4}};
constexpr EnumEntry kExecutionStates[] = {
    {"UNKNOWN", 0}, {"NEW", 1},    {"RUNNING", 2}, {"COMPLETE", 3},
    {"FAILED", 4},  {"CACHED", 5}, {"CANCELED", 6}};
constexpr EnumEntry kEventTypes[] = {
    {"DECLARED_OUTPUT", 1}, {"DECLARED_INPUT", 2}, {"INPUT", 3},
    {"OUTPUT", 4},          {"INTERNAL_INPUT", 5}, {"INTERNAL_OUTPUT", 6}};

template <size_t N>
std::optional<int64_t> LookupEnum(const EnumEntry (&entries)[N],
                                  absl::string_view name) {
  for (const EnumEntry& entry : entries) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

struct Prefix {
  absl::string_view text;
  AliasKind kind;
};
constexpr Prefix kPrefixes[] = {
    {"contexts_", AliasKind::kContexts},
    {"parent_contexts_", AliasKind::kParentContexts},
    {"child_contexts_", AliasKind::kChildContexts},
    {"artifacts_", AliasKind::kArtifacts},
    {"executions_", AliasKind::kExecutions},
    {"events_", AliasKind::kEvents},
};

}  // namespace

const Field* FindAttribute(NodeKind kind, absl::string_view name) {
  if (const Field* field = Lookup(kCommonAttributes, name)) return field;
  switch (kind) {
    case NodeKind::kArtifact:
      return Lookup(kArtifactAttributes, name);
    case NodeKind::kExecution:
      return Lookup(kExecutionAttributes, name);
    case NodeKind::kContext:
      return nullptr;
  }
  return nullptr;
}

std::optional<AliasKind> AliasKindOf(absl::string_view identifier) {
  for (const Prefix& prefix : kPrefixes) {
    if (identifier.size() > prefix.text.size() &&
        absl::StartsWith(identifier, prefix.text)) {
      for (char c : identifier.substr(prefix.text.size())) {
        if (!absl::ascii_isalnum(c) && c != '_') return std::nullopt;
      }
      return prefix.kind;
    }
  }
  return std::nullopt;
}

bool AliasValidFor(AliasKind alias, NodeKind kind) {
  switch (alias) {
    case AliasKind::kContexts:
    case AliasKind::kEvents:
      return kind != NodeKind::kContext;
    case AliasKind::kParentContexts:
    case AliasKind::kChildContexts:
    case AliasKind::kArtifacts:
    case AliasKind::kExecutions:
      return kind == NodeKind::kContext;
    case AliasKind::kType:
    case AliasKind::kProperty:
    case AliasKind::kCustomProperty:
      return true;
  }
  return false;
}

const Field* FindField(AliasKind alias, NodeKind kind, absl::string_view name) {
  switch (alias) {
    case AliasKind::kType:
      return Lookup(kTypeFields, name);
    case AliasKind::kContexts:
    case AliasKind::kParentContexts:
    case AliasKind::kChildContexts:
      return Lookup(kContextFields, name);
    case AliasKind::kArtifacts:
      return Lookup(kArtifactFields, name);
    case AliasKind::kExecutions:
      return Lookup(kExecutionFields, name);
    case AliasKind::kEvents:
      return kind == NodeKind::kArtifact ? Lookup(kArtifactEventFields, name)
                                         : Lookup(kExecutionEventFields, name);
    case AliasKind::kProperty:
    case AliasKind::kCustomProperty:
      return Lookup(kPropertyFields, name);
  }
  return nullptr;
}

bool IsAnyEnumName(absl::string_view name) {
  // Names MLMD rejects still read as enum names, for a better message.
  return LookupEnum(kArtifactStates, name) ||
         LookupEnum(kExecutionStates, name) || LookupEnum(kEventTypes, name) ||
         name == "ABANDONED" || name == "REFERENCE" || name == "PENDING_OUTPUT";
}

std::optional<int64_t> EnumValue(EnumSet set, absl::string_view name) {
  switch (set) {
    case EnumSet::kArtifactState:
      return LookupEnum(kArtifactStates, name);
    case EnumSet::kExecutionState:
      return LookupEnum(kExecutionStates, name);
    case EnumSet::kEventType:
      return LookupEnum(kEventTypes, name);
    case EnumSet::kNone:
      break;
  }
  return std::nullopt;
}

absl::string_view EnumNames(EnumSet set) {
  switch (set) {
    case EnumSet::kArtifactState:
      return "UNKNOWN, PENDING, LIVE, MARKED_FOR_DELETION, DELETED";
    case EnumSet::kExecutionState:
      return "UNKNOWN, NEW, RUNNING, COMPLETE, FAILED, CACHED, CANCELED";
    case EnumSet::kEventType:
      return "INPUT, OUTPUT, DECLARED_INPUT, DECLARED_OUTPUT, INTERNAL_INPUT, "
             "INTERNAL_OUTPUT";
    case EnumSet::kNone:
      break;
  }
  return "";
}

absl::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInt64:
      return "INT64";
    case ValueType::kDouble:
      return "DOUBLE";
    case ValueType::kString:
      return "STRING";
    case ValueType::kBool:
      return "BOOL";
    case ValueType::kEnum:
      return "ENUM";
    case ValueType::kEnumName:
      return "enum name";
  }
  return "?";
}

absl::string_view NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kArtifact:
      return "Artifact";
    case NodeKind::kExecution:
      return "Execution";
    case NodeKind::kContext:
      return "Context";
  }
  return "?";
}

}  // namespace mlmdx::query
