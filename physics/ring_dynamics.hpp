// Time-domain micro-ring dynamics by coupled-mode theory (Sacher & Poon, Opt. Express 16, 15741
// (2008)), discretised exactly per sample and run as an associative scan.
//
// Model (rotating frame at the laser angular frequency w_L, input field s, |s|^2 = power):
//     da/dt = (j dw(t) - gamma) a - j sqrt(2/tau_e) s,     s_out = s - j sqrt(2/tau_e) a,
//     dw = w_res(V(t)) - w_L,   gamma = 1/tau = 1/tau_e + 1/tau_i.
// With u = sqrt(2/tau_e) a (so s_out = s - j u) and kappa = 2/tau_e:
//     du/dt = (j dw - gamma) u - j kappa s.
// Holding dw and s constant over a sample of length T (the drive is piecewise constant at the
// sample rate), the exact solution over one sample is the affine map
//     u[n+1] = A_n u[n] + B_n,   A_n = e^{x_n},   B_n = -j kappa T phi1(x_n) s,
//     x_n = (j dw_n - gamma) T,  phi1(x) = (e^x - 1) / x,
// and the composition of affine maps, (A2, B2) o (A1, B1) = (A2 A1, A2 B1 + B2), is associative:
// the recurrence is a scan. Here it runs as a tiled reduce-then-scan written as three plain
// functors for the backends' one launch loop: (1) every tile of `tile` samples reduces its maps
// to one (in parallel over links x tiles), (2) each link walks its tiles' maps from the state
// carried in from the last chunk (in parallel over links), (3) every tile re-applies its samples
// from its entering state and writes the output power (in parallel over links x tiles). Tiles
// sit at fixed absolute sample positions, so the arithmetic, and every count, is the same for
// any chunk size.
//
// Steady state (a slowly varying drive): u = j kappa s / (j dw - gamma), and
//     |s_out / s|^2 = ((gamma - kappa)^2 + dw^2) / (gamma^2 + dw^2),
// a Lorentzian notch of half width gamma and depth ((gamma - kappa)/gamma)^2. The host sets
// gamma and kappa so that the linewidth and the notch depth equal the all-pass ring's exact
// values (physics/mrm.hpp); the line shape then differs from the all-pass formula only away from
// resonance, by the single-mode approximation's O((dw / FSR)^2).
#pragma once

#include "physics/complex.hpp"
#include "physics/config.hpp"
#include "physics/mrm.hpp"
#include "physics/receiver_noise.hpp"

namespace ll {

template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> operator+(Complex<Real> a, Complex<Real> b) {
  return {a.re + b.re, a.im + b.im};
}

// The per-link constants of the dynamic ring, in units of the sample period T.
template <class Real>
struct RingCmt {
  Real gamma_t;    // gamma T: field decay per sample
  Real kappa_t;    // kappa T = (2 / tau_e) T
  Real omega_t_m;  // 2 pi c T: dw T = omega_t_m * (1/lambda_res - 1/lambda_L) in 1/m
  Real laser_wavelength_m;
  Real detuning_m;     // lambda_L - lambda_res(0)
  Real shift_m_per_v;  // d lambda_res / dV

