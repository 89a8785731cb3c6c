// Scenarios: parsing against the key registry (units to SI, defaults, error messages naming
// file, line and key), --set overrides, [sweep.list], and the cross-key physics checks that
// prepare_run applies before anything runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "host/run/backend.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"

namespace {

using ll::LaneParams;
using ll::Scenario;
using ll::ScenarioError;

const char* const kPath = "test.toml";

// The default scenario's link (scenarios/lane_200g_pam4.toml) with every required key and no
// optional one (seed, chunk, eye, samples_per_ui, level_spacing, optics, shot noise and
// sampling phase come from their defaults). Physically sound: prepare_run accepts it.
const std::string kBase = R"([run]
max_bits = 200000
target_errors = 100

[signal]
pattern = "PRBS13Q"
modulation = "PAM4"
symbol_rate_gbd = 106.25

[driver]
swing_vpp = 3.0
bias_v = 1.5
bandwidth_ghz = 80.0

[laser]
wavelength_nm = 1310.0
power_dbm = 6.0
rin_db_per_hz = -136.0

[mrm]
radius_um = 11.41
n_eff = 2.55
n_g = 4.2
power_coupling = 0.2020
loss_db_per_cm = 99.4
shift_pm_per_v = 16.3
detuning_pm = 78.0

[receiver]
responsivity_a_per_w = 0.95
dark_current_na = 1.3
tia_noise_pa_per_rthz = 16.9
bandwidth_ghz = 70.0
)";

// kBase with the one line that starts with `old_line` replaced by `new_line` ("" removes it).
std::string with(std::string text, const std::string& old_line, const std::string& new_line) {
  const std::size_t at = text.find(old_line);
  if (at == std::string::npos || (at > 0 && text[at - 1] != '\n'))
    throw std::logic_error("test setup: no line starts with " + old_line);
  const std::size_t end = text.find('\n', at);
  text.replace(at, end + 1 - at, new_line.empty() ? "" : new_line + "\n");
  return text;
}

// 1-based line of the first line of `text` that starts with `prefix`.
int line_of(const std::string& text, const std::string& prefix) {
  int line = 1;
  std::size_t start = 0;
  while (start < text.size()) {
    if (text.compare(start, prefix.size(), prefix) == 0) return line;
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;
    start = nl + 1;
    ++line;
  }
  throw std::logic_error("test setup: no line starts with " + prefix);
}

// The message of the ScenarioError that parse_scenario throws ("" when it throws none).
std::string parse_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    ll::parse_scenario(text, kPath, overrides);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string prepare_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  const Scenario s = ll::parse_scenario(text, kPath, overrides);
  try {
    ll::prepare_run(s);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string loc(const std::string& text, const std::string& prefix) {
  return std::string(kPath) + ":" + std::to_string(line_of(text, prefix)) + ": ";
}

// --- units and defaults -----------------------------------------------------------------------

TEST(Scenario, ConvertsScenarioUnitsToSi) {
  std::string text = with(kBase, "radius_um", "radius_um = 10");
  text = with(text, "power_dbm", "power_dbm = 0");
  text = with(text, "loss_db_per_cm", "loss_db_per_cm = 2");
  const Scenario s = ll::parse_scenario(text, kPath);
  const LaneParams lp = ll::lane_params(s, 0);
  EXPECT_DOUBLE_EQ(lp.ring_radius_m, 1e-5);
  EXPECT_DOUBLE_EQ(lp.laser_power_w, 1e-3);
  EXPECT_DOUBLE_EQ(lp.ring_loss_db_per_m, 200.0);
  EXPECT_DOUBLE_EQ(lp.symbol_rate_hz, 106.25e9);
  EXPECT_DOUBLE_EQ(lp.laser_wavelength_m, 1310e-9);
  EXPECT_DOUBLE_EQ(lp.ring_shift_m_per_v, 16.3e-12);
  EXPECT_DOUBLE_EQ(lp.ring_detuning_m, 78e-12);
  EXPECT_DOUBLE_EQ(lp.driver_bandwidth_hz, 80e9);
  EXPECT_DOUBLE_EQ(lp.receiver_bandwidth_hz, 70e9);
  EXPECT_DOUBLE_EQ(lp.dark_current_a, 1.3e-9);
  EXPECT_DOUBLE_EQ(lp.tia_noise_a_per_rthz, 16.9e-12);
  EXPECT_DOUBLE_EQ(lp.drive_swing_vpp, 3.0);
  EXPECT_DOUBLE_EQ(lp.drive_bias_v, 1.5);
  EXPECT_DOUBLE_EQ(lp.laser_rin_db_per_hz, -136.0);
  EXPECT_DOUBLE_EQ(lp.ring_power_coupling, 0.2020);
  EXPECT_EQ(lp.levels, 4);
  EXPECT_EQ(lp.pattern, ll::Pattern::prbs13q);
}

TEST(Scenario, ConvertsDbmAndOpticsUnits) {
  std::string text = with(kBase, "power_dbm", "power_dbm = 10");
  text +=
      "\n[optics]\nwaveguide_length_cm = 0.5\nwaveguide_loss_db_per_cm = 2.0\n"
      "coupler_loss_db = 1.5\ncouplers = 2\nextra_loss_db = 0.25\n";
  const LaneParams lp = ll::lane_params(ll::parse_scenario(text, kPath), 0);
  EXPECT_NEAR(lp.laser_power_w, 10e-3, 1e-15);
  EXPECT_DOUBLE_EQ(lp.waveguide_length_m, 5e-3);
  EXPECT_DOUBLE_EQ(lp.waveguide_loss_db_per_m, 200.0);
  EXPECT_DOUBLE_EQ(lp.coupler_loss_db, 1.5);
  EXPECT_EQ(lp.couplers, 2);
  EXPECT_DOUBLE_EQ(lp.optical_loss_db(), 0.5 * 2.0 + 2 * 1.5 + 0.25);
}

TEST(Scenario, AcceptsAnIntegerForARealKeyAndInfForABandwidth) {
  std::string text = with(kBase, "symbol_rate_gbd", "symbol_rate_gbd = 100");
  text = with(text, "bandwidth_ghz = 80.0", "bandwidth_ghz = inf");
  text = with(text, "rin_db_per_hz", "rin_db_per_hz = -inf");
  const LaneParams lp = ll::lane_params(ll::parse_scenario(text, kPath), 0);
  EXPECT_DOUBLE_EQ(lp.symbol_rate_hz, 100e9);
  EXPECT_TRUE(std::isinf(lp.driver_bandwidth_hz) && lp.driver_bandwidth_hz > 0);
  EXPECT_TRUE(std::isinf(lp.laser_rin_db_per_hz) && lp.laser_rin_db_per_hz < 0);
}

TEST(Scenario, AppliesDefaults) {
  const Scenario s = ll::parse_scenario(kBase, kPath);
  const LaneParams lp = ll::lane_params(s, 0);
  EXPECT_EQ(lp.samples_per_ui, 32);
  EXPECT_EQ(lp.level_spacing, ll::LevelSpacing::voltage);
  EXPECT_EQ(lp.waveguide_length_m, 0.0);
  EXPECT_EQ(lp.waveguide_loss_db_per_m, 0.0);
  EXPECT_EQ(lp.coupler_loss_db, 0.0);
  EXPECT_EQ(lp.couplers, 0);
  EXPECT_EQ(lp.extra_loss_db, 0.0);
  EXPECT_TRUE(lp.shot_noise);
  EXPECT_EQ(lp.sampling_phase_ui, 0.0);
  EXPECT_TRUE(std::isnan(lp.noise_bandwidth_hz));  // absent: from the receiver filter
  const ll::RunParams rp = ll::run_params(s);
  EXPECT_EQ(rp.mode, "mc");
  EXPECT_EQ(rp.seed, 1u);
  EXPECT_EQ(rp.max_bits, 200000u);
  EXPECT_EQ(rp.target_errors, 100u);
  EXPECT_EQ(rp.chunk_symbols, 1024);
  EXPECT_EQ(rp.eye_symbols, 65536);
  EXPECT_EQ(rp.eye_amplitude_bins, 256);
  EXPECT_EQ(s.points(), 1u);
}

TEST(Scenario, RecordsWhereEachValueCameFrom) {
  const Scenario s = ll::parse_scenario(kBase, kPath);
  EXPECT_EQ(s.where("mrm.detuning_pm").file, kPath);
  EXPECT_EQ(s.where("mrm.detuning_pm").line, line_of(kBase, "detuning_pm"));
  EXPECT_EQ(s.where("mrm.detuning_pm").describe(),
            std::string(kPath) + ":" + std::to_string(line_of(kBase, "detuning_pm")));
}

// --- error messages: "PATH:LINE: KEY: expected ..." -------------------------------------------

TEST(ScenarioErrors, UnknownKey) {
  const std::string text = with(kBase, "radius_um", "radius_mm = 5");
  const std::string e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "radius_mm") + "mrm.radius_mm: ")) << e;
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
}

