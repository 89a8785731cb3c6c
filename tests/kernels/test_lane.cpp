// The whole lane, end to end, on one backend: built twice, as test_lane (CPU, label cpu) and,
// when CUDA is built, as test_lane_gpu (LL_TEST_CUDA, label gpu) which runs the same bodies on
// the GPU and compares with the CPU; the GPU build skips when no device answers.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "physics/receiver_noise.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/stat_eye.hpp"
#include "host/link/statistics.hpp"
#include "tests/backend_under_test.hpp"
#if defined(LL_TEST_CUDA)
#include "kernels/cuda/cuda_backend.hpp"
#endif

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";

ll::PreparedRun prepare(std::vector<std::string> overrides) {
  return ll::prepare_run(ll::load_scenario(kDefault, overrides));
}

using ll_test::run_under_test;

// GPU build: skips without a device.
class Lane : public ll_test::BackendUnderTest {};

// ---------------------------------------------------------------------------------------------
// Gaussian noise only, every bandwidth infinite: the measured SER must sit in the 99% binomial
// interval of 2 (1 - 1/M) Q(d / 2 sigma). Equal level spacing d comes from the optical level
// pre-distortion (exact to bisection precision), sigma from the TIA density over the stated
// noise bandwidth. The run is a fixed number of symbols (no early stop), so the count is
// binomial.
struct SerCase {
  const char* modulation;
  int levels;
  double target_ser;
  std::uint64_t symbols;
};

// Readable parameter names in test listings (instead of a hex dump of the struct).
void PrintTo(const SerCase& c, std::ostream* os) {
  *os << c.modulation << " SER " << c.target_ser << " over " << c.symbols << " symbols";
}

class SerAgainstTheory : public Lane, public ::testing::WithParamInterface<SerCase> {};

TEST_P(SerAgainstTheory, WithinBinomialInterval) {
  const SerCase c = GetParam();
  const int bits_per_symbol = c.levels == 2 ? 1 : c.levels == 4 ? 2 : 3;
  std::vector<std::string> base = ll_test::gaussian_noise_only_lane(c.symbols * bits_per_symbol);
  base.push_back(std::string("signal.modulation=\"") + c.modulation + "\"");
  base.push_back("run.chunk_symbols=4096");
  // One stream of noise against the closed form (test_segments holds the segments' statistics:
  // pooled over seeds, the same SER). Counts at a fixed seed are one draw: with segments these
  // runs draw other noise, and at seed 1 NRZ's fell 3.5 sigma high, while over seeds 2-13 the
  // NRZ and PAM4 cases counted 4,762 errors unsegmented and 4,808 in segments of 1e6 bits, against
  // 4,800 expected (measured, 2026-12-06).
  base.push_back("run.segment_bits=0");
  // Levels first (noise does not move them), then the TIA density that gives the target SER.
  ll::PreparedRun probe = prepare(base);
  const ll::LinkReport& rep = probe.links.front().report;
  std::vector<double> levels(rep.received_levels_a, rep.received_levels_a + c.levels);
  std::sort(levels.begin(), levels.end());
  const double d = (levels.back() - levels.front()) / (c.levels - 1);
  for (int k = 1; k < c.levels; ++k) ASSERT_NEAR(levels[k] - levels[k - 1], d, 1e-9 * d);
  const double factor = 2.0 * (1.0 - 1.0 / c.levels);
  const double sigma = d / (2.0 * ll::q_function_inverse(c.target_ser / factor));
  const double density_pa = sigma / std::sqrt(50e9) * 1e12;
  base.push_back("receiver.tia_noise_pa_per_rthz=" + std::to_string(density_pa));
  ll::PreparedRun run = prepare(base);
  // Theory from the test's own sigma (the density as passed, 6 significant digits), not from
  // the code's variance: a wrong noise model must show up as a Monte-Carlo count out of range.
  const double sigma_given = std::stod(std::to_string(density_pa)) * 1e-12 * std::sqrt(50e9);
  const double expected = ll::pam_ser_gaussian(c.levels, d, sigma_given);

  const std::vector<ll::LinkOutcome> out = run_under_test(run.batches.front());
  const ll::LinkCounters& n = out.front().counters;
  ASSERT_EQ(n.symbols, c.symbols);
  const ll::CountInterval ci = ll::binomial_count_interval(n.symbols, expected, 0.99);
  EXPECT_GE(n.symbol_errors, ci.lo)
      << "SER " << double(n.symbol_errors) / n.symbols << " expected " << expected;
  EXPECT_LE(n.symbol_errors, ci.hi)
      << "SER " << double(n.symbol_errors) / n.symbols << " expected " << expected;
  std::printf("%s: %llu symbol errors in %llu symbols (SER %.4g), theory %.4g, 99%% [%llu, %llu]\n",
              c.modulation, (unsigned long long)n.symbol_errors, (unsigned long long)n.symbols,
              double(n.symbol_errors) / n.symbols, expected, (unsigned long long)ci.lo,
              (unsigned long long)ci.hi);
  // Gray coding: nearly every symbol error is one bit (adjacent level).
  EXPECT_NEAR(double(n.bit_errors) / n.symbol_errors, 1.0, 0.01);
}

