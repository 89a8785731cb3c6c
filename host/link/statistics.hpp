// Double-precision statistics the simulator and its tests need: the Gaussian tail Q, the
// regularised incomplete beta function, exact binomial (Clopper-Pearson) intervals for measured
// error ratios, and the central interval of error counts a Monte-Carlo run should land in.
//
// Monte-Carlo BER runs reach 1e13 bits with a handful of errors, so everything here is written
// to stay accurate for huge n and tiny p (log-space prefactors, no 1 - tiny cancellations).
#pragma once

#include <cstdint>

namespace ll {

// Gaussian tail probability Q(x) = P(Z > x) = 0.5 * erfc(x / sqrt(2)).
double q_function(double x);

// Inverse of q_function: the x with Q(x) = p. Defined for p in (0, 1) (p > 0.5 gives x < 0);
// accurate to ~1e-13 relative for p down to the smallest normal double.
double q_function_inverse(double p);

// Regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
double regularized_incomplete_beta(double a, double b, double x);

struct Interval {
  double lo, hi;
};

// Exact two-sided binomial confidence interval for the success probability after k successes
// in n trials (Clopper-Pearson), e.g. confidence = 0.95. n == 0 gives {0, 1}.
Interval clopper_pearson(std::uint64_t k, std::uint64_t n, double confidence);

// P(X <= k) for X ~ Binomial(n, p).
double binomial_cdf(std::uint64_t k, std::uint64_t n, double p);

// P(X > k) for X ~ Binomial(n, p), computed directly (accurate when tiny).
double binomial_survival(std::uint64_t k, std::uint64_t n, double p);

struct CountInterval {
  std::uint64_t lo, hi;
};

// Central interval of counts for X ~ Binomial(n, p): the largest lo with P(X < lo) <= tail and
// the smallest hi with P(X > hi) <= tail, tail = (1 - confidence) / 2, so that
// P(lo <= X <= hi) >= confidence. Tests use it to accept a Monte-Carlo error count.
CountInterval binomial_count_interval(std::uint64_t n, double p, double confidence);

// Symbol error ratio of M-level PAM with equally spaced levels (spacing between adjacent levels)
// in additive Gaussian noise of standard deviation sigma, threshold detection at midpoints:
// 2 (1 - 1/M) Q(spacing / (2 sigma)).
double pam_ser_gaussian(int levels, double spacing, double sigma);

}  // namespace ll
