#include "host/link/tdecq.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

#include "kernels/cpu/cpu_exec.hpp"
#include "host/link/filter_design.hpp"
#include "physics/config.hpp"
#include "physics/illinois.hpp"

namespace ll {
namespace {

// Histogram bins over each histogram's range: a bin is ~1/500 of the eye's span, far below the
// noise that sets the SER (OMA / 20 at the target), so binning moves sigma_G by ~1e-5 relative.
constexpr int kHistogramBins = 500;
constexpr double kWindowUi = 0.04;  // each histogram's width (802.3: 0.04 UI)

struct Method {
  double target;      // SER (PAM4) or BER (NRZ)
  double q;           // Qt or Q
  double centres[2];  // the histograms' phases, UI from the crossing
  double f3db_per_baud;
};

Method method_of(int levels) {
  // 802.3 121.8.5 (PAM4: reference receiver at half the symbol rate, eq. 121-11) and 95.8.5
  // (NRZ: three quarters of the bit rate).
  if (levels == 4) return {kTdecqTargetSer, kTdecqQt, {0.45, 0.55}, 0.5};
  return {kTdecTargetBer, kTdecQ, {0.4, 0.6}, 0.75};
}

void check(const TdecqSettings& s) {
  if (s.levels != 2 && s.levels != 4)
    throw std::invalid_argument("TDECQ is defined for PAM4 and TDEC for NRZ only");
  if (s.samples_per_ui < 4) throw std::invalid_argument("TDECQ needs at least 4 samples per UI");
  if (!(s.symbol_rate_hz > 0.0)) throw std::invalid_argument("TDECQ needs the symbol rate");
  if (s.ffe_taps < 1 || s.ffe_taps > 15 || s.ffe_taps % 2 == 0)
    throw std::invalid_argument("the TDECQ reference equaliser takes an odd 1 .. 15 taps");
}

// The samples of the two histograms, each as the `taps` T-spaced samples its equaliser reads:
// column j of histogram k holds, for every sample, the one j - main UIs before it (columns, so
// the equaliser is a few vectorised multiply-adds over whole columns).
struct Histograms {
  int taps = 1;
  std::size_t n[2] = {0, 0};
  // [tap][sample], in float (1e-7 of the power, far below any noise that matters) to halve the
  // memory each equaliser trial streams through.
  std::vector<float> columns[2];
  std::size_t count(int k) const { return n[k]; }
  const float* tap(int k, int j) const { return columns[k].data() + j * n[k]; }
};

double circular_mean_crossing_samples(const std::vector<double>& x, double level, int spu) {
  double c = 0.0, s = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double a = x[i] - level, b = x[i + 1] - level;
    if ((a < 0.0) == (b < 0.0) || a == b) continue;
    const double t = static_cast<double>(i) + a / (a - b);
    const double angle = 2.0 * kPi * std::fmod(t, spu) / spu;
    c += std::cos(angle);
    s += std::sin(angle);
  }
  if (c == 0.0 && s == 0.0) throw std::invalid_argument("TDECQ: the waveform never crosses P_avg");
  double phase = std::atan2(s, c) * spu / (2.0 * kPi);
  return phase < 0.0 ? phase + spu : phase;
}

Histograms gather(const std::vector<double>& x, const TdecqSettings& s, const Method& m,
                  double crossing_samples) {
  const int spu = s.samples_per_ui;
  Histograms h;
  h.taps = s.levels == 4 ? s.ffe_taps : 1;
  const int main = h.taps / 2;
  const long n = static_cast<long>(x.size());
  for (int k = 0; k < 2; ++k) {
    // The window's samples about the centre (at least the nearest one).
    const double centre = crossing_samples + m.centres[k] * spu;
    const double half = 0.5 * kWindowUi * spu;
    long first = static_cast<long>(std::ceil(centre - half));
    long last = static_cast<long>(std::floor(centre + half));
    if (last < first) first = last = std::lround(centre);
    std::vector<long> at;
    for (long ui = 0;; ++ui) {
      const long base = ui * spu;
      // Tap 0 reads `main` UIs ahead, the last tap taps - 1 - main UIs back.
      if (base + last + static_cast<long>(main) * spu >= n) break;
      for (long i = base + first; i <= base + last; ++i)
        if (i - static_cast<long>(h.taps - 1 - main) * spu >= 0) at.push_back(i);
    }
    h.n[k] = at.size();
    h.columns[k].resize(at.size() * h.taps);
    // Tap j reads the sample (j - main) UIs earlier.
    for (int j = 0; j < h.taps; ++j)
      for (std::size_t s = 0; s < at.size(); ++s)
        h.columns[k][j * at.size() + s] = static_cast<float>(x[at[s] - (j - main) * spu]);
  }
  if (h.count(0) == 0 || h.count(1) == 0)
    throw std::invalid_argument("TDECQ: the waveform is too short for the equaliser");
  return h;
}

struct Thresholds {
  int n = 3;
  double t[3];
};

// The two histograms of the equalised samples for taps `ffe`: each bin's count and its samples'
// mean (rather than its centre: a level sitting on a threshold stays on it).
struct EqualisedHistograms {
  std::vector<double> centre[2], count[2];
  double total[2] = {0.0, 0.0};
};

EqualisedHistograms equalise(const Histograms& h, const std::vector<double>& ffe) {
  EqualisedHistograms e;
  std::vector<double> y;
  for (int k = 0; k < 2; ++k) {
    const std::size_t N = h.count(k);
    y.assign(N, 0.0);
    // In blocks that stay in L1 while every tap's column adds in: the columns are read once.
    constexpr std::size_t kBlock = 1024;
    for (std::size_t b0 = 0; b0 < N; b0 += kBlock) {
      const std::size_t len = std::min(kBlock, N - b0);
      double* __restrict out = y.data() + b0;
      for (int j = 0; j < h.taps; ++j) {
        const double c = ffe[j];
        const float* __restrict x = h.tap(k, j) + b0;
        for (std::size_t i = 0; i < len; ++i) out[i] += c * x[i];
      }
    }
    const auto [lo_it, hi_it] = std::minmax_element(y.begin(), y.end());
    const double lo = *lo_it, hi = *hi_it;
    const double per_bin = kHistogramBins / std::max(hi - lo, 1e-300);
    std::vector<double> count(kHistogramBins, 0.0), sum(kHistogramBins, 0.0);
    for (double v : y) {
      const int b = std::min(kHistogramBins - 1, static_cast<int>((v - lo) * per_bin));
      count[b] += 1.0;
      sum[b] += v;
    }
    for (int b = 0; b < kHistogramBins; ++b) {
      if (count[b] == 0.0) continue;
      e.centre[k].push_back(sum[b] / count[b]);
      e.count[k].push_back(count[b]);
    }
    e.total[k] = static_cast<double>(N);
  }
  return e;
}

// The worse histogram's error ratio with added noise sigma_g (ahead of the FFE, whose noise
// enhancement squared is ceq2) and the relative intensity noise's variance factor rin_b (RIN
// times the reference bandwidth).
double worse_ser(const EqualisedHistograms& e, const Thresholds& th, double sigma_g, double rin_b,
                 double ceq2) {
  double worst = 0.0;
  for (int k = 0; k < 2; ++k) {
    double ser = 0.0;
    for (std::size_t b = 0; b < e.centre[k].size(); ++b) {
      const double v = e.centre[k][b];
      const double s = std::sqrt(ceq2 * (sigma_g * sigma_g + rin_b * v * v));
      // Beyond a threshold: Q(d / s) = erfc(d / (s sqrt 2)) / 2; without noise, a step.
      auto tail = [s](double d) {
        if (s == 0.0) return d > 0.0 ? 0.0 : 1.0;
        return 0.5 * std::erfc(d / (s * std::sqrt(2.0)));
      };
      int region = 0;
      while (region < th.n && v >= th.t[region]) ++region;
      double p = 0.0;
      if (region > 0) p += tail(v - th.t[region - 1]);
      if (region < th.n) p += tail(th.t[region] - v);
      ser += e.count[k][b] * p;
    }
    worst = std::max(worst, ser / e.total[k]);
  }
  return worst;
}

double noise_enhancement_squared(const std::vector<double>& ffe) {
  double ceq2 = 0.0;
  for (double c : ffe) ceq2 += c * c;
  return ceq2;
}

// P_avg: the settings' (a balanced pattern's), else the waveform's mean.
double average_power(const std::vector<double>& x, const TdecqSettings& s) {
  if (std::isfinite(s.average_power_w)) return s.average_power_w;
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

Thresholds thresholds_of(int levels, double p_avg, double oma) {
  Thresholds th;
  if (levels == 4) {
    th.n = 3;
    th.t[0] = p_avg - oma / 3.0;
    th.t[1] = p_avg;
    th.t[2] = p_avg + oma / 3.0;
  } else {
    th.n = 1;
    th.t[0] = p_avg;
  }
  return th;
}

double sigma_ideal(const Method& m, int levels, double oma) {
  return levels == 4 ? oma / (6.0 * m.q) : oma / (2.0 * m.q);
}

double rin_bandwidth(const TdecqSettings& s, const Method& m) {
  if (!std::isfinite(s.rin_db_per_hz)) return 0.0;
  const double fs = s.symbol_rate_hz * s.samples_per_ui;
  const double b = fir_noise_bandwidth_hz(
      design_bessel_thomson4_fir(m.f3db_per_baud * s.symbol_rate_hz, fs), fs);
  return std::pow(10.0, s.rin_db_per_hz / 10.0) * b;
}

// sigma_G for taps `ffe`: the root in log sigma between 1e-4 and 10 sigma_ideal (0 when even a
// noiseless eye misses the target: closed; the upper end when 10 sigma_ideal still meets it).
double solve_sigma_g(const EqualisedHistograms& e, double ceq2, const Thresholds& th, double rin_b,
                     double target, double ideal) {
  if (worse_ser(e, th, 0.0, rin_b, ceq2) >= target) return 0.0;
  double lo = std::log(1e-4 * ideal), hi = std::log(10.0 * ideal);
  if (worse_ser(e, th, std::exp(hi), rin_b, ceq2) <= target) return std::exp(hi);
  // Illinois (regula falsi that halves the stale end's weight) on ln SER - ln target in ln
  // sigma: smooth there, so it converges in ~8 evaluations to 1e-7 in ln sigma (4e-7 dB).
  // (SER 0, far below the target: ln of the smallest normal double.)
  auto g = [&](double u) {
    return std::log(std::max(worse_ser(e, th, std::exp(u), rin_b, ceq2), 1e-300) / target);
  };
  const double g_lo = g(lo), g_hi = g(hi);
  if (g_lo >= 0.0) return std::exp(lo);
  return std::exp(illinois_root(g, lo, hi, g_lo, g_hi, 1e-7, 1e-9));
}

// Taps that fit the equalised samples of both histograms to their nearest ideal level
// (P_avg + (k - (M - 1) / 2) OMA / (M - 1)) in least squares, deciding again with each fit (5
// rounds from the identity), scaled to sum to 1.
std::vector<double> decision_directed_taps(const Histograms& h, const Thresholds& th, int levels,
                                           double oma, double p_avg) {
  const int n = h.taps;
  std::vector<double> c(n, 0.0);
  c[n / 2] = 1.0;
  for (int round = 0; round < 5; ++round) {
    std::vector<double> a(n * n, 0.0), r(n, 0.0);
    for (int k = 0; k < 2; ++k)
      for (std::size_t i = 0; i < h.count(k); ++i) {
        double x[15];
        double y = 0.0;
        for (int j = 0; j < n; ++j) {
          x[j] = h.tap(k, j)[i];
          y += c[j] * x[j];
        }
        int region = 0;
        while (region < th.n && y >= th.t[region]) ++region;
        const double target = p_avg + (region - 0.5 * (levels - 1)) * oma / (levels - 1);
        for (int j = 0; j < n; ++j) {
          r[j] += x[j] * target;
          for (int l = 0; l < n; ++l) a[j * n + l] += x[j] * x[l];
        }
      }
    // Gaussian elimination with partial pivoting on the normal equations.
    for (int col = 0; col < n; ++col) {
      int piv = col;
      for (int row = col + 1; row < n; ++row)
        if (std::abs(a[row * n + col]) > std::abs(a[piv * n + col])) piv = row;
      if (a[piv * n + col] == 0.0) return c;
      for (int l = 0; l < n; ++l) std::swap(a[col * n + l], a[piv * n + l]);
      std::swap(r[col], r[piv]);
      for (int row = col + 1; row < n; ++row) {
        const double f = a[row * n + col] / a[col * n + col];
        for (int l = col; l < n; ++l) a[row * n + l] -= f * a[col * n + l];
        r[row] -= f * r[col];
      }
    }
    for (int row = n - 1; row >= 0; --row) {
      double v = r[row];
      for (int l = row + 1; l < n; ++l) v -= a[row * n + l] * c[l];
      c[row] = v / a[row * n + row];
    }
  }
  const double sum = std::accumulate(c.begin(), c.end(), 0.0);
  for (double& v : c) v /= sum;
  return c;
}

// Nelder-Mead over f: R^n -> R from x0 with initial steps `step`; returns the best point.
std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                                std::vector<double> x0, double step, int max_evaluations,
                                double tolerance) {
  const std::size_t n = x0.size();
  if (n == 0) return x0;
  std::vector<std::vector<double>> p(n + 1, x0);
  std::vector<double> v(n + 1);
  for (std::size_t i = 0; i < n; ++i) p[i + 1][i] += step;
  int evaluations = 0;
  for (std::size_t i = 0; i <= n; ++i, ++evaluations) v[i] = f(p[i]);
  auto point = [&](const std::vector<double>& c, const std::vector<double>& w, double t) {
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n; ++i) r[i] = c[i] + t * (w[i] - c[i]);
    return r;
  };
  while (evaluations < max_evaluations) {
    std::vector<std::size_t> order(n + 1);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[n - 1];
    if (v[worst] - v[best] <= tolerance) break;
    std::vector<double> c(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i)
      if (i != worst)
        for (std::size_t d = 0; d < n; ++d) c[d] += p[i][d] / static_cast<double>(n);
    const std::vector<double> r = point(c, p[worst], -1.0);
    const double fr = f(r);
    ++evaluations;
    if (fr < v[best]) {
      const std::vector<double> e = point(c, p[worst], -2.0);
      const double fe = f(e);
      ++evaluations;
      if (fe < fr) {
        p[worst] = e;
        v[worst] = fe;
      } else {
        p[worst] = r;
        v[worst] = fr;
      }
    } else if (fr < v[second]) {
      p[worst] = r;
      v[worst] = fr;
    } else {
      const bool outside = fr < v[worst];
      const std::vector<double> k = point(c, outside ? r : p[worst], 0.5);
      const double fk = f(k);
      ++evaluations;
      if (fk < std::min(fr, v[worst])) {
        p[worst] = k;
        v[worst] = fk;
      } else {
        for (std::size_t i = 0; i <= n; ++i) {
          if (i == best) continue;
          p[i] = point(p[best], p[i], 0.5);
          v[i] = f(p[i]);
          ++evaluations;
        }
      }
    }
  }
  return p[std::min_element(v.begin(), v.end()) - v.begin()];
}

}  // namespace

