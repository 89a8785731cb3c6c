// The host SerDes receiver's equaliser in the engine: a symbol-spaced FFE on the noisy decision
// samples and a DFE fed back from the decisions (so a wrong decision corrupts the next ones:
// error propagation is real), with the taps fixed (MMSE from the pulse response, set by the
// host: host/link/equalizer.cpp) or adapted by sign-free LMS during the run.
//
// Signal model (per link): the decision sample of symbol n, y_n (A), has the mean current I_mid
// of the levels removed, y'_n = y_n - I_mid. Each PAM level has a symbol value a (its received
// level current relative to I_mid, over the outer levels' span S = I_top - I_bottom: the outer
// levels are -1/2 and +1/2, inner ones where the ring's nonlinearity puts them). The equalised
// sample is
//     z_n = I_mid + sum_i c_i y'_{n - i} - S sum_k b_k a(d_{n-k}),
// y first converted by an ADC of 2^bits uniform codes over a full scale centred on I_mid (the
// code's centre; none by default),
// taps c_0 .. c_{F-1} with the cursor at c_pre (so the decision lags the newest sample by `pre`
// symbols), d the decided levels, and the decision thresholds those of the link (midpoints of
// the received levels). LMS, with e_n = z_n - (I_mid + S a(d_n)):
//     c_i <- c_i - mu e_n y'_{n-i} / S^2,   b_k <- b_k + mu e_n a(d_{n-k}) / S,
// normalised by the swing so mu is dimensionless (0 < mu << 1); DFE taps clamp to +-b_max. The
// reference is the level sent, not the one decided (training on the known pattern): from a
// closed eye decision-directed LMS can lock onto wrong decisions.
#pragma once

#include <cstdint>

#include "physics/config.hpp"
#include "physics/lane.hpp"
#include "physics/noise.hpp"
#include "physics/prbs.hpp"

namespace ll {

inline constexpr int kMaxFfeTaps = 32;
inline constexpr int kMaxDfeTaps = 16;
inline constexpr int kEqHistory = kMaxFfeTaps - 1;  // decision samples carried across chunks

template <class Real>
struct RxEqualizerConstants {
  int ffe_taps;  // 0: no equaliser (the plain decision)
  int ffe_pre;   // taps before the cursor
  int dfe_taps;
  int adapt_lms;                 // 1: LMS during the run
  Real lms_step;                 // mu
  Real dfe_limit;                // |b_k| <= this
  Real mid_a;                    // I_mid
  Real swing_a;                  // S (signed: negative when the ring inverts the levels)
  Real level_value[kMaxLevels];  // a of each level index
  // ADC ahead of the FFE: adc_codes uniform codes of adc_step from adc_low (0: no ADC).
  int adc_codes;
  Real adc_low, adc_step;
};

// The ADC's output for input y: the centre of its code, the codes clamped at full scale.
template <class Real>
LL_HD LL_FORCEINLINE Real adc_quantize(const RxEqualizerConstants<Real>& e, Real y) {
  if (e.adc_codes == 0) return y;
  Real code = floor((y - e.adc_low) / e.adc_step);
  const Real last = static_cast<Real>(e.adc_codes - 1);
  code = code < Real(0) ? Real(0) : (code > last ? last : code);
  return e.adc_low + (code + Real(0.5)) * e.adc_step;
}

// Taps and the decisions the DFE still needs, per link, carried across chunks.
template <class Real>
struct RxEqualizerState {
  Real ffe[kMaxFfeTaps];
  Real dfe[kMaxDfeTaps];
  std::uint8_t past[kMaxDfeTaps];  // past[k]: the level decided k + 1 symbols ago
};

// Step 1 (parallel over links x symbols): the noisy decision sample of every symbol of the chunk,
// after the carried history: ys[link][kEqHistory + j]. The noise draw is the plain decision's.
template <class Real>
struct SampleSymbols {
  const LinkConstants<Real>* links;
  const Real* at_decisions;  // [links][chunk_symbols]: the received signal at the decisions
  Real* ys;                  // [links][kEqHistory + chunk]
  NoiseKey* keys;
  int chunk_symbols, samples_per_ui;
  std::uint64_t chunk_first_sample;
  LL_HD LL_FORCEINLINE void operator()(std::size_t link, std::size_t col) const {
    const LinkConstants<Real>& c = links[link];
    const std::size_t n = col * samples_per_ui + c.sample_in_ui;
    ys[link * (kEqHistory + chunk_symbols) + kEqHistory + col] =
        noisy_sample(c, keys[link], at_decisions[link * chunk_symbols + col], chunk_first_sample + n);
  }
};

// Step 2 (one thread per link, in symbol order): FFE, DFE, decision, LMS.
template <class Real>
struct EqualizeAndDecide {
  const LinkConstants<Real>* links;
  const RxEqualizerConstants<Real>* eq;
  RxEqualizerState<Real>* state;
  Real* ys;                       // [links][kEqHistory + chunk]: converted by the ADC here
  const std::uint8_t* tx_levels;  // [links][history + chunk]
  std::uint8_t* decisions;        // [links][chunk]: pack_decision
  const LinkCounters* counters;   // adaptation stops with the link
  int history_symbols, chunk_symbols;
  LL_HD void operator()(std::size_t link, std::size_t) const {
    const LinkConstants<Real>& c = links[link];
    const RxEqualizerConstants<Real>& e = eq[link];
    RxEqualizerState<Real> s = state[link];
    Real* y = ys + link * (kEqHistory + chunk_symbols) + kEqHistory;
    // The ADC converts each new sample once (the FFE's history holds converted samples).
    for (int j = 0; j < chunk_symbols; ++j) y[j] = adc_quantize(e, y[j]);
    const bool adapt = e.adapt_lms != 0 && counters[link].stop_reason == 0;
    const Real inv_s = Real(1) / e.swing_a;
    for (int j = 0; j < chunk_symbols; ++j) {
      Real z = e.mid_a;
      for (int i = 0; i < e.ffe_taps; ++i) z += s.ffe[i] * (y[j - i] - e.mid_a);
      for (int k = 0; k < e.dfe_taps; ++k) z -= e.swing_a * s.dfe[k] * e.level_value[s.past[k]];
      const unsigned rx_level = decide_level(c, z);
      const unsigned tx_level =
          tx_levels[link * (history_symbols + chunk_symbols) + history_symbols + j -
                    c.delay_symbols - c.decision_lag_symbols];
      decisions[link * chunk_symbols + j] = pack_decision(tx_level, rx_level);
      if (adapt) {
        // Data-aided: the reference is the level sent (the pattern is known to the receiver, as
        // in link training), so LMS converges from a closed eye too.
        const Real err = z - (e.mid_a + e.swing_a * e.level_value[tx_level]);
        const Real g = e.lms_step * err * inv_s;
        for (int i = 0; i < e.ffe_taps; ++i) s.ffe[i] -= g * (y[j - i] - e.mid_a) * inv_s;
        for (int k = 0; k < e.dfe_taps; ++k) {
          Real b = s.dfe[k] + g * e.level_value[s.past[k]];
          b = b > e.dfe_limit ? e.dfe_limit : (b < -e.dfe_limit ? -e.dfe_limit : b);
          s.dfe[k] = b;
        }
      }
      for (int k = e.dfe_taps - 1; k > 0; --k) s.past[k] = s.past[k - 1];
      if (e.dfe_taps > 0) s.past[0] = static_cast<std::uint8_t>(rx_level);
    }
    state[link] = s;
  }
};

}  // namespace ll
