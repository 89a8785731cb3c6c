// Transmit jitter as timing shifts of the transitions (IEEE 802.3 jitter components): random
// (Gaussian, RJ), sinusoidal (SJ), duty-cycle distortion (DCD: rising edges late by half of it,
// falling edges early) and bounded uncorrelated (BUJ: uniform over its peak-to-peak).
//
// The drive is a sum of steps: with s the step response of H1 (the DAC's hold, the transmit FFE,
// the host channel, the driver and the junction RC, as the engine's drive pulse p = rect * h1
// has it: p[n] = s[n] - s[n - spu]), summation by parts turns the polyphase drive into
//     v(t) = bias + (V_{k-M} - bias) s_inf + sum_{m=0}^{M-1} (V_{k-m} - V_{k-m-1}) s(t - (k-m) T
//            - tau_{k-m}),
// for t in symbol k, every transition M or more symbols back settled (s = 1 there). The
// transition at the start of symbol k happens tau_k late. s is tabulated per sample and read with
// linear interpolation at fractional times; with tau = 0 the sum is the polyphase drive exactly
// (up to rounding), so jitter-free links keep the PolyphaseDrive path.
//
// A transition may come early (tau < 0), into the symbol before its own, whose samples are
// formed before the next symbol is known. So the jittered drive runs `lead_samples` late: the
// smallest whole number of samples at least the largest early shift (jitter_reach_samples), so
// that every transition starts within or after its own symbol's samples. The set-up puts the same
// delay into the chain's pulse and steps (host/link/chain_response.cpp), so the decision instant follows.
#pragma once

#include <cstdint>

#include "physics/config.hpp"
#include "physics/lane.hpp"
#include "physics/noise.hpp"

namespace ll {

template <class Real>
struct JitterParams {
  Real rj_rms_samples;          // sigma of the random jitter
  Real sj_amplitude_samples;    // peak
  double sj_cycles_per_symbol;  // SJ frequency / symbol rate (double: the phase of symbol 1e9)
  Real sj_phase_rad;
  Real dcd_samples;  // peak-to-peak: rising edges + dcd/2, falling - dcd/2
  Real buj_samples;  // peak-to-peak, uniform
  int lead_samples;  // the drive's delay, whole samples >= the largest early shift (above)

  bool active() const {
    return rj_rms_samples != Real(0) || sj_amplitude_samples != Real(0) || dcd_samples != Real(0) ||
           buj_samples != Real(0);
  }
};

// The largest shift of any transition, early or late, in samples: RJ to 8 sigma (its draws are
// clipped there; P(|z| > 8) = 1.2e-15), SJ's peak, half the DCD, half the BUJ.
template <class Real>
LL_HD inline double jitter_reach_samples(const JitterParams<Real>& j) {
  return 8.0 * j.rj_rms_samples + fabs(static_cast<double>(j.sj_amplitude_samples)) +
         0.5 * (j.dcd_samples + j.buj_samples);
}

// The timing shift (samples) of the transition into every symbol generated this chunk, after
// the carried history: tau[link][history + col]. RJ and BUJ are keyed by the absolute symbol
// index (stream `jitter`), so they do not depend on the chunk or batch; DCD is applied where the
// edge's direction is known (JitteredDrive).
template <class Real>
struct TransitionTimes {
  const JitterParams<Real>* jitter;  // [links]
  const NoiseKey* keys;
  Real* tau;  // [links][history + chunk]
  int history_symbols, chunk_symbols;
  std::uint64_t chunk_first_symbol;
  LL_HD void operator()(std::size_t link, std::size_t col) const {
    const JitterParams<Real>& j = jitter[link];
    const std::uint64_t s = chunk_first_symbol + col;
    const r123::Philox4x32::ctr_type u = philox_words(keys[link], NoiseStream::jitter, s);
    const Real z = r123::boxmuller(u[0], u[1]).x;
    const Real gauss = z < Real(-8) ? Real(-8) : (z > Real(8) ? Real(8) : z);  // reach: +-8 sigma
    const Real uniform = r123::u01<Real>(u[2]) - Real(0.5);
    const double cycles = j.sj_cycles_per_symbol * static_cast<double>(s);
    const Real phase = static_cast<Real>(2.0 * kPi * (cycles - floor(cycles))) + j.sj_phase_rad;
    Real sin_p, cos_p;
    math_sincos(phase, &sin_p, &cos_p);
    tau[link * (history_symbols + chunk_symbols) + history_symbols + col] =
        j.rj_rms_samples * gauss + j.sj_amplitude_samples * sin_p + j.buj_samples * uniform;
  }
};

// The drive with jittered transitions (see the top of the file). `step` holds, per link, the
// step response at samples -1 .. span - 2 (entry 0 is 0): s(x) = step[x + 1] interpolated,
// 0 before, 1 after.
template <class Real>
struct JitteredDrive {
  const LinkConstants<Real>* links;
  const JitterParams<Real>* jitter;
  const std::uint8_t* tx_levels;  // [links][history + chunk], history >= settle_symbols
  const Real* tau;                // [links][history + chunk]
  const Real* step;               // [links][step_points]
  Real* drive_v;                  // [links][chunk samples]
  int history_symbols, chunk_symbols, samples_per_ui, settle_symbols, step_points;
  LL_HD void operator()(std::size_t row, std::size_t) const {
    const std::size_t link = row / chunk_symbols, k = row % chunk_symbols;
    const LinkConstants<Real>& c = links[link];
    const Real half_dcd = Real(0.5) * jitter[link].dcd_samples;
    const std::size_t base = link * (history_symbols + chunk_symbols) + history_symbols + k;
    const std::uint8_t* tx = tx_levels + base;
    const Real* t = tau + base;
    const Real* st = step + link * static_cast<std::size_t>(step_points);
    Real* out = drive_v + (link * static_cast<std::size_t>(chunk_symbols) + k) * samples_per_ui;
    // Every transition M or more symbols back has settled to the step's final value (the DC
    // gain of H1: below 1 with a transmit FFE, which acts around the bias).
    const Real settled =
        c.drive_bias_v + symbol_excursion_v(c, tx - settle_symbols) * st[step_points - 1];
    for (int j = 0; j < samples_per_ui; ++j) out[j] = settled;
    for (int m = 0; m < settle_symbols; ++m) {
      const Real dv = symbol_excursion_v(c, tx - m) - symbol_excursion_v(c, tx - m - 1);
      if (dv == Real(0)) continue;
      const Real shift = t[-m] + (dv > Real(0) ? half_dcd : -half_dcd) +
                         static_cast<Real>(jitter[link].lead_samples);
      const Real x0 = static_cast<Real>(m * samples_per_ui) - shift + Real(1);  // table index
      for (int j = 0; j < samples_per_ui; ++j) {
        const Real x = x0 + static_cast<Real>(j);
        Real s;
        if (x <= Real(0)) {
          s = Real(0);
        } else if (x >= static_cast<Real>(step_points - 1)) {
          s = st[step_points - 1];
        } else {
          const int i = static_cast<int>(x);
          const Real f = x - static_cast<Real>(i);
          s = st[i] + f * (st[i + 1] - st[i]);
        }
        out[j] += dv * s;
      }
    }
  }
};

}  // namespace ll
