// Linear time-invariant stages as FIR filters for the overlap-save convolutions, designed on
// the host in double precision.
#pragma once

#include <array>
#include <complex>
#include <mutex>
#include <vector>

#include "kernels/engine/fir.hpp"  // convolve_fir, real_dft: the engine's set-up uses them too
#include "physics/complex.hpp"

namespace ll {

// 4th-order Bessel-Thomson low-pass, the reference receiver of IEEE 802.3 (eq. 121-11 family):
//     H(y) = 105 / (105 + 105 y + 45 y^2 + 10 y^3 + y^4),   y = j w / w_n,
// with w_n chosen so that |H| is exactly 1/sqrt(2) at f_3db (802.3 rounds the constant to
// 2.114; here it is solved to double precision).
std::complex<double> bessel_thomson4(double frequency_hz, double f3db_hz);
double bessel_thomson4_norm();  // w_3db / w_n: the solved constant (about 2.1139)

// Poles of the normalised Bessel-Thomson polynomial y^4 + 10 y^3 + 45 y^2 + 105 y + 105.
std::array<std::complex<double>, 4> bessel_thomson4_poles();
// Their residues r_k = 105 / prod_{j != k} (p_k - p_j): h(t) = w_n sum_k r_k exp(p_k w_n t).
std::array<std::complex<double>, 4> bessel_thomson4_residues();

// The Bessel-Thomson low-pass of design_bessel_thomson4_fir run over `x` as its recursion (the
// same impulse-invariant filter, untruncated, unit DC gain), starting in x[0]'s steady state.
// For long records: its cost does not grow with the response's length.
std::vector<double> bessel_thomson4_filter(const std::vector<double>& x, double f3db_hz,
                                           double sample_rate_hz);

// FIR taps of the 4th-order Bessel-Thomson filter sampled at `sample_rate_hz` by impulse
// invariance (h[n] = T h(nT) from the exact partial-fraction impulse response), truncated where
// the tail energy beyond the taps falls below `tail_energy` of the total, and scaled to unit DC
// gain so the received levels sit exactly where the decision thresholds expect them.
std::vector<double> design_bessel_thomson4_fir(double f3db_hz, double sample_rate_hz,
                                               double tail_energy = 1e-12);

// First-order low-pass (an RC pole at f3db_hz) by impulse invariance, h[n] = T/tau e^{-nT/tau},
// truncated at `tail_energy` and scaled to unit DC gain.
std::vector<double> design_rc_fir(double f3db_hz, double sample_rate_hz,
                                  double tail_energy = 1e-12);

// Equivalent noise bandwidth (Hz, one-sided) of an FIR at `sample_rate_hz`:
//     B_n = (fs / 2) * sum h^2 / (sum h)^2,
// the bandwidth of an ideal low-pass that passes the same white-noise power.
double fir_noise_bandwidth_hz(const std::vector<double>& taps, double sample_rate_hz);

}  // namespace ll
