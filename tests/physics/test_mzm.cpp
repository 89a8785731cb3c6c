// The Mach-Zehnder modulator (physics/mzm.hpp, host/link/mzm_setup.cpp): the static transfer
// against its closed form cos^2((pi u / V_pi - phi_b) / 2); V_pi from V_pi L against the published
// TFLN devices (Wang et al., Nature 562, 101 (2018): 5 mm, 4.4 V; 20 mm, 1.4 V); the chirp of an
// unbalanced push-pull pair, alpha = e at quadrature (derived in the test), and none when
// balanced; the silicon arm's depletion law (its slope pi / V_pi at the bias, its closed form) and
// the chirp it leaves even when balanced; and the lane's photocurrent, the engine's against
// P R T(drive) + I_dark written here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <complex>
#include <string>
#include <tuple>
#include <vector>

#include "host/link/lane_setup.hpp"
#include "host/link/lane_setup_steps.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "tests/modulator_lane.hpp"
#include "physics/mzm.hpp"

namespace {

constexpr double kPi = 3.14159265358979323846;
const std::string kPreset = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mzm_tfln_200g.toml";

ll::MzmModulator<double> pockels(double vpi, double imbalance, double bias_phase) {
  return {kPi / vpi, 1.0, 0.5 * (1.0 + imbalance), 0.5 * (1.0 - imbalance), bias_phase, 0.0};
}

TEST(Mzm, PockelsTransferIsItsClosedForm) {
  for (double imbalance : {0.0, 0.4})
    for (double phi_b : {kPi / 2, 1.0}) {
      const ll::MzmModulator<double> m = pockels(4.4, imbalance, phi_b);
      for (double v = -5.0; v <= 7.0; v += 0.05) {
        const double want = std::pow(std::cos((kPi * (v - 1.0) / 4.4 - phi_b) / 2.0), 2);
        EXPECT_NEAR(m.transmission(v), want, 1e-14) << v;
        const ll::Complex<double> e = m.field(v);
        EXPECT_NEAR(e.re * e.re + e.im * e.im, want, 1e-14) << v;
      }
      // Float keeps it to its rounding.
      const ll::MzmModulator<float> f = m.converted<float>();
      for (double v = -5.0; v <= 7.0; v += 0.05)
        EXPECT_NEAR(f.transmission(static_cast<float>(v)), m.transmission(v), 2e-6) << v;
    }
}

TEST(Mzm, TflnVpiFromVpiLIsThePublishedDevices) {
  for (auto [vpil, mm, vpi] : {std::tuple{2.2, 5.0, 4.4}, std::tuple{2.8, 20.0, 1.4}}) {
    const ll::Scenario s = ll::load_scenario(
        kPreset, {"mzm.vpi_l_v_cm=" + std::to_string(vpil), "mzm.length_mm=" + std::to_string(mm),
                  "driver.swing_vpp=" + std::to_string(0.6 * vpi)});
    const ll::PreparedLink l = ll::prepare_link(s, 0, ll::lane_params(s, 0), ll::run_params(s));
    EXPECT_NEAR(l.report.mzm_vpi_v, vpi, 1e-12);
    // At quadrature an excursion of V_pi takes the output from dark to full.
    const ll::MzmModulator<double>& m = l.setup.constants.mzm;
    EXPECT_NEAR(m.transmission(m.bias_v + 0.5 * vpi), 1.0, 1e-12);
    EXPECT_NEAR(m.transmission(m.bias_v - 0.5 * vpi), 0.0, 1e-12);
  }
}

// The chirp: the output's phase against its log power, alpha = -2 d(arg E) / d(ln P) (the sign
// of physics/fibre.hpp: phi = -(alpha / 2) ln P), by central differences at quadrature.
double chirp_at(const ll::MzmModulator<double>& m, double v) {
  const double h = 1e-5;
  auto arg = [&](double x) { return std::atan2(m.field(x).im, m.field(x).re); };
  auto lnp = [&](double x) { return std::log(m.transmission(x)); };
  return -2.0 * (arg(v + h) - arg(v - h)) / (lnp(v + h) - lnp(v - h));
}

TEST(Mzm, PushPullChirpIsTheArmImbalance) {
  // For a Pockels pair the common phase is -(pi e u / V_pi + phi_b) / 2 and
  // d ln P / du = -(pi / V_pi) tan((pi u / V_pi - phi_b) / 2), so alpha = -e / tan(-pi / 4) = e.
  for (double e : {0.0, 0.3, -0.5}) EXPECT_NEAR(chirp_at(pockels(4.4, e, kPi / 2), 1.0), e, 1e-6);
}

TEST(Mzm, SiliconArmFollowsTheDepletionLaw) {
  const double vpi = 5.0, vb = 2.0, vbi = 0.8;
  const ll::MzmModulator<double> m{kPi / vpi, vb, 0.5, 0.5, kPi / 2, vbi};
  // Slope pi / V_pi at the bias.
  const double h = 1e-6;
  EXPECT_NEAR((m.arm_phase(vb + h) - m.arm_phase(vb - h)) / (2 * h), kPi / vpi, 1e-8);
  // The closed form: phase ~ sqrt(V_bi + V), zero at the bias.
  for (double v : {0.0, 1.0, 3.5}) {
    const double want = (kPi / vpi) * 2.0 * (vbi + vb) * (std::sqrt((vbi + v) / (vbi + vb)) - 1.0);
    EXPECT_NEAR(m.arm_phase(v), want, 1e-12) << v;
  }
  // Balanced, it does not chirp at the bias, but its concave law does at the outer levels.
  EXPECT_NEAR(chirp_at(m, vb), 0.0, 1e-6);
  EXPECT_GT(std::abs(chirp_at(m, vb + 1.5)), 0.01);
}

// The lane: the engine's photocurrent (double, no fibre) is P R T(drive) + I_dark at every sample.
TEST(Mzm, LanePhotocurrentIsTheTransferOfTheDrive) {
  EXPECT_LT(ll_test::memoryless_lane_error(kPreset, ll::kModulatorMzm), 1e-14);
}

// The travelling-wave electrode in H1: the FIR's response against the velocity-matched lossy
// line's closed form |(1 - exp(-g)) / g|, g = x0 sqrt(f / f3) (1 + i), written here with x0 solved
// here: 1 at DC, 1/sqrt(2) at the bandwidth, and the closed form between and beyond, within the
// FIR design's 1% (its window and the sampled grid).
TEST(Mzm, ElectrodeResponseIsTheLossyLinesClosedForm) {
  const ll::Scenario s = ll::load_scenario(kPreset);
  ll::LaneParams lp = ll::lane_params(s, 0);
  const double fs = lp.symbol_rate_hz * lp.samples_per_ui, f3 = lp.mzm.electrode_bandwidth_hz;
  const std::vector<double> h = ll::setup_steps::modulator_band_fir(s, lp, fs);
  ASSERT_GT(h.size(), 4u);
  std::printf("electrode FIR: %zu taps at %g samples per UI\n", h.size(), lp.samples_per_ui * 1.0);
  auto fir_at = [&](double f) {
    std::complex<double> acc = 0.0;
    for (std::size_t k = 0; k < h.size(); ++k)
      acc += h[k] * std::polar(1.0, -2.0 * kPi * f * static_cast<double>(k) / fs);
    return std::abs(acc);
  };
  auto line = [](double x0, double r) {
    const std::complex<double> g = x0 * std::sqrt(r) * std::complex<double>(1.0, 1.0);
    return r == 0.0 ? 1.0 : std::abs((1.0 - std::exp(-g)) / g);
  };
  double lo = 0.0, hi = 10.0;  // x0: |H(f3)| = 1/sqrt(2)
  for (int i = 0; i < 200; ++i) ((line(0.5 * (lo + hi), 1.0) > std::sqrt(0.5)) ? lo : hi) = 0.5 * (lo + hi);
  const double x0 = 0.5 * (lo + hi);
  EXPECT_NEAR(fir_at(0.0), 1.0, 1e-9);
  for (double r : {0.25, 0.5, 1.0, 1.5})
    EXPECT_NEAR(fir_at(r * f3) / line(x0, r), 1.0, 1e-2) << r << " x the bandwidth";
  EXPECT_NEAR(fir_at(f3), std::sqrt(0.5), 1e-2);
}

// The modulator's choice decides which table is read: [mrm]'s keys are refused with an MZM (and
// [mzm]'s with the ring), naming the choice; an MZM without its material is refused.
TEST(Mzm, TheOtherModulatorsKeysAreRefused) {
  auto refusal = [](const std::string& file, const std::vector<std::string>& o) -> std::string {
    try {
      const ll::Scenario s = ll::load_scenario(file, o);
      ll::prepare_link(s, 0, ll::lane_params(s, 0), ll::run_params(s));
    } catch (const ll::ScenarioError& e) {
      return e.what();
    }
    return "";
  };
  const std::string ring = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml";
  EXPECT_NE(refusal(kPreset, {"mrm.radius_um=10"}).find("mrm.radius_um: read only with"),
            std::string::npos);
  EXPECT_NE(refusal(ring, {"mzm.length_mm=5"}).find("mzm.length_mm: read only with"),
            std::string::npos);
  // An MZM chosen in a ring's file: the file's [mrm] keys are refused.
  const std::string no_material = refusal(ring, {"transmitter.modulator=\"mzm\"",
                                                 "mrm.radius_um=10"});
  EXPECT_NE(no_material.find("read only with"), std::string::npos);  // the ring's file: refused
  EXPECT_EQ(refusal(kPreset, {}), "");
}

}  // namespace
