// The MLSD reference receiver's advantage over the DFE (P802.3dj/D3.3 178A.1.10):
//   COM = COM_DFE + 20 log10(-P_an^-1(DER_MLSD) / A_s)                             (178A-49)
// P_an: the distribution of COM_DFE's noise and interference with receiver noise added until it
// costs dCOM_an (178A.1.10.1: the Gaussian variance sigma_G^2 + g_an sigma_rn^2, 178A-53).
// DER_MLSD (178A-50) sums over error events of j symbols, u = (1, -(1-b), (1-b), ..., +-b)
// (178A-51), the distance A_s |u|^3 / sqrt(u' V u) with V the Toeplitz matrix of the noise's
// normalised autocorrelation at the FFE's output (178A-56), against the distribution of
// Y_1 + b Y_2 + (1-b)(Y_3 + ...) (178A-54, 178A-55), weighted ((L-1)/L)^(j-1); the sum stops
// when a term adds less than 1e-4 of it, as the MATLAB COM code's does.
// Distributions are masses on zero-centred grids of one step (odd lengths).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "host/link/com_mmse.hpp"
#include "host/link/stat_eye.hpp"

namespace ll::com_detail {
namespace {

using Pmf = std::vector<double>;  // mass at (k - size/2) step

Pmf full_convolution(const Pmf& a, const Pmf& b) {
  Pmf c(a.size() + b.size() - 1, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == 0.0) continue;
    for (std::size_t j = 0; j < b.size(); ++j) c[i + j] += a[i] * b[j];
  }
  double sum = 0.0;
  for (double v : c) sum += v;
  for (double& v : c) v /= sum;
  return c;
}

// Drops tails holding under 1e-30 each, symmetrically (the grid stays zero-centred).
Pmf trimmed(const Pmf& p) {
  const std::size_t n = p.size();
  std::size_t lo = 0, hi = 0;
  for (double c = 0.0; lo < n && c + p[lo] < 1e-30; ++lo) c += p[lo];
  for (double c = 0.0; hi < n && c + p[n - 1 - hi] < 1e-30; ++hi) c += p[n - 1 - hi];
  const std::size_t cut = std::min({lo, hi, (n - 1) / 2});
  return cut ? Pmf(p.begin() + cut, p.end() - cut) : p;
}

// The distribution of a Y on the same grid (a in (0, 1]): p(y / a) / a, each bin's mass read off
// the cumulative distribution interpolated linearly between bin edges.
Pmf scaled(const Pmf& p, double a) {
  const std::size_t n = p.size();
  Pmf out(n, 0.0);
  if (a <= 0.0) {
    out[n / 2] = 1.0;
    return out;
  }
  std::vector<double> cdf(n + 1, 0.0);  // at edges e_k = k - n/2 (in steps)
  for (std::size_t k = 0; k < n; ++k) cdf[k + 1] = cdf[k] + p[k];
  const double half = static_cast<double>(n) / 2.0;
  auto cdf_at = [&](double e) {  // e in steps
    const double x = e + half;
    if (x <= 0.0) return 0.0;
    if (x >= static_cast<double>(n)) return cdf[n];
    const std::size_t k = static_cast<std::size_t>(x);
    return cdf[k] + (x - static_cast<double>(k)) * (cdf[k + 1] - cdf[k]);
  };
  for (std::size_t k = 0; k < n; ++k)
    out[k] = cdf_at((static_cast<double>(k) + 1.0 - half) / a) -
             cdf_at((static_cast<double>(k) - half) / a);
  double sum = 0.0;
  for (double v : out) sum += v;
  for (double& v : out) v /= sum;
  return out;
}

Pmf gaussian(double var, double step) {
  if (!(var > 0.0)) return Pmf{1.0};
  const long half = static_cast<long>(std::ceil(10.0 * std::sqrt(var) / step));
  Pmf g(static_cast<std::size_t>(2 * half + 1));
  double sum = 0.0;
  for (long k = -half; k <= half; ++k) {
    const double y = static_cast<double>(k) * step;
    sum += g[static_cast<std::size_t>(k + half)] = std::exp(-y * y / (2.0 * var));
  }
  for (double& v : g) v /= sum;
  return g;
}

// The first grid value where the cumulative distribution reaches `prob`.
double inverse_cdf(const Pmf& p, double step, double prob) {
  double c = 0.0;
  const long half = static_cast<long>(p.size() / 2);
  for (std::size_t k = 0; k < p.size(); ++k)
    if ((c += p[k]) >= prob) return static_cast<double>(static_cast<long>(k) - half) * step;
  return static_cast<double>(half) * step;
}

// The cumulative distribution at the first grid point at or above y.
double cdf_at(const Pmf& p, double step, double y) {
  const long half = static_cast<long>(p.size() / 2);
  const long k = static_cast<long>(std::ceil(y / step - 1e-9)) + half;
  if (k < 0) return 0.0;
  if (k >= static_cast<long>(p.size())) return 1.0;
  double c = 0.0;
  for (long i = 0; i <= k; ++i) c += p[static_cast<std::size_t>(i)];
  return c;
}

}  // namespace

