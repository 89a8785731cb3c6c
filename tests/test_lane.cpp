// The whole lane, end to end, on one backend: built twice, as test_lane (CPU, label cpu) and,
// when CUDA is built, as test_lane_gpu (LL_TEST_CUDA, label gpu) which runs the same bodies on
// the GPU and compares with the CPU; the GPU build skips when no device answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/backend.hpp"
#include "host/cpu_backend.hpp"
#include "host/runner.hpp"
#include "host/scenario.hpp"
#include "host/statistics.hpp"
#include "tests/backend_under_test.hpp"
#if defined(LL_TEST_CUDA)
#include "kernels/cuda_backend.hpp"
#endif

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml";

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

// ---------------------------------------------------------------------------------------------
// Waveforms: the float engine against the double-precision reference path (CPU build), or the
// GPU against the CPU (GPU build), sample by sample over a chunk deep into the run.
std::vector<double> cpu_waveform_double(const ll::BatchSetup& batch, int chunks) {
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, double> engine(exec, batch);
  for (int c = 0; c < chunks; ++c) engine.step();
  return engine.last_rx_waveform();
}
std::vector<float> cpu_waveform_float(const ll::BatchSetup& batch, int chunks) {
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, float> engine(exec, batch);
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
