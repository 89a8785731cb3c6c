// Annex 93A's COM (host/link/com_standard.hpp): the pulses, the equalisation search and the
// interference distribution.
//
// Speed: the transmit FFE is symbol-spaced, so an equalised pulse is sum_i b_i p(t - i T) of the
// pulse p without it, and the energy of its samples at phase m is b' R_m b, R_m the
// autocorrelation of p's phase-m samples at lags 0 .. taps - 1. The pulses and their R_m at a
// CTLE setting come from the CTLE's basis (host/link/com_standard_pulses.hpp: four inverse DFTs a
// channel and package case), so a FOM costs the FFE'd pulse on 8 UI about its peak, the cursor
// search there, the DFE's post cursors and M phases of b' R b per aggressor, not a pulse. In the
// exhaustive search, a transmit FFE whose FOM cannot beat the best so far even with its floating
// DFE taps taking off all they could skips placing them.
#include "host/link/com_standard.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "host/link/channel.hpp"
#include "host/link/com_common.hpp"
#include "host/link/com_standard_pulses.hpp"
#include "host/link/stat_eye.hpp"
#include "physics/channel_models.hpp"

namespace ll {
namespace {

using namespace com_detail;

constexpr int kPmfBins = 16384;     // the interference distribution's grid
constexpr double kPmfFloor = 1e-3;  // samples under this share of A_s are left out (93A.1.7.1)

// b' R_m b: the energy of the FFE'd pulse's phase-m samples.
double ffe_energy(const PhasedPulse& p, int m, const std::vector<double>& b) {
  const int taps = static_cast<int>(b.size());
  const double* r = &p.r[static_cast<std::size_t>(m) * taps];
  double e = 0.0;
  for (int i = 0; i < taps; ++i)
    for (int j = 0; j < taps; ++j) e += b[i] * b[j] * r[std::abs(i - j)];
  return e;
}

// sum_i b_i p(t - i M) (zero outside the pulse; every sample read lies in p's window).
double ffe_sample(const PhasedPulse& p, long t, const std::vector<double>& b, int M) {
  double y = 0.0;
  const long oldest = t - static_cast<long>(b.size() - 1) * M;
  const long end = p.start + static_cast<long>(p.x.size());
  if (oldest >= p.start && t < end) {  // every tap in the window
    const double* x = &p.x[static_cast<std::size_t>(t - p.start)];
    for (std::size_t i = 0; i < b.size(); ++i) y += b[i] * x[-static_cast<long>(i) * M];
    return y;
  }
  for (std::size_t i = 0; i < b.size(); ++i) {
    const long k = t - static_cast<long>(i) * M;
    if (k < 0 || k >= p.n) continue;
    if (k < p.start || k >= end) throw std::logic_error("COM: a pulse sample outside its window");
    y += b[i] * p.x[static_cast<std::size_t>(k - p.start)];
  }
  return y;
}

double clamp_tap(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }

// Eight doubles as one vector (GCC's vector extension: one AVX-512 register, or two or four
// narrower ones), for evaluate's two hottest loops, which the compiler leaves part scalar.
using V8 = double __attribute__((vector_size(64)));
using L8 = long __attribute__((vector_size(64)));
V8 load8(const double* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// y[t - lo] = sum_i b_i p(t - i M), t in [lo, hi).
void equalised_pulse(const PhasedPulse& v, const std::vector<double>& b, int M, long lo, long hi,
                     std::vector<double>& y) {
  const long len = hi - lo, taps = static_cast<long>(b.size());
  if (lo - (taps - 1) * M >= v.start && hi <= v.start + static_cast<long>(v.x.size())) {
    // Every tap's samples in the window: sixteen outputs at a time, summed in two vector
    // registers (in the same order as below; 16 measured fastest of 4, 8, 16 and 32).
    y.resize(static_cast<std::size_t>(len));
    const double* x0 = &v.x[static_cast<std::size_t>(lo - v.start)];
    long t0 = 0;
    for (; t0 + 16 <= len; t0 += 16) {
      V8 acc0 = {}, acc1 = {};
      for (long i = 0; i < taps; ++i) {
        const double* x = x0 + t0 - i * M;
        const double bi = b[static_cast<std::size_t>(i)];
        acc0 += bi * load8(x);
        acc1 += bi * load8(x + 8);
      }
      std::memcpy(&y[static_cast<std::size_t>(t0)], &acc0, sizeof acc0);
      std::memcpy(&y[static_cast<std::size_t>(t0) + 8], &acc1, sizeof acc1);
    }
    for (; t0 < len; ++t0) {
      double acc = 0.0;
      for (long i = 0; i < taps; ++i) acc += b[static_cast<std::size_t>(i)] * x0[t0 - i * M];
      y[static_cast<std::size_t>(t0)] = acc;
    }
    return;
  }
  y.assign(static_cast<std::size_t>(len), 0.0);
  for (long i = 0; i < taps; ++i) {  // tap by tap: the loop over samples vectorises
    const long delay = i * M;
    const long t0 = std::max(lo, delay), t1 = std::min(hi, delay + v.n);
    if (t0 >= t1) continue;
    if (t0 - delay < v.start || t1 - delay > v.start + static_cast<long>(v.x.size()))
      throw std::logic_error("COM: a pulse sample outside its window");
    const double* x = &v.x[static_cast<std::size_t>(t0 - delay - v.start)];
    double* out = &y[static_cast<std::size_t>(t0 - lo)];
    const double bi = b[static_cast<std::size_t>(i)];
    for (long t = 0; t < t1 - t0; ++t) out[t] += bi * x[t];
  }
}

// An aggressor's worst phase (93A-33): the phase of its largest sample energy behind the FFE b.
struct WorstPhase {
  int phase = 0;
  double energy = -1.0;
};
WorstPhase worst_phase(const PhasedPulse& p, const std::vector<double>& b, int M) {
  WorstPhase w;
  for (int ph = 0; ph < M; ++ph)
    if (const double en = ffe_energy(p, ph, b); en > w.energy) w = {ph, en};
  return w;
}

// The sampling point (93A-25, 93A-26): within a UI either side of the peak, where
// h(t - T) = h(t + T) - b(1) h(t), b(1) = h(t + T) / h(t) within its limits. On the sample grid
// the equation holds between two samples where the residual changes sign: the crossing at or
// before the peak closest to it is taken (the standard's choice among several), else the first
// after it, else the sample of smallest residual. `y` is the equalised pulse on samples [lo, ..).
long cursor_sample(const std::vector<double>& y, long lo, int M, const ComSet& s) {
  auto at = [&](long t) { return y[static_cast<std::size_t>(t - lo)]; };
  const long end = lo + static_cast<long>(y.size());
  // The first sample of the largest value: eight lanes, each its first largest, then the
  // largest of those, the earliest among equals.
  V8 top;
  L8 where;
  for (int k = 0; k < 8; ++k) {
    top[k] = at(lo + M);
    where[k] = lo + M;
  }
  long t = lo + M;
  const L8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
  for (; t + 8 <= end - M; t += 8) {
    const V8 v = load8(&y[static_cast<std::size_t>(t - lo)]);
    const L8 larger = v > top;
    where = larger ? t + lane : where;
    top = larger ? v : top;
  }
  for (; t < end - M; ++t)
    if (at(t) > top[0]) {
      top[0] = at(t);
      where[0] = t;
    }
  long peak = where[0];
  double largest = top[0];
  for (int k = 1; k < 8; ++k)
    if (top[k] > largest || (top[k] == largest && where[k] < peak)) {
      largest = top[k];
      peak = where[k];
    }
  const bool dfe = !s.dfe_min.empty();
  const double b_lo = dfe ? s.dfe_min[0] : 0.0, b_hi = dfe ? s.dfe_max[0] : 0.0;
  const long first = std::max(lo + M, peak - M), last = std::min(end - M - 1, peak + M);
  auto residual = [&](long t) {
    const double h0 = at(t), h1 = at(t + M);
    const double b1 = dfe ? clamp_tap(h0 != 0.0 ? h1 / h0 : 0.0, b_lo, b_hi) : 0.0;
    return at(t - M) - (h1 - b1 * h0);
  };
  // A crossing between t - 1 and t picks the one of smaller residual, so picks never decrease
  // with t: the last at or before the peak is the first found going back from peak + 1.
  const long from = std::min(last, peak + 1);
  double r = residual(from);
  for (long t = from; t > first; --t) {
    const double prev = residual(t - 1);
    if (r == 0.0 || (r > 0.0) != (prev > 0.0)) {
      const long pick = std::abs(r) <= std::abs(prev) ? t : t - 1;
      if (pick <= peak) return pick;
    }
    r = prev;
  }
  // Else the first after it (every crossing from peak + 2 on picks after it).
  for (long t = std::max(first + 1, peak + 1); t <= last; ++t) {
    const double now = residual(t), prev = residual(t - 1);
    if (now == 0.0 || (now > 0.0) != (prev > 0.0)) {
      const long pick = std::abs(now) <= std::abs(prev) ? t : t - 1;
      if (pick > peak) return pick;
    }
  }
  // Else the sample of smallest residual (the peak where it ties).
  long best = peak;
  double best_abs = std::abs(residual(peak));
  for (long t = first; t <= last; ++t)
    if (const double a = std::abs(residual(t)); a < best_abs) {
      best_abs = a;
      best = t;
    }
  return best;
}

// The DFE's post cursors h(1) .. h(span): its fixed taps and, where the set has them, the
// floating taps' span.
std::size_t dfe_span(const ComSet& s) {
  const std::size_t fixed = s.dfe_max.size();
  const ComSet::FloatingDfe& fl = s.dfe_floating;
  return fl.groups > 0 ? std::max<std::size_t>(fixed, static_cast<std::size_t>(fl.span)) : fixed;
}

// evaluate's working buffers, made once a COM (it runs millions of times): the FFE'd pulse about
// its peak, the post cursors, the DFE (an Evaluation gets it only where it may be taken).
struct Scratch {
  std::vector<double> y, post, dfe;
};

struct Evaluation {
  double fom_db = -1e300;
  long cursor = 0;
  double h0 = 0.0, var_tx = 0.0, var_isi = 0.0, var_j = 0.0, var_xt = 0.0, var_n = 0.0;
  std::vector<double> dfe;
};

// The figure of merit (93A-36) of one transmit FFE at one CTLE setting. A FOM at or below
// `skip_below` (the best so far) cannot be taken: it comes without DFE taps, and with floating
// DFE taps, where even their taking off every post cursor's energy they can reach would leave
// the FOM there, they are not placed (the FOM returned is then the fixed taps', a lower bound).
Evaluation evaluate(const ComSet& s, const CasePulses& cp, const std::vector<double>& b,
                    const TxLayout& lay, Scratch& w,
                    double skip_below = -std::numeric_limits<double>::infinity()) {
  const int M = s.samples_per_ui;
  Evaluation e;
  // The equalised pulse about its peak (the FFE delays the cursor by `cursor` UI).
  const long centre = cp.peak + static_cast<long>(lay.cursor) * M;
  const long lo = std::max(0L, centre - 4L * M);
  const PhasedPulse& v = cp.victim;
  const long hi = std::min(v.n + (lay.taps - 1L) * M, centre + 4L * M);
  if (hi - lo < 3L * M) return e;
  std::vector<double>& y = w.y;
  equalised_pulse(v, b, M, lo, hi, y);
  e.cursor = cursor_sample(y, lo, M, s);
  e.h0 = ffe_sample(v, e.cursor, b, M);
  if (!(e.h0 > 0.0)) return e;
  const int m = static_cast<int>(e.cursor % M);
  const double sx2 = sigma_x2(s.levels);
  e.var_tx = e.h0 * e.h0 * cp.tx_noise;  // (93A-30)
  // Jitter (93A-28, 93A-32): h_J(n) = (h(t_s + nT + T/M) - h(t_s + nT - T/M)) / (2 / M).
  const double slope2 = ffe_energy(cp.slope, m, b) * (M / 2.0) * (M / 2.0);
  e.var_j = (s.a_dd_ui * s.a_dd_ui + s.sigma_rj_ui * s.sigma_rj_ui) * sx2 * slope2;
  // Crosstalk (93A-33, 93A-34): each aggressor at the phase of its largest energy; the FEXT
  // aggressors behind the victim's transmit FFE, the NEXT ones behind none.
  for (std::size_t a = 0; a < cp.aggressors.size(); ++a) {
    const std::vector<double>& ba = cp.kinds[a] == ComChannelKind::fext ? b : lay.none;
    e.var_xt += sx2 * worst_phase(cp.aggressors[a], ba, M).energy;
  }
  e.var_n = cp.var_n;
  const double a_s = s.r_lm * e.h0 / (s.levels - 1);
  auto fom_db = [&](double isi) {
    return 10.0 * std::log10(a_s * a_s /
                             (e.var_tx + sx2 * std::max(isi, 0.0) + e.var_j + e.var_xt + e.var_n));
  };
  // Residual ISI (93A-27, 93A-31): all of the phase's energy but the cursor, the DFE's share
  // taken off its post cursors h(1) .. h(span).
  const ComSet::FloatingDfe& fl = s.dfe_floating;
  const std::size_t fixed = s.dfe_max.size();
  const std::size_t span = dfe_span(s);
  std::vector<double>& h = w.post;
  h.resize(span);
  const long taps = static_cast<long>(b.size());
  const long kc = e.cursor >= v.start ? (e.cursor - v.start) / M : -1;  // t_s's UI in its phase
  if (!v.by_phase.empty() && kc >= 0 && kc + 2 - taps >= 0 &&
      kc + static_cast<long>(span) < v.uis) {
    // From the phase's own samples, tap by tap (the loop over the post cursors vectorises; the
    // sums in ffe_sample's order).
    const double* x = &v.by_phase[static_cast<std::size_t>(m * v.uis + kc + 1)];  // h(1)'s
    std::fill(h.begin(), h.end(), 0.0);
    for (long i = 0; i < taps; ++i) {
      const double bi = b[static_cast<std::size_t>(i)];
      const double* xi = x - i;
      for (std::size_t n = 0; n < span; ++n) h[n] += bi * xi[n];
    }
  } else {
    for (std::size_t n = 0; n < span; ++n)
      h[n] = ffe_sample(v, e.cursor + static_cast<long>(n + 1) * M, b, M);
  }
  std::vector<double>& dfe = w.dfe;
  dfe.assign(span, 0.0);
  for (std::size_t n = 0; n < fixed; ++n)
    dfe[n] = clamp_tap(h[n] / e.h0, s.dfe_min[n], s.dfe_max[n]);
  double isi = ffe_energy(cp.victim, m, b) - e.h0 * e.h0;
  if (span > fixed) {
    double reachable = 0.0;  // the most the floating taps could take off
    for (std::size_t n = fixed; n < span; ++n) {
      const double a = std::abs(h[n]), left = std::max(0.0, a - fl.limit * e.h0);
      reachable += a * a - left * left;
    }
    double isi_fixed = isi;
    for (std::size_t n = 0; n < fixed; ++n) {
      const double left = h[n] - dfe[n] * e.h0;
      isi_fixed += left * left - h[n] * h[n];
    }
    if (fom_db(isi_fixed - reachable) <= skip_below) {
      e.var_isi = sx2 * std::max(isi_fixed, 0.0);
      e.fom_db = fom_db(isi_fixed);
      return e;
    }
    floating_dfe(fl, static_cast<int>(fixed), h, e.h0, dfe);
  }
  for (std::size_t n = 0; n < span; ++n) {
    const double left = h[n] - dfe[n] * e.h0;
    isi += left * left - h[n] * h[n];
  }
  e.var_isi = sx2 * std::max(isi, 0.0);
  e.fom_db = fom_db(isi);
  if (e.fom_db > skip_below) e.dfe = dfe;
  return e;
}

}  // namespace

namespace {

// COM at the chosen equalisation (93A.1.7): the discrete interference (residual ISI, crosstalk
// at each aggressor's worst phase, the dual-Dirac jitter A_DD h_J(n)) with the Gaussian noise.
ComCase final_com(const ComSet& s, const CasePulses& cp, const std::vector<double>& b,
                  const TxLayout& lay, const Evaluation& e) {
  const int M = s.samples_per_ui;
  const int L = s.levels;
  ComCase out;
  const double a_s = s.r_lm * e.h0 / (L - 1);
  const double floor = kPmfFloor * a_s;
  const long span = cp.victim.n + (lay.taps - 1L) * M;
  std::vector<double> discrete;
  auto keep = [&](double v) {
    if (std::abs(v) >= floor) discrete.push_back(v);
  };
  double slope2 = 0.0;
  for (long t = e.cursor % M; t < span; t += M) {
    const long n = (t - e.cursor) / M;
    double h = ffe_sample(cp.victim, t, b, M);
    const double hj = ffe_sample(cp.slope, t, b, M) * (M / 2.0);
    slope2 += hj * hj;
    keep(s.a_dd_ui * hj);
    if (n == 0) continue;
    if (n >= 1 && n <= static_cast<long>(e.dfe.size())) h -= e.dfe[n - 1] * e.h0;
    keep(h);
  }
  // The crosstalk's samples at each aggressor's worst phase (its variance is the FOM's).
  for (std::size_t a = 0; a < cp.aggressors.size(); ++a) {
    const std::vector<double>& ba = cp.kinds[a] == ComChannelKind::fext ? b : lay.none;
    const int worst = worst_phase(cp.aggressors[a], ba, M).phase;
    for (long t = worst; t < span; t += M) keep(ffe_sample(cp.aggressors[a], t, ba, M));
  }
  const double sx2 = sigma_x2(L);
  const double var_g = e.var_tx + s.sigma_rj_ui * s.sigma_rj_ui * sx2 * slope2 + e.var_n;
  const std::vector<double> value = pam_levels(L), prob(L, 1.0 / L);
  const IsiPdf pdf = isi_distribution(discrete, value.data(), prob.data(), L, kPmfBins);
  const double sigma = std::sqrt(var_g);
  double reach = 0.0;
  for (double v : discrete) reach += std::abs(v);
  // A_ni: P(noise + interference < -A_ni) = DER_0.
  out.signal_v = a_s;
  out.interference_v = interference_amplitude(pdf, sigma, s.der0, reach, 0.0, true);
  out.com_db = 20.0 * std::log10(out.signal_v / out.interference_v);
  out.fom_db = e.fom_db;
  out.sigma_isi_v = std::sqrt(e.var_isi);
  out.sigma_xt_v = std::sqrt(e.var_xt);
  out.sigma_tx_v = std::sqrt(e.var_tx);
  out.sigma_jitter_v = std::sqrt(e.var_j);
  out.sigma_rj_v = s.sigma_rj_ui * std::sqrt(sx2 * slope2);
  out.sigma_n_v = std::sqrt(e.var_n);
  out.cursor_ui = static_cast<double>(e.cursor) / M;
  out.sigma_gaussian_v = sigma;
  out.eq.tx_taps = b;
  out.eq.dfe = e.dfe;
  return out;
}

}  // namespace

ComResult standard_com(const ComSet& s, const std::vector<ComChannel>& channels) {
  if (channels.empty() || channels.front().kind != ComChannelKind::thru)
    throw std::invalid_argument("COM needs the thru channel first");
  for (std::size_t c = 1; c < channels.size(); ++c)
    if (channels[c].kind == ComChannelKind::thru)
      throw std::invalid_argument("COM takes one thru channel");
  // The floating DFE taps' tail limit is taken to reach no fixed tap (as in the sheets), where
  // scaling a tap down only leaves more ISI.
  const ComSet::FloatingDfe& fl = s.dfe_floating;
  if (s.levels < 2 || s.samples_per_ui < 2 || s.cases.empty() || s.g_dc_db.empty() ||
      s.g_dc2_db.empty() || s.dfe_min.size() != s.dfe_max.size() ||
      (fl.groups > 0 &&
       (fl.taps < 1 || fl.span < static_cast<int>(s.dfe_max.size()) + fl.groups * fl.taps ||
        (fl.rss_start > 0 && fl.rss_start <= static_cast<int>(s.dfe_max.size())))))
    throw std::invalid_argument("COM set " + s.name + " is incomplete");
  if (s.rx_ffe_taps > 0) return receiver_ffe_com(s, channels);
  const Grid g = com_grid(s);
  const std::vector<std::vector<SParams2>> gridded = channels_on_grid(s, channels, g);
  const TxLayout lay = tx_layout(s);
  const TxIndexGrid index_grid = tx_index_grid(s, lay);
  const std::vector<std::vector<double>> grid = tx_grid(index_grid);
  const std::vector<CtleStages> stages = ctle_stages_on_grid(s, g);

  ComResult r;
  r.set = s.name;
  // The thru's samples the search reads (evaluate): from 4 UI and the transmit FFE's taps ahead
  // of the FFE'd pulse's peak to 4 UI and the DFE's span past it (a UI spare either side).
  const int M = s.samples_per_ui;
  const long before = (4L + lay.taps - lay.cursor + 1) * M;
  const long after = (lay.cursor + 5L + static_cast<long>(dfe_span(s)) + 1) * M;
  Scratch scratch;
  for (const ComPackageCase& pc : s.cases) {
    const CaseSpectra cs = case_spectra(s, pc, channels, gridded, g);
    const StandardBasis basis = standard_basis(s, cs, channels, stages, g, lay.taps);
    Evaluation best;
    std::vector<double> best_b;
    double best_g = 0.0, best_g2 = 0.0;
    for (double g2 : s.g_dc2_db)
      for (double g1 : s.g_dc_db) {
        const CasePulses cp = basis_pulses(basis, g1, g2, before, after);
        auto take = [&](const Evaluation& e, const std::vector<double>& b) {
          if (e.fom_db > best.fom_db) {
            best = e;
            best_b = b;
            best_g = g1;
            best_g2 = g2;
          }
        };
        if (s.search == ComSet::Search::local)
          local_tx_search(
              index_grid,
              [&](const std::vector<double>& b) { return evaluate(s, cp, b, lay, scratch); }, take);
        else  // a FOM that cannot beat the best so far need not place floating DFE taps
          for (const std::vector<double>& b : grid)
            take(evaluate(s, cp, b, lay, scratch, best.fom_db), b);
      }
    if (best_b.empty()) throw std::invalid_argument("COM: the thru channel has no pulse");
    const CasePulses cp = case_pulses(s, cs, channels, ctle(stages, best_g, best_g2), g, lay.taps);
    ComCase c = final_com(s, cp, best_b, lay, best);
    c.eq.g_dc_db = best_g;
    c.eq.g_dc2_db = best_g2;
    c.pulse_peak_v = cs.unequalised_peak_v;
    r.cases.push_back(std::move(c));
    if (!(r.com_db <= r.cases.back().com_db)) r.com_db = r.cases.back().com_db;
  }
  return r;
}

}  // namespace ll
