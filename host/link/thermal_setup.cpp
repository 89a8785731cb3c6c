// The heater of one link's ring ([mrm.thermal]): the steady-state lock and, with
// mrm.thermal.lock = "loop", the chunk-rate lock loop's set-up (steps of prepare_link,
// host/link/lane_setup_steps.hpp; the physics in physics/thermal.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "host/link/lane_setup_steps.hpp"

namespace ll::setup_steps {
namespace {

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

}  // namespace

// The steady-state thermal lock: the heater holds the ring's resonance at 0 V (hot, with
// self-heating at the mean transmission of the PAM levels) on lambda_L - detuning, wrapping to
// the next order when cheaper (physics/thermal.hpp). The lock holds the flank only while the
// self-heating loop gain G = s R_th f P |dT/dlambda| stays below 1.
void thermal_lock(const Scenario& s, const LaneParams& lp, const std::vector<double>& levels,
                  const LinkConstants<double>& c, LinkReport& rep) {
  auto transmission = [&c](double v) { return ring_transmission(c, v); };
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

// The chunk-rate lock loop (mrm.thermal.lock = "loop", kernels/engine/thermal_loop.hpp) of a ring
// whose steady-state lock holds. The operating point the constants were designed for is the lock:
// the heater at the steady-state setting, the ring warmed by the mean absorbed power there. The
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

}  // namespace ll::setup_steps
