// File: lineage/internal/event_types.h
// -----------------------------------------------------------------------------
//
// MLMD event type classes and the direction table of spec/lineage.md §1:
// which events a traversal step may follow, given the kind of node it
// expands from and the requested direction.
//
// Example:
//
//   if (KeptByDirection(e.type, NodeKind::kArtifact, Direction::kUpstream))
//     ...  // e is output-like: it leads to the producing execution.
//
// Thread-safety: pure functions.

#ifndef MLMDX_LINEAGE_INTERNAL_EVENT_TYPES_H_
#define MLMDX_LINEAGE_INTERNAL_EVENT_TYPES_H_

#include "lineage/graph_index.h"

namespace mlmdx::lineage::internal {

// ml_metadata::Event::Type numbers.
enum EventType {
  kUnknown = 0,
  kDeclaredOutput = 1,
  kDeclaredInput = 2,
  kInput = 3,
  kOutput = 4,
  kInternalInput = 5,
  kInternalOutput = 6,
  kPendingOutput = 7,
};

// DECLARED_INPUT, INPUT, INTERNAL_INPUT: an artifact consumed.
inline bool IsInputLike(int type) {
  return type == kDeclaredInput || type == kInput || type == kInternalInput;
}

// DECLARED_OUTPUT, OUTPUT, INTERNAL_OUTPUT, PENDING_OUTPUT: an artifact made.
inline bool IsOutputLike(int type) {
  return type == kDeclaredOutput || type == kOutput ||
         type == kInternalOutput || type == kPendingOutput;
}

// Whether a step expanding from nodes of `from` in `direction` follows an
// event of `type` (the table of spec/lineage.md §1).
inline bool KeptByDirection(int type, NodeKind from, Direction direction) {
  switch (direction) {
    case Direction::kBidirectional:
      return true;
    case Direction::kUpstream:
      return from == NodeKind::kArtifact ? IsOutputLike(type)
                                         : IsInputLike(type);
    case Direction::kDownstream:
      return from == NodeKind::kArtifact ? IsInputLike(type)
                                         : IsOutputLike(type);
  }
  return true;
}

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_EVENT_TYPES_H_
