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
//
// The engine holds the batch's stages in signal order (kernels/engine/stage.hpp; the list is
// built in the constructor from the batch's topology) and runs a chunk by running each stage,
// then letting each carry its state. What the stages pass between them, and the buffers every
// stage reads (symbols, drive, photocurrent, decisions, counters), live in LaneState.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "kernels/engine/batch_setup.hpp"
#include "kernels/engine/resonance_locks.hpp"
#include "kernels/engine/stage.hpp"
#include "kernels/engine/stage_list.hpp"

namespace ll {

template <class Exec, class Real>
class LaneEngine {
 public:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

  LaneEngine(Exec& exec, const BatchSetup& setup) : s_(exec, setup), locks_(setup, s_.L) {
    const std::size_t L = s_.L;
    if (L == 0) throw std::invalid_argument("lane engine: a batch needs at least one link");
    const std::size_t block = overlap_save_valid(setup);
    if (s_.chunk_samples % block != 0 || s_.chunk_samples < block)
      throw std::invalid_argument("lane engine: the chunk must be a whole number of blocks");
    for (const LinkSetup& l : setup.links)
      if (l.constants.delay_symbols < 0 || l.constants.sample_in_ui < 0 ||
          l.constants.sample_in_ui >= s_.spu)
        throw std::invalid_argument("lane engine: the decision sample lies outside the chain");
    const EngineSpan span = engine_span(setup);
    s_.history_symbols = span.history_symbols;
    if (s_.history_symbols > s_.chunk)
      throw std::invalid_argument("lane engine: the chain delay exceeds one chunk");
    if (setup.bus_lanes < 0 ||
        (setup.bus_lanes > 0 && L % static_cast<std::size_t>(setup.bus_lanes) != 0))
      throw std::invalid_argument("lane engine: a WDM batch needs whole buses of lanes");

    std::vector<LinkConstants<Real>> constants(L);
    std::vector<SymbolSource> sources(L);
    std::vector<NoiseKey> keys(L);
    for (std::size_t l = 0; l < L; ++l) {
      constants[l] = convert_constants<Real>(setup.links[l].constants);
      sources[l] = SymbolSource::make(setup.pattern, setup.links[l].prbs_seed, setup.levels);
      keys[l] = setup.links[l].noise_key;
    }
    s_.links = Buffer<LinkConstants<Real>>(L);
    s_.links.upload(constants.data(), L);
    s_.sources = Buffer<SymbolSource>(L);
    s_.sources.upload(sources.data(), L);
    s_.keys = Buffer<NoiseKey>(L);
    s_.keys.upload(keys.data(), L);
    s_.counters = Buffer<LinkCounters>(L);  // zero: running, nothing counted
    counters_host_.assign(L, LinkCounters{});
    s_.tx = Buffer<std::uint8_t>(L * (s_.history_symbols + s_.chunk));
    s_.drive = Buffer<Real>(L * s_.chunk_samples);
    s_.current = Buffer<Real>(L * s_.ext_stride);
    s_.decisions = Buffer<std::uint8_t>(L * s_.chunk);
    s_.ring_out = s_.current.data();
    s_.ring_stride = s_.ext_stride;
    s_.ring_offset = s_.history;
    // Without a receiver filter the decisions read the photocurrent itself (the filter's stage
    // points them at its output).
    s_.rx = s_.current.data();
    s_.rx_stride = s_.ext_stride;
    s_.rx_offset = s_.history;
    eye_size_ = L * setup.eye_amplitude_bins * 2 * s_.spu;

    // The lane, in signal order: the stages this batch runs (stage_list.hpp).
    // A folded stage has no pass of its own: the set-up put it in the links' constants.
    for_each_stage([&]<class Info>() {
      if constexpr (!Info::folded) {
        if (Info::name(setup).empty()) return;
        auto* stage =
            add(std::make_unique<typename Info::template Engine<Exec, Real>>(s_, setup, span));
        // The stages the engine asks for results, or moves.
        if constexpr (std::is_same_v<Info, LockMonitorStageInfo>) monitor_ = stage;
        if constexpr (std::is_same_v<Info, WdmBusStageInfo>) bus_ = stage;
        if constexpr (std::is_same_v<Info, ReceiverFilterStageInfo>) rx_filter_ = stage;
        if constexpr (std::is_same_v<Info, DecisionStageInfo>) decision_ = stage;
        if constexpr (std::is_same_v<Info, EyeStageInfo>) eye_ = stage;
      }
    });

    // The start may be off the designed operating point (an initial lock error).
    if (locks_.any()) locks_.move_resonances(s_.links, bus_);
  }

  std::size_t links() const { return s_.L; }
  std::uint64_t chunks_done() const { return s_.chunk_index; }

