// Process variation ([mrm.variation]): the draws' statistics, their determinism and
// independence of the number of draws, the refusals, and that a ring whose lock fails is
// reported but not simulated.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"

namespace {

std::string preset_text() {
  // The 200G ring preset without its detuning sweep, at a fixed detuning.
  std::ifstream in(std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mrm_200g_oband_stress.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  s = s.substr(0, s.rfind("[sweep.list]"));
  s += "\n";
  return s;
}

ll::Scenario with_variation(const std::string& table, std::vector<std::string> overrides = {}) {
  overrides.push_back("mrm.detuning_pm=60");
  return ll::parse_scenario(preset_text() + table, "variation.toml", overrides);
}

const ll::SweepAxis& axis(const ll::Scenario& s, const std::string& key) {
  for (const ll::SweepAxis& a : s.sweep)
    if (a.key == key) return a;
  throw std::runtime_error("no axis " + key);
}

TEST(Variation, DrawsHaveTheRequestedDistribution) {
  const ll::Scenario s = with_variation(
      "[mrm.variation]\ndraws = 4000\nresonance_sigma_pm = 300.0\ncoupling_sigma = 0.01\n"
      "loss_sigma_db_per_cm = 5.0\n");
  ASSERT_EQ(s.points(), 4000u);
  struct Expect {
    const char* key;
    double nominal, sigma;
  };
  for (const Expect& e :
       {Expect{"mrm.resonance_offset_pm", 0.0, 300.0}, Expect{"mrm.power_coupling", 0.2020, 0.01},
        Expect{"mrm.loss_db_per_cm", 99.4, 5.0}}) {
    const std::vector<double>& v = axis(s, e.key).values;
    double mean = 0.0, var = 0.0, worst = 0.0;
    for (double x : v) mean += x;
    mean /= v.size();
    for (double x : v) {
      var += (x - mean) * (x - mean);
      worst = std::max(worst, std::abs(x - e.nominal) / e.sigma);
    }
    const double sd = std::sqrt(var / (v.size() - 1));
    // Sampling errors of N = 4000 normal draws: sigma/sqrt(N) for the mean, sigma/sqrt(2N) for
    // the standard deviation (1.1%); 4 of those. Truncation at 4 sigma removes 6e-5 of the mass
    // and lowers the standard deviation by 0.1%, inside the bound.
    EXPECT_NEAR(mean, e.nominal, 4.0 * e.sigma / std::sqrt(4000.0)) << e.key;
    EXPECT_NEAR(sd / e.sigma, 1.0, 4.0 / std::sqrt(8000.0)) << e.key;
    EXPECT_LE(worst, 4.0) << e.key;
  }
}

TEST(Variation, PointDrawsDependOnSeedAndPointOnly) {
  const std::string table = "[mrm.variation]\nresonance_sigma_pm = 300.0\n";
  const ll::Scenario few = with_variation(table + "draws = 10\n");
  const ll::Scenario many = with_variation(table + "draws = 100\n");
  const ll::Scenario other = with_variation(table + "draws = 10\n", {"run.seed=7"});
  const auto& a = axis(few, "mrm.resonance_offset_pm").values;
  const auto& b = axis(many, "mrm.resonance_offset_pm").values;
  const auto& c = axis(other, "mrm.resonance_offset_pm").values;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i], b[i]) << "point " << i;
    EXPECT_NE(a[i], c[i]) << "point " << i;
  }
}

TEST(Variation, RefusesSigmasThatLeaveThePhysicalRangeAndMixingWithLists) {
  try {
    with_variation("[mrm.variation]\ndraws = 10\ncoupling_sigma = 0.1\n");
    FAIL() << "a coupling sigma that can draw kappa^2 below 0 was accepted";
  } catch (const ll::ScenarioError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("variation.toml:"), std::string::npos) << m;
    EXPECT_NE(m.find("mrm.variation.coupling_sigma"), std::string::npos) << m;
  }
  try {
    ll::parse_scenario(
        preset_text() +
            "[mrm.variation]\ndraws = 10\n[sweep.list]\n\"mrm.resonance_offset_pm\" = [0, 10]\n",
        "variation.toml", {"mrm.detuning_pm=60"});
    FAIL() << "variation combined with a list sweep was accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("mrm.variation.draws"), std::string::npos) << e.what();
  }
}

// [mrm.variation] with [sweep.grid]: the same rings (draw d) at every grid point, the draws
// [mrm.variation] alone makes; a key both gridded and drawn is refused.
TEST(Variation, DrawsAtEveryGridPoint) {
  const std::string variation = "[mrm.variation]\ndraws = 4\nresonance_sigma_pm = 300.0\n";
  std::string text = preset_text();
  const std::size_t at = text.find("\npower_dbm =");
  ASSERT_NE(at, std::string::npos);
  text.erase(at + 1, text.find('\n', at + 1) - at);  // the laser power is gridded instead
  const ll::Scenario s =
      ll::parse_scenario(text + variation + "[sweep.grid]\n\"laser.power_dbm\" = [4.0, 6.0, 8.0]\n",
                         "variation.toml", {"mrm.detuning_pm=60"});
  const ll::Scenario alone = with_variation(variation);
  ASSERT_EQ(s.points(), 12u);
  EXPECT_EQ(s.draws_per_grid_point, 4u);
  for (std::size_t p = 0; p < 12; ++p) {
    EXPECT_EQ(axis(s, "laser.power_dbm").values[p], 4.0 + 2.0 * static_cast<double>(p / 4)) << p;
    for (const char* key : {"mrm.resonance_offset_pm", "mrm.power_coupling", "mrm.loss_db_per_cm"})
      EXPECT_EQ(axis(s, key).values[p], axis(alone, key).values[p % 4]) << key << " " << p;
  }
  try {
    ll::parse_scenario(
        preset_text() + variation + "[sweep.grid]\n\"mrm.resonance_offset_pm\" = [0.0, 10.0]\n",
        "variation.toml", {"mrm.detuning_pm=60"});
    FAIL() << "a key both gridded and drawn was accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(
        std::string(e.what()).find("mrm.resonance_offset_pm: swept by [sweep.grid] and drawn"),
        std::string::npos)
        << e.what();
  }
}

TEST(Variation, UnlockedRingsAreReportedNotSimulated) {
  // A 300 pm resonance spread against a 1 mW (73 pm) heater budget: many rings cannot reach
  // their operating point. Those must not be simulated as if they had.
  const ll::Scenario s =
      with_variation("[mrm.variation]\ndraws = 40\nresonance_sigma_pm = 300.0\n",
                     {"mrm.thermal.max_heater_power_mw=1", "run.max_bits=20000"});
  const ll::PreparedRun run = ll::prepare_run(s);
  ASSERT_GT(run.unlocked_points.size(), 0u);
  ASSERT_LT(run.unlocked_points.size(), 40u);
  std::size_t batched = 0;
  for (const auto& points : run.batch_points) batched += points.size();
  EXPECT_EQ(batched + run.unlocked_points.size(), 40u);
  for (std::size_t p : run.unlocked_points) {
    EXPECT_EQ(run.links[p].report.lock, ll::LockStatus::beyond_heater_budget);
    const ll::PointResult r = ll::point_result(ll::LinkOutcome{}, run.links[p].report);
    EXPECT_EQ(r.stop_reason, ll::StopReason::not_run);
    EXPECT_EQ(r.bits, 0u);
    EXPECT_GT(r.heater_power_mw, 1.0);
  }
}

}  // namespace
