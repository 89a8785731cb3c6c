// The statistical eye's per-phase program (physics/stat_eye.hpp) on each backend against the
// CPU's statistical eye (one-member team, tabulated Q, samples written once per phase):
//  - CPU build: the program as the GPU runs it (a team of 4 threads owning the bins by index,
//    barriers and reductions between them, Q from erfc, no sample cache), so the GPU's
//    ownership, barriers and reductions are exercised on every machine;
//  - GPU build (label gpu): statistical_eyes_cuda, thousands of phases in one launch.
// Tolerance: Q's table is within 1e-5 relative of erfc (host/link/stat_eye.cpp), so the error ratios
// agree within 1e-4 relative; the ISI distributions are the same sums in the same order per
// bin. The eyes' edges: regula falsi stops within 1e-9 relative in the tail, so 1e-6 of the
// mean received current is far outside rounding and far inside any physical difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "tests/backend_under_test.hpp"
#include "host/run/backend.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/stat_eye.hpp"

namespace {

const std::string kDefaultLane =
    std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";
const std::vector<double> kContours{1e-3, 1e-6, 1e-12};
constexpr double kTargetBer = 2.4e-4;

#if !defined(LL_TEST_CUDA)
// A team of `size` threads for the program, as a thread block runs it: bins owned by index
// modulo the team, a barrier per sync, reductions through one slot per member (summed in rank
// order by every member).
struct ThreadTeam {
  int member, members;
  std::barrier<>* barrier;
  double* slots;

  int rank() const { return member; }
  int size() const { return members; }
  void sync() { barrier->arrive_and_wait(); }
  template <class Op>
  double reduce(double x, const Op& op) {
    sync();  // every member is done reading the previous reduction's slots
    slots[member] = x;
    sync();
    double r = slots[0];
    for (int i = 1; i < members; ++i) r = op(r, slots[i]);
    return r;
  }
  double sum(double x) {
    return reduce(x, [](double a, double b) { return a + b; });
  }
  double max(double x) {
    return reduce(x, [](double a, double b) { return std::max(a, b); });
  }
  template <class F>
  void parallel_for(int a, int e, const F& f) {
    for (int b = a + ((member - a) % members + members) % members; b <= e; b += members) f(b);
  }
  template <class F>
  void strided_for(int a, int e, const F& f) {
    parallel_for(a, e, f);
  }
};

std::vector<ll::StatEye> eyes_under_test(const std::vector<ll::StatEyeInputs>& in) {
  constexpr int kMembers = 4;
  std::vector<ll::StatEye> out(in.size());
  for (std::size_t l = 0; l < in.size(); ++l) {
    const ll::StatEyeInputs& x = in[l];
    const int spu = x.link.samples_per_ui;
    const int contours = static_cast<int>(kContours.size());
    const int edges = 2 * (x.link.levels - 1);
    std::vector<ll::StatEyePhaseResult> results(spu);
    std::vector<double> contour_a(static_cast<std::size_t>(spu) * contours * edges);
    for (int j = 0; j < spu; ++j) {
      std::vector<float> pdf(ll::kStatEyeBins + 2, 0.0f), next(pdf);
      std::vector<double> slots(kMembers);
      std::barrier<> barrier(kMembers);
      std::vector<std::thread> threads;
      for (int m = 0; m < kMembers; ++m)
        threads.emplace_back([&, m] {
          ThreadTeam team{m, kMembers, &barrier, slots.data()};
          const ll::StatEyePhaseResult r = ll::stat_eye_phase(
              team, x.link, x.phases[j], x.taps.data(), x.combos.data(), j == spu / 2,
              kContours.data(), contours, ll::ErfcTail{}, pdf.data() + 1, next.data() + 1,
              contour_a.data() + static_cast<std::size_t>(j) * contours * edges,
              static_cast<const ll::StatEyeSampleCache*>(nullptr));
          if (m == 0) results[j] = r;
        });
      for (std::thread& t : threads) t.join();
      // The program leaves its buffers zero (the GPU's are fresh each block; here checked).
      for (float v : pdf) EXPECT_EQ(v, 0.0f);
      for (float v : next) EXPECT_EQ(v, 0.0f);
    }
    out[l] = ll::assemble_stat_eye(x, results.data(), contour_a.data(), contours);
  }
  return out;
}
#else
std::vector<ll::StatEye> eyes_under_test(const std::vector<ll::StatEyeInputs>& in) {
  return ll::statistical_eyes_cuda(in, kContours);
}
#endif

class StatEyeBackends : public ll_test::BackendUnderTest {};

// Links that cover the program's branches: PAM4 through the nonlinear ring, an FFE and DFE,
// transmit jitter (the neighbours' combinations), PAM6 (mean bits per error), NRZ, and a lane
// without ISI (the trivial grid).
std::vector<ll::StatEyeInputs> covering_links() {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"rx_eq.ffe_taps=8", "rx_eq.ffe_pre=2", "rx_eq.dfe_taps=1"},
      {"tx_jitter.rj_rms_ui=0.02", "tx_jitter.dcd_ui=0.03", "signal.samples_per_ui=16"},
      {"signal.modulation=\"PAM6\""},
      {"signal.modulation=\"NRZ\""},
      {"driver.bandwidth_ghz=inf", "receiver.bandwidth_ghz=inf", "receiver.noise_bandwidth_ghz=50",
       "signal.samples_per_ui=8"},
  };
  std::vector<ll::StatEyeInputs> in;
  for (const auto& o : cases) {
    const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(kDefaultLane, o));
    in.push_back(ll::stat_eye_inputs(run.batches.front().links.front(), run.links.front().report,
                                     kTargetBer));
  }
  return in;
}

