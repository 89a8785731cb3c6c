// Receiver noise: the variances of the white current noises at the photodiode, counted over the
// receiver's equivalent noise bandwidth B_n, as the three coefficients of a quadratic in the
// noiseless photocurrent I of a sample:
//     sigma^2(I) = S_i^2 B_n + 2 q I B_n + RIN I^2 B_n,
// the textbook 2 q (I + I_d) B + S_i^2 B_n + RIN I^2 B (thermal/TIA, shot and laser intensity
// noise; Agrawal, Fiber-Optic Communication Systems, ch. 4, receiver noise) with the dark
// current I_d inside I: the received levels the engine carries are signal plus dark current, so
// the RIN term sees I_d too, a relative change of 2 I_d / I to that term (4e-5 for 10 nA under
// 0.5 mA). The host fills LinkConstants' noise_var_* with these per link
// (host/link/link_constants.cpp); receiver_noise_variance below sums them at a sample's
// current.
#pragma once

#include "physics/config.hpp"

namespace ll {

// Thermal (TIA input-referred) noise, A^2: S_i^2 B_n for a current noise density S_i in A/rtHz.
LL_HD inline double tia_noise_variance_a2(double density_a_per_rthz, double bandwidth_hz) {
  return density_a_per_rthz * density_a_per_rthz * bandwidth_hz;
}

// Shot noise per ampere of photocurrent, A^2 per A: 2 q B_n (times I, signal plus dark current).
LL_HD inline double shot_noise_variance_a2_per_a(double bandwidth_hz) {
  return 2.0 * kElementaryCharge_C * bandwidth_hz;
}

// Laser relative intensity noise per A^2 of photocurrent, A^2 per A^2: 10^(RIN_dB/10) B_n for a
// RIN in dB/Hz (times I^2).
LL_HD inline double rin_noise_variance_a2_per_a2(double rin_db_per_hz, double bandwidth_hz) {
  return pow(10.0, rin_db_per_hz / 10.0) * bandwidth_hz;
}

// Receiver noise variance at noiseless photocurrent `current_a` (A^2): const + shot I + rin I^2,
// a negative current counted as none.
template <class Real>
LL_HD LL_FORCEINLINE Real receiver_noise_variance(Real const_a2, Real shot_a, Real rin,
                                                  Real current_a) {
  const Real i = current_a > Real(0) ? current_a : Real(0);
  return const_a2 + shot_a * i + rin * i * i;
}

// The photodiode's current at a ring transmission T, A: P_laser 10^(-loss/10) R T + I_dark. `c`
// holds photocurrent_per_transmission_a (the laser's power, the optical loss and the responsivity
// folded, host/link/link_constants.cpp) and dark_current_a: LinkConstants or a ring's constants.
template <class C, class Real>
LL_HD LL_FORCEINLINE Real photodiode_current_a(const C& c, Real transmission) {
  return c.photocurrent_per_transmission_a * transmission + c.dark_current_a;
}

}  // namespace ll
