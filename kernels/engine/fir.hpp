// FIR helpers that the engine's set-up (kernels/engine/lane_engine.hpp) and the host's filter
// design (host/link/filter_design.hpp) share: double precision, on the host.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "physics/complex.hpp"

namespace ll {

// Linear convolution of two FIRs (either empty: the other).
std::vector<double> convolve_fir(const std::vector<double>& a, const std::vector<double>& b);

// The FFTW planner is not thread-safe: every plan in the process is made under this lock.
std::mutex& fftw_planner_mutex();

// DFT bins 0 .. N/2 of a real sequence, in double precision (FFTW).
std::vector<Complex<double>> real_dft(const std::vector<double>& x);

// The DFT of a complex sequence (sign -1: forward, +1: inverse, unnormalised), double (FFTW).
std::vector<Complex<double>> complex_dft(const std::vector<Complex<double>>& x, int sign);

// A fibre's dispersion (physics/fibre.hpp) as a complex FIR on the sampled field: the all-pass
// exp(i 2 pi^2 beta2 L f^2) within |f| <= pass_hz, tapered by a raised cosine to zero at stop_hz
// (the field's content beyond lies under the driver's band; the taper keeps the response short
// instead of letting the out-of-band group delays, up to 2 pi |beta2 L| fs / 2, wrap around),
// truncated where the energy left outside falls under tail_energy of the whole. The taps are
// centred: the FIR delays the field by `delay_samples` = (taps - 1) / 2.
struct FibreFir {
  std::vector<Complex<double>> taps;
  std::size_t delay_samples = 0;
};
FibreFir design_fibre_fir(double beta2_l_s2, double sample_rate_hz, double pass_hz,
                          double stop_hz, double tail_energy = 1e-12);

}  // namespace ll
