// A x = b for a small symmetric positive-definite A, by Cholesky in double: the normal equations
// of the MMSE equaliser (host/link/equalizer.cpp) and of the insertion loss's fit
// (host/link/channel_figures.cpp).
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace ll {

// `a` is n x n, row-major. Throws std::invalid_argument ("<who>: singular normal equations")
// where A is not positive definite.
inline std::vector<double> cholesky_solve(const std::vector<double>& a,
                                          const std::vector<double>& rhs, int n,
                                          const std::string& who) {
  std::vector<double> l(a.size(), 0.0);
  for (int j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (int k = 0; k < j; ++k) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0.0)) throw std::invalid_argument(who + ": singular normal equations");
    l[j * n + j] = std::sqrt(d);
    for (int i = j + 1; i < n; ++i) {
      double v = a[i * n + j];
      for (int k = 0; k < j; ++k) v -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = v / l[j * n + j];
    }
  }
  std::vector<double> y(n), x(n);
  for (int i = 0; i < n; ++i) {
    double v = rhs[i];
    for (int k = 0; k < i; ++k) v -= l[i * n + k] * y[k];
    y[i] = v / l[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    double v = y[i];
    for (int k = i + 1; k < n; ++k) v -= l[k * n + i] * x[k];
    x[i] = v / l[i * n + i];
  }
  return x;
}

}  // namespace ll
