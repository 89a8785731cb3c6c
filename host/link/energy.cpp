#include "host/link/energy.hpp"

#include <cmath>
#include <limits>

#include "physics/prbs.hpp"

namespace ll {

namespace {

// The defaults of [energy] (PARAMETERS.md and docs/REFERENCES.md hold the sources).
// Laser: an O-band quantum-dot comb source for WDM interconnects, over 30% peak ex-facet
// wall-plug efficiency and 75% coupling into PM fibre (Buyalo et al., Sci. Rep. 14, 2024); the
// fibre enters the chip through an edge coupler, < 1.52 dB (Wan et al., Adv. Photon. Nexus 2025).
constexpr double kLaserWallPlugEfficiency = 0.30;
const double kLaserCouplingLossDb = -10.0 * std::log10(0.75) + 1.5;  // 1.25 + 1.5 dB
// Modulator driver: a 200 Gb/s PAM4 ring transmitter (driver and ring), 1.44 pJ/bit (Ma et al.,
// 2025; secondary source, docs/REFERENCES.md).
constexpr double kDriverJPerBit = 1.44e-12;
// TIA: 47 mW at 112 Gb/s, the receiver whose 16.9 pA/rtHz the lanes use (Patel et al., JSSC
// 2022): 0.42 pJ/bit.
constexpr double kTiaJPerBit = 47e-3 / 112e9;
// Host SerDes (both ends of the electrical channel), by the channel's loss at Nyquist: up to
// 16.8 dB a 64 Gb/s PAM4 short-reach transceiver, 5.02 mW/(Gb/s) over 16.8 dB (28 nm FDSOI,
// docs/REFERENCES.md); beyond, a long-reach pair: 1.0 pJ/bit transmitter (IBM 14 nm, 112 Gb/s)
// plus a 4.8 pJ/bit ADC-DSP receiver over 19 dB (IBM A-SSCC 2019). No channel: no SerDes in the
// lane. The CDR is part of those receivers: 0 unless given.
constexpr double kShortReachLossDb = 16.8;
constexpr double kShortReachJPerBit = 5.02e-12;
constexpr double kLongReachJPerBit = (1.0 + 4.8) * 1e-12;
// A 1.6T port: 8 lanes of 200G (PARAMETERS.md: Spectrum-X Photonics 1.6T ports, 200G lanes).
constexpr int kLanesPerPort = 8;

double or_default(double v, double fallback) { return std::isfinite(v) ? v : fallback; }

}  // namespace

LaneEnergy lane_energy(const Scenario& s, const LaneParams& lp, const LinkConstants<double>& c,
                       double junction_capacitance_f) {
  const EnergyParams& p = lp.energy;
  LaneEnergy e;
  if (!p.present()) return e;
  double capacitance_f = p.modulator_capacitance_f;
  const bool mzm = lp.modulator == Modulator::mzm;  // its RF power goes into its termination
  if (!std::isfinite(capacitance_f) && lp.modulator == Modulator::eml)
    fail_key(s, "energy.modulator_capacitance_ff", "missing; the EML's absorber is a capacitor");
  const bool wire = lp.modulator == Modulator::none;  // an electrical lane: the SerDes alone
  if (!std::isfinite(capacitance_f) && !mzm && lp.modulator != Modulator::microled && !wire) {
    if (!(junction_capacitance_f > 0.0))
      fail_key(s, "energy.modulator_capacitance_ff",
               "missing; the linear electro-optic model has no junction capacitance to use");
    capacitance_f = junction_capacitance_f;
  }
  double serdes_j_per_bit = p.serdes_j_per_bit;
  if (!std::isfinite(serdes_j_per_bit)) {
    switch (lp.channel.model) {
      case ChannelModel::none: serdes_j_per_bit = 0.0; break;
      case ChannelModel::parametric:
        serdes_j_per_bit = lp.channel.loss_at_nyquist_db <= kShortReachLossDb ? kShortReachJPerBit
                                                                              : kLongReachJPerBit;
        break;
      default:
        fail_key(s, "energy.serdes_pj_per_bit",
                 "missing; a Touchstone channel does not say its reach class: give the SerDes "
                 "energy (e.g. 5.02 short reach, 5.8 long reach)");
    }
  }
  e.present = true;
  e.lanes_per_port = p.lanes_per_port > 0 ? p.lanes_per_port : kLanesPerPort;
  const bool led = lp.modulator == Modulator::microled;  // no laser: the LED draws its current
  // No laser in an electrical lane or a micro-LED's (its LEDs are its lanes' own sources).
  e.lasers_per_port = wire || led                ? 0
                      : p.lasers_per_port > 0 ? p.lasers_per_port
                                              : e.lanes_per_port;
  const double symbol_rate = lp.symbol_rate_hz;
  e.bit_rate_bps = symbol_rate * symbol_mapping(lp.levels).bits_per_symbol();
  if (led && !std::isfinite(lp.microled.forward_v))
    fail_key(s, "microled.forward_v", "missing; the micro-LED's power needs its forward voltage");
  e.laser_w = led || wire ? 0.0 : lp.laser_power_w *
              std::pow(10.0, or_default(p.laser_coupling_loss_db, kLaserCouplingLossDb) / 10.0) /
              or_default(p.laser_wall_plug_efficiency, kLaserWallPlugEfficiency);
  double mean = 0.0, mean_square = 0.0;
  for (int k = 0; k < c.levels; ++k) {
    const double w = level_probability(c.levels, k);
    mean += w * c.level_drive_v[k];
    mean_square += w * c.level_drive_v[k] * c.level_drive_v[k];
  }
  // A ring's junction charges and discharges C (C V^2 per transition, the drive's variance per
  // symbol); a travelling-wave MZM's drive dissipates in its matched termination, V_rms^2 / R.
  e.modulator_w = mzm ? (mean_square - mean * mean) / lp.mzm.termination_ohm
                      : capacitance_f * (mean_square - mean * mean) * symbol_rate;
  // A micro-LED: its mean current at its forward voltage (it is the source and the modulator).
  if (led) e.modulator_w = lp.microled.amps_per_v * mean * lp.microled.forward_v;
  // An electrical lane has no modulator, driver or TIA: its SerDes (serdes_w) drives the line and
  // receives it.
  if (wire) e.modulator_w = 0.0;
  e.driver_w = wire ? 0.0 : or_default(p.driver_j_per_bit, kDriverJPerBit) * e.bit_rate_bps;
  e.tia_w = wire ? 0.0 : or_default(p.tia_j_per_bit, kTiaJPerBit) * e.bit_rate_bps;
  e.cdr_w = or_default(p.cdr_j_per_bit, 0.0) * e.bit_rate_bps;
  e.serdes_w = serdes_j_per_bit * e.bit_rate_bps;
  e.retimer_w = or_default(p.retimer_j_per_bit, 0.0) * e.bit_rate_bps;
  return e;
}

EnergyFigures energy_figures(const LaneEnergy& e, double heater_power_w) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!e.present) return {nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan};
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
  f.retimer_pj_per_bit = e.retimer_w * to_pj;
  const double lane_w = e.laser_w + e.modulator_w + heater_w + e.driver_w + e.tia_w + e.cdr_w +
                        e.serdes_w + e.retimer_w;
  f.total_pj_per_bit = lane_w * to_pj;
  f.lane_power_mw = lane_w * 1e3;
  f.port_power_w = lane_w * e.lanes_per_port;
  f.port_rate_gbps = e.bit_rate_bps * e.lanes_per_port * 1e-9;
  f.lasers_per_port = e.lasers_per_port;
  return f;
}

}  // namespace ll
