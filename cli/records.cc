#include "cli/records.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "util/status_macros.h"

namespace mlmdx::cli {
namespace {

nlohmann::json MessageJson(const google::protobuf::Message& message) {
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text).ok()) {
    return nullptr;
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

enum Kind { kArtifactKind = 0, kExecutionKind = 1, kContextKind = 2 };

// Fields common to the three node kinds.
template <typename Node>
nlohmann::json NodeJson(const Node& node, const std::string& type) {
  nlohmann::json json = nlohmann::json::object();
  json["id"] = node.id();
  json["type"] = type;
  if (node.has_name()) json["name"] = node.name();
  if (node.has_external_id()) json["external_id"] = node.external_id();
  return json;
}

template <typename Node>
void AddTail(const Node& node, nlohmann::json& json) {
  json["properties"] = PropertiesJson(node.properties());
  json["custom_properties"] = PropertiesJson(node.custom_properties());
  if (node.create_time_since_epoch() != 0) {
    json["create_time"] = TimeJson(node.create_time_since_epoch());
  }
  if (node.last_update_time_since_epoch() != 0) {
    json["update_time"] = TimeJson(node.last_update_time_since_epoch());
  }
}

}  // namespace

std::string NumberText(double number) {
  if (std::isfinite(number) && number == std::trunc(number) &&
      std::fabs(number) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(number));
  }
  for (int precision = 6; precision < 17; ++precision) {
    const std::string text = absl::StrFormat("%.*g", precision, number);
    if (std::strtod(text.c_str(), nullptr) == number) return text;
  }
  return absl::StrFormat("%.17g", number);
}

