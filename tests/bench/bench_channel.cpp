// The SerDes electrical channel (issue 4): reading a 4-port, 10,000-point Touchstone file and
// building the channel's transfer function and FIR (goal: under 50 ms), and the cost of the
// channel's convolution in the lane (the H1 polyphase drive with the channel's pulse) as
// samples per second against the lane without a channel.
// Run: build/tests/bench/bench_channel; results go in scripts/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <string>
#include <vector>

#include "host/link/channel.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "kernels/engine/lane_engine.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/touchstone.hpp"
#include "physics/config.hpp"
#include "tests/bench/one_engine.hpp"

namespace {

// A 30 cm differential pair of uncoupled RLGC lines (19 dB at 53 GHz), 10,000 points to 100 GHz,
// written once in DB format (the format of most measured files).
const std::string& touchstone_file() {
  static const std::string path = [] {
    using cd = std::complex<double>;
    const int n = 10000;
    std::vector<double> f(n);
    std::vector<cd> s(16 * static_cast<std::size_t>(n), 0.0);
    for (int k = 0; k < n; ++k) {
      f[k] = (k + 1) * 10e6;
      const double w = 2.0 * ll::kPi * f[k];
      const cd z(5.0 + 1.2e-3 * std::sqrt(f[k]), w * 330e-9), y(w * 130e-12 * 0.004, w * 130e-12);
      const cd g = std::sqrt(z * y) * 0.3, zc = std::sqrt(z / y);
      const cd den = 2.0 * zc * 50.0 * std::cosh(g) + (zc * zc + 2500.0) * std::sinh(g);
      const cd s21 = 2.0 * zc * 50.0 / den, s11 = (zc * zc - 2500.0) * std::sinh(g) / den;
      cd* m = &s[16 * static_cast<std::size_t>(k)];
      m[0] = m[5] = m[10] = m[15] = s11;
      m[8] = m[2] = m[13] = m[7] = s21;
    }
    const std::string p = "/tmp/lightlane_bench_rlgc.s4p";
    ll::write_touchstone(p, 4, f, s, 50.0, "DB");
    return p;
  }();
  return path;
}

void BM_TouchstoneRead(benchmark::State& state) {
  const std::string& p = touchstone_file();
  for (auto _ : state) benchmark::DoNotOptimize(ll::read_touchstone(p));
}
BENCHMARK(BM_TouchstoneRead)->Unit(benchmark::kMillisecond);

// Read, SDD21, and the FIR on the 200G lane's grid (32 x 106.25 GHz).
void BM_TouchstoneToFir(benchmark::State& state) {
  const std::string& p = touchstone_file();
  for (auto _ : state) {
    const ll::TouchstoneData d = ll::read_touchstone(p);
    const auto h = ll::through_response(d, ll::PortOrder::in12_out34);
    benchmark::DoNotOptimize(ll::measured_channel_fir(d.frequency_hz, h, 32 * 106.25e9, 53.125e9));
  }
}
BENCHMARK(BM_TouchstoneToFir)->Unit(benchmark::kMillisecond);

// The default lane, one engine, chunk 1024, with a parametric channel of L dB at Nyquist (0: no
// channel). The channel lengthens the drive pulse, so the polyphase drive does more taps.
void BM_LaneWithChannel(benchmark::State& state) {
  const int loss_db = static_cast<int>(state.range(0));
  std::vector<std::string> o = {"eye.symbols=0", "run.chunk_symbols=1024"};
  if (loss_db > 0) {
    o.push_back("channel.model=\"parametric\"");
    o.push_back("channel.loss_db_at_nyquist=" + std::to_string(loss_db));
    o.push_back("channel.skin_share=0.5");
  }
  const auto run = ll_bench::prepare_or_skip(
      state, std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml", o);
  if (!run) return;
  const ll::BatchSetup one = ll_bench::step_one_engine(state, *run);
  state.counters["h1_taps"] = static_cast<double>(one.links.front().h1_taps.size());
}
BENCHMARK(BM_LaneWithChannel)->Arg(0)->Arg(5)->Arg(10)->Arg(20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
