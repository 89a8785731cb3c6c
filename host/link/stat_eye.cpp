#include "host/link/stat_eye.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "host/link/statistics.hpp"
#include "physics/prbs.hpp"

namespace ll {
namespace {

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

}  // namespace

IsiPdf isi_distribution(const std::vector<double>& cursors, const double* value, const double* prob,
                        int levels, int bins) {
  const IsiGrid grid =
      isi_grid(cursors.data(), static_cast<int>(cursors.size()), value, levels, bins);
  IsiPdf r;
  if (grid.trivial) {
    r.pdf.assign(1, 1.0f);
    return r;
  }
  r.lo = grid.lo;
  r.step = grid.step;
  std::vector<float> a(static_cast<std::size_t>(bins) + 2, 0.0f), b(a);
  SerialTeam team;
  const float* pdf =
      isi_convolve(team, cursors.data(), static_cast<int>(cursors.size()), value, prob, levels,
                   grid, bins, a.data() + 1, b.data() + 1, &r.first, &r.last);
  r.pdf.assign(pdf, pdf + bins);
  return r;
}

double interference_amplitude(const IsiPdf& pdf, double sigma, double probability, double reach,
                              double relative, bool grouped) {
  // Bins finer than sigma / 32 are summed into groups at their mass's centre: Q's curvature over
  // a group moves the tail by under (1/32)^2 x^2 / 24, 1e-3 of it at x = 5, and the amplitude by
  // well under 1e-3 sigma; each bisection step then reads tens of groups, not thousands of bins.
  const int group =
      grouped && sigma > 0.0 ? std::max(1, static_cast<int>(sigma / (32.0 * pdf.step))) : 1;
  std::vector<double> at, mass;
  for (int b = pdf.first; b <= pdf.last; b += group) {
    double m = 0.0, mx = 0.0;
    for (int k = b; k < std::min(b + group, pdf.last + 1); ++k) {
      m += pdf.pdf[k];
      mx += pdf.pdf[k] * (pdf.lo + k * pdf.step);
    }
    if (m > 0.0) {
      at.push_back(mx / m);
      mass.push_back(m);
    }
  }
  // The groups rise in amplitude: past 12 sigma above -a, Q is under 2e-33 and no group's mass
  // changes the sum.
  auto tail = [&](double a) {
    double t = 0.0;
    for (std::size_t k = 0; k < at.size(); ++k) {
      const double x = (a + at[k]) / sigma;
      if (x > 12.0) break;
      t += mass[k] * q_function(x);
    }
    return t;
  };
  double lo = 0.0, hi = reach + 20.0 * sigma;
  const double width = std::max(relative, 1e-12) * hi;
  for (int it = 0; it < 60 && hi - lo > width; ++it) {
    const double mid = 0.5 * (lo + hi);
    (tail(mid) > probability ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
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
  // Its rise and fall differ with the current (the carriers' lifetime falls as the density
  // grows): superposed pulses miss that, by orders of magnitude in BER at 4 GBd.
  if (lp.modulator == Modulator::microled)
    return "a micro-LED's carrier dynamics (transmitter.modulator = \"microled\")";
  return "";
}

StatEyeInputs stat_eye_inputs(const LinkSetup& link, const LinkReport& rep, double target_ber) {
  const LinkConstants<double>& c = link.constants;
  const int M = c.levels;
  const int spu = rep.samples_per_ui;
  const std::vector<double>& pulse = rep.pulse_a;
  StatEyeInputs in;
  if (pulse.empty() || rep.pulse_cursor < 0 || rep.pulse_cursor >= static_cast<long>(pulse.size()))
    return in;
  StatEyeLink& L = in.link;
  L.levels = M;
  L.samples_per_ui = spu;
  // Levels as the receiver sees them: currents, symbol values about the mean, probabilities.
  double current[kMaxLevels]{};
  for (int k = 0; k < M; ++k) {
    current[k] = rep.received_levels_a[k];
    L.prob[k] = level_probability(M, k);
    L.mid_a += L.prob[k] * current[k];
  }
  const double span = current[M - 1] - current[0];
  for (int k = 0; k < M; ++k) L.value[k] = (current[k] - L.mid_a) / span;
  // The pulse is the chain's response to one UI of the outer levels' step (A per unit symbol
  // value): y = I_mid + sum_m a_m g(phi + m T), the filters' shrinking of the cursor included,
  // as the engine's samples have it (its thresholds stay at the unfiltered levels' midpoints).
  for (int t = 0; t + 1 < M; ++t) L.threshold_a[t] = c.threshold_a[t];
  for (int r = 0; r < M; ++r) {
    L.level_of_region[r] = c.level_of_region[r];
    L.region_of_level[c.level_of_region[r]] = r;
  }
  // Bits wrong when region r is decided for level k: Gray labels exactly (multi-level errors
  // included); PAM6 the mean bits of a single-level error per symbol error.
  const bool gray = symbol_mapping(M).symbols_per_label == 1;
  const double pam6_bits_per_error = bits_per_symbol_error(M);
  for (int k = 0; k < M; ++k)
    for (int r = 0; r < M; ++r)
      L.bits_wrong[k][r] =
          r == L.region_of_level[k] ? 0.0
          : gray                    ? popcount32(gray_encode(static_cast<unsigned>(k)) ^
                                                 gray_encode(static_cast<unsigned>(c.level_of_region[r])))
                                    : pam6_bits_per_error;
  L.bits_per_symbol = symbol_mapping(M).bits_per_symbol();
  L.noise_var_const_a2 = c.noise_var_const_a2;
  // (with MPI, its beat as Gaussian intensity noise linear in the signal: physics/mpi.hpp)
  L.noise_var_shot_a = c.noise_var_shot_a + link.mpi_noise_var_per_a;
  L.noise_var_rin = c.noise_var_rin;
  L.target_ber = target_ber;

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
  L.noise_gain2 = 0.0;
  for (double ci : ffe) L.noise_gain2 += ci * ci;

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
  // tests/kernels/test_stat_eye.cpp), the other transitions independent of the ISI; SJ and BUJ
  // refused.
  const JitterParams<double>& jit = link.jitter;
  const bool jittered = jit.rj_rms_samples > 0.0 || jit.dcd_samples > 0.0;
  if (jittered && rep.level_step_a.size() != static_cast<std::size_t>(M) * M *
                                                 static_cast<std::size_t>(rep.level_step_points))
    throw std::logic_error("statistical_eye: a jittered link's report lacks its level steps");
  L.combos = jittered ? M * M : 1;
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

  // Each phase, `offset` samples from the decision instant: the cursor and the other taps; with
  // jitter, the symbols before (d = 1) and after (d = -1) enumerated: per level and pair of
  // neighbours, their taps and the bounding transitions' displacement (mean and variance), with
  // the other transitions' mean and variance.
  const long length = static_cast<long>(pulse.size());
  auto g = [&](long n) { return (n >= 0 && n < length) ? pulse[n] : 0.0; };
  const long reach = length / spu + taps + 2;
  for (int j = 0; j < spu; ++j) {
    const long n0 = rep.pulse_cursor + (j - spu / 2);
    StatEyePhase ph;
    ph.tap_begin = static_cast<int>(in.taps.size());
    ph.combo_begin = static_cast<int>(in.combos.size());
    double before = 0.0, after = 0.0;  // the neighbours' taps (jitter only)
    double in_mean[kMaxLevels][kMaxLevels]{}, in_variance[kMaxLevels][kMaxLevels]{};
    double out_mean[kMaxLevels][kMaxLevels]{}, out_variance[kMaxLevels][kMaxLevels]{};
    double rest_shift = 0.0, rest_variance = 0.0;
    for (long d = -reach; d <= reach; ++d) {
      double sum = 0.0;
      for (long i = 0; i < taps; ++i) sum += ffe[i] * g(n0 + (d + ffe_pre - i) * spu);
      if (d >= 1 && d <= static_cast<long>(link.dfe_taps.size()))
        sum -= link.equalizer.swing_a * link.dfe_taps[d - 1];
      if (jittered) {  // the transition into the symbol d before (the DFE's part does not move)
        if (d == 0 || d == -1) {
          for (int from = 0; from < M; ++from)
            for (int to = 0; to < M; ++to)
              edge_moments(n0, d, from, to, &(d == 0 ? in_mean : out_mean)[from][to],
                           &(d == 0 ? in_variance : out_variance)[from][to]);
        } else {
          double mean = 0.0, square = 0.0;  // over independent levels
          for (int from = 0; from < M; ++from)
            for (int to = 0; to < M; ++to) {
              double m = 0.0, v = 0.0;
              edge_moments(n0, d, from, to, &m, &v);
              mean += L.prob[from] * L.prob[to] * m;
              square += L.prob[from] * L.prob[to] * (v + m * m);
            }
          rest_shift += mean;
          rest_variance += square - mean * mean;
        }
        if (d == 1 || d == -1) {
          (d == 1 ? before : after) = sum;
          continue;
        }
      }
      if (d == 0)
        ph.cursor = sum;
      else if (sum != 0.0)
        in.taps.push_back(sum);
    }
    ph.taps = static_cast<int>(in.taps.size()) - ph.tap_begin;
    for (int k = 0; k < M; ++k)
      for (int combination = 0; combination < L.combos; ++combination) {
        StatEyeCombo cb;
        if (jittered) {
          const int b = combination / M, a = combination % M;  // the symbols before and after
          cb.weight = L.prob[b] * L.prob[a];
          cb.shift_a = L.value[b] * before + L.value[a] * after + rest_shift + in_mean[b][k] +
                       out_mean[k][a];
          cb.variance_a2 = rest_variance + in_variance[b][k] + out_variance[k][a];
        }
        in.combos.push_back(cb);
      }
    in.phases.push_back(ph);
  }
  return in;
}

StatEye statistical_eye(const LinkSetup& link, const LinkReport& rep, double target_ber,
                        const std::vector<double>& contour_bers) {
  return statistical_eye(stat_eye_inputs(link, rep, target_ber), contour_bers);
}

}  // namespace ll
