#include "host/run/backend.hpp"

#include <omp.h>

#include <algorithm>

#if defined(LIGHTLANE_HAVE_CUDA)
#include "kernels/cuda/cuda_backend.hpp"
#endif

namespace ll {

std::vector<int> parse_devices(const std::string& text, int count) {
  std::vector<int> devices;
  if (text == "all") {
    for (int d = 0; d < count; ++d) devices.push_back(d);
    return devices;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    std::size_t used = 0;
    int d = -1;
    try {
      d = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || d < 0)
      throw BackendError("--devices " + text +
                         ": expected \"all\" or device numbers separated by commas, e.g. 0,1");
    if (d >= count)
      throw BackendError("--devices " + text + ": device " + item + " does not exist (" +
                         std::to_string(count) + " visible)");
    if (std::find(devices.begin(), devices.end(), d) != devices.end())
      throw BackendError("--devices " + text + ": device " + item + " is named twice");
    devices.push_back(d);
    start = comma + 1;
  }
  return devices;
}

BackendChoice choose_backend(const std::string& request, int cpu_threads,
                             [[maybe_unused]] const std::string& devices) {
  const int threads = cpu_threads > 0 ? cpu_threads : omp_get_max_threads();
  BackendChoice cpu{BackendKind::cpu, "cpu (" + std::to_string(threads) + " threads)", "", {}};
  if (request == "cpu") return cpu;
  if (request != "auto" && request != "cuda")
    throw BackendError("--backend: expected auto, cpu or cuda, got \"" + request + "\"");
  const CudaProbe probe = probe_cuda();
  if (probe.usable) {
#if defined(LIGHTLANE_HAVE_CUDA)
    BackendChoice gpu{BackendKind::cuda, "", "", parse_devices(devices, cuda::device_count())};
    gpu.description = "cuda (" + probe.message + "; running on device";
    for (std::size_t i = 0; i < gpu.devices.size(); ++i)
      gpu.description +=
          (i ? "," : (gpu.devices.size() > 1 ? "s " : " ")) + std::to_string(gpu.devices[i]);
    gpu.description += ")";
    return gpu;
#endif
  }
  if (request == "cuda") throw BackendError("--backend cuda: " + probe.message);
  cpu.note = "no usable GPU (" + probe.message + "); running on the CPU";
  return cpu;
}

std::vector<LinkOutcome> run_batch(const BackendChoice& backend, const BatchSetup& batch,
                                   int threads, const LinkDone& done, int device) {
  if (backend.kind == BackendKind::cpu) return run_batch_cpu(batch, threads, done);
  std::vector<LinkOutcome> out = run_batch_cuda(batch, device);  // every link ends with the batch
  if (done)
    for (std::size_t l = 0; l < out.size(); ++l) done(l, out[l]);
  return out;
}

std::vector<StatEye> statistical_eyes(const BackendChoice& backend,
                                      const std::vector<StatEyeInputs>& in,
                                      const std::vector<double>& contour_bers, int threads,
                                      int device) {
  if (backend.kind == BackendKind::cpu) return statistical_eyes_cpu(in, contour_bers, threads);
  return statistical_eyes_cuda(in, contour_bers, device);
}

}  // namespace ll
