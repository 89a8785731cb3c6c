// The fibre stage in the engine (kernels/engine/stages_fibre.hpp): the photocurrent after 10 km
// of G.652 fibre at 1310 nm against a direct double-precision computation written here (the
// ring's field from the engine's own drive, convolved tap by tap with the fibre's FIR, detected),
// sample by sample over a chunk deep into the run, for the double and the float engine; and the
// statistical eye, which takes the fibre through the lane's linearised pulse response, against
// the engine's counts at FR reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "host/link/lane_setup.hpp"
#include "host/link/stat_eye.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/backend.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "tests/backend_under_test.hpp"
#include "tests/scenario_refusal.hpp"
#if defined(LL_TEST_CUDA)
#include "kernels/cuda/cuda_backend.hpp"
#endif

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/lane_200g_pam4.toml";

ll::BatchSetup fibre_batch(const std::vector<std::string>& extra,
                           const std::string& file = kDefault) {
  std::vector<std::string> o = {"fibre.length_km=10", "eye.symbols=0", "tdecq.symbols=0"};
  o.insert(o.end(), extra.begin(), extra.end());
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(file, o));
  EXPECT_EQ(run.batches.size(), 1u);
  ll::BatchSetup b = run.batches.front();
  b.max_bits = b.target_errors = ~0ull;
  return b;
}

// The photocurrent of chunk `chunks` from the drive of that chunk and the one before.
template <class Real>
void check_against_direct(const ll::BatchSetup& batch, int chunks, double bound) {
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, Real> engine(exec, batch);
  std::vector<Real> before, drive;
  for (int c = 0; c < chunks; ++c) {
    before = engine.last_drive();
    engine.step();
  }
  drive = engine.last_drive();
  const std::vector<Real> got = engine.last_photocurrent();
  const std::size_t S = static_cast<std::size_t>(batch.chunk_symbols) * batch.samples_per_ui;
  for (std::size_t l = 0; l < batch.links.size(); ++l) {
    const ll::LinkSetup& link = batch.links[l];
    const std::vector<ll::Complex<double>>& h = link.fibre_taps;
    ASSERT_GT(h.size(), 64u);  // the fibre disperses: a long response
    ASSERT_LT(h.size(), S);
    std::vector<ll::Complex<double>> e(2 * S);
    const ll::LinkConstants<double>& c = link.constants;
    auto field = [&](double v) { return ll::modulator_field(c, v); };
    for (std::size_t n = 0; n < S; ++n) {
      e[n] = field(static_cast<double>(before[l * S + n]));
      e[S + n] = field(static_cast<double>(drive[l * S + n]));
    }
    double peak = 0.0, worst = 0.0;
    for (std::size_t n = 0; n < S; ++n) {
      double re = 0.0, im = 0.0;
      for (std::size_t k = 0; k < h.size(); ++k) {
        const ll::Complex<double> x = e[S + n - k];
        re += h[k].re * x.re - h[k].im * x.im;
        im += h[k].re * x.im + h[k].im * x.re;
      }
      const double ref = c.photocurrent_per_transmission_a * (re * re + im * im) + c.dark_current_a;
      peak = std::max(peak, std::abs(ref));
      worst = std::max(worst, std::abs(static_cast<double>(got[l * S + n]) - ref));
    }
    EXPECT_LT(worst / peak, bound) << "link " << l;
    std::printf("fibre photocurrent, link %zu: max |difference| / peak = %.3g\n", l, worst / peak);
  }
}

#if !defined(LL_TEST_CUDA)  // the CPU build: the engine against direct computations
TEST(FibreLane, DoubleEngineIsTheDirectConvolution) {
  // Double: FFT rounding (1e-16 x log2 N) only.
  check_against_direct<double>(fibre_batch({}), 3, 1e-10);
}

TEST(FibreLane, MzmAndEmlFieldsThroughTheFibreAreTheDirectConvolution) {
  const std::string mzm = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mzm_tfln_200g.toml";
  check_against_direct<double>(fibre_batch({}, mzm), 3, 1e-10);
  check_against_direct<float>(fibre_batch({}, mzm), 3, 1e-5);
  const std::string eml = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/eml_200g.toml";
  check_against_direct<double>(fibre_batch({}, eml), 3, 1e-10);
  check_against_direct<float>(fibre_batch({}, eml), 3, 1e-5);
}

