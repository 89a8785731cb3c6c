// The micro-ring's thermal state: thermo-optic shift, self-heating (thermal bistability), the
// heater, and a dither-free resonance lock.
//
// Thermo-optic shift. Warming the ring by dT raises the effective index by Gamma (dn/dT) dT, and
// at fixed order m, m lambda_res = n_eff L, the resonance moves by
//     d lambda_res / dT = lambda Gamma (dn/dT) / n_g
// (n_g, not n_eff: the index change is partly cancelled by dispersion as the resonance moves;
// ../shared/reference/PARAMETERS.md). dn/dT of Si is 1.86e-4 /K near 1.3-1.55 um. Gamma is the
// modal confinement factor of the index perturbation, which in high-index-contrast guides can
// exceed the power fraction in the core and 1 (Robinson et al., Opt. Express 16, 16659 (2008)):
// the 0.07-0.08 nm/K of PARAMETERS.md at 1310 nm with n_g = 4.2 needs Gamma = 1.2-1.35.
//
// Self-heating. An all-pass ring with input power P and transmission T dissipates what it does
// not transmit; a fraction `absorbed_fraction` of that (1 if nothing is scattered out) heats it:
//     P_abs = f P (1 - T),   dT_ring = R_th P_abs   (steady state),
// which red-shifts the resonance by s dT_ring (s = d lambda_res/dT). The heater adds eta P_h.
// Writing u for the thermal shift and d0 = lambda_L - lambda_cold - eta P_h for the detuning
// without self-heating, the steady state solves
//     g(u) = u - S (1 - T(d0 - u)) = 0,    S = s R_th f P,
// and 0 <= T <= 1 bounds u to [0, S]. g(0) < 0 < g(S), so there is an odd number of roots: one,
// or three where the laser is on the red side of a resonance at high power (the thermal
// triangle; Carmon et al., Opt. Express 12, 4742 (2004)). With the slow first-order dynamics
// tau du/dt = S (1 - T) - u = -g(u), a root is stable where g is increasing through it.
//
// Dynamics. The ring and the heater each relax to their steady state as first-order lags
// (time constants tau_th, tau_h). For inputs held constant over a step dt the exact solution is
//     x(t + dt) = x_ss + (x(t) - x_ss) e^{-dt/tau}.
// The engine steps this once per chunk with the chunk's mean absorbed power: microseconds of
// thermal time constant against nanoseconds of chunk, so the thermal state is quasi-static.
//
// Conventions: SI inside; the detuning d = lambda_L - lambda_res is positive with the laser on
// the red side of the resonance (the scenario's `detuning_pm`). Transmission models enter as a
// functor `double operator()(double laser_m, double detuning_m) const` (AllpassThermalView,
// CmtThermalView below), so the same code runs on the exact all-pass line shape (periodic in
// the FSR) and the single-mode CMT Lorentzian. Header-only, LL_HD, no allocation, exceptions or
// I/O.
#pragma once

#include <cmath>

#include "physics/config.hpp"
#include "physics/mrm.hpp"
#include "physics/ring_dynamics.hpp"

