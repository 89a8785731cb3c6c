// Pseudo-random binary sequences (ITU-T O.150 polynomials, IEEE 802.3 PRBS13) and the PAM4
// patterns PRBS13Q / PRBS31Q of IEEE 802.3 clause 120.5.11.2.
//
// A Fibonacci LFSR of degree n with feedback taps (n, m, ...): the next bit is the XOR of the
// register bits at those taps; the bit shifted in is also the output bit. Each polynomial here
// is primitive, so from any non-zero state the period is 2^n - 1 and every non-zero state is
// visited once. State is one uint32 (n <= 31) so it is trivially carried across chunks.
#pragma once

#include "physics/config.hpp"

namespace ll {

enum class Pattern : std::uint8_t {
  prbs7,
  prbs9,
  prbs11,
  prbs13,
  prbs15,
  prbs23,
  prbs31,  // binary: one bit per call
  prbs13q,
  prbs31q  // IEEE PAM4 patterns: bit pairs
};

struct PrbsPolynomial {
  int degree;               // n: period 2^n - 1
  std::uint32_t taps_mask;  // bit (k-1) set for every term x^k of the feedback polynomial
};

// Feedback polynomials.
//   O.150: PRBS7 x^7+x^6+1, PRBS9 x^9+x^5+1, PRBS11 x^11+x^9+1, PRBS15 x^15+x^14+1,
//          PRBS23 x^23+x^18+1, PRBS31 x^31+x^28+1.
//   PRBS13 (not in O.150): IEEE 802.3 clause 120.5.11.2.1 (PRBS13Q) uses
//          x^13+x^12+x^2+x+1; PRBS31Q uses the PRBS31 polynomial above.
LL_HD constexpr PrbsPolynomial prbs_polynomial(Pattern p) {
  switch (p) {
    case Pattern::prbs7:
      return {7, (1u << 6) | (1u << 5)};
    case Pattern::prbs9:
      return {9, (1u << 8) | (1u << 4)};
    case Pattern::prbs11:
      return {11, (1u << 10) | (1u << 8)};
    case Pattern::prbs13:
    case Pattern::prbs13q:
      return {13, (1u << 12) | (1u << 11) | (1u << 1) | (1u << 0)};
    case Pattern::prbs15:
      return {15, (1u << 14) | (1u << 13)};
    case Pattern::prbs23:
      return {23, (1u << 22) | (1u << 17)};
    case Pattern::prbs31:
    case Pattern::prbs31q:
      return {31, (1u << 30) | (1u << 27)};
  }
  return {7, (1u << 6) | (1u << 5)};
}

LL_HD constexpr bool pattern_is_pam4_native(Pattern p) {
  return p == Pattern::prbs13q || p == Pattern::prbs31q;
}

LL_HD LL_FORCEINLINE unsigned parity32(std::uint32_t x) {
#if defined(__CUDA_ARCH__)
  return static_cast<unsigned>(__popc(x) & 1);
#else
  return static_cast<unsigned>(__builtin_parity(x));
#endif
}

LL_HD LL_FORCEINLINE unsigned popcount32(std::uint32_t x) {
#if defined(__CUDA_ARCH__)
  return static_cast<unsigned>(__popc(x));
#else
  return static_cast<unsigned>(__builtin_popcount(x));
#endif
}

// One LFSR: next_bit() advances by one bit.
struct Prbs {
  std::uint32_t state;  // low `degree` bits; never zero
  std::uint32_t taps_mask;
  std::uint32_t state_mask;

  LL_HD static Prbs make(Pattern p, std::uint32_t seed) {
    const PrbsPolynomial poly = prbs_polynomial(p);
    Prbs g;
    g.state_mask = (poly.degree == 32) ? 0xffffffffu : ((1u << poly.degree) - 1u);
    g.taps_mask = poly.taps_mask;
    g.state = seed & g.state_mask;
    if (g.state == 0) g.state = g.state_mask;  // the all-zero state is the LFSR's fixed point
    return g;
  }

