// Power and energy per bit of one lane, and of the port it belongs to ([energy]). Every input is
// a scenario key; the physics supplies only what it knows:
//   laser      P_lane 10^(coupling_loss / 10) / wall-plug efficiency (laser.power_dbm is the
//              power one lane's light carries into the chip's bus; a comb or a shared laser
//              splits its power, so its electrical share per lane is the same),
//   modulator  C Var(V) per symbol: each transition dissipates C dV^2 / 2 in the driver, and
//              E[dV^2] = 2 Var(V) for independent levels (NRZ: C V_pp^2 / 4 per bit, Miller,
//              Opt. Express 2012; PARAMETERS.md), V the drive levels with their probabilities,
//   heater     the thermal model's heater power (0 when [mrm.thermal] is absent),
//   driver, TIA, CDR, SerDes: the scenario's pJ/bit figures times the lane's line rate.
// The lane's bit rate is its line rate (symbol rate x bits per symbol, FEC overhead included).
#pragma once

#include <string>
#include <vector>

#include "host/scenario/scenario.hpp"
#include "physics/lane.hpp"

namespace ll {

struct LaneEnergy {
  bool present = false;
  double bit_rate_bps = 0.0;
  double laser_w = 0.0, modulator_w = 0.0, driver_w = 0.0, tia_w = 0.0, cdr_w = 0.0, serdes_w = 0.0;
  double retimer_w = 0.0;  // a pluggable module's DSP retimer
  int lanes_per_port = 0;
  int lasers_per_port = 0;
};

// The set-up's part (everything but the heater, which the run may move). Throws ScenarioError
// naming a missing key; `junction_capacitance_f` > 0 stands in for energy.modulator_capacitance_ff.
LaneEnergy lane_energy(const Scenario& s, const LaneParams& lp, const LinkConstants<double>& c,
                       double junction_capacitance_f);

// The figures of a point: each part in pJ/bit, their sum, the lane's and the port's power.
struct EnergyFigures {
  double laser_pj_per_bit, modulator_pj_per_bit, heater_pj_per_bit, driver_pj_per_bit,
      tia_pj_per_bit, cdr_pj_per_bit, serdes_pj_per_bit, retimer_pj_per_bit;
  double total_pj_per_bit, lane_power_mw, port_power_w, port_rate_gbps, lasers_per_port;
};
EnergyFigures energy_figures(const LaneEnergy& e, double heater_power_w);

}  // namespace ll
