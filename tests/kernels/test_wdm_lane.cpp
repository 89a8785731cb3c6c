// The WDM bus in the engine (physics/wdm_bus.hpp, host/link/wdm_setup.cpp prepare_point): one ring on
// the bus is the single-ring lane; the crosstalk a photodiode collects, measured from the
// engine's waveforms, equals the standalone demultiplexer matrix and meets the Lorentzian-tail
// estimate at wide spacing, and its power penalty falls monotonically with the spacing; bad
// grids are refused; every lane reports its own ring; the HDF5 file gets the `lane` dimension.
// Built twice like test_lane: as test_wdm_lane (CPU) and test_wdm_lane_gpu (LL_TEST_CUDA), which
// runs the bus on the GPU and compares its counts with the CPU's.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "physics/wdm.hpp"
#include "tests/backend_under_test.hpp"
#if defined(LL_TEST_CUDA)
#include "kernels/cuda/cuda_backend.hpp"
#endif

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";

// The default lane's ring shrunk to R = 3.3 um (FSR 19.7 nm) with its loaded Q (3700) and notch
// (16 dB) kept, as in scenarios/wdm_16x200g_3p2t_stress.toml, and a drop-ring demultiplexer of about
// 100 GHz FWHM (kappa^2 = 0.0867 on both sides, 2 dB/cm).
std::vector<std::string> bus(int channels, double spacing_ghz, std::vector<std::string> more = {}) {
  std::vector<std::string> o = {"laser.power_dbm=6",
                                "mrm.radius_um=3.3",
                                "mrm.power_coupling=0.04638",
                                "mrm.loss_db_per_cm=136.92",
                                "wdm.channels=" + std::to_string(channels),
                                "wdm.spacing_ghz=" + std::to_string(spacing_ghz),
                                "wdm.demux.model=\"ring\"",
                                "wdm.demux.radius_um=3.3",
                                "wdm.demux.n_g=4.2",
                                "wdm.demux.power_coupling_in=0.0867",
                                "wdm.demux.power_coupling_drop=0.0867",
                                "wdm.demux.loss_db_per_cm=2.0",
                                "run.max_bits=200000",
                                "run.target_errors=1000000"};
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

ll::PreparedRun prepare(const std::vector<std::string>& overrides) {
  return ll::prepare_run(ll::load_scenario(kDefault, overrides));
}

using ll_test::run_under_test;

// GPU build: skips without a device.
class Wdm : public ll_test::BackendUnderTest {};

// One ring on the bus, with an ideal demultiplexer, runs the bus stages (its own ring, the
// channel product over no neighbours, the demultiplexer's identity row) and must count exactly
// what the single-ring lane counts: same ring, same levels, thresholds, pattern and noise.
TEST_F(Wdm, OneRingOnTheBusIsTheSingleRingLane) {
  const std::vector<std::string> base = {"laser.power_dbm=4", "run.max_bits=400000",
                                         "run.target_errors=1000000"};
  std::vector<std::string> one_ring = base;
  one_ring.insert(one_ring.end(), {"wdm.channels=1", "wdm.spacing_ghz=200"});
  const ll::PreparedRun lane = prepare(base);
  const ll::PreparedRun ring_bus = prepare(one_ring);
  ASSERT_EQ(ring_bus.batches.front().bus_lanes, 1);
  ASSERT_EQ(lane.batches.front().bus_lanes, 0);
  const ll::LinkOutcome a = run_under_test(lane.batches.front()).front();
  const ll::LinkOutcome b = run_under_test(ring_bus.batches.front()).front();
  EXPECT_GT(a.counters.bit_errors, 50u);  // enough errors that a difference would show
  EXPECT_EQ(a.counters.bits, b.counters.bits);
  EXPECT_EQ(a.counters.bit_errors, b.counters.bit_errors);
  EXPECT_EQ(a.counters.symbol_errors, b.counters.symbol_errors);
  EXPECT_EQ(a.eye_histogram, b.eye_histogram);
}

#if !defined(LL_TEST_CUDA)
// Mean crosstalk at the middle photodiode, measured from the engine in double precision: the
// received current with every lane lit, minus the current with only the middle lane's laser on
// (the other rings still on the bus and still modulating), over the middle lane's own signal.
double measured_crosstalk_ratio(const ll::PreparedRun& run) {
  const ll::BatchSetup& full = run.batches.front();
  const std::size_t N = full.links.size(), mid = N / 2;
  ll::BatchSetup alone = full;
  for (std::size_t l = 0; l < N; ++l)
    if (l != mid) alone.links[l].constants.photocurrent_per_transmission_a = 0.0;
  auto mean_rx = [&](const ll::BatchSetup& b) {
    ll::SerialExec exec;
    ll::LaneEngine<ll::SerialExec, double> engine(exec, b);
    engine.keep_rx_waveform();
    for (int c = 0; c < 4; ++c) engine.step();  // past the filters' warm-up
    const std::vector<double> w = engine.last_rx_waveform();
    const std::size_t S = w.size() / N;
    return std::accumulate(w.begin() + mid * S, w.begin() + (mid + 1) * S, 0.0) / S;
  };
  const double dark = full.links[mid].constants.dark_current_a;
  const double with_all = mean_rx(full), own = mean_rx(alone);
  return (with_all - own) / (own - dark);
}

// The same from the standalone physics (physics/wdm.hpp): the demultiplexer matrix row of the
// middle photodiode, every channel at equal power.
struct Expected {
  double matrix_ratio;      // sum_j X[i][j] / X[i][i] with the exact add-drop response
  double lorentzian_ratio;  // sum over channels still on the bus of 1 / (1 + (2 S_ij / FWHM)^2)
};
Expected expected_crosstalk(const ll::PreparedRun& run) {
  const ll::LaneParams& lp = run.params.front();
  const std::vector<double> w = ll::lane_wavelengths_m(lp);
  const int N = static_cast<int>(w.size());
  std::vector<ll::DemuxRing> rings(N);
  for (int i = 0; i < N; ++i)
    rings[i] = {{lp.wdm.demux_radius_m, lp.wdm.demux_n_g, lp.wdm.demux_n_g,
                 lp.wdm.demux_power_coupling_in, lp.wdm.demux_loss_db_per_m, w[i]},
                lp.wdm.demux_power_coupling_drop,
                w[i]};
  std::vector<double> X(static_cast<std::size_t>(N) * N);
  ll::demux_matrix(rings.data(), N, w.data(), X.data());
  const int mid = N / 2;
  const double fwhm_m = ll::demux_ring_fwhm_m(rings[mid]);
  // The drop rings sit in lane order on the receive bus: channels j < mid were dropped (99%)
  // by their own ring before reaching ring `mid`, so the tail sums over the later ones only.
  double lorentz = 0.0;
  for (int j = mid + 1; j < N; ++j)
    lorentz += ll::lorentzian_crosstalk(fwhm_m, std::abs(w[j] - w[mid]));
  return {ll::demux_crosstalk_ratio(X.data(), N, mid), lorentz};
}

TEST(WdmCrosstalk, EngineMatchesTheDemuxMatrixAndTheLorentzianTail) {
  double previous_ratio = INFINITY, previous_penalty_db = INFINITY;
  for (double s : {120.0, 160.0, 200.0, 250.0, 300.0, 400.0}) {
    const ll::PreparedRun run = prepare(bus(5, s));
    const double measured = measured_crosstalk_ratio(run);
    const Expected e = expected_crosstalk(run);
    // The host's mean-level prediction (every other lane at the mean of its levels, through
    // every ring): the engine's time average differs from it only by the transitions, where
    // the drive passes through intermediate voltages.
    const double host = std::pow(10.0, run.links[2].report.demux_crosstalk_db / 10.0);
    EXPECT_NEAR(measured / host, 1.0, 0.01) << s << " GHz";
    // Equal channel powers: the lanes' powers differ by the other rings' through loss, which
    // differs between the middle and the edge lanes by 3% at 120 GHz, < 0.5% from 200 GHz.
    if (s >= 200.0) {
      EXPECT_NEAR(measured / e.matrix_ratio, 1.0, 0.01) << s << " GHz";
    }
    // Lorentzian tail: the Airy response exceeds it by about (phi/2)^2 / 3 with phi = 2 pi S /
    // FSR (FSR 3 THz here): 3-6% for the next channel at 250-400 GHz, more for the one after,
    // plus the 1% of earlier channels their own rings let through. Measured: +7% at 250 and
    // 300 GHz, +9% at 400 GHz; at S ~ FWHM (120 GHz) the tail estimate does not apply. The
    // engine is deterministic here (means of noiseless waveforms), so the bound cannot flake.
    if (s >= 250.0) {
      EXPECT_NEAR(measured / e.lorentzian_ratio, 1.0, 0.10) << s << " GHz";
    }
    EXPECT_LT(measured, previous_ratio) << s << " GHz";
    previous_ratio = measured;
    // The worst-case PAM4 penalty exists once the eye is not closed by crosstalk alone.
    const double penalty_db = ll::crosstalk_power_penalty_db(measured, 4);
    if (s >= 200.0) {
      ASSERT_TRUE(std::isfinite(penalty_db)) << s << " GHz";
      EXPECT_LT(penalty_db, previous_penalty_db) << s << " GHz";
      previous_penalty_db = penalty_db;
    }
    std::printf(
        "spacing %5.0f GHz: crosstalk %.5f (host %.5f, matrix %.5f, Lorentzian %.5f), "
        "PAM4 worst-case penalty %.3f dB\n",
        s, measured, host, e.matrix_ratio, e.lorentzian_ratio, penalty_db);
  }
}

// Crosstalk costs BER: at a fixed laser power the middle lane's errors fall as the grid widens.
// Drop rings of about 200 GHz FWHM (kappa^2 = 0.166), wide enough for 106 GBd that crosstalk,
// not the drop filter's ISI, limits the lane.
TEST(WdmCrosstalk, BerFallsWithSpacing) {
  std::uint64_t previous = ~std::uint64_t{0};
  for (double s : {120.0, 200.0, 400.0}) {
    const ll::PreparedRun run =
        prepare(bus(5, s,
                    {"run.max_bits=400000", "wdm.demux.power_coupling_in=0.166",
                     "wdm.demux.power_coupling_drop=0.166"}));
    const std::vector<ll::LinkOutcome> out = ll::run_batch_cpu(run.batches.front(), 2);
    const std::uint64_t errors = out[2].counters.bit_errors;
    std::printf("spacing %5.0f GHz: middle lane %llu errors in %llu bits\n", s,
                static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(out[2].counters.bits));
    EXPECT_LT(errors, previous) << s << " GHz";
    previous = errors;
  }
}

TEST(WdmScenario, GridWiderThanTheFsrIsRefusedUnlessAsked) {
  // 16 x 200 GHz (18.3 nm with guard) on the 5.7 nm FSR of the 11.41 um ring.
  try {
    prepare({"laser.power_dbm=6", "wdm.channels=16", "wdm.spacing_ghz=200"});
    FAIL() << "expected a ScenarioError";
  } catch (const ll::ScenarioError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("wdm.spacing_ghz"), std::string::npos) << m;
    EXPECT_NE(m.find("FSR"), std::string::npos) << m;
    EXPECT_NE(m.find("--set"), std::string::npos) << m;  // where the value came from
  }
  EXPECT_NO_THROW(prepare(
      {"laser.power_dbm=6", "wdm.channels=16", "wdm.spacing_ghz=200", "wdm.grid_beyond_fsr=true"}));
  // The drop rings' FSR is checked too.
  try {
    prepare(bus(8, 400, {"wdm.demux.radius_um=10"}));
    FAIL() << "expected a ScenarioError";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("wdm.demux.radius_um"), std::string::npos) << e.what();
  }
}

