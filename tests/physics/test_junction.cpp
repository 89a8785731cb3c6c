// The depletion-mode PN junction (physics/junction.hpp) against independent references: the
// textbook formulas re-implemented here in the units they are usually written in (cm, cm^-3,
// F/cm, eV), the published plasma-dispersion fits typed in afresh, hand values, and physical
// laws the model must obey (charge neutrality, the C^-2-V line, sublinear response).
//
// Tolerances: where the reference is the same formula in other units, 1e-12 relative covers the
// rounding of a handful of operations plus log/pow/sqrt (each within an ulp or two, 2e-16) and
// the unit conversions; a real mistake (a missing factor, a swapped N_A/N_D, a wrong exponent)
// moves the result by percent, not by 1e-12. Anything that goes through V_bi is compared to
// 1e-10 instead: the reference's k/q is CODATA's ten-digit 8.617333262e-5 eV/K, which differs
// from the exact k/q of the SI definitions (1.380649e-23 / 1.602176634e-19) by 1.7e-11.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "physics/junction.hpp"

namespace {

// Independent constants, in the cm-based units of device-physics texts.
constexpr double kQ_C = 1.602176634e-19;
constexpr double kBoltzmann_eV_per_K = 8.617333262e-5;  // CODATA 2018, k/q
constexpr double kEpsSi_F_per_cm = 11.7 * 8.8541878128e-14;
constexpr double kPi = 3.14159265358979323846;
constexpr double kViaVbi = 1e-10;  // tolerance for results through V_bi, see the top comment

// Misiakos & Tsamakis (1993), cm^-3.
double ni_cm3(double t_k) {
  return 5.29e19 * std::pow(t_k / 300.0, 2.54) * std::exp(-6726.0 / t_k);
}

double vbi_ref(double na_cm3, double nd_cm3, double t_k) {
  const double ni = ni_cm3(t_k);
  return kBoltzmann_eV_per_K * t_k * std::log(na_cm3 * nd_cm3 / (ni * ni));
}

// W in cm, textbook form with the (N_A + N_D)/(N_A N_D) factor written out.
double w_ref_cm(double na_cm3, double nd_cm3, double t_k, double v_rev) {
  return std::sqrt(2.0 * kEpsSi_F_per_cm * (vbi_ref(na_cm3, nd_cm3, t_k) + v_rev) *
                   (na_cm3 + nd_cm3) / (kQ_C * na_cm3 * nd_cm3));
}

ll::JunctionParams junction(double na_cm3, double nd_cm3, double t_k = 300.0) {
  ll::JunctionParams j = ll::yuan_200g_junction();
  j.doping_p_per_m3 = na_cm3 * 1e6;
  j.doping_n_per_m3 = nd_cm3 * 1e6;
  j.temperature_k = t_k;
  return j;
}

void expect_rel(double got, double want, double rel) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << "got " << got << " want " << want;
}

TEST(Junction, IntrinsicDensityOfSilicon) {
  // 9.70e9 cm^-3 at 300 K from the fit; Sze & Ng's 9.65e9 is 0.5% lower: 1% brackets both.
  const double ni = ll::silicon_intrinsic_density_per_m3(300.0) * 1e-6;
  expect_rel(ni, 9.70e9, 2e-3);
  expect_rel(ni, 9.65e9, 1e-2);
  // Rises steeply with temperature (about x8 per 25 K near room temperature).
  EXPECT_GT(ll::silicon_intrinsic_density_per_m3(325.0), 5.0 * ni * 1e6);
  EXPECT_TRUE(std::isnan(ll::silicon_intrinsic_density_per_m3(0.0)));
  EXPECT_TRUE(std::isnan(ll::silicon_intrinsic_density_per_m3(-10.0)));
}

