// The receiver-FFE COM's pulses (host/link/com_mmse.hpp): the channels' pulses in the CTLE's
// basis, trimmed, their phases' correlations, and the pulses and noise autocorrelations at one
// CTLE setting (the method in host/link/com_mmse.cpp's header).

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "host/link/channel.hpp"
#include "host/link/cholesky.hpp"
#include "host/link/com_mmse.hpp"
#include "host/link/stat_eye.hpp"
#include "physics/channel_models.hpp"

namespace ll::com_detail {
namespace {

// The pulses are cut where every basis pulse stays under this share of the thru's largest sample:
// the MATLAB COM code cuts its impulse responses at 1e-3 of their peak; on the example CPO
// channel 1e-7 (the whole grid) moves COM by 0.012 dB and costs 50 times the search.
constexpr double kTrim = 1e-3;

// r[m * lags + l] = sum_n a(m + nM) b(m + (n + l)M): each phase's cross-correlation of two
// pulses on the same window.
std::vector<double> phase_correlation(const Trimmed& a, const Trimmed& b, int M, int lags) {
  return phase_cross(a.x, b.x, M, lags, static_cast<int>((a.start % M + M) % M));
}

// The pulse's slope per UI, (p(t+1) - p(t-1)) M / 2 (zero at the window's ends).
Trimmed slope_of(const Trimmed& p, int M) {
  Trimmed d{p.start, std::vector<double>(p.x.size(), 0.0)};
  for (std::size_t t = 1; t + 1 < p.x.size(); ++t) d.x[t] = (p.x[t + 1] - p.x[t - 1]) * (M / 2.0);
  return d;
}

// The four basis pulses' phase cross-correlations (BasisPulses::cross).
void cross_correlations(const Trimmed* q[4], int M, int lags, std::vector<double> (&out)[4][4]) {
  bool zero[4];
  for (int i = 0; i < 4; ++i)
    zero[i] = std::all_of(q[i]->x.begin(), q[i]->x.end(), [](double v) { return v == 0.0; });
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      if (!zero[i] && !zero[j]) out[i][j] = phase_correlation(*q[i], *q[j], M, lags);
}

// c[l] = cos(l theta), l = 0 .. n-1, by the Chebyshev recurrence.
void cosine_multiples(double theta, int n, double* c) {
  const double two_cos = 2.0 * std::cos(theta);
  double prev = std::cos(theta), now = 1.0;  // cos(-theta), cos(0)
  for (int l = 0; l < n; ++l) {
    c[l] = now;
    const double next = two_cos * now - prev;
    prev = now;
    now = next;
  }
}

Trimmed combine(const BasisPulses& b, double g, double g2) {
  Trimmed t{b.ac.start, b.ac.x};
  for (std::size_t k = 0; k < t.x.size(); ++k)
    t.x[k] = g * g2 * b.ac.x[k] + g * b.ad.x[k] + g2 * b.bc.x[k] + b.bd.x[k];
  return t;
}

}  // namespace

CaseBasis case_basis(const Context& cx, const CaseSpectra& cs, const std::vector<CtleStages>& st,
                     const Grid& g) {
  const ComSet& s = cx.s;
  const double T = 1.0 / s.symbol_rate_hz;
  CaseBasis cb;
  std::vector<std::vector<double>> full[4];
  for (std::size_t c = 0; c < cs.base.size(); ++c)
    for (int q = 0; q < 4; ++q) {
      std::vector<cd> spec(g.bins);
      for (std::size_t k = 0; k < g.bins; ++k) {
        const cd f1 = q < 2 ? st[k].a : st[k].b, f2 = q % 2 == 0 ? st[k].c : st[k].d;
        spec[k] = cs.base[c][k] * cs.amplitude[c] * f1 * f2;
      }
      full[q].push_back(inverse_real_dft(std::move(spec)));
    }
  // The window: the complement of the longest (circular) run of samples where no basis pulse of
  // any channel passes kTrim of the thru's largest; it may wrap (the filters' responses are
  // two-sided), and then starts at a negative time.
  double peak = 0.0;
  for (int q = 0; q < 4; ++q)
    for (double v : full[q][0]) peak = std::max(peak, std::abs(v));
  const long n = static_cast<long>(full[0][0].size());
  std::vector<char> loud(static_cast<std::size_t>(n), 0);
  for (int q = 0; q < 4; ++q)
    for (const std::vector<double>& x : full[q])
      for (long t = 0; t < n; ++t) loud[t] = loud[t] || std::abs(x[t]) > kTrim * peak;
  long gap = 0, gap_end = 0, run = 0;  // gap_end: the first loud sample after the longest gap
  for (long t = 0; t < 2 * n; ++t) {
    if (!loud[t % n]) {
      run = std::min(run + 1, n);
      continue;
    }
    if (run > gap) {
      gap = run;
      gap_end = t % n;
    }
    run = 0;
  }
  if (gap >= n) throw std::invalid_argument("COM: the thru channel has no pulse");
  long first = gap_end / cx.M * cx.M;
  const long length = n - gap + (gap_end - first);
  if (first + length > n) first -= n;
  auto cut = [&](const std::vector<double>& x) {
    Trimmed t{first, std::vector<double>(static_cast<std::size_t>(length))};
    for (long a = 0; a < length; ++a) t.x[a] = x[((first + a) % n + n) % n];
    return t;
  };
  for (std::size_t c = 0; c < cs.base.size(); ++c) {
    BasisPulses b;
    b.ac = cut(full[0][c]);
    b.ad = cut(full[1][c]);
    b.bc = cut(full[2][c]);
    b.bd = cut(full[3][c]);
    const Trimmed* q[4] = {&b.ac, &b.ad, &b.bc, &b.bd};
    cross_correlations(q, cx.M, cx.lags, b.cross);
    if (c == 0) {
      const Trimmed d[4] = {slope_of(b.ac, cx.M), slope_of(b.ad, cx.M), slope_of(b.bc, cx.M),
                            slope_of(b.bd, cx.M)};
      const Trimmed* dq[4] = {&d[0], &d[1], &d[2], &d[3]};
      cross_correlations(dq, cx.M, cx.lags, b.slope_cross);
    }
    cb.channels.push_back(std::move(b));
  }
  // eta_0 (V^2/GHz, one-sided) through H_r and the CTLE: R(kT) = eta_0 int_0^inf |H|^2 cos(2 pi f k
  // T) df.
  for (auto& row : cb.eta)
    for (std::vector<double>& v : row) v.assign(cx.span, 0.0);
  const double scale = s.eta0_v2_per_ghz * 1e-9 * g.df;
  std::vector<double> cosines(cx.span);
  for (std::size_t k = 1; k < g.bins; ++k) {
    const double hr2 = std::norm(cs.h_r[k]);
    if (hr2 < 1e-30) continue;
    const double pu[3] = {std::norm(st[k].b), 2.0 * std::real(st[k].a * std::conj(st[k].b)),
                          std::norm(st[k].a)};
    const double qv[3] = {std::norm(st[k].d), 2.0 * std::real(st[k].c * std::conj(st[k].d)),
                          std::norm(st[k].c)};
    cosine_multiples(2.0 * kPi * g.df * static_cast<double>(k) * T, cx.span, cosines.data());
    for (int l = 0; l < cx.span; ++l)
      for (int u = 0; u < 3; ++u)
        for (int v = 0; v < 3; ++v) cb.eta[u][v][l] += scale * hr2 * pu[u] * qv[v] * cosines[l];
  }
  return cb;
}

// R(lT) = sum_k scale |H(f_k)|^2 cos(2 pi f_k l T), k >= 1, as the inverse real DFT of the grid
// (f_k l T = k l M / n) at every M-th sample: the DFT's 1/n and its two halves undone.
std::vector<double> eta_autocorrelation(const Context& cx, const CaseSpectra& cs,
                                        const std::vector<CtleStages>& stages, const Grid& g,
                                        double g_dc_db, double g_dc2_db, int lags) {
  const ComSet& s = cx.s;
  const double gain = std::pow(10.0, g_dc_db / 20.0);
  const double gain2 = s.f_lf_hz > 0.0 ? std::pow(10.0, g_dc2_db / 20.0) : 1.0;
  const double scale = s.eta0_v2_per_ghz * 1e-9 * g.df * static_cast<double>(g.n);
  std::vector<cd> spec(g.bins, 0.0);
  for (std::size_t k = 1; k < g.bins; ++k) {
    const CtleStages& st = stages[k];
    const double h2 = std::norm(cs.h_r[k] * (gain * st.a + st.b) * (gain2 * st.c + st.d));
    if (h2 < 1e-30) continue;
    spec[k] = (k + 1 < g.bins ? 0.5 : 1.0) * scale * h2;
  }
  const std::vector<double> x = inverse_real_dft(std::move(spec));
  std::vector<double> r(lags);
  for (int l = 0; l < lags; ++l) r[l] = x[static_cast<std::size_t>(l) * cx.M % x.size()];
  return r;
}

namespace {

// The pulses at the CTLE's gains (linear; g2 1 without a second stage): the victim, its peak
// and slope, the aggressors; their correlations are the callers'.
MmsePulses combined_pulses(const Context& cx, const CaseBasis& cb, double g, double g2) {
  MmsePulses p;
  p.victim = combine(cb.channels[0], g, g2);
  p.peak = p.victim.start +
           (std::max_element(p.victim.x.begin(), p.victim.x.end()) - p.victim.x.begin());
  p.slope = slope_of(p.victim, cx.M);
  for (std::size_t c = 1; c < cb.channels.size(); ++c)
    p.aggressors.push_back(combine(cb.channels[c], g, g2));
  return p;
}

}  // namespace

MmsePulses pulses_at(const Context& cx, const CaseBasis& cb, double g_dc_db, double g_dc2_db) {
  const double g = std::pow(10.0, g_dc_db / 20.0);
  const double g2 = cx.s.f_lf_hz > 0.0 ? std::pow(10.0, g_dc2_db / 20.0) : 1.0;
  MmsePulses p = combined_pulses(cx, cb, g, g2);
  const double k[4] = {g * g2, g, g2, 1.0};
  const std::size_t size = static_cast<std::size_t>(cx.M) * cx.lags;
  p.r_victim = basis_quadratic(cb.channels[0].cross, k, size);
  p.r_slope = basis_quadratic(cb.channels[0].slope_cross, k, size);
  for (std::size_t c = 1; c < cb.channels.size(); ++c)
    p.r_aggressors.push_back(basis_quadratic(cb.channels[c].cross, k, size));
  const double gu[3] = {1.0, g, g * g}, gv[3] = {1.0, g2, g2 * g2};
  p.r_eta.assign(cx.span, 0.0);
  for (int u = 0; u < 3; ++u)
    for (int v = 0; v < 3; ++v)
      for (int l = 0; l < cx.span; ++l) p.r_eta[l] += gu[u] * gv[v] * cb.eta[u][v][l];
  return p;
}

MmsePulses pulses_direct(const Context& cx, const CaseBasis& cb, const CaseSpectra& cs,
                         const std::vector<CtleStages>& stages, const Grid& g, double g_dc_db,
                         double g_dc2_db) {
  const double g1 = std::pow(10.0, g_dc_db / 20.0);
  const double g2 = cx.s.f_lf_hz > 0.0 ? std::pow(10.0, g_dc2_db / 20.0) : 1.0;
  MmsePulses p = combined_pulses(cx, cb, g1, g2);
  p.r_victim = phase_correlation(p.victim, p.victim, cx.M, cx.lags);
  p.r_slope = phase_correlation(p.slope, p.slope, cx.M, cx.lags);
  for (const Trimmed& a : p.aggressors)
    p.r_aggressors.push_back(phase_correlation(a, a, cx.M, cx.lags));
  p.r_eta = eta_autocorrelation(cx, cs, stages, g, g_dc_db, g_dc2_db, cx.span);
  return p;
}

}  // namespace ll::com_detail
