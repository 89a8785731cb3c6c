// The lane as a list of stages, in signal order: one line per stage. Each line names a stage's
// descriptor (beside its class in stages_*.hpp: its engine class, whether and under which name a
// batch runs it, its linear(ised) response). The engine builds its stages from this list
// (kernels/engine/lane_engine.hpp), the host batches together the links whose lanes agree
// (host/run/plan.cpp), and the set-up's pulse and step responses run over it
// (kernels/engine/stage_responses.hpp): none of them can disagree with another.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "kernels/engine/stages_bundle.hpp"
#include "kernels/engine/stages_fibre.hpp"
#include "kernels/engine/stages_mpi.hpp"
#include "kernels/engine/stages_optical.hpp"
#include "kernels/engine/stages_receive.hpp"
#include "kernels/engine/stages_transmit.hpp"

namespace ll {

using LaneStageList = std::tuple<SymbolStageInfo,          // the symbols sent
                                 DriveStageInfo,           // H1 on the held levels
                                 JitteredDriveStageInfo,   // ... with moving transitions
                                 RingStageInfo,            // drive to photocurrent
                                 ModulatorStageInfo,       // ... or through an MZM or EML
                                 MicroLedStageInfo,        // ... or from a micro-LED
                                 BundleStageInfo,          // ... and its bundle's neighbours
                                 MpiStageInfo,             // the reflections' copies of the field
                                 FibreStageInfo,           // field through fibre, detected
                                 LockMonitorStageInfo,     // the resonance locks' monitor
                                 WdmBusStageInfo,          // a bus's crosstalk and demultiplexer
                                 VoaStageInfo,             // an attenuator (folded)
                                 ReceiverFilterStageInfo,  // H2 by overlap-save
                                 DecisionStageInfo,        // thresholds, FFE/DFE, CDR
                                 ErrorCountStageInfo,      // errors and the stop rule
                                 EyeStageInfo>;            // the eye histogram

// Calls f.template operator()<Info>() for every stage's descriptor, in signal order.
template <class F>
void for_each_stage(F&& f) {
  [&]<class... Info>(std::tuple<Info...>*) {
    (f.template operator()<Info>(), ...);
  }(static_cast<LaneStageList*>(nullptr));
}

// The names of the stages the batch runs, in signal order.
inline std::vector<std::string> lane_stages(const BatchSetup& b) {
  std::vector<std::string> out;
  for_each_stage([&]<class Info>() {
    std::string name = Info::name(b);
    if (!name.empty()) out.push_back(std::move(name));
  });
  return out;
}

// "symbols -> drive -> ring -> ..." for messages and `lightlane validate`.
inline std::string describe_stages(const std::vector<std::string>& stages) {
  std::string out;
  for (const std::string& name : stages) out += (out.empty() ? "" : " -> ") + name;
  return out;
}

}  // namespace ll
