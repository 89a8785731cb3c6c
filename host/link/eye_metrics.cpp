#include "host/link/eye_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "physics/prbs.hpp"

namespace ll {

namespace {

// The optical power behind a photocurrent; NaN without a photodiode (an electrical lane).
double optical_power_w(const LinkReport& rep, double current_a) {
  if (!(rep.responsivity_a_per_w > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return (current_a - rep.dark_current_a) / rep.responsivity_a_per_w;
}

}  // namespace

SettledOpticalLevels settled_optical_levels(const LinkReport& rep, int levels) {
  auto optical_w = [&](double current_a) { return optical_power_w(rep, current_a); };
  const auto [bottom, top] =
      std::minmax_element(rep.settled_levels_a, rep.settled_levels_a + levels);
  double average_w = 0.0;
  for (int k = 0; k < levels; ++k)
    average_w += level_probability(levels, k) * optical_w(rep.settled_levels_a[k]);
  return {optical_w(*top) - optical_w(*bottom), average_w};
}

EyeMetrics eye_metrics(const LinkReport& rep, int levels, double target_ber,
                       const std::vector<std::uint32_t>& histogram, int amplitude_bins,
                       int phase_bins, double amplitude_range) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const int M = levels;
  EyeMetrics m{};
  std::fill(std::begin(m.level_mean_a), std::end(m.level_mean_a), nan);
  std::fill(std::begin(m.level_sigma_a), std::end(m.level_sigma_a), nan);
  auto optical_w = [&](double current_a) { return optical_power_w(rep, current_a); };
  // Optical, from the set-up's noiseless levels.
  const SettledOpticalLevels optical = settled_optical_levels(rep, M);
  m.oma_outer_dbm = 10.0 * std::log10(optical.oma_outer_w / 1e-3);
  m.average_power_dbm = 10.0 * std::log10(optical.average_power_w / 1e-3);
  std::vector<int> order(M);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return rep.received_levels_a[a] < rep.received_levels_a[b]; });
  m.extinction_ratio_db = m.rlm = m.snr_db = m.eye_height_a = m.eye_width_ui = nan;
  if (histogram.empty() || amplitude_bins <= 0 || phase_bins <= 0) return m;

  // Measured: the decision instant's column, split at the midpoints between sorted levels.
  const double offset = rep.eye_offset_a, scale = rep.eye_scale_a;  // the engine's mapping
  const double width = 2.0 * amplitude_range / amplitude_bins;      // normalised units
  const int column = phase_bins / 2;
  double total = 0.0;
  for (int a = 0; a < amplitude_bins; ++a)
    total += histogram[static_cast<std::size_t>(a) * phase_bins + column];
  if (!(total > 0.0)) return m;
  for (int r = 0; r < M; ++r) {
    const int k = order[r];
    const double lo = r == 0
                          ? -std::numeric_limits<double>::infinity()
                          : 0.5 * (rep.received_levels_a[order[r - 1]] + rep.received_levels_a[k]);
    const double hi = r == M - 1
                          ? std::numeric_limits<double>::infinity()
                          : 0.5 * (rep.received_levels_a[k] + rep.received_levels_a[order[r + 1]]);
    double n = 0.0, sum = 0.0, sum2 = 0.0;
    for (int a = 0; a < amplitude_bins; ++a) {
      const double y = -amplitude_range + (a + 0.5) * width;
      const double current = offset + scale * y;
      if (current < lo || current >= hi) continue;
      const double count = histogram[static_cast<std::size_t>(a) * phase_bins + column];
      n += count;
      sum += count * current;
      sum2 += count * current * current;
    }
    if (!(n > 1.0)) return m;
    const double mean = sum / n;
    const double var =
        std::max(0.0, sum2 / n - mean * mean - (width * scale) * (width * scale) / 12.0);
    m.level_mean_a[k] = mean;
    m.level_sigma_a[k] = std::sqrt(var);
  }
  const double p_top = optical_w(m.level_mean_a[order.back()]);
  const double p_bottom = optical_w(m.level_mean_a[order.front()]);
  m.extinction_ratio_db = p_bottom > 0.0 ? 10.0 * std::log10(p_top / p_bottom) : nan;
  if (M == 4) {
    const double v0 = m.level_mean_a[order[0]], v1 = m.level_mean_a[order[1]];
    const double v2 = m.level_mean_a[order[2]], v3 = m.level_mean_a[order[3]];
    const double mid = 0.5 * (v0 + v3);
    const double es1 = (v1 - mid) / (v0 - mid), es2 = (v2 - mid) / (v3 - mid);
    m.rlm = std::min({3.0 * es1, 3.0 * es2, 2.0 - 3.0 * es1, 2.0 - 3.0 * es2});
  }
  double mean_level = 0.0;
  for (int k = 0; k < M; ++k) mean_level += level_probability(M, k) * m.level_mean_a[k];
  double signal = 0.0, noise = 0.0;
  for (int k = 0; k < M; ++k) {
    const double p = level_probability(M, k);
    signal += p * (m.level_mean_a[k] - mean_level) * (m.level_mean_a[k] - mean_level);
    noise += p * m.level_sigma_a[k] * m.level_sigma_a[k];
  }
  m.snr_db = noise > 0.0 ? 10.0 * std::log10(signal / noise) : nan;

