// What a run prints and writes as its links finish (host/run/runner.cpp runs the points): each
// link's summary row on stdout, each point's data in the HDF5 file once all its lanes are in
// (flushed: a killed run keeps every finished point; the file is created at the first point),
// the live progress on stderr (host/run/progress.hpp), and the run's last line.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "host/io/hdf5_writer.hpp"
#include "host/link/margin.hpp"
#include "host/run/plan.hpp"
#include "host/run/progress.hpp"
#include "host/io/results.hpp"

namespace ll {

// A point's figures from its outcome and its set-up report: counts and ratios with their
// intervals, the eye's figures, the KP4 figures, energy, the ring's and the lock's.
PointResult point_result(const LinkOutcome& outcome, const LinkReport& report);

// The summary table's name of a stop reason.
const char* stop_name(std::uint8_t stop_reason);

// What a run prints and writes as its links finish: each link's summary row, each point's data
// once all its lanes are in (written and flushed: a killed run keeps every finished point), the
// live progress (host/run/progress.hpp). Not thread-safe but for progress(): the caller serialises the
// other calls.
class SweepOutput {
 public:
  // `writer`: the resumed file, or null: the file is created when the first point is written.
  // `chunk_counts`: the engines report each chunk's counts to progress() (the CPU's Monte
  // Carlo); else a link's counts reach the progress when it finishes.
  // `memory_image`: the file is made in memory instead (Hdf5Writer::Mode::memory; its bytes go
  // there when it closes) and output_path only names it. `control`: the caller's hold on the run
  // (host/run/progress.hpp), or null.
  SweepOutput(const SweepPlan& plan, const OutputLayout& layout, const std::string& output_path,
              std::unique_ptr<Hdf5Writer> writer, std::size_t points, std::size_t done,
              bool chunk_counts, std::ostream& out, std::ostream& err,
              std::vector<std::uint8_t>* memory_image = nullptr, RunControl* control = nullptr)
      : plan_(plan),
        layout_(layout),
        output_path_(output_path),
        memory_image_(memory_image),
        bus_(layout.lanes > 0),
        com_(plan.first_point.channel.model != ChannelModel::none),
        com_set_(plan.first_point.channel.model == ChannelModel::touchstone
                     ? plan.first_point.channel.com_set
                     : "none"),
        margin_(plan.run.margin),
        writer_(std::move(writer)),
        chunk_counts_(chunk_counts),
        out_(out),
        err_(err),
        progress_(err, isatty(STDERR_FILENO) != 0, points, done, plan.run.max_bits,
                  plan.run.target_errors, control) {
    out_ << std::left << std::setw(6) << "point";
    for (const SweepAxis& a : plan_.scenario.sweep) out_ << std::setw(key_width(a)) << a.key;
    if (bus_) out_ << std::setw(6) << "lane";
    out_ << std::setw(11) << "ber" << std::setw(24) << "95% interval" << std::setw(12) << "errors"
         << std::setw(14) << "bits" << std::setw(15) << "stop";
    // COM judges the host electrical channel alone: beside the lane's BER, and said so, since a
    // channel can pass it while the lane fails; the standard's (channel.com_set) before the
    // lane's own (its transmit FFE, an MMSE receiver), each named.
    // The margin (host/link/margin.hpp) when computed: the point's distance from its FEC's threshold.
    if (margin_) out_ << std::setw(10) << "ER dB" << (com_ ? std::setw(11) : std::setw(0))
                      << "margin dB";
    else if (com_) out_ << std::setw(10) << "ER dB";
    else out_ << "ER dB";
    if (com_ && com_set_ != "none")
      out_ << "host-channel COM dB (" << com_set_ << " / lane's FFE, MMSE rx)";
    else if (com_)
      out_ << "host-channel COM dB (lane's FFE, MMSE rx)";
    out_ << "\n";
  }

