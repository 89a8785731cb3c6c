// CPU backend: the engine runs one link per OpenMP worker (links are independent, so the
// counts cannot depend on how links are grouped); inside a worker the launch loop is a plain
// serial loop over the functor's index range, and FFTs are FFTW batched real transforms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "physics/complex.hpp"

namespace ll {

class SerialExec {
 public:
  // Owning, zero-initialised, 64-byte aligned (FFTW's SIMD paths want alignment) host memory.
  template <class T>
  class Buffer {
   public:
    Buffer() = default;
    explicit Buffer(std::size_t n) : n_(n) {
      if (n == 0) return;
      const std::size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
      p_ = static_cast<T*>(std::aligned_alloc(64, bytes));
      if (!p_) throw std::bad_alloc();
      std::memset(static_cast<void*>(p_), 0, bytes);
    }
    Buffer(Buffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
    Buffer& operator=(Buffer&& o) noexcept {
      std::swap(p_, o.p_);
      std::swap(n_, o.n_);
      return *this;
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { std::free(p_); }
    T* data() { return p_; }
    const T* data() const { return p_; }
    std::size_t size() const { return n_; }
    void upload(const T* host, std::size_t n) {
      if (n) std::memcpy(static_cast<void*>(p_), host, n * sizeof(T));
    }
    void download(T* host, std::size_t n) const {
      if (n) std::memcpy(static_cast<void*>(host), p_, n * sizeof(T));
    }

   private:
    T* p_ = nullptr;
    std::size_t n_ = 0;
  };

  // Batched in-order real FFTs of size n (FFTW_ESTIMATE: the plan, hence every rounding, is the
  // same on every run, which keeps results reproducible bit for bit).
  template <class Real>
  class Fft {
   public:
    Fft() = default;
    Fft(SerialExec&, std::size_t n, std::size_t batch, std::size_t block_step = 0);
    Fft(Fft&& o) noexcept { swap(o); }
    Fft& operator=(Fft&& o) noexcept {
      swap(o);
      return *this;
    }
    Fft(const Fft&) = delete;
    Fft& operator=(const Fft&) = delete;
    ~Fft();
    void forward(Real* in, Complex<Real>* out);
    void inverse(Complex<Real>* in, Real* out);  // unnormalised; overwrites `in`
    // Forward transforms of `batch` overlapping blocks read in place: block b starts at
    // in + b * block_step (out-of-place r2c leaves its input intact, so blocks may overlap).
    // Saves the copy of every sample into separate FFT blocks.
    void forward_overlapped(const Real* in, Complex<Real>* out);
    static constexpr bool reads_overlapped_blocks = true;

   private:
    void swap(Fft& o) {
      std::swap(forward_, o.forward_);
      std::swap(inverse_, o.inverse_);
      std::swap(overlapped_, o.overlapped_);
    }
    void* forward_ = nullptr;
    void* inverse_ = nullptr;
    void* overlapped_ = nullptr;
  };

  // Batched in-order complex FFTs of size n (the fibre's field), FFTW_ESTIMATE as Fft.
  template <class Real>
  class FftC2C {
   public:
    FftC2C() = default;
    FftC2C(SerialExec&, std::size_t n, std::size_t batch);
    FftC2C(FftC2C&& o) noexcept { swap(o); }
    FftC2C& operator=(FftC2C&& o) noexcept {
      swap(o);
      return *this;
    }
    FftC2C(const FftC2C&) = delete;
    FftC2C& operator=(const FftC2C&) = delete;
    ~FftC2C();
    void forward(Complex<Real>* in, Complex<Real>* out);
    void inverse(Complex<Real>* in, Complex<Real>* out);  // unnormalised

   private:
    void swap(FftC2C& o) {
      std::swap(forward_, o.forward_);
      std::swap(inverse_, o.inverse_);
    }
    void* forward_ = nullptr;
    void* inverse_ = nullptr;
  };

  // The CPU launch loop: rows x cols, innermost contiguous so the compiler can vectorise.
  template <class F>
  void for_each(std::size_t rows, std::size_t cols, const F& f) {
    for (std::size_t r = 0; r < rows; ++r)
#pragma omp simd
      for (std::size_t c = 0; c < cols; ++c) f(r, c);
  }
};

}  // namespace ll
