// The host channel's own figures, per point (issue 23): what a signal-integrity engineer reads
// off a channel before simulating a lane through it, written to the HDF5 file (kChannelColumns,
// host/io/hdf5_schema.hpp) and printed by `lightlane validate`.
//  - Insertion loss IL(f) = -20 log10 |H(f)| of the through response (SDD21 or S21; for the
//    parametric channel its model), at the lane's Nyquist frequency f_N, at f_N / 2 and at the
//    symbol rate f_b (NaN where a file ends below it).
//  - Insertion-loss deviation: IL minus its least-squares fit a0 + a1 sqrt(f) + a2 f + a3 f^2
//    (the fitted-loss form of IEEE 802.3 93A.4 / 162A) over the file's points up to f_b, its RMS.
//  - Return loss -20 log10 |SDD11| (or |S11|): its smallest value up to f_N (NaN: parametric).
//  - The channel's delay: minus the slope of the through response's unwrapped phase against
//    angular frequency, fitted over the points up to f_N (NaN: parametric, built without delay).
//  - Its pulse response to one UI, from the FIR the lane uses (unit DC gain): the main cursor
//    (its peak) and the first pre- and post-cursor one UI either side, as fractions of the level
//    a long run of one symbol reaches.
#pragma once

#include <complex>
#include <limits>
#include <string>
#include <vector>

#include "host/link/touchstone.hpp"

namespace ll {

struct ChannelFigures {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double il_nyquist_db = nan, il_half_nyquist_db = nan, il_symbol_rate_db = nan;
  double ild_rms_db = nan;
  double return_loss_min_db = nan;
  double delay_s = nan;
  double pulse_cursor = nan, pulse_pre1 = nan, pulse_post1 = nan;
};

// The frequency-domain figures of a file's through response and its input return loss.
void touchstone_channel_figures(const TouchstoneData& d, PortOrder order, double symbol_rate_hz,
                                ChannelFigures& out);
// The insertion loss at f_N / 2, f_N and f_b of a loss curve IL(f) (dB, the parametric model's).
template <class LossDb>
void loss_curve_figures(const LossDb& il_db, double symbol_rate_hz, ChannelFigures& out) {
  out.il_half_nyquist_db = il_db(0.25 * symbol_rate_hz);
  out.il_nyquist_db = il_db(0.5 * symbol_rate_hz);
  out.il_symbol_rate_db = il_db(symbol_rate_hz);
}
// The pulse figures of a channel FIR (unit DC gain) at samples_per_ui samples per UI.
void pulse_figures(const std::vector<double>& fir, int samples_per_ui, ChannelFigures& out);

// Causality of a measured through response (issue 23): a passive channel's impulse response is
// zero before the signal arrives. The response is interpolated onto the file's step up to 1.25
// times its last frequency (host/link/channel.hpp: rolled off above it, so the band edge does
// not ring) and inverted; `acausal_share` is the energy more than 4 samples before the arrival
// (the last sample under 5% of the peak on its leading edge), within the half period before the
// peak, over the whole energy. A causal file leaves only the band limit's ringing (3e-3 or less
// on the lines tests/host/test_channel_checks.cpp reads); a phase that does not belong to its
// magnitude (a de-embedding or interpolation artefact, a sign convention) puts energy there.
// `worst_frequency_hz`: where that early energy's spectrum peaks (computed only when
// acausal_share > report_above).
struct Causality {
  double acausal_share = 0.0;
  double worst_frequency_hz = std::numeric_limits<double>::quiet_NaN();
};
// The early share a file is warned of at: 3 to 10 times what the band limit leaves on the clean
// lines tested.
inline constexpr double kAcausalShareWarning = 0.01;
Causality through_causality(const std::vector<double>& frequency_hz,
                            const std::vector<std::complex<double>>& through,
                            double report_above = kAcausalShareWarning);
// The warning for the file at `path` ("" below kAcausalShareWarning): the share and the frequency.
std::string causality_warning(const std::string& path, const Causality& c);

// RMS deviation of (f, il) from its fit a0 + a1 sqrt(f) + a2 f + a3 f^2 (least squares).
double insertion_loss_deviation_rms(const std::vector<double>& frequency_hz,
                                    const std::vector<double>& il_db);

}  // namespace ll
