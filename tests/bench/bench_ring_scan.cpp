// The dynamic ring's recurrence (physics/ring_dynamics.hpp) on the CPU: samples per second of
// the sequential form (what the CPU backend runs) and of the tiled scan (the GPU's form, here
// on one core), against the memory-bandwidth floor of the scan's own bytes: one float of drive
// read and one float of photocurrent written per sample, timed as a copy of the same bytes.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "kernels/cpu/cpu_exec.hpp"
#include "physics/lane.hpp"
#include "physics/mrm.hpp"

namespace {

constexpr std::size_t kSamples = 1 << 20;

ll::LinkConstants<float> default_ring(bool tabulated) {
  // The default scenario's ring (Yuan et al. 200G) at 106.25 GBd x 32 samples per UI.
  const ll::RingGeometry g{11.41e-6, 2.55, 4.2, 0.2020, 9940.0, 1310e-9};
  const ll::RingFigures f = ll::ring_figures(g);
  const ll::CmtRates r = ll::cmt_rates(g, f);
  const double T = 1.0 / (106.25e9 * 32);
  ll::LinkConstants<double> c{};
  c.cmt = {r.gamma_per_s * T,
           r.kappa_per_s * T,
           2.0 * ll::kPi * ll::kSpeedOfLight_m_per_s * T,
           1310e-9,
           78e-12,
           16.3e-12};
  c.photocurrent_per_transmission_a = 1e-3;
  // The engine's form: the per-sample map tabulated in V over the drive range (0..3 V here).
  if (tabulated) ll::fill_cmt_table(c, -0.35, 3.35);
  return ll::convert_constants<float>(c);
}

std::vector<float> drive() {
  std::vector<float> v(kSamples);
  for (std::size_t i = 0; i < kSamples; ++i) v[i] = static_cast<float>((i / 32 * 7919) % 4);
  return v;
}

// Arg 0: the map evaluated exactly per sample (exp, sin, cos); 1: tabulated (the engine's form).
void BM_RingScanSequential(benchmark::State& state) {
  const auto c = default_ring(state.range(0) != 0);
  const std::vector<float> v = drive();
  std::vector<float> out(kSamples);
  ll::Complex<float> u{0.f, 0.f};
  ll::SerialExec exec;
  for (auto _ : state)
    exec.for_each(1, 1,
                  ll::CmtSequential<float, ll::LinkConstants<float>>{&c, v.data(), out.data(), &u,
                                                                     kSamples, kSamples, 0});
  state.counters["samples_per_s"] =
      benchmark::Counter(double(kSamples) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RingScanSequential)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_RingScanTiled64(benchmark::State& state) {
  const auto c = default_ring(state.range(0) != 0);
  const std::vector<float> v = drive();
  std::vector<float> out(kSamples);
  const std::size_t tile = 64, tiles = kSamples / tile;
  std::vector<ll::AffineMap<float>> maps(tiles);
  std::vector<ll::Complex<float>> entering(tiles);
  ll::Complex<float> u{0.f, 0.f};
  ll::SerialExec exec;
  for (auto _ : state) {
    exec.for_each(tiles, 1,
                  ll::CmtTileReduce<float, ll::LinkConstants<float>>{&c, v.data(), maps.data(),
                                                                     kSamples, tile, tiles});
    exec.for_each(1, 1, ll::CmtTilePrefix<float>{maps.data(), entering.data(), &u, tiles});
    exec.for_each(
        tiles, 1,
        ll::CmtTileApply<float, ll::LinkConstants<float>>{&c, v.data(), entering.data(), out.data(),
                                                          kSamples, tile, tiles, kSamples, 0});
  }
  state.counters["samples_per_s"] =
      benchmark::Counter(double(kSamples) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RingScanTiled64)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The floor: the scan's own bytes (4 read + 4 written per sample) moved by memcpy.
void BM_CopyFloor(benchmark::State& state) {
  const std::vector<float> v = drive();
  std::vector<float> out(kSamples);
  for (auto _ : state) {
    std::memcpy(out.data(), v.data(), kSamples * sizeof(float));
    benchmark::ClobberMemory();
  }
  state.counters["samples_per_s"] =
      benchmark::Counter(double(kSamples) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CopyFloor)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
