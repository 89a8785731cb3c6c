// Electro-absorption modulated laser ([eml]; the modulator stage's third choice): a DFB laser
// (laser.power_dbm, laser.rin_db_per_hz) into an electro-absorption modulator.
//
// Static curve: the EAM's power transmission against its reverse bias V (the drive v, V >= 0
// reverse) as the behavioural form T(V) = T0 exp(-(V / V0)^n) (T0: its insertion loss at 0 V;
// V0: the bias where the absorption reaches 1/e, 4.34 dB; n: how sharply the quantum-confined
// Stark absorption edge sets in; fitted to a datasheet's extinction against bias). Chirp: a
// constant Henry factor alpha ties the phase to the power, phi = -(alpha / 2) ln T (the
// convention of physics/fibre.hpp: alpha > 0, the frequency rises with the power), so the field is
//     E = sqrt(T) exp(-i (alpha / 2) ln T)     ... written E = sqrt(T) exp(i (alpha / 2) a)
// with a = (V / V0)^n - ln T0 the absorption exponent (ln T = ln T0 - a).
// Its RC-limited bandwidth is a pole in H1 (host/link/modulator_setup.cpp).
#pragma once

#include "physics/complex.hpp"
#include "physics/config.hpp"

namespace ll {

template <class Real>
struct EmlModulator {
  Real log_t0;        // ln T0 (<= 0)
  Real inv_v0;        // 1 / V0
  Real exponent;      // n
  Real half_alpha;    // alpha / 2

  // The absorption exponent -ln T at reverse bias v (forward bias reads as 0 V: the set-up keeps
  // the drive in reverse bias).
  LL_HD LL_FORCEINLINE Real absorption(Real drive_v) const {
    const Real x = drive_v > Real(0) ? drive_v * inv_v0 : Real(0);
    return pow_pos(x) - log_t0;
  }
  LL_HD LL_FORCEINLINE Real transmission(Real drive_v) const { return math_exp(-absorption(drive_v)); }
  LL_HD LL_FORCEINLINE Complex<Real> field(Real drive_v) const {
    const Real a = absorption(drive_v);
    const Real amplitude = math_exp(Real(-0.5) * a);
    Real s, c;
    math_sincos(half_alpha * a, &s, &c);
    return {amplitude * c, amplitude * s};
  }
  // x^n for x >= 0 (0 at 0).
  LL_HD LL_FORCEINLINE Real pow_pos(Real x) const {
    return x > Real(0) ? math_exp(exponent * math_log(x)) : Real(0);
  }
  template <class To>
  EmlModulator<To> converted() const {
    return {static_cast<To>(log_t0), static_cast<To>(inv_v0), static_cast<To>(exponent),
            static_cast<To>(half_alpha)};
  }
};

}  // namespace ll
