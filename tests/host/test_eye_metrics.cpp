// Eye figures (host/link/eye_metrics.hpp): on a histogram written here with known clusters, the
// level means, spreads, RLM (IEEE 802.3 120D.3.1.2) and SNR against their definitions; on the
// Gaussian-noise-only lane (equally spaced levels, no ISI), RLM 1, the SNR of the levels'
// variance over the noise's, and the optical figures from the levels and the responsivity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "host/link/eye_metrics.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/statistics.hpp"
#include "tests/backend_under_test.hpp"

namespace {

#if !defined(LL_TEST_CUDA)  // host-only: no backend runs, so the GPU build leaves it out
TEST(EyeMetrics, ClustersGiveTheirMeansSpreadsRlmAndSnr) {
  ll::LinkReport rep;
  rep.levels = 4;
  rep.responsivity_a_per_w = 0.5;
  rep.dark_current_a = 0.0;
  // Levels at 0, 0.3, 0.7 and 1 mA: ES1 = ES2 = 0.4, RLM = min(1.2, 1.2, 0.8, 0.8) = 0.8.
  const double level_a[4] = {0.0, 0.3e-3, 0.7e-3, 1.0e-3};
  for (int k = 0; k < 4; ++k) rep.received_levels_a[k] = rep.settled_levels_a[k] = level_a[k];
  const double offset = 0.5e-3, scale = 0.5e-3, range = 1.5;
  rep.eye_offset_a = offset;  // the outer levels' midpoint and half span, as the set-up has them
  rep.eye_scale_a = scale;
  const int amp_bins = 3000, phase_bins = 8, column = phase_bins / 2;
  const double sigma_a = 0.02e-3;
  std::vector<std::uint32_t> h(static_cast<std::size_t>(amp_bins) * phase_bins, 0u);
  for (int a = 0; a < amp_bins; ++a) {
    const double current = offset + scale * (-range + (a + 0.5) * 2.0 * range / amp_bins);
    double density = 0.0;
    for (double l : level_a) density += std::exp(-0.5 * std::pow((current - l) / sigma_a, 2));
    h[static_cast<std::size_t>(a) * phase_bins + column] =
        static_cast<std::uint32_t>(std::lround(1e6 * density));
  }
  const ll::EyeMetrics m = ll::eye_metrics(rep, 4, 1e-3, h, amp_bins, phase_bins, range);
  const double bin_a = 2.0 * range * scale / amp_bins;
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(m.level_mean_a[k], level_a[k], 0.01 * bin_a) << k;
    EXPECT_NEAR(m.level_sigma_a[k] / sigma_a, 1.0, 2e-3) << k;
  }
  EXPECT_NEAR(m.rlm, 0.8, 1e-3);
  // Levels' variance: mean 0.5 mA, (0.25 + 0.04 + 0.04 + 0.25) / 4 = 0.145 mA^2.
  EXPECT_NEAR(m.snr_db, 10.0 * std::log10(0.145e-6 / (sigma_a * sigma_a)), 0.02);
  EXPECT_NEAR(m.oma_outer_dbm, 10.0 * std::log10(1e-3 / 0.5 / 1e-3), 1e-12);
  EXPECT_NEAR(m.average_power_dbm, 10.0 * std::log10(0.5e-3 / 0.5 / 1e-3), 1e-12);
  // Eye height at 1e-3: each eye's floor sigma Q^-1(1e-3) above its lower level, its ceiling as
  // far below its upper one; the smallest eye is 0.3 mA. One column filled: a width of one
  // column (1/4 UI of this 8-column histogram).
  const double reach = sigma_a * ll::q_function_inverse(1e-3);
  EXPECT_NEAR(m.eye_height_a, 0.3e-3 - 2.0 * reach, 2.0 * bin_a);
  EXPECT_DOUBLE_EQ(m.eye_width_ui, 0.25);
  // No eye: the measured figures are NaN, the optical ones stay.
  const ll::EyeMetrics none = ll::eye_metrics(rep, 4, 1e-3, {}, amp_bins, phase_bins, range);
  EXPECT_TRUE(std::isnan(none.rlm));
  EXPECT_TRUE(std::isnan(none.snr_db));
  EXPECT_FALSE(std::isnan(none.oma_outer_dbm));
}
#endif

class EyeMetricsLane : public ll_test::BackendUnderTest {};

TEST_F(EyeMetricsLane, NoiseOnlyLaneHasRlmOneAndItsSnr) {
  std::vector<std::string> o = ll_test::gaussian_noise_only_lane(400000);
  o.push_back("eye.symbols=200000");
  o.push_back("eye.amplitude_bins=1024");
  o.push_back("receiver.tia_noise_pa_per_rthz=10");  // an eye open at 1e-3
  const ll::PreparedRun run = ll::prepare_run(
      ll::load_scenario(std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml", o));
  const ll::LinkOutcome out = ll_test::run_under_test(run.batches.front()).front();
  const ll::LinkReport& rep = run.links.front().report;
  const int phase_bins = 2 * rep.samples_per_ui;
  const ll::EyeMetrics m = ll::eye_metrics(rep, 4, 1e-3, out.eye_histogram,
                                           static_cast<int>(out.eye_histogram.size()) / phase_bins,
                                           phase_bins, ll::BatchSetup{}.eye_amplitude_range);
  EXPECT_NEAR(m.rlm, 1.0, 0.01);
  const double d = std::abs(rep.received_levels_a[3] - rep.received_levels_a[0]) / 3.0;
  const double sigma = std::sqrt(run.batches.front().links.front().constants.noise_var_const_a2);
  // Levels 0, d, 2d, 3d: variance 1.25 d^2. 50k samples per level: the spread to 0.5%.
  EXPECT_NEAR(m.snr_db, 10.0 * std::log10(1.25 * d * d / (sigma * sigma)), 0.1);
  // The ring may invert the levels: the ratio of the brighter outer level to the dimmer.
  const double p3 = rep.received_levels_a[3] - rep.dark_current_a;
  const double p0 = rep.received_levels_a[0] - rep.dark_current_a;
  const double er = 10.0 * std::log10(std::max(p3, p0) / std::min(p3, p0));
  EXPECT_NEAR(m.extinction_ratio_db, er, 0.02);
  // Eye height at 1e-3 from 50k samples per level: the quantiles to about 0.05 sigma each.
  ASSERT_GT(d - 2.0 * sigma * ll::q_function_inverse(1e-3), 0.2 * d);
  // (plus a bin at each edge: the quantiles are read to the histogram's bins).
  const double bin_a = 2.0 * ll::BatchSetup{}.eye_amplitude_range * 1.5 * d / 1024.0;
  EXPECT_NEAR(m.eye_height_a, d - 2.0 * sigma * ll::q_function_inverse(1e-3),
              0.3 * sigma + 2.0 * bin_a);
  // No band limits: every phase of the UI sees the level itself.
  EXPECT_DOUBLE_EQ(m.eye_width_ui, 1.0);
}

}  // namespace
