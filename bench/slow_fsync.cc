// A disk whose flushes are slow, as network block storage's are: preloaded
// into a process (LD_PRELOAD), it makes every fsync and fdatasync wait
// MLMDX_FSYNC_DELAY_US microseconds (default 3000) before flushing.
// Benchmark-only; never linked into mlmdx.

#include <dlfcn.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

namespace {

void WaitLikeASlowDisk() {
  const char* text = std::getenv("MLMDX_FSYNC_DELAY_US");
  const long micros = text != nullptr ? std::atol(text) : 3000;
  if (micros <= 0) return;
  timespec delay = {micros / 1000000, (micros % 1000000) * 1000};
  while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {
  }
}

using SyncFunction = int (*)(int);

SyncFunction Next(const char* name) {
  return reinterpret_cast<SyncFunction>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" int fsync(int fd) {
  static const SyncFunction real_fsync = Next("fsync");
  WaitLikeASlowDisk();
  return real_fsync(fd);
}

extern "C" int fdatasync(int fd) {
  static const SyncFunction real_fdatasync = Next("fdatasync");
  WaitLikeASlowDisk();
  return real_fdatasync(fd);
}
