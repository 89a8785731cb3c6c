// The WDM bus in the engine (project issue 3): N lanes whose modulator rings sit in series on one
// transmit bus waveguide, each lane's laser on its own channel of a grid, and a receive bus of N
// drop rings (or an ideal demultiplexer) feeding N photodiodes.
//
// Every channel passes every ring. Channel j leaves the transmit bus with power
//     P_j(t) = P_laser loss T_j(V_j(t)) prod_{k != j} T_k->j(V_k(t)),
// where T_j is lane j's own ring (static all-pass or the coupled-mode field, whichever the batch
// runs) and T_k->j is ring k's all-pass through transmission at channel j's wavelength with ring k
// at its own instantaneous drive voltage: neighbours attenuate channel j and imprint their data
// on it. Photodiode i then receives, incoherently (the channels beat far outside the receiver
// bandwidth),
//     I_i(t) = I_dark + R sum_j X[i][j] P_j(t),
// with X the drop matrix of the cascaded demultiplexer (physics/wdm.hpp; the identity for an
// ideal one). Both steps are linear in the number of lanes per sample: first every channel's bus
// power (BusChannelPower), then every photodiode's mix (BusDemux).
//
// Approximations, stated: (1) a neighbour ring acts on another channel quasi-statically (its
// all-pass transmission at the instantaneous voltage). For the lane's own channel the dynamic
// model keeps the photon lifetime; at another channel, S = one grid spacing >= 3 linewidths away,
// the ring's response is the far tail of its Lorentzian, whose own bandwidth is about S, and its
// modulation depth there is (FWHM / 2S)^2 of the on-resonance one. (2) The drop ring filters
// the lane's own channel with its Lorentzian; the host folds the small-signal intensity response
// of a centred Lorentzian field filter, a single pole at FWHM / 2, into H2. Crosstalk from other
// channels enters with its static weight X[i][j]. (3) Light a ring absorbs from other channels
// does not heat it.
#pragma once

#include "physics/lane.hpp"
#include "physics/wdm.hpp"

namespace ll {

// Ring k's through transmission at another channel's wavelength. `seen` is ring k's all-pass
// model evaluated for that channel: its coefficients, 2 pi L n_g, the channel's wavelength as the
// "laser" and the distance from ring k's operating resonance as the "detuning"; `eo` is ring k's
// own electro-optic table (junction model), whose shift and loss follow ring k's voltage.
template <class Real, bool Junction>
LL_HD LL_FORCEINLINE Real neighbour_transmission(const RingModulator<Real>& seen,
                                                 const EoTable<Real>& eo, Real v) {
  if constexpr (Junction) {
    const typename EoTable<Real>::Entry e = eo.at(v);
    return allpass_transmission_coeffs(e.num0, e.den0, e.four_ar, seen.phase_of_shift(e.shift_m));
  } else {
    return seen.transmission(v);
  }
}

// Step 1: channel power on the transmit bus (without the dark current). Links of a bus are
// consecutive: lane j of bus b is link b * lanes + j. One row per (link, tile of kBusTile
// samples): neighbours outer, samples inner, so the inner loop is a contiguous SIMD loop on the
// CPU; on the GPU links x samples / kBusTile threads (16K for one 16-lane bus per 1024-symbol
// chunk) each run a short loop.
inline constexpr std::size_t kBusTile = 32;

template <class Real, bool Junction>
struct BusChannelPower {
  const LinkConstants<Real>* links;
  const RingModulator<Real>* seen;  // [links][lanes]: ring k as channel `link` sees it
  const Real* drive_v;              // [links][samples]
  const Real* own_current_a;        // [links][samples]: photocurrent through the own ring alone
  Real* channel_a;                  // [links][samples]: R P_j loss through every ring on the bus
  std::size_t samples;              // a multiple of kBusTile
  int lanes;
  LL_HD void operator()(std::size_t link, std::size_t tile) const {
    const std::size_t first = link - link % static_cast<std::size_t>(lanes);
    const int j = static_cast<int>(link - first);
    const std::size_t n0 = tile * kBusTile;
    const Real dark = links[link].dark_current_a;
    const Real* own = own_current_a + link * samples + n0;
    Real* out = channel_a + link * samples + n0;
    LL_SIMD for (std::size_t t = 0; t < kBusTile; ++t) out[t] = own[t] - dark;
    for (int k = 0; k < lanes; ++k) {
      if (k == j) continue;
      const std::size_t other = first + k;
      const RingModulator<Real> ring = seen[link * lanes + k];
      const EoTable<Real>& eo = links[other].eo;
      const Real* v = drive_v + other * samples + n0;
      LL_SIMD for (std::size_t t = 0; t < kBusTile; ++t) out[t] *=
          neighbour_transmission<Real, Junction>(ring, eo, v[t]);
    }
  }
};

// Step 2: each photodiode's current from every channel through the demultiplexer.
template <class Real>
struct BusDemux {
  const LinkConstants<Real>* links;
  const Real* drop;       // [links][lanes]: X[i][j] for photodiode i = link's lane
  const Real* channel_a;  // [links][samples]
  Real* current_a;        // [links][out_stride] from out_offset
  std::size_t samples, out_stride, out_offset;
  int lanes;
  LL_HD void operator()(std::size_t link, std::size_t n) const {
    const std::size_t first = link - link % static_cast<std::size_t>(lanes);
    Real i = Real(0);
    for (int j = 0; j < lanes; ++j)
      i += drop[link * lanes + j] * channel_a[(first + j) * samples + n];
    current_a[link * out_stride + out_offset + n] = i + links[link].dark_current_a;
  }
};

}  // namespace ll
