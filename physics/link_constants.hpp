// A link's constants as the engine's per-sample physics reads them (LinkConstants: the ring, the
// electro-optic and coupled-mode tables, the received levels, thresholds and noise), and the
// per-sample formulas on them that every stage shares: the ring's transmission, the receiver's
// noisy sample and the decision. The stage functors that use them: physics/lane.hpp.
#pragma once

#include "physics/complex.hpp"
#include "physics/eml.hpp"
#include "physics/microled.hpp"
#include "physics/config.hpp"
#include "physics/fec.hpp"
#include "physics/mrm.hpp"
#include "physics/mzm.hpp"
#include "physics/noise.hpp"
#include "physics/prbs.hpp"
#include "physics/receiver_noise.hpp"
#include "physics/ring_dynamics.hpp"

namespace ll {

// Electro-optic table for a nonlinear (PN-junction) modulator: the resonance shift and the ring
// loss move with voltage as the depletion width does (physics/junction.hpp). The host evaluates
// the junction model in double at kEoTablePoints voltages spanning the drive range with margin;
// each sample interpolates linearly. With spacing dV the interpolation error is dV^2/8 |s''|,
// about 1e-4 of a linewidth for the default ring (tests/test_junction_lane.cpp bounds it).
inline constexpr int kEoTablePoints = 128;

// Where v falls in a uniform table: interval i (0 .. points-2) and fraction f in [0, 1],
// clamped at the ends (the host spans the reachable voltages).
template <class Real>
LL_HD LL_FORCEINLINE void table_position(Real v, Real v_first, Real inv_step, int points, int* i,
                                         Real* f) {
  Real x = (v - v_first) * inv_step;
  const Real last = static_cast<Real>(points - 1);
  x = x < Real(0) ? Real(0) : (x > last ? last : x);
  int k = static_cast<int>(x);
  if (k > points - 2) k = points - 2;
  *i = k;
  *f = x - static_cast<Real>(k);
}

template <class Real>
struct EoTable {
  int points;                    // 0: the linear model (shift_m_per_v), no table
  Real v_first;                  // voltage of entry 0
  Real inv_step_v;               // 1 / spacing
  Real shift_m[kEoTablePoints];  // resonance shift from its 0 V position
  Real num0[kEoTablePoints];     // static all-pass coefficients with the loss at that voltage
  Real den0[kEoTablePoints];
  Real four_ar[kEoTablePoints];
  Real gamma_t[kEoTablePoints];  // coupled-mode field decay per sample at that voltage
  // The through port's field (a fibre after the ring): r - a, 1 - a r and a at that voltage, each
  // formed in double (RingModulator::field's form, a moving with the junction's loss).
  Real r_minus_a[kEoTablePoints];
  Real one_minus_ar[kEoTablePoints];
  Real a[kEoTablePoints];

  struct Entry {
    Real shift_m, num0, den0, four_ar, gamma_t;
  };
  struct FieldEntry {
    Real shift_m, r_minus_a, one_minus_ar, a, ar;
  };
  // Linear interpolation, clamped at the ends (the host spans the reachable voltages).
  LL_HD LL_FORCEINLINE Entry at(Real v) const {
    int i;
    Real f;
    table_position(v, v_first, inv_step_v, points, &i, &f);
    auto lerp = [&](const Real* t) { return t[i] + f * (t[i + 1] - t[i]); };
    return {lerp(shift_m), lerp(num0), lerp(den0), lerp(four_ar), lerp(gamma_t)};
  }
  LL_HD LL_FORCEINLINE FieldEntry field_at(Real v) const {
    int i;
    Real f;
    table_position(v, v_first, inv_step_v, points, &i, &f);
    auto lerp = [&](const Real* t) { return t[i] + f * (t[i + 1] - t[i]); };
    return {lerp(shift_m), lerp(r_minus_a), lerp(one_minus_ar), lerp(a),
            Real(0.25) * lerp(four_ar)};
  }
};

// The coupled-mode map of one sample, (A, B), is a smooth function of the drive voltage alone
// (for either electro-optic model), so the host tabulates it in double and each sample
// interpolates: no exp/sin/cos per sample. A and B change by parts in 1e3 over the swing; with
// 128 points the interpolation error dV^2/8 |A''| is about 1e-9, far below float rounding
// (tests/test_ring_dynamics.cpp bounds the tabulated scan against the exact double recurrence).
inline constexpr int kCmtTablePoints = 128;

template <class Real>
struct CmtTable {
  int points;  // 0: evaluate the map exactly per sample
  Real v_first, inv_step_v;
  Real a_re[kCmtTablePoints], a_im[kCmtTablePoints];
  Real b_re[kCmtTablePoints], b_im[kCmtTablePoints];