INSTANTIATE_TEST_SUITE_P(Gaussian, SerAgainstTheory,
                         ::testing::Values(SerCase{"NRZ", 2, 1e-3, 2'000'000},
                                           SerCase{"NRZ", 2, 1e-5, 20'000'000},
                                           SerCase{"PAM4", 4, 1e-3, 2'000'000},
                                           SerCase{"PAM4", 4, 1e-5, 20'000'000},
                                           SerCase{"PAM8", 8, 1e-3, 2'000'000}),
                         [](const auto& info) {
                           return std::string(info.param.modulation) + "_ser_" +
                                  (info.param.target_ser > 1e-4 ? "1e3" : "1e5");
                         });

// PAM6 (5 bits per symbol pair, physics/prbs.hpp) with Gaussian noise only. Theory from the
// test's own sums over the 32 labels: each symbol of a pair is decided against the thresholds
// midway between the equally spaced levels, P(decide j | sent i) = Phi(t_j+ - i) - Phi(t_j- - i);
// the symbol error ratio weights the levels by how often the cross sends them (outer 1/8,
// inner 3/16), and the bit errors are the labels' Hamming distances, corners decoded as the
// library's decoder says (its table is checked in test_prbs).
TEST_F(Lane, Pam6SymbolAndBitErrorsMatchTheCrossMapping) {
  const std::uint64_t symbols = 2'000'000;
  std::vector<std::string> base = ll_test::gaussian_noise_only_lane(symbols * 5 / 2);
  base.push_back("signal.modulation=\"PAM6\"");
  base.push_back("run.chunk_symbols=4096");
  ll::PreparedRun probe = prepare(base);
  const ll::LinkReport& rep = probe.links.front().report;
  std::vector<double> levels(rep.received_levels_a, rep.received_levels_a + 6);
  std::sort(levels.begin(), levels.end());
  const double d = (levels.back() - levels.front()) / 5.0;
  for (int k = 1; k < 6; ++k) ASSERT_NEAR(levels[k] - levels[k - 1], d, 1e-9 * d);
  // sigma for a per-symbol SER near 1e-3 (1.75 Q(d / 2 sigma) for the cross's level mix).
  const double sigma_target = d / (2.0 * ll::q_function_inverse(1e-3 / 1.75));
  const double density_pa = sigma_target / std::sqrt(50e9) * 1e12;
  base.push_back("receiver.tia_noise_pa_per_rthz=" + std::to_string(density_pa));
  const double sigma = std::stod(std::to_string(density_pa)) * 1e-12 * std::sqrt(50e9);

  // P[i][j]: level j decided for level i sent, in units of the spacing (levels at 0..5).
  double P[6][6];
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) {
      const double hi = j == 5 ? 1e300 : (j + 0.5 - i) * d / sigma;
      const double lo = j == 0 ? -1e300 : (j - 0.5 - i) * d / sigma;
      P[i][j] = ll::q_function(lo) - ll::q_function(hi);
    }
  double ser = 0.0, bits_per_label = 0.0, bits2_per_label = 0.0;
  for (unsigned label = 0; label < 32; ++label) {
    const unsigned pair = ll::pam6_pair_of_label(label);
    const int a = static_cast<int>(pair / 6), b = static_cast<int>(pair % 6);
    ser += ((1.0 - P[a][a]) + (1.0 - P[b][b])) / 64.0;
    for (int ra = 0; ra < 6; ++ra)
      for (int rb = 0; rb < 6; ++rb) {
        const unsigned decoded = ll::pam6_label_of_pair(static_cast<unsigned>(6 * ra + rb));
        const double h = __builtin_popcount(decoded ^ label);
        bits_per_label += P[a][ra] * P[b][rb] * h / 32.0;
        bits2_per_label += P[a][ra] * P[b][rb] * h * h / 32.0;
      }
  }

  ll::PreparedRun run = prepare(base);
  const ll::LinkCounters n = run_under_test(run.batches.front()).front().counters;
  ASSERT_EQ(n.symbols, symbols);
  EXPECT_EQ(n.bits, symbols / 2 * 5);
  const ll::CountInterval ci = ll::binomial_count_interval(n.symbols, ser, 0.99);
  EXPECT_GE(n.symbol_errors, ci.lo);
  EXPECT_LE(n.symbol_errors, ci.hi);
  // Bit errors: a sum over 1e6 independent labels of their Hamming distances; 99% by the normal
  // approximation with the per-label variance (errors are rare: the sum is nearly Poisson).
  const double labels = static_cast<double>(symbols / 2);
  const double mean_bits = labels * bits_per_label;
  const double sd_bits = std::sqrt(labels * (bits2_per_label - bits_per_label * bits_per_label));
  EXPECT_NEAR(static_cast<double>(n.bit_errors), mean_bits, 2.58 * sd_bits);
  std::printf(
      "PAM6: %llu symbol errors (theory %.1f, 99%% [%llu, %llu]); %llu bit errors (theory %.1f "
      "+- %.1f); BER %.4g; %.4f bits per symbol error\n",
      (unsigned long long)n.symbol_errors, ser * symbols, (unsigned long long)ci.lo,
      (unsigned long long)ci.hi, (unsigned long long)n.bit_errors, mean_bits, 2.58 * sd_bits,
      double(n.bit_errors) / n.bits, double(n.bit_errors) / n.symbol_errors);
}

