// The statistical eye's per-link program on the CPU, and the eye's assembly from its phases'
// results (shared with the CUDA backend, kernels/cuda/stat_eye_cuda.cu). The inputs come from the
// host's set-up (host/link/stat_eye.cpp: stat_eye_inputs); the per-phase program is physics
// (physics/stat_eye.hpp).
#include "kernels/engine/stat_eye_batch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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
    if (z >= kStatEyeMaxZ) return 0.0;
    const int i = static_cast<int>(z * (1.0 / kStep) + 0.5);
    const double zi = i * kStep, d = z - zi;
    return q_[i] - phi_[i] * (d - 0.5 * zi * d * d);
  }

 private:
  static constexpr double kStep = 1.0 / 128.0;
  static constexpr int kPoints = 1281;  // up to kStatEyeMaxZ + kStep
  double q_[kPoints + 1], phi_[kPoints + 1];
};

const GaussianTail& gaussian_tail() {
  static const GaussianTail table;
  return table;
}

}  // namespace

StatEye assemble_stat_eye(const StatEyeInputs& in, const StatEyePhaseResult* results,
                          const double* contour_a, int contours) {
  const int spu = in.link.samples_per_ui;
  const int centre = spu / 2;
  StatEye eye;
  eye.bathtub_ber.resize(static_cast<std::size_t>(spu));
  for (int j = 0; j < spu; ++j) eye.bathtub_ber[j] = std::min(0.5, results[j].ber);
  eye.ser = results[centre].ser;
  eye.ber = eye.bathtub_ber[centre];
  eye.eye_height_a = results[centre].eye_height_a;
  // Contours: [contour][edge][phase] from the phases' [contour][edge].
  if (contours > 0) {
    const int edges = 2 * (in.link.levels - 1);
    eye.contour_edges = edges;
    eye.contour_a.resize(static_cast<std::size_t>(contours) * edges * spu);
    for (int j = 0; j < spu; ++j)
      for (int e = 0; e < contours * edges; ++e)
        eye.contour_a[static_cast<std::size_t>(e) * spu + j] =
            contour_a[static_cast<std::size_t>(j) * contours * edges + e];
  }
  // Eye width: the span of phases about the decision instant with the BER below the target,
  // its ends interpolated in log BER between the bathtub's samples.
  const double target_ber = in.link.target_ber;
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

double decision_phase_ber(const StatEyeInputs& in) {
  if (in.phases.empty()) return std::numeric_limits<double>::quiet_NaN();
  const int centre = in.link.samples_per_ui / 2;
  std::vector<float> pdf(kStatEyeBins + 2, 0.0f), next(kStatEyeBins + 2, 0.0f);
  SerialTeam team;
  const StatEyePhaseResult r =
      stat_eye_phase(team, in.link, in.phases[centre], in.taps.data(), in.combos.data(), false,
                     nullptr, 0, gaussian_tail(), pdf.data() + 1, next.data() + 1, nullptr, nullptr);
  return std::min(0.5, r.ber);  // as the bathtub holds it (assemble_stat_eye)
}

StatEye statistical_eye(const StatEyeInputs& in, const std::vector<double>& contour_bers) {
  if (in.phases.empty()) return StatEye{};
  const int spu = in.link.samples_per_ui;
  const int contours = static_cast<int>(contour_bers.size());
  const int edges = 2 * (in.link.levels - 1);
  std::vector<StatEyePhaseResult> results(static_cast<std::size_t>(spu));
  std::vector<double> contour_a(static_cast<std::size_t>(spu) * contours * edges);
  std::vector<float> pdf(kStatEyeBins + 2, 0.0f), next(kStatEyeBins + 2, 0.0f);
  // Every level's samples at a phase, written once where the edges' searches read them many
  // times (physics/stat_eye.hpp).
  const std::size_t cached =
      static_cast<std::size_t>(in.link.levels) * in.link.combos * kStatEyeBins;
  std::vector<double> cache_w(cached), cache_y(cached), cache_inv_s(cached);
  const StatEyeSampleCache cache{cache_w.data(), cache_y.data(), cache_inv_s.data()};
  SerialTeam team;
  for (int j = 0; j < spu; ++j)
    results[j] = stat_eye_phase(team, in.link, in.phases[j], in.taps.data(), in.combos.data(),
                                j == spu / 2, contour_bers.data(), contours, gaussian_tail(),
                                pdf.data() + 1, next.data() + 1,
                                contour_a.data() + static_cast<std::size_t>(j) * contours * edges,
                                contours > 0 || j == spu / 2 ? &cache : nullptr);
  return assemble_stat_eye(in, results.data(), contour_a.data(), contours);
}

}  // namespace ll
