#include "host/link/filter_design.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <numeric>
#include <stdexcept>

#include "physics/channel_models.hpp"
#include "physics/config.hpp"

namespace ll {
double bessel_thomson4_norm() {
  // Solve |H(j x)|^2 = 1/2 for x by bisection: |H| falls monotonically with x.
  static const double x3db = [] {
    double lo = 1.0, hi = 4.0;
    for (int i = 0; i < 200; ++i) {
      const double mid = 0.5 * (lo + hi);
      (std::norm(bessel_thomson4_normalised({0.0, mid})) > 0.5 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  }();
  return x3db;
}

std::complex<double> bessel_thomson4(double frequency_hz, double f3db_hz) {
  return bessel_thomson4_normalised({0.0, bessel_thomson4_norm() * frequency_hz / f3db_hz});
}

namespace {

// The filter's four modes at f3db_hz, sampled at sample_rate_hz: h(t) = w_n sum_k r_k exp(p_k
// w_n t), and the sample interval T.
struct Bt4Modes {
  std::array<std::complex<double>, 4> p, r;
  double w_n, T;
};

Bt4Modes bt4_modes(double f3db_hz, double sample_rate_hz) {
  if (!(f3db_hz > 0.0) || !(f3db_hz < 0.5 * sample_rate_hz))
    throw std::invalid_argument("Bessel-Thomson bandwidth must lie in (0, fs/2)");
  return {bessel_thomson4_poles(), bessel_thomson4_residues(),
          2.0 * kPi * f3db_hz / bessel_thomson4_norm(), 1.0 / sample_rate_hz};
}

}  // namespace

std::vector<double> design_bessel_thomson4_fir(double f3db_hz, double sample_rate_hz,
                                               double tail_energy) {
  // Impulse invariance: H(s) = 105 / prod(s/w_n - p_k) has four simple poles p_k (roots of the
  // reverse Bessel polynomial), so h(t) = sum_k w_n r_k exp(p_k w_n t) with residues
  // r_k = 105 / prod_{j != k} (p_k - p_j), and h[n] = T h(nT). Sampling the exact impulse
  // response (rather than inverse-transforming H on a grid, whose truncated spectrum rings over
  // the whole grid) lets the tail fall below any tolerance within a few 1/f3db. Its own
  // aliasing falls as (f3db/fs)^4: about 1e-6 of the response at 32 samples per UI.
  const auto [p, r, w_n, T] = bt4_modes(f3db_hz, sample_rate_hz);
  double slowest = -p[0].real() * w_n;  // the slowest decay rate of the four modes, 1/s
  for (const auto& pk : p) slowest = std::min(slowest, -pk.real() * w_n);
  // Long enough that the energy envelope exp(-2 slowest t) is far below the tolerance (a
  // factor e^-10 of margin), so the truncation below always meets it.
  if (!(tail_energy > 0.0 && tail_energy < 1.0))
    throw std::invalid_argument("FIR tail energy must lie in (0, 1)");
  const double span_s = (-std::log(tail_energy) / 2.0 + 5.0) / slowest;
  const std::size_t n = static_cast<std::size_t>(std::ceil(span_s / T)) + 1;
  std::vector<double> h(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::complex<double> v = 0.0;
    for (int k = 0; k < 4; ++k) v += r[k] * std::exp(p[k] * w_n * (static_cast<double>(i) * T));
    h[i] = w_n * v.real() * T;
  }
  // Truncate: the shortest prefix whose remaining (tail) energy is below the tolerance, summed
  // from the end so that small tails are not lost to rounding.
  const double total = std::inner_product(h.begin(), h.end(), h.begin(), 0.0);
  std::size_t keep = n;
  double tail = 0.0;
  while (keep > 1 && tail + h[keep - 1] * h[keep - 1] <= tail_energy * total) {
    tail += h[keep - 1] * h[keep - 1];
    --keep;
  }
  h.resize(keep);
  const double dc = std::accumulate(h.begin(), h.end(), 0.0);
  for (double& v : h) v /= dc;
  return h;
}

std::array<std::complex<double>, 4> bessel_thomson4_residues() {
  const std::array<std::complex<double>, 4> p = bessel_thomson4_poles();
  std::array<std::complex<double>, 4> r;
  for (int k = 0; k < 4; ++k) {
    std::complex<double> prod = 1.0;
    for (int j = 0; j < 4; ++j)
      if (j != k) prod *= p[k] - p[j];
    r[k] = 105.0 / prod;
  }
  return r;
}

std::vector<double> bessel_thomson4_filter(const std::vector<double>& x, double f3db_hz,
                                           double sample_rate_hz) {
  // The impulse-invariant filter of design_bessel_thomson4_fir as four one-pole recursions
  // s_k[n] = a_k s_k[n-1] + b_k x[n], a_k = exp(p_k w_n T), b_k = T w_n r_k, y = Re sum s_k:
  // the same h[n] without truncation, at 8 complex multiply-adds a sample whatever the length.
  const auto [p, r, w_n, T] = bt4_modes(f3db_hz, sample_rate_hz);
  std::array<std::complex<double>, 4> a, b, s;
  double dc = 0.0;
  for (int k = 0; k < 4; ++k) {
    a[k] = std::exp(p[k] * w_n * T);
    b[k] = T * w_n * r[k];
    dc += (b[k] / (1.0 - a[k])).real();
  }
  std::vector<double> y(x.size());
  if (x.empty()) return y;
  // Start in the steady state of x[0], as if it had been there forever.
  for (int k = 0; k < 4; ++k) s[k] = b[k] * x[0] / (1.0 - a[k]);
  for (std::size_t n = 0; n < x.size(); ++n) {
    double v = 0.0;
    for (int k = 0; k < 4; ++k) {
      s[k] = a[k] * s[k] + b[k] * x[n];
      v += s[k].real();
    }
    y[n] = v / dc;
  }
  return y;
}

std::array<std::complex<double>, 4> bessel_thomson4_poles() {
  // Durand-Kerner on y^4 + 10 y^3 + 45 y^2 + 105 y + 105, converged to double precision.
  static const std::array<std::complex<double>, 4> poles = [] {
    const double c[5] = {105.0, 105.0, 45.0, 10.0, 1.0};
    auto poly = [&](std::complex<double> y) {
      return c[0] + y * (c[1] + y * (c[2] + y * (c[3] + y * c[4])));
    };
    std::array<std::complex<double>, 4> z;
    const std::complex<double> seed(0.4, 0.9);
    z[0] = 1.0;
    for (int k = 1; k < 4; ++k) z[k] = z[k - 1] * seed;
    for (int it = 0; it < 500; ++it) {
      for (int k = 0; k < 4; ++k) {
        std::complex<double> den = 1.0;
        for (int j = 0; j < 4; ++j)
          if (j != k) den *= z[k] - z[j];
        z[k] -= poly(z[k]) / den;
      }
    }
    return z;
  }();
  return poles;
}

std::vector<double> design_rc_fir(double f3db_hz, double sample_rate_hz, double tail_energy) {
  if (!(f3db_hz > 0.0) || !(f3db_hz < 0.5 * sample_rate_hz))
    throw std::invalid_argument("RC bandwidth must lie in (0, fs/2)");
  const double rate = 2.0 * kPi * f3db_hz / sample_rate_hz;  // T / tau
  // Energy beyond n taps is e^{-2 rate n} of the total.
  const std::size_t n =
      static_cast<std::size_t>(std::ceil(-std::log(tail_energy) / (2.0 * rate))) + 1;
  std::vector<double> h(n);
  for (std::size_t i = 0; i < n; ++i) h[i] = std::exp(-rate * static_cast<double>(i));
  const double dc = std::accumulate(h.begin(), h.end(), 0.0);
  for (double& v : h) v /= dc;
  return h;
}

double fir_noise_bandwidth_hz(const std::vector<double>& taps, double sample_rate_hz) {
  const double sum = std::accumulate(taps.begin(), taps.end(), 0.0);
  const double energy = std::inner_product(taps.begin(), taps.end(), taps.begin(), 0.0);
  // Normalised to the DC gain: a filter that blocks DC has no equivalent low-pass bandwidth.
  if (!(std::abs(sum) > 0.0))
    throw std::invalid_argument("noise bandwidth of an FIR with zero DC gain is undefined");
  return 0.5 * sample_rate_hz * energy / (sum * sum);
}

}  // namespace ll
