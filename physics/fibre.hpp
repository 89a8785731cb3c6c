// Standard single-mode fibre (ITU-T G.652): its chromatic dispersion on the optical field, and
// the fibre stage's per-sample functors (the ring's field in, the photocurrent out).
//
// Dispersion (G.652's model, PARAMETERS.md): D(lambda) = (S0 / 4)(lambda - lambda0^4 / lambda^3)
// with the zero-dispersion wavelength lambda0 in 1300-1324 nm and the slope there S0 <= 0.092
// ps/(nm^2 km); the group-velocity dispersion beta2 = -D lambda^2 / (2 pi c).
//
// The field's complex envelope x(t) = integral of X(f) e^{+i 2 pi f t} df (the engine's baseband
// convention; Agrawal, Fiber-Optic Communication Systems, ch. 2, writes the carrier e^{-i w t},
// which flips the sign of time in the phase but not the quadratic phase of the fibre) crosses a
// length L as the all-pass
//     X_L(f) = X_0(f) exp(i psi(f)),  psi(f) = beta2 (2 pi f)^2 L / 2 = 2 pi^2 beta2 L f^2.
// Square-law detection then turns the phase into intensity: a source whose phase follows its
// power as phi = -(alpha / 2) ln P (chirp factor alpha > 0: the frequency rises with the power,
// the EML and directly-modulated laser convention) has the small-signal intensity response
//     H(f) = cos theta - alpha sin theta,  theta = pi lambda^2 D L f^2 / c = -psi(f)
// (Wang & Petermann, JLT 10, 96 (1992); tests/physics/test_fibre.cpp derives it again).
// The fibre's loss (attenuation x length) joins the optical path's budget like any lumped loss.
#pragma once

#include <cmath>
#include <cstddef>

#include "physics/complex.hpp"
#include "physics/config.hpp"
#include "physics/link_constants.hpp"
#include "physics/receiver_noise.hpp"

namespace ll {

// D(lambda), s/m^2 (1 ps/(nm km) = 1e-6 s/m^2), from G.652's zero-dispersion wavelength and slope
// (s/m^3; 1 ps/(nm^2 km) = 1e3 s/m^3).
LL_HD inline double g652_dispersion_s_per_m2(double wavelength_m, double zero_dispersion_m,
                                             double slope_s_per_m3) {
  const double l0 = zero_dispersion_m, l = wavelength_m;
  return 0.25 * slope_s_per_m3 * (l - (l0 * l0) * (l0 * l0) / (l * l * l));
}

// beta2 = -D lambda^2 / (2 pi c), s^2/m.
LL_HD inline double group_velocity_dispersion_s2_per_m(double dispersion_s_per_m2,
                                                       double wavelength_m) {
  return -dispersion_s_per_m2 * wavelength_m * wavelength_m / (2.0 * kPi * kSpeedOfLight_m_per_s);
}

// The fibre's all-pass at frequency f (Hz from the carrier): exp(i 2 pi^2 beta2 L f^2).
LL_HD inline Complex<double> fibre_allpass(double beta2_l_s2, double f_hz) {
  const double psi = 2.0 * kPi * kPi * beta2_l_s2 * f_hz * f_hz;
  return {cos(psi), sin(psi)};
}

// The spread of group delays over |f| <= band_hz: 2 pi |beta2 L| 2 band, s (the span of the
// dispersed pulse's energy within that band).
LL_HD inline double dispersion_spread_s(double beta2_l_s2, double band_hz) {
  return 2.0 * kPi * fabs(beta2_l_s2) * 2.0 * band_hz;
}

// The modulator's field (amplitude transmission; |field|^2 is its power transmission: the ring's,
// physics/mrm.hpp, the MZM's, physics/mzm.hpp, or the EML's, physics/eml.hpp) for every sample of the chunk, into the
// fibre's extended buffer after its history. Of the rings, the static ones (linear pm/V, or the
// PN junction's table); the coupled-mode ring writes its field in its own scan.
// Junction: the ring's PN-junction table (BatchSetup::eo_junction: every link of the batch).
template <class Real, int Kind, bool Junction = false>
struct ModulatorToField {
  const LinkConstants<Real>* links;
  const Real* drive_v;     // [links][chunk samples]
  Complex<Real>* field;    // [links][field_stride] from field_offset
  std::size_t in_stride, field_stride, field_offset;
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    const Real v = drive_v[link * in_stride + n];
    if constexpr (Kind == kModulatorMzm)
      field[link * field_stride + field_offset + n] = links[link].mzm.field(v);
    else if constexpr (Kind == kModulatorEml)
      field[link * field_stride + field_offset + n] = links[link].eml.field(v);
    else if constexpr (Junction)
      field[link * field_stride + field_offset + n] = junction_ring_field(links[link], v);
    else
      field[link * field_stride + field_offset + n] = links[link].ring.field(v);
  }
};

// Square-law detection of the dispersed field: the valid part of each overlap-save block (the
// last `block` samples after the history) as the photodiode's current, P loss R |E|^2 + I_dark.
template <class Real>
struct DetectValidField {
  const LinkConstants<Real>* links;
  const Complex<Real>* fft_out;  // [links][blocks][fft_size], already scaled by 1/fft_size
  Real* current_a;               // [links][out_stride] from out_offset
  std::size_t out_stride, out_offset, block, fft_size, blocks;
  LL_HD void operator()(std::size_t row, std::size_t n) const {  // row = link * blocks + b
    const std::size_t link = row / blocks, b = row % blocks;
    const Complex<Real> e = fft_out[row * fft_size + (fft_size - block) + n];
    current_a[link * out_stride + out_offset + b * block + n] =
        photodiode_current_a(links[link], e.re * e.re + e.im * e.im);
  }
};

}  // namespace ll
