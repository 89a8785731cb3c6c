#include "host/runner.hpp"

#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <tuple>

#include "build_info.hpp"
#include "host/cpu_backend.hpp"
#include "host/energy.hpp"
#include "host/eye_metrics.hpp"
#include "host/hdf5_writer.hpp"
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

PreparedRun prepare_run(const Scenario& s) {
  PreparedRun r;
  r.scenario = s;
  r.run = run_params(s);
  const std::size_t P = s.points();
  r.params.reserve(P);
  for (std::size_t p = 0; p < P; ++p) {
    r.params.push_back(lane_params(s, p));
    if (r.run.mode == "stat") {
      const std::string missing = stat_eye_unsupported(r.params.back());
      if (!missing.empty())
        fail_key(s, "run.mode",
                 "\"stat\": the statistical eye does not model " + missing + " yet; use \"mc\"");
    }
    std::vector<PreparedLink> lanes = prepare_point(s, p, r.params.back(), r.run);
    if (p == 0) {
      r.lanes = lanes.size();
      r.links.reserve(P * r.lanes);
    } else if (lanes.size() != r.lanes) {
      fail_key(s, "wdm.channels",
               "sweeping it would change the lane dimension; expected one value for the whole "
               "run");
    }
    for (PreparedLink& l : lanes) r.links.push_back(std::move(l));
  }
  // Points with the same stage topology run as one batch.
  std::map<StageTopology, std::size_t> batch_of;
  for (std::size_t p = 0; p < P; ++p) {
    const LaneParams& lp = r.params[p];
    const PreparedLink& link = r.links[p * r.lanes];
    bool locked = true;
    for (std::size_t j = 0; j < r.lanes; ++j) {
      const LockStatus lock = r.links[p * r.lanes + j].report.lock;
      locked = locked && lock != LockStatus::beyond_heater_budget &&
               lock != LockStatus::thermally_unstable;
    }
    if (!locked) {
      r.unlocked_points.push_back(p);
      continue;
    }
    const StageTopology key{lp.samples_per_ui,
                            lp.levels,
                            static_cast<int>(lp.pattern),
                            !link.setup.h1_taps.empty(),
                            !link.setup.h2_taps.empty(),
                            lp.ring_dynamic,
                            lp.eo_junction,
                            lp.wdm.channels,
                            lp.rx_eq.enabled(),
                            lp.tx_jitter.present(),
                            lp.cdr.mode != 0};
    auto it = batch_of.find(key);
    if (it == batch_of.end()) {
      it = batch_of.emplace(key, r.batches.size()).first;
      BatchSetup b;
      b.pattern = lp.pattern;
      b.levels = lp.levels;
      b.samples_per_ui = lp.samples_per_ui;
      b.chunk_symbols = r.run.chunk_symbols;
      b.has_h1 = key.has_h1;
      b.has_h2 = key.has_h2;
      b.ring_dynamic = key.ring_dynamic;
      b.eo_junction = key.eo_junction;
      b.target_errors = r.run.target_errors;
      b.max_bits = r.run.max_bits;
      b.eye_symbols = r.run.eye_symbols;
      b.eye_amplitude_bins = r.run.eye_amplitude_bins;
      b.bus_lanes = key.bus_lanes;
      b.rx_equalizer = key.rx_equalizer;
      b.tx_jitter = key.tx_jitter;
      b.cdr = key.cdr;
      r.batches.push_back(b);
      r.batch_points.emplace_back();
      r.batch_lanes.emplace_back();
    }
    for (std::size_t j = 0; j < r.lanes; ++j) {
      r.batches[it->second].links.push_back(r.links[p * r.lanes + j].setup);
      r.batch_points[it->second].push_back(p);
      r.batch_lanes[it->second].push_back(j);
    }
  }
  // Every point shares the eye's phase axis (2 x samples_per_ui bins); a sweep of
  // samples_per_ui would not.
  for (const BatchSetup& b : r.batches)
    if (b.samples_per_ui != r.batches.front().samples_per_ui)
      fail_key(s, "signal.samples_per_ui",
               "sweeping it would give eyes of different phase axes; expected one value for the "
               "whole run");
  for (std::size_t b = 0; b < r.batches.size(); ++b) {
    BatchSetup& batch = r.batches[b];
    batch.overlap_history = overlap_save_history(batch);
    const std::size_t chunk_samples =
        static_cast<std::size_t>(batch.chunk_symbols) * batch.samples_per_ui;
    if (chunk_samples % overlap_save_valid(batch) != 0)
      fail_key(s, "run.chunk_symbols",
               "the filters' impulse responses need blocks of " +
                   std::to_string(overlap_save_valid(batch)) +
                   " samples; expected a chunk whose samples are a multiple of that, got " +
                   std::to_string(chunk_samples) + " samples");
    for (const LinkSetup& l : batch.links)
      if (l.constants.delay_symbols + 1 > batch.chunk_symbols)
        fail_key(s, "run.chunk_symbols", "the chain delays a symbol by more than a chunk");
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

void print_validation(const PreparedRun& run, std::ostream& out) {
  const std::size_t P = run.params.size();
  std::uint64_t max_bits = 0;
  std::size_t peak_bytes = 0;
  const int threads = omp_get_max_threads();
  for (const BatchSetup& b : run.batches) {
    max_bits += b.max_bits * b.links.size();
    // One engine per link (per bus on a WDM run) on each thread.
    const std::size_t per_engine = b.bus_lanes > 0 ? b.bus_lanes : 1;
    peak_bytes =
        std::max(peak_bytes, engine_bytes_per_link(b) *
                                 std::min<std::size_t>(b.links.size(), threads * per_engine));
  }
  out << "scenario " << run.scenario.path << ": valid\n";
  out << "  points " << P << ", batches " << run.batches.size() << ", at most " << max_bits
      << " bits (stop at " << run.run.target_errors << " bit errors per point)\n";
  if (run.lanes > 1) {
    const LaneParams& lp = run.params.front();
    out << "  WDM bus: " << run.lanes << " lanes at " << format_number(lp.wdm.spacing_hz / 1e9, 5)
        << " GHz, " << (lp.wdm.demux_ring ? "drop-ring" : "ideal") << " demultiplexer; point 0:\n";
    for (std::size_t j = 0; j < run.lanes; ++j) {
      const LinkReport& rep = run.links[j].report;
      out << "    lane " << j << ": " << format_number(rep.lane_wavelength_m * 1e9, 7)
          << " nm, bus loss from the other rings " << format_number(rep.bus_through_db, 3)
          << " dB, crosstalk " << format_number(rep.demux_crosstalk_db, 3) << " dB";
      if (rep.lock != LockStatus::not_modelled)
        out << ", heater " << format_number(rep.heater_power_w * 1e3, 4) << " mW";
      out << "\n";
    }
  }
  for (std::size_t p = 0; p < std::min<std::size_t>(P, 8); ++p) {
    const LinkReport& rep = run.links[p * run.lanes].report;
    if (p == 7 && P > 8) {
      out << "  ... (" << P - 7 << " more points)\n";
      break;
    }
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
  if (!run.unlocked_points.empty())
    out << "  " << run.unlocked_points.size() << " of " << P
        << " points will not be simulated: their ring's thermal lock fails\n";
  // The prepared points' memory: this process's peak so far (it has set up every point and run
  // nothing), which `lightlane run` holds on top of its engines.
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const double prepared_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  out << "  memory: " << format_number(prepared_mib, 3) << " MiB for the " << P
      << " prepared points (this process's peak; it grows with the points)\n";
  if (run.batches.empty()) return;
  if (run.run.mode == "stat") {
    // Time: one statistical eye of the first point on this CPU.
    const std::size_t p0 = run.batch_points.front().front();
    const auto t0 = std::chrono::steady_clock::now();
    const StatEye eye = statistical_eye(run.batches.front().links.front(), run.links[p0].report,
                                        run.run.eye_target_ber, run.run.eye_contour_bers);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out << "  cpu: " << format_number(seconds * 1e3, 3) << " ms per statistical eye here (point "
        << p0 << (eye.valid ? "" : ", no pulse") << "); about "
        << format_number(seconds * static_cast<double>(P * run.lanes) / threads, 3) << " s on "
        << threads << " threads\n";
    return;
  }
  // Time: calibrate on one chunk of the first batch's first link on this CPU.
  const BatchSetup& b0 = run.batches.front();
  BatchSetup one = b0;
  one.links.assign(b0.links.begin(), b0.links.begin() + run.lanes);  // one point (a whole bus)
  SerialExec exec;
  LaneEngine<SerialExec, float> engine(exec, one);
  engine.step();
  const auto t0 = std::chrono::steady_clock::now();
  engine.step();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double symbols_per_s = static_cast<double>(b0.chunk_symbols) * run.lanes / seconds;
  const double total_symbols =
      static_cast<double>(max_bits) / symbol_mapping(b0.levels).bits_per_symbol();
  out << "  cpu: " << format_number(symbols_per_s / 1e6, 3)
      << " Msymbol/s per thread here; at most "
      << format_number(total_symbols / symbols_per_s / threads, 3) << " s on " << threads
      << " threads (less when points stop at their target errors)\n";
  out << "  memory: about " << format_number(static_cast<double>(peak_bytes) / (1 << 20), 3)
      << " MiB of engine buffers (chunk " << b0.chunk_symbols
      << " symbols; independent of the bit count)\n";
}

namespace {

// The links of a batch this process runs: the batch (or the part of it not skipped), and each
// link's point and lane.
struct BatchPart {
  const BatchSetup* batch;
  std::vector<std::size_t> points, lanes;
};

// TDECQ (PAM4) or TDEC (NRZ) of every link of a batch part, on the CPU in parallel: each link
// (each bus, on a WDM batch) runs tdecq.symbols UI of noiseless waveform through the
// double-precision engine. NaN for other orders and with tdecq.symbols = 0.
std::vector<double> batch_tdecq_db(const PreparedRun& run, const BatchPart& part, int threads) {
  const BatchSetup& batch = *part.batch;
  const std::size_t n = batch.links.size();
  std::vector<double> out(n, std::numeric_limits<double>::quiet_NaN());
  if (run.run.tdecq_symbols == 0 || (batch.levels != 2 && batch.levels != 4)) return out;
  const std::size_t group = batch.bus_lanes > 0 ? static_cast<std::size_t>(batch.bus_lanes) : 1;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (std::size_t g = 0; g < n / group; ++g) {
    std::vector<double> responsivity(group), dark(group);
    std::vector<const LinkReport*> reports(group);
    for (std::size_t j = 0; j < group; ++j) {
      const std::size_t i = g * group + j;
      reports[j] = &run.links[part.points[i] * run.lanes + part.lanes[i]].report;
      responsivity[j] = reports[j]->responsivity_a_per_w;
      dark[j] = reports[j]->dark_current_a;
    }
    const std::vector<std::vector<double>> power =
        received_optical_power(batch, g * group, group, run.run.tdecq_symbols, responsivity, dark);
    for (std::size_t j = 0; j < group; ++j) {
      const LinkReport& rep = *reports[j];
      const LaneParams& lp = run.params[part.points[g * group + j]];
      TdecqSettings s;
      s.levels = batch.levels;
      s.samples_per_ui = batch.samples_per_ui;
      s.symbol_rate_hz = lp.symbol_rate_hz;
      s.ffe_taps = run.run.tdecq_ffe_taps;
      s.rin_db_per_hz = lp.laser_rin_db_per_hz;
      // OMA outer from the settled outer levels (what the SSPRQ's long runs measure), P_avg
      // their mean (a balanced pattern's).
      const SettledOpticalLevels settled = settled_optical_levels(rep, batch.levels);
      s.average_power_w = settled.average_power_w;
      out[g * group + j] = tdecq(power[j], settled.oma_outer_w, s).tdecq_db;
    }
  }
  return out;
}

// The links of batch b whose points are not skipped (another shard's, or finished in a resumed
// file). A batch that runs whole is used as it is; otherwise `storage` receives the copy with
// only those links (one batch at a time: the run itself is never copied).
BatchPart batch_part(const PreparedRun& run, std::size_t b, const std::vector<bool>& skip,
                     BatchSetup& storage) {
  const BatchSetup& batch = run.batches[b];
  BatchPart part{&batch, {}, {}};
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < batch.links.size(); ++i) {
    if (skip[run.batch_points[b][i]]) continue;
    kept.push_back(i);
    part.points.push_back(run.batch_points[b][i]);
    part.lanes.push_back(run.batch_lanes[b][i]);
  }
  if (kept.size() == batch.links.size()) return part;
  storage = batch;
  storage.links.clear();
  for (const std::size_t i : kept) storage.links.push_back(batch.links[i]);
  part.batch = &storage;
  return part;
}

int run_points(const PreparedRun& run, const std::vector<bool>& skip, const OutputLayout& layout,
               const BackendChoice& backend, Hdf5Writer& writer, std::size_t points,
               std::size_t done, const std::string& output_path, const RunOptions& options,
               std::ostream& out, std::ostream& err);

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

int execute_run(const PreparedRun& run, const RunOptions& options, std::ostream& out,
                std::ostream& err) {
  const BackendChoice backend = choose_backend(options.backend, options.threads);
  if (!backend.note.empty()) err << "lightlane: " << backend.note << "\n";
  err << "lightlane: backend " << backend.description << "\n";

  const std::size_t P = run.params.size();
  OutputLayout layout;
  layout.points = P;
  layout.lanes = run.params.front().wdm.channels > 0 ? run.lanes : 0;
  for (const SweepAxis& a : run.scenario.sweep) {
    layout.swept.push_back({a.key, units_of(a.key), a.values, {}});
    for (const SweepAxis& g : run.scenario.grid)
      if (g.key == a.key) layout.swept.back().axis = g.values;
  }
  const int spu = run.params.front().samples_per_ui;
  const int amp_bins = run.run.eye_amplitude_bins;
  const double range = BatchSetup{}.eye_amplitude_range;
  for (int a = 0; a < amp_bins; ++a)
    layout.eye_amplitude.push_back(-range + (a + 0.5) * 2.0 * range / amp_bins);
  for (int p = 0; p < 2 * spu; ++p)
    layout.eye_phase_ui.push_back(static_cast<double>(p - spu) / spu);
  for (int p = 0; p < spu; ++p)
    layout.bathtub_phase_ui.push_back(static_cast<double>(p - spu / 2) / spu);
  if (run.run.mode == "stat") {
    layout.contour_ber = run.run.eye_contour_bers;
    layout.eye_edges = 2 * (run.params.front().levels - 1);
  }
  layout.scenario_text = run.scenario.text;
  layout.scenario_path = run.scenario.path;
  layout.version = LIGHTLANE_VERSION;
  layout.git_revision = LIGHTLANE_GIT_REVISION;
  layout.backend = backend.description;

  for (const std::string& o : run.scenario.overrides) layout.scenario_overrides += o + "\n";
  if (options.shards > 1)
    layout.shard = std::to_string(options.shard) + "/" + std::to_string(options.shards);
  const std::string output_path =
      shard_output_path(options.output_path, options.shard, options.shards);

  // --resume on an existing file: its finished points stay, the others run (their noise is keyed
  // by point and sample, so they count what an uninterrupted run would have).
  const bool resuming = options.resume && std::filesystem::exists(output_path);
  Hdf5Writer writer(output_path, layout,
                    resuming ? Hdf5Writer::Mode::resume : Hdf5Writer::Mode::create);
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
    const std::vector<bool> finished = writer.finished_points();
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
  return run_points(run, skip, layout, backend, writer, mine, done, output_path, options, out, err);
}

namespace {

int run_points(const PreparedRun& run, const std::vector<bool>& skip, const OutputLayout& layout,
               const BackendChoice& backend, Hdf5Writer& writer, std::size_t points,
               std::size_t done, const std::string& output_path, const RunOptions& options,
               std::ostream& out, std::ostream& err) {
  const std::size_t P = points;  // this process's (a shard's)
  const int spu = run.params.front().samples_per_ui;
  const int amp_bins = run.run.eye_amplitude_bins;
  const bool live = isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t done_before = done;  // finished in an earlier run (--resume)
  std::uint64_t bits_done = 0;
  // Time spent writing the file (the orchestration's main cost; reported at the end).
  double write_seconds = 0.0;
  auto write_points = [&](std::size_t p, const std::vector<PointResult>& lanes) {
    const auto start = std::chrono::steady_clock::now();
    writer.write_points(p, lanes);
    write_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // Summary table: one row per point (per lane on a bus), as it finishes.
  const bool bus = layout.lanes > 0;
  out << std::left << std::setw(6) << "point";
  // Each swept key's column is as wide as its name (at least 22).
  auto key_width = [](const SweepAxis& a) {
    return static_cast<int>(std::max<std::size_t>(22, a.key.size() + 2));
  };
  for (const SweepAxis& a : run.scenario.sweep) out << std::setw(key_width(a)) << a.key;
  if (bus) out << std::setw(6) << "lane";
  out << std::setw(11) << "ber" << std::setw(24) << "95% interval" << std::setw(12) << "errors"
      << std::setw(14) << "bits" << std::setw(15) << "stop"
      << "ER dB\n";

  // Points whose ring cannot be locked: their figures, no simulation.
  // A summary row starts with the point and its swept values.
  auto row_start = [&](std::size_t p, std::size_t lane) {
    out << std::left << std::setw(6) << p;
    for (const SweepAxis& a : run.scenario.sweep)
      out << std::setw(key_width(a)) << format_number(a.values[p], 6);
    if (bus) out << std::setw(6) << lane;
  };
  for (const std::size_t p : run.unlocked_points) {
    if (skip[p]) continue;
    LinkOutcome none;
    none.eye_histogram.assign(static_cast<std::size_t>(amp_bins) * 2 * spu, 0u);
    std::vector<PointResult> lanes;
    for (std::size_t j = 0; j < run.lanes; ++j) {
      const LinkReport& rep = run.links[p * run.lanes + j].report;
      lanes.push_back(point_result(none, rep));
      row_start(p, j);
      out << "not simulated: "
          << (rep.lock == LockStatus::beyond_heater_budget ? "beyond the heater budget"
              : rep.lock == LockStatus::thermally_unstable ? "thermally unstable"
                                                           : "another ring of the bus cannot lock")
          << " (heater " << format_number(rep.heater_power_w * 1e3, 4) << " mW)\n";
    }
    write_points(p, lanes);
    ++done;
  }
  // A point is written when all its lanes are in.
  std::map<std::size_t, std::vector<PointResult>> pending;
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  BatchSetup part_storage;  // a batch's links to run, when some of them are skipped
  for (std::size_t b = 0; b < run.batches.size(); ++b) {
    const BatchPart part = batch_part(run, b, skip, part_storage);
    if (part.points.empty()) continue;
    const BatchSetup& batch = *part.batch;
    const std::vector<double> tdecq_db = batch_tdecq_db(run, part, threads);
    // Each point is written, flushed and printed the moment its link (bus) finishes, so a
    // killed run keeps every finished point.
    auto finished = [&](std::size_t i, const LinkOutcome& outcome) {
      const std::size_t p = part.points[i];
      const std::size_t lane = part.lanes[i];
      PointResult r = point_result(outcome, run.links[p * run.lanes + lane].report);
      r.tdecq_db = tdecq_db[i];
      std::vector<PointResult>& lanes = pending[p];
      if (lanes.empty()) lanes.resize(run.lanes);
      lanes[lane] = r;
      bits_done += r.bits;
      if (std::all_of(lanes.begin(), lanes.end(),
                      [](const PointResult& x) { return x.stop_reason != StopReason::not_run; })) {
        write_points(p, lanes);
        pending.erase(p);
        ++done;
      }
      row_start(p, lane);
      out << std::setw(11) << format_number(r.ber, 3) << std::setw(24)
          << ("[" + format_number(r.ber_lo, 3) + ", " + format_number(r.ber_hi, 3) + "]")
          << std::setw(12) << r.bit_errors << std::setw(14) << r.bits << std::setw(15)
          << stop_name(outcome.counters.stop_reason) << format_number(r.mrm_extinction_ratio_db, 4)
          << "\n";
      out.flush();
      if (live) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double eta = elapsed / static_cast<double>(done - done_before) * (P - done);
        err << "\r" << done << "/" << P << " points, "
            << format_number(bits_done / elapsed / 1e9, 3) << " Gbit/s simulated, ETA "
            << format_number(eta, 3) << " s   " << std::flush;
      }
    };
    if (run.run.mode != "stat") {
      run_batch(backend, batch, options.threads, finished);
      continue;
    }
    // The statistical eye of every link instead of the engine: each link's inputs on the host
    // in parallel, the eyes on the backend; then each point is written as a Monte-Carlo point
    // would be.
    const std::size_t n = batch.links.size();
    std::vector<StatEyeInputs> inputs(n);
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (std::size_t i = 0; i < n; ++i) {
      const LinkReport& rep = run.links[part.points[i] * run.lanes + part.lanes[i]].report;
      inputs[i] = stat_eye_inputs(batch.links[i], rep, run.run.eye_target_ber);
    }
    std::vector<StatEye> eyes =
        statistical_eyes(backend, inputs, run.run.eye_contour_bers, threads);
    for (std::size_t i = 0; i < n; ++i) {
      LinkOutcome outcome;
      outcome.stat = std::move(eyes[i]);
      outcome.counters.stop_reason = static_cast<std::uint8_t>(StopReason::statistical);
      outcome.eye_histogram.assign(static_cast<std::size_t>(amp_bins) * 2 * spu, 0u);
      finished(i, outcome);
    }
  }
  if (live) err << "\n";
  writer.close();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  err << "lightlane: " << P << " points, " << bits_done << " bits in " << format_number(elapsed, 3)
      << " s; wrote " << output_path << " (" << format_number(write_seconds, 3)
      << " s of it writing the file)\n";
  return 0;
}

}  // namespace
}  // namespace ll
