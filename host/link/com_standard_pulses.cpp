// Annex 93A's COM pulses, directly and from the CTLE's basis (host/link/com_standard_pulses.hpp).
#include "host/link/com_standard_pulses.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "host/link/channel.hpp"

namespace ll::com_detail {
namespace {

// A basis pulse's samples are "loud" from this share of the largest on (where the search's peak
// is looked for first).
constexpr double kLoud = 1e-2;

// p(t + 1) - p(t - 1), zero at the ends.
std::vector<double> slope_of(const std::vector<double>& p) {
  std::vector<double> d(p.size(), 0.0);
  for (std::size_t t = 1; t + 1 < p.size(); ++t) d[t] = p[t + 1] - p[t - 1];
  return d;
}

PhasedPulse whole(std::vector<double> x, int M, int taps) {
  PhasedPulse p;
  p.r = phase_cross(x, x, M, taps);
  p.n = static_cast<long>(x.size());
  p.x = std::move(x);
  return p;
}

// The CTLE's factor q (0 .. 3: a c, a d, b c, b d) at bin k.
cd factor(const std::vector<CtleStages>& st, std::size_t k, int q) {
  return (q < 2 ? st[k].a : st[k].b) * (q % 2 == 0 ? st[k].c : st[k].d);
}

}  // namespace

CasePulses case_pulses(const ComSet& s, const CaseSpectra& cs,
                       const std::vector<ComChannel>& channels, const std::vector<cd>& h_ctf,
                       const Grid& g, int taps) {
  const int M = s.samples_per_ui;
  CasePulses cp;
  for (std::size_t c = 0; c < cs.base.size(); ++c) {
    std::vector<cd> spec(g.bins);
    for (std::size_t k = 0; k < g.bins; ++k) spec[k] = cs.base[c][k] * h_ctf[k] * cs.amplitude[c];
    std::vector<double> p = inverse_real_dft(std::move(spec));
    if (c == 0) {
      cp.peak = std::max_element(p.begin(), p.end()) - p.begin();
      cp.slope = whole(slope_of(p), M, taps);
      cp.victim = whole(std::move(p), M, taps);
    } else {
      cp.aggressors.push_back(whole(std::move(p), M, taps));
      cp.kinds.push_back(channels[c].kind);
    }
  }
  // (93A-35): eta_0 through the receiver's filter and CTLE.
  double sum = 0.0;
  for (std::size_t k = 1; k < g.bins; ++k) sum += std::norm(cs.h_r[k] * h_ctf[k]);
  cp.var_n = s.eta0_v2_per_ghz * 1e-9 * sum * g.df;
  cp.tx_noise = std::pow(10.0, -s.snr_tx_db / 10.0);
  return cp;
}

StandardBasis standard_basis(const ComSet& s, const CaseSpectra& cs,
                             const std::vector<ComChannel>& channels,
                             const std::vector<CtleStages>& stages, const Grid& g, int taps) {
  const int M = s.samples_per_ui;
  StandardBasis b;
  b.s = &s;
  b.taps = taps;
  for (std::size_t c = 0; c < cs.base.size(); ++c) {
    std::array<std::vector<double>, 4> q;
    for (int i = 0; i < 4; ++i) {
      std::vector<cd> spec(g.bins);
      bool zero = true;
      for (std::size_t k = 0; k < g.bins; ++k) {
        spec[k] = cs.base[c][k] * factor(stages, k, i) * cs.amplitude[c];
        zero = zero && spec[k] == cd(0.0, 0.0);
      }
      if (!zero) q[static_cast<std::size_t>(i)] = inverse_real_dft(std::move(spec));
    }
    StandardBasis::Cross cross;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        if (!q[i].empty() && !q[j].empty()) cross[i][j] = phase_cross(q[i], q[j], M, taps);
    b.cross.push_back(std::move(cross));
    b.kinds.push_back(channels[c].kind);
    if (c != 0) continue;
    std::array<std::vector<double>, 4> slope;
    for (int i = 0; i < 4; ++i)
      if (!q[i].empty()) {
        slope[i] = slope_of(q[i]);
        b.n = static_cast<long>(q[i].size());
      }
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        if (!slope[i].empty() && !slope[j].empty())
          b.slope_cross[i][j] = phase_cross(slope[i], slope[j], M, taps);
    // The loud window: from the first to the last sample where a basis pulse passes kLoud of
    // the largest.
    double top = 0.0;
    for (const std::vector<double>& x : q)
      for (double v : x) top = std::max(top, std::abs(v));
    b.loud_first = b.n;
    b.loud_last = 0;
    for (const std::vector<double>& x : q)
      for (long t = 0; t < static_cast<long>(x.size()); ++t)
        if (std::abs(x[t]) >= kLoud * top) {
          b.loud_first = std::min(b.loud_first, t);
          b.loud_last = std::max(b.loud_last, t + 1);
        }
    for (const std::vector<double>& x : q)
      for (long t = 0; t < static_cast<long>(x.size()); ++t)
        if (t < b.loud_first || t >= b.loud_last) b.quiet = std::max(b.quiet, std::abs(x[t]));
    b.thru = std::move(q);
  }
  if (b.n == 0) throw std::invalid_argument("COM: the thru channel has no pulse");
  const double eta = s.eta0_v2_per_ghz * 1e-9 * g.df;
  for (std::size_t k = 1; k < g.bins; ++k) {
    const double hr2 = std::norm(cs.h_r[k]);
    cd u[4];
    for (int i = 0; i < 4; ++i) u[i] = factor(stages, k, i);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) b.noise[i][j] += eta * hr2 * std::real(u[i] * std::conj(u[j]));
  }
  return b;
}

