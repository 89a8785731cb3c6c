// The pieces annex 93A's COM (host/link/com_standard.cpp) and 178A's receiver-FFE COM
// (host/link/com_mmse.cpp) share: the frequency grid, the channels on it in the set's die and
// package models, the CTLE, the transmit-FFE grid.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "host/link/com_standard.hpp"
#include "physics/channel_models.hpp"

namespace ll::com_detail {

using cd = std::complex<double>;

struct Grid {
  std::size_t n = 0, bins = 0;  // time samples, frequency bins (n / 2 + 1)
  double df = 0.0;
};
Grid com_grid(const ComSet& s);

// Every channel on the grid (host/link/channel.hpp's interpolation), S referenced to 2 R_0.
std::vector<std::vector<SParams2>> channels_on_grid(const ComSet& s,
                                                    const std::vector<ComChannel>& channels,
                                                    const Grid& g);

// The spectra of one package case before the CTLE: H_21 (93A-18) of every channel in its
// packages, times the transmitter's and receiver's filters and the 1-UI pulse's M sinc(f T).
struct CaseSpectra {
  std::vector<std::vector<cd>> base;  // [channel][bin]
  std::vector<double> amplitude;      // A_v, A_fe or A_ne
  std::vector<cd> h_r;                // the receiver's filter alone, for eta_0
  double unequalised_peak_v = 0.0;    // the thru's pulse through H_21 alone, times A_v
};
CaseSpectra case_spectra(const ComSet& s, const ComPackageCase& pc,
                         const std::vector<ComChannel>& channels,
                         const std::vector<std::vector<SParams2>>& gridded, const Grid& g);

// The CTLE (93A-22; 178A-14's second pole f_p3) on the grid as physics' ctle_stages, computed
// once a set: at gains g, g2 (linear) it is (g a + b)(g2 c + d) (without a second stage c is 0
// and d 1).
std::vector<CtleStages> ctle_stages_on_grid(const ComSet& s, const Grid& g);
std::vector<cd> ctle(const std::vector<CtleStages>& stages, double g_dc_db, double g_dc2_db);

// The transmit FFE's layout: tap i (0 .. n-1) delays by i T, the cursor is tap `cursor`;
// `none` is the FFE that passes the pulse unchanged (a NEXT aggressor's: it has no FFE).
struct TxLayout {
  int first_offset = 0, taps = 1, cursor = 0;
  std::vector<double> none;
};
TxLayout tx_layout(const ComSet& s);

// The transmit FFE grid by tap index: tap i at taps[i].min + k[i] step, k[i] in [0, steps[i]];
// `zero` the indices nearest no taps.
struct TxIndexGrid {
  const ComSet* s = nullptr;
  TxLayout lay;
  std::vector<int> steps, zero;
  // The FFE at indices k (taps in layout order); false where c(0) < c0_min.
  bool fir(const std::vector<int>& k, std::vector<double>& c) const;
};
TxIndexGrid tx_index_grid(const ComSet& s, const TxLayout& lay);

// Every transmit FFE of the grid with c(0) >= c0_min, taps in layout order (the last tap of
// ComSet::tx_taps varying fastest).
std::vector<std::vector<double>> tx_grid(const TxIndexGrid& grid);

// ComSet::Search::local: from `zero` (or `*from`, where given and not empty; it receives the
// walk's end), the best neighbour (one tap one step) until none is better. `eval(c)` rates an
// FFE (a result with fom_db); `take(result, c)` sees every point the walk stands on. Each point
// is rated once (a step's neighbours include the point it came from).
template <class Eval, class Take>
void local_tx_search(const TxIndexGrid& grid, Eval&& eval, Take&& take,
                     std::vector<int>* from = nullptr) {
  std::vector<int> at = from && !from->empty() ? *from : grid.zero;
  std::vector<double> c;
  grid.fir(at, c);
  auto here = eval(c);
  take(here, c);
  std::vector<std::vector<int>> rated{at};
  for (;;) {
    std::vector<int> next = at;
    auto next_sol = here;
    for (std::size_t i = 0; i < at.size(); ++i)
      for (int d : {-1, 1}) {
        std::vector<int> k = at;
        k[i] += d;
        if (k[i] < 0 || k[i] > grid.steps[i] || !grid.fir(k, c)) continue;
        if (std::find(rated.begin(), rated.end(), k) != rated.end()) continue;
        rated.push_back(k);
        auto sol = eval(c);
        if (sol.fom_db > next_sol.fom_db) {
          next_sol = std::move(sol);
          next = k;
        }
      }
    if (next == at) break;
    at = next;
    here = std::move(next_sol);
    grid.fir(at, c);
    take(here, c);
  }
  if (from) *from = at;
}

// The floating DFE banks (host/link/com_floating_dfe.cpp): the taps (1-based, ascending) of
// `groups` banks of `taps` among taps first .. last, h[n - 1] the post cursor h(n), h0 the cursor.
std::vector<int> floating_dfe_banks(const std::vector<double>& h, int first, int last, int taps,
                                    int groups, double h0, double limit);
// Sets the floating taps of dfe (b(1) .. b(span) as dfe[0 .. span - 1], the fixed ones set, the
// rest 0) from h as above, within the limit and the tail's RSS.
void floating_dfe(const ComSet::FloatingDfe& f, int fixed_taps, const std::vector<double>& h,
                  double h0, std::vector<double>& dfe);

// Each phase's cross-correlation of two pulses on the same window, whose sample 0 has phase m0:
// r[m * lags + l] = sum over samples a of phase m of u(a) v(a + l M).
std::vector<double> phase_cross(const std::vector<double>& u, const std::vector<double>& v, int M,
                                int lags, int m0 = 0);

// sum_ij k_i k_j c[i][j] over the CTLE basis's pairs (an empty one: zero), `size` long: a
// pulse's autocorrelation, from its basis pulses' cross-correlations, at the gains
// k = (g g2, g, g2, 1).
template <class Pairs>
std::vector<double> basis_quadratic(const Pairs& c, const double k[4], std::size_t size) {
  std::vector<double> r(size, 0.0);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      if (c[i][j].empty()) continue;
      const double w = k[i] * k[j];
      for (std::size_t x = 0; x < size; ++x) r[x] += w * c[i][j][x];
    }
  return r;
}

double sigma_x2(int levels);  // the PAM symbols' variance (93A-29)
// The L equiprobable PAM levels, -1 .. 1 evenly (the distributions' symbol values).
std::vector<double> pam_levels(int levels);

}  // namespace ll::com_detail
