// Channel operating margin as IEEE 802.3 annex 93A computes it, for a host channel given as
// Touchstone files (a thru and its far- and near-end crosstalk aggressors) and a named parameter
// set (host/link/com_sets.cpp):
//   1. every channel in the set's die-and-package models (93A.1.2: die capacitance C_d, with the
//      newer sets' L_s ladder and bump C_b, the lossy package line(s) z_p of impedance Z_c, the
//      ball C_p, 178A's partial host channel), terminated by R_d at both ends (93A-18);
//   2. the reference transmitter (its FFE, the rise-time filter 93A-46), the receiver's
//      Butterworth noise filter (93A-20) and CTLE (93A-22), and the 1-UI pulse response (93A-24);
//   3. for every CTLE gain (g_DC, g_DC2) and every transmit FFE in the set's grid with
//      c(0) >= c0_min: the sampling point by the Mueller-Mueller criterion (93A-25, with the
//      first DFE tap 93A-26), the DFE taps b(n) = h(n)/h(0) clipped to the set's limits (with
//      802.3ck's floating DFE taps where the set has them, placed as the IEEE MATLAB code does:
//      host/link/com_floating_dfe.cpp), and the
//      figure of merit (93A-36) from A_s = R_LM h(0) / (L - 1), the transmitter's noise (93A-30),
//      the residual ISI (93A-27, 93A-31; precursors count), the jitter (93A-28, 93A-32), the
//      crosstalk at each aggressor's worst phase (93A-33, 93A-34) and the receiver's eta_0 through
//      the filters (93A-35); the best FOM chooses the equalisation;
//   4. at that choice, COM = 20 log10(A_s / A_ni), A_ni the amplitude that the interference
//      exceeds with probability DER_0 (93A.1.7): the residual ISI, the crosstalk at its worst
//      phase and the dual-Dirac jitter A_DD h_J(n) as discrete distributions of equiprobable PAM
//      symbols, convolved, with the Gaussian noise of the transmitter, the random jitter and
//      eta_0.
// COM is computed for every package case of the set (its tests 1 and 2, or the host classes at
// the two ends) and the smallest is the channel's.
//
// Sets with a receiver FFE (802.3dj, annex 178A) take another path (host/link/com_mmse.cpp): the
// receiver's FFE and DFE by the minimum mean-squared error at every CTLE gain, transmit FFE and
// sampling phase, with the floating FFE taps and the quantiser's noise where the set has them,
// the FOM from that error, COM at the choice as above with the FFE in the pulse (and the
// quantiser's noise through it), and with an MLSD set the MLSD's advantage added
// (host/link/com_mlsd.cpp).
#pragma once

#include <complex>
#include <limits>
#include <string>
#include <vector>

#include "physics/com_network.hpp"

