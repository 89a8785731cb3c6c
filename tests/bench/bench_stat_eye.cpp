// Statistical eyes per second (issue 5's goal: at least 200 links per second on this 2-core
// machine's CPU) for 64-UI pulse responses at 32 samples per UI: the default PAM4 lane's link
// with its pulse replaced by a 64-UI one (a 15 dB-class channel's slow tail behind the main
// cursor, every UI of it nonzero), one eye per iteration; the per-thread figure times the
// threads is the machine's rate (links are independent: `lightlane run` spreads them with OpenMP).
// Run: build/tests/bench/bench_stat_eye; results go in scripts/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/stat_eye.hpp"

namespace {

// The default lane's link and report with the 64-UI pulse below (empty report: the default lane
// is not at 32 samples per UI).
struct Link64Ui {
  ll::PreparedRun run;
  ll::LinkReport rep;
  const ll::LinkSetup& link() const { return run.batches.front().links.front(); }
};
Link64Ui link_64_ui() {
  Link64Ui l{ll::prepare_run(ll::load_scenario(
                 std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml", {})),
             {}};
  ll::LinkReport& rep = l.rep;
  rep = l.run.links.front().report;
  const int spu = 32, uis = 64;
  if (rep.samples_per_ui != spu) {
    rep = ll::LinkReport{};
    return l;
  }
  // A main cursor 3 UI in, rising over 2 UI, then an exponential tail over the rest.
  const double span = rep.received_levels_a[3] - rep.received_levels_a[0];
  rep.pulse_a.assign(static_cast<std::size_t>(spu) * uis, 0.0);
  for (int n = 0; n < spu * uis; ++n) {
    const double t = static_cast<double>(n) / spu;
    rep.pulse_a[n] =
        t < 3.0 ? span * 0.7 * std::pow(t / 3.0, 2.0)
                : span * (0.7 * std::exp(-(t - 3.0) / 1.2) + 0.05 * std::exp(-(t - 3.0) / 20.0));
  }
  rep.pulse_cursor = 3 * spu;
  return l;
}

void run_stat_eye(benchmark::State& state, const std::vector<double>& contours) {
  const Link64Ui l = link_64_ui();
  if (l.rep.pulse_a.empty()) state.SkipWithError("the default lane is not at 32 samples per UI");
  for (auto _ : state)
    benchmark::DoNotOptimize(ll::statistical_eye(l.link(), l.rep, 2.4e-4, contours));
  state.SetItemsProcessed(state.iterations());
  state.counters["links_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
void BM_StatEye64UiAt32Spu(benchmark::State& state) { run_stat_eye(state, {}); }
// The same with contours at 1e-3, 1e-6, 1e-9, 1e-12 and 1e-15 (eye.contour_bers).
void BM_StatEyeWith5Contours(benchmark::State& state) {
  run_stat_eye(state, {1e-3, 1e-6, 1e-9, 1e-12, 1e-15});
}
// The default lane's own link and pulse, without and with transmit jitter (RJ 0.02 UI rms,
// DCD 0.03 UI): the jitter's cost (the bounding transitions' neighbours enumerated: M^2 times
// the samples, and each transition's displacement over 65 points of its timing).
void run_default_lane(benchmark::State& state, const std::vector<std::string>& overrides) {
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(
      std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml", overrides));
  const ll::LinkSetup& link = run.batches.front().links.front();
  const ll::LinkReport& rep = run.links.front().report;
  for (auto _ : state) benchmark::DoNotOptimize(ll::statistical_eye(link, rep, 2.4e-4));
  state.counters["links_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
void BM_StatEyeDefaultLane(benchmark::State& state) { run_default_lane(state, {}); }
void BM_StatEyeDefaultLaneTxJitter(benchmark::State& state) {
  run_default_lane(state, {"tx_jitter.rj_rms_ui=0.02", "tx_jitter.dcd_ui=0.03"});
}
// The host's share of an eye on any backend: the link's inputs (the equalised pulse's taps at
// each phase), per link on one thread.
void BM_StatEyeInputs64Ui(benchmark::State& state) {
  const Link64Ui l = link_64_ui();
  if (l.rep.pulse_a.empty()) state.SkipWithError("the default lane is not at 32 samples per UI");
  for (auto _ : state) benchmark::DoNotOptimize(ll::stat_eye_inputs(l.link(), l.rep, 2.4e-4));
  state.counters["links_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
// Issue 5's GPU goal (at least 10,000 links per second): `range(0)` copies of the 64-UI link's
// inputs in statistical_eyes_cuda (launches of 4096 links, transfers included, the host's inputs
// not: BM_StatEyeInputs64Ui). Skipped without a usable GPU.
void BM_StatEyeGpu64Ui(benchmark::State& state) {
  const ll::CudaProbe probe = ll::probe_cuda();
  if (!probe.usable) {
    state.SkipWithError(("no usable GPU: " + probe.message).c_str());
    return;
  }
  const Link64Ui l = link_64_ui();
  if (l.rep.pulse_a.empty()) state.SkipWithError("the default lane is not at 32 samples per UI");
  const std::vector<ll::StatEyeInputs> in(static_cast<std::size_t>(state.range(0)),
                                          ll::stat_eye_inputs(l.link(), l.rep, 2.4e-4));
  for (auto _ : state) benchmark::DoNotOptimize(ll::statistical_eyes_cuda(in, {}));
  state.counters["links_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * state.range(0), benchmark::Counter::kIsRate);
  state.SetLabel(probe.message);
}
BENCHMARK(BM_StatEyeInputs64Ui)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StatEyeGpu64Ui)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StatEyeDefaultLane)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StatEyeDefaultLaneTxJitter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StatEyeWith5Contours)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StatEye64UiAt32Spu)
    ->Unit(benchmark::kMillisecond)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
