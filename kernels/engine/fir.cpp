#include "kernels/engine/fir.hpp"

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <stdexcept>

#include "physics/fibre.hpp"

namespace ll {

std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

std::vector<Complex<double>> real_dft(const std::vector<double>& x) {
  const int n = static_cast<int>(x.size());
  std::vector<double> in(x);
  std::vector<Complex<double>> out(x.size() / 2 + 1);
  fftw_plan plan;
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    plan = fftw_plan_dft_r2c_1d(n, in.data(), reinterpret_cast<fftw_complex*>(out.data()),
                                FFTW_ESTIMATE);
  }
  if (!plan) throw std::runtime_error("FFTW could not plan a real DFT");
  fftw_execute(plan);
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    fftw_destroy_plan(plan);
  }
  return out;
}

std::vector<Complex<double>> complex_dft(const std::vector<Complex<double>>& x, int sign) {
  const int n = static_cast<int>(x.size());
  std::vector<Complex<double>> in(x), out(x.size());
  fftw_plan plan;
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    plan = fftw_plan_dft_1d(n, reinterpret_cast<fftw_complex*>(in.data()),
                            reinterpret_cast<fftw_complex*>(out.data()),
                            sign < 0 ? FFTW_FORWARD : FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!plan) throw std::runtime_error("FFTW could not plan a complex DFT");
  fftw_execute(plan);
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    fftw_destroy_plan(plan);
  }
  return out;
}

FibreFir design_fibre_fir(double beta2_l_s2, double sample_rate_hz, double pass_hz,
                          double stop_hz, double tail_energy) {
  // A grid four times the span of the group delays up to stop_hz, so the periodic response
  // holds the whole truncated one with room; at least 4096 points.
  const double spread_samples = dispersion_spread_s(beta2_l_s2, stop_hz) * sample_rate_hz;
  std::size_t n = 4096;
  while (static_cast<double>(n) < 4.0 * spread_samples + 1024.0) n *= 2;
  std::vector<Complex<double>> h(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double f = (k < n / 2 ? static_cast<double>(k) : static_cast<double>(k) - n) *
                     sample_rate_hz / static_cast<double>(n);
    const double af = std::abs(f);
    const double w = af <= pass_hz ? 1.0
                     : af >= stop_hz
                         ? 0.0
                         : 0.5 * (1.0 + std::cos(kPi * (af - pass_hz) / (stop_hz - pass_hz)));
    const Complex<double> a = fibre_allpass(beta2_l_s2, f);
    h[k] = {w * a.re / static_cast<double>(n), w * a.im / static_cast<double>(n)};
  }
  h = complex_dft(h, +1);  // the impulse response, sample 0 at index 0, negative times wrapped
  auto energy = [&](std::size_t k) { return h[k].re * h[k].re + h[k].im * h[k].im; };
  double total = 0.0;
  for (std::size_t k = 0; k < n; ++k) total += energy(k);
  // The smallest half-width m whose outside holds at most tail_energy of the total, summed
  // from the far ends inwards (small terms first).
  std::size_t m = n / 2 - 1;
  double outside = 0.0;
  while (m > 0) {
    const double next = outside + energy(m) + energy(n - m);
    if (next > tail_energy * total) break;
    outside = next;
    --m;
  }
  FibreFir fir;
  fir.delay_samples = m;
  fir.taps.resize(2 * m + 1);
  for (std::size_t j = 0; j <= 2 * m; ++j) fir.taps[j] = h[(j + n - m) % n];
  return fir;
}

std::vector<double> convolve_fir(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  std::vector<double> y(a.size() + b.size() - 1, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j) y[i + j] += a[i] * b[j];
  return y;
}

}  // namespace ll
