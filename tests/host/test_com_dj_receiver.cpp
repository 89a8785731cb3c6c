// The 802.3dj reference receiver's floating FFE taps (178A.1.8.1) and quantiser (178A.1.7.6;
// host/link/com_mmse.cpp, host/link/com_quantiser.cpp): the quantiser's step against an exact
// enumeration, and COM against PyChOpMarg 3.4.0 with each, both or neither on the 10 MHz example
// channels (tests/data/com/pychopmarg_dj/fq_*.json, made by reference_fq.py there: no transmit
// FFE taps, a few CTLE gains, so that a reference run takes seconds).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "host/link/com_mmse.hpp"
#include "host/link/com_standard.hpp"
#include "host/link/statistics.hpp"
#include "tests/host/com_fine_channels.hpp"

namespace {

// P(sum_k s_k a_k + n < -v) by enumerating every symbol sequence (a_k equiprobable PAM4 levels,
// n Gaussian), in double precision.
double enumerated_tail(const std::vector<double>& s, double sigma, double v) {
  const double level[4] = {-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0};
  std::size_t combos = 1;
  for (std::size_t k = 0; k < s.size(); ++k) combos *= 4;
  double p = 0.0;
  for (std::size_t c = 0; c < combos; ++c) {
    double y = 0.0;
    std::size_t code = c;
    for (double sk : s) {
      y += sk * level[code % 4];
      code /= 4;
    }
    p += ll::q_function((v + y) / sigma);
  }
  return p / static_cast<double>(combos);
}

TEST(ComDjReceiver, QuantiserStepAgainstEnumeration) {
  ll::ComSet s = ll::com_set("802.3dj-KR-DFE");
  ASSERT_EQ(s.quantiser_bits, 6);
  ASSERT_EQ(s.quantiser_clip_probability, 1e-7);
  // A pulse's samples: a cursor, two precursors, a decaying tail (V), and noise of 1 mV rms.
  const std::vector<double> samples = {-0.004, 0.011, 0.060, 0.024, 0.009, -0.005, 0.003, 0.0015};
  const double sigma = 1e-3;
  double lo = 0.0, hi = 0.2;  // V_qc: P(y < -V_qc) = P_qc / 2 (178A-30)
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    (enumerated_tail(samples, sigma, mid) > 0.5e-7 ? lo : hi) = mid;
  }
  const double exact = 2.0 * lo / 63.0;  // 178A-29
  const double fine = ll::com_detail::quantiser_step(s, samples, sigma * sigma, 8192);
  const double coarse = ll::com_detail::quantiser_step(s, samples, sigma * sigma, 256);
  std::printf("Delta: exact %.6f mV, 8192 bins %.6f, 256 bins %.6f\n", 1e3 * exact, 1e3 * fine,
              1e3 * coarse);
  // The grid splits each sample's mass between two bins: 8192 bins of 2 x 0.1175 V hold V_qc to
  // well under 0.1 %, 256 (the search's) to 1 %.
  EXPECT_NEAR(fine, exact, 1e-3 * exact);
  EXPECT_NEAR(coarse, exact, 1e-2 * exact);
  s.quantiser_bits = 0;
  EXPECT_EQ(ll::com_detail::quantiser_step(s, samples, sigma * sigma, 256), 0.0);
}

// Many small samples join the Gaussian noise: a long tail of them moves Delta by under 1 %.
TEST(ComDjReceiver, QuantiserSmallSamplesAsGaussian) {
  const ll::ComSet s = ll::com_set("802.3dj-KR-DFE");
  std::vector<double> samples = {0.05, 0.02, -0.01};
  std::mt19937 rng(5);
  std::normal_distribution<double> tail(0.0, 2e-5);
  for (int k = 0; k < 400; ++k) samples.push_back(tail(rng));
  const double fine = ll::com_detail::quantiser_step(s, samples, 1e-6, 8192);
  const double coarse = ll::com_detail::quantiser_step(s, samples, 1e-6, 256);
  std::printf("Delta with 400 small samples: 8192 bins %.6f mV, 256 bins %.6f mV\n", 1e3 * fine,
              1e3 * coarse);
  EXPECT_NEAR(coarse, fine, 1e-2 * fine);
}

// One reference run (tests/data/com/pychopmarg_dj/fq_*.json): the set's package case on a
// channel's 10 MHz version, g_DC and g_DC2 over whole dB from first to last, no transmit FFE
// taps, the floating taps and the quantiser each on or off; PyChOpMarg's COM, quantiser step and
// floating groups' first positions (0: none).
struct Reference {
  const char* set;
  int case_index;
  const char* channel;  // "cpo" or "pluggable": scenarios/channels/<channel>_host.s4p at 10 MHz
  int g_dc[2], g_dc2[2];
  bool floating, quantiser;
  double com_db, quantiser_step_v;
  int groups[2];
};