TEST(Junction, BuiltinVoltage) {
  // Hand value for N_A = N_D = 1e18 cm^-3 at 300 K: kT/q = 25.852 mV, n_i^2 = 9.40e19 cm^-6,
  // ln(1e36 / 9.40e19) = 36.90, V_bi = 0.954 V. (The often-quoted 0.93 V uses the old
  // n_i = 1.45e10 cm^-3: ln(1e36 / 2.1e20) = 36.10 -> 0.933 V.) 2 mV covers the rounding of the
  // hand arithmetic.
  const ll::JunctionParams j = junction(1e18, 1e18);
  EXPECT_NEAR(ll::builtin_voltage_v(j), 0.954, 2e-3);
  expect_rel(ll::builtin_voltage_v(j), vbi_ref(1e18, 1e18, 300.0), kViaVbi);
  // Asymmetric doping and another temperature: V_bi falls as n_i rises.
  for (double t : {250.0, 300.0, 350.0}) {
    expect_rel(ll::builtin_voltage_v(junction(3e17, 5e18, t)), vbi_ref(3e17, 5e18, t), kViaVbi);
  }
  EXPECT_LT(ll::builtin_voltage_v(junction(1e18, 1e18, 350.0)), ll::builtin_voltage_v(j));
}

TEST(Junction, DepletionWidthTextbookAndNeutrality) {
  for (const auto& [na, nd] :
       {std::pair{1e18, 1e18}, std::pair{2e18, 5e17}, std::pair{5e17, 3e18}}) {
    const ll::JunctionParams j = junction(na, nd);
    const double vbi = ll::builtin_voltage_v(j);
    for (double v : {-0.5, 0.0, 0.5, 1.0, 2.0, 4.0}) {
      const ll::DepletionWidths w = ll::depletion_widths(j, v);
      expect_rel(w.total_m, w_ref_cm(na, nd, 300.0, v) * 1e-2, kViaVbi);
      // Widths add up; each side in the ratio N_A : N_D; charge neutrality q N_D x_n = q N_A x_p.
      expect_rel(w.n_side_m + w.p_side_m, w.total_m, 1e-14);
      expect_rel(w.n_side_m / w.p_side_m, na / nd, 1e-13);
      expect_rel(kQ_C * nd * w.n_side_m, kQ_C * na * w.p_side_m, 1e-13);
      // W^2 / (V_bi + V) is the same at every bias: W grows as sqrt(V_bi + V).
      const double w0 = ll::depletion_width_m(j, 0.0);
      expect_rel(w.total_m * w.total_m / (vbi + v), w0 * w0 / vbi, 1e-12);
    }
  }
  // Hand value: 1e18 / 1e18 at 0 V, N_eff = 5e17 cm^-3: W = sqrt(2 x 1.036e-12 x 0.954 /
  // (1.602e-19 x 5e17)) cm = 49.7 nm. 0.3 nm covers the three-digit hand arithmetic.
  EXPECT_NEAR(ll::depletion_width_m(junction(1e18, 1e18), 0.0), 49.7e-9, 0.3e-9);
}

TEST(Junction, CapacitanceAndCVLaw) {
  const ll::JunctionParams j = junction(2e18, 1e18);
  const double area_m2 = j.waveguide_height_m * j.ring_coverage * 2.0 * kPi * j.ring_radius_m;
  const double area_cm2 = area_m2 * 1e4;
  expect_rel(ll::junction_length_m(j), 0.8 * 2.0 * kPi * 11.41e-6, 1e-15);
  for (double v : {0.0, 1.0, 3.0}) {
    // C = eps A / W, in cm units.
    expect_rel(ll::junction_capacitance_f(j, v),
               kEpsSi_F_per_cm * area_cm2 / w_ref_cm(2e18, 1e18, 300.0, v), kViaVbi);
  }
  // C^-2 is linear in V with slope 2 / (q eps N_eff A^2), N_eff = N_A N_D / (N_A + N_D), and
  // crosses zero at V = -V_bi. Slope from two points, linearity at a third.
  auto inv_c2 = [&](double v) {
    const double c = ll::junction_capacitance_f(j, v);
    return 1.0 / (c * c);
  };
  const double n_eff_cm3 = 2e18 * 1e18 / 3e18;
  const double slope_ref = 2.0 / (kQ_C * kEpsSi_F_per_cm * n_eff_cm3 * area_cm2 * area_cm2);
  const double slope = (inv_c2(3.0) - inv_c2(0.0)) / 3.0;
  expect_rel(slope, slope_ref, 1e-10);  // a difference of two numbers: 1e-10, not 1e-12
  expect_rel(inv_c2(1.3), inv_c2(0.0) + 1.3 * slope, 1e-12);
  EXPECT_NEAR(-inv_c2(0.0) / slope, -ll::builtin_voltage_v(j), 1e-12);
  // RC corner.
  expect_rel(ll::rc_bandwidth_hz(j, 1.0),
             1.0 / (2.0 * kPi * j.series_resistance_ohm * ll::junction_capacitance_f(j, 1.0)),
             1e-14);
}

