// Clock and data recovery: the decision instant of each symbol follows a phase detector through a
// proportional-integral loop, sample by sample of the received waveform (linear interpolation
// between samples). Without it (the ideal CDR) every symbol is sampled at the pulse response's
// peak (physics/lane.hpp DecideSymbols).
//
// Phase detectors, on centred samples y' = y - I_mid and symbol values a(d) of the decisions
// (physics/equalizer.hpp's convention: outer levels -1/2 and +1/2 over the swing S):
//   - Mueller-Muller (type A): e_k = y'_k a(d_{k-1}) - y'_{k-1} a(d_k). With pulse response h
//     (A per unit a) sampled at offset tau, E[e] = var_a (h(tau + T) - h(tau - T)): it locks
//     where the first pre- and post-cursors are equal. The host gives the gain K = dE[e]/dtau
//     at that point, and the loop uses eps = e / K, an estimate of (tau - tau_lock) in samples.
//   - Bang-bang (Alexander): an edge sample halfway between symbols k-1 and k; when the
//     decisions differ, eps = sign((y_edge - (I(d_{k-1}) + I(d_k)) / 2) (I(d_k) - I(d_{k-1}))):
//     +1 when the edge sample has already crossed toward the new level (sampling late). It locks
//     with the edges half a UI from the data sample; the host linearises its gain with the
//     receiver noise at the edge, K_bb, and the loop uses eps / K_bb.
// Loop (per symbol): phase -= g_p eps + integral, integral += g_i eps, with g_p = 2 pi f_bw T
// (the first-order loop's bandwidth f_bw) and g_i = g_p^2 / 4 (critically damped). The phase is
// held within half a UI either side of the nominal decision sample, so the loop cannot slip a
// symbol. To read up to half a UI past the nominal sample, the CDR decides each symbol one
// symbol late (the host adds 1 to the link's decision lag), reading back into the previous
// chunk's last samples (`tail`) where needed.
#pragma once

#include <cstdint>

#include "physics/config.hpp"
#include "physics/lane.hpp"
#include "physics/noise.hpp"

