#include "host/link/channel.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "host/link/filter_design.hpp"
#include "physics/config.hpp"

namespace ll {
namespace {

// Complex DFT of length N in place (sign -1 forward, +1 backward), unnormalised.
void complex_dft(std::vector<std::complex<double>>& x, int sign) {
  fftw_plan plan;
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    plan = fftw_plan_dft_1d(static_cast<int>(x.size()), reinterpret_cast<fftw_complex*>(x.data()),
                            reinterpret_cast<fftw_complex*>(x.data()), sign, FFTW_ESTIMATE);
  }
  if (!plan) throw std::runtime_error("FFTW could not plan a complex DFT");
  fftw_execute(plan);
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fftw_destroy_plan(plan);
}

ChannelFir fir_from_spectrum(std::vector<std::complex<double>> spectrum, double df_hz,
                             double nyquist_hz, double floor) {
  ChannelFir out;
  auto loss_at = [&](double f_hz) {
    const std::size_t k =
        std::min(spectrum.size() - 1, static_cast<std::size_t>(std::lround(f_hz / df_hz)));
    return -20.0 * std::log10(std::abs(spectrum[k]) / std::max(std::abs(spectrum[0]), 1e-300));
  };
  out.loss_at_nyquist_db = loss_at(nyquist_hz);
  out.loss_at_half_nyquist_db = loss_at(0.5 * nyquist_hz);
  out.loss_at_symbol_rate_db = loss_at(2.0 * nyquist_hz);
  out.taps = gate_impulse_response(inverse_real_dft(std::move(spectrum)), floor, &out.dc_gain);
  return out;
}

}  // namespace

std::vector<std::complex<double>> interpolate_response(const std::vector<double>& frequency_hz,
                                                       const std::vector<std::complex<double>>& h,
                                                       double df_hz, std::size_t bins) {
  const std::size_t n = frequency_hz.size();
  if (n == 0 || h.size() != n) throw std::invalid_argument("interpolate_response: no data");
  // Magnitude in dB and unwrapped phase at the data points.
  std::vector<double> mag_db(n), phase(n);
  for (std::size_t k = 0; k < n; ++k) {
    mag_db[k] = 20.0 * std::log10(std::max(std::abs(h[k]), 1e-15));
    phase[k] = std::arg(h[k]);
    if (k > 0) {
      double d = phase[k] - phase[k - 1];
      d -= 2.0 * kPi * std::round(d / (2.0 * kPi));
      phase[k] = phase[k - 1] + d;
    }
  }
  const double f_first = frequency_hz.front(), f_last = frequency_hz.back();
  const double roll = 0.2 * f_last;
  std::vector<std::complex<double>> out(bins);
  std::size_t j = 0;  // data interval [j, j + 1] holding f
  for (std::size_t b = 0; b < bins; ++b) {
    const double f = df_hz * static_cast<double>(b);
    double m_db, ph, taper = 1.0;
    if (f <= f_first) {
      m_db = mag_db.front();
      ph = f_first > 0.0 ? phase.front() * f / f_first : phase.front();
      if (b == 0) ph = 0.0;
    } else if (f >= f_last) {
      m_db = mag_db.back();
      ph = phase.back();
      if (n >= 2) {  // continue the phase with the last slope (the line's delay)
        const double slope =
            (phase[n - 1] - phase[n - 2]) / (frequency_hz[n - 1] - frequency_hz[n - 2]);
        ph += slope * (f - f_last);
      }
      const double x = (f - f_last) / roll;
      taper = x >= 1.0 ? 0.0 : 0.5 * (1.0 + std::cos(kPi * x));
    } else {
      while (j + 1 < n && frequency_hz[j + 1] < f) ++j;
      const double t = (f - frequency_hz[j]) / (frequency_hz[j + 1] - frequency_hz[j]);
      m_db = mag_db[j] + t * (mag_db[j + 1] - mag_db[j]);
      ph = phase[j] + t * (phase[j + 1] - phase[j]);
    }
    out[b] =
        taper > 0.0 ? std::polar(std::pow(10.0, m_db / 20.0) * taper, ph) : std::complex<double>();
  }
  return out;
}

