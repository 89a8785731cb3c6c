// Multipath interference ([mpi]; physics/mpi.hpp): the modulator's field and its reflections'
// delayed copies, each with its path's phase, summed into the fibre's field, which the fibre
// then disperses and detects. It needs the fibre (the reflections are its connectors') and the
// modulator's field.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernels/engine/stage.hpp"
#include "kernels/engine/stages_fibre.hpp"

namespace ll {

template <class Exec, class Real>
class MpiStage final : public Stage<Exec, Real> {
 public:
  MpiStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&)
      : keys_(s.L) {
    for (const LinkSetup& l : setup.links) links_.push_back(l.mpi);
    history_ = s.chunk_samples;  // the longest data delay (physics/mpi.hpp)
    stride_ = history_ + s.chunk_samples;
    paths_ = 0;
    for (const LinkSetup& l : setup.links) paths_ = std::max<std::size_t>(paths_, l.mpi.count);
    for (const MpiPaths& m : links_) dt_s_ = std::max(dt_s_, m.chunk_s);
    field_ = Buffer<Complex<Real>>(s.L * stride_);  // dark before the line starts
    gain_ = Buffer<Complex<Real>>(s.L * paths_);
    std::vector<int> delay(s.L * paths_, 1);
    static_phase_.assign(s.L * paths_, 0.0);
    psi_.assign(s.L * paths_, 0.0);
    for (std::size_t l = 0; l < s.L; ++l) {
      const LinkSetup& ls = setup.links[l];
      keys_[l] = ls.noise_key;
      for (int k = 0; k < ls.mpi.count; ++k) {
        const std::size_t i = l * paths_ + k;
        delay[i] = ls.mpi.delay_samples[k];
        // The static phase, uniform, and the phase noise's start, from its stationary law.
        const auto u = philox_words(keys_[l], NoiseStream::mpi, ~std::uint64_t{0} - k);
        static_phase_[i] = 2.0 * kPi * (u[2] * (1.0 / 4294967296.0));
        psi_[i] = std::sqrt(ls.mpi.phase_variance_rad2[k]) *
                  standard_normal_double(keys_[l], NoiseStream::mpi,
                                         (~std::uint64_t{0} >> 1) - k);
      }
    }
    delay_ = typename Exec::template Buffer<int>(delay.size());
    delay_.upload(delay.data(), delay.size());
    s.field_out = field_.data();
    s.field_stride = stride_;
    s.field_offset = history_;
  }
  void run(LaneState<Exec, Real>& s) override {
    upload_gains(s.chunk_index);
    s.exec.for_each(s.L, s.chunk_samples,
                    MpiInterference<Real>{field_.data(), gain_.data(), delay_.data(), s.fibre_in,
                                          stride_, history_, paths_, s.fibre_in_stride,
                                          s.fibre_in_offset});
  }
  void carry(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L, history_,
                    CarryTail<Complex<Real>>{field_.data(), stride_, s.chunk_samples});
  }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

  // Each path's R e^{i theta} for this chunk, its phase noise stepped from the last chunk's (on
  // the host in double, from the counter-based generator: both backends draw the same).
  void upload_gains(std::uint64_t chunk) {
    std::vector<Complex<Real>> host(gain_host_size(), Complex<Real>{Real(0), Real(0)});
    for (std::size_t l = 0; l < links_.size(); ++l) {
      const MpiPaths& m = links_[l];
      for (int k = 0; k < m.count; ++k) {
        const std::size_t i = l * paths_ + k;
        if (chunk > 0)
          psi_[i] = mpi_phase_step(
              psi_[i], m.phase_variance_rad2[k], m.delay_s[k], dt_s_,
              standard_normal_double(keys_[l], NoiseStream::mpi, chunk * kMaxMpiPaths + k));
        const double theta = static_phase_[i] + psi_[i];
        host[i] = {static_cast<Real>(m.field_amplitude * std::cos(theta)),
                   static_cast<Real>(m.field_amplitude * std::sin(theta))};
      }
    }
    gain_.upload(host.data(), host.size());
  }
  std::size_t gain_host_size() const { return links_.size() * paths_; }

  std::vector<MpiPaths> links_;
  std::vector<NoiseKey> keys_;
  std::size_t history_ = 0, stride_ = 0, paths_ = 0;
  double dt_s_ = 0.0;
  std::vector<double> static_phase_, psi_;
  Buffer<Complex<Real>> field_, gain_;
  Buffer<int> delay_;
};

struct MpiStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = MpiStage<Exec, Real>;
  // IEEE 802.3's single-mode budgets take discrete reflectances of -26 dB at connectors
  // (PARAMETERS.md, the 802.3 MPI figures); the spacing and the laser's linewidth have no default.
  static constexpr StageKey kReflections{"mpi.reflections", "1", 0.0, kMaxMpiReflections, 0.0,
                                         "a whole number of reflection points, 0 (none) to 6",
                                         true};
  static constexpr StageKey kReturnLoss{"mpi.return_loss_db", "dB", 10.0, 80.0, 26.0, nullptr};
  static constexpr StageKey kSpacing{"mpi.spacing_m", "m", 0.01, 1e4, kNoStageDefault, nullptr};
  static constexpr StageKey kLinewidth{"mpi.linewidth_mhz", "MHz", 1e-3, 1e3, kNoStageDefault, nullptr};

  static std::string name(const BatchSetup& b) { return b.mpi ? "MPI" : ""; }
  static std::vector<StageKey> keys() { return {kReflections, kReturnLoss, kSpacing, kLinewidth}; }

  static std::optional<StageRefusal> set_up(const StageContext& x, LinkSetup& link) {
    link.mpi = MpiPaths{};
    link.mpi_noise_var_per_a = 0.0;
    const double n = stage_value(x.values, kReflections);  // whole (StageKey::whole)
    if (n < 2) return {};  // one reflection sends nothing forward
    if (!(stage_value(x.values, FibreStageInfo::kLength) > 0.0) || !x.modulator_field() ||
        x.wdm_bus)
      return StageRefusal{kReflections.key,
                          "reflections are the fibre's connectors: expected fibre.length_km > 0 "
                          "(with a modulator whose field is carried, no WDM bus) with "
                          "mpi.reflections"};
    const double spacing = stage_value(x.values, kSpacing);
    const double linewidth = stage_value(x.values, kLinewidth);
    if (!std::isfinite(spacing))
      return StageRefusal{kSpacing.key, "missing; the reflections' spacing sets their delays"};
    if (!std::isfinite(linewidth))
      return StageRefusal{kLinewidth.key,
                          "missing; the laser's linewidth sets the reflections' phase noise"};
    MpiPaths p = mpi_paths(static_cast<int>(n), stage_value(x.values, kReturnLoss), spacing,
                           linewidth * 1e6);
    // The data delays: each path's own where it fits in a chunk; longer ones distinct fractions
    // of the chunk (physics/mpi.hpp).
    const double history = static_cast<double>(x.chunk_samples);
    for (int k = 0; k < p.count; ++k) {
      const double d = std::round(p.delay_s[k] * x.sample_rate_hz);
      const double inside = d <= history ? d : std::floor(history * (k + 1) / p.count);
      p.delay_samples[k] = static_cast<int>(std::max(1.0, inside));
    }
    p.chunk_s = history / x.sample_rate_hz;
    link.mpi = p;
    link.mpi_noise_var_per_a = mpi_noise_variance_per_a(p, mean_signal_photocurrent_a(link));
    return {};
  }
};

}  // namespace ll
