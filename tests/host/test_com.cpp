// The channel operating margin (host/link/com.hpp) against:
//  - noise alone (no ISI: an ideal channel, a one-tap receiver, no jitter, no transmitter noise):
//    A_ni = sigma Q^-1(DER_0), with sigma^2 = eta_0 times the Bessel-Thomson filter's noise
//    bandwidth integrated here independently of the code's own integral;
//  - ISI alone (a two-tap channel, no noise): the worst post-cursor excursion h_1 is reached by a
//    quarter of the symbols, far more often than DER_0, so A_ni = h_1 exactly;
//  - the reference receiver's FFE and DFE lift COM over the one-tap receiver, and COM falls as
//    the channel's loss grows; the CPO preset's 4 dB channel clears 802.3dj's 3 dB threshold.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/link/channel.hpp"
#include "host/link/com.hpp"
#include "host/link/filter_design.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/statistics.hpp"

namespace {

constexpr double kBaud = 106.25e9;
constexpr int kSpu = 32;

ll::ComParameters quiet_one_tap() {
  ll::ComParameters p;
  p.ffe_taps = 1;
  p.ffe_pre = 0;
  p.dfe_taps = 0;
  p.sigma_rj_ui = p.a_dd_ui = 0.0;
  p.snr_tx_db = 300.0;
  return p;
}

TEST(Com, NoiseAloneGivesTheGaussianQuantile) {
  // A receiver filter at 10 f_b: the 1-UI pulse keeps its flat top and leaves its neighbours'
  // samples untouched (its tail a UI later is below 1e-12), so only the noise is left.
  ll::ComParameters p = quiet_one_tap();
  p.f_r = 10.0;
  const ll::ComFigure f = ll::channel_operating_margin({1.0}, {}, kSpu, kBaud, p);
  // Noise bandwidth of the 4th-order Bessel-Thomson at f_r f_b: |H|^2 integrated to fs / 2, as
  // the code does (its cut), by a finer rule written here.
  const double f3db = p.f_r * kBaud, top = 0.5 * kBaud * kSpu;
  double bn = 0.0;
  const int steps = 400000;
  for (int i = 0; i < steps; ++i) {
    const double f = (i + 0.5) * top / steps;
    bn += std::norm(ll::bessel_thomson4(f, f3db)) * top / steps;
  }
  const double sigma = std::sqrt(p.eta0_v2_per_ghz * 1e-9 * bn);
  EXPECT_NEAR(f.sigma_noise_v / sigma, 1.0, 1e-6);
  EXPECT_NEAR(f.interference_v / (sigma * ll::q_function_inverse(p.der0)), 1.0, 1e-6);
  // The signal: R_LM times the filtered pulse at the chosen phase over L - 1, i.e. A_v (less
  // what is left of the filter's step overshoot, below 1e-5 of the step in the flat top).
  EXPECT_NEAR(f.signal_v / (p.r_lm * p.a_v / 3.0), 1.0, 1e-4);
  EXPECT_NEAR(f.com_db, 20.0 * std::log10(f.signal_v / f.interference_v), 1e-12);
}

TEST(Com, IsiAloneIsTheWorstPostCursorExcursion) {
  // A channel of two impulses one UI apart (1 and 0.2): after the filter, the sampled pulse's
  // post-cursor over its cursor is what the receiver cannot remove with one tap.
  ll::ComParameters p = quiet_one_tap();
  p.eta0_v2_per_ghz = 1e-30;
  std::vector<double> channel(kSpu + 1, 0.0);
  channel[0] = 1.0 / 1.2;
  channel[kSpu] = 0.2 / 1.2;
  const ll::ComFigure f = ll::channel_operating_margin(channel, {}, kSpu, kBaud, p);
  // Every residual cursor together: the worst excursion sum |q_k| is reached by a fraction
  // (1/4)^n of symbols; with the post-cursor dominating, the DER_0 = 2e-4 quantile sits within
  // the other cursors' spread of it. Bound: the residual ISI's full reach and the post-cursor.
  EXPECT_GT(f.interference_v, 0.0);
  EXPECT_NEAR(f.sigma_v, 0.0, 1e-12);
  // The reference: the filtered pulse sampled at the code's phase.
  const std::vector<double> pulse =
      ll::convolve_fir(ll::convolve_fir(std::vector<double>(kSpu, p.a_v), channel),
                       ll::design_bessel_thomson4_fir(p.f_r * kBaud, kBaud * kSpu));
  const long t = std::lround(f.phase_ui * kSpu);
  double reach = 0.0, largest = 0.0;
  for (long n = t % kSpu; n < static_cast<long>(pulse.size()); n += kSpu) {
    if (n == t) continue;
    reach += std::abs(pulse[n]);
    largest = std::max(largest, std::abs(pulse[n]));
  }
  EXPECT_NEAR(f.signal_v, p.r_lm * pulse[t] / 3.0, 1e-12);
  EXPECT_LE(f.interference_v, reach * (1.0 + 1e-3));
  EXPECT_GE(f.interference_v, largest * (1.0 - 1e-3));
}

std::vector<double> parametric_channel(double loss_db) {
  return ll::parametric_channel_fir(loss_db, 0.3, ll::PackageModel{}, 0.5 * kBaud, kBaud * kSpu)
      .taps;
}

TEST(Com, EqualiserLiftsAndLossLowersTheMargin) {
  const std::vector<double> ch = parametric_channel(15.0);
  ll::ComParameters one_tap;
  one_tap.ffe_taps = 1;
  one_tap.ffe_pre = 0;
  one_tap.dfe_taps = 0;
  const double plain = ll::channel_operating_margin(ch, {}, kSpu, kBaud, one_tap).com_db;
  const double reference = ll::channel_operating_margin(ch, {}, kSpu, kBaud).com_db;
  EXPECT_GT(reference, plain + 3.0);
  double last = INFINITY;
  for (double loss : {4.0, 10.0, 20.0, 28.0}) {
    const double com =
        ll::channel_operating_margin(parametric_channel(loss), {}, kSpu, kBaud).com_db;
    EXPECT_LT(com, last) << loss << " dB";
    last = com;
  }
}

TEST(Com, TransmitFfeDelayDoesNotMoveTheMargin) {
  // A transmit FFE whose cursor sits 3 UI into its taps only delays the pulse: the same COM
  // (the reference FFE's five pre-cursor taps still find room ahead of it).
  const std::vector<double> ch = parametric_channel(10.0);
  const double plain = ll::channel_operating_margin(ch, {}, kSpu, kBaud).com_db;
  const std::vector<double> delay = ll::apply_tx_ffe({1.0}, {0.0, 0.0, 0.0, 1.0, 0.0}, kSpu);
  EXPECT_NEAR(ll::channel_operating_margin(ch, delay, kSpu, kBaud).com_db, plain, 1e-9);
}

TEST(Com, CpoPresetClearsTheThresholdAndNoChannelHasNone) {
  const std::string dir = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/";
  const ll::PreparedRun cpo = ll::prepare_run(ll::load_scenario(dir + "serdes_200g_cpo_stress.toml"));
  // 802.3dj: COM >= 3 dB (PARAMETERS.md).
  EXPECT_GT(cpo.links.front().report.com_db, 3.0);
  const ll::PreparedRun lane = ll::prepare_run(ll::load_scenario(dir + "lane_200g_pam4.toml"));
  EXPECT_TRUE(std::isnan(lane.links.front().report.com_db));
}

}  // namespace