// |a - b| within `relative` of the larger, or both below `floor`.
void expect_close(double a, double b, double relative, double floor, const std::string& what) {
  if (std::abs(a) < floor && std::abs(b) < floor) return;
  EXPECT_LE(std::abs(a - b), relative * std::max(std::abs(a), std::abs(b))) << what;
}

TEST_F(StatEyeBackends, AgreeWithTheCpuStatisticalEye) {
  const std::vector<ll::StatEyeInputs> in = covering_links();
  const std::vector<ll::StatEye> want = ll::statistical_eyes_cpu(in, kContours, 2);
  const std::vector<ll::StatEye> got = eyes_under_test(in);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t l = 0; l < in.size(); ++l) {
    const std::string name = "link " + std::to_string(l);
    ASSERT_TRUE(want[l].valid && got[l].valid) << name;
    ASSERT_EQ(got[l].bathtub_ber.size(), want[l].bathtub_ber.size()) << name;
    for (std::size_t j = 0; j < want[l].bathtub_ber.size(); ++j)
      expect_close(got[l].bathtub_ber[j], want[l].bathtub_ber[j], 1e-4, 1e-25,
                   name + " bathtub phase " + std::to_string(j));
    expect_close(got[l].ser, want[l].ser, 1e-4, 1e-25, name + " SER");
    expect_close(got[l].eye_width_ui, want[l].eye_width_ui, 1e-4, 1e-9, name + " eye width");
    ASSERT_EQ(got[l].contour_a.size(), want[l].contour_a.size()) << name;
    // The mean received current: the scale of the edges (the levels' span is of its order).
    const double edge_tolerance = 1e-6 * std::abs(in[l].link.mid_a);
    EXPECT_NEAR(got[l].eye_height_a, want[l].eye_height_a, edge_tolerance) << name;
    for (std::size_t i = 0; i < want[l].contour_a.size(); ++i)
      EXPECT_NEAR(got[l].contour_a[i], want[l].contour_a[i], edge_tolerance)
          << name << " contour value " << i;
  }
}

}  // namespace