MlsdResult mlsd_advantage(const ComSet& s, const MlsdInputs& in) {
  const int L = s.levels;
  if (!in.interference || in.r_ni.empty() || !(in.r_ni[0] > 0.0) || in.r_eta.empty() ||
      !(in.r_eta[0] > 0.0))
    throw std::invalid_argument("COM set " + s.name + ": the MLSD needs the receiver's noise");
  // COM_DFE's interference on a grid of A_s / 500 (the masses of its finer grid moved to their
  // nearest point).
  const double step = in.a_s / 500.0;
  const IsiPdf& fine = *in.interference;
  const double reach = in.reach;
  const long half = static_cast<long>(std::ceil(reach / step)) + 1;
  Pmf rest(static_cast<std::size_t>(2 * half + 1), 0.0);
  for (int b = fine.first; b <= fine.last; ++b) {
    const long k = std::lround((fine.lo + b * fine.step) / step) + half;
    rest[static_cast<std::size_t>(std::clamp(k, 0L, 2 * half))] += fine.pdf[b];
  }
  const double var_rn = in.r_eta[0];
  auto with_noise = [&](double g) {
    return full_convolution(rest, gaussian(in.var_g + g * var_rn, step));
  };
  // g_an: the added noise that moves P^-1(DER_0) by dCOM_an (bisection, 1e-6 relative).
  const double target =
      inverse_cdf(with_noise(0.0), step, s.der0) * std::pow(10.0, s.mlsd_added_noise_db / 20.0);
  double g_lo = 0.0, g_hi = 1.0;
  for (int it = 0; inverse_cdf(with_noise(g_hi), step, s.der0) > target; ++it) {
    if (it == 200) throw std::invalid_argument("COM: no added noise gives the MLSD's penalty");
    g_lo = g_hi;
    g_hi *= 2.0;
  }
  while (g_hi - g_lo > 1e-6 * g_hi) {
    const double g = 0.5 * (g_lo + g_hi);
    (inverse_cdf(with_noise(g), step, s.der0) <= target ? g_hi : g_lo) = g;
  }
  MlsdResult out;
  out.g_an = g_hi;
  const Pmf p_an = trimmed(with_noise(g_hi));
  // rho: the normalised autocorrelation with the added noise (178A-56).
  const std::size_t lags = in.r_ni.size();
  std::vector<double> rho(lags);
  const double r0 = in.r_ni[0] + g_hi * in.r_eta[0];
  for (std::size_t l = 0; l < lags; ++l) rho[l] = (in.r_ni[l] + g_hi * in.r_eta[l]) / r0;
  const double b = in.b;
  const Pmf p_1mb = trimmed(scaled(p_an, 1.0 - b));
  Pmf p_j = trimmed(full_convolution(p_an, trimmed(scaled(p_an, b))));  // (178A-54)
  double der = 0.0;
  for (std::size_t j = 1; j < lags; ++j) {
    std::vector<double> u(j + 1);  // (178A-51)
    u[0] = 1.0;
    for (std::size_t i = 2; i <= j; ++i) u[i - 1] = (i % 2 == 0 ? -1.0 : 1.0) * (1.0 - b);
    u[j] = (j % 2 == 0 ? -1.0 : 1.0) * b;
    double uu = 0.0, uvu = 0.0;
    for (std::size_t i = 0; i <= j; ++i) {
      uu += u[i] * u[i];
      for (std::size_t k = 0; k <= j; ++k) uvu += u[i] * rho[i > k ? i - k : k - i] * u[k];
    }
    const double x = in.a_s * std::pow(uu, 1.5) / std::sqrt(uvu);
    const double term =
        std::pow((L - 1.0) / L, static_cast<double>(j) - 1.0) * cdf_at(p_j, step, -x);
    der += term;
    out.terms = static_cast<int>(j);
    if (term <= 1e-4 * der) break;
    p_j = trimmed(full_convolution(p_j, p_1mb));  // (178A-55)
  }
  out.der = der;
  out.delta_db = 20.0 * std::log10(-inverse_cdf(p_an, step, der) / in.a_s);
  return out;
}

}  // namespace ll::com_detail
