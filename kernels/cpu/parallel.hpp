// OpenMP's parallel loop, letting exceptions out: an exception that leaves an OpenMP region (or a
// critical section) terminates the process, so each iteration's is caught, the first kept, the
// iterations not yet begun skipped, and it is rethrown, as it was, after the loop.
#pragma once

#include <omp.h>

#include <atomic>
#include <cstddef>
#include <exception>

namespace ll {

// Threads for a `--threads` value: itself, or OpenMP's default for 0.
inline int thread_count(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

// body(i) for i in [0, n) on `threads` threads (0: OpenMP's default), dynamically scheduled one
// iteration at a time.
template <class Body>
void parallel_for(std::size_t n, int threads, const Body& body) {
  std::exception_ptr first_error;
  std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic) num_threads(thread_count(threads))
  for (std::size_t i = 0; i < n; ++i) {
    if (failed.load(std::memory_order_relaxed)) continue;
    try {
      body(i);
    } catch (...) {
#pragma omp critical(lightlane_parallel_for_error)
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

// Runs f() inside the named critical section `lightlane_serial` and rethrows outside it what f
// throws (an exception must not leave the section).
template <class F>
void serially(const F& f) {
  std::exception_ptr error;
#pragma omp critical(lightlane_serial)
  {
    try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace ll