TEST(ScenarioErrors, UnknownKeysSuggestTheNearest) {
  // A case slip, a letter dropped, a key under the wrong table; and nothing for a name near none.
  auto hint = [](const std::string& text, const std::vector<std::string>& o = {}) {
    const std::string e = parse_error(text, o);
    const auto at = e.find("did you mean \"");
    return at == std::string::npos ? std::string() : e.substr(at + 14, e.find('"', at + 14) - at - 14);
  };
  EXPECT_EQ(hint(kBase, {"laser.power_dBm=5"}), "laser.power_dbm");
  EXPECT_EQ(hint(with(kBase, "radius_um", "radius_u = 5")), "mrm.radius_um");
  EXPECT_EQ(hint(kBase, {"receiver.power_dbm=5"}), "laser.power_dbm");
  EXPECT_EQ(hint(kBase + "\n[recevier]\nbandwidth_ghz = 70.0\n"), "receiver");
  EXPECT_EQ(hint(kBase, {"completely.unrelated=1"}), "");
}

TEST(ScenarioErrors, UnknownKeyInAnUnknownTable) {
  const std::string text = kBase + "\n[recever]\nbandwidth_ghz = 70.0\n";
  const std::string e = parse_error(text);
  // The misspelt table itself is refused, at its own line, before any key inside it.
  EXPECT_TRUE(starts_with(e, std::string(kPath) + ":" + std::to_string(line_of(text, "[recever]")) +
                                 ": recever: unknown table"))
      << e;
}

TEST(ScenarioErrors, UnknownEmptyTable) {
  // An empty table with a misspelt name sets nothing, but it is still not a scenario table.
  const std::string text = kBase + "\n[recever]\n";
  const std::string e = parse_error(text);
  EXPECT_NE(e, "") << "an unknown (empty) table [recever] was accepted silently";
  EXPECT_NE(e.find("recever"), std::string::npos) << e;
}

TEST(ScenarioErrors, WrongType) {
  const std::string text = with(kBase, "radius_um", "radius_um = \"eleven\"");
  const std::string e = parse_error(text);
  EXPECT_EQ(e, loc(text, "radius_um") +
                   "mrm.radius_um: expected a number in [0.5, 1000] um, "
                   "got a string");
}

TEST(ScenarioErrors, WrongTypeFloatForAnIntegerKey) {
  const std::string text = kBase + "\n[eye]\nsymbols = 4096.0\n";
  const std::string e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "symbols = 4096.0") + "eye.symbols: expected an integer"))
      << e;
}

TEST(ScenarioErrors, WrongTypeForBooleanAndText) {
  std::string text = kBase + "shot_noise = \"yes\"\n";
  std::string e = parse_error(text);
  EXPECT_EQ(e,
            loc(text, "shot_noise") + "receiver.shot_noise: expected true or false, got a string");
  text = with(kBase, "modulation", "modulation = \"PAM16\"");
  e = parse_error(text);
  EXPECT_EQ(
      e,
      loc(text, "modulation") +
          "signal.modulation: expected one of \"NRZ\" \"PAM4\" \"PAM6\" \"PAM8\", got \"PAM16\"");
}

TEST(ScenarioErrors, OutOfRange) {
  std::string text = kBase + "\n[optics]\nwaveguide_loss_db_per_cm = -2.0\n";
  std::string e = parse_error(text);
  EXPECT_EQ(e, loc(text, "waveguide_loss_db_per_cm") +
                   "optics.waveguide_loss_db_per_cm: expected a number in [0, 100] dB/cm, got -2");

  text = with(kBase, "power_coupling", "power_coupling = 1.2");
  e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "power_coupling") + "mrm.power_coupling: expected ")) << e;
  EXPECT_NE(e.find("got 1.2"), std::string::npos) << e;

  for (const char* bad :
       {"radius_um = 0.1", "radius_um = nan", "radius_um = inf", "radius_um = -11.41"}) {
    text = with(kBase, "radius_um", bad);
    e = parse_error(text);
    EXPECT_TRUE(starts_with(e, loc(text, "radius_um") + "mrm.radius_um: expected ")) << bad << e;
  }
  for (const char* bad : {"dark_current_na = -1", "tia_noise_pa_per_rthz = -1",
                          "responsivity_a_per_w = 0", "bandwidth_ghz = 0"}) {
    const std::string key = std::string(bad).substr(0, std::string(bad).find(' '));
    text = with(kBase, key + " = " + (key == "bandwidth_ghz" ? "70" : ""), bad);
    e = parse_error(text);
    EXPECT_TRUE(starts_with(e, loc(text, bad) + "receiver." + key + ": expected ")) << bad << e;
  }
}