  // Runs one chunk for every link. Returns true while some link has not met its stop rule.
  bool step() {
    s_.first_sample = s_.chunk_index * s_.chunk_samples;
    s_.first_symbol = static_cast<std::int64_t>(s_.chunk_index) * s_.chunk;
    for (const auto& stage : stages_) stage->run(s_);

    // Carry state into the next chunk: each stage's own, then the shared filter history and the
    // symbols still in flight.
    for (const auto& stage : stages_) stage->carry(s_);
    s_.exec.for_each(s_.L, s_.history,
                     CarryTail<Real>{s_.current.data(), s_.ext_stride, s_.chunk_samples});
    s_.exec.for_each(s_.L, s_.history_symbols,
                     CarryTail<std::uint8_t>{
                         s_.tx.data(), static_cast<std::size_t>(s_.history_symbols + s_.chunk),
                         static_cast<std::size_t>(s_.chunk)});
    ++s_.chunk_index;
    std::vector<bool> was_running(s_.L);
    for (std::size_t l = 0; l < s_.L; ++l) was_running[l] = counters_host_[l].stop_reason == 0;
    s_.counters.download(counters_host_.data(), s_.L);
    if (monitor_)
      locks_.step(was_running, *monitor_, s_.chunk_index, s_.chunk, s_.chunk_samples, s_.links,
                  bus_);
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
    return decision_->equalizer_states(s_.L);
  }

  // Each link's recovered sampling phase over the counted symbols (empty without a CDR).
  using CdrReport = typename DecisionStage<Exec, Real>::CdrReport;
  std::vector<CdrReport> cdr_reports() const { return decision_->cdr_reports(s_.L); }

  // Where each link's resonance lock ended (enabled = false for links without the loop).
  std::vector<ThermalLoopOutcome> thermal_outcomes() const { return locks_.outcomes(); }

  // [links][amplitude bin][phase]: zero without an eye (eye.symbols = 0).
  std::vector<std::uint32_t> eye_histograms() const {
    return eye_ ? eye_->histograms() : std::vector<std::uint32_t>(eye_size_, 0);
  }

  // Filter the whole received waveform every chunk, for last_rx_waveform (the decisions alone
  // need only their samples of it). Call before the first step.
  void keep_rx_waveform() {
    if (rx_filter_) rx_filter_->keep_waveform();
  }
  // The noiseless received photocurrent of the last chunk, [links][chunk samples], and the
  // absolute index of its first sample: for tests and waveform dumps.
  std::vector<Real> last_rx_waveform() const {
    if (!rx_filter_) return last_photocurrent();
    if (s_.chunk_index > 0 && !rx_filter_->has_waveform(s_))
      throw std::logic_error("lane engine: call keep_rx_waveform() before the run");
    return last_chunk_of(rx_filter_->output(), s_.chunk_samples, 0);
  }
  // The noiseless received signal at each link's decision samples in the last chunk, [links]
  // [chunk symbols]: what the decisions read (empty where they read the whole waveform: with
  // clock recovery, or without a receiver filter). For tests.
  std::vector<Real> last_decision_samples() const {
    if (!rx_filter_ || rx_filter_->decision_samples().size() == 0) return {};
    std::vector<Real> out(s_.L * s_.chunk);
    rx_filter_->decision_samples().download(out.data(), out.size());
    return out;
  }
  // The noiseless photocurrent of the last chunk ahead of the receiver's filter H2 (the
  // photodiode's output: on a WDM bus with the other channels' crosstalk), [links][chunk
  // samples]: what a reference receiver would see (host/link/tdecq.hpp).
  std::vector<Real> last_photocurrent() const {
    // The carry already moved the tail; the chunk is intact in [history, history + chunk).
    return last_chunk_of(s_.current, s_.ext_stride, s_.history);
  }
  // The modulator's drive of the last chunk, [links][chunk samples], V: for tests.
  std::vector<Real> last_drive() const { return last_chunk_of(s_.drive, s_.chunk_samples, 0); }
  std::uint64_t last_chunk_first_sample() const {
    return (s_.chunk_index == 0 ? 0 : s_.chunk_index - 1) * s_.chunk_samples;
  }

 private:
  template <class S>
  S* add(std::unique_ptr<S> stage) {
    S* raw = stage.get();
    stages_.push_back(std::move(stage));
    return raw;
  }

  // Each link's last chunk of a per-link buffer of `stride` samples whose chunk starts at
  // `offset`, [links][chunk samples].
  std::vector<Real> last_chunk_of(const Buffer<Real>& buffer, std::size_t stride,
                                  std::size_t offset) const {
    std::vector<Real> all(s_.L * stride);
    buffer.download(all.data(), all.size());
    std::vector<Real> out(s_.L * s_.chunk_samples);
    for (std::size_t l = 0; l < s_.L; ++l)
      std::copy_n(all.begin() + l * stride + offset, s_.chunk_samples,
                  out.begin() + l * s_.chunk_samples);
    return out;
  }

  LaneState<Exec, Real> s_;
  ResonanceLocks<Exec, Real> locks_;
  std::vector<std::unique_ptr<Stage<Exec, Real>>> stages_;
  // The stages the engine asks for results or moves (null where the topology lacks them).
  ThermalMonitorStage<Exec, Real>* monitor_ = nullptr;
  WdmBusStage<Exec, Real>* bus_ = nullptr;
  ReceiverFilterStage<Exec, Real>* rx_filter_ = nullptr;
  DecisionStage<Exec, Real>* decision_ = nullptr;
  EyeStage<Exec, Real>* eye_ = nullptr;
  std::size_t eye_size_ = 0;
  std::vector<LinkCounters> counters_host_;
};

}  // namespace ll
