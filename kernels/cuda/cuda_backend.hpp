// Entry points of the CUDA backend, callable from host code compiled without nvcc.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/engine/lane_engine.hpp"
#include "kernels/engine/stat_eye_batch.hpp"

namespace ll {

struct LinkOutcome;

namespace cuda {

// Asks the CUDA runtime for devices. Returns false with the runtime's message (for example
// cudaErrorNoDevice or cudaErrorInsufficientDriver) when there is none to use.
bool probe(std::string& message);

// Visible devices (0 when the runtime has none).
int device_count();

// Free memory of `device` now (cudaMemGetInfo), bytes.
std::size_t free_memory_bytes(int device);

// Runs the batch with every link in one engine on `device`, on the calling thread's default
// stream (the backend is compiled with --default-stream per-thread).
std::vector<LinkOutcome> run_batch(const BatchSetup& batch, int device = 0);

// Seconds one chunk of every link of `batch` takes on `device`, after a warm-up chunk.
double seconds_per_chunk(const BatchSetup& batch, int device);

// The device's memory roofline as measured: bytes moved per second (each byte read and each byte
// written counted) by device-to-device copies of `bytes` on `device`, best of a few repeats after
// a warm-up (what cudaMemcpy reaches is what a streaming kernel can hope for).
double copy_bytes_per_s(int device, std::size_t bytes = std::size_t(1) << 30);

// The last chunk's noiseless received waveform of every link, after `chunks` chunks: for the
// tests that compare the backends sample by sample.
std::vector<float> received_waveform(const BatchSetup& batch, int chunks);

// The statistical eyes of links (host/link/stat_eye.hpp), every phase of every link one thread block,
// in launches of thousands of links; an eye without phases stays invalid.
std::vector<StatEye> statistical_eyes(const std::vector<StatEyeInputs>& in,
                                      const std::vector<double>& contour_bers, int device = 0);

}  // namespace cuda
}  // namespace ll
