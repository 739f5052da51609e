// File: lineage/internal/link_list.h
// -----------------------------------------------------------------------------
//
// LinkList holds (context, node) links (attributions or associations) as a
// singly linked list per node, newest first, in two parallel append-only
// arrays (8 bytes per link: context ids are kept in 32 bits, and the rare id
// that does not fit in a side map). Link slots grow in commit order, so a
// slot count is a snapshot of the links.
//
// Example:
//
//   LinkList attributions;
//   attributions.Add(/*context_id=*/3, /*node_id=*/10);
//   attributions.ForEach(10, attributions.size(),
//                        [](int64_t context) { ... });
//
// Thread-safety: none; the owner (GraphIndex) serialises writers against
// readers. Const methods may run concurrently with each other.

#ifndef MLMDX_LINEAGE_INTERNAL_LINK_LIST_H_
#define MLMDX_LINEAGE_INTERNAL_LINK_LIST_H_

#include <cstddef>
#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "lineage/internal/chunked_vector.h"
#include "lineage/internal/id_map.h"

namespace mlmdx::lineage::internal {

class LinkList {
 public:
  // Adds the link unless present (a walk over the node's links: nodes have
  // few contexts).
  void Add(int64_t context_id, int64_t node_id) {
    const uint32_t head = head_.Get(node_id);
    for (uint32_t i = head; i != IdMap::kNone; i = next_[i]) {
      if (ContextAt(i) == context_id) return;
    }
    const bool fits = context_id >= 0 && context_id < kWideContext;
    const uint32_t slot = context_.PushBack(
        fits ? static_cast<uint32_t>(context_id) : kWideContext);
    if (!fits) wide_contexts_[slot] = context_id;
    head_.Set(node_id, next_.PushBack(head));
  }

  // Calls `fn(context_id)` for each link of `node_id` among the first
  // `limit` slots.
  template <typename Fn>
  void ForEach(int64_t node_id, size_t limit, Fn fn) const {
    for (uint32_t i = head_.Get(node_id); i != IdMap::kNone; i = next_[i]) {
      if (i < limit) fn(ContextAt(i));
    }
  }

  // Calls `fn(context_id)` for each link of `node_id` among the first
  // `limit` slots until `fn` returns false.
  template <typename Fn>
  void ForEachWhile(int64_t node_id, size_t limit, Fn fn) const {
    for (uint32_t i = head_.Get(node_id); i != IdMap::kNone; i = next_[i]) {
      if (i < limit && !fn(ContextAt(i))) return;
    }
  }

  // Calls `fn(context_id, node_id)` for every link, in no particular order.
  template <typename Fn>
  void ForEachLink(Fn fn) const {
    head_.ForEach([&](int64_t node_id, uint32_t head) {
      for (uint32_t i = head; i != IdMap::kNone; i = next_[i]) {
        fn(ContextAt(i), node_id);
      }
    });
  }

  // True if `node_id` has a link.
  bool Contains(int64_t node_id) const {
    return head_.Get(node_id) != IdMap::kNone;
  }

  size_t size() const { return context_.size(); }

  size_t MemoryBytes() const {
    return context_.MemoryBytes() + next_.MemoryBytes() + head_.MemoryBytes() +
           wide_contexts_.capacity() *
               (sizeof(std::pair<uint32_t, int64_t>) + 1);
  }

  void Clear() {
    wide_contexts_.clear();
    context_.Clear();
    next_.Clear();
    head_.Clear();
  }

 private:
  static constexpr uint32_t kWideContext = UINT32_MAX;

  int64_t ContextAt(uint32_t slot) const {
    const uint32_t context = context_[slot];
    return context == kWideContext ? wide_contexts_.at(slot) : context;
  }

  ChunkedVector<uint32_t> context_;                       // or kWideContext
  absl::flat_hash_map<uint32_t, int64_t> wide_contexts_;  // by slot
  ChunkedVector<uint32_t> next_;  // older link of the same node, or kNone
  IdMap head_;                    // node id -> newest link slot
};

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_LINK_LIST_H_