#if !defined(LL_TEST_CUDA)  // host-only: no backend runs, so the GPU build leaves it out
// The transmit DAC's per-symbol output (physics/lane.hpp symbol_excursion_v) against a direct
// computation: the FFE's sum rounded to the nearest of 2^B codes over the swing. Over random
// level windows the rounding error stays within half a step and its variance is the uniform
// quantiser's step^2 / 12 (the FFE's sums spread over many steps).
TEST(TransmitDac, RoundsTheFfeSumToItsCodes) {
  ll::LinkConstants<double> c{};
  c.levels = 4;
  const double swing = 2.0, bias = 1.0;
  c.drive_bias_v = bias;
  for (int k = 0; k < 4; ++k) c.level_drive_v[k] = bias - 0.5 * swing + swing * k / 3.0;
  const double taps[ll::kTxFfeTaps] = {0.02, -0.05, -0.13, 0.71, -0.09};  // sum |c| = 1
  const int bits = 6;
  c.dac_codes = 1 << bits;
  c.dac_low_v = -0.5 * swing;
  c.dac_step_v = swing / (c.dac_codes - 1);
  for (int k = 0; k < ll::kTxFfeTaps; ++k) c.dac_ffe[k] = taps[k];
  std::uint64_t state = 12345;
  auto next_level = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint8_t>((state >> 33) % 4);
  };
  std::vector<std::uint8_t> tx(200000);
  for (auto& t : tx) t = next_level();
  double sum_e2 = 0.0, max_e = 0.0;
  std::size_t n = 0;
  for (std::size_t i = ll::kTxFfeTaps - 1; i < tx.size(); ++i, ++n) {
    double u = 0.0;
    for (int k = 0; k < ll::kTxFfeTaps; ++k) u += taps[k] * (c.level_drive_v[tx[i - k]] - bias);
    const double out = ll::symbol_excursion_v(c, &tx[i]);
    const double code = (out + 0.5 * swing) / c.dac_step_v;
    ASSERT_NEAR(code, std::round(code), 1e-9) << "not on a code";
    const double e = out - u;
    max_e = std::max(max_e, std::abs(e));
    sum_e2 += e * e;
  }
  EXPECT_LE(max_e, 0.5 * c.dac_step_v * (1.0 + 1e-12));
  const double var = sum_e2 / static_cast<double>(n), uniform = c.dac_step_v * c.dac_step_v / 12.0;
  EXPECT_NEAR(var / uniform, 1.0, 0.05) << "rounding error variance " << var << " vs " << uniform;
  // Without the DAC the output is the level's excursion.
  c.dac_codes = 0;
  EXPECT_DOUBLE_EQ(ll::symbol_excursion_v(c, &tx[10]), c.level_drive_v[tx[10]] - bias);
}
#endif

