// The 802.3ck (100 Gb/s a lane, 53.125 GBd PAM4) COM parameter sets, as data: IEEE 802.3ck's
// COM configuration sheets of 08/17/2022 (the P802.3ck tools page,
// ieee802.org/3/ck/public/tools; read from the copies in github.com/Omer-Sella/COM @ e51902a,
// config_sheets_100G/):
//   KR  (100GBASE-KR1, 200GBASE-KR2, 400GBASE-KR4): config_com_ieee8023_93a=3ck_SA_KR_08_17_2022;
//   CR  (the cable assemblies of 100GBASE-CR1 ...): ..._3ck_SA_CR_CA_08_17_2022;
//   C2C (annex 120F, 100GAUI-1 C2C ...):           ..._3ck_SA_120F_C2C_08_17_2022.
// Annex 93A's COM (no receiver FFE) with the DFE's taps each within the sheet's b_min and b_max
// (b_min a signed lower limit, its default -b_max: the first taps are held above 0.3 and 0.05).
// The sampling point is 93A-25's with b(1) clipped to both its limits (as PyChOpMarg); the
// MATLAB code's criterion clips h(1) - b_max(1) h(0) at 0 instead, which differs where h(1) / h(0)
// is under b_min(1) = 0.3 (a short channel); not reproduced.
// KR and CR have the sheets' floating DFE taps (N_bg 3 groups of N_bf 3 among taps 13 .. N_f 40,
// within bmaxg +-0.05 for KR and +-0.03 for CR, the taps from N_tail_start 25 on at most
// B_float_RSS_MAX 0.02 RSS), placed as the MATLAB code places them
// (host/link/com_floating_dfe.cpp). C2C has none.
#include "host/link/com_set_groups.hpp"