// The PN-junction ring's field (mrm_200g_oband_stress.toml's O-band junction ring, made static:
// its loss and resonance both move with V, tabulated): at the table's nodes |E|^2 is the
// junction's transmission to rounding (between nodes the two interpolate different quantities:
// within 1e-5, the tables' dV^2/8 curvature); through 10 km the engine is the direct convolution
// of that field.
TEST(FibreLane, JunctionRingFieldIsItsTransmissionAndTheDirectConvolution) {
  const ll::BatchSetup b = fibre_batch(
      {"mrm.model=static"},
      std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/mrm_200g_oband_stress.toml");
  const ll::LinkConstants<double>& c = b.links[0].constants;
  ASSERT_GT(c.eo.points, 0);
  const double step = 1.0 / c.eo.inv_step_v;
  double worst_node = 0.0, worst_between = 0.0;
  for (int i = 0; i + 1 < c.eo.points; ++i)
    for (double f : {0.0, 0.5}) {
      const double v = c.eo.v_first + (i + f) * step;
      const ll::Complex<double> e = ll::ring_field(c, v);
      const double t = ll::ring_transmission_junction(c, v);
      const double d = std::abs(e.re * e.re + e.im * e.im - t) / t;
      (f == 0.0 ? worst_node : worst_between) = std::max(f == 0.0 ? worst_node : worst_between, d);
    }
  EXPECT_LT(worst_node, 1e-12);
  EXPECT_LT(worst_between, 1e-5);
  check_against_direct<double>(b, 3, 1e-10);
}

// The coupled-mode ring's field, s_out = 1 - j u. Settled at a constant drive it is the all-pass
// ring's field (the same convention, and the host matches the two rings' linewidth and notch:
// they differ by the single-mode approximation's lineshape, 1.6e-3 of the field over the swing
// here). And the engine's photocurrent through 10 km, against a direct computation:
// the recurrence u[n+1] = A u[n] + B run here in double from the ring's empty start over every
// chunk, its field convolved with the taps, detected.
TEST(FibreLane, CoupledModeRingFieldIsTheAllPassSettledAndTheDirectConvolution) {
  ll::BatchSetup b = fibre_batch({"mrm.model=\"dynamic\""});
  ASSERT_TRUE(b.ring_dynamic);
  const ll::LinkSetup& link = b.links[0];
  const ll::LinkConstants<double>& c = link.constants;
  double worst_settled = 0.0, closest_conjugate = 1e9;
  for (int k = 0; k <= 8; ++k) {
    const double v = c.drive_bias_v - 2.0 + 0.5 * k;
    const ll::AffineMap<double> m = ll::cmt_step_for(c, v);
    ll::Complex<double> u{0.0, 0.0};
    for (int n = 0; n < 20000; ++n) u = ll::apply(m, u);
    const ll::Complex<double> e = ll::cmt_field(u), s = ll::ring_field(c, v);
    worst_settled = std::max(worst_settled, std::hypot(e.re - s.re, e.im - s.im));
    if (std::abs(s.im) > 1e-2)  // where the phase is large enough to tell the conventions apart
      closest_conjugate = std::min(closest_conjugate, std::hypot(e.re - s.re, e.im + s.im));
  }
  // The single-mode approximation's lineshape: measured 1.6e-3 of the unit input field; the
  // opposite phase convention would miss by the field's imaginary part, ten times that or more.
  EXPECT_LT(worst_settled, 3e-3);
  EXPECT_GT(closest_conjugate, 10.0 * worst_settled);
  std::printf("coupled-mode field settled against the all-pass field: %.3g (conjugate: %.3g)\n",
              worst_settled, closest_conjugate);
  // The engine (one link) against the direct recurrence.
  b.links.resize(1);
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, double> engine(exec, b);
  const std::size_t S = static_cast<std::size_t>(b.chunk_symbols) * b.samples_per_ui;
  std::vector<double> drive;
  for (int k = 0; k < 3; ++k) {
    engine.step();
    const std::vector<double> d = engine.last_drive();
    drive.insert(drive.end(), d.begin(), d.begin() + S);
  }
  const std::vector<double> got = engine.last_photocurrent();
  std::vector<ll::Complex<double>> e(drive.size());
  ll::Complex<double> u{0.0, 0.0};
  for (std::size_t n = 0; n < drive.size(); ++n) {
    u = ll::apply(ll::cmt_step_for(c, drive[n]), u);
    e[n] = ll::cmt_field(u);
  }
  const std::vector<ll::Complex<double>>& h = link.fibre_taps;
  double peak = 0.0, worst = 0.0;
  for (std::size_t n = 0; n < S; ++n) {
    double re = 0.0, im = 0.0;
    for (std::size_t k = 0; k < h.size(); ++k) {
      const ll::Complex<double> x = e[2 * S + n - k];
      re += h[k].re * x.re - h[k].im * x.im;
      im += h[k].re * x.im + h[k].im * x.re;
    }
    const double ref = c.photocurrent_per_transmission_a * (re * re + im * im) + c.dark_current_a;
    peak = std::max(peak, std::abs(ref));
    worst = std::max(worst, std::abs(got[n] - ref));
  }
  EXPECT_LT(worst / peak, 1e-10);
  std::printf("coupled-mode ring through 10 km: max |difference| / peak = %.3g\n", worst / peak);
}

TEST(FibreLane, FloatEngineIsTheDirectConvolution) {
  // Float: 6e-8 per operation through the ring's field and a complex FFT convolution of
  // log2 N ~ 15 stages, and |E|^2 doubling the relative error: 1e-5 of the peak leaves room.
  check_against_direct<float>(fibre_batch({}), 3, 1e-5);
}

// FR (2 km) at G.652's two corners: the statistical eye's BER over the counted one stays where it
// is for the lane without fibre (0.41 at 8 dBm, the ring's nonlinearity: test_margin.cpp), within
// [0.3, 1]; a statistical eye blind to the fibre would put the worse corner at about 0.2.
TEST(FibreLane, StatisticalEyeFollowsTheCountsAtFrReach) {
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(
      std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/fibre_fr_2km.toml",
      {"eye.symbols=0", "tdecq.symbols=0", "run.target_errors=300"}));
  ASSERT_EQ(run.batches.size(), 1u);
  const ll::BatchSetup& batch = run.batches.front();
  std::vector<ll::StatEyeInputs> inputs;
  for (std::size_t i = 0; i < batch.links.size(); ++i)
    inputs.push_back(ll::stat_eye_inputs(batch.links[i], run.links[run.batch_points[0][i]].report,
                                         run.run.eye_target_ber));
  const std::vector<ll::StatEye> eyes =
      ll::statistical_eyes_cpu(inputs, run.run.eye_contour_bers, 2);
  const std::vector<ll::LinkOutcome> counts = ll::run_batch_cpu(batch, 2);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double ber = static_cast<double>(counts[i].counters.bit_errors) /
                       static_cast<double>(counts[i].counters.bits);
    ASSERT_TRUE(eyes[i].valid);
    EXPECT_GT(eyes[i].ber / ber, 0.3) << "link " << i << ": counted " << ber;
    EXPECT_LT(eyes[i].ber / ber, 1.0) << "link " << i << ": counted " << ber;
  }
}

