// A stage of the lane, as the engine runs it: one chunk of every link of a batch, then its own
// state carried into the next chunk. The engine (kernels/engine/lane_engine.hpp) holds the
// batch's stages in signal order and iterates them; each stage owns its buffers and carried
// state and launches its physics functors (physics/, LL_HD, written once for both backends)
// through the backend's Exec. What the stages pass between them lives in LaneState.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/engine/batch_setup.hpp"

namespace ll {

// What the stages of one batch share: the backend, the chunk's geometry and position, every
// link's constants, keys and counters, and the signals between stages.
template <class Exec, class Real>
struct LaneState {
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

  LaneState(Exec& e, const BatchSetup& setup)
      : exec(e),
        L(setup.links.size()),
        spu(setup.samples_per_ui),
        chunk(setup.chunk_symbols),
        chunk_samples(static_cast<std::size_t>(setup.chunk_symbols) * setup.samples_per_ui),
        history(setup.overlap_history),
        ext_stride(setup.overlap_history + chunk_samples) {}

  Exec& exec;
  std::size_t L;                // links in the batch
  int spu, chunk;               // samples per UI, symbols per chunk
  std::size_t chunk_samples;    // chunk x spu
  std::size_t history;          // samples of photocurrent kept ahead of each chunk (H2's history)
  std::size_t ext_stride;       // history + chunk_samples: a link's row of `current`
  int history_symbols = 1;      // symbols kept in flight ahead of each chunk (engine_span)
  std::uint64_t chunk_index = 0;
  std::uint64_t first_sample = 0;  // absolute index of the chunk's first sample
  std::int64_t first_symbol = 0;   // and of its first symbol

  Buffer<LinkConstants<Real>> links;
  Buffer<SymbolSource> sources;
  Buffer<NoiseKey> keys;
  Buffer<LinkCounters> counters;
  Buffer<std::uint8_t> tx;         // [links][history_symbols + chunk]: the symbols sent
  Buffer<Real> drive;              // [links][chunk samples]: the modulator's drive, V
  Buffer<Real> current;            // [links][history + chunk samples]: photocurrent ahead of H2
  Buffer<std::uint8_t> decisions;  // [links][chunk]: the symbols decided

