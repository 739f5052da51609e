#include "store/internal/node_ops.h"

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/message_differencer.h"
#include "store/internal/limits.h"
#include "store/internal/property_codec.h"
#include "store/internal/visibility.h"
#include "util/status_macros.h"

namespace mlmdx::store::internal {
namespace {

using ml_metadata::Value;
using PropertyMap = google::protobuf::Map<std::string, Value>;

bool MatchesDeclaredType(const Value& value, int data_type) {
  switch (data_type) {
    case ml_metadata::INT:
      return value.has_int_value();
    case ml_metadata::DOUBLE:
      return value.has_double_value();
    case ml_metadata::STRING:
      return value.has_string_value();
    case ml_metadata::STRUCT:
      return value.has_struct_value();
    case ml_metadata::PROTO:
      return value.has_proto_value();
    case ml_metadata::BOOLEAN:
      return value.has_bool_value();
    default:
      return false;
  }
}

absl::Status CheckProperty(const TypeRecord& type, const std::string& name,
                           const Value& value) {
  auto it = type.properties.find(name);
  if (it == type.properties.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Found unknown property: ", name, " (type '", type.name,
                     "' declares no such property)"));
  }
  if (!MatchesDeclaredType(value, it->second)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Found unmatched property type: ", name, " (type '",
                     type.name, "' declares it as ",
                     ml_metadata::PropertyType_Name(
                         static_cast<ml_metadata::PropertyType>(it->second)),
                     ")"));
  }
  return CheckStorable(name, value);
}

absl::Status CheckCustomProperty(const std::string& name, const Value& value) {
  MLMDX_RETURN_IF_ERROR(CheckLength("custom property name", name));
  return CheckStorable(name, value);
}

template <typename Node>
absl::Status CheckNodeStrings(const Node& node) {
  MLMDX_RETURN_IF_ERROR(CheckLength(
      absl::StrCat(NodeTraits<Node>::kKindName, " name"), node.name()));
  return CheckLength(absl::StrCat(NodeTraits<Node>::kKindName, " external_id"),
                     node.external_id());
}

// The type `node`'s properties are checked against.
template <typename Node>
absl::StatusOr<const TypeRecord*> TypeOf(RecordAccess& access, TypeCache& types,
                                         int64_t type_id, const Node& node) {
  MLMDX_ASSIGN_OR_RETURN(const TypeRecord* type,
                         types.Get(access, NodeTraits<Node>::kTypeKind, type_id,
                                   &node.properties()));
  if (type == nullptr) {
    return absl::NotFoundError(absl::StrCat("No ", NodeTraits<Node>::kKindName,
                                            " type with type_id ", type_id,
                                            " exists"));
  }
  return type;
}

absl::Status AlreadyExists(absl::Status status, absl::string_view kind,
                           int64_t type_id, absl::string_view name,
                           absl::string_view external_id) {
  if (!absl::IsAlreadyExists(status)) return status;
  return absl::AlreadyExistsError(
      absl::StrCat("Given node already exists: a ", kind, " with type_id ",
                   type_id, " and name '", name, "', or with external_id '",
                   external_id, "', is already stored"));
}

// ALREADY_EXISTS when a stored node of `node`'s type has its name, or any
// node of its kind its external_id.
template <typename Node>
absl::Status CheckNodeIsNew(RecordAccess& access, const Node& node) {
  if (node.has_name()) {
    MLMDX_ASSIGN_OR_RETURN(
        std::optional<int64_t> id,
        access.FindNodeIdByTypeAndName<Node>(node.type_id(), node.name()));
    if (id.has_value()) return absl::AlreadyExistsError("name taken");
  }
  if (node.has_external_id()) {
    MLMDX_ASSIGN_OR_RETURN(
        std::vector<int64_t> ids,
        access.FindNodeIdsByExternalIds<Node>({node.external_id()}));
    if (!ids.empty()) return absl::AlreadyExistsError("external_id taken");
  }
  return absl::OkStatus();
}

// Rows to write so that `stored` becomes `target` for one property map.
struct PropertyDiff {
  std::vector<PropertyRow> inserts;
  std::vector<PropertyRow> updates;
  std::vector<std::string> deletes;
  bool is_custom = false;
  size_t size() const {
    return inserts.size() + updates.size() + deletes.size();
  }
};

