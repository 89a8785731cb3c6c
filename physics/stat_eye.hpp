// The statistical eye's per-phase program (host/link/stat_eye.hpp has the model): one source for the
// two backends. The host prepares each link's phases (host/link/stat_eye.cpp: the equalised pulse's
// taps at each phase, the jitter's shifts and variances); this program then builds the ISI's
// distribution at one phase by convolution, sums the noise's tails at the thresholds into the
// symbol and bit error ratios, and finds the eyes' floors and ceilings at given probabilities.
//
// It runs on a team: the CPU's is one thread (SerialTeam, host/link/stat_eye.cpp), the GPU's a thread
// block (kernels/cuda/stat_eye_cuda.cu), one block per phase of a link. Team members own the ISI grid's
// bins by index (bin b belongs to member b mod size), so a member only ever writes its own bins
// and one barrier per tap suffices. The team provides:
//   int rank(), size();           // this member, how many
//   void sync();                  // barrier
//   double sum(double), max(double);  // every member's values reduced, returned to all
//   parallel_for(a, e, f)         // f(b) for the member's bins in [a, e]: independent (SIMD)
//   strided_for(a, e, f)          // the same, for loops that accumulate (no SIMD)
// and a Q functor: Q(z) = P(Z > z) of the standard normal (the CPU's table, the GPU's erfc).
#pragma once

#include "physics/config.hpp"
#include "physics/illinois.hpp"
#include "physics/lane.hpp"