// Every length, loss, power, count and rate has a finite upper bound: 1e308 cm of waveguide is
// refused naming its key, not simulated into a message about another. Only keys where inf says
// something of its own (no band limit, no RIN) may take it.
TEST(ScenarioErrors, EveryNumericKeyIsBoundedAbove) {
  for (const ll::KeyInfo& k : ll::all_keys()) {
    if (!k.numeric) continue;
    EXPECT_TRUE(std::isfinite(k.highest) || k.infinity_allowed) << k.key << " has no upper bound";
    EXPECT_TRUE(std::isfinite(k.lowest) || k.infinity_allowed) << k.key << " has no lower bound";
  }
  const std::string e = parse_error(kBase, {"optics.waveguide_length_cm=1e308"});
  EXPECT_NE(e.find("optics.waveguide_length_cm: expected a number in [0, 100] cm"),
            std::string::npos)
      << e;
}

// The optical path as a whole: each loss within its bound, together past 100 dB, refused naming
// the largest part.
TEST(ScenarioPhysics, OpticalPathLossIsBounded) {
  const std::string e = prepare_error(
      kBase, {"optics.extra_loss_db=60", "optics.coupler_loss_db=20", "optics.couplers=3"});
  EXPECT_NE(e.find("optics.coupler_loss_db: the optical path loses 120 dB"), std::string::npos) << e;
  EXPECT_EQ(prepare_error(kBase, {"optics.extra_loss_db=60", "optics.coupler_loss_db=20",
                                  "optics.couplers=1"}),
            "");
}

// TDECQ is opt-in in the statistical mode (its waveform costs some 300 statistical eyes a point):
// off unless tdecq.symbols is given; in Monte Carlo on by default.
TEST(Scenario, TdecqIsOptInInTheStatisticalMode) {
  EXPECT_EQ(ll::run_params(ll::parse_scenario(kBase, kPath)).tdecq_symbols, 65536);
  EXPECT_EQ(ll::run_params(ll::parse_scenario(kBase, kPath, {"run.mode=\"stat\""})).tdecq_symbols,
            0);
  EXPECT_EQ(ll::run_params(ll::parse_scenario(kBase, kPath,
                                              {"run.mode=\"stat\"", "tdecq.symbols=4096"}))
                .tdecq_symbols,
            4096);
}

TEST(ScenarioErrors, MissingRequiredKey) {
  const std::string text = with(kBase, "detuning_pm", "");
  const std::string e = parse_error(text);
  // A missing key has no line: the message names the file and the key.
  EXPECT_TRUE(starts_with(e, std::string(kPath) + ": mrm.detuning_pm: missing; expected ")) << e;
}

TEST(ScenarioErrors, SyntaxErrorNamesFileAndLine) {
  const std::string text = with(kBase, "swing_vpp", "swing_vpp = 3.0 V");
  const std::string e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "swing_vpp = 3.0 V") + "TOML syntax: ")) << e;
}

TEST(ScenarioErrors, DuplicateKeyIsRefused) {
  const std::string text = kBase + "bandwidth_ghz = 60.0\n";
  const std::string e = parse_error(text);
  EXPECT_TRUE(starts_with(e, std::string(kPath) + ":")) << e;
  EXPECT_NE(e, "");
}

