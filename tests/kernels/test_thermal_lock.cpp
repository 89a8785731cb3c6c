// The steady-state thermal lock report of the lane (host/link/thermal_setup.cpp thermal_lock): heater
// power against a hand computation from its definition, the wrap to the next order, the heater
// budget, the self-heating stability verdict, and the HDF5-facing status without a model.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"

namespace {

const std::string kPreset = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mrm_200g_oband_stress.toml";

ll::PreparedRun prepare(std::vector<std::string> overrides) {
  return ll::prepare_run(ll::load_scenario(kPreset, overrides));
}

TEST(ThermalLock, HeaterPowerIsTheShiftLeftAfterSelfHeating) {
  const ll::PreparedRun run = prepare({"mrm.detuning_pm=60"});
  const ll::LaneParams& lp = run.params.front();
  const ll::LinkReport& rep = run.links.front().report;
  ASSERT_EQ(rep.lock, ll::LockStatus::locked);
  // By hand: the heater supplies the red shift from the cold resonance to lambda_L - detuning,
  // less the self-heating shift s R_th f P (1 - mean T of the levels).
  const ll::LinkConstants<double>& c = run.links.front().setup.constants;
  double t_mean = 0.0;
  for (int k = 0; k < c.levels; ++k)
    t_mean += (rep.received_levels_a[k] - c.dark_current_a) / c.photocurrent_per_transmission_a;
  t_mean /= c.levels;
  const double self_m = lp.thermal.thermo_optic_shift_m_per_k *
                        lp.thermal.thermal_resistance_k_per_w * lp.thermal.absorbed_fraction *
                        lp.laser_power_w * (1.0 - t_mean);
  const double needed_m =
      (lp.laser_wavelength_m - lp.ring_detuning_m) - rep.ring.resonance_m - self_m;
  ASSERT_GT(needed_m, 0.0);
  EXPECT_NEAR(rep.heater_power_w, needed_m / lp.thermal.heater_efficiency_m_per_w, 1e-9);
  EXPECT_FALSE(rep.heater_wrapped);
}

TEST(ThermalLock, WrapsToTheNextOrderWhenTheResonanceIsRedOfTarget) {
  // A cold resonance red of the target: heating only moves it further; the heater brings the
  // next order from the blue instead, one FSR minus the offset away. n_eff 2.5223 moves the
  // preset's resonance (600 pm blue at 2.5194) 900 pm red: d lambda / d n_eff = lambda / n_g.
  const ll::PreparedRun run =
      prepare({"mrm.detuning_pm=60", "mrm.n_eff=2.5223", "mrm.thermal.max_heater_power_mw=200"});
  const ll::LinkReport& rep = run.links.front().report;
  const ll::LaneParams& lp = run.params.front();
  const double needed_m = (lp.laser_wavelength_m - lp.ring_detuning_m) - rep.ring.resonance_m;
  ASSERT_LT(needed_m, 0.0) << "the resonance should sit red of the target";
  EXPECT_TRUE(rep.heater_wrapped);
  // The heater's shift plus self-heating spans FSR + needed (needed < 0): below one FSR.
  const double heater_m = rep.heater_power_w * lp.thermal.heater_efficiency_m_per_w;
  EXPECT_GT(heater_m, 0.0);
  EXPECT_LT(heater_m, rep.ring.fsr_m + needed_m + 1e-15);
}

TEST(ThermalLock, ReportsBudgetAndInstability) {
  EXPECT_EQ(prepare({"mrm.detuning_pm=60", "mrm.thermal.max_heater_power_mw=1"})
                .links.front()
                .report.lock,
            ll::LockStatus::beyond_heater_budget);
  // Self-heating gain grows with optical power: the 100 pm point holds at 2 dBm, not at 8.
  const auto low = prepare({"mrm.detuning_pm=100", "laser.power_dbm=2"}).links.front().report;
  const auto high = prepare({"mrm.detuning_pm=100", "laser.power_dbm=8"}).links.front().report;
  EXPECT_LT(low.self_heating_gain, 1.0);
  EXPECT_EQ(low.lock, ll::LockStatus::locked);
  EXPECT_GE(high.self_heating_gain, 1.0);
  EXPECT_EQ(high.lock, ll::LockStatus::thermally_unstable);
  EXPECT_NEAR(high.self_heating_gain / low.self_heating_gain, std::pow(10.0, 0.6), 1e-9);
}

TEST(ThermalLock, NotModelledWithoutTheThermalTable) {
  const ll::PreparedRun run = ll::prepare_run(
      ll::load_scenario(std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml"));
  EXPECT_EQ(run.links.front().report.lock, ll::LockStatus::not_modelled);
  EXPECT_TRUE(std::isnan(run.links.front().report.heater_power_w));
}

}  // namespace
