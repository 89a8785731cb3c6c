#include "host/stat_eye.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "physics/prbs.hpp"

namespace ll {
namespace {

// Q(z) = P(Z > z) from a table: the statistical eye evaluates it millions of times per link.
// Q and the density phi on a grid of step h, and between grid points the second-order Taylor
// step Q(z_i + d) = Q(z_i) - phi(z_i) (d - z_i d^2 / 2): relative error below
// z (z^2 - 1) d^3 / 6 < 1e-5 for z <= 10, d <= h / 2. Beyond z = 10, Q < 8e-24: taken as 0
// (the eye's contours stop at 1e-15).
class GaussianTail {
 public:
  GaussianTail() {
    for (int i = 0; i <= kPoints; ++i) {
      const double z = i * kStep;
      q_[i] = 0.5 * std::erfc(z * 0.70710678118654752440);
      phi_[i] = 0.39894228040143267794 * std::exp(-0.5 * z * z);
    }
  }
  double operator()(double z) const {
    if (z < 0.0) return 1.0 - (*this)(-z);
    if (z >= kMaxZ) return 0.0;
    const int i = static_cast<int>(z * (1.0 / kStep) + 0.5);
    const double zi = i * kStep, d = z - zi;
    return q_[i] - phi_[i] * (d - 0.5 * zi * d * d);
  }

  static constexpr double kMaxZ = 10.0;

