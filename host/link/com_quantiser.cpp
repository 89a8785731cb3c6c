// The 802.3dj reference receiver's quantiser step (P802.3dj annex 178A.1.7.6; declared in
// host/link/com_mmse.hpp).
#include <cmath>
#include <vector>

#include "host/link/com_mmse.hpp"
#include "host/link/stat_eye.hpp"

namespace ll::com_detail {

double quantiser_step(const ComSet& s, const std::vector<double>& samples, double var_v2,
                      int bins) {
  if (s.quantiser_bits <= 0) return 0.0;
  const int L = s.levels;
  const std::vector<double> value = pam_levels(L), prob(L, 1.0 / L);
  // Samples under half the grid's step join the Gaussian noise with their variance
  // (sigma_x^2 s^2): the grid could not place them, and many small ones sum to a Gaussian.
  double reach = 0.0;
  for (double v : samples) reach += std::abs(v);
  const double small = reach / bins;
  const double sx2 = sigma_x2(L);
  std::vector<double> kept;
  for (double v : samples)
    if (std::abs(v) >= small)
      kept.push_back(v);
    else
      var_v2 += sx2 * v * v;
  const IsiPdf pdf = isi_distribution(kept, value.data(), prob.data(), L, bins);
  // To a quarter of the grid's step (2 reach / bins): finer than the grid resolves.
  const double v_qc =
      interference_amplitude(pdf, std::sqrt(var_v2), 0.5 * s.quantiser_clip_probability, reach,
                             0.25 / bins, true);                // 178A-30
  return 2.0 * v_qc / (std::pow(2.0, s.quantiser_bits) - 1.0);  // 178A-29
}

}  // namespace ll::com_detail
