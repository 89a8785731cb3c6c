// COM with the receiver's FFE (IEEE P802.3dj annex 178A; host/link/com_standard.hpp), for the
// DFE reference receiver:
//   1. the channels in the set's packages (host/link/com_common.cpp), the pulses at every CTLE
//      gain as sums of four basis pulses (the CTLE is linear in each stage's gain);
//   2. at every CTLE gain, transmit FFE and sampling instant t_s: the receiver's FFE w and DFE
//      tap b by the minimum mean-squared error with w' h_0 = 1 (178A-33 .. 36), the noise's
//      autocorrelation at whole-UI lags from eta_0 through the filters, the transmitter's noise
//      (178A-21, its pulse without the FFE), the jitter (A_DD and sigma_RJ on the pulse's slope),
//      the crosstalk (each aggressor at the phase of its largest energy, 178A-20) and the
//      quantiser's white noise Delta^2 / 12 (178A-28, Delta from the noisy signal at the FFE's
//      input, 178A-29 .. 31); the DFE tap within its limits, the FFE taps within +-limit of the
//      cursor tap; the FOM is 20 log10(R_LM / (L - 1) / sqrt(MSE)). The search takes the fixed
//      taps alone; its best choices are searched again with the floating taps (178A.1.8.1),
//      placed at every instant, and the quantiser's step at every instant
//      (host/link/com_mmse_com.cpp);
//   3. at the best FOM, COM as in annex 93A with the FFE in the pulse: residual ISI (every UI,
//      precursors included) after the DFE, crosstalk and dual-Dirac jitter as distributions of
//      PAM symbols, the quantiser's uniform noise through each FFE tap (178A-46), the
//      transmitter's, eta_0's and the random jitter's Gaussian noise through the FFE, A_ni at
//      DER_0.
// The MLSD's advantage (178A.1.10) is added after it where the set has one
// (host/link/com_mlsd.cpp).

#include "host/link/com_mmse.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "host/link/channel.hpp"
#include "host/link/cholesky.hpp"
#include "host/link/stat_eye.hpp"
#include "physics/channel_models.hpp"

