#include "host/link/equalizer.hpp"

#include "host/link/cholesky.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ll {

std::vector<double> equalizer_convolution_matrix(const std::vector<double>& pulse, int cursor,
                                                 int ffe_taps, int ffe_pre, int* q_first,
                                                 int* rows) {
  // g_d = pulse[cursor + d] for d in [-cursor, size - 1 - cursor]; q_q = sum_i c_i g_{q+pre-i}
  // is nonzero for q + pre - i in that range: q from -cursor - pre to size - 1 - cursor - pre +
  // F - 1.
  const int n = static_cast<int>(pulse.size());
  const int first = -cursor - ffe_pre;
  const int last = n - 1 - cursor - ffe_pre + ffe_taps - 1;
  *q_first = first;
  *rows = last - first + 1;
  std::vector<double> g(static_cast<std::size_t>(*rows) * ffe_taps, 0.0);
  for (int r = 0; r < *rows; ++r)
    for (int i = 0; i < ffe_taps; ++i) {
      const int d = first + r + ffe_pre - i;
      const int idx = cursor + d;
      if (idx >= 0 && idx < n) g[static_cast<std::size_t>(r) * ffe_taps + i] = pulse[idx];
    }
  return g;
}

EqualizerDesign mmse_equalizer(const std::vector<double>& pulse, int cursor, int ffe_taps,
                               int ffe_pre, int dfe_taps, double var_a, double var_noise,
                               double swing, double dfe_limit) {
  if (ffe_taps < 1 || ffe_pre < 0 || ffe_pre >= ffe_taps || dfe_taps < 0)
    throw std::invalid_argument("mmse_equalizer: bad tap counts");
  int q_first = 0, rows = 0;
  const std::vector<double> g =
      equalizer_convolution_matrix(pulse, cursor, ffe_taps, ffe_pre, &q_first, &rows);
  const int F = ffe_taps;
  auto kept = [&](int r) {
    const int q = q_first + r;
    return !(q >= 1 && q <= dfe_taps);
  };
  // Normal equations A c = rhs.
  std::vector<double> a(static_cast<std::size_t>(F) * F, 0.0), rhs(F, 0.0);
  for (int r = 0; r < rows; ++r) {
    if (!kept(r)) continue;
    const double* row = &g[static_cast<std::size_t>(r) * F];
    for (int i = 0; i < F; ++i)
      for (int j = 0; j < F; ++j) a[i * F + j] += var_a * row[i] * row[j];
    if (q_first + r == 0)
      for (int i = 0; i < F; ++i) rhs[i] += var_a * swing * row[i];
  }
  for (int i = 0; i < F; ++i) a[i * F + i] += var_noise;
  // A is symmetric positive definite for var_noise > 0 or a full-rank G.
  std::vector<double> c = cholesky_solve(a, rhs, F, "mmse_equalizer");
  EqualizerDesign out;
  // MSE at the (biased) solution, before the scaling below.
  double mse = 0.0;
  {
    for (int r = 0; r < rows; ++r) {
      double q = 0.0;
      for (int i = 0; i < F; ++i) q += g[static_cast<std::size_t>(r) * F + i] * c[i];
      const int qi = q_first + r;
      if (qi >= 1 && qi <= dfe_taps) continue;  // cancelled by the DFE (before clamping)
      const double target = qi == 0 ? swing : 0.0;
      mse += var_a * (q - target) * (q - target);
    }
    for (double v : c) mse += var_noise * v * v;
  }
  out.mse = mse;
  out.biased_ffe = c;
  // Unbiased: the MMSE solution shrinks the cursor below S by about the noise-to-signal
  // ratio, which would put every level off the slicer's thresholds; scaled so the equalised
  // cursor is exactly S (the MMSE-unbiased receiver), the ISI-to-noise trade stays the same.
  double q0 = 0.0;
  for (int i = 0; i < F; ++i) q0 += g[static_cast<std::size_t>(-q_first) * F + i] * c[i];
  if (!(std::abs(q0) > 0.0)) throw std::invalid_argument("mmse_equalizer: zero cursor");
  for (double& v : c) v *= swing / q0;
  out.ffe = c;
  out.dfe.assign(dfe_taps, 0.0);
  for (int r = 0; r < rows; ++r) {
    double q = 0.0;
    for (int i = 0; i < F; ++i) q += g[static_cast<std::size_t>(r) * F + i] * c[i];
    const int qi = q_first + r;
    if (qi >= 1 && qi <= dfe_taps) {
      double b = q / swing;
      if (std::abs(b) > dfe_limit) {
        b = std::copysign(dfe_limit, b);
        ++out.clamped;
      }
      out.dfe[qi - 1] = b;
    }
  }
  return out;
}

}  // namespace ll