PropertyDiff DiffProperties(const PropertyMap& stored,
                            const PropertyMap& target, bool is_custom) {
  PropertyDiff diff;
  diff.is_custom = is_custom;
  for (const auto& [name, value] : target) {
    auto it = stored.find(name);
    if (it == stored.end()) {
      diff.inserts.push_back({name, is_custom, value});
    } else if (!SameValue(it->second, value)) {
      diff.updates.push_back({name, is_custom, value});
    }
  }
  for (const auto& [name, value] : stored) {
    if (!target.contains(name)) diff.deletes.push_back(name);
  }
  return diff;
}

template <typename Node>
absl::Status ApplyDiff(RecordAccess& access, int64_t id,
                       const PropertyDiff& diff) {
  for (const std::string& name : diff.deletes) {
    MLMDX_RETURN_IF_ERROR(
        access.DeleteProperty<Node>(id, name, diff.is_custom));
  }
  for (const PropertyRow& row : diff.updates) {
    MLMDX_RETURN_IF_ERROR(access.UpdateProperty<Node>(id, row));
  }
  return access.InsertProperties<Node>(id, diff.inserts);
}

// Fields that a mask path may not touch, and that never count as a change.
bool IsOutputOnlyField(absl::string_view field) {
  return field == "id" || field == "type_id" || field == "type" ||
         field == "create_time_since_epoch" ||
         field == "last_update_time_since_epoch" ||
         field == "system_metadata" || field == "properties" ||
         field == "custom_properties";
}

// MLMD's "did the request change anything besides properties" comparison:
// presence-aware equality ignoring type_id, the property maps and times.
template <typename Node>
bool DiffersIgnoringProperties(const Node& request, const Node& stored) {
  Node a = request;
  Node b = stored;
  for (Node* n : {&a, &b}) {
    n->clear_type_id();
    n->clear_properties();
    n->clear_custom_properties();
    n->clear_create_time_since_epoch();
    n->clear_last_update_time_since_epoch();
  }
  return !google::protobuf::util::MessageDifferencer::Equals(a, b);
}

template <typename Node>
constexpr bool kIsContext = std::is_same_v<Node, ml_metadata::Context>;

// Reports to the lineage index that context `id` is now in namespace `name`
// ("": none), when the transaction collects lineage changes.
void ReportNamespace(RecordAccess& access, int64_t id, std::string name) {
  if (LineageChanges* changes = access.changes(); changes != nullptr) {
    changes->context_namespaces.emplace_back(id, std::move(name));
  }
}

absl::Status EmptyContextName() {
  return absl::InvalidArgumentError(
      "Context name should not be empty (context.name is required)");
}

}  // namespace

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <typename Node>
absl::StatusOr<int64_t> CreateNode(RecordAccess& access, TypeCache& types,
                                   const Node& node, int64_t now_ms) {
  if (!node.has_type_id()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Type id is missing. (", NodeTraits<Node>::kKindName,
                     ".type_id is required to create a node)"));
  }
  MLMDX_ASSIGN_OR_RETURN(const TypeRecord* type,
                         TypeOf<Node>(access, types, node.type_id(), node));
  for (const auto& [name, value] : node.properties()) {
    MLMDX_RETURN_IF_ERROR(CheckProperty(*type, name, value));
  }
  for (const auto& [name, value] : node.custom_properties()) {
    MLMDX_RETURN_IF_ERROR(CheckCustomProperty(name, value));
  }
  if constexpr (kIsContext<Node>) {
    if (node.name().empty()) return EmptyContextName();
    MLMDX_RETURN_IF_ERROR(CheckContextNamespace(access.visible(), node));
  }
  MLMDX_RETURN_IF_ERROR(CheckNodeStrings(node));
  if (access.connection().dialect() == Dialect::kPostgres) {
    // A PostgreSQL sequence is not transactional: an INSERT that fails on a
    // unique key still uses up an id, and the failure aborts the whole
    // transaction. Looking first keeps ids free of gaps, as on SQLite.
    MLMDX_RETURN_IF_ERROR(AlreadyExists(
        CheckNodeIsNew<Node>(access, node), NodeTraits<Node>::kKindName,
        node.type_id(), node.name(), node.external_id()));
  }
  std::vector<PropertyRow> rows;
  rows.reserve(node.properties_size() + node.custom_properties_size());
  for (const auto& [name, value] : node.properties()) {
    rows.push_back(PropertyRow{name, false, value});
  }
  for (const auto& [name, value] : node.custom_properties()) {
    rows.push_back(PropertyRow{name, true, value});
  }
  absl::StatusOr<int64_t> id = access.InsertNode(node, now_ms, rows);
  if (!id.ok()) {
    return AlreadyExists(id.status(), NodeTraits<Node>::kKindName,
                         node.type_id(), node.name(), node.external_id());
  }
  if constexpr (kIsContext<Node>) {
    if (std::string name = NamespaceOf(node); !name.empty()) {
      ReportNamespace(access, *id, std::move(name));
    }
  }
  return *id;
}

