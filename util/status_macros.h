// File: util/status_macros.h
// -----------------------------------------------------------------------------
//
// Early-return helpers for absl::Status and absl::StatusOr<T>. Debian's
// Abseil (20220623) ships neither ABSL_RETURN_IF_ERROR nor
// ABSL_ASSIGN_OR_RETURN, so every layer of mlmdx uses these two instead.
//
// Example:
//
//   absl::StatusOr<int64_t> CountRows(Connection& db) {
//     MLMDX_RETURN_IF_ERROR(db.Begin());
//     MLMDX_ASSIGN_OR_RETURN(RecordSet rows, db.Query("SELECT 1", {}));
//     return static_cast<int64_t>(rows.rows.size());
//   }

#ifndef MLMDX_UTIL_STATUS_MACROS_H_
#define MLMDX_UTIL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function when it is not OK.
#define MLMDX_RETURN_IF_ERROR(expr)                \
  do {                                             \
    const ::absl::Status mlmdx_status_ = (expr);   \
    if (!mlmdx_status_.ok()) return mlmdx_status_; \
  } while (false)

#define MLMDX_STATUS_MACROS_CONCAT_INNER(x, y) x##y
#define MLMDX_STATUS_MACROS_CONCAT(x, y) MLMDX_STATUS_MACROS_CONCAT_INNER(x, y)

#define MLMDX_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) return statusor.status();           \
  lhs = std::move(statusor).value()

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status from
// the enclosing function, otherwise moves the value into `lhs`, which may be
// a declaration (`MLMDX_ASSIGN_OR_RETURN(auto x, F())`).
#define MLMDX_ASSIGN_OR_RETURN(lhs, rexpr) \
  MLMDX_ASSIGN_OR_RETURN_IMPL(             \
      MLMDX_STATUS_MACROS_CONCAT(mlmdx_statusor_, __COUNTER__), lhs, rexpr)

#endif  // MLMDX_UTIL_STATUS_MACROS_H_
