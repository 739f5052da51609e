#include "store/internal/property_codec.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"

namespace mlmdx::store::internal {
namespace {

constexpr absl::string_view kStructPrefix = "mlmd-struct::";

// Map fields make plain serialization order-dependent; deterministic output
// keeps equal structs byte-equal in the database.
std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

}  // namespace

absl::Status CheckStorable(absl::string_view name,
                           const ml_metadata::Value& value) {
  if (value.value_case() == ml_metadata::Value::VALUE_NOT_SET) {
    return absl::InvalidArgumentError(
        absl::StrCat("property '", name, "' has a Value with no member set"));
  }
  if (value.has_string_value() &&
      absl::StartsWith(value.string_value(), kStructPrefix)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "property '", name, "': a string_value may not start with '",
        kStructPrefix,
        "', the marker MLMD's schema uses for struct values; store it as a "
        "struct_value or change the prefix"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PropertyColumns> EncodeValue(const ml_metadata::Value& value,
                                            Dialect dialect) {
  if (absl::Status status = CheckStorable("", value); !status.ok()) {
    return status;
  }
  PropertyColumns columns;
  switch (value.value_case()) {
    case ml_metadata::Value::kIntValue:
      columns[0] = SqlValue::Int(value.int_value());
      break;
    case ml_metadata::Value::kDoubleValue:
      columns[1] = SqlValue::Double(value.double_value());
      break;
    case ml_metadata::Value::kStringValue:
      columns[2] = SqlValue::Text(value.string_value());
      break;
    case ml_metadata::Value::kStructValue:
      columns[2] = SqlValue::Text(absl::StrCat(
          kStructPrefix,
          absl::Base64Escape(SerializeDeterministic(value.struct_value()))));
      break;
    case ml_metadata::Value::kProtoValue:
      columns[3] =
          dialect == Dialect::kPostgres
              ? SqlValue::Blob(SerializeDeterministic(value.proto_value()))
              : SqlValue::Text(absl::Base64Escape(
                    SerializeDeterministic(value.proto_value())));
      break;
    case ml_metadata::Value::kBoolValue:
      columns[4] = SqlValue::Bool(value.bool_value());
      break;
    case ml_metadata::Value::VALUE_NOT_SET:
      break;  // Rejected by CheckStorable above.
  }
  return columns;
}

absl::StatusOr<ml_metadata::Value> DecodeValue(Dialect dialect,
                                               const SqlValue& int_value,
                                               const SqlValue& double_value,
                                               const SqlValue& string_value,
                                               const SqlValue& proto_value,
                                               const SqlValue& bool_value) {
  ml_metadata::Value value;
  if (!int_value.is_null()) {
    value.set_int_value(int_value.AsInt());
  } else if (!double_value.is_null()) {
    value.set_double_value(double_value.AsDouble());
  } else if (!string_value.is_null()) {
    std::string text = string_value.AsString();
    if (absl::StartsWith(text, kStructPrefix)) {
      std::string bytes;
      if (!absl::Base64Unescape(text.substr(kStructPrefix.size()), &bytes) ||
          !value.mutable_struct_value()->ParseFromString(bytes)) {
        return absl::InvalidArgumentError(
            "a stored struct property does not decode");
      }
    } else {
      value.set_string_value(std::move(text));
    }
  } else if (!proto_value.is_null()) {
    std::string bytes = proto_value.AsString();
    const bool decoded = dialect == Dialect::kPostgres ||
                         absl::Base64Unescape(proto_value.AsString(), &bytes);
    if (!decoded || !value.mutable_proto_value()->ParseFromString(bytes)) {
      return absl::InternalError("a stored proto property does not decode");
    }
    if (value.proto_value().type_url().empty()) {
      return absl::InternalError("a stored proto property has no type_url");
    }
  } else if (!bool_value.is_null()) {
    value.set_bool_value(bool_value.AsInt() != 0);
  } else {
    return absl::InternalError("a stored property row has no value");
  }
  return value;
}

bool SameValue(const ml_metadata::Value& a, const ml_metadata::Value& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace mlmdx::store::internal
