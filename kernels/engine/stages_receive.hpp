// The receiver's stages: its bandwidth H2 as an overlap-save FFT convolution, the decisions
// (plain thresholds, the FFE and DFE of physics/equalizer.hpp, clock recovery of physics/cdr.hpp),
// the error count and the eye histogram (physics/lane.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels/engine/stage.hpp"

namespace ll {

// The absolute sample before which some link's eye histogram still takes samples (0 without an
// eye): EyeCells' window [-1, +1) UI about the decisions of each link's first eye_symbols
// symbols after its warm-up.
inline std::uint64_t eye_end_sample(const BatchSetup& setup) {
  if (setup.eye_symbols <= 0) return 0;
  const std::int64_t spu = setup.samples_per_ui;
  std::int64_t end = 0;
  for (const LinkSetup& l : setup.links)
    end = std::max(end, eye_window_first(l.constants, setup.samples_per_ui) +
                            setup.eye_symbols * spu);
  return static_cast<std::uint64_t>(std::max<std::int64_t>(end, 0));
}

// H2 (receiver bandwidth). Without clock recovery the decisions read one sample per UI: H2 is
// summed directly at those samples (FilterAtDecisions), every chunk, and the whole waveform is
// filtered only where something reads it (the eye's first symbols, or a caller's
// keep_waveform()). The whole waveform: each link's photocurrent [history | chunk] convolved
// with its FIR by overlap-save, blocks of history + valid samples each giving `valid` samples.
// With clock recovery the decisions read the whole waveform every chunk.
template <class Exec, class Real>
class ReceiverFilterStage final : public Stage<Exec, Real> {
 public:
  ReceiverFilterStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&)
      : block_(overlap_save_valid(setup)),
        fft_size_(s.history + block_),
        bins_(fft_size_ / 2 + 1),
        blocks_(s.chunk_samples / block_),
        at_decisions_only_(!setup.cdr),
        waveform_until_(eye_end_sample(setup)) {
    fft_in_ = Buffer<Real>(s.L * blocks_ * fft_size_);
    spectrum_ = Buffer<Complex<Real>>(s.L * blocks_ * bins_);
    fft_ = Fft(s.exec, fft_size_, s.L * blocks_);
    if constexpr (Fft::reads_overlapped_blocks)
      fft_link_ = Fft(s.exec, fft_size_, blocks_, block_);
    rx_ = Buffer<Real>(s.L * s.chunk_samples);
    transfer_ = make_transfer(s, setup);
    // The eye (and the clock recovery) read the filtered waveform.
    s.rx = rx_.data();
    s.rx_stride = s.chunk_samples;
    s.rx_offset = 0;
    if (at_decisions_only_) {
      make_reversed_taps(s, setup);
      at_decisions_ = Buffer<Real>(s.L * s.chunk);
      s.at_decisions = at_decisions_.data();
    }
  }
  // Filter the whole waveform every chunk (last_rx_waveform's callers).
  void keep_waveform() { waveform_until_ = ~std::uint64_t{0}; }
  // Whether output() holds the last chunk's whole filtered waveform.
  bool has_waveform(const LaneState<Exec, Real>& s) const {
    return !at_decisions_only_ || s.first_sample < waveform_until_;
  }
  void run(LaneState<Exec, Real>& s) override {
    if (at_decisions_only_) {
      s.exec.for_each(s.L, s.chunk,
                      FilterAtDecisions<Real>{s.links.data(), s.current.data(),
                                              taps_reversed_.data(), at_decisions_.data(),
                                              s.ext_stride, s.history, taps_, s.chunk, s.spu});
      if (s.first_sample >= waveform_until_) return;
    }
    const Real* ext = s.current.data();
    if constexpr (Fft::reads_overlapped_blocks) {
      // Each link's blocks straight from its extended buffer (overlapping reads).
      for (std::size_t l = 0; l < s.L; ++l)
        fft_link_.forward_overlapped(ext + l * s.ext_stride,
                                     spectrum_.data() + l * blocks_ * bins_);
    } else {
      s.exec.for_each(s.L * blocks_, fft_size_,
                      GatherBlocks<Real>{ext, fft_in_.data(), s.ext_stride, block_, fft_size_,
                                         blocks_});
      fft_.forward(fft_in_.data(), spectrum_.data());
    }
    s.exec.for_each(s.L * blocks_, bins_,
                    MultiplySpectrum<Real>{spectrum_.data(), transfer_.data(), bins_, blocks_});
    fft_.inverse(spectrum_.data(), fft_in_.data());
    s.exec.for_each(s.L * blocks_, block_,
                    ScatterValid<Real>{fft_in_.data(), rx_.data(), s.chunk_samples, 0, block_,
                                       fft_size_, blocks_});
  }
  const typename Exec::template Buffer<Real>& output() const { return rx_; }
  const typename Exec::template Buffer<Real>& decision_samples() const { return at_decisions_; }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;
  using Fft = typename Exec::template Fft<Real>;

