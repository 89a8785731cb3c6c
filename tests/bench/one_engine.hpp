// What the lane benchmarks share: one engine on one link, stepped chunk after chunk.
#pragma once

#include <benchmark/benchmark.h>

#include "host/cpu_backend.hpp"
#include "host/lane_engine.hpp"
#include "host/runner.hpp"

namespace ll_bench {

// Runs the first link of `run`'s first batch on one engine, without a stop, one chunk per
// iteration; reports symbols (items) and samples per second. Returns the batch it ran.
inline ll::BatchSetup step_one_engine(benchmark::State& state, const ll::PreparedRun& run) {
  ll::BatchSetup one = run.batches.front();
  one.links = {one.links.front()};
  one.max_bits = one.target_errors = ~0ull;
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, float> engine(exec, one);
  for (auto _ : state) engine.step();
  state.SetItemsProcessed(state.iterations() * one.chunk_symbols);
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * one.chunk_symbols * one.samples_per_ui,
      benchmark::Counter::kIsRate);
  return one;
}

}  // namespace ll_bench
