#include "host/energy.hpp"

#include <cmath>
#include <limits>

#include "physics/prbs.hpp"

namespace ll {

LaneEnergy lane_energy(const Scenario& s, const LaneParams& lp, const LinkConstants<double>& c,
                       double junction_capacitance_f) {
  const EnergyParams& p = lp.energy;
  LaneEnergy e;
  if (!p.present()) return e;
  auto require = [&](double v, const char* key) {
    if (!std::isfinite(v)) fail_key(s, key, "missing; [energy] needs its keys in full");
  };
  require(p.laser_wall_plug_efficiency, "energy.laser_wall_plug_efficiency");
  require(p.driver_j_per_bit, "energy.driver_pj_per_bit");
  require(p.tia_j_per_bit, "energy.tia_pj_per_bit");
  require(p.cdr_j_per_bit, "energy.cdr_pj_per_bit");
  require(p.serdes_j_per_bit, "energy.serdes_pj_per_bit");
  if (p.lanes_per_port < 1)
    fail_key(s, "energy.lanes_per_port", "missing; [energy] needs its keys in full");
  double capacitance_f = p.modulator_capacitance_f;
  if (!std::isfinite(capacitance_f)) {
    if (!(junction_capacitance_f > 0.0))
      fail_key(s, "energy.modulator_capacitance_ff",
               "missing; the linear electro-optic model has no junction capacitance to use");
    capacitance_f = junction_capacitance_f;
  }
  e.present = true;
  e.lanes_per_port = p.lanes_per_port;
  const double symbol_rate = lp.symbol_rate_hz;
  e.bit_rate_bps = symbol_rate * symbol_mapping(lp.levels).bits_per_symbol();
  e.laser_w = lp.laser_power_w * std::pow(10.0, p.laser_coupling_loss_db / 10.0) /
              p.laser_wall_plug_efficiency;
  double mean = 0.0, mean_square = 0.0;
  for (int k = 0; k < c.levels; ++k) {
    const double w = level_probability(c.levels, k);
    mean += w * c.level_drive_v[k];
    mean_square += w * c.level_drive_v[k] * c.level_drive_v[k];
  }
  e.modulator_w = capacitance_f * (mean_square - mean * mean) * symbol_rate;
  e.driver_w = p.driver_j_per_bit * e.bit_rate_bps;
  e.tia_w = p.tia_j_per_bit * e.bit_rate_bps;
  e.cdr_w = p.cdr_j_per_bit * e.bit_rate_bps;
  e.serdes_w = p.serdes_j_per_bit * e.bit_rate_bps;
  return e;
}

EnergyFigures energy_figures(const LaneEnergy& e, double heater_power_w) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!e.present) return {nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan};
  const double heater_w = std::isfinite(heater_power_w) ? heater_power_w : 0.0;
  const double to_pj = 1e12 / e.bit_rate_bps;
  EnergyFigures f{};
  f.laser_pj_per_bit = e.laser_w * to_pj;
  f.modulator_pj_per_bit = e.modulator_w * to_pj;
  f.heater_pj_per_bit = heater_w * to_pj;
  f.driver_pj_per_bit = e.driver_w * to_pj;
  f.tia_pj_per_bit = e.tia_w * to_pj;
  f.cdr_pj_per_bit = e.cdr_w * to_pj;
  f.serdes_pj_per_bit = e.serdes_w * to_pj;
  const double lane_w =
      e.laser_w + e.modulator_w + heater_w + e.driver_w + e.tia_w + e.cdr_w + e.serdes_w;
  f.total_pj_per_bit = lane_w * to_pj;
  f.lane_power_mw = lane_w * 1e3;
  f.port_power_w = lane_w * e.lanes_per_port;
  f.port_rate_gbps = e.bit_rate_bps * e.lanes_per_port * 1e-9;
  return f;
}

}  // namespace ll