namespace ll {

// Bins of the ISI's distribution: the grid spans every sum of the taps in 2 ((bins - 3) / 2)
// steps (isi_grid).
inline constexpr int kStatEyeBins = 1024;
// Beyond z = 10 the Gaussian tail is below 8e-24: taken as 0 (the contours stop at 1e-15).
inline constexpr double kStatEyeMaxZ = 10.0;
// Bins of the ISI distribution lighter than this are left out of the error sums.
inline constexpr double kStatEyeNegligibleMass = 1e-30;

// Q(z) from erfc, cut at the same reach as the CPU's table (host/link/stat_eye.cpp): the GPU's.
struct ErfcTail {
  LL_HD double operator()(double z) const {
    if (z >= kStatEyeMaxZ) return 0.0;
    if (z <= -kStatEyeMaxZ) return 1.0;
    return 0.5 * erfc(z * 0.70710678118654752440);
  }
};

// One link's constants.
struct StatEyeLink {
  int levels = 0;
  int samples_per_ui = 0;
  int combos = 1;              // noiseless-sample shifts per level and phase (jitter: levels^2)
  double mid_a = 0.0;          // mean received current: the ISI's symbol values are about it
  double value[kMaxLevels]{};  // symbol values (current - mid) / outer span
  double prob[kMaxLevels]{};
  double threshold_a[kMaxLevels - 1]{};
  int region_of_level[kMaxLevels]{};
  int level_of_region[kMaxLevels]{};
  // Bits wrong when region r is decided for level k sent (Gray PAM: the labels' distance;
  // PAM6: the mean bits of a single-level error), and the bits of a symbol.
  double bits_wrong[kMaxLevels][kMaxLevels]{};
  double bits_per_symbol = 1.0;
  // Receiver noise at the noiseless sample y >= 0: const + shot y + rin y^2, times the FFE's
  // noise gain sum c_i^2.
  double noise_var_const_a2 = 0.0, noise_var_shot_a = 0.0, noise_var_rin = 0.0;
  double noise_gain2 = 1.0;
  double target_ber = 1e-3;  // the eye height's probability
};

// One phase of a link: the decided symbol's tap, the other symbols' taps (`taps` of them from
// `tap_begin` in the link's tap list), and per level `combos` shifts (from combo_begin, [level]
// [combo]): each a weight, a shift of the noiseless sample and an added variance (jitter; without
// it one combination of weight 1, no shift, no variance).
struct StatEyePhase {
  double cursor = 0.0;
  int tap_begin = 0, taps = 0;
  int combo_begin = 0;
};

struct StatEyeCombo {
  double weight = 1.0, shift_a = 0.0, variance_a2 = 0.0;
};

struct StatEyePhaseResult {
  double ser = 0.0, ber = 0.0;
  double eye_height_a = 0.0;  // the decision phase only
};

// The ISI grid: lo + b step for b in [0, bins), `origin` the bin of 0, every sum of |tap|
// max|value| (the reach) within bins 1 .. 2 origin - 1 (a bin or more to spare on each side).
// The reach is a whole number of steps from 0, so that 0 falls on a bin: with the grid's former
// bins - 3 steps across [-reach, reach] (an odd number) 0 lay half-way between two bins, and the
// rounding of the origin moved every sum half a step up or down (which way, the last bit of
// reach / step decided: by chain), the BER with it (+0.26% at 1e-5 on a linear chain,
// tests/kernels/test_stat_eye.cpp).
struct IsiGrid {
  double lo = 0.0, step = 1.0;
  int origin = 0;
  bool trivial = true;  // no ISI: all mass at 0 (bin 0)
};
LL_HD inline IsiGrid isi_grid(const double* taps, int n, const double* value, int levels,
                              int bins) {
  double max_value = 0.0;
  for (int k = 0; k < levels; ++k) max_value = fmax(max_value, fabs(value[k]));
  double reach = 0.0;
  for (int i = 0; i < n; ++i) reach += fabs(taps[i]) * max_value;
  IsiGrid g;
  if (!(reach > 0.0)) return g;
  g.trivial = false;
  const int half = (bins - 3) / 2;  // steps from 0 to the reach
  g.step = reach / half;
  g.origin = half + 1;
  g.lo = -g.origin * g.step;
  return g;
}

// The distribution of sum_i a_i taps[i] (a_i independent, value[k] with prob[k]) on the grid:
// each tap's distribution convolved in, the mass of each shifted bin split between its two
// nearest bins. `pdf` and `next` hold bins + 2 floats each, zero, indexed from -1 (so the reads
// one bin outside the support land on zeros); returns the buffer with the result and its
// support [*first, *last]. Single precision: masses to 1e-30 fit, and twice the SIMD width.
template <class Team>
LL_HD float* isi_convolve(Team& team, const double* taps, int n, const double* value,
                          const double* prob, int levels, const IsiGrid& grid, int bins, float* pdf,
                          float* next, int* first_out, int* last_out) {
  if (grid.trivial) {
    team.parallel_for(0, 0, [&](int b) { pdf[b] = 1.0f; });
    team.sync();
    *first_out = *last_out = 0;
    return pdf;
  }
  team.parallel_for(grid.origin, grid.origin, [&](int b) { pdf[b] = 1.0f; });
  int first = grid.origin, last = grid.origin;
  for (int i = 0; i < n; ++i) {
    const double g = taps[i];
    if (g == 0.0) continue;
    team.sync();  // pdf complete
    int new_first = bins, new_last = 0;
    for (int k = 0; k < levels; ++k) {
      const double shift = value[k] * g / grid.step;
      const int whole = static_cast<int>(floor(shift));
      const double frac = shift - whole;
      const float p_low = static_cast<float>(prob[k] * (1.0 - frac));
      const float p_high = static_cast<float>(prob[k] * frac);
      // Bins first + whole .. last + whole + 1 receive this level's share.
      const float* __restrict src = pdf - whole;
      float* __restrict dst = next;
      const int from = first + whole > 0 ? first + whole : 0;
      const int to = last + whole + 1 < bins - 1 ? last + whole + 1 : bins - 1;
      team.parallel_for(from, to, [&](int b) { dst[b] += p_low * src[b] + p_high * src[b - 1]; });
      // The grid's reach holds every sum, but the splits spread the mass past the extreme sums:
      // a sum split between two bins is split again by the next tap, up to one bin further out
      // per tap. What would fall off the grid's ends piles up in its end bins (each the owner's),
      // so no mass is lost: it is the extreme sums' (the errors' own patterns), a few bins out.
      if (first + whole < 0 && team.rank() == 0) {
        float spill = 0.0f;
        for (int a = first; a <= last && a + whole < 0; ++a)
          spill += (a + whole + 1 < 0 ? p_low + p_high : p_low) * pdf[a];
        dst[0] += spill;
      }
      if (last + whole + 1 > bins - 1 && team.rank() == (bins - 1) % team.size()) {
        float spill = 0.0f;
        for (int a = last; a >= first && a + whole + 1 > bins - 1; --a)
          spill += (a + whole > bins - 1 ? p_low + p_high : p_high) * pdf[a];
        dst[bins - 1] += spill;
      }
      new_first = new_first < first + whole ? new_first : first + whole;
      new_last = new_last > last + whole + 1 ? new_last : last + whole + 1;
    }
    // The old distribution's bins back to zero for the next tap (each member its own, after
    // every member has read them: the barrier at the loop's head).
    team.sync();
    float* const old = pdf;
    team.parallel_for(first, last, [&](int b) { old[b] = 0.0f; });
    pdf = next;
    next = old;
    first = new_first > 0 ? new_first : 0;
    last = new_last < bins - 1 ? new_last : bins - 1;
  }
  team.sync();
  *first_out = first;
  *last_out = last;
  return pdf;
}

// The per-phase sums over one level's noiseless samples: ISI bin b of combination c lies at
// y = y0_c + step b with weight w_c pdf[b] and noise sigma_c(y).
struct StatEyeLevelSamples {
  const StatEyeLink* link;
  const StatEyeCombo* combos;  // this level's
  const float* pdf;
  int first, last;
  double y0_a;  // mid + value cursor + grid.lo (the combination's shift added per combination)
  double step_a;

