// The 802.3dj C2C, CR and C2M COM sets (host/link/com_sets_dj.cpp): their device models (class
// B packages, CR's partial host channels, C2M's bare module termination) and receivers, against
// PyChOpMarg 3.4.0 run with the same reductions (tests/data/com/pychopmarg_dj) on 10 MHz versions
// of the example host channels, and the host classes each cable assembly class must close
// (Table 179-21).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "host/link/com_standard.hpp"
#include "tests/host/com_fine_channels.hpp"

namespace {

// The named set with one package case and its fixed FFE taps only, on the reference runs'
// transmit FFE grid (c(-1), c(+1) in [-0.1, 0] by 0.05; tests/data/com/pychopmarg_dj/README.md),
// searched exhaustively.
ll::ComSet reference_set(const std::string& name, const std::string& label) {
  ll::ComSet s = fixed_taps_only(ll::com_set(name));
  std::erase_if(s.cases, [&](const ll::ComPackageCase& c) { return c.label != label; });
  EXPECT_EQ(s.cases.size(), 1u) << name << ": no case " << label;
  s.tx_taps = {{-1, -0.1, 0.0, 0.05}, {+1, -0.1, 0.0, 0.05}};
  s.search = ll::ComSet::Search::exhaustive;
  return s;
}

struct Reference {
  double com_db, fom_db, signal_v;
};

// On the 10 MHz channel (as every comparison here: see C2mAgainstPyChOpMarg's note).
ll::ComCase check(const std::string& set_name, const std::string& label, const std::string& file,
                  const Reference& ref) {
  const ll::ComSet s = reference_set(set_name, label);
  const ll::ComResult r = ll::standard_com(s, fine_host_channel(file, s));
  EXPECT_EQ(r.cases.size(), 1u);
  if (r.cases.empty()) return {};
  const ll::ComCase& k = r.cases[0];
  std::printf("%s, %s, %s: COM %.3f dB (PyChOpMarg %.3f), FOM %.3f (%.3f), A_s %.2f mV (%.2f)\n",
              set_name.c_str(), label.c_str(), file.c_str(), k.com_db, ref.com_db, k.fom_db,
              ref.fom_db, 1e3 * k.signal_v, 1e3 * ref.signal_v);
  // The issue asks 0.5 dB; these agree within 0.01 dB.
  EXPECT_NEAR(k.com_db, ref.com_db, 0.1);
  EXPECT_NEAR(k.fom_db, ref.fom_db, 0.1);
  EXPECT_NEAR(k.signal_v, ref.signal_v, 0.01 * ref.signal_v);
  return k;
}

// CR: a class B transmitter host (HN: z_p1 15 mm, 83 mm of board) and a class A receiver host
// (HL: 8 mm, 22 mm), with the MLSD (tests/data/com/pychopmarg_dj/cr_cpo_host_mlsd_10mhz.json).
TEST(ComDjSets, CrHostClassesAgainstPyChOpMarg) {
  const ll::ComCase k = check("802.3dj-CR-CA-A", "TX host HN, RX host HL", "cpo_host.s4p",
                              {8.2012, 18.4682, 20.663e-3});
  std::printf("  COM_DFE %.3f dB (7.665), advantage %.3f dB (0.537)\n", k.com_dfe_db,
              k.mlsd_advantage_db);
  EXPECT_NEAR(k.com_dfe_db, 7.6645, 0.1);
  EXPECT_NEAR(k.mlsd_advantage_db, 0.5367, 0.05);
  EXPECT_EQ(k.eq.g_dc_db, -15.0);
  EXPECT_EQ(k.eq.g_dc2_db, -1.0);
  ASSERT_EQ(k.eq.rx_ffe.size(), 15u);
  const double rx[15] = {0.003569,  -0.019220, 0.036156, -0.103110, 0.221023,
                         -0.560075, 1.0,       0.473398, 0.154895,  0.083969,
                         0.052323,  0.023859,  0.007927, 0.010184,  0.002758};
  for (int i = 0; i < 15; ++i) EXPECT_NEAR(k.eq.rx_ffe[i], rx[i], 0.01) << "tap " << i;
}

// C2C: KR's package and numbers with the shorter receiver FFE (14 taps, 5 precursors) and DER_0
// 0.67e-5 (tests/data/com/pychopmarg_dj/c2c_cpo_host_10mhz.json).
TEST(ComDjSets, C2cAgainstPyChOpMarg) {
  const ll::ComCase k = check("802.3dj-C2C", "class A, test 1: z_p1 33 mm", "cpo_host.s4p",
                              {5.2026, 17.6440, 20.569e-3});
  EXPECT_EQ(k.eq.rx_ffe.size(), 14u);
  EXPECT_TRUE(std::isnan(k.mlsd_advantage_db));
}

// C2M (Table 176D-6): the host's class B package with z_p1 45 mm at one end, the module's bare
// device termination at the other; egress with the host's 4 ps edge, ingress with the module's
// 7 ps (tests/data/com/pychopmarg_dj/c2m_{egress_cpo,ingress_npo}_host_10mhz.json), on 10 MHz
// versions of the example channels (the fixture make_fine_host_channels). On the 100 MHz files
// they differed by 0.11 and 0.14 dB, PyChOpMarg's figure moving by 0.14 and 0.25 dB between the
// two (it interpolates the channel with its packages; lightlane the file), lightlane's by 0.02
// and 0.11; here they agree within 0.01 dB.
TEST(ComDjSets, C2mAgainstPyChOpMarg) {
  const ll::ComSet egress =
      reference_set("802.3dj-C2M-egress", "host (class B, z_p1 45 mm) to module");
  const ll::ComResult e = ll::standard_com(egress, fine_host_channel("cpo_host.s4p", egress));
  const ll::ComSet ingress =
      reference_set("802.3dj-C2M-ingress", "module to host (class B, z_p1 45 mm)");
  const ll::ComResult i = ll::standard_com(ingress, fine_host_channel("npo_host.s4p", ingress));
  ASSERT_EQ(e.cases.size(), 1u);
  ASSERT_EQ(i.cases.size(), 1u);
  const ll::ComCase &ke = e.cases[0], &ki = i.cases[0];
  std::printf(
      "C2M egress, CPO: COM %.3f dB (PyChOpMarg 6.710), FOM %.3f (18.696); ingress, NPO: "
      "COM %.3f (6.049), FOM %.3f (18.134)\n",
      ke.com_db, ke.fom_db, ki.com_db, ki.fom_db);
  EXPECT_NEAR(ke.com_db, 6.7103, 0.1);
  EXPECT_NEAR(ke.fom_db, 18.6960, 0.1);
  EXPECT_NEAR(ke.signal_v, 23.060e-3, 0.01 * 23.060e-3);
  EXPECT_NEAR(ki.com_db, 6.0490, 0.1);
  EXPECT_NEAR(ki.fom_db, 18.1339, 0.1);
  EXPECT_NEAR(ki.signal_v, 12.862e-3, 0.01 * 12.862e-3);
  // Both chose the CTLE PyChOpMarg chose.
  EXPECT_EQ(ke.eq.g_dc_db, -12.0);
  EXPECT_EQ(ki.eq.g_dc_db, -7.0);
  EXPECT_EQ(ke.eq.rx_ffe.size(), 14u);
}

// Table 179-21: a cable class closes the host pairs of every longer (lossier) class: CA-D, the
// longest, only HL to HL, which is CA-C's first, and so on; no pair twice.
TEST(ComDjSets, CableClassesNestTheirHostPairs) {
  std::set<std::string> longer;
  for (const char* c : {"CA-D", "CA-C", "CA-B", "CA-A"}) {
    const ll::ComSet s = ll::com_set(std::string("802.3dj-CR-") + c);
    std::set<std::string> labels;
    for (const ll::ComPackageCase& pc : s.cases) labels.insert(pc.label);
    EXPECT_EQ(labels.size(), s.cases.size()) << c;
    for (const std::string& l : longer) EXPECT_TRUE(labels.count(l)) << c << " lacks " << l;
    EXPECT_GT(labels.size(), longer.size()) << c;
    EXPECT_TRUE(s.mlsd) << c;
    longer = labels;
  }
  EXPECT_EQ(longer.size(), 8u);
}

// The NEXT aggressor transmits from the receiver's end, so its device model is the receiver's
// (CR's host classes, C2M's ends, 802.3ck's 29 mm packages); the FEXT aggressor's is the victim
// transmitter's. (802.3by's test 2 sets its NEXT package apart, 12 mm: Table 93-8.)
TEST(ComDjSets, NextAggressorsSitAtTheReceiversEnd) {
  for (const std::string& name : ll::com_set_names())
    for (const ll::ComPackageCase& pc : ll::com_set(name).cases) {
      EXPECT_TRUE(pc.fext == pc.tx) << name << ", " << pc.label;
      if (name == "802.3by-KR") continue;
      // The receiver's end's package class and board (class B's transmitters, the NEXT's among
      // them, have their own z_p1: Table 178-14).
      EXPECT_TRUE(pc.next.die == pc.rx.die && pc.next.package.size() == pc.rx.package.size() &&
                  pc.next.c_p_f == pc.rx.c_p_f && pc.next.host == pc.rx.host)
          << name << ", " << pc.label;
      if (name.find("classB") == std::string::npos) {
        EXPECT_TRUE(pc.next == pc.rx) << name;
      }
    }
  const ll::ComSet cr = ll::com_set("802.3dj-CR-CA-A");
  EXPECT_FALSE(cr.cases[0].next == cr.cases[0].tx);  // HN -> HL: the NEXT's is HL's
}

}  // namespace
