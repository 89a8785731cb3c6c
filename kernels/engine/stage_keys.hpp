// What a stage declares for the host beyond its engine class: its scenario keys (the registry,
// host/scenario/keys_stages.cpp, registers them with their ranges and defaults) and, for a
// memoryless linear stage, its share of the link's set-up as one number that the set-up folds in
// (an optical loss ahead of the photodiode, in the optical path's budget, which scales the
// photocurrent per unit ring transmission: every level, threshold, noise variance and response
// follows, and the engine runs no pass for it). Declared by each stage's descriptor (kernels/engine/stages_*.hpp),
// collected over the stage list here, so that the host reads the list without including the
// engine.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ll {

// A scenario key of a stage: a real number in the unit its name carries, in [lo, hi], with its
// default (every stage key has one: a lane without the stage is the default's lane).
struct StageKey {
  const char* key;      // "table.name_unit"
  const char* units;    // the unit in the name, for messages
  double lo, hi;        // closed range
  double default_value;
  const char* meaning;  // what the range means, for messages; null: the range in its units
};

// One link's values of the stages' keys, by key, in the keys' own units (absent: the default).
using StageValues = std::map<std::string, double>;

inline double stage_value(const StageValues& values, const StageKey& k) {
  const auto it = values.find(k.key);
  return it == values.end() ? k.default_value : it->second;
}

// Every stage's keys, in the stage list's order (kernels/engine/stage_list.cpp).
const std::vector<StageKey>& stage_keys();

// The optical loss of the folded stages, dB (their sum: they are in the optical path's budget).
double folded_optical_loss_db(const StageValues& values);

}  // namespace ll