// The DAC in the lane. (1) Its PAM levels are codes: pre-distorted (optical) levels move to the
// nearest of 2^B codes and the receiver's levels follow. (2) With a transmit FFE and a 16-bit DAC
// (a 31 uV step) the engine forms the FFE per symbol ahead of the rest of H1; that must be the
// same lane as the FFE folded into H1: the same noise draws give the same decisions but for the
// few that sit within the DAC's rounding of a threshold. (3) A 4-bit DAC, its codes 1/15 of the
// swing, adds quantisation noise: more errors.
TEST_F(Lane, TransmitDacQuantisesLevelsAndTheFfeOutput) {
  std::vector<std::string> base = ll_test::gaussian_noise_only_lane(2'000'000);
  base.push_back("run.chunk_symbols=4096");
  base.push_back("receiver.tia_noise_pa_per_rthz=28");
  std::vector<std::string> coarse = base;
  coarse.push_back("driver.dac_bits=3");
  const ll::PreparedRun ideal = prepare(base), dac3 = prepare(coarse);
  const ll::LinkConstants<double>& ci = ideal.links.front().setup.constants;
  const ll::LinkConstants<double>& cq = dac3.links.front().setup.constants;
  const double step = (ci.level_drive_v[3] - ci.level_drive_v[0]) / 7.0;
  for (int k = 0; k < 4; ++k) {
    const double code = (cq.level_drive_v[k] - ci.level_drive_v[0]) / step;
    EXPECT_NEAR(code, std::round(code), 1e-9) << "level " << k;
    EXPECT_LE(std::abs(cq.level_drive_v[k] - ci.level_drive_v[k]), 0.5 * step + 1e-12);
  }
  EXPECT_NE(dac3.links.front().report.received_levels_a[1],
            ideal.links.front().report.received_levels_a[1]);
  try {
    std::vector<std::string> too_few = base;
    too_few.push_back("driver.dac_bits=1");
    prepare(too_few);
    ADD_FAILURE() << "a 1-bit DAC for PAM4 was accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("driver.dac_bits"), std::string::npos) << e.what();
  }

  std::vector<std::string> ffe = base;
  ffe.push_back("driver.level_spacing=\"voltage\"");
  ffe.push_back("driver.bandwidth_ghz=80");
  ffe.push_back("tx_ffe.c_m1=-0.08");
  ffe.push_back("tx_ffe.c_p1=-0.12");
  std::vector<std::string> fine = ffe, four = ffe;
  fine.push_back("driver.dac_bits=16");
  four.push_back("driver.dac_bits=4");
  const ll::LinkCounters folded = run_under_test(prepare(ffe).batches.front()).front().counters;
  const ll::LinkCounters formed = run_under_test(prepare(fine).batches.front()).front().counters;
  const ll::LinkCounters rough = run_under_test(prepare(four).batches.front()).front().counters;
  std::printf("FFE folded: %llu symbol errors; 16-bit DAC: %llu; 4-bit DAC: %llu (of %llu)\n",
              (unsigned long long)folded.symbol_errors, (unsigned long long)formed.symbol_errors,
              (unsigned long long)rough.symbol_errors, (unsigned long long)folded.symbols);
  ASSERT_GT(folded.symbol_errors, 200u);
  EXPECT_EQ(formed.symbols, folded.symbols);
  EXPECT_LE(std::llabs(static_cast<long long>(formed.symbol_errors) -
                       static_cast<long long>(folded.symbol_errors)),
            3);
  EXPECT_GT(rough.symbol_errors, folded.symbol_errors + 5 * std::sqrt(folded.symbol_errors));
}

// The engine's KP4 accounting on a lane whose bit errors are independent (Gaussian noise only,
// PAM4 Gray: a symbol error is one bit): the codewords with more than 15 symbol errors match the
// binomial tail at the measured BER within its 99% interval, and every counted bit belongs to a
// codeword but the last partial one.
TEST_F(Lane, FecCodewordErrorsOfIndependentErrorsFollowTheBinomialTail) {
  const std::uint64_t bits = 4000ull * 5440ull;
  std::vector<std::string> base = ll_test::gaussian_noise_only_lane(bits);
  base.push_back("run.chunk_symbols=4096");
  base.push_back("receiver.tia_noise_pa_per_rthz=55");  // BER about 2.5e-3
  const ll::LinkCounters n = run_under_test(prepare(base).batches.front()).front().counters;
  const ll::FecCounters& f = n.fec;
  ASSERT_EQ(n.bits, bits);
  EXPECT_EQ(f.codewords, bits / 5440);
  std::uint64_t failed = 0;
  for (int e = ll::kRsCorrectableSymbols + 1; e < ll::kFecHistogramBins; ++e)
    failed += f.histogram[e];
  const double ber = static_cast<double>(n.bit_errors) / static_cast<double>(n.bits);
  const double cer = ll::binomial_survival(15, 544, 1.0 - std::pow(1.0 - ber, 10));
  const ll::CountInterval ci = ll::binomial_count_interval(f.codewords, cer, 0.99);
  std::printf(
      "BER %.4g: %llu of %llu codewords uncorrectable (random errors: %.4f, 99%% [%llu, "
      "%llu])\n",
      ber, (unsigned long long)failed, (unsigned long long)f.codewords, cer,
      (unsigned long long)ci.lo, (unsigned long long)ci.hi);
  ASSERT_GT(ber, 1.5e-3);
  EXPECT_GE(failed, ci.lo);
  EXPECT_LE(failed, ci.hi);
}

