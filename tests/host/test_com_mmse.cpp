// The receiver-FFE COM (802.3dj-KR-DFE; host/link/com_mmse.cpp) against PyChOpMarg 3.4.0 run with
// the same parameters (tests/data/com/pychopmarg_dj), its local search against the exhaustive
// one, and the reference-impedance change it needs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/link/com_mmse.hpp"
#include "host/link/com_report.hpp"
#include "host/link/com_standard.hpp"
#include "physics/com_network.hpp"
#include "tests/host/com_fine_channels.hpp"

namespace {

const std::string kChannels = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/channels/";

std::vector<ll::ComChannel> host_channel(const std::string& name,
                                         const std::vector<std::string>& fext = {}) {
  ll::ComFiles files{kChannels + name, {}, {}};
  for (const std::string& f : fext) files.fext.push_back(kChannels + f);
  std::vector<std::string> warnings;
  return ll::load_com_channels(files, ll::com_set("802.3dj-KR-DFE"), "test", warnings);
}

std::vector<ll::ComChannel> cpo_host() { return host_channel("cpo_host.s4p"); }

// The set on the reference runs' transmit FFE grid, fixed taps only
// (tests/data/com/pychopmarg_dj/README.md).
ll::ComSet reference_grid(ll::ComSet::Search search) {
  ll::ComSet s = fixed_taps_only(ll::com_set("802.3dj-KR-DFE"));
  s.tx_taps = {{-1, -0.1, 0.0, 0.05}, {+1, -0.1, 0.0, 0.05}};
  s.search = search;
  return s;
}

const ll::ComResult& exhaustive_result() {
  static const ll::ComResult r =
      ll::standard_com(reference_grid(ll::ComSet::Search::exhaustive), cpo_host());
  return r;
}

TEST(ComMmse, CpoHostAgainstPyChOpMarg) {
  const ll::ComResult& r = exhaustive_result();
  ASSERT_EQ(r.cases.size(), 2u);
  // tests/data/com/pychopmarg_dj/cpo_host.json (class A test 1 and test 2).
  const double com[2] = {7.0016, 5.6275}, fom[2] = {17.7768, 16.2776};
  for (int c = 0; c < 2; ++c) {
    const ll::ComCase& k = r.cases[c];
    std::printf("case %d: COM %.3f dB (PyChOpMarg %.3f), FOM %.3f (%.3f), g_DC %.0f/%.0f\n", c + 1,
                k.com_db, com[c], k.fom_db, fom[c], k.eq.g_dc_db, k.eq.g_dc2_db);
    // The issue asks 0.5 dB; the two agree within 0.08 dB here (the pulses' window and the
    // interpolation of the file differ).
    EXPECT_NEAR(k.com_db, com[c], 0.15);
    EXPECT_NEAR(k.fom_db, fom[c], 0.15);
  }
  EXPECT_NEAR(r.com_db, com[1], 0.15);
  // Case 1, where both chose the same CTLE (-15 / -1 dB) and no transmit FFE: the terms.
  const ll::ComCase& k = r.cases[0];
  EXPECT_EQ(k.eq.g_dc_db, -15.0);
  EXPECT_EQ(k.eq.g_dc2_db, -1.0);
  EXPECT_NEAR(k.signal_v, 20.533e-3, 0.015 * 20.533e-3);
  EXPECT_NEAR(k.sigma_tx_v, 1.4378e-3, 0.02 * 1.4378e-3);
  EXPECT_NEAR(k.sigma_n_v, 0.47294e-3, 0.02 * 0.47294e-3);
  EXPECT_NEAR(k.sigma_rj_v, 0.58065e-3, 0.02 * 0.58065e-3);
  EXPECT_NEAR(k.sigma_isi_v, 1.7485e-3, 0.05 * 1.7485e-3);
  ASSERT_FALSE(k.eq.dfe.empty());
  EXPECT_NEAR(k.eq.dfe[0], 0.3153, 0.01);
  const double rx[15] = {0.000987,  -0.014304, 0.025762, -0.085130, 0.189960,
                         -0.529236, 1.0,       0.547127, 0.169155,  0.119386,
                         0.066591,  0.034324,  0.017640, 0.009091,  0.004871};
  ASSERT_EQ(k.eq.rx_ffe.size(), 15u);
  for (int i = 0; i < 15; ++i) EXPECT_NEAR(k.eq.rx_ffe[i], rx[i], 0.01) << "tap " << i;
}

// The same on the CPO channel's 10 MHz version (the ctest fixture's; PyChOpMarg's
// tests/data/com/pychopmarg_dj/cpo_host_10mhz.json): within 0.01 dB, where the 100 MHz file
// leaves 0.07 (the two interpolate the file's via reflections differently).
TEST(ComMmse, CpoHostOn10MhzStepsAgainstPyChOpMarg) {
  const ll::ComSet s = reference_grid(ll::ComSet::Search::exhaustive);
  const ll::ComResult r = ll::standard_com(s, fine_host_channel("cpo_host.s4p", s));
  ASSERT_EQ(r.cases.size(), 2u);
  const double com[2] = {6.8820, 5.5113}, fom[2] = {17.6447, 16.1520},
               a_s[2] = {20.561e-3, 49.435e-3};
  for (int c = 0; c < 2; ++c) {
    const ll::ComCase& k = r.cases[c];
    std::printf("10 MHz, case %d: COM %.4f dB (PyChOpMarg %.4f), FOM %.4f (%.4f)\n", c + 1,
                k.com_db, com[c], k.fom_db, fom[c]);
    EXPECT_NEAR(k.com_db, com[c], 0.05);
    EXPECT_NEAR(k.fom_db, fom[c], 0.05);
    EXPECT_NEAR(k.signal_v, a_s[c], 0.005 * a_s[c]);
  }
}

// The pluggable host channel (22 dB), and the CPO thru with a FEXT stand-in (the NPO file's
// through path at -20 dB): tests/data/com/pychopmarg_dj/{pluggable_host,cpo_host_fext}.json.
TEST(ComMmse, LossyChannelAndCrosstalkAgainstPyChOpMarg) {
  const ll::ComSet set = reference_grid(ll::ComSet::Search::exhaustive);
  const ll::ComResult lossy = ll::standard_com(set, host_channel("pluggable_host.s4p"));
  std::vector<ll::ComChannel> xt = host_channel("cpo_host.s4p", {"npo_host.s4p"});
  ASSERT_EQ(xt.size(), 2u);
  for (ll::SParams2& v : xt[1].s) v = {0.1 * v.s11, 0.1 * v.s12, 0.1 * v.s21, 0.1 * v.s22};
  const ll::ComResult fext = ll::standard_com(set, xt);
  const double com_lossy[2] = {4.2084, 4.2557}, com_fext[2] = {3.7620, 2.7735};
  ASSERT_EQ(lossy.cases.size(), 2u);
  ASSERT_EQ(fext.cases.size(), 2u);
  for (int c = 0; c < 2; ++c) {
    std::printf("case %d: pluggable %.3f dB (PyChOpMarg %.3f), CPO + FEXT %.3f dB (%.3f)\n", c + 1,
                lossy.cases[c].com_db, com_lossy[c], fext.cases[c].com_db, com_fext[c]);
    EXPECT_NEAR(lossy.cases[c].com_db, com_lossy[c], 0.15);
    EXPECT_NEAR(fext.cases[c].com_db, com_fext[c], 0.15);
  }
  // Case 1 with the FEXT: the same CTLE chosen (-15 / -1 dB); the crosstalk's rms and A_s.
  const ll::ComCase& k = fext.cases[0];
  EXPECT_EQ(k.eq.g_dc_db, -15.0);
  EXPECT_NEAR(k.sigma_xt_v, 2.8610e-3, 0.02 * 2.8610e-3);
  EXPECT_NEAR(k.signal_v, 17.271e-3, 0.015 * 17.271e-3);
}

// The MLSD reference receiver (802.3dj-KR-MLSD): COM_DFE plus the MLSD's advantage, against
// PyChOpMarg's with mlsd = True (tests/data/com/pychopmarg_dj/{pluggable,cpo}_host_mlsd.json).
TEST(ComMmse, MlsdAdvantageAgainstPyChOpMarg) {
  ll::ComSet s = reference_grid(ll::ComSet::Search::exhaustive);
  s.mlsd = true;
  s.name = "802.3dj-KR-MLSD";
  const ll::ComResult lossy = ll::standard_com(s, host_channel("pluggable_host.s4p"));
  ASSERT_EQ(lossy.cases.size(), 2u);
  const double com_dfe[2] = {4.2084, 4.2557}, advantage[2] = {1.5764, 1.3199};
  for (int c = 0; c < 2; ++c) {
    const ll::ComCase& k = lossy.cases[c];
    std::printf("pluggable case %d: COM_DFE %.3f dB (PyChOpMarg %.3f), advantage %.3f dB (%.3f)\n",
                c + 1, k.com_dfe_db, com_dfe[c], k.mlsd_advantage_db, advantage[c]);
    EXPECT_NEAR(k.com_dfe_db, com_dfe[c], 0.15);
    EXPECT_NEAR(k.mlsd_advantage_db, advantage[c], 0.1);
    EXPECT_NEAR(k.com_db, k.com_dfe_db + std::max(0.0, k.mlsd_advantage_db), 1e-12);
  }
  // The CPO thru, case 1 (PyChOpMarg: COM_DFE 7.0016 dB, advantage 1.0082 dB); its COM_DFE is the
  // DFE set's COM: the MLSD changes nothing before it.
  const ll::ComResult cpo = ll::standard_com(s, cpo_host());
  const ll::ComResult& dfe = exhaustive_result();
  ASSERT_EQ(cpo.cases.size(), 2u);
  std::printf("CPO case 1: advantage %.3f dB (PyChOpMarg 1.008)\n", cpo.cases[0].mlsd_advantage_db);
  EXPECT_NEAR(cpo.cases[0].mlsd_advantage_db, 1.0082, 0.1);
  for (int c = 0; c < 2; ++c) EXPECT_EQ(cpo.cases[c].com_dfe_db, dfe.cases[c].com_db);
}

// Gaussian noise alone: the added noise that costs dCOM_an = 3 dB scales sigma by 10^(3/20), so
// g_an = sigma_G^2 (10^0.3 - 1) / sigma_rn^2; with b = 0 and white noise the MLSD has no
// advantage (its first error event is the DFE's symbol error, A_s away), and its DER sum starts
// with Q(A_s / sigma_an).
TEST(ComMmse, MlsdOnGaussianNoiseIsTheClosedForm) {
  const ll::ComSet s = ll::com_set("802.3dj-KR-MLSD");
  ll::IsiPdf none;  // no interference: all its mass at 0
  none.pdf = {1.0f};
  ll::com_detail::MlsdInputs in;
  in.interference = &none;
  const double sigma = 0.2, sigma_rn = 0.1;  // A_s = 1
  in.var_g = sigma * sigma;
  in.a_s = 1.0;
  in.b = 0.0;
  in.r_ni.assign(20, 0.0);
  in.r_eta.assign(20, 0.0);
  in.r_ni[0] = sigma * sigma;
  in.r_eta[0] = sigma_rn * sigma_rn;
  const ll::com_detail::MlsdResult m = ll::com_detail::mlsd_advantage(s, in);
  const double g = sigma * sigma * (std::pow(10.0, 0.3) - 1.0) / (sigma_rn * sigma_rn);
  EXPECT_NEAR(m.g_an, g, 0.01 * g);
  const double sigma_an = sigma * std::pow(10.0, 3.0 / 20.0);
  const double q = 0.5 * std::erfc(1.0 / sigma_an / std::sqrt(2.0));
  EXPECT_GE(m.der, 0.98 * q);
  EXPECT_LT(m.der, 1.1 * q);
  EXPECT_LE(m.delta_db, 0.0);
  EXPECT_GT(m.delta_db, -0.1);
}

// With the set's 15-tap receiver FFE the example channels want no transmit FFE (PyChOpMarg and
// the exhaustive search agree), which would let a search that never moves pass. With a 2-tap
// receiver FFE and no precursor tap, the transmit FFE must take the precursor out: there the
// local search must find the exhaustive search's choice.
TEST(ComMmse, LocalSearchFindsTheExhaustiveChoice) {
  auto with = [](ll::ComSet::Search search) {
    ll::ComSet s = fixed_taps_only(ll::com_set("802.3dj-KR-DFE"));
    s.rx_ffe_taps = 2;
    s.rx_ffe_precursors = 0;
    s.tx_taps = {{-2, 0.0, 0.1, 0.05}, {-1, -0.2, 0.0, 0.05}, {+1, -0.2, 0.0, 0.05}};
    s.search = search;
    return s;
  };
  const std::vector<ll::ComChannel> ch = host_channel("npo_host.s4p");
  const ll::ComResult full = ll::standard_com(with(ll::ComSet::Search::exhaustive), ch);
  const ll::ComResult local = ll::standard_com(with(ll::ComSet::Search::local), ch);
  ASSERT_EQ(local.cases.size(), full.cases.size());
  for (std::size_t c = 0; c < full.cases.size(); ++c) {
    const ll::ComCase &f = full.cases[c], &l = local.cases[c];
    std::printf("case %zu: exhaustive FOM %.3f dB, c(-1) %.2f c(+1) %.2f; local %.3f dB\n", c + 1,
                f.fom_db, f.eq.tx_taps[1], f.eq.tx_taps[3], l.fom_db);
    EXPECT_LT(f.eq.tx_taps[1], -0.1);  // the transmit FFE matters here
    // The sampling instant on a 4-sample grid refined may stop a sample short of the best.
    EXPECT_NEAR(l.fom_db, f.fom_db, 0.02) << "case " << c + 1;
    EXPECT_NEAR(l.com_db, f.com_db, 0.05) << "case " << c + 1;
    EXPECT_LE(l.fom_db, f.fom_db + 1e-9);
    EXPECT_EQ(l.eq.tx_taps, f.eq.tx_taps);
  }
}

TEST(ComMmse, RenormalisingASeriesInductanceIsItsFormulaAtTheNewReference) {
  // Z = j w L between r0 ports: S11 = Z / (Z + 2 r0); moved from 50 to 46.25 ohm per port.
  for (double f : {1e9, 30e9, 100e9}) {
    const ll::SParams2 a = ll::renormalised(ll::series_inductance(f, 0.15e-9, 50.0), 50.0, 46.25);
    const ll::SParams2 b = ll::series_inductance(f, 0.15e-9, 46.25);
    EXPECT_LT(std::abs(a.s11 - b.s11), 1e-12);
    EXPECT_LT(std::abs(a.s21 - b.s21), 1e-12);
    EXPECT_LT(std::abs(a.s22 - b.s22), 1e-12);
  }
}

}  // namespace
