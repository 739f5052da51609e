// File: lineage/internal/rw_lock.h
// -----------------------------------------------------------------------------
//
// RwLock is a reader/writer lock that prefers writers, over pthread_rwlock.
// std::shared_mutex (glibc's default rwlock) lets new readers in while a
// writer waits, so a steady stream of lineage queries could hold off Apply
// (and with it the reply of every write) indefinitely. absl::Mutex prefers
// writers too, but Debian's Abseil is not built with TSan, which then cannot
// see its synchronisation; pthread_rwlock is intercepted by TSan.
//
// Example:
//
//   RwLock mu;
//   { ReaderLock l(mu); ... }   // shared
//   { WriterLock l(mu); ... }   // exclusive
//
// Thread-safety: it is the lock.

#ifndef MLMDX_LINEAGE_INTERNAL_RW_LOCK_H_
#define MLMDX_LINEAGE_INTERNAL_RW_LOCK_H_

#include <pthread.h>

#include <cstdlib>

namespace mlmdx::lineage::internal {

class RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    if (pthread_rwlock_init(&lock_, &attr) != 0) std::abort();
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwLock() { pthread_rwlock_destroy(&lock_); }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void ReaderLock() { pthread_rwlock_rdlock(&lock_); }
  void WriterLock() { pthread_rwlock_wrlock(&lock_); }
  void Unlock() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

// Scoped shared hold. REQUIRES: the thread does not already hold `mu`
// (writer preference makes recursive read locks deadlock-prone).
class ReaderLock {
 public:
  explicit ReaderLock(RwLock& mu) : mu_(mu) { mu_.ReaderLock(); }
  ~ReaderLock() { mu_.Unlock(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  RwLock& mu_;
};

// Scoped exclusive hold.
class WriterLock {
 public:
  explicit WriterLock(RwLock& mu) : mu_(mu) { mu_.WriterLock(); }
  ~WriterLock() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  RwLock& mu_;
};

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_RW_LOCK_H_
