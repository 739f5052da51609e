// File: store/commit_observer.h
// -----------------------------------------------------------------------------
//
// CommitObserver hears about every read-write transaction the store commits:
// how long its COMMIT took (on SQLite with synchronous=FULL, mostly the disk
// sync) and how many write calls it carried (more than one when group commit
// joined concurrent writes). The server turns these into metrics; the store
// itself knows nothing of how they are reported.
//
// Example:
//
//   class CommitStats : public store::CommitObserver {
//    public:
//     void OnCommit(absl::Duration duration, int writes) override {
//       total_writes_ += writes;
//     }
//     std::atomic<int64_t> total_writes_{0};
//   };
//   CommitStats stats;
//   store->SetCommitObserver(&stats);

#ifndef MLMDX_STORE_COMMIT_OBSERVER_H_
#define MLMDX_STORE_COMMIT_OBSERVER_H_

#include "absl/time/time.h"

namespace mlmdx::store {

class CommitObserver {
 public:
  virtual ~CommitObserver() = default;

  // Called once per committed read-write transaction, after COMMIT
  // returned OK, with the time COMMIT took and the number of write calls
  // the transaction held (at least 1). Runs on the committing thread while
  // writes are still serialized, so it must be quick and must not call the
  // store.
  virtual void OnCommit(absl::Duration commit_duration, int writes) = 0;
};

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_COMMIT_OBSERVER_H_