namespace ll {

struct ThermalParams {
  double thermo_optic_shift_m_per_k;  // d lambda_res / dT
  double thermal_resistance_k_per_w;  // ring to substrate, for heat deposited in the ring
  double thermal_time_constant_s;     // of the ring's temperature
  double heater_efficiency_m_per_w;   // heater tuning, e.g. 73 pm/mW = 73e-12 / 1e-3 m/W
  double heater_time_constant_s;      // of the heater's shift
  double max_heater_power_w;
  double absorbed_fraction;  // of the power not transmitted that heats the ring: 1 for an
                             // all-pass ring with no drop port, less if some is scattered out
};

// d lambda_res / dT = lambda Gamma (dn/dT) / n_g (see the top of the file).
LL_HD inline double thermo_optic_shift_m_per_k(double wavelength_m, double n_g, double confinement,
                                               double dn_dt_per_k) {
  return wavelength_m * confinement * dn_dt_per_k / n_g;
}

// Power that heats the ring for input power P and (mean) transmission T.
LL_HD inline double absorbed_power_w(const ThermalParams& p, double optical_power_w,
                                     double transmission) {
  return p.absorbed_fraction * optical_power_w * (1.0 - transmission);
}

// ---- Transmission views: T as a function of (laser wavelength, detuning lambda_L - lambda_res).

// The exact all-pass ring (physics/mrm.hpp): phi_rel = 2 pi L n_g (1/lambda_L - 1/lambda_res)
// = -2 pi L n_g d / (lambda_L (lambda_L - d)), periodic, so every order of the ring is present.
struct AllpassThermalView {
  double a, r;         // round-trip amplitude, self-coupling
  double phase_per_m;  // 2 pi L n_g
  LL_HD double operator()(double laser_m, double detuning_m) const {
    const double phi = -phase_per_m * detuning_m / (laser_m * (laser_m - detuning_m));
    return allpass_transmission(a, r, phi);
  }
  LL_HD static AllpassThermalView make(const RingGeometry& g, const RingFigures& f) {
    return {f.a, f.r, 2.0 * kPi * f.round_trip_m * g.n_g};
  }
};

// The single-mode coupled-mode Lorentzian (physics/ring_dynamics.hpp), dw = 2 pi c d /
// (lambda_L (lambda_L - d)); one resonance only. `cmt` holds the rates per second (T = 1 s).
struct CmtThermalView {
  RingCmt<double> cmt;
  LL_HD double operator()(double laser_m, double detuning_m) const {
    const double dw = cmt.omega_t_m * detuning_m / (laser_m * (laser_m - detuning_m));
    return cmt_steady_transmission(cmt, dw);
  }
  LL_HD static CmtThermalView make(const CmtRates& rates, double laser_m) {
    return {{rates.gamma_per_s, rates.kappa_per_s, 2.0 * kPi * kSpeedOfLight_m_per_s, laser_m, 0.0,
             0.0}};
  }
};

// ---- Quasi-static time stepping.

struct ThermalState {
  double ring_temperature_rise_k;  // self-heating, above the cold (substrate) temperature
  double heater_shift_m;           // resonance shift the heater has produced so far
};

// x relaxing toward `target` for dt with time constant tau: exact for a constant target.
// -expm1(-dt/tau) = 1 - e^{-dt/tau} without cancellation at small dt; tau <= 0 is instantaneous.
LL_HD inline double relax_first_order(double x, double target, double dt_s, double tau_s) {
  if (!(tau_s > 0.0)) return target;
  return x + (target - x) * -expm1(-dt_s / tau_s);
}

// One step of dt with the absorbed and heater powers held constant over it.
LL_HD inline ThermalState thermal_step(const ThermalParams& p, ThermalState s,
                                       double absorbed_power_w, double heater_power_w,
                                       double dt_s) {
  s.ring_temperature_rise_k =
      relax_first_order(s.ring_temperature_rise_k, p.thermal_resistance_k_per_w * absorbed_power_w,
                        dt_s, p.thermal_time_constant_s);
  s.heater_shift_m =
      relax_first_order(s.heater_shift_m, p.heater_efficiency_m_per_w * heater_power_w, dt_s,
                        p.heater_time_constant_s);
  return s;
}

// Total red shift of the resonance from its cold position.
LL_HD inline double thermal_shift_m(const ThermalParams& p, const ThermalState& s) {
  return p.thermo_optic_shift_m_per_k * s.ring_temperature_rise_k + s.heater_shift_m;
}

// ---- Self-consistent steady states.

// At most 3 for one resonance; more only if S spans more than an FSR of a periodic view
// (tens of kelvin of self-heating), and then the first kMaxSteadyStates are kept.
inline constexpr int kMaxSteadyStates = 9;

struct SteadyStates {
  int count;
  double
      cold_detuning_m;  // d0 = lambda_L - lambda_cold - eta P_h: the detuning without self-heating
  double bracket_m;     // S = s R_th f P: every solution's thermal shift lies in [0, S]
  double shift_m[kMaxSteadyStates];       // thermal (self-heating) shift u, ascending
  double resonance_m[kMaxSteadyStates];   // lambda_cold + eta P_h + u
  double transmission[kMaxSteadyStates];  // T(d0 - u)
  bool stable[kMaxSteadyStates];          // g increasing through the root
};

namespace thermal_detail {

template <class Trans>
struct SelfHeating {
  const Trans* trans;
  double laser_m, d0, S;
  // g(u) = u - S (1 - T(d0 - u))
  LL_HD double operator()(double u) const { return u - S * (1.0 - (*trans)(laser_m, d0 - u)); }
};

// Bisection to the last bit on [lo, hi] with g(lo) and g(hi) of opposite signs (g_lo < 0 is
// `rising`). Returns the end with the smaller |g|.
template <class G>
LL_HD inline double bisect_root(const G& g, double lo, double hi, double g_lo, double g_hi) {
  const bool rising = g_lo < 0.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (!(mid > lo && mid < hi)) break;  // adjacent doubles
    const double gm = g(mid);
    if ((gm < 0.0) == rising) {
      lo = mid;
      g_lo = gm;
    } else {
      hi = mid;
      g_hi = gm;
    }
  }
  return fabs(g_lo) <= fabs(g_hi) ? lo : hi;
}

// Golden-section search for the extremum of g on [lo, hi] (a maximum if `maximum`).
template <class G>
LL_HD inline double golden_extremum(const G& g, double lo, double hi, bool maximum) {
  const double invphi = 0.61803398874989484820;
  double x1 = hi - invphi * (hi - lo), x2 = lo + invphi * (hi - lo);
  double f1 = maximum ? g(x1) : -g(x1), f2 = maximum ? g(x2) : -g(x2);
  for (int i = 0; i < 120 && hi - lo > 0.0; ++i) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + invphi * (hi - lo);
      f2 = maximum ? g(x2) : -g(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - invphi * (hi - lo);
      f1 = maximum ? g(x1) : -g(x1);
    }
  }
  return 0.5 * (lo + hi);
}

