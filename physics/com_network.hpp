// The 2-port networks and filters of IEEE 802.3 annex 93A (COM), evaluated on the host in double
// when a channel's COM is computed (host/link/com_standard.cpp). Differential 2-ports in the
// single-ended-equivalent form 93A uses: a shunt capacitance C on each leg of a pair referenced
// to 2 R_0 is the shunt C referenced to R_0, a series L on each leg the series L referenced to R_0,
// and the package line's differential impedance Z_c is compared with 2 R_0.
// Frequencies in Hz, capacitances in F, inductances in H, lengths in mm (93A's units for the
// line's loss coefficients, with f in GHz inside gamma).
#pragma once

#include <cmath>
#include <complex>

#include "physics/config.hpp"

namespace ll {

struct SParams2 {
  std::complex<double> s11, s12, s21, s22;
};

// a then b (port 2 of a into port 1 of b), the usual S-parameter cascade.
inline SParams2 cascade(const SParams2& a, const SParams2& b) {
  const std::complex<double> d = 1.0 / (1.0 - a.s22 * b.s11);
  return {a.s11 + a.s12 * a.s21 * b.s11 * d, a.s12 * b.s12 * d, a.s21 * b.s21 * d,
          b.s22 + b.s21 * b.s12 * a.s22 * d};
}

// The same network seen from its other end.
inline SParams2 flipped(const SParams2& s) { return {s.s22, s.s21, s.s12, s.s11}; }

// The junction between a reference impedance z_from (port 1) and z_to (port 2), both real: the
// power-wave S-matrix S11 = G, S22 = -G, S21 = S12 = sqrt(1 - G^2), G = (z_to - z_from) /
// (z_to + z_from). junction(b, a) . S . junction(a, b) is S, referenced to a, re-referenced to b
// (178A-4: a channel measured at 100 ohm seen at 2 R_0).
inline SParams2 junction(double z_from_ohm, double z_to_ohm) {
  const double g = (z_to_ohm - z_from_ohm) / (z_to_ohm + z_from_ohm);
  const double t = std::sqrt(1.0 - g * g);
  return {g, t, t, -g};
}

inline SParams2 renormalised(const SParams2& s, double z_from_ohm, double z_to_ohm) {
  if (z_from_ohm == z_to_ohm) return s;
  return cascade(cascade(junction(z_to_ohm, z_from_ohm), s), junction(z_from_ohm, z_to_ohm));
}

// (93A-8): a shunt capacitance, S11 = -j w C R_0 / (2 + j w C R_0), S21 = 2 / (2 + j w C R_0).
inline SParams2 shunt_capacitance(double f_hz, double c_f, double r0_ohm) {
  const std::complex<double> x(0.0, 2.0 * kPi * f_hz * c_f * r0_ohm);
  const std::complex<double> s11 = -x / (2.0 + x), s21 = 2.0 / (2.0 + x);
  return {s11, s21, s21, s11};
}

// A series inductance (the die's L_s of the 802.3ck/dj ladder): Z = j w L, S11 = Z / (Z + 2 R_0),
// S21 = 2 R_0 / (Z + 2 R_0).
inline SParams2 series_inductance(double f_hz, double l_h, double r0_ohm) {
  const std::complex<double> z(0.0, 2.0 * kPi * f_hz * l_h);
  const std::complex<double> s11 = z / (z + 2.0 * r0_ohm), s21 = 2.0 * r0_ohm / (z + 2.0 * r0_ohm);
  return {s11, s21, s21, s11};
}

// The package line's loss and delay (93A-9 .. 93A-14): with f in GHz,
//   gamma(f) = gamma_0 + a_1 (1 + j) sqrt(f) + f (a_2 (1 - j (2/pi) ln f) + j 2 pi tau)  [1/mm],
// gamma(0) = gamma_0; a line of length z_p and differential impedance Z_c between 2 R_0 ends:
//   rho = (Z_c - 2 R_0) / (Z_c + 2 R_0),
//   S11 = rho (1 - e^{-2 gamma z_p}) / (1 - rho^2 e^{-2 gamma z_p}),
//   S21 = (1 - rho^2) e^{-gamma z_p} / (1 - rho^2 e^{-2 gamma z_p}).
struct PackageLineLoss {
  double gamma0_per_mm = 0.0, a1_sqrt_ns_per_mm = 0.0, a2_ns_per_mm = 0.0, tau_ns_per_mm = 0.0;
  bool operator==(const PackageLineLoss&) const = default;
};
inline SParams2 package_line(double f_hz, double z_c_ohm, double length_mm, double r0_ohm,
                             const PackageLineLoss& k) {
  const double f = f_hz * 1e-9;
  std::complex<double> gamma = k.gamma0_per_mm;
  if (f > 0.0) {
    const std::complex<double> j(0.0, 1.0);
    gamma += k.a1_sqrt_ns_per_mm * (1.0 + j) * std::sqrt(f) +
             f * (k.a2_ns_per_mm * (1.0 - j * (2.0 / kPi) * std::log(f)) +
                  j * 2.0 * kPi * k.tau_ns_per_mm);
  }
  const double rho = (z_c_ohm - 2.0 * r0_ohm) / (z_c_ohm + 2.0 * r0_ohm);
  const std::complex<double> e1 = std::exp(-gamma * length_mm), e2 = e1 * e1;
  const std::complex<double> den = 1.0 - rho * rho * e2;
  const std::complex<double> s11 = rho * (1.0 - e2) / den, s21 = (1.0 - rho * rho) * e1 / den;
  return {s11, s21, s21, s11};
}

// (93A-18): the voltage transfer function of a 2-port between a source and a load whose
// reflection coefficients are gamma1 and gamma2 ((R_d - R_0) / (R_d + R_0) for 93A's die):
//   H_21 = S21 (1 - G1)(1 + G2) / (1 - S11 G1 - S22 G2 + G1 G2 (S11 S22 - S21 S12)).
inline std::complex<double> terminated_transfer(const SParams2& s, double gamma1, double gamma2) {
  const std::complex<double> det = s.s11 * s.s22 - s.s21 * s.s12;
  return s.s21 * (1.0 - gamma1) * (1.0 + gamma2) /
         (1.0 - s.s11 * gamma1 - s.s22 * gamma2 + gamma1 * gamma2 * det);
}

// (93A-20): the reference receiver's noise filter, a 4th-order Butterworth at f_r f_b:
//   H_r = 1 / (1 - 3.414214 y^2 + y^4 + j 2.613126 (y - y^3)), y = f / (f_r f_b).
inline std::complex<double> com_receiver_filter(double f_hz, double bandwidth_hz) {
  const double y = f_hz / bandwidth_hz, y2 = y * y;
  return 1.0 / std::complex<double>(1.0 - 3.414214 * y2 + y2 * y2, 2.613126 * (y - y * y2));
}

// (93A-46): the transmitter's rise-time filter, a Gaussian of 20-80% rise time T_r:
//   H_t = exp(-2 (pi f T_r / 1.6832)^2); 1 where T_r is 0 (the sets that have none).
inline double com_transmitter_filter(double f_hz, double rise_time_s) {
  const double x = kPi * f_hz * rise_time_s / 1.6832;
  return std::exp(-2.0 * x * x);
}

}  // namespace ll
