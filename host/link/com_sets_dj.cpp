// The 802.3dj (200 Gb/s a lane, 106.25 GBd PAM4) COM parameter sets, as data: IEEE
// P802.3dj/D3.3 (24 September 2026) annex 178A's COM with the tables of each channel group, as
// PyChOpMarg v3.4.0 encodes them (capn-freako/PyChOpMarg, pychopmarg/config/ieee_8023dj_d3p3.py,
// BSD-3-Clause):
//   KR  (200GBASE-KR1 ...):    Table 178-15 (COM), Table 178-14 (device and package models);
//   C2C (200GAUI-1 C2C ...):   Table 176C-10, Table 176C-9 (= 178-14);
//   CR  (200GBASE-CR1 ...):    Table 179-24, Tables 179-21 .. 179-23 (host classes);
//   C2M (200GAUI-1 C2M ...):   Table 176D-7, Table 176D-6.
#include "host/link/com_set_groups.hpp"

namespace ll::com_detail {
namespace {

constexpr double kSymbolRateHz = 106.25e9;

// Table 178-14 (and 176C-9, 179-22, 176D-6): the device termination, a three-stage C_d / L_s
// ladder with the bump C_b, and the package's C_p.
ComDie dj_die() { return {{40e-15, 90e-15, 110e-15}, {0.13e-9, 0.15e-9, 0.14e-9}, 30e-15}; }
constexpr double kPackageCpF = 40e-15;

// Table 178A-4's package classes (gamma_0 1/mm, a_1 ns^1/2/mm, a_2 ns/mm, tau ns/mm): class A's
// two lines (87.5 ohm of z_p1, 92.5 ohm of 1.8 mm), class B's four.
constexpr PackageLineLoss kClassA{5e-4, 8.9e-4, 2e-4, 6.141e-3};
constexpr PackageLineLoss kClassB{5e-4, 6.5e-4, 2.93e-4, 6.141e-3};

ComEnd dj_package(char package_class, double z_p1_mm) {
  ComEnd e;
  e.die = dj_die();
  e.c_p_f = kPackageCpF;
  if (package_class == 'A')
    e.package = {{87.5, z_p1_mm, kClassA}, {92.5, 1.8, kClassA}};
  else
    e.package = {{87.5, z_p1_mm, kClassB},
                 {95.0, 2.0, kClassB},
                 {100.0, 1.3, kClassB},
                 {78.0, 1.5, kClassB}};
  return e;
}

// The device termination alone (the C2M module, measured at its device-to-package interface).
ComEnd dj_termination() {
  ComEnd e;
  e.die = dj_die();
  return e;
}

ComPackageCase same_ends(const std::string& label, const ComEnd& e) { return {label, e, e, e, e}; }

// The receiver's end also holds the NEXT aggressor's transmitter.
ComPackageCase ends(const std::string& label, const ComEnd& tx, const ComEnd& rx) {
  return {label, tx, rx, tx, rx};
}

// Table 178-15's COM parameters (176C-10, 179-24 and 176D-7 differ where the sets below say).
ComSet dj_common(const std::string& name, const std::string& source) {
  ComSet s;
  s.name = name;
  s.source = source;
  s.symbol_rate_hz = kSymbolRateHz;
  s.f_step_hz = 10e6;
  s.levels = 4;
  s.samples_per_ui = 32;
  s.der0 = 2e-4;
  s.rise_time_s = 4e-12;
  s.r_lm = 0.95;
  s.a_v_v = 0.385;
  s.a_fe_v = 0.385;
  s.a_ne_v = 0.481;
  s.r0_ohm = 46.25;
  s.r_d_ohm = 46.25;
  s.a_dd_ui = 0.02;
  s.snr_tx_db = 33.5;
  s.eta0_v2_per_ghz = 7.5e-9;
  s.sigma_rj_ui = 0.01;
  s.f_z_hz = kSymbolRateHz / 2.5;
  s.f_p1_hz = kSymbolRateHz / 2.5;
  s.f_p2_hz = kSymbolRateHz;
  s.f_lf_hz = kSymbolRateHz / 80.0;
  s.f_p3_hz = kSymbolRateHz / 80.0;
  for (int g = 0; g >= -20; --g) s.g_dc_db.push_back(g);
  for (int g = 0; g >= -6; --g) s.g_dc2_db.push_back(g);
  s.tx_taps = {{-2, 0.0, 0.14, 0.02}, {-1, -0.34, 0.0, 0.02}, {+1, -0.2, 0.0, 0.02}};
  s.c0_min = 0.54;
  s.f_r = 0.55;
  s.dfe_min = {0.0};
  s.dfe_max = {0.85};
  // KR and CR: 15 fixed taps, 6 of them precursors; C2C and C2M: 14 and 5 (set below).
  s.rx_ffe_taps = 15;
  s.rx_ffe_precursors = 6;
  s.rx_ffe_limit = 0.7;
  // 178A.1.8.1: two floating groups of four taps each within +-0.05, up to N_max 87 (C2C and
  // C2M: 56, set below).
  s.rx_ffe_floating = {2, 4, 87, 0.05};
  // 178A.1.7.6: N_qb 6, P_qc 1e-7.
  s.quantiser_bits = 6;
  s.quantiser_clip_probability = 1e-7;
  s.search = ComSet::Search::local;
  // 178.10.1 (KR): COM >= 3 dB. The C2C, CR and C2M clauses' limits are not in the source
  // above; 3 dB is every earlier channel clause's (93, 162, 163, 120F) and is assumed.
  s.threshold_db = 3.0;
  return s;
}

void short_receiver(ComSet& s) {  // 176C-10, 176D-7: dw 5, N_fix 14, N_max 56
  s.rx_ffe_taps = 14;
  s.rx_ffe_precursors = 5;
  s.rx_ffe_floating.span = 56;
}

void with_mlsd(ComSet& s) {  // 178A.1.10, dCOM_an 3 dB
  s.mlsd = true;
  s.mlsd_added_noise_db = 3.0;
}

std::vector<ComPackageCase> class_a_tests() {  // Table 178-14 / 176C-9, class A
  return {same_ends("class A, test 1: z_p1 33 mm", dj_package('A', 33.0)),
          same_ends("class A, test 2: z_p1 12 mm", dj_package('A', 12.0))};
}

// Table 178-14 / 176C-9, class B: z_p1 45 mm (test 1) and 30 mm (test 2) at the transmitters
// (the victim's and the aggressors'), 44 and 29 mm at the receiver.
std::vector<ComPackageCase> class_b_tests() {
  auto test = [](const std::string& label, double tx_mm, double rx_mm) {
    const ComEnd tx = dj_package('B', tx_mm), rx = dj_package('B', rx_mm);
    return ComPackageCase{label, tx, tx, tx, rx};
  };
  return {test("class B, test 1: z_p1 45 mm (TX), 44 mm (RX)", 45.0, 44.0),
          test("class B, test 2: z_p1 30 mm (TX), 29 mm (RX)", 30.0, 29.0)};
}

// A class A set's class B twin: its name with "-classB", its source saying so.
ComSet class_b(ComSet s) {
  s.name += "-classB";
  s.source.replace(s.source.find("class A"), 7, "class B");
  s.cases = class_b_tests();
  return s;
}

// Table 179-23's host classes: the package and its z_p1, then the partial host channel's
// board line (Table 179-22: 92.5 ohm, gamma_0 0, a_1 5.95e-4, a_2 2.6e-5, tau 5.79e-3; no C_0,
// C_1). A cable assembly's data holds no host board, so every CR end has one.
ComEnd cr_host(const std::string& host_class) {
  const char package_class = host_class == "HL" ? 'A' : 'B';
  const double z_p1_mm = host_class == "HL" ? 8.0 : host_class == "HN" ? 15.0 : 45.0;
  const double board_mm = host_class == "HL" ? 22.0 : host_class == "HN" ? 83.0 : 74.0;
  ComEnd e = dj_package(package_class, z_p1_mm);
  e.host = {92.5, board_mm, {0.0, 5.95e-4, 2.6e-5, 5.79e-3}};
  return e;
}

// Table 179-21: the (transmitter host, receiver host) classes a cable assembly class must close.
ComSet cr_set(const std::string& cable_class,
              const std::vector<std::pair<std::string, std::string>>& hosts) {
  ComSet s = dj_common("802.3dj-CR-" + cable_class,
                       "IEEE P802.3dj/D3.3 Table 179-24 / Tables 179-21..23, cable assembly "
                       "class " +
                           cable_class + " (200GBASE-CR1); MLSD reference receiver");
  with_mlsd(s);
  for (const auto& [tx, rx] : hosts)
    s.cases.push_back(ends("TX host " + tx + ", RX host " + rx, cr_host(tx), cr_host(rx)));
  return s;
}

// C2M (Table 176D-6): the host's end is a class B package with z_p1 45 mm (its board is in the
// channel's data, so no partial host channel); the module's end is its device termination
// alone. Egress: the host transmits (T_r 4 ps); ingress: the module does (T_r 7 ps). The
// channel file runs from the transmitter, as every set reads it.
ComSet c2m_set(bool egress) {
  const std::string dir = egress ? "egress" : "ingress";
  ComSet s = dj_common("802.3dj-C2M-" + dir,
                       "IEEE P802.3dj/D3.3 Table 176D-7 / Table 176D-6 (200GAUI-1 C2M), " + dir +
                           " (" + (egress ? "host to module" : "module to host") +
                           "; the file holds the host's board: no partial host channel); DFE "
                           "reference receiver");
  short_receiver(s);
  s.der0 = 2e-5;
  s.rise_time_s = egress ? 4e-12 : 7e-12;
  const ComEnd host = dj_package('B', 45.0), module = dj_termination();
  s.cases = {egress ? ends("host (class B, z_p1 45 mm) to module", host, module)
                    : ends("module to host (class B, z_p1 45 mm)", module, host)};
  return s;
}

}  // namespace

std::vector<ComSet> ieee_8023dj_sets() {
  std::vector<ComSet> out;
  // KR: class A package, tests 1 and 2. The DFE receiver alone, and with the MLSD that Table
  // 178-15 makes KR's (COM_DFE plus the MLSD's advantage).
  ComSet kr = dj_common("802.3dj-KR-DFE",
                        "IEEE P802.3dj/D3.3 Table 178-15 / Table 178-14, class A package "
                        "(200GBASE-KR1); DFE reference receiver");
  kr.cases = class_a_tests();
  out.push_back(kr);
  kr.name = "802.3dj-KR-MLSD";
  kr.source =
      "IEEE P802.3dj/D3.3 Table 178-15 / Table 178-14, class A package (200GBASE-KR1); MLSD "
      "reference receiver";
  with_mlsd(kr);
  out.push_back(kr);

  // The same with Table 178-14's class B package: a device's package class is its vendor's, and
  // the "-classB" sets judge a channel for it.
  for (std::size_t k = 0; k < 2; ++k) out.push_back(class_b(out[k]));

  ComSet c2c = dj_common("802.3dj-C2C",
                         "IEEE P802.3dj/D3.3 Table 176C-10 / Table 176C-9, class A package "
                         "(200GAUI-1 C2C); DFE reference receiver");
  short_receiver(c2c);
  c2c.der0 = 0.67e-5;
  c2c.cases = class_a_tests();
  out.push_back(c2c);
  out.push_back(class_b(c2c));

  out.push_back(cr_set("CA-A", {{"HN", "HL"},
                                {"HN", "HN"},
                                {"HN", "HH"},
                                {"HL", "HL"},
                                {"HL", "HN"},
                                {"HL", "HH"},
                                {"HH", "HL"},
                                {"HH", "HN"}}));
  out.push_back(
      cr_set("CA-B",
             {{"HL", "HL"}, {"HL", "HN"}, {"HL", "HH"}, {"HN", "HL"}, {"HN", "HN"}, {"HH", "HL"}}));
  out.push_back(cr_set("CA-C", {{"HL", "HL"}, {"HL", "HN"}, {"HN", "HL"}}));
  out.push_back(cr_set("CA-D", {{"HL", "HL"}}));
  out.push_back(c2m_set(true));
  out.push_back(c2m_set(false));
  return out;
}

}  // namespace ll::com_detail
