// The scenario's sweeps and drawn points (host/scenario/sweep.cpp), for parse_scenario in
// host/scenario/scenario.cpp; other code uses host/scenario/scenario.hpp.
#pragma once

#include <toml++/toml.h>

#include "host/scenario/scenario.hpp"

namespace ll::scenario_detail {

// [sweep]: its [sweep.list] into s.sweep, its [sweep.grid] into s.grid and its [sweep.random]
// into s.random and s.random_draws, each value checked against its key.
void parse_sweep(const toml::table& sweep, Scenario& s);
// The grid and the random draws into s.sweep's per-point values (after the overrides).
void expand_sweeps(Scenario& s);
// [mrm.variation]'s drawn rings as sweep axes (after the sweeps are expanded).
void add_variation_axes(Scenario& s);

}  // namespace ll::scenario_detail
