#include "host/link/channel_figures.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "host/link/channel.hpp"
#include "host/link/cholesky.hpp"
#include "kernels/engine/fir.hpp"

namespace ll {
namespace {

double loss_db(std::complex<double> h) { return -20.0 * std::log10(std::abs(h) + 1e-300); }

// IL at f by linear interpolation of the file's IL in dB (NaN outside its band).
double loss_at(const std::vector<double>& f, const std::vector<double>& il, double at) {
  if (f.empty() || at < f.front() || at > f.back()) return ChannelFigures::nan;
  const auto hi = std::lower_bound(f.begin(), f.end(), at);
  if (hi == f.begin()) return il.front();
  const std::size_t k = static_cast<std::size_t>(hi - f.begin());
  const double t = (at - f[k - 1]) / (f[k] - f[k - 1]);
  return il[k - 1] + t * (il[k] - il[k - 1]);
}

}  // namespace

double insertion_loss_deviation_rms(const std::vector<double>& frequency_hz,
                                    const std::vector<double>& il_db) {
  const std::size_t n = frequency_hz.size();
  if (n < 5) return ChannelFigures::nan;
  // Normal equations in f / f_max (conditioning).
  const double scale = frequency_hz.back();
  auto basis = [&](double f) {
    const double x = f / scale;
    return std::array<double, 4>{1.0, std::sqrt(x), x, x * x};
  };
  std::vector<double> a(16, 0.0), rhs(4, 0.0);
  for (std::size_t k = 0; k < n; ++k) {
    const auto b = basis(frequency_hz[k]);
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) a[i * 4 + j] += b[i] * b[j];
      rhs[i] += b[i] * il_db[k];
    }
  }
  std::vector<double> coefficients;
  try {
    coefficients = cholesky_solve(a, rhs, 4, "insertion_loss_deviation_rms");
  } catch (const std::invalid_argument&) {
    return ChannelFigures::nan;  // too few distinct frequencies for the four terms
  }
  double sum2 = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const auto b = basis(frequency_hz[k]);
    double fit = 0.0;
    for (int i = 0; i < 4; ++i) fit += b[i] * coefficients[i];
    sum2 += (il_db[k] - fit) * (il_db[k] - fit);
  }
  return std::sqrt(sum2 / static_cast<double>(n));
}

void touchstone_channel_figures(const TouchstoneData& d, PortOrder order, double symbol_rate_hz,
                                ChannelFigures& out) {
  const std::vector<std::complex<double>> h = through_response(d, order);
  const std::vector<double>& f = d.frequency_hz;
  std::vector<double> il(f.size());
  for (std::size_t k = 0; k < f.size(); ++k) il[k] = loss_db(h[k]);
  const double nyquist_hz = 0.5 * symbol_rate_hz;
  out.il_half_nyquist_db = loss_at(f, il, 0.5 * nyquist_hz);
  out.il_nyquist_db = loss_at(f, il, nyquist_hz);
  out.il_symbol_rate_db = loss_at(f, il, symbol_rate_hz);
  std::vector<double> band_f, band_il;
  for (std::size_t k = 0; k < f.size() && f[k] <= symbol_rate_hz; ++k) {
    band_f.push_back(f[k]);
    band_il.push_back(il[k]);
  }
  out.ild_rms_db = insertion_loss_deviation_rms(band_f, band_il);
  // Return loss at the input pair: SDD11, or a 2-port's S11.
  const std::vector<SParams2> dd = differential_two_port(d, order);
  double rl = ChannelFigures::nan;
  for (std::size_t k = 0; k < f.size() && f[k] <= nyquist_hz; ++k) {
    const double r = loss_db(dd[k].s11);
    rl = std::isnan(rl) ? r : std::min(rl, r);
  }
  out.return_loss_min_db = rl;
  // Delay: least-squares slope of the unwrapped phase against omega, over the points to f_N.
  double phase = 0.0, previous = 0.0;
  double sw = 0.0, sp = 0.0, sww = 0.0, swp = 0.0;
  std::size_t n = 0;
  for (std::size_t k = 0; k < f.size() && f[k] <= nyquist_hz; ++k) {
    const double raw = std::arg(h[k]);
    if (k == 0) {
      phase = raw;
    } else {
      double step = raw - previous;
      step -= 2.0 * std::numbers::pi * std::round(step / (2.0 * std::numbers::pi));
      phase += step;
    }
    previous = raw;
    const double w = 2.0 * std::numbers::pi * f[k];
    sw += w;
    sp += phase;
    sww += w * w;
    swp += w * phase;
    ++n;
  }
  if (n >= 2) {
    const double dn = static_cast<double>(n);
    out.delay_s = -(dn * swp - sw * sp) / (dn * sww - sw * sw);
  }
}