  // A point whose ring cannot be locked: its figures, no simulation.
  void not_simulated(std::size_t p, const std::vector<PreparedLink>& lanes) {
    const LinkOutcome none;  // no eye: zeros in the file
    std::vector<PointResult> results;
    for (std::size_t j = 0; j < lanes.size(); ++j) {
      const LinkReport& rep = lanes[j].report;
      results.push_back(point_result(none, rep));
      std::ostringstream row;
      row_start(row, p, j);
      row << "not simulated: "
          << (rep.lock == LockStatus::beyond_heater_budget ? "beyond the heater budget"
               : rep.lock == LockStatus::thermally_unstable ? "thermally unstable"
                                                            : "another ring of the bus cannot lock")
          << " (heater " << format_number(rep.heater_power_w * 1e3, 4) << " mW)\n";
      rows_[p] += row.str();
    }
    ready_.emplace(p, std::move(results));
    write_ready();
  }

  void link_finished(std::size_t p, std::size_t lane, const LinkOutcome& outcome,
                     const LinkReport& report, double tdecq_db, const LaneMargin& margin) {
    PointResult r = point_result(outcome, report);
    r.tdecq_db = tdecq_db;
    r.sensitivity_oma_dbm = margin.sensitivity_oma_dbm;
    r.margin_db = margin.margin_db;
    r.channel_margin_db = margin.channel_margin_db;
    r.sensitivity_check_ber = margin.check_ber;
    r.sensitivity_check_ber_lo = margin.check_ber_lo;
    r.sensitivity_check_ber_hi = margin.check_ber_hi;
    r.margin_target_ber = plan_.run.margin_target_ber;  // the FEC's threshold, margins or not
    if (!chunk_counts_) progress_.counted(r.bits, r.bit_errors);
    // The row is printed once its point is in the file (write): a printed row is a kept result.
    std::ostringstream row;
    row_start(row, p, lane);
    row << std::setw(11) << format_number(r.ber, 3) << std::setw(24)
        << ("[" + format_number(r.ber_lo, 3) + ", " + format_number(r.ber_hi, 3) + "]")
        << std::setw(12) << r.bit_errors << std::setw(14) << r.bits << std::setw(15)
        << stop_name(outcome.counters.stop_reason);
    if (margin_ || com_)
      row << std::setw(10) << format_number(r.mrm_extinction_ratio_db, 4);
    else
      row << format_number(r.mrm_extinction_ratio_db, 4);
    if (margin_) row << (com_ ? std::setw(11) : std::setw(0)) << format_number(r.margin_db, 3);
    if (com_ && com_set_ != "none") row << format_number(r.com_reference_db, 3) << " / ";
    if (com_) row << format_number(r.com_db, 3);
    row << "\n";
    rows_[p] += row.str();
    std::vector<PointResult>& lanes = pending_[p];
    if (lanes.empty()) lanes.resize(plan_.lanes);
    lanes[lane] = std::move(r);
    if (std::all_of(lanes.begin(), lanes.end(),
                    [](const PointResult& x) { return x.stop_reason != StopReason::not_run; })) {
      ready_.emplace(p, std::move(lanes));
      pending_.erase(p);
      if (!hold_) write_ready();
    }
  }

  // Whole points wait in memory until write_ready() (a unit's points then go in one write per
  // run of consecutive points: a flush per unit, not per point); else each is written at once.
  void hold_points(bool hold) { hold_ = hold; }
  // Writes the whole points waiting, each run of consecutive points in one call.
  void write_ready() {
    while (!ready_.empty()) {
      const std::size_t first = ready_.begin()->first;
      std::vector<PointResult> run;
      std::size_t next = first;
      for (auto it = ready_.begin(); it != ready_.end() && it->first == next; ++next) {
        run.insert(run.end(), std::make_move_iterator(it->second.begin()),
                   std::make_move_iterator(it->second.end()));
        it = ready_.erase(it);
      }
      write(first, run);
    }
  }

  // Closes the file (created now if no point was written: a shard without points) and prints
  // the run's last line.
  void finish() {
    progress_.stop();
    writer().close();
    err_ << "lightlane: " << progress_.points() << " points, " << progress_.bits() << " bits in "
         << format_number(progress_.elapsed_s(), 3) << " s; wrote " << output_path_ << " ("
         << format_number(write_seconds_, 3)
         << " s of it writing the file; setting the points up took "
         << format_number(setup_seconds_.load(), 3) << " s of the threads' time)\n";
  }

