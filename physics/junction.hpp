// Depletion-mode PN junction of a silicon micro-ring modulator: electrostatics (built-in
// voltage, depletion width, capacitance, RC corner), free-carrier plasma dispersion, and the
// resonance shift and loss change a reverse bias produces in the ring.
//
// Everything is SI inside (m, m^-3, V, F, ohm, 1/m); the plasma-dispersion fits are published
// in cm^-3 and cm^-1 and are converted at the one place they enter. Host/device callable, no
// allocation, no exceptions, no I/O. Invalid input gives NaN (and `valid = false` where a struct
// has that field) rather than a clamped value, so that a bad parameter cannot pass silently as a
// plausible number.
//
// Electrostatics (abrupt junction, depletion approximation; Sze & Ng, Physics of Semiconductor
// Devices, 3rd ed. (2007), sec. 2.2; the formulas as listed in ../shared/reference/PARAMETERS.md):
//     V_bi = (kT/q) ln(N_A N_D / n_i^2)
//     W(V) = sqrt(2 eps_si (V_bi + V) (N_A + N_D) / (q N_A N_D)),   V = reverse bias (> 0)
//     x_n = W N_A / (N_A + N_D),   x_p = W N_D / (N_A + N_D)   (q N_D x_n = q N_A x_p)
//     C_j = eps_si A / W,   A = junction height x junction length,   f_RC = 1 / (2 pi R_s C_j)
// Sign convention: the voltage argument is the REVERSE bias, positive for reverse. Forward bias
// (V < 0) is accepted up to, but not including, V = -V_bi, where W -> 0; at and beyond it the
// functions return NaN. Between about -0.5 V and -V_bi the depletion approximation itself is
// poor (injection, diffusion capacitance): the model is meant for reverse bias.
#pragma once

#include <cmath>

#include "physics/config.hpp"

