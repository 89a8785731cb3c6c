// The PN-junction electro-optic model in the lane: the per-sample table against direct
// evaluation of the junction physics, its effect on the ring, the BER the lane counts against
// its closed form, and what the scenario refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/statistics.hpp"
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
  // 0..2 V (tests/physics/test_junction.cpp); the lane's 0..3 V swing averages lower, as a depletion
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

// The junction lane with nothing but the junction and the ring between the bits and the noise:
// no driver or receiver filter, and 10 GBd, so that the ring (photon lifetime ~3 ps) and the
// junction's RC (~1 ps) settle within a UI of 100 ps and each decision sees its own level only.
// The sample goes 0.3 UI after the pulse's peak: the dynamic ring's peak is its overshoot 16 ps
// into the symbol (a transient that depends on the previous level: 17% more errors there), 0.3
// UI later both models have settled for over 15 photon lifetimes.
// Then the BER is a closed form of the four static levels, here computed without the lane:
// the drive voltages 0, 1, 2, 3 V through the junction physics and the all-pass ring
// (physics/junction.hpp, physics/mrm.hpp; the table these replace is checked against them
// above), the optical loss and responsivity, thresholds halfway between adjacent levels, and the
// textbook noise of each level over the given noise bandwidth. Both ring models must count that
// BER within the Monte-Carlo run's 99% interval (about 2,000 errors: +-6%).
std::vector<std::string> settled_lane(const char* model, double power_dbm, std::uint64_t bits) {
  return {model,
          "signal.symbol_rate_gbd=10",
          "driver.bandwidth_ghz=inf",
          "receiver.bandwidth_ghz=inf",
          "receiver.noise_bandwidth_ghz=20",
          "receiver.sampling_phase_ui=0.3",
          "laser.power_dbm=" + std::to_string(power_dbm),
          "eye.symbols=0",
          "run.target_errors=" + std::to_string(~0ull >> 1),
          "run.max_bits=" + std::to_string(bits)};
}

// The closed-form BER of the settled lane (Gray PAM4, every level equally likely).
double settled_lane_ber(const ll::PreparedRun& run) {
  const ll::LaneParams& lp = run.params.front();
  const ll::LinkConstants<double>& c = run.links.front().setup.constants;
  ll::JunctionParams j = lp.junction;
  j.ring_radius_m = lp.ring_radius_m;
  j.wavelength_m = lp.laser_wavelength_m;
  const ll::RingGeometry g{lp.ring_radius_m,       lp.ring_n_eff,         lp.ring_n_g,
                           lp.ring_power_coupling, lp.ring_loss_db_per_m, lp.laser_wavelength_m};
  // The laser's power less 1 dB of waveguide and two 1.5 dB couplers, at 0.95 A/W
  // (tests/data/junction_lane.toml).
  const double photocurrent_per_t =
      lp.laser_power_w * std::pow(10.0, -(1.0 + 2 * 1.5) / 10.0) * 0.95;
  const int M = 4;
  std::vector<double> level_a(M);
  for (int k = 0; k < M; ++k) {
    const double v = 3.0 * k / (M - 1);  // 1.5 V bias, 3 Vpp, equal steps: 0, 1, 2, 3 V
    const ll::JunctionRingResponse r = ll::junction_ring_response(j, v, lp.ring_n_g);
    ll::RingGeometry gv = g;
    gv.loss_db_per_m += r.loss_db_per_m_change;
    const ll::RingFigures f = ll::ring_figures(gv);
    level_a[k] =
        photocurrent_per_t * ll::allpass_transmission(f.a, f.r, c.ring.phase_of_shift(r.shift_m)) +
        1.3e-9;  // dark current
  }
  // Received order (the ring may invert the drive), thresholds halfway.
  std::vector<int> order = {0, 1, 2, 3};
  std::sort(order.begin(), order.end(), [&](int a, int b) { return level_a[a] < level_a[b]; });
  const double bandwidth_hz = 20e9, q = 1.602176634e-19, tia = 16.9e-12;  // A/rtHz
  const double rin = std::pow(10.0, -136.0 / 10.0);
  auto bits_apart = [](int a, int b) {  // Gray labels k ^ (k >> 1) of two levels
    const int x = (a ^ (a >> 1)) ^ (b ^ (b >> 1));
    return (x & 1) + ((x >> 1) & 1);
  };
  auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  double bit_errors_per_symbol = 0.0;
  for (int k = 0; k < M; ++k) {
    const double i = level_a[k];
    const double sigma = std::sqrt((2.0 * q * i + tia * tia + rin * i * i) * bandwidth_hz);
    for (int region = 0; region < M; ++region) {
      const int decided = order[region];
      if (decided == k) continue;
      const double lo =
          region == 0 ? -HUGE_VAL : 0.5 * (level_a[order[region - 1]] + level_a[decided]);
      const double hi =
          region == M - 1 ? HUGE_VAL : 0.5 * (level_a[decided] + level_a[order[region + 1]]);
      const double p = Phi((hi - i) / sigma) - Phi((lo - i) / sigma);
      bit_errors_per_symbol += p * bits_apart(k, decided) / M;
    }
  }
  return bit_errors_per_symbol / 2.0;
}

TEST(JunctionLane, BothRingModelsCountTheSettledLevelsClosedFormBer) {
  for (const char* model : {"mrm.model=\"static\"", "mrm.model=\"dynamic\""}) {
    // The laser power that puts the closed form at 1e-3 (bisection in dBm; no run needed).
    double lo = -20.0, hi = 10.0;
    for (int it = 0; it < 40; ++it) {
      const double mid = 0.5 * (lo + hi);
      (settled_lane_ber(prepare(settled_lane(model, mid, 1000))) > 1e-3 ? lo : hi) = mid;
    }
    const ll::PreparedRun run = prepare(settled_lane(model, 0.5 * (lo + hi), 2'000'000));
    const double predicted = settled_lane_ber(run);
    const ll::LinkCounters n = ll::run_batch_cpu(run.batches.front(), 2).front().counters;
    const ll::Interval ci = ll::clopper_pearson(n.bit_errors, n.bits, 0.99);
    std::printf("%s at %.2f dBm: closed form %.4g, Monte Carlo %.4g [%.4g, %.4g] (%llu errors)\n",
                model, 0.5 * (lo + hi), predicted, double(n.bit_errors) / n.bits, ci.lo, ci.hi,
                (unsigned long long)n.bit_errors);
    EXPECT_EQ(n.bits, 2'000'000u) << model;
    EXPECT_GE(predicted, ci.lo) << model;
    EXPECT_LE(predicted, ci.hi) << model;
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