  // Eye height and width at the target from each column's samples between the thresholds.
  std::vector<double> threshold(static_cast<std::size_t>(M + 1));
  threshold[0] = -std::numeric_limits<double>::infinity();
  threshold[M] = std::numeric_limits<double>::infinity();
  for (int r = 1; r < M; ++r)
    threshold[r] = 0.5 * (rep.received_levels_a[order[r - 1]] + rep.received_levels_a[order[r]]);
  auto opening = [&](int col) {  // smallest eye opening in this column (negative: closed)
    // Each region's counts by amplitude bin, in current order.
    double smallest = std::numeric_limits<double>::infinity();
    for (int r = 0; r + 1 < M; ++r) {
      double n_lower = 0.0, n_upper = 0.0;
      for (int a = 0; a < amplitude_bins; ++a) {
        const double current = offset + scale * (-amplitude_range + (a + 0.5) * width);
        const double count = histogram[static_cast<std::size_t>(a) * phase_bins + col];
        if (current >= threshold[r] && current < threshold[r + 1]) n_lower += count;
        if (current >= threshold[r + 1] && current < threshold[r + 2]) n_upper += count;
      }
      if (!(n_lower > 0.0 && n_upper > 0.0)) return -std::numeric_limits<double>::infinity();
      // Floor: walk down from the lower region's top until target_ber of it is above.
      double above = 0.0, floor = threshold[r + 1];
      for (int a = amplitude_bins - 1; a >= 0; --a) {
        const double current = offset + scale * (-amplitude_range + (a + 0.5) * width);
        if (current >= threshold[r + 1] || current < threshold[r]) continue;
        above += histogram[static_cast<std::size_t>(a) * phase_bins + col];
        floor = current + 0.5 * width * std::abs(scale);
        if (above > target_ber * n_lower) break;
      }
      double below = 0.0, ceiling = threshold[r + 1];
      for (int a = 0; a < amplitude_bins; ++a) {
        const double current = offset + scale * (-amplitude_range + (a + 0.5) * width);
        if (current < threshold[r + 1] || current >= threshold[r + 2]) continue;
        below += histogram[static_cast<std::size_t>(a) * phase_bins + col];
        ceiling = current - 0.5 * width * std::abs(scale);
        if (below > target_ber * n_upper) break;
      }
      smallest = std::min(smallest, ceiling - floor);
    }
    return smallest;
  };
  const double centre_opening = opening(column);
  m.eye_height_a = std::max(0.0, centre_opening);
  if (centre_opening > 0.0) {
    int left = column, right = column;
    while (left > column - phase_bins / 4 && opening(left - 1) > 0.0) --left;
    while (right < column + phase_bins / 4 - 1 && opening(right + 1) > 0.0) ++right;
    m.eye_width_ui = static_cast<double>(right - left + 1) / (phase_bins / 2);
  } else {
    m.eye_width_ui = 0.0;
  }
  return m;
}

}  // namespace ll
