// A point's bits as segments (kernels/segments.hpp): counts that depend on neither the thread
// count, the chunk size nor the backend's way of running segments; segment 0 is the unsegmented
// run; the early stop taken over segments in order; and the segments' counts follow the same
// statistics as one stream (pooled over seeds, against the closed-form SER). Built twice: the GPU
// build (LL_TEST_CUDA) compares the GPU's segments with the CPU's, and skips without a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/link/statistics.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/backend.hpp"
#include "kernels/segments.hpp"
#include "tests/backend_under_test.hpp"

namespace {

const std::string kReference = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";
constexpr std::uint64_t kFrame = 65'280;  // a segment's unit without the inner code

ll::BatchSetup batch_of(std::vector<std::string> overrides) {
  overrides.push_back("laser.power_dbm=4");  // BER about 1e-3: errors in every segment
  overrides.push_back("eye.symbols=4096");
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(kReference, overrides));
  return run.batches.front();
}

// Everything a point's counts hold, compared whole.
void expect_same_counts(const ll::LinkOutcome& a, const ll::LinkOutcome& b) {
  const ll::LinkCounters &x = a.counters, &y = b.counters;
  EXPECT_EQ(x.bits, y.bits);
  EXPECT_EQ(x.bit_errors, y.bit_errors);
  EXPECT_EQ(x.symbols, y.symbols);
  EXPECT_EQ(x.symbol_errors, y.symbol_errors);
  EXPECT_EQ(x.stop_reason, y.stop_reason);
  EXPECT_EQ(x.fec.codewords, y.fec.codewords);
  for (int i = 0; i < ll::kFecHistogramBins; ++i) EXPECT_EQ(x.fec.histogram[i], y.fec.histogram[i]);
  for (int i = 0; i < ll::kBurstBins; ++i) EXPECT_EQ(x.bursts[i], y.bursts[i]);
  EXPECT_EQ(a.eye_histogram, b.eye_histogram);
}

class Segments : public ll_test::BackendUnderTest {};

TEST_F(Segments, CountsDoNotDependOnThreadsOrChunk) {
  // 3.2e6 bits in segments of 2 frames: 25 segments, the last one short.
  const std::vector<std::string> keys = {"run.max_bits=3200000", "run.target_errors=1000000000",
                                         "run.segment_bits=" + std::to_string(2 * kFrame)};
  const ll::BatchSetup batch = batch_of(keys);
  ASSERT_EQ(ll::segment_count(batch), 25u);
  const ll::LinkOutcome one = ll::run_batch_cpu(batch, 1).front();
  EXPECT_EQ(one.counters.bits, 3'200'000u);  // the budget exactly, as one engine counts it
  EXPECT_EQ(one.counters.fec.codewords, one.counters.bits / 5440);  // no codeword cut
  EXPECT_GT(one.counters.bit_errors, 1000u);
  for (const int threads : {2, 4}) {
    SCOPED_TRACE(threads);
    expect_same_counts(ll::run_batch_cpu(batch, threads).front(), one);
  }
  std::vector<std::string> chunk = keys;
  chunk.push_back("run.chunk_symbols=4096");
  expect_same_counts(ll::run_batch_cpu(batch_of(chunk), 2).front(), one);
  // The backend under test (on the GPU: a segment of every link at a time).
  expect_same_counts(ll_test::run_under_test(batch).front(), one);
  // The GPU's way, run here on the CPU's engine: the same.
  const ll::LinkOutcome by_segments =
      ll::run_batch_by_segments(batch, [](const ll::BatchSetup& b) {
        return ll::run_batch_cpu(b, 1);
      }).front();
  expect_same_counts(by_segments, one);
}

TEST_F(Segments, SegmentZeroIsTheUnsegmentedRun) {
  // A budget within one segment: the point counts what it counted before segments existed.
  const ll::BatchSetup whole = batch_of({"run.max_bits=500000", "run.target_errors=1000000000",
                                         "run.segment_bits=0"});
  const ll::BatchSetup one_segment = batch_of({"run.max_bits=500000",
                                               "run.target_errors=1000000000",
                                               "run.segment_bits=1000000"});
  ASSERT_EQ(ll::segment_count(one_segment), 1u);
  expect_same_counts(ll_test::run_under_test(one_segment).front(),
                     ll_test::run_under_test(whole).front());
  // Later segments draw other noise and start elsewhere in the pattern.
  const ll::LinkSetup& link = whole.links.front();
  const ll::LinkSetup s1 = ll::segment_link(link, 1), s2 = ll::segment_link(link, 2);
  EXPECT_EQ(ll::segment_link(link, 0).prbs_seed, link.prbs_seed);
  EXPECT_NE(s1.prbs_seed, link.prbs_seed);
  EXPECT_NE(s1.prbs_seed, s2.prbs_seed);
  EXPECT_NE(ll::standard_normal(s1.noise_key, ll::NoiseStream::receiver, 7),
            ll::standard_normal(link.noise_key, ll::NoiseStream::receiver, 7));
}

