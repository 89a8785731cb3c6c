// Counter-based Gaussian noise (Philox4x32-10, Random123): the normal deviate for sample n of
// stream s of sweep point p with seed k depends on (k, p, s, n) only, so the CPU and the GPU
// draw the same numbers and results do not depend on chunk, batch or shard sizes.
#pragma once

#include <Random123/philox.h>

#include <Random123/boxmuller.hpp>

#include <cstdint>
#include <cstring>

#include "physics/config.hpp"

namespace ll {

enum class NoiseStream : std::uint32_t {
  receiver = 1,   // photodiode / TIA / RIN noise at the receiver
  variation = 2,  // process-variation draws of a sweep point (index: which quantity, which try)
  pattern = 3,    // the starting state of a WDM lane's pattern generator (lanes 1 ..)
  jitter = 4,     // transmit jitter: RJ and BUJ of each transition (index: absolute symbol)
  mpi = 5,        // multipath interference's phases (index: chunk x paths + path; chunk -1 the
                  // static phases)
};

struct NoiseKey {
  std::uint64_t seed;
  std::uint32_t point;
  std::uint32_t lane = 0;     // lane of a WDM bus (0 for a single lane)
  std::uint32_t segment = 0;  // segment of the point's bits (kernels/segments.hpp; 0 the first)
};

// A segment's stream is the index's high bits: segments are far shorter than this many samples
// (plan_sweep refuses a run.segment_bits that is not), and segment 0 draws what a point drew
// before segments.
inline constexpr int kSegmentIndexShift = 40;

// Four random 32-bit words for (key, stream, index): the counter holds the index (its bits from
// kSegmentIndexShift up xored with the segment), the stream (low 16 bits) with the lane (high 16
// bits) and the seed's high word; the key the seed's low word and the point. Lane 0 draws exactly
// what a single lane draws, segment 0 what an unsegmented point draws.
LL_HD LL_FORCEINLINE r123::Philox4x32::ctr_type philox_words(NoiseKey key, NoiseStream stream,
                                                             std::uint64_t index) {
  index ^= static_cast<std::uint64_t>(key.segment) << kSegmentIndexShift;
  r123::Philox4x32 rng;
  const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(index),
                                           static_cast<std::uint32_t>(index >> 32),
                                           static_cast<std::uint32_t>(stream) | (key.lane << 16),
                                           static_cast<std::uint32_t>(key.seed >> 32)}};
  const r123::Philox4x32::key_type k = {{static_cast<std::uint32_t>(key.seed), key.point}};
  return rng(ctr, k);
}

// The two transcendental functions of the float Box-Muller, written out so that a loop of draws
// vectorises (libm's sincosf and logf are calls the compiler cannot widen; they were 20% of a
// lane's time, scripts/BENCHMARKS.md) and both backends evaluate the same polynomials. Each is
// within a few float ulp of the double-precision function (tests/physics/test_noise.cpp).
LL_HD LL_FORCEINLINE std::uint32_t float_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}
LL_HD LL_FORCEINLINE float bits_float(std::uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(b);
#else
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
#endif
}

// sin(pi x) for x in [-1, 1]: x = k/2 + f with |f| <= 1/4 (the subtraction exact), then the
// Taylor polynomials of sin(pi f) to f^9 and cos(pi f) to f^10, whose first omitted terms
// ((pi/4)^11/11! = 1.7e-9, (pi/4)^12/12! = 1.1e-10) lie below float's rounding.
LL_HD LL_FORCEINLINE float sinpi_unit(float x) {
  const int k2 = static_cast<int>(2.0f * x + 2.5f);  // k + 2, in 0 .. 4 (truncation = floor)
  const float f = x - 0.5f * static_cast<float>(k2 - 2);
  const float t = 3.14159265358979f * f, t2 = t * t;
  const float sin_f =
      t * (1.0f + t2 * (-1.0f / 6 + t2 * (1.0f / 120 + t2 * (-1.0f / 5040 + t2 * (1.0f / 362880)))));
  const float cos_f =
      1.0f + t2 * (-0.5f + t2 * (1.0f / 24 + t2 * (-1.0f / 720 +
                                                   t2 * (1.0f / 40320 + t2 * (-1.0f / 3628800)))));
  const int quarter = k2 & 3;  // (k + 2) mod 4: sin(pi x) = -sin, -cos, sin, cos of pi f
  const float r = (quarter & 1) ? cos_f : sin_f;
  return (quarter & 2) ? r : -r;
}

// ln(u) for u in (0, 1] (never subnormal here: Random123's u01 is at least 2^-33): u = m 2^e with
// m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| <= 0.172, by its series to
// s^9 (the next term, s^10/11 of the sum, is 2e-9); e ln 2 in two parts so that e x its high part
// is exact.
LL_HD LL_FORCEINLINE float log_unit(float u) {
  const std::uint32_t b = float_bits(u);
  int e = static_cast<int>(b >> 23) - 127;
  float m = bits_float((b & 0x007fffffu) | 0x3f800000u);  // [1, 2)
  const bool high = m > 1.41421356f;
  m = high ? 0.5f * m : m;
  e = high ? e + 1 : e;
  const float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
  const float series = s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9))));
  const float ln_m = 2.0f * s + 2.0f * s * series;
  const float fe = static_cast<float>(e);
  return fe * 0.693145751953125f + (fe * 1.42860677e-06f + ln_m);
}

// Standard normal deviate: Box-Muller on two 32-bit uniforms (Random123's mapping to (-1, 1) and
// (0, 1], as its boxmuller), the sine branch.
LL_HD LL_FORCEINLINE float standard_normal(NoiseKey key, NoiseStream stream, std::uint64_t index) {
  const r123::Philox4x32::ctr_type u = philox_words(key, stream, index);
  return sinpi_unit(r123::uneg11<float>(u[0])) *
         math_sqrt(-2.0f * log_unit(r123::u01<float>(u[1])));
}

// Standard normal deviate in double precision (host side: process-variation draws).
LL_HD inline double standard_normal_double(NoiseKey key, NoiseStream stream, std::uint64_t index) {
  const r123::Philox4x32::ctr_type u = philox_words(key, stream, index);
  const std::uint64_t a = (static_cast<std::uint64_t>(u[0]) << 32) | u[1];
  const std::uint64_t b = (static_cast<std::uint64_t>(u[2]) << 32) | u[3];
  return r123::boxmuller(a, b).x;
}

}  // namespace ll
