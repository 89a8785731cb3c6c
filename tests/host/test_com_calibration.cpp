// Calibration of the channel operating margin (host/link/com.hpp) against published 802.3dj COMs
// (issue 18). The references (tests/data/com/README.md): the IEEE 802.3 COM MATLAB code v4.70 on
// two IEEE P802.3dj KR channels at 106.25 GBd PAM4, as printed in PyChOpMarg's notebook
// (capn-freako/PyChOpMarg, BSD-3-Clause, commit d41fe37): COM 3.5901 dB (mellitz_3dj_02_elec_230504
// KRCA_wXTALK_MX_17) and 4.0085 dB (weaver_3dj_02_2305 KR_ch_3in_PCB_NPC_300mm..._NPC_250mm).
//
// The Touchstone files themselves are not here (IEEE P802.3dj tools area, not reachable from this
// build, and not ours to redistribute), so the channels are surrogates built from what the
// reference run printed: lightlane's parametric channel (host/link/channel.hpp) with the printed
// die-to-die insertion loss at Nyquist (package included: 38.30 and 35.90 dB), its skin share
// fitted so that the unequalised pulse peak (A_v, 1-UI pulse, channel, receiver filter) is the
// printed one (59.37 and 56.20 mV). This checks COM's scale and noise model, not a channel file.
//
// Tolerance, on COM (lightlane minus reference), from -1.0 to +2.5 dB, justified by what each side
// has that the other lacks:
//  - lightlane's com_db runs no CTLE; the reference chose g_DC_HP = -3 dB (f_HP 1.328 GHz) from its
//    [-5:0.5:0] search (its TX FFE search chose [0 1 0]). On these surrogates that CTLE is worth
//    +0.9 to +1.2 dB (measured below): lightlane may sit up to ~1 dB under the reference.
//  - the surrogate has no crosstalk: the reference's peak ISI+XT exceeds its ISI alone by 0.14 mV
//    (MX_17) and 1.12 mV (weaver) of A_ni 7.07 and 7.49 mV, i.e. 0.2 and 1.4 dB of COM;
//  - the surrogate has no reflections or insertion-loss ripple (the reference's FOM_ILD 1.32 and
//    1.19 dB), nor 93A's package details (lossy traces, C_d/L_s ladder, bump, ball), only their
//    loss at Nyquist: up to ~1 dB; the skin-share fit moves COM by ~0.4 dB per 0.1 of share.
// Together: lightlane from 1 dB under to 2.5 dB over the reference. Measured when written:
// +1.68 dB (MX_17: 5.27 against 3.59) and +1.56 dB (weaver: 5.57 against 4.01).
// The noise model is checked tighter, with the reference's EQ (the -3 dB shelf, DC gain -3 dB as
// 93A applies it) ahead of lightlane's receiver: sigma_TX / A_s within 10% of the reference's
// (printed to 5 digits), sigma_N / A_s within 20% (printed to 2 digits, 5%, plus the surrogate's
// FFE noise enhancement).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "host/link/channel.hpp"
#include "host/link/com.hpp"
#include "host/link/filter_design.hpp"

