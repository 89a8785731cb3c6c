// Counter-based Gaussian noise (Philox4x32-10, Random123): the normal deviate for sample n of
// stream s of sweep point p with seed k depends on (k, p, s, n) only, so the CPU and the GPU
// draw the same numbers and results do not depend on chunk, batch or shard sizes.
#pragma once

#include <Random123/philox.h>

#include <Random123/boxmuller.hpp>

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

// Standard normal deviate (Box-Muller on two 32-bit uniforms; the cosine branch).
LL_HD LL_FORCEINLINE float standard_normal(NoiseKey key, NoiseStream stream, std::uint64_t index) {
  const r123::Philox4x32::ctr_type u = philox_words(key, stream, index);
  return r123::boxmuller(u[0], u[1]).x;
}

// Standard normal deviate in double precision (host side: process-variation draws).
LL_HD inline double standard_normal_double(NoiseKey key, NoiseStream stream, std::uint64_t index) {
  const r123::Philox4x32::ctr_type u = philox_words(key, stream, index);
  const std::uint64_t a = (static_cast<std::uint64_t>(u[0]) << 32) | u[1];
  const std::uint64_t b = (static_cast<std::uint64_t>(u[2]) << 32) | u[3];
  return r123::boxmuller(a, b).x;
}

}  // namespace ll
