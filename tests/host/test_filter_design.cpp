// The 4th-order Bessel-Thomson reference receiver and its FIR against independent double-
// precision references: the 3 dB point from the closed form of |D(jx)|^2 (a quartic in x^2,
// solved here by Newton), H(jx) from the real and imaginary parts of D(jx) written out, the FIR
// response as a direct DTFT sum, and the analogue noise bandwidth by adaptive Simpson. Nothing
// below reuses the library's bisection, Durand-Kerner or partial fractions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "host/link/filter_design.hpp"

namespace {

using ll::kPi;

// D(y) = y^4 + 10 y^3 + 45 y^2 + 105 y + 105 at y = j x: real part x^4 - 45 x^2 + 105,
// imaginary part 105 x - 10 x^3; so |D(jx)|^2 = x^8 + 10 x^6 + 135 x^4 + 1575 x^2 + 11025
// (the cross terms cancel, as for every Bessel polynomial).
std::complex<double> reference_h(double x) {
  const double x2 = x * x;
  return 105.0 / std::complex<double>(x2 * x2 - 45.0 * x2 + 105.0, x * (105.0 - 10.0 * x2));
}
double reference_h2(double x) {
  const double u = x * x;
  return 11025.0 / ((((u + 10.0) * u + 135.0) * u + 1575.0) * u + 11025.0);
}

// x3 = w_3db / w_n: |H|^2 = 1/2 means u^4 + 10 u^3 + 135 u^2 + 1575 u - 11025 = 0, u = x^2.
// The quartic is increasing and convex for u > 0, so Newton from above converges monotonically.
double reference_x3db() {
  double u = 10.0;
  for (int i = 0; i < 100; ++i) {
    const double f = (((u + 10.0) * u + 135.0) * u + 1575.0) * u - 11025.0;
    const double df = ((4.0 * u + 30.0) * u + 270.0) * u + 1575.0;
    u -= f / df;
  }
  return std::sqrt(u);
}

// DTFT of real taps at frequency f, summed directly (each phase from its own polar(), so no
// recurrence error accumulates).
std::complex<double> dtft(const std::vector<double>& h, double f, double fs) {
  std::complex<double> s = 0.0;
  for (std::size_t n = 0; n < h.size(); ++n)
    s += h[n] * std::polar(1.0, -2.0 * kPi * f * static_cast<double>(n) / fs);
  return s;
}

double adaptive_simpson(const std::function<double(double)>& f, double a, double b, double tol) {
  const std::function<double(double, double, double, double, double, double, double, int)> rec =
      [&](double lo, double hi, double flo, double fmid, double fhi, double whole, double eps,
          int depth) {
        const double mid = 0.5 * (lo + hi), lm = 0.5 * (lo + mid), rm = 0.5 * (mid + hi);
        const double flm = f(lm), frm = f(rm);
        const double left = (mid - lo) / 6.0 * (flo + 4.0 * flm + fmid);
        const double right = (hi - mid) / 6.0 * (fmid + 4.0 * frm + fhi);
        if (depth <= 0 || std::abs(left + right - whole) <= 15.0 * eps)
          return left + right + (left + right - whole) / 15.0;
        return rec(lo, mid, flo, flm, fmid, left, 0.5 * eps, depth - 1) +
               rec(mid, hi, fmid, frm, fhi, right, 0.5 * eps, depth - 1);
      };
  const double fa = f(a), fb = f(b), fm = f(0.5 * (a + b));
  return rec(a, b, fa, fm, fb, (b - a) / 6.0 * (fa + 4.0 * fm + fb), tol, 50);
}

TEST(BesselThomson4, ThreeDbPointAndDcGain) {
  for (double f3db : {20e9, 56e9, 70e9}) {
    EXPECT_NEAR(std::norm(ll::bessel_thomson4(f3db, f3db)), 0.5, 1e-12) << f3db;
    EXPECT_NEAR(std::abs(ll::bessel_thomson4(0.0, f3db)), 1.0, 1e-15) << f3db;
  }
  // The solved constant against the quartic's root (both converge to a few ulp), and 802.3's
  // rounded 2.114 (which the three-decimal rounding puts within 5e-4).
  EXPECT_NEAR(ll::bessel_thomson4_norm(), reference_x3db(), 1e-13);
  EXPECT_NEAR(ll::bessel_thomson4_norm(), 2.114, 1e-3);
}

TEST(BesselThomson4, ResponseMatchesExpandedPolynomial) {
  // H(f) = 105 / D(j x3 f / f3db), evaluated here from the written-out real/imaginary parts;
  // both are a handful of roundings on O(1..1e4) quantities, so 1e-12 relative is ample.
  const double f3db = 56e9, x3 = reference_x3db();
  for (double r = 0.0; r <= 20.0; r += 0.125) {
    const std::complex<double> want = reference_h(x3 * r);
    const std::complex<double> got = ll::bessel_thomson4(r * f3db, f3db);
    EXPECT_LE(std::abs(got - want), 1e-12 * std::abs(want)) << "f/f3db = " << r;
  }
}

TEST(BesselThomson4, DcGroupDelayIsOneOverOmegaN) {
  // The Bessel polynomial gives unit group delay at DC in units of 1/w_n (D'(0)/D(0) = 1), so
  // tau(0) = x3 / (2 pi f3db). Central difference of the phase at f = 1e-4 f3db: the phase is
  // odd in f, the cubic term of a maximally flat delay vanishes, so the truncation error is far
  // below 1e-6; the phase (~2e-4 rad) carries ~1e-16 rad of rounding, 1e-12 relative.
  for (double f3db : {20e9, 56e9}) {
    const double df = 1e-4 * f3db;
    const double dphi =
        std::arg(ll::bessel_thomson4(df, f3db)) - std::arg(ll::bessel_thomson4(-df, f3db));
    const double tau = -dphi / (2.0 * kPi * 2.0 * df);
    const double want = ll::bessel_thomson4_norm() / (2.0 * kPi * f3db);
    EXPECT_NEAR(tau / want, 1.0, 1e-6) << f3db;
  }
}

TEST(BesselThomson4, PolesAreConjugateLeftHalfPlaneRoots) {
  const auto poles = ll::bessel_thomson4_poles();
  const double c[5] = {105.0, 105.0, 45.0, 10.0, 1.0};
  std::complex<double> sum = 0.0, prod = 1.0;
  for (const auto& p : poles) {
    // Residual relative to the sum of the term magnitudes: what rounding alone can reach.
    std::complex<double> v = 0.0;
    double scale = 0.0;
    for (int k = 4; k >= 0; --k) {
      v = v * p + c[k];
      scale += c[k] * std::pow(std::abs(p), k);
    }
    EXPECT_LE(std::abs(v), 1e-12 * scale) << p;
    EXPECT_LT(p.real(), 0.0) << p;
    // Its conjugate is among the poles, and the pole is not real (an even-order Bessel
    // polynomial has no real root; here the imaginary parts are 0.867 and 2.657).
    double nearest = std::numeric_limits<double>::infinity();
    for (const auto& q : poles) nearest = std::min(nearest, std::abs(q - std::conj(p)));
    EXPECT_LE(nearest, 1e-12 * std::abs(p)) << p;
    EXPECT_GT(std::abs(p.imag()), 0.5) << p;
    sum += p;
    prod *= p;
  }
  // Vieta: the four roots are distinct and complete (sum -10, product 105).
  EXPECT_NEAR(sum.real(), -10.0, 1e-12);
  EXPECT_NEAR(sum.imag(), 0.0, 1e-12);
  EXPECT_NEAR(prod.real(), 105.0, 1e-11);
  EXPECT_NEAR(prod.imag(), 0.0, 1e-11);
}

struct FirCase {
  double f3db, fs;
};
const FirCase kFirCases[] = {{56e9, 3.4e12}, {70e9, 3.4e12}, {20e9, 212.5e9 * 4}};

TEST(BesselThomson4Fir, UnitDcGain) {
  for (const auto& c : kFirCases) {
    const auto h = ll::design_bessel_thomson4_fir(c.f3db, c.fs);
    EXPECT_NEAR(std::accumulate(h.begin(), h.end(), 0.0), 1.0, 1e-12) << c.f3db;
  }
}

TEST(BesselThomson4Fir, ResponseMatchesAnalogueUpToTwiceF3db) {
  // Not an (f3db/fs)-order error: impulse invariance aliases H(f - k fs), and |H| falls as
  // 105 (x3 f / f3db)^-4, so the nearest alias (fs - 2 f3db) is below 2e-6 for fs/f3db >= 42.5.
  // The 1e-12 energy truncation drops taps summing to ~1e-6, and the unit-DC rescale moves the
  // whole response by the same order. Measured max |H_d - H| over 0..2 f3db (complex, so phase
  // errors count too): (56e9, 3.4e12) 2.3e-6, (70e9, 3.4e12) 4.2e-6, (20e9, 850e9) 6.4e-6.
  // Tolerance ~3x the worst; a first-order error (f3db/fs ~ 2e-2) would fail it by 1000x.
  const double tol = 2e-5;
  const double x3 = reference_x3db();
  for (const auto& c : kFirCases) {
    SCOPED_TRACE(c.f3db);
    const auto h = ll::design_bessel_thomson4_fir(c.f3db, c.fs);
    double worst = 0.0;
    for (int i = 0; i <= 400; ++i) {
      const double f = 2.0 * c.f3db * i / 400.0;
      const std::complex<double> hd = dtft(h, f, c.fs);
      EXPECT_NEAR(std::abs(hd), std::abs(ll::bessel_thomson4(f, c.f3db)), tol) << f;
      worst = std::max(worst, std::abs(hd - reference_h(x3 * f / c.f3db)));
    }
    EXPECT_LE(worst, tol);
  }
}

TEST(BesselThomson4Fir, ResponseIsPoissonSumUpToTruncation) {
  // Sharper: the untruncated impulse-invariant filter scaled to unit DC has exactly
  //     G(f) = sum_k H(f - k fs) / sum_k H(k fs)     (Poisson summation; h(0) = 0),
  // summed here over |k| <= 2000 (remainder ~1e-16). Truncating after L taps and rescaling
  // gives G - tail(f) - G * tail(0) to first order, so |H_d - G| <= 2 sum_{n>=L} |g[n]|; the
  // dropped taps are read off a 1e-15 design (its own, further tail is ~3% of that sum, hence
  // the factor 2.2). Aliasing and truncation are both checked, not just their sum against 2e-5.
  const double x3 = reference_x3db();
  for (const auto& c : kFirCases) {
    SCOPED_TRACE(c.f3db);
    const auto h = ll::design_bessel_thomson4_fir(c.f3db, c.fs);
    const auto longer = ll::design_bessel_thomson4_fir(c.f3db, c.fs, 1e-15);
    double dropped = 0.0;
    for (std::size_t n = h.size(); n < longer.size(); ++n) dropped += std::abs(longer[n]);
    const double bound = 2.2 * dropped;
    auto poisson = [&](double f) {
      std::complex<double> s = 0.0;
      for (int k = -2000; k <= 2000; ++k) s += reference_h(x3 * (f - k * c.fs) / c.f3db);
      return s;
    };
    const std::complex<double> dc = poisson(0.0);
    double worst = 0.0;
    for (int i = 0; i <= 100; ++i) {
      const double f = 2.0 * c.f3db * i / 100.0;
      worst = std::max(worst, std::abs(dtft(h, f, c.fs) - poisson(f) / dc));
    }
    EXPECT_LE(worst, bound);
    EXPECT_LT(bound, 1e-5);  // the bound itself is the truncation the design promises
  }
}

TEST(BesselThomson4Fir, TruncatedTailCarriesLessThanTheTolerance) {
  // Designing with a 1000x smaller tolerance extends the same impulse response (the taps agree
  // up to the DC rescale); the extra taps are the tail the default design dropped, and must
  // carry < 1e-12 of the energy. The design is also the shortest such: the tail including its
  // last kept tap exceeds 1e-12 (up to the 1e-15 still beyond the long design).
  for (const auto& c : kFirCases) {
    SCOPED_TRACE(c.f3db);
    const auto a = ll::design_bessel_thomson4_fir(c.f3db, c.fs, 1e-12);
    const auto b = ll::design_bessel_thomson4_fir(c.f3db, c.fs, 1e-15);
    ASSERT_GT(b.size(), a.size());
    const double scale = std::accumulate(b.begin(), b.begin() + static_cast<long>(a.size()), 0.0);
    for (std::size_t i = 0; i < a.size(); ++i)
      ASSERT_NEAR(a[i] * scale, b[i], 1e-13 * std::abs(b[i]) + 1e-300) << "tap " << i;
    const double total = std::inner_product(b.begin(), b.end(), b.begin(), 0.0);
    auto tail_from = [&](std::size_t i) {
      double e = 0.0;
      for (std::size_t k = b.size(); k-- > i;) e += b[k] * b[k];
      return e / total;
    };
    EXPECT_LT(tail_from(a.size()), 1e-12);
    EXPECT_GT(tail_from(a.size() - 1) + 1e-15, 1e-12);
    EXPECT_LT(tail_from(b.size()), 1e-15);
  }
}

TEST(FirNoiseBandwidth, BoxcarIsHalfSampleRateOverLength) {
  // sum h^2 / (sum h)^2 = 1/m for m equal taps; every intermediate is exact in binary here, so
  // the result is the correctly rounded fs/(2m) (4-ulp comparison).
  for (int m : {1, 2, 3, 7, 16, 100}) {
    for (double fs : {3.4e12, 850e9}) {
      EXPECT_DOUBLE_EQ(ll::fir_noise_bandwidth_hz(std::vector<double>(m, 0.25), fs),
                       fs / (2.0 * m));
    }
  }
}

TEST(FirNoiseBandwidth, Bt4FirApproachesAnalogueEnbw) {
  // Analogue ENBW = int_0^inf |H(f)|^2 df = (f3db / x3) int_0^inf |H(jx)|^2 dx
  //              = 1.046369 f3db (integral 2.2119377).
  // Simpson over x in [0, 200] plus the analytic tail int_200^inf 11025/x^8 dx = 1575/200^7.
  const double x3 = reference_x3db();
  const double xmax = 200.0;
  const double integral =
      adaptive_simpson(reference_h2, 0.0, xmax, 1e-13) + 1575.0 / std::pow(xmax, 7);
  EXPECT_NEAR(integral / x3, 1.046369, 1e-6);
  // The FIR's ENBW is int_0^{fs/2} |H_d|^2 df: it misses int_{fs/2}^inf |H|^2 (~1e-14 f3db
  // here), gains the aliasing (~1e-6), and the truncation lowers sum h by ~1e-6, which enters
  // squared. Measured relative differences -3.0e-6, -5.4e-6, -8.3e-6; 3e-5 is ~3x the worst
  // (the requirement was 1e-3; a wrong ENBW formula, e.g. fs instead of fs/2, fails by 100%).
  for (const auto& c : kFirCases) {
    const double want = c.f3db * integral / x3;
    const double got =
        ll::fir_noise_bandwidth_hz(ll::design_bessel_thomson4_fir(c.f3db, c.fs), c.fs);
    EXPECT_NEAR(got / want, 1.0, 3e-5) << c.f3db << " " << c.fs;
  }
}

TEST(BesselThomson4Fir, InvalidBandwidthThrows) {
  const double fs = 3.4e12;
  for (double f3db : {0.0, -56e9, 0.5 * fs, 0.6 * fs, std::numeric_limits<double>::quiet_NaN()})
    EXPECT_THROW(ll::design_bessel_thomson4_fir(f3db, fs), std::invalid_argument) << f3db;
}

}  // namespace