template <typename Node>
absl::StatusOr<ReadAhead<Node>> ReadNodesAhead(RecordAccess& access,
                                               absl::Span<const int64_t> ids) {
  MLMDX_ASSIGN_OR_RETURN(std::vector<Node> nodes, access.GetNodes<Node>(ids));
  ReadAhead<Node> read_ahead;
  for (Node& node : nodes) {
    const int64_t id = node.id();
    read_ahead.emplace(id, std::move(node));
  }
  return read_ahead;
}

template <typename Node>
absl::Status UpdateNode(RecordAccess& access, TypeCache& types,
                        const Node& node, const NodeWriteOptions& options,
                        int64_t now_ms, ReadAhead<Node>* read_ahead) {
  std::vector<Node> found;
  auto ahead = read_ahead == nullptr ? typename ReadAhead<Node>::iterator()
                                     : read_ahead->find(node.id());
  if (read_ahead != nullptr && ahead != read_ahead->end()) {
    found.push_back(std::move(ahead->second));
    read_ahead->erase(ahead);
  } else {
    if (read_ahead != nullptr) read_ahead->erase(node.id());
    MLMDX_ASSIGN_OR_RETURN(found, access.GetNodes<Node>({node.id()}));
  }
  if (found.empty()) {
    const std::string message =
        absl::StrCat("Cannot find the given id ", node.id(), " (no ",
                     NodeTraits<Node>::kKindName, " with this id exists)");
    // A caller limited to some namespaces cannot tell a node outside them
    // from an unknown id: one code and one message for both.
    if (access.visible() != nullptr) return absl::NotFoundError(message);
    return absl::InvalidArgumentError(message);
  }
  const Node& stored = found.front();
  if (node.has_type_id() && node.type_id() != stored.type_id()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Given type_id ", node.type_id(), " is different from the one ",
        stored.type_id(), " stored for ", NodeTraits<Node>::kKindName, " ",
        node.id(), "; the type of a node cannot change"));
  }
  MLMDX_ASSIGN_OR_RETURN(const TypeRecord* type,
                         TypeOf<Node>(access, types, stored.type_id(), node));
  MLMDX_RETURN_IF_ERROR(CheckNodeStrings(node));

  Node target;
  const bool masked =
      options.update_mask != nullptr && options.update_mask->paths_size() > 0;
  if (!masked) {
    // Replace semantics: the request is the whole new node.
    target = node;
    for (const auto& [name, value] : node.properties()) {
      MLMDX_RETURN_IF_ERROR(CheckProperty(*type, name, value));
    }
    for (const auto& [name, value] : node.custom_properties()) {
      MLMDX_RETURN_IF_ERROR(CheckCustomProperty(name, value));
    }
    if constexpr (kIsContext<Node>) {
      if (node.name().empty()) return EmptyContextName();
    } else {
      // Artifact and execution names never change.
      if (stored.has_name()) {
        target.set_name(stored.name());
      } else {
        target.clear_name();
      }
    }
  } else {
    // Patch semantics: start from the stored node, apply each path.
    target = stored;
    std::set<std::string> named_properties, named_custom;
    bool replace_properties = false, replace_custom = false;
    const google::protobuf::Descriptor* descriptor = Node::descriptor();
    const google::protobuf::Reflection* reflection = Node::GetReflection();
    for (const std::string& path : options.update_mask->paths()) {
      if (path == "properties") {
        replace_properties = true;
      } else if (path == "custom_properties") {
        replace_custom = true;
      } else if (absl::StartsWith(path, "properties.")) {
        named_properties.insert(path.substr(sizeof("properties.") - 1));
      } else if (absl::StartsWith(path, "custom_properties.")) {
        named_custom.insert(path.substr(sizeof("custom_properties.") - 1));
      } else if (const auto* field = descriptor->FindFieldByName(path);
                 field != nullptr && !IsOutputOnlyField(path)) {
        if (path == "name" && !kIsContext<Node>) continue;
        if (path == "name" && node.name().empty()) return EmptyContextName();
        if (reflection->HasField(node, field)) {
          reflection->ClearField(&target, field);
          // Copies the single field: MergeFrom would merge every field.
          Node only_field;
          only_field.CopyFrom(node);
          for (int i = 0; i < descriptor->field_count(); ++i) {
            if (descriptor->field(i) != field) {
              reflection->ClearField(&only_field, descriptor->field(i));
            }
          }
          target.MergeFrom(only_field);
        } else {
          reflection->ClearField(&target, field);
        }
      }
      // Any other path names nothing and is ignored, as MLMD does.
    }
    if (replace_properties) {
      *target.mutable_properties() = node.properties();
      for (const auto& [name, value] : node.properties()) {
        MLMDX_RETURN_IF_ERROR(CheckProperty(*type, name, value));
      }
    } else {
      for (const std::string& name : named_properties) {
        auto it = node.properties().find(name);
        if (it == node.properties().end()) {
          target.mutable_properties()->erase(name);
        } else {
          MLMDX_RETURN_IF_ERROR(CheckProperty(*type, name, it->second));
          (*target.mutable_properties())[name] = it->second;
        }
      }
    }
    if (replace_custom) {
      *target.mutable_custom_properties() = node.custom_properties();
      for (const auto& [name, value] : node.custom_properties()) {
        MLMDX_RETURN_IF_ERROR(CheckCustomProperty(name, value));
      }
    } else {
      for (const std::string& name : named_custom) {
        auto it = node.custom_properties().find(name);
        if (it == node.custom_properties().end()) {
          target.mutable_custom_properties()->erase(name);
        } else {
          MLMDX_RETURN_IF_ERROR(CheckCustomProperty(name, it->second));
          (*target.mutable_custom_properties())[name] = it->second;
        }
      }
    }
  }
  target.set_id(stored.id());
  target.set_type_id(stored.type_id());
  if constexpr (kIsContext<Node>) {
    MLMDX_RETURN_IF_ERROR(CheckContextNamespace(access.visible(), target));
  }

  const PropertyDiff properties =
      DiffProperties(stored.properties(), target.properties(), false);
  const PropertyDiff custom = DiffProperties(stored.custom_properties(),
                                             target.custom_properties(), true);
  const bool changed = DiffersIgnoringProperties(node, stored) ||
                       properties.size() > 0 || custom.size() > 0 ||
                       options.force_update_time;
  if (!changed) return absl::OkStatus();

  MLMDX_RETURN_IF_ERROR(access.UpdateNode(
      target, now_ms,
      [type_id = target.type_id(), name = target.name(),
       external_id = target.external_id()](absl::Status status) {
        return AlreadyExists(std::move(status), NodeTraits<Node>::kKindName,
                             type_id, name, external_id);
      }));
  MLMDX_RETURN_IF_ERROR(ApplyDiff<Node>(access, stored.id(), properties));
  if constexpr (kIsContext<Node>) {
    if (std::string name = NamespaceOf(target); name != NamespaceOf(stored)) {
      ReportNamespace(access, stored.id(), std::move(name));
    }
  }
  return ApplyDiff<Node>(access, stored.id(), custom);
}

