// host/statistics: checked against closed forms and against values computed independently with
// scipy 1.17 (scipy.stats / scipy.special, i.e. Boost's incomplete beta) and mpmath.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>

#include "host/link/statistics.hpp"

namespace {

// |actual - expected| <= rel * |expected|, with a readable failure message.
void expect_rel(double actual, double expected, double rel) {
  EXPECT_LE(std::fabs(actual - expected), rel * std::fabs(expected))
      << "actual " << actual << " expected " << expected << " (rel tol " << rel << ")";
}

TEST(QFunction, KnownValues) {
  expect_rel(ll::q_function(0.0), 0.5, 1e-15);
  expect_rel(ll::q_function(1.0), 0.158655253931457, 1e-12);
  expect_rel(ll::q_function(3.0), 1.349898031630095e-3, 1e-12);
  expect_rel(ll::q_function(6.0), 9.865876450376946e-10, 1e-12);
  expect_rel(ll::q_function(-1.0), 1.0 - 0.158655253931457, 1e-12);
}

TEST(QFunction, InverseRoundTrip) {
  for (double p : {0.5, 0.4999999, 0.3, 0.25, 0.2, 0.1, 1e-3, 1e-6, 1e-9, 1e-12, 1e-15, 1e-30,
                   1e-100, 1e-300}) {
    const double x = ll::q_function_inverse(p);
    expect_rel(ll::q_function(x), p, 1e-12);
  }
  // Independent values: Q^-1(1e-3) and Q^-1(1e-12) (scipy.stats.norm.isf).
  expect_rel(ll::q_function_inverse(1e-3), 3.090232306167813, 1e-13);
  expect_rel(ll::q_function_inverse(1e-12), 7.034483825301131, 1e-13);
  // Near the centre x is tiny and must still be relatively accurate: Q(x) ~ 0.5 - x/sqrt(2 pi)
  // (the cubic term is ~1e-25 relative here). 0.5 - 2^-40 is exact in double.
  const double d = std::ldexp(1.0, -40);
  expect_rel(ll::q_function_inverse(0.5 - d), d * std::sqrt(2.0 * std::numbers::pi), 1e-13);
  EXPECT_EQ(ll::q_function_inverse(0.5), 0.0);
  expect_rel(ll::q_function_inverse(0.9), -ll::q_function_inverse(0.1), 1e-14);
}

TEST(IncompleteBeta, ClosedForms) {
  for (double x : {1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.999}) {
    for (double b : {1.0, 2.0, 3.5, 17.0, 1000.0}) {
      const double expected = -std::expm1(b * std::log1p(-x));  // I_x(1, b) = 1 - (1-x)^b
      expect_rel(ll::regularized_incomplete_beta(1.0, b, x), expected, 1e-12);
    }
    for (double a : {1.0, 2.0, 3.5, 17.0, 1000.0}) {
      const double expected = std::pow(x, a);  // I_x(a, 1) = x^a
      if (expected > 1e-300) {
        expect_rel(ll::regularized_incomplete_beta(a, 1.0, x), expected, 1e-12);
      }
    }
    // I_x(2, 2) = 3x^2 - 2x^3 and I_x(1/2, 1/2) = (2/pi) asin(sqrt x).
    expect_rel(ll::regularized_incomplete_beta(2.0, 2.0, x), x * x * (3.0 - 2.0 * x), 1e-12);
    expect_rel(ll::regularized_incomplete_beta(0.5, 0.5, x),
               2.0 / std::numbers::pi * std::asin(std::sqrt(x)), 1e-12);
  }
  EXPECT_EQ(ll::regularized_incomplete_beta(3.0, 4.0, 0.0), 0.0);
  EXPECT_EQ(ll::regularized_incomplete_beta(3.0, 4.0, 1.0), 1.0);
}

TEST(IncompleteBeta, Symmetry) {
  // I_{1/2}(a, a) = 1/2 exactly, and I_x(a, b) = 1 - I_{1-x}(b, a).
  for (double a : {0.5, 2.0, 7.0, 123.5, 1e6}) {
    expect_rel(ll::regularized_incomplete_beta(a, a, 0.5), 0.5, 1e-12);
  }
  for (double x : {0.1, 0.37, 0.5, 0.8}) {
    expect_rel(ll::regularized_incomplete_beta(30.0, 40.0, x) +
                   ll::regularized_incomplete_beta(40.0, 30.0, 1.0 - x),
               1.0, 1e-13);
  }
  // scipy.special.betainc values.
  expect_rel(ll::regularized_incomplete_beta(2.5, 2.5, 0.3), 0.1869669619088736, 1e-12);
  expect_rel(ll::regularized_incomplete_beta(30.0, 40.0, 0.4), 0.31814380259056413, 1e-12);
}

TEST(ClopperPearson, SmallSamples) {
  const ll::Interval z = ll::clopper_pearson(0, 10, 0.95);
  EXPECT_EQ(z.lo, 0.0);
  expect_rel(z.hi, 0.3084971078187608, 1e-12);  // 1 - 0.025^(1/10)
  const ll::Interval h = ll::clopper_pearson(5, 10, 0.95);
  expect_rel(h.lo, 0.1870860284474, 1e-11);
  expect_rel(h.hi, 0.8129139715525, 1e-11);
  const ll::Interval all = ll::clopper_pearson(10, 10, 0.95);
  expect_rel(all.lo, 1.0 - 0.3084971078187608, 1e-12);
  EXPECT_EQ(all.hi, 1.0);
  const ll::Interval none = ll::clopper_pearson(0, 0, 0.95);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_EQ(none.hi, 1.0);
}

TEST(ClopperPearson, LargeSamples) {
  // Reference values from scipy.stats.beta.ppf(alpha/2, k, n-k+1) / beta.isf(alpha/2, k+1, n-k).
  const ll::Interval a = ll::clopper_pearson(100, 1'000'000, 0.95);
  EXPECT_LT(a.lo, 1e-4);
  EXPECT_GT(a.hi, 1e-4);
  expect_rel(a.lo, 8.13647087416017e-05, 1e-11);
  expect_rel(a.hi, 0.00012162547857124547, 1e-11);
  const ll::Interval b = ll::clopper_pearson(100, 1'000'000, 0.99);
  expect_rel(b.lo, 7.612136667211263e-05, 1e-11);
  expect_rel(b.hi, 0.0001287587284781443, 1e-11);
  const ll::Interval c = ll::clopper_pearson(3, 1'000'000'000'000ULL, 0.95);
  expect_rel(c.lo, 6.186721228960288e-13, 1e-11);
  expect_rel(c.hi, 8.767273069717104e-12, 1e-11);
  // k = 1e6 errors in n = 1e13 bits. scipy's lo is itself ~4e-13 off here (a 40-digit mpmath
  // binomial sum gives I = 0.02500000002 at it, 0.025000000000015 at ours, 9.980409834380032e-08),
  // still well inside the tolerance.
  const ll::Interval d = ll::clopper_pearson(1'000'000, 10'000'000'000'000ULL, 0.95);
  expect_rel(d.lo, 9.980409834383897e-08, 1e-11);
  expect_rel(d.hi, 1.001961911847144e-07, 1e-11);
  // No errors in 1e13 bits: hi = 1 - 0.025^(1/n) ~ -log(0.025) / n.
  const ll::Interval e = ll::clopper_pearson(0, 10'000'000'000'000ULL, 0.95);
  EXPECT_EQ(e.lo, 0.0);
  expect_rel(e.hi, -std::expm1(std::log(0.025) / 1e13), 1e-12);
}

TEST(Binomial, CdfAgainstDirectSum) {
  // Small n: sum the probability mass function directly in long double.
  const std::uint64_t n = 40;
  const double p = 0.27;
  long double pmf = std::pow(1.0L - p, static_cast<long double>(n)), cdf = 0.0L;
  for (std::uint64_t k = 0; k < n; ++k) {
    cdf += pmf;
    expect_rel(ll::binomial_cdf(k, n, p), static_cast<double>(cdf), 1e-12);
    pmf *= static_cast<long double>(n - k) / static_cast<long double>(k + 1) * p / (1.0L - p);
  }
  EXPECT_EQ(ll::binomial_cdf(n, n, p), 1.0);
  // scipy.stats.binom.cdf.
  expect_rel(ll::binomial_cdf(1000, 1'000'000, 1e-3), 0.5084093682207762, 1e-11);
  expect_rel(ll::binomial_cdf(90, 100'000'000, 1e-6), 0.17138499412697858, 1e-11);
}

TEST(Binomial, CountInterval) {
  // Brute force with scipy.stats.binom.cdf / sf over k (agrees with binom.ppf / binom.isf).
  const ll::CountInterval a = ll::binomial_count_interval(1'000'000, 1e-3, 0.99);
  EXPECT_EQ(a.lo, 920u);
  EXPECT_EQ(a.hi, 1082u);
  const ll::CountInterval b = ll::binomial_count_interval(100'000'000, 1e-5, 0.99);
  EXPECT_EQ(b.lo, 919u);
  EXPECT_EQ(b.hi, 1082u);
  const ll::CountInterval c = ll::binomial_count_interval(1'000'000'000, 1e-7, 0.99);
  EXPECT_EQ(c.lo, 75u);
  EXPECT_EQ(c.hi, 127u);
  // The defining properties, checked with binomial_cdf itself.
  const double tail = 0.005;
  EXPECT_LE(ll::binomial_cdf(c.lo - 1, 1'000'000'000, 1e-7), tail);
  EXPECT_GT(ll::binomial_cdf(c.lo, 1'000'000'000, 1e-7), tail);
  EXPECT_LE(1.0 - ll::binomial_cdf(c.hi, 1'000'000'000, 1e-7), tail);
  EXPECT_GT(1.0 - ll::binomial_cdf(c.hi - 1, 1'000'000'000, 1e-7), tail);
  // Degenerate probabilities.
  const ll::CountInterval zero = ll::binomial_count_interval(1000, 0.0, 0.99);
  EXPECT_EQ(zero.lo, 0u);
  EXPECT_EQ(zero.hi, 0u);
}

TEST(Pam, SerGaussian) {
  // NRZ (M = 2): Q(d / 2 sigma); PAM4: 1.5 Q(d / 2 sigma).
  expect_rel(ll::pam_ser_gaussian(2, 2.0, 1.0 / 3.0), 1.349898031630095e-3, 1e-12);
  expect_rel(ll::pam_ser_gaussian(4, 1.0, 0.5), 1.5 * 0.158655253931457, 1e-12);
}

}  // namespace
