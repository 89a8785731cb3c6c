// The fabric's optics, per port design: parts, power and failures. Physics-free host code.
//
// Every link is optical and has two ends: a GPU-side end on the GPU-leaf links (the NIC's port)
// and switch-side ends everywhere else (host/fabric/topology.hpp counts the links).
//   pluggable  transceivers: switch side ceil(switch ends / ports_per_transceiver) over the
//              fabric (modules plug only into used ports); NIC side
//              gpus x ceil(gpu_ports / ports_per_transceiver) (a module does not span NICs).
//   npo / cpo  optical engines on every switch: switches x ceil(radix / ports_per_engine) (the
//              engines are built into the switch whether or not each port is used); the NIC end
//              is the pluggable design named by nic_end, or engines on the NIC too ("same":
//              gpus x ceil(gpu_ports / ports_per_engine)).
//   copper     a cable on every GPU-leaf link (both its ends, its power per end); the links above
//              the leaf are the pluggable design named by upper_links, counted as above.
//   lasers     ceil(ends x lasers_per_port) on each side, with that side's design.
//   power      every used link end x its design's power_w (engines' unused ports: not counted).
//   failures   per day = sum over parts of count x FIT x 24 / 1e9 (FIT: failures per 1e9 device
//              hours, constant-rate parts); a transceiver's or engine's FIT excludes its lasers,
//              which are counted apart with fit_laser.
#pragma once

#include <cstdint>
#include <vector>

#include "host/fabric/fabric_input.hpp"

namespace ll::fabric {

struct DesignRollup {
  const PortDesign* design = nullptr;
  const PortDesign* nic = nullptr;  // the NIC end's design (the design itself for "same")
  const PortDesign* upper = nullptr;  // a copper design's links above the leaf
  std::int64_t cables = 0;            // copper cables
  std::int64_t transceivers_switch = 0, transceivers_nic = 0;
  std::int64_t engines_switch = 0, engines_nic = 0;
  std::int64_t lasers_switch = 0, lasers_nic = 0;
  double power_switch_w = 0.0, power_nic_w = 0.0;
  double failures_transceivers_per_day = 0.0, failures_engines_per_day = 0.0,
         failures_lasers_per_day = 0.0, failures_cables_per_day = 0.0;

  std::int64_t transceivers() const { return transceivers_switch + transceivers_nic; }
  std::int64_t engines() const { return engines_switch + engines_nic; }
  std::int64_t lasers() const { return lasers_switch + lasers_nic; }
  double optics_power_w() const { return power_switch_w + power_nic_w; }
  double failures_per_day() const {
    return failures_transceivers_per_day + failures_engines_per_day + failures_lasers_per_day +
           failures_cables_per_day;
  }
};

// Failures per day of `count` parts of `fit` failures per 1e9 hours each.
double failures_per_day(double count, double fit);

std::vector<DesignRollup> roll_up(const FabricSpec& spec);

}  // namespace ll::fabric
