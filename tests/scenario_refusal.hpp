// What the tests of refused input share: the one-line error (file, line, key, what was expected)
// that a scenario's loading and planning give, or "" when the scenario plans.
#pragma once

#include <string>
#include <vector>

#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"

namespace ll_test {

// The ScenarioError's message of `make()` (anything that loads, parses or plans), or "".
template <class F>
std::string refusal_of(F&& make) {
  try {
    make();
  } catch (const ll::ScenarioError& e) {
    return e.what();
  }
  return "";
}

// The refusal of `file` with `overrides` (--set key=value), loaded and planned.
inline std::string plan_refusal(const std::string& file,
                                const std::vector<std::string>& overrides) {
  return refusal_of([&] { ll::plan_sweep(ll::load_scenario(file, overrides)); });
}

}  // namespace ll_test
