// Annex 93A's COM (host/link/com_standard.hpp): the pulses, the equalisation search and the
// interference distribution.
//
// Speed: the transmit FFE is symbol-spaced, so an equalised pulse is sum_i b_i p(t - i T) of the
// pulse p without it, and the energy of its samples at phase m is b' R_m b, R_m the
// autocorrelation of p's phase-m samples at lags 0 .. taps - 1. One inverse DFT per channel and
// CTLE gain then serves every transmit FFE of the grid, and a FOM costs the cursor search
// (a few UI of samples) and M phases of b' R b per aggressor, not a pulse.
#include "host/link/com_standard.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "host/link/channel.hpp"
#include "host/link/com_common.hpp"
#include "host/link/stat_eye.hpp"
#include "physics/channel_models.hpp"

namespace ll {
namespace {

using namespace com_detail;

constexpr int kPmfBins = 16384;     // the interference distribution's grid
constexpr double kPmfFloor = 1e-3;  // samples under this share of A_s are left out (93A.1.7.1)

// A sampled pulse with its phase autocorrelations: r[m * taps + l] = sum_k x[m + kM] x[m + (k+l)M].
struct PhasedPulse {
  std::vector<double> x;
  std::vector<double> r;
};

PhasedPulse phased(std::vector<double> x, int M, int taps) {
  PhasedPulse p;
  p.r.assign(static_cast<std::size_t>(M) * taps, 0.0);
  const long n = static_cast<long>(x.size());
  std::vector<double> acc(static_cast<std::size_t>(M));
  for (int l = 0; l < taps; ++l) {  // in memory order, each sample's product to its phase
    std::fill(acc.begin(), acc.end(), 0.0);
    const long lag = static_cast<long>(l) * M;
    for (long a = 0, m = 0; a + lag < n; ++a, m = m + 1 == M ? 0 : m + 1)
      acc[m] += x[a] * x[a + lag];
    for (int m = 0; m < M; ++m) p.r[static_cast<std::size_t>(m) * taps + l] = acc[m];
  }
  p.x = std::move(x);
  return p;
}

// b' R_m b: the energy of the FFE'd pulse's phase-m samples.
double ffe_energy(const PhasedPulse& p, int m, const std::vector<double>& b) {
  const int taps = static_cast<int>(b.size());
  const double* r = &p.r[static_cast<std::size_t>(m) * taps];
  double e = 0.0;
  for (int i = 0; i < taps; ++i)
    for (int j = 0; j < taps; ++j) e += b[i] * b[j] * r[std::abs(i - j)];
  return e;
}

// sum_i b_i x[t - i M] (zero outside the pulse).
double ffe_sample(const std::vector<double>& x, long t, const std::vector<double>& b, int M) {
  double y = 0.0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const long k = t - static_cast<long>(i) * M;
    if (k >= 0 && k < static_cast<long>(x.size())) y += b[i] * x[k];
  }
  return y;
}

double clamp_tap(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }

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
  long peak = lo + M;
  for (long t = lo + M; t < end - M; ++t)
    if (at(t) > at(peak)) peak = t;
  const double b_lo = s.dfe_min.empty() ? 0.0 : s.dfe_min[0];
  const double b_hi = s.dfe_max.empty() ? 0.0 : s.dfe_max[0];
  auto residual = [&](long t) {
    const double h0 = at(t), h1 = at(t + M);
    const double b1 = s.dfe_min.empty() ? 0.0 : clamp_tap(h0 != 0.0 ? h1 / h0 : 0.0, b_lo, b_hi);
    return at(t - M) - (h1 - b1 * h0);
  };
  const long first = std::max(lo + M, peak - M), last = std::min(end - M - 1, peak + M);
  long best = peak, before = -1, after = -1;
  double best_abs = std::abs(residual(peak));
  double prev = residual(first);
  for (long t = first; t <= last; ++t) {
    const double r = residual(t);
    if (std::abs(r) < best_abs) {
      best_abs = std::abs(r);
      best = t;
    }
    if (t > first && (r == 0.0 || (r > 0.0) != (prev > 0.0))) {
      const long pick = std::abs(r) <= std::abs(prev) ? t : t - 1;
      if (pick <= peak)
        before = pick;
      else if (after < 0)
        after = pick;
    }
    prev = r;
  }
  return before >= 0 ? before : after >= 0 ? after : best;
}

// The pulses of one package case at one CTLE setting.
struct CasePulses {
  PhasedPulse victim, slope;  // the thru's pulse and its centred difference p(t+1) - p(t-1)
  std::vector<PhasedPulse> aggressors;
  std::vector<ComChannelKind> kinds;
  long peak = 0;       // the victim's peak sample (without the transmit FFE)
  double var_n = 0.0;  // the receiver's noise (93A-35)
};

struct Evaluation {
  double fom_db = -1e300;
  long cursor = 0;
  double h0 = 0.0, var_tx = 0.0, var_isi = 0.0, var_j = 0.0, var_xt = 0.0, var_n = 0.0;
  std::vector<double> dfe;
};