namespace {

void Flatten(const std::string& prefix, const nlohmann::json& json,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (json.is_object()) {
    // An empty struct (KFP's `outputs` of a step without output
    // parameters) says nothing and adds no pair.
    for (const auto& [key, value] : json.items()) {
      Flatten(absl::StrCat(prefix, ".", key), value, out);
    }
  } else if (json.is_number()) {
    out.emplace_back(prefix, NumberText(json.get<double>()));
  } else if (json.is_string()) {
    out.emplace_back(prefix, json.get<std::string>());
  } else {
    out.emplace_back(prefix, json.dump());
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> FlatProperties(
    const google::protobuf::Map<std::string, ml_metadata::Value>& properties,
    const google::protobuf::Map<std::string, ml_metadata::Value>& custom) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto* map : {&properties, &custom}) {
    for (const auto& [name, value] : *map) {
      if (value.has_struct_value()) {
        Flatten(name, ValueJson(value), out);
      } else {
        out.emplace_back(name, ValueText(value));
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ValueText(const ml_metadata::Value& value) {
  switch (value.value_case()) {
    case ml_metadata::Value::kIntValue:
      return absl::StrCat(value.int_value());
    case ml_metadata::Value::kDoubleValue:
      return NumberText(value.double_value());
    case ml_metadata::Value::kStringValue:
      return value.string_value();
    case ml_metadata::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case ml_metadata::Value::kStructValue:
    case ml_metadata::Value::kProtoValue:
      return ValueJson(value).dump();
    default:
      return "";
  }
}

nlohmann::json ValueJson(const ml_metadata::Value& value) {
  switch (value.value_case()) {
    case ml_metadata::Value::kIntValue:
      return value.int_value();
    case ml_metadata::Value::kDoubleValue:
      return value.double_value();
    case ml_metadata::Value::kStringValue:
      return value.string_value();
    case ml_metadata::Value::kBoolValue:
      return value.bool_value();
    case ml_metadata::Value::kStructValue:
      return MessageJson(value.struct_value());
    case ml_metadata::Value::kProtoValue:
      return MessageJson(value.proto_value());
    default:
      return nullptr;
  }
}

nlohmann::json PropertiesJson(
    const google::protobuf::Map<std::string, ml_metadata::Value>& properties) {
  // nlohmann's object is a std::map: keys come out sorted.
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, value] : properties) json[name] = ValueJson(value);
  return json;
}

std::string TimeText(int64_t millis) {
  if (millis == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(millis),
                          absl::UTCTimeZone());
}

std::string TimeJson(int64_t millis) {
  if (millis == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(millis),
                          absl::UTCTimeZone());
}

std::string StateName(ml_metadata::Artifact::State state) {
  return ml_metadata::Artifact::State_Name(state);
}

std::string StateName(ml_metadata::Execution::State state) {
  return ml_metadata::Execution::State_Name(state);
}

std::string EventTypeName(ml_metadata::Event::Type type) {
  return ml_metadata::Event::Type_Name(type);
}

std::string EventPathText(const ml_metadata::Event& event) {
  std::string text;
  for (const auto& step : event.path().steps()) {
    if (step.has_key()) {
      absl::StrAppend(&text, text.empty() ? "" : ".", step.key());
    } else {
      absl::StrAppend(&text, "[", step.index(), "]");
    }
  }
  return text;
}

bool IsOutputEvent(ml_metadata::Event::Type type) {
  switch (type) {
    case ml_metadata::Event::DECLARED_OUTPUT:
    case ml_metadata::Event::OUTPUT:
    case ml_metadata::Event::INTERNAL_OUTPUT:
    case ml_metadata::Event::PENDING_OUTPUT:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<std::string> TypeCatalog::Name(int kind, int64_t type_id) {
  absl::flat_hash_map<int64_t, std::string>& names = names_[kind];
  if (!loaded_[kind]) {
    auto load = [&names](const auto& types) {
      for (const auto& type : types) names[type.id()] = type.name();
    };
    if (kind == kArtifactKind) {
      ml_metadata::GetArtifactTypesResponse response;
      MLMDX_RETURN_IF_ERROR(source_.GetArtifactTypes({}, &response));
      load(response.artifact_types());
    } else if (kind == kExecutionKind) {
      ml_metadata::GetExecutionTypesResponse response;
      MLMDX_RETURN_IF_ERROR(source_.GetExecutionTypes({}, &response));
      load(response.execution_types());
    } else {
      ml_metadata::GetContextTypesResponse response;
      MLMDX_RETURN_IF_ERROR(source_.GetContextTypes({}, &response));
      load(response.context_types());
    }
    loaded_[kind] = true;
  }
  auto it = names.find(type_id);
  return it == names.end() ? absl::StrCat("type#", type_id) : it->second;
}

absl::StatusOr<std::string> TypeCatalog::ArtifactType(int64_t type_id) {
  return Name(kArtifactKind, type_id);
}
absl::StatusOr<std::string> TypeCatalog::ExecutionType(int64_t type_id) {
  return Name(kExecutionKind, type_id);
}
absl::StatusOr<std::string> TypeCatalog::ContextType(int64_t type_id) {
  return Name(kContextKind, type_id);
}

absl::StatusOr<nlohmann::json> ArtifactJson(const ml_metadata::Artifact& a,
                                            TypeCatalog& types) {
  MLMDX_ASSIGN_OR_RETURN(std::string type, types.ArtifactType(a.type_id()));
  nlohmann::json json = NodeJson(a, type);
  json["uri"] = a.uri();
  json["state"] = StateName(a.state());
  AddTail(a, json);
  return json;
}

absl::StatusOr<nlohmann::json> ExecutionJson(const ml_metadata::Execution& e,
                                             TypeCatalog& types) {
  MLMDX_ASSIGN_OR_RETURN(std::string type, types.ExecutionType(e.type_id()));
  nlohmann::json json = NodeJson(e, type);
  json["state"] = StateName(e.last_known_state());
  AddTail(e, json);
  return json;
}

absl::StatusOr<nlohmann::json> ContextJson(const ml_metadata::Context& c,
                                           TypeCatalog& types) {
  MLMDX_ASSIGN_OR_RETURN(std::string type, types.ContextType(c.type_id()));
  nlohmann::json json = NodeJson(c, type);
  AddTail(c, json);
  return json;
}

std::string ExecutionLabel(const ml_metadata::Execution& execution) {
  if (execution.has_name() && !execution.name().empty()) {
    return execution.name();
  }
  for (const char* key : {"task_name", "display_name"}) {
    auto it = execution.custom_properties().find(key);
    if (it != execution.custom_properties().end() &&
        !it->second.string_value().empty()) {
      return it->second.string_value();
    }
  }
  return "";
}

std::string FilterQuote(const std::string& text) {
  return absl::StrCat(
      "'", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

}  // namespace mlmdx::cli
