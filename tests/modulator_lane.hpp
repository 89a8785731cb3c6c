// What the memoryless modulators' tests share (tests/physics/test_mzm.cpp, test_eml.cpp): the
// preset's lane without fibre, run by the double engine, against P R T(drive) + I_dark written
// with the modulator's own static curve, sample by sample.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/cpu/cpu_exec.hpp"

namespace ll_test {

// The largest |photocurrent - (K T(drive) + I_dark)| over the peak, over every link of the
// preset's batch in its second chunk; each link must run modulator `kind` (kModulator...).
inline double memoryless_lane_error(const std::string& preset, int kind) {
  const ll::PreparedRun run = ll::prepare_run(
      ll::load_scenario(preset, {"fibre.length_km=0", "eye.symbols=0", "tdecq.symbols=0"}));
  EXPECT_EQ(run.batches.size(), 1u);
  ll::BatchSetup batch = run.batches.front();
  batch.max_bits = batch.target_errors = ~0ull;
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, double> engine(exec, batch);
  engine.step();
  engine.step();
  const std::vector<double> drive = engine.last_drive(), current = engine.last_photocurrent();
  EXPECT_EQ(drive.size(), current.size());
  const std::size_t S = drive.size() / batch.links.size();
  double worst = 0.0, peak = 0.0;
  for (std::size_t l = 0; l < batch.links.size(); ++l) {
    const ll::LinkConstants<double>& c = batch.links[l].constants;
    EXPECT_EQ(c.modulator, kind);
    for (std::size_t n = l * S; n < (l + 1) * S; ++n) {
      const double want = c.photocurrent_per_transmission_a *
                              ll::modulator_transmission(c, drive[n]) +
                          c.dark_current_a;
      worst = std::max(worst, std::abs(current[n] - want));
      peak = std::max(peak, want);
    }
  }
  return worst / peak;
}

}  // namespace ll_test
