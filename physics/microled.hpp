// A directly modulated micro-LED ([microled]; the modulator stage's fourth choice): the driver's
// current into an LED whose light follows its carriers, with the ABC recombination model,
//     dN/dt = eta_i I / (q V) - (A N + B N^2 + C N^3),
// (A: Shockley-Read-Hall, B: radiative, C: Auger), the light the receiver collects
//     P = eta_x (h c / lambda) V B N^2
// (eta_x: extraction and coupling into the link), the internal quantum efficiency
// IQE = B N^2 / (A N + B N^2 + C N^3), which peaks at N = sqrt(A / C) and droops beyond (Auger),
// and, about a steady state, a first-order response: the carriers' differential lifetime
// 1 / tau_d = A + 2 B N + 3 C N^2 sets the power's modulation bandwidth f3 = 1 / (2 pi tau_d)
// (|dP/dI| falls to 1/sqrt(2)): the bandwidth grows with the current. Its spectrum is wide (no
// coherent field: a fibre's dispersion is refused). Densities are carried in units of
// kDensityUnit (1e24 m^-3 = 1e18 cm^-3) so that N^2 and N^3 stay inside float's range.
#pragma once

#include "physics/config.hpp"

namespace ll {

inline constexpr double kDensityUnit_per_m3 = 1e24;

template <class Real>
struct MicroLed {
  Real a_per_s;        // A
  Real b_per_s;        // B kDensityUnit: per unit density, 1/s
  Real c_per_s;        // C kDensityUnit^2
  Real gen_per_a_s;    // eta_i / (q V kDensityUnit): units of density per second per ampere
  Real watts_per_bn2;  // eta_x h nu V kDensityUnit: W per unit of B N^2 (with B in 1/s)
  Real amps_per_v;     // the driver's transconductance: I = amps_per_v x drive (none below 0)
  Real dt_s;           // the sample period

  LL_HD LL_FORCEINLINE Real recombination(Real n) const {
    return n * (a_per_s + n * (b_per_s + c_per_s * n));
  }
  LL_HD LL_FORCEINLINE Real generation(Real drive_v) const {
    const Real i = amps_per_v * drive_v;
    return i > Real(0) ? gen_per_a_s * i : Real(0);
  }
  LL_HD LL_FORCEINLINE Real power_w(Real n) const { return watts_per_bn2 * b_per_s * n * n; }
  // One sample period at drive v by the midpoint rule (the period is far under the carriers'
  // lifetime: the lane's sample rate is many times its bandwidth).
  LL_HD LL_FORCEINLINE Real step(Real n, Real drive_v) const {
    const Real g = generation(drive_v);
    const Real mid = n + Real(0.5) * dt_s * (g - recombination(n));
    const Real next = n + dt_s * (g - recombination(mid));
    return next > Real(0) ? next : Real(0);
  }
  // The steady density at drive v: recombination(N) = generation, by bisection (monotonic in N).
  LL_HD Real steady_density(Real drive_v) const {
    const Real g = generation(drive_v);
    Real lo = Real(0), hi = Real(1);
    while (recombination(hi) < g) hi *= Real(2);
    for (int it = 0; it < 200; ++it) {
      const Real mid = Real(0.5) * (lo + hi);
      (recombination(mid) < g ? lo : hi) = mid;
    }
    return Real(0.5) * (lo + hi);
  }
  // The steady light at drive v, W: the set-up's static transfer ("transmission" of a 1 W source).
  LL_HD Real transmission(Real drive_v) const { return power_w(steady_density(drive_v)); }
  // 1 / tau_d at density n.
  LL_HD Real differential_rate_per_s(Real n) const {
    return a_per_s + n * (Real(2) * b_per_s + Real(3) * c_per_s * n);
  }
  template <class To>
  MicroLed<To> converted() const {
    return {static_cast<To>(a_per_s),     static_cast<To>(b_per_s),
            static_cast<To>(c_per_s),     static_cast<To>(gen_per_a_s),
            static_cast<To>(watts_per_bn2), static_cast<To>(amps_per_v),
            static_cast<To>(dt_s)};
  }
};

// The micro-LED's light, sample by sample through the rate equation, each link's density carried
// across chunks: one sequential pass per link (as the coupled-mode ring's), into the photodiode.
template <class Real, class Consts>
struct MicroLedSequential {
  const Consts* links;
  const Real* drive_v;
  Real* current_a;
  Real* density;  // [links]: carried
  std::size_t per_link, out_stride, out_offset;
  LL_HD void operator()(std::size_t link, std::size_t) const {
    const Consts& c = links[link];
    const Real* v = drive_v + link * per_link;
    Real* out = current_a + link * out_stride + out_offset;
    Real n = density[link];
    for (std::size_t k = 0; k < per_link; ++k) {
      n = c.led.step(n, v[k]);
      out[k] = c.photocurrent_per_transmission_a * c.led.power_w(n) + c.dark_current_a;
    }
    density[link] = n;
  }
};

}  // namespace ll
