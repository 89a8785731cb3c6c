// Throughput of the default 200G PAM4 lane (scenarios/lane_200g_pam4.toml) on the CPU backend:
// PAM4 symbols per second at 32 samples per UI, one engine per thread, and the per-stage cost.
// Run: build/tests/bench/bench_lane [--benchmark_filter=...]; results go in scripts/BENCHMARKS.md.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <filesystem>

#include "host/run/backend.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "tests/bench/one_engine.hpp"

#ifndef LIGHTLANE_SOURCE_DIR
#error "LIGHTLANE_SOURCE_DIR must name the source tree"
#endif

namespace {

ll::PreparedRun default_lane(std::vector<std::string> overrides) {
  overrides.push_back("eye.symbols=0");
  const ll::Scenario s = ll::load_scenario(
      std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml", overrides);
  return ll::prepare_run(s);
}

// n copies of the default link, each its own sweep point (so its own noise stream), running a
// fixed number of symbols (no early stop).
ll::BatchSetup replicated_default_link(std::size_t n, std::uint64_t symbols_per_link,
                                       std::vector<std::string> overrides) {
  overrides.push_back("laser.power_dbm=6");
  const ll::PreparedRun run = default_lane(overrides);
  ll::BatchSetup batch = run.batches.front();
  const ll::LinkSetup link = batch.links.front();
  batch.links.assign(n, link);
  for (std::size_t p = 0; p < n; ++p)
    batch.links[p].noise_key.point = static_cast<std::uint32_t>(p);
  const ll::SymbolMapping mapping = ll::symbol_mapping(batch.levels);
  batch.max_bits = symbols_per_link * mapping.label_bits / mapping.symbols_per_label;
  batch.target_errors = ~0ull;
  return batch;
}

// One engine, one link, chunk after chunk: the per-thread throughput.
void BM_LaneChunk(benchmark::State& state) {
  ll_bench::step_one_engine(state,
                            default_lane({"run.chunk_symbols=" + std::to_string(state.range(0))}));
}
BENCHMARK(BM_LaneChunk)->Arg(256)->Arg(1024)->Arg(4096)->Arg(16384)->Unit(benchmark::kMillisecond);

// The ring models on one engine, chunk 1024: 0 static linear (the default), 1 dynamic linear,
// 2 dynamic with the PN-junction model (scenarios/mrm_200g_oband_stress.toml's ring, at the detuning of
// its sweep whose thermal lock holds: 60 pm; at 100 pm self-heating makes it unstable).
void BM_LaneRingModel(benchmark::State& state) {
  std::vector<std::string> o = {"run.chunk_symbols=1024", "laser.power_dbm=6"};
  std::string path = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml";
  if (state.range(0) >= 1) o.push_back("mrm.model=\"dynamic\"");
  if (state.range(0) == 2) {
    path = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mrm_200g_oband_stress.toml";
    o = {"run.chunk_symbols=1024", "mrm.detuning_pm=60"};
  }
  o.push_back("eye.symbols=0");
  if (const auto run = ll_bench::prepare_or_skip(state, path, o))
    ll_bench::step_one_engine(state, *run);
}
BENCHMARK(BM_LaneRingModel)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Every shipped preset's first runnable point on one engine (scenarios/*.toml, in name order): a
// preset that cannot run is skipped with its reason, and the benchmarks after it still run.
void register_presets() {
  std::vector<std::filesystem::path> presets;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios"))
    if (entry.path().extension() == ".toml") presets.push_back(entry.path());
  std::sort(presets.begin(), presets.end());
  for (const std::filesystem::path& p : presets)
    benchmark::RegisterBenchmark(("BM_Preset/" + p.stem().string()).c_str(),
                                 [p](benchmark::State& state) {
                                   if (const auto run = ll_bench::prepare_or_skip(
                                           state, p.string(), {"eye.symbols=0"}))
                                     ll_bench::step_one_engine(state, *run);
                                 })
        ->Unit(benchmark::kMillisecond);
}

// A batch of copies of the default link (each its own sweep point, so its own noise) on N
// threads, a fixed bit budget per link (no early stop): 8 links, or one per thread beyond 8, so
// they divide evenly and the figure is throughput, not load imbalance. 16 threads: the device
// machine's CPU, for the GPU's ratio (scripts/gpu_check.sh).
void BM_LaneBatchThreads(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const std::uint64_t symbols_per_link = 1 << 20;
  const ll::BatchSetup batch = replicated_default_link(
      static_cast<std::size_t>(std::max(8, threads)), symbols_per_link, {});
  for (auto _ : state) benchmark::DoNotOptimize(ll::run_batch_cpu(batch, threads));
  const double symbols = static_cast<double>(symbols_per_link) * batch.links.size();
  state.counters["symbols_per_s"] =
      benchmark::Counter(symbols * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LaneBatchThreads)
    ->Arg(1)
    ->Arg(2)
    ->Arg(16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

#if defined(LIGHTLANE_HAVE_CUDA)
// The GPU: 256 copies of the default link (each its own noise stream) x 2^20 symbols in one
// engine. Skips (with the runtime's message) where no device answers.
void BM_LaneCuda256x2e20(benchmark::State& state) {
  const ll::CudaProbe probe = ll::probe_cuda();
  if (!probe.usable) {
    state.SkipWithError(("no usable GPU: " + probe.message).c_str());
    return;
  }
  const std::uint64_t symbols_per_link = 1u << 20;
  const ll::BatchSetup batch = replicated_default_link(
      256, symbols_per_link, {"run.chunk_symbols=" + std::to_string(state.range(0))});
  for (auto _ : state) benchmark::DoNotOptimize(ll::run_batch_cuda(batch));
  state.counters["symbols_per_s"] = benchmark::Counter(
      256.0 * symbols_per_link * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LaneCuda256x2e20)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

// Issue 17's GPU goal (>= 5e8 PAM4 symbols/s on one H100 for the default lane at 32 samples per
// UI, at >= 60% of the memory roofline): `range(0)` copies of the default link in one engine
// (1, 256, 1024, 4096 links per launch), each at least 2^16 symbols and 2^24 in all, chunk 4096.
// Counters: symbols/s; the engine's bytes per sample by counting (engine_traffic_bytes_per_sample,
// cuFFT's gathered blocks); the device's copy rate measured in the same run; their ratio, the
// fraction of the roofline. Skips where no device answers.
void BM_LaneCudaLinks(benchmark::State& state) {
  const ll::CudaProbe probe = ll::probe_cuda();
  if (!probe.usable) {
    state.SkipWithError(("no usable GPU: " + probe.message).c_str());
    return;
  }
  const auto links = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t symbols_per_link = std::max<std::uint64_t>(1u << 16, (1u << 24) / links);
  const ll::BatchSetup batch =
      replicated_default_link(static_cast<std::size_t>(links), symbols_per_link,
                              {"run.chunk_symbols=4096", "eye.symbols=0"});
  const double copy = ll::cuda_copy_bytes_per_s(0);
  for (auto _ : state) benchmark::DoNotOptimize(ll::run_batch_cuda(batch));
  const double symbols = static_cast<double>(links * symbols_per_link);
  const double bytes_per_sample = ll::engine_traffic_bytes_per_sample(batch, true);
  state.counters["symbols_per_s"] =
      benchmark::Counter(symbols * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["bytes_per_sample"] = bytes_per_sample;
  state.counters["copy_GBps"] = copy / 1e9;
  state.counters["roofline_fraction"] = benchmark::Counter(
      symbols * batch.samples_per_ui * bytes_per_sample / copy * state.iterations(),
      benchmark::Counter::kIsRate);
  state.SetLabel(probe.message);
}
BENCHMARK(BM_LaneCudaLinks)
    ->Arg(1)
    ->Arg(256)
    ->Arg(1024)
    ->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
#endif

// The engine's bytes per sample on the default lane, by counting (the GPU's figure with cuFFT's
// gathered blocks, and the CPU's): no timing, a row of BENCHMARKS.md's roofline sums.
void BM_EngineTrafficDefaultLane(benchmark::State& state) {
  const ll::BatchSetup batch =
      replicated_default_link(1, 1u << 16, {"run.chunk_symbols=4096", "eye.symbols=0"});
  for (auto _ : state) benchmark::DoNotOptimize(ll::engine_traffic_bytes_per_sample(batch, true));
  state.counters["gpu_bytes_per_sample"] = ll::engine_traffic_bytes_per_sample(batch, true);
  state.counters["cpu_bytes_per_sample"] = ll::engine_traffic_bytes_per_sample(batch, false);
}
BENCHMARK(BM_EngineTrafficDefaultLane);

}  // namespace

int main(int argc, char** argv) {
  register_presets();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
