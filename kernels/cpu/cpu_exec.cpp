#include "kernels/cpu/cpu_exec.hpp"

#include <fftw3.h>

#include <mutex>
#include <stdexcept>

#include "kernels/engine/fir.hpp"

namespace ll {
namespace {

// Planning needs arrays of the final alignment; FFTW's new-array execute functions then apply
// the plan to any 64-byte aligned buffers of the same layout.
template <class Real>
struct FftwTraits;

template <>
struct FftwTraits<float> {
  static void* plan_overlapped(int n, int batch, int step) {
    const std::size_t len = static_cast<std::size_t>(step) * (batch - 1) + n;
    float* in = fftwf_alloc_real(len);
    fftwf_complex* out = fftwf_alloc_complex(static_cast<std::size_t>(n / 2 + 1) * batch);
    void* p = fftwf_plan_many_dft_r2c(1, &n, batch, in, nullptr, 1, step, out, nullptr, 1,
                                      n / 2 + 1, FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
    fftwf_free(in);
    fftwf_free(out);
    return p;
  }
  static void* plan_forward(int n, int batch) {
    float* in = fftwf_alloc_real(static_cast<std::size_t>(n) * batch);
    fftwf_complex* out = fftwf_alloc_complex(static_cast<std::size_t>(n / 2 + 1) * batch);
    void* p = fftwf_plan_many_dft_r2c(1, &n, batch, in, nullptr, 1, n, out, nullptr, 1, n / 2 + 1,
                                      FFTW_ESTIMATE);
    fftwf_free(in);
    fftwf_free(out);
    return p;
  }
  static void* plan_inverse(int n, int batch) {
    fftwf_complex* in = fftwf_alloc_complex(static_cast<std::size_t>(n / 2 + 1) * batch);
    float* out = fftwf_alloc_real(static_cast<std::size_t>(n) * batch);
    void* p = fftwf_plan_many_dft_c2r(1, &n, batch, in, nullptr, 1, n / 2 + 1, out, nullptr, 1, n,
                                      FFTW_ESTIMATE);
    fftwf_free(in);
    fftwf_free(out);
    return p;
  }
  static void forward(void* p, float* in, Complex<float>* out) {
    fftwf_execute_dft_r2c(static_cast<fftwf_plan>(p), in, reinterpret_cast<fftwf_complex*>(out));
  }
  static void inverse(void* p, Complex<float>* in, float* out) {
    fftwf_execute_dft_c2r(static_cast<fftwf_plan>(p), reinterpret_cast<fftwf_complex*>(in), out);
  }
  static void* plan_c2c(int n, int batch, int sign) {
    fftwf_complex* in = fftwf_alloc_complex(static_cast<std::size_t>(n) * batch);
    fftwf_complex* out = fftwf_alloc_complex(static_cast<std::size_t>(n) * batch);
    void* p = fftwf_plan_many_dft(1, &n, batch, in, nullptr, 1, n, out, nullptr, 1, n, sign,
                                  FFTW_ESTIMATE);
    fftwf_free(in);
    fftwf_free(out);
    return p;
  }
  static void c2c(void* p, Complex<float>* in, Complex<float>* out) {
    fftwf_execute_dft(static_cast<fftwf_plan>(p), reinterpret_cast<fftwf_complex*>(in),
                      reinterpret_cast<fftwf_complex*>(out));
  }
  static void destroy(void* p) { fftwf_destroy_plan(static_cast<fftwf_plan>(p)); }
};

template <>
struct FftwTraits<double> {
  static void* plan_overlapped(int n, int batch, int step) {
    const std::size_t len = static_cast<std::size_t>(step) * (batch - 1) + n;
    double* in = fftw_alloc_real(len);
    fftw_complex* out = fftw_alloc_complex(static_cast<std::size_t>(n / 2 + 1) * batch);
    void* p = fftw_plan_many_dft_r2c(1, &n, batch, in, nullptr, 1, step, out, nullptr, 1, n / 2 + 1,
                                     FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
    fftw_free(in);
    fftw_free(out);
    return p;
  }
  static void* plan_forward(int n, int batch) {
    double* in = fftw_alloc_real(static_cast<std::size_t>(n) * batch);
    fftw_complex* out = fftw_alloc_complex(static_cast<std::size_t>(n / 2 + 1) * batch);
    void* p = fftw_plan_many_dft_r2c(1, &n, batch, in, nullptr, 1, n, out, nullptr, 1, n / 2 + 1,
                                     FFTW_ESTIMATE);
    fftw_free(in);
    fftw_free(out);
    return p;
  }
  static void* plan_inverse(int n, int batch) {
    fftw_complex* in = fftw_alloc_complex(static_cast<std::size_t>(n / 2 + 1) * batch);
    double* out = fftw_alloc_real(static_cast<std::size_t>(n) * batch);
    void* p = fftw_plan_many_dft_c2r(1, &n, batch, in, nullptr, 1, n / 2 + 1, out, nullptr, 1, n,
                                     FFTW_ESTIMATE);
    fftw_free(in);
    fftw_free(out);
    return p;
  }
  static void forward(void* p, double* in, Complex<double>* out) {
    fftw_execute_dft_r2c(static_cast<fftw_plan>(p), in, reinterpret_cast<fftw_complex*>(out));
  }
  static void inverse(void* p, Complex<double>* in, double* out) {
    fftw_execute_dft_c2r(static_cast<fftw_plan>(p), reinterpret_cast<fftw_complex*>(in), out);
  }
  static void* plan_c2c(int n, int batch, int sign) {
    fftw_complex* in = fftw_alloc_complex(static_cast<std::size_t>(n) * batch);
    fftw_complex* out = fftw_alloc_complex(static_cast<std::size_t>(n) * batch);
    void* p = fftw_plan_many_dft(1, &n, batch, in, nullptr, 1, n, out, nullptr, 1, n, sign,
                                 FFTW_ESTIMATE);
    fftw_free(in);
    fftw_free(out);
    return p;
  }
  static void c2c(void* p, Complex<double>* in, Complex<double>* out) {
    fftw_execute_dft(static_cast<fftw_plan>(p), reinterpret_cast<fftw_complex*>(in),
                     reinterpret_cast<fftw_complex*>(out));
  }
  static void destroy(void* p) { fftw_destroy_plan(static_cast<fftw_plan>(p)); }
};

}  // namespace

template <class Real>
SerialExec::Fft<Real>::Fft(SerialExec&, std::size_t n, std::size_t batch, std::size_t block_step) {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  forward_ = FftwTraits<Real>::plan_forward(static_cast<int>(n), static_cast<int>(batch));
  inverse_ = FftwTraits<Real>::plan_inverse(static_cast<int>(n), static_cast<int>(batch));
  if (block_step)
    overlapped_ = FftwTraits<Real>::plan_overlapped(static_cast<int>(n), static_cast<int>(batch),
                                                    static_cast<int>(block_step));
  if (!forward_ || !inverse_ || (block_step && !overlapped_))
    throw std::runtime_error("FFTW could not plan the convolution");
}

template <class Real>
void SerialExec::Fft<Real>::forward_overlapped(const Real* in, Complex<Real>* out) {
  // FFTW_PRESERVE_INPUT makes the const_cast sound: the plan never writes its input.
  FftwTraits<Real>::forward(overlapped_, const_cast<Real*>(in), out);
}

template <class Real>
SerialExec::Fft<Real>::~Fft() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  if (forward_) FftwTraits<Real>::destroy(forward_);
  if (inverse_) FftwTraits<Real>::destroy(inverse_);
  if (overlapped_) FftwTraits<Real>::destroy(overlapped_);
}

template <class Real>
void SerialExec::Fft<Real>::forward(Real* in, Complex<Real>* out) {
  FftwTraits<Real>::forward(forward_, in, out);
}

template <class Real>
void SerialExec::Fft<Real>::inverse(Complex<Real>* in, Real* out) {
  FftwTraits<Real>::inverse(inverse_, in, out);
}

template <class Real>
SerialExec::FftC2C<Real>::FftC2C(SerialExec&, std::size_t n, std::size_t batch) {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  forward_ = FftwTraits<Real>::plan_c2c(static_cast<int>(n), static_cast<int>(batch), FFTW_FORWARD);
  inverse_ =
      FftwTraits<Real>::plan_c2c(static_cast<int>(n), static_cast<int>(batch), FFTW_BACKWARD);
  if (!forward_ || !inverse_) throw std::runtime_error("FFTW could not plan the fibre's transform");
}

template <class Real>
SerialExec::FftC2C<Real>::~FftC2C() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  if (forward_) FftwTraits<Real>::destroy(forward_);
  if (inverse_) FftwTraits<Real>::destroy(inverse_);
}

template <class Real>
void SerialExec::FftC2C<Real>::forward(Complex<Real>* in, Complex<Real>* out) {
  FftwTraits<Real>::c2c(forward_, in, out);
}

template <class Real>
void SerialExec::FftC2C<Real>::inverse(Complex<Real>* in, Complex<Real>* out) {
  FftwTraits<Real>::c2c(inverse_, in, out);
}

template class SerialExec::Fft<float>;
template class SerialExec::Fft<double>;
template class SerialExec::FftC2C<float>;
template class SerialExec::FftC2C<double>;

}  // namespace ll
