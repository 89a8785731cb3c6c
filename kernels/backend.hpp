// The backends' entry points: one batch of links through the engine (kernels/engine/
// lane_engine.hpp) on the CPU (OpenMP over links, FFTW) or on a GPU (kernels/cuda/), and the
// statistical eyes of links. What the host asks of the kernels layer; the choice between the
// backends is the host's (host/run/backend.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/engine/lane_engine.hpp"
#include "kernels/engine/stat_eye_batch.hpp"

namespace ll {

class BackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one link of a batch produced.
struct LinkOutcome {
  LinkCounters counters{};
  std::vector<std::uint32_t> eye_histogram;  // [amplitude][phase]
  ThermalLoopOutcome thermal;                // the resonance lock loop, when the link runs one
  std::vector<double> ffe, dfe;              // the equaliser's taps at the end (none: empty)
  // The recovered sampling phase (a CDR): mean and rms about it over the counted symbols, UI
  // from the ideal sampling instant (NaN: the ideal CDR).
  double cdr_phase_ui = std::numeric_limits<double>::quiet_NaN();
  double cdr_jitter_rms_ui = std::numeric_limits<double>::quiet_NaN();
  StatEye stat;  // run.mode = "stat": the statistical eye instead of counts
};

// Copies an engine's final equaliser taps into a link's outcome.
inline void set_equalizer_taps(const LinkSetup& link, const RxEqualizerState<double>& state,
                               LinkOutcome& out) {
  out.ffe.assign(state.ffe, state.ffe + link.equalizer.ffe_taps);
  out.dfe.assign(state.dfe, state.dfe + link.equalizer.dfe_taps);
}

// Copies an engine's recovered-phase statistics into a link's outcome.
template <class Report>
inline void set_cdr_report(const Report& r, int samples_per_ui, LinkOutcome& out) {
  out.cdr_phase_ui = r.mean_samples / samples_per_ui;
  out.cdr_jitter_rms_ui = r.rms_samples / samples_per_ui;
}

// Each link's outcome from an engine that has run `batch`: its counts, eye, lock loop, final
// equaliser taps and recovered phase (the CPU's and the GPU's backends alike).
template <class Engine>
std::vector<LinkOutcome> engine_outcomes(const Engine& engine, const BatchSetup& batch) {
  const std::size_t L = batch.links.size();
  const std::vector<std::uint32_t> eyes = engine.eye_histograms();
  const std::size_t per_link = eyes.size() / L;
  std::vector<ThermalLoopOutcome> thermal = engine.thermal_outcomes();
  const std::vector<RxEqualizerState<double>> eq = engine.equalizer_states();
  const auto cdr = engine.cdr_reports();
  std::vector<LinkOutcome> out(L);
  for (std::size_t l = 0; l < L; ++l) {
    out[l].counters = engine.counters()[l];
    out[l].eye_histogram.assign(eyes.begin() + l * per_link, eyes.begin() + (l + 1) * per_link);
    out[l].thermal = std::move(thermal[l]);
    if (!eq.empty()) set_equalizer_taps(batch.links[l], eq[l], out[l]);
    if (!cdr.empty()) set_cdr_report(cdr[l], batch.samples_per_ui, out[l]);
  }
  return out;
}

// Whether this build has the CUDA backend, and what the runtime says about devices.
struct CudaProbe {
  bool compiled = false;
  bool usable = false;
  std::string message;  // device name(s), or the runtime's error
};
CudaProbe probe_cuda();

// Called with (link index in the batch, its outcome) as each link finishes, one call at a time,
// so a finished point can be written (and flushed) while the others still run.
using LinkDone = std::function<void(std::size_t, const LinkOutcome&)>;

// Called by a CPU engine after each chunk with the bits and bit errors its links counted in that
// chunk, from any thread, concurrently (the callee synchronises): live progress within a point.
using ChunkCounted = std::function<void(std::uint64_t bits, std::uint64_t bit_errors)>;

// Runs a batch to completion on the CPU: one engine per link, links spread over OpenMP threads.
// With `done`, each outcome goes to it and is then released: the returned outcomes are empty.
std::vector<LinkOutcome> run_batch_cpu(const BatchSetup& batch, int threads,
                                       const LinkDone& done = {});
// The links of group g of a batch (one link, or the lanes of one WDM bus), set up by the caller
// when a CPU thread takes the group: a sweep's links are never all held at once.
using LinkGroupSource = std::function<std::vector<LinkSetup>(std::size_t group)>;
// Runs `groups` groups with `settings` (a batch whose `links` are ignored) on the CPU, one engine
// per group, as run_batch_cpu does; link l = group x lanes + lane goes to `done`, and each
// chunk's counts to `counted` (when set).
void run_groups_cpu(const BatchSetup& settings, std::size_t groups, const LinkGroupSource& source,
                    int threads, const LinkDone& done, const ChunkCounted& counted = {});
// A batch whose points run in segments (kernels/segments.hpp), a segment of every link at a
// time through `run_all` (one engine over the links given it), in segment order, the links
// whose stop rule is met leaving: the GPU's way (run_batch_cuda), the same counts as the CPU's
// streamed segments (tests/kernels/test_segments.cpp holds them equal).
std::vector<LinkOutcome> run_batch_by_segments(
    const BatchSetup& batch,
    const std::function<std::vector<LinkOutcome>(const BatchSetup&)>& run_all);
// The same in double precision: the reference path for validation.
std::vector<LinkOutcome> run_batch_cpu_double(const BatchSetup& batch, int threads);
// Runs a batch on GPU `device` (all links in one engine, on the calling thread's default
// stream: the library is built with per-thread default streams, so batches run by two host
// threads overlap). Throws BackendError without CUDA.
std::vector<LinkOutcome> run_batch_cuda(const BatchSetup& batch, int device = 0);
// Free memory of GPU `device` now, in bytes (what a batch of links may take).
std::size_t cuda_free_memory_bytes(int device);
// Seconds the GPU takes for one chunk of every link of `batch` (after one warm-up chunk).
double cuda_seconds_per_chunk(const BatchSetup& batch, int device);
// GPU `device`'s measured device-to-device copy rate, bytes read and written per second: the
// memory roofline the engine's traffic (engine_traffic_bytes_per_sample) is set against.
double cuda_copy_bytes_per_s(int device);

// The statistical eyes of links (run.mode = "stat"): on the CPU one link per OpenMP thread at a
// time, on the GPU every link in launches of thousands (throws BackendError without CUDA).
std::vector<StatEye> statistical_eyes_cpu(const std::vector<StatEyeInputs>& in,
                                          const std::vector<double>& contour_bers, int threads);
std::vector<StatEye> statistical_eyes_cuda(const std::vector<StatEyeInputs>& in,
                                           const std::vector<double>& contour_bers, int device = 0);
}  // namespace ll
