// Common definitions for the header-only physics: compiled by g++ for the CPU backend and by
// nvcc for the CUDA backend. Nothing here allocates, throws or does I/O.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define LL_HD __host__ __device__
#define LL_FORCEINLINE __forceinline__
#else
#define LL_HD
#define LL_FORCEINLINE inline __attribute__((always_inline))
#endif

// Vectorise the following loop on the CPU (OpenMP SIMD); nothing on the device.
#if !defined(__CUDA_ARCH__) && defined(_OPENMP)
#define LL_SIMD _Pragma("omp simd")
#else
#define LL_SIMD
#endif

namespace ll {

// Physical constants (CODATA 2018, exact where SI defines them).
inline constexpr double kElementaryCharge_C = 1.602176634e-19;
inline constexpr double kSpeedOfLight_m_per_s = 299792458.0;
inline constexpr double kPi = 3.14159265358979323846;

// Math that resolves to the precision of its argument on host and device alike (unqualified
// sin(float) on the host would call the double libm function).
LL_HD LL_FORCEINLINE float math_sqrt(float x) { return sqrtf(x); }
LL_HD LL_FORCEINLINE double math_sqrt(double x) { return sqrt(x); }
LL_HD LL_FORCEINLINE float math_floor(float x) { return floorf(x); }
LL_HD LL_FORCEINLINE double math_floor(double x) { return floor(x); }
LL_HD LL_FORCEINLINE float math_exp(float x) { return expf(x); }
LL_HD LL_FORCEINLINE float math_log(float x) { return logf(x); }
LL_HD LL_FORCEINLINE double math_log(double x) { return log(x); }
LL_HD LL_FORCEINLINE double math_exp(double x) { return exp(x); }
LL_HD LL_FORCEINLINE void math_sincos(float x, float* s, float* c) {
  *s = sinf(x);
  *c = cosf(x);
}
LL_HD LL_FORCEINLINE void math_sincos(double x, double* s, double* c) {
  *s = sin(x);
  *c = cos(x);
}

// x reduced to r in [-pi/2, pi/2] by a whole number of pi, and sin r by its Taylor series to r^13
// (truncation below 7e-10 there, far under float rounding), in float. Plain multiplies and adds
// (no fmaf/rintf, which are library calls on baseline x86-64) so the loops that use them vectorise.
LL_HD LL_FORCEINLINE float reduce_mod_pi(float x) {
  const float q = x * 0.318309886183790672f;  // x / pi
  const float k = static_cast<float>(static_cast<int>(q + (q >= 0.0f ? 0.5f : -0.5f)));
  return x - k * 3.14159265358979323846f;
}
LL_HD LL_FORCEINLINE float sin_series(float r) {
  const float r2 = r * r;
  float p = -1.0f / 6227020800.0f;  // -1/13!
  p = p * r2 + 1.0f / 39916800.0f;  //  1/11!
  p = p * r2 - 1.0f / 362880.0f;    // -1/9!
  p = p * r2 + 1.0f / 5040.0f;      //  1/7!
  p = p * r2 - 1.0f / 120.0f;       // -1/5!
  p = p * r2 + 1.0f / 6.0f;         //  1/3!
  return r * (1.0f - p * r2);
}

// sin(x)^2 (period pi): the series on the reduced argument.
LL_HD LL_FORCEINLINE float sin_squared(float x) {
  const float s = sin_series(reduce_mod_pi(x));
  return s * s;
}
LL_HD LL_FORCEINLINE double sin_squared(double x) {
  const double s = sin(x);
  return s * s;
}

// sin r and cos r of x reduced to r in [-pi/2, pi/2] by a whole number of pi: what is periodic in
// pi (sin^2 x = sin^2 r, sin 2x = 2 sin r cos r) without libm; cos by its series to r^14.
LL_HD LL_FORCEINLINE void sin_cos_mod_pi(float x, float* s, float* c) {
  const float r = reduce_mod_pi(x);
  const float r2 = r * r;
  *s = sin_series(r);
  float u = 1.0f / 87178291200.0f;  //  1/14!
  u = u * r2 - 1.0f / 479001600.0f;  // -1/12!
  u = u * r2 + 1.0f / 3628800.0f;    //  1/10!
  u = u * r2 - 1.0f / 40320.0f;      // -1/8!
  u = u * r2 + 1.0f / 720.0f;        //  1/6!
  u = u * r2 - 1.0f / 24.0f;         // -1/4!
  u = u * r2 + 0.5f;                 //  1/2!
  *c = 1.0f - u * r2;
}
LL_HD LL_FORCEINLINE void sin_cos_mod_pi(double x, double* s, double* c) {
  *s = sin(x);
  *c = cos(x);
}

// Transmit FFE: kTxFfeTaps symbol-spaced taps, the cursor at kTxFfeCursor (c(-3) .. c(+1), the
// 802.3dj host transmitter's span); the scenario gives the others, the cursor is 1 - sum |c|.
inline constexpr int kTxFfeTaps = 5;
inline constexpr int kTxFfeCursor = 3;

// Largest PAM order the engine carries in fixed-size parameter arrays (PAM8 for 400G lanes).
inline constexpr int kMaxLevels = 8;

// Error bursts: runs of consecutive symbol errors, by length 1 .. kBurstBins - 1 and the last
// bin for kBurstBins or longer (DFE error propagation lengthens them). LinkCounters and the
// HDF5 `burst_length` dimension share it.
inline constexpr int kBurstBins = 16;

}  // namespace ll
