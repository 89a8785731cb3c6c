// A uniform RLGC line for the channel tests (test_channel.cpp, test_channel_checks.cpp): per
// metre R = R_dc + R_s sqrt(f), L, G = 2 pi f C tan_d, C, of length `len` between `z_ref` ports:
// gamma = sqrt((R + jwL)(G + jwC)), Z_c = sqrt((R + jwL)/(G + jwC)),
//     S21 = 2 Z_c Z_ref / (2 Z_c Z_ref cosh(gamma l) + (Z_c^2 + Z_ref^2) sinh(gamma l)),
//     S11 = (Z_c^2 - Z_ref^2) sinh(gamma l) / (same denominator).
#pragma once

#include <cmath>
#include <complex>

#include "physics/config.hpp"

namespace ll_test {

struct Rlgc {
  double r_dc = 5.0, r_skin = 1.2e-3, l = 330e-9, c = 130e-12, tan_d = 0.004, len = 0.3;
  void s_params(double f, double z_ref, std::complex<double>& s11,
                std::complex<double>& s21) const {
    using cd = std::complex<double>;
    const double w = 2.0 * ll::kPi * f;
    const cd z(r_dc + r_skin * std::sqrt(f), w * l);
    const cd y(w * c * tan_d, w * c);
    const cd gamma = std::sqrt(z * y), zc = std::sqrt(z / y);
    const cd sh = std::sinh(gamma * len), ch = std::cosh(gamma * len);
    const cd den = 2.0 * zc * z_ref * ch + (zc * zc + z_ref * z_ref) * sh;
    s21 = 2.0 * zc * z_ref / den;
    s11 = (zc * zc - z_ref * z_ref) * sh / den;
  }
};

}  // namespace ll_test