  // dw T for drive voltage v: 2 pi c T (lambda_L - lambda_res) / (lambda_L lambda_res), with
  // lambda_L - lambda_res = detuning - shift v formed as a difference of small numbers.
  LL_HD LL_FORCEINLINE Real detuning_per_sample(Real drive_v) const {
    return detuning_per_sample_of_shift(shift_m_per_v * drive_v);
  }
  // For a resonance moved by shift_m from its 0 V position (any electro-optic model): the
  // resonance's offset of physics/mrm.hpp, as the static ring's phase is.
  LL_HD LL_FORCEINLINE Real detuning_per_sample_of_shift(Real shift_m) const {
    return resonance_offset(omega_t_m, laser_wavelength_m, detuning_m, shift_m);
  }
};

// The affine map of one sample.
template <class Real>
struct AffineMap {
  Complex<Real> a;  // multiplier
  Complex<Real> b;  // offset
};

// phi1(x) = (e^x - 1)/x, by its series near 0 (where e^x - 1 loses digits to cancellation) and
// directly elsewhere. The series to x^9 has truncation error |x|^10 / 11! < 3e-11 for |x| <= 0.5.
template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> phi1(Complex<Real> x, Complex<Real> ex) {
  const Real mag2 = x.re * x.re + x.im * x.im;
  if (mag2 < Real(0.25)) {
    // 1 + x/2! + x^2/3! + ... + x^9/10!, Horner from the top.
    const Real c[10] = {Real(1),          Real(1) / 2,      Real(1) / 6,    Real(1) / 24,
                        Real(1) / 120,    Real(1) / 720,    Real(1) / 5040, Real(1) / 40320,
                        Real(1) / 362880, Real(1) / 3628800};
    Complex<Real> p{c[9], Real(0)};
    for (int k = 8; k >= 0; --k) p = p * x + Complex<Real>{c[k], Real(0)};
    return p;
  }
  const Complex<Real> num{ex.re - Real(1), ex.im};
  const Real inv = Real(1) / mag2;  // num / x = num * conj(x) / |x|^2
  return {(num.re * x.re + num.im * x.im) * inv, (num.im * x.re - num.re * x.im) * inv};
}

// One sample's map for drive voltage v and unit input field (s = 1: the output is the field
// transmission, the power transmission is |1 - j u|^2).
template <class Real>
LL_HD LL_FORCEINLINE AffineMap<Real> cmt_step_at(Real gamma_t, Real kappa_t, Real dw_t) {
  const Complex<Real> x{-gamma_t, dw_t};
  const Real decay = math_exp(x.re);
  Real sin_x, cos_x;
  math_sincos(x.im, &sin_x, &cos_x);
  const Complex<Real> ex{decay * cos_x, decay * sin_x};
  const Complex<Real> p = phi1(x, ex);
  // B = -j kappa T phi1(x): multiplying by -j maps (re, im) to (im, -re).
  return {ex, {kappa_t * p.im, -kappa_t * p.re}};
}

// The linear (pm/V) electro-optic model: the resonance moves by shift_m_per_v * V.
template <class Real>
LL_HD LL_FORCEINLINE AffineMap<Real> cmt_step(const RingCmt<Real>& r, Real drive_v) {
  return cmt_step_at(r.gamma_t, r.kappa_t, r.detuning_per_sample(drive_v));
}

template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> apply(const AffineMap<Real>& m, Complex<Real> u) {
  return m.a * u + m.b;
}

// (second o first): first, then second.
template <class Real>
LL_HD LL_FORCEINLINE AffineMap<Real> compose(const AffineMap<Real>& second,
                                             const AffineMap<Real>& first) {
  return {second.a * first.a, second.a * first.b + second.b};
}

// Power transmission of the ring for state u (unit input): |1 - j u|^2 = (1 + u.im)^2 + u.re^2.
template <class Real>
LL_HD LL_FORCEINLINE Real cmt_transmission(Complex<Real> u) {
  const Real re = Real(1) + u.im;
  return re * re + u.re * u.re;
}

// The through port's field for a unit input, s_out = 1 - j u: the all-pass ring's field near
// resonance in the same e^{+i w t} convention (physics/mrm.hpp), for a fibre after the ring.
template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> cmt_field(Complex<Real> u) {
  return {Real(1) + u.im, -u.re};
}

// Steady-state power transmission at a constant detuning dw T (the Lorentzian).
template <class Real>
LL_HD inline Real cmt_steady_transmission(const RingCmt<Real>& r, Real dw_t) {
  const Real g = r.gamma_t, k = r.kappa_t;
  return ((g - k) * (g - k) + dw_t * dw_t) / (g * g + dw_t * dw_t);
}

// ---- The scan, as functors for the launch loop (rows x cols, cols = 1 here). Inputs: the drive
// voltage of the chunk, [links][per_link]; output: photocurrent, [links][out_stride] from
// out_offset; the ring state u carried across chunks, one per link. `Consts` is the engine's
// per-link constants type (LinkConstants<Real>), which holds `cmt`, the photocurrent scale and
// the dark current; cmt_step_for(consts, v) gives a sample's map under the link's electro-optic
// model (physics/lane.hpp). ----

// Sequential recurrence, one row per link: the CPU's form (each CPU engine owns one link).
template <class Real, class Consts>
struct CmtSequential {
  const Consts* links;
  const Real* drive_v;
  Real* current_a;
  Complex<Real>* state;
  std::size_t per_link, out_stride, out_offset;
  // With a fibre after the ring: the field, [links][field_stride] from field_offset, instead of
  // the photocurrent (null: the photocurrent).
  Complex<Real>* field = nullptr;
  std::size_t field_stride = 0, field_offset = 0;
  LL_HD void operator()(std::size_t link, std::size_t) const {
    const Consts& c = links[link];
    const Real* v = drive_v + link * per_link;
    Real* out = current_a + link * out_stride + out_offset;
    Complex<Real>* e = field ? field + link * field_stride + field_offset : nullptr;
    Complex<Real> u = state[link];
    for (std::size_t n = 0; n < per_link; ++n) {
      u = apply(cmt_step_for(c, v[n]), u);
      if (e)
        e[n] = cmt_field(u);
      else
        out[n] = photodiode_current_a(c, cmt_transmission(u));
    }
    state[link] = u;
  }
};

// Tiled scan, phase 1: each tile's samples reduced to one affine map. Row = link * tiles + t.
template <class Real, class Consts>
struct CmtTileReduce {
  const Consts* links;
  const Real* drive_v;
  AffineMap<Real>* tile_map;  // [links][tiles]
  std::size_t per_link, tile, tiles;
  LL_HD void operator()(std::size_t row, std::size_t) const {
    const std::size_t link = row / tiles, t = row % tiles;
    const Consts& c = links[link];
    const Real* v = drive_v + link * per_link + t * tile;
    AffineMap<Real> acc{{Real(1), Real(0)}, {Real(0), Real(0)}};
    for (std::size_t n = 0; n < tile; ++n) acc = compose(cmt_step_for(c, v[n]), acc);
    tile_map[row] = acc;
  }
};

// Phase 2: each link walks its tiles' maps from the carried state; records the state entering
// every tile and carries the final state to the next chunk.
template <class Real>
struct CmtTilePrefix {
  const AffineMap<Real>* tile_map;
  Complex<Real>* entering;  // [links][tiles]
  Complex<Real>* state;     // [links]
  std::size_t tiles;
  LL_HD void operator()(std::size_t link, std::size_t) const {
    Complex<Real> u = state[link];
    for (std::size_t t = 0; t < tiles; ++t) {
      entering[link * tiles + t] = u;
      u = apply(tile_map[link * tiles + t], u);
    }
    state[link] = u;
  }
};

// Phase 3: each tile re-applies its samples from its entering state and writes the output.
template <class Real, class Consts>
struct CmtTileApply {
  const Consts* links;
  const Real* drive_v;
  const Complex<Real>* entering;
  Real* current_a;
  std::size_t per_link, tile, tiles, out_stride, out_offset;
  Complex<Real>* field = nullptr;  // as CmtSequential's
  std::size_t field_stride = 0, field_offset = 0;
  LL_HD void operator()(std::size_t row, std::size_t) const {
    const std::size_t link = row / tiles, t = row % tiles;
    const Consts& c = links[link];
    const Real* v = drive_v + link * per_link + t * tile;
    Real* out = current_a + link * out_stride + out_offset + t * tile;
    Complex<Real>* e = field ? field + link * field_stride + field_offset + t * tile : nullptr;
    Complex<Real> u = entering[row];
    for (std::size_t n = 0; n < tile; ++n) {
      u = apply(cmt_step_for(c, v[n]), u);
      if (e)
        e[n] = cmt_field(u);
      else
        out[n] = photodiode_current_a(c, cmt_transmission(u));
    }
  }
};

}  // namespace ll