  LL_HD LL_FORCEINLINE double inv_sigma(double y, double extra_variance) const {
    const double var = receiver_noise_variance(link->noise_var_const_a2, link->noise_var_shot_a,
                                               link->noise_var_rin, y) *
                           link->noise_gain2 +
                       extra_variance;
    return 1.0 / sqrt(var);
  }
  // The samples written out once (StatEyeSampleCache), or null: computed at every pass.
  const double* cached_w = nullptr;
  const double* cached_y = nullptr;
  const double* cached_inv_s = nullptr;

  // Calls f(weight, y, 1 / sigma) for each of the team member's samples.
  template <class Team, class F>
  LL_HD void for_each(Team& team, const F& f) const {
    if (cached_w) {
      team.strided_for(0, link->combos * (last - first + 1) - 1, [&](int i) {
        if (cached_w[i] < kStatEyeNegligibleMass) return;
        f(cached_w[i], cached_y[i], cached_inv_s[i]);
      });
      return;
    }
    for (int c = 0; c < link->combos; ++c) {
      const StatEyeCombo combo = combos[c];
      const double y0 = y0_a + combo.shift_a;
      team.strided_for(first, last, [&](int b) {
        const double w = combo.weight * pdf[b];
        if (w < kStatEyeNegligibleMass) return;
        const double y = y0 + step_a * b;
        f(w, y, inv_sigma(y, combo.variance_a2));
      });
    }
  }
  // Writes the samples out ([combo][bin - first]; a negligible one with weight 0) and reads
  // them from there on.
  template <class Team>
  LL_HD void cache_in(Team& team, double* w_out, double* y_out, double* inv_s_out) {
    const int n = last - first + 1;
    for (int c = 0; c < link->combos; ++c) {
      const StatEyeCombo combo = combos[c];
      const double y0 = y0_a + combo.shift_a;
      double* __restrict w_c = w_out + c * n - first;
      double* __restrict y_c = y_out + c * n - first;
      double* __restrict inv_s_c = inv_s_out + c * n - first;
      team.parallel_for(first, last, [&](int b) {
        const double w = combo.weight * pdf[b];
        const double y = y0 + step_a * b;
        w_c[b] = w < kStatEyeNegligibleMass ? 0.0 : w;
        y_c[b] = y;
        inv_s_c[b] = inv_sigma(y, combo.variance_a2);
      });
    }
    team.sync();
    cached_w = w_out;
    cached_y = y_out;
    cached_inv_s = inv_s_out;
  }
};

// Storage for every level's samples at one phase (each array levels x combos x kStatEyeBins):
// the CPU's, where computing the noise at each sample again for each pass of the edges' search
// costs more than reading it back.
struct StatEyeSampleCache {
  double* w;
  double* y;
  double* inv_s;
};

// Symbol and bit errors of level k sent: for each threshold, the noise's tail on the far side
// from the level (above for thresholds over it, below for those under it), summed over the
// samples (sums of small terms: no 1 - x cancellation); each region's probability is then a
// difference of neighbouring tails. Adds prob[k] times the SER and bit errors to *ser, *bits.
template <class Team, class Q>
LL_HD void level_errors(Team& team, const StatEyeLink& L, int k, const StatEyeLevelSamples& s,
                        const Q& q, double* ser, double* bits) {
  const int M = L.levels;
  const int rk = L.region_of_level[k];
  double tail[kMaxLevels - 1] = {};
  s.for_each(team, [&](double w, double y, double inv_s) {
    // Outward from the level: once a tail is below Q's reach the further ones are too.
    for (int t = rk; t + 1 < M; ++t) {
      const double z = (L.threshold_a[t] - y) * inv_s;
      if (z >= kStatEyeMaxZ) break;
      tail[t] += w * q(z);
    }
    for (int t = rk - 1; t >= 0; --t) {
      const double z = (y - L.threshold_a[t]) * inv_s;
      if (z >= kStatEyeMaxZ) break;
      tail[t] += w * q(z);
    }
  });
  for (int t = 0; t + 1 < M; ++t) tail[t] = team.sum(tail[t]);
  double level_ser = 0.0, level_bits = 0.0;
  for (int r = rk + 1; r < M; ++r) {  // regions above: above[r-1] - above[r]
    const double p_r = tail[r - 1] - (r + 1 < M ? tail[r] : 0.0);
    level_ser += p_r;
    level_bits += p_r * L.bits_wrong[k][r];
  }
  for (int r = rk - 1; r >= 0; --r) {  // regions below: below[r] - below[r-1]
    const double p_r = tail[r] - (r > 0 ? tail[r - 1] : 0.0);
    level_ser += p_r;
    level_bits += p_r * L.bits_wrong[k][r];
  }
  *ser += L.prob[k] * level_ser;
  *bits += L.prob[k] * level_bits;
}

// P(Y > y) (above) or P(Y < y) of one level's samples, each from its own small terms.
template <class Team, class Q>
LL_HD double level_tail(Team& team, const StatEyeLevelSamples& s, double y, bool above,
                        const Q& q) {
  double t = 0.0;
  s.for_each(team, [&](double w, double yi, double inv_s) {
    t += w * q((above ? y - yi : yi - y) * inv_s);
  });
  return team.sum(t);
}

// Where one level's tail, P(Y > y) (above) or P(Y < y), equals p: the Illinois variant of
// regula falsi on log P - log p, bracketed by the samples' reach (10 sigma beyond the outermost,
// where every sample's Q is 0 or 1, so the bracket's values need no evaluation). About 10
// evaluations of the tail where bisection to the same precision takes 30.
template <class Team, class Q>
LL_HD double level_quantile(Team& team, const StatEyeLevelSamples& s, double p, bool above,
                            const Q& q) {
  double lo = 1e300, hi = -1e300, mass = 0.0;
  s.for_each(team, [&](double w, double y, double inv_s) {
    lo = fmin(lo, y - kStatEyeMaxZ / inv_s);
    hi = fmax(hi, y + kStatEyeMaxZ / inv_s);
    mass += w;
  });
  lo = -team.max(-lo);
  hi = team.max(hi);
  mass = team.sum(mass);
  constexpr double kFloor = 1e-300;  // log of a tail that is 0
  const double log_p = log(p);
  auto f = [&](double y) { return log(fmax(level_tail(team, s, y, above, q), kFloor)) - log_p; };
  // The tail is the whole mass on one side of the bracket and 0 on the other.
  double a = lo, b = hi;
  double fa = (above ? log(mass) : log(kFloor)) - log_p;
  double fb = (above ? log(kFloor) : log(mass)) - log_p;
  if (!(fa * fb < 0.0)) return above ? hi : lo;  // p beyond the mass (not for p < 0.5)
  return illinois_root(f, a, b, fa, fb, 1e-9 * (hi - lo), 1e-9);
}

// Eye r (between the r-th and (r+1)-th levels by current) at probability p: its floor, where the
// lower level's P(Y > y) = p, and its ceiling, where the upper level's P(Y < y) = p (closed
// where the ceiling is below the floor).
template <class Team, class Q>
LL_HD void eye_edges(Team& team, const StatEyeLevelSamples& lower, const StatEyeLevelSamples& upper,
                     double p, const Q& q, double* floor_a, double* ceiling_a) {
  *floor_a = level_quantile(team, lower, p, true, q);
  *ceiling_a = level_quantile(team, upper, p, false, q);
}

// One phase of one link: the ISI distribution, the error ratios, at the decision phase the eye
// height at the target BER, and with contours each eye's floor and ceiling at each probability
// (contour_a[(l (levels - 1) + r) 2 + 0 / 1]). `pdf`, `next`: one past the start of
// kStatEyeBins + 2 zero floats each, left zero again.
template <class Team, class Q>
LL_HD StatEyePhaseResult stat_eye_phase(Team& team, const StatEyeLink& L, const StatEyePhase& ph,
                                        const double* taps, const StatEyeCombo* combos,
                                        bool decision_phase, const double* contour_ber,
                                        int contours, const Q& q, float* pdf, float* next,
                                        double* contour_a, const StatEyeSampleCache* cache) {
  const int M = L.levels;
  const IsiGrid grid = isi_grid(taps + ph.tap_begin, ph.taps, L.value, M, kStatEyeBins);
  int first = 0, last = 0;
  float* dist = isi_convolve(team, taps + ph.tap_begin, ph.taps, L.value, L.prob, M, grid,
                             kStatEyeBins, pdf, next, &first, &last);
  // Each level's samples at this phase.
  StatEyeLevelSamples level[kMaxLevels];
  for (int k = 0; k < M; ++k) {
    StatEyeLevelSamples& s = level[k];
    s.link = &L;
    s.combos = combos + ph.combo_begin + k * L.combos;
    s.pdf = dist;
    s.first = first;
    s.last = last;
    s.y0_a = L.mid_a + L.value[k] * ph.cursor + (grid.trivial ? 0.0 : grid.lo);
    s.step_a = grid.trivial ? 0.0 : grid.step;
    if (cache) {
      const int offset = k * L.combos * kStatEyeBins;
      s.cache_in(team, cache->w + offset, cache->y + offset, cache->inv_s + offset);
    }
  }
  StatEyePhaseResult out;
  double bits = 0.0;
  for (int k = 0; k < M; ++k) level_errors(team, L, k, level[k], q, &out.ser, &bits);
  out.ber = bits / L.bits_per_symbol;
  if (decision_phase) {
    double height = 1e300;
    for (int r = 0; r + 1 < M; ++r) {
      double floor_a = 0.0, ceiling_a = 0.0;
      eye_edges(team, level[L.level_of_region[r]], level[L.level_of_region[r + 1]], L.target_ber, q,
                &floor_a, &ceiling_a);
      height = fmin(height, ceiling_a - floor_a);
    }
    out.eye_height_a = fmax(0.0, height);
  }
  for (int l = 0; l < contours; ++l)
    for (int r = 0; r + 1 < M; ++r) {
      double floor_a = 0.0, ceiling_a = 0.0;
      eye_edges(team, level[L.level_of_region[r]], level[L.level_of_region[r + 1]], contour_ber[l],
                q, &floor_a, &ceiling_a);
      if (team.rank() == 0) {
        contour_a[(l * (M - 1) + r) * 2] = floor_a;
        contour_a[(l * (M - 1) + r) * 2 + 1] = ceiling_a;
      }
    }
  team.sync();  // every member is done reading the distribution: back to zero
  team.parallel_for(first, last, [&](int b) { dist[b] = 0.0f; });
  return out;
}

}  // namespace ll