namespace {

// Inverse real DFT plans by length, with their own aligned arrays, one cache a thread: COM's
// searches take hundreds of DFTs of one length, and FFTW's planning (its twiddle factors) costs
// more than the transform.
class C2rPlans {
 public:
  struct Plan {
    int n = 0;
    fftw_complex* in = nullptr;
    double* out = nullptr;
    fftw_plan plan = nullptr;
  };
  Plan get(int n) {  // by value: a later push_back moves the vector's elements
    for (const Plan& p : plans_)
      if (p.n == n) return p;
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    Plan p{n, fftw_alloc_complex(static_cast<std::size_t>(n) / 2 + 1),
           fftw_alloc_real(static_cast<std::size_t>(n)), nullptr};
    if (p.in && p.out) p.plan = fftw_plan_dft_c2r_1d(n, p.in, p.out, FFTW_ESTIMATE);
    if (!p.plan) {
      fftw_free(p.in);
      fftw_free(p.out);
      throw std::runtime_error("FFTW could not plan an inverse real DFT");
    }
    plans_.push_back(p);
    return p;
  }
  ~C2rPlans() {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    for (const Plan& p : plans_) {
      fftw_destroy_plan(p.plan);
      fftw_free(p.in);
      fftw_free(p.out);
    }
  }

 private:
  std::vector<Plan> plans_;
};

}  // namespace

std::vector<double> inverse_real_dft(std::vector<std::complex<double>> in) {
  const std::size_t bins = in.size();
  const std::size_t N = 2 * (bins - 1);
  thread_local C2rPlans plans;
  const C2rPlans::Plan p = plans.get(static_cast<int>(N));
  std::copy(in.begin(), in.end(), reinterpret_cast<std::complex<double>*>(p.in));
  fftw_execute(p.plan);
  std::vector<double> out(p.out, p.out + N);
  for (double& v : out) v /= static_cast<double>(N);
  return out;
}

std::vector<std::complex<double>> minimum_phase(const std::vector<double>& magnitude) {
  // Real cepstrum of log|H| on the full N-point circle, folded onto positive quefrencies:
  // c_min[0] = c[0], c_min[n] = 2 c[n] (0 < n < N/2), c_min[N/2] = c[N/2]; H_min = exp(DFT).
  const std::size_t bins = magnitude.size();
  const std::size_t N = 2 * (bins - 1);
  std::vector<std::complex<double>> x(N);
  for (std::size_t k = 0; k < bins; ++k) {
    const double l = std::log(std::max(magnitude[k], 1e-13));
    x[k] = l;
    if (k > 0 && k < bins - 1) x[N - k] = l;
  }
  complex_dft(x, FFTW_BACKWARD);
  for (auto& v : x) v /= static_cast<double>(N);
  for (std::size_t n = 1; n < N / 2; ++n) x[n] *= 2.0;
  for (std::size_t n = N / 2 + 1; n < N; ++n) x[n] = 0.0;
  complex_dft(x, FFTW_FORWARD);
  std::vector<std::complex<double>> h(bins);
  for (std::size_t k = 0; k < bins; ++k) h[k] = std::exp(x[k]);
  return h;
}

std::vector<double> gate_impulse_response(const std::vector<double>& impulse, double floor,
                                          double* dc_gain) {
  const std::size_t N = impulse.size();
  std::size_t peak = 0;
  for (std::size_t i = 1; i < N; ++i)
    if (std::abs(impulse[i]) > std::abs(impulse[peak])) peak = i;
  // Rotate so the peak sits at N/4: up to a quarter of the circle before it (acausal ringing
  // of the band limit, or a minimum-phase rise), three quarters after.
  const std::size_t shift = (peak + N - N / 4) % N;
  auto r = [&](std::size_t i) { return impulse[(i + shift) % N]; };  // the rotated view
  // Keep from the first to the last sample above `floor` of the peak: the long, tiny tail of a
  // skin-effect response wraps around the circle and would otherwise sit ahead of the peak.
  const double threshold = floor * std::abs(r(N / 4));
  std::size_t a = 0, b = N;
  while (a < N / 4 && std::abs(r(a)) < threshold) ++a;
  while (b > N / 4 + 1 && std::abs(r(b - 1)) < threshold) --b;
  std::vector<double> taps(b - a);
  for (std::size_t i = a; i < b; ++i) taps[i - a] = r(i);
  double sum = 0.0;
  for (double v : taps) sum += v;
  if (dc_gain) *dc_gain = sum;
  if (!(std::abs(sum) > 0.0)) throw std::invalid_argument("channel: zero DC gain");
  for (double& v : taps) v /= sum;
  return taps;
}

