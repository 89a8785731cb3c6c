// The electrical channel between the SerDes and the optical engine, and the SerDes's linear
// equalisers, as FIRs on the simulation grid (fs = symbol rate x samples per UI) that fold into
// the lane's H1 (driver side) and H2 (receiver side), DESIGN.md section 2.
//
// Channel. A Touchstone file's through response (SDD21 of a 4-port, S21 of a 2-port), or a
// parametric insertion loss, becomes a transfer function on the grid f_k = k fs / N:
//   - measured data: magnitude (dB) and unwrapped phase interpolated linearly between the file's
//     points; below the first point the magnitude is held and the phase goes linearly to 0 at
//     DC (where a real network's response is real); above the last point the magnitude rolls
//     off with a raised-cosine over 20% of the last frequency and is zero beyond (band
//     limiting: a file says nothing about higher frequencies, and the simulation must not alias);
//   - parametric: |H| from the insertion loss IL(f) = L_N (s sqrt(f / f_N) + (1 - s) f / f_N)
//     (skin effect and dielectric, L_N the loss at Nyquist f_N, s the skin share), made minimum
//     phase, then cascaded with the die capacitance and a package trace at each end
//     (package_cascade_s21), in the spirit of IEEE 802.3 COM.
// Causality. Measured data: the impulse response is the inverse DFT of the interpolated
// response, time-gated (windowing): rotated so its peak sits a quarter into the buffer, then
// trimmed at both ends to the first and last sample above `floor` (1e-4, -80 dB) of the peak
// (the band limit's acausal ringing before the peak is dropped with the rest). Parametric: the
// magnitude alone is given, so its minimum-phase response is built (the real cepstrum folded onto
// positive times), which is causal by construction and is what a lossy line is, less its delay. The
// floor bounds the FIR's length: a skin-effect response decays as t^-3/2, and below -80 dB its taps
// sum to about 2% of the DC gain (a slow baseline the unit-DC scaling redistributes); at 10 dB of
// loss the FIR spans ~150 UI, at 20 dB ~470 UI (scripts/BENCHMARKS.md). The bulk delay is removed
// (a CDR follows it) and the FIR is scaled to unit DC gain: the linear driver restores the swing
// `driver.swing_vpp` for a long run of one level, so the channel's flat loss does not count, its
// frequency-dependent loss (the ISI) does.
#pragma once

#include <complex>
#include <vector>

#include "physics/channel_models.hpp"  // the loss, package and CTLE formulas

namespace ll {

// Interpolates a measured response onto bins 0..bins-1 of spacing df_hz (see above).
std::vector<std::complex<double>> interpolate_response(const std::vector<double>& frequency_hz,
                                                       const std::vector<std::complex<double>>& h,
                                                       double df_hz, std::size_t bins);

// Minimum-phase response with magnitude `magnitude` on bins 0..N/2 of an N-point grid.
std::vector<std::complex<double>> minimum_phase(const std::vector<double>& magnitude);

// Inverse real DFT of bins 0..N/2 (N = 2 (bins - 1)), in double (FFTW's c2r overwrites its
// input, hence the copy it takes).
std::vector<double> inverse_real_dft(std::vector<std::complex<double>> spectrum);

// The gated FIR of an N-point impulse response (see above): rotated about its peak, trimmed to
// the samples from the first to the last above `floor` of the peak, scaled to unit DC gain.
// `dc_gain` receives the sum of the taps before scaling.
std::vector<double> gate_impulse_response(const std::vector<double>& impulse, double floor,
                                          double* dc_gain = nullptr);

// Grid size for a channel: the smallest power of two N with fs / N <= df_hz (the time span
// holds the response's features), at least min_points.
std::size_t channel_grid_points(double sample_rate_hz, double df_hz, std::size_t min_points);

// A Touchstone channel's FIR at sample_rate_hz from its through response.
struct ChannelFir {
  std::vector<double> taps;
  double dc_gain = 1.0;             // before scaling to 1
  double loss_at_nyquist_db = 0.0;  // of the through response relative to its DC gain
  double loss_at_half_nyquist_db = 0.0, loss_at_symbol_rate_db = 0.0;  // the same at f_N/2, 2 f_N
};
ChannelFir measured_channel_fir(const std::vector<double>& frequency_hz,
                                const std::vector<std::complex<double>>& through,
                                double sample_rate_hz, double nyquist_hz, double floor = 1e-4);

// The parametric channel's FIR: the loss's minimum-phase response in the package cascade.
ChannelFir parametric_channel_fir(double loss_at_nyquist_db, double skin_share,
                                  const PackageModel& package, double nyquist_hz,
                                  double sample_rate_hz, double floor = 1e-4);

// Transmit FFE: symbol-spaced taps c[0..n), normalised so sum |c| = 1 (the peak swing),
// applied to a drive pulse p sampled at samples_per_ui: sum_k c_k p(t - k T). The cursor's
// delay (its index, in UI) is found with the rest of the chain's by the timing search.
std::vector<double> apply_tx_ffe(const std::vector<double>& pulse, const std::vector<double>& taps,
                                 int samples_per_ui);

// Its FIR at sample_rate_hz (inverse DFT of the sampled response, gated), unit DC gain.
std::vector<double> design_ctle_fir(double dc_gain_db, double zero_hz, double pole1_hz,
                                    double pole2_hz, double dc_gain2_db, double lf_hz,
                                    double sample_rate_hz, double floor = 1e-6);

}  // namespace ll
