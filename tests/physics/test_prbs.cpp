// PRBS generators and the PAM4 patterns against an independent reference written from the
// polynomials themselves: a plain bit history implementing the recurrence
//     b[k] = XOR over the terms x^t (t >= 1) of b[k - t],
// with the n bits before the start (b[-1] .. b[-n]) all ones. The library's Fibonacci LFSR
// keeps b[k-1-j] in state bit j (the newest bit in bit 0) and reads tap x^t at bit t-1, so from
// the all-ones state its output is exactly b[0], b[1], ... with no shift: equality is exact.
// Properties of maximal-length sequences (period, balance, run lengths) are checked as the
// textbook counts (Golomb's postulates), not by comparing with anything in physics/prbs.hpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "physics/prbs.hpp"

namespace {

using ll::Pattern;

struct Case {
  Pattern pattern;
  int degree;
  std::vector<int> terms;  // exponents t >= 1 of the polynomial's terms x^t (the "+1" implied)
  const char* name;
};

// Transcribed from ITU-T O.150 (and IEEE 802.3 120.5.11.2.1 for PRBS13), not from taps_mask.
const std::vector<Case>& binary_cases() {
  static const std::vector<Case> cases = {
      {Pattern::prbs7, 7, {7, 6}, "x^7+x^6+1"},
      {Pattern::prbs9, 9, {9, 5}, "x^9+x^5+1"},
      {Pattern::prbs11, 11, {11, 9}, "x^11+x^9+1"},
      {Pattern::prbs13, 13, {13, 12, 2, 1}, "x^13+x^12+x^2+x+1"},
      {Pattern::prbs15, 15, {15, 14}, "x^15+x^14+1"},
      {Pattern::prbs23, 23, {23, 18}, "x^23+x^18+1"},
  };
  return cases;
}

const std::vector<int> kPrbs31Terms = {31, 28};  // x^31+x^28+1
const std::vector<int> kPrbs13Terms = {13, 12, 2, 1};

// The first `count` bits of the recurrence, history all ones. One byte per bit: PRBS23 needs
// 2^23 + 100 of them, 8 MiB.
std::vector<std::uint8_t> reference_bits(const std::vector<int>& terms, int degree,
                                         std::size_t count) {
  std::vector<std::uint8_t> h(static_cast<std::size_t>(degree) + count, 0);
  for (int i = 0; i < degree; ++i) h[static_cast<std::size_t>(i)] = 1;  // b[-n] .. b[-1]
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t at = static_cast<std::size_t>(degree) + k;  // index of b[k]
    std::uint8_t b = 0;
    for (int t : terms) b ^= h[at - static_cast<std::size_t>(t)];
    h[at] = b;
  }
  return {h.begin() + degree, h.end()};
}

std::vector<std::uint8_t> library_bits(Pattern p, std::size_t count) {
  ll::Prbs g = ll::Prbs::make(p, 0xffffffffu);
  std::vector<std::uint8_t> out(count);
  for (auto& b : out) b = static_cast<std::uint8_t>(g.next_bit());
  return out;
}

// Index of the first mismatch, or -1 when equal (so a failure says where, not 10^6 lines).
long long first_mismatch(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  if (a.size() != b.size()) return 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return static_cast<long long>(i);
  return -1;
}

TEST(Prbs, BitsEqualRecurrenceFromPolynomial) {
  for (const Case& c : binary_cases()) {
    SCOPED_TRACE(c.name);
    const std::size_t count = (std::size_t{1} << c.degree) + 100;  // a period and then some
    const auto ref = reference_bits(c.terms, c.degree, count);
    EXPECT_EQ(first_mismatch(library_bits(c.pattern, count), ref), -1);
  }
}

TEST(Prbs, Prbs31PrefixEqualsRecurrence) {
  const std::size_t count = 1000000;  // the period (2^31-1) is too long for a unit test
  EXPECT_EQ(
      first_mismatch(library_bits(Pattern::prbs31, count), reference_bits(kPrbs31Terms, 31, count)),
      -1);
}