namespace ll::com_detail {
namespace {

constexpr double kSymbolRateHz = 53.125e9;

// The die: C_d 120 fF, L_s 0.12 nH, C_b 30 fF; lines of 87.5 ohm (z_p) and 92.5 ohm (1.8 mm)
// with the sheets' one loss; C_p 87 fF.
ComEnd ck_end(double z_p_mm) {
  const PackageLineLoss loss{0.0, 9.909e-4, 2.772e-4, 6.141e-3};
  ComEnd e;
  e.die = {{120e-15}, {0.12e-9}, 30e-15};
  e.package = {{87.5, z_p_mm, loss}, {92.5, 1.8, loss}};
  e.c_p_f = 87e-15;
  return e;
}

// The KR sheet; CR and C2C differ where ieee_8023ck_sets says.
ComSet ck_kr() {
  ComSet s;
  s.name = "802.3ck-KR";
  s.source =
      "IEEE 802.3ck COM configuration sheet 3ck_SA_KR_08_17_2022 (100GBASE-KR1); 12-tap DFE "
      "and 3 floating groups of 3 taps to tap 40";
  s.symbol_rate_hz = kSymbolRateHz;
  s.f_step_hz = 10e6;
  s.levels = 4;
  s.samples_per_ui = 32;
  s.der0 = 1e-4;
  s.rise_time_s = 7.5e-12;  // FORCE_TR 1: the Gaussian filter of 93A-46
  s.r_lm = 0.95;
  s.a_v_v = 0.413;
  s.a_fe_v = 0.413;
  s.a_ne_v = 0.608;
  s.r0_ohm = 50.0;
  s.r_d_ohm = 50.0;
  s.a_dd_ui = 0.02;
  s.snr_tx_db = 33.0;
  s.eta0_v2_per_ghz = 8.2e-9;
  s.sigma_rj_ui = 0.01;
  s.f_z_hz = kSymbolRateHz / 2.5;  // 21.25 GHz
  s.f_p1_hz = kSymbolRateHz / 2.5;
  s.f_p2_hz = kSymbolRateHz;
  s.f_lf_hz = kSymbolRateHz / 80.0;  // f_HP_PZ 0.6640625 GHz, the second stage's pole and zero
  for (int g = 0; g >= -20; --g) s.g_dc_db.push_back(g);
  for (int g = 0; g >= -6; --g) s.g_dc2_db.push_back(g);
  s.tx_taps = {
      {-3, -0.06, 0.0, 0.02}, {-2, 0.0, 0.12, 0.02}, {-1, -0.34, 0.0, 0.02}, {+1, -0.2, 0.0, 0.02}};
  s.c0_min = 0.54;
  s.f_r = 0.75;
  s.dfe_min = {0.3, 0.05};
  s.dfe_max = {0.85, 0.3};
  for (int n = 3; n <= 12; ++n) {
    s.dfe_min.push_back(-0.03);
    s.dfe_max.push_back(n <= 7 ? 0.2 : 0.1);
  }
  s.dfe_floating = {3, 3, 40, 0.05, 25, 0.02};
  // Test 1: z_p 12 mm everywhere; test 2: 31 mm at the transmitters, 29 at the receiver and the
  // NEXT aggressor.
  s.cases = {{"test 1: z_p 12 mm", ck_end(12.0), ck_end(12.0), ck_end(12.0), ck_end(12.0)},
             {"test 2: z_p 31 mm (RX, NEXT 29 mm)", ck_end(31.0), ck_end(29.0), ck_end(31.0),
              ck_end(29.0)}};
  // Every transmit FFE of its grid (4345 of the 5544 with c(0) >= 0.54) at every CTLE gain (0.6 s a
  // channel on one core, scripts/BENCHMARKS.md): the FOM over this grid has local maxima (the DFE's
  // first tap held at 0.3 and more, the Mueller-Mueller sample moving a sample at a time), where
  // the local walk stops up to 1.2 dB short on the example host channels. (The sheet's "Local
  // Search 2" is the MATLAB code's own narrowing of the grid, not reproduced.)
  s.search = ComSet::Search::exhaustive;
  s.threshold_db = 3.0;  // the sheets' COM pass threshold
  return s;
}

}  // namespace

std::vector<ComSet> ieee_8023ck_sets() {
  std::vector<ComSet> out{ck_kr()};

  // CR: the cable assembly between two hosts' boards ("Include PCB" 1: at every end C_0 29 fF,
  // 110.3 mm of 100 ohm board, C_1 19 fF), eta_0 9e-9, SNR_TX 32.5 dB.
  ComSet cr = ck_kr();
  cr.name = "802.3ck-CR";
  cr.source =
      "IEEE 802.3ck COM configuration sheet 3ck_SA_CR_CA_08_17_2022 (100GBASE-CR1 cable "
      "assembly); 12-tap DFE and 3 floating groups of 3 taps to tap 40";
  cr.eta0_v2_per_ghz = 9e-9;
  cr.dfe_floating.limit = 0.03;  // bmaxg
  cr.snr_tx_db = 32.5;
  for (ComPackageCase* c : {&cr.cases[0], &cr.cases[1]})
    for (ComEnd* e : {&c->tx, &c->next, &c->fext, &c->rx}) {
      e->host = {100.0, 110.3, {0.0, 3.8206e-4, 9.5909e-5, 5.79e-3}};
      e->host_c0_f = 29e-15;
      e->host_c1_f = 19e-15;
    }
  out.push_back(cr);

  // C2C (annex 120F): DER_0 1e-5, a smaller transmit FFE grid, six DFE taps, g_DC2 to -4 dB,
  // eta_0 2e-8, package lines of 13 / 31 mm at the transmitters and 11 / 29 mm at the receiver
  // and the NEXT aggressor.
  ComSet c2c = ck_kr();
  c2c.name = "802.3ck-C2C";
  c2c.source = "IEEE 802.3ck COM configuration sheet 3ck_SA_120F_C2C_08_17_2022 (100GAUI-1 C2C)";
  c2c.der0 = 1e-5;
  c2c.tx_taps = {
      {-3, -0.04, 0.0, 0.02}, {-2, 0.0, 0.1, 0.02}, {-1, -0.28, 0.0, 0.02}, {+1, -0.1, 0.0, 0.02}};
  c2c.dfe_min = {0.3, 0.05, -0.04, -0.04, -0.04, -0.04};
  c2c.dfe_max = {0.65, 0.15, 0.1, 0.1, 0.1, 0.1};
  c2c.dfe_floating = {};  // N_bg 0
  c2c.g_dc2_db = {0.0, -1.0, -2.0, -3.0, -4.0};
  c2c.eta0_v2_per_ghz = 2e-8;
  c2c.cases = {{"test 1: z_p 13 mm (RX, NEXT 11 mm)", ck_end(13.0), ck_end(11.0), ck_end(13.0),
                ck_end(11.0)},
               {"test 2: z_p 31 mm (RX, NEXT 29 mm)", ck_end(31.0), ck_end(29.0), ck_end(31.0),
                ck_end(29.0)}};
  out.push_back(c2c);
  return out;
}

}  // namespace ll::com_detail
