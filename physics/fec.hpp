// The KP4 Reed-Solomon code RS(544,514) over GF(2^10) (IEEE 802.3 clause 91; PARAMETERS.md):
// 10-bit symbols, 544 per codeword (5440 bits), t = 15 correctable symbol errors. The engine
// follows the counted bit stream (bits in the order the labels send them, MSB first), maps each
// bit to its 10-bit FEC symbol and each FEC symbol to its codeword, and at the end of every
// codeword files its number of symbol errors in a histogram: the codeword error ratio for t = 15
// (or any other t) reads off it, and bursts from DFE error propagation fall into FEC symbols
// exactly as the decisions made them.
//
// Codeword interleaving (`interleave` ways): consecutive FEC symbols go round-robin to that many
// codewords, which finish together (1: one codeword's symbols back to back on the lane, as a
// single-lane clause 91 stream). No encoding happens: the error positions decide correctability.
#pragma once

#include <cstdint>

#include "physics/config.hpp"

namespace ll {

// The KP4 code's pre-FEC BER threshold, about 2.4e-4 (IEEE 802.3 clause 91; PARAMETERS.md).
inline constexpr double kKp4ThresholdBer = 2.4e-4;
inline constexpr int kRsSymbolBits = 10;
inline constexpr int kRsCodewordSymbols = 544;
inline constexpr int kRsMessageSymbols = 514;
inline constexpr int kRsCorrectableSymbols = 15;  // t = (n - k) / 2
inline constexpr int kFecMaxInterleave = 4;
// Histogram of symbol errors per codeword: bins 0 .. kFecHistogramBins - 2, the last for that
// many or more. LinkCounters and the HDF5 `fec_symbol_errors` dimension share it.
inline constexpr int kFecHistogramBins = 32;

// The inner code of 200G-per-lane optics (PARAMETERS.md: Hamming(128,120), decoded soft in
// 802.3dj): here a hard-decision single-error-correcting, double-error-detecting decoder. The
// line's bits go in 128-bit blocks, 120 message bits (the RS code's bits) then 8 parity bits; a
// block with one wrong bit is corrected, a block with more keeps its wrong message bits (a
// detected double error is not corrected; miscorrection of three or more is not modelled).
inline constexpr int kInnerBlockBits = 128;
inline constexpr int kInnerMessageBits = 120;
// Wrong-bit positions kept per block: a block with more is far beyond the RS code's reach (its
// first 8 stand for it).
inline constexpr int kInnerTrackedErrors = 8;

// The BER left in the inner code's message bits for independent bit errors of ratio p on the
// line, as the decoder above treats them: a block keeps its k >= 2 wrong bits, spread evenly over
// its 128 positions, so the message bits' share is E[k; k >= 2] / 128 = p (1 - (1 - p)^127)
// (the binomial mean less its k = 1 term). Solved for the pre-FEC threshold of the concatenated
// code in host/link/margin.cpp; tests/physics/test_fec.cpp holds it against the engine's counts.
LL_HD inline double inner_message_ber(double p) {
  double q = 1.0;  // (1 - p)^127 by squaring: no pow on the device
  double base = 1.0 - p;
  for (int e = kInnerBlockBits - 1; e > 0; e >>= 1) {
    if (e & 1) q *= base;
    base *= base;
  }
  return p * (1.0 - q);
}

struct FecCounters {
  std::uint64_t codewords;                       // complete codewords counted
  std::uint64_t histogram[kFecHistogramBins];    // codewords by their symbol errors
  std::uint32_t open_errors[kFecMaxInterleave];  // symbol errors of the codewords under way
  std::uint32_t symbol_in_group;                 // FEC symbol index within the interleave group
  std::uint8_t bit_in_symbol;                    // bit index within the current FEC symbol
  std::uint8_t symbol_errored;                   // the current FEC symbol already has an error
  // Inner code (when on): the block under way and the message bits it let through.
  std::uint8_t inner_bit;     // bit index within the block
  std::uint8_t inner_errors;  // wrong bits in the block so far
  std::uint8_t inner_position[kInnerTrackedErrors];
  std::uint64_t inner_message_bits, inner_residual_errors;
};

// One bit of the RS code's stream.
LL_HD LL_FORCEINLINE void fec_rs_bit(FecCounters& f, bool wrong, int interleave) {
  const std::uint32_t ways = static_cast<std::uint32_t>(interleave > 0 ? interleave : 1);
  if (wrong && !f.symbol_errored) {
    f.symbol_errored = 1;
    f.open_errors[f.symbol_in_group % ways] += 1;
  }
  if (++f.bit_in_symbol < kRsSymbolBits) return;
  f.bit_in_symbol = 0;
  f.symbol_errored = 0;
  if (++f.symbol_in_group < static_cast<std::uint32_t>(kRsCodewordSymbols) * ways) return;
  f.symbol_in_group = 0;
  for (std::uint32_t w = 0; w < ways; ++w) {
    const std::uint32_t e = f.open_errors[w];
    f.histogram[e < kFecHistogramBins - 1 ? e : kFecHistogramBins - 1] += 1;
    f.open_errors[w] = 0;
  }
  f.codewords += ways;
}

// One line bit through the inner code: at each block's end its message bits go to the RS stream,
// wrong where the decoder left them wrong.
LL_HD LL_FORCEINLINE void fec_inner_bit(FecCounters& f, bool wrong, int interleave) {
  if (wrong) {
    if (f.inner_errors < kInnerTrackedErrors) f.inner_position[f.inner_errors] = f.inner_bit;
    if (f.inner_errors < 255) f.inner_errors += 1;
  }
  if (++f.inner_bit < kInnerBlockBits) return;
  const bool corrected = f.inner_errors == 1;
  const int tracked = f.inner_errors < kInnerTrackedErrors ? f.inner_errors : kInnerTrackedErrors;
  int next = 0;  // positions are ascending
  for (int b = 0; b < kInnerMessageBits; ++b) {
    bool w = false;
    if (next < tracked && f.inner_position[next] == b) {
      w = !corrected;
      ++next;
    }
    f.inner_residual_errors += w ? 1u : 0u;
    fec_rs_bit(f, w, interleave);
  }
  f.inner_message_bits += kInnerMessageBits;
  f.inner_bit = 0;
  f.inner_errors = 0;
}

// Advances the stream by one label of `bits` bits, `error_mask` holding its wrong bits (bit
// bits - 1 the first sent), through the inner code when `inner` is set.
LL_HD LL_FORCEINLINE void fec_add_label(FecCounters& f, unsigned error_mask, int bits,
                                        int interleave, int inner = 0) {
  for (int b = bits - 1; b >= 0; --b) {
    const bool wrong = ((error_mask >> b) & 1u) != 0;
    if (inner)
      fec_inner_bit(f, wrong, interleave);
    else
      fec_rs_bit(f, wrong, interleave);
  }
}

}  // namespace ll