TEST(Prbs, StateHoldsNewestBitInBitZero) {
  // The documented state convention, which chunked generation relies on: after K bits, state
  // bit j is b[K-1-j]; re-seeding a fresh generator with that state continues the stream.
  const int n = 13;
  const auto ref = reference_bits(kPrbs13Terms, n, 3000);
  ll::Prbs g = ll::Prbs::make(Pattern::prbs13, 0xffffffffu);
  for (int k = 0; k < 1000; ++k) g.next_bit();
  std::uint32_t expected = 0;
  for (int j = 0; j < n; ++j)
    expected |= std::uint32_t{ref[static_cast<std::size_t>(999 - j)]} << j;
  EXPECT_EQ(g.state, expected);
  ll::Prbs resumed = ll::Prbs::make(Pattern::prbs13, g.state);
  for (std::size_t k = 1000; k < ref.size(); ++k)
    ASSERT_EQ(resumed.next_bit(), ref[k]) << "bit " << k;
}

TEST(Prbs, ZeroSeedIsReplacedByAllOnes) {
  // All-zero is the LFSR's fixed point (an all-zero output); the library must not start there.
  for (const Case& c : binary_cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ll::Prbs::make(c.pattern, 0).state, (1u << c.degree) - 1u);
    EXPECT_EQ(ll::Prbs::make(c.pattern, 0xffffffffu).state, (1u << c.degree) - 1u);
  }
}

TEST(Prbs, PeriodIsExactlyTwoToTheNMinusOne) {
  // Step until the state first returns to the start. Comparing at every step costs nothing, so
  // "not before" is checked for PRBS23 too (8.4e6 steps, a few ms).
  for (const Case& c : binary_cases()) {
    SCOPED_TRACE(c.name);
    ll::Prbs g = ll::Prbs::make(c.pattern, 0xffffffffu);
    const std::uint32_t start = g.state;
    const std::uint64_t period = (std::uint64_t{1} << c.degree) - 1;
    std::uint64_t steps = 0;
    do {
      g.next_bit();
      ++steps;
    } while (g.state != start && steps <= period);
    EXPECT_EQ(steps, period);
  }
}

// Cyclic run lengths over one period: counts[symbol][length].
std::map<int, long long> run_counts(const std::vector<std::uint8_t>& period_bits, int symbol) {
  const std::size_t P = period_bits.size();
  // Start just after a symbol change so no run wraps around the end.
  std::size_t start = 0;
  while (period_bits[start] == period_bits[(start + P - 1) % P]) ++start;
  std::map<int, long long> counts;
  std::size_t i = 0;
  while (i < P) {
    const std::uint8_t s = period_bits[(start + i) % P];
    std::size_t len = 0;
    while (i < P && period_bits[(start + i) % P] == s) ++len, ++i;
    if (s == symbol) ++counts[static_cast<int>(len)];
  }
  return counts;
}

TEST(Prbs, RunLengthsAndBalanceOfMaximalSequence) {
  // Golomb: in one period of an m-sequence of degree n, runs of length k (1 <= k <= n-2) number
  // 2^(n-k-2) for each symbol; there is one run of n ones (the all-ones state) and one run of
  // n-1 zeros (the all-zero state is never visited), and nothing longer. Ones: 2^(n-1);
  // zeros: 2^(n-1)-1. A wrong tap gives a shorter period or different counts.
  for (const Case& c : binary_cases()) {
    if (c.degree > 15) continue;
    SCOPED_TRACE(c.name);
    const int n = c.degree;
    const std::size_t P = (std::size_t{1} << n) - 1;
    const auto bits = library_bits(c.pattern, P);
    long long ones = 0;
    for (auto b : bits) ones += b;
    EXPECT_EQ(ones, 1LL << (n - 1));
    EXPECT_EQ(static_cast<long long>(P) - ones, (1LL << (n - 1)) - 1);
    for (int symbol = 0; symbol <= 1; ++symbol) {
      std::map<int, long long> expected;
      for (int k = 1; k <= n - 2; ++k) expected[k] = 1LL << (n - k - 2);
      expected[symbol == 1 ? n : n - 1] = 1;
      EXPECT_EQ(run_counts(bits, symbol), expected) << "symbol " << symbol;
    }
  }
}

