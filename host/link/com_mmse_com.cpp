// The receiver-FFE COM's search and its COM (host/link/com_mmse.hpp; the method in
// host/link/com_mmse.cpp's header).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "host/link/com_mmse.hpp"
#include "host/link/stat_eye.hpp"

namespace ll {
namespace {

using namespace com_detail;

constexpr int kPmfBins = 16384;     // the interference distribution's grid
constexpr double kPmfFloor = 1e-3;  // samples under this share of A_s are left out (93A.1.7.1)
constexpr int kMlsdLags = 60;       // the longest error event the MLSD's sum reaches (symbols)
// The final quantiser step's grid (the PyChOpMarg code's 8001 points).
constexpr int kFinalQuantiserBins = 8192;

// The search's best choices (CTLE settings) searched again with the floating taps and the
// quantiser's step at every instant: the fixed taps' FOM ranks them. On the three example
// channels' six package cases 6 choices find what 12 find (4 left up to 0.04 dB), and the local
// search with them what the exhaustive search finds (scripts/BENCHMARKS.md).
constexpr std::size_t kRefinedChoices = 6;

struct Choice {
  Solution sol;
  std::vector<double> c;
  double g_dc_db = 0.0, g_dc2_db = 0.0;
};

// The best choices, best first, one a CTLE setting (its best transmit FFE): the refinement's
// choices differ in what the floating taps and the quantiser depend on most.
struct Best {
  std::size_t keep = 1;
  std::vector<Choice> top;
  void take(Solution sol, const std::vector<double>& c, double g1, double g2) {
    auto same = std::find_if(top.begin(), top.end(),
                             [&](const Choice& k) { return k.g_dc_db == g1 && k.g_dc2_db == g2; });
    if (same != top.end()) {
      if (!(sol.fom_db > same->sol.fom_db)) return;
      top.erase(same);
    }
    if (top.size() == keep && !(sol.fom_db > top.back().sol.fom_db)) return;
    auto at = std::find_if(top.begin(), top.end(),
                           [&](const Choice& k) { return sol.fom_db > k.sol.fom_db; });
    top.insert(at, Choice{std::move(sol), c, g1, g2});
    if (top.size() > keep) top.pop_back();
  }
};

// The transmit FFE at one CTLE setting: every one of the grid, or the local search
// (com_standard.hpp's ComSet::search).
void search_tx(const Context& cx, const MmsePulses& p, const TxIndexGrid& index_grid,
               const std::vector<std::vector<double>>& grid, double g1, double g2, Best& best,
               std::vector<int>& from) {
  auto take = [&](Solution sol, const std::vector<double>& c) {
    best.take(std::move(sol), c, g1, g2);
  };
  if (cx.s.search == ComSet::Search::exhaustive) {
    for (const std::vector<double>& c : grid) take(best_instant(cx, p, c, {true}), c);
    return;
  }
  local_tx_search(
      index_grid, [&](const std::vector<double>& c) { return best_instant(cx, p, c, {false}); },
      take, &from);
}

// sum_n x[n] x[n + l], l = 0 .. lags-1.
std::vector<double> autocorrelation(const std::vector<double>& x, int lags) {
  std::vector<double> r(lags, 0.0);
  for (int l = 0; l < lags; ++l)
    for (std::size_t n = 0; n + l < x.size(); ++n) r[l] += x[n] * x[n + l];
  return r;
}

// COM at the choice (93A.1.7 with 178A's FFE): the pulses through the FFE w (cursor tap 1). With
// an MLSD set, `eta_in` holds eta_0's autocorrelation at the FFE's input
// to kMlsdLags + N_w lags.
ComCase final_com(const Context& cx, const MmsePulses& p, const Choice& ch,
                  const std::vector<double>* eta_in) {
  const ComSet& s = cx.s;
  const int M = cx.M, L = s.levels;
  std::vector<double> w = ch.sol.w;
  const std::vector<int>& pos = ch.sol.pos;
  const int n = static_cast<int>(w.size());
  const double wc = w[cx.dw];
  for (double& v : w) v /= wc;
  // z(t) = sum_i w_i x(t + (dw - pos_i) M), x the pulse behind the transmitter's FIR.
  auto through = [&](const Trimmed& x, const std::vector<double>& fir, long t) {
    double z = 0.0;
    for (int i = 0; i < n; ++i)
      z += w[i] * fir_at(x, t + static_cast<long>(cx.dw - pos[i]) * M, fir, M);
    return z;
  };
  const long t_s = ch.sol.t_s;
  const double h0 = through(p.victim, ch.c, t_s);
  ComCase out;
  const double a_s = s.r_lm * h0 / (L - 1);
  const double floor = kPmfFloor * a_s;
  std::vector<double> discrete;
  auto keep = [&](double v) {
    if (std::abs(v) >= floor) discrete.push_back(v);
  };
  const long reach = (static_cast<long>(ch.c.size()) + cx.span) * M;
  const long lo = p.victim.start - reach,
             hi = p.victim.start + static_cast<long>(p.victim.x.size()) + reach;
  const double b = s.dfe_max.empty() ? 0.0
                                     : std::clamp(through(p.victim, ch.c, t_s + M) / h0,
                                                  s.dfe_min[0], s.dfe_max[0]);
  double slope2 = 0.0, isi2 = 0.0;
  const double sx2 = sigma_x2(L);
  // The sequences at the FFE's output, for the MLSD's noise autocorrelation (178A-56).
  std::vector<double> isi_seq, jitter_seq, tx_seq;
  std::vector<std::vector<double>> xt_seqs;
  for (long t = t_s - (t_s - lo) / M * M; t < hi; t += M) {
    const double hj = through(p.slope, ch.c, t);
    slope2 += hj * hj;
    keep(s.a_dd_ui * hj);
    jitter_seq.push_back(hj);
    if (s.mlsd) tx_seq.push_back(through(p.victim, cx.none, t));
    if (t == t_s) {
      isi_seq.push_back(0.0);
      continue;
    }
    double h = through(p.victim, ch.c, t);
    if (t == t_s + M) h -= b * h0;
    isi2 += h * h;
    keep(h);
    isi_seq.push_back(h);
  }
  std::vector<int> phases;
  crosstalk(cx, p, ch.c, &phases);
  double xt2 = 0.0;
  for (std::size_t a = 0; a < p.aggressors.size(); ++a) {
    const Trimmed& x = p.aggressors[a];
    const std::vector<double>& fa = aggressor_fir(cx, a, ch.c);
    const long a_lo = x.start - reach, a_hi = x.start + static_cast<long>(x.x.size()) + reach;
    xt_seqs.emplace_back();
    for (long t = a_lo - ((a_lo - phases[a]) % M + M) % M; t < a_hi; t += M) {
      const double v = through(x, fa, t);
      xt2 += v * v;
      keep(v);
      xt_seqs.back().push_back(v);
    }
  }
  // The Gaussian terms through the FFE: w' T(r) w of their autocorrelations.
  const int m = static_cast<int>(((t_s % M) + M) % M);
  // The quantiser (178A.1.9): its step from the signal at the FFE's input with the crosstalk
  // and the dual-Dirac jitter as PAM symbols and the rest Gaussian (178A-44); its noise a
  // uniform distribution through each FFE tap (178A-43, 178A-46), each uniform on [-a, a] as
  // the sum over k >= 1 of equiprobable PAM symbols times a (L - 1) / L^k (the L-level grid of
  // [-a, a]'s centres plus the uniform on [-a / L, a / L] that each leaves), down to the
  // distribution's floor.
  if (s.quantiser_bits > 0) {
    std::vector<double> at_input = sampled(cx, p.victim, ch.c, t_s);
    for (double v : sampled(cx, p.slope, ch.c, t_s)) at_input.push_back(s.a_dd_ui * v);
    for (std::size_t a = 0; a < p.aggressors.size(); ++a)
      for (double v : sampled(cx, p.aggressors[a], aggressor_fir(cx, a, ch.c), phases[a]))
        at_input.push_back(v);
    const double step =
        quantiser_step(s, at_input, input_noise_variance(cx, p, ch.c, m, 0.0), kFinalQuantiserBins);
    double w2 = 0.0;
    for (int i = 0; i < n; ++i) {
      w2 += w[i] * w[i];
      for (double v = 0.5 * std::abs(w[i]) * step * (L - 1) / L; v >= floor; v /= L)
        discrete.push_back(v);
    }
    out.quantiser_step_v = step;
    out.sigma_q_v = step * std::sqrt(w2 / 12.0);
  }
  double var_n = 0.0, var_tx = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const int l = std::abs(pos[i] - pos[j]);
      var_n += w[i] * w[j] * p.r_eta[l];
      var_tx += w[i] * w[j] * p.r_victim[static_cast<std::size_t>(m) * cx.lags + l];
    }
  var_tx *= std::pow(10.0, -s.snr_tx_db / 10.0);
  const double var_rj = s.sigma_rj_ui * s.sigma_rj_ui * sx2 * slope2;
  const double var_g = var_tx + var_rj + var_n;
  const std::vector<double> value = pam_levels(L), prob(L, 1.0 / L);
  const IsiPdf pdf = isi_distribution(discrete, value.data(), prob.data(), L, kPmfBins);
  double span = 0.0;
  for (double v : discrete) span += std::abs(v);
  out.signal_v = a_s;
  out.interference_v = interference_amplitude(pdf, std::sqrt(var_g), s.der0, span, 0.0, true);
  out.com_db = 20.0 * std::log10(out.signal_v / out.interference_v);
  if (s.mlsd && eta_in) {
    MlsdInputs in;
    in.interference = &pdf;
    in.reach = span;
    in.var_g = var_g;
    in.a_s = a_s;
    in.b = b;
    in.r_ni = autocorrelation(isi_seq, kMlsdLags);
    const std::vector<double> tx = autocorrelation(tx_seq, kMlsdLags);
    const std::vector<double> jit = autocorrelation(jitter_seq, kMlsdLags);
    const double tx_scale = std::pow(10.0, -s.snr_tx_db / 10.0);
    const double jit_scale = s.a_dd_ui * s.a_dd_ui + s.sigma_rj_ui * s.sigma_rj_ui;
    for (int l = 0; l < kMlsdLags; ++l)
      in.r_ni[l] = sx2 * (in.r_ni[l] + jit_scale * jit[l]) + tx_scale * tx[l];
    for (const std::vector<double>& x : xt_seqs) {
      const std::vector<double> r = autocorrelation(x, kMlsdLags);
      for (int l = 0; l < kMlsdLags; ++l) in.r_ni[l] += sx2 * r[l];
    }
    in.r_eta.assign(kMlsdLags, 0.0);  // eta_0 through the FFE: sum_ij w_i w_j R(l + i - j)
    for (int l = 0; l < kMlsdLags; ++l)
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          in.r_eta[l] +=
              w[i] * w[j] * (*eta_in)[static_cast<std::size_t>(std::abs(l + pos[i] - pos[j]))];
    // The quantiser's white noise through the FFE, its MMSE's Delta (as the PyChOpMarg code's
    // 178A-56 takes the noise spectrum of its MMSE).
    const double q_var = ch.sol.quantiser_step_v * ch.sol.quantiser_step_v / 12.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if (const int l = pos[j] - pos[i]; l >= 0 && l < kMlsdLags)
          in.r_ni[l] += q_var * w[i] * w[j];
    for (int l = 0; l < kMlsdLags; ++l) in.r_ni[l] += in.r_eta[l];
    const MlsdResult m = mlsd_advantage(s, in);
    out.com_dfe_db = out.com_db;
    out.mlsd_advantage_db = m.delta_db;
    out.com_db += std::max(0.0, m.delta_db);
  }
  out.fom_db = ch.sol.fom_db;
  out.sigma_isi_v = std::sqrt(sx2 * isi2);
  out.sigma_xt_v = std::sqrt(sx2 * xt2);
  out.sigma_tx_v = std::sqrt(var_tx);
  out.sigma_jitter_v =
      std::sqrt((s.a_dd_ui * s.a_dd_ui + s.sigma_rj_ui * s.sigma_rj_ui) * sx2 * slope2);
  out.sigma_rj_v = std::sqrt(var_rj);
  out.sigma_n_v = std::sqrt(var_n);
  out.sigma_gaussian_v = std::sqrt(var_g);
  out.cursor_ui = static_cast<double>(t_s) / M;
  std::vector<double> taps(static_cast<std::size_t>(cx.span), 0.0);
  for (int i = 0; i < n; ++i) taps[pos[i]] = w[i];
  out.eq = {ch.g_dc_db, ch.g_dc2_db, ch.c, {b}, taps};
  if (s.dfe_max.empty()) out.eq.dfe.clear();
  return out;
}

}  // namespace

