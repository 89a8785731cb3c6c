// From one sweep point's parameters (SI) to what the engine needs for that link: the PAM drive
// levels, the ring's operating point, received levels and thresholds, noise variances, FIRs
// and the chain's delay. Cross-key physics is checked here, before anything runs.
#pragma once

#include <limits>

#include "host/lane_engine.hpp"
#include "host/results.hpp"
#include "host/scenario.hpp"

namespace ll {

struct LinkReport {
  RingFigures ring{};
  double extinction_ratio_db = 0.0;        // static, between the extreme drive levels
  double received_levels_a[kMaxLevels]{};  // noiseless photocurrent of each level index
  double noise_bandwidth_hz = 0.0;
  double sample_rate_hz = 0.0;
  double shift_pm_per_v = 0.0;          // resonance travel over the swing / swing
  double junction_capacitance_f = 0.0;  // at the bias (junction model)
  double junction_rc_hz = 0.0;          // 1 / (2 pi R_s C_j) at the bias (junction model)
  double builtin_voltage_v = 0.0;
  // Thermal lock (with [mrm.thermal]): heater power that holds the operating point, whether it
  // wrapped to the next resonance order, the self-heating loop gain, and the verdict.
  double heater_power_w = std::numeric_limits<double>::quiet_NaN();
  bool heater_wrapped = false;
  double self_heating_gain = std::numeric_limits<double>::quiet_NaN();
  LockStatus lock = LockStatus::not_modelled;
};

struct PreparedLink {
  LinkSetup setup;
  LinkReport report;
};

// Builds one link. Throws ScenarioError naming the key (and its location in `s`) when the
// physics is not sound: a bandwidth above the simulation's Nyquist frequency, a detuning past
// half an FSR, received levels that fold onto each other, a receiver without a noise bandwidth.
PreparedLink prepare_link(const Scenario& s, std::size_t point, const LaneParams& lp,
                          const RunParams& rp);

}  // namespace ll
