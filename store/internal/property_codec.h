// File: store/internal/property_codec.h
// -----------------------------------------------------------------------------
//
// MLMD's storage encoding of a property Value in the *Property tables: exactly
// one of the columns int_value, double_value, string_value, proto_value and
// bool_value is non-NULL. Structs are kept in string_value as
// "mlmd-struct::" + base64 of the serialized google.protobuf.Struct, and
// protos in proto_value as the serialized google.protobuf.Any: base64 text
// on SQLite, raw bytes in PostgreSQL's BYTEA (as MLMD writes each), so that a
// database written here stays readable by MLMD and vice versa.

#ifndef MLMDX_STORE_INTERNAL_PROPERTY_CODEC_H_
#define MLMDX_STORE_INTERNAL_PROPERTY_CODEC_H_

#include <array>

#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "store/connection.h"

namespace mlmdx::store::internal {

// The value columns in table order: int, double, string, proto, bool.
using PropertyColumns = std::array<SqlValue, 5>;

// Checks that `value` can be stored and read back as itself. INVALID_ARGUMENT,
// naming the property `name`, when no member of the oneof is set, or when a
// string starts with MLMD's struct marker "mlmd-struct::": MLMD (and so
// mlmdx) would read such a string back as a struct, or fail to read it.
absl::Status CheckStorable(absl::string_view name,
                           const ml_metadata::Value& value);

// Encodes `value` for `dialect`. INVALID_ARGUMENT as CheckStorable.
absl::StatusOr<PropertyColumns> EncodeValue(const ml_metadata::Value& value,
                                            Dialect dialect);

// Decodes the first non-NULL column (MLMD's reading order).
//   INVALID_ARGUMENT  a "mlmd-struct::" string that does not decode
//   INTERNAL          a stored proto without a type_url, or all columns NULL
absl::StatusOr<ml_metadata::Value> DecodeValue(Dialect dialect,
                                               const SqlValue& int_value,
                                               const SqlValue& double_value,
                                               const SqlValue& string_value,
                                               const SqlValue& proto_value,
                                               const SqlValue& bool_value);

// Presence-aware equality of two values as they would read back.
bool SameValue(const ml_metadata::Value& a, const ml_metadata::Value& b);

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_PROPERTY_CODEC_H_
