// Statistics helpers; see statistics.hpp.
//
// The incomplete beta function is a continued fraction evaluated in the tail below the mean with
// the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) for the other side, as in Numerical Recipes, but two
// pieces are replaced because BER statistics push a + b to 1e13 with a ~ 1..1e6:
//  * the prefactor x^a (1-x)^b / B(a, b) is not formed from lgamma differences (lgamma(1e13) ~
//    3e14, leaving ~2 correct digits) but from Loader's saddle-point form behind R's dbinom:
//    Stirling-series remainders plus the deviance term bd0, a few ulp for any a and b;
//  * the fraction is Didonato & Morris' (TOMS 708 BFRAC) rather than NR's betacf, whose
//    coefficients cancel catastrophically (1e-4 relative error observed) when the symmetric
//    branch runs it with x = 1 - 1e-13 and a = 1e13.
// Checked against 40-digit mpmath sums: <= ~5e-13 relative on the smaller tail.
#include "host/link/statistics.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>

namespace ll {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = std::numeric_limits<double>::epsilon();

// stirlerr(n) = lgamma(n + 1) - (n + 1/2) log(n) + n - log(sqrt(2 pi)), the remainder of
// Stirling's formula. Values at n = 0.5, 1, ..., 15 (computed with mpmath at 40 digits) because
// the lgamma expression cancels there and integer/half-integer arguments are the common case.
constexpr double kStirlerrHalves[31] = {
    0.0,  // n = 0: unused (callers never pass 0)
    1.5342640972002734529e-1,
    8.106146679532725822e-2,
    5.4814121051917653896e-2,
    4.1340695955409294094e-2,
    3.3162873519936287485e-2,
    2.7677925684998339149e-2,
    2.3746163656297495971e-2,
    2.0790672103765093112e-2,
    1.8488450532673185231e-2,
    1.6644691189821192163e-2,
    1.5134973221917378874e-2,
    1.3876128823070747999e-2,
    1.2810465242920226924e-2,
    1.1896709945891770095e-2,
    1.1104559758206917327e-2,
    1.0411265261972096497e-2,
    9.7994161261588032984e-3,
    9.2554621827127329177e-3,
    8.768700134139385463e-3,
    8.3305634333628712565e-3,
    7.9341145643140205472e-3,
    7.573675487951840795e-3,
    7.2445543013203831795e-3,
    6.9428401072095298657e-3,
    6.6652470327076824424e-3,
    6.4089941880042070684e-3,
    6.1717122630394576475e-3,
    5.9513701127588477356e-3,
    5.746216513010115682e-3,
    5.554733551962801371e-3,
};

double stirlerr(double n) {
  constexpr double s0 = 1.0 / 12.0, s1 = 1.0 / 360.0, s2 = 1.0 / 1260.0, s3 = 1.0 / 1680.0,
                   s4 = 1.0 / 1188.0;
  if (n <= 15.0) {
    const double twice = 2.0 * n;
    if (twice == std::floor(twice)) return kStirlerrHalves[static_cast<int>(twice)];
    // Small non-half-integer n: the terms are O(1..40), so the cancellation costs only a few ulp.
    return std::lgamma(n + 1.0) - (n + 0.5) * std::log(n) + n -
           0.5 * std::log(2.0 * std::numbers::pi);
  }
  // Asymptotic series; the number of terms kept gives full double precision in each range.
  const double nn = n * n;
  if (n > 500.0) return (s0 - s1 / nn) / n;
  if (n > 80.0) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35.0) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// bd0(x, m) = x log(x / m) + m - x, the binomial/Poisson deviance term, without the
// cancellation the direct formula suffers when x is close to m (the usual case near the mode).
double bd0(double x, double m) {
  if (std::fabs(x - m) < 0.1 * (x + m)) {
    // Series in v = (x - m) / (x + m): x log(x/m) + m - x = (x - m) v + 2x sum v^(2j+1)/(2j+1).
    double v = (x - m) / (x + m);
    double s = (x - m) * v;
    if (std::fabs(s) < DBL_MIN) return s;
    double ej = 2.0 * x * v;
    v *= v;
    for (int j = 1; j < 1000; ++j) {
      ej *= v;
      const double s1 = s + ej / (2 * j + 1);
      if (s1 == s) return s1;
      s = s1;
    }
  }
  return x * std::log(x / m) + m - x;
}

// x^a y^b / B(a, b) with y = 1 - x passed separately (so tiny 1 - x keeps its precision).
// Written as Gamma(a+b+1) / (Gamma(a+1) Gamma(b+1)) x^a y^b * a b / (a + b) and evaluated with
// Stirling remainders and deviances; a, b > 0, 0 < x < 1.
double beta_front(double a, double b, double x, double y) {
  const double n = a + b;
  const double lc = stirlerr(n) - stirlerr(a) - stirlerr(b) - bd0(a, n * x) - bd0(b, n * y);
  // log(2 pi a b / n): the Gaussian normalisation of the saddle point.
  const double lf = std::log(2.0 * std::numbers::pi) + std::log(a) + std::log(b) - std::log(n);
  return std::exp(lc - 0.5 * lf) * (a * b / n);
}

// Didonato & Morris' continued fraction for I_x(a, b) (ACM TOMS 708, BFRAC), valid below the
// mean, i.e. for lambda = a - (a + b) x >= 0. Unlike the Numerical Recipes form it never forms
// (a + b) x / (a + 1) with x ~ 1 - 1e-13 and a ~ 1e13, whose cancellation costs ~13 digits when
// the tail wanted lies above the mean of a very skewed distribution; lambda carries that
// cancellation instead, computed once from whichever of x, y is small.
double beta_continued_fraction(double a, double b, double x, double y, double lambda) {
  const double front = beta_front(a, b, x, y);
  if (front == 0.0) return 0.0;
  const double c = 1.0 + lambda, c0 = b / a, c1 = 1.0 + 1.0 / a, yp1 = y + 1.0;
  double n = 0.0, p = 1.0, s = a + 1.0;
  double an = 0.0, bn = 1.0, anp1 = 1.0, bnp1 = c / c1;
  double r = c1 / c;
  // The fraction needs O(sqrt(min(a, b))) terms near the mean; the cap only stops NaN input.
  for (int i = 0; i < 10'000'000; ++i) {
    n += 1.0;
    double t = n / a;
    const double w = n * (b - n) * x;
    double e = a / s;
    const double alpha = (p * (p + c0) * e * e) * (w * x);
    e = (1.0 + t) / (c1 + t + t);
    const double beta = n + w / s + e * (c + n * yp1);
    p = 1.0 + t;
    s += 2.0;
    t = alpha * an + beta * anp1;
    an = anp1;
    anp1 = t;
    t = alpha * bn + beta * bnp1;
    bn = bnp1;
    bnp1 = t;
    const double r0 = r;
    r = anp1 / bnp1;
    if (!(std::fabs(r - r0) > kEps * r)) break;
    // Rescale so the recurrences cannot overflow.
    an /= bnp1;
    bn /= bnp1;
    anp1 = r;
    bnp1 = 1.0;
  }
  return front * r;
}

// Both tails of the beta distribution, I_x(a, b) and 1 - I_x(a, b), each computed directly when
// it is the small one, so callers comparing either tail against alpha/2 keep relative precision.
// y = 1 - x is passed separately so that a tiny 1 - x keeps its precision.
struct Tails {
  double lower, upper;
};

Tails beta_tails(double a, double b, double x, double y) {
  if (!(a > 0.0 && b > 0.0) || std::isnan(x) || std::isnan(y)) return {kNaN, kNaN};
  if (x <= 0.0) return {0.0, 1.0};
  if (y <= 0.0) return {1.0, 0.0};
  // Closed forms for b == 1 and a == 1 (k = n - 1 and k = 0 in the binomial uses), with
  // log(1 - x) taken from whichever of x, y is accurate.
  if (b == 1.0) {  // I_x(a, 1) = x^a
    const double log_x = x < 0.5 ? std::log(x) : std::log1p(-y);
    return {std::exp(a * log_x), -std::expm1(a * log_x)};
  }
  if (a == 1.0) {  // I_x(1, b) = 1 - y^b
    const double log_y = y < 0.5 ? std::log(y) : std::log1p(-x);
    return {-std::expm1(b * log_y), std::exp(b * log_y)};
  }
  // lambda = a - (a + b) x, from y when x is the one near 1. lambda >= 0: x is below the mean
  // and the lower tail is the small one to compute directly.
  const double lambda = a > b ? (a + b) * y - b : a - (a + b) * x;
  if (lambda >= 0.0) {
    const double lower = beta_continued_fraction(a, b, x, y, lambda);
    return {lower, 1.0 - lower};
  }
  const double upper = beta_continued_fraction(b, a, y, x, -lambda);
  return {1.0 - upper, upper};
}

// The x in (0, 1) where a monotone tail probability of Beta(a, b) equals target, by bisection in
// log x: roots span 1e-16 .. 1 and need relative precision, and bisection cannot be thrown off
// by the steep tails that make Newton steps overshoot. use_upper picks the upper tail 1 - I_x.
double beta_tail_inverse(double a, double b, double target, bool use_upper) {
  auto tail = [&](double u) {
    const double x = std::exp(u);
    const Tails t = beta_tails(a, b, x, -std::expm1(u));
    return use_upper ? t.upper : t.lower;
  };
  // "below" means the root lies at larger u: lower tail still under target, or upper tail over.
  auto below = [&](double u) { return use_upper ? tail(u) > target : tail(u) < target; };
  double u_lo = std::log(DBL_MIN), u_hi = 0.0;
  if (!below(u_lo)) return std::exp(u_lo);
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (u_lo + u_hi);
    if (mid <= u_lo || mid >= u_hi) break;  // adjacent doubles: as precise as u can be
    if (below(mid)) {
      u_lo = mid;
    } else {
      u_hi = mid;
    }
  }
  return std::exp(0.5 * (u_lo + u_hi));
}

