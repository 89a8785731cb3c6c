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

inline constexpr int kRsSymbolBits = 10;
inline constexpr int kRsCodewordSymbols = 544;
inline constexpr int kRsMessageSymbols = 514;
inline constexpr int kRsCorrectableSymbols = 15;  // t = (n - k) / 2
inline constexpr int kFecMaxInterleave = 4;
// Histogram of symbol errors per codeword: bins 0 .. kFecHistogramBins - 2, the last for that
// many or more. LinkCounters and the HDF5 `fec_symbol_errors` dimension share it.
inline constexpr int kFecHistogramBins = 32;

struct FecCounters {
  std::uint64_t codewords;                       // complete codewords counted
  std::uint64_t histogram[kFecHistogramBins];    // codewords by their symbol errors
  std::uint32_t open_errors[kFecMaxInterleave];  // symbol errors of the codewords under way
  std::uint32_t symbol_in_group;                 // FEC symbol index within the interleave group
  std::uint8_t bit_in_symbol;                    // bit index within the current FEC symbol
  std::uint8_t symbol_errored;                   // the current FEC symbol already has an error
};

// Advances the stream by one label of `bits` bits (at most kRsSymbolBits), `error_mask` holding
// its wrong bits (bit bits - 1 the first sent).
LL_HD LL_FORCEINLINE void fec_add_label(FecCounters& f, unsigned error_mask, int bits,
                                        int interleave) {
  interleave = interleave > 0 ? interleave : 1;
  const std::uint32_t group_symbols =
      static_cast<std::uint32_t>(kRsCodewordSymbols) * static_cast<std::uint32_t>(interleave);
  for (int b = bits - 1; b >= 0; --b) {
    if (((error_mask >> b) & 1u) && !f.symbol_errored) {
      f.symbol_errored = 1;
      f.open_errors[f.symbol_in_group % static_cast<std::uint32_t>(interleave)] += 1;
    }
    if (++f.bit_in_symbol < kRsSymbolBits) continue;
    f.bit_in_symbol = 0;
    f.symbol_errored = 0;
    if (++f.symbol_in_group < group_symbols) continue;
    f.symbol_in_group = 0;
    for (int w = 0; w < interleave; ++w) {
      const std::uint32_t e = f.open_errors[w];
      f.histogram[e < kFecHistogramBins - 1 ? e : kFecHistogramBins - 1] += 1;
      f.open_errors[w] = 0;
    }
    f.codewords += static_cast<std::uint64_t>(interleave);
  }
}

}  // namespace ll
