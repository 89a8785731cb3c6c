// The micro-LED (physics/microled.hpp, host/link/modulator_setup.cpp): the steady state balances
// the rate equation; the internal quantum efficiency peaks where the closed form says, N =
// sqrt(A / C); the modulation bandwidth against the current follows the rate equation's closed
// form 1 / (2 pi tau_d), 1 / tau_d = A + 2 B N + 3 C N^2, measured here by driving the model's own
// step with a small sinusoid at two currents; the engine's light against the same integration
// written here; and the keys a micro-LED does not read, and the statistical eye, are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "host/link/lane_setup.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "tests/scenario_refusal.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "physics/microled.hpp"

namespace {

constexpr double kPi = 3.14159265358979323846;
const std::string kPreset = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/microled_nrz_4g.toml";

// InGaN-like coefficients in the model's density unit (1e18 cm^-3), 1 mA per volt of drive.
ll::MicroLed<double> led(double dt_s) {
  const double n0 = ll::kDensityUnit_per_m3, volume = 0.71e-18;
  return {1e7, 1e-17 * n0, 1e-42 * n0 * n0, 1.0 / (1.602176634e-19 * volume * n0),
          0.05 * 4.4e-19 * volume * n0, 1e-3, dt_s};
}

TEST(MicroLed, SteadyStateBalancesTheRateEquation) {
  const ll::MicroLed<double> m = led(1e-12);
  for (double ma : {0.5, 4.0, 16.0}) {
    const double n = m.steady_density(ma);
    EXPECT_NEAR(m.recombination(n) / m.generation(ma), 1.0, 1e-12) << ma << " mA";
    EXPECT_NEAR(m.transmission(ma), m.power_w(n), 1e-18);
  }
}

TEST(MicroLed, EfficiencyPeaksWhereTheClosedFormSays) {
  const ll::MicroLed<double> m = led(1e-12);
  double best_n = 0.0, best = 0.0;
  for (double n = 1e-4; n < 10.0; n *= 1.0001) {
    const double iqe = m.b_per_s * n * n / m.recombination(n);
    if (iqe > best) best = iqe, best_n = n;
  }
  EXPECT_NEAR(best_n / std::sqrt(m.a_per_s / m.c_per_s), 1.0, 2e-4);
}

// The light's response to a small sinusoid at f about the steady state at `ma`, over its response
// to a slow one (f / 1000), by the model's own step at 1 ps.
double relative_response(const ll::MicroLed<double>& m, double ma, double f) {
  auto amplitude = [&](double freq) {
    const double period = 1.0 / freq;
    const int per = static_cast<int>(std::round(period / m.dt_s));
    double n = m.steady_density(ma);
    const double p0 = m.power_w(n);
    double re = 0.0, im = 0.0;
    const int settle = 8 * per, count = 4 * per;
    for (int k = 0; k < settle + count; ++k) {
      const double phase = 2.0 * kPi * k / per;
      n = m.step(n, ma * (1.0 + 1e-3 * std::sin(phase)));
      if (k >= settle) {
        re += (m.power_w(n) - p0) * std::cos(phase);
        im += (m.power_w(n) - p0) * std::sin(phase);
      }
    }
    return std::hypot(re, im) / count;
  };
  return amplitude(f) / amplitude(f / 1000.0);
}

TEST(MicroLed, BandwidthAgainstCurrentIsTheRateEquationsClosedForm) {
  const ll::MicroLed<double> m = led(1e-12);
  double previous = 0.0;
  for (double ma : {2.0, 10.0}) {
    const double f3 = m.differential_rate_per_s(m.steady_density(ma)) / (2.0 * kPi);
    EXPECT_GT(f3, previous);  // the bandwidth grows with the current
    previous = f3;
    // A first-order pole: 1/sqrt(2) at f3, 1/sqrt(5) at 2 f3 (the small signal's second-order
    // terms are of the drive's 1e-3 relative amplitude; the 1 ps step's error is far smaller).
    EXPECT_NEAR(relative_response(m, ma, f3), std::sqrt(0.5), 5e-3) << ma << " mA";
    EXPECT_NEAR(relative_response(m, ma, 2.0 * f3), std::sqrt(0.2), 5e-3) << ma << " mA";
  }
}

TEST(MicroLed, LaneLightIsTheRateEquationOfTheDrive) {
  const ll::PreparedRun run =
      ll::prepare_run(ll::load_scenario(kPreset, {"eye.symbols=0", "tdecq.symbols=0"}));
  ASSERT_EQ(run.batches.size(), 1u);
  ll::BatchSetup batch = run.batches.front();
  batch.max_bits = batch.target_errors = ~0ull;
  const ll::LinkConstants<double>& c = batch.links.front().constants;
  ASSERT_EQ(c.modulator, ll::kModulatorMicroLed);
  auto check = [&](auto real) {
    using Real = decltype(real);
    ll::SerialExec exec;
    ll::LaneEngine<ll::SerialExec, Real> engine(exec, batch);
    engine.step();  // the first chunk, from the steady state at the bias
    const std::vector<Real> drive = engine.last_drive(), current = engine.last_photocurrent();
    double n = c.led.steady_density(c.drive_bias_v), worst = 0.0, peak = 0.0;
    for (std::size_t k = 0; k < drive.size(); ++k) {
      n = c.led.step(n, static_cast<double>(drive[k]));
      const double want = c.photocurrent_per_transmission_a * c.led.power_w(n) + c.dark_current_a;
      worst = std::max(worst, std::abs(static_cast<double>(current[k]) - want));
      peak = std::max(peak, want);
    }
    return worst / peak;
  };
  EXPECT_LT(check(double{}), 1e-12);
  // Float: the recurrence contracts (it forgets a rounding within tau_d), so the error stays at a
  // few roundings of the state: 1e-5 of the peak.
  EXPECT_LT(check(float{}), 1e-5);
}

TEST(MicroLed, KeysItDoesNotReadAreRefused) {
  auto refusal = [](const std::vector<std::string>& o) {
    return ll_test::plan_refusal(kPreset, o);
  };
  EXPECT_NE(refusal({"laser.power_dbm=6"}).find("laser.power_dbm: not read"), std::string::npos);
  EXPECT_NE(refusal({"mrm.radius_um=10"}).find("mrm.radius_um"), std::string::npos);
  EXPECT_NE(refusal({"fibre.length_km=1"}).find("fibre.length_km"), std::string::npos);
  EXPECT_NE(refusal({"driver.bias_v=0.5"}).find("driver.bias_v"), std::string::npos);
  // The statistical eye superposes pulses; a micro-LED's rise and fall differ with the current.
  EXPECT_NE(refusal({"run.mode=\"stat\""}).find("micro-LED's carrier dynamics"),
            std::string::npos);
  EXPECT_EQ(refusal({}), "");
}

}  // namespace
