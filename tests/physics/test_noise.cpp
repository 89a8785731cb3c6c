// The float Box-Muller's own sin(pi x) and ln(u) (physics/noise.hpp) against libm in double
// precision, and the deviates they make against the normal distribution.
//  - sinpi_unit over a dense grid of [-1, 1] and at every quarter turn's edges: the polynomials'
//    truncation is below 2e-9, so what is left is float rounding: within 2e-7 absolute (under
//    two ulp of 1, the sine's scale; measured 9.7e-8) and exactly 0, +-1 at the multiples of 1/2.
//  - log_unit over u in (0, 1] from 2^-33 (Random123's u01 floor) up, on a geometric and a linear
//    grid: within 2 ulp relative (measured 1.26; ln u = 0 exactly at 1): -2 ln u sets the tails.
//  - standard_normal over 2^22 indices: mean 0 and variance 1 within 5 sigma of their sampling
//    error, and the tail fractions beyond 3 and 4 sigma within 5 binomial sigma of 2 Q(z).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "physics/noise.hpp"

namespace {

TEST(NoisePolynomials, SinPiMatchesDoubleLibm) {
  double worst = 0.0;
  for (int i = -1000000; i <= 1000000; ++i) {
    const float x = static_cast<float>(i) * 1e-6f;
    const double ref = std::sin(M_PI * static_cast<double>(x));
    worst = std::max(worst, std::abs(static_cast<double>(ll::sinpi_unit(x)) - ref));
  }
  EXPECT_LT(worst, 2e-7);
  for (float edge : {0.25f, 0.75f}) {
    for (float x : {std::nextafter(edge, 0.0f), edge, std::nextafter(edge, 1.0f)})
      for (float sign : {1.0f, -1.0f}) {
        const float y = sign * x;
        EXPECT_NEAR(ll::sinpi_unit(y), std::sin(M_PI * static_cast<double>(y)), 2e-7) << y;
      }
  }
  EXPECT_EQ(ll::sinpi_unit(0.0f), 0.0f);
  EXPECT_EQ(ll::sinpi_unit(0.5f), 1.0f);
  EXPECT_EQ(ll::sinpi_unit(-0.5f), -1.0f);
  EXPECT_EQ(std::abs(ll::sinpi_unit(1.0f)), 0.0f);
  EXPECT_EQ(std::abs(ll::sinpi_unit(-1.0f)), 0.0f);
  std::printf("sinpi_unit: max |error| %.3g over [-1, 1]\n", worst);
}

TEST(NoisePolynomials, LogMatchesDoubleLibm) {
  const double ulp = std::ldexp(1.0, -23);
  double worst = 0.0;  // in units of the result's float spacing
  auto check = [&](float u) {
    const double ref = std::log(static_cast<double>(u));
    const double got = ll::log_unit(u);
    const double spacing = std::max(ulp * std::abs(ref), std::ldexp(1.0, -149));
    worst = std::max(worst, std::abs(got - ref) / spacing);
  };
  for (double lg = -33.0; lg < 0.0; lg += 1e-5) check(static_cast<float>(std::exp2(lg)));
  for (int i = 1; i <= 1000000; ++i) check(static_cast<float>(i) * 1e-6f);
  EXPECT_LT(worst, 2.0);
  EXPECT_EQ(ll::log_unit(1.0f), 0.0f);
  std::printf("log_unit: max error %.3g ulp over (2^-33, 1]\n", worst);
}

TEST(NoisePolynomials, DeviatesAreStandardNormal) {
  const ll::NoiseKey key{0x1234'5678'9abc'def0ull, 7};
  const std::uint64_t n = 1ull << 22;
  double sum = 0.0, sum2 = 0.0;
  std::uint64_t beyond3 = 0, beyond4 = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double z = ll::standard_normal(key, ll::NoiseStream::receiver, i);
    sum += z;
    sum2 += z * z;
    beyond3 += std::abs(z) > 3.0;
    beyond4 += std::abs(z) > 4.0;
  }
  const double N = static_cast<double>(n);
  const double mean = sum / N, var = sum2 / N - mean * mean;
  EXPECT_LT(std::abs(mean), 5.0 / std::sqrt(N));
  EXPECT_LT(std::abs(var - 1.0), 5.0 * std::sqrt(2.0 / N));
  for (auto [z, count] : {std::pair{3.0, beyond3}, std::pair{4.0, beyond4}}) {
    const double p = std::erfc(z / std::sqrt(2.0));  // two-sided tail
    EXPECT_NEAR(static_cast<double>(count), p * N, 5.0 * std::sqrt(p * (1.0 - p) * N)) << z;
  }
}

}  // namespace
