// The energy model (host/link/energy.hpp) against closed forms written here: the modulator's
// C Var(V) per symbol for NRZ (C V^2 / 4 per bit, Miller 2012), PAM4 and PAM6 with the levels'
// probabilities, the laser's P / efficiency, the parts summing to the total, the 1.6T CPO preset
// inside the published range of PARAMETERS.md, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "host/link/energy.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"

namespace {

const std::string kDefaultLane =
    std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";

std::vector<std::string> with_energy(std::vector<std::string> o) {
  for (const char* kv :
       {"energy.laser_wall_plug_efficiency=0.2", "energy.laser_coupling_loss_db=3",
        "energy.modulator_capacitance_ff=10", "energy.driver_pj_per_bit=0.4",
        "energy.tia_pj_per_bit=0.3", "energy.cdr_pj_per_bit=0.2", "energy.serdes_pj_per_bit=0.9",
        "energy.lanes_per_port=8", "driver.level_spacing=\"voltage\"", "driver.swing_vpp=2"})
    o.push_back(kv);
  return o;
}

ll::LinkReport report_of(const std::vector<std::string>& overrides) {
  return ll::prepare_run(ll::load_scenario(kDefaultLane, overrides)).links.front().report;
}

TEST(Energy, ModulatorAndLaserFollowTheirClosedForms) {
  const double c = 10e-15, v = 2.0;
  struct Case {
    const char* modulation;
    double bits_per_symbol, var_over_v2;
  };
  // Var(V) / V_pp^2 of the levels: NRZ 1/4; PAM4 at +-1/2, +-1/6: 5/36; PAM6 at +-1/2 (1/8 each),
  // +-3/10 and +-1/10 (3/16 each): 2 (1/32 + 27/1600 + 3/1600) = 1/10.
  for (const Case& k :
       {Case{"NRZ", 1.0, 0.25}, Case{"PAM4", 2.0, 5.0 / 36.0}, Case{"PAM6", 2.5, 0.1}}) {
    const ll::LinkReport rep =
        report_of(with_energy({std::string("signal.modulation=\"") + k.modulation + "\""}));
    ASSERT_TRUE(rep.energy.present);
    const ll::EnergyFigures f = ll::energy_figures(rep.energy, 0.0);
    const double expected_pj = c * k.var_over_v2 * v * v / k.bits_per_symbol * 1e12;
    EXPECT_NEAR(f.modulator_pj_per_bit / expected_pj, 1.0, 1e-12) << k.modulation;
    // Laser: the default lane's first point, 2 dBm, plus 3 dB of coupling over 20%.
    const double rate = 106.25e9 * k.bits_per_symbol;
    const double laser_pj = 1e-3 * std::pow(10.0, 0.2) * std::pow(10.0, 0.3) / 0.2 / rate * 1e12;
    EXPECT_NEAR(f.laser_pj_per_bit / laser_pj, 1.0, 1e-12) << k.modulation;
    EXPECT_NEAR(f.port_rate_gbps, 8.0 * rate * 1e-9, 1e-9);
  }
  // NRZ is Miller's C V^2 / 4 per bit: 10 fF at 2 V, 10 fJ.
  const ll::LinkReport nrz = report_of(with_energy({"signal.modulation=\"NRZ\""}));
  EXPECT_NEAR(ll::energy_figures(nrz.energy, 0.0).modulator_pj_per_bit, 0.010, 1e-15);
}

TEST(Energy, PartsSumToTheTotalWithTheHeater) {
  const ll::LinkReport rep = report_of(with_energy({}));
  const double heater_w = 4.2e-3;
  const ll::EnergyFigures f = ll::energy_figures(rep.energy, heater_w);
  const double parts = f.laser_pj_per_bit + f.modulator_pj_per_bit + f.heater_pj_per_bit +
                       f.driver_pj_per_bit + f.tia_pj_per_bit + f.cdr_pj_per_bit +
                       f.serdes_pj_per_bit;
  EXPECT_NEAR(parts / f.total_pj_per_bit, 1.0, 1e-12);
  EXPECT_NEAR(f.heater_pj_per_bit, heater_w / 212.5e9 * 1e12, 1e-15);
  EXPECT_NEAR(f.driver_pj_per_bit, 0.4, 1e-12);
  EXPECT_NEAR(f.lane_power_mw, f.total_pj_per_bit * 212.5e9 * 1e-9, 1e-9);
  EXPECT_NEAR(f.port_power_w, 8.0 * f.lane_power_mw * 1e-3, 1e-12);
  // Without [energy] nothing is reported.
  EXPECT_TRUE(std::isnan(ll::energy_figures(report_of({}).energy, 0.0).total_pj_per_bit));
}

// The 1.6T CPO preset (8 x 200G on a ring WDM bus) lands between the published CPO figures of
// PARAMETERS.md: below 2 W per 1.6T (1.25 pJ/bit, the seed claim) and NVIDIA's 9 W per port
// (5.6 pJ/bit). Its inputs are the preset's [energy] keys.
TEST(Energy, CpoPortIsInThePublishedRange) {
  const ll::PreparedRun run = ll::prepare_run(
      ll::load_scenario(std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/wdm_8x200g_1p6t_stress.toml", {}));
  for (const ll::PreparedLink& l : run.links) {
    const ll::EnergyFigures f = ll::energy_figures(l.report.energy, l.report.heater_power_w);
    EXPECT_GE(f.total_pj_per_bit, 2.0 / 1.6e12 * 1e12);
    EXPECT_LE(f.total_pj_per_bit, 9.0 / 1.6e12 * 1e12);
    EXPECT_NEAR(f.port_rate_gbps, 1700.0, 1e-6);
  }
}

TEST(Energy, BadInputsAreRefusedByKey) {
  auto error_of = [](std::vector<std::string> o) {
    try {
      ll::prepare_run(ll::load_scenario(kDefaultLane, o));
    } catch (const ll::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error_of(with_energy({"energy.laser_wall_plug_efficiency=1.5"}))
                .find("energy.laser_wall_plug_efficiency"),
            std::string::npos);
  EXPECT_NE(error_of(with_energy({"energy.lanes_per_port=0"})).find("energy.lanes_per_port"),
            std::string::npos);
  // A Touchstone channel does not say its reach: the SerDes energy must be given.
  const std::string thru = testing::TempDir() + "energy_thru.s2p";
  std::ofstream(thru) << "# GHz S DB R 50\n1 0 0 -1 0 -1 0 0 0\n100 0 0 -20 0 -20 0 0 0\n";
  EXPECT_NE(error_of({"energy.modulator_capacitance_ff=10", "channel.model=\"touchstone\"",
                      "channel.file=\"" + thru + "\""})
                .find("energy.serdes_pj_per_bit"),
            std::string::npos);
  // The linear EO model has no capacitance of its own.
  std::vector<std::string> no_c = with_energy({});
  no_c.erase(no_c.begin() + 2);
  EXPECT_NE(error_of(no_c).find("energy.modulator_capacitance_ff"), std::string::npos);
}

// The defaults of each part (host/link/energy.cpp, docs/REFERENCES.md), from one key given: the laser
// at 30% through 2.75 dB, the driver 1.44 pJ/bit, the TIA 47 mW at 112 Gb/s, no SerDes without a
// channel, 5.02 pJ/bit with a short one and 5.8 with a long one, one laser per lane, 8 lanes.
TEST(Energy, EveryPartHasItsCitedDefault) {
  auto figures = [](std::vector<std::string> o) {
    o.push_back("energy.modulator_capacitance_ff=10");
    o.push_back("laser.power_dbm=2");
    const ll::LinkReport rep = report_of(o);
    EXPECT_TRUE(rep.energy.present);
    return ll::energy_figures(rep.energy, 0.0);
  };
  const ll::EnergyFigures f = figures({});
  const double rate = 212.5e9;
  EXPECT_NEAR(f.laser_pj_per_bit, 1e-3 * std::pow(10.0, 0.2) / 0.75 * std::pow(10.0, 0.15) / 0.30 /
                                      rate * 1e12,
              1e-12);
  EXPECT_NEAR(f.driver_pj_per_bit, 1.44, 1e-12);
  EXPECT_NEAR(f.tia_pj_per_bit, 47e-3 / 112e9 * 1e12, 1e-12);
  EXPECT_EQ(f.cdr_pj_per_bit, 0.0);
  EXPECT_EQ(f.serdes_pj_per_bit, 0.0);
  EXPECT_EQ(f.retimer_pj_per_bit, 0.0);
  EXPECT_EQ(f.lasers_per_port, 8.0);
  EXPECT_NEAR(f.port_rate_gbps, 8 * 212.5, 1e-9);
  const std::vector<std::string> channel = {"channel.model=\"parametric\"", "channel.skin_share=0.5"};
  auto with_loss = [&](double db) {
    std::vector<std::string> o = channel;
    o.push_back("channel.loss_db_at_nyquist=" + std::to_string(db));
    return o;
  };
  EXPECT_NEAR(figures(with_loss(4.0)).serdes_pj_per_bit, 5.02, 1e-12);
  EXPECT_NEAR(figures(with_loss(22.0)).serdes_pj_per_bit, 5.8, 1e-12);
  // Given values win; a shared laser source counts fewer lasers.
  std::vector<std::string> o = {"energy.lasers_per_port=2", "energy.retimer_pj_per_bit=7.5",
                                "energy.laser_coupling_loss_db=0"};
  const ll::EnergyFigures g = figures(o);
  EXPECT_EQ(g.lasers_per_port, 2.0);
  EXPECT_NEAR(g.retimer_pj_per_bit, 7.5, 1e-12);
  EXPECT_NEAR(g.laser_pj_per_bit * std::pow(10.0, 0.15) / 0.75, f.laser_pj_per_bit, 1e-12);
  EXPECT_NEAR(g.total_pj_per_bit - f.total_pj_per_bit, 7.5 + g.laser_pj_per_bit - f.laser_pj_per_bit,
              1e-9);
}

}  // namespace
