// The fibre ([fibre]; physics/fibre.hpp): the ring's field through a standard single-mode fibre's
// chromatic dispersion, an all-pass on the field applied as a complex overlap-save convolution
// (one complex FFT pair per block), then square-law detection into the photodiode's current. Its
// loss joins the optical path's budget. Without a fibre (fibre.length_km = 0, the default) the
// ring writes its photocurrent directly and none of this runs.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels/engine/stage.hpp"

namespace ll {

template <class Exec, class Real>
class FibreStage final : public Stage<Exec, Real> {
 public:
  FibreStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&) {
    std::size_t taps = 1;
    for (const LinkSetup& l : setup.links) taps = std::max(taps, l.fibre_taps.size());
    history_ = 32;
    while (history_ + 1 < taps) history_ *= 2;
    if (history_ > s.chunk_samples)
      throw std::invalid_argument("lane engine: the fibre's response is longer than a chunk");
    block_ = 4 * history_;
    if (block_ > s.chunk_samples || s.chunk_samples % block_ != 0) block_ = s.chunk_samples;
    fft_size_ = history_ + block_;
    blocks_ = s.chunk_samples / block_;
    stride_ = history_ + s.chunk_samples;
    field_ = Buffer<Complex<Real>>(s.L * stride_);  // zero: the line is dark before it starts
    fft_in_ = Buffer<Complex<Real>>(s.L * blocks_ * fft_size_);
    spectrum_ = Buffer<Complex<Real>>(s.L * blocks_ * fft_size_);
    fft_ = Fft(s.exec, fft_size_, s.L * blocks_);
    transfer_ = make_transfer(s, setup);
    s.fibre_in = field_.data();
    s.fibre_in_stride = stride_;
    s.fibre_in_offset = history_;
    if (!s.field_out) {  // (with MPI, the modulator writes into the MPI stage's buffer instead)
      s.field_out = field_.data();
      s.field_stride = stride_;
      s.field_offset = history_;
    }
  }
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L * blocks_, fft_size_,
                    GatherBlocks<Complex<Real>>{field_.data(), fft_in_.data(), stride_, block_,
                                                fft_size_, blocks_});
    fft_.forward(fft_in_.data(), spectrum_.data());
    s.exec.for_each(s.L * blocks_, fft_size_,
                    MultiplySpectrum<Real>{spectrum_.data(), transfer_.data(), fft_size_, blocks_});
    fft_.inverse(spectrum_.data(), fft_in_.data());
    s.exec.for_each(s.L * blocks_, block_,
                    DetectValidField<Real>{s.links.data(), fft_in_.data(), s.ring_out,
                                           s.ring_stride, s.ring_offset, block_, fft_size_,
                                           blocks_});
  }
  void carry(LaneState<Exec, Real>& s) override {
    // The field's last `history` samples ahead of the next chunk.
    s.exec.for_each(s.L, history_,
                    CarryTail<Complex<Real>>{field_.data(), stride_, s.chunk_samples});
  }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;
  using Fft = typename Exec::template FftC2C<Real>;

  // Each link's transfer (scaled_transfers, kernels/engine/stage.hpp): all fft_size bins of the
  // complex FIR; a link without a fibre in a batch with one: identity.
  Buffer<Complex<Real>> make_transfer(const LaneState<Exec, Real>& s, const BatchSetup& setup) {
    const std::vector<Complex<Real>> host = scaled_transfers<Real, Complex<double>>(
        s.L, fft_size_, fft_size_,
        [&](std::size_t l) -> const auto& { return setup.links[l].fibre_taps; });
    Buffer<Complex<Real>> d(s.L * fft_size_);
    d.upload(host.data(), host.size());
    return d;
  }

  std::size_t history_ = 0, block_ = 0, fft_size_ = 0, blocks_ = 0, stride_ = 0;
  Buffer<Complex<Real>> field_;  // [links][history + chunk samples]: the ring's field
  Buffer<Complex<Real>> fft_in_, spectrum_, transfer_;
  Fft fft_;
};

