// The SerDes electrical channel, part 1 (host/link/touchstone.cpp, host/link/channel.cpp): Touchstone
// files read in every format and both versions, the mixed-mode through response, malformed
// files refused with file and line, non-passive data scaled with a warning; a lossless line is
// a delayed delta; a synthetic RLGC line written to Touchstone and read back gives SDD21 within
// 0.05 dB of the analytic line up to the band edge; the parametric channel's loss and its
// minimum-phase causality; the transmit FFE and the CTLE against their definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/link/channel.hpp"
#include "host/link/filter_design.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/touchstone.hpp"
#include "tests/host/rlgc_line.hpp"
#include "physics/config.hpp"

namespace {

using cd = std::complex<double>;

using ll_test::Rlgc;  // tests/host/rlgc_line.hpp


std::string temp_path(const std::string& name) { return ::testing::TempDir() + name; }

std::string write_text(const std::string& name, const std::string& text) {
  const std::string p = temp_path(name);
  std::ofstream(p) << text;
  return p;
}

std::string error_of(const std::string& path) {
  try {
    ll::read_touchstone(path);
  } catch (const ll::TouchstoneError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(Touchstone, ReadsEveryFormatOfATwoPortInVersionOne) {
  // One 2-port point written three ways: S21 = 0.5 at -30 degrees, S11 = 0.1 at 90.
  const cd s21 = std::polar(0.5, -ll::kPi / 6), s11 = std::polar(0.1, ll::kPi / 2);
  const std::string ri =
      write_text("a.s2p", "! comment\n# GHz S RI R 50\n1.0 " + std::to_string(s11.real()) + " " +
                              std::to_string(s11.imag()) + " " + std::to_string(s21.real()) + " " +
                              std::to_string(s21.imag()) + " 0 0 0 0 ! trailing\n");
  const std::string ma = write_text("b.s2p", "# mhz s ma r 50\n1000 0.1 90 0.5 -30 0 0 0 0\n");
  const std::string db =
      write_text("c.s2p", "#Hz S DB R 50\n1e9 -20 90 " + std::to_string(20 * std::log10(0.5)) +
                              " -30 -300 0 -300 0\n");
  for (const std::string& p : {ri, ma, db}) {
    const ll::TouchstoneData d = ll::read_touchstone(p);
    ASSERT_EQ(d.ports, 2);
    ASSERT_EQ(d.frequency_hz.size(), 1u);
    EXPECT_NEAR(d.frequency_hz[0], 1e9, 1e-3) << p;
    EXPECT_NEAR(std::abs(d.at(0, 1, 0) - s21), 0.0, 1e-6) << p;  // N21 is the second pair
    EXPECT_NEAR(std::abs(d.at(0, 0, 0) - s11), 0.0, 1e-6) << p;
    EXPECT_NEAR(std::abs(d.at(0, 0, 1)), 0.0, 1e-6) << p;
    EXPECT_TRUE(d.warnings.empty()) << p;
  }
}

TEST(Touchstone, ReadsVersionTwoWithItsKeywordsAndBothTwoPortOrders) {
  const std::string v2 = write_text("v2.s2p",
                                    "[Version] 2.0\n# GHz S MA R 50\n[Number of Ports] 2\n"
                                    "[Two-Port Data Order] 12_21\n[Number of Frequencies] 2\n"
                                    "[Network Data]\n1 0.1 0 0.2 0 0.5 0 0.1 0\n"
                                    "2 0.1 0 0.2 0 0.4 0 0.1 0\n[End]\n");
  const ll::TouchstoneData d = ll::read_touchstone(v2);
  EXPECT_NEAR(std::abs(d.at(0, 0, 1)), 0.2, 1e-12);  // 12_21: N12 comes second
  EXPECT_NEAR(std::abs(d.at(1, 1, 0)), 0.4, 1e-12);
  // A 4-port, version 2, lower-triangular matrix (a reciprocal network).
  const std::string lower = write_text(
      "v2l.s4p",
      "[Version] 2.0\n# Hz S RI R 50\n[Number of Ports] 4\n[Matrix Format] Lower\n"
      "[Network Data]\n1e9 0.1 0\n 0.2 0 0.1 0\n 0.6 0 0.05 0 0.1 0\n 0.05 0 0.6 0 0.2 0 0.1 0\n");
  const ll::TouchstoneData q = ll::read_touchstone(lower);
  ASSERT_TRUE(q.warnings.empty()) << q.warnings.front();
  EXPECT_DOUBLE_EQ(q.at(0, 2, 0).real(), 0.6);
  EXPECT_DOUBLE_EQ(q.at(0, 0, 2).real(), 0.6);  // mirrored
  EXPECT_DOUBLE_EQ(q.at(0, 3, 1).real(), 0.6);
}

TEST(Touchstone, MixedModeThroughOfBothPortOrders) {
  // Two uncoupled identical lines: S_thru on each, nothing across. Order in12_out34 puts them
  // at 1->3 and 2->4; in13_out24 at 1->2 and 3->4. SDD21 is S_thru in both readings; a wrong
  // reading of the pairs gives 0 (the through terms land across the pairs).
  const cd thru = std::polar(0.8, -1.0);
  std::vector<cd> a(16, 0.0), b(16, 0.0);
  a[2 * 4 + 0] = a[0 * 4 + 2] = a[3 * 4 + 1] = a[1 * 4 + 3] = thru;
  b[1 * 4 + 0] = b[0 * 4 + 1] = b[3 * 4 + 2] = b[2 * 4 + 3] = thru;
  const std::string pa = temp_path("a.s4p"), pb = temp_path("b.s4p");
  ll::write_touchstone(pa, 4, {1e9}, a);
  ll::write_touchstone(pb, 4, {1e9}, b);
  const ll::TouchstoneData da = ll::read_touchstone(pa), db = ll::read_touchstone(pb);
  EXPECT_NEAR(std::abs(ll::through_response(da, ll::PortOrder::in12_out34)[0] - thru), 0, 1e-12);
  EXPECT_NEAR(std::abs(ll::through_response(db, ll::PortOrder::in13_out24)[0] - thru), 0, 1e-12);
  EXPECT_NEAR(std::abs(ll::through_response(da, ll::PortOrder::in13_out24)[0]), 0, 1e-12);
}

TEST(Touchstone, MalformedFilesNameFileAndLine) {
  struct Case {
    std::string name, text, expect;
  };
  const std::vector<Case> cases = {
      {"ports.s4p", "[Version] 2.0\n# GHz S MA R 50\n[Number of Ports] 2\n", "ports.s4p:3:"},
      {"order.s2p", "# GHz S MA R 50\n1 0 0 0.5 0 0.5 0 0 0\n0.9 0 0 0.5 0 0.5 0 0 0\n",
       "order.s2p:3:"},
      {"missing.s2p", "# GHz S MA R 50\n1 0 0 0.5 0 0.5 0 0\n2 0 0 0.5 0 0.5 0 0 0\n",
       "missing.s2p:3:"},
      {"short.s2p", "# GHz S MA R 50\n1 0 0 0.5 0 0.5 0 0\n", "short.s2p:2:"},
      {"option.s2p", "# GHz S XY R 50\n1 0 0 0.5 0 0.5 0 0 0\n", "option.s2p:1:"},
      {"zparam.s2p", "# GHz Z MA R 50\n1 0 0 0.5 0 0.5 0 0 0\n", "zparam.s2p:1:"},
      {"nan.s2p", "# GHz S MA R 50\n1 0 0 0.5 x 0.5 0 0 0\n", "nan.s2p:2:"},
      {"count.s2p",
       "[Version] 2.0\n# GHz S MA R 50\n[Number of Ports] 2\n[Two-Port Data Order] 21_12\n"
       "[Number of Frequencies] 3\n[Network Data]\n1 0 0 0.5 0 0.5 0 0 0\n",
       "count.s2p:"},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(write_text(c.name, c.text));
    EXPECT_NE(e.find(temp_path(c.expect)), std::string::npos) << c.name << ": " << e;
  }
}

TEST(Touchstone, NonPassiveDataIsScaledWithAWarning) {
  const std::string p = write_text(
      "gain.s2p", "# GHz S MA R 50\n1 0.1 0 1.05 0 1.05 0 0.1 0\n2 0.1 0 0.5 0 0.5 0 0.1 0\n");
  const ll::TouchstoneData d = ll::read_touchstone(p);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("not passive at 1 of 2"), std::string::npos) << d.warnings[0];
  // [[0.1, 1.05], [1.05, 0.1]] has singular values 1.15 and 0.95.
  EXPECT_NEAR(d.max_singular_value, 1.15, 1e-9);
  EXPECT_NEAR(std::abs(d.at(0, 1, 0)), 1.05 / 1.15, 1e-9);
  EXPECT_NEAR(std::abs(d.at(1, 1, 0)), 0.5, 1e-12);
}

TEST(Channel, LosslessLineIsADelayedDelta) {
  // S21 = e^{-j w tau} to 200 GHz with tau a whole number of samples (4200 at fs = 32 x
  // 106.25 GHz): the inverse DFT of the interpolated response peaks at the delay, and once its
  // delay is gated off (a CDR follows it) the FIR is the band limit's own impulse response (flat
  // to 200 GHz, a raised cosine to 240 GHz: a delta as sharp as the band allows), to 1e-9.
  const double fs = 32 * 106.25e9, tau = 4200.0 / fs;
  std::vector<double> f;
  std::vector<cd> h, flat;
  for (int k = 1; k <= 4000; ++k) {
    f.push_back(k * 50e6);
    h.push_back(std::polar(1.0, -2.0 * ll::kPi * f.back() * tau));
    flat.push_back(1.0);
  }
  const std::size_t N = ll::channel_grid_points(fs, 50e6, 2048);
  const std::vector<double> impulse =
      ll::inverse_real_dft(ll::interpolate_response(f, h, fs / N, N / 2 + 1));
  std::size_t peak = 0;
  for (std::size_t i = 0; i < impulse.size(); ++i)
    if (std::abs(impulse[i]) > std::abs(impulse[peak])) peak = i;
  EXPECT_EQ(peak, 4200u);
  const ll::ChannelFir fir = ll::measured_channel_fir(f, h, fs, 53.125e9);
  const ll::ChannelFir band = ll::measured_channel_fir(f, flat, fs, 53.125e9);
  ASSERT_EQ(fir.taps.size(), band.taps.size());
  double worst = 0.0, sum = 0.0;
  for (std::size_t i = 0; i < fir.taps.size(); ++i) {
    worst = std::max(worst, std::abs(fir.taps[i] - band.taps[i]));
    sum += fir.taps[i];
  }
  EXPECT_LT(worst, 1e-9);
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(fir.dc_gain, 1.0, 1e-3);
  EXPECT_NEAR(fir.loss_at_nyquist_db, 0.0, 1e-6);
}

TEST(Channel, RlgcLineThroughTouchstoneWithin0p05dB) {
  // A differential pair of two uncoupled RLGC lines (30 cm, 19 dB at 53 GHz) written as a
  // 4-port (1->3, 2->4) in DB format with 10,000 points to 100 GHz, read back: SDD21 within
  // 0.05 dB of the analytic S21 at every point; interpolated onto the simulation grid, within
  // 0.05 dB up to the band edge (the file's last frequency).
  const Rlgc line;
  const int n = 10000;
  std::vector<double> f(n);
  std::vector<cd> s(16 * n, 0.0), analytic(n);
  for (int k = 0; k < n; ++k) {
    f[k] = (k + 1) * 10e6;
    cd s11, s21;
    line.s_params(f[k], 50.0, s11, s21);
    analytic[k] = s21;
    cd* m = &s[16 * k];
    m[0] = m[5] = m[10] = m[15] = s11;
    m[2 * 4 + 0] = m[0 * 4 + 2] = m[3 * 4 + 1] = m[1 * 4 + 3] = s21;
  }
  const std::string p = temp_path("rlgc.s4p");
  ll::write_touchstone(p, 4, f, s, 50.0, "DB");
  const ll::TouchstoneData d = ll::read_touchstone(p);
  ASSERT_EQ(d.frequency_hz.size(), static_cast<std::size_t>(n));
  EXPECT_TRUE(d.warnings.empty());
  const std::vector<cd> sdd21 = ll::through_response(d, ll::PortOrder::in12_out34);
  double worst = 0.0;
  for (int k = 0; k < n; ++k)
    worst = std::max(worst, std::abs(20 * std::log10(std::abs(sdd21[k]) / std::abs(analytic[k]))));
  EXPECT_LT(worst, 0.05);
  EXPECT_GT(-20 * std::log10(std::abs(analytic[5312])), 15.0) << "the line should be lossy";
  // On the simulation grid (fs = 32 x 106.25 GHz): every grid bin up to 100 GHz.
  const double fs = 32 * 106.25e9;
  const std::size_t N = ll::channel_grid_points(fs, 10e6, 2048);
  const double df = fs / N;
  const std::vector<cd> grid = ll::interpolate_response(d.frequency_hz, sdd21, df, N / 2 + 1);
  double worst_grid = 0.0;
  for (std::size_t b = 1; b * df <= f.back(); ++b) {
    cd s11, s21;
    line.s_params(b * df, 50.0, s11, s21);
    worst_grid = std::max(worst_grid, std::abs(20 * std::log10(std::abs(grid[b]) / std::abs(s21))));
  }
  EXPECT_LT(worst_grid, 0.05);
}

TEST(Channel, ParametricLossAndMinimumPhaseCausality) {
  const double fs = 32 * 106.25e9, fn = 53.125e9;
  const ll::ChannelFir fir = ll::parametric_channel_fir(20.0, 0.4, ll::PackageModel{}, fn, fs);
  EXPECT_NEAR(fir.loss_at_nyquist_db, 20.0, 0.05);
  EXPECT_NEAR(ll::parametric_loss_db(fn, 20.0, fn, 0.4), 20.0, 1e-12);
  EXPECT_NEAR(ll::parametric_loss_db(fn / 4, 20.0, fn, 0.4), 20.0 * (0.4 * 0.5 + 0.6 * 0.25),
              1e-12);
  // The FIR's own response at Nyquist relative to DC: 20 dB (its DFT, zero-padded).
  std::vector<double> padded(fir.taps);
  padded.resize(1 << 16, 0.0);
  const auto spectrum = ll::real_dft(padded);
  const std::size_t k = static_cast<std::size_t>(std::lround(fn / (fs / padded.size())));
  const double loss = -20 * std::log10(std::hypot(spectrum[k].re, spectrum[k].im) /
                                       std::hypot(spectrum[0].re, spectrum[0].im));
  // The -80 dB gate drops the skin effect's far tail, ~2.2% of the DC sum; scaled back to unit
  // DC the FIR then loses 20 log10(1 / 0.978) = 0.19 dB less at Nyquist than the model.
  EXPECT_NEAR(loss, 20.0 - 0.19, 0.05);
  // Minimum phase is causal: the response rises at its start, nothing of note precedes the peak
  // by more than its rise (energy before the first 1% sample below 1e-6).
  const std::size_t N = 1 << 16;
  std::vector<double> mag(N / 2 + 1);
  for (std::size_t b = 0; b < mag.size(); ++b)
    mag[b] = std::pow(10.0, -ll::parametric_loss_db(b * fs / N, 20.0, fn, 0.4) / 20.0);
  const std::vector<double> h = ll::inverse_real_dft(ll::minimum_phase(mag));
  double total = 0.0, wrapped = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    total += h[i] * h[i];
    if (i >= N / 2) wrapped += h[i] * h[i];  // negative times on the circle
  }
  EXPECT_LT(wrapped / total, 1e-6);
}

TEST(Channel, PackageCascadeEqualsTheClosedForms) {
  // Lossless thru (H = 1), no die: the two traces are one lossless line of twice the delay, whose
  // mismatch to 50 ohm gives |S21|^2 = 1 / (1 + ((Z_p/Z_0 - Z_0/Z_p)/2)^2 sin^2(2 w tau)).
  ll::PackageModel trace;
  trace.impedance_ohm = 40.0;
  trace.delay_s = 30e-12;
  // Die only, zero-length traces: two shunt capacitances at one node are one of 2 C, and a shunt
  // C between matched 50 ohm ports passes 1 / (1 + j w C Z_0 / 2): here 1 / (1 + j w C Z_0).
  ll::PackageModel die;
  die.die_capacitance_f = 120e-15;
  for (double f : {1e9, 13e9, 26.5e9, 53.125e9, 80e9}) {
    const double w = 2.0 * ll::kPi * f;
    const double m = 0.5 * (40.0 / 50.0 - 50.0 / 40.0), s2 = std::pow(std::sin(2 * w * 30e-12), 2);
    EXPECT_NEAR(std::norm(ll::package_cascade_s21(f, 1.0, trace)), 1.0 / (1.0 + m * m * s2), 1e-12)
        << f;
    const cd expected = 1.0 / cd(1.0, w * 120e-15 * 50.0);
    EXPECT_NEAR(std::abs(ll::package_cascade_s21(f, 1.0, die) - expected), 0.0, 1e-12) << f;
  }
  // A matched package is a pure delay: the line's response passes with the traces' phase.
  ll::PackageModel matched;
  matched.delay_s = 25e-12;
  const cd line = std::polar(0.3, -1.1);
  const cd got = ll::package_cascade_s21(20e9, line, matched);
  EXPECT_NEAR(std::abs(got - line * std::polar(1.0, -2.0 * 2.0 * ll::kPi * 20e9 * 25e-12)), 0.0,
              1e-12);
  // In a scenario, a trace needs its impedance and delay.
  try {
    ll::prepare_run(
        ll::load_scenario(std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml",
                          {"channel.model=\"parametric\"", "channel.loss_db_at_nyquist=5",
                           "channel.skin_share=0.5", "channel.package_length_mm=5"}));
    ADD_FAILURE() << "a package trace without its impedance was accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("channel.package_impedance_ohm"), std::string::npos);
  }
}

TEST(Channel, TxFfeAndCtleFollowTheirDefinitions) {
  // FFE: taps normalised to sum |c| = 1, each a UI apart.
  const std::vector<double> ffe = ll::apply_tx_ffe({1.0}, {-0.1, 0.7, -0.2}, 4);
  ASSERT_EQ(ffe.size(), 9u);
  EXPECT_DOUBLE_EQ(ffe[0], -0.1);
  EXPECT_DOUBLE_EQ(ffe[4], 0.7);
  EXPECT_DOUBLE_EQ(ffe[8], -0.2);
  // CTLE: unit DC gain, the peaking of -gDC dB near the pole pair, and the FIR's response
  // matching the analytic one within 0.1 dB up to 53 GHz.
  const double fz = 106.25e9 / 2.5, fp1 = fz, fp2 = 106.25e9, flf = 106.25e9 / 80;
  EXPECT_NEAR(std::abs(ll::ctle_response(0.0, -8.0, fz, fp1, fp2, -2.0, flf)), 1.0, 1e-12);
  const double fs = 32 * 106.25e9;
  const std::vector<double> fir = ll::design_ctle_fir(-8.0, fz, fp1, fp2, -2.0, flf, fs);
  std::vector<double> padded(fir);
  padded.resize(std::max<std::size_t>(padded.size(), 1 << 17), 0.0);
  const auto spectrum = ll::real_dft(padded);
  for (double f : {1e9, 10e9, 26.5625e9, 53.125e9}) {
    const std::size_t k = static_cast<std::size_t>(std::lround(f / (fs / padded.size())));
    const double got = std::hypot(spectrum[k].re, spectrum[k].im);
    const double want =
        std::abs(ll::ctle_response(k * fs / padded.size(), -8.0, fz, fp1, fp2, -2.0, flf));
    EXPECT_NEAR(20 * std::log10(got / want), 0.0, 0.1) << f;
  }
  EXPECT_GT(std::abs(ll::ctle_response(53.125e9, -8.0, fz, fp1, fp2, -2.0, flf)), 2.0);
}

TEST(Channel, LanesRunThroughAParametricChannelAndATouchstoneFile) {
  const std::string preset = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";
  auto prepare = [&](std::vector<std::string> o) {
    return ll::prepare_run(ll::load_scenario(preset, o));
  };
  const auto base = prepare({});
  const auto lossy = prepare(
      {"channel.model=\"parametric\"", "channel.loss_db_at_nyquist=10", "channel.skin_share=0.5"});
  const auto& rb = base.links.front().report;
  const auto& rl = lossy.links.front().report;
  EXPECT_TRUE(rl.serdes_transmit);
  EXPECT_NEAR(rl.channel_loss_db, 10.0, 0.05);
  EXPECT_LT(rl.cursor_gain, 0.9);  // ISI: the cursor carries less than a level's excursion
  // The eye the receiver expects shrinks with the cursor.
  const double eye_base = rb.received_levels_a[3] - rb.received_levels_a[0];
  const double eye_lossy = rl.received_levels_a[3] - rl.received_levels_a[0];
  EXPECT_LT(std::abs(eye_lossy), std::abs(eye_base));
  // A 4-port Touchstone file, relative to the scenario's folder: refused without its pairs.
  std::vector<cd> s(16, 0.0);
  s[2 * 4 + 0] = s[0 * 4 + 2] = s[3 * 4 + 1] = s[1 * 4 + 3] = 1.0;
  std::vector<double> f;
  std::vector<cd> all;
  for (int k = 1; k <= 200; ++k) {
    f.push_back(k * 0.5e9);
    for (cd v : s) all.push_back(v * std::polar(1.0, -2.0 * ll::kPi * f.back() * 0.3e-9));
  }
  const std::string p = temp_path("thru.s4p");
  ll::write_touchstone(p, 4, f, all);
  try {
    prepare({"channel.model=\"touchstone\"", "channel.file=\"" + p + "\""});
    ADD_FAILURE() << "a 4-port without channel.port_order was accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("channel.port_order"), std::string::npos) << e.what();
  }
  const auto thru = prepare({"channel.model=\"touchstone\"", "channel.file=\"" + p + "\"",
                             "channel.port_order=\"in12_out34\""});
  EXPECT_NEAR(thru.links.front().report.channel_loss_db, 0.0, 1e-6);
  // A malformed file is refused through the scenario key, naming the Touchstone line.
  const std::string bad = write_text("bad.s2p", "# GHz S MA R 50\n1 0 0 0.5 0 0.5 0 0\n");
  try {
    prepare({"channel.model=\"touchstone\"", "channel.file=\"" + bad + "\""});
    ADD_FAILURE() << "a malformed file was accepted";
  } catch (const ll::ScenarioError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("channel.file"), std::string::npos) << m;
    EXPECT_NE(m.find("bad.s2p:2:"), std::string::npos) << m;
  }
}

}  // namespace
