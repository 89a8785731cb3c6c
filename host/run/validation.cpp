// `lightlane validate`: the plan's sizes, the first points' set-up figures, and the time and
// memory a run will take on the chosen backend, measured on a chunk (or an eye) of the first
// batch; nothing written.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>

#include "kernels/cpu/cpu_exec.hpp"
#include "kernels/cpu/parallel.hpp"
#include "host/run/runner.hpp"
#include "host/link/stat_eye.hpp"

namespace ll {
namespace {

// The links of the first points of batch b, at most `links` of them (whole points).
PreparedPoints first_points(const SweepPlan& plan, std::size_t b, std::size_t links) {
  const std::vector<std::size_t>& all = plan.batch_points[b];
  const std::size_t n = std::clamp<std::size_t>(links / plan.lanes, 1, all.size());
  return prepare_points(plan, b, std::vector<std::size_t>(all.begin(), all.begin() + n));
}

}  // namespace

void print_validation(const SweepPlan& plan, const std::string& backend_request, int threads_option,
                      std::ostream& out, ValidationEstimate* estimate) {
  ValidationEstimate ignored;
  ValidationEstimate& e = estimate ? *estimate : ignored;
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
  e.max_bits = max_bits;
  out << "scenario " << plan.scenario.path << ": valid\n";
  out << "  points " << P << ", batches " << plan.batches.size() << ", at most " << max_bits
      << " bits (stop at " << plan.run.target_errors << " bit errors per point)\n";
  // Each batch's lane as the engine will run it (the first few batches).
  if (plan.run.mode == "mc")
    for (std::size_t b = 0; b < std::min<std::size_t>(plan.batches.size(), 4); ++b)
      out << "  batch " << b << " (" << plan.batch_points[b].size()
          << " points): " << describe_stages(lane_stages(plan.batches[b])) << "\n";
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
    if (plan.first_point.modulator == Modulator::microled)
      out << "  point " << p << ": micro-LED, bandwidth "
          << format_number(rep.microled_bandwidth_hz / 1e9, 4) << " GHz at the bias, ER "
          << format_number(rep.extinction_ratio_db, 4) << " dB, noise bandwidth "
          << format_number(rep.noise_bandwidth_hz / 1e9, 4) << " GHz";
    else if (plan.first_point.modulator == Modulator::none)
      out << "  point " << p << ": electrical lane, channel loss "
          << format_number(rep.channel_loss_db, 4) << " dB at Nyquist, cursor "
          << format_number(rep.received_levels_a[lanes.front().setup.constants.levels - 1] *
                               kTerminationOhm * 1e3,
                           4)
          << " mV top level at the sampler, noise bandwidth " << format_number(rep.noise_bandwidth_hz / 1e9, 4)
          << " GHz";
    else if (plan.first_point.modulator == Modulator::eml)
      out << "  point " << p << ": EML, ER " << format_number(rep.extinction_ratio_db, 4)
          << " dB, noise bandwidth " << format_number(rep.noise_bandwidth_hz / 1e9, 4) << " GHz";
    else if (std::isfinite(rep.mzm_vpi_v))
      out << "  point " << p << ": MZM V_pi " << format_number(rep.mzm_vpi_v, 4) << " V, ER "
          << format_number(rep.extinction_ratio_db, 4) << " dB, noise bandwidth "
          << format_number(rep.noise_bandwidth_hz / 1e9, 4) << " GHz";
    else
      out << "  point " << p << ": ring FSR " << format_number(rep.ring.fsr_m * 1e9, 5)
          << " nm, loaded Q " << format_number(rep.ring.q_loaded, 5) << ", notch "
          << format_number(rep.ring.notch_depth_db, 4) << " dB, ER "
          << format_number(rep.extinction_ratio_db, 4) << " dB, noise bandwidth "
          << format_number(rep.noise_bandwidth_hz / 1e9, 4) << " GHz, shift "
          << format_number(rep.shift_pm_per_v, 4) << " pm/V";
    if (std::isfinite(rep.mpi_crosstalk_db))
      out << ", MPI crosstalk " << format_number(rep.mpi_crosstalk_db, 4) << " dB";
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
    const ChannelFigures& ch = rep.channel;
    if (std::isfinite(ch.il_nyquist_db)) {
      auto db = [](double v) { return std::isfinite(v) ? format_number(v, 4) : std::string("-"); };
      out << "\n    channel: IL " << db(ch.il_half_nyquist_db) << " / " << db(ch.il_nyquist_db)
          << " / " << db(ch.il_symbol_rate_db) << " dB at f_b/4, f_b/2, f_b";
      if (std::isfinite(ch.ild_rms_db)) out << ", ILD " << db(ch.ild_rms_db) << " dB rms";
      if (std::isfinite(ch.return_loss_min_db))
        out << ", return loss >= " << db(ch.return_loss_min_db) << " dB to f_b/2";
      if (std::isfinite(ch.delay_s)) out << ", delay " << db(ch.delay_s * 1e12) << " ps";
      out << "; its 1-UI pulse: cursor " << format_number(ch.pulse_cursor, 3) << ", pre "
          << format_number(ch.pulse_pre1, 3) << ", post " << format_number(ch.pulse_post1, 3)
          << " of a long run's level";
    }
    if (std::isfinite(rep.com_db) || std::isfinite(rep.com_reference_db)) {
      out << "\n    COM:";
      if (std::isfinite(rep.com_reference_db))
        out << " " << format_number(rep.com_reference_db, 4) << " dB with " << plan.first_point.channel.com_set
            << "'s reference receiver (com_reference_db);";
      if (std::isfinite(rep.com_db))
        out << " " << format_number(rep.com_db, 4)
            << " dB behind the lane's transmit FFE with an MMSE receiver (com_db)";
    }
    out << "\n";
  }
  for (const std::string& w : plan.warnings) out << "  warning: " << w << "\n";
  if (!plan.unlocked_points.empty())
    out << "  " << plan.unlocked_points.size() << " of " << P
        << " points will not be simulated: their ring's thermal lock fails\n";
  // The margin (host/link/margin.hpp): what each point will report beside its BER.
  if (plan.run.margin)
    out << "  margin: per point at BER " << format_number(plan.run.margin_target_ber, 3)
        << (plan.lanes > 1 ? ", each lane's from Monte-Carlo counts of the bus"
            : plan.first_point.modulator == Modulator::microled
                ? ", from Monte-Carlo counts (the statistical eye does not model a micro-LED)"
            : plan.run.mode == "mc"
                ? ", the statistical eye's root confirmed by a Monte-Carlo count"
                : ", the statistical eye's root")
        << "\n";
  else
    out << "  margin: not computed (margin.compute = false"
        << (plan.run.mode == "stat" ? "; opt-in in the statistical mode)\n" : ")\n");
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
    e.eye_seconds = per_eye;
    e.seconds = per_eye * static_cast<double>(P * plan.lanes) / parallel;
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
    e.symbols_per_s = rate;
    e.seconds = link_seconds * links / busy;
    e.engine_bytes = static_cast<double>(peak_bytes);
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
    e.symbols_per_s = symbols_per_s;
    e.seconds = total_symbols / symbols_per_s / devices;
    e.engine_bytes = static_cast<double>(2 * unit * engine_bytes_per_link(b0));
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

}  // namespace ll
