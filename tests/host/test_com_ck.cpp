// The 802.3ck COM sets (host/link/com_sets_ck.cpp; annex 93A's path with DFE taps whose lower
// limits are positive, the die's L_s / C_b ladder, a two-segment package line, CR's host boards)
// against PyChOpMarg 3.4.0's annex 93A path run with the same numbers
// (tests/data/com/pychopmarg_ck), on 10 MHz versions of the example host channels that
// scripts/make_host_channels.py makes in the build tree (the fixture make_fine_host_channels).
//
// The comparison is at PyChOpMarg's own choice of CTLE and transmit FFE: without a receiver FFE
// its figure of merit leaves the precursors' ISI out (93A-31 and the MATLAB code count them, as
// lightlane does), so the two searches can choose differently; at one equalisation what is left
// is the computation itself. On the 100 MHz files the two differ by up to 0.4 dB even there: the
// via reflections' ripple has 7 points a period, and PyChOpMarg interpolates the channel with
// its packages where lightlane interpolates the file (on the 10 MHz ones lightlane moves by 0.04
// dB, PyChOpMarg by up to 0.4).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/link/com_common.hpp"
#include "host/link/com_standard.hpp"
#include "tests/host/com_fine_channels.hpp"

namespace {

struct Reference {
  const char* set;
  const char* file;  // in LIGHTLANE_FINE_CHANNELS
  int package_case;  // the case whose state PyChOpMarg kept (its smaller COM)
  double g_dc_db, g_dc2_db, c_m1, c_p1;
  double com_db, signal_v, b1, b2;  // COM, A_s, the first two DFE taps
};

// tests/data/com/pychopmarg_ck/<set>_<channel>_10mhz.json.
const Reference kReferences[] = {
    {"802.3ck-KR", "npo_host.s4p", 0, 0.0, 0.0, -0.1, -0.05, 3.4177, 36.875e-3, 0.8387, 0.1179},
    {"802.3ck-KR", "cpo_host.s4p", 0, 0.0, 0.0, -0.1, 0.0, 5.2683, 60.231e-3, 0.454, 0.0697},
    {"802.3ck-CR", "npo_host.s4p", 1, -6.0, -2.0, -0.1, -0.1, 1.8414, 10.853e-3, 0.85, 0.2186},
    {"802.3ck-CR", "cpo_host.s4p", 1, -2.0, -2.0, -0.1, -0.1, 5.4370, 18.495e-3, 0.842, 0.2768},
    {"802.3ck-C2C", "npo_host.s4p", 1, -6.0, -1.0, -0.1, 0.0, 2.3411, 21.853e-3, 0.65, 0.0606},
    {"802.3ck-C2C", "cpo_host.s4p", 0, 0.0, -1.0, -0.1, 0.0, 3.5670, 60.012e-3, 0.445, 0.0586},
};

TEST(ComCk, AgainstPyChOpMargAtItsEqualisation) {
  for (const Reference& ref : kReferences) {
    ll::ComSet s = ll::com_set(ref.set);
    s.dfe_floating = {};  // PyChOpMarg has no floating DFE taps
    s.cases = {s.cases.at(static_cast<std::size_t>(ref.package_case))};
    s.g_dc_db = {ref.g_dc_db};
    s.g_dc2_db = {ref.g_dc2_db};
    s.tx_taps = {{-1, ref.c_m1, ref.c_m1, 0.0}, {+1, ref.c_p1, ref.c_p1, 0.0}};
    const ll::ComResult r = ll::standard_com(s, fine_host_channel(ref.file, s));
    ASSERT_EQ(r.cases.size(), 1u);
    const ll::ComCase& k = r.cases[0];
    std::printf("%s, %s, case %d: COM %.3f dB (PyChOpMarg %.3f), A_s %.3f mV (%.3f)\n", ref.set,
                ref.file, ref.package_case + 1, k.com_db, ref.com_db, 1e3 * k.signal_v,
                1e3 * ref.signal_v);
    // They agree within 0.1 dB (0.097 the most, KR on the CPO channel); A_s within 0.2 %; the
    // first two DFE taps within 0.006 (0.85 and 0.65 are limits, b_max(1)).
    EXPECT_NEAR(k.com_db, ref.com_db, 0.15) << ref.set << " " << ref.file;
    EXPECT_NEAR(k.signal_v, ref.signal_v, 0.005 * ref.signal_v) << ref.set << " " << ref.file;
    ASSERT_EQ(k.eq.dfe.size(), s.dfe_max.size());
    EXPECT_NEAR(k.eq.dfe[0], ref.b1, 0.01) << ref.set << " " << ref.file;
    EXPECT_NEAR(k.eq.dfe[1], ref.b2, 0.01) << ref.set << " " << ref.file;
  }
}

// The IEEE MATLAB code (revision 4.50 under Octave; tests/data/com/matlab_ck/ck_10mhz.json)
// against lightlane's full search: each package case's COM, with the sheets' floating DFE taps
// (the sets as they are) and without them (N_bg 0). The two may choose different CTLE gains at
// nearly the same COM (KR on NPO, case 1: -1 / 0 dB there, 0 / 0 here), so only COM is compared;
// they agree within 0.05 dB either way.
TEST(ComCk, AgainstTheIeeeMatlabCode) {
  struct Run {
    const char* set;
    const char* file;
    bool floating;
    double com_db[2];
  };
  const Run runs[] = {{"802.3ck-KR", "npo_host.s4p", false, {7.0011, 7.1252}},
                      {"802.3ck-KR", "cpo_host.s4p", false, {5.386, 6.505}},
                      {"802.3ck-CR", "npo_host.s4p", false, {6.617, 6.204}},
                      {"802.3ck-KR", "npo_host.s4p", true, {7.2319, 7.8573}},
                      {"802.3ck-KR", "cpo_host.s4p", true, {5.526, 7.137}},
                      {"802.3ck-CR", "npo_host.s4p", true, {6.805, 6.774}}};
  for (const Run& run : runs) {
    ll::ComSet s = ll::com_set(run.set);
    ASSERT_GT(s.dfe_floating.groups, 0);
    if (!run.floating) s.dfe_floating = {};
    const ll::ComResult r = ll::standard_com(s, fine_host_channel(run.file, s));
    ASSERT_EQ(r.cases.size(), 2u);
    for (int c = 0; c < 2; ++c) {
      std::printf("%s%s, %s, case %d: COM %.3f dB (MATLAB code %.3f)\n", run.set,
                  run.floating ? "" : " (no floating taps)", run.file, c + 1, r.cases[c].com_db,
                  run.com_db[c]);
      EXPECT_NEAR(r.cases[c].com_db, run.com_db[c], 0.1) << run.set << " " << run.file;
    }
    // Where the MATLAB run printed them (KR on NPO): the same floating taps, 13 .. 21 and
    // 18 .. 26.
    if (run.floating && std::string(run.set) == "802.3ck-KR" &&
        std::string(run.file) == "npo_host.s4p")
      for (int c = 0; c < 2; ++c) {
        std::vector<int> taps, expected;
        for (std::size_t n = s.dfe_max.size(); n < r.cases[c].eq.dfe.size(); ++n)
          if (r.cases[c].eq.dfe[n] != 0.0) taps.push_back(static_cast<int>(n) + 1);
        for (int n = 0; n < 9; ++n) expected.push_back((c == 0 ? 13 : 18) + n);
        EXPECT_EQ(taps, expected) << "case " << c + 1;
      }
  }
}

// The floating banks' placement (host/link/com_floating_dfe.cpp) against the MATLAB code's
// findbankloc (tests/data/com/matlab_ck/findbankloc_cases.*): 150 random post-cursor vectors (16
// take its shortcut to the first taps, 37 its "goodV" bank, the rest its strongest bank with 119
// passes over an overlapped one), 50 with windows that tie exactly, and one whose tie the two
// orders of summing a window's energy break apart: the same taps every time.
TEST(ComCk, FloatingBanksAsTheMatlabCode) {
  std::ifstream in(std::string(LIGHTLANE_SOURCE_DIR) +
                   "/tests/data/com/matlab_ck/findbankloc_cases.txt");
  ASSERT_TRUE(in.good());
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    std::istringstream ls(line);
    double h0 = 0.0, limit = 0.0;
    ls >> h0 >> limit;
    std::vector<double> h(40);
    for (double& v : h) ls >> v;
    std::string bar;
    ls >> bar;
    ASSERT_EQ(bar, "|") << "line " << lines + 1;
    std::vector<int> expected;
    for (int n; ls >> n;) expected.push_back(n);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(ll::com_detail::floating_dfe_banks(h, 13, 40, 3, 3, h0, limit), expected)
        << "line " << lines + 1;
  }
  EXPECT_EQ(lines, 201);
}

