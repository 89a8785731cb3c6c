// The receiver's FFE and DFE (host/link/equalizer.cpp, physics/equalizer.hpp):
//   - the MMSE taps equal a direct least-squares solve (Householder QR of the stacked problem,
//     written here independently) in double precision;
//   - in the engine, behind a 10 dB channel, the MMSE FFE + DFE cut the error count by orders
//     of magnitude; LMS, started from a cursor-only FFE, converges to within 0.1 dB of the MMSE
//     eye height;
//   - error bursts from DFE propagation: the mean burst length grows with the first DFE tap.
// Built twice like test_lane: as test_equalizer (CPU) and test_equalizer_gpu (LL_TEST_CUDA).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/link/channel.hpp"
#include "host/link/equalizer.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/statistics.hpp"
#include "tests/backend_under_test.hpp"

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";

// The MMSE design against a direct solve is host-only (no backend runs): the GPU build leaves
// it and its helpers out.
#if !defined(LL_TEST_CUDA)
// Least squares min |A x - t| by Householder QR (A: m x n, m >= n, row-major).
std::vector<double> least_squares_qr(std::vector<double> a, std::vector<double> t, int m, int n) {
  for (int k = 0; k < n; ++k) {
    double norm = 0.0;
    for (int i = k; i < m; ++i) norm += a[i * n + k] * a[i * n + k];
    norm = std::sqrt(norm);
    const double alpha = a[k * n + k] > 0 ? -norm : norm;
    std::vector<double> v(m, 0.0);
    for (int i = k; i < m; ++i) v[i] = a[i * n + k];
    v[k] -= alpha;
    double vv = 0.0;
    for (int i = k; i < m; ++i) vv += v[i] * v[i];
    if (vv == 0.0) continue;
    for (int j = k; j < n; ++j) {
      double d = 0.0;
      for (int i = k; i < m; ++i) d += v[i] * a[i * n + j];
      for (int i = k; i < m; ++i) a[i * n + j] -= 2.0 * d / vv * v[i];
    }
    double d = 0.0;
    for (int i = k; i < m; ++i) d += v[i] * t[i];
    for (int i = k; i < m; ++i) t[i] -= 2.0 * d / vv * v[i];
  }
  std::vector<double> x(n);
  for (int i = n - 1; i >= 0; --i) {
    double s = t[i];
    for (int j = i + 1; j < n; ++j) s -= a[i * n + j] * x[j];
    x[i] = s / a[i * n + i];
  }
  return x;
}

// A symbol-spaced pulse: a 12 dB parametric channel's FIR at 32 samples per UI, through a
// one-UI rect, sampled at its peak phase.
std::vector<double> channel_pulse(int* cursor) {
  const double fs = 32 * 106.25e9;
  const ll::ChannelFir ch = ll::parametric_channel_fir(12.0, 0.5, ll::PackageModel{}, 53.125e9, fs);
  std::vector<double> p(ch.taps.size() + 31, 0.0);
  for (std::size_t n = 0; n < ch.taps.size(); ++n)
    for (int k = 0; k < 32; ++k) p[n + k] += ch.taps[n];
  std::size_t peak = 0;
  for (std::size_t n = 0; n < p.size(); ++n)
    if (p[n] > p[peak]) peak = n;
  std::vector<double> s;
  for (std::size_t n = peak % 32; n < p.size() && s.size() < 40; n += 32) s.push_back(p[n]);
  *cursor = static_cast<int>(peak / 32);
  return s;
}

