#include "host/link/lane_setup.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>

#include "host/link/channel.hpp"
#include "host/link/com.hpp"
#include "host/link/energy.hpp"
#include "host/link/equalizer.hpp"
#include "host/link/filter_design.hpp"
#include "host/link/touchstone.hpp"
#include "physics/receiver_noise.hpp"
#include "physics/ring_dynamics.hpp"

namespace ll {
namespace {

constexpr double kMaxOpticalLossDb = 100.0;  // the whole optical path's, ring to photodiode

// The fabricated ring: a resonance offset (process variation) enters as the effective-index
// change n_g d_lambda / lambda that moves the cold resonance by d_lambda.
RingGeometry geometry(const LaneParams& lp) {
  const double n_eff =
      lp.ring_n_eff + lp.ring_n_g * lp.ring_resonance_offset_m / lp.laser_wavelength_m;
  return {lp.ring_radius_m,     n_eff, lp.ring_n_g, lp.ring_power_coupling, lp.ring_loss_db_per_m,
          lp.laser_wavelength_m};
}

RingModulator<double> modulator(const LaneParams& lp, const RingFigures& f) {
  return RingModulator<double>::make(f.a, f.r, 2.0 * kPi * f.round_trip_m * lp.ring_n_g,
                                     lp.laser_wavelength_m, lp.ring_detuning_m,
                                     lp.ring_shift_m_per_v);
}

double photocurrent_per_transmission(const LaneParams& lp) {
  return lp.laser_power_w * std::pow(10.0, -lp.optical_loss_db() / 10.0) * lp.responsivity_a_per_w;
}

// Drive voltage of each level index. `optical` spacing inverts T(V) by bisection so that the
// received power levels are equally spaced between those of the outer drive voltages.
template <class Transmission>
std::vector<double> drive_levels(const LaneParams& lp, const Transmission& transmission,
                                 const Scenario& s) {
  const int M = lp.levels;
  const double v_lo = lp.drive_bias_v - 0.5 * lp.drive_swing_vpp;
  const double v_hi = lp.drive_bias_v + 0.5 * lp.drive_swing_vpp;
  std::vector<double> v(M);
  for (int k = 0; k < M; ++k) v[k] = v_lo + (v_hi - v_lo) * k / (M - 1);
  if (lp.level_spacing == LevelSpacing::voltage || M == 2) return v;
  const double t_lo = transmission(v_lo), t_hi = transmission(v_hi);
  // T must be monotonic over the swing for the inverse to exist; sample it densely.
  const int n = 4096;
  double prev = t_lo;
  for (int i = 1; i <= n; ++i) {
    const double t = transmission(v_lo + (v_hi - v_lo) * i / n);
    if ((t - prev) * (t_hi - t_lo) < 0.0)
      fail_key(s, "driver.level_spacing",
               "\"optical\" needs the ring's transmission to be monotonic over the drive swing; it "
               "turns at " +
                   format_number(v_lo + (v_hi - v_lo) * i / n, 4) +
                   " V (move mrm.detuning_pm or reduce driver.swing_vpp)");
    prev = t;
  }
  for (int k = 1; k < M - 1; ++k) {
    const double target = t_lo + (t_hi - t_lo) * k / (M - 1);
    double a = v_lo, b = v_hi;
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (a + b);
      const bool below = (transmission(mid) - target) * (t_hi - t_lo) < 0.0;
      (below ? a : b) = mid;
    }
    v[k] = 0.5 * (a + b);
  }
  return v;
}

// The steady-state thermal lock: the heater holds the ring's resonance at 0 V (hot, with
// self-heating at the mean transmission of the PAM levels) on lambda_L - detuning, wrapping to
// the next order when cheaper (physics/thermal.hpp). The lock holds the flank only while the
// self-heating loop gain G = s R_th f P |dT/dlambda| stays below 1.
template <class Transmission>
void thermal_lock(const Scenario& s, const LaneParams& lp, const std::vector<double>& levels,
                  const Transmission& transmission, LinkReport& rep) {
  const ThermalParams& p = lp.thermal;
  const char* keys[] = {"mrm.thermal.max_heater_power_mw",
                        "mrm.thermal.thermal_resistance_k_per_mw",
                        "mrm.thermal.thermo_optic_pm_per_k"};
  const double values[] = {p.max_heater_power_w, p.thermal_resistance_k_per_w,
                           p.thermo_optic_shift_m_per_k};
  for (int i = 0; i < 3; ++i)
    if (!std::isfinite(values[i]))
      fail_key(s, keys[i], "missing; [mrm.thermal] needs its keys in full");
  double t_mean = 0.0;
  for (int k = 0; k < lp.levels; ++k)
    t_mean += level_probability(lp.levels, k) * transmission(levels[k]);
  const double offset_m = (lp.laser_wavelength_m - lp.ring_detuning_m) - rep.ring.resonance_m;
  const HeaterSetting h =
      heater_setting_for_lock(p, offset_m, rep.ring.fsr_m, lp.laser_power_w, t_mean);
  rep.heater_power_w = h.power_w;
  rep.heater_wrapped = h.wrapped;
  // |dT/dlambda_res| at the bias: dT/dV over dshift/dV (both models move the resonance
  // monotonically with V). For the linear model dshift/dV is the pm/V figure.
  const double bias = lp.drive_bias_v, dv = 1e-3;
  const double dt_dv = (transmission(bias + dv) - transmission(bias - dv)) / (2.0 * dv);
  const double dshift_dv = rep.shift_pm_per_v * 1e-12;
  const double slope_per_m = std::abs(dt_dv / dshift_dv);
  rep.self_heating_gain = p.thermo_optic_shift_m_per_k * p.thermal_resistance_k_per_w *
                          p.absorbed_fraction * lp.laser_power_w * slope_per_m;
  if (!h.fits)
    rep.lock = LockStatus::beyond_heater_budget;
  else if (rep.self_heating_gain >= 1.0)
    rep.lock = LockStatus::thermally_unstable;
  else
    rep.lock = LockStatus::locked;
}

// The mean through-port transmission a monitor photodiode reads at the designed operating point
// while data flows: the ensemble mean over independent levels (each with its probability,
// level_probability: equal but for PAM6, whose pairs are taken as independent) of the static T(V)
// of the drive through the driver's bandwidth, v = sum_m V(level_m) p[m spu + j], over every
// phase j of the UI. The waveform's mean, not the mean of the static levels: the edges spend
// time between levels, where T(V) is not linear, and the lock would settle a few pm off. Not a
// stretch of the pattern either: 16k symbols of PRBS31Q scatter the mean by 3% of itself at
// the default point. Exact (every level sequence of the pulse's span) up to kMonitorSequences
// sequences, sampled beyond. The dynamic ring's photon lifetime is left out of this target: it
// filters the optical field over a fraction of a UI, a second-order change to the mean power.
constexpr std::uint64_t kMonitorSequences = 1u << 16;

double monitor_mean_transmission(const LaneParams& lp, const LinkSetup& link,
                                 const LinkConstants<double>& c) {
  const int spu = lp.samples_per_ui;
  const int M = c.levels;
  const int span = drive_pulse_symbols(link.h1_taps, spu);
  const std::vector<double> pulse = drive_pulse(link.h1_taps, spu, span);
  std::uint64_t combos = 1;
  bool exact = true;
  for (int m = 0; m < span && exact; ++m) {
    combos *= static_cast<std::uint64_t>(M);
    exact = combos <= kMonitorSequences;
  }
  const std::uint64_t sequences = exact ? combos : kMonitorSequences;
  std::uint64_t state = 0x9e3779b97f4a7c15ull;  // splitmix64, for the sampled case
  auto next_random = [&state] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  std::vector<int> level(span);
  double sum = 0.0, sum_weights = 0.0;
  for (std::uint64_t q = 0; q < sequences; ++q) {
    std::uint64_t code = exact ? q : next_random();
    double weight = 1.0;  // the sequence's probability relative to equiprobable levels
    for (int m = 0; m < span; ++m) {
      level[m] = static_cast<int>(code % static_cast<std::uint64_t>(M));
      code /= static_cast<std::uint64_t>(M);
      weight *= M * level_probability(M, level[m]);
    }
    for (int j = 0; j < spu; ++j) {
      double v = c.drive_bias_v;
      for (int m = 0; m < span; ++m)
        v += (c.level_drive_v[level[m]] - c.drive_bias_v) *
             pulse[static_cast<std::size_t>(m) * spu + j];
      sum += weight * ring_transmission(c, v);
    }
    sum_weights += weight;
  }
  return sum / (sum_weights * spu);
}

// The chunk-rate lock loop (mrm.thermal.lock = "loop", kernels/engine/thermal_loop.hpp) of a ring whose
// steady-state lock holds. The operating point the constants were designed for is the lock: the
// heater at the steady-state setting, the ring warmed by the mean absorbed power there. The
// monitor's target is what it reads there with data (monitor_mean_transmission), and the
// integral gain is `lock_gain` times the critically damped one for the flank slope of the
// levels' mean transmission (its sign makes the feedback negative on either flank). The run
// starts with the heater's power and shift moved by lock_initial_error_pm / eta, so the
// resonance starts that far (red > 0) off the lock with the heater in its own steady state.
void setup_lock_loop(const Scenario& s, const LaneParams& lp, const std::vector<double>& levels,
                     const LinkReport& rep, LinkSetup& link) {
  const ThermalParams& p = lp.thermal;
  const LinkConstants<double>& c = link.constants;
  ThermalLoopSetup& loop = link.thermal_loop;
  if (!(p.heater_time_constant_s > 0.0))
    fail_key(s, "mrm.thermal.heater_time_constant_us",
             "missing; mrm.thermal.lock = \"loop\" steps the heater with its time constant");
  if (p.thermal_resistance_k_per_w > 0.0 && !(p.thermal_time_constant_s > 0.0))
    fail_key(s, "mrm.thermal.thermal_time_constant_us",
             "missing; mrm.thermal.lock = \"loop\" steps the self-heating with the ring's time "
             "constant");
  auto levels_mean_transmission = [&](double resonance_shift_m) {
    const LinkConstants<double> moved = shifted_resonance(c, resonance_shift_m);
    double t = 0.0;
    for (int k = 0; k < lp.levels; ++k)
      t += level_probability(lp.levels, k) * ring_transmission(moved, levels[k]);
    return t;
  };
  const double h = 1e-3 * rep.ring.fwhm_m;
  const double slope_per_m =
      (levels_mean_transmission(h) - levels_mean_transmission(-h)) / (2.0 * h);
  if (!(std::abs(slope_per_m) > 0.0))
    fail_key(s, "mrm.detuning_pm",
             "puts the monitor where its transmission does not move with the resonance; the "
             "lock loop needs a flank");
  const double t_lock = monitor_mean_transmission(lp, link, c);
  loop.enabled = true;
  loop.params = p;
  loop.optical_power_w = lp.laser_power_w;
  loop.symbol_period_s = 1.0 / lp.symbol_rate_hz;
  loop.loop.target_transmission = t_lock;
  // Negative feedback: a resonance red of the lock (error > 0) must lower the heater power, and
  // T - T* has the sign of slope x error.
  loop.loop.gain_w_per_unit =
      -lp.lock.gain_relative *
      lock_gain_critical(p.heater_efficiency_m_per_w, std::abs(slope_per_m)) *
      (slope_per_m > 0.0 ? 1.0 : -1.0);
  const ThermalState lock{
      p.thermal_resistance_k_per_w * absorbed_power_w(p, lp.laser_power_w, t_lock),
      p.heater_efficiency_m_per_w * rep.heater_power_w};
  loop.lock_shift_m = thermal_shift_m(p, lock);
  loop.start_heater_power_w =
      std::clamp(rep.heater_power_w + lp.lock.initial_error_m / p.heater_efficiency_m_per_w, 0.0,
                 p.max_heater_power_w);
  loop.start = {lock.ring_temperature_rise_k,
                p.heater_efficiency_m_per_w * loop.start_heater_power_w};
  loop.tolerance_m = lp.lock.tolerance_fwhm * rep.ring.fwhm_m;
}

// The dynamic ring's per-sample map tabulated over the drive range, with the same overshoot
// margin as the junction table.
void build_cmt_table(double v_lo, double v_hi, LinkConstants<double>& c) {
  const double swing = v_hi - v_lo;
  fill_cmt_table(c, v_lo - 0.1 * swing - 0.05, v_hi + 0.1 * swing + 0.05);
}

// The PN-junction electro-optic table (physics/junction.hpp evaluated in double): resonance
// shift and ring loss at kEoTablePoints voltages over the drive range with a margin for the
// driver's overshoot, and from them the static coefficients and the coupled-mode decay.
void build_junction_table(const Scenario& s, const LaneParams& lp, LinkReport& rep, double fs,
                          double v_lo, double v_hi, LinkConstants<double>& c) {
  const char* keys[] = {"mrm.junction.doping_n_per_cm3",
                        "mrm.junction.doping_p_per_cm3",
                        "mrm.junction.height_nm",
                        "mrm.junction.mode_width_nm",
                        "mrm.junction.coverage",
                        "mrm.junction.mode_overlap",
                        "mrm.junction.series_resistance_ohm"};
  const double values[] = {lp.junction.doping_n_per_m3,      lp.junction.doping_p_per_m3,
                           lp.junction.waveguide_height_m,   lp.junction.waveguide_width_m,
                           lp.junction.ring_coverage,        lp.junction.mode_overlap,
                           lp.junction.series_resistance_ohm};
  for (int i = 0; i < 7; ++i)
    if (!std::isfinite(values[i]))
      fail_key(s, keys[i],
               "missing; mrm.electro_optic = \"junction\" needs [mrm.junction] in full");
  JunctionParams j = lp.junction;
  j.ring_radius_m = lp.ring_radius_m;
  j.wavelength_m = lp.laser_wavelength_m;
  const double v_bi = builtin_voltage_v(j);
  // The depletion model holds in reverse bias and in weak forward bias; beyond half of V_bi
  // the diode injects carriers, which this model does not describe.
  const double swing = v_hi - v_lo;
  const double v_first = v_lo - 0.1 * swing - 0.05, v_last = v_hi + 0.1 * swing + 0.05;
  if (v_first < -0.5 * v_bi)
    fail_key(s, "driver.bias_v",
             "the drive reaches " + format_number(-v_first, 3) +
                 " V of forward bias (with overshoot); the "
                 "depletion model needs at most " +
                 format_number(0.5 * v_bi, 3) + " V (half the built-in " + format_number(v_bi, 3) +
                 " V): raise the bias or reduce the swing");
  const RingGeometry g0 = geometry(lp);
  const double T = 1.0 / fs;
  c.eo.points = kEoTablePoints;
  c.eo.v_first = v_first;
  const double step = (v_last - v_first) / (kEoTablePoints - 1);
  c.eo.inv_step_v = 1.0 / step;
  for (int i = 0; i < kEoTablePoints; ++i) {
    const double v = v_first + step * i;
    const JunctionRingResponse r = junction_ring_response(j, v, lp.ring_n_g);
    if (!std::isfinite(r.shift_m) || !std::isfinite(r.loss_db_per_m_change))
      fail_key(s, "mrm.electro_optic",
               "the junction model has no solution at " + format_number(v, 3) +
                   " V (plasma-dispersion fits cover 1260-1360 nm and 1500-1630 nm)");
    RingGeometry g = g0;
    g.loss_db_per_m = g0.loss_db_per_m + r.loss_db_per_m_change;
    if (!(g.loss_db_per_m >= 0.0))
      fail_key(s, "mrm.loss_db_per_cm",
               "is smaller than the junction's free-carrier loss change at " + format_number(v, 3) +
                   " V: expected the ring loss to include the junction's doping loss");
    const RingFigures f = ring_figures(g);
    c.eo.shift_m[i] = r.shift_m;
    c.eo.num0[i] = (f.a - f.r) * (f.a - f.r);
    c.eo.den0[i] = (1.0 - f.a * f.r) * (1.0 - f.a * f.r);
    c.eo.four_ar[i] = 4.0 * f.a * f.r;
    c.eo.gamma_t[i] = cmt_rates(g, f).gamma_per_s * T;
  }
  const double bias = 0.5 * (v_lo + v_hi);
  rep.junction_capacitance_f = junction_capacitance_f(j, bias);
  rep.junction_rc_hz = j.series_resistance_ohm > 0.0 ? rc_bandwidth_hz(j, bias) : 0.0;
  rep.builtin_voltage_v = v_bi;
}

// Thresholds, the level order and the eye's axis from the noiseless received level of each
// PAM level index (rep.received_levels_a): thresholds at the midpoints between adjacent levels.
void set_decision_levels(const Scenario& s, LinkReport& rep, LinkConstants<double>& c) {
  std::vector<int> order(c.levels);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return rep.received_levels_a[a] < rep.received_levels_a[b]; });
  // Levels must keep their order (ascending or descending in drive voltage) and be apart by
  // more than rounding: otherwise two symbols land on one received level.
  const bool ascending = std::is_sorted(order.begin(), order.end());
  const bool descending = std::is_sorted(order.rbegin(), order.rend());
  const double span = rep.received_levels_a[order.back()] - rep.received_levels_a[order.front()];
  double min_gap = span;
  for (int k = 1; k < c.levels; ++k)
    min_gap =
        std::min(min_gap, rep.received_levels_a[order[k]] - rep.received_levels_a[order[k - 1]]);
  if (!(ascending || descending) || !(min_gap > 1e-6 * span) || !(span > 0.0))
    fail_key(s, "mrm.detuning_pm",
             "the ring's operating point folds the PAM levels (received levels out of order or "
             "merged); expected the laser on one flank of the resonance over the whole swing");
  for (int k = 0; k < c.levels; ++k) c.level_of_region[k] = static_cast<std::uint8_t>(order[k]);
  for (int k = 0; k + 1 < c.levels; ++k)
    c.threshold_a[k] =
        0.5 * (rep.received_levels_a[order[k]] + rep.received_levels_a[order[k + 1]]);
  const double i_min = rep.received_levels_a[order.front()];
  const double i_max = rep.received_levels_a[order.back()];
  c.eye_offset_a = 0.5 * (i_max + i_min);
  c.eye_scale_a = 0.5 * (i_max - i_min);
  rep.eye_offset_a = c.eye_offset_a;
  rep.eye_scale_a = c.eye_scale_a;
}

