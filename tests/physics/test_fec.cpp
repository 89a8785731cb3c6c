// The KP4 RS(544,514) accounting (physics/fec.hpp) on bit streams written here: error positions
// placed by hand land in the FEC symbols and codewords the clause 91 layout says, and independent
// random bit errors at ratio p give the codeword error ratio of the binomial tail
// P(X > 15), X ~ Bin(544, 1 - (1 - p)^10), within its 99% interval.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "host/link/statistics.hpp"
#include "physics/fec.hpp"

namespace {

using ll::FecCounters;

// Uniform draws in [0, 1) from xorshift64 (independent bit errors for the tests).
struct Uniform {
  std::uint64_t state;
  double operator()() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  }
};

// Feeds the whole labels of `label_bits` within `bits` stream bits, the bits listed (ascending) in
// `errors` wrong.
FecCounters feed(const std::vector<std::uint64_t>& errors, std::uint64_t bits, int label_bits,
                 int interleave) {
  FecCounters f{};
  std::size_t next = 0;
  for (std::uint64_t first = 0; first + label_bits <= bits; first += label_bits) {
    unsigned mask = 0;
    while (next < errors.size() && errors[next] < first + label_bits) {
      mask |= 1u << (label_bits - 1 - static_cast<int>(errors[next] - first));
      ++next;
    }
    ll::fec_add_label(f, mask, label_bits, interleave);
  }
  return f;
}

TEST(Fec, ErrorsLandInTheirSymbolsAndCodewords) {
  const std::uint64_t codeword_bits = 5440;
  // One codeword: bits 0..9 are one FEC symbol, 9 and 10 straddle two, 5439 is the last symbol.
  FecCounters f = feed({0, 1, 5, 9, 10, 5439}, codeword_bits, 2, 1);
  EXPECT_EQ(f.codewords, 1u);
  EXPECT_EQ(f.histogram[3], 1u);  // symbols 0, 1 and 543
  // A partial codeword is not counted.
  f = feed({0}, codeword_bits - 2, 2, 1);
  EXPECT_EQ(f.codewords, 0u);
  // 3-bit labels (PAM8) straddle FEC symbols and codewords: the same positions, the same count.
  f = feed({0, 1, 5, 9, 10, 5439}, codeword_bits + 2, 3, 1);  // 1814 labels
  EXPECT_EQ(f.codewords, 1u);
  EXPECT_EQ(f.histogram[3], 1u);
  // Two-way interleave: FEC symbols alternate between codewords A and B, which end together after
  // 2 x 544 symbols. Errors in symbols 0, 2, 4 (A) and 1 (B).
  f = feed({0, 10, 20, 40}, 2 * codeword_bits, 5, 2);
  EXPECT_EQ(f.codewords, 2u);
  EXPECT_EQ(f.histogram[3], 1u);
  EXPECT_EQ(f.histogram[1], 1u);
  // 16 symbol errors in one codeword: uncorrectable, filed in bin 16; more than 31 in the last.
  std::vector<std::uint64_t> many;
  for (int s = 0; s < 40; ++s) many.push_back(10u * s + 3u);
  f = feed(many, codeword_bits, 2, 1);
  EXPECT_EQ(f.histogram[ll::kFecHistogramBins - 1], 1u);
  many.resize(16);
  f = feed(many, codeword_bits, 2, 1);
  EXPECT_EQ(f.histogram[16], 1u);
}

struct RandomCase {
  int label_bits, interleave;
};

void PrintTo(const RandomCase& c, std::ostream* os) {
  *os << c.label_bits << "-bit labels, " << c.interleave << "-way interleave";
}

class FecRandom : public ::testing::TestWithParam<RandomCase> {};

TEST_P(FecRandom, CodewordErrorRatioIsTheBinomialTail) {
  const RandomCase rc = GetParam();
  const double p = 2.5e-3;  // p_s = 0.0247: 13.4 symbol errors per codeword on average
  const std::uint64_t codewords = 6000;
  const std::uint64_t bits = codewords * 5440;
  Uniform uniform{0x243f6a8885a308d3ull};
  std::vector<std::uint64_t> errors;
  for (std::uint64_t b = 0; b < bits; ++b)
    if (uniform() < p) errors.push_back(b);
  const FecCounters f = feed(errors, bits, rc.label_bits, rc.interleave);
  ASSERT_EQ(f.codewords, codewords);
  std::uint64_t failed = 0, symbol_errors = 0;
  for (int e = 0; e < ll::kFecHistogramBins; ++e) {
    if (e > ll::kRsCorrectableSymbols) failed += f.histogram[e];
    symbol_errors += static_cast<std::uint64_t>(e) * f.histogram[e];
  }
  const double p_symbol = 1.0 - std::pow(1.0 - p, 10);
  const double cer = ll::binomial_survival(15, 544, p_symbol);
  const ll::CountInterval ci = ll::binomial_count_interval(codewords, cer, 0.99);
  std::printf(
      "labels of %d bits, %d-way: %llu of %llu codewords failed (theory %.4f, 99%% [%llu, "
      "%llu])\n",
      rc.label_bits, rc.interleave, (unsigned long long)failed, (unsigned long long)codewords, cer,
      (unsigned long long)ci.lo, (unsigned long long)ci.hi);
  EXPECT_GE(failed, ci.lo);
  EXPECT_LE(failed, ci.hi);
  // Mean symbol errors per codeword: 544 p_s, its standard error sqrt(544 p_s (1 - p_s) / n).
  const double mean = static_cast<double>(symbol_errors) / codewords;
  EXPECT_NEAR(mean, 544.0 * p_symbol, 4.0 * std::sqrt(544.0 * p_symbol / codewords));
}

