// File: lineage/internal/id_map.h
// -----------------------------------------------------------------------------
//
// IdMap maps int64 record ids (artifact, execution, event ids) to uint32
// slot numbers. MLMD ids are auto-increment integers, so they are usually
// dense: IdMap keeps them in a plain array indexed by id (4 bytes per id) and
// falls back to a hash map for ids far beyond the dense range (imports,
// negative ids), so sparse ids cost memory in proportion to their number,
// not to their magnitude.
//
// Example:
//
//   IdMap heads;
//   heads.Set(42, 7);
//   uint32_t slot = heads.Get(42);        // 7
//   uint32_t none = heads.Get(43);        // IdMap::kNone
//
// Thread-safety: none; the owner (GraphIndex) serialises writers against
// readers. Const methods may run concurrently with each other.

#ifndef MLMDX_LINEAGE_INTERNAL_ID_MAP_H_
#define MLMDX_LINEAGE_INTERNAL_ID_MAP_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/container/flat_hash_map.h"

namespace mlmdx::lineage::internal {

class IdMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Returns the value stored for `id`, or kNone.
  uint32_t Get(int64_t id) const {
    if (id >= 0 && static_cast<uint64_t>(id) < dense_.size()) {
      return dense_[static_cast<size_t>(id)];
    }
    return GetSparse(id);
  }

  // Stores `value` (not kNone) for `id`, replacing any previous value.
  void Set(int64_t id, uint32_t value) {
    if (id >= 0 && static_cast<uint64_t>(id) >= dense_.size() &&
        static_cast<uint64_t>(id) < DenseLimit()) {
      GrowDense(static_cast<size_t>(id) + 1);
    }
    if (id >= 0 && static_cast<uint64_t>(id) < dense_.size()) {
      uint32_t& slot = dense_[static_cast<size_t>(id)];
      if (slot == kNone) ++size_;
      slot = value;
      return;
    }
    auto [it, inserted] = sparse_.try_emplace(id, value);
    if (inserted) {
      ++size_;
    } else {
      it->second = value;
    }
  }

  // Removes the value of `id`, if any.
  void Erase(int64_t id) {
    if (id >= 0 && static_cast<uint64_t>(id) < dense_.size()) {
      uint32_t& slot = dense_[static_cast<size_t>(id)];
      if (slot != kNone) --size_;
      slot = kNone;
      return;
    }
    size_ -= sparse_.erase(id);
  }

  // Calls `fn(id, value)` for every id with a value, in no particular
  // order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (size_t id = 0; id < dense_.size(); ++id) {
      if (dense_[id] != kNone) fn(static_cast<int64_t>(id), dense_[id]);
    }
    for (const auto& [id, value] : sparse_) fn(id, value);
  }

  // Number of ids with a value.
  size_t size() const { return size_; }

  // Heap bytes held, capacity included.
  size_t MemoryBytes() const {
    return dense_.capacity() * sizeof(uint32_t) +
           sparse_.capacity() * (sizeof(std::pair<int64_t, uint32_t>) + 1);
  }

  void Clear() {
    std::vector<uint32_t>().swap(dense_);
    absl::flat_hash_map<int64_t, uint32_t>().swap(sparse_);
    size_ = 0;
  }

 private:
  // Get's rare case, out of line so that the dense case inlines into the
  // walks' inner loops.
  ABSL_ATTRIBUTE_NOINLINE uint32_t GetSparse(int64_t id) const {
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kNone : it->second;
  }

  // Ids below this bound go to the dense array: it may be at most about
  // twice as long as the number of stored ids (plus a small floor).
  uint64_t DenseLimit() const {
    return 2 * static_cast<uint64_t>(size_) + 4096;
  }

  void GrowDense(size_t min_size) {
    size_t new_size = std::max(min_size, dense_.size() + dense_.size() / 2);
    new_size = std::max<size_t>(new_size, 1024);
    // Exactly this much: resize alone may double the capacity on top of
    // the growth above, which would leave up to half the array unused.
    dense_.reserve(new_size);
    dense_.resize(new_size, kNone);
    // Move sparse entries that now fall into the dense range.
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      if (it->first >= 0 && static_cast<uint64_t>(it->first) < new_size) {
        dense_[static_cast<size_t>(it->first)] = it->second;
        sparse_.erase(it++);
      } else {
        ++it;
      }
    }
  }

  std::vector<uint32_t> dense_;
  absl::flat_hash_map<int64_t, uint32_t> sparse_;
  size_t size_ = 0;
};

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_ID_MAP_H_
