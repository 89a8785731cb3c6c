// The first lane's per-sample physics, as functors with plain-struct parameters. The engine
// (kernels/engine/lane_engine.hpp) calls them through one launch loop per backend: a serial loop inside
// each OpenMP worker on the CPU, a grid-stride kernel on the GPU. Buffers are link-major.
//
// Chain: PRBS symbols -> drive voltage (NRZ hold, `samples_per_ui` samples per UI) -> [H1] driver
// bandwidth -> micro-ring transmission T(V) -> laser power x optical loss x responsivity + dark
// current -> [H2] receiver bandwidth -> + Gaussian noise -> fixed-phase sample -> decision.
#pragma once

#include "physics/link_constants.hpp"

namespace ll {

// ---- Stage functors. The launch loop calls f(row, col) for row < rows, col < cols, so no
// functor divides its index per element: on the CPU the loops nest, on the GPU one flat index
// is split once. ----

// Symbols of the chunk: one thread per link runs its PRBS sequentially (state carried).
struct GenerateSymbols {
  SymbolSource* sources;    // [links]
  std::uint8_t* tx_levels;  // [links][history + chunk_symbols]
  int history_symbols;
  int chunk_symbols;
  LL_HD void operator()(std::size_t link, std::size_t) const {
    SymbolSource src = sources[link];
    std::uint8_t* out = tx_levels + link * (history_symbols + chunk_symbols) + history_symbols;
    for (int k = 0; k < chunk_symbols; ++k) out[k] = static_cast<std::uint8_t>(src.next_level());
    sources[link] = src;
  }
};

// The DAC's nearest code to excursion u from the bias, its codes clamped at full scale (needs
// dac_codes > 0).
template <class Real>
LL_HD LL_FORCEINLINE Real dac_nearest_code_v(const LinkConstants<Real>& c, Real u) {
  Real code = math_floor((u - c.dac_low_v) / c.dac_step_v + Real(0.5));
  code = code < Real(0) ? Real(0) : code;
  code = code > static_cast<Real>(c.dac_codes - 1) ? static_cast<Real>(c.dac_codes - 1) : code;
  return c.dac_low_v + code * c.dac_step_v;
}

// The transmitter's output for the symbol at tx[0], relative to the bias: the level's excursion,
// or with a DAC the FFE's sum over this and the kTxFfeTaps - 1 symbols before, rounded to the
// nearest code (reads tx[-kTxFfeTaps + 1 .. 0]).
template <class Real>
LL_HD LL_FORCEINLINE Real symbol_excursion_v(const LinkConstants<Real>& c, const std::uint8_t* tx) {
  if (c.dac_codes == 0) return c.level_drive_v[tx[0]] - c.drive_bias_v;
  Real u = Real(0);
  for (int k = 0; k < kTxFfeTaps; ++k)
    u += c.dac_ffe[k] * (c.level_drive_v[tx[-k]] - c.drive_bias_v);
  return dac_nearest_code_v(c, u);
}

// Drive voltage with the driver bandwidth H1 applied. The DAC holds each level for a UI, so
// the filtered drive is a sum of shifted pulses, v[k spu + j] = sum_m V(level[k - m]) p[m spu + j]
// with p = rect(spu) * h1: a symbol-rate polyphase filter of `pulse_symbols` taps per output
// sample instead of an FFT convolution of the oversampled waveform (the same linear operation,
// about 6 multiply-adds per sample for the default driver). Without H1, p is the rect itself
// (one tap). One row per (link, symbol) writes the UI's samples: taps outer, samples inner, so
// the inner loop is a contiguous SIMD multiply-add. With a DAC the levels are its per-symbol
// outputs (symbol_excursion_v) and p the H1 after it.
template <class Real>
struct PolyphaseDrive {
  const LinkConstants<Real>* links;
  // [links][history + chunk], history >= pulse_symbols - 1 plus the transmitter's reach
  // (kTxFfeTaps - 1 with a DAC, whose FFE reads that many symbols back)
  const std::uint8_t* tx_levels;
  const Real* pulse;  // [links][pulse_symbols * samples_per_ui]
  Real* drive_v;      // [links][chunk samples]
  int history_symbols, chunk_symbols, samples_per_ui, pulse_symbols;
  LL_HD void operator()(std::size_t row, std::size_t) const {
    const std::size_t link = row / chunk_symbols, k = row % chunk_symbols;
    const LinkConstants<Real>& c = links[link];
    const std::uint8_t* tx =
        tx_levels + link * (history_symbols + chunk_symbols) + history_symbols + k;
    const Real* p = pulse + link * static_cast<std::size_t>(pulse_symbols) * samples_per_ui;
    Real* out = drive_v + (link * static_cast<std::size_t>(chunk_symbols) + k) * samples_per_ui;
    const Real v0 = symbol_excursion_v(c, tx);
    const Real bias = c.drive_bias_v;
    LL_SIMD for (int j = 0; j < samples_per_ui; ++j) out[j] = bias + v0 * p[j];
    for (int m = 1; m < pulse_symbols; ++m) {
      const Real vm = symbol_excursion_v(c, tx - m);
      const Real* pm = p + static_cast<std::size_t>(m) * samples_per_ui;
      LL_SIMD for (int j = 0; j < samples_per_ui; ++j) out[j] += vm * pm[j];
    }
  }
};

// Ring transmission and photodetection: photocurrent = P T(V) loss R + I_dark. The electro-optic
// model is a batch-wide choice, so it is a template parameter, not a per-sample branch (which
// would stop the loop vectorising): Junction = false is the linear pm/V model.
template <class Real, bool Junction>
struct RingToPhotocurrent {
  const LinkConstants<Real>* links;
  const Real* drive_v;  // [links][in_stride] from in_offset
  Real* current_a;      // [links][out_stride] from out_offset
  std::size_t in_stride, in_offset, out_stride, out_offset;
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    const LinkConstants<Real>& c = links[link];
    const Real v = drive_v[link * in_stride + in_offset + n];
    Real t;
    if constexpr (Junction)
      t = ring_transmission_junction(c, v);
    else
      t = c.ring.transmission(v);
    current_a[link * out_stride + out_offset + n] = photodiode_current_a(c, t);
  }
};

