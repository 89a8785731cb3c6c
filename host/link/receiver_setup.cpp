// The receiver's equaliser ([rx_eq]) and clock recovery ([cdr]) of one link, designed from the
// received levels and the chain's pulse response (steps of prepare_link,
// host/link/lane_setup_steps.hpp).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "host/link/equalizer.hpp"
#include "host/link/lane_setup_steps.hpp"

namespace ll::setup_steps {
namespace {

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

}  // namespace

// The receiver's FFE and DFE ([rx_eq], physics/equalizer.hpp): symbol values from the received
// levels, the MMSE taps from the chain's pulse response at the decision phase
// (host/link/equalizer.cpp), or, for LMS, a cursor-only start. The FFE's pre-cursor taps delay each
// decision by as many symbols; the warm-up grows by the equaliser's span so its history is the
// line's.
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

}  // namespace ll::setup_steps
