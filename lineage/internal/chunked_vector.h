// File: lineage/internal/chunked_vector.h
// -----------------------------------------------------------------------------
//
// ChunkedVector is an append-only sequence stored in fixed-size chunks. Unlike
// std::vector it never reallocates or copies on growth, so its capacity
// overhead is at most one chunk instead of up to 2x, which keeps the graph
// index within its per-event memory budget at any size.
//
// Example:
//
//   ChunkedVector<Record> records;
//   uint32_t i = records.PushBack(Record{...});
//   const Record& r = records[i];
//
// Thread-safety: none; the owner serialises writers against readers.

#ifndef MLMDX_LINEAGE_INTERNAL_CHUNKED_VECTOR_H_
#define MLMDX_LINEAGE_INTERNAL_CHUNKED_VECTOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace mlmdx::lineage::internal {

template <typename T, size_t kChunkBits = 12>
class ChunkedVector {
 public:
  static constexpr size_t kChunkSize = size_t{1} << kChunkBits;

  // Appends `value` and returns its index.
  uint32_t PushBack(const T& value) {
    if (size_ % kChunkSize == 0) {
      chunks_.push_back(std::make_unique<T[]>(kChunkSize));
    }
    chunks_.back()[size_ % kChunkSize] = value;
    return static_cast<uint32_t>(size_++);
  }

  // REQUIRES: i < size().
  const T& operator[](size_t i) const {
    return chunks_[i >> kChunkBits][i & (kChunkSize - 1)];
  }
  T& operator[](size_t i) {
    return chunks_[i >> kChunkBits][i & (kChunkSize - 1)];
  }

  size_t size() const { return size_; }

  // Heap bytes held, capacity included.
  size_t MemoryBytes() const {
    return chunks_.size() * kChunkSize * sizeof(T) +
           chunks_.capacity() * sizeof(std::unique_ptr<T[]>);
  }

  void Clear() {
    std::vector<std::unique_ptr<T[]>>().swap(chunks_);
    size_ = 0;
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_CHUNKED_VECTOR_H_
