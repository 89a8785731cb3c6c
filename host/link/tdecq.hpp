// Transmitter and dispersion eye closure of a sampled optical waveform: TDECQ for PAM4 (IEEE
// 802.3 eq. 121-11 family; ../shared/reference/PARAMETERS.md) and TDEC for NRZ (802.3 clause 95,
// 802.3bm; its constants below are from the standard's text, not in PARAMETERS.md).
//
// The method, as 802.3 states it for a scope; here on a noiseless simulated waveform:
//  1. The reference receiver: a 4th-order Bessel-Thomson low-pass at half the symbol rate (PAM4)
//     or three quarters of the bit rate (NRZ), run as its exact impulse-invariant recursion.
//  2. The time reference (P_avg: see TdecqSettings::average_power_w): the mean phase (circular,
//  over the UI) at which the filtered waveform
//     crosses the average power P_avg; the eye's centre half a UI later.
//  3. PAM4: the reference FFE, `ffe_taps` T-spaced taps summing to 1 (five in 802.3bs/cd, the
//     main one in the middle), chosen to minimise TDECQ (Nelder-Mead; the crossing time is taken
//     before it). NRZ: no equaliser.
//  4. Two vertical histograms 0.04 UI wide at 0.45 and 0.55 UI (PAM4) or 0.4 and 0.6 UI (NRZ) of
//     the (equalised) waveform, and the thresholds P_avg and P_avg +- OMA_outer / 3 (NRZ: P_avg).
//  5. sigma_G: the most Gaussian noise, added ahead of the equaliser (after it: C_eq sigma_G with
//     C_eq = sqrt(sum c_i^2), the FFE's noise enhancement), for which the worse of the two
//     histograms' symbol error ratios is 4.8e-4 (NRZ: BER 5e-5). A sample y between thresholds
//     t_lo and t_hi errs with Q((y - t_lo)/s) + Q((t_hi - y)/s) (outer regions: one side), s the
//     total noise at y: C_eq sqrt(sigma_G^2 + sigma_rin(y)^2), where sigma_rin is the laser's
//     relative intensity noise through the reference receiver, RIN y^2 B_ref.
//  6. TDECQ = 10 log10(sigma_ideal / sigma_G), sigma_ideal = OMA_outer / (6 Qt), Qt = 3.414 (the
//     noise an ideal eye tolerates at the target; the scope's own noise sigma_S is 0 here). TDEC =
//     10 log10(OMA / (2 Q sigma_G)), Q = 3.8906. +inf: the eye is closed (even without added noise
//     more than the target lands beyond a threshold).
// OMA_outer is the caller's: the settled outer levels (what the SSPRQ's long runs measure). The
// scope pattern SSPRQ is not generated: the waveform carries the scenario's own pattern.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/engine/lane_engine.hpp"

namespace ll {

// IEEE 802.3 constants (PARAMETERS.md: eq. 121-11, Keysight FlexDCA "TDECQ"; TDEC: 802.3
// clause 95.8.5).
inline constexpr double kTdecqTargetSer = 4.8e-4;
inline constexpr double kTdecqQt = 3.414;
inline constexpr double kTdecTargetBer = 5e-5;
inline constexpr double kTdecQ = 3.8906;

struct TdecqSettings {
  int levels = 4;  // 4: TDECQ, 2: TDEC (others are refused)
  int samples_per_ui = 32;
  double symbol_rate_hz = 0.0;
  int ffe_taps = 5;  // PAM4's reference equaliser (odd, 1 .. 15); 1: none
  double rin_db_per_hz = -std::numeric_limits<double>::infinity();  // the laser's RIN
  bool reference_receiver = true;  // false: the waveform has been through it already
  // P_avg, the thresholds' centre; NaN: the waveform's mean. A pattern that is not balanced
  // over the record (a PRBS31Q stretch of 65536 UI: its level counts are off by up to a few %)
  // moves its mean, hence every threshold, by as much as a tenth of a level spacing and TDECQ
  // by dB (4096-UI stretches of the default lane: 2.4 to 4.7 dB); SSPRQ is balanced, so the
  // lane gives the mean of its settled levels, what SSPRQ's mean would be.
  double average_power_w = std::numeric_limits<double>::quiet_NaN();
};

struct TdecqFigure {
  double tdecq_db = std::numeric_limits<double>::quiet_NaN();  // TDECQ (PAM4) or TDEC (NRZ)
  double sigma_g_w = 0.0;                                      // the added noise at the target
  double average_power_w = 0.0;
  double crossing_ui = 0.0;        // the mean crossing phase, UI from the waveform's first sample
  std::vector<double> ffe;         // the reference equaliser's taps (NRZ: {1})
  double noise_enhancement = 1.0;  // C_eq
};

// `power_w`: samples_per_ui samples per UI, whole UIs. `oma_outer_w`: the outer levels' settled
// difference (NRZ: the OMA). Throws std::invalid_argument for settings outside the method.
TdecqFigure tdecq(const std::vector<double>& power_w, double oma_outer_w,
                  const TdecqSettings& settings);

// The noiseless optical power at the photodiode of links [first, first + count) of `batch` (a
// whole bus on a WDM batch), `symbols` UIs after a chunk of warm-up: each link's photocurrent
// before the receiver's filter, less its dark current, over its responsivity. Runs the CPU
// engine in double precision.
std::vector<std::vector<double>> received_optical_power(
    const BatchSetup& batch, std::size_t first, std::size_t count, std::int64_t symbols,
    const std::vector<double>& responsivity_a_per_w, const std::vector<double>& dark_current_a);

}  // namespace ll
