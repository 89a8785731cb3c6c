// Static all-pass micro-ring modulator.
//
// Geometry (Bogaerts et al., Laser Photon. Rev. 6, 47 (2012)): round-trip length L = 2 pi R,
// self-coupling r = sqrt(1 - kappa^2), round-trip amplitude a = 10^(-loss_dB/20), round-trip
// phase phi = 2 pi n_eff(lambda) L / lambda, power transmission
//     T = (a^2 - 2 a r cos phi + r^2) / (1 - 2 a r cos phi + (a r)^2).
// Dispersion: n_eff is linear in wavelength about the laser wavelength lambda0, with slope set
// by the group index, n_eff(lambda) = n_eff0 + (n_eff0 - n_g)(lambda - lambda0)/lambda0, so
//     phi(lambda) = 2 pi L n_g / lambda + 2 pi L (n_eff0 - n_g) / lambda0
// exactly. Resonances phi = 2 pi m therefore have the closed form
//     lambda_m = 2 pi L n_g / (2 pi m - C),  C = 2 pi L (n_eff0 - n_g) / lambda0,
// and FSR = lambda^2 / (n_g L) to first order. The half-depth points of the dip satisfy
//     1 - 2 a r cos phi + (a r)^2 = 2 (1 - a r)^2
// (the Lorentzian 1 - T falls to half), which gives the loaded Q exactly, without the
// small-linewidth approximation Q = pi n_g L sqrt(ra) / (lambda (1 - ra)).
//
// Modulation: the resonance moves linearly with the junction voltage, lambda_res(V) =
// lambda_res(0) + shift * V (a red shift under reverse bias for a depletion ring). The ring is
// held (by its heater, see the thermal model) so that lambda_res(0) = lambda_laser - detuning.
// Per sample the reduced phase is evaluated in the cancellation-free form
//     T = ((a - r)^2 + 4 a r s^2) / ((1 - a r)^2 + 4 a r s^2),  s = sin(phi_rel / 2),
// which keeps float precision at the notch, where 1 - 2 a r cos phi + (ar)^2 would lose digits.
#pragma once

#include <cmath>

#include "physics/complex.hpp"
#include "physics/config.hpp"

