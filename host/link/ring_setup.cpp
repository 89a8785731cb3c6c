// The ring of one link: its figures and the checks on them, the static all-pass model, the
// coupled-mode constants of the dynamic model and its per-sample table, and the PN junction's
// electro-optic table (a step of prepare_link, host/link/lane_setup_steps.hpp).
#include <cmath>

#include "host/link/lane_setup_steps.hpp"
#include "physics/ring_dynamics.hpp"

namespace ll::setup_steps {

// The fabricated ring: a resonance offset (process variation) enters as the effective-index
// change n_g d_lambda / lambda that moves the cold resonance by d_lambda.
RingGeometry geometry(const LaneParams& lp) {
  const double n_eff =
      lp.ring_n_eff + lp.ring_n_g * lp.ring_resonance_offset_m / lp.laser_wavelength_m;
  return {lp.ring_radius_m,     n_eff, lp.ring_n_g, lp.ring_power_coupling, lp.ring_loss_db_per_m,
          lp.laser_wavelength_m};
}

namespace {

RingModulator<double> modulator(const LaneParams& lp, const RingFigures& f) {
  return RingModulator<double>::make(f.a, f.r, 2.0 * kPi * f.round_trip_m * lp.ring_n_g,
                                     lp.laser_wavelength_m, lp.ring_detuning_m,
                                     lp.ring_shift_m_per_v);
}

// The dynamic ring's per-sample map tabulated over the drive range, with the same overshoot
// margin as the junction table.
void build_cmt_table(double v_lo, double v_hi, LinkConstants<double>& c) {
  const double swing = v_hi - v_lo;
  fill_cmt_table(c, v_lo - 0.1 * swing - 0.05, v_hi + 0.1 * swing + 0.05);
}

// The PN-junction electro-optic table (physics/junction.hpp evaluated in double): resonance
// shift and ring loss at kEoTablePoints voltages over the drive range with a margin for the
// driver's overshoot, and from them the static coefficients and the coupled-mode decay.
void build_junction_table(const Scenario& s, const LaneParams& lp, LinkReport& rep, double fs,
                          double v_lo, double v_hi, LinkConstants<double>& c) {
  const char* keys[] = {"mrm.junction.doping_n_per_cm3",
                        "mrm.junction.doping_p_per_cm3",
                        "mrm.junction.height_nm",
                        "mrm.junction.mode_width_nm",
                        "mrm.junction.coverage",
                        "mrm.junction.mode_overlap",
                        "mrm.junction.series_resistance_ohm"};
  const double values[] = {lp.junction.doping_n_per_m3,      lp.junction.doping_p_per_m3,
                           lp.junction.waveguide_height_m,   lp.junction.waveguide_width_m,
                           lp.junction.ring_coverage,        lp.junction.mode_overlap,
                           lp.junction.series_resistance_ohm};
  for (int i = 0; i < 7; ++i)
    if (!std::isfinite(values[i]))
      fail_key(s, keys[i],
               "missing; mrm.electro_optic = \"junction\" needs [mrm.junction] in full");
  JunctionParams j = lp.junction;
  j.ring_radius_m = lp.ring_radius_m;
  j.wavelength_m = lp.laser_wavelength_m;
  const double v_bi = builtin_voltage_v(j);
  // The depletion model holds in reverse bias and in weak forward bias; beyond half of V_bi
  // the diode injects carriers, which this model does not describe.
  const double swing = v_hi - v_lo;
  const double v_first = v_lo - 0.1 * swing - 0.05, v_last = v_hi + 0.1 * swing + 0.05;
  if (v_first < -0.5 * v_bi)
    fail_key(s, "driver.bias_v",
             "the drive reaches " + format_number(-v_first, 3) +
                 " V of forward bias (with overshoot); the "
                 "depletion model needs at most " +
                 format_number(0.5 * v_bi, 3) + " V (half the built-in " + format_number(v_bi, 3) +
                 " V): raise the bias or reduce the swing");
  const RingGeometry g0 = geometry(lp);
  const double T = 1.0 / fs;
  c.eo.points = kEoTablePoints;
  c.eo.v_first = v_first;
  const double step = (v_last - v_first) / (kEoTablePoints - 1);
  c.eo.inv_step_v = 1.0 / step;
  for (int i = 0; i < kEoTablePoints; ++i) {
    const double v = v_first + step * i;
    const JunctionRingResponse r = junction_ring_response(j, v, lp.ring_n_g);
    if (!std::isfinite(r.shift_m) || !std::isfinite(r.loss_db_per_m_change))
      fail_key(s, "mrm.electro_optic",
               "the junction model has no solution at " + format_number(v, 3) +
                   " V (plasma-dispersion fits cover 1260-1360 nm and 1500-1630 nm)");
    RingGeometry g = g0;
    g.loss_db_per_m = g0.loss_db_per_m + r.loss_db_per_m_change;
    if (!(g.loss_db_per_m >= 0.0))
      fail_key(s, "mrm.loss_db_per_cm",
               "is smaller than the junction's free-carrier loss change at " + format_number(v, 3) +
                   " V: expected the ring loss to include the junction's doping loss");
    const RingFigures f = ring_figures(g);
    c.eo.shift_m[i] = r.shift_m;
    c.eo.num0[i] = (f.a - f.r) * (f.a - f.r);
    c.eo.den0[i] = (1.0 - f.a * f.r) * (1.0 - f.a * f.r);
    c.eo.four_ar[i] = 4.0 * f.a * f.r;
    c.eo.r_minus_a[i] = f.r - f.a;
    c.eo.one_minus_ar[i] = 1.0 - f.a * f.r;
    c.eo.a[i] = f.a;
    c.eo.gamma_t[i] = cmt_rates(g, f).gamma_per_s * T;
  }
  const double bias = 0.5 * (v_lo + v_hi);
  rep.junction_capacitance_f = junction_capacitance_f(j, bias);
  rep.junction_rc_hz = j.series_resistance_ohm > 0.0 ? rc_bandwidth_hz(j, bias) : 0.0;
  rep.builtin_voltage_v = v_bi;
}

}  // namespace

void setup_ring(const Scenario& s, const LaneParams& lp, double fs, LinkReport& rep,
                LinkConstants<double>& c) {
  rep.ring = ring_figures(geometry(lp));
  if (!(rep.ring.q_loaded > 1.0) || !std::isfinite(rep.ring.q_loaded))
    fail_key(s, "mrm.power_coupling",
             "the ring has no resonance (loaded Q " + format_number(rep.ring.q_loaded, 6) +
                 "); expected Q above 1");
  if (std::abs(lp.ring_detuning_m) >= 0.5 * rep.ring.fsr_m)
    fail_key(s, "mrm.detuning_pm",
             format_number(lp.ring_detuning_m * 1e12, 6) + " pm is beyond half the FSR (" +
                 format_number(0.5 * rep.ring.fsr_m * 1e12, 6) +
                 " pm): that is the neighbouring resonance");
  const double v_lo = lp.drive_bias_v - 0.5 * lp.drive_swing_vpp;
  const double v_hi = lp.drive_bias_v + 0.5 * lp.drive_swing_vpp;
  c.ring = modulator(lp, rep.ring);
  {
    const CmtRates rates = cmt_rates(geometry(lp), rep.ring);
    const double T = 1.0 / fs;
    c.cmt = {rates.gamma_per_s * T, rates.kappa_per_s * T, 2.0 * kPi * kSpeedOfLight_m_per_s * T,
             lp.laser_wavelength_m, lp.ring_detuning_m,    lp.ring_shift_m_per_v};
  }
  if (lp.eo_junction) build_junction_table(s, lp, rep, fs, v_lo, v_hi, c);
  if (lp.ring_dynamic) build_cmt_table(v_lo, v_hi, c);
  // The resonance's travel over the swing must stay within half an FSR.
  const double travel = lp.eo_junction ? std::abs(c.eo.at(v_hi).shift_m - c.eo.at(v_lo).shift_m)
                                       : std::abs(lp.ring_shift_m_per_v) * lp.drive_swing_vpp;
  rep.shift_pm_per_v = travel * 1e12 / lp.drive_swing_vpp;
  if (travel >= 0.5 * rep.ring.fsr_m)
    fail_key(s, "driver.swing_vpp",
             "moves the resonance by " + format_number(travel * 1e12, 6) +
                 " pm, beyond half the FSR (" + format_number(0.5 * rep.ring.fsr_m * 1e12, 6) +
                 " pm)");
}

}  // namespace ll::setup_steps