INSTANTIATE_TEST_SUITE_P(Layouts, FecRandom,
                         ::testing::Values(RandomCase{1, 1}, RandomCase{2, 1}, RandomCase{3, 1},
                                           RandomCase{5, 2}, RandomCase{2, 4}),
                         [](const auto& info) {
                           return std::to_string(info.param.label_bits) + "bit_labels_" +
                                  std::to_string(info.param.interleave) + "way";
                         });

TEST(Fec, SurvivalIsTheBinomialTail) {
  // Direct sums for a small case, and the tail's far end where 1 - cdf would cancel.
  const double p = 0.03;
  double tail = 0.0;
  for (int k = 16; k <= 544; ++k)
    tail += std::exp(std::lgamma(545.0) - std::lgamma(k + 1.0) - std::lgamma(545.0 - k) +
                     k * std::log(p) + (544 - k) * std::log1p(-p));
  EXPECT_NEAR(ll::binomial_survival(15, 544, p) / tail, 1.0, 1e-10);
  const double q = 1e-4;  // P(X > 15) about 5e-33
  double far = 0.0;
  for (int k = 16; k <= 60; ++k)
    far += std::exp(std::lgamma(545.0) - std::lgamma(k + 1.0) - std::lgamma(545.0 - k) +
                    k * std::log(q) + (544 - k) * std::log1p(-q));
  EXPECT_NEAR(ll::binomial_survival(15, 544, q) / far, 1.0, 1e-9);
}

// The inner Hamming(128,120) hard decoder on independent random errors at p: a block with one
// wrong bit is corrected, one with K >= 2 keeps the wrong bits among its 120 message bits. The
// residual count's mean is 120 p (1 - (1 - p)^127); its variance sums the blocks' (K wrong bits
// land among the message bits as Binomial(K, 120/128), near enough for the bound).
TEST(Fec, InnerHammingCorrectsSingleErrorsPerBlock) {
  // Hand-placed: block 0 one error (corrected), block 1 two errors at 130 and 140 (kept; both in
  // its message bits), block 2 one error in its parity (corrected).
  {
    FecCounters f{};
    const std::vector<std::uint64_t> errors = {5, 130, 140, 256 + 125};
    std::size_t next = 0;
    for (std::uint64_t b = 0; b < 3 * 128; ++b) {
      const bool wrong = next < errors.size() && errors[next] == b;
      next += wrong ? 1 : 0;
      ll::fec_add_label(f, wrong ? 1u : 0u, 1, 1, 1);
    }
    EXPECT_EQ(f.inner_message_bits, 360u);
    EXPECT_EQ(f.inner_residual_errors, 2u);
  }
  const double p = 2e-3;
  const std::uint64_t blocks = 400000;
  Uniform uniform{0x9e3779b97f4a7c15ull};
  FecCounters f{};
  for (std::uint64_t b = 0; b < blocks * 128; ++b)
    ll::fec_add_label(f, uniform() < p ? 1u : 0u, 1, 1, 1);
  ASSERT_EQ(f.inner_message_bits, blocks * 120);
  const double q = 120.0 / 128.0;
  double mean = 0.0, second = 0.0;
  for (int k = 2; k <= 20; ++k) {
    const double pk = std::exp(std::lgamma(129.0) - std::lgamma(k + 1.0) - std::lgamma(129.0 - k) +
                               k * std::log(p) + (128 - k) * std::log1p(-p));
    mean += pk * k * q;
    second += pk * (k * q * (1.0 - q) + k * q * k * q);
  }
  EXPECT_NEAR(mean, 120.0 * p * (1.0 - std::pow(1.0 - p, 127)), 1e-9);
  const double expected = blocks * mean, sd = std::sqrt(blocks * (second - mean * mean));
  std::printf("inner Hamming at p = %g: %llu residual errors, expected %.1f +- %.1f\n", p,
              (unsigned long long)f.inner_residual_errors, expected, sd);
  EXPECT_NEAR(static_cast<double>(f.inner_residual_errors), expected, 4.0 * sd);
  // The RS stream is the message bits: 120 of every 128 line bits.
  EXPECT_EQ(f.codewords, blocks * 120 / 5440);
}

}  // namespace