TEST(ScenarioErrors, MessageIsOneLine) {
  for (const std::string& text :
       {with(kBase, "radius_um", "radius_mm = 5"), with(kBase, "radius_um", "radius_um = \"x\""),
        with(kBase, "detuning_pm", ""), with(kBase, "swing_vpp", "swing_vpp = 3.0 V")}) {
    const std::string e = parse_error(text);
    ASSERT_NE(e, "");
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

TEST(ScenarioErrors, LoadScenarioMissingFile) {
  const std::string path = "/nonexistent/dir/scenario.toml";
  try {
    ll::load_scenario(path);
    FAIL() << "no error for a missing file";
  } catch (const ScenarioError& e) {
    EXPECT_TRUE(starts_with(e.what(), path + ": ")) << e.what();
  }
}

// --- chunk_symbols ----------------------------------------------------------------------------

TEST(ScenarioErrors, ChunkSymbolsMustBeAPowerOfTwo) {
  for (const char* bad : {"chunk_symbols = 1000", "chunk_symbols = 128", "chunk_symbols = 2097152",
                          "chunk_symbols = 3072"}) {
    const std::string text =
        with(kBase, "target_errors", std::string("target_errors = 100\n") + bad);
    const std::string e = parse_error(text);
    EXPECT_TRUE(starts_with(e, loc(text, "chunk_symbols") + "run.chunk_symbols: expected "))
        << bad << ": " << e;
    EXPECT_NE(e.find("a power of two"), std::string::npos) << e;
  }
  for (int good : {256, 2048, 1048576}) {
    const std::string text = with(kBase, "target_errors",
                                  "target_errors = 100\nchunk_symbols = " + std::to_string(good));
    EXPECT_EQ(ll::run_params(ll::parse_scenario(text, kPath)).chunk_symbols, good);
  }
}

// --- --set overrides --------------------------------------------------------------------------

TEST(ScenarioOverrides, ReplaceTheValueAndRecordTheOverride) {
  const Scenario s = ll::parse_scenario(kBase, kPath,
                                        {"mrm.detuning_pm=60", "signal.modulation=NRZ",
                                         "signal.samples_per_ui=16", "receiver.shot_noise=false"});
  const LaneParams lp = ll::lane_params(s, 0);
  EXPECT_DOUBLE_EQ(lp.ring_detuning_m, 60e-12);
  EXPECT_EQ(lp.levels, 2);
  EXPECT_EQ(lp.samples_per_ui, 16);
  EXPECT_FALSE(lp.shot_noise);
  EXPECT_EQ(s.where("mrm.detuning_pm").describe(), "--set mrm.detuning_pm=60");
  EXPECT_EQ(s.where("mrm.detuning_pm").line, 0);
  // Keys not overridden keep their file location.
  EXPECT_EQ(s.where("mrm.n_g").line, line_of(kBase, "n_g"));
}

TEST(ScenarioOverrides, SuppliesAMissingKey) {
  const std::string text = with(kBase, "detuning_pm", "");
  const Scenario s = ll::parse_scenario(text, kPath, {"mrm.detuning_pm=78"});
  EXPECT_DOUBLE_EQ(ll::lane_params(s, 0).ring_detuning_m, 78e-12);
}

TEST(ScenarioOverrides, Errors) {
  EXPECT_EQ(parse_error(kBase, {"mrm.n_g=abc"}),
            "--set mrm.n_g=abc: mrm.n_g: expected a number in [1, 6], got abc");
  EXPECT_EQ(parse_error(kBase, {"mrm.n_g=\"4.2\""}),
            "--set mrm.n_g=\"4.2\": mrm.n_g: expected a number in [1, 6], got a string");
  EXPECT_EQ(parse_error(kBase, {"nosuch.key=1"}), "--set nosuch.key=1: nosuch.key: unknown key");
  std::string e = parse_error(kBase, {"optics.waveguide_loss_db_per_cm=-1"});
  EXPECT_TRUE(starts_with(e,
                          "--set optics.waveguide_loss_db_per_cm=-1: "
                          "optics.waveguide_loss_db_per_cm: expected "))
      << e;
  e = parse_error(kBase, {"mrm.n_g"});
  EXPECT_TRUE(starts_with(e, "--set mrm.n_g: mrm.n_g: expected key=value")) << e;
  e = parse_error(kBase, {"signal.modulation=PAM16"});
  EXPECT_TRUE(starts_with(e, "--set signal.modulation=PAM16: signal.modulation: expected one of"))
      << e;
}

// --- [sweep.list] -----------------------------------------------------------------------------

const std::string kSweep =
    with(kBase, "power_dbm", "") + "\n[sweep.list]\n\"laser.power_dbm\" = [0.0, 3.0, 6.0]\n";

TEST(ScenarioSweep, PointsAndValues) {
  const Scenario s = ll::parse_scenario(kSweep, kPath);
  ASSERT_EQ(s.points(), 3u);
  ASSERT_EQ(s.sweep.size(), 1u);
  EXPECT_EQ(s.sweep[0].key, "laser.power_dbm");
  EXPECT_EQ(s.sweep[0].values, (std::vector<double>{0.0, 3.0, 6.0}));
  EXPECT_NEAR(ll::lane_params(s, 0).laser_power_w, 1e-3, 1e-15);
  EXPECT_NEAR(ll::lane_params(s, 1).laser_power_w, 1e-3 * std::pow(10.0, 0.3), 1e-15);
  EXPECT_NEAR(ll::lane_params(s, 2).laser_power_w, 1e-3 * std::pow(10.0, 0.6), 1e-15);
  // Other keys are the same at every point.
  EXPECT_EQ(ll::lane_params(s, 2).ring_radius_m, ll::lane_params(s, 0).ring_radius_m);
  EXPECT_EQ(s.where("laser.power_dbm").line, line_of(kSweep, "\"laser.power_dbm\""));
}

TEST(ScenarioSweep, ZippedLists) {
  const std::string text = with(kSweep, "swing_vpp", "") + "\"driver.swing_vpp\" = [2, 2.5, 3]\n" +
                           "\"signal.samples_per_ui\" = [16, 32, 64]\n";
  const Scenario s = ll::parse_scenario(text, kPath);
  ASSERT_EQ(s.points(), 3u);
  const LaneParams p1 = ll::lane_params(s, 1);
  EXPECT_NEAR(p1.laser_power_w, 1e-3 * std::pow(10.0, 0.3), 1e-15);
  EXPECT_DOUBLE_EQ(p1.drive_swing_vpp, 2.5);
  EXPECT_EQ(p1.samples_per_ui, 32);
  EXPECT_EQ(ll::lane_params(s, 2).samples_per_ui, 64);
  EXPECT_DOUBLE_EQ(ll::lane_params(s, 0).drive_swing_vpp, 2.0);
}

TEST(ScenarioSweep, UnequalListsAreRefused) {
  const std::string text = with(kSweep, "swing_vpp", "") + "\"driver.swing_vpp\" = [2, 3]\n";
  const std::string e = parse_error(text);
  // Whichever list is read second is refused, at its own line.
  const bool swing_second =
      starts_with(e, loc(text, "\"driver.swing_vpp\"") +
                         "driver.swing_vpp: expected 3 values to zip with laser.power_dbm, got 2");
  const bool power_second =
      starts_with(e, loc(text, "\"laser.power_dbm\"") +
                         "laser.power_dbm: expected 2 values to zip with driver.swing_vpp, got 3");
  EXPECT_TRUE(swing_second || power_second) << e;
}

TEST(ScenarioSweep, RunAndEyeKeysAreRefused) {
  for (const char* key : {"run.max_bits", "run.seed", "run.chunk_symbols", "eye.symbols"}) {
    std::string text = kBase + "\n[sweep.list]\n\"" + key + "\" = [1024, 2048]\n";
    if (std::string(key) == "run.max_bits") text = with(text, "max_bits", "");
    const std::string e = parse_error(text);
    EXPECT_TRUE(starts_with(e, loc(text, std::string("\"") + key) + key + ": ")) << key << e;
    EXPECT_NE(e.find("run and eye settings"), std::string::npos) << e;
  }
}

TEST(ScenarioSweep, SetAndSweptIsRefused) {
  const std::string text = kBase + "\n[sweep.list]\n\"mrm.detuning_pm\" = [60, 78]\n";
  const std::string e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "\"mrm.detuning_pm\"") + "mrm.detuning_pm: given both"))
      << e;
  EXPECT_NE(e.find(loc(text, "detuning_pm").substr(0, loc(text, "detuning_pm").size() - 2)),
            std::string::npos)
      << e;
}

TEST(ScenarioSweep, OtherBadSweeps) {
  std::string text = kBase + "\n[sweep.list]\n\"mrm.nonexistent\" = [1, 2]\n";
  std::string e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "\"mrm.nonexistent\"") + "mrm.nonexistent: unknown key"))
      << e;

  text = with(kBase, "modulation", "") + "\n[sweep.list]\n\"signal.modulation\" = [\"NRZ\"]\n";
  e = parse_error(text);
  EXPECT_TRUE(
      starts_with(e, loc(text, "\"signal.modulation\"") + "signal.modulation: only numeric keys"))
      << e;

  text = with(kBase, "detuning_pm", "") + "\n[sweep.list]\n\"mrm.detuning_pm\" = []\n";
  e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "\"mrm.detuning_pm\"") + "mrm.detuning_pm: expected a "
                                                                "non-empty array"))
      << e;

  text = with(kBase, "power_coupling", "") +
         "\n[sweep.list]\n\"mrm.power_coupling\" = [0.2,\n  1.2]\n";
  e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "  1.2]") + "mrm.power_coupling: expected ")) << e;

  text = kBase + "\n[sweep.list]\n\"signal.samples_per_ui\" = [16.5]\n";
  e = parse_error(text);
  EXPECT_TRUE(starts_with(
      e, loc(text, "\"signal.samples_per_ui\"") + "signal.samples_per_ui: expected an integer"))
      << e;

  text = with(kBase, "n_g", "") + "\n[sweep.cross]\n\"mrm.n_g\" = [4.1, 4.2]\n";
  e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "[sweep.cross]") + "sweep.cross: unknown sweep kind")) << e;
}

