// The rings' resonance locks at chunk rate, on the host (kernels/engine/thermal_loop.hpp): after
// each chunk, every running link's monitor reading (ThermalMonitorStage) steps its loop, and the
// rings' resonances move where the heaters now hold them, in the links' constants and, on a WDM
// bus, in the rings as every lane of the bus sees them.
#pragma once

#include <cmath>
#include <stdexcept>
#include <vector>

#include "kernels/engine/stages_optical.hpp"

namespace ll {

template <class Exec, class Real>
class ResonanceLocks {
 public:
  ResonanceLocks(const BatchSetup& setup, std::size_t L) : L_(L) {
    record_trace_ = setup.record_thermal_trace;
    loop_setup_.resize(L_);
    loop_state_.resize(L_);
    traces_.resize(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      const ThermalLoopSetup& s = setup.links[l].thermal_loop;
      loop_setup_[l] = s;
      if (!s.enabled) continue;
      if (!(s.symbol_period_s > 0.0) || !(s.optical_power_w >= 0.0))
        throw std::invalid_argument("lane engine: a lock loop needs its symbol period and power");
      any_ = true;
      loop_state_[l] = {s.start, s.start_heater_power_w};
    }
    if (!any_) return;
    design_constants_.resize(L_);
    live_constants_.resize(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      design_constants_[l] = setup.links[l].constants;
      live_constants_[l] = convert_constants<Real>(design_constants_[l]);
    }
    bus_lanes_ = setup.bus_lanes;
    if (bus_lanes_ > 0) {
      design_bus_seen_.resize(L_ * bus_lanes_);
      for (std::size_t l = 0; l < L_; ++l)
        std::copy(setup.links[l].bus_seen.begin(), setup.links[l].bus_seen.end(),
                  design_bus_seen_.begin() + l * bus_lanes_);
    }
  }

  bool any() const { return any_; }

  // After a chunk: each running link's monitor reading steps its loop. A link that has stopped
  // keeps its state, so its outcome does not depend on the other links of the batch.
  void step(const std::vector<bool>& was_running, const ThermalMonitorStage<Exec, Real>& monitor,
            std::uint64_t chunk_index, int chunk_symbols, std::size_t chunk_samples_count,
            typename Exec::template Buffer<LinkConstants<Real>>& links,
            WdmBusStage<Exec, Real>* bus) {
    const std::size_t parts = monitor.parts();
    monitor_host_.resize(L_ * parts);
    monitor.download(monitor_host_);
    const double chunk_samples = static_cast<double>(chunk_samples_count);
    for (std::size_t l = 0; l < L_; ++l) {
      const ThermalLoopSetup& s = loop_setup_[l];
      if (!s.enabled || !was_running[l]) continue;
      double sum = 0.0;
      for (std::size_t p = 0; p < parts; ++p) sum += monitor_host_[l * parts + p];
      const double reading = sum / chunk_samples;
      const double dt = static_cast<double>(chunk_symbols) * s.symbol_period_s;
      loop_state_[l] = thermal_loop_step(s, loop_state_[l], reading, dt);
      if (record_trace_)
        traces_[l].push_back({static_cast<double>(chunk_index) * dt, reading,
                              loop_state_[l].heater_power_w, lock_error_m(s, loop_state_[l])});
    }
    move_resonances(links, bus);
  }

  // Puts every looped ring's resonance where its thermal state holds it: its own link's
  // constants and, on a bus, the ring as every lane of its bus sees it.
  void move_resonances(typename Exec::template Buffer<LinkConstants<Real>>& links,
                       WdmBusStage<Exec, Real>* bus) {
    std::vector<double> error(L_, 0.0);
    for (std::size_t l = 0; l < L_; ++l)
      if (loop_setup_[l].enabled) error[l] = lock_error_m(loop_setup_[l], loop_state_[l]);
    // Only the looped links' constants move (and their dynamic-ring tables are rebuilt); the
    // others keep the conversion made once at set-up.
    for (std::size_t l = 0; l < L_; ++l)
      if (loop_setup_[l].enabled)
        live_constants_[l] =
            convert_constants<Real>(shifted_resonance(design_constants_[l], error[l]));
    links.upload(live_constants_.data(), L_);
    if (bus_lanes_ > 0 && bus) {
      const std::size_t N = static_cast<std::size_t>(bus_lanes_);
      std::vector<RingModulator<Real>> seen(L_ * N);
      for (std::size_t l = 0; l < L_; ++l) {
        const std::size_t first_of_bus = l - l % N;
        for (std::size_t k = 0; k < N; ++k) {
          RingModulator<double> r = design_bus_seen_[l * N + k];
          r.detuning_m -= error[first_of_bus + k];
          seen[l * N + k] = r.template converted<Real>();
        }
      }
      bus->set_seen(seen);
    }
  }

  // Where each link's resonance lock ended (enabled = false for links without the loop).
  std::vector<ThermalLoopOutcome> outcomes() const {
    std::vector<ThermalLoopOutcome> out(L_);
    for (std::size_t l = 0; l < L_; ++l) {
      const ThermalLoopSetup& s = loop_setup_[l];
      if (!s.enabled) continue;
      out[l].enabled = true;
      out[l].heater_power_w = loop_state_[l].heater_power_w;
      out[l].lock_error_m = lock_error_m(s, loop_state_[l]);
      out[l].locked = std::abs(out[l].lock_error_m) <= s.tolerance_m;
      if (record_trace_) out[l].trace = traces_[l];
    }
    return out;
  }

 private:
  std::size_t L_;
  int bus_lanes_ = 0;
  bool any_ = false, record_trace_ = false;
  std::vector<ThermalLoopSetup> loop_setup_;
  std::vector<ThermalLoopState> loop_state_;
  std::vector<std::vector<ThermalTracePoint>> traces_;
  std::vector<LinkConstants<double>> design_constants_;
  std::vector<LinkConstants<Real>> live_constants_;  // what the links' buffer holds
  std::vector<RingModulator<double>> design_bus_seen_;
  std::vector<double> monitor_host_;
};

}  // namespace ll
