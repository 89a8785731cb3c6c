// Annex 93A's 2-port and filter formulas (physics/com_network.hpp) against closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "physics/com_network.hpp"

namespace {

using cd = std::complex<double>;

// Lossless elements conserve power: |S11|^2 + |S21|^2 = 1.
TEST(ComNetwork, ReactiveElementsAreLossless) {
  for (double f : {1e8, 1e9, 2.5e10, 1e11}) {
    const ll::SParams2 c = ll::shunt_capacitance(f, 250e-15, 50.0);
    EXPECT_NEAR(std::norm(c.s11) + std::norm(c.s21), 1.0, 1e-14);
    const ll::SParams2 l = ll::series_inductance(f, 0.13e-9, 50.0);
    EXPECT_NEAR(std::norm(l.s11) + std::norm(l.s21), 1.0, 1e-14);
  }
  // Where the capacitor's admittance equals 2 / R_0 (w C R_0 = 2), S21 = 2 / (2 + 2j).
  const double f = 2.0 / (2.0 * ll::kPi * 250e-15 * 50.0);
  EXPECT_NEAR(std::abs(ll::shunt_capacitance(f, 250e-15, 50.0).s21 - cd(0.5, -0.5)), 0.0, 1e-14);
}

// A matched lossless line is a pure delay: S11 = 0, S21 = exp(-j 2 pi f tau z).
TEST(ComNetwork, MatchedLosslessLineIsADelay) {
  const ll::PackageLineLoss k{0.0, 0.0, 0.0, 6.141e-3};
  const double f = 13e9, z = 30.0;
  const ll::SParams2 s = ll::package_line(f, 100.0, z, 50.0, k);
  EXPECT_NEAR(std::abs(s.s11), 0.0, 1e-15);
  const cd expected = std::polar(1.0, -2.0 * ll::kPi * f * 6.141e-12 * z);
  EXPECT_NEAR(std::abs(s.s21 - expected), 0.0, 1e-12);
}

// Two lengths of line cascade into their sum (the mismatched line's reflections included).
TEST(ComNetwork, LineHalvesCascadeIntoTheWhole) {
  const ll::PackageLineLoss k{5e-4, 1.734e-3, 1.455e-4, 6.141e-3};
  for (double f : {0.0, 3e9, 26e9}) {
    const ll::SParams2 half = ll::package_line(f, 78.2, 15.0, 50.0, k);
    const ll::SParams2 both = ll::cascade(half, half);
    const ll::SParams2 whole = ll::package_line(f, 78.2, 30.0, 50.0, k);
    EXPECT_NEAR(std::abs(both.s21 - whole.s21), 0.0, 1e-13) << f;
    EXPECT_NEAR(std::abs(both.s11 - whole.s11), 0.0, 1e-13) << f;
  }
}

// (93A-18) between matched terminations is S21; a thru between equal terminations passes all.
TEST(ComNetwork, TerminatedTransfer) {
  const ll::SParams2 s{cd(0.1, 0.2), cd(0.6, -0.3), cd(0.6, -0.3), cd(-0.2, 0.05)};
  EXPECT_NEAR(std::abs(ll::terminated_transfer(s, 0.0, 0.0) - s.s21), 0.0, 1e-15);
  const ll::SParams2 thru{0.0, 1.0, 1.0, 0.0};
  EXPECT_NEAR(std::abs(ll::terminated_transfer(thru, 0.0476, 0.0476) - 1.0), 0.0, 1e-15);
}

// The Butterworth filter is -3 dB at its bandwidth and falls 24 dB per octave far above; the
// rise-time filter passes 1/e^2 where pi f T_r = 1.6832.
TEST(ComNetwork, Filters) {
  EXPECT_NEAR(std::abs(ll::com_receiver_filter(19.3e9, 19.3e9)), 1.0 / std::sqrt(2.0), 1e-6);
  const double a = std::abs(ll::com_receiver_filter(200e9, 10e9));
  const double b = std::abs(ll::com_receiver_filter(400e9, 10e9));
  EXPECT_NEAR(20.0 * std::log10(a / b), 24.08, 0.01);
  const double tr = 4e-12, f = 1.6832 / (ll::kPi * tr);
  EXPECT_NEAR(ll::com_transmitter_filter(f, tr), std::exp(-2.0), 1e-15);
}

}  // namespace