TEST(ScenarioSweep, OverrideOfASweptKeyReplacesTheSweep) {
  const Scenario s = ll::parse_scenario(kSweep, kPath, {"laser.power_dbm=5"});
  EXPECT_EQ(s.points(), 1u);
  EXPECT_NEAR(ll::lane_params(s, 0).laser_power_w, 1e-3 * std::pow(10.0, 0.5), 1e-15);
}

// --- [sweep.grid] and ranges ----------------------------------------------------------------

const std::string kGrid =
    with(with(with(kBase, "power_dbm", ""), "swing_vpp", ""), "detuning_pm", "") +
    "\n[sweep.grid]\n"
    "\"laser.power_dbm\" = [0.0, 3.0]\n"
    "\"driver.swing_vpp\" = { linspace = [1.0, 3.0, 5] }\n"
    "\"mrm.detuning_pm\" = { logspace = [10, 1000, 3] }\n";

TEST(ScenarioGrid, TheProductWithTheLastAxisFastest) {
  const Scenario s = ll::parse_scenario(kGrid, kPath);
  ASSERT_EQ(s.points(), 2u * 5u * 3u);
  ASSERT_EQ(s.grid.size(), 3u);
  EXPECT_EQ(s.grid[1].values, (std::vector<double>{1.0, 1.5, 2.0, 2.5, 3.0}));
  ASSERT_EQ(s.grid[2].values.size(), 3u);
  EXPECT_DOUBLE_EQ(s.grid[2].values[0], 10.0);
  EXPECT_NEAR(s.grid[2].values[1], 100.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.grid[2].values[2], 1000.0);
  // Point (i, j, k) = i 15 + j 3 + k.
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 5; ++j)
      for (std::size_t k = 0; k < 3; ++k) {
        const std::size_t p = i * 15 + j * 3 + k;
        const LaneParams lp = ll::lane_params(s, p);
        EXPECT_NEAR(lp.laser_power_w, 1e-3 * std::pow(10.0, s.grid[0].values[i] / 10.0), 1e-15);
        EXPECT_DOUBLE_EQ(lp.drive_swing_vpp, s.grid[1].values[j]);
        EXPECT_NEAR(lp.ring_detuning_m, s.grid[2].values[k] * 1e-12, 1e-24) << p;
      }
  // An override of one axis removes it from the product.
  const Scenario o = ll::parse_scenario(kGrid, kPath, {"driver.swing_vpp=2"});
  EXPECT_EQ(o.points(), 6u);
  EXPECT_EQ(o.grid.size(), 2u);
}

TEST(ScenarioGrid, RangesOnIntegerKeysAndOneValue) {
  const std::string text =
      kBase + "\n[sweep.grid]\n\"signal.samples_per_ui\" = { linspace = [8, 16, 3] }\n";
  const Scenario s = ll::parse_scenario(text, kPath);
  EXPECT_EQ(s.grid[0].values, (std::vector<double>{8.0, 12.0, 16.0}));
  const std::string one = with(kBase, "power_dbm", "") +
                          "\n[sweep.list]\n\"laser.power_dbm\" = { linspace = [4.0, 9.0, 1] }\n";
  EXPECT_EQ(ll::parse_scenario(one, kPath).sweep[0].values, (std::vector<double>{4.0}));
}

TEST(ScenarioGrid, BadRangesAreRefused) {
  const std::string base = with(kBase, "swing_vpp", "") + "\n[sweep.grid]\n";
  auto refused = [&](const std::string& entry, const std::string& message) {
    const std::string text = base + "\"driver.swing_vpp\" = " + entry + "\n";
    const std::string e = parse_error(text);
    EXPECT_TRUE(starts_with(e, loc(text, "\"driver.swing_vpp\"") + "driver.swing_vpp: " + message))
        << entry << ": " << e;
  };
  refused("{ linspace = [1.0, 3.0, 0] }", "linspace: the range is empty (n = 0)");
  refused("{ linspace = [1.0, 3.0] }", "linspace: expected [start, stop, n]");
  refused("{ linspace = [1.0, 3.0, 2.5] }", "linspace: expected the number of values n");
  refused("{ logspace = [0.0, 3.0, 4] }", "logspace: expected start and stop > 0");
  refused("{ geomspace = [1.0, 3.0, 4] }", "expected an array of values");
  refused("[]", "expected a non-empty array");
  // Every generated value meets the key's range (swing: (0, 20] V).
  refused("{ linspace = [-1.0, 3.0, 3] }", "expected ");
  // An unknown key in a grid names the table.
  const std::string text = with(kBase, "n_g", "") + "\n[sweep.grid]\n\"mrm.ng\" = [4.1]\n";
  EXPECT_TRUE(starts_with(parse_error(text),
                          loc(text, "\"mrm.ng\"") + "mrm.ng: unknown key in [sweep.grid]"));
}

TEST(ScenarioGrid, OneKindOfSweep) {
  const std::string text = with(kGrid, "wavelength_nm", "") +
                           "\n[sweep.list]\n\"laser.wavelength_nm\" = [1310.0, 1311.0]\n";
  const std::string e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "[sweep.list]") + "sweep.list: cannot be combined with "
                                                         "[sweep.grid]"))
      << e;
}

// --- [sweep.random] ---------------------------------------------------------------------------

const std::string kRandom =
    with(with(with(kBase, "detuning_pm", ""), "power_coupling", ""), "swing_vpp", "") +
    "\n[sweep.random]\ndraws = 4000\n"
    "\"mrm.detuning_pm\" = { normal = [78.0, 5.0] }\n"
    "\"mrm.power_coupling\" = { truncated_normal = [0.2, 0.05, 0.15, 0.3] }\n"
    "\"driver.swing_vpp\" = { uniform = [2.0, 3.0] }\n";