// The Touchstone files a run reads, parsed once per path (a sweep prepares every point).
const TouchstoneData& cached_touchstone(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, TouchstoneData> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(path);
  if (it == cache.end()) it = cache.emplace(path, read_touchstone(path)).first;
  return it->second;
}

}  // namespace

std::string channel_file_path(const Scenario& s, const LaneParams& lp) {
  if (lp.channel.model != ChannelModel::touchstone || lp.channel.file.empty()) return "";
  std::string path = lp.channel.file;
  if (path[0] != '/') {
    const auto slash = s.path.find_last_of('/');
    if (slash != std::string::npos) path = s.path.substr(0, slash + 1) + path;
  }
  return path;
}

namespace {

// The host channel ([channel]) as a FIR ahead of the driver (host/link/channel.hpp); empty when none.
std::vector<double> serdes_channel_fir(const Scenario& s, const LaneParams& lp, double fs,
                                       LinkReport& rep) {
  std::vector<double> fir;
  const double nyquist_hz = 0.5 * lp.symbol_rate_hz;
  if (lp.channel.model == ChannelModel::touchstone) {
    if (lp.channel.file.empty()) fail_key(s, "channel.model", "\"touchstone\" needs channel.file");
    const std::string path = channel_file_path(s, lp);
    try {
      const TouchstoneData& d = cached_touchstone(path);
      if (d.ports != 2 && d.ports != 4)
        fail_key(s, "channel.file",
                 path + ": a " + std::to_string(d.ports) +
                     "-port file; expected a 2-port (S21) or a 4-port differential channel");
      if (d.frequency_hz.size() < 2)
        fail_key(s, "channel.file",
                 path + ": one frequency; expected the channel's response over a band of "
                        "frequencies (to beyond the lane's Nyquist frequency " +
                     format_number(nyquist_hz / 1e9, 6) + " GHz)");
      if (d.ports == 4 && !lp.channel.port_order_given)
        fail_key(s, "channel.port_order",
                 "missing; a 4-port file needs its pairs named (\"in12_out34\" or "
                 "\"in13_out24\")");
      rep.warnings.insert(rep.warnings.end(), d.warnings.begin(), d.warnings.end());
      const ChannelFir ch = measured_channel_fir(
          d.frequency_hz, through_response(d, lp.channel.port_order), fs, nyquist_hz);
      fir = ch.taps;
      rep.channel_loss_db = ch.loss_at_nyquist_db;
    } catch (const TouchstoneError& e) {
      fail_key(s, "channel.file", e.what());
    }
  } else if (lp.channel.model == ChannelModel::parametric) {
    if (!std::isfinite(lp.channel.loss_at_nyquist_db))
      fail_key(s, "channel.loss_db_at_nyquist", "missing; \"parametric\" needs it");
    if (!std::isfinite(lp.channel.skin_share))
      fail_key(s, "channel.skin_share",
               "missing; \"parametric\" needs the skin effect's share of the loss at Nyquist");
    PackageModel package;
    package.die_capacitance_f = lp.channel.die_capacitance_f;
    if (lp.channel.package_length_m > 0.0) {
      if (!std::isfinite(lp.channel.package_impedance_ohm))
        fail_key(s, "channel.package_impedance_ohm",
                 "missing; a package trace needs its impedance");
      if (!std::isfinite(lp.channel.package_delay_s_per_m))
        fail_key(s, "channel.package_delay_ps_per_mm", "missing; a package trace needs its delay");
      package.impedance_ohm = lp.channel.package_impedance_ohm;
      package.delay_s = lp.channel.package_length_m * lp.channel.package_delay_s_per_m;
    }
    const ChannelFir ch = parametric_channel_fir(lp.channel.loss_at_nyquist_db,
                                                 lp.channel.skin_share, package, nyquist_hz, fs);
    fir = ch.taps;
    rep.channel_loss_db = ch.loss_at_nyquist_db;
  }
  rep.channel_fir_symbols =
      static_cast<int>((fir.size() + lp.samples_per_ui - 1) / lp.samples_per_ui);
  return fir;
}

// The transmit FFE's taps c(-3) .. c(+1) ([tx_ffe]), the cursor 1 - sum |others|, so the peak
// excursion is the swing's; empty when every tap around the cursor is zero.
std::vector<double> transmit_ffe_taps(const Scenario& s, const LaneParams& lp) {
  double others = 0.0;
  bool ffe = false;
  for (int i = 0; i < kTxFfeTaps; ++i)
    if (i != kTxFfeCursor) {
      others += std::abs(lp.tx_ffe[i]);
      ffe = ffe || lp.tx_ffe[i] != 0.0;
    }
  if (ffe) {
    if (!(others < 1.0))
      fail_key(s, "tx_ffe.c_m1",
               "the taps around the cursor sum to " + format_number(others, 6) +
                   " in magnitude; the cursor, 1 - that, must stay positive");
    std::vector<double> taps(lp.tx_ffe.begin(), lp.tx_ffe.end());
    taps[kTxFfeCursor] = 1.0 - others;
    return taps;
  }
  return {};
}

// The transmit DAC (driver.dac_bits): 2^bits codes spanning the swing, the outer PAM levels on
// the end codes; the PAM levels are codes, and with an FFE the DAC rounds its per-symbol output
// (physics/lane.hpp symbol_excursion_v). Without a DAC the FFE stays folded into H1.
void setup_transmit_dac(const Scenario& s, const LaneParams& lp, const std::vector<double>& ffe,
                        LinkConstants<double>& c) {
  c.dac_codes = 0;
  if (lp.dac_bits == 0) return;
  const int codes = 1 << lp.dac_bits;
  if (codes < lp.levels)
    fail_key(s, "driver.dac_bits",
             std::to_string(lp.dac_bits) + " bits give " + std::to_string(codes) +
                 " codes, fewer than the " + std::to_string(lp.levels) + " PAM levels");
  c.dac_codes = codes;
  c.dac_low_v = -0.5 * lp.drive_swing_vpp;
  c.dac_step_v = lp.drive_swing_vpp / (codes - 1);
  for (int k = 0; k < kTxFfeTaps; ++k) c.dac_ffe[k] = ffe.empty() ? (k == 0 ? 1.0 : 0.0) : ffe[k];
}

// The nearest DAC code to a drive voltage (identity without a DAC).
double dac_code_v(const LinkConstants<double>& c, double v) {
  if (c.dac_codes == 0) return v;
  return c.drive_bias_v + dac_nearest_code_v(c, v - c.drive_bias_v);
}

// What the receiver's equaliser and clock recovery know of the received levels: their mean
// current, the outer levels' span S (signed: negative when the ring inverts the levels), each
// level's symbol value a = (I - I_mid) / S (outer levels -1/2 and +1/2, inner ones where the
// ring's nonlinearity puts them), the symbols' variance and the receiver noise variance averaged
// over the levels.
struct ReceivedLevels {
  int levels = 0;
  double mid_a = 0.0, swing_a = 0.0;
  double value[kMaxLevels]{};
  double var_symbol = 0.0, var_noise_a2 = 0.0;
};

ReceivedLevels received_levels(const LaneParams& lp, const LinkReport& rep,
                               const LinkConstants<double>& c) {
  ReceivedLevels r;
  const int M = lp.levels;
  r.levels = M;
  for (int k = 0; k < M; ++k) r.mid_a += level_probability(M, k) * rep.received_levels_a[k];
  r.swing_a = rep.received_levels_a[M - 1] - rep.received_levels_a[0];
  for (int k = 0; k < M; ++k) {
    const double p = level_probability(M, k);
    r.value[k] = (rep.received_levels_a[k] - r.mid_a) / r.swing_a;
    r.var_symbol += p * r.value[k] * r.value[k];
    const double sigma = noise_sigma(c, rep.received_levels_a[k]);
    r.var_noise_a2 += p * sigma * sigma;
  }
  return r;
}

// The receiver's FFE and DFE ([rx_eq], physics/equalizer.hpp): symbol values from the received
// levels, the MMSE taps from the chain's pulse response at the decision phase (host/link/equalizer.cpp),
// or, for LMS, a cursor-only start. The FFE's pre-cursor taps delay each decision by as many
// symbols; the warm-up grows by the equaliser's span so its history is the line's.
void setup_equalizer(const Scenario& s, const LaneParams& lp, const LinkReport& rep,
                     LinkSetup& link) {
  const RxEqParams& q = lp.rx_eq;
  LinkConstants<double>& c = link.constants;
  if (q.ffe_pre >= q.ffe_taps)
    fail_key(s, "rx_eq.ffe_pre",
             std::to_string(q.ffe_pre) + " pre-cursor taps need more than " +
                 std::to_string(q.ffe_taps) + " FFE taps (the cursor is one of them)");
  if (q.lms && !std::isfinite(q.lms_step))
    fail_key(s, "rx_eq.lms_step", "missing; rx_eq.adapt = \"lms\" needs its step size");
  const ReceivedLevels rl = received_levels(lp, rep, c);
  const double swing = rl.swing_a;
  RxEqualizerConstants<double>& e = link.equalizer;
  e = {};
  e.ffe_taps = q.ffe_taps;
  e.ffe_pre = q.ffe_pre;
  e.dfe_taps = q.dfe_taps;
  e.adapt_lms = q.lms ? 1 : 0;
  e.lms_step = q.lms ? q.lms_step : 0.0;
  e.dfe_limit = q.dfe_limit;
  e.mid_a = rl.mid_a;
  e.swing_a = swing;
  for (int k = 0; k < rl.levels; ++k) e.level_value[k] = rl.value[k];
  if (q.adc_bits > 0) {
    e.adc_codes = 1 << q.adc_bits;
    const double full_scale = q.adc_full_scale * std::abs(swing);
    e.adc_low = rl.mid_a - 0.5 * full_scale;
    e.adc_step = full_scale / e.adc_codes;
  }
  const double var_a = rl.var_symbol, var_noise = rl.var_noise_a2;
  const std::vector<double>& per_symbol = rep.symbol_pulse_a;
  const int pre_symbols = rep.symbol_pulse_cursor;
  if (q.lms) {
    link.ffe_taps.assign(q.ffe_taps, 0.0);
    link.ffe_taps[q.ffe_pre] = swing / per_symbol[pre_symbols];
    link.dfe_taps.assign(q.dfe_taps, 0.0);
  } else {
    const EqualizerDesign d = mmse_equalizer(per_symbol, pre_symbols, q.ffe_taps, q.ffe_pre,
                                             q.dfe_taps, var_a, var_noise, swing, q.dfe_limit);
    link.ffe_taps = d.ffe;
    link.dfe_taps = d.dfe;
  }
  c.decision_lag_symbols += q.ffe_pre;  // with the CDR's symbol, whichever is set up first
  c.warmup_symbols += q.ffe_taps + q.dfe_taps;
}

// Clock recovery ([cdr], physics/cdr.hpp): the detector's lock point and its gain from the
// chain's pulse response (rep.pulse_a, A per unit symbol value at the sample rate, the decision
// sample at rep.pulse_cursor), the loop gains from the bandwidth. The CDR decides one symbol late.
void setup_cdr(const Scenario& s, const LaneParams& lp, const LinkReport& rep, LinkSetup& link) {
  if (!std::isfinite(lp.cdr.bandwidth_hz))
    fail_key(s, "cdr.bandwidth_mhz", "missing; a recovered clock needs its loop bandwidth");
  if (!(lp.cdr.bandwidth_hz < 0.1 * lp.symbol_rate_hz))
    fail_key(s, "cdr.bandwidth_mhz",
             "must stay below a tenth of the symbol rate (the loop updates once per symbol)");
  LinkConstants<double>& c = link.constants;
  const int M = lp.levels;
  const int spu = lp.samples_per_ui;
  const ReceivedLevels rl = received_levels(lp, rep, c);
  const double mid = rl.mid_a;
  CdrConstants<double>& k = link.cdr;
  k = {};
  k.mode = lp.cdr.mode;
  k.mid_a = mid;
  for (int i = 0; i < M; ++i) {
    k.level_value[i] = rl.value[i];
    k.level_current_a[i] = rep.received_levels_a[i];
  }
  const double var_a = rl.var_symbol, var_noise = rl.var_noise_a2;
  // H(tau, m): the pulse (A per unit a) m symbols after the decision sample, tau samples late.
  const std::vector<double>& pulse = rep.pulse_a;
  auto h = [&](double tau, int m) {
    const double x = static_cast<double>(rep.pulse_cursor) + tau + static_cast<double>(m) * spu;
    if (x < 0.0 || x >= static_cast<double>(pulse.size() - 1)) return 0.0;
    const std::size_t i = static_cast<std::size_t>(x);
    const double f = x - static_cast<double>(i);
    return pulse[i] + f * (pulse[i + 1] - pulse[i]);
  };
  // The detector's mean output against the sampling offset.
  std::function<double(double)> mean_output;
  if (k.mode == static_cast<int>(CdrMode::mueller_muller)) {
    mean_output = [&](double tau) { return var_a * (h(tau, 1) - h(tau, -1)); };
  } else {
    mean_output = [&](double tau) {
      const double te = tau - 0.5 * spu;
      double isi = 0.0;
      for (int m = -8; m <= 64; ++m)
        if (m != 0 && m != 1) isi += h(te, m) * h(te, m);
      const double sigma = std::sqrt(var_noise + var_a * isi);
      double e = 0.0;
      for (int p = 0; p < M; ++p)
        for (int q = 0; q < M; ++q) {
          if (p == q) continue;
          const double edge = mid + k.level_value[p] * h(te, 1) + k.level_value[q] * h(te, 0);
          const double ref = 0.5 * (k.level_current_a[p] + k.level_current_a[q]);
          const double dir = k.level_current_a[q] > k.level_current_a[p] ? 1.0 : -1.0;
          e += std::erf((edge - ref) * dir / (std::sqrt(2.0) * sigma)) / (M * M);
        }
      return e;
    };
  }
  // The lock point nearest the decision sample within half a UI, and the gain there.
  double lock = std::numeric_limits<double>::quiet_NaN();
  for (double r = 0.0; r <= 0.5 * spu && !std::isfinite(lock); r += 0.25)
    for (double sign : {1.0, -1.0}) {
      const double a = sign * r, b = sign * (r + 0.25);
      if ((mean_output(a) <= 0.0) != (mean_output(b) <= 0.0)) {
        double lo = std::min(a, b), hi = std::max(a, b);
        const bool rising = mean_output(lo) <= 0.0;
        for (int it = 0; it < 60; ++it) {
          const double m = 0.5 * (lo + hi);
          ((mean_output(m) <= 0.0) == rising ? lo : hi) = m;
        }
        lock = 0.5 * (lo + hi);
        break;
      }
    }
  if (!std::isfinite(lock))
    fail_key(s, "cdr.mode",
             "the phase detector has no lock point within half a UI of the pulse peak");
  const double gain = (mean_output(lock + 0.05) - mean_output(lock - 0.05)) / 0.1;
  if (!(std::abs(gain) > 0.0))
    fail_key(s, "cdr.mode", "the phase detector's gain vanishes at its lock point");
  k.inv_gain = 1.0 / gain;
  k.lock_samples = lock;
  k.gain_p = 2.0 * kPi * lp.cdr.bandwidth_hz / lp.symbol_rate_hz;
  k.gain_i = 0.25 * k.gain_p * k.gain_p;
  k.phase_min = -0.5 * spu;
  k.phase_max = 0.5 * spu;
  link.cdr_initial_phase_samples = lp.cdr.initial_phase_ui * spu;
  c.decision_lag_symbols += 1;
  c.warmup_symbols += 1;
}

}  // namespace

