#include "store/internal/type_ops.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "store/internal/limits.h"
#include "util/status_macros.h"

namespace mlmdx::store::internal {
namespace {

using ml_metadata::ArtifactType;
using ml_metadata::ContextType;
using ml_metadata::ExecutionType;

// The simple type a base_type enum value stands for ("mlmd.Model"), read
// from the enum value's annotation in metadata_store.proto.
std::string BaseTypeName(const google::protobuf::EnumDescriptor* descriptor,
                         int number) {
  const google::protobuf::EnumValueDescriptor* value =
      descriptor->FindValueByNumber(number);
  if (value == nullptr) return "";
  return value->options()
      .GetExtension(ml_metadata::system_type_extension)
      .type_name();
}

std::optional<int> BaseTypeNumber(
    const google::protobuf::EnumDescriptor* descriptor,
    const std::string& type_name) {
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto* value = descriptor->value(i);
    if (value->number() != 0 &&
        value->options()
                .GetExtension(ml_metadata::system_type_extension)
                .type_name() == type_name) {
      return value->number();
    }
  }
  return std::nullopt;
}

template <typename TypeProto>
const google::protobuf::EnumDescriptor* BaseTypeEnum() {
  return TypeProto::SystemDefinedBaseType_descriptor();
}

std::string JsonOf(const google::protobuf::Message& message) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json);
  return json;
}

template <typename TypeProto>
void StoreSignatures(const TypeProto&, TypeRecord&) {}
template <>
void StoreSignatures(const ExecutionType& type, TypeRecord& record) {
  if (type.has_input_type()) record.input_type = JsonOf(type.input_type());
  if (type.has_output_type()) record.output_type = JsonOf(type.output_type());
}

template <typename TypeProto>
void ReadSignatures(const TypeRecord&, TypeProto&) {}
template <>
void ReadSignatures(const TypeRecord& record, ExecutionType& type) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (record.input_type.has_value()) {
    (void)google::protobuf::util::JsonStringToMessage(
        *record.input_type, type.mutable_input_type(), options);
  }
  if (record.output_type.has_value()) {
    (void)google::protobuf::util::JsonStringToMessage(
        *record.output_type, type.mutable_output_type(), options);
  }
}

template <typename TypeProto>
absl::Status CheckNewProperties(const TypeProto& type,
                                const TypeRecord* stored) {
  for (const auto& [name, data_type] : type.properties()) {
    if (stored != nullptr && stored->properties.count(name) > 0) continue;
    MLMDX_RETURN_IF_ERROR(CheckLength("property name", name));
    if (data_type == ml_metadata::UNKNOWN) {
      return absl::InvalidArgumentError(absl::StrCat(
          "property '", name, "' of type '", type.name(),
          "' has data type UNKNOWN; give one of INT, DOUBLE, STRING, "
          "STRUCT, PROTO, BOOLEAN"));
    }
  }
  return absl::OkStatus();
}

// ALREADY_EXISTS unless `external_id` is free or already belongs to
// `own_type_id`. Type external ids are unique across all three kinds.
absl::Status CheckTypeExternalIdFree(RecordAccess& access,
                                     const std::string& external_id,
                                     int64_t own_type_id) {
  MLMDX_ASSIGN_OR_RETURN(std::optional<TypeRecord> holder,
                         access.GetTypeByExternalIdAnyKind(external_id));
  if (holder.has_value() && holder->id != own_type_id) {
    return absl::AlreadyExistsError(absl::StrCat(
        "external_id '", external_id, "' is already used by type '",
        holder->name, "' (id ", holder->id, ")"));
  }
  return absl::OkStatus();
}

template <typename TypeProto>
absl::Status ApplyBaseType(RecordAccess& access, const TypeProto& type,
                           int64_t type_id,
                           const std::optional<std::string>& current) {
  if (!type.has_base_type()) return absl::OkStatus();
  if (type.base_type() == 0) {
    return absl::UnimplementedError("base_type deletion is not supported yet");
  }
  const std::string wanted =
      BaseTypeName(BaseTypeEnum<TypeProto>(), type.base_type());
  if (current.has_value()) {
    if (*current == wanted) return absl::OkStatus();
    return absl::UnimplementedError("base_type update is not supported yet");
  }
  MLMDX_ASSIGN_OR_RETURN(
      std::optional<int64_t> parent_id,
      access.FindTypeId(KindOfType<TypeProto>(), wanted, std::nullopt));
  if (!parent_id.has_value()) {
    return absl::InternalError(
        absl::StrCat("the simple type '", wanted, "' is missing"));
  }
  return access.InsertParentType(type_id, *parent_id);
}

}  // namespace