TEST(ScenarioRandom, DrawsFollowTheirDistributions) {
  const Scenario s = ll::parse_scenario(kRandom, kPath);
  ASSERT_EQ(s.points(), 4000u);
  ASSERT_EQ(s.sweep.size(), 3u);
  auto moments = [](const std::vector<double>& v, double* mean, double* sd) {
    double m = 0.0, m2 = 0.0;
    for (double x : v) m += x;
    m /= v.size();
    for (double x : v) m2 += (x - m) * (x - m);
    *mean = m;
    *sd = std::sqrt(m2 / (v.size() - 1));
  };
  double mean = 0.0, sd = 0.0;
  // Normal: the mean within 4 standard errors (5 / sqrt(4000) = 0.079), the sd within 5%.
  moments(s.sweep[0].values, &mean, &sd);
  EXPECT_NEAR(mean, 78.0, 4 * 5.0 / std::sqrt(4000.0));
  EXPECT_NEAR(sd, 5.0, 0.25);
  // Truncated normal on [0.15, 0.3] about 0.2 (sd 0.05): every draw inside; the mean and sd
  // of the truncated distribution (alpha = -1, beta = 2: mean 0.2 + 0.05 (phi(-1) - phi(2)) /
  // (Phi(2) - Phi(-1)) = 0.21143, sd 0.05 x 0.7124 = 0.03562, from the closed forms).
  const std::vector<double>& kappa = s.sweep[1].values;
  for (double x : kappa) ASSERT_TRUE(x >= 0.15 && x <= 0.3) << x;
  moments(kappa, &mean, &sd);
  const double phi_a = std::exp(-0.5) / std::sqrt(2 * M_PI),
               phi_b = std::exp(-2.0) / std::sqrt(2 * M_PI);
  const double z = 0.5 * (std::erfc(-2.0 / std::sqrt(2.0)) - std::erfc(1.0 / std::sqrt(2.0)));
  const double t_mean = 0.2 + 0.05 * (phi_a - phi_b) / z;
  const double t_var =
      0.05 * 0.05 * (1.0 + (-1.0 * phi_a - 2.0 * phi_b) / z - std::pow((phi_a - phi_b) / z, 2.0));
  EXPECT_NEAR(mean, t_mean, 4 * std::sqrt(t_var / 4000.0));
  EXPECT_NEAR(sd, std::sqrt(t_var), 0.05 * std::sqrt(t_var));
  // Uniform on [2, 3]: inside, mean 2.5 (sd 1/sqrt(12)).
  for (double x : s.sweep[2].values) ASSERT_TRUE(x >= 2.0 && x < 3.0) << x;
  moments(s.sweep[2].values, &mean, &sd);
  EXPECT_NEAR(mean, 2.5, 4 / std::sqrt(12.0 * 4000.0));
  EXPECT_NEAR(sd, 1 / std::sqrt(12.0), 0.05 / std::sqrt(12.0));
  // The same seed draws the same points; another seed others.
  const Scenario again = ll::parse_scenario(kRandom, kPath);
  EXPECT_EQ(again.sweep[1].values, kappa);
  const Scenario other = ll::parse_scenario(kRandom, kPath, {"run.seed=7"});
  EXPECT_NE(other.sweep[1].values, kappa);
}

// [sweep.grid] with [sweep.random]: the draws at every grid point (point = grid point x draws +
// draw), draw d the same values at every grid point, and those values the draws [sweep.random]
// alone makes (keyed by seed and draw, not by point). [sweep.list] with either stays refused.
TEST(ScenarioRandom, DrawsAtEveryGridPoint) {
  const std::string random_only =
      with(with(kBase, "detuning_pm", ""), "power_coupling", "") +
      "\n[sweep.random]\ndraws = 5\n"
      "\"mrm.detuning_pm\" = { normal = [78.0, 5.0] }\n"
      "\"mrm.power_coupling\" = { truncated_normal = [0.2, 0.05, 0.15, 0.3] }\n";
  const std::string text = with(with(random_only, "power_dbm", ""), "swing_vpp", "") +
                           "\n[sweep.grid]\n\"laser.power_dbm\" = [2.0, 4.0, 6.0]\n"
                           "\"driver.swing_vpp\" = [2.5, 3.0]\n";
  const Scenario drawn = ll::parse_scenario(random_only, kPath);
  const Scenario s = ll::parse_scenario(text, kPath);
  ASSERT_EQ(s.points(), 3u * 2u * 5u);
  ASSERT_EQ(s.sweep.size(), 4u);  // the grid's keys first, then the drawn ones
  EXPECT_EQ(s.sweep[0].key, "laser.power_dbm");
  EXPECT_EQ(s.sweep[1].key, "driver.swing_vpp");
  EXPECT_EQ(s.sweep[2].key, "mrm.detuning_pm");
  for (std::size_t p = 0; p < s.points(); ++p) {
    const std::size_t draw = p % 5, grid_point = p / 5;
    EXPECT_EQ(s.sweep[0].values[p], (std::vector<double>{2.0, 4.0, 6.0})[grid_point / 2]) << p;
    EXPECT_EQ(s.sweep[1].values[p], (std::vector<double>{2.5, 3.0})[grid_point % 2]) << p;
    EXPECT_EQ(s.sweep[2].values[p], drawn.sweep[0].values[draw]) << p;
    EXPECT_EQ(s.sweep[3].values[p], drawn.sweep[1].values[draw]) << p;
  }
  EXPECT_NE(drawn.sweep[0].values[0], drawn.sweep[0].values[1]);  // draws differ
  // The run's output: the grid's dimensions and `draw` (the plan accepts every point).
  EXPECT_NO_THROW(ll::plan_sweep(s));
  const std::string listed = text + "\n[sweep.list]\n\"laser.wavelength_nm\" = [1310.0, 1311.0]\n";
  const std::string e = parse_error(with(listed, "wavelength_nm", ""));
  EXPECT_NE(e.find("sweep.list: cannot be combined with"), std::string::npos) << e;
}

TEST(ScenarioRandom, BadDistributionsAreRefused) {
  const std::string base = with(kBase, "detuning_pm", "") + "\n[sweep.random]\ndraws = 10\n";
  auto refused = [&](const std::string& entry, const std::string& message) {
    const std::string text = base + "\"mrm.detuning_pm\" = " + entry + "\n";
    const std::string e = parse_error(text);
    EXPECT_TRUE(starts_with(e, loc(text, "\"mrm.detuning_pm\"") + "mrm.detuning_pm: " + message))
        << entry << ": " << e;
  };
  refused("{ normal = [78.0, 0.0] }", "normal: expected a standard deviation > 0");
  refused("{ normal = [78.0, -1.0] }", "normal: expected a standard deviation > 0");
  refused("{ normal = [78.0] }", "expected { normal");
  refused("{ uniform = [80.0, 70.0] }", "uniform: expected lo < hi");
  refused("{ truncated_normal = [78.0, 1.0, 90.0, 80.0] }", "truncated_normal: expected lo < hi");
  refused("{ truncated_normal = [78.0, 1.0, 100.0, 120.0] }",
          "truncated_normal: [lo, hi] holds a probability");
  refused("{ lognormal = [1.0, 1.0] }", "unknown distribution \"lognormal\"");
  refused("[1.0, 2.0]", "expected { normal");
  // A normal draw outside the key's range is refused at the distribution (coupling in (0, 1)).
  std::string text =
      with(kBase, "power_coupling", "") +
      "\n[sweep.random]\ndraws = 100\n\"mrm.power_coupling\" = { normal = [0.2, 1.0] }\n";
  std::string e = parse_error(text);
  EXPECT_TRUE(
      starts_with(e, loc(text, "\"mrm.power_coupling\"") + "mrm.power_coupling: normal draws"))
      << e;
  // draws missing or not a count.
  text = with(kBase, "detuning_pm", "") +
         "\n[sweep.random]\n\"mrm.detuning_pm\" = { normal = [78.0, 1.0] }\n";
  e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "[sweep.random]") + "sweep.random.draws: missing")) << e;
  text = base + "\"mrm.detuning_pm\" = { normal = [78.0, 1.0] }\n";
  text = text.replace(text.find("draws = 10"), 10, "draws = 0");
  e = parse_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "draws = 0") + "sweep.random.draws: expected")) << e;
}