TEST(Equalizer, MmseTapsEqualADirectLeastSquaresSolve) {
  int cursor = 0;
  const std::vector<double> h = channel_pulse(&cursor);
  ASSERT_GT(h[cursor + 1], 0.2 * h[cursor]) << "the channel should leave a post-cursor";
  const int F = 12, pre = 3, B = 2;
  const double var_a = 5.0 / 36.0, var_n = 1e-3, swing = 1.0;
  const ll::EqualizerDesign d = ll::mmse_equalizer(h, cursor, F, pre, B, var_a, var_n, swing, 10);
  // The same minimum as |[sqrt(var_a) G_Q; sqrt(var_n) I] c - [sqrt(var_a) S e_0; 0]|^2.
  int q_first = 0, rows = 0;
  const std::vector<double> g =
      ll::equalizer_convolution_matrix(h, cursor, F, pre, &q_first, &rows);
  std::vector<double> a, t;
  for (int r = 0; r < rows; ++r) {
    const int q = q_first + r;
    if (q >= 1 && q <= B) continue;
    for (int i = 0; i < F; ++i) a.push_back(std::sqrt(var_a) * g[r * F + i]);
    t.push_back(q == 0 ? std::sqrt(var_a) * swing : 0.0);
  }
  for (int i = 0; i < F; ++i) {
    for (int j = 0; j < F; ++j) a.push_back(i == j ? std::sqrt(var_n) : 0.0);
    t.push_back(0.0);
  }
  const int m = static_cast<int>(t.size());
  const std::vector<double> c = least_squares_qr(a, t, m, F);
  double scale = 0.0;
  for (double v : c) scale = std::max(scale, std::abs(v));
  for (int i = 0; i < F; ++i) EXPECT_NEAR(d.biased_ffe[i], c[i], 1e-10 * scale) << "tap " << i;
  // The unbiased taps are the same scaled to an equalised cursor of exactly S, and the DFE taps
  // cancel their post-cursors exactly.
  double q0 = 0.0;
  for (int i = 0; i < F; ++i) q0 += g[(0 - q_first) * F + i] * c[i];
  EXPECT_LT(q0, swing);  // MMSE shrinks the cursor
  for (int i = 0; i < F; ++i) EXPECT_NEAR(d.ffe[i], c[i] * swing / q0, 1e-10 * scale);
  for (int k = 1; k <= B; ++k) {
    double q = 0.0;
    for (int i = 0; i < F; ++i) q += g[(k - q_first) * F + i] * d.ffe[i];
    EXPECT_NEAR(d.dfe[k - 1], q / swing, 1e-10);
  }
  EXPECT_EQ(d.clamped, 0);
  // Without noise or DFE and with enough taps, the MMSE FFE approaches zero forcing: the
  // residual ISI falls well below the unequalised.
  const ll::EqualizerDesign zf = ll::mmse_equalizer(h, cursor, 24, 4, 0, var_a, 1e-12, 1.0, 1);
  EXPECT_LT(zf.mse, 1e-3 * var_a);
}
#endif

// Eye height of the equalised symbol-spaced response at the decision, worst case over the
// residual ISI, relative to the cursor: the inner level spacing 1 / (M - 1) less the sum of
// |residual| / q_0 over the other cursors (times the largest |a|, 1/2, twice: top and bottom).
double eye_height(const std::vector<double>& h, int cursor, const std::vector<double>& ffe, int pre,
                  const std::vector<double>& dfe, double swing, int levels) {
  int q_first = 0, rows = 0;
  const int F = static_cast<int>(ffe.size());
  const std::vector<double> g =
      ll::equalizer_convolution_matrix(h, cursor, F, pre, &q_first, &rows);
  double q0 = 0.0, residual = 0.0;
  for (int r = 0; r < rows; ++r) {
    double q = 0.0;
    for (int i = 0; i < F; ++i) q += g[r * F + i] * ffe[i];
    const int qi = q_first + r;
    if (qi == 0)
      q0 = q;
    else if (qi >= 1 && qi <= static_cast<int>(dfe.size()))
      residual += std::abs(q - swing * dfe[qi - 1]);
    else
      residual += std::abs(q);
  }
  // Relative to the cursor: an equaliser's gain (MMSE's bias, LMS's) does not open the eye.
  return 1.0 / (levels - 1) - residual / std::abs(q0);
}

class EqualizerLane : public ll_test::BackendUnderTest {};