TEST(WdmScenario, IncompleteOrUnsoundBusesAreRefused) {
  auto message = [](const std::vector<std::string>& o) {
    try {
      prepare(o);
    } catch (const ll::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({"laser.power_dbm=6", "wdm.channels=4"}).find("wdm.spacing_ghz"),
            std::string::npos);
  EXPECT_NE(message({"laser.power_dbm=6", "wdm.channels=4", "wdm.spacing_ghz=200",
                     "wdm.demux.model=\"ring\""})
                .find("wdm.demux.radius_um"),
            std::string::npos);
  EXPECT_NE(message(bus(4, 400, {"wdm.demux.power_coupling_drop=1.5"}))
                .find("wdm.demux.power_coupling_drop"),
            std::string::npos);
  EXPECT_NE(message({"wdm.channels=0", "wdm.spacing_ghz=200"}).find("wdm.channels"),
            std::string::npos);
}

TEST(WdmScenario, SweepingTheLaneCountIsRefused) {
  const std::string path = ::testing::TempDir() + "wdm_sweep_channels.toml";
  {
    std::ifstream in(kDefault);
    std::stringstream text;
    text << in.rdbuf();
    std::string t = text.str();
    t = t.substr(0, t.rfind("[sweep.list]"));
    std::ofstream out(path);
    out << t << "[wdm]\nspacing_ghz = 200\n\n[sweep.list]\n\"wdm.channels\" = [1, 2]\n"
        << "\"laser.power_dbm\" = [6.0, 6.0]\n";
  }
  try {
    ll::prepare_run(ll::load_scenario(path));
    FAIL() << "expected a ScenarioError";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("wdm.channels"), std::string::npos) << e.what();
  }
}

