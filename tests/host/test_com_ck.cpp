// The 802.3ck-KR COM set (host/link/com_sets.cpp; annex 93A's path with a 12-tap DFE whose first
// two taps have positive lower limits, the die's L_s / C_b ladder and a two-segment package line)
// against PyChOpMarg 3.4.0's annex 93A path run with the same numbers
// (tests/data/com/pychopmarg_ck).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "host/link/com_report.hpp"
#include "host/link/com_standard.hpp"

namespace {

const std::string kChannels = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/channels/";

// The set on the reference runs' transmit FFE grid: c(-1), c(+1) in [-0.1, 0] by 0.05.
ll::ComResult reference_com(const std::string& file) {
  ll::ComSet s = ll::com_set("802.3ck-KR");
  s.tx_taps = {{-1, -0.1, 0.0, 0.05}, {+1, -0.1, 0.0, 0.05}};
  std::vector<std::string> warnings;
  return ll::standard_com(s,
                          ll::load_com_channels({kChannels + file, {}, {}}, s, "test", warnings));
}

// Test 1 and test 2 of each channel. The NPO and the pluggable host channels agree within 0.17
// dB. The short CPO channel differs by 0.31 and 0.21 dB: with the DFE's twelve taps taking the
// near post-cursors, its residual ISI is the reflection 71-83 UI after the cursor, which the two
// sample differently from the file's 100 MHz steps (at PyChOpMarg's equalisation of test 1, A_s
// and b(1) within 0.1 %, the reflection's samples 4.41/-5.31/2.45 mV against 4.52/-4.83/1.64,
// the ISI's rms 7.0 mV against 6.5): interpolation the 100 MHz data leave open, not a
// difference of method; hence 0.4 dB there, inside the 0.5 dB the issue asks.
TEST(ComCk, KrAgainstPyChOpMarg) {
  struct Channel {
    const char* file;
    double com_db[2];
    double tolerance_db;
  };
  // tests/data/com/pychopmarg_ck/{npo,pluggable,cpo}_host.json.
  const Channel channels[] = {{"npo_host.s4p", {3.8066, 4.3232}, 0.2},
                              {"pluggable_host.s4p", {-3.5286, -3.6825}, 0.2},
                              {"cpo_host.s4p", {5.5442, 5.9827}, 0.4}};
  for (const Channel& c : channels) {
    const ll::ComResult r = reference_com(c.file);
    ASSERT_EQ(r.cases.size(), 2u);
    for (int k = 0; k < 2; ++k) {
      std::printf("%s test %d: COM %.3f dB (PyChOpMarg %.3f)\n", c.file, k + 1, r.cases[k].com_db,
                  c.com_db[k]);
      EXPECT_NEAR(r.cases[k].com_db, c.com_db[k], c.tolerance_db) << c.file << " test " << k + 1;
      // The first two DFE taps within their limits [0.3, 0.85] and [0.05, 0.3].
      const std::vector<double>& b = r.cases[k].eq.dfe;
      ASSERT_EQ(b.size(), 12u);
      EXPECT_GE(b[0], 0.3);
      EXPECT_LE(b[0], 0.85);
      EXPECT_GE(b[1], 0.05);
      EXPECT_LE(b[1], 0.3);
    }
  }
}

}  // namespace