// The MZM's or the EML's transmission and photodetection (physics/mzm.hpp, physics/eml.hpp), as
// RingToPhotocurrent; the choice is batch-wide.
template <class Real, int Kind>
struct ModulatorToPhotocurrent {
  const LinkConstants<Real>* links;
  const Real* drive_v;
  Real* current_a;
  std::size_t in_stride, in_offset, out_stride, out_offset;
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    const LinkConstants<Real>& c = links[link];
    const Real v = drive_v[link * in_stride + in_offset + n];
    if constexpr (Kind == kModulatorEml)
      current_a[link * out_stride + out_offset + n] = photodiode_current_a(c, c.eml.transmission(v));
    else if constexpr (Kind == kModulatorNone)  // an electrical lane: the voltage, as a current
      current_a[link * out_stride + out_offset + n] = photodiode_current_a(c, v);
    else
      current_a[link * out_stride + out_offset + n] = photodiode_current_a(c, c.mzm.transmission(v));
  }
};

// The resonance lock's monitor photodiode: the ring's mean through-port transmission over the
// chunk, from the photocurrent the ring stage wrote (T = (I - I_dark) / (P loss R)). Each row
// (link, part) sums `part_samples` consecutive samples in double, so the sum does not lose the
// float samples' digits and the GPU sums the parts in parallel; the host adds the parts.
template <class Real>
struct MonitorPartialSums {
  const LinkConstants<Real>* links;
  const Real* current_a;  // [links][stride] from offset
  double* partial;        // [links][parts]: sum of T over the part
  std::size_t stride, offset, part_samples, parts;
  LL_HD void operator()(std::size_t row, std::size_t) const {
    const std::size_t link = row / parts, part = row % parts;
    const LinkConstants<Real>& c = links[link];
    const Real* x = current_a + link * stride + offset + part * part_samples;
    double sum = 0.0;
    for (std::size_t n = 0; n < part_samples; ++n) sum += static_cast<double>(x[n]);
    const double dark = static_cast<double>(c.dark_current_a);
    partial[row] = (sum - dark * static_cast<double>(part_samples)) /
                   static_cast<double>(c.photocurrent_per_transmission_a);
  }
};