namespace ll::com_detail {
namespace {

// The autocorrelation at lags 0 .. out-1 of phase m's samples behind the FIR c.
void fir_autocorrelation(const std::vector<double>& r, int lags, int m,
                         const std::vector<double>& c, int out, double scale, double* acc) {
  const double* rm = &r[static_cast<std::size_t>(m) * lags];
  const int taps = static_cast<int>(c.size());
  for (int k = 0; k < out; ++k) {
    double v = 0.0;
    for (int i = 0; i < taps; ++i)
      for (int j = 0; j < taps; ++j) v += c[i] * c[j] * rm[std::abs(k + i - j)];
    acc[k] += scale * v;
  }
}

// The MMSE's inputs at one instant over the FFE's first n positions: the noise's and the
// FFE'd pulse's autocorrelations (lags 0 .. n-1; the noise in V^2) and the pulse's samples that
// each position brings to the cursor (h_0) and to the first postcursor (h_b).
struct Normal {
  long t_s = 0;
  std::vector<double> rn, rh, h0, hb;
};

// `xt`: the crosstalk's autocorrelation (it does not depend on t_s); `q_var`: the quantiser's
// white noise Delta^2 / 12.
Normal normal_at(const Context& cx, const MmsePulses& p, const std::vector<double>& c, long t_s,
                 const std::vector<double>& xt, double q_var, int n) {
  const ComSet& s = cx.s;
  const int M = cx.M;
  const int m = static_cast<int>(((t_s % M) + M) % M);
  Normal ne;
  ne.t_s = t_s;
  ne.rn.assign(xt.begin(), xt.begin() + n);
  for (int k = 0; k < n; ++k)
    ne.rn[k] += p.r_eta[k] + std::pow(10.0, -s.snr_tx_db / 10.0) *
                                 p.r_victim[static_cast<std::size_t>(m) * cx.lags + k];
  fir_autocorrelation(p.r_slope, cx.lags, m, c, n,
                      cx.sx2 * (s.a_dd_ui * s.a_dd_ui + s.sigma_rj_ui * s.sigma_rj_ui),
                      ne.rn.data());
  ne.rn[0] += q_var;
  ne.rh.assign(n, 0.0);
  fir_autocorrelation(p.r_victim, cx.lags, m, c, n, 1.0, ne.rh.data());
  ne.h0.resize(n);
  ne.hb.resize(n);
  for (int i = 0; i < n; ++i) {
    ne.h0[i] = fir_at(p.victim, t_s + static_cast<long>(cx.dw - i) * M, c, M);
    ne.hb[i] = fir_at(p.victim, t_s + static_cast<long>(cx.dw + 1 - i) * M, c, M);
  }
  return ne;
}

// The MMSE receiver (178A-33 .. 36) with taps at positions `pos` (the fixed ones first, the
// cursor at dw). Its arrays are kept per thread: the search solves it some 10^5 times.
Solution mmse(const Context& cx, const Normal& ne, const std::vector<int>& pos) {
  const ComSet& s = cx.s;
  const int n = static_cast<int>(pos.size());
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  thread_local std::vector<double> h0, hb, r, q, factor, w, y1, y2;
  h0.resize(n);
  hb.resize(n);
  w.resize(n);
  r.resize(nn);
  q.resize(nn);
  for (int i = 0; i < n; ++i) {
    h0[i] = ne.h0[pos[i]];
    hb[i] = ne.hb[pos[i]];
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const int l = std::abs(pos[i] - pos[j]);
      r[i * n + j] = ne.rh[l] + ne.rn[l] / cx.sx2;
    }
  const bool dfe = !s.dfe_max.empty();
  // b free: w ~ Q^-1 h_0, Q = R - h_b h_b'.
  for (std::size_t k = 0; k < nn; ++k) q[k] = r[k];
  if (dfe)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) q[i * n + j] -= hb[i] * hb[j];
  Solution out;
  if (!cholesky_factor(q, n, factor)) return out;
  cholesky_substitute(factor, h0.data(), n, w.data());
  auto dot = [&](const std::vector<double>& a, const std::vector<double>& b) {
    double v = 0.0;
    for (int i = 0; i < n; ++i) v += a[i] * b[i];
    return v;
  };
  const double norm = dot(h0, w);
  if (!(norm > 0.0)) return out;
  for (double& v : w) v /= norm;
  double b = dfe ? dot(hb, w) : 0.0;
  const double b_lim = dfe ? std::clamp(b, s.dfe_min[0], s.dfe_max[0]) : 0.0;
  if (b_lim != b) {  // b at its limit: w = R^-1 (mu h_0 + b h_b), w' h_0 = 1
    if (!cholesky_factor(r, n, factor)) return out;
    y1.resize(n);
    y2.resize(n);
    cholesky_substitute(factor, h0.data(), n, y1.data());
    cholesky_substitute(factor, hb.data(), n, y2.data());
    const double mu = (1.0 - b_lim * dot(h0, y2)) / dot(h0, y1);
    for (int i = 0; i < n; ++i) w[i] = mu * y1[i] + b_lim * y2[i];
  }
  b = b_lim;
  // The FFE's limits, relative to its cursor tap; renormalised, the DFE tap recomputed.
  const double cursor = w[cx.dw];
  bool clipped = false;
  for (int i = 0; i < n; ++i) {
    if (i == cx.dw) continue;
    const double lim =
        (pos[i] < cx.nw ? s.rx_ffe_limit : s.rx_ffe_floating.limit) * std::abs(cursor);
    const double v = std::clamp(w[i], -lim, lim);
    clipped = clipped || v != w[i];
    w[i] = v;
  }
  if (clipped) {
    const double g = dot(h0, w);
    if (!(g > 0.0)) return out;
    for (double& v : w) v /= g;
    if (dfe) b = std::clamp(dot(hb, w), s.dfe_min[0], s.dfe_max[0]);
  }
  double wrw = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) wrw += w[i] * r[i * n + j] * w[j];
  const double mse = cx.sx2 * (wrw + 1.0 + b * b - 2.0 * dot(w, h0) - 2.0 * b * dot(w, hb));
  if (!(mse > 0.0)) return out;
  out.fom_db = 20.0 * std::log10(s.r_lm / (s.levels - 1) / std::sqrt(mse));
  out.t_s = ne.t_s;
  out.pos = pos;
  out.w = w;
  out.b = b;
  return out;
}