// ---------------------------------------------------------------------------------------------
// Invariance: the default lane (filters, ring, all noises) gives identical counts and eyes for
// chunks of 1k, 4k and 64k symbols, with the error-count stop rule firing mid-chunk.
void expect_same(const ll::LinkOutcome& a, const ll::LinkOutcome& b, const std::string& what) {
  EXPECT_EQ(a.counters.bits, b.counters.bits) << what;
  EXPECT_EQ(a.counters.bit_errors, b.counters.bit_errors) << what;
  EXPECT_EQ(a.counters.symbols, b.counters.symbols) << what;
  EXPECT_EQ(a.counters.symbol_errors, b.counters.symbol_errors) << what;
  EXPECT_EQ(a.counters.stop_reason, b.counters.stop_reason) << what;
  EXPECT_EQ(a.eye_histogram, b.eye_histogram) << what;
}

TEST_F(Lane, CountsDoNotDependOnChunkSize) {
  for (const char* stop : {"run.target_errors=150", "run.target_errors=100000000"})
    for (const char* model : {"mrm.model=\"static\"", "mrm.model=\"dynamic\""}) {
      std::vector<ll::LinkOutcome> reference;
      for (int chunk : {1024, 4096, 65536}) {
        const ll::PreparedRun run =
            prepare({"laser.power_dbm=4", "run.max_bits=400000", stop, "eye.symbols=20000", model,
                     "run.chunk_symbols=" + std::to_string(chunk)});
        const std::vector<ll::LinkOutcome> out = run_under_test(run.batches.front());
        ASSERT_GT(out.front().counters.bit_errors, 50u);
        if (reference.empty())
          reference = out;
        else
          expect_same(out.front(), reference.front(),
                      std::string(stop) + ", " + model + ", chunk " + std::to_string(chunk));
      }
    }
}

// 64 links in one engine (the batched path the GPU runs) against each link alone.
TEST_F(Lane, CountsDoNotDependOnBatchSize) {
  std::string powers = "[";
  for (int i = 0; i < 64; ++i) powers += (i ? "," : "") + std::to_string(2.0 + 0.1 * i);
  powers += "]";
  const ll::Scenario s = ll::parse_scenario(
      [] {
        std::ifstream in(kDefault);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
      }(),
      kDefault, {"run.max_bits=100000", "eye.symbols=4096"});
  ll::Scenario swept = s;
  swept.sweep.clear();
  ll::SweepAxis axis{"laser.power_dbm", {}, {}};
  for (int i = 0; i < 64; ++i) {
    axis.values.push_back(2.0 + 0.1 * i);
    axis.where.push_back({kDefault, 0});
  }
  swept.sweep.push_back(axis);
  const ll::PreparedRun run = ll::prepare_run(swept);
  ASSERT_EQ(run.batches.size(), 1u);
  const ll::BatchSetup& batch = run.batches.front();
  ASSERT_EQ(batch.links.size(), 64u);

#if defined(LL_TEST_CUDA)
  const std::vector<ll::LinkOutcome> together = ll::run_batch_cuda(batch);
#else
  // The CPU backend gives each link its own engine; drive one 64-link engine directly so the
  // batched code path is what is compared.
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, float> engine(exec, batch);
  engine.run();
  std::vector<ll::LinkOutcome> together(64);
  const std::vector<std::uint32_t> eyes = engine.eye_histograms();
  const std::size_t per = eyes.size() / 64;
  for (std::size_t l = 0; l < 64; ++l) {
    together[l].counters = engine.counters()[l];
    together[l].eye_histogram.assign(eyes.begin() + l * per, eyes.begin() + (l + 1) * per);
  }
#endif
  for (std::size_t l = 0; l < 64; ++l) {
    ll::BatchSetup one = batch;
    one.links = {batch.links[l]};
    const std::vector<ll::LinkOutcome> alone = run_under_test(one);
    expect_same(together[l], alone.front(), "link " + std::to_string(l));
  }
}

// Runs scenario `s` as `lightlane run` does on the backend under test, in units of at most 2
// links, into TempDir/name; the file's path, or "" (with a failure) when the run fails.
std::string run_file_under_test(const ll::Scenario& s, const std::string& name) {
  ll::RunOptions options;
#if defined(LL_TEST_CUDA)
  options.backend = "cuda";
#else
  options.backend = "cpu";
#endif
  options.output_path = ::testing::TempDir() + name;
  options.max_unit_links = 2;
  std::ostringstream out, err;
  const int status = ll::execute_run(ll::plan_sweep(s), options, out, err);
  EXPECT_EQ(status, 0) << err.str();
  return status == 0 ? options.output_path : "";
}