std::size_t channel_grid_points(double sample_rate_hz, double df_hz, std::size_t min_points) {
  std::size_t N = 2;
  while (N < min_points || sample_rate_hz / static_cast<double>(N) > df_hz) N *= 2;
  return N;
}

ChannelFir measured_channel_fir(const std::vector<double>& frequency_hz,
                                const std::vector<std::complex<double>>& through,
                                double sample_rate_hz, double nyquist_hz, double floor) {
  // The grid resolves the file's spacing (the time span it describes), but spans no more than
  // 4096 UI: a response still ringing after 4096 UI (38 ns at 106 GBd) would wrap, and no
  // channel a SerDes equalises rings that long. At least 2048 samples.
  double df = frequency_hz.front() > 0.0 ? frequency_hz.front() : sample_rate_hz;
  for (std::size_t k = 1; k < frequency_hz.size(); ++k)
    df = std::min(df, frequency_hz[k] - frequency_hz[k - 1]);
  df = std::max(df, nyquist_hz / 2048.0);  // 1 / (4096 UI) = 2 f_N / 4096
  const std::size_t N = channel_grid_points(sample_rate_hz, df, 2048);
  const double grid_df = sample_rate_hz / static_cast<double>(N);
  return fir_from_spectrum(interpolate_response(frequency_hz, through, grid_df, N / 2 + 1), grid_df,
                           nyquist_hz, floor);
}

ChannelFir parametric_channel_fir(double loss_at_nyquist_db, double skin_share,
                                  const PackageModel& package, double nyquist_hz,
                                  double sample_rate_hz, double floor) {
  // 4096 UI-equivalents of time span at the nominal 32 samples per UI: the minimum-phase
  // response of 30 dB of skin loss decays within a few hundred UI.
  const std::size_t N = channel_grid_points(sample_rate_hz, nyquist_hz / 2048.0, 4096);
  const double df = sample_rate_hz / static_cast<double>(N);
  std::vector<double> mag(N / 2 + 1);
  for (std::size_t k = 0; k < mag.size(); ++k)
    mag[k] = std::pow(10.0, -parametric_loss_db(df * static_cast<double>(k), loss_at_nyquist_db,
                                                nyquist_hz, skin_share) /
                                20.0);
  std::vector<std::complex<double>> h = minimum_phase(mag);
  // The die and the package at both ends, each causal: the cascade is.
  for (std::size_t k = 0; k < h.size(); ++k)
    h[k] = package_cascade_s21(df * static_cast<double>(k), h[k], package);
  h.back() = std::real(h.back());  // the Nyquist bin of a real sequence is real
  return fir_from_spectrum(std::move(h), df, nyquist_hz, floor);
}

std::vector<double> apply_tx_ffe(const std::vector<double>& pulse, const std::vector<double>& taps,
                                 int samples_per_ui) {
  double norm = 0.0;
  for (double c : taps) norm += std::abs(c);
  if (!(norm > 0.0)) throw std::invalid_argument("tx ffe: all taps zero");
  const std::size_t spu = static_cast<std::size_t>(samples_per_ui);
  std::vector<double> out(pulse.size() + (taps.size() - 1) * spu, 0.0);
  for (std::size_t k = 0; k < taps.size(); ++k)
    for (std::size_t n = 0; n < pulse.size(); ++n) out[n + k * spu] += taps[k] / norm * pulse[n];
  return out;
}

std::vector<double> design_ctle_fir(double dc_gain_db, double zero_hz, double pole1_hz,
                                    double pole2_hz, double dc_gain2_db, double lf_hz,
                                    double sample_rate_hz, double floor) {
  // The low-frequency zero-pole pair settles over ~1 / (2 pi f_LF): the grid spans 8 of those.
  const double lowest = lf_hz > 0.0 ? lf_hz : std::min(zero_hz, pole1_hz);
  const std::size_t N = channel_grid_points(sample_rate_hz, lowest / 8.0, 4096);
  const double df = sample_rate_hz / static_cast<double>(N);
  std::vector<std::complex<double>> h(N / 2 + 1);
  for (std::size_t k = 0; k < h.size(); ++k)
    h[k] = ctle_response(df * static_cast<double>(k), dc_gain_db, zero_hz, pole1_hz, pole2_hz,
                         dc_gain2_db, lf_hz);
  h.back() = std::real(h.back());  // the Nyquist bin of a real sequence is real
  return gate_impulse_response(inverse_real_dft(h), floor);
}

}  // namespace ll