// --- cross-key physics (prepare_run) ----------------------------------------------------------

TEST(ScenarioPhysics, BaseScenarioPrepares) {
  const ll::PreparedRun r = ll::prepare_run(ll::parse_scenario(kSweep, kPath));
  EXPECT_EQ(r.params.size(), 3u);
  EXPECT_EQ(r.links.size(), 3u);
  EXPECT_EQ(r.batches.size(), 1u);
  EXPECT_NEAR(r.links[0].report.ring.fsr_m, 5.7e-9, 0.1e-9);
}

TEST(ScenarioPhysics, BandwidthAtOrAboveNyquistIsRefused) {
  // 2 samples per UI at 106.25 GBd: fs/2 = 106.25 GHz.
  const std::string spu2 =
      with(kBase, "symbol_rate_gbd", "symbol_rate_gbd = 106.25\nsamples_per_ui = 2");
  std::string text = with(spu2, "bandwidth_ghz = 70.0", "bandwidth_ghz = 106.25");
  std::string e = prepare_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "bandwidth_ghz = 106.25") + "receiver.bandwidth_ghz: "))
      << e;
  EXPECT_NE(e.find("Nyquist"), std::string::npos) << e;

  text = with(spu2, "bandwidth_ghz = 80.0", "bandwidth_ghz = 120");
  e = prepare_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "bandwidth_ghz = 120") + "driver.bandwidth_ghz: ")) << e;

  text = spu2 + "noise_bandwidth_ghz = 200\n";
  e = prepare_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "noise_bandwidth_ghz") + "receiver.noise_bandwidth_ghz: "))
      << e;

  // Through --set: the location is the override.
  e = prepare_error(kBase, {"signal.samples_per_ui=2", "receiver.bandwidth_ghz=110"});
  EXPECT_TRUE(starts_with(e, "--set receiver.bandwidth_ghz=110: receiver.bandwidth_ghz: ")) << e;

  // Just below Nyquist is accepted.
  EXPECT_EQ(prepare_error(with(spu2, "bandwidth_ghz = 70.0", "bandwidth_ghz = 100")), "");
}

TEST(ScenarioPhysics, DetuningBeyondHalfAnFsrIsRefused) {
  // FSR 5.7 nm: half is about 2850 pm.
  for (const char* bad : {"detuning_pm = 4000", "detuning_pm = -3000"}) {
    const std::string text = with(kBase, "detuning_pm", bad);
    const std::string e = prepare_error(text);
    EXPECT_TRUE(starts_with(e, loc(text, "detuning_pm") + "mrm.detuning_pm: ")) << bad << e;
    EXPECT_NE(e.find("FSR"), std::string::npos) << e;
  }
  // A swept point beyond half an FSR is refused too.
  const std::string text =
      with(kBase, "detuning_pm", "") + "\n[sweep.list]\n\"mrm.detuning_pm\" = [78, 4000]\n";
  const std::string e = prepare_error(text);
  EXPECT_TRUE(starts_with(e, loc(text, "\"mrm.detuning_pm\"") + "mrm.detuning_pm: ")) << e;
}

TEST(ScenarioPhysics, NoNoiseBandwidthWithoutAReceiverFilterIsRefused) {
  const std::string text = with(kBase, "bandwidth_ghz = 70.0", "bandwidth_ghz = inf");
  const std::string e = prepare_error(text);
  EXPECT_TRUE(starts_with(e, std::string(kPath) + ": receiver.noise_bandwidth_ghz: missing")) << e;
  EXPECT_EQ(prepare_error(text + "noise_bandwidth_ghz = 60\n"), "");
}

