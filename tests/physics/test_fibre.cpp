// The fibre (physics/fibre.hpp, kernels/engine/fir.hpp design_fibre_fir): G.652's dispersion
// against a datasheet bound and its own definition (zero at lambda0, slope S0 there); beta2
// against the textbook figure; the FIR against the all-pass in its band; and the two closed
// forms the issue names, each computed here on a sampled field: the broadening of a Gaussian
// pulse, T1/T0 = sqrt(1 + (beta2 L / T0^2)^2) (Agrawal, Fiber-Optic Communication Systems, eq.
// 2.4.17), and the small-signal intensity response of a chirped source, cos theta - alpha sin
// theta with theta = pi lambda^2 D L f^2 / c (Wang & Petermann, JLT 10, 96 (1992)).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/engine/fir.hpp"
#include "physics/fibre.hpp"

namespace {

using ll::Complex;
constexpr double kPi = 3.14159265358979323846;
constexpr double kC = 299792458.0;

TEST(Fibre, G652DispersionMeetsItsDefinitionAndADatasheetBound) {
  // Zero at lambda0, slope S0 there (central difference over +-0.1 nm).
  for (double l0_nm : {1300.0, 1312.0, 1324.0}) {
    const double l0 = l0_nm * 1e-9, s0 = 0.092e3;  // 0.092 ps/(nm^2 km) in s/m^3
    EXPECT_NEAR(ll::g652_dispersion_s_per_m2(l0, l0, s0), 0.0, 1e-18);
    const double h = 0.1e-9;
    const double slope = (ll::g652_dispersion_s_per_m2(l0 + h, l0, s0) -
                          ll::g652_dispersion_s_per_m2(l0 - h, l0, s0)) /
                         (2.0 * h);
    EXPECT_NEAR(slope / s0, 1.0, 1e-6) << l0_nm;
  }
  // Corning SMF-28 (a G.652.D fibre): D <= 18 ps/(nm km) at 1550 nm for lambda0 in 1304-1324 nm
  // and S0 <= 0.092; the model's worst corner (lambda0 1304 nm) gives 17.8.
  const double d_1550 = ll::g652_dispersion_s_per_m2(1550e-9, 1304e-9, 0.092e3) / 1e-6;
  EXPECT_GT(d_1550, 17.0);
  EXPECT_LT(d_1550, 18.0);
  // O band below lambda0: normal dispersion (D < 0), about -1.3 ps/(nm km) at 1310 nm for 1324.
  EXPECT_NEAR(ll::g652_dispersion_s_per_m2(1310e-9, 1324e-9, 0.092e3) / 1e-6, -1.31, 0.01);
}

TEST(Fibre, Beta2IsTheTextbookFigure) {
  // D = 17 ps/(nm km) at 1550 nm: beta2 = -21.7 ps^2/km (Agrawal, section 1.2.3: about -20).
  const double beta2 = ll::group_velocity_dispersion_s2_per_m(17e-6, 1550e-9);
  EXPECT_NEAR(beta2 / 1e-27, -21.68, 0.01);  // 1 ps^2/km = 1e-27 s^2/m
}

// The FIR's frequency response, zero-phase about its centre, at f.
Complex<double> fir_response(const ll::FibreFir& fir, double f, double fs) {
  double re = 0.0, im = 0.0;
  for (std::size_t j = 0; j < fir.taps.size(); ++j) {
    const double w = -2.0 * kPi * f * (static_cast<double>(j) - fir.delay_samples) / fs;
    re += fir.taps[j].re * std::cos(w) - fir.taps[j].im * std::sin(w);
    im += fir.taps[j].re * std::sin(w) + fir.taps[j].im * std::cos(w);
  }
  return {re, im};
}

TEST(Fibre, FirIsTheAllPassInItsBand) {
  const double fs = 32 * 106.25e9, pass = 212.5e9, stop = 318.75e9;
  for (double length_km : {0.5, 10.0}) {
    const double beta2_l = ll::group_velocity_dispersion_s2_per_m(
                               ll::g652_dispersion_s_per_m2(1550e-9, 1312e-9, 0.09e3), 1550e-9) *
                           length_km * 1e3;
    const ll::FibreFir fir = ll::design_fibre_fir(beta2_l, fs, pass, stop);
    ASSERT_EQ(fir.taps.size(), 2 * fir.delay_samples + 1);
    double worst = 0.0;
    for (double f = -pass; f <= pass; f += pass / 97.0) {
      const Complex<double> got = fir_response(fir, f, fs), want = ll::fibre_allpass(beta2_l, f);
      worst = std::max(worst, std::hypot(got.re - want.re, got.im - want.im));
    }
    // The truncation leaves 1e-12 of the energy outside: an amplitude error of order 1e-6.
    EXPECT_LT(worst, 1e-5) << length_km << " km, " << fir.taps.size() << " taps";
    // And the taper removes what lies beyond the stop frequency.
    const Complex<double> beyond = fir_response(fir, 1.2 * stop, fs);
    EXPECT_LT(std::hypot(beyond.re, beyond.im), 1e-5);
  }
}

// x through the FIR on a periodic grid (circular convolution about the FIR's centre).
std::vector<Complex<double>> through(const ll::FibreFir& fir, const std::vector<Complex<double>>& x) {
  const std::size_t n = x.size();
  std::vector<Complex<double>> y(n, {0.0, 0.0});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < fir.taps.size(); ++j) {
      const Complex<double> v = x[(i + n + fir.delay_samples - j) % n];
      y[i].re += fir.taps[j].re * v.re - fir.taps[j].im * v.im;
      y[i].im += fir.taps[j].re * v.im + fir.taps[j].im * v.re;
    }
  return y;
}