// The floating taps (178A.1.8.1), as the MATLAB COM code's FOM_rxffe_floating_taps places
// them: one group at a time, where it gives the best FOM with the groups placed before it, not
// overlapping them (the earliest position on a tie); then the MMSE with them all.
Solution with_floating_taps(const Context& cx, const Normal& ne) {
  const ComSet::FloatingTaps& f = cx.s.rx_ffe_floating;
  std::vector<char> taken(static_cast<std::size_t>(cx.span), 0);
  auto positions = [&](int start) {
    std::vector<int> pos = cx.fixed;
    for (int k = cx.nw; k < cx.span; ++k)
      if (taken[k] || (k >= start && k < start + f.taps)) pos.push_back(k);
    return pos;
  };
  for (int g = 0; g < f.groups; ++g) {
    double best = -1e300;
    int best_start = -1;
    for (int start = cx.nw; start + f.taps <= cx.span; ++start) {
      bool free = true;
      for (int k = start; k < start + f.taps; ++k) free = free && !taken[k];
      if (!free) continue;
      const double fom = mmse(cx, ne, positions(start)).fom_db;
      if (fom > best) {
        best = fom;
        best_start = start;
      }
    }
    if (best_start < 0) break;
    for (int k = best_start; k < best_start + f.taps; ++k) taken[k] = 1;
  }
  return mmse(cx, ne, positions(cx.span));
}

}  // namespace

// The FIR an aggressor's transmitter puts before its channel: the victim's FFE for FEXT.
const std::vector<double>& aggressor_fir(const Context& cx, std::size_t a,
                                         const std::vector<double>& c) {
  return cx.kinds[a] == ComChannelKind::fext ? c : cx.none;
}

// Each aggressor's phase of largest energy (178A-20) and the crosstalk's autocorrelation there.
std::vector<double> crosstalk(const Context& cx, const MmsePulses& p, const std::vector<double>& c,
                              std::vector<int>* phases) {
  std::vector<double> xt(cx.span, 0.0);
  for (std::size_t a = 0; a < p.aggressors.size(); ++a) {
    const std::vector<double>& fa = aggressor_fir(cx, a, c);
    int best = 0;
    double energy = -1.0;
    for (int m = 0; m < cx.M; ++m) {
      double e = 0.0;
      fir_autocorrelation(p.r_aggressors[a], cx.lags, m, fa, 1, 1.0, &e);
      if (e > energy) {
        energy = e;
        best = m;
      }
    }
    fir_autocorrelation(p.r_aggressors[a], cx.lags, best, fa, cx.span, cx.sx2, xt.data());
    if (phases) phases->push_back(best);
  }
  return xt;
}

std::vector<double> sampled(const Context& cx, const Trimmed& x, const std::vector<double>& c,
                            long t) {
  const int M = cx.M;
  const long lo = x.start, hi = x.start + static_cast<long>(x.x.size() + c.size() * M);
  std::vector<double> out;
  for (long u = lo + ((t - lo) % M + M) % M; u < hi; u += M) out.push_back(fir_at(x, u, c, M));
  return out;
}

double input_noise_variance(const Context& cx, const MmsePulses& p, const std::vector<double>& c,
                            int m, double xt0) {
  const ComSet& s = cx.s;
  double slope0 = 0.0;
  fir_autocorrelation(p.r_slope, cx.lags, m, c, 1, 1.0, &slope0);
  return xt0 + p.r_eta[0] +
         std::pow(10.0, -s.snr_tx_db / 10.0) * p.r_victim[static_cast<std::size_t>(m) * cx.lags] +
         cx.sx2 * s.sigma_rj_ui * s.sigma_rj_ui * slope0;
}

