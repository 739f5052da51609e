// File: bench/timed_loop.h
// -----------------------------------------------------------------------------
//
// The benchmarks' timed loop: runs a call once per Google Benchmark
// iteration and keeps each call's wall time, so that a benchmark can report
// percentiles rather than only the mean.
//
// Example:
//
//   std::vector<double> micros = TimedLoop(state, [&] { stub->Call(...); });
//   state.counters["p50_us"] = Percentile(micros, 0.5);

#ifndef MLMDX_BENCH_TIMED_LOOP_H_
#define MLMDX_BENCH_TIMED_LOOP_H_

#include <chrono>
#include <vector>

#include "benchmark/benchmark.h"

namespace mlmdx::bench {

// Each iteration's wall time in microseconds, in order.
template <typename Fn>
std::vector<double> TimedLoop(benchmark::State& state, Fn&& call) {
  std::vector<double> micros;
  // No reallocation between two timed calls.
  micros.reserve(state.max_iterations);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    call();
    micros.push_back(std::chrono::duration<double, std::micro>(
                         std::chrono::steady_clock::now() - start)
                         .count());
  }
  return micros;
}

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_TIMED_LOOP_H_
