// The optical stages: the ring modulator from drive to photocurrent (static transmission, the
// tabulated PN junction, or the coupled-mode recurrence: physics/lane.hpp, physics/mrm.hpp,
// physics/ring_dynamics.hpp), the resonance lock's monitor, and the WDM bus's crosstalk and
// demultiplexer (physics/wdm_bus.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels/engine/stage.hpp"

namespace ll {

// Each lane through its own ring, into s.ring_out (the receiver's buffer, or a WDM bus's).
template <class Exec, class Real>
class RingStage final : public Stage<Exec, Real> {
 public:
  RingStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&)
      : dynamic_(setup.ring_dynamic), junction_(setup.eo_junction), scan_tile_(setup.scan_tile) {
    if (!dynamic_) return;
    state_ = Buffer<Complex<Real>>(s.L);  // zero: the ring starts empty
    if (scan_tile_) {
      if (s.chunk_samples % scan_tile_ != 0)
        throw std::invalid_argument("lane engine: the chunk must be a whole number of tiles");
      tiles_ = s.chunk_samples / scan_tile_;
      tile_map_ = Buffer<AffineMap<Real>>(s.L * tiles_);
      tile_entering_ = Buffer<Complex<Real>>(s.L * tiles_);
    }
  }
  void run(LaneState<Exec, Real>& s) override {
    const std::size_t n = s.chunk_samples;
    if (s.field_out && !dynamic_) {  // a fibre follows: the field, which it detects
      if (junction_)
        s.exec.for_each(s.L, n,
                        ModulatorToField<Real, kModulatorRing, true>{
                            s.links.data(), s.drive.data(), s.field_out, n, s.field_stride,
                            s.field_offset});
      else
        s.exec.for_each(s.L, n,
                        ModulatorToField<Real, kModulatorRing>{s.links.data(), s.drive.data(),
                                                               s.field_out, n, s.field_stride,
                                                               s.field_offset});
      return;
    }
    if (!dynamic_ && !junction_) {
      s.exec.for_each(s.L, n,
                      RingToPhotocurrent<Real, false>{s.links.data(), s.drive.data(), s.ring_out,
                                                      n, 0, s.ring_stride, s.ring_offset});
    } else if (!dynamic_) {
      s.exec.for_each(s.L, n,
                      RingToPhotocurrent<Real, true>{s.links.data(), s.drive.data(), s.ring_out,
                                                     n, 0, s.ring_stride, s.ring_offset});
    } else if (scan_tile_ == 0) {
      s.exec.for_each(s.L, 1,
                      CmtSequential<Real, LinkConstants<Real>>{
                          s.links.data(), s.drive.data(), s.ring_out, state_.data(), n,
                          s.ring_stride, s.ring_offset, s.field_out, s.field_stride,
                          s.field_offset});
    } else {
      s.exec.for_each(s.L * tiles_, 1,
                      CmtTileReduce<Real, LinkConstants<Real>>{
                          s.links.data(), s.drive.data(), tile_map_.data(), n, scan_tile_, tiles_});
      s.exec.for_each(s.L, 1,
                      CmtTilePrefix<Real>{tile_map_.data(), tile_entering_.data(), state_.data(),
                                          tiles_});
      s.exec.for_each(s.L * tiles_, 1,
                      CmtTileApply<Real, LinkConstants<Real>>{
                          s.links.data(), s.drive.data(), tile_entering_.data(), s.ring_out, n,
                          scan_tile_, tiles_, s.ring_stride, s.ring_offset, s.field_out,
                          s.field_stride, s.field_offset});
    }
  }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;
  bool dynamic_, junction_;  // coupled-mode recurrence; tabulated PN junction
  std::size_t scan_tile_, tiles_ = 0;
  Buffer<Complex<Real>> state_;          // dynamic ring: u carried across chunks, per link
  Buffer<AffineMap<Real>> tile_map_;     // tiled scan: each tile's composed map
  Buffer<Complex<Real>> tile_entering_;  // tiled scan: the state entering each tile
};

