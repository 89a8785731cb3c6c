// Backend selection and the per-batch entry points of each backend.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/lane_engine.hpp"
#include "host/results.hpp"
#include "host/stat_eye.hpp"

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

enum class BackendKind { cpu, cuda };

struct BackendChoice {
  BackendKind kind = BackendKind::cpu;
  std::string description;  // e.g. "cpu (2 threads)" or "cuda (NVIDIA H100, sm_90)"
  std::string note;         // why auto fell back to the CPU, when it did
};

// request: "auto" | "cpu" | "cuda". "cuda" without a usable device throws BackendError with the
// CUDA runtime's message; "auto" falls back to the CPU and says why in `note`.
BackendChoice choose_backend(const std::string& request, int cpu_threads);

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

// Runs a batch to completion on the CPU: one engine per link, links spread over OpenMP threads.
// With `done`, each outcome goes to it and is then released: the returned outcomes are empty.
std::vector<LinkOutcome> run_batch_cpu(const BatchSetup& batch, int threads,
                                       const LinkDone& done = {});
// The same in double precision: the reference path for validation.
std::vector<LinkOutcome> run_batch_cpu_double(const BatchSetup& batch, int threads);
// Runs a batch on the GPU (all links in one engine). Throws BackendError without CUDA.
std::vector<LinkOutcome> run_batch_cuda(const BatchSetup& batch);

std::vector<LinkOutcome> run_batch(const BackendChoice& backend, const BatchSetup& batch,
                                   int threads, const LinkDone& done = {});

// The statistical eyes of links (run.mode = "stat"): on the CPU one link per OpenMP thread at a
// time, on the GPU every link in launches of thousands (throws BackendError without CUDA).
std::vector<StatEye> statistical_eyes_cpu(const std::vector<StatEyeInputs>& in,
                                          const std::vector<double>& contour_bers, int threads);
std::vector<StatEye> statistical_eyes_cuda(const std::vector<StatEyeInputs>& in,
                                           const std::vector<double>& contour_bers);
std::vector<StatEye> statistical_eyes(const BackendChoice& backend,
                                      const std::vector<StatEyeInputs>& in,
                                      const std::vector<double>& contour_bers, int threads);

}  // namespace ll
