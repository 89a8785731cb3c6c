// The imaging bundle's crosstalk ([bundle]; physics/bundle.hpp, kernels/engine/stages_bundle.hpp)
// on the micro-LED lane (scenarios/microled_nrz_4g.toml). Checked: the engine's photocurrent is
// the lone core's (the same lane without neighbours, run beside it) plus x times each
// neighbour's light at its delay, sample by sample over a chunk deep into the run, in double; the
// levels and thresholds rise by the neighbours' mean light, n x <I - I_dark> from the LED's
// steady light at each level (a closed form here); the crosstalk costs errors; bad input is
// refused naming its key.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/link/lane_setup.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/backend.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "tests/scenario_refusal.hpp"

namespace {

const std::string kLed = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/microled_nrz_4g.toml";
const std::vector<std::string> kSix = {"bundle.neighbours=6", "bundle.crosstalk_db=-12"};

ll::BatchSetup led_batch(std::vector<std::string> o) {
  o.insert(o.end(), {"eye.symbols=0", "tdecq.symbols=0", "margin.compute=false"});
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(kLed, o));
  EXPECT_EQ(run.batches.size(), 1u);
  return run.batches.front();
}

TEST(BundleLane, PhotocurrentIsTheLoneCorePlusItsNeighbours) {
  ll::BatchSetup with = led_batch(kSix), lone = led_batch({});
  with.max_bits = with.target_errors = lone.max_bits = lone.target_errors = ~0ull;
  ASSERT_TRUE(with.bundle);
  ASSERT_FALSE(lone.bundle);
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, double> a(exec, with), b(exec, lone);
  std::vector<double> previous, own;
  for (int c = 0; c < 3; ++c) {
    a.step();
    b.step();
    previous = own;
    own = b.last_photocurrent();
  }
  const std::vector<double> got = a.last_photocurrent();
  const std::size_t S = own.size();
  const ll::LinkSetup& link = with.links[0];
  const double x = std::pow(10.0, -1.2), dark = link.constants.dark_current_a;
  ASSERT_EQ(link.bundle.neighbours, 6);
  double peak = 0.0, worst = 0.0, effect = 0.0;
  for (std::size_t n = 0; n < S; ++n) {
    double others = 0.0;
    for (int k = 0; k < 6; ++k) {
      const std::size_t d = S * (k + 1) / 6;  // the stage's contract: distinct delays
      others += (n >= d ? own[n - d] : previous[S + n - d]) - dark;
    }
    const double ref = own[n] + x * others;
    peak = std::max(peak, std::abs(ref));
    worst = std::max(worst, std::abs(got[n] - ref));
    effect = std::max(effect, std::abs(ref - own[n]));
  }
  EXPECT_LT(worst / peak, 1e-12);
  EXPECT_GT(effect / peak, 0.1);  // not vacuous
  std::printf("bundle photocurrent: max |difference| / peak = %.3g; the neighbours' %.3g\n",
              worst / peak, effect / peak);
}

ll::LinkReport report_of(const std::vector<std::string>& o) {
  const ll::Scenario s = ll::load_scenario(kLed, o);
  return ll::prepare_link(s, 0, ll::lane_params(s, 0), ll::run_params(s)).report;
}

TEST(BundleLane, LevelsRiseByTheNeighboursMeanLight) {
  const ll::Scenario s = ll::load_scenario(kLed, kSix);
  const ll::PreparedLink with = ll::prepare_link(s, 0, ll::lane_params(s, 0), ll::run_params(s));
  const ll::LinkReport lone = report_of({});
  // <I - I_dark>: the LED's steady light at its two drive levels (no H1: a flat driver), x R.
  const ll::LinkConstants<double>& c = with.setup.constants;
  double mean_a = 0.0;
  for (int k = 0; k < 2; ++k)
    mean_a += 0.5 * c.photocurrent_per_transmission_a * c.led.transmission(c.level_drive_v[k]);
  const double shift = 6.0 * std::pow(10.0, -1.2) * mean_a;
  for (int k = 0; k < 2; ++k)
    EXPECT_NEAR(with.report.received_levels_a[k] - lone.received_levels_a[k], shift,
                1e-9 * shift)
        << k;
  EXPECT_NEAR(c.threshold_a[0],
              0.5 * (with.report.received_levels_a[0] + with.report.received_levels_a[1]),
              1e-15);
}

TEST(BundleLane, NeighboursCostErrors) {
  auto ber = [](std::vector<std::string> o) {
    o.insert(o.end(), {"run.max_bits=2000000", "run.target_errors=1000000000"});
    const std::vector<ll::LinkOutcome> n = ll::run_batch_cpu(led_batch(o), 2);
    return static_cast<double>(n[0].counters.bit_errors) / static_cast<double>(n[0].counters.bits);
  };
  const double lone = ber({}), six = ber(kSix);
  EXPECT_GT(six, 3.0 * std::max(lone, 1e-6)) << lone << " " << six;
}

using ll_test::plan_refusal;

TEST(BundleLane, RefusalsNameTheirKeys) {
  EXPECT_EQ(plan_refusal(kLed, kSix), "");
  EXPECT_NE(plan_refusal(kLed, {"bundle.neighbours=6"}).find("bundle.crosstalk_db"),
            std::string::npos);
  EXPECT_NE(plan_refusal(kLed, {"bundle.neighbours=2.5", "bundle.crosstalk_db=-20"})
                .find("bundle.neighbours"),
            std::string::npos);
  const std::string ring = plan_refusal(
      std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml", kSix);
  EXPECT_NE(ring.find("bundle.neighbours"), std::string::npos) << ring;
  EXPECT_NE(ring.find("microled"), std::string::npos) << ring;
}

}  // namespace
