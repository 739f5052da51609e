// File: store/internal/lru_cache.h
// -----------------------------------------------------------------------------
//
// A map from text keys to values that holds at most `capacity` entries and,
// when full, drops the entry used least recently. The connections keep their
// prepared statements in one: a service that sees many distinct filter shapes
// would otherwise keep a compiled statement for each of them for as long as
// the connection lives. Inserting hands the dropped entry back to the caller,
// who owns releasing it (finalizing, DEALLOCATE), since only the caller knows
// how.
//
// Not thread-safe; a connection is used by one thread at a time.

#ifndef MLMDX_STORE_INTERNAL_LRU_CACHE_H_
#define MLMDX_STORE_INTERNAL_LRU_CACHE_H_

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace mlmdx::store::internal {

template <typename Value>
class LruCache {
 public:
  // REQUIRES: capacity >= 1.
  explicit LruCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value for `key`, now the most recently used entry; null if absent.
  Value* Find(absl::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->second;
  }

  // Adds `key` (REQUIRES: absent) as the most recently used entry. When that
  // makes the cache hold more than its capacity, removes the least recently
  // used entry and returns it.
  std::optional<std::pair<std::string, Value>> Insert(std::string key,
                                                      Value value) {
    entries_.emplace_front(std::move(key), std::move(value));
    index_.emplace(entries_.front().first, entries_.begin());
    if (entries_.size() <= capacity_) return std::nullopt;
    auto last = std::prev(entries_.end());
    index_.erase(last->first);
    std::pair<std::string, Value> evicted = std::move(*last);
    entries_.erase(last);
    return evicted;
  }

  // Removes `key` if present; returns its value.
  std::optional<Value> Erase(absl::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    auto entry = it->second;
    index_.erase(it);
    Value value = std::move(entry->second);
    entries_.erase(entry);
    return value;
  }

  // Removes every entry, most recently used first.
  void Clear() {
    index_.clear();
    entries_.clear();
  }

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<std::string, Value>;

  const size_t capacity_;
  // Most recently used first. The index keys view the strings held here,
  // whose storage list nodes never move.
  std::list<Entry> entries_;
  absl::flat_hash_map<absl::string_view, typename std::list<Entry>::iterator>
      index_;
};

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_LRU_CACHE_H_