// Bad input is refused before anything runs, naming the key: a ring whose field is not carried,
// a WDM bus, a laser outside G.652's model, a chunk shorter than the dispersed pulse.
TEST(FibreLane, RefusalsNameTheirKeys) {
  const std::string dir = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/";
  auto refusal = [&](const std::vector<std::string>& o) {
    return ll_test::plan_refusal(dir + "fibre_fr_2km.toml", o);
  };
  EXPECT_EQ(refusal({"mrm.model=\"dynamic\""}), "");  // every ring carries its field
  const std::string led =
      ll_test::plan_refusal(dir + "microled_nrz_4g.toml", {"fibre.length_km=1"});
  EXPECT_NE(led.find("fibre.length_km"), std::string::npos) << led;
  EXPECT_NE(refusal({"wdm.channels=2", "wdm.spacing_ghz=400"}).find("fibre.length_km"),
            std::string::npos);
  EXPECT_NE(refusal({"laser.wavelength_nm=1650"}).find("laser.wavelength_nm"), std::string::npos);
  // 40 km at 1550 nm disperses a pulse over about 3.5 ns, 12k samples: more than 256 symbols.
  EXPECT_NE(refusal({"fibre.length_km=40", "laser.wavelength_nm=1550", "run.chunk_symbols=256"})
                .find("run.chunk_symbols"),
            std::string::npos);
  EXPECT_EQ(refusal({}), "");
}

#endif  // !LL_TEST_CUDA

// The GPU against the CPU (the GPU build, test_fibre_lane_gpu; it skips without a device): the
// received waveform of the ring, MZM and EML lanes, without fibre and behind 10 km of it, float on
// both, within 1e-5 of the peak (as tests/kernels/test_lane.cpp's waveforms), and their counts;
// and of the MPI, bundle and electrical lanes.
class FibreLaneBackends : public ll_test::BackendUnderTest {};

