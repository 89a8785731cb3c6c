#include "host/backend.hpp"

#include <omp.h>

#include "host/cpu_backend.hpp"
#if defined(LIGHTLANE_HAVE_CUDA)
#include "kernels/cuda_backend.hpp"
#endif

namespace ll {
namespace {

template <class Real>
std::vector<LinkOutcome> run_cpu(const BatchSetup& batch, int threads, const LinkDone& done) {
  const std::size_t L = batch.links.size();
  std::vector<LinkOutcome> out(L);
  std::string error;
  // Everything a link's engine needs but the other links: copied once, not once per link (a
  // copy of the whole batch per link would be quadratic in the sweep size).
  BatchSetup shared = batch;
  shared.links.clear();
  // Links are independent and keyed by their own point: one engine per link gives results
  // that cannot depend on the grouping, and keeps each worker's buffers in its own cache. The
  // lanes of a WDM bus are coupled, so a bus is one engine.
  const std::size_t group = batch.bus_lanes > 0 ? static_cast<std::size_t>(batch.bus_lanes) : 1;
  if (L % group != 0) throw BackendError("a WDM batch needs whole buses of lanes");
  const std::size_t groups = L / group;
#pragma omp parallel for schedule(dynamic, 1) \
    num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (std::size_t g = 0; g < groups; ++g) {
    try {
      BatchSetup one = shared;
      one.links.assign(batch.links.begin() + g * group, batch.links.begin() + (g + 1) * group);
      SerialExec exec;
      LaneEngine<SerialExec, Real> engine(exec, one);
      engine.run();
      const std::vector<std::uint32_t> eyes = engine.eye_histograms();
      const std::size_t eye_size = eyes.size() / group;
      std::vector<ThermalLoopOutcome> thermal = engine.thermal_outcomes();
      const std::vector<RxEqualizerState<double>> eq = engine.equalizer_states();
      const auto cdr = engine.cdr_reports();
      for (std::size_t i = 0; i < group; ++i) {
        const std::size_t l = g * group + i;
        out[l].counters = engine.counters()[i];
        out[l].eye_histogram.assign(eyes.begin() + i * eye_size, eyes.begin() + (i + 1) * eye_size);
        out[l].thermal = std::move(thermal[i]);
        if (!eq.empty()) set_equalizer_taps(one.links[i], eq[i], out[l]);
        if (!cdr.empty()) set_cdr_report(cdr[i], one.samples_per_ui, out[l]);
        if (done) {
#pragma omp critical(lightlane_link_done)
          done(l, out[l]);
          out[l] = LinkOutcome{};  // handed over: a sweep's memory does not grow with its points
        }
      }
    } catch (const std::exception& e) {
#pragma omp critical(lightlane_cpu_error)
      error = e.what();
    }
  }
  if (!error.empty()) throw BackendError(error);
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

BackendChoice choose_backend(const std::string& request, int cpu_threads) {
  const int threads = cpu_threads > 0 ? cpu_threads : omp_get_max_threads();
  BackendChoice cpu{BackendKind::cpu, "cpu (" + std::to_string(threads) + " threads)", ""};
  if (request == "cpu") return cpu;
  if (request != "auto" && request != "cuda")
    throw BackendError("--backend: expected auto, cpu or cuda, got \"" + request + "\"");
  const CudaProbe probe = probe_cuda();
  if (probe.usable) return {BackendKind::cuda, "cuda (" + probe.message + ")", ""};
  if (request == "cuda") throw BackendError("--backend cuda: " + probe.message);
  cpu.note = "no usable GPU (" + probe.message + "); running on the CPU";
  return cpu;
}

std::vector<LinkOutcome> run_batch_cpu(const BatchSetup& batch, int threads, const LinkDone& done) {
  return run_cpu<float>(batch, threads, done);
}

std::vector<LinkOutcome> run_batch_cpu_double(const BatchSetup& batch, int threads) {
  return run_cpu<double>(batch, threads, {});
}

std::vector<LinkOutcome> run_batch_cuda(const BatchSetup& batch) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::run_batch(batch);
#else
  (void)batch;
  throw BackendError("this build has no CUDA backend");
#endif
}

std::vector<LinkOutcome> run_batch(const BackendChoice& backend, const BatchSetup& batch,
                                   int threads, const LinkDone& done) {
  if (backend.kind == BackendKind::cpu) return run_batch_cpu(batch, threads, done);
  std::vector<LinkOutcome> out = run_batch_cuda(batch);  // every link ends with the batch
  if (done)
    for (std::size_t l = 0; l < out.size(); ++l) done(l, out[l]);
  return out;
}

std::vector<StatEye> statistical_eyes_cpu(const std::vector<StatEyeInputs>& in,
                                          const std::vector<double>& contour_bers, int threads) {
  std::vector<StatEye> out(in.size());
  const long n = static_cast<long>(in.size());
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (long i = 0; i < n; ++i) out[i] = statistical_eye(in[i], contour_bers);
  return out;
}

std::vector<StatEye> statistical_eyes_cuda(const std::vector<StatEyeInputs>& in,
                                           const std::vector<double>& contour_bers) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::statistical_eyes(in, contour_bers);
#else
  (void)in;
  (void)contour_bers;
  throw BackendError("this build has no CUDA backend");
#endif
}

std::vector<StatEye> statistical_eyes(const BackendChoice& backend,
                                      const std::vector<StatEyeInputs>& in,
                                      const std::vector<double>& contour_bers, int threads) {
  if (backend.kind == BackendKind::cpu) return statistical_eyes_cpu(in, contour_bers, threads);
  return statistical_eyes_cuda(in, contour_bers);
}

}  // namespace ll
