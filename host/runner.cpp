#include "host/runner.hpp"

#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <span>
#include <sstream>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "build_info.hpp"
#include "host/cpu_backend.hpp"
#include "host/energy.hpp"
#include "host/eye_metrics.hpp"
#include "host/hdf5_writer.hpp"
#include "host/output_path.hpp"
#include "host/parallel.hpp"
#include "host/progress.hpp"
#include "host/stat_eye.hpp"
#include "host/statistics.hpp"
#include "host/tdecq.hpp"

namespace ll {
namespace {

std::string units_of(const std::string& key) {
  const auto info = find_key(key);
  return info ? info->units : "1";
}

const char* stop_name(std::uint8_t r) {
  switch (r) {
    case 1:
      return "target_errors";
    case 2:
      return "bit_budget";
    case 3:
      return "statistical";
    default:
      return "not_run";
  }
}

// What decides which engine stages a link runs: links that agree on it share a batch.
struct StageTopology {
  int samples_per_ui, levels, pattern;
  bool has_h1, has_h2, ring_dynamic, eo_junction;
  int bus_lanes;
  bool rx_equalizer, tx_jitter, cdr;
  auto operator<=>(const StageTopology&) const = default;
};

}  // namespace

std::size_t engine_bytes_per_link(const BatchSetup& b) {
  const std::size_t S = static_cast<std::size_t>(b.chunk_symbols) * b.samples_per_ui;
  const std::size_t H = b.overlap_history, B = overlap_save_valid(b);
  std::size_t floats = S + (S + H);                       // drive; photocurrent with filter history
  if (b.has_h2) floats += S + 2 * (S / B) * (H + B + 2);  // received waveform, FFT blocks, spectra
  std::size_t bytes = floats * sizeof(float);
  bytes += 2 * static_cast<std::size_t>(b.chunk_symbols);  // symbols, decisions
  bytes += static_cast<std::size_t>(b.eye_amplitude_bins) * 2 * b.samples_per_ui * 4;
  return bytes;
}

namespace {

// What the plan keeps of a point after checking it.
struct PointCheck {
  std::size_t lanes = 0;
  StageTopology topology{};
  bool locked = true;
  std::size_t h2_taps = 0;    // the longest receiver FIR of its lanes
  int history_symbols = 0;    // what the engine keeps in flight for its lanes (engine_span)
  int channel_symbols = 0;    // of them, the host channel's FIR (a Touchstone file's, say)
  std::exception_ptr error;  // set up failed: the scenario error to report
};

StageTopology stage_topology(const LaneParams& lp, const LinkSetup& link) {
  return StageTopology{lp.samples_per_ui,
                       lp.levels,
                       static_cast<int>(lp.pattern),
                       !link.h1_taps.empty(),
                       !link.h2_taps.empty(),
                       lp.ring_dynamic,
                       lp.eo_junction,
                       lp.wdm.channels,
                       lp.rx_eq.enabled(),
                       lp.tx_jitter.present(),
                       lp.cdr.mode != 0};
}

BatchSetup batch_settings(const StageTopology& key, const LaneParams& lp, const RunParams& run) {
  BatchSetup b;
  b.pattern = lp.pattern;
  b.levels = lp.levels;
  b.samples_per_ui = lp.samples_per_ui;
  b.chunk_symbols = run.chunk_symbols;
  b.has_h1 = key.has_h1;
  b.has_h2 = key.has_h2;
  b.ring_dynamic = key.ring_dynamic;
  b.eo_junction = key.eo_junction;
  b.target_errors = run.target_errors;
  b.max_bits = run.max_bits;
  b.eye_symbols = run.eye_symbols;
  b.eye_amplitude_bins = run.eye_amplitude_bins;
  b.bus_lanes = key.bus_lanes;
  b.rx_equalizer = key.rx_equalizer;
  b.tx_jitter = key.tx_jitter;
  b.cdr = key.cdr;
  return b;
}

int thread_count(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

}  // namespace

SweepPlan plan_sweep(const Scenario& s, int threads) {
  SweepPlan plan;
  plan.scenario = s;
  plan.run = run_params(s);
  const std::size_t P = s.points();
  plan.points = P;
  plan.first_point = lane_params(s, 0);
  // Every point is set up once to check it (in parallel: the set-up is independent per point and
  // its FFTW planning is serialised in host/filter_design.cpp), then only its batch is kept.
  std::vector<PointCheck> checks(P);
  const RunParams& run = plan.run;
#pragma omp parallel for schedule(dynamic, 8) num_threads(thread_count(threads))
  for (std::size_t p = 0; p < P; ++p) {
    PointCheck& c = checks[p];
    try {
      const LaneParams lp = lane_params(s, p);
      if (run.mode == "stat") {
        const std::string missing = stat_eye_unsupported(lp);
        if (!missing.empty())
          fail_key(s, "run.mode",
                   "\"stat\": the statistical eye does not model " + missing + " yet; use \"mc\"");
      }
      std::vector<PreparedLink> lanes = prepare_point(s, p, lp, run);
      c.lanes = lanes.size();
      c.topology = stage_topology(lp, lanes.front().setup);
      BatchSetup alone = batch_settings(c.topology, lp, run);
      for (PreparedLink& l : lanes) {
        c.locked = c.locked && l.report.lock != LockStatus::beyond_heater_budget &&
                   l.report.lock != LockStatus::thermally_unstable;
        c.h2_taps = std::max(c.h2_taps, l.setup.h2_taps.size());
        c.channel_symbols = std::max(c.channel_symbols, l.report.channel_fir_symbols);
        alone.links.push_back(std::move(l.setup));
      }
      // What the engine will count, so that it can refuse nothing the plan let through.
      c.history_symbols = engine_span(alone).history_symbols;
    } catch (...) {
      c.error = std::current_exception();
    }
  }
  // The first unsound point's error, as a serial pass would have met it.
  for (std::size_t p = 0; p < P; ++p) {
    if (checks[p].error) std::rethrow_exception(checks[p].error);
    if (p == 0) {
      plan.lanes = checks[0].lanes;
    } else if (checks[p].lanes != plan.lanes) {
      fail_key(s, "wdm.channels",
               "sweeping it would change the lane dimension; expected one value for the whole "
               "run");
    }
  }
  // Points with the same stage topology run as one batch; its overlap-save history holds the
  // longest receiver FIR of all its points, so how a batch is later split cannot change a link.
  std::map<StageTopology, std::size_t> batch_of;
  std::vector<std::size_t> batch_h2_taps;
  for (std::size_t p = 0; p < P; ++p) {
    const PointCheck& c = checks[p];
    if (!c.locked) {
      plan.unlocked_points.push_back(p);
      continue;
    }
    auto it = batch_of.find(c.topology);
    if (it == batch_of.end()) {
      it = batch_of.emplace(c.topology, plan.batches.size()).first;
      plan.batches.push_back(batch_settings(c.topology, lane_params(s, p), run));
      plan.batch_points.emplace_back();
      batch_h2_taps.push_back(1);
    }
    plan.batch_points[it->second].push_back(p);
    batch_h2_taps[it->second] = std::max(batch_h2_taps[it->second], c.h2_taps);
    // Every point's span must fit a chunk (a batch keeps its longest point's).
    if (c.history_symbols > run.chunk_symbols) {
      int enough = run.chunk_symbols;
      while (enough < c.history_symbols) enough *= 2;
      const std::string channel =
          c.channel_symbols > 0
              ? " (the host channel's impulse response alone spans " +
                    std::to_string(c.channel_symbols) + " symbols" +
                    (plan.first_point.channel.file.empty()
                         ? std::string()
                         : ": " + channel_file_path(s, plan.first_point)) +
                    ")"
              : std::string();
      fail_key(s, "run.chunk_symbols",
               "the chain keeps " + std::to_string(c.history_symbols) +
                   " symbols in flight at point " + std::to_string(p) + channel +
                   "; expected a chunk of at least that, e.g. " + std::to_string(enough) +
                   ", got " + std::to_string(run.chunk_symbols));
    }
  }
  // Every point shares the eye's phase axis (2 x samples_per_ui bins); a sweep of
  // samples_per_ui would not.
  for (const BatchSetup& b : plan.batches)
    if (b.samples_per_ui != plan.batches.front().samples_per_ui)
      fail_key(s, "signal.samples_per_ui",
               "sweeping it would give eyes of different phase axes; expected one value for the "
               "whole run");
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    BatchSetup& batch = plan.batches[b];
    LinkSetup longest;  // overlap_save_history reads the links' receiver FIRs
    longest.h2_taps.resize(batch_h2_taps[b]);
    batch.links.assign(1, longest);
    batch.overlap_history = overlap_save_history(batch);
    batch.links.clear();
    const std::size_t chunk_samples =
        static_cast<std::size_t>(batch.chunk_symbols) * batch.samples_per_ui;
    if (chunk_samples % overlap_save_valid(batch) != 0)
      fail_key(s, "run.chunk_symbols",
               "the filters' impulse responses need blocks of " +
                   std::to_string(overlap_save_valid(batch)) +
                   " samples; expected a chunk whose samples are a multiple of that, got " +
                   std::to_string(chunk_samples) + " samples");
  }
  return plan;
}

PreparedPoints prepare_points(const SweepPlan& plan, std::size_t batch,
                              const std::vector<std::size_t>& points, int threads) {
  PreparedPoints out;
  out.batch = plan.batches.at(batch);
  out.points = points;
  const std::size_t n = points.size(), lanes = plan.lanes;
  out.params.resize(n);
  out.batch.links.resize(n * lanes);
  out.reports.resize(n * lanes);
  parallel_for(n, threads, [&](std::size_t i) {
    try {
      out.params[i] = lane_params(plan.scenario, points[i]);
      std::vector<PreparedLink> links =
          prepare_point(plan.scenario, points[i], out.params[i], plan.run);
      for (std::size_t j = 0; j < lanes; ++j) {
        out.batch.links[i * lanes + j] = std::move(links[j].setup);
        out.reports[i * lanes + j] = std::move(links[j].report);
      }
    } catch (const std::exception& e) {
      // The plan set every point up once already: this cannot be bad input.
      throw std::runtime_error("setting up a planned point failed: " + std::string(e.what()));
    }
  });
  return out;
}

PreparedRun prepare_run(const Scenario& s) {
  const SweepPlan plan = plan_sweep(s);
  PreparedRun r;
  r.scenario = s;
  r.run = plan.run;
  r.lanes = plan.lanes;
  r.unlocked_points = plan.unlocked_points;
  const std::size_t P = plan.points;
  r.params.resize(P);
  r.links.resize(P * plan.lanes);
  auto keep = [&](PreparedPoints&& pp) {
    for (std::size_t i = 0; i < pp.points.size(); ++i) {
      r.params[pp.points[i]] = pp.params[i];
      for (std::size_t j = 0; j < plan.lanes; ++j)
        r.links[pp.points[i] * plan.lanes + j] = {pp.batch.links[i * plan.lanes + j],
                                                  pp.reports[i * plan.lanes + j]};
    }
  };
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    PreparedPoints pp = prepare_points(plan, b, plan.batch_points[b]);
    r.batches.push_back(pp.batch);
    r.batch_points.emplace_back();
    r.batch_lanes.emplace_back();
    for (const std::size_t p : pp.points)
      for (std::size_t j = 0; j < plan.lanes; ++j) {
        r.batch_points.back().push_back(p);
        r.batch_lanes.back().push_back(j);
      }
    keep(std::move(pp));
  }
  if (!plan.unlocked_points.empty()) {
    // Their links are set up too (their reports say why they are not run).
    SweepPlan unlocked = plan;
    unlocked.batches.assign(1, BatchSetup{});
    keep(prepare_points(unlocked, 0, plan.unlocked_points));
  }
  return r;
}

