// File: server/in_flight.h
// -----------------------------------------------------------------------------
//
// Counts the calls the server's services are handling, so that shutdown can
// wait for them to finish (gRPC's own Shutdown deadline cannot tell busy
// connections from idle ones).
//
// Thread-safety: thread-safe.
//
// Example:
//
//   grpc::Status MyService::Call(...) {
//     InFlightCalls::Guard guard(calls_);
//     ...
//   }

#ifndef MLMDX_SERVER_IN_FLIGHT_H_
#define MLMDX_SERVER_IN_FLIGHT_H_

#include <atomic>

namespace mlmdx::server {

class InFlightCalls {
 public:
  InFlightCalls() = default;
  InFlightCalls(const InFlightCalls&) = delete;
  InFlightCalls& operator=(const InFlightCalls&) = delete;

  int count() const { return count_.load(std::memory_order_acquire); }

  // Counts one call for the lifetime of the guard.
  class Guard {
   public:
    explicit Guard(InFlightCalls& calls) : calls_(calls) {
      calls_.count_.fetch_add(1, std::memory_order_acq_rel);
    }
    ~Guard() { calls_.count_.fetch_sub(1, std::memory_order_acq_rel); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    InFlightCalls& calls_;
  };

 private:
  std::atomic<int> count_{0};
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_IN_FLIGHT_H_