namespace ll {

enum class CdrMode : int { ideal = 0, mueller_muller = 1, bang_bang = 2 };

template <class Real>
struct CdrConstants {
  int mode;                          // CdrMode
  Real inv_gain;                     // 1 / K (samples per unit of detector output)
  Real gain_p, gain_i;               // loop gains per symbol
  Real phase_min, phase_max;         // samples, relative to the nominal decision sample
  Real mid_a;                        // I_mid
  Real level_value[kMaxLevels];      // a of each level index
  Real level_current_a[kMaxLevels];  // I of each level index
  Real lock_samples;  // where the detector's mean output vanishes (host's model; a report)
};

template <class Real>
struct CdrState {
  Real phase;  // samples from the nominal decision sample
  Real integral;
  Real last_y;  // y' of the previous symbol
  std::uint8_t last_level;
  std::uint8_t started;
  double phase_sum, phase_sum2;  // over the symbols counted (for the report)
  std::uint64_t phase_count;
};

// The waveform at fractional sample t of this chunk (t may reach back into the previous chunk's
// last samples, kept in `tail`).
template <class Real>
LL_HD LL_FORCEINLINE Real interpolate_rx(const Real* rx, const Real* tail, int tail_len, Real t) {
  int i = static_cast<int>(floor(t));
  const Real f = t - static_cast<Real>(i);
  auto at = [&](int n) { return n >= 0 ? rx[n] : tail[tail_len + n]; };
  return at(i) + f * (at(i + 1) - at(i));
}

// One thread per link, in symbol order: sample at the recovered phase (with the decision's
// noise draw), decide with the link's thresholds, update the loop. Writes each symbol's sample
// (with noise) to ys (for an equaliser after it) and its decision.
template <class Real>
struct CdrDecide {
  const LinkConstants<Real>* links;
  const CdrConstants<Real>* cdr;
  CdrState<Real>* state;
  const Real* rx_a;  // [links][rx_stride] from rx_offset
  const Real* tail;  // [links][tail_len]: the previous chunk's last samples
  Real* ys;          // [links][kEqHistory + chunk] or nullptr
  int ys_history;
  const std::uint8_t* tx_levels;
  std::uint8_t* decisions;  // [links][chunk]: pack_decision
  NoiseKey* keys;
  const LinkCounters* counters;
  std::size_t rx_stride, rx_offset;
  int history_symbols, chunk_symbols, samples_per_ui, tail_len;
  std::uint64_t chunk_first_sample;
  std::int64_t chunk_first_symbol;  // absolute index of this chunk's first transmitted symbol
  LL_HD void operator()(std::size_t link, std::size_t) const {
    const LinkConstants<Real>& c = links[link];
    const CdrConstants<Real>& k = cdr[link];
    CdrState<Real> s = state[link];
    const Real* rx = rx_a + link * rx_stride + rx_offset;
    const Real* tl = tail + link * static_cast<std::size_t>(tail_len);
    const bool running = counters[link].stop_reason == 0;
    for (int j = 0; j < chunk_symbols; ++j) {
      const int nominal = (j - 1) * samples_per_ui + c.sample_in_ui;  // one symbol late
      const Real t = static_cast<Real>(nominal) + s.phase;
      const Real y = noisy_sample(
          c, keys[link], interpolate_rx(rx, tl, tail_len, t),
          static_cast<std::uint64_t>(static_cast<std::int64_t>(chunk_first_sample) + nominal));
      const unsigned level = decide_level(c, y);
      if (ys) ys[link * (ys_history + chunk_symbols) + ys_history + j] = y;
      const std::int64_t sent = chunk_first_symbol + j - c.delay_symbols - 1;
      const unsigned tx_level = tx_levels[link * (history_symbols + chunk_symbols) +
                                          history_symbols + j - c.delay_symbols - 1];
      decisions[link * chunk_symbols + j] = pack_decision(tx_level, level);
      // Phase detector.
      Real eps = Real(0);
      if (s.started) {
        if (k.mode == static_cast<int>(CdrMode::mueller_muller)) {
          const Real e =
              (y - k.mid_a) * k.level_value[s.last_level] - s.last_y * k.level_value[level];
          eps = e * k.inv_gain;
        } else if (k.mode == static_cast<int>(CdrMode::bang_bang) && level != s.last_level) {
          const Real te = t - Real(0.5) * static_cast<Real>(samples_per_ui);
          const Real edge = interpolate_rx(rx, tl, tail_len, te);
          const Real ref = Real(0.5) * (k.level_current_a[s.last_level] + k.level_current_a[level]);
          const Real dir = k.level_current_a[level] - k.level_current_a[s.last_level];
          const Real v = (edge - ref) * dir;
          eps = (v > Real(0) ? Real(1) : (v < Real(0) ? Real(-1) : Real(0))) * k.inv_gain;
        }
      }
      s.phase -= k.gain_p * eps + s.integral;
      s.integral += k.gain_i * eps;
      s.phase =
          s.phase < k.phase_min ? k.phase_min : (s.phase > k.phase_max ? k.phase_max : s.phase);
      s.last_y = y - k.mid_a;
      s.last_level = static_cast<std::uint8_t>(level);
      s.started = 1;
      if (running && sent >= c.warmup_symbols) {
        s.phase_sum += static_cast<double>(s.phase);
        s.phase_sum2 += static_cast<double>(s.phase) * static_cast<double>(s.phase);
        s.phase_count += 1;
      }
    }
    state[link] = s;
  }
};

// The last `tail_len` samples of this chunk's waveform, for the next chunk's reads behind t = 0.
template <class Real>
struct KeepRxTail {
  const Real* rx_a;
  Real* tail;
  std::size_t rx_stride, rx_offset, chunk_samples;
  int tail_len;
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    tail[link * static_cast<std::size_t>(tail_len) + n] =
        rx_a[link * rx_stride + rx_offset + chunk_samples - static_cast<std::size_t>(tail_len) + n];
  }
};

}  // namespace ll