// The KP4 figures of a point (physics/fec.hpp): the Monte-Carlo codeword error ratio from the
// error positions, and beside it what independent random bit errors at the measured BER would
// give, P(X > t) for X ~ Bin(544, 1 - (1 - BER)^10) (with the inner code, BER is what it leaves;
// its residual errors come in blocks, so the random estimate is then a lower bound of sorts).
// The frame loss ratio takes a frame of F bits to straddle 1 + (F - 1) / 5140 codewords'
// messages on average and codeword failures as independent: FLR = 1 - (1 - CER)^(1 + (F - 1) /
// 5140) (bursts that cross codewords make it an estimate).
namespace {
void set_fec_figures(const LinkCounters& c, const LinkReport& rep, PointResult& p) {
  const FecCounters& f = c.fec;
  p.fec_codewords = f.codewords;
  p.fec_symbol_error_histogram.assign(f.histogram, f.histogram + kFecHistogramBins);
  p.fec_codeword_errors = 0;
  for (int e = kRsCorrectableSymbols + 1; e < kFecHistogramBins; ++e)
    p.fec_codeword_errors += f.histogram[e];
  p.fec_codeword_error_ratio =
      f.codewords ? static_cast<double>(p.fec_codeword_errors) / static_cast<double>(f.codewords)
                  : 0.0;
  const Interval ci = clopper_pearson(p.fec_codeword_errors, f.codewords, 0.95);
  p.fec_cer_lo = ci.lo;
  p.fec_cer_hi = ci.hi;
  // The RS code sees the inner code's residual errors when there is one.
  double rs_ber = p.ber;
  if (f.inner_message_bits > 0) {
    p.fec_inner_ber =
        static_cast<double>(f.inner_residual_errors) / static_cast<double>(f.inner_message_bits);
    rs_ber = p.fec_inner_ber;
  }
  const double symbol_error = -std::expm1(kRsSymbolBits * std::log1p(-rs_ber));
  p.fec_codeword_error_ratio_random =
      binomial_survival(kRsCorrectableSymbols, kRsCodewordSymbols, symbol_error);
  const double message_bits = static_cast<double>(kRsMessageSymbols * kRsSymbolBits);
  const double straddled = 1.0 + (rep.fec_frame_bits - 1.0) / message_bits;
  p.fec_frame_loss_ratio = -std::expm1(straddled * std::log1p(-p.fec_codeword_error_ratio));
}
}  // namespace