PreparedLink prepare_link(const Scenario& s, std::size_t point, const LaneParams& lp,
                          const RunParams& rp) {
  PreparedLink out;
  LinkReport& rep = out.report;
  LinkConstants<double>& c = out.setup.constants;
  const double fs = lp.symbol_rate_hz * lp.samples_per_ui;
  rep.sample_rate_hz = fs;

  // The sampled waveform must carry every band limit: a filter at or above fs/2 would alias.
  auto check_bandwidth = [&](const char* key, double f_hz) {
    if (std::isfinite(f_hz) && !(f_hz < 0.5 * fs))
      fail_key(s, key,
               format_number(f_hz / 1e9, 6) +
                   " GHz is not below the simulation's Nyquist frequency " +
                   format_number(0.5 * fs / 1e9, 6) + " GHz (" + std::to_string(lp.samples_per_ui) +
                   " samples per UI at " + format_number(lp.symbol_rate_hz / 1e9, 6) +
                   " GBd); raise signal.samples_per_ui or lower the bandwidth");
  };
  check_bandwidth("driver.bandwidth_ghz", lp.driver_bandwidth_hz);
  check_bandwidth("receiver.bandwidth_ghz", lp.receiver_bandwidth_hz);
  if (std::isfinite(lp.noise_bandwidth_hz))
    check_bandwidth("receiver.noise_bandwidth_ghz", lp.noise_bandwidth_hz);

  // The optical path's loss, whole: 100 dB leaves a 1 W laser 1e-10 W at the photodiode, far
  // under any receiver's noise; beyond, the levels also fall under float resolution of the bias.
  if (lp.optical_loss_db() > kMaxOpticalLossDb) {
    const double waveguide_db = lp.waveguide_length_m * lp.waveguide_loss_db_per_m;
    const double couplers_db = lp.coupler_loss_db * lp.couplers;
    const char* key = waveguide_db >= std::max(couplers_db, lp.extra_loss_db)
                          ? "optics.waveguide_length_cm"
                          : (couplers_db >= lp.extra_loss_db ? "optics.coupler_loss_db"
                                                             : "optics.extra_loss_db");
    fail_key(s, key,
             "the optical path loses " + format_number(lp.optical_loss_db(), 6) + " dB (waveguide " +
                 format_number(waveguide_db, 4) + ", couplers " + format_number(couplers_db, 4) +
                 ", extra " + format_number(lp.extra_loss_db, 4) + "); expected at most " +
                 format_number(kMaxOpticalLossDb, 3) + " dB");
  }

  // The ring.
  rep.ring = ring_figures(geometry(lp));
  if (!(rep.ring.q_loaded > 1.0) || !std::isfinite(rep.ring.q_loaded))
    fail_key(s, "mrm.power_coupling",
             "the ring has no resonance (loaded Q " + format_number(rep.ring.q_loaded, 6) +
                 "); expected Q above 1");
  if (std::abs(lp.ring_detuning_m) >= 0.5 * rep.ring.fsr_m)
    fail_key(s, "mrm.detuning_pm",
             format_number(lp.ring_detuning_m * 1e12, 6) + " pm is beyond half the FSR (" +
                 format_number(0.5 * rep.ring.fsr_m * 1e12, 6) +
                 " pm): that is the neighbouring resonance");
  const double v_lo = lp.drive_bias_v - 0.5 * lp.drive_swing_vpp;
  const double v_hi = lp.drive_bias_v + 0.5 * lp.drive_swing_vpp;
  c.ring = modulator(lp, rep.ring);
  {
    const CmtRates rates = cmt_rates(geometry(lp), rep.ring);
    const double T = 1.0 / fs;
    c.cmt = {rates.gamma_per_s * T, rates.kappa_per_s * T, 2.0 * kPi * kSpeedOfLight_m_per_s * T,
             lp.laser_wavelength_m, lp.ring_detuning_m,    lp.ring_shift_m_per_v};
  }
  if (lp.eo_junction) build_junction_table(s, lp, rep, fs, v_lo, v_hi, c);
  if (lp.ring_dynamic) build_cmt_table(v_lo, v_hi, c);
  // The resonance's travel over the swing must stay within half an FSR.
  const double travel = lp.eo_junction ? std::abs(c.eo.at(v_hi).shift_m - c.eo.at(v_lo).shift_m)
                                       : std::abs(lp.ring_shift_m_per_v) * lp.drive_swing_vpp;
  rep.shift_pm_per_v = travel * 1e12 / lp.drive_swing_vpp;
  if (travel >= 0.5 * rep.ring.fsr_m)
    fail_key(s, "driver.swing_vpp",
             "moves the resonance by " + format_number(travel * 1e12, 6) +
                 " pm, beyond half the FSR (" + format_number(0.5 * rep.ring.fsr_m * 1e12, 6) +
                 " pm)");
  auto transmission = [&c](double v) { return ring_transmission(c, v); };

  // Driver-side band limits: the host channel and transmit FFE, the driver, the junction's RC.
  // With a DAC the engine forms the FFE per symbol and runs the rest (h1_after_dac_taps); h1_taps
  // holds the whole chain for the linear analysis below.
  const std::vector<double> ffe = transmit_ffe_taps(s, lp);
  const std::vector<double> ffe_impulse =
      ffe.empty() ? std::vector<double>{} : apply_tx_ffe({1.0}, ffe, lp.samples_per_ui);
  setup_transmit_dac(s, lp, ffe, c);
  std::vector<double> after_dac = serdes_channel_fir(s, lp, fs, rep);
  rep.serdes_transmit = !after_dac.empty() || !ffe.empty();
  if (!after_dac.empty() && rp.channel_com) {
    // The host channel's operating margin with the 802.3dj reference receiver (host/link/com.hpp),
    // behind the scenario's own transmit FFE.
    ComParameters com;
    com.levels = lp.levels;
    rep.com_db =
        channel_operating_margin(after_dac, ffe_impulse, lp.samples_per_ui, lp.symbol_rate_hz, com)
            .com_db;
  }
  if (std::isfinite(lp.driver_bandwidth_hz))
    after_dac = convolve_fir(after_dac, design_bessel_thomson4_fir(lp.driver_bandwidth_hz, fs));
  if (lp.eo_junction && rep.junction_rc_hz > 0.0) {
    // The junction's RC pole at the bias point, in series with the driver (C_j moves with V;
    // at the bias is the small-signal value).
    check_bandwidth("mrm.junction.series_resistance_ohm", rep.junction_rc_hz);
    after_dac = convolve_fir(after_dac, design_rc_fir(rep.junction_rc_hz, fs));
  }
  out.setup.h1_taps = after_dac;
  if (!ffe.empty()) {
    out.setup.h1_taps = after_dac.empty() ? ffe_impulse : convolve_fir(after_dac, ffe_impulse);
  }
  if (c.dac_codes > 0) out.setup.h1_after_dac_taps = std::move(after_dac);
  // With a channel or an FFE ahead of the driver the cursor no longer carries a level's full
  // excursion: the levels the receiver expects (and its thresholds) sit at the drive pulse's
  // peak, bias + (V - bias) x peak (the mean of the ISI is zero for equiprobable levels).
  // The drive's response to one UI (rect * H1): here its peak, below the timing's input.
  const std::vector<double> drive_ui =
      convolve_fir(std::vector<double>(lp.samples_per_ui, 1.0), out.setup.h1_taps);
  double cursor_gain = 1.0;
  if (rep.serdes_transmit) {
    cursor_gain = *std::max_element(drive_ui.begin(), drive_ui.end());
    rep.cursor_gain = cursor_gain;
  }

  // PAM levels and what the receiver sees of them.
  c.levels = lp.levels;
  c.mapping = symbol_mapping(lp.levels);
  c.fec_interleave = lp.fec_interleave;
  c.fec_inner = lp.fec_inner_hamming ? 1 : 0;
  rep.fec_frame_bits = 8 * lp.fec_frame_octets;
  c.drive_bias_v = lp.drive_bias_v;
  std::vector<double> v = drive_levels(lp, transmission, s);
  for (double& level_v : v) level_v = dac_code_v(c, level_v);  // a DAC sends its nearest code
  c.photocurrent_per_transmission_a = photocurrent_per_transmission(lp);
  c.dark_current_a = lp.dark_current_a;
  // The drive a long run of one level settles at: the whole H1's DC gain (a channel's FIR has
  // unit DC gain, a transmit FFE sum c / sum |c|).
  double dc_gain = 1.0;
  if (!out.setup.h1_taps.empty())
    dc_gain = std::accumulate(out.setup.h1_taps.begin(), out.setup.h1_taps.end(), 0.0);
  for (int k = 0; k < lp.levels; ++k) {
    c.level_drive_v[k] = v[k];
    rep.received_levels_a[k] =
        c.photocurrent_per_transmission_a *
            transmission(lp.drive_bias_v + (v[k] - lp.drive_bias_v) * cursor_gain) +
        c.dark_current_a;
    rep.settled_drive_v[k] = lp.drive_bias_v + (v[k] - lp.drive_bias_v) * dc_gain;
    rep.settled_levels_a[k] =
        c.photocurrent_per_transmission_a * transmission(rep.settled_drive_v[k]) +
        c.dark_current_a;
  }
  const double t_lo = transmission(v_lo), t_hi = transmission(v_hi);
  rep.extinction_ratio_db = 10.0 * std::log10(std::max(t_lo, t_hi) / std::min(t_lo, t_hi));
  set_decision_levels(s, rep, c);
  rep.energy = lane_energy(s, lp, c, rep.junction_capacitance_f);
  if (lp.thermal_modelled()) thermal_lock(s, lp, v, transmission, rep);
  if (lp.lock.loop && !lp.thermal_modelled())
    fail_key(s, "mrm.thermal.lock", "\"loop\" needs the heater of [mrm.thermal]");

  // Receiver band limits: the photodiode and TIA, then the host receiver's CTLE.
  if (std::isfinite(lp.receiver_bandwidth_hz))
    out.setup.h2_taps = design_bessel_thomson4_fir(lp.receiver_bandwidth_hz, fs);
  double ctle_noise_enhancement = 1.0;
  if (lp.ctle.present()) {
    const char* keys[] = {"receiver.ctle.zero_ghz", "receiver.ctle.pole1_ghz",
                          "receiver.ctle.pole2_ghz"};
    const double values[] = {lp.ctle.zero_hz, lp.ctle.pole1_hz, lp.ctle.pole2_hz};
    for (int i = 0; i < 3; ++i) {
      if (!std::isfinite(values[i]))
        fail_key(s, keys[i], "missing; [receiver.ctle] needs its zero and both poles");
      check_bandwidth(keys[i], values[i]);
    }
    if (out.setup.h2_taps.empty())
      fail_key(s, "receiver.ctle.dc_gain_db",
               "a CTLE needs receiver.bandwidth_ghz: the noise it enhances is counted over the "
               "receiver's band");
    const std::vector<double> ctle =
        design_ctle_fir(lp.ctle.dc_gain_db, lp.ctle.zero_hz, lp.ctle.pole1_hz, lp.ctle.pole2_hz,
                        lp.ctle.dc_gain2_db, lp.ctle.lf_hz, fs);
    const double before = fir_noise_bandwidth_hz(out.setup.h2_taps, fs);
    out.setup.h2_taps = convolve_fir(out.setup.h2_taps, ctle);
    ctle_noise_enhancement = fir_noise_bandwidth_hz(out.setup.h2_taps, fs) / before;
  }
  if (lp.lock.loop && rep.lock == LockStatus::locked) setup_lock_loop(s, lp, v, rep, out.setup);

  // Noise: white at the photodiode, counted over the receiver's equivalent noise bandwidth.
  if (std::isfinite(lp.noise_bandwidth_hz))
    rep.noise_bandwidth_hz = lp.noise_bandwidth_hz * ctle_noise_enhancement;
  else if (!out.setup.h2_taps.empty())
    rep.noise_bandwidth_hz = fir_noise_bandwidth_hz(out.setup.h2_taps, fs);
  else
    fail_key(s, "receiver.noise_bandwidth_ghz",
             "missing; with receiver.bandwidth_ghz = inf the noise bandwidth must be given");
  const double bn = rep.noise_bandwidth_hz;
  // A WDM lane's drop ring filters the optical signal ahead of the photodiode; the noise arises
  // after it, so the pole joins the signal's H2 but not the noise bandwidth above.
  if (std::isfinite(lp.drop_filter_pole_hz)) {
    check_bandwidth("wdm.demux.power_coupling_drop", lp.drop_filter_pole_hz);
    out.setup.h2_taps = convolve_fir(out.setup.h2_taps, design_rc_fir(lp.drop_filter_pole_hz, fs));
  }
  // The variances' coefficients (physics/receiver_noise.hpp): thermal/TIA, shot (when on), RIN
  // (when the laser has one).
  c.noise_var_const_a2 = tia_noise_variance_a2(lp.tia_noise_a_per_rthz, bn);
  c.noise_var_shot_a = lp.shot_noise ? shot_noise_variance_a2_per_a(bn) : 0.0;
  c.noise_var_rin = std::isfinite(lp.laser_rin_db_per_hz)
                        ? rin_noise_variance_a2_per_a2(lp.laser_rin_db_per_hz, bn)
                        : 0.0;

  // Timing: the chain's response to one UI at the highest level on the lowest, through the
  // driver pulse, the ring model in use (static, or dynamic with its photon-lifetime delay) and
  // the receiver filter, relative to the lowest level's steady output. Its peak is the cursor.
  // A monotonic static transmission does not move the peak of the linear chain; the dynamic
  // ring delays it by about its photon lifetime.
  // Long enough for the ring's response to decay to 1e-12 after the pulse.
  const std::size_t ring_tail =
      lp.ring_dynamic ? static_cast<std::size_t>(std::ceil(28.0 / c.cmt.gamma_t)) : 0;
  // With transmit jitter the engine's drive runs the jitter's lead late (physics/jitter.hpp):
  // the pulse and the transitions' steps here run as late, and the decision instant with them.
  JitterParams<double> jitter{};
  if (lp.tx_jitter.present()) {
    const TxJitterParams& j = lp.tx_jitter;
    const double spu = lp.samples_per_ui;
    jitter = {j.rj_rms_ui * spu, j.sj_amplitude_ui * spu, j.sj_frequency_hz / lp.symbol_rate_hz,
              0.0,               j.dcd_ui * spu,          j.buj_ui * spu,
              0};
    jitter.lead_samples = static_cast<int>(std::ceil(jitter_reach_samples(jitter)));
  }
  const std::size_t lead = static_cast<std::size_t>(jitter.lead_samples);
  std::vector<double> drive(lead, 0.0);
  drive.insert(drive.end(), drive_ui.begin(), drive_ui.end());
  drive.resize(drive.size() + ring_tail, 0.0);
  // The chain's output (transmission, before and after the receiver filter) less its steady
  // value at v_from, for the drive v_from + (v_to - v_from) shape[n], the ring settled at v_from.
  auto chain_response = [&](double v_from, double v_to, const std::vector<double>& shape) {
    std::vector<double> out_t(shape.size());
    if (!lp.ring_dynamic) {
      const double t0 = transmission(v_from);
      for (std::size_t n = 0; n < shape.size(); ++n)
        out_t[n] = transmission(v_from + (v_to - v_from) * shape[n]) - t0;
    } else {
      Complex<double> u{0.0, 0.0};
      const AffineMap<double> rest = cmt_step_for(c, v_from);
      for (std::size_t n = 0; n < ring_tail; ++n) u = apply(rest, u);  // settle at v_from
      const double t0 = cmt_transmission(u);
      for (std::size_t n = 0; n < shape.size(); ++n) {
        u = apply(cmt_step_for(c, v_from + (v_to - v_from) * shape[n]), u);
        out_t[n] = cmt_transmission(u) - t0;
      }
    }
    return convolve_fir(out_t, out.setup.h2_taps);
  };
  std::vector<double> pulse = chain_response(v.front(), v.back(), drive);
  // With transmit jitter, the chain's response to each level-to-level transition (the ring's
  // nonlinearity included), through the engine's own drive step (the one its jitter moves): the
  // statistical eye takes the displacement of the transitions from these, since a transition's
  // timing moves the drive through the ring's local slope T'(v), not the outer levels' secant
  // the pulse carries.
  if (lp.tx_jitter.present()) {
    const std::vector<double> table = drive_step_table(out.setup);  // samples -1 ..
    std::vector<double> drive_step(drive.size(), 0.0);  // the step at sample `lead`
    for (std::size_t n = lead; n < drive_step.size(); ++n)
      drive_step[n] = table[std::min(n - lead + 1, table.size() - 1)];
    const int M = lp.levels;
    rep.level_step_a.clear();
    for (int from = 0; from < M; ++from)
      for (int to = 0; to < M; ++to) {
        std::vector<double> step = chain_response(v[from], v[to], drive_step);
        for (double& x : step) x *= c.photocurrent_per_transmission_a;
        rep.level_step_points = static_cast<int>(step.size());
        rep.level_step_a.insert(rep.level_step_a.end(), step.begin(), step.end());
      }
  }
  const std::vector<double> signed_pulse = pulse;  // transmission per unit symbol value
  for (double& x : pulse) x = std::abs(x);         // the ring may invert the levels
  const double peak = *std::max_element(pulse.begin(), pulse.end());
  // The centre of the samples within rounding of the peak (a flat top without filters).
  std::size_t first = pulse.size(), last = 0;
  for (std::size_t i = 0; i < pulse.size(); ++i)
    if (pulse[i] >= peak * (1.0 - 1e-9)) {
      first = std::min(first, i);
      last = i;
    }
  // Centre of the peak plateau rounded up: without filters the pulse is flat over samples
  // 0 .. spu-1, the centre sits at spu/2, and phases -0.5 .. +0.5 UI reach the first sample of
  // this symbol .. the first of the next (a causal chain never puts the peak earlier).
  const long cursor = static_cast<long>((first + last + 1) / 2) +
                      std::lround(lp.sampling_phase_ui * lp.samples_per_ui);
  if (cursor < 0)
    fail_key(s, "receiver.sampling_phase_ui",
             "places the sample before the symbol's pulse begins; expected a phase closer to 0");
  c.delay_symbols = static_cast<int>(cursor / lp.samples_per_ui);
  c.sample_in_ui = static_cast<int>(cursor % lp.samples_per_ui);
  // Count from the first symbol whose whole history went through filled filters.
  const std::size_t fill = out.setup.h1_taps.size() + out.setup.h2_taps.size() + ring_tail;
  c.warmup_symbols = c.delay_symbols + static_cast<std::int64_t>(fill / lp.samples_per_ui) + 2;
  // The pulse at the decision phase, one value per symbol, in A per unit symbol value (the
  // outer levels one apart): the equaliser's design input, and a report.
  {
    const std::size_t spu = static_cast<std::size_t>(lp.samples_per_ui);
    rep.pulse_a = signed_pulse;
    for (double& x : rep.pulse_a) x *= c.photocurrent_per_transmission_a;
    rep.pulse_cursor = cursor;
    rep.symbol_pulse_a.clear();
    for (std::size_t n = static_cast<std::size_t>(cursor) % spu; n < rep.pulse_a.size(); n += spu)
      rep.symbol_pulse_a.push_back(rep.pulse_a[n]);
    rep.symbol_pulse_cursor = static_cast<int>(static_cast<std::size_t>(cursor) / spu);
    rep.samples_per_ui = lp.samples_per_ui;
    rep.levels = lp.levels;
    rep.eye_target_ber = rp.eye_target_ber;
    rep.responsivity_a_per_w = lp.responsivity_a_per_w;
    rep.dark_current_a = lp.dark_current_a;
  }
  if (lp.rx_eq.enabled()) setup_equalizer(s, lp, rep, out.setup);
  if (lp.cdr.mode != 0) setup_cdr(s, lp, rep, out.setup);
  if (lp.tx_jitter.present()) {
    const TxJitterParams& j = lp.tx_jitter;
    if (j.sj_amplitude_ui > 0.0 && !(j.sj_frequency_hz > 0.0))
      fail_key(s, "tx_jitter.sj_frequency_mhz", "missing; sinusoidal jitter needs its frequency");
    if (!(j.sj_frequency_hz < 0.5 * lp.symbol_rate_hz))
      fail_key(s, "tx_jitter.sj_frequency_mhz",
               "must lie below half the symbol rate (the transitions sample it)");
    out.setup.jitter = jitter;
    // The transitions move by up to ~8 sigma plus the bounded terms: the warm-up covers it.
    c.warmup_symbols += 1 + static_cast<std::int64_t>(std::ceil(
                                8.0 * j.rj_rms_ui + j.sj_amplitude_ui + j.dcd_ui + j.buj_ui));
  }
  // With the lock loop, the loop's acquisition is not part of the link's error count.
  if (out.setup.thermal_loop.enabled)
    c.warmup_symbols += static_cast<std::int64_t>(std::ceil(lp.lock.settle_s * lp.symbol_rate_hz));

  // Seeds: noise keyed by (run seed, point); the pattern starts from its standard all-ones
  // state so every point sends the same symbols, as a pattern generator would.
  out.setup.noise_key = {rp.seed, static_cast<std::uint32_t>(point)};
  out.setup.prbs_seed = 0xffffffffu;
  return out;
}

}  // namespace ll