// Overlap-save, step 1: copy block b (H + B samples from b*B of the extended buffer, whose first
// H samples are the previous chunk's tail) into the FFT input.
template <class Real>
struct GatherBlocks {
  const Real* ext;  // [links][ext_stride]
  Real* fft_in;     // [links][blocks][fft_size]
  std::size_t ext_stride, block, fft_size, blocks;
  LL_HD void operator()(std::size_t row, std::size_t n) const {  // row = link * blocks + b
    const std::size_t link = row / blocks, b = row % blocks;
    fft_in[row * fft_size + n] = ext[link * ext_stride + b * block + n];
  }
};

// Step 2: multiply every block's spectrum by the link's transfer function (scaled by 1/N so
// the inverse transform needs no separate pass).
template <class Real>
struct MultiplySpectrum {
  Complex<Real>* spectrum;        // [links][blocks][bins]
  const Complex<Real>* transfer;  // [links][bins], already divided by fft_size
  std::size_t bins, blocks;
  LL_HD void operator()(std::size_t row, std::size_t bin) const {  // row = link * blocks + b
    const std::size_t link = row / blocks;
    spectrum[row * bins + bin] = spectrum[row * bins + bin] * transfer[link * bins + bin];
  }
};

// Step 3: the last B samples of each inverse block (after the H of history) are the valid
// linear-convolution output.
template <class Real>
struct ScatterValid {
  const Real* fft_out;  // [links][blocks][fft_size]
  Real* out;            // [links][out_stride] from out_offset
  std::size_t out_stride, out_offset, block, fft_size, blocks;
  LL_HD void operator()(std::size_t row, std::size_t n) const {  // row = link * blocks + b
    const std::size_t link = row / blocks, b = row % blocks;
    out[link * out_stride + out_offset + b * block + n] =
        fft_out[row * fft_size + (fft_size - block) + n];
  }
};

// H2 at the decision samples only (no clock recovery: the decisions read one sample per UI):
// the direct convolution y[n] = sum_k h[k] x[n - k] at n = j * spu + sample_in_ui of each
// symbol j, about 1/spu of the overlap-save's work. The taps are stored reversed (h[K-1] .. h[0])
// behind zeros to a whole number of kDirectFirLanes (direct_fir_taps), so the sum runs forward
// through memory; term i goes to partial sum i % kDirectFirLanes and the partials add in a fixed
// tree, so every backend sums in one order (SIMD-wide on the CPU: -ffp-contract=off keeps it
// exact across vector widths).
inline constexpr int kDirectFirLanes = 16;
// The padded length, which the H2 history (overlap_save_history, a power of two >= 32 and >= the
// FIR's length) also holds.
LL_HD inline std::size_t direct_fir_taps(std::size_t taps) {
  return (taps + kDirectFirLanes - 1) / kDirectFirLanes * kDirectFirLanes;
}
template <class Real>
struct FilterAtDecisions {
  const LinkConstants<Real>* links;
  const Real* ext;            // [links][ext_stride]: the H2 history, then the chunk
  const Real* taps_reversed;  // [links][taps]
  Real* out;                  // [links][chunk_symbols]
  std::size_t ext_stride, history, taps;  // taps: direct_fir_taps, <= history
  int chunk_symbols, samples_per_ui;
  LL_HD void operator()(std::size_t link, std::size_t col) const {
    const std::size_t n = history + col * samples_per_ui + links[link].sample_in_ui;
    const Real* x = ext + link * ext_stride + n + 1 - taps;
    const Real* h = taps_reversed + link * taps;
    Real acc[kDirectFirLanes] = {};
    for (std::size_t i = 0; i < taps; i += kDirectFirLanes)
      for (int j = 0; j < kDirectFirLanes; ++j) acc[j] += h[i + j] * x[i + j];
    for (int width = kDirectFirLanes / 2; width > 0; width /= 2)
      for (int j = 0; j < width; ++j) acc[j] += acc[j + width];
    out[link * chunk_symbols + col] = acc[0];
  }
};