// The runner (the plan, each point set up again when it runs, units of work on workers, the
// writer) against the batch run directly: the file holds every point's counts exactly. Units of
// at most 2 links make the default sweep's 5 points 3 units; on the GPU the device's two workers
// share them. In the CPU build the Monte-Carlo engine sets points up per thread instead (the
// statistical mode's units are checked below).
TEST_F(Lane, SweepFileHoldsTheBatchCountsExactly) {
  const ll::Scenario s =
      ll::load_scenario(kDefault, {"run.max_bits=60000", "run.target_errors=1000000000",
                                   "eye.symbols=2048", "tdecq.symbols=0"});
  const ll::PreparedRun run = ll::prepare_run(s);
  ASSERT_EQ(run.batches.size(), 1u);
  const std::vector<ll::LinkOutcome> direct = run_under_test(run.batches.front());
  const std::string path = run_file_under_test(s, "runner_vs_batch.h5");
  ASSERT_FALSE(path.empty());
  auto read_u64 = [&](const char* name) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    std::vector<std::uint64_t> v(run.params.size());
    EXPECT_GE(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << name;
    H5Dclose(d);
    H5Fclose(file);
    return v;
  };
  const std::vector<std::uint64_t> bits = read_u64("bits"), errors = read_u64("bit_errors"),
                                   symbol_errors = read_u64("symbol_errors");
  ASSERT_EQ(run.batch_points.front().size(), run.params.size());
  for (std::size_t i = 0; i < direct.size(); ++i) {
    const std::size_t p = run.batch_points.front()[i];
    EXPECT_EQ(bits[p], direct[i].counters.bits) << "point " << p;
    EXPECT_EQ(errors[p], direct[i].counters.bit_errors) << "point " << p;
    EXPECT_EQ(symbol_errors[p], direct[i].counters.symbol_errors) << "point " << p;
  }
  EXPECT_GT(errors[0] + errors[1], 0u) << "the test needs errors to compare";
}

// The same for the statistical eye (units on either backend): the file's BER is the eyes'.
TEST_F(Lane, StatisticalSweepFileHoldsTheEyes) {
  const ll::Scenario s = ll::load_scenario(kDefault, {"run.mode=\"stat\"", "tdecq.symbols=0"});
  const ll::PreparedRun run = ll::prepare_run(s);
  ASSERT_EQ(run.batches.size(), 1u);
  std::vector<ll::StatEyeInputs> inputs;
  for (std::size_t i = 0; i < run.batches.front().links.size(); ++i) {
    const std::size_t p = run.batch_points.front()[i];
    inputs.push_back(ll::stat_eye_inputs(run.batches.front().links[i], run.links[p].report,
                                         run.run.eye_target_ber));
  }
#if defined(LL_TEST_CUDA)
  const std::vector<ll::StatEye> eyes = ll::statistical_eyes_cuda(inputs, run.run.eye_contour_bers);
#else
  const std::vector<ll::StatEye> eyes =
      ll::statistical_eyes_cpu(inputs, run.run.eye_contour_bers, 2);
#endif
  const std::string path = run_file_under_test(s, "runner_vs_eyes.h5");
  ASSERT_FALSE(path.empty());
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(file, "ber", H5P_DEFAULT);
  std::vector<double> ber(run.params.size());
  EXPECT_GE(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ber.data()), 0);
  H5Dclose(d);
  H5Fclose(file);
  for (std::size_t i = 0; i < eyes.size(); ++i) {
    ASSERT_TRUE(eyes[i].valid);
    EXPECT_EQ(ber[run.batch_points.front()[i]], eyes[i].ber) << "link " << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Waveforms: the float engine against the double-precision reference path (CPU build), or the
// GPU against the CPU (GPU build), sample by sample over a chunk deep into the run.
std::vector<double> cpu_waveform_double(const ll::BatchSetup& batch, int chunks) {
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, double> engine(exec, batch);
  engine.keep_rx_waveform();
  for (int c = 0; c < chunks; ++c) engine.step();
  return engine.last_rx_waveform();
}
std::vector<float> cpu_waveform_float(const ll::BatchSetup& batch, int chunks) {
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, float> engine(exec, batch);
  engine.keep_rx_waveform();
  for (int c = 0; c < chunks; ++c) engine.step();
  return engine.last_rx_waveform();
}

class LaneWaveform : public Lane, public ::testing::WithParamInterface<const char*> {};

TEST_P(LaneWaveform, AgreesWithReferenceWithin1e5) {
  const ll::PreparedRun run = prepare({"laser.power_dbm=4", "run.chunk_symbols=1024", GetParam()});
  ll::BatchSetup batch = run.batches.front();
  batch.max_bits = batch.target_errors = ~0ull;
  const std::vector<double> ref = cpu_waveform_double(batch, 5);
#if defined(LL_TEST_CUDA)
  const std::vector<float> got = ll::cuda::received_waveform(batch, 5);
#else
  const std::vector<float> got = cpu_waveform_float(batch, 5);
#endif
  ASSERT_EQ(got.size(), ref.size());
  double peak = 0.0, worst = 0.0;
  for (double v : ref) peak = std::max(peak, std::abs(v));
  for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::abs(got[i] - ref[i]));
  // Float: 6e-8 per operation through two FFT convolutions (log2 N ~ 11 stages each) and the
  // ring; 1e-5 of the peak is the bar and leaves an order of magnitude of room.
  EXPECT_LT(worst / peak, 1e-5) << "peak " << peak << " A";
  std::printf("waveform (%s): max |difference| / peak = %.3g over %zu samples\n", GetParam(),
              worst / peak, ref.size());
}