TEST(Gray, EncodeDecodeInverseAndAdjacentLevelsDifferByOneBit) {
  for (unsigned v = 0; v < 8; ++v) {
    EXPECT_EQ(ll::gray_decode(ll::gray_encode(v)), v);
    EXPECT_EQ(ll::gray_encode(ll::gray_decode(v)), v);
  }
  for (unsigned level = 0; level + 1 < 8; ++level)
    EXPECT_EQ(__builtin_popcount(ll::gray_encode(level) ^ ll::gray_encode(level + 1)), 1)
        << "levels " << level << ", " << level + 1;
}

TEST(Gray, Pam4MappingOfIeee120_5_7) {
  // Levels 0..3 carry labels 00, 01, 11, 10 (first bit MSB).
  const unsigned labels[4] = {0b00, 0b01, 0b11, 0b10};
  for (unsigned level = 0; level < 4; ++level) {
    EXPECT_EQ(ll::gray_encode(level), labels[level]);
    EXPECT_EQ(ll::gray_decode(labels[level]), level);
  }
}

// PAM4 level of the bit pair (first, second), first bit the MSB, from the table above.
unsigned pam4_level(std::uint8_t first, std::uint8_t second) {
  static const unsigned level_of_label[4] = {0, 1, 3, 2};  // labels 00,01,10,11
  return level_of_label[(first << 1) | second];
}

TEST(Prbs13Q, SymbolsArePrbs13BitPairsGrayMappedWithPeriod8191) {
  const std::size_t P = 8191;  // 2^13 - 1 symbols = two PRBS13 periods of bits
  const auto bits = reference_bits(kPrbs13Terms, 13, 4 * P);
  ll::SymbolSource src = ll::SymbolSource::make(Pattern::prbs13q, 0xffffffffu, 4);
  std::vector<unsigned> sym(2 * P);
  for (auto& s : sym) s = src.next_level();
  for (std::size_t i = 0; i < sym.size(); ++i)
    ASSERT_EQ(sym[i], pam4_level(bits[2 * i], bits[2 * i + 1])) << "symbol " << i;
  // Repeats after 8191 symbols; 8191 is prime, so the only shorter period is 1 (constant).
  for (std::size_t i = 0; i < P; ++i) ASSERT_EQ(sym[i + P], sym[i]) << "symbol " << i;
  bool constant = true;
  for (std::size_t i = 1; i < P; ++i) constant = constant && sym[i] == sym[0];
  EXPECT_FALSE(constant);

  // Level counts: 8191 is odd, so the pairs (b[2i], b[2i+1]) over two bit periods are every
  // cyclic pair (b[j], b[j+1]) of one period once. In an m-sequence of degree 13 each 2-bit
  // window occurs 2^11 times except 00 (its completions exclude the all-zero state): 2^11 - 1.
  // Label 00 is level 0, so level 0 appears 2047 times and levels 1..3 2048 times.
  long long pair_counts[4] = {0, 0, 0, 0};
  for (std::size_t j = 0; j < P; ++j) ++pair_counts[(bits[j] << 1) | bits[(j + 1) % P]];
  long long level_counts[4] = {0, 0, 0, 0};
  for (std::size_t i = 0; i < P; ++i) ++level_counts[sym[i]];
  long long sum = 0;
  for (int l = 0; l < 4; ++l) {
    EXPECT_EQ(level_counts[l], pair_counts[ll::gray_encode(static_cast<unsigned>(l))])
        << "level " << l;
    EXPECT_EQ(level_counts[l], l == 0 ? 2047 : 2048) << "level " << l;
    sum += level_counts[l];
  }
  EXPECT_EQ(sum, 8191);
}

TEST(Prbs31Q, SymbolsArePrbs31BitPairsGrayMapped) {
  const std::size_t count = 100000;
  const auto bits = reference_bits(kPrbs31Terms, 31, 2 * count);
  ll::SymbolSource src = ll::SymbolSource::make(Pattern::prbs31q, 0xffffffffu, 4);
  for (std::size_t i = 0; i < count; ++i)
    ASSERT_EQ(src.next_level(), pam4_level(bits[2 * i], bits[2 * i + 1])) << "symbol " << i;
}