// The published fits, typed in afresh (cm^-3 in, cm^-1 out).
struct Fit {
  double dn, dalpha_per_cm;
};
Fit nedeljkovic_1300(double n, double p) {
  return {-(2.98e-22 * std::pow(n, 1.016) + 1.25e-18 * std::pow(p, 0.835)),
          3.48e-22 * std::pow(n, 1.229) + 1.02e-19 * std::pow(p, 1.089)};
}
Fit soref_1550(double n, double p) {
  return {-(8.8e-22 * n + 8.5e-18 * std::pow(p, 0.8)), 8.5e-18 * n + 6.0e-18 * p};
}

TEST(Junction, PlasmaDispersionFits) {
  for (const auto& [n, p] :
       {std::pair{1e17, 1e17}, std::pair{1e18, 0.0}, std::pair{0.0, 1e18}, std::pair{5e18, 2e18}}) {
    const ll::PlasmaDispersion o = ll::plasma_dispersion(1310e-9, n * 1e6, p * 1e6);
    const Fit fo = nedeljkovic_1300(n, p);
    ASSERT_TRUE(o.valid);
    expect_rel(o.dn, fo.dn, 1e-12);
    expect_rel(o.dalpha_per_m, fo.dalpha_per_cm * 100.0, 1e-12);
    const ll::PlasmaDispersion c = ll::plasma_dispersion(1550e-9, n * 1e6, p * 1e6);
    const Fit fc = soref_1550(n, p);
    ASSERT_TRUE(c.valid);
    expect_rel(c.dn, fc.dn, 1e-12);
    expect_rel(c.dalpha_per_m, fc.dalpha_per_cm * 100.0, 1e-12);
  }
  // Hand values at 1e18 cm^-3, 1310 nm: electrons dn = -5.78e-4, holes dn = -1.34e-3 (holes
  // refract more per carrier - why depletion modulators lean on the p side); 0.5% covers the
  // three-digit hand arithmetic.
  expect_rel(ll::plasma_dispersion(1310e-9, 1e24, 0.0).dn, -5.78e-4, 5e-3);
  expect_rel(ll::plasma_dispersion(1310e-9, 0.0, 1e24).dn, -1.339e-3, 5e-3);
  // Sign: removing carriers raises the index and lowers the loss, exactly mirroring addition.
  for (double lambda : {1310e-9, 1550e-9}) {
    const ll::PlasmaDispersion add = ll::plasma_dispersion(lambda, 1e24, 1e24);
    const ll::PlasmaDispersion rem = ll::plasma_dispersion(lambda, -1e24, -1e24);
    EXPECT_LT(add.dn, 0.0);
    EXPECT_GT(add.dalpha_per_m, 0.0);
    EXPECT_GT(rem.dn, 0.0);
    EXPECT_LT(rem.dalpha_per_m, 0.0);
    EXPECT_DOUBLE_EQ(rem.dn, -add.dn);
    EXPECT_DOUBLE_EQ(rem.dalpha_per_m, -add.dalpha_per_m);
  }
  // Window edges are inside; the gap and the outside are refused.
  EXPECT_TRUE(ll::plasma_dispersion(1260e-9, 1e24, 0.0).valid);
  EXPECT_TRUE(ll::plasma_dispersion(1630e-9, 1e24, 0.0).valid);
  for (double lambda : {1200e-9, 1420e-9, 1700e-9, 2000e-9}) {
    const ll::PlasmaDispersion bad = ll::plasma_dispersion(lambda, 1e24, 1e24);
    EXPECT_FALSE(bad.valid);
    EXPECT_TRUE(std::isnan(bad.dn));
    EXPECT_TRUE(std::isnan(bad.dalpha_per_m));
  }
  EXPECT_FALSE(ll::plasma_dispersion(1310e-9, std::nan(""), 0.0).valid);
}

