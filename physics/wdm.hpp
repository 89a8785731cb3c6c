// WDM groundwork (project issue 3): channel grid, add-drop demultiplexer rings, the static
// through-port loss that neighbouring modulator rings impose on a shared transmit bus, and
// closed-form crosstalk estimates. Header-only host/device physics like physics/mrm.hpp: plain
// structs, double, SI units; nothing allocates, throws or does I/O. Not yet wired into the engine.
//
// Grid: 8, 16 or 32 O-band wavelengths at e.g. 200 GHz spacing (CW-WDM MSA; Intel OCI: 8 lambda
// at 200 GHz, OFC 2024), see shared/reference/PARAMETERS.md.
//
// Add-drop ring (Bogaerts et al., Laser Photon. Rev. 6, 47 (2012)): self-coupling r1
// to the input bus, r2 to the drop bus, round-trip amplitude a, round-trip phase phi:
//     T_t = (r2^2 a^2 - 2 r1 r2 a cos phi + r1^2) / (1 - 2 r1 r2 a cos phi + (r1 r2 a)^2)
//     T_d = (1 - r1^2)(1 - r2^2) a / (1 - 2 r1 r2 a cos phi + (r1 r2 a)^2).
// With cos phi = 1 - 2 s^2, s = sin(phi/2), x = r1 r2 a, they are evaluated as
//     T_t = ((r1 - r2 a)^2 + 4 x s^2) / ((1 - x)^2 + 4 x s^2),
//     T_d = (1 - r1^2)(1 - r2^2) a / ((1 - x)^2 + 4 x s^2),
// free of the cancellation in 1 - 2 x cos phi + x^2 at resonance (as allpass_transmission).
//
// Phase relative to a tuned resonance: with the linear-dispersion model of physics/mrm.hpp,
// ring_phase(lambda) - ring_phase(lambda_res) = 2 pi L n_g (1/lambda - 1/lambda_res) exactly,
// formed here as 2 pi L n_g (lambda_res - lambda) / (lambda lambda_res) (a difference of nearby
// numbers taken once, as RingModulator::phase_of_shift does). Heater tuning is modelled as
// moving the resonance only (a, r and n_g held), which is what the thermal model does as well.
//
// Crosstalk (Bahadori et al., J. Lightwave Technol. (2016), cascaded ring demux): the drop
// response near resonance is the Lorentzian D_peak / (1 + (2 D / FWHM)^2), so a neighbour at
// spacing S leaks about (FWHM / 2S)^2 of the peak for FWHM << S << FSR.
#pragma once

#include <cmath>

#include "physics/config.hpp"
#include "physics/mrm.hpp"

