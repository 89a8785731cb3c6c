// The constants of one link that follow from its levels: the PAM drive levels (through the
// DAC), the received and settled levels, the extinction ratio, thresholds and the eye's axis;
// and the receiver noise, its bandwidth and variances (steps of prepare_link,
// host/link/lane_setup_steps.hpp; the noise formulas in physics/receiver_noise.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "host/link/filter_design.hpp"
#include "host/link/lane_setup_steps.hpp"
#include "physics/receiver_noise.hpp"

namespace ll::setup_steps {
namespace {

// An electrical lane's: the termination's conductance, and a flat loss (the margin's search
// attenuates the voltage through optics.extra_loss_db: 20 log10, an amplitude's dB).
double photocurrent_per_transmission(const LaneParams& lp) {
  if (lp.modulator == Modulator::none)
    return std::pow(10.0, -lp.extra_loss_db / 20.0) / kTerminationOhm;
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
               "\"optical\" needs the modulator's transmission to be monotonic over the drive "
               "swing; it turns at " +
                   format_number(v_lo + (v_hi - v_lo) * i / n, 4) +
                   (lp.modulator == Modulator::mzm
                        ? " V (reduce driver.swing_vpp under V_pi, or move mzm.bias_phase_deg)"
                        : " V (move mrm.detuning_pm or reduce driver.swing_vpp)"));
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

// The nearest DAC code to a drive voltage (identity without a DAC).
double dac_code_v(const LinkConstants<double>& c, double v) {
  if (c.dac_codes == 0) return v;
  return c.drive_bias_v + dac_nearest_code_v(c, v - c.drive_bias_v);
}

}  // namespace

// PAM levels and what the receiver sees of them.
std::vector<double> setup_levels(const Scenario& s, const LaneParams& lp, double cursor_gain,
                                 LinkReport& rep, LinkSetup& link) {
  LinkConstants<double>& c = link.constants;
  auto transmission = [&c](double v) { return modulator_transmission(c, v); };
  c.levels = lp.levels;
  c.mapping = symbol_mapping(lp.levels);
  c.fec_interleave = lp.fec_interleave;
  c.fec_inner = lp.fec_inner_hamming ? 1 : 0;
  rep.fec_frame_bits = 8 * lp.fec_frame_octets;
  c.drive_bias_v = lp.drive_bias_v;
  std::vector<double> v = drive_levels(lp, transmission, s);
  for (double& level_v : v) level_v = dac_code_v(c, level_v);  // a DAC sends its nearest code
  c.photocurrent_per_transmission_a = photocurrent_per_transmission(lp);
  c.dark_current_a = lp.modulator == Modulator::none ? 0.0 : lp.dark_current_a;
  // The drive a long run of one level settles at: the whole H1's DC gain (a channel's FIR has
  // unit DC gain, a transmit FFE sum c / sum |c|).
  double dc_gain = 1.0;
  if (!link.h1_taps.empty())
    dc_gain = std::accumulate(link.h1_taps.begin(), link.h1_taps.end(), 0.0);
  for (int k = 0; k < lp.levels; ++k) {
    c.level_drive_v[k] = v[k];
    rep.received_levels_a[k] = photodiode_current_a(
        c, transmission(lp.drive_bias_v + (v[k] - lp.drive_bias_v) * cursor_gain));
    rep.settled_drive_v[k] = lp.drive_bias_v + (v[k] - lp.drive_bias_v) * dc_gain;
    rep.settled_levels_a[k] = photodiode_current_a(c, transmission(rep.settled_drive_v[k]));
  }
  const double v_lo = lp.drive_bias_v - 0.5 * lp.drive_swing_vpp;
  const double v_hi = lp.drive_bias_v + 0.5 * lp.drive_swing_vpp;
  const double t_lo = transmission(v_lo), t_hi = transmission(v_hi);
  rep.extinction_ratio_db =
      lp.modulator == Modulator::none  // an optical figure
          ? std::numeric_limits<double>::quiet_NaN()
          : 10.0 * std::log10(std::max(t_lo, t_hi) / std::min(t_lo, t_hi));
  set_decision_levels(s, rep, c);
  return v;
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

void setup_noise(const Scenario& s, const LaneParams& lp, double fs, double ctle_noise_enhancement,
                 LinkReport& rep, LinkSetup& link) {
  // Noise: white at the photodiode, counted over the receiver's equivalent noise bandwidth.
  if (std::isfinite(lp.noise_bandwidth_hz))
    rep.noise_bandwidth_hz = lp.noise_bandwidth_hz * ctle_noise_enhancement;
  else if (!link.h2_taps.empty())
    rep.noise_bandwidth_hz = fir_noise_bandwidth_hz(link.h2_taps, fs);
  else
    fail_key(s, "receiver.noise_bandwidth_ghz",
             "missing; with receiver.bandwidth_ghz = inf the noise bandwidth must be given");
  const double bn = rep.noise_bandwidth_hz;
  // A WDM lane's drop ring filters the optical signal ahead of the photodiode; the noise arises
  // after it, so the pole joins the signal's H2 but not the noise bandwidth above.
  if (std::isfinite(lp.drop_filter_pole_hz)) {
    check_bandwidth(s, lp, fs, "wdm.demux.power_coupling_drop", lp.drop_filter_pole_hz);
    link.h2_taps = convolve_fir(link.h2_taps, design_rc_fir(lp.drop_filter_pole_hz, fs));
  }
  // The variances' coefficients (physics/receiver_noise.hpp): thermal/TIA, shot (when on), RIN
  // (when the laser has one).
  LinkConstants<double>& c = link.constants;
  c.noise_var_const_a2 = tia_noise_variance_a2(lp.tia_noise_a_per_rthz, bn);
  if (lp.modulator == Modulator::none) {
    // An electrical lane: the receiver's input-referred voltage noise, eta_0 B_n (COM's), as the
    // current it is in the termination; no photodiode, so no shot noise and no RIN.
    c.noise_var_const_a2 = lp.eta0_v2_per_hz * bn / (kTerminationOhm * kTerminationOhm);
    c.noise_var_shot_a = c.noise_var_rin = 0.0;
    return;
  }
  c.noise_var_shot_a = lp.shot_noise ? shot_noise_variance_a2_per_a(bn) : 0.0;
  c.noise_var_rin = std::isfinite(lp.laser_rin_db_per_hz)
                        ? rin_noise_variance_a2_per_a2(lp.laser_rin_db_per_hz, bn)
                        : 0.0;
}

}  // namespace ll::setup_steps