// A modulator other than the ring (BatchSetup::modulator: an MZM, physics/mzm.hpp, or an EML,
// physics/eml.hpp): its photocurrent into s.ring_out, or its field into a fibre's buffer; or, in
// an electrical lane, the receiver's termination (the channel's voltage as a current).
template <class Exec, class Real>
class ModulatorStage final : public Stage<Exec, Real> {
 public:
  ModulatorStage(LaneState<Exec, Real>&, const BatchSetup& setup, const EngineSpan&)
      : kind_(setup.modulator) {}
  void run(LaneState<Exec, Real>& s) override {
    if (kind_ == kModulatorEml)
      launch<kModulatorEml>(s);
    else if (kind_ == kModulatorNone)
      launch<kModulatorNone>(s);
    else
      launch<kModulatorMzm>(s);
  }

 private:
  template <int Kind>
  void launch(LaneState<Exec, Real>& s) {
    const std::size_t n = s.chunk_samples;
    if constexpr (Kind != kModulatorNone) {  // (an electrical lane has no field: no fibre)
      if (s.field_out) {
        s.exec.for_each(s.L, n,
                        ModulatorToField<Real, Kind>{s.links.data(), s.drive.data(), s.field_out,
                                                     n, s.field_stride, s.field_offset});
        return;
      }
    }
    s.exec.for_each(s.L, n,
                    ModulatorToPhotocurrent<Real, Kind>{s.links.data(), s.drive.data(), s.ring_out,
                                                        n, 0, s.ring_stride, s.ring_offset});
  }
  int kind_;
};

// A directly modulated micro-LED (physics/microled.hpp): its rate equation sample by sample, one
// sequential pass per link, the carrier density carried across chunks; it starts at the steady
// density of the drive's bias.
template <class Exec, class Real>
class MicroLedStage final : public Stage<Exec, Real> {
 public:
  MicroLedStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&) {
    std::vector<Real> n0(s.L);
    for (std::size_t l = 0; l < s.L; ++l) {
      const LinkConstants<double>& c = setup.links[l].constants;
      n0[l] = static_cast<Real>(c.led.steady_density(c.drive_bias_v));
    }
    density_ = typename Exec::template Buffer<Real>(s.L);
    density_.upload(n0.data(), s.L);
  }
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L, 1,
                    MicroLedSequential<Real, LinkConstants<Real>>{
                        s.links.data(), s.drive.data(), s.ring_out, density_.data(),
                        s.chunk_samples, s.ring_stride, s.ring_offset});
  }

 private:
  typename Exec::template Buffer<Real> density_;
};

// The resonance lock's monitor: each link's ring output summed in parts of up to 64 symbols
// (few enough partial sums to download per chunk, enough rows to keep a GPU busy), for the
// chunk-rate loop the engine steps on the host.
template <class Exec, class Real>
class ThermalMonitorStage final : public Stage<Exec, Real> {
 public:
  ThermalMonitorStage(LaneState<Exec, Real>& s, const BatchSetup&, const EngineSpan&) {
    std::size_t symbols_per_part = 1;
    while (symbols_per_part < 64 && s.chunk % (2 * symbols_per_part) == 0) symbols_per_part *= 2;
    parts_ = static_cast<std::size_t>(s.chunk) / symbols_per_part;
    partial_ = typename Exec::template Buffer<double>(s.L * parts_);
  }
  void run(LaneState<Exec, Real>& s) override {
    s.exec.for_each(s.L * parts_, 1,
                    MonitorPartialSums<Real>{s.links.data(), s.ring_out, partial_.data(),
                                             s.ring_stride, s.ring_offset,
                                             s.chunk_samples / parts_, parts_});
  }
  std::size_t parts() const { return parts_; }
  // [links][parts]: this chunk's partial sums of each link's monitor.
  void download(std::vector<double>& out) const { partial_.download(out.data(), out.size()); }

 private:
  std::size_t parts_ = 0;
  typename Exec::template Buffer<double> partial_;
};

