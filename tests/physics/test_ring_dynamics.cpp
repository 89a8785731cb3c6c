// The coupled-mode micro-ring (physics/ring_dynamics.hpp) against analytic results and a
// sequential double-precision recurrence.
//
// Small-signal electro-optic response, derived independently of the code (rotating frame at
// the laser, unit input field, u = sqrt(2/tau_e) a, kappa = 2/tau_e, gamma = 1/tau):
//     du/dt = (j dw(t) - gamma) u - j kappa,      E = 1 - j u,      P = |E|^2.
// Drive the resonance with dw(t) = dw0 + d cos(W t) = dw0 + (d/2)(e^{jWt} + e^{-jWt}), d small,
// and expand u = u0 + u+ e^{jWt} + u- e^{-jWt} + O(d^2):
//     order 0:   0 = (j dw0 - gamma) u0 - j kappa            ->  u0 = j kappa / (j dw0 - gamma)
//     order 1:   j W u+ = (j dw0 - gamma) u+ + j (d/2) u0     ->  u+ = j (d/2) u0 / (j W - j dw0 +
//     gamma)
//               -j W u- = (j dw0 - gamma) u- + j (d/2) u0     ->  u- = j (d/2) u0 / (-j W - j dw0 +
//               gamma)
// With E0 = 1 - j u0, E+ = -j u+, E- = -j u-, the power's e^{jWt} component is
//     P+(W) = E+ E0* + E0 (E-)*,
// and the electro-optic response is H(W) = P+(W) / P+(0). At dw0 = 0, u0 = -j kappa / gamma is
// imaginary, E0 is real, and E+ E0* + E0 (E-)* = E0 (E+ + (E-)*) = 0: no first-order response
// (the notch is flat at its bottom). Away from zero detuning the two sidebands beat with the
// carrier at different phases, which gives optical peaking near W = dw0 for dw0 >~ gamma.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <vector>

#include "kernels/cpu/cpu_exec.hpp"
#include "physics/lane.hpp"
#include "physics/mrm.hpp"
#include "physics/ring_dynamics.hpp"

