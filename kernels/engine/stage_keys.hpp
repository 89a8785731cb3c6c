// What a stage declares for the host beyond its engine class: its scenario keys (the registry,
// host/scenario/keys_stages.cpp, registers them with their ranges and defaults) and, for a
// memoryless linear stage, its share of the link's set-up as one number that the set-up folds in
// (an optical loss ahead of the photodiode, in the optical path's budget, which scales the
// photocurrent per unit ring transmission: every level, threshold, noise variance and response
// follows, and the engine runs no pass for it). Declared by each stage's descriptor (kernels/engine/stages_*.hpp),
// collected over the stage list here, so that the host reads the list without including the
// engine.
#pragma once

#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "physics/link_constants.hpp"  // the modulators (kModulator...)

namespace ll {

// A scenario key of a stage: a real number in the unit its name carries, in [lo, hi], with its
// default (every stage key has one: a lane without the stage is the default's lane).
struct StageKey {
  const char* key;      // "table.name_unit"
  const char* units;    // the unit in the name, for messages
  double lo, hi;        // closed range
  double default_value;  // kNoStageDefault: none, the stage's set-up asks for it where it runs
  const char* meaning;  // what the range means, for messages; null: the range in its units
  bool whole = false;   // a whole number: the registry reads an integer (file:line:key if not)
};
inline constexpr double kNoStageDefault = std::numeric_limits<double>::quiet_NaN();

// One link's values of the stages' keys, by key, in the keys' own units (absent: the default).
using StageValues = std::map<std::string, double>;

inline double stage_value(const StageValues& values, const StageKey& k) {
  const auto it = values.find(k.key);
  return it == values.end() ? k.default_value : it->second;
}

// Every stage's keys, in the stage list's order (kernels/engine/stage_list.cpp).
const std::vector<StageKey>& stage_keys();

// The stages' optical losses, dB (their sum: they are in the optical path's budget, which sets the
// photocurrent per unit transmission).
double folded_optical_loss_db(const StageValues& values);

// What a stage's own set-up of one link reads (its descriptor's `set_up`, run by the host's
// prepare_link after the link's filters and levels, before its responses).
struct StageContext {
  const StageValues& values;
  double symbol_rate_hz = 0.0, sample_rate_hz = 0.0;
  double laser_wavelength_m = 0.0;
  std::size_t chunk_samples = 0;
  bool wdm_bus = false;
  int modulator = 0;  // kModulatorRing, ... (physics/link_constants.hpp)
  // The modulator's optical field is carried (a ring, an MZM, an EML): not a micro-LED's
  // incoherent light, and no electrical lane.
  bool modulator_field() const {
    return modulator != kModulatorMicroLed && modulator != kModulatorNone;
  }
};
// A stage's refusal of a link: the key to name and what was expected (the host's one-line error).
struct StageRefusal {
  std::string key, what;
};
struct LinkSetup;
// Every stage's set-up of the link, in list order; the first refusal, if any.
std::optional<StageRefusal> set_up_stages(const StageContext& context, LinkSetup& link);

}  // namespace ll
