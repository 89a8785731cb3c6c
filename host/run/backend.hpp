// Backend selection (--backend, --devices) and the calls that run a batch or statistical eyes on
// the chosen one (the entry points themselves: kernels/backend.hpp).
#pragma once

#include <string>
#include <vector>

#include "kernels/backend.hpp"

namespace ll {

enum class BackendKind { cpu, cuda };

struct BackendChoice {
  BackendKind kind = BackendKind::cpu;
  std::string description;   // e.g. "cpu (2 threads)" or "cuda (NVIDIA H100, sm_90)"
  std::string note;          // why auto fell back to the CPU, when it did
  std::vector<int> devices;  // the CUDA backend's GPUs (--devices)
};

// request: "auto" | "cpu" | "cuda". "cuda" without a usable device throws BackendError with the
// CUDA runtime's message; "auto" falls back to the CPU and says why in `note`. `devices`: "all"
// (every device CUDA_VISIBLE_DEVICES shows) or a comma-separated list of device numbers; a number
// past the device count, or a malformed list, throws BackendError naming --devices.
BackendChoice choose_backend(const std::string& request, int cpu_threads,
                             const std::string& devices = "all");
// --devices: "all" (0 .. count - 1) or device numbers separated by commas, each below `count` and
// named once; anything else throws BackendError naming --devices.
std::vector<int> parse_devices(const std::string& text, int count);

// A batch on the chosen backend (on the GPU: on `device`, one of backend.devices).
std::vector<LinkOutcome> run_batch(const BackendChoice& backend, const BatchSetup& batch,
                                   int threads, const LinkDone& done = {}, int device = 0);

// Statistical eyes on the chosen backend (on the GPU: on `device`, one of backend.devices).
std::vector<StatEye> statistical_eyes(const BackendChoice& backend,
                                      const std::vector<StatEyeInputs>& in,
                                      const std::vector<double>& contour_bers, int threads,
                                      int device = 0);

}  // namespace ll