ComResult receiver_ffe_com(const ComSet& s, const std::vector<ComChannel>& channels) {
  if (s.rx_ffe_precursors < 0 || s.rx_ffe_precursors >= s.rx_ffe_taps || s.dfe_max.size() > 1 ||
      s.dfe_min.size() != s.dfe_max.size() || s.levels < 2 || s.samples_per_ui < 4 ||
      s.cases.empty() || s.g_dc_db.empty() || s.g_dc2_db.empty())
    throw std::invalid_argument("COM set " + s.name +
                                " is incomplete (a receiver FFE takes one DFE tap at most)");
  if (channels.empty() || channels.front().kind != ComChannelKind::thru)
    throw std::invalid_argument("COM needs the thru channel first");
  const Grid g = com_grid(s);
  const std::vector<std::vector<SParams2>> gridded = channels_on_grid(s, channels, g);
  const TxLayout lay = tx_layout(s);
  const TxIndexGrid index_grid = tx_index_grid(s, lay);
  const std::vector<std::vector<double>> grid = tx_grid(index_grid);
  const std::vector<CtleStages> stages = ctle_stages_on_grid(s, g);
  const Context cx = make_context(s, lay, channels, false);
  // With floating taps or a quantiser, the search's best choices are searched again at every
  // instant with both (the search's FOM takes the fixed taps, and the step at the peak), in the
  // floating taps' context where the set has them; the COM is taken there.
  const bool floating = s.rx_ffe_floating.groups > 0;
  const bool refine = floating || s.quantiser_bits > 0;
  const Context cx_float = make_context(s, lay, channels, true);
  const Context& cf = floating ? cx_float : cx;
  ComResult r;
  r.set = s.name;
  for (const ComPackageCase& pc : s.cases) {
    const CaseSpectra cs = case_spectra(s, pc, channels, gridded, g);
    const CaseBasis cb = case_basis(cx, cs, stages, g);
    Best found;
    found.keep = refine ? kRefinedChoices : 1;
    // The local walk at each CTLE setting starts where the previous one's ended: neighbouring
    // gains want neighbouring transmit FFEs.
    std::vector<int> from;
    for (double g2 : s.g_dc2_db)
      for (double g1 : s.g_dc_db)
        search_tx(cx, pulses_at(cx, cb, g1, g2), index_grid, grid, g1, g2, found, from);
    if (found.top.empty() || found.top.front().sol.w.empty())
      throw std::invalid_argument("COM: no equalisation opens the thru's pulse");
    Choice best = found.top.front();
    auto pulses = [&](const Choice& k) {
      return floating ? pulses_direct(cf, cb, cs, stages, g, k.g_dc_db, k.g_dc2_db)
                      : pulses_at(cx, cb, k.g_dc_db, k.g_dc2_db);
    };
    MmsePulses best_pulses;  // the chosen CTLE setting's, for the COM
    if (refine) {
      best.sol = Solution{};
      for (const Choice& k : found.top) {
        MmsePulses p = pulses(k);
        Solution sol = best_instant(cf, p, k.c, {true, floating, true});
        if (sol.fom_db > best.sol.fom_db) {
          best = {std::move(sol), k.c, k.g_dc_db, k.g_dc2_db};
          best_pulses = std::move(p);
        }
      }
      if (best.sol.w.empty())
        throw std::invalid_argument("COM: no equalisation opens the thru's pulse");
    } else {
      best_pulses = pulses(best);
    }
    std::vector<double> eta_in;
    if (s.mlsd)
      eta_in =
          eta_autocorrelation(cf, cs, stages, g, best.g_dc_db, best.g_dc2_db, kMlsdLags + cf.span);
    ComCase c = final_com(cf, best_pulses, best, s.mlsd ? &eta_in : nullptr);
    c.pulse_peak_v = cs.unequalised_peak_v;
    r.cases.push_back(std::move(c));
    if (!(r.com_db <= r.cases.back().com_db)) r.com_db = r.cases.back().com_db;
  }
  return r;
}

}  // namespace ll