// The WDM bus: the lanes of a bus (bus_lanes consecutive links) share one transmit bus and one
// demultiplexer. Each ring writes its lane's own photocurrent; this stage forms every channel's
// power through the other rings of the bus, then each photodiode's current from the drop
// matrix, into the receiver's buffer.
template <class Exec, class Real>
class WdmBusStage final : public Stage<Exec, Real> {
 public:
  WdmBusStage(LaneState<Exec, Real>& s, const BatchSetup& setup, const EngineSpan&)
      : lanes_(setup.bus_lanes), junction_(setup.eo_junction) {
    if (s.chunk_samples % kBusTile != 0)
      throw std::invalid_argument("lane engine: a WDM chunk must be a whole number of bus tiles");
    const std::size_t N = static_cast<std::size_t>(lanes_);
    std::vector<RingModulator<Real>> seen(s.L * N);
    std::vector<Real> drop(s.L * N);
    for (std::size_t l = 0; l < s.L; ++l) {
      const LinkSetup& ls = setup.links[l];
      if (ls.bus_seen.size() != N || ls.bus_drop.size() != N)
        throw std::invalid_argument("lane engine: a bus lane needs one entry per lane");
      for (std::size_t k = 0; k < N; ++k) {
        seen[l * N + k] = ls.bus_seen[k].template converted<Real>();
        drop[l * N + k] = static_cast<Real>(ls.bus_drop[k]);
      }
    }
    seen_ = Buffer<RingModulator<Real>>(s.L * N);
    set_seen(seen);
    drop_ = Buffer<Real>(s.L * N);
    drop_.upload(drop.data(), drop.size());
    own_current_ = Buffer<Real>(s.L * s.chunk_samples);
    channel_ = Buffer<Real>(s.L * s.chunk_samples);
    // The rings write each lane's own photocurrent here, for this stage to mix.
    s.ring_out = own_current_.data();
    s.ring_stride = s.chunk_samples;
    s.ring_offset = 0;
  }
  void run(LaneState<Exec, Real>& s) override {
    const std::size_t n = s.chunk_samples;
    if (junction_)
      s.exec.for_each(s.L, n / kBusTile,
                      BusChannelPower<Real, true>{s.links.data(), seen_.data(), s.drive.data(),
                                                  own_current_.data(), channel_.data(), n, lanes_});
    else
      s.exec.for_each(s.L, n / kBusTile,
                      BusChannelPower<Real, false>{s.links.data(), seen_.data(), s.drive.data(),
                                                   own_current_.data(), channel_.data(), n,
                                                   lanes_});
    s.exec.for_each(s.L, n,
                    BusDemux<Real>{s.links.data(), drop_.data(), channel_.data(), s.current.data(),
                                   n, s.ext_stride, s.history, lanes_});
  }
  // Ring k of the bus as each lane's channel sees it, [links][lanes] (the lock loop moves them).
  void set_seen(const std::vector<RingModulator<Real>>& seen) {
    seen_.upload(seen.data(), seen.size());
  }
  int lanes() const { return lanes_; }

 private:
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;
  int lanes_;
  bool junction_;
  Buffer<RingModulator<Real>> seen_;  // [links][lanes]
  Buffer<Real> drop_;                 // [links][lanes]
  Buffer<Real> own_current_, channel_;  // [links][chunk samples]
};

