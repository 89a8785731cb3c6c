// Annex 93A COM (host/link/com_standard.hpp) against the published MATLAB result on public
// channels, and its building blocks against independent computations.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/link/channel.hpp"
#include "host/link/com_common.hpp"
#include "host/link/com_report.hpp"
#include "host/link/com_standard.hpp"
#include "host/link/com_standard_pulses.hpp"
#include "host/link/touchstone.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "physics/config.hpp"

namespace {

const std::string kVita = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/com/vita68/";

ll::ComChannel load(const std::string& name, ll::ComChannelKind kind) {
  const ll::TouchstoneData d = ll::read_touchstone(kVita + name);
  // The VITA 68.2 files pair ports 1 -> 2 and 3 -> 4 (PyChOpMarg's sdd_21 convention).
  return {kind, d.frequency_hz, ll::differential_two_port(d, ll::PortOrder::in13_out24)};
}

std::vector<ll::ComChannel> vita_channels() {
  using K = ll::ComChannelKind;
  return {load("example2_THRU.s4p", K::thru),  load("example2_FEXT1.s4p", K::fext),
          load("example2_FEXT2.s4p", K::fext), load("example2_NEXT1.s4p", K::next),
          load("example2_NEXT2.s4p", K::next), load("example2_NEXT3.s4p", K::next)};
}

// The set's COM of the VITA channel, computed once for the tests that read it (and timed).
double search_seconds = 0.0;
const ll::ComResult& vita_result() {
  static const ll::ComResult r = [] {
    const std::vector<ll::ComChannel> ch = vita_channels();
    const auto t0 = std::chrono::steady_clock::now();
    ll::ComResult out = ll::standard_com(ll::com_set("802.3by-KR"), ch);
    search_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  }();
  return r;
}

TEST(ComStandard, Vita68ExampleAgainstMatlab) {
  const ll::ComResult& r = vita_result();
  const double seconds = search_seconds;
  // MATLAB v2.60 (Bob Sullivan, VITA), as PyChOpMarg's notebook prints it (tests/data/com/vita68).
  const double reference[2] = {4.30, 3.65};
  const double peak[2] = {82.6e-3, 72.0e-3};
  const double sigma_tx[2] = {1.4e-3, 1.1e-3}, sigma_xt[2] = {3.3e-3, 2.8e-3};
  const double sigma_rj[2] = {0.40e-3, 0.33e-3};
  ASSERT_EQ(r.cases.size(), 2u);
  for (int c = 0; c < 2; ++c) {
    const ll::ComCase& k = r.cases[c];
    std::printf(
        "case %d: COM %.3f dB (MATLAB %.2f) FOM %.2f A_s %.2f mV A_ni %.2f mV peak %.1f mV "
        "gDC %.0f c(-1) %.2f c(1) %.2f b1 %.3f b2 %.3f sISI %.2f sXT %.2f sTX %.2f sJ %.2f "
        "sRJ %.2f sN %.2f sG %.2f\n",
        c + 1, k.com_db, reference[c], k.fom_db, 1e3 * k.signal_v, 1e3 * k.interference_v,
        1e3 * k.pulse_peak_v, k.eq.g_dc_db, k.eq.tx_taps[0], k.eq.tx_taps[2], k.eq.dfe[0],
        k.eq.dfe[1], 1e3 * k.sigma_isi_v, 1e3 * k.sigma_xt_v, 1e3 * k.sigma_tx_v,
        1e3 * k.sigma_jitter_v, 1e3 * k.sigma_rj_v, 1e3 * k.sigma_n_v, 1e3 * k.sigma_gaussian_v);
    EXPECT_NEAR(k.com_db, reference[c], 0.5) << "case " << c + 1;
    // The printed intermediate figures, within what their rounding and the reference's own
    // choice of CTLE gain (-12 dB in both cases) allow: the unequalised pulse's peak (H_21 and
    // the package alone) within 1.5%, the receiver's noise within 5% (printed to 2 digits), the
    // transmitter's noise and the crosstalk within 10% (they scale with the chosen gain's
    // cursor), the random jitter's part within 15% (0.40 and 0.33 mV, 2 digits).
    EXPECT_NEAR(k.pulse_peak_v, peak[c], 0.015 * peak[c]) << "case " << c + 1;
    EXPECT_NEAR(k.sigma_n_v, 0.71e-3, 0.05 * 0.71e-3) << "case " << c + 1;
    EXPECT_NEAR(k.sigma_tx_v, sigma_tx[c], 0.1 * sigma_tx[c]) << "case " << c + 1;
    EXPECT_NEAR(k.sigma_xt_v, sigma_xt[c], 0.1 * sigma_xt[c]) << "case " << c + 1;
    EXPECT_NEAR(k.sigma_rj_v, sigma_rj[c], 0.15 * sigma_rj[c]) << "case " << c + 1;
  }
  std::printf("full search, both cases: %.3f s\n", seconds);
}

// An independent evaluation of the FOM's terms at the equalisation the search chose, the way
// 93A writes them: the packages and channel as chain (ABCD) matrices (the line as cosh/sinh of
// gamma z, not 93A-13's S-parameters), the terminated transfer as the source-to-load voltage
// ratio, the Butterworth filter in factored form, the CTLE and the transmit FFE in the frequency
// domain, one inverse DFT, and the sums over every sample and phase written out.
TEST(ComStandard, FomTermsMatchADirectComputation) {
  const std::vector<ll::ComChannel> ch = vita_channels();
  const ll::ComSet set = ll::com_set("802.3by-KR");
  const ll::ComCase& k = vita_result().cases[0];
  const ll::ComPackageCase& pc = set.cases[0];
  using cd = std::complex<double>;
  struct Abcd {
    cd a, b, c, d;
  };
  auto mul = [](const Abcd& x, const Abcd& y) {
    return Abcd{x.a * y.a + x.b * y.c, x.a * y.b + x.b * y.d, x.c * y.a + x.d * y.c,
                x.c * y.b + x.d * y.d};
  };
  const double r0 = set.r0_ohm, rd = set.r_d_ohm, fb = set.symbol_rate_hz, T = 1.0 / fb;
  const int M = set.samples_per_ui;
  const std::size_t N = 82500, bins = N / 2 + 1;  // 100 ns at 32 samples per UI
  const double df = fb * M / N;
  const cd j(0.0, 1.0);
  auto package = [&](double f, const ll::ComEnd& e) {  // die C_d, line, ball C_p
    const double w = 2.0 * ll::kPi * f, fg = f * 1e-9;
    EXPECT_EQ(e.package.size(), 1u);  // 93A's one line
    const ll::ComLine& l = e.package.at(0);
    cd gamma = l.loss.gamma0_per_mm;
    if (fg > 0.0)
      gamma += l.loss.a1_sqrt_ns_per_mm * (1.0 + j) * std::sqrt(fg) +
               fg * (l.loss.a2_ns_per_mm * (1.0 - j * (2.0 / ll::kPi) * std::log(fg)) +
                     j * 2.0 * ll::kPi * l.loss.tau_ns_per_mm);
    const double z = l.z_c_ohm / 2.0;  // one leg's share of the differential impedance
    const cd gl = gamma * l.length_mm;
    const Abcd line{std::cosh(gl), z * std::sinh(gl), std::sinh(gl) / z, std::cosh(gl)};
    const Abcd cd_{1.0, 0.0, j * w * e.die.c_d_f.at(0), 1.0}, cp{1.0, 0.0, j * w * e.c_p_f, 1.0};
    return std::pair<Abcd, Abcd>{mul(mul(cd_, line), cp), mul(mul(cp, line), cd_)};
  };
  auto ctle = [&](double f) {
    const double g = std::pow(10.0, k.eq.g_dc_db / 20.0);
    return (g + j * f / set.f_z_hz) / ((1.0 + j * f / set.f_p1_hz) * (1.0 + j * f / set.f_p2_hz));
  };
  auto pulse = [&](std::size_t c, bool ffe) {
    std::vector<cd> s[4];
    for (int e = 0; e < 4; ++e) {
      std::vector<cd> v(ch[c].s.size());
      for (std::size_t q = 0; q < v.size(); ++q)
        v[q] = e == 0   ? ch[c].s[q].s11
               : e == 1 ? ch[c].s[q].s12
               : e == 2 ? ch[c].s[q].s21
                        : ch[c].s[q].s22;
      s[e] = ll::interpolate_response(ch[c].frequency_hz, v, df, bins);
    }
    const ll::ComEnd& tx = ch[c].kind == ll::ComChannelKind::next   ? pc.next
                           : ch[c].kind == ll::ComChannelKind::fext ? pc.fext
                                                                    : pc.tx;
    const double amp = ch[c].kind == ll::ComChannelKind::next   ? set.a_ne_v
                       : ch[c].kind == ll::ComChannelKind::fext ? set.a_fe_v
                                                                : set.a_v_v;
    std::vector<cd> h(bins);
    for (std::size_t q = 0; q < bins; ++q) {
      const double f = df * q;
      const cd s11 = s[0][q], s12 = s[1][q], s21 = s[2][q], s22 = s[3][q];
      if (s21 == 0.0) continue;  // above the file's roll-off (no through path: H = 0)
      const Abcd chan{((1.0 + s11) * (1.0 - s22) + s12 * s21) / (2.0 * s21),
                      r0 * ((1.0 + s11) * (1.0 + s22) - s12 * s21) / (2.0 * s21),
                      ((1.0 - s11) * (1.0 - s22) - s12 * s21) / (2.0 * s21 * r0),
                      ((1.0 - s11) * (1.0 + s22) + s12 * s21) / (2.0 * s21)};
      const Abcd t = mul(mul(package(f, tx).first, chan), package(f, pc.rx).second);
      const cd h21 = 2.0 * rd / (t.a * rd + t.b + t.c * rd * rd + t.d * rd);  // 2 V_load / V_source
      const double y = f / (set.f_r * fb);
      const cd sy = j * y;
      const cd hr =
          1.0 / ((sy * sy + 0.7653668647 * sy + 1.0) * (sy * sy + 1.8477590650 * sy + 1.0));
      cd hffe = 1.0;
      if (ffe) {
        hffe = 0.0;
        for (std::size_t i = 0; i < k.eq.tx_taps.size(); ++i)
          hffe += k.eq.tx_taps[i] * std::exp(-j * 2.0 * ll::kPi * f * T * static_cast<double>(i));
      }
      const double u = ll::kPi * f * T;
      h[q] = amp * h21 * hr * ctle(f) * hffe * (M * (q == 0 ? 1.0 : std::sin(u) / u));
    }
    return ll::inverse_real_dft(h);
  };
  const std::vector<double> v = pulse(0, true);
  const long ts = std::lround(k.cursor_ui * M);
  const double h0 = v[ts];
  double isi = 0.0;
  for (long t = ts % M, n = -(ts / M); t < static_cast<long>(N); t += M, ++n) {
    if (n == 0) continue;
    double h = v[t];
    if (n >= 1 && n <= static_cast<long>(k.eq.dfe.size())) h -= k.eq.dfe[n - 1] * h0;
    isi += h * h;
  }
  double xt = 0.0;
  for (std::size_t c = 1; c < ch.size(); ++c) {
    const std::vector<double> a = pulse(c, ch[c].kind == ll::ComChannelKind::fext);
    double worst = 0.0;
    for (int m = 0; m < M; ++m) {
      double e = 0.0;
      for (std::size_t t = m; t < N; t += M) e += a[t] * a[t];
      worst = std::max(worst, e);
    }
    xt += worst;
  }
  double noise = 0.0;
  for (std::size_t q = 1; q < bins; ++q) {
    const double f = df * q, y = f / (set.f_r * fb);
    const cd sy = j * y;
    const cd hr = 1.0 / ((sy * sy + 0.7653668647 * sy + 1.0) * (sy * sy + 1.8477590650 * sy + 1.0));
    noise += std::norm(hr * ctle(f)) * df;
  }
  noise *= set.eta0_v2_per_ghz * 1e-9;
  // The search's shifted pulses are linear where the DFT's are circular: the pulse's tail after
  // 100 ns, a few UI wrapping round, differs below 1e-4 of each figure.
  EXPECT_NEAR(k.signal_v, h0, 1e-4 * h0);
  EXPECT_NEAR(k.sigma_isi_v, std::sqrt(isi), 1e-3 * std::sqrt(isi));
  EXPECT_NEAR(k.sigma_xt_v, std::sqrt(xt), 1e-3 * std::sqrt(xt));
  EXPECT_NEAR(k.sigma_n_v, std::sqrt(noise), 1e-6 * std::sqrt(noise));
  EXPECT_NEAR(k.sigma_tx_v, h0 * std::pow(10.0, -set.snr_tx_db / 20.0), 1e-4 * k.sigma_tx_v);
}

// A scenario's channel.com_set: the thru's aggressors found beside it by name, the figure in
// the point's report equal to the library's, and keys for a mode not selected refused.
TEST(ComStandard, ScenarioComputesTheStandardsComBesideTheLanes) {
  const std::string preset = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";
  const std::vector<std::string> base = {
      "channel.model=\"touchstone\"", "channel.file=\"" + kVita + "example2_THRU.s4p\"",
      "channel.port_order=\"in13_out24\"",
      // The lane at the set's own rate (the file reaches its Nyquist frequency), 8 samples per
      // UI: the point's set-up is what this test pays for.
      "signal.symbol_rate_gbd=25.78125", "signal.samples_per_ui=8", "run.chunk_symbols=8192"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), base.begin(), base.end());
    return ll::prepare_run(ll::load_scenario(preset, more));
  };
  const double library = vita_result().com_db;
  const auto run = with({"channel.com_set=\"802.3by-KR\""});
  const ll::LinkReport& rep = run.links.front().report;
  EXPECT_DOUBLE_EQ(rep.com_reference_db, library);
  EXPECT_TRUE(std::isfinite(rep.com_db));  // the lane's own figure stays beside it
  for (const std::string& w : rep.warnings) EXPECT_EQ(w.find("no FEXT or NEXT"), std::string::npos);
  // Without the aggressors the margin grows (crosstalk is the largest term here), and says so.
  const auto alone = with({"channel.com_set=\"802.3by-KR\"", "channel.com_crosstalk=\"none\""});
  EXPECT_GT(alone.links.front().report.com_reference_db, library + 1.0);
  const auto none = with({});
  EXPECT_TRUE(std::isnan(none.links.front().report.com_reference_db));
  auto refusal = [&](std::vector<std::string> more) -> std::string {
    try {
      with(std::move(more));
    } catch (const ll::ScenarioError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(refusal({"channel.com_crosstalk=\"none\""}).find("channel.com_set"), std::string::npos);
  EXPECT_NE(refusal({"channel.com_set=\"802.3dj\""}).find("802.3by-KR"), std::string::npos);
  try {
    ll::load_scenario(preset, {"channel.com_set=\"802.3by-KR\""});
    ADD_FAILURE() << "channel.com_set without a Touchstone channel was accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("channel.model"), std::string::npos) << e.what();
  }
}

// The command line's checks: a wrong pairing has no through path and is refused naming the file.
TEST(ComStandard, WrongPortOrderIsRefused) {
  ll::ComFiles files;
  files.thru = kVita + "example2_THRU.s4p";
  files.order = ll::PortOrder::in12_out34;
  try {
    std::vector<std::string> warnings;
    ll::load_com_channels(files, ll::com_set("802.3by-KR"), "test", warnings);
    ADD_FAILURE() << "accepted";
  } catch (const ll::TouchstoneError& e) {
    EXPECT_NE(std::string(e.what()).find("example2_THRU.s4p"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("port order"), std::string::npos);
  }
}

// The search's pulses from the CTLE's basis (host/link/com_standard_pulses.hpp) against the
// direct ones (an inverse DFT at each setting): the same peak, samples, phase autocorrelations
// and eta_0 power within rounding, at settings across the gains; on the VITA channel with its
// five aggressors (802.3by-KR: one CTLE stage, two basis pulses) and on the example NPO host
// channel (802.3ck-KR: two stages, four).
TEST(ComStandard, BasisPulsesAreTheDirectOnes) {
  using namespace ll::com_detail;
  struct Run {
    const char* set;
    std::vector<ll::ComChannel> channels;
  };
  std::vector<std::string> warnings;
  const ll::ComSet ck = ll::com_set("802.3ck-KR");
  const std::vector<Run> runs = {
      {"802.3by-KR", vita_channels()},
      {"802.3ck-KR",
       ll::load_com_channels(
           {std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/channels/npo_host.s4p", {}, {}}, ck,
           "test", warnings)}};
  for (const Run& run : runs) {
    const ll::ComSet s = ll::com_set(run.set);
    const Grid g = com_grid(s);
    const auto gridded = channels_on_grid(s, run.channels, g);
    const std::vector<ll::CtleStages> stages = ctle_stages_on_grid(s, g);
    const TxLayout lay = tx_layout(s);
    const CaseSpectra cs = case_spectra(s, s.cases.back(), run.channels, gridded, g);
    const StandardBasis basis = standard_basis(s, cs, run.channels, stages, g, lay.taps);
    const int M = s.samples_per_ui;
    for (double g1 : {s.g_dc_db.front(), s.g_dc_db[s.g_dc_db.size() / 2], s.g_dc_db.back()})
      for (double g2 : {s.g_dc2_db.front(), s.g_dc2_db.back()}) {
        const CasePulses want = case_pulses(s, cs, run.channels, ctle(stages, g1, g2), g, lay.taps);
        const CasePulses got = basis_pulses(basis, g1, g2, 10L * M, 60L * M);
        const std::string at =
            std::string(run.set) + " at " + std::to_string(g1) + " / " + std::to_string(g2) + " dB";
        ASSERT_EQ(got.peak, want.peak) << at;
        ASSERT_EQ(got.victim.n, want.victim.n) << at;
        const double top = want.victim.x[static_cast<std::size_t>(want.peak)];
        EXPECT_EQ(got.victim.start, std::max(0L, want.peak - 10L * M) / M * M) << at;
        for (std::size_t t = 0; t < got.victim.x.size(); ++t)
          ASSERT_NEAR(got.victim.x[t], want.victim.x[got.victim.start + t], 1e-12 * top) << at;
        // The same samples by phase, to the window's last UI (0 past the pulse).
        ASSERT_EQ(got.victim.by_phase.size(), static_cast<std::size_t>(M * got.victim.uis)) << at;
        for (int m = 0; m < M; ++m)
          for (long k = 0; k < got.victim.uis; ++k) {
            const long t = got.victim.start + m + k * M;
            ASSERT_NEAR(got.victim.by_phase[static_cast<std::size_t>(m * got.victim.uis + k)],
                        t < want.victim.n ? want.victim.x[static_cast<std::size_t>(t)] : 0.0,
                        1e-12 * top)
                << at;
          }
        auto same_r = [&](const PhasedPulse& a, const PhasedPulse& b, const char* what) {
          ASSERT_EQ(a.r.size(), b.r.size()) << at << ", " << what;
          const double r0 = *std::max_element(b.r.begin(), b.r.end());
          for (std::size_t k = 0; k < a.r.size(); ++k)
            ASSERT_NEAR(a.r[k], b.r[k], 1e-11 * r0) << at << ", " << what << " " << k;
        };
        same_r(got.victim, want.victim, "thru");
        same_r(got.slope, want.slope, "slope");
        ASSERT_EQ(got.aggressors.size(), want.aggressors.size()) << at;
        for (std::size_t a = 0; a < got.aggressors.size(); ++a) {
          same_r(got.aggressors[a], want.aggressors[a], "aggressor");
          EXPECT_EQ(got.kinds[a], want.kinds[a]) << at;
        }
        EXPECT_NEAR(got.var_n, want.var_n, 1e-12 * want.var_n) << at;
        EXPECT_GT(want.var_n, 0.0) << at;
      }
  }
}

}  // namespace