namespace {

using cd = std::complex<double>;

// The default scenario's ring (Yuan et al. 200G: FSR 5.7 nm, Q ~3700) at 106.25 GBd x 32.
const ll::RingGeometry kRing{11.41e-6, 2.55, 4.2, 0.2020, 9940.0, 1310e-9};
constexpr double kSampleRate = 106.25e9 * 32;

template <class Real>
ll::LinkConstants<Real> link_with_ring(double detuning_m, double shift_m_per_v) {
  const ll::RingFigures f = ll::ring_figures(kRing);
  const ll::CmtRates rates = ll::cmt_rates(kRing, f);
  ll::LinkConstants<double> c{};
  const double T = 1.0 / kSampleRate;
  c.cmt = {rates.gamma_per_s * T,
           rates.kappa_per_s * T,
           2.0 * ll::kPi * ll::kSpeedOfLight_m_per_s * T,
           kRing.laser_wavelength_m,
           detuning_m,
           shift_m_per_v};
  c.ring = ll::RingModulator<double>::make(f.a, f.r, 2.0 * ll::kPi * f.round_trip_m * kRing.n_g,
                                           kRing.laser_wavelength_m, detuning_m, shift_m_per_v);
  c.photocurrent_per_transmission_a = 1.0;  // output = power transmission
  c.dark_current_a = 0.0;
  return ll::convert_constants<Real>(c);
}

// Runs the dynamic ring over a drive waveform, in chunks, with the engine's functors: the
// sequential recurrence (tile = 0) or the tiled scan the GPU runs (tile > 0).
template <class Real>
std::vector<Real> run_ring(const ll::LinkConstants<Real>& c, const std::vector<Real>& drive,
                           std::size_t chunk, std::size_t tile) {
  ll::SerialExec exec;
  std::vector<Real> out(drive.size());
  ll::Complex<Real> state{Real(0), Real(0)};
  const std::size_t tiles = tile ? chunk / tile : 0;
  std::vector<ll::AffineMap<Real>> maps(tiles);
  std::vector<ll::Complex<Real>> entering(tiles);
  for (std::size_t start = 0; start + chunk <= drive.size(); start += chunk) {
    const Real* v = drive.data() + start;
    Real* o = out.data() + start;
    if (tile == 0) {
      exec.for_each(
          1, 1,
          ll::CmtSequential<Real, ll::LinkConstants<Real>>{&c, v, o, &state, chunk, chunk, 0});
    } else {
      exec.for_each(
          tiles, 1,
          ll::CmtTileReduce<Real, ll::LinkConstants<Real>>{&c, v, maps.data(), chunk, tile, tiles});
      exec.for_each(1, 1, ll::CmtTilePrefix<Real>{maps.data(), entering.data(), &state, tiles});
      exec.for_each(tiles, 1,
                    ll::CmtTileApply<Real, ll::LinkConstants<Real>>{&c, v, entering.data(), o,
                                                                    chunk, tile, tiles, chunk, 0});
    }
  }
  return out;
}

// The closed-form response P+(W) of the header comment, for detuning dw0 (rad/s).
cd closed_form_sideband(double gamma, double kappa, double dw0, double w) {
  const cd j(0.0, 1.0);
  const double d = 1.0;  // scale cancels in the ratio
  const cd u0 = j * kappa / (j * dw0 - gamma);
  const cd up = j * (d / 2.0) * u0 / (j * w - j * dw0 + gamma);
  const cd um = j * (d / 2.0) * u0 / (-j * w - j * dw0 + gamma);
  const cd e0 = 1.0 - j * u0, ep = -j * up, em = -j * um;
  return ep * std::conj(e0) + e0 * std::conj(em);
}

// The e^{jWn} component of x over `count` samples, a whole number of periods of W (a single
// DFT bin, so the large DC level and the harmonics fall exactly in other bins); the mean is
// removed first so rounding in the DC term cannot leak either.
cd tone(const std::vector<double>& x, std::size_t first, std::size_t count, double w_per_sample) {
  double mean = 0.0;
  for (std::size_t n = 0; n < count; ++n) mean += x[first + n];
  mean /= static_cast<double>(count);
  cd acc = 0.0;
  for (std::size_t n = 0; n < count; ++n)
    acc += (x[first + n] - mean) * std::polar(1.0, -w_per_sample * static_cast<double>(first + n));
  return acc * (2.0 / static_cast<double>(count));
}

// A drive frequency near `w_target` (rad/s) whose period is a whole number of samples.
std::size_t period_samples(double w_target) {
  return static_cast<std::size_t>(std::llround(2.0 * ll::kPi * kSampleRate / w_target));
}

TEST(RingDynamics, SlowDriveEqualsSteadyStateAndStaticRing) {
  const double shift = 16.3e-12;
  const auto c = link_with_ring<double>(78e-12, shift);
  // A slow sweep of the drive over 0 .. 3 V: period 2^20 samples (0.3 us, 10^4 photon lifetimes).
  const std::size_t n = 1 << 20;
  std::vector<double> drive(n);
  for (std::size_t i = 0; i < n; ++i) drive[i] = 1.5 - 1.5 * std::cos(2.0 * ll::kPi * i / n);
  const std::vector<double> out = run_ring(c, drive, 4096, 0);
  double worst_lorentz = 0.0, worst_static = 0.0;
  for (std::size_t i = n / 8; i < n; i += 97) {
    const double steady = ll::cmt_steady_transmission(c.cmt, c.cmt.detuning_per_sample(drive[i]));
    worst_lorentz = std::max(worst_lorentz, std::abs(out[i] - steady));
    worst_static = std::max(worst_static, std::abs(out[i] - c.ring.transmission(drive[i])));
  }
  // Quasi-static lag: the drive moves by dV/dt * tau ~ 3 V * 2 pi / 2^20 / 0.057 per lifetime,
  // which moves T by ~1e-4 of its 0.2 swing at most; the Lorentzian is the exact steady state.
  EXPECT_LT(worst_lorentz, 1e-4);
  // Against the all-pass (Airy) formula: equal at the notch and at half depth by construction;
  // elsewhere the single-mode Lorentzian differs by O((dw / FSR)^2): within 1e-3 over the swing.
  EXPECT_LT(worst_static, 1e-3);
}

struct EoCase {
  double detuning_fwhm;  // laser detuning in loaded linewidths (FWHM)
};

class ElectroOpticResponse : public ::testing::TestWithParam<EoCase> {};

TEST_P(ElectroOpticResponse, MatchesClosedFormWithinHalfDecibel) {
  const ll::RingFigures f = ll::ring_figures(kRing);
  const ll::CmtRates rates = ll::cmt_rates(kRing, f);
  const double gamma = rates.gamma_per_s, kappa = rates.kappa_per_s;
  // Detuning in linewidths: the FWHM in angular frequency is 2 gamma.
  const double dw0 = GetParam().detuning_fwhm * 2.0 * gamma;
  // Set the laser so that w_res - w_L = dw0 at the bias: lambda_L - lambda_res = dw0 lambda^2/2pi c
  const double lambda = kRing.laser_wavelength_m;
  const double detuning_m = dw0 * lambda * lambda / (2.0 * ll::kPi * ll::kSpeedOfLight_m_per_s);
  const double shift = 16.3e-12;
  const auto c = link_with_ring<double>(detuning_m, shift);
  ASSERT_NEAR(c.cmt.detuning_per_sample(0.0) * kSampleRate / dw0, 1.0, 1e-3);

  // The -3 dB frequency of the closed form (bisection on |H| from its low-frequency value).
  const cd h0 = closed_form_sideband(gamma, kappa, dw0, 1e-6 * gamma);
  auto gain_db = [&](double w) {
    return 20.0 * std::log10(std::abs(closed_form_sideband(gamma, kappa, dw0, w)) / std::abs(h0));
  };
  double lo = 0.01 * gamma, hi = 40.0 * gamma;
  for (int i = 0; i < 200; ++i) {
    const double mid = std::sqrt(lo * hi);
    (gain_db(mid) > -3.0 ? lo : hi) = mid;
  }
  const double w3db = lo;

  // Small sinusoidal drive (1 mV: the resonance moves by 16 fm, 1e-4 of the linewidth) at
  // frequencies up to twice the 3 dB frequency; each measured over whole periods after settling.
  const double v_amp = 1e-3;
  double h_low = 0.0;
  for (double frac : {0.02, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0}) {
    const std::size_t period = period_samples(frac * w3db);
    const double w_per_sample = 2.0 * ll::kPi / static_cast<double>(period);
    const double w = w_per_sample * kSampleRate;
    const std::size_t settle = 4096 * 8;
    const std::size_t count = period * std::max<std::size_t>(4, 65536 / period);
    const std::size_t n = ((settle + count) / 4096 + 1) * 4096;
    std::vector<double> drive(n);
    for (std::size_t i = 0; i < n; ++i) drive[i] = v_amp * std::cos(w_per_sample * i);
    const std::vector<double> out = run_ring(c, drive, 4096, 0);
    const double measured = std::abs(tone(out, settle, count, w_per_sample));
    if (frac == 0.02) {
      h_low = measured / std::abs(closed_form_sideband(gamma, kappa, dw0, w));
      continue;  // the reference level: both curves are normalised there
    }
    const double sim_db = 20.0 * std::log10(measured / h_low / std::abs(h0));
    const double theory_db = gain_db(w);
    EXPECT_NEAR(sim_db, theory_db, 0.5) << "at " << frac << " x f3dB";
    std::printf(
        "detuning %.2f FWHM, %.2f x f3dB (%.1f GHz): simulated %+.3f dB, closed form "
        "%+.3f dB\n",
        GetParam().detuning_fwhm, frac, w / (2 * ll::kPi) / 1e9, sim_db, theory_db);
  }
}

INSTANTIATE_TEST_SUITE_P(Detunings, ElectroOpticResponse,
                         ::testing::Values(EoCase{0.25}, EoCase{0.5}, EoCase{1.0}),
                         [](const auto& info) {
                           return "fwhm_" +
                                  std::to_string(static_cast<int>(info.param.detuning_fwhm * 100));
                         });

TEST(RingDynamics, PeakingGrowsWithDetuning) {
  // Optical peaking: the closed form rises above its low-frequency value before it falls, more
  // the further the laser sits from the resonance (+0.24 dB at a quarter linewidth, several dB at
  // one). The simulated curves follow it (ElectroOpticResponse).
  const ll::RingFigures f = ll::ring_figures(kRing);
  const ll::CmtRates r = ll::cmt_rates(kRing, f);
  auto peak_db = [&](double detuning_fwhm) {
    const double dw0 = detuning_fwhm * 2.0 * r.gamma_per_s;
    const double h0 = std::abs(closed_form_sideband(r.gamma_per_s, r.kappa_per_s, dw0, 1e-3));
    double best = 0.0;
    for (double w = 0.01 * r.gamma_per_s; w < 10 * r.gamma_per_s; w *= 1.02)
      best = std::max(
          best,
          20.0 * std::log10(std::abs(closed_form_sideband(r.gamma_per_s, r.kappa_per_s, dw0, w)) /
                            h0));
    return best;
  };
  const double p25 = peak_db(0.25), p50 = peak_db(0.5), p100 = peak_db(1.0);
  std::printf("closed-form peaking: %.2f dB at 0.25, %.2f at 0.5, %.2f at 1 FWHM\n", p25, p50,
              p100);
  EXPECT_LT(p25, p50);
  EXPECT_LT(p50, p100);
  EXPECT_GT(p100, 1.0);
}

TEST(RingDynamics, NoFirstOrderResponseAtZeroDetuning) {
  // Simulated: the tone at W with the laser on the resonance is below 1e-3 of the tone at half
  // a linewidth of detuning (only third-order terms reach W; the drive is 1e-4 of a linewidth).
  auto tone_at = [](double detuning_fwhm) {
    const ll::RingFigures f = ll::ring_figures(kRing);
    const ll::CmtRates r = ll::cmt_rates(kRing, f);
    const double lambda = kRing.laser_wavelength_m;
    const double dw0 = detuning_fwhm * 2.0 * r.gamma_per_s;
    const auto c = link_with_ring<double>(
        dw0 * lambda * lambda / (2.0 * ll::kPi * ll::kSpeedOfLight_m_per_s), 16.3e-12);
    const std::size_t period = period_samples(r.gamma_per_s);
    const double w_per_sample = 2.0 * ll::kPi / static_cast<double>(period);
    const std::size_t n = 1 << 18;
    std::vector<double> drive(n);
    for (std::size_t i = 0; i < n; ++i) drive[i] = 1e-3 * std::cos(w_per_sample * i);
    const std::vector<double> out = run_ring(c, drive, 4096, 0);
    return std::abs(tone(out, n / 4, period * ((n / 2) / period), w_per_sample));
  };
  EXPECT_LT(tone_at(0.0), 1e-3 * tone_at(0.5));
}

// The scan (tiled, as the GPU runs it, and sequential, as the CPU runs it) in float against a
// sequential double recurrence, over 1e6 samples of a PAM4-like drive with fast edges.
TEST(RingDynamics, FloatScanMatchesDoubleRecurrence) {
  const auto cd64 = link_with_ring<double>(78e-12, 16.3e-12);
  const auto cf32 = link_with_ring<float>(78e-12, 16.3e-12);
  const std::size_t n = 1 << 20;  // 1.05e6 samples
  std::vector<double> drive(n);
  std::uint32_t lfsr = 0x1234567u;
  double level = 1.5;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 32 == 0) {  // a new PAM4 level every UI, from a small LFSR
      lfsr = lfsr * 1664525u + 1013904223u;
      level = (lfsr >> 30) * 1.0;
    }
    drive[i] = level;
  }
  std::vector<float> drive_f(drive.begin(), drive.end());
  const std::vector<double> ref = run_ring(cd64, drive, 4096, 0);
  // The engine's form: the map tabulated in V (over 0..3 V with margin), in float.
  ll::LinkConstants<double> tab64 = cd64;
  ll::fill_cmt_table(tab64, -0.35, 3.35);
  const auto tab32 = ll::convert_constants<float>(tab64);
  struct Variant {
    const char* name;
    const ll::LinkConstants<float>* consts;
    std::size_t tile;
  };
  for (const Variant& var :
       {Variant{"sequential", &cf32, 0}, Variant{"tiled scan", &cf32, 64},
        Variant{"tabulated sequential", &tab32, 0}, Variant{"tabulated tiled scan", &tab32, 64}}) {
    const std::size_t tile = var.tile;
    const std::vector<float> got = run_ring(*var.consts, drive_f, 4096, tile);
    double peak = 0.0, worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      // Field magnitude |E| = sqrt(P).
      peak = std::max(peak, std::sqrt(ref[i]));
      worst = std::max(worst, std::abs(std::sqrt(double(got[i])) - std::sqrt(ref[i])));
    }
    EXPECT_LT(worst / peak, 1e-5) << var.name;
    std::printf("%s float vs exact double: max |dE| / peak |E| = %.3g over %zu samples\n", var.name,
                worst / peak, n);
  }
}

TEST(RingDynamics, ScanDoesNotDependOnChunkOrTile) {
  // Tiles sit at absolute sample positions: any chunk that is a whole number of tiles gives the
  // same bits; the sequential recurrence gives the same bits for any chunk.
  const auto c = link_with_ring<float>(78e-12, 16.3e-12);
  std::vector<float> drive(1 << 16);
  for (std::size_t i = 0; i < drive.size(); ++i) drive[i] = static_cast<float>((i / 32) % 4);
  EXPECT_EQ(run_ring(c, drive, 1024, 64), run_ring(c, drive, 8192, 64));
  EXPECT_EQ(run_ring(c, drive, 1024, 0), run_ring(c, drive, 16384, 0));
}

}  // namespace
