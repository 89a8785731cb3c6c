// Set-up formulas of the electrical path, evaluated on the host in double when a link is set up
// (host/link/channel.cpp, filter_design.cpp, com.cpp design their FIRs and figures from them):
// the parametric channel's insertion loss, the die-and-package cascade, the COM-family CTLE and
// the 4th-order Bessel-Thomson response. In std::complex<double>, not LL_HD: no stage evaluates
// them per sample (the engine runs their FIRs).
#pragma once

#include <cmath>
#include <complex>

#include "physics/config.hpp"

namespace ll {

// Parametric insertion loss (dB, positive) at f: IL(f) = L_N (s sqrt(f/f_N) + (1 - s) f/f_N),
// skin effect and dielectric, L_N the loss at Nyquist f_N, s the skin share.
inline double parametric_loss_db(double f_hz, double loss_at_nyquist_db, double nyquist_hz,
                                 double skin_share) {
  const double x = f_hz / nyquist_hz;
  return loss_at_nyquist_db * (skin_share * std::sqrt(x) + (1.0 - skin_share) * x);
}

// The die and package at each end of the parametric channel (IEEE 802.3 COM's model, without
// its bump and ball capacitances): the die's pad capacitance to ground, then a lossless package
// trace of impedance Z_p and one-way delay, between 50 ohm references.
inline constexpr double kPackageReferenceOhm = 50.0;
struct PackageModel {
  double die_capacitance_f = 0.0;
  double impedance_ohm = kPackageReferenceOhm;
  double delay_s = 0.0;  // 0: no trace
};

// S21 of die | trace | line | trace | die between the references, the line a matched 2-port of
// through response `line` (chain (ABCD) matrices: shunt C [1 0; jwC 1], trace [cos t, j Z_p
// sin t; j sin t / Z_p, cos t] with t = w delay, S21 = 2 / (A + B / Z0 + C Z0 + D)).
inline std::complex<double> package_cascade_s21(double f_hz, std::complex<double> line,
                                                const PackageModel& pkg) {
  using cd = std::complex<double>;
  struct Abcd {
    cd a, b, c, d;
  };
  auto mul = [](const Abcd& x, const Abcd& y) {
    return Abcd{x.a * y.a + x.b * y.c, x.a * y.b + x.b * y.d, x.c * y.a + x.d * y.c,
                x.c * y.b + x.d * y.d};
  };
  const double z0 = kPackageReferenceOhm;
  const double w = 2.0 * kPi * f_hz;
  const Abcd shunt{1.0, 0.0, cd(0.0, w * pkg.die_capacitance_f), 1.0};
  const double theta = w * pkg.delay_s;
  const cd j(0.0, 1.0);
  const Abcd trace{std::cos(theta), j * pkg.impedance_ohm * std::sin(theta),
                   j * std::sin(theta) / pkg.impedance_ohm, std::cos(theta)};
  // The main channel: a matched reciprocal 2-port of through response H (S11 = S22 = 0).
  const cd h = line;
  const Abcd main{(1.0 / h + h) / 2.0, z0 * (1.0 / h - h) / 2.0, (1.0 / h - h) / (2.0 * z0),
                  (1.0 / h + h) / 2.0};
  const Abcd total = mul(mul(mul(mul(shunt, trace), main), trace), shunt);
  return 2.0 / (total.a + total.b / z0 + total.c * z0 + total.d);
}

// CTLE of the IEEE 802.3 COM family (802.3ck/dj):
//     H(f) = (g + j f/f_z) / ((1 + j f/f_p1)(1 + j f/f_p2)) x (g2 + j f/f_LF) / (1 + j f/f_p3),
// g = 10^(gDC/20), g2 = 10^(gDC2/20), f_p3 = f_LF in 93A-22 (178A-14 lets it differ). Each stage
// is linear in its gain: H = (g a + b)(g2 c + d), the form the COM search sums pulses in; without
// the second stage (f_LF = 0) c = 0, d = 1.
struct CtleStages {
  std::complex<double> a, b, c, d;
};
inline CtleStages ctle_stages(double f_hz, double zero_hz, double pole1_hz, double pole2_hz,
                              double lf_hz, double lf_pole_hz = 0.0) {
  const std::complex<double> j(0.0, 1.0);
  CtleStages st;
  st.a = 1.0 / ((1.0 + j * f_hz / pole1_hz) * (1.0 + j * f_hz / pole2_hz));
  st.b = j * f_hz / zero_hz * st.a;
  if (lf_hz > 0.0) {
    st.c = 1.0 / (1.0 + j * f_hz / (lf_pole_hz > 0.0 ? lf_pole_hz : lf_hz));
    st.d = j * f_hz / lf_hz * st.c;
  } else {
    st.c = 0.0;
    st.d = 1.0;
  }
  return st;
}

// The CTLE above scaled to unit DC gain (the levels and thresholds stay where they are; the
// relative high-frequency boost is -gDC - gDC2 dB).
inline std::complex<double> ctle_response(double f_hz, double dc_gain_db, double zero_hz,
                                          double pole1_hz, double pole2_hz, double dc_gain2_db,
                                          double lf_hz, double lf_pole_hz = 0.0) {
  const double g = std::pow(10.0, dc_gain_db / 20.0), g2 = std::pow(10.0, dc_gain2_db / 20.0);
  const CtleStages st = ctle_stages(f_hz, zero_hz, pole1_hz, pole2_hz, lf_hz, lf_pole_hz);
  const std::complex<double> h = (g * st.a + st.b) * (lf_hz > 0.0 ? g2 * st.c + st.d : 1.0);
  return h / (g * (lf_hz > 0.0 ? g2 : 1.0));
}

// The normalised 4th-order Bessel-Thomson polynomial response, the reference receiver of IEEE 802.3
// (eq. 121-11 family): H(y) = 105 / (105 + 105 y + 45 y^2 + 10 y^3 + y^4), y = j w / w_n
// (host/link/filter_design.hpp bessel_thomson4 scales w_n so that |H| is 1/sqrt(2) at f_3db).
inline std::complex<double> bessel_thomson4_normalised(std::complex<double> y) {
  return 105.0 / (105.0 + y * (105.0 + y * (45.0 + y * (10.0 + y))));
}

}  // namespace ll