// P(X > k) for X ~ Bin(n, p) = I_p(k + 1, n - k); k < n, 0 < p < 1.
double binomial_sf(std::uint64_t k, std::uint64_t n, double p) {
  return beta_tails(static_cast<double>(k) + 1.0, static_cast<double>(n - k), p, 1.0 - p).lower;
}

// Smallest k in [lo, hi] with pred(k) true, pred monotone (false ... false true ... true) and
// pred(hi) known to be true.
template <class Pred>
std::uint64_t first_true(std::uint64_t lo, std::uint64_t hi, Pred pred) {
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (pred(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace

double q_function(double x) { return 0.5 * std::erfc(x / std::numbers::sqrt2); }

double q_function_inverse(double p) {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return kNaN;
  if (p == 0.0) return std::numeric_limits<double>::infinity();
  if (p == 1.0) return -std::numeric_limits<double>::infinity();
  if (p == 0.5) return 0.0;
  if (p > 0.5) return -q_function_inverse(1.0 - p);
  const double inv_sqrt_2pi = 0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2;
  if (p >= 0.25) {
    // Near the centre Q(x) = 0.5 - d with d small: solve erf(x / sqrt 2) / 2 = d instead, since
    // d = 0.5 - p is exact here and erf keeps relative precision for tiny x where erfc cannot.
    // erf is concave for x > 0, so Newton from the linearised start approaches from below.
    const double d = 0.5 - p;
    double x = d / inv_sqrt_2pi;
    for (int i = 0; i < 100; ++i) {
      const double dx =
          (d - 0.5 * std::erf(x / std::numbers::sqrt2)) / (inv_sqrt_2pi * std::exp(-0.5 * x * x));
      x += dx;
      if (std::fabs(dx) <= 4.0 * kEps * std::fabs(x)) break;
    }
    return x;
  }
  // Start from Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), then Newton on
  // g(x) = log Q(x) - log p. log Q is concave, so Newton converges monotonically, and working in
  // logs keeps the step well scaled for p down to 1e-300.
  const double t = std::sqrt(-2.0 * std::log(p));
  double x = t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                     (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
  const double log_p = std::log(p);
  for (int i = 0; i < 100; ++i) {
    const double q = q_function(x);
    const double phi = inv_sqrt_2pi * std::exp(-0.5 * x * x);
    const double dx = (std::log(q) - log_p) * q / phi;
    x += dx;
    if (std::fabs(dx) <= 4.0 * kEps * std::fabs(x)) break;
  }
  return x;
}

double regularized_incomplete_beta(double a, double b, double x) {
  if (std::isnan(x) || x < 0.0 || x > 1.0) return kNaN;
  return beta_tails(a, b, x, 1.0 - x).lower;
}

Interval clopper_pearson(std::uint64_t k, std::uint64_t n, double confidence) {
  if (n == 0 || !(confidence < 1.0)) return {0.0, 1.0};
  k = std::min(k, n);
  const double half_alpha = 0.5 * (1.0 - confidence);
  const double kd = static_cast<double>(k), nd = static_cast<double>(n);
  // lo: I_lo(k, n - k + 1) = alpha/2; hi: 1 - I_hi(k + 1, n - k) = alpha/2.
  const double lo = k == 0 ? 0.0 : beta_tail_inverse(kd, nd - kd + 1.0, half_alpha, false);
  const double hi = k == n ? 1.0 : beta_tail_inverse(kd + 1.0, nd - kd, half_alpha, true);
  return {lo, hi};
}

double binomial_cdf(std::uint64_t k, std::uint64_t n, double p) {
  if (k >= n || p <= 0.0) return 1.0;
  if (p >= 1.0) return 0.0;
  // P(X <= k) = 1 - I_p(k + 1, n - k), taken as the directly computed upper tail.
  return beta_tails(static_cast<double>(k) + 1.0, static_cast<double>(n - k), p, 1.0 - p).upper;
}

double binomial_survival(std::uint64_t k, std::uint64_t n, double p) {
  if (k >= n || p <= 0.0) return 0.0;
  if (p >= 1.0) return 1.0;
  return binomial_sf(k, n, p);
}

CountInterval binomial_count_interval(std::uint64_t n, double p, double confidence) {
  if (p <= 0.0) return {0, 0};
  if (p >= 1.0) return {n, n};
  const double tail = 0.5 * (1.0 - confidence);
  // lo: the largest lo with P(X <= lo - 1) <= tail is the smallest j with P(X <= j) > tail.
  auto lo_pred = [&](std::uint64_t j) { return binomial_cdf(j, n, p) > tail; };
  // hi: the smallest h with P(X > h) <= tail.
  auto hi_pred = [&](std::uint64_t h) { return h >= n || binomial_sf(h, n, p) <= tail; };

  // Search a window of +-12 standard deviations around the mean first (the answers lie within a
  // few), widening to [0, n] only if the window turns out not to bracket them.
  const double nd = static_cast<double>(n);
  const double mean = nd * p;
  const double spread = 12.0 * std::sqrt(mean * (1.0 - p)) + 12.0;
  const auto clamp_count = [&](double v) {
    return static_cast<std::uint64_t>(std::clamp(std::floor(v), 0.0, nd));
  };
  const std::uint64_t w_lo = clamp_count(mean - spread), w_hi = clamp_count(mean + spread);
  auto search = [&](auto pred) {
    const bool lo_ok = w_lo == 0 || !pred(w_lo - 1);
    const bool hi_ok = pred(w_hi);
    return first_true(lo_ok ? w_lo : 0, hi_ok ? w_hi : n, pred);
  };
  return {search(lo_pred), search(hi_pred)};
}

double pam_ser_gaussian(int levels, double spacing, double sigma) {
  const double m = static_cast<double>(levels);
  return 2.0 * (1.0 - 1.0 / m) * q_function(spacing / (2.0 * sigma));
}

}  // namespace ll