  // Where the modulator writes its photocurrent (`current` after its history, or a WDM bus's
  // per-lane buffer that the bus then mixes), and the received signal the decisions read
  // (`current`, or the receiver filter's output): set once, as the stages are built.
  Real* ring_out = nullptr;
  std::size_t ring_stride = 0, ring_offset = 0;
  const Real* rx = nullptr;
  std::size_t rx_stride = 0, rx_offset = 0;
  // The received signal at each link's decision samples alone, [links][chunk], what the
  // decisions read without clock recovery: the receiver filter's sum at them, or (no filter) the
  // decision stage's pick from rx. Null with clock recovery, which reads rx around them.
  const Real* at_decisions = nullptr;
  // With a fibre: where the ring writes its field instead of a photocurrent (the fibre's buffer
  // after its history; the fibre then detects it into ring_out). Null: no fibre.
  Complex<Real>* field_out = nullptr;
  std::size_t field_stride = 0, field_offset = 0;
  // The fibre's own field buffer (after its history), where a stage between the modulator and the
  // fibre (MPI) writes what the fibre disperses; the modulator then writes into that stage's.
  Complex<Real>* fibre_in = nullptr;
  std::size_t fibre_in_stride = 0, fibre_in_offset = 0;
};

// The overlap-save stages' per-link transfer functions (the receiver filter's real FIR, the
// fibre's complex one): each link's taps (taps_of(link), T = double or Complex<double>)
// zero-padded to fft_size, their DFT in double on the host divided by fft_size so that the inverse
// transform comes out scaled, `bins` of each ([links][bins]); identity for a link without taps in
// a batch that has them.
template <class Real, class T, class TapsOf>
std::vector<Complex<Real>> scaled_transfers(std::size_t links, std::size_t fft_size,
                                            std::size_t bins, const TapsOf& taps_of) {
  std::vector<Complex<Real>> host(links * bins);
  std::vector<T> padded(fft_size);
  for (std::size_t l = 0; l < links; ++l) {
    const std::vector<T>& h = taps_of(l);
    std::fill(padded.begin(), padded.end(), T{});
    if (!h.empty())
      std::copy(h.begin(), h.end(), padded.begin());
    else if constexpr (std::is_same_v<T, double>)
      padded[0] = 1.0;
    else
      padded[0] = T{1.0, 0.0};
    std::vector<Complex<double>> spec;
    if constexpr (std::is_same_v<T, double>)
      spec = real_dft(padded);
    else
      spec = complex_dft(padded, -1);
    for (std::size_t k = 0; k < bins; ++k)
      host[l * bins + k] = {static_cast<Real>(spec[k].re / fft_size),
                            static_cast<Real>(spec[k].im / fft_size)};
  }
  return host;
}

// The mean signal photocurrent (less the dark current) over the PAM levels, at the drive each
// level settles at through H1: what a stage that adds light or its beat scales with (MPI, a
// bundle's neighbours).
inline double mean_signal_photocurrent_a(const LinkSetup& link) {
  const LinkConstants<double>& c = link.constants;
  double dc_gain = 1.0;
  if (!link.h1_taps.empty()) {
    dc_gain = 0.0;
    for (double t : link.h1_taps) dc_gain += t;
  }
  double mean_a = 0.0;
  for (int k = 0; k < c.levels; ++k) {
    const double v = c.drive_bias_v + (c.level_drive_v[k] - c.drive_bias_v) * dc_gain;
    mean_a += level_probability(c.levels, k) * c.photocurrent_per_transmission_a *
              modulator_transmission(c, v);
  }
  return mean_a;
}

template <class Exec, class Real>
class Stage {
 public:
  virtual ~Stage() = default;
  // This chunk, every link.
  virtual void run(LaneState<Exec, Real>& s) = 0;
  // The stage's own state into the next chunk (after every stage has run the chunk).
  virtual void carry(LaneState<Exec, Real>&) {}
};

// What a stage declares beside its engine class, once, for everything that reads the lane's
// list (kernels/engine/stage_list.hpp): `Engine<Exec, Real>` its class, constructed as
// Engine(LaneState&, const BatchSetup&, const EngineSpan&); `name(batch)` whether the batch runs
// it and under which name (empty: not in this lane); `respond(batch, link, args, signal)` its
// linear(ised) part of the lane's noiseless response (kernels/engine/stage_responses.hpp), on the
// signal the stages before it made.
struct ResponseArgs {
  std::size_t ring_tail = 0;          // samples a coupled-mode ring settles before the drive
  double v_from = 0.0, v_to = 0.0;    // the drive's start and end
  const std::vector<double>* shape;   // the drive v_from + (v_to - v_from) shape[n]
  // The optical field after the modulator, for the stages that act on it (a fibre): the ring
  // fills it, alongside its transmission, when the batch has a fibre.
  std::vector<Complex<double>>* field = nullptr;
  Complex<double>* field_from = nullptr;  // ... and its steady value at v_from before the shape
};
//
// And, for the host (kernels/engine/stage_keys.hpp): `keys()` the scenario keys it reads (their
// values reach it in LinkSetup::stage_values); `optical_loss_db(values)` its loss, which joins the
// optical path's budget, so the set-up's photocurrent per unit transmission, and with it every
// level, threshold, noise variance and response, includes it; `set_up(context, link)` its share
// of the link's set-up (its per-link inputs into LinkSetup), or a refusal naming a key. A
// memoryless linear stage may be `folded`: no engine class, its loss is all it does.
struct StageInfo {
  static constexpr bool folded = false;
  static std::vector<StageKey> keys() { return {}; }
  static double optical_loss_db(const StageValues&) { return 0.0; }
  static std::optional<StageRefusal> set_up(const StageContext&, LinkSetup&) { return {}; }
  // Not part of the analog signal's linear(ised) path (symbols, decisions, counts, the eye).
  static void respond(const BatchSetup&, const LinkSetup&, const ResponseArgs&,
                      std::vector<double>&) {}
};

}  // namespace ll