// The taps the banks get: each h(n) / h0 within the limit, and those from tap 25 on scaled down
// together to an RSS of B_float_RSS_MAX 0.02 where they exceed it.
TEST(ComCk, FloatingTapsWithinLimitAndTailRss) {
  const ll::ComSet::FloatingDfe f{3, 3, 40, 0.05, 25, 0.02};
  std::vector<double> h(40, 0.0);
  for (int n = 13; n <= 21; ++n) h[n - 1] = n % 2 ? 0.2 : -0.03;  // h0 1: the first 9 floating
  std::vector<double> dfe(40, 0.0);
  ll::com_detail::floating_dfe(f, 12, h, 1.0, dfe);
  for (int n = 1; n <= 40; ++n)
    EXPECT_DOUBLE_EQ(dfe[n - 1], n < 13 || n > 21 ? 0.0 : n % 2 ? 0.05 : -0.03) << n;
  // Banks at 25 .. 33 (the strongest taps): nine taps of 0.05, RSS 0.15, scaled to 0.02.
  std::fill(h.begin(), h.end(), 0.0);
  for (int n = 25; n <= 33; ++n) h[n - 1] = 0.1;
  std::fill(dfe.begin(), dfe.end(), 0.0);
  ll::com_detail::floating_dfe(f, 12, h, 1.0, dfe);
  double rss = 0.0;
  for (int n = 1; n <= 40; ++n) {
    EXPECT_NEAR(dfe[n - 1], n < 25 || n > 33 ? 0.0 : 0.02 / 3.0, 1e-15) << n;
    if (n >= 25) rss += dfe[n - 1] * dfe[n - 1];
  }
  EXPECT_NEAR(std::sqrt(rss), 0.02, 1e-15);
}

}  // namespace