template <typename TypeProto>
absl::StatusOr<int64_t> UpsertType(RecordAccess& access, const TypeProto& type,
                                   const TypeUpsertFlags& flags) {
  if (!type.has_name() || type.name().empty()) {
    return absl::InvalidArgumentError("No type name is specified.");
  }
  MLMDX_RETURN_IF_ERROR(CheckLength("type name", type.name()));
  MLMDX_RETURN_IF_ERROR(CheckLength("type version", type.version()));
  MLMDX_RETURN_IF_ERROR(CheckLength("type external_id", type.external_id()));
  const TypeKind kind = KindOfType<TypeProto>();
  std::optional<std::string> version;
  if (type.has_version() && !type.version().empty()) version = type.version();
  // Nothing in MLMD's schema makes (name, version, kind) unique: without
  // the lock, two servers creating the same type at once would each insert
  // one (KFP issue 14353).
  MLMDX_RETURN_IF_ERROR(LockUntilTransactionEnds(
      access.connection(), absl::StrCat("mlmdx.type:", type.name())));
  MLMDX_ASSIGN_OR_RETURN(std::optional<int64_t> stored_id,
                         access.FindTypeId(kind, type.name(), version));

  if (!stored_id.has_value()) {
    MLMDX_RETURN_IF_ERROR(CheckNewProperties(type, nullptr));
    TypeRecord record;
    record.kind = kind;
    record.name = type.name();
    record.version = version;
    if (type.has_description()) record.description = type.description();
    if (type.has_external_id()) {
      MLMDX_RETURN_IF_ERROR(
          CheckTypeExternalIdFree(access, type.external_id(), -1));
      record.external_id = type.external_id();
    }
    StoreSignatures(type, record);
    for (const auto& [name, data_type] : type.properties()) {
      record.properties[name] = data_type;
    }
    MLMDX_ASSIGN_OR_RETURN(int64_t id, access.InsertType(record));
    MLMDX_RETURN_IF_ERROR(ApplyBaseType(access, type, id, std::nullopt));
    return id;
  }

  MLMDX_ASSIGN_OR_RETURN(std::vector<TypeRecord> found,
                         access.GetTypesById(kind, {*stored_id}));
  const TypeRecord& stored = found.at(0);
  std::vector<std::string> problems;
  for (const auto& [name, data_type] : type.properties()) {
    auto it = stored.properties.find(name);
    if (it == stored.properties.end()) {
      if (!flags.can_add_fields) {
        problems.push_back(
            absl::StrCat("new property '", name, "' needs can_add_fields"));
      }
    } else if (it->second != data_type) {
      problems.push_back(
          absl::StrCat("property '", name, "' changes its data type"));
    }
  }
  if (!flags.can_omit_fields) {
    for (const auto& [name, data_type] : stored.properties) {
      if (!type.properties().contains(name)) {
        problems.push_back(absl::StrCat("stored property '", name,
                                        "' is missing; set can_omit_fields"));
      }
    }
  }
  if (!problems.empty()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "Type already exists with different properties: type '", type.name(),
        "' (id ", stored.id, "): ", absl::StrJoin(problems, "; ")));
  }
  MLMDX_RETURN_IF_ERROR(CheckNewProperties(type, &stored));
  for (const auto& [name, data_type] : type.properties()) {
    if (stored.properties.count(name) == 0) {
      MLMDX_RETURN_IF_ERROR(
          access.InsertTypeProperty(stored.id, name, data_type));
    }
  }
  if (type.has_external_id() && !type.external_id().empty() &&
      type.external_id() != stored.external_id.value_or("")) {
    MLMDX_RETURN_IF_ERROR(
        CheckTypeExternalIdFree(access, type.external_id(), stored.id));
    MLMDX_RETURN_IF_ERROR(
        access.UpdateTypeExternalId(stored.id, type.external_id()));
  }
  MLMDX_RETURN_IF_ERROR(
      ApplyBaseType(access, type, stored.id, stored.base_type_name));
  return stored.id;
}

