// Live progress of a run on stderr: points done, bits and bit errors counted so far (within the
// points still running too: the CPU engines report each chunk), the simulated bit rate and an
// estimate of the time left. A reporter thread writes it every 2 s, so a single long point shows
// it is alive: on a terminal one line rewritten in place, elsewhere (a Slurm log, a file) one
// line per report. Data never goes here; the summary table goes to stdout.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <thread>

namespace ll {

// A caller's hold on a run it started in another thread (the Python module): the run's progress
// as it goes, and a request to stop. The runner looks at `stop` when a thread takes a point,
// after each chunk of the CPU's Monte Carlo and before each unit of points; a run asked to stop
// throws RunStopped once the points it finished are written (they stay in the output).
struct RunControl {
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> points{0};    // this run's points (set when it starts)
  std::atomic<std::size_t> finished{0};  // of them, those written
  std::atomic<std::uint64_t> bits{0}, bit_errors{0};
};
class RunStopped : public std::runtime_error {
 public:
  RunStopped() : std::runtime_error("the run was asked to stop") {}
};
// Throws RunStopped when `control` (may be null) asks the run to stop.
inline void check_stop(const RunControl* control) {
  if (control && control->stop.load(std::memory_order_relaxed)) throw RunStopped();
}

class RunProgress {
 public:
  // `points`: this run's points; `done_before`: of them, those finished by an earlier run
  // (--resume); a point stops at `max_bits` bits or `target_errors` bit errors.
  // `control` (may be null) gets the same counts, as its own copy: the caller reads them from
  // another thread, also once this object is gone with the run.
  RunProgress(std::ostream& err, bool terminal, std::size_t points, std::size_t done_before,
              std::uint64_t max_bits, std::uint64_t target_errors, RunControl* control = nullptr);
  ~RunProgress();  // stop()
  RunProgress(const RunProgress&) = delete;
  RunProgress& operator=(const RunProgress&) = delete;

  // Bits and bit errors counted since the last call by some engine (any thread, any time).
  void counted(std::uint64_t bits, std::uint64_t bit_errors);
  // A point finished (all its lanes: `bits` of them); its bits were counted already.
  void point_finished(std::uint64_t bits);
  // Ends the reports (and the terminal's live line): before the run's last lines.
  void stop();

  // This run's points (a shard's), those of them it finished (not an earlier run's), the bits
  // counted, the seconds since it started: the run's last line.
  std::size_t points() const { return points_; }
  std::size_t finished() const { return done_.load(std::memory_order_relaxed); }
  std::uint64_t bits() const { return bits_.load(std::memory_order_relaxed); }
  double elapsed_s() const;

  // Seconds between reports.
  static constexpr double kPeriodS = 2.0;

 private:
  void report();
  void loop();

  std::ostream& err_;
  const bool terminal_;
  const std::size_t points_, done_before_;
  const std::uint64_t max_bits_, target_errors_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> bits_{0}, errors_{0}, finished_bits_{0};
  std::atomic<std::size_t> done_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool reported_ = false;
  RunControl* const control_;
  std::thread reporter_;
};

}  // namespace ll