namespace {

constexpr double kBaud = 106.25e9;  // 802.3dj, PARAMETERS.md
constexpr int kSpu = 32;
constexpr double kFs = kBaud * kSpu;

// One reference run's printout (tests/data/com/README.md), volts and dB.
struct Reference {
  const char* name;
  double die_to_die_il_db;       // IL_db_die_to_die_at_Fnq
  double uneq_peak_v;            // peak_uneq_pulse_mV
  double com_db;                 // channel_operating_margin_dB
  double a_s_v, a_ni_v;          // available_signal_after_eq_mV, Peak_ISI_XTK_and_Noise_..._mV
  double sigma_n_v, sigma_tx_v;  // sgm_N, sgm_TX
};
constexpr Reference kReferences[] = {
    {"mellitz_3dj_02 KRCA_wXTALK_MX_17", 38.2954, 59.3713e-3, 3.5901, 10.6887e-3, 7.0700e-3, 0.0010,
     7.1776e-4},
    {"weaver_3dj_02 NPC_300mm_BP_800mm_NPC_250mm", 35.8971, 56.1953e-3, 4.0085, 11.8824e-3,
     7.4900e-3, 0.0011, 7.9270e-4},
};

double unequalised_peak(const std::vector<double>& channel, double a_v) {
  const std::vector<double> p =
      ll::convolve_fir(ll::convolve_fir(std::vector<double>(kSpu, a_v), channel),
                       ll::design_bessel_thomson4_fir(0.58 * kBaud, kFs));
  return *std::max_element(p.begin(), p.end());
}

std::vector<double> surrogate(const Reference& r, double skin_share) {
  return ll::parametric_channel_fir(r.die_to_die_il_db, skin_share, ll::PackageModel{}, 0.5 * kBaud,
                                    kFs)
      .taps;
}

// The skin share whose unequalised peak is the reference's (the peak falls as the share grows:
// more of the loss at low frequencies).
std::vector<double> fitted_surrogate(const Reference& r) {
  const double a_v = ll::ComParameters{}.a_v;
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 25; ++it) {
    const double mid = 0.5 * (lo + hi);
    (unequalised_peak(surrogate(r, mid), a_v) > r.uneq_peak_v ? lo : hi) = mid;
  }
  return surrogate(r, 0.5 * (lo + hi));
}

// The reference's chosen CTLE: g_DC = 0 with its zero and poles at 1000 GHz (flat), g_DC_HP = -3 dB
// with f_HP_PZ = 1.328125 GHz; DC gain 10^(-3/20), as 93A applies it (design_ctle_fir gives unit
// DC gain).
std::vector<double> reference_ctle() {
  std::vector<double> h = ll::design_ctle_fir(0.0, 1e12, 1e12, 1e12, -3.0, 1.328125e9, kFs);
  for (double& x : h) x *= std::pow(10.0, -3.0 / 20.0);
  return h;
}

TEST(ComCalibration, PublishedFiguresAreConsistent) {
  // COM = 20 log10(A_s / A_ni) on the printed figures (guards their transcription).
  for (const Reference& r : kReferences)
    EXPECT_NEAR(20.0 * std::log10(r.a_s_v / r.a_ni_v), r.com_db, 0.01) << r.name;
}

TEST(ComCalibration, SurrogatesOfPublished8023djChannels) {
  for (const Reference& r : kReferences) {
    const std::vector<double> ch = fitted_surrogate(r);
    ASSERT_NEAR(unequalised_peak(ch, ll::ComParameters{}.a_v) / r.uneq_peak_v, 1.0, 1e-3) << r.name;
    // lightlane's com_db as a run computes it: no CTLE, the scenario's (here no) transmit FFE.
    const ll::ComFigure plain = ll::channel_operating_margin(ch, {}, kSpu, kBaud);
    EXPECT_GE(plain.com_db - r.com_db, -1.0) << r.name;
    EXPECT_LE(plain.com_db - r.com_db, 2.5) << r.name;
    // With the reference's CTLE: more margin (what the missing CTLE search costs), and the
    // Gaussian terms in the reference's proportion to the signal.
    const ll::ComFigure eq =
        ll::channel_operating_margin(ll::convolve_fir(ch, reference_ctle()), {}, kSpu, kBaud);
    EXPECT_GT(eq.com_db, plain.com_db) << r.name;
    EXPECT_NEAR((eq.sigma_tx_v / eq.signal_v) / (r.sigma_tx_v / r.a_s_v), 1.0, 0.10) << r.name;
    EXPECT_NEAR((eq.sigma_noise_v / eq.signal_v) / (r.sigma_n_v / r.a_s_v), 1.0, 0.20) << r.name;
    std::printf("%s: lightlane %.2f dB (with the reference's CTLE %.2f dB), reference %.2f dB\n",
                r.name, plain.com_db, eq.com_db, r.com_db);
  }
}

}  // namespace