LL_HD inline void add_root(SteadyStates& out, double u, bool stable) {
  if (out.count >= kMaxSteadyStates) return;
  int i = out.count++;
  while (i > 0 && out.shift_m[i - 1] > u) {  // keep ascending
    out.shift_m[i] = out.shift_m[i - 1];
    out.stable[i] = out.stable[i - 1];
    --i;
  }
  out.shift_m[i] = u;
  out.stable[i] = stable;
}

}  // namespace thermal_detail

// Cells of the scan over the bracket [0, S]. Two roots closer than a cell (only at the very
// edge of the bistable range) are still found: every interior local maximum below zero and
// minimum above zero of the scanned g is refined by golden section, and a pair of roots is
// bisected on either side if the refined extremum crosses zero.
inline constexpr int kSteadyScanCells = 1024;

// All self-consistent resonances for laser wavelength `laser_m`, input power `optical_power_w`
// and the ring's cold resonance `cold_resonance_m` (no heat), with the heater at
// `heater_power_w` in its steady state. `trans` is a transmission view (see above).
template <class Trans>
LL_HD inline SteadyStates steady_resonances(const ThermalParams& p, const Trans& trans,
                                            double laser_m, double cold_resonance_m,
                                            double optical_power_w, double heater_power_w = 0.0) {
  SteadyStates out{};
  const double heater_shift = p.heater_efficiency_m_per_w * heater_power_w;
  out.cold_detuning_m = (laser_m - cold_resonance_m) - heater_shift;
  const double S = p.thermo_optic_shift_m_per_k * p.thermal_resistance_k_per_w *
                   p.absorbed_fraction * optical_power_w;
  out.bracket_m = S;
  const thermal_detail::SelfHeating<Trans> g{&trans, laser_m, out.cold_detuning_m, S};
  if (!(S > 0.0)) {
    thermal_detail::add_root(out, 0.0, true);
  } else {
    // Widen the bracket by a hair so that g is strictly negative and positive at its ends
    // (g(0) = 0 only if T = 1, g(S) = 0 only if T = 0 exactly).
    const double eps = S * 1e-9;
    const double lo = -eps, hi = S + eps;
    const int n = kSteadyScanCells;
    const double du = (hi - lo) / n;
    double u_prev2 = lo, g_prev2 = g(lo);
    double u_prev = lo + du, g_prev = g(u_prev);
    if ((g_prev2 < 0.0) != (g_prev < 0.0))
      thermal_detail::add_root(
          out, thermal_detail::bisect_root(g, u_prev2, u_prev, g_prev2, g_prev), g_prev2 < 0.0);
    for (int i = 2; i <= n; ++i) {
      const double u = i == n ? hi : lo + du * i;
      const double gu = g(u);
      if ((g_prev < 0.0) != (gu < 0.0)) {
        thermal_detail::add_root(out, thermal_detail::bisect_root(g, u_prev, u, g_prev, gu),
                                 g_prev < 0.0);
      } else if ((g_prev2 < 0.0) == (g_prev < 0.0)) {
        // No sign change over the last two cells: a hidden pair of roots near u_prev?
        const bool is_max = g_prev >= g_prev2 && g_prev >= gu && g_prev < 0.0;
        const bool is_min = g_prev <= g_prev2 && g_prev <= gu && g_prev >= 0.0;
        if (is_max || is_min) {
          const double ue = thermal_detail::golden_extremum(g, u_prev2, u, is_max);
          const double ge = g(ue);
          if ((ge < 0.0) != (g_prev < 0.0)) {
            thermal_detail::add_root(out, thermal_detail::bisect_root(g, u_prev2, ue, g_prev2, ge),
                                     g_prev2 < 0.0);
            thermal_detail::add_root(out, thermal_detail::bisect_root(g, ue, u, ge, gu), ge < 0.0);
          }
        }
      }
      u_prev2 = u_prev;
      g_prev2 = g_prev;
      u_prev = u;
      g_prev = gu;
    }
  }
  for (int i = 0; i < out.count; ++i) {
    out.resonance_m[i] = cold_resonance_m + heater_shift + out.shift_m[i];
    out.transmission[i] = trans(laser_m, out.cold_detuning_m - out.shift_m[i]);
  }
  return out;
}

