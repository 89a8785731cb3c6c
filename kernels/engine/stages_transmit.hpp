// The transmitter's stages: the symbols (PRBS or pattern, per link), and the modulator's drive
// from them through the driver's bandwidth H1 (physics/lane.hpp), with or without transmit
// jitter (physics/jitter.hpp).
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "kernels/engine/stage.hpp"

namespace ll {

// Each link's next chunk of symbols after the ones still in flight (tx carries them).
template <class Exec, class Real>
class SymbolStage final : public Stage<Exec, Real> {
 public:
  SymbolStage(LaneState<Exec, Real>&, const BatchSetup&, const EngineSpan&) {}
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L, 1,
                    GenerateSymbols{s.sources.data(), s.tx.data(), s.history_symbols, s.chunk});
  }
};

// H1 (driver bandwidth) as a polyphase filter on the held levels: each symbol adds its drive
// pulse rect(spu) * h1.
template <class Exec, class Real>
class PolyphaseDriveStage final : public Stage<Exec, Real> {
 public:
  PolyphaseDriveStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&)
      : pulse_symbols_(drive_pulse_symbols(setup)) {
    std::vector<Real> pulses(s.L * pulse_symbols_ * s.spu);
    for (std::size_t l = 0; l < s.L; ++l) {
      const std::vector<double> p =
          drive_pulse(engine_h1_taps(setup.links[l]), s.spu, pulse_symbols_);
      std::copy(p.begin(), p.end(), pulses.begin() + l * p.size());
    }
    pulse_ = typename Exec::template Buffer<Real>(pulses.size());
    pulse_.upload(pulses.data(), pulses.size());
  }
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L * s.chunk, 1,
                    PolyphaseDrive<Real>{s.links.data(), s.tx.data(), pulse_.data(),
                                         s.drive.data(), s.history_symbols, s.chunk, s.spu,
                                         pulse_symbols_});
  }

 private:
  int pulse_symbols_;
  typename Exec::template Buffer<Real> pulse_;  // [links][pulse_symbols x spu]: rect * h1
};

// The drive with jittered transitions: each transition's shift (RJ, SJ, DCD, BUJ), then the
// drive as the sum of H1's step responses at the shifted instants.
template <class Exec, class Real>
class JitteredDriveStage final : public Stage<Exec, Real> {
 public:
  JitteredDriveStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan& span)
      : settle_symbols_(span.settle_symbols), step_points_(span.step_points) {
    std::vector<JitterParams<Real>> params(s.L);
    std::vector<Real> steps(s.L * static_cast<std::size_t>(step_points_), Real(0));
    for (std::size_t l = 0; l < s.L; ++l) {
      const JitterParams<double>& j = setup.links[l].jitter;
      params[l] = {static_cast<Real>(j.rj_rms_samples),
                   static_cast<Real>(j.sj_amplitude_samples),
                   j.sj_cycles_per_symbol,
                   static_cast<Real>(j.sj_phase_rad),
                   static_cast<Real>(j.dcd_samples),
                   static_cast<Real>(j.buj_samples),
                   j.lead_samples};
      // Shorter tables are padded with their final value (the step has settled there).
      const std::vector<double> t = drive_step_table(setup.links[l]);
      for (int n = 0; n < step_points_; ++n)
        steps[l * step_points_ + n] =
            static_cast<Real>(n < static_cast<int>(t.size()) ? t[n] : t.back());
    }
    jitter_ = Buffer<JitterParams<Real>>(s.L);
    jitter_.upload(params.data(), s.L);
    step_ = Buffer<Real>(steps.size());
    step_.upload(steps.data(), steps.size());
    tau_ = Buffer<Real>(s.L * (s.history_symbols + s.chunk));  // zero: the idle line's edges on time
  }
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L, s.chunk,
                    TransitionTimes<Real>{jitter_.data(), s.keys.data(), tau_.data(),
                                          s.history_symbols, s.chunk,
                                          static_cast<std::uint64_t>(s.first_symbol)});
    s.exec.for_each(s.L * s.chunk, 1,
                    JitteredDrive<Real>{s.links.data(), jitter_.data(), s.tx.data(), tau_.data(),
                                        step_.data(), s.drive.data(), s.history_symbols, s.chunk,
                                        s.spu, settle_symbols_, step_points_});
  }
  void carry(LaneState<Exec, Real>& s) override {
    s.exec.for_each(
        s.L, s.history_symbols,
        CarryTail<Real>{tau_.data(), static_cast<std::size_t>(s.history_symbols + s.chunk),
                        static_cast<std::size_t>(s.chunk)});
  }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;
  int settle_symbols_, step_points_;
  Buffer<JitterParams<Real>> jitter_;
  Buffer<Real> tau_;   // [links][history + chunk]: each transition's shift, samples
  Buffer<Real> step_;  // [links][step_points]: H1's step response from sample -1
};

struct SymbolStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = SymbolStage<Exec, Real>;
  static std::string name(const BatchSetup&) { return "symbols"; }
};
// The drive is the lane's response's input (the caller shapes it): no response of its own.
struct DriveStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = PolyphaseDriveStage<Exec, Real>;
  static std::string name(const BatchSetup& b) { return b.tx_jitter ? "" : "drive"; }
};
struct JitteredDriveStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = JitteredDriveStage<Exec, Real>;
  static std::string name(const BatchSetup& b) { return b.tx_jitter ? "jittered drive" : ""; }
};

}  // namespace ll
