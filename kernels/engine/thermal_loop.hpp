// The resonance-lock loop as the engine runs it: a monitor photodiode and an integral heater
// controller stepping at chunk rate, with the ring's self-heating and the heater as first-order
// lags (physics/thermal.hpp holds the physics; this is the bookkeeping of one link).
//
// Each chunk the engine measures the ring's mean through-port transmission T (the monitor). Over
// the chunk, of duration dt, the ring absorbed f P (1 - T) and the heater ran at the power the
// controller set at the chunk's start, so the thermal state steps exactly for those held
// inputs (thermal_step); the controller then sets the next chunk's heater power from T
// (lock_step). The resonance sits `lock_error` to the red of the operating point the host
// designed the link's constants for, and the engine moves every model's resonance by it
// (shifted_resonance) before the next chunk: microseconds of thermal time constant against
// tens of nanoseconds of chunk make the thermal state quasi-static within a chunk.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include "physics/lane.hpp"
#include "physics/thermal.hpp"

namespace ll {

// One link's loop as the host set it up (enabled = false: the ring holds its designed operating
// point, the steady-state lock of host/link/thermal_setup.cpp).
struct ThermalLoopSetup {
  bool enabled = false;
  ThermalParams params{};
  LockLoop loop{};
  double optical_power_w = 0.0;  // at the ring's input: what heats it
  double symbol_period_s = 0.0;  // chunk duration = chunk symbols x this
  // The state at the first chunk, and the thermal shift at the designed operating point (where
  // the link's constants put the resonance): lock error = thermal_shift_m(state) - lock_shift_m.
  ThermalState start{};
  double start_heater_power_w = 0.0;
  double lock_shift_m = 0.0;
  double tolerance_m = 0.0;  // |lock error| at the end of the run that counts as locked
};

struct ThermalLoopState {
  ThermalState thermal{};
  double heater_power_w = 0.0;
};

// One chunk: the thermal state under the chunk's absorbed power and heater power, then the
// controller's next heater power from the monitor reading.
inline ThermalLoopState thermal_loop_step(const ThermalLoopSetup& s, ThermalLoopState x,
                                          double monitor_transmission, double dt_s) {
  const double absorbed = absorbed_power_w(s.params, s.optical_power_w, monitor_transmission);
  x.thermal = thermal_step(s.params, x.thermal, absorbed, x.heater_power_w, dt_s);
  x.heater_power_w = lock_step(s.loop, s.params, x.heater_power_w, monitor_transmission, dt_s);
  return x;
}

// Resonance minus its designed operating point (positive: red of it).
inline double lock_error_m(const ThermalLoopSetup& s, const ThermalLoopState& x) {
  return thermal_shift_m(s.params, x.thermal) - s.lock_shift_m;
}

// The link's constants with the resonance moved `shift_m` to the red of where `design` put it:
// every model's detuning (laser minus resonance) falls by shift_m, and the dynamic ring's
// tabulated map is rebuilt over the same voltages (128 exact maps, nothing per sample).
inline LinkConstants<double> shifted_resonance(const LinkConstants<double>& design,
                                               double shift_m) {
  LinkConstants<double> c = design;
  c.ring.detuning_m = design.ring.detuning_m - shift_m;
  c.cmt.detuning_m = design.cmt.detuning_m - shift_m;
  if (design.cmt_map.points > 0) {
    const double v_last =
        design.cmt_map.v_first + (design.cmt_map.points - 1) / design.cmt_map.inv_step_v;
    fill_cmt_table(c, design.cmt_map.v_first, v_last);
  }
  return c;
}

struct ThermalTracePoint {
  double time_s;                // at the end of the chunk
  double monitor_transmission;  // measured over the chunk
  double heater_power_w;        // for the next chunk
  double lock_error_m;          // at the end of the chunk
};

// What the loop of one link ended with.
struct ThermalLoopOutcome {
  bool enabled = false;
  double heater_power_w = std::numeric_limits<double>::quiet_NaN();
  double lock_error_m = std::numeric_limits<double>::quiet_NaN();
  bool locked = false;                   // |lock error| <= tolerance at the end
  std::vector<ThermalTracePoint> trace;  // per chunk, when the batch records it
};

}  // namespace ll