 private:
  static constexpr double kStep = 1.0 / 128.0;
  static constexpr int kPoints = 1281;  // up to kMaxZ + kStep
  double q_[kPoints + 1], phi_[kPoints + 1];
};

const GaussianTail& gaussian_tail() {
  static const GaussianTail table;
  return table;
}

// Bins of the ISI distribution lighter than this are left out (contours stop at 1e-15).
constexpr double kNegligibleMass = 1e-30;

// PAM6's mean bits wrong per single-level symbol error: the labels' Hamming
// distance averaged over every label and every move of one of its symbols by one level (a move
// onto a corner decodes as the receiver does).
double bits_per_symbol_error(int levels) {
  if (levels != 6) return 1.0;  // Gray PAM
  double bits = 0.0, moves = 0.0;
  for (unsigned label = 0; label < 32; ++label) {
    const unsigned pair = pam6_pair_of_label(label);
    const int a = static_cast<int>(pair / 6), b = static_cast<int>(pair % 6);
    const int to[4][2] = {{a - 1, b}, {a + 1, b}, {a, b - 1}, {a, b + 1}};
    for (const auto& t : to) {
      if (t[0] < 0 || t[0] > 5 || t[1] < 0 || t[1] > 5) continue;
      bits += popcount32(label ^ pam6_label_of_pair(static_cast<unsigned>(6 * t[0] + t[1])));
      moves += 1.0;
    }
  }
  return bits / moves;
}

// y[i] += a x[i]: separate arrays, so the loop vectorises.
void add_scaled(float* __restrict y, const float* __restrict x, float a, int n) {
  for (int i = 0; i < n; ++i) y[i] += a * x[i];
}

}  // namespace

IsiPdf isi_distribution(const std::vector<double>& cursors, const double* value, const double* prob,
                        int levels, int bins) {
  double max_value = 0.0;
  for (int k = 0; k < levels; ++k) max_value = std::max(max_value, std::abs(value[k]));
  double reach = 0.0;
  for (double g : cursors) reach += std::abs(g) * max_value;
  IsiPdf r;
  r.pdf.assign(bins, 0.0f);
  if (!(reach > 0.0)) {
    r.pdf.assign(1, 1.0f);
    r.first = r.last = 0;
    return r;
  }
  r.step = 2.0 * reach / (bins - 3);
  r.lo = -reach - r.step;
  const int origin = static_cast<int>(std::lround(-r.lo / r.step));
  r.pdf[origin] = 1.0;
  int first = origin, last = origin;
  std::vector<float> next(bins, 0.0f);  // all zero before each cursor
  for (double g : cursors) {
    if (g == 0.0) continue;
    int new_first = bins, new_last = 0;
    for (int k = 0; k < levels; ++k) {
      const double shift = value[k] * g / r.step;
      const int whole = static_cast<int>(std::floor(shift));
      const double frac = shift - whole;
      const double p_low = prob[k] * (1.0 - frac), p_high = prob[k] * frac;
      const int from = std::max(first, -whole), to = std::min(last, bins - 2 - whole);
      // The grid's reach covers every sum; nothing falls off its ends. Two passes, each a
      // contiguous multiply-add the compiler vectorises.
      add_scaled(next.data() + whole + from, r.pdf.data() + from, static_cast<float>(p_low),
                 to - from + 1);
      add_scaled(next.data() + whole + 1 + from, r.pdf.data() + from, static_cast<float>(p_high),
                 to - from + 1);
      new_first = std::min(new_first, first + whole);
      new_last = std::max(new_last, last + whole + 1);
    }
    new_first = std::max(new_first, 0);
    new_last = std::min(new_last, bins - 1);
    r.pdf.swap(next);
    std::fill(next.begin() + first, next.begin() + last + 1, 0.0f);  // the old distribution
    first = new_first;
    last = new_last;
  }
  r.first = first;
  r.last = last;
  return r;
}

std::string stat_eye_unsupported(const LaneParams& lp) {
  if (lp.rx_eq.enabled() && lp.rx_eq.lms) return "taps adapted during the run (rx_eq.adapt)";
  if (lp.rx_eq.enabled() && lp.rx_eq.adc_bits > 0) return "the receiver's ADC (rx_eq.adc_bits)";
  if (lp.cdr.mode != 0) return "clock recovery ([cdr])";
  if (lp.tx_jitter.sj_amplitude_ui > 0.0)
    return "sinusoidal transmit jitter (tx_jitter.sj_amplitude_ui)";
  if (lp.tx_jitter.buj_ui > 0.0) return "bounded uncorrelated jitter (tx_jitter.buj_ui)";
  if (lp.tx_jitter.present() && lp.dac_bits > 0) {
    bool tx_ffe = false;
    for (double t : lp.tx_ffe) tx_ffe = tx_ffe || t != 0.0;
    if (tx_ffe) return "transmit jitter with a DAC's transmit FFE ([tx_jitter] with [tx_ffe])";
  }
  if (lp.wdm.channels > 0) return "a WDM bus ([wdm])";
  return "";
}

StatEye statistical_eye(const LinkSetup& link, const LinkReport& rep, double target_ber,
                        const std::vector<double>& contour_bers) {
  const LinkConstants<double>& c = link.constants;
  const int M = c.levels;
  const int spu = rep.samples_per_ui;
  const std::vector<double>& pulse = rep.pulse_a;
  StatEye eye;
  if (pulse.empty() || rep.pulse_cursor < 0 || rep.pulse_cursor >= static_cast<long>(pulse.size()))
    return eye;
  // Levels as the receiver sees them: currents, symbol values about the mean, probabilities.
  double current[kMaxLevels]{}, value[kMaxLevels]{}, prob[kMaxLevels]{};
  double mid = 0.0;
  for (int k = 0; k < M; ++k) {
    current[k] = rep.received_levels_a[k];
    prob[k] = level_probability(M, k);
    mid += prob[k] * current[k];
  }
  const double span = current[M - 1] - current[0];
  for (int k = 0; k < M; ++k) value[k] = (current[k] - mid) / span;
  // The pulse is the chain's response to one UI of the outer levels' step (A per unit symbol
  // value): y = I_mid + sum_m a_m g(phi + m T), the filters' shrinking of the cursor included,
  // as the engine's samples have it (its thresholds stay at the unfiltered levels' midpoints).
  int region_of_level[kMaxLevels];
  for (int r = 0; r < M; ++r) region_of_level[c.level_of_region[r]] = r;
  const double pam6_bits_per_error = bits_per_symbol_error(M);
  const GaussianTail& q_of = gaussian_tail();

  // The receiver's FFE and DFE ([rx_eq], fixed MMSE taps): the decided sample is
  //     z_n = I_mid + sum_i c_i (y_{n + pre - i} - I_mid) - S sum_k b_k a_{n-k},
  // so the pulse becomes g_eq(phi + d T) = sum_i c_i g(phi + (d + pre - i) T), less S b_d for
  // d = 1 .. B (past decisions taken as right: DFE error propagation is not in the statistical
  // eye), and the independent noise of the FFE's samples adds up to sum_i c_i^2 sigma^2 (sigma
  // taken at the equalised sample: exact for receiver noise alone, an approximation for shot
  // noise and RIN, whose variance follows each sample's own level).
  // Without an equaliser the same, with the one tap c_0 = 1.
  const bool equalised = !link.ffe_taps.empty();
  const std::vector<double> no_ffe{1.0};
  const std::vector<double>& ffe = equalised ? link.ffe_taps : no_ffe;
  const int ffe_pre = equalised ? link.equalizer.ffe_pre : 0;
  double sum_c2 = 0.0;
  for (double ci : ffe) sum_c2 += ci * ci;
  const double noise_gain = std::sqrt(sum_c2);
  auto noise_variance_at = [&](double y) {
    const double s = noise_gain * noise_sigma(c, y);
    return s * s;
  };

  // Transmit jitter ([tx_jitter]: RJ and DCD, the dual-Dirac part), as the engine applies it
  // (physics/jitter.hpp): the transition into symbol m moves by
  //     tau_m = sigma_RJ xi_m + s_m DCD / 2
  // (xi_m standard normal; s_m +1 for a rising drive, -1 for a falling one)
  // and the sample by E(t - m T - tau_m) - E(t - m T), E the chain's response to that transition
  // from one level to the other (LinkReport::level_step_a: the ring's nonlinearity included).
  // The displacement's mean and variance over tau are taken on a grid of tau (not linearised: at
  // the foot or shoulder of a transition the displacement is far from linear over the RJ's
  // reach). The two transitions that bound the decided symbol's UI (into it and out of it)
  // carry most of the displacement at any phase of the UI: their symbols (the one before and the
  // one after) are enumerated, each combination with its own mean shift and variance added to
  // the Gaussian noise (the eye's mixture over the edges). The other transitions enter with
  // their mean and variance over independent symbols. Approximations: each transition's
  // displacement as Gaussian about its mean (RJ's heavier tails through a curved edge are not
  // carried: the statistical BER falls below the Monte-Carlo one as RJ grows, measured in
  // tests/test_stat_eye.cpp), the other transitions independent of the ISI; SJ and BUJ refused.
  const JitterParams<double>& jit = link.jitter;
  const bool jittered = jit.rj_rms_samples > 0.0 || jit.dcd_samples > 0.0;
  if (jittered && rep.level_step_a.size() != static_cast<std::size_t>(M) * M *
                                                 static_cast<std::size_t>(rep.level_step_points))
    throw std::logic_error("statistical_eye: a jittered link's report lacks its level steps");
  // E_{from,to}(x) at a fractional sample (linear between samples, as the engine reads its
  // drive's step; 0 before the transition, settled after the table).
  auto level_step = [&](int from, int to, double x) {
    const long points = rep.level_step_points;
    const double* e = rep.level_step_a.data() + (from * M + to) * points;
    if (x <= 0.0) return x <= -1.0 ? 0.0 : (x + 1.0) * e[0];
    if (x >= static_cast<double>(points - 1)) return e[points - 1];
    const long i = static_cast<long>(x);
    const double f = x - static_cast<double>(i);
    return e[i] + f * (e[i + 1] - e[i]);
  };
  // tau's distribution: the standard normal on a grid (+-8 sigma in 0.25 steps, weights
  // normalised) about the DCD's shift; a single point without RJ.
  std::vector<double> tau_z, tau_weight;
  if (jittered) {
    const int nodes = jit.rj_rms_samples > 0.0 ? 65 : 1;
    double total = 0.0;
    for (int i = 0; i < nodes; ++i) {
      const double z = nodes == 1 ? 0.0 : -8.0 + 0.25 * i;
      tau_z.push_back(z);
      tau_weight.push_back(std::exp(-0.5 * z * z));
      total += tau_weight.back();
    }
    for (double& w : tau_weight) w /= total;
  }
  const long taps = static_cast<long>(ffe.size());
  // The displacement sum_i c_i [E(n_i - tau) - E(n_i)] of the decided sample n0 by the
  // transition into the symbol `d` symbols before it (through the FFE), its mean and variance.
  auto edge_moments = [&](long n0, long d, int from, int to, double* mean, double* variance) {
    *mean = *variance = 0.0;
    if (from == to) return;
    const double dcd = (c.level_drive_v[to] > c.level_drive_v[from] ? 0.5 : -0.5) * jit.dcd_samples;
    double m1 = 0.0, m2 = 0.0;
    for (std::size_t q = 0; q < tau_z.size(); ++q) {
      const double tau = dcd + jit.rj_rms_samples * tau_z[q];
      double moved = 0.0;
      for (long i = 0; i < taps; ++i) {
        const double n = static_cast<double>(n0 + (d + ffe_pre - i) * spu);
        moved += ffe[i] * (level_step(from, to, n - tau) - level_step(from, to, n));
      }
      m1 += tau_weight[q] * moved;
      m2 += tau_weight[q] * moved * moved;
    }
    *mean = m1;
    *variance = std::max(0.0, m2 - m1 * m1);
  };

  // The phase `offset` samples from the decision instant: the cursor and the other taps; with
  // jitter, the symbols before (d = 1) and after (d = -1) apart, the bounding transitions'
  // displacement per pair of levels, and the other transitions' mean and variance.
  struct Phase {
    IsiPdf isi;
    double cursor = 0.0;
    double before = 0.0, after = 0.0;  // the neighbours' taps (jitter only)
    // The bounding transitions' displacement of the sample, from level `from` to level `to`:
    // its mean (the DCD's shift and RJ's curvature) and variance over the jitter.
    double in_mean[kMaxLevels][kMaxLevels]{}, in_variance[kMaxLevels][kMaxLevels]{};
    double out_mean[kMaxLevels][kMaxLevels]{}, out_variance[kMaxLevels][kMaxLevels]{};
    double rest_shift = 0.0, rest_variance = 0.0;
  };
  auto phase = [&](long offset) {
    Phase p;
    std::vector<double> others;
    const long n0 = rep.pulse_cursor + offset;
    const long length = static_cast<long>(pulse.size());
    auto g = [&](long n) { return (n >= 0 && n < length) ? pulse[n] : 0.0; };
    const long reach = length / spu + taps + 2;
    for (long d = -reach; d <= reach; ++d) {
      double sum = 0.0;
      for (long i = 0; i < taps; ++i) sum += ffe[i] * g(n0 + (d + ffe_pre - i) * spu);
      if (d >= 1 && d <= static_cast<long>(link.dfe_taps.size()))
        sum -= link.equalizer.swing_a * link.dfe_taps[d - 1];
      if (jittered) {  // the transition into the symbol d before (the DFE's part does not move)
        if (d == 0 || d == -1) {
          for (int from = 0; from < M; ++from)
            for (int to = 0; to < M; ++to)
              edge_moments(n0, d, from, to, &(d == 0 ? p.in_mean : p.out_mean)[from][to],
                           &(d == 0 ? p.in_variance : p.out_variance)[from][to]);
        } else {
          double mean = 0.0, square = 0.0;  // over independent levels
          for (int from = 0; from < M; ++from)
            for (int to = 0; to < M; ++to) {
              double m = 0.0, v = 0.0;
              edge_moments(n0, d, from, to, &m, &v);
              mean += prob[from] * prob[to] * m;
              square += prob[from] * prob[to] * (v + m * m);
            }
          p.rest_shift += mean;
          p.rest_variance += square - mean * mean;
        }
        if (d == 1 || d == -1) {
          (d == 1 ? p.before : p.after) = sum;
          continue;
        }
      }
      if (d == 0)
        p.cursor = sum;
      else if (sum != 0.0)
        others.push_back(sum);
    }
    p.isi = isi_distribution(others, value, prob, M);
    return p;
  };

  // Each level's noiseless samples at a phase and their noise: the ISI distribution's bins,
  // and with jitter each combination of the neighbouring symbols (their taps, the bounding
  // transitions' DCD shift and RJ variance) over them.
  struct Samples {
    std::vector<double> weight, y, inv_sigma;
  };
  auto samples_at = [&](const Phase& p) {
    std::vector<Samples> out(static_cast<std::size_t>(M));
    const int n = p.isi.last - p.isi.first + 1;
    for (int k = 0; k < M; ++k) {
      Samples& smp = out[k];
      const int combinations = jittered ? M * M : 1;
      smp.weight.reserve(static_cast<std::size_t>(n) * combinations);
      smp.y.reserve(static_cast<std::size_t>(n) * combinations);
      smp.inv_sigma.reserve(static_cast<std::size_t>(n) * combinations);
      for (int combination = 0; combination < combinations; ++combination) {
        double weight = 1.0, shift = 0.0, jitter_variance = 0.0;
        if (jittered) {
          const int before = combination / M, after = combination % M;
          weight = prob[before] * prob[after];
          shift = value[before] * p.before + value[after] * p.after + p.rest_shift +
                  p.in_mean[before][k] + p.out_mean[k][after];
          jitter_variance = p.rest_variance + p.in_variance[before][k] + p.out_variance[k][after];
        }
        const double y0 = mid + value[k] * p.cursor + shift + p.isi.lo + p.isi.step * p.isi.first;
        for (int i = 0; i < n; ++i) {
          const double w = weight * p.isi.pdf[p.isi.first + i];
          if (w < kNegligibleMass) continue;
          const double y = y0 + p.isi.step * i;
          smp.weight.push_back(w);
          smp.y.push_back(y);
          smp.inv_sigma.push_back(1.0 / std::sqrt(noise_variance_at(y) + jitter_variance));
        }
      }
    }
    return out;
  };
  // Symbol and bit errors at a phase: for each level sent and each ISI value, the probability
  // of every decision region (the noise's tails at the thresholds) and the bits that region's
  // label gets wrong (Gray PAM: exact, multi-level errors included; PAM6: the mean bits of a
  // single-level error per symbol error).
  struct Errors {
    double ser, ber;
  };
  const bool gray = symbol_mapping(M).symbols_per_label == 1;
  // Bits wrong when region r is decided for level k (Gray labels).
  double bits_wrong[kMaxLevels][kMaxLevels]{};
  for (int k = 0; k < M; ++k)
    for (int r = 0; r < M; ++r)
      bits_wrong[k][r] = popcount32(gray_encode(static_cast<unsigned>(k)) ^
                                    gray_encode(static_cast<unsigned>(c.level_of_region[r])));
  // For level k sent (its region r_k), each threshold's tail on the far side from the level:
  // above[t] = P(Y > t_t) for t >= r_k, below[t] = P(Y < t_t) for t < r_k, summed over the ISI
  // (sums of small terms, no 1 - x cancellation). Region r's probability is then a difference
  // of neighbouring tails, and the SER and bit errors follow exactly.
  auto errors_at = [&](const std::vector<Samples>& samples) {
    Errors out{0.0, 0.0};
    for (int k = 0; k < M; ++k) {
      const int rk = region_of_level[k];
      double tail[kMaxLevels]{};  // above[t] for t >= rk, below[t] for t < rk
      const Samples& smp = samples[k];
      for (std::size_t i = 0; i < smp.y.size(); ++i) {
        const double w = smp.weight[i];
        const double y = smp.y[i];
        const double inv_s = smp.inv_sigma[i];
        // Outward from the level: once a tail is below the table's reach the further ones are.
        for (int t = rk; t + 1 < M; ++t) {
          const double z = (c.threshold_a[t] - y) * inv_s;
          if (z >= GaussianTail::kMaxZ) break;
          tail[t] += w * q_of(z);
        }
        for (int t = rk - 1; t >= 0; --t) {
          const double z = (y - c.threshold_a[t]) * inv_s;
          if (z >= GaussianTail::kMaxZ) break;
          tail[t] += w * q_of(z);
        }
      }
      double ser = 0.0, bits = 0.0;
      for (int r = rk + 1; r < M; ++r) {  // regions above: above[r-1] - above[r]
        const double p_r = tail[r - 1] - (r + 1 < M ? tail[r] : 0.0);
        ser += p_r;
        bits += p_r * bits_wrong[k][r];
      }
      for (int r = rk - 1; r >= 0; --r) {  // regions below: below[r] - below[r-1]
        const double p_r = tail[r] - (r > 0 ? tail[r - 1] : 0.0);
        ser += p_r;
        bits += p_r * bits_wrong[k][r];
      }
      out.ser += prob[k] * ser;
      out.ber += prob[k] * (gray ? bits : ser * pam6_bits_per_error);
    }
    out.ber /= symbol_mapping(M).bits_per_symbol();
    return out;
  };

  eye.bathtub_ber.resize(static_cast<std::size_t>(spu));
  std::vector<Samples> at_decision;
  for (int j = 0; j < spu; ++j) {
    const long offset = j - spu / 2;
    std::vector<Samples> samples = samples_at(phase(offset));
    const Errors e = errors_at(samples);
    eye.bathtub_ber[j] = std::min(0.5, e.ber);
    if (offset == 0) {
      at_decision = std::move(samples);
      eye.ser = e.ser;
      eye.ber = eye.bathtub_ber[j];
    }
  }

  // P(Y > y) and P(Y < y) of one level, each summed from its own small terms (no 1 - x: the
  // contours reach 1e-15).
  auto tail_above = [&](const Samples& smp, double y) {
    double t = 0.0;
    for (std::size_t i = 0; i < smp.y.size(); ++i)
      t += smp.weight[i] * q_of((y - smp.y[i]) * smp.inv_sigma[i]);
    return t;
  };
  auto tail_below = [&](const Samples& smp, double y) {
    double t = 0.0;
    for (std::size_t i = 0; i < smp.y.size(); ++i)
      t += smp.weight[i] * q_of((smp.y[i] - y) * smp.inv_sigma[i]);
    return t;
  };
  // Eye r (between the r-th and (r+1)-th levels by current) at probability L: its floor, where
  // the lower level's P(Y > y) = L, and its ceiling, where the upper level's P(Y < y) = L; the
  // eye is closed where the ceiling is below the floor. Bisection over the levels' span.
  double y_min = current[0], y_max = current[0];
  for (int k = 1; k < M; ++k) {
    y_min = std::min(y_min, current[k]);
    y_max = std::max(y_max, current[k]);
  }
  y_min -= std::abs(span);
  y_max += std::abs(span);
  auto eye_edges = [&](const std::vector<Samples>& smp, int r, double level, double* floor,
                       double* ceiling) {
    const Samples& lower = smp[c.level_of_region[r]];
    const Samples& upper = smp[c.level_of_region[r + 1]];
    double a = y_min, b = y_max;
    for (int i = 0; i < 30; ++i) {  // 3|S| / 2^30: far below any noise
      const double m = 0.5 * (a + b);
      (tail_above(lower, m) > level ? a : b) = m;
    }
    *floor = 0.5 * (a + b);
    a = y_min;
    b = y_max;
    for (int i = 0; i < 30; ++i) {
      const double m = 0.5 * (a + b);
      (tail_below(upper, m) > level ? b : a) = m;
    }
    *ceiling = 0.5 * (a + b);
  };

  // Eye height at the target: the smallest opening at the decision phase.
  {
    const std::vector<Samples>& smp = at_decision;
    double height = std::numeric_limits<double>::infinity();
    for (int r = 0; r + 1 < M; ++r) {
      double floor = 0.0, ceiling = 0.0;
      eye_edges(smp, r, target_ber, &floor, &ceiling);
      height = std::min(height, ceiling - floor);
    }
    eye.eye_height_a = std::max(0.0, height);
  }

  // Contours: every eye's floor and ceiling at every phase for each level asked for,
  // [contour][edge = 2 eye + (0 floor, 1 ceiling)][phase].
  if (!contour_bers.empty()) {
    const int edges = 2 * (M - 1);
    eye.contour_edges = edges;
    eye.contour_a.assign(contour_bers.size() * edges * static_cast<std::size_t>(spu), 0.0);
    for (int j = 0; j < spu; ++j) {
      const std::vector<Samples> smp = samples_at(phase(j - spu / 2));
      for (std::size_t l = 0; l < contour_bers.size(); ++l)
        for (int r = 0; r + 1 < M; ++r) {
          double floor = 0.0, ceiling = 0.0;
          eye_edges(smp, r, contour_bers[l], &floor, &ceiling);
          eye.contour_a[(l * edges + 2 * r) * spu + j] = floor;
          eye.contour_a[(l * edges + 2 * r + 1) * spu + j] = ceiling;
        }
    }
  }

  // Eye width: the span of phases about the decision instant with the BER below the target,
  // its ends interpolated in log BER between the bathtub's samples.
  const int centre = spu / 2;
  const double log_target = std::log10(target_ber);
  auto log_ber = [&](int j) { return std::log10(std::max(eye.bathtub_ber[j], 1e-300)); };
  if (eye.bathtub_ber[centre] >= target_ber) {
    eye.eye_width_ui = 0.0;
  } else {
    double left = 0.0, right = static_cast<double>(spu - 1);
    for (int j = centre; j > 0; --j)
      if (eye.bathtub_ber[j - 1] >= target_ber) {
        left = j - (log_target - log_ber(j)) / (log_ber(j - 1) - log_ber(j));
        break;
      }
    for (int j = centre; j + 1 < spu; ++j)
      if (eye.bathtub_ber[j + 1] >= target_ber) {
        right = j + (log_target - log_ber(j)) / (log_ber(j + 1) - log_ber(j));
        break;
      }
    eye.eye_width_ui = (right - left) / spu;
  }
  eye.valid = true;
  return eye;
}

}  // namespace ll