template <typename Node>
absl::StatusOr<int64_t> UpsertNode(RecordAccess& access, TypeCache& types,
                                   const Node& node,
                                   const NodeWriteOptions& options,
                                   int64_t now_ms,
                                   ReadAhead<Node>* read_ahead) {
  if (!node.has_id()) return CreateNode(access, types, node, now_ms);
  MLMDX_RETURN_IF_ERROR(
      UpdateNode(access, types, node, options, now_ms, read_ahead));
  return node.id();
}

template <typename Node>
absl::Status CheckNodeExists(RecordAccess& access, int64_t id,
                             absl::string_view field) {
  if (access.visible() != nullptr) {
    // An invisible node is reported as an unknown one, in the same words.
    MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> visible,
                           access.VisibleNodeIds<Node>({id}));
    if (visible.empty()) {
      return absl::NotFoundError(absl::StrCat(
          field, " ", id, " names no stored ", NodeTraits<Node>::kKindName));
    }
    return absl::OkStatus();
  }
  MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> found,
                         access.FindNodeIds<Node>("id", SqlValue::Int(id)));
  if (found.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", id, " names no stored ", NodeTraits<Node>::kKindName));
  }
  return absl::OkStatus();
}

absl::Status CheckEventFields(const ml_metadata::Event& event) {
  if (!event.has_artifact_id()) {
    return absl::InvalidArgumentError("event.artifact_id is missing");
  }
  if (!event.has_execution_id()) {
    return absl::InvalidArgumentError("event.execution_id is missing");
  }
  if (!event.has_type() || event.type() == ml_metadata::Event::UNKNOWN) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event.type is missing or UNKNOWN for the event of artifact ",
        event.artifact_id(), " and execution ", event.execution_id()));
  }
  return absl::OkStatus();
}