namespace ll {

// Constants used only here, in their own namespace so they cannot collide with names added to
// config.hpp later.
namespace pn {
inline constexpr double kBoltzmann_J_per_K = 1.380649e-23;               // SI exact (2019)
inline constexpr double kVacuumPermittivity_F_per_m = 8.8541878128e-12;  // CODATA 2018
// Static relative permittivity of silicon, 11.7 (Sze & Ng 2007, Appendix G).
inline constexpr double kSiliconRelPermittivity = 11.7;
inline constexpr double kSiliconPermittivity_F_per_m =
    kSiliconRelPermittivity * kVacuumPermittivity_F_per_m;
inline constexpr double kPerCm3_per_PerM3 = 1e-6;  // m^-3 -> cm^-3
inline constexpr double kPerM_per_PerCm = 100.0;   // cm^-1 -> m^-1
// Power absorption coefficient (1/m) -> dB/m: 10 log10(e).
inline constexpr double kDb_per_Neper_power = 4.342944819032518;
}  // namespace pn

LL_HD inline double junction_nan() { return nan(""); }
// Finite test by comparison (false for NaN and +-inf), so that no isfinite overload question
// arises between host libstdc++ and the device math library.
LL_HD inline bool junction_finite(double x) { return fabs(x) <= 1.7976931348623157e308; }

struct JunctionParams {
  double doping_n_per_m3;  // N_D, donors on the n side
  double doping_p_per_m3;  // N_A, acceptors on the p side
  double temperature_k;
  double waveguide_height_m;  // height of the lateral PN interface: junction area per metre
  double waveguide_width_m;   // the mode's lateral extent that converts a depleted strip
                              // width into an effective-index change (see the model below)
  double ring_radius_m;
  double ring_coverage;          // fraction of the ring circumference carrying the junction, 0..1
  double series_resistance_ohm;  // contacts + doped slab, lumped
  double mode_overlap;           // Gamma: fraction of the optical mode in the junction's silicon
                                 // (the region the depletion edge moves through), 0..1
  double wavelength_m;
};

// --- Silicon and electrostatics ----------------------------------------------------------------

// Intrinsic carrier density of silicon, Misiakos & Tsamakis, J. Appl. Phys. 74, 3293 (1993):
//     n_i(T) = 5.29e19 (T/300)^2.54 exp(-6726 / T) cm^-3,   measured 78-340 K.
// It gives 9.70e9 cm^-3 at 300 K (the value often quoted as 1.0e10 is the older Sproul & Green
// figure; Sze & Ng's 9.65e9 differs by 0.5%, i.e. 0.26 mV in V_bi). Above 340 K (a heated ring
// runs to about 360 K) it is extrapolated; the fit is smooth there and V_bi depends on n_i only
// logarithmically. NaN for a non-positive or non-finite temperature.
LL_HD inline double silicon_intrinsic_density_per_m3(double temperature_k) {
  if (!(temperature_k > 0.0) || !junction_finite(temperature_k)) return junction_nan();
  const double ni_per_cm3 =
      5.29e19 * pow(temperature_k / 300.0, 2.54) * exp(-6726.0 / temperature_k);
  return ni_per_cm3 / pn::kPerCm3_per_PerM3;
}

LL_HD inline double thermal_voltage_v(double temperature_k) {
  return pn::kBoltzmann_J_per_K * temperature_k / kElementaryCharge_C;
}

// Both dopings positive and finite. (N_A N_D < n_i^2 would give V_bi < 0; depletion_widths
// then refuses every bias up to -V_bi > 0, so it needs no separate test.)
LL_HD inline bool junction_doping_ok(const JunctionParams& j) {
  return j.doping_n_per_m3 > 0.0 && j.doping_p_per_m3 > 0.0 && junction_finite(j.doping_n_per_m3) &&
         junction_finite(j.doping_p_per_m3);
}

// V_bi = (kT/q) ln(N_A N_D / n_i^2). NaN for zero/negative doping or temperature. The product is
// formed as (N_A/n_i)(N_D/n_i) so that 1e24 x 1e24 m^-6 never has to be held.
LL_HD inline double builtin_voltage_v(const JunctionParams& j) {
  if (!junction_doping_ok(j)) return junction_nan();
  const double ni = silicon_intrinsic_density_per_m3(j.temperature_k);
  return thermal_voltage_v(j.temperature_k) *
         (log(j.doping_p_per_m3 / ni) + log(j.doping_n_per_m3 / ni));
}

struct DepletionWidths {
  double total_m;
  double n_side_m;  // x_n, into the n region
  double p_side_m;  // x_p, into the p region
};

// Depletion widths at reverse bias `reverse_v` (positive = reverse). NaN at or beyond forward
// bias V_bi (see the header comment) and for invalid doping.
LL_HD inline DepletionWidths depletion_widths(const JunctionParams& j, double reverse_v) {
  const double nan_v = junction_nan();
  const double vbi = builtin_voltage_v(j);
  const double v_total = vbi + reverse_v;
  if (!(v_total > 0.0) || !junction_finite(v_total)) return {nan_v, nan_v, nan_v};
  const double na = j.doping_p_per_m3, nd = j.doping_n_per_m3;
  // (N_A + N_D) / (N_A N_D) = 1/N_A + 1/N_D: no 1e48 intermediate.
  const double w = sqrt(2.0 * pn::kSiliconPermittivity_F_per_m * v_total * (1.0 / na + 1.0 / nd) /
                        kElementaryCharge_C);
  const double sum = na + nd;
  return {w, w * (na / sum), w * (nd / sum)};
}

LL_HD inline double depletion_width_m(const JunctionParams& j, double reverse_v) {
  return depletion_widths(j, reverse_v).total_m;
}

// Length of ring that carries the junction: coverage x 2 pi R.
LL_HD inline double junction_length_m(const JunctionParams& j) {
  return j.ring_coverage * 2.0 * kPi * j.ring_radius_m;
}

// Parallel-plate depletion capacitance C_j = eps_si A / W, A = height x junction length (a
// lateral junction's interface is the waveguide's vertical face). Fringing and the slab's
// contribution are left out; they add some 10-30% in real rings, which the RC corner below
// inherits.
LL_HD inline double junction_capacitance_f(const JunctionParams& j, double reverse_v) {
  const double area_m2 = j.waveguide_height_m * junction_length_m(j);
  return pn::kSiliconPermittivity_F_per_m * area_m2 / depletion_width_m(j, reverse_v);
}

// Small-signal RC corner 1 / (2 pi R_s C_j) at the bias point.
LL_HD inline double rc_bandwidth_hz(const JunctionParams& j, double reverse_v) {
  return 1.0 / (2.0 * kPi * j.series_resistance_ohm * junction_capacitance_f(j, reverse_v));
}

// --- Plasma dispersion -------------------------------------------------------------------------

struct PlasmaDispersion {
  double dn;            // change of the silicon refractive index
  double dalpha_per_m;  // change of the power absorption coefficient
  bool valid;           // false outside the wavelength windows of the fits
};

// Material index and absorption change for carrier-density changes dN (electrons) and dP
// (holes), in m^-3, signed: positive adds carriers (index falls, loss rises), negative removes
// them (index rises, loss falls). The published fits give the change from undoped silicon to a
// density N; for removal we use -f(|dN|), exact when a region is emptied completely, which is
// what the depletion model below does (it removes all of the doping's carriers over the extra
// depleted width).
//
// O band, 1260-1360 nm: Nedeljkovic, Soref & Mashanovich, "Free-carrier electrorefraction and
// electroabsorption modulation predictions for silicon over the 1-14 um infrared wavelength
// range", IEEE Photon. J. 3, 1171 (2011), the 1.3 um fit (N, P in cm^-3):
//     dn = -(2.98e-22 N^1.016 + 1.25e-18 P^0.835)
//     dalpha = 3.48e-22 N^1.229 + 1.02e-19 P^1.089   cm^-1
// PARAMETERS.md flags the electron absorption coefficient for checking. The coefficient table
// of that paper as transcribed in Flexcompute's Tidy3D (NedeljkovicSorefMashanovich, row
// 1.3 um: a 3.48e-22, b 1.229, c 1.02e-19, d 1.089, p 2.98e-22, q 1.016, r 1.25e-18, s 0.835)
// agrees with all eight numbers; the primary PDF was not available here. The value is also
// physically consistent: at N = 1e18 cm^-3 it gives 4.6 cm^-1, against 9.0 cm^-1 from the same
// paper's 1.55 um row (8.88e-21 N^1.167), a ratio of 0.51 where Drude lambda^2 scaling alone
// gives 0.70 - the right size, whereas the coefficient's large jump between the rows is offset
// by the exponent (1.229 vs 1.167). The fit is at 1.30 um and is used unscaled over the window;
// free-carrier effects grow about as lambda^2, so at the window edges it is off by up to ~9%.
//
// C band and L band, 1500-1630 nm: Soref & Bennett, IEEE J. Quantum Electron. 23, 123 (1987),
// at 1.55 um (cm^-3, cm^-1):
//     dn = -(8.8e-22 N + 8.5e-18 P^0.8),   dalpha = 8.5e-18 N + 6.0e-18 P
// (the 2011 paper's own 1.55 um row, 5.40e-22 N^1.011 + 1.53e-18 P^0.838 for dn, is the newer
// alternative; we keep the classic fit the rest of the literature compares against).
//
// Elsewhere, or for non-finite densities: valid = false and NaN - neither fit extrapolates
// safely across the 1360-1500 nm gap or out of the telecom bands.
LL_HD inline PlasmaDispersion plasma_dispersion(double wavelength_m, double dN_per_m3,
                                                double dP_per_m3) {
  const double nan_v = junction_nan();
  if (!junction_finite(dN_per_m3) || !junction_finite(dP_per_m3)) return {nan_v, nan_v, false};
  const double n_cm3 = fabs(dN_per_m3) * pn::kPerCm3_per_PerM3;
  const double p_cm3 = fabs(dP_per_m3) * pn::kPerCm3_per_PerM3;
  const double sign_n = dN_per_m3 < 0.0 ? -1.0 : 1.0;
  const double sign_p = dP_per_m3 < 0.0 ? -1.0 : 1.0;
  double dn_e, dn_h, da_e_per_cm, da_h_per_cm;  // magnitudes for added carriers
  if (wavelength_m >= 1260e-9 && wavelength_m <= 1360e-9) {
    dn_e = 2.98e-22 * pow(n_cm3, 1.016);
    dn_h = 1.25e-18 * pow(p_cm3, 0.835);
    da_e_per_cm = 3.48e-22 * pow(n_cm3, 1.229);
    da_h_per_cm = 1.02e-19 * pow(p_cm3, 1.089);
  } else if (wavelength_m >= 1500e-9 && wavelength_m <= 1630e-9) {
    dn_e = 8.8e-22 * n_cm3;
    dn_h = 8.5e-18 * pow(p_cm3, 0.8);
    da_e_per_cm = 8.5e-18 * n_cm3;
    da_h_per_cm = 6.0e-18 * p_cm3;
  } else {
    return {nan_v, nan_v, false};
  }
  const double dn = -(sign_n * dn_e + sign_p * dn_h);
  const double dalpha_per_m = (sign_n * da_e_per_cm + sign_p * da_h_per_cm) * pn::kPerM_per_PerCm;
  return {dn, dalpha_per_m, true};
}

// --- Modulation --------------------------------------------------------------------------------
//
// Model. A reverse bias V widens the depletion region by dx_n = x_n(V) - x_n(0) into the n side
// and dx_p = x_p(V) - x_p(0) into the p side; those strips lose all their free carriers
// (electrons at N_D, holes at N_A), so their material index rises by dn_e = -f_n(N_D) and
// dn_h = -f_p(N_A) (plasma_dispersion with negative densities) and their absorption falls.
// The effective index of the mode changes by the strips' index change weighted by their share
// of the mode's lateral extent w and by the overlap Gamma of the mode with the junction silicon:
//     dn_eff(V) = Gamma [dx_n dn_e(N_D) + dx_p dn_h(N_A)] / w
//     dalpha_eff(V) = Gamma [dx_n dalpha_e(N_D) + dx_p dalpha_h(N_A)] / w     (negative)
// Assumptions: abrupt junction at the mode's centre with uniform doping on each side; the
// strips are thin against w, so the mode intensity is taken constant across them (w is the
// mode's extent as seen from the junction, integral(I dx) / I(junction), which is smaller than
// the physical width because the junction sits at the intensity peak); the junction runs the
// full height of the silicon (Gamma carries the vertical and the in-silicon fractions); zero
// bias is the reference, so dn_eff(0) = 0. Because W grows as sqrt(V_bi + V), the response is
// sublinear in V.

struct JunctionIndexChange {
  double dn_eff;        // effective-index change of the junction section, relative to V = 0
  double dalpha_per_m;  // effective power-absorption change of the section (negative: less loss)
  bool valid;
};

LL_HD inline JunctionIndexChange junction_index_change(const JunctionParams& j, double reverse_v) {
  const double nan_v = junction_nan();
  const DepletionWidths w0 = depletion_widths(j, 0.0);
  const DepletionWidths wv = depletion_widths(j, reverse_v);
  // Carriers removed: electrons at N_D on the n side, holes at N_A on the p side.
  const PlasmaDispersion n_side = plasma_dispersion(j.wavelength_m, -j.doping_n_per_m3, 0.0);
  const PlasmaDispersion p_side = plasma_dispersion(j.wavelength_m, 0.0, -j.doping_p_per_m3);
  const bool geometry_ok =
      j.waveguide_width_m > 0.0 && j.mode_overlap >= 0.0 && j.mode_overlap <= 1.0;
  if (!n_side.valid || !p_side.valid || !geometry_ok || !junction_finite(w0.total_m) ||
      !junction_finite(wv.total_m))
    return {nan_v, nan_v, false};
  const double dxn = wv.n_side_m - w0.n_side_m;
  const double dxp = wv.p_side_m - w0.p_side_m;
  const double weight = j.mode_overlap / j.waveguide_width_m;
  return {weight * (dxn * n_side.dn + dxp * p_side.dn),
          weight * (dxn * n_side.dalpha_per_m + dxp * p_side.dalpha_per_m), true};
}

// First-order resonance shift of a ring whose fraction `coverage` of the circumference sees an
// effective-index change dn_eff: d lambda = lambda coverage dn_eff / n_g (the group index, not
// n_eff, because the resonance condition n_eff(lambda) L = m lambda is re-solved with n_eff's
// own dispersion; Bogaerts et al., Laser Photon. Rev. 6, 47 (2012)).
LL_HD inline double resonance_shift_m(double wavelength_m, double n_g, double dn_eff,
                                      double coverage) {
  return wavelength_m * coverage * dn_eff / n_g;
}

struct JunctionRingResponse {
  double shift_m;               // resonance shift, relative to V = 0 (> 0: red shift)
  double loss_db_per_m_change;  // change of the ring's loss averaged over its circumference,
                                // comparable with RingGeometry::loss_db_per_m; times 2 pi R it
                                // is the round-trip loss change in dB
};

// The ring's response at reverse bias `reverse_v` relative to 0 V, for group index n_g. NaN
// fields where junction_index_change is invalid.
LL_HD inline JunctionRingResponse junction_ring_response(const JunctionParams& j, double reverse_v,
                                                         double n_g) {
  const JunctionIndexChange d = junction_index_change(j, reverse_v);
  if (!d.valid) return {junction_nan(), junction_nan()};
  // The covered length carries dalpha; averaged over the circumference that is coverage x it.
  return {resonance_shift_m(j.wavelength_m, n_g, d.dn_eff, j.ring_coverage),
          j.ring_coverage * d.dalpha_per_m * pn::kDb_per_Neper_power};
}

// --- Preset ------------------------------------------------------------------------------------
//
// The 200G O-band ring of the default scenario (Yuan et al. 200G ring: FSR 5.7 nm, Q about 3700,
// 16.3 pm/V, per PARAMETERS.md; geometry R = 11.41 um, n_g = 4.2, 1310 nm from
// scenarios/lane_200g_pam4.toml). The published figures do not include the junction, so:
//   - N_A = N_D = 2e18 cm^-3: the range of 100-200G depletion rings. Cross-check: a fully doped
//     junction at this level absorbs 10.8 + 8.7 = 19.5 cm^-1 (Nedeljkovic 1.3 um fit), i.e.
//     85 dB/cm; with Gamma 0.75 over 80% of the ring that is 51 dB/cm, about half the 99.4 dB/cm
//     the scenario derives from Q and the notch depth, which leaves room for bend and contact
//     loss - a doping of 5e18 would alone exceed the total.
//   - 220 nm SOI height; 80% coverage (the gap leaves room for the contacts and the bus
//     coupler); Gamma = 0.75, the in-silicon fraction of a 220 nm O-band mode.
//   - R_s = 50 ohm: assumed (no published figure to hand). It puts f_RC at 87 GHz at 0 V and
//     138 GHz at 1.5 V, above the 80 GHz the scenario allows for driver + junction together.
//   - CALIBRATED: waveguide_width_m = 270 nm (the physical rib is about 450 nm wide). With
//     the physical 450 nm the model gives 9.8 pm/V, 40% short of the measured 16.3 pm/V. The
//     parameter is the mode's lateral extent as seen from the junction, integral(I dx) /
//     I(junction); for a fundamental TE mode whose intensity is about cos^2 across a 450 nm core
//     and which has the junction at its peak this is roughly w/2 plus the evanescent tails,
//     250-300 nm. 270 nm was chosen to reproduce 16.3 pm/V averaged over 0-2 V (the model gives
//     16.3 pm/V there; 18.4 pm/V over 0-1 V and 14.1 pm/V over 1-2 V). Junction layouts that
//     fold the PN interface into the mode (L or Z shapes) raise the efficiency further; this
//     one-dimensional model lumps them into the same number.
LL_HD constexpr JunctionParams yuan_200g_junction() {
  JunctionParams j{};
  j.doping_n_per_m3 = 2e24;  // 2e18 cm^-3
  j.doping_p_per_m3 = 2e24;  // 2e18 cm^-3
  j.temperature_k = 300.0;
  j.waveguide_height_m = 220e-9;
  j.waveguide_width_m = 270e-9;  // calibrated, see above
  j.ring_radius_m = 11.41e-6;    // scenarios/lane_200g_pam4.toml: from FSR 5.7 nm, n_g 4.2
  j.ring_coverage = 0.8;
  j.series_resistance_ohm = 50.0;
  j.mode_overlap = 0.75;
  j.wavelength_m = 1310e-9;
  return j;
}

}  // namespace ll