CasePulses basis_pulses(const StandardBasis& b, double g_dc_db, double g_dc2_db, long before,
                        long after) {
  const ComSet& s = *b.s;
  const double g = std::pow(10.0, g_dc_db / 20.0), g2 = std::pow(10.0, g_dc2_db / 20.0);
  const double k[4] = {g * g2, g, g2, 1.0};
  auto value = [&](long t) {
    double v = 0.0;
    for (int i = 0; i < 4; ++i)
      if (!b.thru[i].empty()) v += k[i] * b.thru[i][static_cast<std::size_t>(t)];
    return v;
  };
  // The peak: the first largest sample, in the loud window where it is provably there.
  auto first_largest = [&](long from, long to) {
    long at = from;
    double top = value(from);
    for (long t = from + 1; t < to; ++t)
      if (const double v = value(t); v > top) {
        top = v;
        at = t;
      }
    return std::pair{at, top};
  };
  double bound = 0.0;  // with a margin for the sums' rounding
  for (int i = 0; i < 4; ++i)
    if (!b.thru[i].empty()) bound += std::abs(k[i]) * b.quiet;
  bound *= 1.0 + 1e-12;
  auto [peak, top] =
      b.loud_first < b.loud_last ? first_largest(b.loud_first, b.loud_last) : std::pair{0L, -1.0};
  if (!(top > bound)) std::tie(peak, top) = first_largest(0, b.n);

  CasePulses cp;
  cp.peak = peak;
  const std::size_t size = static_cast<std::size_t>(s.samples_per_ui) * b.taps;
  cp.victim.n = cp.slope.n = b.n;
  const int M = s.samples_per_ui;
  cp.victim.start = std::max(0L, peak - before) / M * M;
  const long end = std::min(b.n, peak + after);
  cp.victim.x.resize(static_cast<std::size_t>(std::max(0L, end - cp.victim.start)));
  for (long t = cp.victim.start; t < end; ++t) cp.victim.x[t - cp.victim.start] = value(t);
  cp.victim.uis = (end - cp.victim.start + M - 1) / M;
  cp.victim.by_phase.assign(static_cast<std::size_t>(M * cp.victim.uis), 0.0);
  for (int m = 0; m < M; ++m)
    for (long k = 0; k < cp.victim.uis; ++k)
      if (const long t = cp.victim.start + m + k * M; t < b.n)
        cp.victim.by_phase[static_cast<std::size_t>(m * cp.victim.uis + k)] = value(t);
  cp.victim.r = basis_quadratic(b.cross[0], k, size);
  cp.slope.r = basis_quadratic(b.slope_cross, k, size);
  for (std::size_t c = 1; c < b.cross.size(); ++c) {
    PhasedPulse a;
    a.n = b.n;
    a.r = basis_quadratic(b.cross[c], k, size);
    cp.aggressors.push_back(std::move(a));
    cp.kinds.push_back(b.kinds[c]);
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) cp.var_n += k[i] * k[j] * b.noise[i][j];
  cp.tx_noise = std::pow(10.0, -s.snr_tx_db / 10.0);
  return cp;
}

}  // namespace ll::com_detail