TdecqFigure tdecq(const std::vector<double>& power_w, double oma_outer_w,
                  const TdecqSettings& settings) {
  check(settings);
  if (!(oma_outer_w > 0.0)) throw std::invalid_argument("TDECQ needs a positive OMA");
  if (power_w.size() < static_cast<std::size_t>(settings.samples_per_ui) * 64)
    throw std::invalid_argument("TDECQ needs a waveform of at least 64 UI");
  const Method m = method_of(settings.levels);
  const double fs = settings.symbol_rate_hz * settings.samples_per_ui;
  const std::vector<double> x =
      settings.reference_receiver
          ? bessel_thomson4_filter(power_w, m.f3db_per_baud * settings.symbol_rate_hz, fs)
          : power_w;
  TdecqFigure out;
  out.average_power_w = average_power(x, settings);
  const double crossing =
      circular_mean_crossing_samples(x, out.average_power_w, settings.samples_per_ui);
  out.crossing_ui = crossing / settings.samples_per_ui;
  const Histograms h = gather(x, settings, m, crossing);
  const Thresholds th = thresholds_of(settings.levels, out.average_power_w, oma_outer_w);
  const double rin_b = rin_bandwidth(settings, m);
  const double ideal = sigma_ideal(m, settings.levels, oma_outer_w);

  // The taps but the main one are free; the main one makes the sum 1.
  const int main = h.taps / 2;
  auto taps_of = [&](const std::vector<double>& free) {
    std::vector<double> c(h.taps, 0.0);
    double sum = 0.0;
    for (int j = 0, f = 0; j < h.taps; ++j)
      if (j != main) sum += c[j] = free[f++];
    c[main] = 1.0 - sum;
    return c;
  };
  // What the search minimises: TDECQ in dB; a closed eye ranks by how far it is from opening.
  auto objective = [&](const std::vector<double>& free) {
    const std::vector<double> c = taps_of(free);
    const EqualisedHistograms e = equalise(h, c);
    const double ceq2 = noise_enhancement_squared(c);
    const double sg = solve_sigma_g(e, ceq2, th, rin_b, m.target, ideal);
    if (sg > 0.0) return 10.0 * std::log10(ideal / sg);
    return 100.0 + 10.0 * std::log10(worse_ser(e, th, 0.0, rin_b, ceq2) / m.target);
  };
  // Two starts: no equalisation, and a decision-directed least-squares fit to the ideal levels
  // (which finds an opening where the unequalised eye is closed and the objective is flat).
  std::vector<double> start(h.taps - 1, 0.0);
  if (h.taps > 1) {
    const std::vector<double> ls =
        decision_directed_taps(h, th, settings.levels, oma_outer_w, out.average_power_w);
    std::vector<double> free;
    for (int j = 0; j < h.taps; ++j)
      if (j != main) free.push_back(ls[j]);
    if (objective(free) < objective(start)) start = free;
  }
  const std::vector<double> best = nelder_mead(objective, start, 0.05, 300, 1e-3);
  out.ffe = taps_of(best);
  const double ceq2 = noise_enhancement_squared(out.ffe);
  out.noise_enhancement = std::sqrt(ceq2);
  out.sigma_g_w = solve_sigma_g(equalise(h, out.ffe), ceq2, th, rin_b, m.target, ideal);
  out.tdecq_db = out.sigma_g_w > 0.0 ? 10.0 * std::log10(ideal / out.sigma_g_w) : INFINITY;
  return out;
}