// ISI after the ring, where the chain is linear in the symbols' power levels: a 30 GHz
// receiver at 106.25 GBd (the photodiode and TIA are linear in optical power), and a driver
// without band limit, so the static ring sees the levels themselves and the pulse response is
// exactly the chain's (a band-limited drive through the ring's nonlinear T(V) makes the
// large-signal pulse an approximation, and LMS then finds the true optimum, not the model's). ISI
// ahead of the ring (an electrical channel) passes the ring's nonlinear T(V), which a linear FFE
// cannot undo: 10 dB of channel loss ahead of the default ring leaves BER 0.065 with this equaliser
// at 6 dBm and 0.042 at 14 dBm (not noise-limited), against 0.146 without.
std::vector<std::string> lossy(std::vector<std::string> more) {
  std::vector<std::string> o = {"receiver.bandwidth_ghz=30", "driver.bandwidth_ghz=inf",
                                "laser.power_dbm=6", "run.target_errors=1000000000",
                                "eye.symbols=0"};
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

TEST_F(EqualizerLane, MmseBeatsNoEqualiserAndLmsReachesItsEyeHeight) {
  const auto plain = ll::prepare_run(ll::load_scenario(kDefault, lossy({"run.max_bits=400000"})));
  const auto mmse = ll::prepare_run(ll::load_scenario(
      kDefault,
      lossy({"run.max_bits=400000", "rx_eq.ffe_taps=12", "rx_eq.ffe_pre=3", "rx_eq.dfe_taps=1"})));
  const ll::LinkOutcome p = ll_test::run_under_test(plain.batches.front()).front();
  const ll::LinkOutcome m = ll_test::run_under_test(mmse.batches.front()).front();
  EXPECT_GT(p.counters.bit_errors, 1000u);
  EXPECT_LT(m.counters.bit_errors * 20, p.counters.bit_errors)
      << "plain " << p.counters.bit_errors << ", MMSE " << m.counters.bit_errors;
  ASSERT_EQ(m.ffe.size(), 12u);  // fixed taps: as designed
  EXPECT_NEAR(m.ffe[3], mmse.links.front().setup.ffe_taps[3], 1e-6 * std::abs(m.ffe[3]));

  // LMS from a cursor-only FFE over 2e6 symbols (step 2e-4: time constant ~ 1 / (mu var_a)
  // = 36,000 symbols, misadjustment ~ mu F / 2 = 0.1%).
  const auto lms = ll::prepare_run(ll::load_scenario(
      kDefault, lossy({"run.max_bits=4000000", "rx_eq.ffe_taps=12", "rx_eq.ffe_pre=3",
                       "rx_eq.dfe_taps=1", "rx_eq.adapt=\"lms\"", "rx_eq.lms_step=2e-4"})));
  const ll::LinkOutcome l = ll_test::run_under_test(lms.batches.front()).front();
  const ll::LinkReport& rep = mmse.links.front().report;
  const double swing = mmse.links.front().setup.equalizer.swing_a;
  const double eh_mmse =
      eye_height(rep.symbol_pulse_a, rep.symbol_pulse_cursor, mmse.links.front().setup.ffe_taps, 3,
                 mmse.links.front().setup.dfe_taps, swing, 4);
  const double eh_start =
      eye_height(rep.symbol_pulse_a, rep.symbol_pulse_cursor, lms.links.front().setup.ffe_taps, 3,
                 lms.links.front().setup.dfe_taps, swing, 4);
  const double eh_lms =
      eye_height(rep.symbol_pulse_a, rep.symbol_pulse_cursor, l.ffe, 3, l.dfe, swing, 4);
  ASSERT_GT(eh_mmse, 0.0);
  EXPECT_LT(eh_start, 0.8 * eh_mmse) << "LMS should start well away from the optimum";
  EXPECT_NEAR(20.0 * std::log10(eh_lms / eh_mmse), 0.0, 0.1)
      << "MMSE " << eh_mmse << ", LMS " << eh_lms << ", start " << eh_start << " (of the cursor)";
}

TEST_F(EqualizerLane, BurstsLengthenWithTheFirstDfeTap) {
  // A pure one-UI post-cursor from the transmit FFE (c(+1) = x, cursor 1 - x), cancelled by one
  // DFE tap (MMSE: b_1 = x / (1 - x) of the cursor's swing) behind a one-tap FFE, on the
  // default lane. With the ISI cancelled, a wrong decision feeds back b_1 times the wrong
  // level's distance: the next decision errs more often the larger b_1, so runs of errors
  // lengthen.
  double previous_b1 = 0.0, previous_mean = 0.0;
  for (double x : {0.1, 0.2, 0.3}) {
    const auto run = ll::prepare_run(ll::load_scenario(
        kDefault, {"tx_ffe.c_p1=" + std::to_string(x), "laser.power_dbm=1", "eye.symbols=0",
                   "run.target_errors=1000000000", "run.max_bits=2000000", "rx_eq.ffe_taps=1",
                   "rx_eq.dfe_taps=1"}));
    const ll::LinkOutcome o = ll_test::run_under_test(run.batches.front()).front();
    ASSERT_EQ(o.dfe.size(), 1u);
    EXPECT_GT(o.dfe[0], previous_b1);
    previous_b1 = o.dfe[0];
    double bursts = 0.0, errors = 0.0;
    for (int i = 0; i < ll::kBurstBins; ++i) {
      bursts += static_cast<double>(o.counters.bursts[i]);
      errors += static_cast<double>(o.counters.bursts[i]) * (i + 1);
    }
    ASSERT_GT(bursts, 300.0) << x;
    // Every symbol error is in exactly one burst (the last bin counts 16 or more).
    EXPECT_LE(errors, static_cast<double>(o.counters.symbol_errors));
    EXPECT_GE(errors, static_cast<double>(o.counters.symbol_errors) -
                          static_cast<double>(o.counters.bursts[ll::kBurstBins - 1]) * 1e6);
    const double mean = errors / bursts;
    EXPECT_GT(mean, previous_mean) << "c(+1) " << x << ", b_1 " << o.dfe[0];
    previous_mean = mean;
  }
}

TEST_F(EqualizerLane, AdcMovesTheThresholdsToItsCodeBoundaries) {
  // Gaussian noise only, no band limits, equally spaced received PAM4 levels (as in test_lane's
  // SER test), a one-tap FFE (exactly 1: no ISI) behind a 3-bit ADC over 1.25 x the outer span.
  // A sample decides as its code's centre does, so each threshold t moves to the code boundary
  // lo + k* Delta with k* = ceil((t - lo) / Delta - 1/2): the SER is the Gaussian tail outside
  // those boundaries, averaged over the levels, and the count must fall in its 99% binomial
  // interval. Without the ADC the same run sits at the unquantised thresholds' SER.
  const std::uint64_t symbols = 2'000'000;
  std::vector<std::string> o = ll_test::gaussian_noise_only_lane(2 * symbols);
  o.push_back("receiver.tia_noise_pa_per_rthz=45");
  o.push_back("rx_eq.ffe_taps=1");
  auto ser_of = [&](std::vector<std::string> more, ll::PreparedRun* keep) {
    std::vector<std::string> all = o;
    all.insert(all.end(), more.begin(), more.end());
    *keep = ll::prepare_run(ll::load_scenario(kDefault, all));
    ll::BatchSetup b = keep->batches.front();
    b.links.resize(1);
    return ll_test::run_under_test(b).front().counters;
  };
  ll::PreparedRun run;
  const ll::LinkCounters plain = ser_of({}, &run);
  const ll::LinkCounters adc = ser_of({"rx_eq.adc_bits=3", "rx_eq.adc_full_scale=1.25"}, &run);
  const ll::LinkSetup& link = run.links.front().setup;
  ASSERT_NEAR(link.ffe_taps[0], 1.0, 1e-9);
  const ll::LinkReport& rep = run.links.front().report;
  std::vector<double> levels(rep.received_levels_a, rep.received_levels_a + 4);
  std::sort(levels.begin(), levels.end());
  const double mid = 0.25 * (levels[0] + levels[1] + levels[2] + levels[3]);
  const double span = levels[3] - levels[0];
  const double lo = mid - 0.5 * 1.25 * span, delta = 1.25 * span / 8;
  const double sigma = 45e-12 * std::sqrt(50e9);
  auto ser = [&](bool quantised) {
    std::vector<double> edge = {-1e300};
    for (int k = 0; k < 3; ++k) {
      const double t = 0.5 * (levels[k] + levels[k + 1]);
      edge.push_back(quantised ? lo + std::ceil((t - lo) / delta - 0.5) * delta : t);
    }
    edge.push_back(1e300);
    double p = 0.0;
    for (int k = 0; k < 4; ++k)
      p += 0.25 * (ll::q_function((levels[k] - edge[k]) / sigma) +
                   ll::q_function((edge[k + 1] - levels[k]) / sigma));
    return p;
  };
  for (const auto& [counts, quantised] : {std::pair<ll::LinkCounters, bool>{plain, false},
                                          std::pair<ll::LinkCounters, bool>{adc, true}}) {
    ASSERT_EQ(counts.symbols, symbols);
    const double expected = ser(quantised);
    const ll::CountInterval ci = ll::binomial_count_interval(symbols, expected, 0.99);
    EXPECT_GE(counts.symbol_errors, ci.lo) << "ADC " << quantised << ", theory " << expected;
    EXPECT_LE(counts.symbol_errors, ci.hi) << "ADC " << quantised << ", theory " << expected;
  }
  EXPECT_GT(ser(true), 1.2 * ser(false)) << "the test needs thresholds the ADC really moves";
}

#if !defined(LL_TEST_CUDA)
// The file carries the burst histogram, [point, burst_length], equal to the run's counts.
TEST(EqualizerOutput, FileHasTheBurstHistogram) {
  const auto run = ll::prepare_run(ll::load_scenario(
      kDefault, {"tx_ffe.c_p1=0.3", "laser.power_dbm=1", "eye.symbols=0", "run.max_bits=200000",
                 "run.target_errors=1000000000", "rx_eq.ffe_taps=1", "rx_eq.dfe_taps=1"}));
  const std::string path = ::testing::TempDir() + "bursts.h5";
  ASSERT_EQ(ll_test::run_cpu_to_file(run, path), 0);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t d = H5Dopen2(file, "error_bursts", H5P_DEFAULT);
  ASSERT_GE(d, 0);
  const hid_t space = H5Dget_space(d);
  std::vector<hsize_t> dims(2);
  ASSERT_EQ(H5Sget_simple_extent_ndims(space), 2);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  H5Sclose(space);
  EXPECT_EQ(dims, (std::vector<hsize_t>{1, ll::kBurstBins}));
  std::vector<std::uint64_t> bursts(ll::kBurstBins);
  ASSERT_GE(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, bursts.data()), 0);
  H5Dclose(d);
  std::uint64_t symbol_errors = 0;
  const hid_t e = H5Dopen2(file, "symbol_errors", H5P_DEFAULT);
  ASSERT_GE(H5Dread(e, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &symbol_errors), 0);
  H5Dclose(e);
  H5Fclose(file);
  std::remove(path.c_str());
  std::uint64_t in_bursts = 0;
  for (int i = 0; i + 1 < ll::kBurstBins; ++i) in_bursts += bursts[i] * (i + 1);
  EXPECT_GT(bursts[0], 0u);
  EXPECT_GT(bursts[1], 0u) << "propagation should leave runs of two";
  EXPECT_LE(in_bursts, symbol_errors);
  if (bursts[ll::kBurstBins - 1] == 0) {
    EXPECT_EQ(in_bursts, symbol_errors);
  }
}
#endif

}  // namespace
