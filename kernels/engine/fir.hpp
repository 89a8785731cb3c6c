// FIR helpers that the engine's set-up (kernels/engine/lane_engine.hpp) and the host's filter
// design (host/link/filter_design.hpp) share: double precision, on the host.
#pragma once

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

}  // namespace ll