namespace ll {

// ------------------------------------------------------------------------------------------
// Channel grid
// ------------------------------------------------------------------------------------------

struct WdmGrid {
  int channels;
  double first_frequency_hz;  // channel 0
  double spacing_hz;          // channel i sits at first + i * spacing
};

LL_HD inline double channel_frequency_hz(const WdmGrid& g, int i) {
  return g.first_frequency_hz + static_cast<double>(i) * g.spacing_hz;
}

// lambda = c / f (vacuum wavelength).
LL_HD inline double channel_wavelength_m(const WdmGrid& g, int i) {
  return kSpeedOfLight_m_per_s / channel_frequency_hz(g, i);
}

// Wavelength distance between the first and the last channel (0 for one channel).
LL_HD inline double grid_span_m(const WdmGrid& g) {
  return fabs(channel_wavelength_m(g, 0) - channel_wavelength_m(g, g.channels - 1));
}

// Wavelength width of the grid plus one spacing: the distance from channel 0 to a virtual
// channel N. Being exact in frequency (channels are uniform in f, not in lambda), this is what
// a ring's FSR must cover so that the next order of the ring tuned to the first channel lands
// at least one spacing beyond the last channel.
LL_HD inline double grid_period_m(const WdmGrid& g) {
  return fabs(channel_wavelength_m(g, 0) - channel_wavelength_m(g, g.channels));
}

// True when span + one spacing <= FSR: otherwise channel i and channel i + FSR alias onto the
// same ring order (a demux ring would drop two channels; a modulator ring would modulate
// another lane). The FSR is taken at the grid (FSR ~ lambda^2 / (n_g L) varies by ~1% across
// an O-band grid; pass the FSR at the long-wavelength end to be conservative). The scenario
// layer refuses a grid that does not fit unless the user asks for it.
LL_HD inline bool grid_fits_fsr(const WdmGrid& g, double fsr_m) {
  return grid_period_m(g) <= fsr_m;
}

// ------------------------------------------------------------------------------------------
// Add-drop ring
// ------------------------------------------------------------------------------------------

struct AddDropPower {
  double through;  // input bus -> through port
  double drop;     // input bus -> drop port
};

// Power transmissions of an add-drop ring for round-trip phase phi (rad, any branch).
LL_HD inline AddDropPower adddrop_transmission(double r1, double r2, double a, double phi) {
  const double x = r1 * r2 * a;
  const double four_x_s2 = 4.0 * x * sin_squared(0.5 * phi);
  const double den = (1.0 - x) * (1.0 - x) + four_x_s2;
  const double t_num = (r1 - r2 * a) * (r1 - r2 * a) + four_x_s2;
  const double d_num = (1.0 - r1 * r1) * (1.0 - r2 * r2) * a;
  return {t_num / den, d_num / den};
}

// A demultiplexer ring: geometry as RingGeometry (power_coupling = kappa1^2 to the receive bus,
// loss, n_g; n_eff and laser_wavelength_m are not used because the ring is held at
// `resonance_m`), the drop-bus power coupling kappa2^2, and the wavelength its heater holds one
// resonance at.
struct DemuxRing {
  RingGeometry geometry;
  double drop_power_coupling;  // kappa2^2, ring <-> drop bus; r2 = sqrt(1 - kappa2^2)
  double resonance_m;          // tuned resonance (normally its channel's wavelength)
};

LL_HD inline double ring_round_trip_amplitude(const RingGeometry& g) {
  const double L = 2.0 * kPi * g.radius_m;
  return pow(10.0, -g.loss_db_per_m * L / 20.0);
}

// Round-trip phase at `wavelength_m` relative to a resonance held at `resonance_m`:
// 2 pi L n_g (1/lambda - 1/lambda_res) (see the header comment).
LL_HD inline double phase_from_resonance(const RingGeometry& g, double resonance_m,
                                         double wavelength_m) {
  const double L = 2.0 * kPi * g.radius_m;
  return 2.0 * kPi * L * g.n_g * (resonance_m - wavelength_m) / (wavelength_m * resonance_m);
}

LL_HD inline AddDropPower demux_ring_at(const DemuxRing& ring, double wavelength_m) {
  const double r1 = sqrt(1.0 - ring.geometry.power_coupling);
  const double r2 = sqrt(1.0 - ring.drop_power_coupling);
  const double a = ring_round_trip_amplitude(ring.geometry);
  return adddrop_transmission(r1, r2, a,
                              phase_from_resonance(ring.geometry, ring.resonance_m, wavelength_m));
}

// Full width at half maximum of the drop peak, in wavelength: the half points satisfy
// 4 x sin^2(phi_h / 2) = (1 - x)^2 exactly (Airy shape, no small-linewidth approximation), and
// 1/lambda = 1/lambda_res -+ phi_h / (2 pi L n_g) maps them to wavelengths.
LL_HD inline double demux_ring_fwhm_m(const DemuxRing& ring) {
  const RingGeometry& g = ring.geometry;
  const double x = sqrt(1.0 - g.power_coupling) * sqrt(1.0 - ring.drop_power_coupling) *
                   ring_round_trip_amplitude(g);
  const double phi_h = 2.0 * asin((1.0 - x) / (2.0 * sqrt(x)));
  const double K = 2.0 * kPi * 2.0 * kPi * g.radius_m * g.n_g;  // 2 pi L n_g
  const double inv = 1.0 / ring.resonance_m;
  return 1.0 / (inv - phi_h / K) - 1.0 / (inv + phi_h / K);
}

// ------------------------------------------------------------------------------------------
// Cascaded demultiplexer
// ------------------------------------------------------------------------------------------

// N drop rings in series on the receive bus, ring i feeding photodiode i. Power of channel j
// (wavelength lambdas_m[j]) reaching photodiode i, per unit of channel j's power on the bus:
//     X[i][j] = (prod_{k<i} T_t,k(lambda_j)) * T_d,i(lambda_j),
// written row-major into matrix_row_major[i * n + j] (n * n doubles, caller-owned). Light that
// an earlier ring drops does not come back to the bus; the add ports are idle.
LL_HD inline void demux_matrix(const DemuxRing* rings, int n, const double* lambdas_m,
                               double* matrix_row_major) {
  for (int j = 0; j < n; ++j) {
    double passed = 1.0;  // product of the through ports before ring i
    for (int i = 0; i < n; ++i) {
      const AddDropPower p = demux_ring_at(rings[i], lambdas_m[j]);
      matrix_row_major[i * n + j] = passed * p.drop;
      passed *= p.through;
    }
  }
}

// Same matrix (the name project issue 3 uses).
LL_HD inline void demux_crosstalk(const DemuxRing* rings, int n, const double* lambdas_m,
                                  double* matrix_row_major) {
  demux_matrix(rings, n, lambdas_m, matrix_row_major);
}

// Total crosstalk ratio at photodiode i: sum over j != i of X[i][j] / X[i][i] (all channels
// launched with equal power), the X of crosstalk_power_penalty_db.
LL_HD inline double demux_crosstalk_ratio(const double* matrix_row_major, int n, int i) {
  double sum = 0.0;
  for (int j = 0; j < n; ++j) {
    if (j != i) sum += matrix_row_major[i * n + j];
  }
  return sum / matrix_row_major[i * n + i];
}

// ------------------------------------------------------------------------------------------
// Transmit bus: all-pass modulator rings in series
// ------------------------------------------------------------------------------------------

// Static through transmission at `wavelength_m` (another lane's channel) of an all-pass
// modulator ring whose resonance sits at `resonance_m` (its own operating point: its laser
// wavelength minus its detuning, plus any bias shift). This is the loss a neighbour ring
// imposes on channel j; the small-signal modulation it imposes follows from the same function
// evaluated at resonance_m + shift * V.
LL_HD inline double bus_through(const RingGeometry& g, double resonance_m, double wavelength_m) {
  const double a = ring_round_trip_amplitude(g);
  const double r = sqrt(1.0 - g.power_coupling);
  return allpass_transmission(a, r, phase_from_resonance(g, resonance_m, wavelength_m));
}

// The same as a loss in dB (positive).
LL_HD inline double neighbour_attenuation_db(const RingGeometry& g, double resonance_m,
                                             double wavelength_m) {
  return -10.0 * log10(bus_through(g, resonance_m, wavelength_m));
}

// Product of the through transmissions of every ring k != j at channel j's wavelength (rings
// are identical in geometry; resonances_m[k] is ring k's operating point).
LL_HD inline double bus_neighbours_through(const RingGeometry& g, const double* resonances_m, int n,
                                           int j, double wavelength_m) {
  double t = 1.0;
  for (int k = 0; k < n; ++k) {
    if (k != j) t *= bus_through(g, resonances_m[k], wavelength_m);
  }
  return t;
}

// ------------------------------------------------------------------------------------------
// Closed-form estimates
// ------------------------------------------------------------------------------------------

// Lorentzian drop response, relative to its peak, at detuning `spacing_m` from resonance:
// 1 / (1 + (2 S / FWHM)^2), which tends to (FWHM / 2S)^2 for S >> FWHM. Valid while S << FSR:
// the true (Airy) response replaces (phi/2)^2 by sin^2(phi/2) and so lies above this estimate
// by about (phi/2)^2 / 3 in relative terms (5% at S ~ FSR / 8).
LL_HD inline double lorentzian_crosstalk(double fwhm_m, double spacing_m) {
  const double u = 2.0 * spacing_m / fwhm_m;
  return 1.0 / (1.0 + u * u);
}

// Power penalty (dB) of incoherent crosstalk power ratio X (interferer average power over
// signal average power, summed over interferers), worst case (cf. Bahadori et al. 2016;
// Agrawal, Fiber-Optic Communication Systems, linear crosstalk). Assumptions: both signals
// with infinite extinction, no beat (the interferers are at other wavelengths, far outside
// the receiver bandwidth), the decision threshold held at the crosstalk-free midpoint, and all
// interferers at their '1' while the signal sends '0'. NRZ (levels = 2): the '0' rail rises
// by 2 X P_avg against the half-eye P_avg, so PP = -10 log10(1 - 2 X). For PAM-M with equally
// spaced levels the half sub-eye is P_avg / (M - 1) and the same argument (derived here, not
// from the sources) gives PP = -10 log10(1 - 2 (M - 1) X). Returns NaN when the eye closes
// (X >= 0.5 for NRZ) or X < 0.
LL_HD inline double crosstalk_power_penalty_db(double x, int levels = 2) {
  const double closure = 2.0 * static_cast<double>(levels - 1) * x;
  if (!(x >= 0.0) || closure >= 1.0) return NAN;
  return -10.0 * log10(1.0 - closure);
}

}  // namespace ll
