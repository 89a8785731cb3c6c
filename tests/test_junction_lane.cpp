// The PN-junction electro-optic model in the lane: the per-sample table against direct
// evaluation of the junction physics, its effect on the ring, and what the scenario refuses.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/backend.hpp"
#include "host/runner.hpp"
#include "host/scenario.hpp"
#include "physics/junction.hpp"
#include "physics/lane.hpp"

namespace {

const std::string kScenario = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/junction_lane.toml";

ll::PreparedRun prepare(std::vector<std::string> overrides = {}) {
  return ll::prepare_run(ll::load_scenario(kScenario, overrides));
}

TEST(JunctionLane, TableMatchesDirectJunctionEvaluation) {
  const ll::PreparedRun run = prepare();
  const ll::LaneParams& lp = run.params.front();
  const ll::LinkConstants<double>& c = run.links.front().setup.constants;
  ASSERT_EQ(c.eo.points, ll::kEoTablePoints);
  ll::JunctionParams j = lp.junction;
  j.ring_radius_m = lp.ring_radius_m;
  j.wavelength_m = lp.laser_wavelength_m;
  // Over the drive range, off the table's nodes: the interpolated shift against the junction
  // model itself. Linear interpolation errs by dV^2/8 |s''|; with 128 nodes over ~3.8 V and
  // |s''| < 10 pm/V^2 that is below 0.01 pm, 3e-5 of the 350 pm linewidth.
  double worst_pm = 0.0;
  for (double v = 0.0; v <= 3.0; v += 0.0173) {
    const double direct = ll::junction_ring_response(j, v, lp.ring_n_g).shift_m;
    worst_pm = std::max(worst_pm, std::abs(c.eo.at(v).shift_m - direct) * 1e12);
  }
  EXPECT_LT(worst_pm, 0.01);
  // And the static transmission through the table against a direct all-pass evaluation with the
  // junction's shift and loss: within 1e-4 (the shift error above times T's steepest slope).
  ll::RingGeometry g{lp.ring_radius_m,       lp.ring_n_eff,         lp.ring_n_g,
                     lp.ring_power_coupling, lp.ring_loss_db_per_m, lp.laser_wavelength_m};
  double worst_t = 0.0;
  for (double v = 0.0; v <= 3.0; v += 0.0173) {
    const ll::JunctionRingResponse r = ll::junction_ring_response(j, v, lp.ring_n_g);
    ll::RingGeometry gv = g;
    gv.loss_db_per_m += r.loss_db_per_m_change;
    const ll::RingFigures f = ll::ring_figures(gv);
    const double phase = c.ring.phase_of_shift(r.shift_m);
    worst_t = std::max(
        worst_t, std::abs(ll::ring_transmission(c, v) - ll::allpass_transmission(f.a, f.r, phase)));
  }
  EXPECT_LT(worst_t, 1e-4);
}

TEST(JunctionLane, ShiftIsSublinearAndNearPublished) {
  // Yuan et al. 200G ring: 16.3 pm/V (PARAMETERS.md). The junction preset reproduces it over
  // 0..2 V (tests/test_junction.cpp); the lane's 0..3 V swing averages lower, as a depletion
  // junction does (W grows as sqrt(V_bi + V)). Within 20% of the published figure.
  const ll::PreparedRun run = prepare();
  const double pm_per_v = run.links.front().report.shift_pm_per_v;
  EXPECT_NEAR(pm_per_v, 16.3, 0.2 * 16.3);
  const ll::LinkConstants<double>& c = run.links.front().setup.constants;
  const double low = c.eo.at(1.0).shift_m - c.eo.at(0.0).shift_m;
  const double high = c.eo.at(3.0).shift_m - c.eo.at(2.0).shift_m;
  EXPECT_GT(low, high * 1.1);
  // Reverse bias sweeps carriers out: less loss, so the coupled-mode decay falls with V, and
  // the loaded Q rises with it.
  EXPECT_LT(c.eo.at(3.0).gamma_t, c.eo.at(0.0).gamma_t);
}

TEST(JunctionLane, RunsOnTheBackendWithBothRingModels) {
  for (const char* model : {"mrm.model=\"static\"", "mrm.model=\"dynamic\""}) {
    const ll::PreparedRun run = prepare({model, "run.max_bits=200000", "run.target_errors=100"});
    const std::vector<ll::LinkOutcome> out = ll::run_batch_cpu(run.batches.front(), 2);
    EXPECT_GT(out.front().counters.bits, 0u) << model;
    EXPECT_NE(out.front().counters.stop_reason, 0) << model;
  }
}

TEST(JunctionLane, CountsDoNotDependOnChunkSize) {
  std::vector<ll::LinkOutcome> first;
  for (int chunk : {1024, 16384}) {
    const ll::PreparedRun run =
        prepare({"mrm.model=\"dynamic\"", "run.max_bits=300000", "run.target_errors=100000000",
                 "eye.symbols=4096", "run.chunk_symbols=" + std::to_string(chunk)});
    const auto out = ll::run_batch_cpu(run.batches.front(), 1);
    if (first.empty()) {
      first = out;
      continue;
    }
    EXPECT_EQ(out.front().counters.bit_errors, first.front().counters.bit_errors);
    EXPECT_EQ(out.front().counters.bits, first.front().counters.bits);
    EXPECT_EQ(out.front().eye_histogram, first.front().eye_histogram);
  }
}

TEST(JunctionLane, RefusesMissingJunctionKeysAndForwardBias) {
  // A junction model without its doping: named key, no silent default.
  const std::string text = R"([run]
max_bits = 1000
target_errors = 10
[signal]
pattern = "PRBS7"
modulation = "PAM4"
symbol_rate_gbd = 106.25
[driver]
swing_vpp = 3.0
bias_v = 1.5
bandwidth_ghz = 80
[laser]
wavelength_nm = 1310
power_dbm = 6
rin_db_per_hz = -136
[mrm]
radius_um = 11.41
n_eff = 2.55
n_g = 4.2
power_coupling = 0.2020
loss_db_per_cm = 99.4
shift_pm_per_v = 16.3
detuning_pm = 78
electro_optic = "junction"
[mrm.junction]
doping_p_per_cm3 = 2e18
height_nm = 220
mode_width_nm = 270
coverage = 0.8
mode_overlap = 0.75
series_resistance_ohm = 50
[receiver]
responsivity_a_per_w = 0.95
dark_current_na = 1.3
tia_noise_pa_per_rthz = 16.9
bandwidth_ghz = 70
)";
  try {
    ll::prepare_run(ll::parse_scenario(text, "inline.toml"));
    FAIL() << "accepted a junction model without its n-side doping";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("mrm.junction.doping_n_per_cm3"), std::string::npos)
        << e.what();
  }
  // Forward bias beyond half the built-in voltage: the depletion model does not hold there.
  try {
    prepare({"driver.bias_v=0.5"});
    FAIL() << "accepted a drive reaching 1 V of forward bias";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("forward bias"), std::string::npos) << e.what();
  }
}

}  // namespace