// The received signal at each link's decision samples, where no receiver filter computed them
// (a lane without H2): the decisions then read one contiguous row per link, as after
// FilterAtDecisions.
template <class Real>
struct PickDecisionSamples {
  const LinkConstants<Real>* links;
  const Real* rx_a;  // [links][rx_stride] from rx_offset: this chunk's samples
  Real* out;         // [links][chunk_symbols]
  std::size_t rx_stride, rx_offset;
  int chunk_symbols, samples_per_ui;
  LL_HD void operator()(std::size_t link, std::size_t col) const {
    out[link * chunk_symbols + col] =
        rx_a[link * rx_stride + rx_offset + col * samples_per_ui + links[link].sample_in_ui];
  }
};

// Keep the last `history` samples of each link's extended buffer for the next chunk.
template <class T>
struct CarryTail {
  T* ext;
  std::size_t ext_stride, chunk;  // ext holds history + chunk items per link
  LL_HD void operator()(std::size_t link, std::size_t n) const {  // n < history
    // Reads are ahead of writes by `chunk` >= history items, so the copy is safe in any order
    // only when chunk >= history; the engine guarantees it.
    ext[link * ext_stride + n] = ext[link * ext_stride + chunk + n];
  }
};

// Sampling, noise and decision for every symbol decided in this chunk. Writes each decision
// (pack_decision: the level sent and the level decided).
template <class Real>
struct DecideSymbols {
  const LinkConstants<Real>* links;
  const Real* at_decisions;       // [links][chunk_symbols]: the received signal at the decisions
  const std::uint8_t* tx_levels;  // [links][history + chunk]
  std::uint8_t* decisions;        // [links][chunk_symbols]
  NoiseKey* keys;                 // [links]
  int history_symbols, chunk_symbols, samples_per_ui;
  std::uint64_t chunk_first_sample;  // absolute index of this chunk's first sample
  LL_HD void operator()(std::size_t link, std::size_t col) const {
    const int j = static_cast<int>(col);
    const std::size_t i = link * chunk_symbols + col;
    const LinkConstants<Real>& c = links[link];
    const std::size_t n = static_cast<std::size_t>(j) * samples_per_ui + c.sample_in_ui;
    const Real y = noisy_sample(c, keys[link], at_decisions[i], chunk_first_sample + n);
    const unsigned rx_level = decide_level(c, y);
    // The symbol decided at chunk position j was sent delay_symbols symbols earlier; tx_levels
    // holds [history | chunk] with history >= every link's delay.
    const unsigned tx_level =
        tx_levels[link * (history_symbols + chunk_symbols) + history_symbols + j - c.delay_symbols];
    decisions[i] = pack_decision(tx_level, rx_level);
  }
};

// LinkCounters::stop_reason's values once a link stops (0 while it runs): the engine's
// (CountErrors) and the segments' sum (kernels/segments.hpp) set them; host/io/results.hpp
// StopReason names them for the file.
inline constexpr std::uint8_t kStopTargetErrors = 1;
inline constexpr std::uint8_t kStopBitBudget = 2;

// Per-link running counts with the stop rule applied symbol by symbol, so the counts do not
// depend on the chunk size.
struct LinkCounters {
  std::uint64_t bits, bit_errors, symbols, symbol_errors;
  std::uint64_t stop_symbol;  // absolute index of the first symbol not counted (when stopped)
  std::uint8_t stop_reason;   // StopReason: 0 while running
  std::uint32_t open_burst;   // length of the run of symbol errors still going on
  std::uint64_t bursts[kBurstBins];
  std::uint8_t pair_first;  // PAM6: the decision of the pair's first symbol
  std::uint8_t pair_open;   // PAM6: 1 while pair_first waits for the second symbol
  FecCounters fec;          // the counted bits as RS(544,514) codewords
};

LL_HD inline void close_burst(LinkCounters& c) {
  if (c.open_burst == 0) return;
  c.bursts[(c.open_burst < kBurstBins ? c.open_burst : kBurstBins) - 1] += 1;
  c.open_burst = 0;
}

