// File: server/file_watch.h
// -----------------------------------------------------------------------------
//
// Tells whether a file was replaced or rewritten since it was last read, by
// comparing its inode, size and modification time, at most once per
// interval so that a busy server does not stat the file on every call. An
// editor's rename-over and an in-place rewrite both show.
//
// Thread-safety: not thread-safe; the owner serializes calls.
//
// Example:
//
//   FileWatch watch("/etc/mlmdx/tokens.csv", absl::Milliseconds(250));
//   watch.MarkRead();          // then read it
//   if (watch.Changed()) ...   // MarkRead(), then read it again

#ifndef MLMDX_SERVER_FILE_WATCH_H_
#define MLMDX_SERVER_FILE_WATCH_H_

#include <sys/stat.h>

#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mlmdx::server {

class FileWatch {
 public:
  FileWatch(std::string path, absl::Duration interval)
      : path_(std::move(path)), interval_(interval) {}

  // Remembers the file as it is now. Call it just before reading the file,
  // so that a write racing with the read shows as a change next time.
  void MarkRead() {
    seen_ = Stamp();
    last_check_ = absl::Now();
  }

  // True when at least `interval` passed since the last check and the file
  // differs from the version last marked. A file that cannot be stat'ed
  // (being replaced) counts as unchanged.
  bool Changed() {
    const absl::Time now = absl::Now();
    if (now - last_check_ < interval_) return false;
    last_check_ = now;
    const Identity current = Stamp();
    return current.exists && !(current == seen_);
  }

 private:
  struct Identity {
    bool exists = false;
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const Identity& o) const {
      return exists == o.exists && inode == o.inode && size == o.size &&
             mtime_ns == o.mtime_ns;
    }
  };

  Identity Stamp() const {
    Identity id;
    struct stat st;
    if (stat(path_.c_str(), &st) != 0) return id;
    id.exists = true;
    id.inode = st.st_ino;
    id.size = st.st_size;
    id.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
    return id;
  }

  const std::string path_;
  const absl::Duration interval_;
  Identity seen_;
  absl::Time last_check_ = absl::InfinitePast();
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_FILE_WATCH_H_
