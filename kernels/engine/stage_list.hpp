// The lane as a list of stages: which stages a batch runs, in signal order, from its topology.
// The engine builds its stages from this list (kernels/engine/lane_engine.hpp) and the host
// batches together the links whose lists agree (host/run/plan.cpp), so the two cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/engine/batch_setup.hpp"

namespace ll {

enum class StageKind : std::uint8_t {
  symbols,                  // SymbolStage
  drive,                    // PolyphaseDriveStage: H1 on the held levels
  jittered_drive,           // JitteredDriveStage: transmit jitter moves the transitions
  ring,                     // RingStage, static transmission
  ring_junction,            // RingStage, tabulated PN junction
  ring_coupled_mode,        // RingStage, coupled-mode recurrence (photon lifetime)
  lock_monitor,             // ThermalMonitorStage: some link runs a resonance lock
  wdm_bus,                  // WdmBusStage: crosstalk and demultiplexer of a bus
  receiver_filter,          // ReceiverFilterStage: H2 by overlap-save
  decisions,                // DecisionStage, thresholds at the fixed sample
  equalized_decisions,      // DecisionStage through the FFE and DFE
  cdr_decisions,            // DecisionStage at the recovered phase
  equalized_cdr_decisions,  // both
  error_count,              // ErrorCountStage
  eye,                      // EyeStage
};

// The batch's stages, in signal order.
inline std::vector<StageKind> lane_stages(const BatchSetup& b) {
  std::vector<StageKind> s{StageKind::symbols,
                           b.tx_jitter ? StageKind::jittered_drive : StageKind::drive};
  s.push_back(b.ring_dynamic  ? StageKind::ring_coupled_mode
              : b.eo_junction ? StageKind::ring_junction
                              : StageKind::ring);
  bool lock = false;
  for (const LinkSetup& l : b.links) lock = lock || l.thermal_loop.enabled;
  if (lock) s.push_back(StageKind::lock_monitor);
  if (b.bus_lanes > 0) s.push_back(StageKind::wdm_bus);
  if (b.has_h2) s.push_back(StageKind::receiver_filter);
  s.push_back(b.rx_equalizer && b.cdr ? StageKind::equalized_cdr_decisions
              : b.rx_equalizer        ? StageKind::equalized_decisions
              : b.cdr                 ? StageKind::cdr_decisions
                                      : StageKind::decisions);
  s.push_back(StageKind::error_count);
  if (b.eye_symbols > 0) s.push_back(StageKind::eye);
  return s;
}

inline const char* stage_name(StageKind k) {
  switch (k) {
    case StageKind::symbols: return "symbols";
    case StageKind::drive: return "drive";
    case StageKind::jittered_drive: return "jittered drive";
    case StageKind::ring: return "ring";
    case StageKind::ring_junction: return "ring (PN junction)";
    case StageKind::ring_coupled_mode: return "ring (coupled-mode)";
    case StageKind::lock_monitor: return "lock monitor";
    case StageKind::wdm_bus: return "WDM bus";
    case StageKind::receiver_filter: return "receiver filter";
    case StageKind::decisions: return "decisions";
    case StageKind::equalized_decisions: return "FFE/DFE decisions";
    case StageKind::cdr_decisions: return "CDR decisions";
    case StageKind::equalized_cdr_decisions: return "CDR + FFE/DFE decisions";
    case StageKind::error_count: return "error count";
    case StageKind::eye: return "eye";
  }
  return "?";
}

// "symbols -> drive -> ring -> ..." for messages and `lightlane validate`.
inline std::string describe_stages(const std::vector<StageKind>& stages) {
  std::string out;
  for (StageKind k : stages) out += (out.empty() ? "" : " -> ") + std::string(stage_name(k));
  return out;
}

}  // namespace ll