PointResult point_result(const LinkOutcome& o, const LinkReport& rep) {
  PointResult p;
  p.bits = o.counters.bits;
  p.bit_errors = o.counters.bit_errors;
  p.symbols = o.counters.symbols;
  p.symbol_errors = o.counters.symbol_errors;
  p.ber = p.bits ? static_cast<double>(p.bit_errors) / static_cast<double>(p.bits) : 0.0;
  p.ser = p.symbols ? static_cast<double>(p.symbol_errors) / static_cast<double>(p.symbols) : 0.0;
  const Interval ci = clopper_pearson(p.bit_errors, p.bits, 0.95);
  p.ber_lo = ci.lo;
  p.ber_hi = ci.hi;
  p.stop_reason = static_cast<StopReason>(o.counters.stop_reason);
  p.eye_histogram = o.eye_histogram;
  p.error_bursts.assign(o.counters.bursts, o.counters.bursts + kBurstBins);
  set_fec_figures(o.counters, rep, p);
  p.eye_offset_a = rep.eye_offset_a;
  p.eye_scale_a = rep.eye_scale_a;
  p.com_db = rep.com_db;
  if (rep.samples_per_ui > 0) {
    const int phase_bins = 2 * rep.samples_per_ui;
    const int amplitude_bins = static_cast<int>(o.eye_histogram.size()) / phase_bins;
    // An empty or all-zero histogram (no eye, the statistical mode) leaves the measured NaN.
    const EyeMetrics e = eye_metrics(rep, rep.levels, rep.eye_target_ber, o.eye_histogram,
                                     amplitude_bins, phase_bins, BatchSetup{}.eye_amplitude_range);
    p.oma_outer_dbm = e.oma_outer_dbm;
    p.average_power_dbm = e.average_power_dbm;
    p.extinction_ratio_db = e.extinction_ratio_db;
    p.rlm = e.rlm;
    p.snr_db = e.snr_db;
    p.eye_height_a = e.eye_height_a;  // the statistical eye's, in stat mode, replace these
    p.eye_width_ui = e.eye_width_ui;
  }
  if (o.stat.valid) {
    p.ber = o.stat.ber;
    p.ser = o.stat.ser;
    p.ber_lo = p.ber_hi = std::numeric_limits<double>::quiet_NaN();
    p.bathtub_ber = o.stat.bathtub_ber;
    p.eye_height_a = o.stat.eye_height_a;
    p.eye_width_ui = o.stat.eye_width_ui;
    p.eye_contour_a = o.stat.contour_a;
  }
  p.cdr_phase_ui = o.cdr_phase_ui;
  p.cdr_jitter_rms_ui = o.cdr_jitter_rms_ui;
  p.mrm_fsr_nm = rep.ring.fsr_m * 1e9;
  p.mrm_q_loaded = rep.ring.q_loaded;
  p.mrm_extinction_ratio_db = rep.extinction_ratio_db;
  p.heater_power_mw = rep.heater_power_w * 1e3;
  p.mrm_lock = rep.lock;
  if (o.thermal.enabled) {
    p.heater_power_mw = o.thermal.heater_power_w * 1e3;
    p.mrm_lock = o.thermal.locked ? LockStatus::locked : LockStatus::not_acquired;
    p.mrm_lock_error_pm = o.thermal.lock_error_m * 1e12;
  }
  p.lane_wavelength_nm = rep.lane_wavelength_m * 1e9;
  p.wdm_bus_loss_db = rep.bus_through_db;
  p.wdm_crosstalk_db = rep.demux_crosstalk_db;
  const EnergyFigures e = energy_figures(rep.energy, p.heater_power_mw * 1e-3);
  p.energy_laser_pj_per_bit = e.laser_pj_per_bit;
  p.energy_modulator_pj_per_bit = e.modulator_pj_per_bit;
  p.energy_heater_pj_per_bit = e.heater_pj_per_bit;
  p.energy_driver_pj_per_bit = e.driver_pj_per_bit;
  p.energy_tia_pj_per_bit = e.tia_pj_per_bit;
  p.energy_cdr_pj_per_bit = e.cdr_pj_per_bit;
  p.energy_serdes_pj_per_bit = e.serdes_pj_per_bit;
  p.energy_pj_per_bit = e.total_pj_per_bit;
  p.lane_power_mw = e.lane_power_mw;
  p.port_power_w = e.port_power_w;
  p.port_rate_gbps = e.port_rate_gbps;
  return p;
}

namespace {

// A point's links and reports, set up again (host/lane_setup.hpp is deterministic per point).
std::vector<PreparedLink> point_links(const SweepPlan& plan, std::size_t p) {
  return prepare_point(plan.scenario, p, lane_params(plan.scenario, p), plan.run);
}

// The links of the first points of batch b, at most `links` of them (whole points).
PreparedPoints first_points(const SweepPlan& plan, std::size_t b, std::size_t links) {
  const std::vector<std::size_t>& all = plan.batch_points[b];
  const std::size_t n = std::clamp<std::size_t>(links / plan.lanes, 1, all.size());
  return prepare_points(plan, b, std::vector<std::size_t>(all.begin(), all.begin() + n));
}

// Links per unit of work on the backend: what one prepare-run-write round holds at once.
// CPU (statistical eyes on one thread per unit; the Monte-Carlo engine streams point by point
// instead): 64 links, a few tens of ms of eyes, written in one go, small against a sweep. GPU:
// the statistical eye's launches of 4096 links four at a time; the engine as many links as fit in
// half the free memory of the device, shared by its workers (the engine's buffers per link,
// doubled for cuFFT's work areas).
std::size_t unit_links(const SweepPlan& plan, const BatchSetup& settings,
                       const BackendChoice& backend, int workers_per_device) {
  std::size_t links = 0;
  if (backend.kind == BackendKind::cpu) {
    links = 64;
  } else if (plan.run.mode == "stat") {
    links = 4 * 4096;
  } else {
    std::size_t free = std::numeric_limits<std::size_t>::max();
    for (const int d : backend.devices) free = std::min(free, cuda_free_memory_bytes(d));
    const std::size_t per_link = 2 * engine_bytes_per_link(settings);
    links = std::clamp<std::size_t>(
        free / 2 / static_cast<std::size_t>(workers_per_device) / per_link, 1, 65536);
  }
  return std::max<std::size_t>(1, links / plan.lanes) * plan.lanes;  // whole points
}

}  // namespace

