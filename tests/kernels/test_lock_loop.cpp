// The resonance-lock loop in the engine (kernels/engine/thermal_loop.hpp, mrm.thermal.lock = "loop"): the
// monitor photodiode and the integral heater controller step at chunk rate while the lane runs.
//   - Without self-heating the linearised loop is tau_h^2 y'' + tau_h y' + K y = 0, critically
//     damped at K = 1/4: from an error y0 with the heater in its steady state (y'(0) = 0) the
//     error is y0 (1 + t / 2 tau_h) e^{-t / 2 tau_h}. The engine's per-chunk trace follows it.
//   - With self-heating the loop settles where the heater supplies what self-heating does not:
//     the steady-state lock's heater power (host/link/thermal_setup.cpp thermal_lock).
//   - A run too short for the loop ends not locked, and the HDF5-facing status says so.
// Built twice like test_lane: as test_lock_loop (CPU) and test_lock_loop_gpu (LL_TEST_CUDA).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "tests/backend_under_test.hpp"

namespace {

const std::string kPreset = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mrm_200g_oband_stress.toml";

// The preset's ring at 60 pm on the red flank (thermally stable at its 6 dBm), the loop on, a
// 1 us heater and ring (PARAMETERS.md: heater time constants of ~4 us typical, 85 ns best).
std::vector<std::string> loop_overrides(double initial_error_pm, double symbols,
                                        std::vector<std::string> more = {}) {
  std::vector<std::string> o = {
      "mrm.detuning_pm=60",
      "mrm.thermal.lock=\"loop\"",
      "mrm.thermal.heater_time_constant_us=1",
      "mrm.thermal.thermal_time_constant_us=1",
      "mrm.thermal.lock_initial_error_pm=" + std::to_string(initial_error_pm),
      "run.chunk_symbols=1024",
      "run.max_bits=" + std::to_string(static_cast<long long>(2 * symbols)),
      "run.target_errors=1000000000"};
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

struct LoopRun {
  ll::PreparedRun run;
  ll::LinkOutcome outcome;
};

LoopRun run_loop(const std::vector<std::string>& overrides) {
  LoopRun r{ll::prepare_run(ll::load_scenario(kPreset, overrides)), {}};
  EXPECT_EQ(r.run.batches.size(), 1u);
  ll::BatchSetup batch = r.run.batches.front();
  batch.record_thermal_trace = true;
  r.outcome = ll_test::run_under_test(batch).front();
  return r;
}

class LockLoop : public ll_test::BackendUnderTest {};

TEST_F(LockLoop, AcquiresAsTheCriticallyDampedLoopWithoutSelfHeating) {
  // The resonance starts 10 pm (3% of the FWHM) blue, and in a second run red, of its operating
  // point. The flank's curvature makes the loop a little faster on one side and slower on the
  // other; the odd part of the two responses, (y_red - y_blue) / 2, is linear to third order and
  // is what the linearised loop predicts.
  const double y0_pm = 10.0;
  const double tau_s = 1e-6;
  const double symbols = 10.0 * tau_s * 106.25e9;
  auto run_from = [&](double start_pm) {
    return run_loop(loop_overrides(
        start_pm, symbols, {"mrm.thermal.thermal_resistance_k_per_mw=0", "mrm.model=\"static\""}));
  };
  const LoopRun red = run_from(y0_pm), blue = run_from(-y0_pm);
  const ll::ThermalLoopOutcome& r = red.outcome.thermal;
  const ll::ThermalLoopOutcome& b = blue.outcome.thermal;
  ASSERT_TRUE(r.enabled && b.enabled);
  ASSERT_EQ(r.trace.size(), b.trace.size());
  ASSERT_GT(r.trace.size(), 800u);
  // Tolerance 1% of y0 (measured: 0.28%): the controller updates once per chunk (dt / tau = 0.0096)
  // and acts a chunk late, the monitor averages 1024 PAM4 symbols (their mean transmission scatters
  // by ~1% of the swing), and the cubic term of the flank over 3% of a linewidth.
  double worst = 0.0;
  for (std::size_t n = 0; n < r.trace.size(); ++n) {
    const double x = r.trace[n].time_s / (2.0 * tau_s);
    const double expected_pm = y0_pm * (1.0 + x) * std::exp(-x);
    const double odd_pm = 0.5 * (r.trace[n].lock_error_m - b.trace[n].lock_error_m) * 1e12;
    worst = std::max(worst, std::abs(odd_pm - expected_pm));
  }
  EXPECT_LT(worst, 0.01 * y0_pm);
  // Critically damped: no overshoot on either side (3% of y0 for the monitor's scatter), and
  // both runs end locked at 10 tau (the analytic error is 6 e^-5 = 4% of y0).
  for (std::size_t n = 0; n < r.trace.size(); ++n) {
    EXPECT_GE(r.trace[n].lock_error_m * 1e12, -0.03 * y0_pm);
    EXPECT_LE(b.trace[n].lock_error_m * 1e12, 0.03 * y0_pm);
  }
  EXPECT_TRUE(r.locked);
  EXPECT_TRUE(b.locked);
  // The heater, with nothing from self-heating, ends at the steady-state setting.
  const double eta = red.run.params.front().thermal.heater_efficiency_m_per_w;
  for (const LoopRun* run : {&red, &blue})
    EXPECT_NEAR(run->outcome.thermal.heater_power_w, run->run.links.front().report.heater_power_w,
                0.1 * y0_pm * 1e-12 / eta);
}

TEST_F(LockLoop, SettlesOnTheSteadyStateHeaterWithSelfHeating) {
  // 40 pm blue of the lock with the preset's self-heating (1 K/mW, 72.5 pm/K at 6 dBm): the
  // ring's own lag joins the heater's; the loop ends where the steady-state lock says.
  const LoopRun r = run_loop(loop_overrides(-40.0, 20e-6 * 106.25e9, {"laser.power_dbm=0"}));
  const ll::ThermalLoopOutcome& t = r.outcome.thermal;
  const ll::LinkReport& rep = r.run.links.front().report;
  ASSERT_TRUE(t.enabled);
  ASSERT_LT(rep.self_heating_gain, 1.0);
  EXPECT_TRUE(t.locked) << "error " << t.lock_error_m * 1e12 << " pm";
  // The monitor averages the waveform the driver's bandwidth shapes, not the static levels, so
  // the loop settles within a small fraction of a linewidth of the designed point (5% is the
  // locked tolerance; 2% of the FWHM is 7 pm).
  EXPECT_LT(std::abs(t.lock_error_m), 0.02 * rep.ring.fwhm_m);
  const double eta = r.run.params.front().thermal.heater_efficiency_m_per_w;
  EXPECT_NEAR(t.heater_power_w, rep.heater_power_w, 0.03 * rep.ring.fwhm_m / eta);
  // It moved from where it started: 40 pm of heater shift is 0.55 mW at 73 pm/mW.
  ASSERT_FALSE(t.trace.empty());
  EXPECT_LT(t.trace.front().lock_error_m * 1e12, -30.0);
}

TEST_F(LockLoop, ARunShorterThanTheLoopEndsNotAcquired) {
  const LoopRun r = run_loop(loop_overrides(-60.0, 0.2e-6 * 106.25e9));
  const ll::ThermalLoopOutcome& t = r.outcome.thermal;
  ASSERT_TRUE(t.enabled);
  EXPECT_FALSE(t.locked);
  EXPECT_LT(t.lock_error_m * 1e12, -40.0);
  const ll::PointResult p = ll::point_result(r.outcome, r.run.links.front().report);
  EXPECT_EQ(p.mrm_lock, ll::LockStatus::not_acquired);
  EXPECT_NEAR(p.mrm_lock_error_pm, t.lock_error_m * 1e12, 1e-9);
  EXPECT_NEAR(p.heater_power_mw, t.heater_power_w * 1e3, 1e-12);
}

TEST_F(LockLoop, EveryRingOfABusLocks) {
  // Two lanes 400 GHz apart on one bus, the rings starting 20 pm off their locks in opposite
  // directions: both loops acquire, each to its own ring's steady-state heater.
  const LoopRun r = [] {
    LoopRun out{ll::prepare_run(ll::load_scenario(
                    kPreset, loop_overrides(-20.0, 12e-6 * 106.25e9,
                                            {"laser.power_dbm=0", "wdm.channels=2",
                                             "wdm.spacing_ghz=400", "wdm.demux.model=\"ideal\""}))),
                {}};
    return out;
  }();
  ASSERT_EQ(r.run.lanes, 2u);
  ll::BatchSetup batch = r.run.batches.front();
  batch.links[1].thermal_loop.start_heater_power_w +=
      40e-12 / batch.links[1].thermal_loop.params.heater_efficiency_m_per_w;
  batch.links[1].thermal_loop.start.heater_shift_m += 40e-12;  // lane 1 starts 20 pm red
  const std::vector<ll::LinkOutcome> out = ll_test::run_under_test(batch);
  ASSERT_EQ(out.size(), 2u);
  for (std::size_t j = 0; j < 2; ++j) {
    EXPECT_TRUE(out[j].thermal.enabled);
    EXPECT_TRUE(out[j].thermal.locked)
        << "lane " << j << " error " << out[j].thermal.lock_error_m * 1e12 << " pm";
    EXPECT_NEAR(out[j].thermal.heater_power_w, r.run.links[j].report.heater_power_w,
                0.03 * r.run.links[j].report.ring.fwhm_m /
                    r.run.params.front().thermal.heater_efficiency_m_per_w);
  }
}

// Host-only set-up checks: no backend runs, so the GPU build leaves them out.
#if !defined(LL_TEST_CUDA)
TEST(LockLoopSetup, NeedsTheTimeConstantsAndTheHeater) {
  auto refused_key = [](std::vector<std::string> o) {
    try {
      ll::prepare_run(ll::load_scenario(
          std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mrm_200g_variation_stress.toml", o));
    } catch (const ll::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // The variation preset has [mrm.thermal] without time constants.
  const std::string no_heater_tau =
      refused_key({"mrm.variation.draws=1", "mrm.thermal.lock=\"loop\"",
                   "mrm.thermal.thermal_time_constant_us=1"});
  EXPECT_NE(no_heater_tau.find("mrm.thermal.heater_time_constant_us"), std::string::npos)
      << no_heater_tau;
  const std::string no_ring_tau = refused_key({"mrm.variation.draws=1", "mrm.thermal.lock=\"loop\"",
                                               "mrm.thermal.heater_time_constant_us=1"});
  EXPECT_NE(no_ring_tau.find("mrm.thermal.thermal_time_constant_us"), std::string::npos)
      << no_ring_tau;
  const std::string bad_gain = refused_key({"mrm.thermal.lock_gain=0"});
  EXPECT_NE(bad_gain.find("mrm.thermal.lock_gain"), std::string::npos) << bad_gain;
  const std::string no_thermal = [] {
    try {
      ll::prepare_run(
          ll::load_scenario(std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml",
                            {"mrm.thermal.lock=\"loop\""}));
    } catch (const ll::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  }();
  EXPECT_NE(no_thermal.find("mrm.thermal.lock"), std::string::npos) << no_thermal;
}

TEST(LockLoopSetup, StartsOffTheLockByTheInitialError) {
  const ll::PreparedRun run =
      ll::prepare_run(ll::load_scenario(kPreset, loop_overrides(-25.0, 1e5)));
  const ll::ThermalLoopSetup& s = run.links.front().setup.thermal_loop;
  ASSERT_TRUE(s.enabled);
  const ll::ThermalLoopState start{s.start, s.start_heater_power_w};
  EXPECT_NEAR(ll::lock_error_m(s, start) * 1e12, -25.0, 1e-9);
  // The heater starts in its own steady state for its power.
  EXPECT_NEAR(s.start.heater_shift_m, s.params.heater_efficiency_m_per_w * s.start_heater_power_w,
              1e-18);
  // The controller pushes the heater up for a resonance blue of the lock (T above target on
  // the red flank).
  const ll::ThermalLoopState next =
      ll::thermal_loop_step(s, start, s.loop.target_transmission + 0.01, 1e-8);
  EXPECT_GT(next.heater_power_w, s.start_heater_power_w);
}
#endif

}  // namespace