struct RingStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = RingStage<Exec, Real>;
  static std::string name(const BatchSetup& b) {
    if (b.modulator != kModulatorRing) return "";
    return b.ring_dynamic ? "ring (coupled-mode)" : b.eo_junction ? "ring (PN junction)" : "ring";
  }
  // The ring's transmission for the drive v_from + (v_to - v_from) shape[n], less its steady
  // value at v_from (the coupled-mode ring settled there for ring_tail samples first).
  static void respond(const BatchSetup& b, const LinkSetup& link, const ResponseArgs& a,
                      std::vector<double>& signal) {
    const LinkConstants<double>& c = link.constants;
    const std::vector<double>& shape = *a.shape;
    const double v_from = a.v_from, v_to = a.v_to;
    std::vector<double> out_t(shape.size());
    // The field too, for a fibre after the ring.
    const bool field = b.fibre && a.field;
    if (field) a.field->resize(shape.size());
    if (!b.ring_dynamic) {
      const double t0 = ring_transmission(c, v_from);
      for (std::size_t n = 0; n < shape.size(); ++n)
        out_t[n] = ring_transmission(c, v_from + (v_to - v_from) * shape[n]) - t0;
      if (field) {
        *a.field_from = ring_field(c, v_from);
        for (std::size_t n = 0; n < shape.size(); ++n)
          (*a.field)[n] = ring_field(c, v_from + (v_to - v_from) * shape[n]);
      }
    } else {
      Complex<double> u{0.0, 0.0};
      const AffineMap<double> rest = cmt_step_for(c, v_from);
      for (std::size_t n = 0; n < a.ring_tail; ++n) u = apply(rest, u);  // settle at v_from
      const double t0 = cmt_transmission(u);
      if (field) *a.field_from = cmt_field(u);
      for (std::size_t n = 0; n < shape.size(); ++n) {
        u = apply(cmt_step_for(c, v_from + (v_to - v_from) * shape[n]), u);
        out_t[n] = cmt_transmission(u) - t0;
        if (field) (*a.field)[n] = cmt_field(u);
      }
    }
    signal = std::move(out_t);
  }
};
// The MZM's or the EML's transmission for the drive v_from + (v_to - v_from) shape[n] less its
// value at v_from, and its field for a fibre: memoryless (their electrodes' bands are in H1).
struct ModulatorStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = ModulatorStage<Exec, Real>;
  static std::string name(const BatchSetup& b) {
    return b.modulator == kModulatorMzm    ? "MZM"
           : b.modulator == kModulatorEml  ? "EML"
           : b.modulator == kModulatorNone ? "termination"  // an electrical lane's receiver input
                                           : "";
  }
  static void respond(const BatchSetup& b, const LinkSetup& link, const ResponseArgs& a,
                      std::vector<double>& signal) {
    const LinkConstants<double>& c = link.constants;
    const std::vector<double>& shape = *a.shape;
    const double t0 = modulator_transmission(c, a.v_from);
    signal.resize(shape.size());
    for (std::size_t n = 0; n < shape.size(); ++n)
      signal[n] = modulator_transmission(c, a.v_from + (a.v_to - a.v_from) * shape[n]) - t0;
    if (b.fibre && a.field) {
      a.field->resize(shape.size());
      *a.field_from = modulator_field(c, a.v_from);
      for (std::size_t n = 0; n < shape.size(); ++n)
        (*a.field)[n] = modulator_field(c, a.v_from + (a.v_to - a.v_from) * shape[n]);
    }
  }
};
// The micro-LED's light for the drive v_from + (v_to - v_from) shape[n], from the steady state at
// v_from through its rate equation (the same step as the engine's, in double), less its start.
struct MicroLedStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = MicroLedStage<Exec, Real>;
  static std::string name(const BatchSetup& b) {
    return b.modulator == kModulatorMicroLed ? "micro-LED" : "";
  }
  static void respond(const BatchSetup&, const LinkSetup& link, const ResponseArgs& a,
                      std::vector<double>& signal) {
    const MicroLed<double>& m = link.constants.led;
    const std::vector<double>& shape = *a.shape;
    double n = m.steady_density(a.v_from);
    const double p0 = m.power_w(n);
    signal.resize(shape.size());
    for (std::size_t k = 0; k < shape.size(); ++k) {
      n = m.step(n, a.v_from + (a.v_to - a.v_from) * shape[k]);
      signal[k] = m.power_w(n) - p0;
    }
  }
};
struct LockMonitorStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = ThermalMonitorStage<Exec, Real>;
  static std::string name(const BatchSetup& b) {
    for (const LinkSetup& l : b.links)
      if (l.thermal_loop.enabled) return "lock monitor";
    return "";
  }
};
// The bus's crosstalk is left out of a lane's own response (the statistical eye refuses buses).
struct WdmBusStageInfo : StageInfo {
  template <class Exec, class Real>
  using Engine = WdmBusStage<Exec, Real>;
  static std::string name(const BatchSetup& b) { return b.bus_lanes > 0 ? "WDM bus" : ""; }
};

// A variable optical attenuator ahead of the photodiode ([voa]): the bench's way to a receiver's
// sensitivity, sweeping the received power with everything else held. Linear and memoryless on
// the optical power (P_out = P_in 10^(-A/10)), so folded: A joins the optical path's budget
// (kernels/engine/stage_keys.hpp), which sets the photocurrent per unit transmission
// (physics/receiver_noise.hpp photodiode_current_a), and the engine runs no pass for it. With a
// WDM bus it attenuates everything the lane's photodiode collects, its crosstalk too.
struct VoaStageInfo : StageInfo {
  static constexpr bool folded = true;
  // 60 dB: as optics.extra_loss_db; the whole path stays under 100 dB (host/link/lane_setup.cpp).
  static constexpr StageKey kAttenuation{"voa.attenuation_db", "dB", 0.0, 60.0, 0.0, nullptr};
  static std::string name(const BatchSetup&) { return ""; }  // folded: no engine pass
  static std::vector<StageKey> keys() { return {kAttenuation}; }
  static double optical_loss_db(const StageValues& v) { return stage_value(v, kAttenuation); }
};

}  // namespace ll
