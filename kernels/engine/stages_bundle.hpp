// The imaging fibre bundle's crosstalk ([bundle]; physics/bundle.hpp): a micro-LED core's
// photocurrent plus a fraction of each neighbouring core's light. The micro-LED writes its
// photocurrent into this stage's buffer (with a chunk of history), and this stage writes the sum
// where the micro-LED would have.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "kernels/engine/stage.hpp"

namespace ll {

template <class Exec, class Real>
class BundleStage final : public Stage<Exec, Real> {
 public:
  BundleStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&) {
    history_ = s.chunk_samples;  // the longest neighbour's delay
    stride_ = history_ + s.chunk_samples;
    for (const LinkSetup& l : setup.links)
      neighbours_ = std::max<std::size_t>(neighbours_, l.bundle.neighbours);
    std::vector<int> delay(s.L * neighbours_, 1);
    std::vector<Real> fraction(s.L, Real(0)), dark(s.L);
    for (std::size_t l = 0; l < s.L; ++l) {
      const LinkSetup& ls = setup.links[l];
      fraction[l] = static_cast<Real>(ls.bundle.fraction);
      dark[l] = static_cast<Real>(ls.constants.dark_current_a);
      for (int k = 0; k < ls.bundle.neighbours; ++k)
        delay[l * neighbours_ + k] = ls.bundle.delay_samples[k];
    }
    // Dark before the line starts: the history holds the dark current (no light).
    std::vector<Real> start(s.L * stride_);
    for (std::size_t l = 0; l < s.L; ++l)
      std::fill(start.begin() + l * stride_, start.begin() + (l + 1) * stride_, dark[l]);
    own_ = Buffer<Real>(s.L * stride_);
    own_.upload(start.data(), start.size());
    delay_ = Buffer<int>(delay.size());
    delay_.upload(delay.data(), delay.size());
    fraction_ = Buffer<Real>(s.L);
    fraction_.upload(fraction.data(), s.L);
    dark_ = Buffer<Real>(s.L);
    dark_.upload(dark.data(), s.L);
    out_ = s.ring_out;
    out_stride_ = s.ring_stride;
    out_offset_ = s.ring_offset;
    s.ring_out = own_.data();
    s.ring_stride = stride_;
    s.ring_offset = history_;
  }
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L, s.chunk_samples,
                    BundleCrosstalk<Real>{own_.data(), fraction_.data(), dark_.data(),
                                          delay_.data(), out_, stride_, history_, neighbours_,
                                          out_stride_, out_offset_});
  }
  void carry(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L, history_, CarryTail<Real>{own_.data(), stride_, s.chunk_samples});
  }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;
  std::size_t history_ = 0, stride_ = 0, neighbours_ = 0, out_stride_ = 0, out_offset_ = 0;
  Real* out_ = nullptr;
  Buffer<Real> own_, fraction_, dark_;
  Buffer<int> delay_;
};

struct BundleStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = BundleStage<Exec, Real>;
  static constexpr StageKey kNeighbours{"bundle.neighbours", "1", 0.0, kMaxBundleNeighbours, 0.0,
                                        "a whole number of neighbouring cores, 0 (none) to 6",
                                        true};
  static constexpr StageKey kCrosstalk{"bundle.crosstalk_db", "dB", -80.0, -3.0, kNoStageDefault,
                                       nullptr};

  static std::string name(const BatchSetup& b) { return b.bundle ? "bundle crosstalk" : ""; }
  static std::vector<StageKey> keys() { return {kNeighbours, kCrosstalk}; }

  static std::optional<StageRefusal> set_up(const StageContext& x, LinkSetup& link) {
    link.bundle = BundleCoupling{};
    const double n = stage_value(x.values, kNeighbours);  // whole (StageKey::whole)
    if (n < 1) return {};
    if (x.modulator != kModulatorMicroLed)
      return StageRefusal{kNeighbours.key,
                          "an imaging bundle's cores add their light's powers, as incoherent "
                          "sources' do; expected 0 unless transmitter.modulator = \"microled\""};
    const double db = stage_value(x.values, kCrosstalk);
    if (!std::isfinite(db))
      return StageRefusal{kCrosstalk.key, "missing; the neighbouring cores' coupling is needed"};
    BundleCoupling b;
    b.neighbours = static_cast<int>(n);
    b.fraction = std::pow(10.0, db / 10.0);
    for (int k = 0; k < b.neighbours; ++k)
      b.delay_samples[k] = static_cast<int>(x.chunk_samples * (k + 1) / b.neighbours);
    // The mean light the neighbours send: each the micro-LED's steady light over the levels.
    b.mean_shift_a = b.neighbours * b.fraction * mean_signal_photocurrent_a(link);
    link.bundle = b;
    return {};
  }
};

}  // namespace ll