void print_validation(const SweepPlan& plan, const std::string& backend_request, int threads_option,
                      std::ostream& out) {
  const std::size_t P = plan.points;
  const BackendChoice backend = choose_backend(backend_request, threads_option);
  const int threads = thread_count(threads_option);
  std::uint64_t max_bits = 0;
  std::size_t peak_bytes = 0;
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    const BatchSetup& batch = plan.batches[b];
    const std::size_t links = plan.batch_points[b].size() * plan.lanes;
    max_bits += batch.max_bits * links;
    // CPU: one engine per link (per bus on a WDM run) on each thread.
    const std::size_t per_engine = batch.bus_lanes > 0 ? batch.bus_lanes : 1;
    peak_bytes = std::max(peak_bytes, engine_bytes_per_link(batch) *
                                          std::min<std::size_t>(links, threads * per_engine));
  }
  out << "scenario " << plan.scenario.path << ": valid\n";
  out << "  points " << P << ", batches " << plan.batches.size() << ", at most " << max_bits
      << " bits (stop at " << plan.run.target_errors << " bit errors per point)\n";
  if (!plan.scenario.grid.empty()) {
    out << "  grid:";
    for (std::size_t i = 0; i < plan.scenario.grid.size(); ++i)
      out << (i ? " x " : " ") << plan.scenario.grid[i].key << " ("
          << plan.scenario.grid[i].values.size() << ")";
    if (plan.scenario.draws_per_grid_point > 0)
      out << ", " << plan.scenario.draws_per_grid_point << " draws at each grid point";
    out << "\n";
  }
  if (plan.lanes > 1) {
    const LaneParams& lp = plan.first_point;
    const std::vector<PreparedLink> lanes = point_links(plan, 0);
    out << "  WDM bus: " << plan.lanes << " lanes at " << format_number(lp.wdm.spacing_hz / 1e9, 5)
        << " GHz, " << (lp.wdm.demux_ring ? "drop-ring" : "ideal") << " demultiplexer; point 0:\n";
    for (std::size_t j = 0; j < plan.lanes; ++j) {
      const LinkReport& rep = lanes[j].report;
      out << "    lane " << j << ": " << format_number(rep.lane_wavelength_m * 1e9, 7)
          << " nm, bus loss from the other rings " << format_number(rep.bus_through_db, 3)
          << " dB, crosstalk " << format_number(rep.demux_crosstalk_db, 3) << " dB";
      if (rep.lock != LockStatus::not_modelled)
        out << ", heater " << format_number(rep.heater_power_w * 1e3, 4) << " mW";
      out << "\n";
    }
  }
  for (std::size_t p = 0; p < std::min<std::size_t>(P, 8); ++p) {
    if (p == 7 && P > 8) {
      out << "  ... (" << P - 7 << " more points)\n";
      break;
    }
    const std::vector<PreparedLink> lanes = point_links(plan, p);
    const LinkReport& rep = lanes.front().report;
    out << "  point " << p << ": ring FSR " << format_number(rep.ring.fsr_m * 1e9, 5)
        << " nm, loaded Q " << format_number(rep.ring.q_loaded, 5) << ", notch "
        << format_number(rep.ring.notch_depth_db, 4) << " dB, ER "
        << format_number(rep.extinction_ratio_db, 4) << " dB, noise bandwidth "
        << format_number(rep.noise_bandwidth_hz / 1e9, 4) << " GHz, shift "
        << format_number(rep.shift_pm_per_v, 4) << " pm/V";
    if (rep.junction_capacitance_f > 0.0)
      out << ", junction C " << format_number(rep.junction_capacitance_f * 1e15, 4) << " fF, RC "
          << format_number(rep.junction_rc_hz / 1e9, 4) << " GHz at the bias, V_bi "
          << format_number(rep.builtin_voltage_v, 3) << " V";
    if (rep.lock != LockStatus::not_modelled)
      out << "\n    thermal: heater " << format_number(rep.heater_power_w * 1e3, 4) << " mW"
          << (rep.heater_wrapped ? " (wrapped to the next order)" : "")
          << ", self-heating loop gain " << format_number(rep.self_heating_gain, 3) << ": "
          << (rep.lock == LockStatus::locked                 ? "locks"
              : rep.lock == LockStatus::beyond_heater_budget ? "BEYOND THE HEATER BUDGET"
                                                             : "THERMALLY UNSTABLE on this flank");
    out << "\n";
  }
  if (!plan.unlocked_points.empty())
    out << "  " << plan.unlocked_points.size() << " of " << P
        << " points will not be simulated: their ring's thermal lock fails\n";
  out << "  backend: " << backend.description << "\n";
  if (plan.batches.empty()) return;
  // Memory: this process's peak so far (every point set up once and checked, a few kept), which
  // `lightlane run` holds with its engines; points are set up again a unit at a time.
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const double checked_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  const BatchSetup& b0 = plan.batches.front();
  const std::size_t batch0_links = plan.batch_points.front().size() * plan.lanes;
  const double devices = static_cast<double>(std::max<std::size_t>(1, backend.devices.size()));
  if (plan.run.mode == "stat") {
    // Time: the statistical eyes of a unit of the first batch's first link on the backend.
    const std::size_t n =
        backend.kind == BackendKind::cpu ? 1 : std::min<std::size_t>(batch0_links, 4096);
    const PreparedPoints pp = first_points(plan, 0, plan.lanes);
    const std::vector<StatEyeInputs> inputs(
        n, stat_eye_inputs(pp.batch.links.front(), pp.reports.front(), plan.run.eye_target_ber));
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<StatEye> eyes =
        statistical_eyes(backend, inputs, plan.run.eye_contour_bers, 1,
                         backend.devices.empty() ? 0 : backend.devices.front());
    const double per_eye =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
        static_cast<double>(n);
    const double parallel = backend.kind == BackendKind::cpu ? threads : devices;
    out << "  time: " << format_number(per_eye * 1e3, 3) << " ms per statistical eye ("
        << (backend.kind == BackendKind::cpu ? "one thread" : std::to_string(n) + " in a launch")
        << ", point " << pp.points.front() << (eyes.front().valid ? "" : ", no pulse")
        << "); about " << format_number(per_eye * static_cast<double>(P * plan.lanes) / parallel, 3)
        << " s in all\n";
  } else if (backend.kind == BackendKind::cpu) {
    // Time: the first batch's first point on one CPU thread, two rates: while the eye histogram
    // fills (eye.symbols: every sample gets its noise, several times the work per symbol) and
    // after (noise at the decisions only). Each from up to 64 chunks or 0.2 s after a warm-up
    // chunk: one chunk after one warm-up, the first estimate, overstated a 10,000-point sweep's
    // time five times, all of it inside the eye.
    PreparedPoints pp = first_points(plan, 0, plan.lanes);
    pp.batch.max_bits = pp.batch.target_errors = ~0ull;  // the timing never stops the engine
    const std::int64_t chunk = b0.chunk_symbols;
    auto symbols_per_s = [&](std::int64_t eye_symbols, int most_chunks) {
      BatchSetup b = pp.batch;
      b.eye_symbols = eye_symbols;
      SerialExec exec;
      LaneEngine<SerialExec, float> engine(exec, b);
      engine.step();
      const auto t0 = std::chrono::steady_clock::now();
      int chunks = 0;
      double seconds = 0.0;
      while (chunks < most_chunks && seconds < 0.2) {
        engine.step();
        ++chunks;
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      }
      return static_cast<double>(chunk) * chunks * plan.lanes / seconds;
    };
    const double bits_per_symbol = symbol_mapping(b0.levels).bits_per_symbol();
    const double link_symbols = static_cast<double>(b0.max_bits) / bits_per_symbol;
    const double eye_symbols = std::min(static_cast<double>(b0.eye_symbols), link_symbols);
    const int eye_chunks = static_cast<int>(eye_symbols / static_cast<double>(chunk)) - 1;
    const double eye_rate =
        eye_chunks > 0 ? symbols_per_s(b0.eye_symbols, std::min(eye_chunks, 64)) : 1.0;
    const double rate = symbols_per_s(0, 64);
    const double link_seconds =
        (eye_chunks > 0 ? eye_symbols / eye_rate : 0.0) + (link_symbols - eye_symbols) / rate;
    const double links = static_cast<double>(max_bits) / static_cast<double>(b0.max_bits);
    out << "  time: " << format_number(rate / 1e6, 3) << " Msymbol/s per thread here";
    if (eye_chunks > 0)
      out << " (" << format_number(eye_rate / 1e6, 3) << " over the eye's first " << b0.eye_symbols
          << " symbols)";
    // One engine per point (a bus's lanes share one): no more threads busy than points.
    const double busy = std::min(static_cast<double>(threads), links / plan.lanes);
    out << "; at most " << format_number(link_seconds * links / busy, 3) << " s on " << threads
        << " threads (less when points stop at their target errors)\n";
    out << "  memory: about " << format_number(static_cast<double>(peak_bytes) / (1 << 20), 3)
        << " MiB of engine buffers (chunk " << b0.chunk_symbols
        << " symbols; independent of the bit count)\n";
  } else {
    // Time: one chunk of a unit of the first batch's links on the first device.
    const std::size_t unit = unit_links(plan, b0, backend, 2);
    const PreparedPoints pp = first_points(plan, 0, std::min(unit, batch0_links));
    const double seconds = cuda_seconds_per_chunk(pp.batch, backend.devices.front());
    const double symbols_per_s = static_cast<double>(b0.chunk_symbols) *
                                 static_cast<double>(pp.batch.links.size()) / seconds;
    const double total_symbols =
        static_cast<double>(max_bits) / symbol_mapping(b0.levels).bits_per_symbol();
    out << "  time: " << format_number(symbols_per_s / 1e6, 3) << " Msymbol/s on device "
        << backend.devices.front() << " with " << pp.batch.links.size()
        << " links in an engine (units of " << unit << "); at most "
        << format_number(total_symbols / symbols_per_s / devices, 3) << " s on "
        << backend.devices.size() << " device(s)\n";
    out << "  memory: about "
        << format_number(static_cast<double>(2 * unit * engine_bytes_per_link(b0)) / (1 << 20), 4)
        << " MiB per device (two workers' engines of " << unit << " links)\n";
  }
  out << "  memory: " << format_number(checked_mib, 3)
      << " MiB peak so far (the plan keeps about 16 bytes per point; each unit of points is set "
         "up when it runs)\n";
}

