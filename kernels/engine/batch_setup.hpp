// What the host hands the engine (kernels/engine/lane_engine.hpp): one link's prepared inputs
// (LinkSetup), what a batch's links share (BatchSetup), and the engine's geometry derived from
// them (the symbols kept in flight, the overlap-save sizes, the traffic model), which the host's
// planning reads too (host/run/plan.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/engine/fir.hpp"
#include "kernels/engine/stage_keys.hpp"
#include "kernels/engine/thermal_loop.hpp"
#include "physics/cdr.hpp"
#include "physics/equalizer.hpp"
#include "physics/fibre.hpp"
#include "physics/bundle.hpp"
#include "physics/mpi.hpp"
#include "physics/jitter.hpp"
#include "physics/lane.hpp"
#include "physics/wdm_bus.hpp"

namespace ll {

// One link as the host prepared it: precision-independent inputs to the engine.
struct LinkSetup {
  LinkConstants<double> constants{};
  std::vector<double> h1_taps;  // driver bandwidth FIR (empty: identity), applied polyphase
  // With a transmit DAC (constants.dac_codes > 0): H1 without the transmit FFE, which the DAC
  // forms symbol by symbol (physics/lane.hpp symbol_excursion_v). h1_taps keeps the whole
  // chain for the set-up's linear analysis.
  std::vector<double> h1_after_dac_taps;
  std::vector<double> h2_taps;  // receiver bandwidth FIR (empty: identity)
  std::uint32_t prbs_seed = 0;
  NoiseKey noise_key{};
  // WDM bus (BatchSetup::bus_lanes > 0): ring k of the bus as this lane's channel sees it, and
  // this lane's photodiode row of the demultiplexer's drop matrix (physics/wdm_bus.hpp).
  std::vector<RingModulator<double>> bus_seen;
  std::vector<double> bus_drop;
  // The chunk-rate resonance lock (kernels/engine/thermal_loop.hpp); disabled: the designed operating point.
  ThermalLoopSetup thermal_loop;
  // The receiver's FFE and DFE (physics/equalizer.hpp; BatchSetup::rx_equalizer), their initial
  // taps (MMSE, or LMS's starting point) and the DFE limit.
  RxEqualizerConstants<double> equalizer{};
  std::vector<double> ffe_taps, dfe_taps;
  // Transmit jitter (physics/jitter.hpp; BatchSetup::tx_jitter).
  JitterParams<double> jitter{};
  // Clock recovery (physics/cdr.hpp; BatchSetup::cdr) and its starting phase (samples).
  CdrConstants<double> cdr{};
  double cdr_initial_phase_samples = 0.0;
  // The stages' own keys (kernels/engine/stage_keys.hpp), as the scenario gave them.
  StageValues stage_values;
  // A fibre after the ring (BatchSetup::fibre): its dispersion as a centred complex FIR on the
  // field (kernels/engine/fir.hpp design_fibre_fir); empty: none.
  std::vector<Complex<double>> fibre_taps;
  // Multipath interference in the fibre (BatchSetup::mpi; physics/mpi.hpp): its paths (count 0:
  // none), and the statistical eye's Gaussian share of it, A^2 per A of signal photocurrent.
  MpiPaths mpi;
  double mpi_noise_var_per_a = 0.0;
  // An imaging bundle's neighbouring cores (BatchSetup::bundle; physics/bundle.hpp); none: 0.
  BundleCoupling bundle;
};

// What every link of a batch shares (the stage topology and the run rules).
struct BatchSetup {
  std::vector<LinkSetup> links;
  Pattern pattern = Pattern::prbs31q;
  int levels = 4;  // PAM order; its bits per symbol from symbol_mapping (physics/prbs.hpp)
  int samples_per_ui = 32;
  int chunk_symbols = 4096;
  // Overlap-save geometry: each FFT block of size history + valid produces `valid` output samples
  // from `history` samples of the previous block; valid = 4 x history (N = 5H: radix-5 sizes are
  // fast in FFTW and cuFFT). history >= the longest FIR minus one.
  std::size_t overlap_history = 32;
  bool has_h1 = false, has_h2 = false;
  bool ring_dynamic = false;  // coupled-mode recurrence instead of the static transmission
  bool eo_junction = false;   // tabulated PN-junction electro-optic model (every link)
  std::size_t scan_tile = 0;  // dynamic ring: samples per scan tile; 0 = one sequential pass
  // WDM bus: links come in groups of bus_lanes consecutive lanes sharing one transmit bus and
  // one demultiplexer; 0 = independent links.
  int bus_lanes = 0;
  std::uint64_t target_errors = 100;
  std::uint64_t max_bits = 1'000'000;
  // Bits per segment of a point (kernels/segments.hpp); 0: one segment.
  std::uint64_t segment_bits = 0;
  std::int64_t eye_symbols = 0;
  int eye_amplitude_bins = 256;
  double eye_amplitude_range = 1.5;
  bool record_thermal_trace = false;  // keep every chunk's lock-loop state (tests, waveform dumps)
  bool rx_equalizer = false;          // every link decides through its FFE and DFE
  bool tx_jitter = false;             // the drive's transitions move (JitteredDrive)
  bool cdr = false;                   // every link samples at its recovered phase (CdrDecide)
  bool fibre = false;                 // the field crosses a fibre (FibreStage) before detection
  bool mpi = false;
  bool bundle = false;                // a micro-LED core's neighbours' light (BundleStage)                   // ... and its reflections' copies (MpiStage) ahead of it
  int modulator = kModulatorRing;     // the ring, or an MZM or EML (ModulatorStage) instead
};

// The H1 the engine runs on the transmitter's per-symbol output.
inline const std::vector<double>& engine_h1_taps(const LinkSetup& l) {
  return l.constants.dac_codes > 0 ? l.h1_after_dac_taps : l.h1_taps;
}

// Symbols before the current one that the transmitter's output reads (the DAC's FFE).
inline int transmitter_reach_symbols(const LinkSetup& l) {
  return l.constants.dac_codes > 0 ? kTxFfeTaps - 1 : 0;
}

// The step response of a link's engine H1 at samples -1 .. : entry 0 is 0, entry n + 1 the sum
// of the FIR's first n + 1 taps (identity: a one-sample ramp to 1).
inline std::vector<double> drive_step_table(const LinkSetup& l) {
  const std::vector<double>& h1 = engine_h1_taps(l);
  std::vector<double> s(1, 0.0);
  if (h1.empty()) {
    s.push_back(1.0);
    return s;
  }
  double acc = 0.0;
  for (double h : h1) s.push_back(acc += h);
  return s;
}

// Overlap-save history for the batch's H2: the smallest power of two (>= 32) that holds every
// FIR's taps (taps - 1 would do for the overlap-save; the direct sum at the decisions reads its
// taps padded to a multiple of 16, physics/lane.hpp FilterAtDecisions). The valid block is 4
// times that.
inline std::size_t overlap_save_history(const BatchSetup& b) {
  std::size_t taps = 1;
  for (const LinkSetup& l : b.links) taps = std::max(taps, l.h2_taps.size());
  std::size_t history = 32;
  while (history < taps) history *= 2;
  return history;
}
inline std::size_t overlap_save_valid(const BatchSetup& b) { return 4 * b.overlap_history; }

// The drive pulse p = rect(spu) * h1 of one link, zero-padded to `symbols` UI.
inline std::vector<double> drive_pulse(const std::vector<double>& h1_taps, int samples_per_ui,
                                       int symbols) {
  std::vector<double> p = convolve_fir(std::vector<double>(samples_per_ui, 1.0), h1_taps);
  p.resize(static_cast<std::size_t>(symbols) * samples_per_ui, 0.0);
  return p;
}
// Symbols the drive pulse rect * h1 of one link spans (it has taps + spu - 1 samples).
inline int drive_pulse_symbols(const std::vector<double>& h1_taps, int samples_per_ui) {
  const std::size_t taps = std::max<std::size_t>(1, h1_taps.size());
  return static_cast<int>((taps + 2 * samples_per_ui - 2) / samples_per_ui);
}
inline int drive_pulse_symbols(const BatchSetup& b) {
  int symbols = 1;
  for (const LinkSetup& l : b.links)
    symbols = std::max(symbols, drive_pulse_symbols(engine_h1_taps(l), b.samples_per_ui));
  return symbols;
}

// The symbols the engine keeps in flight before each chunk: the drive pulse's span, the DAC's
// FFE reach, each link's decision delay and lag, and with transmit jitter the transitions'
// settling (the step response plus the largest shift, 8 sigma of RJ, and the drive's delay). A
// chunk must hold them: plan_sweep refuses a run.chunk_symbols that does not, before anything
// runs.
struct EngineSpan {
  int history_symbols = 1;
  int settle_symbols = 0;  // transmit jitter: symbols a transition takes to settle
  int step_points = 0;     // transmit jitter: points of the longest drive step table
};
inline EngineSpan engine_span(const BatchSetup& setup) {
  EngineSpan e;
  const int spu = setup.samples_per_ui;
  int reach = 0;
  for (const LinkSetup& l : setup.links) reach = std::max(reach, transmitter_reach_symbols(l));
  e.history_symbols = std::max(e.history_symbols, drive_pulse_symbols(setup) - 1 + reach);
  for (const LinkSetup& l : setup.links)
    e.history_symbols = std::max(e.history_symbols,
                                 l.constants.delay_symbols + l.constants.decision_lag_symbols + 1);
  if (setup.tx_jitter) {
    std::size_t points = 0;
    double shift = 0.0;  // the latest a transition reaches: its shift after the drive's delay
    for (const LinkSetup& l : setup.links) {
      points = std::max(points, drive_step_table(l).size());
      shift = std::max(shift, jitter_reach_samples(l.jitter) + l.jitter.lead_samples);
    }
    e.step_points = static_cast<int>(points);
    e.settle_symbols = static_cast<int>(std::ceil((static_cast<double>(points) + shift) / spu)) + 1;
    e.history_symbols = std::max(e.history_symbols, e.settle_symbols + 1 + reach);
  }
  return e;
}

// The bytes the engine's passes move through memory per sample of every link, counted pass by
// pass from step() (each read and each write of a buffer element once; what a cache keeps is not
// subtracted), for `real_bytes`-wide samples (4: the GPU's float), so that a measured sample rate
// times this over the device's measured copy rate is the fraction of the memory roofline reached
// (scripts/gpu_check.sh). `gather_blocks`: the FFT reads its overlapping blocks through a copy
// (cuFFT; FFTW reads them in place). Counted: the symbols and the polyphase drive, the ring, the
// receiver's filter (without clock recovery its direct sum at the decisions, reading the
// photocurrent once and writing a sample per UI; with it the overlap-save convolution: gather,
// forward FFT, spectrum x transfer, inverse FFT, scatter of the valid part) and the decisions with
// the error count. Left out: the eye histogram and the whole filtered waveform that it reads (its
// first eye.symbols only), the carried tails (a history per chunk), the jittered drive, the WDM
// bus, the dynamic ring's scan and the equalisers, none in the default lane.
inline double engine_traffic_bytes_per_sample(const BatchSetup& b, bool gather_blocks,
                                              double real_bytes = 4.0) {
  const double spu = b.samples_per_ui;
  double bytes = 1.0 / spu;                                         // symbols written
  bytes += drive_pulse_symbols(b) / spu + real_bytes;               // drive: tx read, drive written
  bytes += 2.0 * real_bytes;                                        // ring: drive in, current out
  if (b.has_h2 && !b.cdr) {
    bytes += real_bytes + real_bytes / spu;  // FilterAtDecisions: current in, a sample per UI out
  } else if (b.has_h2) {
    const double block = static_cast<double>(overlap_save_valid(b));
    const double fft = block + static_cast<double>(b.overlap_history);
    const double bins = fft / 2.0 + 1.0;
    const double per_block_real = real_bytes * fft / block;         // a block's FFT input or output
    const double per_block_complex = 2.0 * real_bytes * bins / block;  // its spectrum
    if (gather_blocks) bytes += 2.0 * per_block_real;               // current in, blocks out
    bytes += per_block_real + per_block_complex;                    // forward FFT
    bytes += 3.0 * per_block_complex;                               // spectrum, transfer, spectrum
    bytes += per_block_complex + per_block_real;                    // inverse FFT
    bytes += 2.0 * real_bytes;                                      // valid part out
  }
  bytes += (real_bytes + 2.0) / spu;  // a decision sample, the symbol sent, the decision
  bytes += 2.0 / spu;                 // the error count: decisions and symbols again
  return bytes;
}

}  // namespace ll