#if defined(LL_TEST_CUDA)
// The GPU's and the CPU's counts of one batch: the same bits, errors within float rounding of a
// threshold (0.5% of them).
void expect_counts_match(const ll::BatchSetup& b, const std::string& what) {
  const auto on_gpu = ll::run_batch_cuda(b);
  const auto on_cpu = ll::run_batch_cpu(b, 2);
  for (std::size_t l = 0; l < on_gpu.size(); ++l) {
    EXPECT_EQ(on_gpu[l].counters.bits, on_cpu[l].counters.bits) << what;
    const double tol = std::max(2.0, 5e-3 * double(on_cpu[l].counters.bit_errors));
    EXPECT_NEAR(double(on_gpu[l].counters.bit_errors), double(on_cpu[l].counters.bit_errors), tol)
        << what;
  }
}
#endif

#if defined(LL_TEST_CUDA)
TEST_F(FibreLaneBackends, GpuWaveformsAndCountsMatchCpu) {
  const std::string dir = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/";
  for (const std::string file : {"lane_200g_pam4.toml", "mzm_tfln_200g.toml", "eml_200g.toml"})
    for (const std::string km : {"fibre.length_km=0", "fibre.length_km=10"}) {
      ll::BatchSetup b = fibre_batch({km}, dir + file);
      const std::vector<float> gpu = ll::cuda::received_waveform(b, 3);
      ll::SerialExec exec;
      ll::LaneEngine<ll::SerialExec, float> engine(exec, b);
      engine.keep_rx_waveform();
      for (int c = 0; c < 3; ++c) engine.step();
      const std::vector<float> cpu = engine.last_rx_waveform();
      ASSERT_EQ(gpu.size(), cpu.size());
      double peak = 0.0, worst = 0.0;
      for (std::size_t i = 0; i < cpu.size(); ++i) {
        peak = std::max(peak, std::abs(static_cast<double>(cpu[i])));
        worst = std::max(worst, std::abs(static_cast<double>(gpu[i]) - cpu[i]));
      }
      EXPECT_LT(worst / peak, 1e-5) << file << ", " << km;
      b.max_bits = 2000000;
      expect_counts_match(b, file + ", " + km);
    }
}

// The stages after the modulator that this file's neighbours test on the CPU alone
// (test_mpi_lane, test_bundle_lane, test_electrical_lane): MPI behind 500 m, a micro-LED core with
// its bundle's six neighbours, the electrical lane; waveforms and counts as above.
TEST_F(FibreLaneBackends, MpiBundleAndElectricalLanesMatchCpu) {
  const std::string dir = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"fibre_dr_500m.toml",
       {"fibre.zero_dispersion_nm=1324", "mpi.reflections=4", "mpi.return_loss_db=15",
        "mpi.spacing_m=0.5", "mpi.linewidth_mhz=10"}},
      {"microled_nrz_4g.toml", {"bundle.neighbours=6", "bundle.crosstalk_db=-12"}},
      {"copper_200g.toml", {"channel.loss_db_at_nyquist=28"}}};
  for (const auto& [file, o] : cases) {
    std::vector<std::string> all = o;
    all.insert(all.end(), {"eye.symbols=0", "tdecq.symbols=0", "margin.compute=false"});
    const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(dir + file, all));
    ASSERT_EQ(run.batches.size(), 1u) << file;
    ll::BatchSetup b = run.batches.front();
    b.max_bits = b.target_errors = ~0ull;
    const std::vector<float> gpu = ll::cuda::received_waveform(b, 3);
    ll::SerialExec exec;
    ll::LaneEngine<ll::SerialExec, float> engine(exec, b);
    engine.keep_rx_waveform();
    for (int c = 0; c < 3; ++c) engine.step();
    const std::vector<float> cpu = engine.last_rx_waveform();
    ASSERT_EQ(gpu.size(), cpu.size()) << file;
    double peak = 0.0, worst = 0.0;
    for (std::size_t i = 0; i < cpu.size(); ++i) {
      peak = std::max(peak, std::abs(static_cast<double>(cpu[i])));
      worst = std::max(worst, std::abs(static_cast<double>(gpu[i]) - cpu[i]));
    }
    EXPECT_LT(worst / peak, 1e-5) << file;
    b.max_bits = 2000000;
    b.target_errors = 1000000000;
    expect_counts_match(b, file);
  }
}
#endif

}  // namespace