namespace {
int run_points(const SweepPlan& plan, const std::vector<bool>& skip, const OutputLayout& layout,
               const BackendChoice& backend, std::unique_ptr<Hdf5Writer> writer,
               std::size_t points, std::size_t done, const std::string& output_path,
               const RunOptions& options, std::ostream& out, std::ostream& err);
}  // namespace

bool parse_shard(const std::string& text, RunOptions& options, std::string& error) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used_k = 0, used_n = 0;
    const std::string k_text = text.substr(0, slash), n_text = text.substr(slash + 1);
    const long k = std::stol(k_text, &used_k), n = std::stol(n_text, &used_n);
    if (used_k != k_text.size() || used_n != n_text.size()) throw std::invalid_argument("junk");
    if (n < 1 || n > 1000000 || k < 0 || k >= n) {
      error = "--shard " + text + ": expected k/N with 0 <= k < N (N at most 1e6)";
      return false;
    }
    options.shard = static_cast<int>(k);
    options.shards = static_cast<int>(n);
    return true;
  } catch (const std::exception&) {
    error = "--shard " + text + ": expected k/N, e.g. 0/4 (the first of four shards)";
    return false;
  }
}

std::string shard_from_environment(const std::function<const char*(const char*)>& getenv) {
  auto value = [&](const char* name) -> std::string {
    const char* v = getenv(name);
    return v ? std::string(v) : std::string();
  };
  const std::string task = value("SLURM_ARRAY_TASK_ID"), count = value("SLURM_ARRAY_TASK_COUNT");
  if (!task.empty() && !count.empty()) {
    const std::string min = value("SLURM_ARRAY_TASK_MIN");
    try {
      const long k = std::stol(task) - (min.empty() ? 0 : std::stol(min));
      return std::to_string(k) + "/" + count;
    } catch (const std::exception&) {
      return task + "/" + count;  // parse_shard says what is wrong with it
    }
  }
  for (const auto& [rank, size] : {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                   std::pair{"PMI_RANK", "PMI_SIZE"}}) {
    if (!value(rank).empty() && !value(size).empty()) return value(rank) + "/" + value(size);
  }
  return "";
}

std::string shard_output_path(const std::string& path, int shard, int shards) {
  if (shards <= 1) return path;
  const std::filesystem::path p(path);
  const std::string tag = ".shard-" + std::to_string(shard) + "-of-" + std::to_string(shards);
  return (p.parent_path() / (p.stem().string() + tag + p.extension().string())).string();
}

std::vector<std::string> run_input_files(const Scenario& s) {
  std::vector<std::string> files{s.path};
  const std::string channel = channel_file_path(s, lane_params(s, 0));
  if (!channel.empty()) files.push_back(channel);
  return files;
}

void check_run_output(const Scenario& s, const RunOptions& options) {
  check_output_path(shard_output_path(options.output_path, options.shard, options.shards),
                    run_input_files(s),
                    options.resume      ? ExistingOutput::resume
                    : options.overwrite ? ExistingOutput::overwrite
                                        : ExistingOutput::refuse,
                    "--output");
}

