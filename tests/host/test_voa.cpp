// The variable optical attenuator ([voa]; VoaStageInfo in kernels/engine/stages_optical.hpp, a
// stage folded into the optical path's budget): its key comes from the stage's descriptor with
// its range; A dB of it scales the received optical levels (the photodiode's current less its
// dark current) by exactly 10^(-A/10); and a lane behind it counts the same errors, bit for bit,
// as the same lane with the A dB given as optics.extra_loss_db, an independent way into the
// set-up.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/link/lane_setup.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/backend.hpp"

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml";

ll::LinkReport report_of(const std::vector<std::string>& overrides) {
  const ll::Scenario s = ll::load_scenario(kDefault, overrides);
  return ll::prepare_link(s, 0, ll::lane_params(s, 0), ll::run_params(s)).report;
}

std::string refusal(const std::vector<std::string>& overrides) {
  try {
    ll::load_scenario(kDefault, overrides);
  } catch (const ll::ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(Voa, KeyIsTheStagesWithItsRange) {
  EXPECT_NE(refusal({"voa.attenuation_db=-1"}).find("voa.attenuation_db"), std::string::npos);
  EXPECT_NE(refusal({"voa.attenuation_db=61"}).find("voa.attenuation_db"), std::string::npos);
  EXPECT_EQ(refusal({"voa.attenuation_db=60"}), "");
}

TEST(Voa, ReceivedLevelsScaleByThePowerGain) {
  const ll::LinkReport open = report_of({});
  for (double a_db : {0.5, 3.0, 17.0}) {
    const ll::LinkReport att = report_of({"voa.attenuation_db=" + std::to_string(a_db)});
    const double gain = std::pow(10.0, -a_db / 10.0);
    for (int k = 0; k < 4; ++k) {
      EXPECT_NEAR((att.received_levels_a[k] - att.dark_current_a) /
                      (open.received_levels_a[k] - open.dark_current_a),
                  gain, 1e-12 * gain)
          << a_db << " dB, level " << k;
      EXPECT_NEAR((att.settled_levels_a[k] - att.dark_current_a) /
                      (open.settled_levels_a[k] - open.dark_current_a),
                  gain, 1e-12 * gain)
          << a_db << " dB, level " << k;
    }
  }
}

// The default lane's five laser powers behind 4 dB: the weaker points count errors.
std::vector<ll::LinkOutcome> counts(const std::string& loss) {
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(
      kDefault, {loss, "run.max_bits=400000", "eye.symbols=0", "tdecq.symbols=0"}));
  EXPECT_EQ(run.batches.size(), 1u);
  return ll::run_batch_cpu(run.batches.front(), 2);
}

TEST(Voa, CountsEqualTheSameLossGivenAsExtraLoss) {
  const std::vector<ll::LinkOutcome> voa = counts("voa.attenuation_db=4");
  const std::vector<ll::LinkOutcome> extra = counts("optics.extra_loss_db=4");
  ASSERT_EQ(voa.size(), extra.size());
  std::uint64_t errors = 0;
  for (std::size_t i = 0; i < voa.size(); ++i) {
    EXPECT_EQ(voa[i].counters.bits, extra[i].counters.bits) << i;
    EXPECT_EQ(voa[i].counters.bit_errors, extra[i].counters.bit_errors) << i;
    errors += voa[i].counters.bit_errors;
  }
  EXPECT_GT(errors, 0u);  // not vacuous: the attenuated lane does err
  // And the attenuator costs errors: the open lane's weakest point counts fewer.
  const std::vector<ll::LinkOutcome> open = counts("voa.attenuation_db=0");
  EXPECT_LT(open[0].counters.bit_errors * voa[0].counters.bits,
            voa[0].counters.bit_errors * open[0].counters.bits);
}

}  // namespace