// The preset's shift from first principles in cm units: the model's formula chain, written
// again independently of the header.
double preset_shift_ref_m(double v) {
  const ll::JunctionParams j = ll::yuan_200g_junction();
  const double na = j.doping_p_per_m3 * 1e-6, nd = j.doping_n_per_m3 * 1e-6;
  const double dw_cm = w_ref_cm(na, nd, 300.0, v) - w_ref_cm(na, nd, 300.0, 0.0);
  const double dxn_cm = dw_cm * na / (na + nd), dxp_cm = dw_cm * nd / (na + nd);
  const double dn_removed_e = 2.98e-22 * std::pow(nd, 1.016);
  const double dn_removed_h = 1.25e-18 * std::pow(na, 0.835);
  const double width_cm = j.waveguide_width_m * 1e2;
  const double dn_eff = j.mode_overlap * (dxn_cm * dn_removed_e + dxp_cm * dn_removed_h) / width_cm;
  return 1310e-9 * j.ring_coverage * dn_eff / 4.2;
}

TEST(Junction, Yuan200gPresetEfficiency) {
  constexpr ll::JunctionParams j = ll::yuan_200g_junction();  // usable in constant expressions
  constexpr double n_g = 4.2;                                 // scenarios/lane_200g_pam4.toml
  const double s2 = ll::junction_ring_response(j, 2.0, n_g).shift_m;
  const double pm_per_v = s2 / 2.0 * 1e12;
  std::printf("preset: %.2f pm/V over 0-2 V, %.2f over 0-1 V, %.2f over 1-2 V\n", pm_per_v,
              ll::junction_ring_response(j, 1.0, n_g).shift_m * 1e12,
              (s2 - ll::junction_ring_response(j, 1.0, n_g).shift_m) * 1e12);
  // The brief's acceptance band around the published 16.3 pm/V (Yuan et al.): +-20%.
  EXPECT_NEAR(pm_per_v, 16.3, 0.2 * 16.3);
  // And the header's claim that the calibration lands on it (to 1%).
  EXPECT_NEAR(pm_per_v, 16.3, 0.01 * 16.3);
  // The shift is a difference W(V) - W(0), which amplifies the reference's 1.7e-11 k/q rounding
  // by W / (W(V) - W(0)) (3x at 0.5 V): 1e-9.
  for (double v : {0.5, 1.0, 2.0, 3.0}) {
    expect_rel(ll::junction_ring_response(j, v, n_g).shift_m, preset_shift_ref_m(v), 1e-9);
  }
  // The capacitance and RC corner the header quotes: 36.5 fF / 87 GHz at 0 V, 23.0 fF / 138 GHz
  // at 1.5 V (2% covers the quoted digits).
  expect_rel(ll::junction_capacitance_f(j, 0.0), 36.5e-15, 0.02);
  expect_rel(ll::rc_bandwidth_hz(j, 0.0), 87e9, 0.02);
  expect_rel(ll::junction_capacitance_f(j, 1.5), 23.0e-15, 0.02);
  expect_rel(ll::rc_bandwidth_hz(j, 1.5), 138e9, 0.02);
  // Static free-carrier loss of the doped junction (Gamma x coverage x alpha) stays below the
  // scenario's total ring loss of 99.4 dB/cm.
  const double alpha_doped_per_m =
      ll::plasma_dispersion(j.wavelength_m, j.doping_n_per_m3, j.doping_p_per_m3).dalpha_per_m;
  const double static_db_per_cm =
      j.mode_overlap * j.ring_coverage * alpha_doped_per_m * 4.342944819032518 / 100.0;
  EXPECT_LT(static_db_per_cm, 99.4);
  EXPECT_GT(static_db_per_cm, 30.0);
}

TEST(Junction, ResponseIsSublinearRedShiftWithLessLoss) {
  const ll::JunctionParams j = ll::yuan_200g_junction();
  const ll::JunctionRingResponse zero = ll::junction_ring_response(j, 0.0, 4.2);
  EXPECT_EQ(zero.shift_m, 0.0);
  EXPECT_EQ(zero.loss_db_per_m_change, 0.0);
  double prev_shift = 0.0, prev_slope = INFINITY, prev_loss = 0.0;
  for (int k = 1; k <= 30; ++k) {
    const double v = 0.1 * k;
    const ll::JunctionRingResponse r = ll::junction_ring_response(j, v, 4.2);
    const double slope = (r.shift_m - prev_shift) / 0.1;
    EXPECT_GT(slope, 0.0) << v;                         // red shift grows with reverse bias
    EXPECT_LT(slope, prev_slope) << v;                  // ... ever more slowly: W ~ sqrt(V_bi + V)
    EXPECT_LT(r.loss_db_per_m_change, prev_loss) << v;  // loss keeps falling
    prev_shift = r.shift_m;
    prev_slope = slope;
    prev_loss = r.loss_db_per_m_change;
  }
  // Forward bias (within V_bi) moves the other way: blue shift, more loss.
  const ll::JunctionRingResponse fwd = ll::junction_ring_response(j, -0.3, 4.2);
  EXPECT_LT(fwd.shift_m, 0.0);
  EXPECT_GT(fwd.loss_db_per_m_change, 0.0);
  // resonance_shift_m is the first-order formula.
  expect_rel(ll::resonance_shift_m(1310e-9, 4.2, 1e-4, 0.8), 1310e-9 * 0.8 * 1e-4 / 4.2, 1e-15);
}