int execute_run(const SweepPlan& plan, const RunOptions& options, std::ostream& out,
                std::ostream& err) {
  const BackendChoice backend = choose_backend(options.backend, options.threads, options.devices);
  if (!backend.note.empty()) err << "lightlane: " << backend.note << "\n";
  err << "lightlane: backend " << backend.description << "\n";

  const std::size_t P = plan.points;
  OutputLayout layout;
  layout.points = P;
  layout.lanes = plan.first_point.wdm.channels > 0 ? plan.lanes : 0;
  for (const SweepAxis& a : plan.scenario.sweep) {
    layout.swept.push_back({a.key, units_of(a.key), a.values, {}});
    for (const SweepAxis& g : plan.scenario.grid)
      if (g.key == a.key) layout.swept.back().axis = g.values;
  }
  layout.draws = plan.scenario.draws_per_grid_point;
  const int spu = plan.first_point.samples_per_ui;
  const int amp_bins = plan.run.eye_amplitude_bins;
  const double range = BatchSetup{}.eye_amplitude_range;
  for (int a = 0; a < amp_bins; ++a)
    layout.eye_amplitude.push_back(-range + (a + 0.5) * 2.0 * range / amp_bins);
  for (int p = 0; p < 2 * spu; ++p)
    layout.eye_phase_ui.push_back(static_cast<double>(p - spu) / spu);
  for (int p = 0; p < spu; ++p)
    layout.bathtub_phase_ui.push_back(static_cast<double>(p - spu / 2) / spu);
  if (plan.run.mode == "stat") {
    layout.contour_ber = plan.run.eye_contour_bers;
    layout.eye_edges = 2 * (plan.first_point.levels - 1);
  }
  layout.scenario_text = plan.scenario.text;
  layout.scenario_path = plan.scenario.path;
  layout.version = LIGHTLANE_VERSION;
  layout.git_revision = LIGHTLANE_GIT_REVISION;
  layout.backend = backend.description;

  for (const std::string& o : plan.scenario.overrides) layout.scenario_overrides += o + "\n";
  if (options.shards > 1)
    layout.shard = std::to_string(options.shard) + "/" + std::to_string(options.shards);
  const std::string output_path =
      shard_output_path(options.output_path, options.shard, options.shards);

  // --resume on an existing file: its finished points stay, the others run (their noise is keyed
  // by point and sample, so they count what an uninterrupted run would have).
  const bool resuming = options.resume && std::filesystem::exists(output_path);
  // A resumed file is opened now (its finished points decide what runs); a new one when the first
  // point is written (SweepOutput), so that a run failing before leaves no file.
  std::unique_ptr<Hdf5Writer> writer;
  if (resuming) {
    try {
      writer = std::make_unique<Hdf5Writer>(output_path, layout, Hdf5Writer::Mode::resume);
    } catch (const std::invalid_argument& e) {
      throw OutputPathError(e.what());  // another run's file: bad input
    }
  }
  // The points this process leaves alone: another shard's, and those a resumed file has.
  std::vector<bool> skip(P, false);
  std::size_t mine = P, done = 0;
  if (options.shards > 1) {
    for (std::size_t p = 0; p < P; ++p)
      skip[p] =
          p % static_cast<std::size_t>(options.shards) != static_cast<std::size_t>(options.shard);
    mine = static_cast<std::size_t>(std::count(skip.begin(), skip.end(), false));
    err << "lightlane: shard " << layout.shard << ": " << mine << " of " << P << " points, into "
        << output_path << "\n";
  }
  if (resuming) {
    const std::vector<bool> finished = writer->finished_points();
    for (std::size_t p = 0; p < P; ++p)
      if (finished[p] && !skip[p]) {
        skip[p] = true;
        ++done;
      }
    err << "lightlane: resuming " << output_path << ": " << done << " of " << mine
        << " points finished, " << (mine - done) << " to run\n";
  } else if (options.resume) {
    err << "lightlane: --resume: " << output_path << " does not exist; starting it\n";
  }
  return run_points(plan, skip, layout, backend, std::move(writer), mine, done, output_path,
                    options, out, err);
}


std::vector<double> point_tdecq_db(const SweepPlan& plan, const BatchSetup& settings,
                                   std::span<const LinkSetup> links, const LinkReport* reports,
                                   const LaneParams& lp) {
  const std::size_t lanes = links.size();
  std::vector<double> out(lanes, std::numeric_limits<double>::quiet_NaN());
  if (plan.run.tdecq_symbols == 0 || (settings.levels != 2 && settings.levels != 4)) return out;
  BatchSetup one = settings;
  one.links.assign(links.begin(), links.end());
  std::vector<double> responsivity(lanes), dark(lanes);
  for (std::size_t j = 0; j < lanes; ++j) {
    responsivity[j] = reports[j].responsivity_a_per_w;
    dark[j] = reports[j].dark_current_a;
  }
  const std::vector<std::vector<double>> power =
      received_optical_power(one, 0, lanes, plan.run.tdecq_symbols, responsivity, dark);
  for (std::size_t j = 0; j < lanes; ++j) {
    TdecqSettings s;
    s.levels = settings.levels;
    s.samples_per_ui = settings.samples_per_ui;
    s.symbol_rate_hz = lp.symbol_rate_hz;
    s.ffe_taps = plan.run.tdecq_ffe_taps;
    s.rin_db_per_hz = lp.laser_rin_db_per_hz;
    // OMA outer from the settled outer levels (what the SSPRQ's long runs measure), P_avg
    // their mean (a balanced pattern's).
    const SettledOpticalLevels settled = settled_optical_levels(reports[j], settings.levels);
    s.average_power_w = settled.average_power_w;
    out[j] = tdecq(power[j], settled.oma_outer_w, s).tdecq_db;
  }
  return out;
}

namespace {

// Every set-up point's TDECQ, points in parallel.
std::vector<double> points_tdecq_db(const SweepPlan& plan, const PreparedPoints& pp, int threads) {
  const std::size_t lanes = plan.lanes, n = pp.points.size();
  std::vector<double> out(n * lanes, std::numeric_limits<double>::quiet_NaN());
  if (plan.run.tdecq_symbols == 0) return out;
  parallel_for(n, threads, [&](std::size_t i) {
    const std::vector<double> t =
        point_tdecq_db(plan, pp.batch, std::span(pp.batch.links).subspan(i * lanes, lanes),
                       pp.reports.data() + i * lanes, pp.params[i]);
    std::copy(t.begin(), t.end(), out.begin() + i * lanes);
  });
  return out;
}

// What a run prints and writes as its links finish: each link's summary row, each point's data
// once all its lanes are in (written and flushed: a killed run keeps every finished point), the
// live progress (host/progress.hpp). Not thread-safe but for progress(): the caller serialises the
// other calls.
class SweepOutput {
 public:
  // `writer`: the resumed file, or null: the file is created when the first point is written.
  // `chunk_counts`: the engines report each chunk's counts to progress() (the CPU's Monte
  // Carlo); else a link's counts reach the progress when it finishes.
  SweepOutput(const SweepPlan& plan, const OutputLayout& layout, const std::string& output_path,
              std::unique_ptr<Hdf5Writer> writer, std::size_t points, std::size_t done,
              bool chunk_counts, std::ostream& out, std::ostream& err)
      : plan_(plan),
        layout_(layout),
        output_path_(output_path),
        bus_(layout.lanes > 0),
        com_(plan.first_point.channel.model != ChannelModel::none),
        writer_(std::move(writer)),
        points_(points),
        done_(done),
        done_before_(done),
        chunk_counts_(chunk_counts),
        out_(out),
        err_(err),
        progress_(err, isatty(STDERR_FILENO) != 0, points, done, plan.run.max_bits,
                  plan.run.target_errors) {
    out_ << std::left << std::setw(6) << "point";
    for (const SweepAxis& a : plan_.scenario.sweep) out_ << std::setw(key_width(a)) << a.key;
    if (bus_) out_ << std::setw(6) << "lane";
    out_ << std::setw(11) << "ber" << std::setw(24) << "95% interval" << std::setw(12) << "errors"
         << std::setw(14) << "bits" << std::setw(15) << "stop";
    // COM judges the host electrical channel alone with the 802.3dj reference receiver: beside
    // the lane's BER, and said so, since a channel can pass it while the lane fails.
    if (com_) out_ << std::setw(10) << "ER dB" << "host-channel COM dB (802.3dj ref. receiver)";
    else out_ << "ER dB";
    out_ << "\n";
  }

