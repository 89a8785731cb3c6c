// A x = b for a small symmetric positive-definite A, by Cholesky in double: the normal equations
// of the MMSE equaliser (host/link/equalizer.cpp), of the insertion loss's fit
// (host/link/channel_figures.cpp) and of 178A's receiver FFE (host/link/com_mmse.cpp).
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace ll {

// The lower factor L (n x n, row-major) of a = L L'; false where `a` is not positive definite.
inline bool cholesky_factor(const std::vector<double>& a, int n, std::vector<double>& l) {
  l.assign(a.size(), 0.0);
  for (int j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (int k = 0; k < j; ++k) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0.0)) return false;
    l[j * n + j] = std::sqrt(d);
    for (int i = j + 1; i < n; ++i) {
      double v = a[i * n + j];
      for (int k = 0; k < j; ++k) v -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = v / l[j * n + j];
    }
  }
  return true;
}

// x with L L' x = rhs, L from cholesky_factor (one factor serves several right-hand sides), into
// x (n values; it holds the forward pass's result, then the backward's in place).
inline void cholesky_substitute(const std::vector<double>& l, const double* rhs, int n, double* x) {
  for (int i = 0; i < n; ++i) {
    double v = rhs[i];
    for (int k = 0; k < i; ++k) v -= l[i * n + k] * x[k];
    x[i] = v / l[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    double v = x[i];
    for (int k = i + 1; k < n; ++k) v -= l[k * n + i] * x[k];
    x[i] = v / l[i * n + i];
  }
}

inline std::vector<double> cholesky_substitute(const std::vector<double>& l,
                                               const std::vector<double>& rhs, int n) {
  std::vector<double> x(n);
  cholesky_substitute(l, rhs.data(), n, x.data());
  return x;
}

// `a` is n x n, row-major. Throws std::invalid_argument ("<who>: singular normal equations")
// where A is not positive definite.
inline std::vector<double> cholesky_solve(const std::vector<double>& a,
                                          const std::vector<double>& rhs, int n,
                                          const std::string& who) {
  std::vector<double> l;
  if (!cholesky_factor(a, n, l)) throw std::invalid_argument(who + ": singular normal equations");
  return cholesky_substitute(l, rhs, n);
}

}  // namespace ll