struct FibreStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = FibreStage<Exec, Real>;
  // ITU-T G.652 (PARAMETERS.md): lambda0 in 1300-1324 nm, S0 <= 0.092 ps/(nm^2 km); the defaults
  // are the corner that disperses an O-band lane below 1324 nm the most, as 802.3's reach budgets
  // assume. Attenuation: about 0.35 dB/km at 1310 nm (0.2-0.25 at 1550: set it for the C band).
  // 40 km: the model has no PMD, no nonlinearity and no amplifier, which longer reaches need.
  static constexpr StageKey kLength{"fibre.length_km", "km", 0.0, 40.0, 0.0, nullptr};
  static constexpr StageKey kAttenuation{"fibre.attenuation_db_per_km", "dB/km", 0.0, 2.0, 0.35,
                                         nullptr};
  static constexpr StageKey kZeroDispersion{"fibre.zero_dispersion_nm", "nm", 1300.0, 1324.0,
                                            1324.0, nullptr};
  static constexpr StageKey kSlope{"fibre.dispersion_slope_ps_per_nm2_km", "ps/(nm^2 km)", 0.0,
                                   0.092, 0.092, nullptr};
  // G.652's dispersion model is specified over the O to L bands.
  static constexpr double kMinWavelength_m = 1260e-9, kMaxWavelength_m = 1625e-9;

  static std::string name(const BatchSetup& b) { return b.fibre ? "fibre" : ""; }
  static std::vector<StageKey> keys() { return {kLength, kAttenuation, kZeroDispersion, kSlope}; }
  static double optical_loss_db(const StageValues& v) {
    return stage_value(v, kLength) * stage_value(v, kAttenuation);
  }
  // D at the laser's wavelength, s/m^2.
  static double dispersion_s_per_m2(const StageValues& v, double wavelength_m) {
    return g652_dispersion_s_per_m2(wavelength_m, 1e-9 * stage_value(v, kZeroDispersion),
                                    1e3 * stage_value(v, kSlope));
  }
  // beta2 L, s^2, at the laser's wavelength.
  static double beta2_l_s2(const StageValues& v, double wavelength_m) {
    return group_velocity_dispersion_s2_per_m(dispersion_s_per_m2(v, wavelength_m),
                                              wavelength_m) *
           1e3 * stage_value(v, kLength);
  }
  // The field's band the FIR passes: two symbol rates, tapered to nothing by three (within the
  // sampled band), where the driver's filtered drive has no content left to disperse.
  static double pass_hz(const StageContext& x) {
    return std::min(2.0 * x.symbol_rate_hz, 0.3 * x.sample_rate_hz);
  }
  static double stop_hz(const StageContext& x) {
    return std::min(3.0 * x.symbol_rate_hz, 0.45 * x.sample_rate_hz);
  }

  static std::optional<StageRefusal> set_up(const StageContext& x, LinkSetup& link) {
    link.fibre_taps.clear();
    if (!(stage_value(x.values, kLength) > 0.0)) return {};
    if (!x.modulator_field())
      return StageRefusal{kLength.key,
                          "a fibre disperses the modulator's field (a ring's, an MZM's or an "
                          "EML's); a micro-LED's light has no coherent field and an electrical "
                          "lane none: expected 0 with this modulator"};
    if (x.wdm_bus)
      return StageRefusal{kLength.key,
                          "a WDM bus mixes its lanes' powers, not their fields; expected 0 with "
                          "[wdm] (or the budget's loss in optics.extra_loss_db)"};
    if (x.laser_wavelength_m < kMinWavelength_m || x.laser_wavelength_m > kMaxWavelength_m)
      return StageRefusal{"laser.wavelength_nm",
                          "outside 1260-1625 nm, where G.652's dispersion model holds; expected "
                          "a wavelength inside it with a fibre"};
    FibreFir fir = design_fibre_fir(beta2_l_s2(x.values, x.laser_wavelength_m), x.sample_rate_hz,
                                    pass_hz(x), stop_hz(x));
    if (fir.taps.size() > x.chunk_samples)
      return StageRefusal{"run.chunk_symbols",
                          "the fibre spreads a pulse over " + std::to_string(fir.taps.size()) +
                              " samples, more than a chunk of " +
                              std::to_string(x.chunk_samples) +
                              "; expected a chunk that holds it"};
    link.fibre_taps = std::move(fir.taps);
    return {};
  }

  // The field from the ring (ResponseArgs::field) through the taps, steady at v_from before the
  // shape and at its last value after, detected: |E|^2 less its steady value at v_from. The
  // response grows by the taps' length less one, as a linear convolution does.
  static void respond(const BatchSetup&, const LinkSetup& link, const ResponseArgs& a,
                      std::vector<double>& signal) {
    const std::vector<Complex<double>>& h = link.fibre_taps;
    const std::vector<Complex<double>>& e = *a.field;
    if (h.empty() || e.empty()) return;
    const Complex<double> e_from = *a.field_from;  // the modulator's steady field at v_from
    Complex<double> gain{0.0, 0.0};
    for (const Complex<double>& t : h) gain = {gain.re + t.re, gain.im + t.im};
    const Complex<double> steady = gain * e_from;
    const double p0 = steady.re * steady.re + steady.im * steady.im;
    const std::size_t n_out = e.size() + h.size() - 1;
    signal.assign(n_out, 0.0);
    for (std::size_t n = 0; n < n_out; ++n) {
      Complex<double> acc{0.0, 0.0};
      for (std::size_t k = 0; k < h.size(); ++k) {
        const Complex<double> x =
            n < k ? e_from : (n - k < e.size() ? e[n - k] : e.back());
        acc = {acc.re + (h[k] * x).re, acc.im + (h[k] * x).im};
      }
      signal[n] = acc.re * acc.re + acc.im * acc.im - p0;
    }
  }
};

}  // namespace ll
