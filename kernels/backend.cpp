#include "kernels/backend.hpp"

#include <omp.h>

#include <algorithm>

#include "kernels/cpu/cpu_exec.hpp"
#include "kernels/cpu/parallel.hpp"
#if defined(LIGHTLANE_HAVE_CUDA)
#include "kernels/cuda/cuda_backend.hpp"
#endif

namespace ll {
namespace {

// One engine per group of links (a link, or a WDM bus), groups spread over OpenMP threads; each
// group's links come from `source` in the thread that runs it. Outcomes go to `done` (one call at
// a time) when it is set, else into `out`.
template <class Real>
void run_cpu(const BatchSetup& settings, std::size_t groups, const LinkGroupSource& source,
             int threads, const LinkDone& done, std::vector<LinkOutcome>* out,
             const ChunkCounted& counted = {}) {
  // Everything a link's engine needs but the links: copied once, not once per link (a copy of
  // the whole batch per link would be quadratic in the sweep size).
  BatchSetup shared = settings;
  shared.links.clear();
  // Links are independent and keyed by their own point: one engine per link gives results
  // that cannot depend on the grouping, and keeps each worker's buffers in its own cache. The
  // lanes of a WDM bus are coupled, so a bus is one engine. The first failure (an engine's, or
  // `done`'s: the file cannot be written) stops the threads from taking more groups and reaches
  // the caller as it was thrown. The plan refuses what an engine could refuse (plan_sweep): an
  // engine's error here is an internal fault, and main says so.
  const std::size_t group =
      settings.bus_lanes > 0 ? static_cast<std::size_t>(settings.bus_lanes) : 1;
  parallel_for(groups, threads, [&](std::size_t g) {
    BatchSetup one = shared;
    one.links = source(g);
    if (one.links.size() != group) throw std::logic_error("a WDM batch needs whole buses of lanes");
    SerialExec exec;
    LaneEngine<SerialExec, Real> engine(exec, one);
    if (counted) {
      std::uint64_t bits_before = 0, errors_before = 0;
      engine.run([&](const std::vector<LinkCounters>& c) {
        std::uint64_t bits = 0, errors = 0;
        for (const LinkCounters& l : c) {
          bits += l.bits;
          errors += l.bit_errors;
        }
        counted(bits - bits_before, errors - errors_before);
        bits_before = bits;
        errors_before = errors;
      });
    } else {
      engine.run();
    }
    const std::vector<std::uint32_t> eyes = engine.eye_histograms();
    const std::size_t eye_size = eyes.size() / group;
    std::vector<ThermalLoopOutcome> thermal = engine.thermal_outcomes();
    const std::vector<RxEqualizerState<double>> eq = engine.equalizer_states();
    const auto cdr = engine.cdr_reports();
    for (std::size_t i = 0; i < group; ++i) {
      const std::size_t l = g * group + i;
      LinkOutcome o;
      o.counters = engine.counters()[i];
      o.eye_histogram.assign(eyes.begin() + i * eye_size, eyes.begin() + (i + 1) * eye_size);
      o.thermal = std::move(thermal[i]);
      if (!eq.empty()) set_equalizer_taps(one.links[i], eq[i], o);
      if (!cdr.empty()) set_cdr_report(cdr[i], one.samples_per_ui, o);
      if (done)
        serially([&] { done(l, o); });  // handed over and released: memory stays flat
      else
        (*out)[l] = std::move(o);
    }
  });
}

template <class Real>
std::vector<LinkOutcome> run_cpu(const BatchSetup& batch, int threads, const LinkDone& done) {
  const std::size_t L = batch.links.size();
  const std::size_t group = batch.bus_lanes > 0 ? static_cast<std::size_t>(batch.bus_lanes) : 1;
  if (L % group != 0) throw std::logic_error("a WDM batch needs whole buses of lanes");
  std::vector<LinkOutcome> out(done ? 0 : L);
  run_cpu<Real>(
      batch, L / group,
      [&](std::size_t g) {
        return std::vector<LinkSetup>(batch.links.begin() + g * group,
                                      batch.links.begin() + (g + 1) * group);
      },
      threads, done, &out);
  if (done) out.resize(L);  // empty outcomes: each went to `done`
  return out;
}

}  // namespace

CudaProbe probe_cuda() {
  CudaProbe p;
#if defined(LIGHTLANE_HAVE_CUDA)
  p.compiled = true;
  p.usable = cuda::probe(p.message);
#else
  p.message = "this build has no CUDA backend (configure with LIGHTLANE_CUDA=ON and nvcc)";
#endif
  return p;
}

std::vector<LinkOutcome> run_batch_cpu(const BatchSetup& batch, int threads, const LinkDone& done) {
  return run_cpu<float>(batch, threads, done);
}

std::vector<LinkOutcome> run_batch_cpu_double(const BatchSetup& batch, int threads) {
  return run_cpu<double>(batch, threads, {});
}

std::vector<LinkOutcome> run_batch_cuda(const BatchSetup& batch, int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::run_batch(batch, device);
#else
  (void)batch;
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

std::size_t cuda_free_memory_bytes(int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::free_memory_bytes(device);
#else
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

double cuda_seconds_per_chunk(const BatchSetup& batch, int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::seconds_per_chunk(batch, device);
#else
  (void)batch;
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

double cuda_copy_bytes_per_s(int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::copy_bytes_per_s(device);
#else
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

void run_groups_cpu(const BatchSetup& settings, std::size_t groups, const LinkGroupSource& source,
                    int threads, const LinkDone& done, const ChunkCounted& counted) {
  run_cpu<float>(settings, groups, source, threads, done, nullptr, counted);
}

std::vector<StatEye> statistical_eyes_cpu(const std::vector<StatEyeInputs>& in,
                                          const std::vector<double>& contour_bers, int threads) {
  std::vector<StatEye> out(in.size());
  parallel_for(in.size(), threads,
               [&](std::size_t i) { out[i] = statistical_eye(in[i], contour_bers); });
  return out;
}

std::vector<StatEye> statistical_eyes_cuda(const std::vector<StatEyeInputs>& in,
                                           const std::vector<double>& contour_bers, int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::statistical_eyes(in, contour_bers, device);
#else
  (void)in;
  (void)contour_bers;
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

}  // namespace ll