  // A failed run: ends the live line and says what the file holds (nothing when no point was
  // written: then there is no file). Each point is flushed when written, so a failure elsewhere
  // (or a kill) leaves every written point readable; a write that failed (a full disk) may have
  // left HDF5's own structures half written, which HDF5 then refuses to open.
  void interrupted(bool writing_failed) {
    progress_.stop();
    if (!writer_) return;
    err_ << "lightlane: the run stopped after " << progress_.finished() << " points; "
         << (writing_failed ? "writing " + output_path_ +
                                  " failed, so HDF5 may not open it again: the same command with "
                                  "--resume finishes it if it can, --overwrite starts it anew\n"
                            : "they are kept in " + output_path_ +
                                  ": the same command with --resume runs the rest\n");
  }

  // Where the engines report each chunk's counts (any thread, any time).
  RunProgress& progress() { return progress_; }

  // Time a thread spent setting points up (any thread, any time).
  void add_setup_seconds(double s) { setup_seconds_.fetch_add(s); }
  static double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }

 private:
  // Each swept key's column is as wide as its name (at least 22).
  static int key_width(const SweepAxis& a) {
    return static_cast<int>(std::max<std::size_t>(22, a.key.size() + 2));
  }
  // A summary row starts with the point and its swept values.
  void row_start(std::ostream& row, std::size_t p, std::size_t lane) const {
    row << std::left << std::setw(6) << p;
    for (const SweepAxis& a : plan_.scenario.sweep)
      row << std::setw(key_width(a)) << format_number(a.values[p], 6);
    if (bus_) row << std::setw(6) << lane;
  }
  // Points first .. first + n - 1, their lanes' results point-major. A file this run created
  // that fails before it holds a point is removed: a failed run leaves no file of nothing.
  void write(std::size_t first, const std::vector<PointResult>& results) {
    const auto start = std::chrono::steady_clock::now();
    const bool first_write = !writer_;
    Hdf5Writer& file = writer();  // removes what it half made when creating fails
    try {
      file.write_points(first, results);
    } catch (...) {
      if (first_write) {
        writer_.reset();
        remove_file();
      }
      throw;
    }
    write_seconds_ += seconds_since(start);
    // The points' rows, now that the file holds them (a kill from here on loses no printed row).
    for (std::size_t q = first; q < first + results.size() / plan_.lanes; ++q) {
      const auto row = rows_.find(q);
      if (row == rows_.end()) continue;
      out_ << row->second;
      rows_.erase(row);
    }
    out_.flush();
    for (std::size_t i = 0; i < results.size(); i += plan_.lanes) {
      std::uint64_t bits = 0;
      for (std::size_t j = 0; j < plan_.lanes; ++j) bits += results[i + j].bits;
      progress_.point_finished(bits);
    }
  }

  Hdf5Writer& writer() {
    if (!writer_) {
      try {
        writer_ = std::make_unique<Hdf5Writer>(
            output_path_, layout_,
            memory_image_ ? Hdf5Writer::Mode::memory : Hdf5Writer::Mode::create, memory_image_);
      } catch (...) {
        remove_file();  // half a layout: no file
        throw;
      }
    }
    return *writer_;
  }
  // The file this run created (none in memory: output_path_ is then only a name).
  void remove_file() const {
    if (memory_image_) return;
    std::error_code ignored;
    std::filesystem::remove(output_path_, ignored);
  }

  const SweepPlan& plan_;
  const OutputLayout& layout_;
  const std::string output_path_;
  std::vector<std::uint8_t>* const memory_image_;
  const bool bus_;
  const bool com_;              // a host channel: its COM beside the BER
  const std::string com_set_;  // channel.com_set ("none": the lane's COM alone)
  const bool margin_;  // the margin computed: beside the BER
  std::unique_ptr<Hdf5Writer> writer_;
  const bool chunk_counts_;
  std::ostream& out_;
  std::ostream& err_;
  double write_seconds_ = 0.0;  // the orchestration's main cost; reported at the end
  std::atomic<double> setup_seconds_{0.0};
  std::map<std::size_t, std::vector<PointResult>> pending_;  // points with lanes still running
  std::map<std::size_t, std::vector<PointResult>> ready_;    // whole points not yet written
  std::map<std::size_t, std::string> rows_;  // their summary rows, printed once written
  bool hold_ = false;
  RunProgress progress_;  // last: its reporter thread starts once the rest is in place
};

}  // namespace ll