// Each lane is its own ring on its own channel: wavelengths on the grid, equal figures (every
// ring is designed for its channel), a heater report per ring with [mrm.thermal].
TEST(WdmScenario, EveryLaneReportsItsOwnRing) {
  const std::string oband = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mrm_200g_oband_stress.toml";
  const ll::PreparedRun run = ll::prepare_run(
      ll::load_scenario(oband, {"mrm.detuning_pm=60", "wdm.channels=2", "wdm.spacing_ghz=400"}));
  ASSERT_EQ(run.lanes, 2u);
  ASSERT_EQ(run.links.size(), 2u);
  const ll::LinkReport& a = run.links[0].report;
  const ll::LinkReport& b = run.links[1].report;
  // 400 GHz apart at 1310 nm: lambda^2 df / c = 2.29 nm.
  EXPECT_NEAR((b.lane_wavelength_m - a.lane_wavelength_m) * 1e9, 2.289, 0.002);
  EXPECT_NEAR(0.5 * (a.lane_wavelength_m + b.lane_wavelength_m), 1310e-9, 0.01e-9);
  EXPECT_NEAR(a.ring.q_loaded, b.ring.q_loaded, 0.01 * a.ring.q_loaded);
  EXPECT_EQ(a.lock, ll::LockStatus::locked);
  EXPECT_EQ(b.lock, ll::LockStatus::locked);
  EXPECT_TRUE(std::isfinite(a.heater_power_w) && std::isfinite(b.heater_power_w));
  EXPECT_NEAR(a.heater_power_w, b.heater_power_w, 0.05 * a.heater_power_w);
  EXPECT_GT(a.bus_through_db, 0.0);  // the other ring attenuates each channel a little
  EXPECT_LT(a.bus_through_db, 0.5);
}