  // Per-link transfer function of the real FIR (scaled_transfers, kernels/engine/stage.hpp).
  Buffer<Complex<Real>> make_transfer(const LaneState<Exec, Real>& s, const BatchSetup& setup) {
    for (const LinkSetup& l : setup.links)
      if (l.h2_taps.size() > s.history + 1)
        throw std::invalid_argument("lane engine: FIR longer than the overlap-save block");
    const std::vector<Complex<Real>> host = scaled_transfers<Real, double>(
        s.L, fft_size_, bins_, [&](std::size_t l) -> const auto& { return setup.links[l].h2_taps; });
    Buffer<Complex<Real>> d(s.L * bins_);
    d.upload(host.data(), host.size());
    return d;
  }
  // Each link's FIR reversed, behind zeros to the batch's longest, padded ([links][taps_]).
  void make_reversed_taps(const LaneState<Exec, Real>& s, const BatchSetup& setup) {
    std::size_t longest = 1;
    for (const LinkSetup& l : setup.links) longest = std::max(longest, l.h2_taps.size());
    taps_ = direct_fir_taps(longest);
    if (taps_ > s.history)
      throw std::invalid_argument("lane engine: FIR longer than the receiver filter's history");
    std::vector<Real> host(s.L * taps_, Real(0));
    for (std::size_t l = 0; l < s.L; ++l) {
      const std::vector<double>& h = setup.links[l].h2_taps;
      if (h.empty()) host[l * taps_ + taps_ - 1] = Real(1);  // a link without H2 in the batch
      for (std::size_t k = 0; k < h.size(); ++k)
        host[l * taps_ + taps_ - 1 - k] = static_cast<Real>(h[k]);
    }
    taps_reversed_ = Buffer<Real>(host.size());
    taps_reversed_.upload(host.data(), host.size());
  }

  std::size_t block_, fft_size_, bins_, blocks_;
  bool at_decisions_only_;
  std::uint64_t waveform_until_;
  std::size_t taps_ = 0;
  Buffer<Real> taps_reversed_, at_decisions_;
  Buffer<Real> fft_in_, rx_;
  Buffer<Complex<Real>> spectrum_, transfer_;
  Fft fft_;
  Fft fft_link_;  // per-link overlapped-input plan, where the backend has one
};