// ---- Laser sweeps (hysteresis).

struct SweepSettle {
  double dt_fraction = 0.1;    // step, in units of the ring's thermal time constant
  double tolerance_m = 1e-18;  // settled when the resonance moves less than this in one step
  int max_steps = 200000;      // per wavelength (critical slowing down near the folds)
};

// Sweeps the laser over `laser_m[0..count)` in order. At each wavelength the thermal state is
// stepped (thermal_step, absorbed power from the transmission at the current resonance) until
// it settles, starting from the state the previous wavelength left, so the sweep follows the
// branch it is on: up in wavelength (blue to red) the resonance is dragged red and then snaps
// back; down, the laser jumps into the resonance later. Writes the settled transmission (and,
// if non-null, the total shift) per wavelength and returns the final state. The iteration
// x <- x + (1 - e^{-dt/tau}) (f(x) - x) converges on a stable branch when
// (1 - e^{-dt/tau}) (1 + S max|dT/dd|) < 2; dt = 0.1 tau allows S max|dT/dd| up to 20.
template <class Trans>
LL_HD inline ThermalState sweep_laser(const ThermalParams& p, const Trans& trans,
                                      double cold_resonance_m, double optical_power_w,
                                      double heater_power_w, const double* laser_m, int count,
                                      ThermalState state, double* transmission_out,
                                      double* shift_out = nullptr, SweepSettle settle = {}) {
  const double tau =
      p.thermal_time_constant_s > 0.0 ? p.thermal_time_constant_s : p.heater_time_constant_s;
  const double dt = settle.dt_fraction * tau;
  for (int k = 0; k < count; ++k) {
    const double d_cold = laser_m[k] - cold_resonance_m;
    double shift = thermal_shift_m(p, state);
    for (int it = 0; it < settle.max_steps; ++it) {
      const double t = trans(laser_m[k], d_cold - shift);
      state = thermal_step(p, state, absorbed_power_w(p, optical_power_w, t), heater_power_w, dt);
      const double next = thermal_shift_m(p, state);
      const double moved = fabs(next - shift);
      shift = next;
      if (moved < settle.tolerance_m) break;
    }
    transmission_out[k] = trans(laser_m[k], d_cold - shift);
    if (shift_out) shift_out[k] = shift;
  }
  return state;
}

// ---- Heater and resonance lock.

// The heater only red-shifts. To put a resonance on a target `offset_m` to the red of the cold
// one (offset_m = lambda_target - lambda_cold), it shifts this resonance by offset_m >= 0, or,
// when the target is to the blue (offset_m < 0), the next resonance to the blue by
// fsr_m + offset_m; in general by offset_m mod fsr_m in [0, fsr_m). `fsr_m` is the spacing from
// the target to the next resonance on its red side (RingFigures::fsr_m at the target).
struct HeaterSetting {
  double power_w;
  double shift_m;  // red shift the heater must produce
  bool wrapped;    // another order than the cold resonance's own is brought to the target
  bool fits;       // power_w <= max_heater_power_w
};