TEST(Fibre, GaussianPulseBroadensAsTheClosedForm) {
  const double fs = 2e12, t0 = 10e-12;
  const std::size_t n = 8192;
  for (double ratio : {0.5, 1.5, 3.0}) {  // beta2 L / T0^2, either sign of dispersion
    for (double sign : {1.0, -1.0}) {
      const double beta2_l = sign * ratio * t0 * t0;
      const ll::FibreFir fir = ll::design_fibre_fir(beta2_l, fs, 200e9, 300e9);
      std::vector<Complex<double>> a(n);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = (static_cast<double>(i) - n / 2.0) / fs;
        a[i] = {std::exp(-t * t / (2.0 * t0 * t0)), 0.0};
      }
      auto rms = [&](const std::vector<Complex<double>>& x) {
        double p = 0.0, m1 = 0.0, m2 = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          const double t = (static_cast<double>(i) - n / 2.0) / fs;
          const double w = x[i].re * x[i].re + x[i].im * x[i].im;
          p += w;
          m1 += w * t;
          m2 += w * t * t;
        }
        return std::sqrt(m2 / p - (m1 / p) * (m1 / p));
      };
      const double broadening = rms(through(fir, a)) / rms(a);
      EXPECT_NEAR(broadening / std::sqrt(1.0 + ratio * ratio), 1.0, 1e-4) << ratio << " " << sign;
    }
  }
}

TEST(Fibre, ChirpedSmallSignalResponseIsCosThetaMinusAlphaSinTheta) {
  // C band, 2 km of D = 17 ps/(nm km): theta reaches 2.4 rad at 53 GHz, past the first fade.
  const double lambda = 1550e-9, d = 17e-6, length = 2e3;
  const double beta2_l = ll::group_velocity_dispersion_s2_per_m(d, lambda) * length;
  const double fs = 1.6e12;
  const std::size_t n = 16000;  // a 10 ns period: tones on multiples of 100 MHz
  const ll::FibreFir fir = ll::design_fibre_fir(beta2_l, fs, 200e9, 300e9);
  const double m = 1e-3;
  for (double alpha : {0.0, 2.0, -1.5})
    for (double f : {20e9, 40e9, 53e9}) {
      std::vector<Complex<double>> e(n);
      for (std::size_t i = 0; i < n; ++i) {
        const double p = 1.0 + m * std::cos(2.0 * kPi * f * i / fs);
        const double phase = -0.5 * alpha * std::log(p);  // frequency rises with power for alpha > 0
        e[i] = {std::sqrt(p) * std::cos(phase), std::sqrt(p) * std::sin(phase)};
      }
      const std::vector<Complex<double>> out = through(fir, e);
      double c = 0.0;  // the intensity's cosine component at f
      for (std::size_t i = 0; i < n; ++i)
        c += (out[i].re * out[i].re + out[i].im * out[i].im) * std::cos(2.0 * kPi * f * i / fs);
      c *= 2.0 / n;
      const double theta = kPi * lambda * lambda * d * length * f * f / kC;
      const double want = std::cos(theta) - alpha * std::sin(theta);
      // Second-order terms of the small signal: of order m against a response of order 1.
      EXPECT_NEAR(c / m, want, 5e-3) << "alpha " << alpha << ", " << f / 1e9 << " GHz";
    }
}

}  // namespace