std::vector<std::vector<double>> received_optical_power(
    const BatchSetup& batch, std::size_t first, std::size_t count, std::int64_t symbols,
    const std::vector<double>& responsivity_a_per_w, const std::vector<double>& dark_current_a) {
  BatchSetup one = batch;
  one.links.assign(batch.links.begin() + static_cast<long>(first),
                   batch.links.begin() + static_cast<long>(first + count));
  // Only the waveform is wanted: no stop, no eye, no receiver-side stages.
  one.max_bits = one.target_errors = ~0ull;
  one.eye_symbols = 0;
  one.rx_equalizer = false;
  one.cdr = false;
  SerialExec exec;
  LaneEngine<SerialExec, double> engine(exec, one);
  engine.step();  // warm-up: filters, the ring and the symbols in flight settle
  const std::size_t chunk_samples =
      static_cast<std::size_t>(one.chunk_symbols) * one.samples_per_ui;
  const std::size_t wanted = static_cast<std::size_t>(symbols) * one.samples_per_ui;
  std::vector<std::vector<double>> out(count);
  for (auto& w : out) w.reserve(wanted + chunk_samples);
  while (out.front().size() < wanted) {
    engine.step();
    const std::vector<double> chunk = engine.last_photocurrent();
    for (std::size_t l = 0; l < count; ++l)
      for (std::size_t i = 0; i < chunk_samples; ++i)
        out[l].push_back((chunk[l * chunk_samples + i] - dark_current_a[l]) /
                         responsivity_a_per_w[l]);
  }
  for (auto& w : out) w.resize(wanted);
  return out;
}

}  // namespace ll
