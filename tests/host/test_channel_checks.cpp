// The host channel, part 3 (issue 23): its own figures (host/link/channel_figures.cpp) against
// an analytic RLGC line and closed-form pulses; the checks that catch a wrong file (a swapped
// port order warns, a file short of the lane's Nyquist frequency is refused unless extrapolation
// is asked for); keys that the selected mode does not read are refused naming the selecting key;
// the chunk grows to the chain's delay unless the user gave one.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "host/link/channel_figures.hpp"
#include "host/link/touchstone.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "physics/config.hpp"
#include "tests/host/rlgc_line.hpp"

namespace {

using cd = std::complex<double>;
const std::string kPreset = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";

ll::PreparedRun prepare(const std::vector<std::string>& overrides,
                        const std::string& scenario = kPreset) {
  return ll::prepare_run(ll::load_scenario(scenario, overrides));
}
std::string refusal(const std::vector<std::string>& overrides) {
  try {
    prepare(overrides);
  } catch (const ll::ScenarioError& e) {
    return e.what();
  }
  return "accepted";
}
std::string temp_path(const std::string& name) { return ::testing::TempDir() + name; }

using ll_test::Rlgc;  // tests/host/rlgc_line.hpp

// A 4-port of two uncoupled lines, 1 -> 3 and 2 -> 4 (pairs in12_out34), from 10 MHz in 10 MHz
// steps to last_hz.
std::string write_pair(const std::string& name, const Rlgc& line, double last_hz) {
  std::vector<double> f;
  std::vector<cd> s;
  for (double fk = 10e6; fk <= last_hz * (1 + 1e-12); fk += 10e6) {
    f.push_back(fk);
    cd s11, s21;
    line.s_params(fk, 50.0, s11, s21);
    cd m[16] = {};
    m[0] = m[5] = m[10] = m[15] = s11;
    m[2 * 4 + 0] = m[0 * 4 + 2] = m[3 * 4 + 1] = m[1 * 4 + 3] = s21;
    s.insert(s.end(), m, m + 16);
  }
  const std::string p = temp_path(name);
  ll::write_touchstone(p, 4, f, s, 50.0, "RI");
  return p;
}

// The line's figures against the analytic line: IL at f_b/4, f_b/2 and f_b within 0.01 dB (the
// file's 10 MHz grid interpolated linearly in dB: a curvature error of ~1e-4 dB); ILD of a
// smooth line (its IL is a0 + a1 sqrt f + a2 f + ...) below 0.05 dB, and a known ripple of
// 0.3 dB amplitude added to |S21| (cos(2 pi f x 0.2 ns)) read back as 0.3 / sqrt 2 = 0.212 dB rms
// within 10%; the smallest return loss equal to the analytic minimum of -20 log |S11| up to
// f_N within 0.01 dB; the delay equal to the line's phase delay sqrt(L C) len (1.96 ns: the
// loss's dispersion moves it by well under 1%) within 1%.
TEST(ChannelFigures, RlgcLineFiguresMatchTheAnalyticLine) {
  const Rlgc line;
  const double fb = 106.25e9;
  const std::string p = write_pair("figures_line.s4p", line, 120e9);
  ll::ChannelFigures fig;
  ll::touchstone_channel_figures(ll::read_touchstone(p), ll::PortOrder::in12_out34, fb, fig);
  auto il = [&](double f) {
    cd s11, s21;
    line.s_params(f, 50.0, s11, s21);
    return -20.0 * std::log10(std::abs(s21));
  };
  EXPECT_NEAR(fig.il_half_nyquist_db, il(fb / 4), 0.01);
  EXPECT_NEAR(fig.il_nyquist_db, il(fb / 2), 0.01);
  EXPECT_NEAR(fig.il_symbol_rate_db, il(fb), 0.01);
  EXPECT_LT(fig.ild_rms_db, 0.05);
  double rl = 1e9;
  for (double f = 10e6; f <= fb / 2; f += 10e6) {
    cd s11, s21;
    line.s_params(f, 50.0, s11, s21);
    rl = std::min(rl, -20.0 * std::log10(std::abs(s11)));
  }
  EXPECT_NEAR(fig.return_loss_min_db, rl, 0.01);
  const double delay = std::sqrt(line.l * line.c) * line.len;
  EXPECT_NEAR(fig.delay_s / delay, 1.0, 0.01) << fig.delay_s;

  std::vector<double> f, ripple_db;
  for (double fk = 10e6; fk <= fb; fk += 10e6) {
    f.push_back(fk);
    ripple_db.push_back(il(fk) + 0.3 * std::cos(2.0 * ll::kPi * fk * 0.2e-9));
  }
  EXPECT_NEAR(ll::insertion_loss_deviation_rms(f, ripple_db), 0.3 / std::sqrt(2.0),
              0.1 * 0.3 / std::sqrt(2.0));
}

// The 1-UI pulse of closed-form FIRs at 4 samples per UI: a delta gives cursor 1 and no ISI; half
// the energy one UI late gives a cursor of 0.5 and a post-cursor of 0.5; a pre-echo of 0.2 one UI
// early gives a pre-cursor of 0.2 of a long run (the cursor 0.8).
TEST(ChannelFigures, PulseCursorsOfClosedFormFirs) {
  ll::ChannelFigures a, b, c;
  ll::pulse_figures({1.0}, 4, a);
  EXPECT_DOUBLE_EQ(a.pulse_cursor, 1.0);
  EXPECT_DOUBLE_EQ(a.pulse_pre1, 0.0);
  EXPECT_DOUBLE_EQ(a.pulse_post1, 0.0);
  ll::pulse_figures({0.5, 0, 0, 0, 0.5}, 4, b);
  EXPECT_DOUBLE_EQ(b.pulse_cursor, 0.5);
  EXPECT_DOUBLE_EQ(b.pulse_post1, 0.5);
  ll::pulse_figures({0.2, 0, 0, 0, 0.8}, 4, c);
  EXPECT_DOUBLE_EQ(c.pulse_cursor, 0.8);
  EXPECT_DOUBLE_EQ(c.pulse_pre1, 0.2);
  EXPECT_DOUBLE_EQ(c.pulse_post1, 0.0);
}

// A lane through the line reports them (the validate text and the file read rep.channel), and
// the parametric channel's IL at f_b/2 is the loss it was given.
TEST(ChannelFigures, LanesReportTheirChannelsFigures) {
  const std::string p = write_pair("figures_lane.s4p", Rlgc{}, 120e9);
  const auto run = prepare({"channel.model=\"touchstone\"", "channel.file=\"" + p + "\"",
                            "channel.port_order=\"in12_out34\""});
  const ll::ChannelFigures& ch = run.links.front().report.channel;
  EXPECT_GT(ch.il_nyquist_db, 10.0);
  EXPECT_TRUE(std::isfinite(ch.delay_s));
  EXPECT_GT(ch.pulse_cursor, 0.0);
  EXPECT_LT(ch.pulse_cursor, 1.0);
  const auto par = prepare(
      {"channel.model=\"parametric\"", "channel.loss_db_at_nyquist=12", "channel.skin_share=0.5"});
  EXPECT_NEAR(par.links.front().report.channel.il_nyquist_db, 12.0, 0.05);
  const auto none = prepare({});
  EXPECT_TRUE(std::isnan(none.links.front().report.channel.il_nyquist_db));
}

// A swapped channel.port_order: the chosen "through" of the same file is near zero at 10 MHz
// while the other pairing passes: a warning naming the key and both figures.
TEST(ChannelChecks, SwappedPortOrderWarns) {
  const std::string p = write_pair("swapped.s4p", Rlgc{}, 120e9);
  const auto right = prepare({"channel.model=\"touchstone\"", "channel.file=\"" + p + "\"",
                              "channel.port_order=\"in12_out34\""});
  for (const std::string& w : right.links.front().report.warnings)
    EXPECT_EQ(w.find("channel.port_order"), std::string::npos) << w;
  const auto wrong = prepare({"channel.model=\"touchstone\"", "channel.file=\"" + p + "\"",
                              "channel.port_order=\"in13_out24\""});
  bool warned = false;
  for (const std::string& w : wrong.links.front().report.warnings)
    warned = warned || (w.find("channel.port_order = \"in13_out24\"") != std::string::npos &&
                        w.find("\"in12_out34\"") != std::string::npos);
  EXPECT_TRUE(warned);
}

// A file that ends at 40 GHz below the 53.125 GHz Nyquist frequency of 106.25 GBd: refused,
// naming both; with channel.extrapolate = true it runs, and says so.
TEST(ChannelChecks, FileShortOfNyquistIsRefusedUnlessExtrapolated) {
  const std::string p = write_pair("short.s4p", Rlgc{}, 40e9);
  const std::vector<std::string> keys = {"channel.model=\"touchstone\"",
                                         "channel.file=\"" + p + "\"",
                                         "channel.port_order=\"in12_out34\""};
  const std::string m = refusal(keys);
  EXPECT_NE(m.find("channel.file"), std::string::npos) << m;
  EXPECT_NE(m.find("40 GHz"), std::string::npos) << m;
  EXPECT_NE(m.find("53.125 GHz"), std::string::npos) << m;
  EXPECT_NE(m.find("channel.extrapolate"), std::string::npos) << m;
  std::vector<std::string> with = keys;
  with.push_back("channel.extrapolate=true");
  const auto run = prepare(with);
  bool said = false;
  for (const std::string& w : run.links.front().report.warnings)
    said = said || w.find("channel.extrapolate") != std::string::npos;
  EXPECT_TRUE(said);
}

// Keys the selected mode does not read: refused, naming the key and the selecting key.
// Causality (host/link/channel_figures.hpp): an RLGC line, the public VITA thru and the example
// host channels are causal (their early energy is the band limit's ringing); a pre-echo (a copy
// of the thru 0.2 ns before it, a third of its amplitude: 10% of the energy) is found and warned
// of; a phase bump that does not belong to the magnitude (1.5 rad, 3 GHz wide, at 15 GHz) is named
// at its frequency, within the bump's width.
TEST(ChannelChecks, CausalityOfTheThrough) {
  const Rlgc line;
  std::vector<double> f;
  std::vector<cd> h, echo, bump;
  for (double fk = 10e6; fk <= 60e9 * (1 + 1e-12); fk += 10e6) {
    cd s11, s21;
    line.s_params(fk, 50.0, s11, s21);
    f.push_back(fk);
    h.push_back(s21);
    echo.push_back(s21 * (1.0 + 0.33 * std::polar(1.0, 2.0 * ll::kPi * fk * 0.2e-9)));
    const double x = (fk - 15e9) / 3e9;
    bump.push_back(s21 * std::polar(1.0, 1.5 * std::exp(-x * x)));
  }
  const ll::Causality clean = ll::through_causality(f, h);
  std::printf("causal shares: RLGC line %.2e", clean.acausal_share);
  EXPECT_LT(clean.acausal_share, 3e-3);  // a third of the warning's 1%
  EXPECT_TRUE(std::isnan(clean.worst_frequency_hz));
  const ll::Causality pre = ll::through_causality(f, echo);
  EXPECT_GT(pre.acausal_share, 0.05);
  const ll::Causality phase = ll::through_causality(f, bump);
  std::printf(", pre-echo %.3f, phase bump %.3f at %.2f GHz", pre.acausal_share,
              phase.acausal_share, phase.worst_frequency_hz / 1e9);
  EXPECT_GT(phase.acausal_share, 0.01);
  EXPECT_NEAR(phase.worst_frequency_hz, 15e9, 3e9);
  const std::string root = std::string(LIGHTLANE_SOURCE_DIR);
  for (const auto& [file, order] :
       {std::pair<std::string, ll::PortOrder>{"/tests/data/com/vita68/example2_THRU.s4p",
                                              ll::PortOrder::in13_out24},
        {"/scenarios/channels/cpo_host.s4p", ll::PortOrder::in12_out34},
        {"/scenarios/channels/pluggable_host.s4p", ll::PortOrder::in12_out34}}) {
    const ll::TouchstoneData d = ll::read_touchstone(root + file);
    const double share =
        ll::through_causality(d.frequency_hz, ll::through_response(d, order)).acausal_share;
    std::printf(", %s %.2e", file.c_str(), share);
    EXPECT_LT(share, 0.01) << file;
  }
  std::printf("\n");
  // In a scenario: the warning names the file and the frequency.
  std::vector<cd> s;
  for (std::size_t k = 0; k < f.size(); ++k) {
    cd s11, s21;
    line.s_params(f[k], 50.0, s11, s21);
    cd m[16] = {};
    m[0] = m[5] = m[10] = m[15] = s11;
    m[2 * 4 + 0] = m[0 * 4 + 2] = m[3 * 4 + 1] = m[1 * 4 + 3] = echo[k];
    s.insert(s.end(), m, m + 16);
  }
  const std::string p = temp_path("pre_echo.s4p");
  ll::write_touchstone(p, 4, f, s, 50.0, "RI");
  const auto run = prepare({"channel.model=\"touchstone\"", "channel.file=\"" + p + "\"",
                            "channel.port_order=\"in12_out34\""});
  bool warned = false;
  for (const std::string& w : run.links.front().report.warnings)
    warned = warned || (w.find("not causal") != std::string::npos &&
                        w.find("pre_echo.s4p") != std::string::npos);
  EXPECT_TRUE(warned);
}

TEST(ChannelChecks, KeysTheSelectedModeDoesNotReadAreRefused) {
  struct Case {
    std::vector<std::string> keys;
    const char* key;
    const char* selector;
  };
  const std::vector<Case> cases = {
      {{"channel.file=\"x.s4p\"", "channel.port_order=\"in12_out34\""},
       "channel.file",
       "channel.model = \"none\""},
      {{"channel.model=\"touchstone\"", "channel.file=\"x.s4p\"", "channel.skin_share=0.5"},
       "channel.skin_share",
       "channel.model = \"touchstone\""},
      {{"channel.model=\"parametric\"", "channel.loss_db_at_nyquist=10", "channel.skin_share=0.5",
        "channel.extrapolate=true"},
       "channel.extrapolate",
       "channel.model = \"parametric\""},
      {{"rx_eq.lms_step=0.01"}, "rx_eq.lms_step", "rx_eq.adapt = \"mmse\""},
      {{"cdr.bandwidth_mhz=10"}, "cdr.bandwidth_mhz", "cdr.mode = \"ideal\""},
  };
  for (const Case& c : cases) {
    const std::string m = refusal(c.keys);
    EXPECT_NE(m.find(std::string(c.key) + ": not read while " + c.selector), std::string::npos)
        << m;
  }
  // A mode switched by --set leaves the file's keys for its old mode unread, on purpose: the
  // preset's CDR bandwidth with --set cdr.mode="ideal" runs; the same key by --set is refused.
  const std::string cpo =
      std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/serdes_200g_cpo_stress.toml";
  EXPECT_NO_THROW(prepare({"cdr.mode=\"ideal\""}, cpo));
  try {
    prepare({"cdr.mode=\"ideal\"", "cdr.bandwidth_mhz=5"}, cpo);
    ADD_FAILURE() << "cdr.bandwidth_mhz by --set with an ideal CDR was accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("cdr.bandwidth_mhz: not read"), std::string::npos);
  }
  // The same key with its mode selected is read.
  EXPECT_EQ(refusal({"channel.model=\"parametric\"", "channel.loss_db_at_nyquist=10",
                     "channel.skin_share=0.5"}),
            "accepted");
}

// The chunk: without run.chunk_symbols it grows (powers of two from 1024) to the chain's symbols
// in flight: a 40 dB all-skin-effect channel's FIR spans more than 1024 UI; a chunk the user
// gave is kept, and refused when short, naming the size needed.
TEST(ChannelChecks, ChunkGrowsToTheChainUnlessGiven) {
  const std::vector<std::string> long_channel = {
      "channel.model=\"parametric\"", "channel.loss_db_at_nyquist=40", "channel.skin_share=1"};
  // The reference lane without its run.chunk_symbols line (the presets leave it out).
  std::string text;
  {
    std::ifstream in(kPreset);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("chunk_symbols", 0) != 0) text += line + "\n";
  }
  const std::string scenario = temp_path("no_chunk.toml");
  std::ofstream(scenario) << text;
  const auto run = prepare(long_channel, scenario);
  const int span = run.links.front().report.channel_fir_symbols;
  ASSERT_GT(span, 1024) << "the channel should outlast the default chunk";
  const int chunk = run.batches.front().chunk_symbols;
  EXPECT_GE(chunk, span);
  EXPECT_EQ(chunk & (chunk - 1), 0) << chunk;
  EXPECT_LT(chunk, 4 * span);
  std::vector<std::string> given = long_channel;
  given.push_back("run.chunk_symbols=1024");
  const std::string m = refusal(given);
  EXPECT_NE(m.find("run.chunk_symbols"), std::string::npos) << m;
  EXPECT_NE(m.find("got 1024"), std::string::npos) << m;
  EXPECT_NE(m.find("e.g. " + std::to_string(chunk)), std::string::npos) << m;
  EXPECT_EQ(prepare({}, scenario).batches.front().chunk_symbols, 1024);
}

}  // namespace
