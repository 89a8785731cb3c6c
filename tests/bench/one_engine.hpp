// What the lane benchmarks share: one engine on one link, stepped chunk after chunk.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "kernels/cpu/cpu_exec.hpp"
#include "kernels/engine/lane_engine.hpp"
#include "host/run/runner.hpp"

namespace ll_bench {

// The scenario at `path` with `overrides`, prepared; or, where it cannot run (a scenario error,
// or no point to simulate: every ring's thermal lock fails), nothing, with the benchmark skipped
// saying why, so that one preset that cannot run does not stop the benchmarks after it.
inline std::optional<ll::PreparedRun> prepare_or_skip(benchmark::State& state,
                                                      const std::string& path,
                                                      const std::vector<std::string>& overrides) {
  try {
    ll::PreparedRun run = ll::prepare_run(ll::load_scenario(path, overrides));
    if (!run.batches.empty()) return run;
    state.SkipWithError((path + ": no point to simulate (every ring's thermal lock fails)").c_str());
  } catch (const ll::ScenarioError& e) {
    state.SkipWithError(e.what());
  }
  return std::nullopt;
}

// Runs the first link (a WDM run: the first bus) of `run`'s first batch on one engine, without a
// stop, one chunk per iteration; reports symbols (items, every lane's) and samples per second.
// Returns the batch it ran.
inline ll::BatchSetup step_one_engine(benchmark::State& state, const ll::PreparedRun& run) {
  ll::BatchSetup one = run.batches.front();
  // One link, or one whole bus of a WDM batch (its lanes share the engine).
  one.links.resize(std::max<std::size_t>(1, static_cast<std::size_t>(one.bus_lanes)));
  one.max_bits = one.target_errors = ~0ull;
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, float> engine(exec, one);
  for (auto _ : state) engine.step();
  const auto links = static_cast<std::int64_t>(one.links.size());
  state.SetItemsProcessed(state.iterations() * one.chunk_symbols * links);
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * one.chunk_symbols * one.samples_per_ui * links,
      benchmark::Counter::kIsRate);
  return one;
}

}  // namespace ll_bench