TEST(ScenarioPhysics, SamplingPhaseStaysInsideTheWaveform) {
  // Without any filter the pulse response is flat over one UI; a sampling phase of -0.5 UI
  // must still sample inside the UI grid (or be refused), never at a negative offset.
  std::string text = with(kBase, "bandwidth_ghz = 70.0", "bandwidth_ghz = inf");
  text = with(text, "bandwidth_ghz = 80.0", "bandwidth_ghz = inf");
  text += "noise_bandwidth_ghz = 60\n";
  for (const char* phase : {"-0.5", "0.5", "-0.25"}) {
    const Scenario s =
        ll::parse_scenario(text, kPath, {std::string("receiver.sampling_phase_ui=") + phase});
    try {
      const ll::PreparedRun r = ll::prepare_run(s);
      const auto& c = r.links[0].setup.constants;
      EXPECT_GE(c.sample_in_ui, 0) << "sampling_phase_ui " << phase;
      EXPECT_LT(c.sample_in_ui, r.params[0].samples_per_ui) << "sampling_phase_ui " << phase;
      EXPECT_GE(c.delay_symbols, 0) << "sampling_phase_ui " << phase;
    } catch (const ScenarioError& e) {
      EXPECT_NE(std::string(e.what()).find("receiver.sampling_phase_ui"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace

// --- shards (lightlane run --shard, job arrays, MPI) -------------------------------------------

namespace shard_tests {

TEST(Shards, ParsedFromTheOptionAndTheEnvironment) {
  ll::RunOptions o;
  std::string error;
  ASSERT_TRUE(ll::parse_shard("2/4", o, error)) << error;
  EXPECT_EQ(o.shard, 2);
  EXPECT_EQ(o.shards, 4);
  for (const char* bad : {"4/4", "-1/4", "1/0", "1", "a/4", "1/4x", ""}) {
    ll::RunOptions b;
    EXPECT_FALSE(ll::parse_shard(bad, b, error)) << bad;
    EXPECT_NE(error.find(std::string("--shard ") + bad), std::string::npos) << error;
  }
  // A Slurm array 1-8: task 3 is shard 2 of 8; MPI ranks otherwise; nothing outside either.
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const char* name) -> const char* {
      const auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  };
  EXPECT_EQ(ll::shard_from_environment(env({{"SLURM_ARRAY_TASK_ID", "3"},
                                            {"SLURM_ARRAY_TASK_MIN", "1"},
                                            {"SLURM_ARRAY_TASK_COUNT", "8"}})),
            "2/8");
  EXPECT_EQ(ll::shard_from_environment(
                env({{"OMPI_COMM_WORLD_RANK", "5"}, {"OMPI_COMM_WORLD_SIZE", "16"}})),
            "5/16");
  EXPECT_EQ(ll::shard_from_environment(env({{"PMI_RANK", "0"}, {"PMI_SIZE", "2"}})), "0/2");
  EXPECT_EQ(ll::shard_from_environment(env({})), "");
  EXPECT_EQ(ll::shard_output_path("runs/sweep.h5", 2, 8), "runs/sweep.shard-2-of-8.h5");
  EXPECT_EQ(ll::shard_output_path("sweep.h5", 0, 1), "sweep.h5");
}

}  // namespace shard_tests

// --- the plan (lightlane run sets points up a unit at a time) and the GPU workers ----------------

namespace plan_tests {

// A [sweep.list] of the base link over the receiver's and the driver's bandwidths.
std::string bandwidth_sweep(const std::vector<double>& receiver_ghz,
                            const std::vector<double>& driver_ghz) {
  auto list = [](const std::vector<double>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + ll::format_number(v[i], 6);
    return s + "]";
  };
  std::string text = with(with(kBase, "bandwidth_ghz = 70.0", ""), "bandwidth_ghz = 80.0", "");
  return text + "\n[sweep.list]\n\"receiver.bandwidth_ghz\" = " + list(receiver_ghz) +
         "\n\"driver.bandwidth_ghz\" = " + list(driver_ghz) + "\n";
}

// The plan keeps no link, and a point set up again from it is the link prepare_run sets up (the
// set-up is deterministic per point, whatever else is set up with it).
TEST(Plan, KeepsNoLinkAndSetsTheSameLinksUpAgain) {
  const Scenario s = ll::parse_scenario(
      bandwidth_sweep({60.0, 70.0, 50.0, 70.0}, {60.0, 80.0, 100.0, 70.0}), kPath, {});
  const ll::SweepPlan plan = ll::plan_sweep(s, 4);
  const ll::PreparedRun run = ll::prepare_run(s);
  ASSERT_EQ(plan.points, 4u);
  ASSERT_EQ(plan.batches.size(), run.batches.size());
  std::vector<std::size_t> planned;
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    EXPECT_TRUE(plan.batches[b].links.empty());
    // The overlap-save geometry is the whole batch's, however its points are later split.
    EXPECT_EQ(plan.batches[b].overlap_history, run.batches[b].overlap_history);
    planned.insert(planned.end(), plan.batch_points[b].begin(), plan.batch_points[b].end());
  }
  std::sort(planned.begin(), planned.end());
  EXPECT_EQ(planned, (std::vector<std::size_t>{0, 1, 2, 3}));
  const ll::PreparedPoints pp = ll::prepare_points(plan, 0, {plan.batch_points[0].back()}, 2);
  const std::size_t p = pp.points.front();
  const ll::LinkSetup& again = pp.batch.links.front();
  const ll::LinkSetup& whole = run.links[p].setup;
  EXPECT_EQ(again.h1_taps, whole.h1_taps);
  EXPECT_EQ(again.h2_taps, whole.h2_taps);
  EXPECT_EQ(again.prbs_seed, whole.prbs_seed);
  EXPECT_EQ(again.constants.threshold_a[1], whole.constants.threshold_a[1]);
  EXPECT_EQ(pp.reports.front().extinction_ratio_db, run.links[p].report.extinction_ratio_db);
  EXPECT_EQ(pp.params.front().driver_bandwidth_hz, run.params[p].driver_bandwidth_hz);
}

// Points are checked in parallel, but the error is the first unsound point's, as a serial pass
// would report it: point 5's receiver bandwidth (above Nyquist), not point 30's driver bandwidth,
// which another thread may meet first.
TEST(Plan, ReportsTheFirstUnsoundPoint) {
  std::vector<double> receiver(40, 70.0), driver(40, 80.0);
  receiver[5] = 5000.0;
  driver[30] = 5000.0;
  const Scenario s = ll::parse_scenario(bandwidth_sweep(receiver, driver), kPath, {});
  for (int repeat = 0; repeat < 5; ++repeat) {
    try {
      ll::plan_sweep(s, 4);
      FAIL() << "an unsound sweep was planned";
    } catch (const ScenarioError& e) {
      EXPECT_NE(std::string(e.what()).find("receiver.bandwidth_ghz"), std::string::npos)
          << e.what();
    }
  }
  receiver[5] = 70.0;
  receiver[31] = 5000.0;
  driver[30] = 80.0;
  driver[12] = 5000.0;
  try {
    ll::plan_sweep(ll::parse_scenario(bandwidth_sweep(receiver, driver), kPath, {}), 4);
    FAIL() << "an unsound sweep was planned";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("driver.bandwidth_ghz"), std::string::npos) << e.what();
  }
}

TEST(Devices, ParsedFromTheOption) {
  EXPECT_EQ(ll::parse_devices("all", 3), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(ll::parse_devices("2,0", 3), (std::vector<int>{2, 0}));
  EXPECT_EQ(ll::parse_devices("all", 0), std::vector<int>{});
  for (const char* bad : {"3", "-1", "a", "0,,1", "1,1", "", "0,", "1.5"}) {
    try {
      ll::parse_devices(bad, 3);
      ADD_FAILURE() << "accepted --devices " << bad;
    } catch (const ll::BackendError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("--devices ") + bad), std::string::npos)
          << e.what();
    }
  }
}

// The workers the GPU backend runs units on (two per device): every unit once, and the first
// error stops the others and reaches the caller.
TEST(Workers, RunEveryUnitOnceAndStopAtTheFirstError) {
  constexpr std::size_t kUnits = 1000;
  std::vector<std::atomic<int>> runs(kUnits);
  ll::run_workers(kUnits, 4, [&](std::size_t u, std::size_t w) {
    EXPECT_LT(w, 4u);
    ++runs[u];
  });
  for (std::size_t u = 0; u < kUnits; ++u) EXPECT_EQ(runs[u].load(), 1) << "unit " << u;
  // Units of 1 ms: the 190 after unit 10 would take the other workers ~60 ms, the error stops
  // them after the few they hold.
  std::atomic<std::size_t> ran{0};
  EXPECT_THROW(ll::run_workers(200, 4,
                               [&](std::size_t u, std::size_t) {
                                 if (u == 10) throw std::runtime_error("unit 10 failed");
                                 std::this_thread::sleep_for(std::chrono::milliseconds(1));
                                 ++ran;
                               }),
               std::runtime_error);
  EXPECT_LT(ran.load(), 100u);
  // One worker runs on the calling thread.
  const std::thread::id caller = std::this_thread::get_id();
  ll::run_workers(3, 1,
                  [&](std::size_t, std::size_t) { EXPECT_EQ(std::this_thread::get_id(), caller); });
}

}  // namespace plan_tests