namespace ll {

struct RingGeometry {
  double radius_m;
  double n_eff;           // effective index at the laser wavelength
  double n_g;             // group index at the laser wavelength
  double power_coupling;  // kappa^2, bus <-> ring, 0 < kappa^2 < 1
  double loss_db_per_m;   // ring waveguide propagation loss
  double laser_wavelength_m;
};

struct RingFigures {
  double round_trip_m;
  double a, r;            // round-trip amplitude, self-coupling
  double resonance_m;     // the natural resonance nearest to the laser
  double fsr_m;           // to the next resonance on the long-wavelength side
  double fwhm_m;          // full width at half depth
  double phase_half_rad;  // round-trip phase offset of the half-depth points
  double q_loaded;        // resonance_m / fwhm_m
  double notch_depth_db;  // 10 log10(Tmax / Tmin)
};

// Round-trip phase at `wavelength_m` (rad, unreduced).
LL_HD inline double ring_phase(const RingGeometry& g, double wavelength_m) {
  const double L = 2.0 * kPi * g.radius_m;
  return 2.0 * kPi * L * g.n_g / wavelength_m +
         2.0 * kPi * L * (g.n_eff - g.n_g) / g.laser_wavelength_m;
}

// All-pass power transmission for round-trip phase phi, stable near resonance.
template <class Real>
LL_HD LL_FORCEINLINE Real allpass_transmission(Real a, Real r, Real phi) {
  const Real four_ar_s2 = Real(4) * a * r * sin_squared(phi * Real(0.5));
  const Real num = (a - r) * (a - r) + four_ar_s2;
  const Real den = (Real(1) - a * r) * (Real(1) - a * r) + four_ar_s2;
  return num / den;
}

LL_HD inline RingFigures ring_figures(const RingGeometry& g) {
  RingFigures f{};
  f.round_trip_m = 2.0 * kPi * g.radius_m;
  const double L = f.round_trip_m;
  f.a = pow(10.0, -g.loss_db_per_m * L / 20.0);
  f.r = sqrt(1.0 - g.power_coupling);
  const double C = 2.0 * kPi * L * (g.n_eff - g.n_g) / g.laser_wavelength_m;
  const double K = 2.0 * kPi * L * g.n_g;
  // Order m of the resonance nearest the laser: phi(lambda_laser) = 2 pi m.
  const double m = floor(ring_phase(g, g.laser_wavelength_m) / (2.0 * kPi) + 0.5);
  f.resonance_m = K / (2.0 * kPi * m - C);
  f.fsr_m = K / (2.0 * kPi * (m - 1.0) - C) - f.resonance_m;
  const double ar = f.a * f.r;
  const double cos_half = (1.0 + ar * ar - 2.0 * (1.0 - ar) * (1.0 - ar)) / (2.0 * ar);
  const double phi_half = acos(cos_half);
  f.phase_half_rad = phi_half;
  const double lambda_lo = K / (2.0 * kPi * m - C + phi_half);
  const double lambda_hi = K / (2.0 * kPi * m - C - phi_half);
  f.fwhm_m = lambda_hi - lambda_lo;
  f.q_loaded = f.resonance_m / f.fwhm_m;
  const double t_min = allpass_transmission(f.a, f.r, 0.0);
  const double t_max = allpass_transmission(f.a, f.r, kPi);
  f.notch_depth_db = 10.0 * log10(t_max / t_min);
  return f;
}

// The resonance's offset from the laser, for a resonance moved by shift_m from its 0 V position
// lambda_res(0) = lambda_L - detuning, as scale_per_m (1/lambda_res - 1/lambda_L)
//     = scale_per_m (lambda_L - lambda_res) / (lambda_L lambda_res),
// with lambda_L - lambda_res = detuning - shift formed as a difference of small numbers so that
// float keeps its digits. The one source of the offset: the coupled-mode detuning per sample
// (RingCmt, physics/ring_dynamics.hpp, scale 2 pi c T) is it, the static ring's reduced phase
// (RingModulator, scale 2 pi L n_g) is it negated, which IEEE arithmetic does exactly.
template <class Real>
LL_HD LL_FORCEINLINE Real resonance_offset(Real scale_per_m, Real laser_wavelength_m,
                                           Real detuning_m, Real shift_m) {
  const Real offset_m = detuning_m - shift_m;  // lambda_L - lambda_res
  return scale_per_m * offset_m / (laser_wavelength_m * (laser_wavelength_m - offset_m));
}

// All-pass power transmission from coefficients precomputed in double: (a - r)^2, (1 - a r)^2
// and 4 a r. Rounding a and r to float first would leave (a - r)^2, the notch depth, with a
// relative error of eps / |a - r| (1e-5 near critical coupling); rounding the coefficients
// keeps every term to float precision.
template <class Real>
LL_HD LL_FORCEINLINE Real allpass_transmission_coeffs(Real num0, Real den0, Real four_ar,
                                                      Real phi) {
  const Real q = four_ar * sin_squared(phi * Real(0.5));
  return (num0 + q) / (den0 + q);
}

// The all-pass ring's through-port field at round-trip phase phi from r - a, 1 - a r, a and a r
// (RingModulator::field below gives the form; the PN-junction ring's table supplies them per V).
template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> allpass_field(Real r_minus_a, Real one_minus_ar, Real a, Real ar,
                                                 Real phi) {
  Real s, c;  // of phi / 2 modulo pi: s^2 and 2 s c are what the field needs
  sin_cos_mod_pi(phi * Real(0.5), &s, &c);
  const Real s2 = Real(2) * s * s, sin_phi = Real(2) * s * c;
  const Real nr = r_minus_a + a * s2, ni = a * sin_phi;
  const Real dr = one_minus_ar + ar * s2, di = ar * sin_phi;
  const Real inv = Real(1) / (dr * dr + di * di);
  return {(nr * dr + ni * di) * inv, (ni * dr - nr * di) * inv};
}

// Per-sample modulator: drive voltage -> power transmission at the laser wavelength.
template <class Real>
struct RingModulator {
  Real num0, den0, four_ar;  // (a - r)^2, (1 - a r)^2, 4 a r
  Real phase_per_m;          // 2 pi L n_g: phi_rel = phase_per_m * (1/lambda_L - 1/lambda_res)
  Real laser_wavelength_m;
  Real detuning_m;     // lambda_laser - lambda_res(0)
  Real shift_m_per_v;  // d lambda_res / dV
  // For the field (a fibre after the ring, physics/fibre.hpp): r - a and 1 - a r formed in double,
  // a and a r.
  Real r_minus_a, one_minus_ar, a, ar;