// The figure of merit (93A-36) of one transmit FFE at one CTLE setting.
Evaluation evaluate(const ComSet& s, const CasePulses& cp, const std::vector<double>& b,
                    const TxLayout& lay) {
  const int M = s.samples_per_ui;
  Evaluation e;
  // The equalised pulse about its peak (the FFE delays the cursor by `cursor` UI).
  const long centre = cp.peak + static_cast<long>(lay.cursor) * M;
  const long lo = std::max(0L, centre - 4L * M);
  const long hi =
      std::min(static_cast<long>(cp.victim.x.size()) + (lay.taps - 1L) * M, centre + 4L * M);
  if (hi - lo < 3L * M) return e;
  std::vector<double> y(static_cast<std::size_t>(hi - lo), 0.0);
  const std::vector<double>& x = cp.victim.x;
  for (std::size_t i = 0; i < b.size(); ++i) {  // tap by tap: the loop over samples vectorises
    const long delay = static_cast<long>(i) * M;
    const long t0 = std::max(lo, delay), t1 = std::min(hi, delay + static_cast<long>(x.size()));
    for (long t = t0; t < t1; ++t) y[t - lo] += b[i] * x[t - delay];
  }
  e.cursor = cursor_sample(y, lo, M, s);
  e.h0 = ffe_sample(cp.victim.x, e.cursor, b, M);
  if (!(e.h0 > 0.0)) return e;
  const int m = static_cast<int>(e.cursor % M);
  const double sx2 = sigma_x2(s.levels);
  // Residual ISI (93A-27, 93A-31): all of the phase's energy but the cursor, the DFE's share
  // taken off the first N_b post cursors.
  double isi = ffe_energy(cp.victim, m, b) - e.h0 * e.h0;
  e.dfe.resize(s.dfe_max.size());
  for (std::size_t n = 0; n < e.dfe.size(); ++n) {
    const double h = ffe_sample(cp.victim.x, e.cursor + static_cast<long>(n + 1) * M, b, M);
    e.dfe[n] = clamp_tap(h / e.h0, s.dfe_min[n], s.dfe_max[n]);
    const double left = h - e.dfe[n] * e.h0;
    isi += left * left - h * h;
  }
  e.var_isi = sx2 * std::max(isi, 0.0);
  e.var_tx = e.h0 * e.h0 * std::pow(10.0, -s.snr_tx_db / 10.0);  // (93A-30)
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
  e.fom_db = 10.0 * std::log10(a_s * a_s / (e.var_tx + e.var_isi + e.var_j + e.var_xt + e.var_n));
  return e;
}

}  // namespace

namespace {

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
      std::vector<double> d(p.size(), 0.0);
      for (std::size_t t = 1; t + 1 < p.size(); ++t) d[t] = p[t + 1] - p[t - 1];
      cp.slope = phased(std::move(d), M, taps);
      cp.victim = phased(std::move(p), M, taps);
    } else {
      cp.aggressors.push_back(phased(std::move(p), M, taps));
      cp.kinds.push_back(channels[c].kind);
    }
  }
  // (93A-35): eta_0 through the receiver's filter and CTLE.
  double sum = 0.0;
  for (std::size_t k = 1; k < g.bins; ++k) sum += std::norm(cs.h_r[k] * h_ctf[k]);
  cp.var_n = s.eta0_v2_per_ghz * 1e-9 * sum * g.df;
  return cp;
}

// COM at the chosen equalisation (93A.1.7): the discrete interference (residual ISI, crosstalk
// at each aggressor's worst phase, the dual-Dirac jitter A_DD h_J(n)) with the Gaussian noise.
ComCase final_com(const ComSet& s, const CasePulses& cp, const std::vector<double>& b,
                  const TxLayout& lay, const Evaluation& e) {
  const int M = s.samples_per_ui;
  const int L = s.levels;
  ComCase out;
  const double a_s = s.r_lm * e.h0 / (L - 1);
  const double floor = kPmfFloor * a_s;
  const long span = static_cast<long>(cp.victim.x.size()) + (lay.taps - 1L) * M;
  std::vector<double> discrete;
  auto keep = [&](double v) {
    if (std::abs(v) >= floor) discrete.push_back(v);
  };
  double slope2 = 0.0;
  for (long t = e.cursor % M; t < span; t += M) {
    const long n = (t - e.cursor) / M;
    double h = ffe_sample(cp.victim.x, t, b, M);
    const double hj = ffe_sample(cp.slope.x, t, b, M) * (M / 2.0);
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
    for (long t = worst; t < span; t += M) keep(ffe_sample(cp.aggressors[a].x, t, ba, M));
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
  if (s.levels < 2 || s.samples_per_ui < 2 || s.cases.empty() || s.g_dc_db.empty() ||
      s.g_dc2_db.empty() || s.dfe_min.size() != s.dfe_max.size())
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
  for (const ComPackageCase& pc : s.cases) {
    const CaseSpectra cs = case_spectra(s, pc, channels, gridded, g);
    Evaluation best;
    std::vector<double> best_b;
    double best_g = 0.0, best_g2 = 0.0;
    for (double g2 : s.g_dc2_db)
      for (double g1 : s.g_dc_db) {
        const CasePulses cp = case_pulses(s, cs, channels, ctle(stages, g1, g2), g, lay.taps);
        auto take = [&](const Evaluation& e, const std::vector<double>& b) {
          if (e.fom_db > best.fom_db) {
            best = e;
            best_b = b;
            best_g = g1;
            best_g2 = g2;
          }
        };
        auto eval = [&](const std::vector<double>& b) { return evaluate(s, cp, b, lay); };
        if (s.search == ComSet::Search::local)
          local_tx_search(index_grid, eval, take);
        else
          for (const std::vector<double>& b : grid) take(eval(b), b);
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