  // A point whose ring cannot be locked: its figures, no simulation.
  void not_simulated(std::size_t p, const std::vector<PreparedLink>& lanes) {
    const LinkOutcome none;  // no eye: zeros in the file
    std::vector<PointResult> results;
    for (std::size_t j = 0; j < lanes.size(); ++j) {
      const LinkReport& rep = lanes[j].report;
      results.push_back(point_result(none, rep));
      row_start(p, j);
      out_ << "not simulated: "
           << (rep.lock == LockStatus::beyond_heater_budget ? "beyond the heater budget"
               : rep.lock == LockStatus::thermally_unstable ? "thermally unstable"
                                                            : "another ring of the bus cannot lock")
           << " (heater " << format_number(rep.heater_power_w * 1e3, 4) << " mW)\n";
    }
    ready_.emplace(p, std::move(results));
    write_ready();
  }

  void link_finished(std::size_t p, std::size_t lane, const LinkOutcome& outcome,
                     const LinkReport& report, double tdecq_db) {
    PointResult r = point_result(outcome, report);
    r.tdecq_db = tdecq_db;
    bits_done_ += r.bits;
    if (!chunk_counts_) progress_.counted(r.bits, r.bit_errors);
    row_start(p, lane);
    out_ << std::setw(11) << format_number(r.ber, 3) << std::setw(24)
         << ("[" + format_number(r.ber_lo, 3) + ", " + format_number(r.ber_hi, 3) + "]")
         << std::setw(12) << r.bit_errors << std::setw(14) << r.bits << std::setw(15)
         << stop_name(outcome.counters.stop_reason);
    if (com_)
      out_ << std::setw(10) << format_number(r.mrm_extinction_ratio_db, 4)
           << format_number(r.com_db, 3);
    else
      out_ << format_number(r.mrm_extinction_ratio_db, 4);
    out_ << "\n";
    out_.flush();
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
    const double elapsed = seconds_since(t0_);
    err_ << "lightlane: " << points_ << " points, " << bits_done_ << " bits in "
         << format_number(elapsed, 3) << " s; wrote " << output_path_ << " ("
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
    err_ << "lightlane: the run stopped after " << done_ - done_before_ << " points; "
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
  void row_start(std::size_t p, std::size_t lane) {
    out_ << std::left << std::setw(6) << p;
    for (const SweepAxis& a : plan_.scenario.sweep)
      out_ << std::setw(key_width(a)) << format_number(a.values[p], 6);
    if (bus_) out_ << std::setw(6) << lane;
  }
  // Points first .. first + n - 1, their lanes' results point-major. A file this run created
  // that fails before it holds a point is removed: a failed run leaves no file of nothing.
  void write(std::size_t first, const std::vector<PointResult>& results) {
    const auto start = std::chrono::steady_clock::now();
    const bool first_write = !writer_;
    try {
      writer().write_points(first, results);
    } catch (...) {
      if (first_write) {
        writer_.reset();
        std::error_code ignored;
        std::filesystem::remove(output_path_, ignored);
      }
      throw;
    }
    write_seconds_ += seconds_since(start);
    for (std::size_t i = 0; i < results.size(); i += plan_.lanes) {
      std::uint64_t bits = 0;
      for (std::size_t j = 0; j < plan_.lanes; ++j) bits += results[i + j].bits;
      ++done_;
      progress_.point_finished(bits);
    }
  }

  Hdf5Writer& writer() {
    if (!writer_) {
      try {
        writer_ = std::make_unique<Hdf5Writer>(output_path_, layout_, Hdf5Writer::Mode::create);
      } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(output_path_, ignored);  // half a layout: no file
        throw;
      }
    }
    return *writer_;
  }

  const SweepPlan& plan_;
  const OutputLayout& layout_;
  const std::string output_path_;
  const bool bus_;
  const bool com_;  // a host channel: its COM beside the BER
  std::unique_ptr<Hdf5Writer> writer_;
  const std::size_t points_;        // this process's (a shard's)
  std::size_t done_, done_before_;  // finished; of them, in an earlier run (--resume)
  const bool chunk_counts_;
  std::ostream& out_;
  std::ostream& err_;
  const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::uint64_t bits_done_ = 0;
  double write_seconds_ = 0.0;  // the orchestration's main cost; reported at the end
  std::atomic<double> setup_seconds_{0.0};
  std::map<std::size_t, std::vector<PointResult>> pending_;  // points with lanes still running
  std::map<std::size_t, std::vector<PointResult>> ready_;    // whole points not yet written
  bool hold_ = false;
  RunProgress progress_;  // last: its reporter thread starts once the rest is in place
};

// The Monte-Carlo engine of batch b's points on the CPU: each point is set up by the thread that
// runs it, so a thread holds one point's links at a time and no unit ends with idle threads.
void run_batch_streamed_cpu(const SweepPlan& plan, std::size_t b,
                            const std::vector<std::size_t>& points, int threads,
                            SweepOutput& output) {
  struct SetUp {
    std::vector<LinkReport> reports;
    std::vector<double> tdecq_db;
    std::size_t finished_lanes = 0;
  };
  std::mutex mutex;  // guards set_up (the threads' sources add, the done calls remove)
  std::unordered_map<std::size_t, SetUp> set_up;
  const BatchSetup& settings = plan.batches[b];
  auto source = [&](std::size_t g) {
    const std::size_t p = points[g];
    const auto start = std::chrono::steady_clock::now();
    const LaneParams lp = lane_params(plan.scenario, p);
    std::vector<PreparedLink> links = prepare_point(plan.scenario, p, lp, plan.run);
    output.add_setup_seconds(SweepOutput::seconds_since(start));
    SetUp s;
    std::vector<LinkSetup> setups;
    for (PreparedLink& l : links) {
      setups.push_back(std::move(l.setup));
      s.reports.push_back(std::move(l.report));
    }
    s.tdecq_db = point_tdecq_db(plan, settings, setups, s.reports.data(), lp);
    const std::lock_guard<std::mutex> lock(mutex);
    set_up[p] = std::move(s);
    return setups;
  };
  auto done = [&](std::size_t l, const LinkOutcome& outcome) {
    const std::size_t p = points[l / plan.lanes], lane = l % plan.lanes;
    SetUp* s = nullptr;
    {
      const std::lock_guard<std::mutex> lock(mutex);
      s = &set_up.at(p);  // a node: stays put while other threads add theirs
    }
    output.link_finished(p, lane, outcome, s->reports[lane], s->tdecq_db[lane]);
    if (++s->finished_lanes == plan.lanes) {
      const std::lock_guard<std::mutex> lock(mutex);
      set_up.erase(p);
    }
  };
  run_groups_cpu(settings, points.size(), source, threads, done,
                 [&output](std::uint64_t bits, std::uint64_t errors) {
                   output.progress().counted(bits, errors);
                 });
}

}  // namespace