  // phi_rel = 2 pi L n_g (1/lambda_L - 1/lambda_res) = 2 pi L n_g (lambda_res - lambda_L) /
  // (lambda_L lambda_res), with lambda_res - lambda_L = shift V - detuning formed as a
  // difference of small numbers so that float keeps its digits (resonance_offset).
  LL_HD LL_FORCEINLINE Real phase(Real drive_v) const {
    return phase_of_shift(shift_m_per_v * drive_v);
  }
  // For a resonance moved by shift_m from its 0 V position (any electro-optic model). The
  // negation is exact: this is phase_per_m (shift - detuning) / (lambda_L (lambda_L + shift -
  // detuning)) to the bit, except at shift == detuning, where it is -0 rather than +0 (sin^2 of
  // either is +0).
  LL_HD LL_FORCEINLINE Real phase_of_shift(Real shift_m) const {
    return -resonance_offset(phase_per_m, laser_wavelength_m, detuning_m, shift_m);
  }
  LL_HD LL_FORCEINLINE Real transmission(Real drive_v) const {
    return allpass_transmission_coeffs(num0, den0, four_ar, phase(drive_v));
  }
  // The through port's field, t = (r - a e^{-i phi}) / (1 - a r e^{-i phi}) (the round trip's
  // phase lag in the e^{+i w t} baseband convention of physics/fibre.hpp), written with
  // s = sin(phi / 2) as ((r - a) + 2 a s^2 + i a sin phi) / ((1 - a r) + 2 a r s^2 + i a r sin phi),
  // which keeps float's digits at the notch as the transmission's form does; |t|^2 is it.
  LL_HD LL_FORCEINLINE Complex<Real> field(Real drive_v) const {
    return allpass_field(r_minus_a, one_minus_ar, a, ar, phase(drive_v));
  }

  // The same modulator in another precision (float for the GPU).
  template <class To>
  RingModulator<To> converted() const {
    return {static_cast<To>(num0),
            static_cast<To>(den0),
            static_cast<To>(four_ar),
            static_cast<To>(phase_per_m),
            static_cast<To>(laser_wavelength_m),
            static_cast<To>(detuning_m),
            static_cast<To>(shift_m_per_v),
            static_cast<To>(r_minus_a),
            static_cast<To>(one_minus_ar),
            static_cast<To>(a),
            static_cast<To>(ar)};
  }

  LL_HD static RingModulator make(double a, double r, double phase_per_m, double laser_m,
                                  double detuning_m, double shift_m_per_v) {
    return {static_cast<Real>((a - r) * (a - r)), static_cast<Real>((1.0 - a * r) * (1.0 - a * r)),
            static_cast<Real>(4.0 * a * r),       static_cast<Real>(phase_per_m),
            static_cast<Real>(laser_m),           static_cast<Real>(detuning_m),
            static_cast<Real>(shift_m_per_v),     static_cast<Real>(r - a),
            static_cast<Real>(1.0 - a * r),       static_cast<Real>(a),
            static_cast<Real>(a * r)};
  }
};

// Coupled-mode constants that reproduce this ring (physics/ring_dynamics.hpp). The round-trip
// phase is linear in optical frequency, phi = w tau_rt + const with tau_rt = n_g L / c, so the
// half-depth points sit at dw = +-phi_half / tau_rt exactly: gamma = phi_half / tau_rt. The notch
// depth fixes kappa: sqrt(T_min) = |gamma - kappa| / gamma, with kappa > gamma (more coupling than
// loss) when the ring is over-coupled (r < a).
struct CmtRates {
  double gamma_per_s;  // 1 / tau
  double kappa_per_s;  // 2 / tau_e
};
LL_HD inline CmtRates cmt_rates(const RingGeometry& g, const RingFigures& f) {
  const double tau_rt = g.n_g * f.round_trip_m / kSpeedOfLight_m_per_s;
  const double gamma = f.phase_half_rad / tau_rt;
  const double depth = sqrt(allpass_transmission(f.a, f.r, 0.0));
  const double kappa = f.r < f.a ? gamma * (1.0 + depth) : gamma * (1.0 - depth);
  return {gamma, kappa};
}

}  // namespace ll