INSTANTIATE_TEST_SUITE_P(RingModels, LaneWaveform,
                         ::testing::Values("mrm.model=\"static\"", "mrm.model=\"dynamic\""),
                         [](const auto& info) {
                           return std::string(info.index == 0 ? "static" : "dynamic");
                         });

#if !defined(LL_TEST_CUDA)
// Without clock recovery the decisions read H2 summed at their samples alone
// (FilterAtDecisions, physics/lane.hpp), not the overlap-save waveform: the two must be the same
// signal. Against the double-precision engine's waveform at each link's decision sample, deep
// into the run (chunk 5 of 1024 symbols): within the waveform test's 1e-5 of the peak (a direct
// sum of about 100 float products rounds to a few 1e-7). And the counts may not depend on
// whether the whole waveform is filtered too (keep_rx_waveform, the eye's chunks).
TEST(LaneDecisionSamples, AreTheFilteredWaveformAtTheDecisions) {
  for (const char* model : {"mrm.model=\"static\"", "mrm.model=\"dynamic\""}) {
    const ll::PreparedRun run = prepare({"laser.power_dbm=4", "run.chunk_symbols=1024", model});
    ll::BatchSetup batch = run.batches.front();
    batch.max_bits = batch.target_errors = ~0ull;
    ASSERT_FALSE(batch.cdr);
    const std::vector<double> ref = cpu_waveform_double(batch, 5);
    ll::SerialExec exec;
    ll::LaneEngine<ll::SerialExec, float> engine(exec, batch);
    for (int c = 0; c < 5; ++c) engine.step();
    const std::vector<float> got = engine.last_decision_samples();
    const std::size_t L = batch.links.size(), J = batch.chunk_symbols;
    const std::size_t S = J * batch.samples_per_ui;
    ASSERT_EQ(got.size(), L * J);
    ASSERT_EQ(ref.size(), L * S);
    double peak = 0.0, worst = 0.0;
    for (double v : ref) peak = std::max(peak, std::abs(v));
    for (std::size_t l = 0; l < L; ++l)
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t n = j * batch.samples_per_ui + batch.links[l].constants.sample_in_ui;
        worst = std::max(worst, std::abs(got[l * J + j] - ref[l * S + n]));
      }
    EXPECT_LT(worst / peak, 1e-5) << model << ": peak " << peak << " A";
    EXPECT_GT(peak, 0.0);
    std::printf("decision samples (%s): max |difference| / peak = %.3g\n", model, worst / peak);
  }
  const ll::PreparedRun run = prepare({"run.max_bits=400000", "run.target_errors=100000000"});
  ll::BatchSetup batch = run.batches.front();
  auto counts = [&](bool keep) {
    ll::SerialExec exec;
    ll::LaneEngine<ll::SerialExec, float> engine(exec, batch);
    if (keep) engine.keep_rx_waveform();
    engine.run();
    return engine.counters();
  };
  const std::vector<ll::LinkCounters> plain = counts(false), kept = counts(true);
  ASSERT_EQ(plain.size(), kept.size());
  for (std::size_t l = 0; l < plain.size(); ++l) {
    EXPECT_EQ(plain[l].bit_errors, kept[l].bit_errors) << "link " << l;
    EXPECT_EQ(plain[l].bits, kept[l].bits) << "link " << l;
  }
}
#endif

#if defined(LL_TEST_CUDA)
TEST_F(Lane, GpuCountsMatchCpu) {
  const ll::PreparedRun run = prepare({"run.max_bits=2000000", "run.target_errors=100000000"});
  for (std::size_t b = 0; b < run.batches.size(); ++b) {
    const auto gpu = ll::run_batch_cuda(run.batches[b]);
    const auto cpu = ll::run_batch_cpu(run.batches[b], 2);
    for (std::size_t l = 0; l < gpu.size(); ++l) {
      EXPECT_EQ(gpu[l].counters.bits, cpu[l].counters.bits);
      // Decisions within float rounding of a threshold may differ: allow 0.5% of the errors.
      const double tol = std::max(2.0, 5e-3 * double(cpu[l].counters.bit_errors));
      EXPECT_NEAR(double(gpu[l].counters.bit_errors), double(cpu[l].counters.bit_errors), tol);
    }
  }
}
#endif