  LL_HD LL_FORCEINLINE unsigned next_bit() {
    const unsigned bit = parity32(state & taps_mask);
    state = ((state << 1) | bit) & state_mask;
    return bit;
  }
};

// Gray code of PAM levels: level index (0 = lowest) <-> bit label. For PAM4 this is
// IEEE 802.3 clause 120.5.7: {00,01,11,10} -> levels {0,1,2,3}.
LL_HD constexpr unsigned gray_encode(unsigned level) { return level ^ (level >> 1); }
LL_HD constexpr unsigned gray_decode(unsigned label) {
  unsigned level = label;
  for (unsigned shift = 1; shift < 8; shift <<= 1) level ^= level >> shift;
  return level;
}

// PAM6 at 2.5 bits per symbol: each 5-bit label is sent as a pair of PAM6 levels (a, b), a
// first, drawn from the 32 points of the 6 x 6 grid without its four corners (the cross of
// 32-QAM). The outer levels are rarer (1/8 each against 3/16 for the inner four), which lowers
// the mean power and the error rate of the outer eyes. A Gray map of a cross does not exist;
// these labels were searched to minimise the bits that differ between neighbouring points (one
// level apart in one symbol), summed over the cross's 52 neighbour pairs: 56 (50 pairs 1 bit
// apart, 2 pairs 3 bits; tests/physics/test_prbs.cpp checks it). An annealing search over 40 starts
// found none below 56. Returns 6 a + b.
LL_HD constexpr unsigned pam6_pair_of_label(unsigned label) {
  constexpr std::uint8_t pair[32] = {8, 2, 31, 25, 14, 20, 32, 26, 9,  3, 34, 28, 15, 21, 33, 27,
                                     7, 1, 6,  24, 13, 19, 12, 18, 10, 4, 11, 29, 16, 22, 17, 23};
  return pair[label & 31u];
}

// The label a receiver decodes from the decided pair 6 a + b: the inverse of the map above, and
// for a corner (never sent) the label of the point beside it with the same first level (either
// neighbour is equally likely to have been sent, so the choice does not bias the bit errors).
LL_HD constexpr unsigned pam6_label_of_pair(unsigned pair) {
  constexpr std::uint8_t label[36] = {17, 17, 1, 9,  25, 25, 18, 16, 0, 8,  24, 26,
                                      22, 20, 4, 12, 28, 30, 23, 21, 5, 13, 29, 31,
                                      19, 3,  7, 15, 11, 27, 2,  2,  6, 14, 10, 10};
  return label[pair < 36u ? pair : 0u];
}

// How an M-level modulation carries bits: `label_bits` bits per label, each label sent as
// `symbols_per_label` symbols. Gray-coded PAM2/4/8 send one label per symbol; PAM6 sends 5 bits
// as a symbol pair.
struct SymbolMapping {
  int label_bits;
  int symbols_per_label;
  LL_HD constexpr double bits_per_symbol() const {
    return static_cast<double>(label_bits) / symbols_per_label;
  }
};
LL_HD constexpr SymbolMapping symbol_mapping(int levels) {
  return levels == 6   ? SymbolMapping{5, 2}
         : levels == 8 ? SymbolMapping{3, 1}
         : levels == 4 ? SymbolMapping{2, 1}
                       : SymbolMapping{1, 1};
}

// Probability of level k of an M-level signal from the pattern's mapping (a long PRBS sends
// every label equally often): 1/M for Gray PAM; for PAM6 the share of the cross's points whose
// first level is k. Host only (set-up).
inline double level_probability(int levels, int k) {
  if (levels != 6) return 1.0 / levels;
  int count = 0;
  for (unsigned label = 0; label < 32; ++label)
    count += static_cast<int>(pam6_pair_of_label(label) / 6) == k ? 1 : 0;
  return count / 32.0;
}

// Symbol source: a PRBS read `label_bits` bits at a time, the first bit of each group the most
// significant bit of the label (IEEE 802.3 120.5.7: the first bit of a pair is the MSB). For
// PRBS13Q / PRBS31Q this is the standard pattern: PRBS13 (PRBS31) bits in pairs, Gray-mapped;
// PRBS13Q then has a period of 8191 symbols (two periods of PRBS13). PAM6 holds the second
// symbol of each pair until the next call.
struct SymbolSource {
  Prbs prbs;
  SymbolMapping mapping;
  int pending;  // PAM6: the second level of the pair just started; -1 when none

  LL_HD static SymbolSource make(Pattern p, std::uint32_t seed, int levels) {
    return {Prbs::make(p, seed), symbol_mapping(levels), -1};
  }

  // Returns the PAM level index (0 .. M - 1).
  LL_HD LL_FORCEINLINE unsigned next_level() {
    if (pending >= 0) {
      const unsigned level = static_cast<unsigned>(pending);
      pending = -1;
      return level;
    }
    unsigned label = 0;
    for (int b = 0; b < mapping.label_bits; ++b) label = (label << 1) | prbs.next_bit();
    if (mapping.symbols_per_label == 1) return gray_decode(label);
    const unsigned pair = pam6_pair_of_label(label);
    pending = static_cast<int>(pair % 6u);
    return pair / 6u;
  }
};

}  // namespace ll