// Scores the chunk's decisions in symbol order: symbol errors (and their bursts) per symbol, bit
// errors per label (a PAM6 label when its pair's second symbol is in; a pair cut by the warm-up
// is not counted).
template <class Real>
struct CountErrors {
  const LinkConstants<Real>* links;
  const std::uint8_t* decisions;  // [links][chunk_symbols]: pack_decision
  LinkCounters* counters;         // [links]
  int chunk_symbols;
  std::int64_t chunk_first_symbol;  // absolute index of this chunk's first transmitted symbol
  std::uint64_t target_errors, max_bits;
  LL_HD void operator()(std::size_t link, std::size_t) const {
    LinkCounters c = counters[link];
    if (c.stop_reason != 0) return;
    const LinkConstants<Real>& lc = links[link];
    const std::uint8_t* d = decisions + link * chunk_symbols;
    const std::int64_t first_symbol =
        chunk_first_symbol - lc.delay_symbols - lc.decision_lag_symbols;
    const bool pairs = lc.mapping.symbols_per_label == 2;
    for (int j = 0; j < chunk_symbols; ++j) {
      const std::int64_t k = first_symbol + j;
      if (k < lc.warmup_symbols) continue;
      const unsigned tx = decision_tx(d[j]), rx = decision_rx(d[j]);
      c.symbols += 1;
      if (tx != rx) {
        c.symbol_errors += 1;
        c.open_burst += 1;
      } else {
        close_burst(c);
      }
      if (!pairs) {
        const unsigned wrong = gray_encode(tx) ^ gray_encode(rx);
        c.bits += static_cast<std::uint64_t>(lc.mapping.label_bits);
        c.bit_errors += popcount32(wrong);
        fec_add_label(c.fec, wrong, lc.mapping.label_bits, lc.fec_interleave, lc.fec_inner);
      } else if ((k & 1) == 0) {  // a pair starts at every even symbol (SymbolSource)
        c.pair_first = d[j];
        c.pair_open = 1;
      } else if (c.pair_open) {
        const unsigned tx_pair = 6u * decision_tx(c.pair_first) + tx;
        const unsigned rx_pair = 6u * decision_rx(c.pair_first) + rx;
        const unsigned wrong = pam6_label_of_pair(tx_pair) ^ pam6_label_of_pair(rx_pair);
        c.bits += static_cast<std::uint64_t>(lc.mapping.label_bits);
        c.bit_errors += popcount32(wrong);
        fec_add_label(c.fec, wrong, lc.mapping.label_bits, lc.fec_interleave, lc.fec_inner);
        c.pair_open = 0;
      }
      if (c.bit_errors >= target_errors || c.bits >= max_bits) {
        close_burst(c);
        c.stop_reason = c.bit_errors >= target_errors ? kStopTargetErrors : kStopBitBudget;
        c.stop_symbol = static_cast<std::uint64_t>(k + 1);
        break;
      }
    }
    counters[link] = c;
  }
};

// 2-UI eye histogram: each sample (with its own noise draw) is folded modulo 2 UI about the
// sampling instant; symbols [eye_first_symbol, eye_end_symbol) contribute, where the end is also
// bounded by the link's stop. In two passes so that the first, the noise and the arithmetic,
// vectorises on the CPU: EyeCells finds each sample's histogram cell, AddEyeCells counts them
// (serial per link on the CPU; atomics on the GPU).
inline constexpr std::uint32_t kNoEyeCell = ~0u;  // outside the eye's window or plotted range
// The first absolute sample of a link's eye window: [-1, +1) UI about the decision of its first
// symbol after the warm-up (sample s folds about the decision of symbol k(s)); the window spans
// eye_symbols UI from there (EyeWindows; the engine's eye_end_sample, kernels/engine).
template <class Real>
LL_HD inline std::int64_t eye_window_first(const LinkConstants<Real>& c, int samples_per_ui) {
  return (c.warmup_symbols + c.delay_symbols - 1) * samples_per_ui + c.sample_in_ui;
}