// The decisions: each link's received sample per symbol (at the fixed decision sample, or at
// the phase its clock recovery holds), through its FFE and DFE when it has them, against the
// thresholds, with the receiver's noise drawn at the decision.
template <class Exec, class Real>
class DecisionStage final : public Stage<Exec, Real> {
 public:
  DecisionStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&) {
    if (setup.rx_equalizer) setup_equalizers(s, setup);
    if (setup.cdr) setup_cdr(s, setup);
    if (!setup.cdr && !s.at_decisions) {  // no receiver filter: pick the samples from rx
      picked_ = Buffer<Real>(s.L * s.chunk);
      s.at_decisions = picked_.data();
    }
  }
  void run(LaneState<Exec, Real>& s) override {
    if (picked_.size() > 0)
      s.exec.for_each(s.L, s.chunk,
                      PickDecisionSamples<Real>{s.links.data(), s.rx, picked_.data(), s.rx_stride,
                                                s.rx_offset, s.chunk, s.spu});
    if (cdr_) {
      s.exec.for_each(s.L, 1,
                      CdrDecide<Real>{s.links.data(), cdr_constants_.data(), cdr_state_.data(),
                                      s.rx, rx_tail_.data(), eq_ ? eq_samples_.data() : nullptr,
                                      kEqHistory, s.tx.data(), s.decisions.data(), s.keys.data(),
                                      s.counters.data(), s.rx_stride, s.rx_offset,
                                      s.history_symbols, s.chunk, s.spu, cdr_tail_,
                                      s.first_sample, s.first_symbol});
      s.exec.for_each(s.L, static_cast<std::size_t>(cdr_tail_),
                      KeepRxTail<Real>{s.rx, rx_tail_.data(), s.rx_stride, s.rx_offset,
                                       s.chunk_samples, cdr_tail_});
    }
    if (eq_ && !cdr_)
      s.exec.for_each(s.L, s.chunk,
                      SampleSymbols<Real>{s.links.data(), s.at_decisions, eq_samples_.data(),
                                          s.keys.data(), s.chunk, s.spu, s.first_sample});
    if (!eq_ && !cdr_) {
      s.exec.for_each(s.L, s.chunk,
                      DecideSymbols<Real>{s.links.data(), s.at_decisions, s.tx.data(),
                                          s.decisions.data(), s.keys.data(), s.history_symbols,
                                          s.chunk, s.spu, s.first_sample});
    } else if (eq_) {
      s.exec.for_each(s.L, 1,
                      EqualizeAndDecide<Real>{s.links.data(), eq_constants_.data(),
                                              eq_state_.data(), eq_samples_.data(), s.tx.data(),
                                              s.decisions.data(), s.counters.data(),
                                              s.history_symbols, s.chunk});
    }
  }
  void carry(LaneState<Exec, Real>& s) override {
    if (eq_)
      s.exec.for_each(
          s.L, kEqHistory,
          CarryTail<Real>{eq_samples_.data(), static_cast<std::size_t>(kEqHistory + s.chunk),
                          static_cast<std::size_t>(s.chunk)});
  }

  // Each link's equaliser taps now (the MMSE taps, or where LMS has taken them); empty without
  // an equaliser.
  std::vector<RxEqualizerState<double>> equalizer_states(std::size_t L) const {
    std::vector<RxEqualizerState<double>> out;
    if (!eq_) return out;
    std::vector<RxEqualizerState<Real>> st(L);
    eq_state_.download(st.data(), L);
    out.resize(L);
    for (std::size_t l = 0; l < L; ++l) {
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
  std::vector<CdrReport> cdr_reports(std::size_t L) const {
    std::vector<CdrReport> out;
    if (!cdr_) return out;
    std::vector<CdrState<Real>> st(L);
    cdr_state_.download(st.data(), L);
    for (const CdrState<Real>& c : st) {
      const double n = static_cast<double>(c.phase_count);
      const double mean = n > 0 ? c.phase_sum / n : 0.0;
      const double var = n > 0 ? std::max(c.phase_sum2 / n - mean * mean, 0.0) : 0.0;
      out.push_back({mean, std::sqrt(var)});
    }
    return out;
  }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

  void setup_cdr(LaneState<Exec, Real>& s, const BatchSetup& setup) {
    cdr_ = true;
    cdr_tail_ = 2 * s.spu + 2;
    if (s.chunk_samples < static_cast<std::size_t>(cdr_tail_))
      throw std::invalid_argument("lane engine: a CDR needs chunks of more than two UI");
    std::vector<CdrConstants<Real>> constants(s.L);
    std::vector<CdrState<Real>> state(s.L);
    for (std::size_t l = 0; l < s.L; ++l) {
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
    cdr_constants_ = Buffer<CdrConstants<Real>>(s.L);
    cdr_constants_.upload(constants.data(), s.L);
    cdr_state_ = Buffer<CdrState<Real>>(s.L);
    cdr_state_.upload(state.data(), s.L);
    rx_tail_ = Buffer<Real>(s.L * static_cast<std::size_t>(cdr_tail_));
  }

  void setup_equalizers(LaneState<Exec, Real>& s, const BatchSetup& setup) {
    eq_ = true;
    std::vector<RxEqualizerConstants<Real>> constants(s.L);
    std::vector<RxEqualizerState<Real>> state(s.L);
    for (std::size_t l = 0; l < s.L; ++l) {
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
    eq_constants_ = Buffer<RxEqualizerConstants<Real>>(s.L);
    eq_constants_.upload(constants.data(), s.L);
    eq_state_ = Buffer<RxEqualizerState<Real>>(s.L);
    eq_state_.upload(state.data(), s.L);
    // Zero history: the samples before the run are the idle line's mean (y' = 0 enters as
    // -mid; the warm-up hides it).
    eq_samples_ = Buffer<Real>(s.L * (kEqHistory + s.chunk));
  }

  // Clock recovery.
  bool cdr_ = false;
  int cdr_tail_ = 0;
  Buffer<CdrConstants<Real>> cdr_constants_;
  Buffer<CdrState<Real>> cdr_state_;
  Buffer<Real> rx_tail_;  // [links][cdr_tail]: the previous chunk's last received samples
  // Receiver equalisers.
  bool eq_ = false;
  Buffer<RxEqualizerConstants<Real>> eq_constants_;
  Buffer<RxEqualizerState<Real>> eq_state_;
  Buffer<Real> eq_samples_;  // [links][kEqHistory + chunk]: decision samples with noise
  Buffer<Real> picked_;      // [links][chunk]: rx at the decisions, without a receiver filter
};

// The decisions against the symbols sent: bit and symbol errors, FEC codewords, and each link's
// stop rule (target errors or the bit budget).
template <class Exec, class Real>
class ErrorCountStage final : public Stage<Exec, Real> {
 public:
  ErrorCountStage(LaneState<Exec, Real>&, const BatchSetup& setup, const EngineSpan&)
      : target_errors_(setup.target_errors), max_bits_(setup.max_bits) {}
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L, 1,
                    CountErrors<Real>{s.links.data(), s.decisions.data(), s.counters.data(),
                                      s.chunk, s.first_symbol, target_errors_, max_bits_});
  }

 private:
  std::uint64_t target_errors_, max_bits_;
};

// The eye histogram of the received signal over the first eye_symbols symbols: [amplitude bin]
// [phase over two UI] per link.
template <class Exec, class Real>
class EyeStage final : public Stage<Exec, Real> {
 public:
  EyeStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&)
      : eye_symbols_(setup.eye_symbols),
        amp_bins_(setup.eye_amplitude_bins),
        amp_range_(static_cast<Real>(setup.eye_amplitude_range)),
        end_sample_(eye_end_sample(setup)),
        windows_(s.L),
        cells_(s.L * s.chunk_samples),
        eye_(s.L * amp_bins_ * 2 * s.spu) {}
  void run(LaneState<Exec, Real>& s) override {
    if (s.first_sample >= end_sample_) return;  // past every link's eye window
    s.exec.for_each(s.L, 1,
                    EyeWindows<Real>{s.links.data(), s.counters.data(), windows_.data(),
                                     s.first_sample, eye_symbols_, s.spu});
    s.exec.for_each(s.L, s.chunk_samples,
                    EyeCells<Real>{s.links.data(), windows_.data(), s.rx, cells_.data(),
                                   s.keys.data(), s.rx_stride, s.rx_offset, s.chunk_samples,
                                   s.first_sample, s.spu, amp_bins_, amp_range_});
    s.exec.for_each(s.L, s.chunk_samples,
                    AddEyeCells<Real>{cells_.data(), eye_.data(), s.chunk_samples,
                                      static_cast<std::size_t>(amp_bins_) * 2 * s.spu});
  }
  std::vector<std::uint32_t> histograms() const {
    std::vector<std::uint32_t> h(eye_.size());
    eye_.download(h.data(), h.size());
    return h;
  }

 private:
  std::int64_t eye_symbols_;
  int amp_bins_;
  Real amp_range_;
  std::uint64_t end_sample_;
  typename Exec::template Buffer<EyeWindow> windows_;     // [links]: EyeWindows'
  typename Exec::template Buffer<std::uint32_t> cells_;  // [links][chunk samples]: EyeCells'
  typename Exec::template Buffer<std::uint32_t> eye_;
};

struct ReceiverFilterStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = ReceiverFilterStage<Exec, Real>;
  static std::string name(const BatchSetup& b) { return b.has_h2 ? "receiver filter" : ""; }
  static void respond(const BatchSetup&, const LinkSetup& link, const ResponseArgs&,
                      std::vector<double>& signal) {
    signal = convolve_fir(signal, link.h2_taps);
  }
};
struct DecisionStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = DecisionStage<Exec, Real>;
  static std::string name(const BatchSetup& b) {
    return b.rx_equalizer && b.cdr ? "CDR + FFE/DFE decisions"
           : b.rx_equalizer        ? "FFE/DFE decisions"
           : b.cdr                 ? "CDR decisions"
                                   : "decisions";
  }
};
struct ErrorCountStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = ErrorCountStage<Exec, Real>;
  static std::string name(const BatchSetup&) { return "error count"; }
};
struct EyeStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = EyeStage<Exec, Real>;
  static std::string name(const BatchSetup& b) { return b.eye_symbols > 0 ? "eye" : ""; }
};

}  // namespace ll