TEST_F(Segments, TheStopRuleRunsOverSegmentsInOrder) {
  // 300 errors at a BER about 1e-3 take a few segments of one frame: the count is those whole
  // segments, the last stopped at its own target, on any number of threads.
  const ll::BatchSetup batch = batch_of({"run.max_bits=40000000", "run.target_errors=300",
                                         "run.segment_bits=" + std::to_string(kFrame)});
  const ll::LinkOutcome one = ll::run_batch_cpu(batch, 1).front();
  EXPECT_EQ(one.counters.stop_reason, 1);  // the target errors
  EXPECT_GE(one.counters.bit_errors, 300u);
  EXPECT_GT(one.counters.bits, kFrame);  // more than one segment
  EXPECT_LT(one.counters.bits, 40'000'000u);
  // Independently: the segments one by one, summed until the errors reach the target.
  std::uint64_t bits = 0, errors = 0;
  const std::uint64_t segments = ll::segment_count(batch);
  for (std::uint32_t k = 0; errors < 300; ++k) {
    ll::BatchSetup one_segment = ll::segment_batch(batch, segments, k);
    const ll::LinkCounters c = ll::run_batch_cpu(one_segment, 1).front().counters;
    bits += c.bits;
    errors += c.bit_errors;
  }
  EXPECT_EQ(one.counters.bits, bits);
  EXPECT_EQ(one.counters.bit_errors, errors);
  expect_same_counts(ll::run_batch_cpu(batch, 3).front(), one);
  expect_same_counts(ll_test::run_under_test(batch).front(), one);
}

#if !defined(LL_TEST_CUDA)
// The segments' counts follow one stream's statistics: Gaussian noise only, the SER of PAM4 at
// 1e-3 against its closed form, 2e6 symbols in 62 segments of one frame (the last short), pooled over three seeds
// (6e6 symbols: the 99% binomial interval is +-3.3%). A segment's start that counted wrong (a
// filter not yet filled, a pattern or noise stream reused) would show as a count out of it.
TEST(SegmentStatistics, SegmentedSerMatchesTheClosedForm) {
  std::vector<std::string> keys = ll_test::gaussian_noise_only_lane(4'000'000);
  keys.push_back("run.chunk_symbols=4096");
  keys.push_back("run.segment_bits=" + std::to_string(kFrame));
  const ll::PreparedRun probe = ll::prepare_run(ll::load_scenario(kReference, keys));
  const ll::LinkReport& rep = probe.links.front().report;
  std::vector<double> levels(rep.received_levels_a, rep.received_levels_a + 4);
  std::sort(levels.begin(), levels.end());
  const double d = (levels.back() - levels.front()) / 3.0;
  const double sigma = d / (2.0 * ll::q_function_inverse(1e-3 / 1.5));
  const std::string density = std::to_string(sigma / std::sqrt(50e9) * 1e12);
  const double sigma_given = std::stod(density) * 1e-12 * std::sqrt(50e9);
  const double expected = ll::pam_ser_gaussian(4, d, sigma_given);
  std::uint64_t symbols = 0, errors = 0;
  for (const int seed : {1, 2, 3}) {
    std::vector<std::string> k = keys;
    k.push_back("receiver.tia_noise_pa_per_rthz=" + density);
    k.push_back("run.seed=" + std::to_string(seed));
    const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(kReference, k));
    ASSERT_EQ(ll::segment_count(run.batches.front()), 62u);
    const ll::LinkCounters c = ll::run_batch_cpu(run.batches.front(), 2).front().counters;
    symbols += c.symbols;
    errors += c.symbol_errors;
  }
  const ll::CountInterval ci = ll::binomial_count_interval(symbols, expected, 0.99);
  EXPECT_GE(errors, ci.lo);
  EXPECT_LE(errors, ci.hi);
  std::printf("segmented PAM4: %llu symbol errors in %llu symbols, theory %.4g, 99%% [%llu, %llu]\n",
              (unsigned long long)errors, (unsigned long long)symbols, expected * symbols,
              (unsigned long long)ci.lo, (unsigned long long)ci.hi);
}
#endif

}  // namespace
