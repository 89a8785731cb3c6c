// The electro-absorption modulated laser (physics/eml.hpp, host/link/modulator_setup.cpp): the
// static curve against its closed form T0 exp(-(V / V0)^n) in double and float; the chirp, a
// constant Henry factor, -2 d(arg E) / d(ln T) = alpha at every bias; the lane's photocurrent,
// the engine's against P R T(drive) + I_dark written here; and a drive into forward bias refused.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "host/link/lane_setup.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "tests/modulator_lane.hpp"
#include "physics/eml.hpp"

namespace {

const std::string kPreset = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/eml_200g.toml";

ll::EmlModulator<double> eml(double il_db, double v0, double n, double alpha) {
  return {-il_db * std::log(10.0) / 10.0, 1.0 / v0, n, 0.5 * alpha};
}

TEST(Eml, StaticCurveIsItsClosedForm) {
  for (auto [il, v0, n] : {std::tuple{0.0, 2.0, 2.0}, std::tuple{1.5, 1.2, 3.0}}) {
    const ll::EmlModulator<double> m = eml(il, v0, n, 0.7);
    const ll::EmlModulator<float> f = m.converted<float>();
    for (double v = 0.0; v <= 4.0; v += 0.02) {
      const double want = std::pow(10.0, -il / 10.0) * std::exp(-std::pow(v / v0, n));
      EXPECT_NEAR(m.transmission(v) / want, 1.0, 1e-13) << v;
      const ll::Complex<double> e = m.field(v);
      EXPECT_NEAR((e.re * e.re + e.im * e.im) / want, 1.0, 1e-13) << v;
      // Float: a few roundings of 6e-8 on the absorption exponent a = -ln T (and n times that
      // through the power), so the relative error grows with a: 5e-7 (1 + a) holds it.
      const double a = -std::log(want);
      EXPECT_NEAR(f.transmission(static_cast<float>(v)) / want, 1.0, 5e-7 * (1.0 + a)) << v;
    }
  }
}

TEST(Eml, ChirpIsTheHenryFactorAtEveryBias) {
  const double h = 1e-5;
  for (double alpha : {0.0, 0.5, -0.8, 2.5}) {
    const ll::EmlModulator<double> m = eml(0.5, 2.0, 2.0, alpha);
    auto arg = [&](double v) { return std::atan2(m.field(v).im, m.field(v).re); };
    auto lnt = [&](double v) { return std::log(m.transmission(v)); };
    for (double v : {0.5, 1.3, 2.2}) {
      const double got = -2.0 * (arg(v + h) - arg(v - h)) / (lnt(v + h) - lnt(v - h));
      EXPECT_NEAR(got, alpha, 1e-6) << alpha << " at " << v << " V";
    }
  }
}

TEST(Eml, LanePhotocurrentIsTheCurveOfTheDrive) {
  EXPECT_LT(ll_test::memoryless_lane_error(kPreset, ll::kModulatorEml), 1e-14);
}

TEST(Eml, ForwardBiasIsRefused) {
  std::string what;
  try {
    const ll::Scenario s = ll::load_scenario(kPreset, {"driver.bias_v=0.5"});
    ll::prepare_link(s, 0, ll::lane_params(s, 0), ll::run_params(s));
  } catch (const ll::ScenarioError& e) {
    what = e.what();
  }
  EXPECT_NE(what.find("driver.bias_v"), std::string::npos) << what;
  EXPECT_NE(what.find("forward bias"), std::string::npos) << what;
}

}  // namespace
