// `lightlane report` (host/report/): the figures on files built by hand (worst lane, pass or
// fail, the yield's Clopper-Pearson interval against tabulated values, the ring-bank yield), the
// markdown's columns for what a file has and lacks, and the reader's refusals. The command on
// real runs: tests/cli_report.sh.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "host/report/report_figures.hpp"
#include "host/report/report_file.hpp"
#include "host/report/report_markdown.hpp"
#include "host/link/statistics.hpp"

namespace {

using namespace ll::report;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(Report, ClopperPearsonMatchesTables) {
  // Exact binomial 95% limits (e.g. Geigy's Scientific Tables; Newcombe 1998, n = 10).
  const Interval none = clopper_pearson_95(0, 10);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_NEAR(none.hi, 0.3085, 5e-5);
  const Interval all = clopper_pearson_95(10, 10);
  EXPECT_NEAR(all.lo, 0.6915, 5e-5);
  EXPECT_EQ(all.hi, 1.0);
  const Interval half = clopper_pearson_95(5, 10);
  EXPECT_NEAR(half.lo, 0.1871, 5e-5);
  EXPECT_NEAR(half.hi, 0.8129, 5e-5);
  const Interval nothing = clopper_pearson_95(0, 0);
  EXPECT_EQ(nothing.lo, 0.0);
  EXPECT_EQ(nothing.hi, 1.0);
}

TEST(Report, ClopperPearsonAgreesWithTheSimulatorsOwn) {
  // Boost's binomial bounds and host/link/statistics.cpp's incomplete-beta inversion: one interval.
  for (std::uint64_t k : {1u, 3u, 37u, 119u}) {
    const Interval boost = clopper_pearson_95(k, 120);
    const ll::Interval own = ll::clopper_pearson(k, 120, 0.95);
    EXPECT_NEAR(boost.lo, own.lo, 1e-9 * std::max(own.lo, 1e-3)) << k;
    EXPECT_NEAR(boost.hi, own.hi, 1e-9) << k;
  }
}

TEST(Report, BankYieldRaisesTheYieldAndItsIntervalToTheRings) {
  const BankYield b = bank_yield(0.9, {0.8, 0.95}, 8);
  EXPECT_EQ(b.rings, 8);
  EXPECT_NEAR(b.yield, 0.43046721, 1e-12);
  EXPECT_NEAR(b.lo, std::pow(0.8, 8), 1e-15);
  EXPECT_NEAR(b.hi, std::pow(0.95, 8), 1e-15);
  const BankYield one = bank_yield(0.5, {0.1871, 0.8129}, 1);
  EXPECT_EQ(one.yield, 0.5);
  EXPECT_EQ(one.lo, 0.1871);
}

TEST(Report, VerdictTakesTheUpperBoundOrTheStatisticalBer) {
  EXPECT_EQ(ber_verdict(1e-4, 2e-4, 2.4e-4), Verdict::pass);
  EXPECT_EQ(ber_verdict(1e-4, 3e-4, 2.4e-4), Verdict::fail);  // the interval reaches the target
  EXPECT_EQ(ber_verdict(1e-4, kNaN, 2.4e-4), Verdict::pass);  // statistical mode: no interval
  EXPECT_EQ(ber_verdict(3e-4, kNaN, 2.4e-4), Verdict::fail);
  EXPECT_EQ(ber_verdict(kNaN, kNaN, 2.4e-4), Verdict::not_run);
}

TEST(Report, WorstLaneIsTheHighestBer) {
  EXPECT_EQ(worst_lane({1e-5, 3e-4, kNaN, 2e-4}, {2e-5, 4e-4, kNaN, 3e-4}), 1u);
  // A tie (no errors anywhere): the larger upper bound, i.e. fewer bits counted.
  EXPECT_EQ(worst_lane({0.0, 0.0, 0.0}, {1e-6, 3e-6, 2e-6}), 1u);
  EXPECT_FALSE(worst_lane({kNaN, kNaN}, {kNaN, kNaN}).has_value());
}

// Two points of a three-lane bus, the margins and energies present.
ReportFile bus_file() {
  ReportFile f;
  f.path = "bus.h5";
  f.version = "0.1.0";
  f.git_revision = "abc";
  f.backend = "cpu";
  f.sweep_dims = {"point"};
  f.sweep_shape = {2};
  f.points = 2;
  f.lanes = 3;
  f.coordinates.push_back({"laser_power_dbm", "laser.power_dbm", "dBm", {4.0, 8.0}});
  f.reals["ber"] = {1e-5, 3e-4, 2e-4, 1e-6, 2e-6, 1e-7};
  f.reals["ber_lo"] = {5e-6, 2e-4, 1e-4, 1e-7, 1e-6, 1e-8};
  f.reals["ber_hi"] = {2e-5, 4e-4, 3e-4, 5e-6, 4e-6, 1e-6};
  f.reals["margin_db"] = {3.0, -0.5, 0.2, 4.0, 2.5, 1.0};
  f.reals["sensitivity_oma_dbm"] = {-8.0, -6.0, -7.0, -9.0, -8.5, -7.5};
  f.reals["margin_target_ber"] = {2.4e-4, 2.4e-4, 2.4e-4, 1e-5, 1e-5, 1e-5};
  f.reals["fec_frame_loss_ratio"] = {0.0, 0.2, 0.1, 0.0, 0.0, 0.0};
  f.reals["port_power_w"] = {10.0, 11.0, 12.0, 9.0, 9.0, 9.0};
  f.reals["energy_pj_per_bit"] = {5.0, 5.0, 5.0, 4.0, 4.0, 4.0};
  f.energy_parts = {"energy_laser_pj_per_bit", "energy_retimer_pj_per_bit"};
  f.reals["energy_laser_pj_per_bit"] = {2.0, 2.0, 2.0, 1.0, 1.0, 1.0};
  f.reals["energy_retimer_pj_per_bit"] = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  return f;
}

TEST(Report, PointRowsCarryTheWorstLanesFigures) {
  const std::vector<PointRow> rows = point_rows(bus_file());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].worst_lane, 1u);
  EXPECT_EQ(rows[0].ber, 3e-4);
  EXPECT_EQ(rows[0].ber_hi, 4e-4);
  EXPECT_EQ(rows[0].fec_frame_loss_ratio, 0.2);
  EXPECT_EQ(rows[0].margin_lane, 1u);
  EXPECT_EQ(rows[0].margin_db, -0.5);
  EXPECT_EQ(rows[0].sensitivity_oma_dbm, -6.0);
  EXPECT_DOUBLE_EQ(rows[0].port_power_w, 11.0);  // the lanes' mean
  EXPECT_EQ(rows[0].verdict, Verdict::fail);
  // Point 1: worst lane 1 by BER, lane 2 by margin; its own target 1e-5 (all ber_hi below).
  EXPECT_EQ(rows[1].worst_lane, 1u);
  EXPECT_EQ(rows[1].margin_lane, 2u);
  EXPECT_EQ(rows[1].margin_db, 1.0);
  EXPECT_EQ(rows[1].target_ber, 1e-5);
  EXPECT_EQ(rows[1].verdict, Verdict::pass);
  ASSERT_EQ(rows[1].energy_parts.size(), 2u);
  EXPECT_EQ(rows[1].energy_parts[0], 1.0);
  EXPECT_TRUE(std::isnan(rows[1].energy_parts[1]));
}

