#include "host/link/passivity.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ll {
namespace {

// Whether every eigenvalue of the Hermitian n x n matrix g lies below t: then t I - g is
// positive definite and its Cholesky factorisation succeeds (n^3 / 6 operations).
bool eigenvalues_below(const std::vector<std::complex<double>>& g, int n, double t) {
  std::vector<std::complex<double>> l(static_cast<std::size_t>(n) * n);
  for (int j = 0; j < n; ++j) {
    double d = t - g[j * n + j].real();
    for (int k = 0; k < j; ++k) d -= std::norm(l[j * n + k]);
    if (!(d > 0.0)) return false;
    const double ljj = std::sqrt(d);
    l[j * n + j] = ljj;
    for (int i = j + 1; i < n; ++i) {
      std::complex<double> v = -g[i * n + j];
      for (int k = 0; k < j; ++k) v -= l[i * n + k] * std::conj(l[j * n + k]);
      l[i * n + j] = v / ljj;
    }
  }
  return true;
}

// The largest singular value of an n x n complex matrix if it exceeds `limit`, else a value at
// most `limit`: sigma^2 is the largest eigenvalue of G = S^H S. One Cholesky decides whether it
// lies below limit^2 (passive data, the common case); beyond, bisection between limit^2 and the
// Gershgorin bound (the largest row sum of |G|) to 1e-12.
}  // namespace

double largest_singular_value(const std::complex<double>* s, int n, double limit) {
  std::vector<std::complex<double>> g(static_cast<std::size_t>(n) * n);
  double gershgorin = 0.0;
  for (int i = 0; i < n; ++i) {
    double row = 0.0;
    for (int j = 0; j < n; ++j) {
      std::complex<double> acc = 0.0;
      for (int k = 0; k < n; ++k) acc += std::conj(s[k * n + i]) * s[k * n + j];
      g[i * n + j] = acc;
      row += std::abs(acc);
    }
    gershgorin = std::max(gershgorin, row);
  }
  double lo = limit * limit;
  if (gershgorin <= lo || eigenvalues_below(g, n, lo)) return std::sqrt(std::min(gershgorin, lo));
  double hi = gershgorin * (1.0 + 1e-12) + 1e-300;
  for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (eigenvalues_below(g, n, mid) ? hi : lo) = mid;
  }
  return std::sqrt(hi);
}

}  // namespace ll