namespace {

// The quantiser's grid: the search's at the peak (tests/host/test_com_dj_receiver.cpp: Delta
// within 1 %), the refinement's at every instant (the PyChOpMarg code's 2001 points; the final
// COM's takes 8192, with the crosstalk and jitter in it).
constexpr int kSearchQuantiserBins = 256;
constexpr int kRefinedQuantiserBins = 2048;
// The floating taps are placed at the instants within this many samples of the fixed taps' best.
constexpr int kFloatingInstants = 4;

// Delta at instant t for the MMSE (178A-31): the victim's samples at t's phase as PAM symbols,
// every other noise at the FFE's input Gaussian (the crosstalk's too, the jitter's random part).
double search_quantiser_step(const Context& cx, const MmsePulses& p, const std::vector<double>& c,
                             long t, double xt0, int bins) {
  const int m = static_cast<int>(((t % cx.M) + cx.M) % cx.M);
  return quantiser_step(cx.s, sampled(cx, p.victim, c, t), input_noise_variance(cx, p, c, m, xt0),
                        bins);
}

}  // namespace

Solution best_instant(const Context& cx, const MmsePulses& p, const std::vector<double>& c,
                      InstantSearch how) {
  const std::vector<double> xt = crosstalk(cx, p, c, nullptr);
  const int M = cx.M;
  // The FFE'd pulse's peak: within a UI of the pulse's own, delayed by the FFE's cursor.
  const long around = p.peak + static_cast<long>(cx.tx_cursor) * M;
  long peak = around;
  double top = -1e300;
  for (long t = around - M; t <= around + M; ++t)
    if (const double v = fir_at(p.victim, t, c, M); v > top) {
      top = v;
      peak = t;
    }
  const bool quantiser = cx.s.quantiser_bits > 0;
  const double peak_step = quantiser && !how.quantiser_each
                               ? search_quantiser_step(cx, p, c, peak, xt[0], kSearchQuantiserBins)
                               : 0.0;
  const int half = M / 2;
  // Each instant's quantiser step, taken once (the floating taps' pass reuses the fixed taps').
  std::vector<double> steps(static_cast<std::size_t>(2 * half + 1), -1.0);
  auto step_at = [&](long t) {
    if (!quantiser || !how.quantiser_each) return peak_step;
    double& step = steps[static_cast<std::size_t>(t - peak + half)];
    if (step < 0.0) step = search_quantiser_step(cx, p, c, t, xt[0], kRefinedQuantiserBins);
    return step;
  };
  Solution best;
  auto consider = [&](long t, bool floating) {
    const double step = step_at(t);
    const Normal ne = normal_at(cx, p, c, t, xt, step * step / 12.0, floating ? cx.span : cx.nw);
    Solution sol = floating ? with_floating_taps(cx, ne) : mmse(cx, ne, cx.fixed);
    sol.quantiser_step_v = step;
    if (sol.fom_db > best.fom_db) best = std::move(sol);
  };
  if (how.exhaustive) {
    for (int d = -half; d <= half; ++d) consider(peak + d, false);
    if (!how.floating || best.w.empty()) return best;
    // The floating taps within kFloatingInstants of the fixed taps' best instant: their gain
    // changes slowly with the instant.
    const long centre = best.t_s;
    best = Solution{};
    for (long t = centre - kFloatingInstants; t <= centre + kFloatingInstants; ++t)
      if (std::abs(t - peak) <= half) consider(t, true);
    return best;
  }
  for (int d = -half; d <= half; d += 4) consider(peak + d, how.floating);
  if (best.w.empty()) return best;
  const long centre = best.t_s;
  for (int d = -3; d <= 3; ++d)
    if (d != 0 && std::abs(centre + d - peak) <= half) consider(centre + d, how.floating);
  return best;
}

Context make_context(const ComSet& s, const TxLayout& lay, const std::vector<ComChannel>& channels,
                     bool floating) {
  const int span =
      floating && s.rx_ffe_floating.groups > 0 ? s.rx_ffe_floating.span : s.rx_ffe_taps;
  Context cx{s,
             s.samples_per_ui,
             s.rx_ffe_taps,
             s.rx_ffe_precursors,
             span + lay.taps,
             lay.cursor,
             sigma_x2(s.levels),
             {},
             lay.none,
             span,
             {}};
  for (std::size_t c = 1; c < channels.size(); ++c) cx.kinds.push_back(channels[c].kind);
  for (int i = 0; i < s.rx_ffe_taps; ++i) cx.fixed.push_back(i);
  return cx;
}

}  // namespace ll::com_detail