LL_HD inline HeaterSetting heater_power_to_reach(double offset_m, double fsr_m,
                                                 double heater_efficiency_m_per_w,
                                                 double max_heater_power_w) {
  HeaterSetting h{};
  h.shift_m = offset_m - fsr_m * floor(offset_m / fsr_m);
  if (h.shift_m >= fsr_m) h.shift_m = 0.0;  // rounding at an exact multiple
  h.wrapped = h.shift_m != offset_m;
  h.power_w = h.shift_m / heater_efficiency_m_per_w;
  h.fits = h.power_w <= max_heater_power_w;
  return h;
}

// The heater setting that holds the hot resonance on the target in steady state: there the
// ring absorbs f P (1 - T*) and self-heats by s R_th f P (1 - T*), which the heater need not
// supply. Start the engine here (ring at R_th f P (1 - T*), heater shift eta P_h) rather than
// cold: the lock needs tens of heater time constants, a large part of a Monte Carlo point.
LL_HD inline HeaterSetting heater_setting_for_lock(const ThermalParams& p, double offset_m,
                                                   double fsr_m, double optical_power_w,
                                                   double target_transmission) {
  const double self = p.thermo_optic_shift_m_per_k * p.thermal_resistance_k_per_w *
                      absorbed_power_w(p, optical_power_w, target_transmission);
  return heater_power_to_reach(offset_m - self, fsr_m, p.heater_efficiency_m_per_w,
                               p.max_heater_power_w);
}

// Dither-free lock on the red flank: a monitor photodiode reads the through-port transmission
// T (normalised to the input), and an integral controller moves the heater power,
//     P_h <- clamp(P_h + gain (T - T_target) dt / tau_h, 0, P_max).
// On the red flank (laser red of the resonance) T rises with the detuning, so T above target
// means the resonance is too far to the blue and more heat is needed: negative feedback. Far
// from any resonance T ~ 1 > T_target and the heater ramps up until the next resonance from the
// blue arrives, so the lock wraps by itself. The dt / tau_h scaling makes the loop independent
// of the update (chunk) rate: with the heater lag, loop gain K = gain eta |dT/dd| and
// self-heating neglected, the linearised loop is tau_h^2 y'' + tau_h y' + K y = 0, critically
// damped at K = 1/4 (lock_gain_critical). Self-heating adds the ring's own lag: with
// G = S |dT/dd| (S = s R_th f P) and tau_th = tau_h the characteristic polynomial is
// s^3 + (2 - G) s^2 + (K + 1 - G) s + K (times tau), and Routh-Hurwitz needs
// (1 - G)(K + 2 - G) > 0: the lock holds the red flank only where G < 1, i.e. where the
// operating point is thermally stable without it. A drop-port monitor would reverse the sign of
// the error (use a negative gain).
struct LockLoop {
  double gain_w_per_unit;      // heater power per unit transmission error per heater time constant
  double target_transmission;  // T at the operating detuning
};

LL_HD inline double lock_step(const LockLoop& loop, const ThermalParams& p, double heater_power_w,
                              double measured_transmission, double dt_s) {
  const double scale = p.heater_time_constant_s > 0.0 ? dt_s / p.heater_time_constant_s : 1.0;
  double next = heater_power_w +
                loop.gain_w_per_unit * (measured_transmission - loop.target_transmission) * scale;
  if (next < 0.0) next = 0.0;
  if (next > p.max_heater_power_w) next = p.max_heater_power_w;
  return next;
}

// Locked: transmission within `transmission_tol` of the target and the heater power moved by at
// most `power_tol_w` in the last step.
LL_HD inline bool lock_converged(const LockLoop& loop, double measured_transmission,
                                 double heater_power_change_w, double transmission_tol,
                                 double power_tol_w) {
  return fabs(measured_transmission - loop.target_transmission) <= transmission_tol &&
         fabs(heater_power_change_w) <= power_tol_w;
}

// Gain for a critically damped lock (K = 1/4) given the flank slope |dT/dd| at the operating
// point (per metre).
LL_HD inline double lock_gain_critical(double heater_efficiency_m_per_w, double slope_per_m) {
  return 0.25 / (heater_efficiency_m_per_w * slope_per_m);
}

// |dT/dd| of a transmission view at detuning d, by a central difference of half-width h.
template <class Trans>
LL_HD inline double flank_slope_per_m(const Trans& trans, double laser_m, double detuning_m,
                                      double h_m) {
  return fabs(trans(laser_m, detuning_m + h_m) - trans(laser_m, detuning_m - h_m)) / (2.0 * h_m);
}

}  // namespace ll