void pulse_figures(const std::vector<double>& fir, int samples_per_ui, ChannelFigures& out) {
  if (fir.empty() || samples_per_ui < 1) return;
  // The response to one UI of a unit level.
  const std::size_t spu = static_cast<std::size_t>(samples_per_ui);
  const std::vector<double> pulse = convolve_fir(std::vector<double>(spu, 1.0), fir);
  const std::size_t peak =
      static_cast<std::size_t>(std::max_element(pulse.begin(), pulse.end()) - pulse.begin());
  out.pulse_cursor = pulse[peak];
  out.pulse_pre1 = peak >= spu ? pulse[peak - spu] : 0.0;
  out.pulse_post1 = peak + spu < pulse.size() ? pulse[peak + spu] : 0.0;
}

}  // namespace ll

namespace ll {

std::string causality_warning(const std::string& path, const Causality& c) {
  if (!(c.acausal_share > kAcausalShareWarning)) return "";
  return path +
         ": its through response is not causal: " + format_number(100.0 * c.acausal_share, 3) +
         "% of the impulse response's energy comes before the signal arrives, most of it at " +
         format_number(c.worst_frequency_hz / 1e9, 4) +
         " GHz (a phase that does not belong to the magnitude: a de-embedding or interpolation "
         "artefact, or the pairs or sign convention wrong)";
}

Causality through_causality(const std::vector<double>& frequency_hz,
                            const std::vector<std::complex<double>>& through, double report_above) {
  Causality out;
  const std::size_t n = frequency_hz.size();
  if (n < 2) return out;
  const double df = (frequency_hz.back() - frequency_hz.front()) / static_cast<double>(n - 1);
  const std::size_t bins = static_cast<std::size_t>(std::ceil(1.25 * frequency_hz.back() / df)) + 1;
  const std::vector<double> x =
      inverse_real_dft(interpolate_response(frequency_hz, through, df, bins));
  const long N = static_cast<long>(x.size());
  auto at = [&](long t) { return x[static_cast<std::size_t>(((t % N) + N) % N)]; };
  long peak = 0;
  for (long t = 1; t < N; ++t)
    if (std::abs(x[t]) > std::abs(x[peak])) peak = t;
  const double top = std::abs(x[peak]);
  long arrival = peak;
  while (arrival > peak - N / 2 && std::abs(at(arrival - 1)) >= 0.05 * top) --arrival;
  const long first = peak - N / 2, last = arrival - 4;  // the early window, [first, last]
  double early = 0.0, total = 0.0;
  for (double v : x) total += v * v;
  for (long t = first; t <= last; ++t) early += at(t) * at(t);
  if (!(total > 0.0)) return out;
  out.acausal_share = early / total;
  if (out.acausal_share > report_above && last >= first) {
    // The early window's spectrum on the interpolation grid (one bin in eight: a DFT by hand,
    // only when there is something to report).
    double best = -1.0;
    for (std::size_t k = 1; k < bins; k += 8) {
      std::complex<double> sum = 0.0;
      const double w = -2.0 * kPi * static_cast<double>(k) / static_cast<double>(N);
      for (long t = first; t <= last; ++t)
        sum += at(t) * std::polar(1.0, w * static_cast<double>(t));
      if (std::abs(sum) > best) {
        best = std::abs(sum);
        out.worst_frequency_hz = df * static_cast<double>(k);
      }
    }
  }
  return out;
}

}  // namespace ll