namespace {

absl::Status EventExists(int64_t type, int64_t artifact_id,
                         int64_t execution_id) {
  return absl::AlreadyExistsError(
      absl::StrCat("an event of type ",
                   ml_metadata::Event::Type_Name(
                       static_cast<ml_metadata::Event::Type>(type)),
                   " between artifact ", artifact_id, " and execution ",
                   execution_id, " already exists"));
}

// The clashing event of a batch insert, from PostgreSQL's detail line
// "Key (artifact_id, execution_id, type)=(A, E, T) already exists."
absl::Status BatchEventExists(absl::Status status) {
  if (!absl::IsAlreadyExists(status)) return status;
  const absl::string_view message = status.message();
  const size_t open = message.find(")=(");
  const size_t close =
      open == absl::string_view::npos ? open : message.find(')', open + 3);
  if (close != absl::string_view::npos) {
    std::vector<absl::string_view> values = absl::StrSplit(
        message.substr(open + 3, close - open - 3), absl::ByString(", "));
    int64_t artifact_id = 0, execution_id = 0, type = 0;
    if (values.size() == 3 && absl::SimpleAtoi(values[0], &artifact_id) &&
        absl::SimpleAtoi(values[1], &execution_id) &&
        absl::SimpleAtoi(values[2], &type)) {
      return EventExists(type, artifact_id, execution_id);
    }
  }
  return absl::AlreadyExistsError(absl::StrCat(
      "an event of the request already exists: ", status.message()));
}

}  // namespace

absl::Status InsertCheckedEvent(RecordAccess& access,
                                const ml_metadata::Event& event) {
  MLMDX_RETURN_IF_ERROR(CheckEventFields(event));
  return InsertCheckedEvents(access, {event});
}

absl::Status InsertCheckedEvents(RecordAccess& access,
                                 absl::Span<const ml_metadata::Event> events) {
  for (const ml_metadata::Event& event : events) {
    MLMDX_RETURN_IF_ERROR(CheckEventFields(event));
  }
  if (access.connection().dialect() == Dialect::kPostgres) {
    return access.InsertEvents(events, NowMillis(), BatchEventExists);
  }
  for (const ml_metadata::Event& event : events) {
    MLMDX_RETURN_IF_ERROR(access.InsertEvent(
        event, NowMillis(),
        [type = event.type(), artifact_id = event.artifact_id(),
         execution_id = event.execution_id()](absl::Status status) {
          if (!absl::IsAlreadyExists(status)) return status;
          return EventExists(type, artifact_id, execution_id);
        }));
  }
  return absl::OkStatus();
}

#define MLMDX_INSTANTIATE_NODE_OPS(Node)                                   \
  template absl::StatusOr<int64_t> CreateNode(RecordAccess&, TypeCache&,   \
                                              const Node&, int64_t);       \
  template absl::StatusOr<ReadAhead<Node>> ReadNodesAhead<Node>(           \
      RecordAccess&, absl::Span<const int64_t>);                           \
  template absl::Status UpdateNode(RecordAccess&, TypeCache&, const Node&, \
                                   const NodeWriteOptions&, int64_t,       \
                                   ReadAhead<Node>*);                      \
  template absl::StatusOr<int64_t> UpsertNode(                             \
      RecordAccess&, TypeCache&, const Node&, const NodeWriteOptions&,     \
      int64_t, ReadAhead<Node>*);                                          \
  template absl::Status CheckNodeExists<Node>(RecordAccess&, int64_t,      \
                                              absl::string_view)

MLMDX_INSTANTIATE_NODE_OPS(ml_metadata::Artifact);
MLMDX_INSTANTIATE_NODE_OPS(ml_metadata::Execution);
MLMDX_INSTANTIATE_NODE_OPS(ml_metadata::Context);

}  // namespace mlmdx::store::internal
