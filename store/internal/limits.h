// File: store/internal/limits.h
// -----------------------------------------------------------------------------
//
// Size limits MLMD's schema implies (VARCHAR(255) columns) and that SQLite
// would not enforce by itself, checked before anything is written.

#ifndef MLMDX_STORE_INTERNAL_LIMITS_H_
#define MLMDX_STORE_INTERNAL_LIMITS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace mlmdx::store::internal {

// Longest name, version or external id a VARCHAR(255) column holds.
inline constexpr size_t kMaxNameLength = 255;

// INVALID_ARGUMENT naming `field` when `value` is longer than the limit.
inline absl::Status CheckLength(absl::string_view field,
                                absl::string_view value) {
  if (value.size() <= kMaxNameLength) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, " is ", value.size(), " bytes long; at most ", kMaxNameLength,
      " are allowed (value starts with '", value.substr(0, 32), "...')"));
}

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_LIMITS_H_