namespace ll {

std::vector<double> lane_wavelengths_m(const LaneParams& lp) {
  const int N = std::max(lp.wdm.channels, 1);
  std::vector<double> w(N);
  const double f_centre = kSpeedOfLight_m_per_s / lp.laser_wavelength_m;
  for (int j = 0; j < N; ++j) {
    // Lane 0 on the shortest wavelength; the grid is uniform in frequency about the laser key.
    const double f = f_centre - (j - 0.5 * (N - 1)) * (N > 1 ? lp.wdm.spacing_hz : 0.0);
    w[j] = kSpeedOfLight_m_per_s / f;
  }
  return w;
}

namespace {

// Ring k's all-pass model as channel `wavelength_m` sees it: ring k's coefficients and 2 pi L n_g,
// the channel as the "laser", and the distance from ring k's resonance at 0 V as the "detuning".
RingModulator<double> seen_from(const LinkConstants<double>& ring_k, double wavelength_m) {
  const RingModulator<double>& m = ring_k.ring;
  const double resonance_m = m.laser_wavelength_m - m.detuning_m;
  RingModulator<double> seen = m;
  seen.laser_wavelength_m = wavelength_m;
  seen.detuning_m = wavelength_m - resonance_m;
  return seen;
}

double neighbour_t(const RingModulator<double>& seen, const LinkConstants<double>& ring_k,
                   double v) {
  return ring_k.eo.points > 0 ? neighbour_transmission<double, true>(seen, ring_k.eo, v)
                              : neighbour_transmission<double, false>(seen, ring_k.eo, v);
}

}  // namespace

std::vector<PreparedLink> prepare_point(const Scenario& s, std::size_t point, const LaneParams& lp,
                                        const RunParams& rp) {
  const WdmParams& wdm = lp.wdm;
  if (wdm.channels == 0) return {prepare_link(s, point, lp, rp)};
  const int N = wdm.channels;
  if (!std::isfinite(wdm.spacing_hz))
    fail_key(s, "wdm.channels", "needs wdm.spacing_ghz, the channel spacing; it is missing");
  const std::vector<double> w = lane_wavelengths_m(lp);
  const WdmGrid grid{N, kSpeedOfLight_m_per_s / w.back(), wdm.spacing_hz};  // lowest f first

  // Every ring is designed for its channel: its cold resonance sits as far from its channel as
  // the scenario's ring sits from mrm.laser_wavelength_nm (designers trim each radius so that
  // the heaters only correct fabrication, instead of tuning across the grid).
  const RingFigures centre = ring_figures(geometry(lp));
  const double cold_below_laser_m = lp.laser_wavelength_m - centre.resonance_m;
  // The grid must fit within one FSR. The FSR in wavelength grows as lambda^2 across the grid;
  // the shortest channel's is the binding one.
  const double fsr_m =
      centre.fsr_m * (w.front() / lp.laser_wavelength_m) * (w.front() / lp.laser_wavelength_m);
  if (N > 1 && !grid_fits_fsr(grid, fsr_m) && !wdm.grid_beyond_fsr)
    fail_key(s, "wdm.spacing_ghz",
             std::to_string(N) + " channels at " + format_number(wdm.spacing_hz / 1e9, 6) +
                 " GHz span " + format_number(grid_period_m(grid) * 1e9, 4) +
                 " nm with one spacing of guard, wider than the modulator rings' FSR of " +
                 format_number(fsr_m * 1e9, 4) +
                 " nm: a ring would modulate two channels. Expected a smaller grid or smaller "
                 "rings (FSR ~ 1 / radius), or wdm.grid_beyond_fsr = true to simulate the "
                 "aliasing");

  // Demultiplexer: drop matrix and each drop ring's bandwidth.
  std::vector<double> drop(static_cast<std::size_t>(N) * N, 0.0);
  double drop_pole_hz = std::numeric_limits<double>::infinity();
  if (!wdm.demux_ring) {
    for (int i = 0; i < N; ++i) drop[i * N + i] = 1.0;
  } else {
    const char* keys[] = {"wdm.demux.radius_um", "wdm.demux.n_g", "wdm.demux.power_coupling_in",
                          "wdm.demux.power_coupling_drop", "wdm.demux.loss_db_per_cm"};
    const double values[] = {wdm.demux_radius_m, wdm.demux_n_g, wdm.demux_power_coupling_in,
                             wdm.demux_power_coupling_drop, wdm.demux_loss_db_per_m};
    for (int i = 0; i < 5; ++i)
      if (!std::isfinite(values[i]))
        fail_key(s, keys[i], "missing; wdm.demux.model = \"ring\" needs [wdm.demux] in full");
    std::vector<DemuxRing> rings(N);
    for (int i = 0; i < N; ++i) {
      rings[i].geometry = {wdm.demux_radius_m,          wdm.demux_n_g,           wdm.demux_n_g,
                           wdm.demux_power_coupling_in, wdm.demux_loss_db_per_m, w[i]};
      rings[i].drop_power_coupling = wdm.demux_power_coupling_drop;
      rings[i].resonance_m = w[i] + wdm.demux_resonance_offset_m;
    }
    const double demux_fsr_m = w.front() * w.front() /  // at the shortest channel
                               (wdm.demux_n_g * 2.0 * kPi * wdm.demux_radius_m);
    if (N > 1 && !grid_fits_fsr(grid, demux_fsr_m) && !wdm.grid_beyond_fsr)
      fail_key(s, "wdm.demux.radius_um",
               "gives drop rings an FSR of " + format_number(demux_fsr_m * 1e9, 4) +
                   " nm, narrower than the grid with one spacing of guard (" +
                   format_number(grid_period_m(grid) * 1e9, 4) +
                   " nm): a drop ring would take two channels. Expected a smaller radius, or "
                   "wdm.grid_beyond_fsr = true");
    const double x = std::sqrt(1.0 - wdm.demux_power_coupling_in) *
                     std::sqrt(1.0 - wdm.demux_power_coupling_drop) *
                     ring_round_trip_amplitude(rings[0].geometry);
    if (!((1.0 - x) < 2.0 * std::sqrt(x)))
      fail_key(s, "wdm.demux.power_coupling_drop",
               "the drop ring has no resonance (round-trip factor " + format_number(x, 4) +
                   "); expected weaker coupling or less loss");
    demux_matrix(rings.data(), N, w.data(), drop.data());
    // The centred drop ring's field response is a Lorentzian of half width FWHM/2 in frequency;
    // for intensity modulation its small-signal response is the same single pole (wdm_bus.hpp).
    const double fwhm_m = demux_ring_fwhm_m(rings[N / 2]);
    const double centre_m = rings[N / 2].resonance_m;
    drop_pole_hz = 0.5 * kSpeedOfLight_m_per_s * fwhm_m / (centre_m * centre_m);
  }

  std::vector<PreparedLink> lanes;
  lanes.reserve(N);
  for (int j = 0; j < N; ++j) {
    LaneParams lj = lp;
    lj.laser_wavelength_m = w[j];
    lj.drop_filter_pole_hz = drop_pole_hz;
    const RingFigures natural = ring_figures(geometry(lj));
    double offset_m = (w[j] - cold_below_laser_m) - natural.resonance_m;
    offset_m -= std::round(offset_m / natural.fsr_m) * natural.fsr_m;
    lj.ring_resonance_offset_m += offset_m;
    PreparedLink link = prepare_link(s, point, lj, rp);
    link.setup.noise_key.lane = static_cast<std::uint32_t>(j);
    // Lanes carry independent data: lane 0 starts from the standard all-ones state, the others
    // from a Philox draw keyed by (seed, point, lane).
    if (j > 0)
      link.setup.prbs_seed = philox_words(link.setup.noise_key, NoiseStream::pattern, 0)[0] | 1u;
    link.report.lane_wavelength_m = w[j];
    lanes.push_back(std::move(link));
  }

  // Bus data and the received levels with every other lane at its mean: the receiver's
  // thresholds sit at the midpoints of the levels it actually sees (an adaptive slicer).
  auto mean_over_levels = [&](auto&& f, const LinkConstants<double>& c) {
    double m = 0.0;
    for (int k = 0; k < c.levels; ++k) m += level_probability(c.levels, k) * f(c.level_drive_v[k]);
    return m;
  };
  // bus_mean[j] = R P_j loss E[T_j] prod_{k != j} E[T_k->j]: channel j's mean power on the bus;
  // neighbours_mean[j] = prod_{k != j} E[T_k->j].
  std::vector<double> bus_mean(N), neighbours_mean(N);
  for (int j = 0; j < N; ++j) {
    LinkSetup& lsj = lanes[j].setup;
    lsj.bus_seen.resize(N);
    lsj.bus_drop.assign(drop.begin() + j * N, drop.begin() + (j + 1) * N);
    double through = 1.0;
    for (int k = 0; k < N; ++k) {
      const LinkConstants<double>& ck = lanes[k].setup.constants;
      lsj.bus_seen[k] = seen_from(ck, w[j]);
      if (k == j) continue;
      through *=
          mean_over_levels([&](double v) { return neighbour_t(lsj.bus_seen[k], ck, v); }, ck);
    }
    neighbours_mean[j] = through;
    const LinkConstants<double>& cj = lsj.constants;
    bus_mean[j] = cj.photocurrent_per_transmission_a * through *
                  mean_over_levels([&](double v) { return ring_transmission(cj, v); }, cj);
  }
  for (int i = 0; i < N; ++i) {
    LinkConstants<double>& c = lanes[i].setup.constants;
    LinkReport& rep = lanes[i].report;
    double crosstalk_a = 0.0;
    for (int j = 0; j < N; ++j)
      if (j != i) crosstalk_a += drop[i * N + j] * bus_mean[j];
    auto received_a = [&](double drive_v) {
      return drop[i * N + i] * c.photocurrent_per_transmission_a * ring_transmission(c, drive_v) *
                 neighbours_mean[i] +
             crosstalk_a + c.dark_current_a;
    };
    for (int k = 0; k < c.levels; ++k) {
      rep.received_levels_a[k] = received_a(c.level_drive_v[k]);
      rep.settled_levels_a[k] = received_a(rep.settled_drive_v[k]);
    }
    rep.bus_through_db = -10.0 * std::log10(neighbours_mean[i]);
    rep.demux_crosstalk_db = crosstalk_a > 0.0
                                 ? 10.0 * std::log10(crosstalk_a / (drop[i * N + i] * bus_mean[i]))
                                 : -std::numeric_limits<double>::infinity();
    set_decision_levels(s, rep, c);
  }
  return lanes;
}

}  // namespace ll