TEST(Report, WorstSelectsTheSmallestMarginsFirst) {
  const std::vector<PointRow> rows = select_rows(point_rows(bus_file()), 1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].point, 0u);
  EXPECT_EQ(select_rows(point_rows(bus_file()), std::nullopt).size(), 2u);
}

TEST(Report, MarkdownShowsWhatTheFileHasAndOmitsTheRest) {
  std::ostringstream out;
  write_markdown(bus_file(), {}, out);
  const std::string md = out.str();
  EXPECT_NE(md.find("| point | laser.power_dbm [dBm] | worst lane | ber | [ber_lo, ber_hi] | "
                    "margin_db | sensitivity_oma_dbm | fec_frame_loss_ratio | port_power_w | "
                    "pJ/bit | laser | pass |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("retimer"), std::string::npos);  // all NaN: omitted
  EXPECT_NE(md.find("| 0 | 4 | 1 | 0.0003 | [0.0002, 0.0004] | -0.5 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 1 | 8 | 1 | 2e-06 | [1e-06, 4e-06] | 1 (lane 2) |"), std::string::npos)
      << md;
  EXPECT_EQ(md.find("## Yield"), std::string::npos);  // no draws

  // An older file: no margins, no energy, no target: the KP4 threshold, no invented columns.
  ReportFile old = bus_file();
  for (const char* name :
       {"margin_db", "sensitivity_oma_dbm", "margin_target_ber", "port_power_w",
        "energy_pj_per_bit", "energy_laser_pj_per_bit", "energy_retimer_pj_per_bit"})
    old.reals.erase(name);
  old.energy_parts.clear();
  const std::vector<PointRow> rows = point_rows(old);
  EXPECT_EQ(rows[1].target_ber, kKp4TargetBer);
  std::ostringstream old_out;
  write_markdown(old, {}, old_out);
  EXPECT_NE(old_out.str().find("| point | laser.power_dbm [dBm] | worst lane | ber | "
                               "[ber_lo, ber_hi] | fec_frame_loss_ratio | pass |"),
            std::string::npos)
      << old_out.str();
  EXPECT_NE(old_out.str().find("the file has no margin_target_ber"), std::string::npos);
}

// A grid of 2 points x 4 draws, one lane, with a thermal lock.
ReportFile draws_file() {
  ReportFile f;
  f.path = "draws.h5";
  f.sweep_dims = {"mrm_detuning_pm", "draw"};
  f.sweep_shape = {2, 4};
  f.points = 8;
  f.draws = 4;
  f.coordinates.push_back(
      {"mrm_detuning_pm", "mrm.detuning_pm", "pm", {60, 60, 60, 60, 80, 80, 80, 80}});
  f.coordinates.push_back({"draw", "draw", "1", {0, 1, 2, 3, 0, 1, 2, 3}});
  // Grid point 0: pass, pass, lock failure (not run), BER failure.
  // Grid point 1: pass, unfinished (locked, not run), pass, pass.
  f.reals["ber"] = {1e-6, 1e-6, kNaN, 1e-3, 1e-6, kNaN, 1e-6, 1e-6};
  f.reals["ber_hi"] = {1e-5, 1e-5, kNaN, 2e-3, 1e-5, kNaN, 1e-5, 1e-5};
  Flag lock;
  // Values chosen unlike the writer's, so that nothing but the meanings can decide.
  lock.meanings = {{7, "locked"}, {3, "beyond_heater_budget"}, {9, "not_modelled"}};
  lock.values = {7, 7, 3, 7, 7, 7, 7, 7};
  f.lock = lock;
  return f;
}

TEST(Report, YieldCountsLockAndBerFailuresAndLeavesUnfinishedOut) {
  const std::vector<YieldRow> rows = yield_rows(draws_file(), {8, 16});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].draws, 4u);
  EXPECT_EQ(rows[0].finished, 4u);
  EXPECT_EQ(rows[0].passed, 2u);
  EXPECT_EQ(rows[0].failed_lock, 1u);
  EXPECT_EQ(rows[0].failed_ber, 1u);
  EXPECT_EQ(rows[0].lock_failures.at("beyond_heater_budget"), 1u);
  EXPECT_DOUBLE_EQ(rows[0].yield, 0.5);
  const Interval two_of_four = clopper_pearson_95(2, 4);
  EXPECT_NEAR(two_of_four.lo, 0.0676, 5e-5);  // tabulated exact limits for 2 of 4
  EXPECT_NEAR(two_of_four.hi, 0.9324, 5e-5);
  EXPECT_EQ(rows[0].interval.lo, two_of_four.lo);
  ASSERT_EQ(rows[0].banks.size(), 2u);
  EXPECT_EQ(rows[0].banks[0].rings, 8);
  EXPECT_DOUBLE_EQ(rows[0].banks[0].yield, std::pow(0.5, 8));
  EXPECT_DOUBLE_EQ(rows[0].banks[1].hi, std::pow(two_of_four.hi, 16));
  EXPECT_EQ(rows[1].finished, 3u);  // the unfinished draw is not counted
  EXPECT_EQ(rows[1].passed, 3u);
  EXPECT_DOUBLE_EQ(rows[1].yield, 1.0);
  EXPECT_EQ(rows[1].interval.hi, 1.0);

  std::ostringstream out;
  write_markdown(draws_file(), {}, out);
  const std::string md = out.str();
  EXPECT_NE(md.find("| mrm.detuning_pm [pm] | draws | finished | passed | yield | 95% interval | "
                    "failed: lock | failed: BER | bank of 8 | bank of 16 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 60 | 4 | 4 | 2 | 0.500 | [0.068, 0.932] | 1 (25.0%) | 1 (25.0%) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("beyond_heater_budget 1"), std::string::npos);
}

TEST(Report, ScenarioDrawsFromTheTextAndItsOverrides) {
  EXPECT_EQ(scenario_draws("[mrm.variation]\ndraws = 200\n", ""), 200u);
  EXPECT_EQ(
      scenario_draws("[mrm.variation]\ndraws = 200\n", "run.max_bits=1\nmrm.variation.draws=20\n"),
      20u);
  EXPECT_EQ(
      scenario_draws("[sweep.random]\ndraws = 5\n\"mrm.detuning_pm\" = { normal = [1, 1] }\n", ""),
      5u);
  EXPECT_EQ(scenario_draws("[run]\nmode = \"mc\"\n", ""), 0u);
  EXPECT_EQ(scenario_draws("not [ toml", ""), 0u);
}

TEST(Report, ReaderRefusesWhatIsNotARunsOutput) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string missing = (dir / "lightlane_report_missing.h5").string();
  std::filesystem::remove(missing);
  try {
    read_report_file(missing);
    FAIL() << "no throw";
  } catch (const ReportInputError& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": no such file");
  }
  const std::string text = (dir / "lightlane_report_text.h5").string();
  std::ofstream(text) << "not hdf5\n";
  try {
    read_report_file(text);
    FAIL() << "no throw";
  } catch (const ReportInputError& e) {
    EXPECT_NE(std::string(e.what()).find(text + ": not an HDF5 file"), std::string::npos);
  }
  std::filesystem::remove(text);
  EXPECT_FALSE(std::filesystem::exists(missing));
}

}  // namespace