TEST(Junction, InvalidInputsGiveNaN) {
  ll::JunctionParams zero_n = ll::yuan_200g_junction();
  zero_n.doping_n_per_m3 = 0.0;
  ll::JunctionParams zero_p = ll::yuan_200g_junction();
  zero_p.doping_p_per_m3 = 0.0;
  for (const ll::JunctionParams& j : {zero_n, zero_p}) {
    EXPECT_TRUE(std::isnan(ll::builtin_voltage_v(j)));
    EXPECT_TRUE(std::isnan(ll::depletion_width_m(j, 1.0)));
    EXPECT_TRUE(std::isnan(ll::junction_capacitance_f(j, 1.0)));
    EXPECT_TRUE(std::isnan(ll::rc_bandwidth_hz(j, 1.0)));
    EXPECT_FALSE(ll::junction_index_change(j, 1.0).valid);
    EXPECT_TRUE(std::isnan(ll::junction_ring_response(j, 1.0, 4.2).shift_m));
  }
  // Forward bias at or beyond V_bi: refused; just inside: a (narrower) depletion region.
  const ll::JunctionParams j = ll::yuan_200g_junction();
  const double vbi = ll::builtin_voltage_v(j);
  EXPECT_TRUE(std::isnan(ll::depletion_width_m(j, -vbi)));
  EXPECT_TRUE(std::isnan(ll::depletion_width_m(j, -vbi - 0.1)));
  const ll::DepletionWidths fwd = ll::depletion_widths(j, -vbi - 0.1);
  EXPECT_TRUE(std::isnan(fwd.n_side_m));
  EXPECT_TRUE(std::isnan(fwd.p_side_m));
  EXPECT_TRUE(std::isnan(ll::junction_capacitance_f(j, -2.0)));
  EXPECT_FALSE(ll::junction_index_change(j, -2.0).valid);
  EXPECT_TRUE(std::isnan(ll::junction_ring_response(j, -2.0, 4.2).loss_db_per_m_change));
  EXPECT_GT(ll::depletion_width_m(j, -0.9 * vbi), 0.0);
  EXPECT_LT(ll::depletion_width_m(j, -0.9 * vbi), ll::depletion_width_m(j, 0.0));
  // Wavelength outside both fits.
  ll::JunctionParams mid_ir = ll::yuan_200g_junction();
  mid_ir.wavelength_m = 1420e-9;
  EXPECT_FALSE(ll::junction_index_change(mid_ir, 1.0).valid);
  EXPECT_TRUE(std::isnan(ll::junction_ring_response(mid_ir, 1.0, 4.2).shift_m));
  // The electrostatics does not depend on the wavelength and stays valid there.
  EXPECT_FALSE(std::isnan(ll::junction_capacitance_f(mid_ir, 1.0)));
  // Overlap outside 0..1 and a non-positive mode width.
  ll::JunctionParams bad_overlap = ll::yuan_200g_junction();
  bad_overlap.mode_overlap = 1.5;
  EXPECT_FALSE(ll::junction_index_change(bad_overlap, 1.0).valid);
  ll::JunctionParams bad_width = ll::yuan_200g_junction();
  bad_width.waveguide_width_m = 0.0;
  EXPECT_FALSE(ll::junction_index_change(bad_width, 1.0).valid);
  // Temperature.
  ll::JunctionParams cold = ll::yuan_200g_junction();
  cold.temperature_k = 0.0;
  EXPECT_TRUE(std::isnan(ll::builtin_voltage_v(cold)));
}

}  // namespace