namespace ll {

// One transmit FFE tap's search grid: c(offset) from min to max in steps of step.
struct ComTapRange {
  int offset = 0;  // -3 .. +1 (0 is the cursor, which is 1 - sum |others|)
  double min = 0.0, max = 0.0, step = 0.0;
};

// The die at one end (93A.1.2, Table 93A-1; 178A-9/10's device termination): from the device,
// each stage's shunt C_d(n) then series L_s(n) (0: none), the bump C_b. Single-ended values, as
// the tables give them.
struct ComDie {
  std::vector<double> c_d_f;  // die capacitance, one a ladder stage
  std::vector<double> l_s_h;  // the stage's series inductance (as many as c_d_f)
  double c_b_f = 0.0;         // bump capacitance (0: none)
  bool operator==(const ComDie&) const = default;
};

// A package or host board line (93A.1.2.4; 178A's stages, each with its own loss and delay).
struct ComLine {
  double z_c_ohm = 100.0, length_mm = 0.0;  // differential impedance; 0 mm: no line
  PackageLineLoss loss;
  bool operator==(const ComLine&) const = default;
};

// One end's device model (93A.1.2; 178A.1.4's S(t), the receiver's its mirror): the die, the
// package lines from it, the ball's C_p, then a host board where the set has one (178A-12's
// partial host channel, MATLAB COM's "Include PCB": shunt C_0, the board line, shunt C_1).
struct ComEnd {
  ComDie die;
  std::vector<ComLine> package;
  double c_p_f = 0.0;  // the ball's capacitance (0: none, as a bare device termination)
  ComLine host;        // 0 mm: no board
  double host_c0_f = 0.0, host_c1_f = 0.0;  // at the package and at the channel
  bool operator==(const ComEnd&) const = default;
};

// One package case: the device models of the victim's transmitter, the NEXT aggressor's
// transmitter (at the receiver's end), the FEXT aggressor's transmitter and the receiver.
struct ComPackageCase {
  std::string label;  // as the report names it, e.g. "class A, test 1 (z_p1 33 mm)"
  ComEnd tx, next, fext, rx;
};

struct ComSet {
  std::string name;
  std::string source;  // where the numbers come from
  double symbol_rate_hz = 0.0;
  double f_step_hz = 10e6;
  int levels = 2;
  int samples_per_ui = 32;
  double der0 = 1e-5;
  double rise_time_s = 0.0;  // T_r of 93A-46 (0: no transmitter filter)
  double r_lm = 1.0;
  double a_v_v = 0.4, a_fe_v = 0.4, a_ne_v = 0.6;  // victim, FEXT and NEXT transmitters' peaks
  double r0_ohm = 50.0, r_d_ohm = 50.0;
  double a_dd_ui = 0.0, snr_tx_db = 0.0, eta0_v2_per_ghz = 0.0, sigma_rj_ui = 0.0;
  double f_z_hz = 0.0, f_p1_hz = 0.0, f_p2_hz = 0.0, f_lf_hz = 0.0;  // CTLE (93A-22)
  double f_p3_hz = 0.0;  // the second stage's pole where it differs from f_LF (178A-14; 0: f_LF)
  std::vector<double> g_dc_db, g_dc2_db;  // searched CTLE gains (g_dc2: {0} without f_LF)
  std::vector<ComTapRange> tx_taps;       // searched transmit FFE taps
  double c0_min = 0.0;
  double f_r = 0.75;                     // receiver filter bandwidth over f_b
  std::vector<double> dfe_min, dfe_max;  // one pair a DFE tap
  // The DFE's floating taps (802.3ck's KR and CR sheets: N_bg, N_bf, N_f, bmaxg,
  // N_tail_start, B_float_RSS_MAX; 0 groups: none): `groups` banks of `taps` contiguous taps
  // among taps N_b + 1 .. span, placed as the IEEE MATLAB code places them
  // (host/link/com_floating_dfe.cpp), each tap within +-limit; the taps from rss_start on
  // (0: no limit; beyond the fixed taps) scaled down together to an RSS of at most rss_max.
  // (The MATLAB code also applies that limit to a DFE of fixed taps alone reaching N_tail_start;
  // no set here has one.)
  struct FloatingDfe {
    int groups = 0, taps = 0, span = 0;
    double limit = 0.0;
    int rss_start = 0;
    double rss_max = 0.0;
  } dfe_floating;
  // The receiver's FFE (178A.1.8; 0 taps: none): taps, of which precursors, each within
  // +-limit of the cursor tap.
  int rx_ffe_taps = 0, rx_ffe_precursors = 0;
  double rx_ffe_limit = 1.0;
  // The FFE's floating taps (178A.1.8.1): `groups` groups of `taps` contiguous taps, each group
  // where it raises the FOM most given those placed before it, anywhere in tap positions
  // rx_ffe_taps .. span - 1 (N_max), each tap within +-limit of the cursor tap (0 groups: none).
  struct FloatingTaps {
    int groups = 0, taps = 0, span = 0;
    double limit = 0.0;
  } rx_ffe_floating;
  // The quantiser at the FFE's input (178A.1.7.6): N_qb noise-equivalent bits (0: none), its
  // clipping amplitude where the noisy signal falls below it with probability P_qc / 2.
  int quantiser_bits = 0;
  double quantiser_clip_probability = 1e-7;
  // The MLSD reference receiver (178A.1.10, with a receiver FFE and one DFE tap): COM is
  // COM_DFE plus the MLSD's advantage where it has one, its added-noise penalty dCOM_an.
  bool mlsd = false;
  double mlsd_added_noise_db = 3.0;
  // exhaustive: every CTLE gain, transmit FFE and (with a receiver FFE) sampling phase of the
  // grid. local: every CTLE gain; from the FFE without taps, the best neighbour on the grid (one
  // tap one step) until none is better; with a receiver FFE, the phase on a 4-sample grid, then
  // refined. The 802.3dj sets' FOM is smooth enough for it (the exhaustive search's choice on
  // the example channels); 802.3ck's is not (its sets search exhaustively, as the MATLAB code
  // does; scripts/bench_com.sh compares the two).
  enum class Search { exhaustive, local } search = Search::exhaustive;
  std::vector<ComPackageCase> cases;
  double threshold_db = 3.0;  // the smallest COM the clause accepts
};

// The named sets (host/link/com_sets.cpp); throws std::invalid_argument naming the known ones.
ComSet com_set(const std::string& name);
std::vector<std::string> com_set_names();

// A channel as a differential 2-port on its file's frequencies (S-parameters referenced to
// 2 R_0, as a 4-port file's mixed-mode SDD block is).
enum class ComChannelKind { thru, fext, next };
struct ComChannel {
  ComChannelKind kind = ComChannelKind::thru;
  std::vector<double> frequency_hz;
  std::vector<SParams2> s;
};

struct ComEqualisation {
  double g_dc_db = 0.0, g_dc2_db = 0.0;
  std::vector<double> tx_taps;  // c(-3) .. c(+1), the cursor included
  std::vector<double> dfe;      // b(1) .. b(N_b) (with floating DFE taps, to the last: 0 off them)
  // The receiver's FFE, its cursor tap 1 (empty: none), every position of its span (floating
  // taps' positions not chosen hold 0).
  std::vector<double> rx_ffe;
};

struct ComCase {
  double com_db = std::numeric_limits<double>::quiet_NaN();
  double fom_db = 0.0;
  double signal_v = 0.0, interference_v = 0.0;  // A_s, A_ni
  double pulse_peak_v = 0.0;                    // the unequalised pulse's peak (H_21 alone)
  double cursor_ui = 0.0;  // the sampling point t_s, UI after the equalised pulse's time origin
  // The FOM's noise terms (V rms) at the chosen equalisation: sigma_jitter_v is 93A-32's
  // (A_DD and sigma_RJ), sigma_rj_v its random part alone, which joins the Gaussian noise
  // sigma_gaussian_v (93A-41) with the transmitter's and eta_0's.
  double sigma_isi_v = 0.0, sigma_xt_v = 0.0, sigma_tx_v = 0.0, sigma_jitter_v = 0.0,
         sigma_rj_v = 0.0, sigma_n_v = 0.0, sigma_gaussian_v = 0.0;
  // With a quantiser: its step Delta (178A-29) and its noise through the FFE (sqrt of
  // sum w_i^2 Delta^2 / 12), a distribution of its own in A_ni (178A-46).
  double quantiser_step_v = 0.0, sigma_q_v = 0.0;
  ComEqualisation eq;
  // With an MLSD set: COM_DFE and the advantage (COM = COM_DFE + max(0, advantage)).
  double com_dfe_db = std::numeric_limits<double>::quiet_NaN();
  double mlsd_advantage_db = std::numeric_limits<double>::quiet_NaN();
};

struct ComResult {
  std::string set;
  std::vector<ComCase> cases;                                // one a package case
  double com_db = std::numeric_limits<double>::quiet_NaN();  // the smallest
};

// `channels`: the thru first, then its aggressors. Throws std::invalid_argument for a set this
// code does not compute or channels without a thru.
ComResult standard_com(const ComSet& set, const std::vector<ComChannel>& channels);

// The path for sets with a receiver FFE (host/link/com_mmse.cpp); standard_com calls it.
ComResult receiver_ffe_com(const ComSet& set, const std::vector<ComChannel>& channels);

}  // namespace ll
