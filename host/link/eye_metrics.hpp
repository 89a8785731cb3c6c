// Figures of a point's received eye: from its set-up (settled noiseless levels at the
// photodiode) the optical ones, and from its Monte-Carlo eye histogram (the column at the decision instant) the
// measured level means and spreads.
//   - oma_outer_dbm: the outer levels' optical power difference, (I_top - I_bottom) / R;
//   - average_power_dbm: the levels' mean optical power (with their probabilities);
//   - extinction_ratio_db: 10 log10 of the outer levels' optical powers (measured means);
//   - rlm: the level separation mismatch of IEEE 802.3 120D.3.1.2 for PAM4,
//     V_mid = (V0 + V3) / 2, ES1 = (V1 - V_mid) / (V0 - V_mid), ES2 = (V2 - V_mid) / (V3 - V_mid),
//     RLM = min(3 ES1, 3 ES2, 2 - 3 ES1, 2 - 3 ES2) (NaN for other orders);
//   - snr_db: 10 log10 of the measured level means' variance (with the levels' probabilities)
//     over the mean of their variances (each level's spread: noise and ISI together, so an
//     SNDR in 802.3's sense of signal to noise-plus-distortion).
// A level's samples are the histogram bins between the midpoints to its neighbours; each
// variance has the bins' width^2 / 12 taken off (Sheppard's correction).
#pragma once

#include <cstdint>
#include <vector>

#include "host/link/lane_setup.hpp"

namespace ll {

struct EyeMetrics {
  double oma_outer_dbm, average_power_dbm;                     // set-up, optical, at the photodiode
  double extinction_ratio_db, rlm, snr_db;                     // measured (NaN without an eye)
  double level_mean_a[kMaxLevels], level_sigma_a[kMaxLevels];  // measured, by level index
  // Eye height (A) and width (UI) at `target_ber` from the histogram: in each phase column, eye
  // r's floor is where a fraction target_ber of the samples between thresholds r - 1 and r lie
  // above it, its ceiling where that fraction of those between r and r + 1 lie below; the
  // height is the smallest opening at the decision instant, the width the span of columns about
  // it where every eye is open. The histogram resolves fractions down to about
  // levels / eye.symbols, so a deeper target reads as closed (NaN without an eye).
  double eye_height_a, eye_width_ui;
};

// The set-up's settled levels at the photodiode (LinkReport::settled_levels_a: after a long run
// of each level, as SSPRQ's runs and a power meter measure them) as optical power: the outer
// levels' difference (OMA outer) and the levels' mean with their probabilities (what a long
// balanced pattern averages to), W.
struct SettledOpticalLevels {
  double oma_outer_w, average_power_w;
};
SettledOpticalLevels settled_optical_levels(const LinkReport& rep, int levels);

// `histogram` [amplitude_bins][phase_bins] as the engine fills it (amplitude bin centres
// -range + (a + 0.5) 2 range / amplitude_bins in units of rep's eye scale about its offset;
// phase bin phase_bins / 2 at the decision instant).
EyeMetrics eye_metrics(const LinkReport& rep, int levels, double target_ber,
                       const std::vector<std::uint32_t>& histogram, int amplitude_bins,
                       int phase_bins, double amplitude_range);

}  // namespace ll
