// Crosstalk between the cores of an imaging fibre bundle, the parallel form of a micro-LED link
// (many NRZ channels, one LED and one core each): a core's photodiode also receives a fraction x
// of the light of each of its n neighbouring cores (hexagonal packing: 6). Micro-LED light is
// incoherent, so the powers add (no beat):
//     I(t) = I_own(t) + x sum_k (I_k(t) - I_dark),
// each neighbour an LED like its own carrying independent data. The engine
// (kernels/engine/stages_bundle.hpp) takes neighbour k's light as the core's own at a distinct
// delay D_k inside a chunk (D_k = S (k + 1) / n samples of a chunk of S: at least a sixth of a
// chunk, hundreds of symbols, far beyond the LED's and the receiver's memory, so the data are
// independent; the neighbours are nominally the same device). The receiver's thresholds follow the mean added
// light, n x <I - I_dark>, as a decision-level adapting receiver's would.
#pragma once

#include <cstddef>

#include "physics/config.hpp"

namespace ll {

inline constexpr int kMaxBundleNeighbours = 6;

// A link's bundle as the set-up lays it out.
struct BundleCoupling {
  int neighbours = 0;
  double fraction = 0.0;                    // x, power per neighbour
  int delay_samples[kMaxBundleNeighbours] = {};
  double mean_shift_a = 0.0;                // n x <I - I_dark>: the levels' rise
};

// The core's photocurrent with its neighbours' light. `own` holds `history` samples ahead of the
// chunk's per link; fraction[l] is x (0 for a link without neighbours in a batch with them).
template <class Real>
struct BundleCrosstalk {
  const Real* own;       // [links][stride]
  const Real* fraction;  // [links]
  const Real* dark_a;    // [links]
  const int* delay;      // [links][neighbours], samples, at most history
  Real* out;             // [links][out_stride] from out_offset
  std::size_t stride, history, neighbours, out_stride, out_offset;
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    const Real* i = own + link * stride + history + n;
    Real others = Real(0);
    for (std::size_t k = 0; k < neighbours; ++k)
      others += i[-static_cast<std::ptrdiff_t>(delay[link * neighbours + k])] - dark_a[link];
    out[link * out_stride + out_offset + n] = i[0] + fraction[link] * others;
  }
};

}  // namespace ll