void run_workers(std::size_t units, std::size_t workers,
                 const std::function<void(std::size_t, std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto worker = [&](std::size_t w) {
    try {
      for (std::size_t u; !failed && (u = next++) < units;) work(u, w);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  if (workers <= 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t w = 0; w < workers; ++w) pool.emplace_back(worker, w);
    for (std::thread& t : pool) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
}

namespace {

// Batch b's points in units (unit_links): each unit set up on the host, run on the backend (the
// statistical eyes, or on the GPU the engine), written in one go (a write per run of consecutive
// points, one flush). On the GPU two workers per device take units, so that one's set-up,
// transfers and writing overlap the other's kernels; on the CPU one worker per thread, each unit
// on its own thread, so that one writes while the others compute (the writer is serial HDF5).
void run_batch_units(const SweepPlan& plan, std::size_t b, const std::vector<std::size_t>& points,
                     const BackendChoice& backend, int threads, std::size_t max_unit_links,
                     SweepOutput& output) {
  constexpr std::size_t kWorkersPerDevice = 2;
  const bool gpu = backend.kind == BackendKind::cuda;
  const std::size_t workers =
      gpu ? kWorkersPerDevice * backend.devices.size() : static_cast<std::size_t>(threads);
  // Host threads per worker for the set-up (and on the CPU the statistical eyes).
  const int host_threads = std::max(1, threads / static_cast<int>(workers));
  std::size_t links =
      unit_links(plan, plan.batches[b], backend, static_cast<int>(kWorkersPerDevice));
  if (max_unit_links > 0) links = std::min(links, max_unit_links);
  const std::size_t unit_points = std::max<std::size_t>(1, links / plan.lanes);
  const std::size_t units = (points.size() + unit_points - 1) / unit_points;
  std::mutex output_mutex;
  output.hold_points(true);
  run_workers(units, workers, [&](std::size_t u, std::size_t w) {
    const int device = gpu ? backend.devices[w / kWorkersPerDevice] : 0;
    const std::size_t first = u * unit_points;
    const std::vector<std::size_t> unit(
        points.begin() + first, points.begin() + std::min(points.size(), first + unit_points));
    const auto start = std::chrono::steady_clock::now();
    PreparedPoints pp = prepare_points(plan, b, unit, host_threads);
    output.add_setup_seconds(SweepOutput::seconds_since(start) * host_threads);
    const std::vector<double> tdecq_db = points_tdecq_db(plan, pp, host_threads);
    std::vector<LinkOutcome> outcomes;
    if (plan.run.mode == "stat") {
      // The statistical eye of every link instead of the engine: the inputs on the host, the
      // eyes on the backend; each point is then written as a Monte-Carlo point would be.
      const std::size_t n = pp.batch.links.size();
      std::vector<StatEyeInputs> inputs(n);
      parallel_for(n, host_threads, [&](std::size_t i) {
        inputs[i] = stat_eye_inputs(pp.batch.links[i], pp.reports[i], plan.run.eye_target_ber);
      });
      std::vector<StatEye> eyes =
          statistical_eyes(backend, inputs, plan.run.eye_contour_bers, host_threads, device);
      outcomes.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        outcomes[i].stat = std::move(eyes[i]);
        outcomes[i].counters.stop_reason = static_cast<std::uint8_t>(StopReason::statistical);
      }
    } else {
      outcomes = run_batch(backend, pp.batch, host_threads, {}, device);
    }
    const std::lock_guard<std::mutex> lock(output_mutex);
    for (std::size_t l = 0; l < outcomes.size(); ++l)
      output.link_finished(pp.points[l / plan.lanes], l % plan.lanes, outcomes[l], pp.reports[l],
                           tdecq_db[l]);
    output.write_ready();
  });
  output.hold_points(false);
}

void run_all_points(const SweepPlan& plan, const std::vector<bool>& skip,
                    const BackendChoice& backend, const RunOptions& options, SweepOutput& output);

// Whether the points run on the CPU's streamed Monte Carlo (each set up by the thread that runs
// it, its chunks' counts reported as they come), else in units (the statistical eye, the GPU).
bool streamed_on_cpu(const SweepPlan& plan, const BackendChoice& backend) {
  return plan.run.mode != "stat" && backend.kind == BackendKind::cpu;
}

int run_points(const SweepPlan& plan, const std::vector<bool>& skip, const OutputLayout& layout,
               const BackendChoice& backend, std::unique_ptr<Hdf5Writer> writer,
               std::size_t points, std::size_t done, const std::string& output_path,
               const RunOptions& options, std::ostream& out, std::ostream& err) {
  SweepOutput output(plan, layout, output_path, std::move(writer), points, done,
                     streamed_on_cpu(plan, backend), out, err);
  try {
    run_all_points(plan, skip, backend, options, output);
  } catch (const Hdf5FileError&) {
    output.interrupted(true);
    throw;
  } catch (...) {
    // Whatever else failed, the points written stay in the file, flushed: say how to finish them.
    output.interrupted(false);
    throw;
  }
  output.finish();
  return 0;
}

void run_all_points(const SweepPlan& plan, const std::vector<bool>& skip,
                    const BackendChoice& backend, const RunOptions& options, SweepOutput& output) {
  for (const std::size_t p : plan.unlocked_points)
    if (!skip[p]) output.not_simulated(p, point_links(plan, p));
  const int threads = thread_count(options.threads);
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    std::vector<std::size_t> todo;
    for (const std::size_t p : plan.batch_points[b])
      if (!skip[p]) todo.push_back(p);
    if (todo.empty()) continue;
    if (streamed_on_cpu(plan, backend))
      run_batch_streamed_cpu(plan, b, todo, threads, output);
    else
      run_batch_units(plan, b, todo, backend, threads, options.max_unit_links, output);
  }
}

}  // namespace
}  // namespace ll
