// Mach-Zehnder modulator, push-pull ([mzm]; the modulator stage's other choice beside the ring).
//
// The drive v (V) sits on a DC bias V_b (driver.bias_v); its excursion u = v - V_b reaches the two
// arms as V_1 = V_b + s_1 u and V_2 = V_b - s_2 u, with s_1 = (1 + e)/2 and s_2 = (1 - e)/2 for an
// arm imbalance e (0: balanced push-pull). Each arm delays the light by a phase phi(V) relative
// to the bias; the second arm carries the static bias phase phi_b as well. The through field is
//     E = (exp(-i phi(V_1)) + exp(-i (phi(V_2) + phi_b))) / 2        (the e^{+i w t} baseband
// convention of physics/fibre.hpp: a delay is e^{-i phi}), so
//     T = |E|^2 = cos^2((phi(V_1) - phi(V_2) - phi_b) / 2)
// and the common phase (phi(V_1) + phi(V_2) + phi_b) / 2 is the chirp: constant for a balanced
// Pockels modulator, not for an unbalanced one or a silicon one.
//
// The arm's phase against its voltage:
// - thin-film lithium niobate (Pockels): linear, phi = pi (V - V_b) / V_pi with V_pi = (V_pi L) / L;
// - silicon carrier depletion (abrupt PN junction in reverse bias): the index change follows the
//   depleted width, which grows as sqrt(V_bi + V), so
//       phi = (pi / V_pi) 2 (V_bi + V_b) (sqrt((V_bi + V) / (V_bi + V_b)) - 1),
//   with V_pi the small-signal value at the bias (the slope there is pi / V_pi); it needs
//   V_bi + V > 0 on every arm (the set-up refuses a drive into forward conduction).
// A push-pull pair needs an excursion u of V_pi to swing the phase difference by pi.
#pragma once

#include "physics/complex.hpp"
#include "physics/config.hpp"

namespace ll {

template <class Real>
struct MzmModulator {
  Real phase_per_v;     // pi / V_pi at the bias
  Real bias_v;          // V_b
  Real share_1, share_2;  // s_1, s_2
  Real bias_phase_rad;  // phi_b
  Real builtin_v;       // silicon: V_bi; 0: Pockels (linear)

  // One arm's phase delay at voltage v_arm, relative to the bias.
  LL_HD LL_FORCEINLINE Real arm_phase(Real v_arm) const {
    if (builtin_v > Real(0)) {
      const Real depth = builtin_v + bias_v;
      return phase_per_v * Real(2) * depth *
             (math_sqrt((builtin_v + v_arm) / depth) - Real(1));
    }
    return phase_per_v * (v_arm - bias_v);
  }
  LL_HD LL_FORCEINLINE Complex<Real> field(Real drive_v) const {
    const Real u = drive_v - bias_v;
    const Real p1 = arm_phase(bias_v + share_1 * u);
    const Real p2 = arm_phase(bias_v - share_2 * u) + bias_phase_rad;
    Real s1, c1, s2, c2;
    math_sincos(p1, &s1, &c1);
    math_sincos(p2, &s2, &c2);
    return {Real(0.5) * (c1 + c2), -Real(0.5) * (s1 + s2)};
  }
  LL_HD LL_FORCEINLINE Real transmission(Real drive_v) const {
    const Real u = drive_v - bias_v;
    const Real d = arm_phase(bias_v + share_1 * u) - arm_phase(bias_v - share_2 * u) -
                   bias_phase_rad;
    return Real(1) - sin_squared(Real(0.5) * d);  // cos^2, by the vectorising series in float
  }
  template <class To>
  MzmModulator<To> converted() const {
    return {static_cast<To>(phase_per_v),    static_cast<To>(bias_v),
            static_cast<To>(share_1),        static_cast<To>(share_2),
            static_cast<To>(bias_phase_rad), static_cast<To>(builtin_v)};
  }
};

}  // namespace ll