// The file: per-point variables get the `lane` dimension, the eye [point, lane, amplitude,
// phase], and lane_wavelength_nm is written per lane.
TEST(WdmOutput, FileHasTheLaneDimension) {
  const ll::PreparedRun run = prepare(bus(3, 400, {"run.max_bits=20000"}));
  const std::string path = ::testing::TempDir() + "wdm_lanes.h5";
  ASSERT_EQ(ll_test::run_cpu_to_file(run, path), 0);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  auto dims = [&](const char* name) {
    const hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    std::vector<hsize_t> v(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, v.data(), nullptr);
    H5Sclose(space);
    H5Dclose(d);
    return v;
  };
  EXPECT_EQ(dims("lane"), (std::vector<hsize_t>{3}));
  EXPECT_EQ(dims("ber"), (std::vector<hsize_t>{1, 3}));
  EXPECT_EQ(dims("bits"), (std::vector<hsize_t>{1, 3}));
  EXPECT_EQ(dims("eye_histogram").size(), 4u);
  std::vector<double> nm(3);
  const hid_t d = H5Dopen2(file, "lane_wavelength_nm", H5P_DEFAULT);
  ASSERT_GE(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, nm.data()), 0);
  H5Dclose(d);
  EXPECT_LT(nm[0], nm[1]);
  EXPECT_NEAR(nm[1], 1310.0, 1e-6);
  std::vector<std::uint64_t> bits(3);
  const hid_t b = H5Dopen2(file, "bits", H5P_DEFAULT);
  ASSERT_GE(H5Dread(b, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, bits.data()), 0);
  H5Dclose(b);
  for (std::uint64_t v : bits) EXPECT_GE(v, 20000u);
  H5Fclose(file);
  std::remove(path.c_str());
}
#else
// The bus on the GPU counts what the CPU counts (same float physics, same Philox draws).
TEST_F(Wdm, GpuBusCountsMatchCpu) {
  const ll::PreparedRun run = prepare(bus(5, 200));
  const std::vector<ll::LinkOutcome> gpu = ll::run_batch_cuda(run.batches.front());
  const std::vector<ll::LinkOutcome> cpu = ll::run_batch_cpu(run.batches.front(), 2);
  ASSERT_EQ(gpu.size(), cpu.size());
  for (std::size_t l = 0; l < gpu.size(); ++l) {
    EXPECT_EQ(gpu[l].counters.bits, cpu[l].counters.bits) << "lane " << l;
    // Float rounding differs between the backends (FFT, fused operations): a decision within
    // an ulp of a threshold may flip, so allow a handful of the ~1e3 errors.
    EXPECT_NEAR(static_cast<double>(gpu[l].counters.bit_errors),
                static_cast<double>(cpu[l].counters.bit_errors),
                3.0 + 0.01 * static_cast<double>(cpu[l].counters.bit_errors))
        << "lane " << l;
  }
}
#endif

}  // namespace