  LL_HD LL_FORCEINLINE AffineMap<Real> at(Real v) const {
    int i;
    Real f;
    table_position(v, v_first, inv_step_v, points, &i, &f);
    return {{a_re[i] + f * (a_re[i + 1] - a_re[i]), a_im[i] + f * (a_im[i + 1] - a_im[i])},
            {b_re[i] + f * (b_re[i + 1] - b_re[i]), b_im[i] + f * (b_im[i + 1] - b_im[i])}};
  }
};

// Everything the per-sample physics of one link needs, precomputed on the host in double and
// converted to Real. Trivially copyable; one per link in device memory.
// The modulator a link runs (LinkConstants::modulator, BatchSetup::modulator).
inline constexpr int kModulatorRing = 0, kModulatorMzm = 1, kModulatorEml = 2,
                     kModulatorMicroLed = 3, kModulatorNone = 4;
// An electrical lane (kModulatorNone) has no optics: its "transmission" is the differential
// voltage at the receiver's input, the drive through H1 (the channel), and the photodiode's
// current per unit transmission is the current that voltage drives into the receiver's
// termination, 1 / kTerminationOhm (the engine's signals stay in A; the termination is a scale
// that no BER depends on).
inline constexpr double kTerminationOhm = 100.0;  // IEEE 802.3's differential reference impedance

template <class Real>
struct LinkConstants {
  int levels;                      // M: 2 (NRZ), 4 (PAM4), 6 (PAM6), 8 (PAM8)
  SymbolMapping mapping;           // bits per label, symbols per label (PAM6: 5 bits, 2)
  Real level_drive_v[kMaxLevels];  // drive voltage of each PAM level index (0 = lowest)
  // The DC operating point the linear stages ahead of the ring act around: the drive is
  // bias + sum_m (V(level_m) - bias) p_m, so a transmit FFE (DC gain below 1) or any H1 scales
  // the levels' excursions, not the bias.
  Real drive_bias_v;
  // Transmit DAC (dac_codes = 0: none, the FFE folded into H1). With one, the transmit FFE is
  // formed per symbol, u_n = sum_k dac_ffe[k] (V(level_{n-k}) - bias), and the DAC outputs the
  // nearest of its codes dac_low_v + i dac_step_v (i < dac_codes, relative to the bias) ahead of
  // the rest of H1 (symbol_excursion_v).
  int dac_codes;
  Real dac_ffe[kTxFfeTaps];
  Real dac_low_v, dac_step_v;
  RingModulator<Real> ring;              // static all-pass model
  RingCmt<Real> cmt;                     // dynamic (coupled-mode) model, when the batch runs it
  EoTable<Real> eo;                      // nonlinear electro-optic model (points = 0: linear pm/V)
  CmtTable<Real> cmt_map;                // the dynamic model's per-sample map, tabulated in V
  MzmModulator<Real> mzm;                // a Mach-Zehnder modulator instead (kModulatorMzm)
  EmlModulator<Real> eml;                // an electro-absorption modulated laser (kModulatorEml)
  MicroLed<Real> led;                    // a directly modulated micro-LED (kModulatorMicroLed)
  int modulator;                         // kModulatorRing (0), kModulatorMzm, ... (above)
  Real photocurrent_per_transmission_a;  // laser power x optical loss x responsivity
  Real dark_current_a;
  // Receiver noise variance at photocurrent I (A^2): const + shot * I + rin * I^2, over the
  // receiver noise bandwidth (thermal/TIA, 2 q I B, RIN I^2 B).
  Real noise_var_const_a2;
  Real noise_var_shot_a;
  Real noise_var_rin;
  // Decisions: thresholds ascending in photocurrent; region k (k thresholds below the sample)
  // decodes to PAM level index level_of_region[k] (the ring may invert the level order).
  Real threshold_a[kMaxLevels - 1];
  std::uint8_t level_of_region[kMaxLevels];
  // Eye histogram amplitude axis: normalised y = (I - eye_offset_a) / eye_scale_a.
  Real eye_offset_a;
  Real eye_scale_a;
  // Timing: symbol k is decided from absolute sample k * samples_per_ui + delay_samples, where
  // delay_samples = delay_symbols * samples_per_ui + sample_in_ui (the chain's pulse-response
  // peak plus the sampling-phase offset). Symbols before warmup_symbols are not counted.
  int delay_symbols;
  int sample_in_ui;
  std::int64_t warmup_symbols;
  int fec_interleave;  // RS(544,514) codewords interleaved per FEC symbol (physics/fec.hpp)
  int fec_inner;       // 1: the bits pass the inner Hamming(128,120) code first
  // An FFE with taps after the newest sample decides each symbol this many symbols late
  // (physics/equalizer.hpp); 0 for the plain decision.
  int decision_lag_symbols;
};

// Converts the double-precision constants to another precision (float for the GPU).
template <class To, class From>
LinkConstants<To> convert_constants(const LinkConstants<From>& c) {
  LinkConstants<To> o{};
  o.levels = c.levels;
  o.mapping = c.mapping;
  for (int i = 0; i < kMaxLevels; ++i) o.level_drive_v[i] = static_cast<To>(c.level_drive_v[i]);
  o.drive_bias_v = static_cast<To>(c.drive_bias_v);
  o.dac_codes = c.dac_codes;
  for (int i = 0; i < kTxFfeTaps; ++i) o.dac_ffe[i] = static_cast<To>(c.dac_ffe[i]);
  o.dac_low_v = static_cast<To>(c.dac_low_v);
  o.dac_step_v = static_cast<To>(c.dac_step_v);
  o.ring = c.ring.template converted<To>();
  o.cmt = {static_cast<To>(c.cmt.gamma_t),    static_cast<To>(c.cmt.kappa_t),
           static_cast<To>(c.cmt.omega_t_m),  static_cast<To>(c.cmt.laser_wavelength_m),
           static_cast<To>(c.cmt.detuning_m), static_cast<To>(c.cmt.shift_m_per_v)};
  auto convert_array = [](const auto& from, auto& to) {
    for (std::size_t i = 0; i < sizeof(from) / sizeof(from[0]); ++i)
      to[i] = static_cast<To>(from[i]);
  };
  o.eo.points = c.eo.points;
  o.eo.v_first = static_cast<To>(c.eo.v_first);
  o.eo.inv_step_v = static_cast<To>(c.eo.inv_step_v);
  convert_array(c.eo.shift_m, o.eo.shift_m);
  convert_array(c.eo.num0, o.eo.num0);
  convert_array(c.eo.den0, o.eo.den0);
  convert_array(c.eo.four_ar, o.eo.four_ar);
  convert_array(c.eo.gamma_t, o.eo.gamma_t);
  convert_array(c.eo.r_minus_a, o.eo.r_minus_a);
  convert_array(c.eo.one_minus_ar, o.eo.one_minus_ar);
  convert_array(c.eo.a, o.eo.a);
  o.cmt_map.points = c.cmt_map.points;
  o.cmt_map.v_first = static_cast<To>(c.cmt_map.v_first);
  o.cmt_map.inv_step_v = static_cast<To>(c.cmt_map.inv_step_v);
  convert_array(c.cmt_map.a_re, o.cmt_map.a_re);
  convert_array(c.cmt_map.a_im, o.cmt_map.a_im);
  convert_array(c.cmt_map.b_re, o.cmt_map.b_re);
  convert_array(c.cmt_map.b_im, o.cmt_map.b_im);
  o.mzm = c.mzm.template converted<To>();
  o.eml = c.eml.template converted<To>();
  o.led = c.led.template converted<To>();
  o.modulator = c.modulator;
  o.photocurrent_per_transmission_a = static_cast<To>(c.photocurrent_per_transmission_a);
  o.dark_current_a = static_cast<To>(c.dark_current_a);
  o.noise_var_const_a2 = static_cast<To>(c.noise_var_const_a2);
  o.noise_var_shot_a = static_cast<To>(c.noise_var_shot_a);
  o.noise_var_rin = static_cast<To>(c.noise_var_rin);
  for (int i = 0; i < kMaxLevels - 1; ++i) o.threshold_a[i] = static_cast<To>(c.threshold_a[i]);
  for (int i = 0; i < kMaxLevels; ++i) o.level_of_region[i] = c.level_of_region[i];
  o.eye_offset_a = static_cast<To>(c.eye_offset_a);
  o.eye_scale_a = static_cast<To>(c.eye_scale_a);
  o.delay_symbols = c.delay_symbols;
  o.sample_in_ui = c.sample_in_ui;
  o.warmup_symbols = c.warmup_symbols;
  o.fec_interleave = c.fec_interleave;
  o.fec_inner = c.fec_inner;
  o.decision_lag_symbols = c.decision_lag_symbols;
  return o;
}

// The ring's static power transmission at drive voltage v under the link's electro-optic model.
template <class Real>
LL_HD LL_FORCEINLINE Real ring_transmission_junction(const LinkConstants<Real>& c, Real v) {
  const typename EoTable<Real>::Entry e = c.eo.at(v);
  return allpass_transmission_coeffs(e.num0, e.den0, e.four_ar, c.ring.phase_of_shift(e.shift_m));
}
template <class Real>
LL_HD LL_FORCEINLINE Real ring_transmission(const LinkConstants<Real>& c, Real v) {
  return c.eo.points == 0 ? c.ring.transmission(v) : ring_transmission_junction(c, v);
}
// The modulator's static power transmission and its field (the set-up's levels, the responses):
// the ring's (its static pm/V model's field), the MZM's or the EML's.
template <class Real>
LL_HD LL_FORCEINLINE Real modulator_transmission(const LinkConstants<Real>& c, Real v) {
  return c.modulator == kModulatorMzm        ? c.mzm.transmission(v)
         : c.modulator == kModulatorEml      ? c.eml.transmission(v)
         : c.modulator == kModulatorMicroLed ? c.led.transmission(v)  // steady light, W
         : c.modulator == kModulatorNone     ? v                          // the wire's voltage
                                             : ring_transmission(c, v);
}
// The ring's through-port field under its electro-optic model: the static pm/V model's, or the
// PN junction's with the loss and the resonance both moving with V (tabulated, interpolated).
// The PN junction's (its table) alone: the per-sample loops pick the model once per batch
// (ModulatorToField's Junction), since a branch per sample between the two keeps the static ring's
// loop from vectorising (measured: 2 km of fibre after the ring ran at 0.90 instead of 1.91
// Msymbol/s, scripts/BENCHMARKS.md).
template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> junction_ring_field(const LinkConstants<Real>& c, Real v) {
  const typename EoTable<Real>::FieldEntry e = c.eo.field_at(v);
  return allpass_field(e.r_minus_a, e.one_minus_ar, e.a, e.ar, c.ring.phase_of_shift(e.shift_m));
}
template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> ring_field(const LinkConstants<Real>& c, Real v) {
  return c.eo.points == 0 ? c.ring.field(v) : junction_ring_field(c, v);
}
template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> modulator_field(const LinkConstants<Real>& c, Real v) {
  // (a micro-LED has no coherent field: the set-up refuses a fibre after one)
  return c.modulator == kModulatorMzm   ? c.mzm.field(v)
         : c.modulator == kModulatorEml ? c.eml.field(v)
                                        : ring_field(c, v);
}

// One sample's coupled-mode map at drive voltage v under the link's electro-optic model.
template <class Real>
LL_HD LL_FORCEINLINE AffineMap<Real> cmt_step_exact(const LinkConstants<Real>& c, Real v) {
  if (c.eo.points == 0) return cmt_step(c.cmt, v);
  const typename EoTable<Real>::Entry e = c.eo.at(v);
  return cmt_step_at(e.gamma_t, c.cmt.kappa_t, c.cmt.detuning_per_sample_of_shift(e.shift_m));
}

// Tabulates the dynamic ring's per-sample map over [v_first, v_last] from its exact evaluation
// (host side, double).
inline void fill_cmt_table(LinkConstants<double>& c, double v_first, double v_last) {
  const double step = (v_last - v_first) / (kCmtTablePoints - 1);
  c.cmt_map.points = 0;  // evaluate exactly while filling
  for (int i = 0; i < kCmtTablePoints; ++i) {
    const AffineMap<double> m = cmt_step_exact(c, v_first + step * i);
    c.cmt_map.a_re[i] = m.a.re;
    c.cmt_map.a_im[i] = m.a.im;
    c.cmt_map.b_re[i] = m.b.re;
    c.cmt_map.b_im[i] = m.b.im;
  }
  c.cmt_map.v_first = v_first;
  c.cmt_map.inv_step_v = 1.0 / step;
  c.cmt_map.points = kCmtTablePoints;
}

// What the engine evaluates per sample: the tabulated map when the host built one.
template <class Real>
LL_HD LL_FORCEINLINE AffineMap<Real> cmt_step_for(const LinkConstants<Real>& c, Real v) {
  if (c.cmt_map.points > 0) return c.cmt_map.at(v);
  return cmt_step_exact(c, v);
}

template <class Real>
LL_HD LL_FORCEINLINE Real noise_sigma(const LinkConstants<Real>& c, Real current_a) {
  return math_sqrt(receiver_noise_variance(c.noise_var_const_a2, c.noise_var_shot_a,
                                           c.noise_var_rin, current_a));
}

// What the receiver sees at absolute sample `index`: the noiseless current plus its noise draw
// (stream `receiver`, keyed by the sample, so every decision path and the eye draw the same).
template <class Real>
LL_HD LL_FORCEINLINE Real noisy_sample(const LinkConstants<Real>& c, NoiseKey key, Real clean_a,
                                       std::uint64_t index) {
  const Real z = standard_normal(key, NoiseStream::receiver, index);
  return clean_a + noise_sigma(c, clean_a) * z;
}

// A decision as the decision stages hand it to CountErrors: the level sent and the level
// decided, one byte (levels < 8). Scoring it in bits waits for CountErrors, which sees the
// symbols in order: a PAM6 label spans two decisions.
LL_HD LL_FORCEINLINE std::uint8_t pack_decision(unsigned tx_level, unsigned rx_level) {
  return static_cast<std::uint8_t>(tx_level | (rx_level << 3));
}
LL_HD LL_FORCEINLINE unsigned decision_tx(std::uint8_t d) { return d & 7u; }
LL_HD LL_FORCEINLINE unsigned decision_rx(std::uint8_t d) { return (d >> 3) & 7u; }

template <class Real>
LL_HD LL_FORCEINLINE unsigned decide_level(const LinkConstants<Real>& c, Real sample_a) {
  unsigned region = 0;
  for (int t = 0; t < c.levels - 1; ++t) region += sample_a > c.threshold_a[t] ? 1u : 0u;
  return c.level_of_region[region];
}

}  // namespace ll
