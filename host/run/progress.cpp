#include "host/run/progress.hpp"

#include <algorithm>
#include <cmath>

#include "host/scenario/scenario.hpp"

namespace ll {

RunProgress::RunProgress(std::ostream& err, bool terminal, std::size_t points,
                         std::size_t done_before, std::uint64_t max_bits,
                         std::uint64_t target_errors, RunControl* control)
    : err_(err),
      terminal_(terminal),
      points_(points),
      done_before_(done_before),
      max_bits_(max_bits),
      target_errors_(target_errors),
      control_(control),
      reporter_([this] { loop(); }) {
  if (control_) control_->points = points_;
}

RunProgress::~RunProgress() { stop(); }

void RunProgress::counted(std::uint64_t bits, std::uint64_t bit_errors) {
  bits_.fetch_add(bits, std::memory_order_relaxed);
  errors_.fetch_add(bit_errors, std::memory_order_relaxed);
  if (control_) {
    control_->bits.fetch_add(bits, std::memory_order_relaxed);
    control_->bit_errors.fetch_add(bit_errors, std::memory_order_relaxed);
  }
}

void RunProgress::point_finished(std::uint64_t bits) {
  finished_bits_.fetch_add(bits, std::memory_order_relaxed);
  done_.fetch_add(1, std::memory_order_relaxed);
  if (control_) control_->finished.fetch_add(1, std::memory_order_relaxed);
}

void RunProgress::stop() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  reporter_.join();
  if (terminal_ && reported_) err_ << "\n" << std::flush;  // end the live line
}

double RunProgress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void RunProgress::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto period = std::chrono::duration<double>(kPeriodS);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) report();
}

// The time left: the points to run at the bits a point takes (the finished points' mean; before
// any finishes, the bit budget, or fewer where the errors so far reach the target sooner),
// less what is counted, at the rate so far.
void RunProgress::report() {
  const double elapsed = elapsed_s();
  const double bits = static_cast<double>(bits_.load(std::memory_order_relaxed));
  const double errors = static_cast<double>(errors_.load(std::memory_order_relaxed));
  const std::size_t done = done_.load(std::memory_order_relaxed);
  const std::size_t to_run = points_ - done_before_;
  double per_point = static_cast<double>(max_bits_);
  if (done > 0)
    per_point = static_cast<double>(finished_bits_.load(std::memory_order_relaxed)) /
                static_cast<double>(done);
  else if (errors > 0.0)
    per_point = std::min(per_point, static_cast<double>(target_errors_) * bits / errors);
  const double rate = elapsed > 0.0 ? bits / elapsed : 0.0;
  const double left_bits = std::max(0.0, per_point * static_cast<double>(to_run) - bits);
  std::string eta = rate > 0.0 ? format_number(left_bits / rate, 2) + " s" : "unknown";
  err_ << (terminal_ ? "\r" : "") << "lightlane: " << done_before_ + done << "/" << points_
       << " points, " << format_number(bits, 4) << " bits, " << format_number(errors, 6)
       << " bit errors, " << format_number(rate, 3) << " bit/s, ETA " << eta
       << (terminal_ ? "   " : "\n")
       << std::flush;
  reported_ = true;
}

}  // namespace ll
