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

#include <cstdio>
#include <string>
#include <vector>

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

// The IEEE MATLAB code (revision 4.50 under Octave, the sheets without their floating DFE taps;
// tests/data/com/matlab_ck/ck_10mhz.json) against lightlane's full search: each package case's
// COM. The two may choose different CTLE gains at nearly the same COM (KR on NPO, case 1: -1 / 0
// dB there, 0 / 0 here), so only COM is compared; they agree within 0.05 dB.
TEST(ComCk, AgainstTheIeeeMatlabCode) {
  struct Run {
    const char* set;
    const char* file;
    double com_db[2];
  };
  const Run runs[] = {{"802.3ck-KR", "npo_host.s4p", {7.0011, 7.1252}},
                      {"802.3ck-KR", "cpo_host.s4p", {5.386, 6.505}},
                      {"802.3ck-CR", "npo_host.s4p", {6.617, 6.204}}};
  for (const Run& run : runs) {
    const ll::ComSet s = ll::com_set(run.set);
    const ll::ComResult r = ll::standard_com(s, fine_host_channel(run.file, s));
    ASSERT_EQ(r.cases.size(), 2u);
    for (int c = 0; c < 2; ++c) {
      std::printf("%s, %s, case %d: COM %.3f dB (MATLAB code %.3f)\n", run.set, run.file, c + 1,
                  r.cases[c].com_db, run.com_db[c]);
      EXPECT_NEAR(r.cases[c].com_db, run.com_db[c], 0.1) << run.set << " " << run.file;
    }
  }
}

}  // namespace
