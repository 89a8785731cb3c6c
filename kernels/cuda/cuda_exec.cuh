// The CUDA execution policy for the lane engine: device memory owned by host objects, one
// grid-stride kernel that runs any functor over an index range, and batched cuFFT plans.
// Everything runs on the calling host thread's default stream: the backend is compiled with
// --default-stream=per-thread, so the runner's two workers per device (host/run/runner.cpp) overlap
// one unit's copies and host work with the other's kernels; the synchronous copies wait for
// their own thread's work only.
#pragma once

#include <cuda_runtime.h>
#include <cufft.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "physics/complex.hpp"

namespace ll {

inline void cuda_check(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}
inline void cufft_check(cufftResult r, const char* what) {
  if (r != CUFFT_SUCCESS)
    throw std::runtime_error(std::string("cuFFT: ") + what + " failed (code " +
                             std::to_string(static_cast<int>(r)) + ")");
}

// The one launch loop of the GPU backend: a grid-stride loop over rows x cols, consecutive
// threads on consecutive columns (coalesced, link-major buffers).
template <class F>
__global__ void grid_stride(std::size_t rows, std::size_t cols, F f) {
  const std::size_t n = rows * cols;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(blockDim.x) * gridDim.x)
    f(i / cols, i % cols);
}

class CudaExec {
 public:
  template <class T>
  class Buffer {
   public:
    Buffer() = default;
    explicit Buffer(std::size_t n) : n_(n) {
      if (n == 0) return;
      cuda_check(cudaMalloc(&p_, n * sizeof(T)), "cudaMalloc");
      cuda_check(cudaMemset(p_, 0, n * sizeof(T)), "cudaMemset");
    }
    Buffer(Buffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
    Buffer& operator=(Buffer&& o) noexcept {
      std::swap(p_, o.p_);
      std::swap(n_, o.n_);
      return *this;
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() {
      if (p_) cudaFree(p_);
    }
    T* data() { return p_; }
    const T* data() const { return p_; }
    std::size_t size() const { return n_; }
    void upload(const T* host, std::size_t n) {
      if (n) cuda_check(cudaMemcpy(p_, host, n * sizeof(T), cudaMemcpyHostToDevice), "upload");
    }
    void download(T* host, std::size_t n) const {
      if (n) cuda_check(cudaMemcpy(host, p_, n * sizeof(T), cudaMemcpyDeviceToHost), "download");
    }

   private:
    T* p_ = nullptr;
    std::size_t n_ = 0;
  };

  template <class Real>
  class Fft {
   public:
    Fft() = default;
    static constexpr bool reads_overlapped_blocks = false;  // cuFFT: gather into blocks
    Fft(CudaExec&, std::size_t n, std::size_t batch, std::size_t /*block_step*/ = 0) {
      int size = static_cast<int>(n);
      constexpr bool single = sizeof(Real) == 4;
      cufft_check(cufftPlanMany(&forward_, 1, &size, nullptr, 1, size, nullptr, 1, size / 2 + 1,
                                single ? CUFFT_R2C : CUFFT_D2Z, static_cast<int>(batch)),
                  "plan r2c");
      cufft_check(cufftPlanMany(&inverse_, 1, &size, nullptr, 1, size / 2 + 1, nullptr, 1, size,
                                single ? CUFFT_C2R : CUFFT_Z2D, static_cast<int>(batch)),
                  "plan c2r");
      // cuFFT is not built with per-thread default streams: without this its transforms would
      // run on the legacy stream, which waits for every other thread's work on the device.
      cufft_check(cufftSetStream(forward_, cudaStreamPerThread), "set stream r2c");
      cufft_check(cufftSetStream(inverse_, cudaStreamPerThread), "set stream c2r");
      planned_ = true;
    }
    Fft(Fft&& o) noexcept { swap(o); }
    Fft& operator=(Fft&& o) noexcept {
      swap(o);
      return *this;
    }
    Fft(const Fft&) = delete;
    Fft& operator=(const Fft&) = delete;
    ~Fft() {
      if (planned_) {
        cufftDestroy(forward_);
        cufftDestroy(inverse_);
      }
    }
    void forward(Real* in, Complex<Real>* out) {
      if constexpr (sizeof(Real) == 4)
        cufft_check(cufftExecR2C(forward_, reinterpret_cast<cufftReal*>(in),
                                 reinterpret_cast<cufftComplex*>(out)),
                    "exec r2c");
      else
        cufft_check(cufftExecD2Z(forward_, reinterpret_cast<cufftDoubleReal*>(in),
                                 reinterpret_cast<cufftDoubleComplex*>(out)),
                    "exec d2z");
    }
    void inverse(Complex<Real>* in, Real* out) {
      if constexpr (sizeof(Real) == 4)
        cufft_check(cufftExecC2R(inverse_, reinterpret_cast<cufftComplex*>(in),
                                 reinterpret_cast<cufftReal*>(out)),
                    "exec c2r");
      else
        cufft_check(cufftExecZ2D(inverse_, reinterpret_cast<cufftDoubleComplex*>(in),
                                 reinterpret_cast<cufftDoubleReal*>(out)),
                    "exec z2d");
    }

   private:
    void swap(Fft& o) {
      std::swap(forward_, o.forward_);
      std::swap(inverse_, o.inverse_);
      std::swap(planned_, o.planned_);
    }
    cufftHandle forward_ = 0, inverse_ = 0;
    bool planned_ = false;
  };

  // Batched complex FFTs of size n (the fibre's field), unnormalised.
  template <class Real>
  class FftC2C {
   public:
    FftC2C() = default;
    FftC2C(CudaExec&, std::size_t n, std::size_t batch) {
      int size = static_cast<int>(n);
      constexpr bool single = sizeof(Real) == 4;
      cufft_check(cufftPlanMany(&plan_, 1, &size, nullptr, 1, size, nullptr, 1, size,
                                single ? CUFFT_C2C : CUFFT_Z2Z, static_cast<int>(batch)),
                  "plan c2c");
      cufft_check(cufftSetStream(plan_, cudaStreamPerThread), "set stream c2c");
      planned_ = true;
    }
    FftC2C(FftC2C&& o) noexcept { swap(o); }
    FftC2C& operator=(FftC2C&& o) noexcept {
      swap(o);
      return *this;
    }
    FftC2C(const FftC2C&) = delete;
    FftC2C& operator=(const FftC2C&) = delete;
    ~FftC2C() {
      if (planned_) cufftDestroy(plan_);
    }
    void forward(Complex<Real>* in, Complex<Real>* out) { exec(in, out, CUFFT_FORWARD); }
    void inverse(Complex<Real>* in, Complex<Real>* out) { exec(in, out, CUFFT_INVERSE); }

   private:
    void exec(Complex<Real>* in, Complex<Real>* out, int direction) {
      if constexpr (sizeof(Real) == 4)
        cufft_check(cufftExecC2C(plan_, reinterpret_cast<cufftComplex*>(in),
                                 reinterpret_cast<cufftComplex*>(out), direction),
                    "exec c2c");
      else
        cufft_check(cufftExecZ2Z(plan_, reinterpret_cast<cufftDoubleComplex*>(in),
                                 reinterpret_cast<cufftDoubleComplex*>(out), direction),
                    "exec z2z");
    }
    void swap(FftC2C& o) {
      std::swap(plan_, o.plan_);
      std::swap(planned_, o.planned_);
    }
    cufftHandle plan_ = 0;
    bool planned_ = false;
  };

  template <class F>
  void for_each(std::size_t rows, std::size_t cols, const F& f) {
    const std::size_t n = rows * cols;
    if (n == 0) return;
    constexpr int threads = 256;
    const std::size_t wanted = (n + threads - 1) / threads;
    const int blocks = static_cast<int>(wanted < max_blocks_ ? wanted : max_blocks_);
    grid_stride<<<blocks, threads>>>(rows, cols, f);
    cuda_check(cudaGetLastError(), "kernel launch");
  }

 private:
  std::size_t max_blocks_ = 65536;
};

}  // namespace ll
