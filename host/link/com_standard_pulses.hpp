// Annex 93A's COM pulses (host/link/com_standard.cpp): each channel's pulse at one CTLE setting
// with its phases' autocorrelations, made two ways.
//   - Directly (case_pulses): an inverse DFT of the spectrum times the CTLE, whole; the final
//     COM's.
//   - From the CTLE's basis (StandardBasis; the search's): the CTLE is (g a + b)(g2 c + d)
//     (host/link/com_common.hpp), so every pulse is k_0 p_ac + k_1 p_ad + k_2 p_bc + k_3 p_bd
//     with k = (g g2, g, g2, 1), and its phase autocorrelation is sum_ij k_i k_j of the basis
//     pulses' cross-correlations, eta_0's power likewise. Four inverse DFTs a channel and package
//     case then serve every CTLE setting, whose cost is the thru's samples about its peak (where
//     the search reads them) and a few hundred products.
#pragma once

#include <array>
#include <vector>

#include "host/link/com_common.hpp"

namespace ll::com_detail {

// Samples [start, start + x.size()) of a pulse of n samples (zero outside [0, n)), with its
// phases' autocorrelations over the whole pulse: r[m * taps + l] = sum_k p(m + kM) p(m + (k+l)M).
struct PhasedPulse {
  long start = 0, n = 0;
  std::vector<double> x;
  std::vector<double> r;
  // The search's thru also by phase (empty elsewhere): by_phase[m * uis + k] = p(start + m + kM)
  // (start a multiple of M; 0 past the pulse), each phase's samples one after another.
  std::vector<double> by_phase;
  long uis = 0;
};

// The pulses of one package case at one CTLE setting.
struct CasePulses {
  PhasedPulse victim, slope;  // the thru's pulse and its centred difference p(t+1) - p(t-1)
  std::vector<PhasedPulse> aggressors;
  std::vector<ComChannelKind> kinds;
  long peak = 0;          // the victim's peak sample (without the transmit FFE)
  double var_n = 0.0;     // the receiver's noise (93A-35)
  double tx_noise = 0.0;  // 10^(-SNR_TX / 10)
};

// Every pulse whole at the CTLE h_ctf, lags 0 .. taps - 1.
CasePulses case_pulses(const ComSet& s, const CaseSpectra& cs,
                       const std::vector<ComChannel>& channels, const std::vector<cd>& h_ctf,
                       const Grid& g, int taps);

// One package case's pulses in the CTLE's basis.
struct StandardBasis {
  const ComSet* s = nullptr;
  int taps = 0;
  long n = 0;
  std::array<std::vector<double>, 4> thru;  // the thru's basis pulses (empty: zero)
  // Phase cross-correlations, [channel][i][j][m * taps + l] = sum_k p_i(m + kM) p_j(m + (k+l)M);
  // the thru's slope's apart.
  using Cross = std::array<std::array<std::vector<double>, 4>, 4>;
  std::vector<Cross> cross;
  Cross slope_cross;
  std::vector<ComChannelKind> kinds;
  double noise[4][4] = {};  // eta_0's power: sum_f |H_r|^2 Re(u_i conj u_j) df eta_0
  // Where the thru's basis pulses are loud ([loud_first, loud_last)), and the largest of any of
  // them elsewhere: the combined pulse's peak lies in that window whenever it is larger than
  // sum_i |k_i| quiet.
  long loud_first = 0, loud_last = 0;
  double quiet = 0.0;
};
StandardBasis standard_basis(const ComSet& s, const CaseSpectra& cs,
                             const std::vector<ComChannel>& channels,
                             const std::vector<CtleStages>& stages, const Grid& g, int taps);

// The search's pulses at gains g_dc, g_dc2: the thru's samples only from `before` samples
// ahead of its peak (rounded down to a UI's start) to `after` samples past it, also by phase;
// the slope and aggressors without samples.
CasePulses basis_pulses(const StandardBasis& b, double g_dc_db, double g_dc2_db, long before,
                        long after);

}  // namespace ll::com_detail
