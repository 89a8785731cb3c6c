// The pieces of the receiver-FFE COM (host/link/com_mmse.cpp: the pulses and the MMSE
// receiver; host/link/com_mmse_com.cpp: the search and the COM at its choice).
#pragma once

#include <vector>

#include "host/link/com_common.hpp"
#include "host/link/stat_eye.hpp"

namespace ll::com_detail {

// A pulse on samples [start, start + x.size()) of the grid, start a whole number of UI.
struct Trimmed {
  long start = 0;
  std::vector<double> x;
  double at(long t) const {
    const long k = t - start;
    return k >= 0 && k < static_cast<long>(x.size()) ? x[static_cast<std::size_t>(k)] : 0.0;
  }
};

// sum_i c_i p(t - i M): the pulse behind a symbol-spaced FIR.
inline double fir_at(const Trimmed& p, long t, const std::vector<double>& c, int M) {
  double y = 0.0;
  for (std::size_t i = 0; i < c.size(); ++i) y += c[i] * p.at(t - static_cast<long>(i) * M);
  return y;
}

// One channel's pulses at one package case: pulse(g, g2) = g g2 p_ac + g p_ad + g2 p_bc + p_bd.
// Their phases' cross-correlations, for any gains' autocorrelation as a quadratic form:
// cross[q][r][m * lags + l] = sum_n p_q(m + nM) p_r(m + (n + l)M), q, r in ac, ad, bc, bd
// (empty where a basis pulse is zero); slope_cross the same of their slopes (the thru's only).
struct BasisPulses {
  Trimmed ac, ad, bc, bd;
  std::vector<double> cross[4][4], slope_cross[4][4];
};

struct MmsePulses {  // at one CTLE setting
  Trimmed victim, slope;
  long peak = 0;  // the victim's largest sample
  std::vector<Trimmed> aggressors;
  std::vector<double> r_victim, r_slope;
  std::vector<std::vector<double>> r_aggressors;
  std::vector<double> r_eta;  // eta_0's autocorrelation at lags 0 .. N_w - 1 (V^2)
};

struct Solution {
  double fom_db = -1e300;
  long t_s = 0;
  std::vector<int> pos;   // the FFE's taps' positions (0 .. span-1, the cursor's dw)
  std::vector<double> w;  // their weights, w' h_0 = 1
  double b = 0.0;
  double quantiser_step_v = 0.0;  // the Delta in its noise (0: no quantiser)
};

struct Context {
  const ComSet& s;
  int M, nw, dw, lags;
  int tx_cursor;  // the transmit FFE's cursor tap (its delay in UI)
  double sx2;
  std::vector<ComChannelKind> kinds;
  std::vector<double> none;  // the FIR that passes a pulse unchanged
  int span = 0;              // the FFE's positions: nw, or N_max with floating taps
  std::vector<int> fixed;    // the fixed taps' positions, 0 .. nw-1
};
// The search's context (`floating` false: the fixed taps' span) or the floating taps' (N_max).
Context make_context(const ComSet& s, const TxLayout& lay, const std::vector<ComChannel>& channels,
                     bool floating);

// The case's pulses in their CTLE basis, trimmed to where the thru's pulse matters, and eta_0's
// autocorrelation basis: |H_r|^2 |g a + b|^2 |g2 c + d|^2 = |H_r|^2 sum_uv g^u g2^v P_u Q_v.
struct CaseBasis {
  std::vector<BasisPulses> channels;
  std::vector<double> eta[3][3];  // [u][v][lag]
};

CaseBasis case_basis(const Context& cx, const CaseSpectra& cs,
                     const std::vector<CtleStages>& stages, const Grid& g);
MmsePulses pulses_at(const Context& cx, const CaseBasis& cb, double g_dc_db, double g_dc2_db);
// The same from the combined pulses, to any context's lags (the basis holds the search's).
MmsePulses pulses_direct(const Context& cx, const CaseBasis& cb, const CaseSpectra& cs,
                         const std::vector<CtleStages>& stages, const Grid& g, double g_dc_db,
                         double g_dc2_db);

// eta_0's autocorrelation through H_r and the CTLE at one setting, lags 0 .. lags-1 (V^2).
std::vector<double> eta_autocorrelation(const Context& cx, const CaseSpectra& cs,
                                        const std::vector<CtleStages>& stages, const Grid& g,
                                        double g_dc_db, double g_dc2_db, int lags);

// The MLSD reference receiver's advantage over the DFE (178A.1.10; host/link/com_mlsd.cpp).
struct MlsdInputs {
  // COM_DFE's non-Gaussian interference (ISI, XT, A_DD h_J) and its largest excursion.
  const IsiPdf* interference = nullptr;
  double reach = 0.0;
  double var_g = 0.0;  // COM_DFE's Gaussian variance
  // At the FFE's output, lags 0 .. n-1: the noise and residual ISI's autocorrelation without the
  // added noise (178A-56), and eta_0's alone (whose variance scales the added noise).
  std::vector<double> r_ni, r_eta;
  double a_s = 0.0, b = 0.0;  // A_s and the DFE tap b(1)
};
struct MlsdResult {
  double delta_db = 0.0;  // 20 log10(-P_an^-1(DER_MLSD) / A_s) (178A-49)
  double g_an = 0.0;      // the added noise's scale (178A.1.10.1)
  double der = 0.0;       // DER_MLSD (178A-50)
  int terms = 0;
};
MlsdResult mlsd_advantage(const ComSet& s, const MlsdInputs& in);

// The FIR an aggressor's transmitter puts before its channel: the victim's FFE for FEXT.
const std::vector<double>& aggressor_fir(const Context& cx, std::size_t a,
                                         const std::vector<double>& c);

// Each aggressor's phase of largest energy (178A-20) and the crosstalk's autocorrelation
// (lags 0 .. N_w - 1) there; the phases into `phases` where given.
std::vector<double> crosstalk(const Context& cx, const MmsePulses& p, const std::vector<double>& c,
                              std::vector<int>* phases);

// How best_instant searches: every sample, or a 4-sample grid refined; the floating taps placed
// at every instant, or none; the quantiser's step at every instant (178A-31), or once at the
// FFE'd pulse's peak.
struct InstantSearch {
  bool exhaustive = false, floating = false, quantiser_each = false;
};

// The MMSE receiver at the best sampling instant within half a UI of the FFE'd pulse's peak.
Solution best_instant(const Context& cx, const MmsePulses& p, const std::vector<double>& c,
                      InstantSearch how);

// Delta (178A-29): 2 V_qc / (2^N_qb - 1), V_qc where `samples` (each times an equiprobable PAM
// symbol) plus Gaussian noise of variance `var_v2` fall below -V_qc with probability P_qc / 2
// (178A-30), their distribution on a grid of `bins` (host/link/com_quantiser.cpp).
double quantiser_step(const ComSet& s, const std::vector<double>& samples, double var_v2, int bins);

// The samples at the FFE's input at t's phase of x behind the FIR c, every UI of x's window.
std::vector<double> sampled(const Context& cx, const Trimmed& x, const std::vector<double>& c,
                            long t);

// The Gaussian noise's variance at the FFE's input at phase m (V^2), the crosstalk's `xt0`
// included: eta_0's, the transmitter's and the random jitter's (178A-31, 178A-44).
double input_noise_variance(const Context& cx, const MmsePulses& p, const std::vector<double>& c,
                            int m, double xt0);

}  // namespace ll::com_detail
