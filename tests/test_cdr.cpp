// Clock recovery (physics/cdr.hpp): Mueller-Muller and bang-bang loops acquire from a phase
// offset and settle where their detector's mean output vanishes (the host's model of it from the
// pulse response); the recovered phase tracks sinusoidal jitter well inside the loop bandwidth
// and ignores it well outside; the BER with a recovered clock stays near the ideal clock's.
// Built twice like test_lane: as test_cdr (CPU) and test_cdr_gpu (LL_TEST_CUDA).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/runner.hpp"
#include "host/scenario.hpp"
#include "tests/backend_under_test.hpp"

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml";

struct CdrRun {
  ll::PreparedRun run;
  ll::LinkOutcome outcome;
};

CdrRun run_cdr(std::vector<std::string> more) {
  std::vector<std::string> o = {"laser.power_dbm=6", "eye.symbols=0", "run.max_bits=2000000",
                                "run.target_errors=1000000000"};
  o.insert(o.end(), more.begin(), more.end());
  CdrRun r{ll::prepare_run(ll::load_scenario(kDefault, o)), {}};
  ll::BatchSetup b = r.run.batches.front();
  b.links.resize(1);  // the preset sweeps the laser power: one point
  r.outcome = ll_test::run_under_test(b).front();
  return r;
}

class Cdr : public ll_test::BackendUnderTest {};

TEST_F(Cdr, LoopsAcquireAndSettleOnTheirDetectorsLockPoint) {
  const CdrRun ideal = run_cdr({});
  // Mueller-Muller's detector output is h(tau + T) - h(tau - T): with the default chain's short
  // pulse both are near zero beyond ~0.15 UI from the lock (no restoring force), so it starts
  // 0.1 UI late; the bang-bang detector pulls from anywhere in the UI, so it starts 0.3 UI late.
  // 10 MHz loop: a time constant of 1,700 symbols, against the 1e6 symbols of the run (the mean
  // includes the acquisition: 0.3 UI x 1,700 / 1e6 = 5e-4 UI).
  for (const auto& [mode, start] : {std::pair<const char*, double>{"mueller_muller", 0.1},
                                    std::pair<const char*, double>{"bang_bang", 0.3}}) {
    const CdrRun r = run_cdr({"cdr.mode=\"" + std::string(mode) + "\"", "cdr.bandwidth_mhz=10",
                              "cdr.initial_phase_ui=" + std::to_string(start)});
    const double lock_ui = r.run.links.front().setup.cdr.lock_samples / 32.0;
    EXPECT_NEAR(r.outcome.cdr_phase_ui, lock_ui, 0.01) << mode;
    EXPECT_LT(std::abs(lock_ui), 0.25) << mode;
    // Receiver noise moves the loop a little: well under 2% of a UI rms at 10 MHz.
    EXPECT_LT(r.outcome.cdr_jitter_rms_ui, 0.02) << mode;
    // Sampling at the lock point instead of the peak costs little.
    EXPECT_LT(r.outcome.counters.bit_errors, 3 * ideal.outcome.counters.bit_errors + 50) << mode;
  }
  EXPECT_TRUE(std::isnan(ideal.outcome.cdr_phase_ui));
}

TEST_F(Cdr, TracksSinusoidalJitterInsideTheBandwidthOnly) {
  // 0.2 UI peak of SJ: at 0.5 MHz a 20 MHz loop follows it (the recovered phase's rms is the SJ's,
  // 0.2 / sqrt 2 = 0.141 UI); at 200 MHz a 2 MHz loop does not (its rms stays a small fraction).
  const CdrRun inside = run_cdr({"cdr.mode=\"mueller_muller\"", "cdr.bandwidth_mhz=20",
                                 "tx_jitter.sj_amplitude_ui=0.2", "tx_jitter.sj_frequency_mhz=0.5",
                                 "run.max_bits=8000000"});
  EXPECT_NEAR(inside.outcome.cdr_jitter_rms_ui, 0.2 / std::sqrt(2.0), 0.1 * 0.2 / std::sqrt(2.0));
  const CdrRun outside =
      run_cdr({"cdr.mode=\"mueller_muller\"", "cdr.bandwidth_mhz=2",
               "tx_jitter.sj_amplitude_ui=0.2", "tx_jitter.sj_frequency_mhz=200"});
  EXPECT_LT(outside.outcome.cdr_jitter_rms_ui, 0.2 * 0.2 / std::sqrt(2.0));
}

#if !defined(LL_TEST_CUDA)  // host-only: no backend runs, so the GPU build leaves it out
TEST(CdrSetup, RefusesAMissingOrTooWideBandwidth) {
  for (const std::vector<std::string>& o :
       {std::vector<std::string>{"cdr.mode=\"bang_bang\""},
        std::vector<std::string>{"cdr.mode=\"bang_bang\"", "cdr.bandwidth_mhz=20000"}}) {
    try {
      ll::prepare_run(ll::load_scenario(kDefault, o));
      ADD_FAILURE() << "accepted";
    } catch (const ll::ScenarioError& e) {
      EXPECT_NE(std::string(e.what()).find("cdr.bandwidth_mhz"), std::string::npos) << e.what();
    }
  }
}
#endif

}  // namespace
