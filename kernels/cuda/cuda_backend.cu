// The CUDA backend: the shared lane engine (kernels/engine/lane_engine.hpp) over CudaExec, all links of a
// batch in one engine, float precision.
#include "kernels/backend.hpp"
#include "kernels/cuda/cuda_backend.hpp"
#include "kernels/cuda/cuda_exec.cuh"

#include <algorithm>
#include <chrono>

namespace ll {
namespace cuda {

bool probe(std::string& message) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    message = std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e);
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return false;
  }
  if (count == 0) {
    message = "cudaErrorNoDevice: no CUDA-capable device is detected";
    return false;
  }
  cudaDeviceProp prop{};
  cuda_check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  message = std::string(prop.name) + ", sm_" + std::to_string(prop.major) +
            std::to_string(prop.minor) + ", " + std::to_string(prop.totalGlobalMem >> 30) + " GiB";
  if (count > 1) message += " (+" + std::to_string(count - 1) + " more)";
  return true;
}

// The dynamic ring's recurrence runs as a tiled parallel scan on the GPU: 64 samples per tile
// give links x chunk / 64 independent tiles (plenty of threads) and short sequential runs.
constexpr std::size_t kScanTileSamples = 64;

BatchSetup for_gpu(BatchSetup batch) {
  if (batch.ring_dynamic) batch.scan_tile = kScanTileSamples;
  return batch;
}

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

std::size_t free_memory_bytes(int device) {
  cuda_check(cudaSetDevice(device), "cudaSetDevice");
  std::size_t free = 0, total = 0;
  cuda_check(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
  return free;
}

double seconds_per_chunk(const BatchSetup& batch_in, int device) {
  cuda_check(cudaSetDevice(device), "cudaSetDevice");
  const BatchSetup batch = for_gpu(batch_in);
  CudaExec exec;
  LaneEngine<CudaExec, float> engine(exec, batch);
  engine.step();  // warm-up: first launches, cuFFT's plans
  cuda_check(cudaStreamSynchronize(cudaStreamPerThread), "warm-up chunk");
  const auto t0 = std::chrono::steady_clock::now();
  engine.step();
  cuda_check(cudaStreamSynchronize(cudaStreamPerThread), "timed chunk");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<LinkOutcome> run_batch(const BatchSetup& batch_in, int device) {
  cuda_check(cudaSetDevice(device), "cudaSetDevice");
  const BatchSetup batch = for_gpu(batch_in);
  CudaExec exec;
  LaneEngine<CudaExec, float> engine(exec, batch);
  engine.run();
  return engine_outcomes(engine, batch);
}

double copy_bytes_per_s(int device, std::size_t bytes) {
  cuda_check(cudaSetDevice(device), "cudaSetDevice");
  void* from = nullptr;
  void* to = nullptr;
  cuda_check(cudaMalloc(&from, bytes), "cudaMalloc (copy rate)");
  cuda_check(cudaMalloc(&to, bytes), "cudaMalloc (copy rate)");
  cuda_check(cudaMemsetAsync(from, 1, bytes, cudaStreamPerThread), "cudaMemset (copy rate)");
  cudaEvent_t start, stop;
  cuda_check(cudaEventCreate(&start), "cudaEventCreate");
  cuda_check(cudaEventCreate(&stop), "cudaEventCreate");
  double best = 0.0;
  for (int repeat = 0; repeat < 6; ++repeat) {  // the first is the warm-up
    cuda_check(cudaEventRecord(start, cudaStreamPerThread), "cudaEventRecord");
    cuda_check(cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, cudaStreamPerThread),
               "cudaMemcpy (copy rate)");
    cuda_check(cudaEventRecord(stop, cudaStreamPerThread), "cudaEventRecord");
    cuda_check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0.0f;
    cuda_check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    if (repeat > 0 && ms > 0.0f) best = std::max(best, 2.0 * static_cast<double>(bytes) / (ms * 1e-3));
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cudaFree(from);
  cudaFree(to);
  return best;
}

std::vector<float> received_waveform(const BatchSetup& batch_in, int chunks) {
  const BatchSetup batch = for_gpu(batch_in);
  CudaExec exec;
  LaneEngine<CudaExec, float> engine(exec, batch);
  engine.keep_rx_waveform();
  for (int c = 0; c < chunks; ++c) engine.step();
  return engine.last_rx_waveform();
}

}  // namespace cuda
}  // namespace ll
