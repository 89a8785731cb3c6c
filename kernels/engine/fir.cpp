#include "kernels/engine/fir.hpp"

#include <fftw3.h>

#include <mutex>
#include <stdexcept>

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

std::vector<double> convolve_fir(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  std::vector<double> y(a.size() + b.size() - 1, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j) y[i + j] += a[i] * b[j];
  return y;
}

}  // namespace ll