// clang-format off
const Reference kReferences[] = {
  // KR on the CPO channel (fq_kr_cpo_none, _q, _f, _fq): each feature alone and both. The
  // floating taps reach the vias' echo 44 UI after the cursor (+1.0 dB); the quantiser costs
  // 0.77 dB.
  {"802.3dj-KR-DFE",        0, "cpo",       {-14, -16}, {0, -2}, false, false, 6.8820, 0.0,       {0, 0}},
  {"802.3dj-KR-DFE",        0, "cpo",       {-14, -16}, {0, -2}, false, true,  6.1124, 3.1744e-3, {0, 0}},
  {"802.3dj-KR-DFE",        0, "cpo",       {-14, -16}, {0, -2}, true,  false, 7.9136, 0.0,       {50, 55}},
  {"802.3dj-KR-DFE",        0, "cpo",       {-14, -16}, {0, -2}, true,  true,  7.0074, 3.1291e-3, {50, 55}},
  // Class A test 2 over every CTLE gain of the set (fq_kr2_cpo_fq_full): the refinement finds
  // PyChOpMarg's g_DC -7 dB, g_DC2 -1 dB (KrEveryCtleGain below).
  {"802.3dj-KR-DFE",        1, "cpo",       {0, -20},   {0, -6}, true,  true,  7.0647, 5.6729e-3, {22, 26}},
  // The 22 dB pluggable channel (fq_kr_plug_*): the quantiser costs it 4.5 dB at these gains.
  {"802.3dj-KR-DFE",        0, "pluggable", {0, -3},    {0, -3}, false, false, 4.1522, 0.0,       {0, 0}},
  {"802.3dj-KR-DFE",        0, "pluggable", {0, -3},    {0, -3}, false, true, -0.3156, 5.0219e-3, {0, 0}},
  {"802.3dj-KR-DFE",        0, "pluggable", {0, -3},    {0, -3}, true,  true,  0.0174, 5.0219e-3, {21, 51}},
  // Table 178-14's class B package (fq_krb1_cpo_fq, fq_krb2_cpo_fq): four package lines, z_p1
  // 45 and 30 mm at the transmitters, 44 and 29 mm at the receiver.
  {"802.3dj-KR-DFE-classB", 0, "cpo",       {-15, -17}, {0, -2}, true,  true,  5.2188, 2.0079e-3, {68, 73}},
  {"802.3dj-KR-DFE-classB", 1, "cpo",       {-11, -13}, {0, -2}, true,  true,  5.7372, 2.8897e-3, {49, 53}},
  // C2C (N_max 56), CR with the MLSD (its noise autocorrelation takes the quantiser's; COM_DFE
  // in CrMlsd below), C2M.
  {"802.3dj-C2C",           0, "cpo",       {-14, -16}, {0, -2}, true,  true,  5.2693, 3.1744e-3, {45, 49}},
  {"802.3dj-CR-CA-A",       0, "cpo",       {-9, -11},  {0, -2}, true,  true,  8.4841, 3.2374e-3, {17, 33}},
  {"802.3dj-C2M-egress",    0, "cpo",       {-11, -13}, {0, -2}, true,  true,  5.9125, 3.6785e-3, {21, 26}},
};
// clang-format on

ll::ComCase run(const Reference& ref) {
  ll::ComSet s = ll::com_set(ref.set);
  s.cases = {s.cases.at(static_cast<std::size_t>(ref.case_index))};
  s.g_dc_db.clear();
  s.g_dc2_db.clear();
  for (int g = ref.g_dc[0]; g >= ref.g_dc[1]; --g) s.g_dc_db.push_back(g);
  for (int g = ref.g_dc2[0]; g >= ref.g_dc2[1]; --g) s.g_dc2_db.push_back(g);
  s.tx_taps.clear();
  if (!ref.floating) s.rx_ffe_floating.groups = 0;
  if (!ref.quantiser) s.quantiser_bits = 0;
  const ll::ComResult r =
      ll::standard_com(s, fine_host_channel(std::string(ref.channel) + "_host.s4p", s));
  EXPECT_EQ(r.cases.size(), 1u);
  return r.cases.empty() ? ll::ComCase{} : r.cases[0];
}

ll::ComCase check(const Reference& ref) {
  const ll::ComCase k = run(ref);
  std::printf(
      "%s case %d, %s, floating %d, quantiser %d: COM %.3f dB (PyChOpMarg %.3f), Delta "
      "%.4f mV (%.4f)\n",
      ref.set, ref.case_index, ref.channel, ref.floating, ref.quantiser, k.com_db, ref.com_db,
      1e3 * k.quantiser_step_v, 1e3 * ref.quantiser_step_v);
  // The issue asks 0.5 dB; these agree within 0.025 dB, as the fixed taps alone do on these
  // files (0.01 dB).
  EXPECT_NEAR(k.com_db, ref.com_db, 0.05);
  EXPECT_NEAR(k.quantiser_step_v, ref.quantiser_step_v, 0.005 * ref.quantiser_step_v + 1e-9);
  // The floating taps where PyChOpMarg placed them (the positions not chosen hold exactly 0).
  std::vector<int> expected, placed;
  const ll::ComSet s = ll::com_set(ref.set);
  for (int start : ref.groups)
    for (int k = 0; start > 0 && k < s.rx_ffe_floating.taps; ++k) expected.push_back(start + k);
  for (std::size_t i = static_cast<std::size_t>(s.rx_ffe_taps); i < k.eq.rx_ffe.size(); ++i)
    if (k.eq.rx_ffe[i] != 0.0) placed.push_back(static_cast<int>(i));
  EXPECT_EQ(placed, expected) << ref.set << " case " << ref.case_index << " on " << ref.channel;
  return k;
}

TEST(ComDjReceiver, AgainstPyChOpMarg) {
  for (const Reference& ref : kReferences) check(ref);
}

// Over every CTLE gain (kReferences[4]): the six CTLE settings refined include PyChOpMarg's.
TEST(ComDjReceiver, KrEveryCtleGainFindsPyChOpMargsChoice) {
  const ll::ComCase k = run(kReferences[4]);
  EXPECT_EQ(k.eq.g_dc_db, -7.0);
  EXPECT_EQ(k.eq.g_dc2_db, -1.0);
}

// CR's MLSD on top of the DFE receiver with both features (kReferences[11]).
TEST(ComDjReceiver, CrMlsdAgainstPyChOpMarg) {
  const ll::ComCase k = run(kReferences[11]);
  EXPECT_NEAR(k.com_dfe_db, 7.7970, 0.05);
}

}  // namespace
