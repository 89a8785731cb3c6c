// The streaming Monte-Carlo engine, written once for every backend.
//
// A batch of L links (structure of arrays, link-major) runs through chunks of symbols. Every
// state is carried across chunks: PRBS registers, the filter history of the two overlap-save
// convolutions (H1 before the ring, H2 after the photodiode), the transmitted symbols still
// in flight through the chain, the per-link counters. Noise is indexed by absolute sample, so
// nothing depends on the chunk size or on how many links share a batch. Memory is bounded by
// chunk size x L, never by the number of bits.
//
// `Exec` is the backend: it owns memory (Exec::Buffer<T>), runs a functor over an index range
// (Exec::for_each(rows, cols, f) calls f(row, col): nested serial loops in each OpenMP worker
// on the CPU, a grid-stride kernel on the GPU) and provides batched real FFTs (Exec::Fft<Real>:
// FFTW or cuFFT).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "kernels/engine/fir.hpp"
#include "kernels/engine/thermal_loop.hpp"
#include "physics/cdr.hpp"
#include "physics/equalizer.hpp"
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
  std::int64_t eye_symbols = 0;
  int eye_amplitude_bins = 256;
  double eye_amplitude_range = 1.5;
  bool record_thermal_trace = false;  // keep every chunk's lock-loop state (tests, waveform dumps)
  bool rx_equalizer = false;          // every link decides through its FFE and DFE
  bool tx_jitter = false;             // the drive's transitions move (JitteredDrive)
  bool cdr = false;                   // every link samples at its recovered phase (CdrDecide)
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
// FIR's taps - 1. The valid block is 4 times that.
inline std::size_t overlap_save_history(const BatchSetup& b) {
  std::size_t taps = 1;
  for (const LinkSetup& l : b.links) taps = std::max(taps, l.h2_taps.size());
  std::size_t history = 32;
  while (history + 1 < taps) history *= 2;
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
// receiver's overlap-save convolution (gather, forward FFT, spectrum x transfer, inverse FFT,
// scatter of the valid part) and the decisions with the error count. Left out: the eye histogram
// (its first eye.symbols only), the carried tails (a history per chunk), the jittered drive, the
// WDM bus, the dynamic ring's scan and the equalisers, none in the default lane.
inline double engine_traffic_bytes_per_sample(const BatchSetup& b, bool gather_blocks,
                                              double real_bytes = 4.0) {
  const double spu = b.samples_per_ui;
  double bytes = 1.0 / spu;                                         // symbols written
  bytes += drive_pulse_symbols(b) / spu + real_bytes;               // drive: tx read, drive written
  bytes += 2.0 * real_bytes;                                        // ring: drive in, current out
  if (b.has_h2) {
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

template <class Exec, class Real>
class LaneEngine {
 public:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

  LaneEngine(Exec& exec, const BatchSetup& setup)
      : exec_(exec),
        L_(setup.links.size()),
        spu_(setup.samples_per_ui),
        chunk_(setup.chunk_symbols),
        history_(setup.overlap_history),
        block_(overlap_save_valid(setup)),
        fft_size_(history_ + block_),
        bins_(fft_size_ / 2 + 1),
        chunk_samples_(static_cast<std::size_t>(setup.chunk_symbols) * setup.samples_per_ui),
        blocks_(chunk_samples_ / block_),
        ext_stride_(history_ + chunk_samples_),
        has_h2_(setup.has_h2),
        ring_dynamic_(setup.ring_dynamic),
        eo_junction_(setup.eo_junction),
        scan_tile_(setup.scan_tile),
        bus_lanes_(setup.bus_lanes),
        target_errors_(setup.target_errors),
        max_bits_(setup.max_bits),
        eye_symbols_(setup.eye_symbols),
        amp_bins_(setup.eye_amplitude_bins),
        amp_range_(static_cast<Real>(setup.eye_amplitude_range)) {
    if (L_ == 0) throw std::invalid_argument("lane engine: a batch needs at least one link");
    if (chunk_samples_ % block_ != 0 || chunk_samples_ < block_)
      throw std::invalid_argument("lane engine: the chunk must be a whole number of blocks");
    for (const LinkSetup& l : setup.links)
      if (l.constants.delay_symbols < 0 || l.constants.sample_in_ui < 0 ||
          l.constants.sample_in_ui >= spu_)
        throw std::invalid_argument("lane engine: the decision sample lies outside the chain");
    pulse_symbols_ = drive_pulse_symbols(setup);
    const EngineSpan span = engine_span(setup);
    history_symbols_ = span.history_symbols;
    settle_symbols_ = span.settle_symbols;
    step_points_ = span.step_points;
    if (history_symbols_ > chunk_)
      throw std::invalid_argument("lane engine: the chain delay exceeds one chunk");
    if (bus_lanes_ < 0 || (bus_lanes_ > 0 && L_ % static_cast<std::size_t>(bus_lanes_) != 0))
      throw std::invalid_argument("lane engine: a WDM batch needs whole buses of lanes");
    if (bus_lanes_ > 0 && chunk_samples_ % kBusTile != 0)
      throw std::invalid_argument("lane engine: a WDM chunk must be a whole number of bus tiles");

    std::vector<LinkConstants<Real>> constants(L_);
    std::vector<SymbolSource> sources(L_);
    std::vector<NoiseKey> keys(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      constants[l] = convert_constants<Real>(setup.links[l].constants);
      sources[l] = SymbolSource::make(setup.pattern, setup.links[l].prbs_seed, setup.levels);
      keys[l] = setup.links[l].noise_key;
    }
    links_ = Buffer<LinkConstants<Real>>(L_);
    links_.upload(constants.data(), L_);
    sources_ = Buffer<SymbolSource>(L_);
    sources_.upload(sources.data(), L_);
    keys_ = Buffer<NoiseKey>(L_);
    keys_.upload(keys.data(), L_);
    counters_ = Buffer<LinkCounters>(L_);  // zero: running, nothing counted
    counters_host_.assign(L_, LinkCounters{});
    tx_ = Buffer<std::uint8_t>(L_ * (history_symbols_ + chunk_));
    drive_ = Buffer<Real>(L_ * chunk_samples_);
    {
      std::vector<Real> pulses(L_ * pulse_symbols_ * spu_);
      for (std::size_t l = 0; l < L_; ++l) {
        const std::vector<double> p =
            drive_pulse(engine_h1_taps(setup.links[l]), spu_, pulse_symbols_);
        std::copy(p.begin(), p.end(), pulses.begin() + l * p.size());
      }
      pulse_ = Buffer<Real>(pulses.size());
      pulse_.upload(pulses.data(), pulses.size());
    }
    current_ = Buffer<Real>(L_ * ext_stride_);
    decisions_ = Buffer<std::uint8_t>(L_ * chunk_);
    eye_ = Buffer<std::uint32_t>(L_ * amp_bins_ * 2 * spu_);
    if (has_h2_) {
      fft_in_ = Buffer<Real>(L_ * blocks_ * fft_size_);
      spectrum_ = Buffer<Complex<Real>>(L_ * blocks_ * bins_);
      fft_ = typename Exec::template Fft<Real>(exec_, fft_size_, L_ * blocks_);
      if constexpr (Fft::reads_overlapped_blocks)
        fft_link_ = typename Exec::template Fft<Real>(exec_, fft_size_, blocks_, block_);
      rx_ = Buffer<Real>(L_ * chunk_samples_);
      h2_ = make_transfer(setup, &LinkSetup::h2_taps);
    }
    if (bus_lanes_ > 0) {
      const std::size_t N = static_cast<std::size_t>(bus_lanes_);
      std::vector<RingModulator<Real>> seen(L_ * N);
      std::vector<Real> drop(L_ * N);
      for (std::size_t l = 0; l < L_; ++l) {
        const LinkSetup& ls = setup.links[l];
        if (ls.bus_seen.size() != N || ls.bus_drop.size() != N)
          throw std::invalid_argument("lane engine: a bus lane needs one entry per lane");
        for (std::size_t k = 0; k < N; ++k) {
          seen[l * N + k] = ls.bus_seen[k].template converted<Real>();
          drop[l * N + k] = static_cast<Real>(ls.bus_drop[k]);
        }
      }
      bus_seen_ = Buffer<RingModulator<Real>>(L_ * N);
      bus_seen_.upload(seen.data(), seen.size());
      bus_drop_ = Buffer<Real>(L_ * N);
      bus_drop_.upload(drop.data(), drop.size());
      own_current_ = Buffer<Real>(L_ * chunk_samples_);
      channel_ = Buffer<Real>(L_ * chunk_samples_);
    }
    if (ring_dynamic_) {
      ring_state_ = Buffer<Complex<Real>>(L_);  // zero: the ring starts empty
      if (scan_tile_) {
        if (chunk_samples_ % scan_tile_ != 0)
          throw std::invalid_argument("lane engine: the chunk must be a whole number of tiles");
        tiles_ = chunk_samples_ / scan_tile_;
        tile_map_ = Buffer<AffineMap<Real>>(L_ * tiles_);
        tile_entering_ = Buffer<Complex<Real>>(L_ * tiles_);
      }
    }
    setup_thermal_loops(setup);
    if (setup.rx_equalizer) setup_equalizers(setup);
    if (setup.tx_jitter) setup_jitter(setup);
    if (setup.cdr) setup_cdr(setup);
  }

  std::size_t links() const { return L_; }
  std::uint64_t chunks_done() const { return chunk_index_; }

  // Runs one chunk for every link. Returns true while some link has not met its stop rule.
  bool step() {
    const std::uint64_t first_sample = chunk_index_ * chunk_samples_;
    const std::int64_t first_symbol = static_cast<std::int64_t>(chunk_index_) * chunk_;

    exec_.for_each(L_, 1, GenerateSymbols{sources_.data(), tx_.data(), history_symbols_, chunk_});
    if (!jitter_enabled_) {
      // H1 (driver bandwidth) as a polyphase filter on the held levels.
      exec_.for_each(L_ * chunk_, 1,
                     PolyphaseDrive<Real>{links_.data(), tx_.data(), pulse_.data(), drive_.data(),
                                          history_symbols_, chunk_, spu_, pulse_symbols_});
    } else {
      exec_.for_each(
          L_, chunk_,
          TransitionTimes<Real>{jitter_.data(), keys_.data(), tau_.data(), history_symbols_, chunk_,
                                static_cast<std::uint64_t>(first_symbol)});
      exec_.for_each(L_ * chunk_, 1,
                     JitteredDrive<Real>{links_.data(), jitter_.data(), tx_.data(), tau_.data(),
                                         step_.data(), drive_.data(), history_symbols_, chunk_,
                                         spu_, settle_symbols_, step_points_});
    }
    // Each lane through its own ring: straight into the receiver's buffer, or, on a WDM bus,
    // into a per-lane buffer that the bus stages then mix.
    Real* ring_out = bus_lanes_ > 0 ? own_current_.data() : current_.data();
    const std::size_t ring_stride = bus_lanes_ > 0 ? chunk_samples_ : ext_stride_;
    const std::size_t ring_offset = bus_lanes_ > 0 ? 0 : history_;
    if (!ring_dynamic_ && !eo_junction_) {
      exec_.for_each(L_, chunk_samples_,
                     RingToPhotocurrent<Real, false>{links_.data(), drive_.data(), ring_out,
                                                     chunk_samples_, 0, ring_stride, ring_offset});
    } else if (!ring_dynamic_) {
      exec_.for_each(L_, chunk_samples_,
                     RingToPhotocurrent<Real, true>{links_.data(), drive_.data(), ring_out,
                                                    chunk_samples_, 0, ring_stride, ring_offset});
    } else if (scan_tile_ == 0) {
      exec_.for_each(L_, 1,
                     CmtSequential<Real, LinkConstants<Real>>{
                         links_.data(), drive_.data(), ring_out, ring_state_.data(), chunk_samples_,
                         ring_stride, ring_offset});
    } else {
      exec_.for_each(
          L_ * tiles_, 1,
          CmtTileReduce<Real, LinkConstants<Real>>{links_.data(), drive_.data(), tile_map_.data(),
                                                   chunk_samples_, scan_tile_, tiles_});
      exec_.for_each(
          L_, 1,
          CmtTilePrefix<Real>{tile_map_.data(), tile_entering_.data(), ring_state_.data(), tiles_});
      exec_.for_each(L_ * tiles_, 1,
                     CmtTileApply<Real, LinkConstants<Real>>{
                         links_.data(), drive_.data(), tile_entering_.data(), ring_out,
                         chunk_samples_, scan_tile_, tiles_, ring_stride, ring_offset});
    }
    if (any_loop_)
      exec_.for_each(
          L_ * monitor_parts_, 1,
          MonitorPartialSums<Real>{links_.data(), ring_out, monitor_partial_.data(), ring_stride,
                                   ring_offset, chunk_samples_ / monitor_parts_, monitor_parts_});
    if (bus_lanes_ > 0) {
      if (eo_junction_)
        exec_.for_each(L_, chunk_samples_ / kBusTile,
                       BusChannelPower<Real, true>{links_.data(), bus_seen_.data(), drive_.data(),
                                                   own_current_.data(), channel_.data(),
                                                   chunk_samples_, bus_lanes_});
      else
        exec_.for_each(L_, chunk_samples_ / kBusTile,
                       BusChannelPower<Real, false>{links_.data(), bus_seen_.data(), drive_.data(),
                                                    own_current_.data(), channel_.data(),
                                                    chunk_samples_, bus_lanes_});
      exec_.for_each(
          L_, chunk_samples_,
          BusDemux<Real>{links_.data(), bus_drop_.data(), channel_.data(), current_.data(),
                         chunk_samples_, ext_stride_, history_, bus_lanes_});
    }

    // H2: receiver bandwidth.
    rx_view_ = current_.data();
    rx_stride_ = ext_stride_;
    rx_offset_ = history_;
    if (has_h2_) {
      convolve(current_.data(), h2_, rx_.data(), chunk_samples_, 0);
      rx_view_ = rx_.data();
      rx_stride_ = chunk_samples_;
      rx_offset_ = 0;
    }

    if (cdr_enabled_) {
      exec_.for_each(
          L_, 1,
          CdrDecide<Real>{links_.data(), cdr_constants_.data(), cdr_state_.data(), rx_view_,
                          rx_tail_.data(), eq_enabled_ ? eq_samples_.data() : nullptr, kEqHistory,
                          tx_.data(), decisions_.data(), keys_.data(), counters_.data(), rx_stride_,
                          rx_offset_, history_symbols_, chunk_, spu_, cdr_tail_, first_sample,
                          first_symbol});
      exec_.for_each(L_, static_cast<std::size_t>(cdr_tail_),
                     KeepRxTail<Real>{rx_view_, rx_tail_.data(), rx_stride_, rx_offset_,
                                      chunk_samples_, cdr_tail_});
    }
    if (eq_enabled_ && !cdr_enabled_)
      exec_.for_each(L_, chunk_,
                     SampleSymbols<Real>{links_.data(), rx_view_, eq_samples_.data(), keys_.data(),
                                         rx_stride_, rx_offset_, chunk_, spu_, first_sample});
    if (!eq_enabled_ && !cdr_enabled_) {
      exec_.for_each(L_, chunk_,
                     DecideSymbols<Real>{links_.data(), rx_view_, tx_.data(), decisions_.data(),
                                         keys_.data(), rx_stride_, rx_offset_, history_symbols_,
                                         chunk_, spu_, first_sample});
    } else if (eq_enabled_) {
      exec_.for_each(L_, 1,
                     EqualizeAndDecide<Real>{links_.data(), eq_constants_.data(), eq_state_.data(),
                                             eq_samples_.data(), tx_.data(), decisions_.data(),
                                             counters_.data(), history_symbols_, chunk_});
      exec_.for_each(
          L_, kEqHistory,
          CarryTail<Real>{eq_samples_.data(), static_cast<std::size_t>(kEqHistory + chunk_),
                          static_cast<std::size_t>(chunk_)});
    }
    exec_.for_each(L_, 1,
                   CountErrors<Real>{links_.data(), decisions_.data(), counters_.data(), chunk_,
                                     first_symbol, target_errors_, max_bits_});
    if (eye_symbols_ > 0)
      exec_.for_each(L_, chunk_samples_,
                     AccumulateEye<Real>{links_.data(), rx_view_, counters_.data(), eye_.data(),
                                         keys_.data(), rx_stride_, rx_offset_, first_sample,
                                         eye_symbols_, spu_, amp_bins_, amp_range_});

    // Carry state into the next chunk: filter histories and the symbols still in flight.
    exec_.for_each(L_, history_, CarryTail<Real>{current_.data(), ext_stride_, chunk_samples_});
    exec_.for_each(
        L_, history_symbols_,
        CarryTail<std::uint8_t>{tx_.data(), static_cast<std::size_t>(history_symbols_ + chunk_),
                                static_cast<std::size_t>(chunk_)});
    if (jitter_enabled_)
      exec_.for_each(
          L_, history_symbols_,
          CarryTail<Real>{tau_.data(), static_cast<std::size_t>(history_symbols_ + chunk_),
                          static_cast<std::size_t>(chunk_)});
    ++chunk_index_;
    std::vector<bool> was_running(L_);
    for (std::size_t l = 0; l < L_; ++l) was_running[l] = counters_host_[l].stop_reason == 0;
    counters_.download(counters_host_.data(), L_);
    if (any_loop_) step_thermal_loops(was_running);
    return std::any_of(counters_host_.begin(), counters_host_.end(),
                       [](const LinkCounters& c) { return c.stop_reason == 0; });
  }

  // Runs chunks until every link has stopped.
  void run() {
    while (step()) {
    }
  }
  // The same, calling after_chunk(counters()) after every chunk (live progress).
  template <class AfterChunk>
  void run(const AfterChunk& after_chunk) {
    while (step()) after_chunk(counters_host_);
    after_chunk(counters_host_);
  }

  const std::vector<LinkCounters>& counters() const { return counters_host_; }

  // Each link's equaliser taps now (the MMSE taps, or where LMS has taken them); empty without
  // an equaliser.
  std::vector<RxEqualizerState<double>> equalizer_states() const {
    std::vector<RxEqualizerState<double>> out;
    if (!eq_enabled_) return out;
    std::vector<RxEqualizerState<Real>> st(L_);
    eq_state_.download(st.data(), L_);
    out.resize(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      for (int i = 0; i < kMaxFfeTaps; ++i) out[l].ffe[i] = static_cast<double>(st[l].ffe[i]);
      for (int k = 0; k < kMaxDfeTaps; ++k) {
        out[l].dfe[k] = static_cast<double>(st[l].dfe[k]);
        out[l].past[k] = st[l].past[k];
      }
    }
    return out;
  }

  // Each link's recovered sampling phase over the counted symbols: mean and rms about it, in
  // samples from the nominal decision sample (empty without a CDR).
  struct CdrReport {
    double mean_samples, rms_samples;
  };
  std::vector<CdrReport> cdr_reports() const {
    std::vector<CdrReport> out;
    if (!cdr_enabled_) return out;
    std::vector<CdrState<Real>> st(L_);
    cdr_state_.download(st.data(), L_);
    for (const CdrState<Real>& s : st) {
      const double n = static_cast<double>(s.phase_count);
      const double mean = n > 0 ? s.phase_sum / n : 0.0;
      const double var = n > 0 ? std::max(s.phase_sum2 / n - mean * mean, 0.0) : 0.0;
      out.push_back({mean, std::sqrt(var)});
    }
    return out;
  }

  // Where each link's resonance lock ended (enabled = false for links without the loop).
  std::vector<ThermalLoopOutcome> thermal_outcomes() const {
    std::vector<ThermalLoopOutcome> out(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      const ThermalLoopSetup& s = loop_setup_[l];
      if (!s.enabled) continue;
      out[l].enabled = true;
      out[l].heater_power_w = loop_state_[l].heater_power_w;
      out[l].lock_error_m = lock_error_m(s, loop_state_[l]);
      out[l].locked = std::abs(out[l].lock_error_m) <= s.tolerance_m;
      if (record_trace_) out[l].trace = traces_[l];
    }
    return out;
  }

  std::vector<std::uint32_t> eye_histograms() const {
    std::vector<std::uint32_t> h(eye_.size());
    eye_.download(h.data(), h.size());
    return h;
  }

  // The noiseless received photocurrent of the last chunk, [links][chunk samples], and the
  // absolute index of its first sample: for tests and waveform dumps.
  std::vector<Real> last_rx_waveform() const {
    return has_h2_ ? last_chunk_of(rx_, chunk_samples_, 0) : last_photocurrent();
  }
  // The noiseless photocurrent of the last chunk ahead of the receiver's filter H2 (the
  // photodiode's output: on a WDM bus with the other channels' crosstalk), [links][chunk
  // samples]: what a reference receiver would see (host/link/tdecq.hpp).
  std::vector<Real> last_photocurrent() const {
    // The carry already moved the tail; the chunk is intact in [history, history + chunk).
    return last_chunk_of(current_, ext_stride_, history_);
  }
  std::uint64_t last_chunk_first_sample() const {
    return (chunk_index_ == 0 ? 0 : chunk_index_ - 1) * chunk_samples_;
  }

 private:
  // Each link's last chunk of a per-link buffer of `stride` samples whose chunk starts at
  // `offset`, [links][chunk samples].
  std::vector<Real> last_chunk_of(const Buffer<Real>& buffer, std::size_t stride,
                                  std::size_t offset) const {
    std::vector<Real> all(L_ * stride);
    buffer.download(all.data(), all.size());
    std::vector<Real> out(L_ * chunk_samples_);
    for (std::size_t l = 0; l < L_; ++l)
      std::copy_n(all.begin() + l * stride + offset, chunk_samples_,
                  out.begin() + l * chunk_samples_);
    return out;
  }

  void setup_cdr(const BatchSetup& setup) {
    cdr_enabled_ = true;
    cdr_tail_ = 2 * spu_ + 2;
    if (chunk_samples_ < static_cast<std::size_t>(cdr_tail_))
      throw std::invalid_argument("lane engine: a CDR needs chunks of more than two UI");
    std::vector<CdrConstants<Real>> constants(L_);
    std::vector<CdrState<Real>> state(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      const LinkSetup& ls = setup.links[l];
      const CdrConstants<double>& k = ls.cdr;
      if (ls.constants.decision_lag_symbols < 1)
        throw std::invalid_argument("lane engine: a CDR decides one symbol late (lag >= 1)");
      CdrConstants<Real>& o = constants[l];
      o.mode = k.mode;
      o.inv_gain = static_cast<Real>(k.inv_gain);
      o.gain_p = static_cast<Real>(k.gain_p);
      o.gain_i = static_cast<Real>(k.gain_i);
      o.phase_min = static_cast<Real>(k.phase_min);
      o.phase_max = static_cast<Real>(k.phase_max);
      o.mid_a = static_cast<Real>(k.mid_a);
      o.lock_samples = static_cast<Real>(k.lock_samples);
      for (int i = 0; i < kMaxLevels; ++i) {
        o.level_value[i] = static_cast<Real>(k.level_value[i]);
        o.level_current_a[i] = static_cast<Real>(k.level_current_a[i]);
      }
      state[l] = {};
      state[l].phase = static_cast<Real>(ls.cdr_initial_phase_samples);
    }
    cdr_constants_ = Buffer<CdrConstants<Real>>(L_);
    cdr_constants_.upload(constants.data(), L_);
    cdr_state_ = Buffer<CdrState<Real>>(L_);
    cdr_state_.upload(state.data(), L_);
    rx_tail_ = Buffer<Real>(L_ * static_cast<std::size_t>(cdr_tail_));
  }

  void setup_jitter(const BatchSetup& setup) {
    jitter_enabled_ = true;
    std::vector<JitterParams<Real>> params(L_);
    std::vector<Real> steps(L_ * static_cast<std::size_t>(step_points_), Real(0));
    for (std::size_t l = 0; l < L_; ++l) {
      const JitterParams<double>& j = setup.links[l].jitter;
      params[l] = {static_cast<Real>(j.rj_rms_samples),
                   static_cast<Real>(j.sj_amplitude_samples),
                   j.sj_cycles_per_symbol,
                   static_cast<Real>(j.sj_phase_rad),
                   static_cast<Real>(j.dcd_samples),
                   static_cast<Real>(j.buj_samples),
                   j.lead_samples};
      // Shorter tables are padded with their final value (the step has settled there).
      const std::vector<double> t = drive_step_table(setup.links[l]);
      for (int n = 0; n < step_points_; ++n)
        steps[l * step_points_ + n] =
            static_cast<Real>(n < static_cast<int>(t.size()) ? t[n] : t.back());
    }
    jitter_ = Buffer<JitterParams<Real>>(L_);
    jitter_.upload(params.data(), L_);
    step_ = Buffer<Real>(steps.size());
    step_.upload(steps.data(), steps.size());
    tau_ = Buffer<Real>(L_ * (history_symbols_ + chunk_));  // zero: the idle line's edges on time
  }

  void setup_equalizers(const BatchSetup& setup) {
    eq_enabled_ = true;
    std::vector<RxEqualizerConstants<Real>> constants(L_);
    std::vector<RxEqualizerState<Real>> state(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      const LinkSetup& ls = setup.links[l];
      const RxEqualizerConstants<double>& e = ls.equalizer;
      if (e.ffe_taps < 1 || e.ffe_taps > kMaxFfeTaps || e.dfe_taps < 0 ||
          e.dfe_taps > kMaxDfeTaps || ls.ffe_taps.size() != static_cast<std::size_t>(e.ffe_taps) ||
          ls.dfe_taps.size() != static_cast<std::size_t>(e.dfe_taps) ||
          e.ffe_pre + (setup.cdr ? 1 : 0) != ls.constants.decision_lag_symbols)
        throw std::invalid_argument("lane engine: an equaliser's taps do not match its sizes");
      RxEqualizerConstants<Real>& o = constants[l];
      o.ffe_taps = e.ffe_taps;
      o.ffe_pre = e.ffe_pre;
      o.dfe_taps = e.dfe_taps;
      o.adapt_lms = e.adapt_lms;
      o.lms_step = static_cast<Real>(e.lms_step);
      o.dfe_limit = static_cast<Real>(e.dfe_limit);
      o.mid_a = static_cast<Real>(e.mid_a);
      o.swing_a = static_cast<Real>(e.swing_a);
      for (int k = 0; k < kMaxLevels; ++k) o.level_value[k] = static_cast<Real>(e.level_value[k]);
      o.adc_codes = e.adc_codes;
      o.adc_low = static_cast<Real>(e.adc_low);
      o.adc_step = static_cast<Real>(e.adc_step);
      RxEqualizerState<Real>& st = state[l];
      for (int i = 0; i < e.ffe_taps; ++i) st.ffe[i] = static_cast<Real>(ls.ffe_taps[i]);
      for (int k = 0; k < e.dfe_taps; ++k) st.dfe[k] = static_cast<Real>(ls.dfe_taps[k]);
    }
    eq_constants_ = Buffer<RxEqualizerConstants<Real>>(L_);
    eq_constants_.upload(constants.data(), L_);
    eq_state_ = Buffer<RxEqualizerState<Real>>(L_);
    eq_state_.upload(state.data(), L_);
    // Zero history: the samples before the run are the idle line's mean (y' = 0 enters as
    // -mid; the warm-up hides it).
    eq_samples_ = Buffer<Real>(L_ * (kEqHistory + chunk_));
  }

  void setup_thermal_loops(const BatchSetup& setup) {
    record_trace_ = setup.record_thermal_trace;
    loop_setup_.resize(L_);
    loop_state_.resize(L_);
    traces_.resize(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      const ThermalLoopSetup& s = setup.links[l].thermal_loop;
      loop_setup_[l] = s;
      if (!s.enabled) continue;
      if (!(s.symbol_period_s > 0.0) || !(s.optical_power_w >= 0.0))
        throw std::invalid_argument("lane engine: a lock loop needs its symbol period and power");
      any_loop_ = true;
      loop_state_[l] = {s.start, s.start_heater_power_w};
    }
    if (!any_loop_) return;
    design_constants_.resize(L_);
    live_constants_.resize(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      design_constants_[l] = setup.links[l].constants;
      live_constants_[l] = convert_constants<Real>(design_constants_[l]);
    }
    if (bus_lanes_ > 0) {
      design_bus_seen_.resize(L_ * bus_lanes_);
      for (std::size_t l = 0; l < L_; ++l)
        std::copy(setup.links[l].bus_seen.begin(), setup.links[l].bus_seen.end(),
                  design_bus_seen_.begin() + l * bus_lanes_);
    }
    // The monitor sums parts of up to 64 symbols: few enough partial sums to download per
    // chunk, enough rows to keep a GPU busy.
    std::size_t symbols_per_part = 1;
    while (symbols_per_part < 64 && chunk_ % (2 * symbols_per_part) == 0) symbols_per_part *= 2;
    monitor_parts_ = static_cast<std::size_t>(chunk_) / symbols_per_part;
    monitor_partial_ = Buffer<double>(L_ * monitor_parts_);
    monitor_host_.assign(L_ * monitor_parts_, 0.0);
    // The start may be off the designed operating point (an initial lock error).
    move_resonances();
  }

  // After a chunk: each running link's monitor reading steps its loop. A link that has stopped
  // keeps its state, so its outcome does not depend on the other links of the batch.
  void step_thermal_loops(const std::vector<bool>& was_running) {
    monitor_partial_.download(monitor_host_.data(), monitor_host_.size());
    const double chunk_samples = static_cast<double>(chunk_samples_);
    for (std::size_t l = 0; l < L_; ++l) {
      const ThermalLoopSetup& s = loop_setup_[l];
      if (!s.enabled || !was_running[l]) continue;
      double sum = 0.0;
      for (std::size_t p = 0; p < monitor_parts_; ++p) sum += monitor_host_[l * monitor_parts_ + p];
      const double monitor = sum / chunk_samples;
      const double dt = static_cast<double>(chunk_) * s.symbol_period_s;
      loop_state_[l] = thermal_loop_step(s, loop_state_[l], monitor, dt);
      if (record_trace_)
        traces_[l].push_back({static_cast<double>(chunk_index_) * dt, monitor,
                              loop_state_[l].heater_power_w, lock_error_m(s, loop_state_[l])});
    }
    move_resonances();
  }

  // Puts every looped ring's resonance where its thermal state holds it: its own link's
  // constants and, on a bus, the ring as every lane of its bus sees it.
  void move_resonances() {
    std::vector<double> error(L_, 0.0);
    for (std::size_t l = 0; l < L_; ++l)
      if (loop_setup_[l].enabled) error[l] = lock_error_m(loop_setup_[l], loop_state_[l]);
    // Only the looped links' constants move (and their dynamic-ring tables are rebuilt); the
    // others keep the conversion made once at set-up.
    for (std::size_t l = 0; l < L_; ++l)
      if (loop_setup_[l].enabled)
        live_constants_[l] =
            convert_constants<Real>(shifted_resonance(design_constants_[l], error[l]));
    links_.upload(live_constants_.data(), L_);
    if (bus_lanes_ > 0) {
      const std::size_t N = static_cast<std::size_t>(bus_lanes_);
      std::vector<RingModulator<Real>> seen(L_ * N);
      for (std::size_t l = 0; l < L_; ++l) {
        const std::size_t first_of_bus = l - l % N;
        for (std::size_t k = 0; k < N; ++k) {
          RingModulator<double> r = design_bus_seen_[l * N + k];
          r.detuning_m -= error[first_of_bus + k];
          seen[l * N + k] = r.template converted<Real>();
        }
      }
      bus_seen_.upload(seen.data(), seen.size());
    }
  }

  // Per-link transfer function of a real FIR: FFT of the zero-padded taps, divided by the FFT
  // size so the inverse transform comes out scaled.
  Buffer<Complex<Real>> make_transfer(const BatchSetup& setup,
                                      std::vector<double> LinkSetup::*taps) {
    std::vector<Complex<Real>> host(L_ * bins_);
    std::vector<double> padded(fft_size_);
    for (std::size_t l = 0; l < L_; ++l) {
      const std::vector<double>& h = setup.links[l].*taps;
      std::fill(padded.begin(), padded.end(), 0.0);
      if (h.empty()) {
        padded[0] = 1.0;  // identity for a link without this stage in a batch that has it
      } else {
        if (h.size() > history_ + 1)
          throw std::invalid_argument("lane engine: FIR longer than the overlap-save block");
        std::copy(h.begin(), h.end(), padded.begin());
      }
      // Double-precision FFT on the host, once per link.
      const std::vector<Complex<double>> spec = real_dft(padded);
      for (std::size_t k = 0; k < bins_; ++k)
        host[l * bins_ + k] = {static_cast<Real>(spec[k].re / fft_size_),
                               static_cast<Real>(spec[k].im / fft_size_)};
    }
    Buffer<Complex<Real>> d(L_ * bins_);
    d.upload(host.data(), host.size());
    return d;
  }

  // Overlap-save convolution of each link's extended buffer [history H | chunk] into `out`.
  void convolve(const Real* ext, const Buffer<Complex<Real>>& transfer, Real* out,
                std::size_t out_stride, std::size_t out_offset) {
    if constexpr (Fft::reads_overlapped_blocks) {
      // Each link's blocks straight from its extended buffer (overlapping reads).
      for (std::size_t l = 0; l < L_; ++l)
        fft_link_.forward_overlapped(ext + l * ext_stride_, spectrum_.data() + l * blocks_ * bins_);
    } else {
      exec_.for_each(
          L_ * blocks_, fft_size_,
          GatherBlocks<Real>{ext, fft_in_.data(), ext_stride_, block_, fft_size_, blocks_});
      fft_.forward(fft_in_.data(), spectrum_.data());
    }
    exec_.for_each(L_ * blocks_, bins_,
                   MultiplySpectrum<Real>{spectrum_.data(), transfer.data(), bins_, blocks_});
    fft_.inverse(spectrum_.data(), fft_in_.data());
    exec_.for_each(L_ * blocks_, block_,
                   ScatterValid<Real>{fft_in_.data(), out, out_stride, out_offset, block_,
                                      fft_size_, blocks_});
  }

  Exec& exec_;
  std::size_t L_;
  int spu_, chunk_;
  std::size_t history_, block_, fft_size_, bins_, chunk_samples_, blocks_, ext_stride_;
  // Clock recovery.
  bool cdr_enabled_ = false;
  int cdr_tail_ = 0;
  Buffer<CdrConstants<Real>> cdr_constants_;
  Buffer<CdrState<Real>> cdr_state_;
  Buffer<Real> rx_tail_;  // [links][cdr_tail]: the previous chunk's last received samples
  // Transmit jitter.
  bool jitter_enabled_ = false;
  int settle_symbols_ = 0, step_points_ = 0;
  Buffer<JitterParams<Real>> jitter_;
  Buffer<Real> tau_;   // [links][history + chunk]: each transition's shift, samples
  Buffer<Real> step_;  // [links][step_points]: H1's step response from sample -1
  // Receiver equalisers.
  bool eq_enabled_ = false;
  Buffer<RxEqualizerConstants<Real>> eq_constants_;
  Buffer<RxEqualizerState<Real>> eq_state_;
  Buffer<Real> eq_samples_;  // [links][kEqHistory + chunk]: decision samples with noise
  // Resonance-lock loops (host side, chunk rate).
  bool any_loop_ = false, record_trace_ = false;
  std::vector<ThermalLoopSetup> loop_setup_;
  std::vector<ThermalLoopState> loop_state_;
  std::vector<std::vector<ThermalTracePoint>> traces_;
  std::vector<LinkConstants<double>> design_constants_;
  std::vector<LinkConstants<Real>> live_constants_;  // what links_ holds, as the loops left it
  std::vector<RingModulator<double>> design_bus_seen_;
  std::size_t monitor_parts_ = 0;
  Buffer<double> monitor_partial_;
  std::vector<double> monitor_host_;
  bool has_h2_;
  bool ring_dynamic_;
  bool eo_junction_;
  std::size_t scan_tile_, tiles_ = 0;
  int bus_lanes_;
  int pulse_symbols_ = 1;
  std::uint64_t target_errors_, max_bits_;
  std::int64_t eye_symbols_;
  int amp_bins_;
  Real amp_range_;
  int history_symbols_ = 1;
  std::uint64_t chunk_index_ = 0;

  Buffer<LinkConstants<Real>> links_;
  Buffer<SymbolSource> sources_;
  Buffer<NoiseKey> keys_;
  Buffer<LinkCounters> counters_;
  Buffer<std::uint8_t> tx_;
  Buffer<Real> pulse_;                   // [links][pulse_symbols x spu]: the drive pulse rect * h1
  Buffer<Complex<Real>> ring_state_;     // dynamic ring: u carried across chunks, per link
  Buffer<AffineMap<Real>> tile_map_;     // tiled scan: each tile's composed map
  Buffer<Complex<Real>> tile_entering_;  // tiled scan: the state entering each tile
  Buffer<Real> drive_, current_, rx_;
  Buffer<RingModulator<Real>> bus_seen_;  // WDM: [links][lanes]
  Buffer<Real> bus_drop_;                 // WDM: [links][lanes]
  Buffer<Real> own_current_, channel_;    // WDM: [links][chunk samples]
  Buffer<std::uint8_t> decisions_;
  Buffer<std::uint32_t> eye_;
  Buffer<Real> fft_in_;
  Buffer<Complex<Real>> spectrum_;
  Buffer<Complex<Real>> h2_;
  using Fft = typename Exec::template Fft<Real>;
  Fft fft_;
  Fft fft_link_;  // per-link overlapped-input plan, where the backend has one
  std::vector<LinkCounters> counters_host_;

  const Real* rx_view_ = nullptr;
  std::size_t rx_stride_ = 0, rx_offset_ = 0;
};

}  // namespace ll