// Each link's eye window in this chunk, once per link ahead of EyeCells: the samples
// [first, end) that feed it (absolute indices) and the phase of the chunk's first sample.
struct EyeWindow {
  std::int64_t first, end;
  std::int64_t phase0;  // (chunk's first sample - delay + 1 UI) mod 2 UI
};
template <class Real>
struct EyeWindows {
  const LinkConstants<Real>* links;
  const LinkCounters* counters;
  EyeWindow* windows;  // [links]
  std::uint64_t chunk_first_sample;
  std::int64_t eye_symbols;  // symbols from the link's warm-up end that feed the eye
  int samples_per_ui;
  LL_HD void operator()(std::size_t link, std::size_t) const {
    const LinkConstants<Real>& c = links[link];
    const std::int64_t delay_samples =
        static_cast<std::int64_t>(c.delay_symbols) * samples_per_ui + c.sample_in_ui;
    EyeWindow w;
    w.first = eye_window_first(c, samples_per_ui);
    w.end = w.first + eye_symbols * samples_per_ui;
    const LinkCounters& cnt = counters[link];
    if (cnt.stop_reason != 0) {
      const std::int64_t stop_end = static_cast<std::int64_t>(cnt.stop_symbol) * samples_per_ui +
                                    delay_samples - samples_per_ui;
      w.end = stop_end < w.end ? stop_end : w.end;
    }
    const std::int64_t phase_bins = 2 * samples_per_ui;
    w.phase0 = (static_cast<std::int64_t>(chunk_first_sample) - delay_samples + samples_per_ui) %
               phase_bins;
    w.phase0 = w.phase0 < 0 ? w.phase0 + phase_bins : w.phase0;
    windows[link] = w;
  }
};
// Each sample's histogram cell, with the sample's own noise draw. Selects, not branches, and the
// phase's modulo by a quotient estimated in double and corrected (integer division does not
// vectorise), so that the loop is SIMD on the CPU.
template <class Real>
struct EyeCells {
  const LinkConstants<Real>* links;
  const EyeWindow* windows;  // [links]
  const Real* rx_a;
  std::uint32_t* cells;  // [links][chunk_samples]: amplitude bin x phase_bins + phase, or kNoEyeCell
  NoiseKey* keys;
  std::size_t rx_stride, rx_offset, chunk_samples;
  std::uint64_t chunk_first_sample;
  int samples_per_ui, amplitude_bins;
  Real amplitude_range;  // the histogram spans [-range, +range] in normalised amplitude
  LL_HD LL_FORCEINLINE void operator()(std::size_t link, std::size_t n) const {
    const std::int64_t s = static_cast<std::int64_t>(chunk_first_sample + n);
    const LinkConstants<Real>& c = links[link];
    const EyeWindow& w = windows[link];
    const Real y = (noisy_sample(c, keys[link], rx_a[link * rx_stride + rx_offset + n],
                                 static_cast<std::uint64_t>(s)) -
                    c.eye_offset_a) /
                   c.eye_scale_a;
    const std::int64_t phase_bins = 2 * samples_per_ui;
    const std::int64_t x = w.phase0 + static_cast<std::int64_t>(n);
    std::int64_t p =
        x - static_cast<std::int64_t>(static_cast<double>(x) / static_cast<double>(phase_bins)) *
                phase_bins;
    p = p < 0 ? p + phase_bins : p;
    p = p >= phase_bins ? p - phase_bins : p;
    const Real u = (y + amplitude_range) / (Real(2) * amplitude_range);
    const std::int64_t a = static_cast<std::int64_t>(u * amplitude_bins);
    const bool inside = (s >= w.first) & (s < w.end) & (u >= Real(0)) & (u < Real(1));  // NaN: no
    const std::int64_t cell = (a < amplitude_bins ? a : amplitude_bins - 1) * phase_bins + p;
    cells[link * chunk_samples + n] = inside ? static_cast<std::uint32_t>(cell) : kNoEyeCell;
  }
};
template <class Real>
struct AddEyeCells {
  const std::uint32_t* cells;  // [links][chunk_samples]
  std::uint32_t* histogram;    // [links][amplitude_bins][phase_bins]
  std::size_t chunk_samples, cells_per_link;  // amplitude_bins x phase_bins
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    const std::uint32_t cell = cells[link * chunk_samples + n];
    if (cell == kNoEyeCell) return;
    std::uint32_t* bin = histogram + link * cells_per_link + cell;
#if defined(__CUDA_ARCH__)
    atomicAdd(bin, 1u);
#else
    *bin += 1;
#endif
  }
};

}  // namespace ll