// PAM6: the 32 labels land on the 32 points of the 6 x 6 grid without its corners, once each;
// the decoder inverts the map and sends each corner to a neighbour; summed over the cross's 52
// neighbour pairs the labels differ in 56 bits (50 pairs by 1 bit, 2 by 3: no Gray map of a
// cross exists). Counted here from the grid, not from anything the library derives.
TEST(Pam6, LabelsCoverTheCrossOnceAndNeighboursDifferIn56Bits) {
  auto corner = [](int a, int b) { return (a == 0 || a == 5) && (b == 0 || b == 5); };
  std::vector<int> label_at(36, -1);
  for (unsigned label = 0; label < 32; ++label) {
    const unsigned pair = ll::pam6_pair_of_label(label);
    ASSERT_LT(pair, 36u);
    ASSERT_FALSE(corner(static_cast<int>(pair / 6), static_cast<int>(pair % 6))) << label;
    ASSERT_EQ(label_at[pair], -1) << "two labels on point " << pair;
    label_at[pair] = static_cast<int>(label);
    EXPECT_EQ(ll::pam6_label_of_pair(pair), label);
  }
  int edges = 0, bits = 0, one_bit_edges = 0;
  for (int a = 0; a < 6; ++a)
    for (int b = 0; b < 6; ++b) {
      if (corner(a, b)) {
        // A corner decodes to the label of a point one level away in one symbol.
        const unsigned decoded = ll::pam6_label_of_pair(static_cast<unsigned>(6 * a + b));
        const int p = static_cast<int>(ll::pam6_pair_of_label(decoded));
        EXPECT_EQ(std::abs(p / 6 - a) + std::abs(p % 6 - b), 1) << "corner " << a << b;
        continue;
      }
      const int neighbours[2][2] = {{a + 1, b}, {a, b + 1}};
      for (const auto& n : neighbours) {
        if (n[0] > 5 || n[1] > 5 || corner(n[0], n[1])) continue;
        const unsigned diff =
            static_cast<unsigned>(label_at[6 * a + b] ^ label_at[6 * n[0] + n[1]]);
        const int d = __builtin_popcount(diff);
        ++edges;
        bits += d;
        one_bit_edges += d == 1 ? 1 : 0;
        EXPECT_LE(d, 3);
      }
    }
  EXPECT_EQ(edges, 52);
  EXPECT_EQ(bits, 56);
  EXPECT_EQ(one_bit_edges, 50);
}

// The PAM6 source reads 5 PRBS bits per pair, MSB first, and sends the pair's first level then
// its second; the outer levels come 4 times in 32 per symbol, the inner ones 6 times.
TEST(Pam6, SourceSendsEachFiveBitLabelAsItsPair) {
  const std::size_t pairs = 50000;
  const auto bits = reference_bits(kPrbs31Terms, 31, 5 * pairs);
  ll::SymbolSource src = ll::SymbolSource::make(Pattern::prbs31, 0xffffffffu, 6);
  std::vector<long long> counts(6, 0);
  for (std::size_t i = 0; i < pairs; ++i) {
    unsigned label = 0;
    for (int b = 0; b < 5; ++b) label = (label << 1) | static_cast<unsigned>(bits[5 * i + b]);
    const unsigned pair = ll::pam6_pair_of_label(label);
    const unsigned first = src.next_level(), second = src.next_level();
    ASSERT_EQ(first, pair / 6) << "pair " << i;
    ASSERT_EQ(second, pair % 6) << "pair " << i;
    ++counts[first];
    ++counts[second];
  }
  for (int k = 0; k < 6; ++k) {
    const double expected = (k == 0 || k == 5 ? 4.0 : 6.0) / 32.0;
    EXPECT_DOUBLE_EQ(ll::level_probability(6, k), expected);
    // 1e5 symbols: the share's standard error is below 1.3e-3.
    EXPECT_NEAR(static_cast<double>(counts[k]) / (2.0 * pairs), expected, 6e-3) << "level " << k;
  }
  EXPECT_DOUBLE_EQ(ll::symbol_mapping(6).bits_per_symbol(), 2.5);
}

}  // namespace