// ---------------------------------------------------------------------------------------------
#if !defined(LL_TEST_CUDA)  // host-only: no backend runs, so the GPU build leaves it out
// Noise variance: the per-sample sigma is the textbook sum (PARAMETERS.md "noise variance"):
// 2 q I B + S_i^2 B + RIN I^2 B.
TEST(LaneNoise, VarianceIsTextbookSum) {
  const ll::PreparedRun run = prepare({"laser.power_dbm=6"});
  const ll::LinkConstants<double>& c = run.links.front().setup.constants;
  const ll::LaneParams& lp = run.params.front();
  const double B = run.links.front().report.noise_bandwidth_hz;
  for (double i_a : {0.0, 1e-4, 5e-4, 2e-3}) {
    const double expected = 2.0 * ll::kElementaryCharge_C * i_a * B +
                            lp.tia_noise_a_per_rthz * lp.tia_noise_a_per_rthz * B +
                            std::pow(10.0, lp.laser_rin_db_per_hz / 10.0) * i_a * i_a * B;
    EXPECT_NEAR(std::pow(ll::noise_sigma(c, i_a), 2) / expected, 1.0, 1e-12);
  }
}

// The receiver noise's terms where their formulas live (physics/receiver_noise.hpp), against the
// textbook variance 2 q (I + I_d) B + S_i^2 B + RIN (I + I_d)^2 B worked here in double with
// numbers: 0.5 mA of photocurrent and 50 nA of dark current, 12 pA/rtHz at the TIA, a laser RIN
// of -145 dB/Hz, over 40 GHz: 5.76e-12 (TIA) + 6.4093e-12 (shot) + 3.1629e-11 (RIN) =
// 4.3798e-11 A^2, a sigma of 6.62 uA.
TEST(LaneNoise, ReceiverNoiseTermsMatchTextbookNumbers) {
  const double q_c = 1.602176634e-19;                // elementary charge (SI, exact)
  const double rin_per_hz = 3.1622776601683794e-15;  // 10^(-145 / 10)
  const double bandwidth_hz = 40e9, tia_a_per_rthz = 12e-12, rin_db_per_hz = -145.0;
  const double current_a = 0.5e-3 + 50e-9;  // signal plus dark current
  const double tia_a2 = tia_a_per_rthz * tia_a_per_rthz * bandwidth_hz;
  const double shot_a2 = 2.0 * q_c * current_a * bandwidth_hz;
  const double rin_a2 = rin_per_hz * current_a * current_a * bandwidth_hz;
  const double expected_a2 = tia_a2 + shot_a2 + rin_a2;
  EXPECT_NEAR(tia_a2, 5.76e-12, 1e-16);
  EXPECT_NEAR(shot_a2, 6.4093e-12, 1e-16);
  EXPECT_NEAR(rin_a2, 3.1629e-11, 1e-15);
  EXPECT_NEAR(std::sqrt(expected_a2), 6.618e-6, 1e-9);

  const double const_a2 = ll::tia_noise_variance_a2(tia_a_per_rthz, bandwidth_hz);
  const double shot_a = ll::shot_noise_variance_a2_per_a(bandwidth_hz);
  const double rin = ll::rin_noise_variance_a2_per_a2(rin_db_per_hz, bandwidth_hz);
  EXPECT_NEAR(const_a2 / tia_a2, 1.0, 1e-14);
  EXPECT_NEAR(shot_a * current_a / shot_a2, 1.0, 1e-14);
  EXPECT_NEAR(rin * current_a * current_a / rin_a2, 1.0, 1e-14);
  EXPECT_NEAR(ll::receiver_noise_variance(const_a2, shot_a, rin, current_a) / expected_a2, 1.0,
              1e-14);
}
#endif

// The eye histogram counts every sample of its symbols (none fall outside the plotted range in
// the default lane) and puts the cursor samples at the received levels.
TEST_F(Lane, EyeHistogramCountsEverySample) {
  const ll::PreparedRun run = prepare({"laser.power_dbm=8", "eye.symbols=8192",
                                       "run.max_bits=100000", "run.target_errors=100000000"});
  const std::vector<ll::LinkOutcome> out = run_under_test(run.batches.front());
  std::uint64_t total = 0;
  for (std::uint32_t v : out.front().eye_histogram) total += v;
  EXPECT_EQ(total, 8192u * 32u);
}

}  // namespace
