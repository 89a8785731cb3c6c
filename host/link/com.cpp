#include "host/link/com.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>

#include "host/link/equalizer.hpp"
#include "host/link/filter_design.hpp"
#include "host/link/stat_eye.hpp"
#include "host/link/statistics.hpp"
#include "physics/config.hpp"

namespace ll {
namespace {

constexpr int kIsiBins = 4096;  // the residual ISI grid (finer than the eye's 1024: one figure)

// The T-spaced FFE c applied to a sampled pulse at every sample (tap i reads (pre - i) UIs
// later, so the cursor tap c_pre reads the sample itself).
std::vector<double> equalised_pulse(const std::vector<double>& p, const std::vector<double>& c,
                                    int pre, int spu) {
  std::vector<double> out(p.size(), 0.0);
  for (std::size_t n = 0; n < p.size(); ++n)
    for (std::size_t i = 0; i < c.size(); ++i) {
      const long k = static_cast<long>(n) + (pre - static_cast<long>(i)) * spu;
      if (k >= 0 && k < static_cast<long>(p.size())) out[n] += c[i] * p[k];
    }
  return out;
}

}  // namespace

ComFigure channel_operating_margin(const std::vector<double>& channel_fir,
                                   const std::vector<double>& tx_ffe_impulse, int samples_per_ui,
                                   double symbol_rate_hz, const ComParameters& prm) {
  const int spu = samples_per_ui;
  const double fs = symbol_rate_hz * spu;
  if (prm.levels < 2) throw std::invalid_argument("COM needs at least two levels");
  if (prm.ffe_taps < 1 || prm.ffe_pre < 0 || prm.ffe_pre >= prm.ffe_taps || prm.dfe_taps < 0)
    throw std::invalid_argument("COM: the FFE needs 1 or more taps, its cursor among them");
  // The 1-UI pulse of peak A_v through the transmit FFE, the channel and the receiver's filter.
  std::vector<double> p = convolve_fir(std::vector<double>(spu, prm.a_v), tx_ffe_impulse);
  p = convolve_fir(p, channel_fir);
  p = convolve_fir(p, design_bessel_thomson4_fir(prm.f_r * symbol_rate_hz, fs));
  // Room for the FFE: its pre-cursor taps read ahead of the pulse's start, its post-cursor ones
  // beyond its end (zeros there).
  const long lead = static_cast<long>(prm.ffe_pre + 1) * spu;
  p.insert(p.begin(), static_cast<std::size_t>(lead), 0.0);
  p.resize(p.size() + static_cast<std::size_t>(prm.ffe_taps + 2) * spu, 0.0);

  const int L = prm.levels;
  double var_a = 0.0;
  std::vector<double> value(L);
  for (int k = 0; k < L; ++k) {
    value[k] = -1.0 + 2.0 * k / (L - 1);
    var_a += value[k] * value[k] / L;
  }
  // The receiver's noise at the FFE's input: eta_0 (V^2/GHz, one-sided) through the filter.
  const double eta0 = prm.eta0_v2_per_ghz * 1e-9;
  auto filtered_noise_variance = [&](const std::vector<double>& c) {
    // eta_0 int_0^{fs/2} |H_r(f)|^2 |sum_i c_i e^{-j 2 pi f i T}|^2 df, midpoint rule; H_r has
    // fallen to ~1e-9 of its power by fs / 2 at 32 samples per UI.
    const int steps = 20000;
    const double df = 0.5 * fs / steps;
    double sum = 0.0;
    for (int s = 0; s < steps; ++s) {
      const double f = (s + 0.5) * df;
      // sum_i c_i z^i with z = e^{-j 2 pi f T}, by Horner: one complex exponential a frequency.
      const std::complex<double> z = std::polar(1.0, -2.0 * kPi * f / symbol_rate_hz);
      std::complex<double> h = 0.0;
      for (std::size_t i = c.size(); i-- > 0;) h = h * z + c[i];
      sum += std::norm(bessel_thomson4(f, prm.f_r * symbol_rate_hz)) * std::norm(h) * df;
    }
    return eta0 * sum;
  };
  const double input_noise = filtered_noise_variance({1.0});

  // The sampling phase: over the UI about the pulse's peak, the one whose MMSE receiver has the
  // best SNR (cursor^2 var_a over its mean squared error).
  const long peak = std::max_element(p.begin(), p.end(),
                                     [](double a, double b) { return std::abs(a) < std::abs(b); }) -
                    p.begin();
  auto symbol_samples = [&](long t, int* cursor) {
    std::vector<double> g;
    const long first = t % spu;
    for (long n = first; n < static_cast<long>(p.size()); n += spu) g.push_back(p[n]);
    *cursor = static_cast<int>((t - first) / spu);
    return g;
  };
  long best_t = peak;
  double best_snr = -1.0;
  for (long t = std::max(0L, peak - spu / 2); t < peak + spu / 2; ++t) {
    int cursor = 0;
    const std::vector<double> g = symbol_samples(t, &cursor);
    if (std::abs(g[cursor]) < 1e-3 * std::abs(p[peak])) continue;  // off the pulse
    const EqualizerDesign d = mmse_equalizer(g, cursor, prm.ffe_taps, prm.ffe_pre, prm.dfe_taps,
                                             var_a, input_noise, g[cursor], prm.dfe_limit);
    const double snr = g[cursor] * g[cursor] * var_a / std::max(d.mse, 1e-300);
    if (snr > best_snr) {
      best_snr = snr;
      best_t = t;
    }
  }
  int cursor = 0;
  const std::vector<double> g = symbol_samples(best_t, &cursor);
  const EqualizerDesign d = mmse_equalizer(g, cursor, prm.ffe_taps, prm.ffe_pre, prm.dfe_taps,
                                           var_a, input_noise, g[cursor], prm.dfe_limit);
  const std::vector<double> pe = equalised_pulse(p, d.ffe, prm.ffe_pre, spu);

  ComFigure out;
  out.phase_ui = static_cast<double>(best_t - lead) / spu;
  const double q0 = pe[best_t];
  out.signal_v = prm.r_lm * std::abs(q0) / (L - 1);
  // The equalised pulse at every other symbol (the DFE takes b_k q_0 off the first ones), and
  // its slope there (V per UI) for the jitter.
  std::vector<double> residual;
  double energy = q0 * q0, slope_energy = 0.0;
  for (long n = best_t % spu; n < static_cast<long>(pe.size()); n += spu) {
    if (n > 0 && n + 1 < static_cast<long>(pe.size())) {
      const double slope = 0.5 * (pe[n + 1] - pe[n - 1]) * spu;
      slope_energy += slope * slope;
    }
    if (n == best_t) continue;
    double q = pe[n];
    const long k = (n - best_t) / spu;  // symbols after the cursor
    if (k >= 1 && k <= static_cast<long>(d.dfe.size())) q -= d.dfe[k - 1] * q0;
    residual.push_back(q);
    energy += pe[n] * pe[n];
  }
  out.sigma_noise_v = std::sqrt(filtered_noise_variance(d.ffe));
  out.sigma_tx_v = std::sqrt(std::pow(10.0, -prm.snr_tx_db / 10.0) * var_a * energy);
  out.sigma_jitter_v = std::sqrt((prm.sigma_rj_ui * prm.sigma_rj_ui + prm.a_dd_ui * prm.a_dd_ui) *
                                 var_a * slope_energy);
  out.sigma_v = std::sqrt(out.sigma_noise_v * out.sigma_noise_v + out.sigma_tx_v * out.sigma_tx_v +
                          out.sigma_jitter_v * out.sigma_jitter_v);

  // The residual ISI's distribution (host/link/stat_eye.hpp), every symbol value equally likely.
  const std::vector<double> prob(L, 1.0 / L);
  const IsiPdf isi = isi_distribution(residual, value.data(), prob.data(), L, kIsiBins);
  double reach = 0.0;
  for (double q : residual) reach += std::abs(q);
  // A_ni: the one-tail probability of noise plus ISI beyond -A is DER_0.
  const double sigma = std::max(out.sigma_v, 1e-12 * std::abs(q0));
  out.interference_v = interference_amplitude(isi, sigma, prm.der0, reach);
  out.com_db = 20.0 * std::log10(out.signal_v / out.interference_v);
  return out;
}

}  // namespace ll
