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

// Symbol source: a PRBS read `bits_per_symbol` bits at a time, the first bit of each group the
// most significant bit of the Gray label (IEEE 802.3 120.5.7: the first bit of a pair is the
// MSB). For PRBS13Q / PRBS31Q this is the standard pattern: PRBS13 (PRBS31) bits in pairs,
// Gray-mapped; PRBS13Q then has a period of 8191 symbols (two periods of PRBS13).
struct SymbolSource {
  Prbs prbs;
  int bits_per_symbol;

  LL_HD static SymbolSource make(Pattern p, std::uint32_t seed, int bits_per_symbol) {
    return {Prbs::make(p, seed), bits_per_symbol};
  }

  // Returns the PAM level index (0 .. 2^bits_per_symbol - 1).
  LL_HD LL_FORCEINLINE unsigned next_level() {
    unsigned label = 0;
    for (int b = 0; b < bits_per_symbol; ++b) label = (label << 1) | prbs.next_bit();
    return gray_decode(label);
  }
};

}  // namespace ll
