// Multipath interference (MPI): the field's copies that two reflections along the fibre send on
// behind it. N reflection points (connectors) with reflectance R = 10^(-RL/10) each, evenly spaced
// by s along the fibre, make P = N (N - 1) / 2 double-reflection paths: path (i, j), i < j, is
// reflected back at j and forward again at i, so it trails the signal by tau = 2 n_g (j - i) s / c
// with field amplitude sqrt(R_i R_j) = R (the fibre's loss over the extra metres left out). At the
// receiver
//     E_rx(t) = E(t) + sum_k R e^{i theta_k(t)} E(t - tau_k),
// theta_k = theta_k0 + phi(t) - phi(t - tau_k): a static phase (the fibre's optical length, uniform
// over a link's life) and the laser's phase noise across the delay, for a Lorentzian linewidth
// dnu a stationary Gaussian of variance 2 pi dnu tau_k (coherent, phase nearly fixed, for
// 2 pi dnu tau << 1; incoherent, a uniform phase, beyond). Square-law detection turns the beat
// 2 R Re{E E_k* e^{-i theta}} into intensity noise: MPI (Gimlett & Cheung, JLT 7, 888 (1989)).
//
// What the engine does with it (kernels/engine/stages_mpi.hpp): the field's copies at their delays
// (up to a chunk; a longer path takes a distinct delay inside the chunk, which only its data's
// independence from the signal's matters for, the phase still following its own tau), each path's
// phase held over a chunk and stepped chunk by chunk as an Ornstein-Uhlenbeck process of
// correlation time tau_k and variance 2 pi dnu tau_k (the exact process's variance and short-time
// increments) on top of its static phase. The statistical eye's treatment: the beat's variance
// given the signal, 2 sum_k R^2 |E|^2 <|E_k|^2>, as Gaussian intensity noise linear in the signal's
// photocurrent (a shot-noise-like term), mpi_noise_variance_per_a.
#pragma once

#include <cmath>
#include <cstddef>

#include "physics/complex.hpp"
#include "physics/config.hpp"

namespace ll {

inline constexpr int kMaxMpiReflections = 6;
inline constexpr int kMaxMpiPaths = kMaxMpiReflections * (kMaxMpiReflections - 1) / 2;
// G.652 fibre's group index near 1310 nm (Corning SMF-28 datasheet: 1.4676 at 1310 nm, 1.4682 at
// 1550 nm): the delay of a metre of extra path.
inline constexpr double kFibreGroupIndex = 1.4677;

// A link's paths as the set-up lays them out: path k = (i, j) in order i < j.
struct MpiPaths {
  int count = 0;
  double field_amplitude = 0.0;          // R per path
  double delay_s[kMaxMpiPaths] = {};     // tau_k
  int delay_samples[kMaxMpiPaths] = {};  // the engine's data delay (see above)
  double phase_variance_rad2[kMaxMpiPaths] = {};
  double chunk_s = 0.0;  // the engine's chunk, over which each phase is held
};

// Paths of n reflection points spaced by spacing_m, reflectance 10^(-rl/10), linewidth dnu.
LL_HD inline MpiPaths mpi_paths(int reflections, double return_loss_db, double spacing_m,
                          double linewidth_hz) {
  MpiPaths p;
  p.field_amplitude = pow(10.0, -return_loss_db / 10.0);
  for (int i = 0; i < reflections; ++i)
    for (int j = i + 1; j < reflections; ++j) {
      const double tau = 2.0 * kFibreGroupIndex * (j - i) * spacing_m / kSpeedOfLight_m_per_s;
      p.delay_s[p.count] = tau;
      p.phase_variance_rad2[p.count] = 2.0 * kPi * linewidth_hz * tau;
      ++p.count;
    }
  return p;
}

// The beat's variance per ampere of signal photocurrent (A^2 per A) when the mean photocurrent
// (signal part) is mean_signal_a: 2 P R^2 <I>, the phases uniform and the copies' data
// independent of the signal's.
LL_HD inline double mpi_noise_variance_per_a(const MpiPaths& p, double mean_signal_a) {
  return 2.0 * p.count * p.field_amplitude * p.field_amplitude * mean_signal_a;
}

// One chunk's step of a path's phase noise psi (Ornstein-Uhlenbeck of variance `variance` and
// correlation time tau over dt, g a standard normal deviate): exact in distribution.
LL_HD inline double mpi_phase_step(double psi, double variance, double tau_s, double dt_s,
                                   double g) {
  const double rho = exp(-dt_s / tau_s);
  return rho * psi + sqrt(variance * (1.0 - rho * rho)) * g;
}

// The received field: the signal plus each path's copy, gain[k] = R e^{i theta_k} this chunk, at
// its delay behind it. `field` holds `history` samples ahead of the chunk's per link.
template <class Real>
struct MpiInterference {
  const Complex<Real>* field;  // [links][stride]
  const Complex<Real>* gain;   // [links][paths]
  const int* delay;            // [links][paths], samples, at most history
  Complex<Real>* out;          // [links][out_stride] from out_offset
  std::size_t stride, history, paths, out_stride, out_offset;
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    const Complex<Real>* e = field + link * stride + history + n;
    Complex<Real> acc = e[0];
    for (std::size_t k = 0; k < paths; ++k) {
      const Complex<Real> g = gain[link * paths + k];
      const Complex<Real> x = e[-static_cast<std::ptrdiff_t>(delay[link * paths + k])];
      acc.re += g.re * x.re - g.im * x.im;
      acc.im += g.re * x.im + g.im * x.re;
    }
    out[link * out_stride + out_offset + n] = acc;
  }
};

}  // namespace ll