template <typename TypeProto>
TypeProto ToTypeProto(const TypeRecord& record, TypeView view) {
  TypeProto type;
  type.set_id(record.id);
  type.set_name(record.name);
  if (record.version.has_value()) type.set_version(*record.version);
  if (record.description.has_value()) {
    type.set_description(*record.description);
  }
  const bool with_external_id =
      view != TypeView::kList && view != TypeView::kLineage;
  if (with_external_id && record.external_id.has_value()) {
    type.set_external_id(*record.external_id);
  }
  for (const auto& [name, data_type] : record.properties) {
    (*type.mutable_properties())[name] =
        static_cast<ml_metadata::PropertyType>(data_type);
  }
  if (view != TypeView::kByExternalIds) ReadSignatures(record, type);
  const bool with_base_type =
      (view == TypeView::kFull || view == TypeView::kList) &&
      KindOfType<TypeProto>() != TypeKind::kContext;
  if (with_base_type && record.base_type_name.has_value()) {
    std::optional<int> number =
        BaseTypeNumber(BaseTypeEnum<TypeProto>(), *record.base_type_name);
    if (number.has_value()) {
      type.set_base_type(
          static_cast<typename TypeProto::SystemDefinedBaseType>(*number));
    }
  }
  return type;
}

std::shared_ptr<TypeFacts> NewTypeFacts() {
  return std::make_shared<TypeFacts>();
}

std::shared_ptr<const TypeRecord> TypeFacts::Find(int64_t id) const {
  absl::MutexLock lock(&mutex_);
  auto it = types_.find(id);
  return it == types_.end() ? nullptr : it->second;
}

void TypeFacts::Remember(std::shared_ptr<const TypeRecord> type) {
  absl::MutexLock lock(&mutex_);
  if (types_.size() >= kMaxTypes && !types_.contains(type->id)) types_.clear();
  types_[type->id] = std::move(type);
}

void TypeFacts::Forget() {
  absl::MutexLock lock(&mutex_);
  types_.clear();
}

absl::Status TypeCache::Read(RecordAccess& access, int64_t id, Entry& entry) {
  MLMDX_ASSIGN_OR_RETURN(std::vector<TypeRecord> found,
                         access.GetTypesByIdAnyKind({id}));
  entry.read_here = true;
  entry.type = nullptr;
  if (found.empty()) return absl::OkStatus();
  TypeRecord& type = found.front();
  // What may change after the type is created is not kept.
  type.description.reset();
  type.external_id.reset();
  type.input_type.reset();
  type.output_type.reset();
  type.base_type_name.reset();
  entry.type = std::make_shared<const TypeRecord>(std::move(type));
  if (facts_ != nullptr) facts_->Remember(entry.type);
  return absl::OkStatus();
}

absl::StatusOr<const TypeRecord*> TypeCache::Get(
    RecordAccess& access, TypeKind kind, int64_t id,
    const google::protobuf::Map<std::string, ml_metadata::Value>* properties) {
  auto [it, inserted] = types_.try_emplace(id);
  Entry& entry = it->second;
  if (inserted) {
    if (facts_ != nullptr) entry.type = facts_->Find(id);
    if (entry.type == nullptr) {
      const absl::Status read = Read(access, id, entry);
      if (!read.ok()) {
        types_.erase(it);
        return read;
      }
    }
  }
  if (entry.type != nullptr && !entry.read_here && properties != nullptr) {
    for (const auto& [name, value] : *properties) {
      if (entry.type->properties.count(name) == 0) {
        MLMDX_RETURN_IF_ERROR(Read(access, id, entry));
        break;
      }
    }
  }
  if (entry.type == nullptr || entry.type->kind != kind) return nullptr;
  return entry.type.get();
}

template absl::StatusOr<int64_t> UpsertType(RecordAccess&, const ArtifactType&,
                                            const TypeUpsertFlags&);
template absl::StatusOr<int64_t> UpsertType(RecordAccess&, const ExecutionType&,
                                            const TypeUpsertFlags&);
template absl::StatusOr<int64_t> UpsertType(RecordAccess&, const ContextType&,
                                            const TypeUpsertFlags&);
template ArtifactType ToTypeProto(const TypeRecord&, TypeView);
template ExecutionType ToTypeProto(const TypeRecord&, TypeView);
template ContextType ToTypeProto(const TypeRecord&, TypeView);

}  // namespace mlmdx::store::internal
