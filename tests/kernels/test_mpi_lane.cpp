// Multipath interference ([mpi]; physics/mpi.hpp, kernels/engine/stages_mpi.hpp). Checked:
// the paths' geometry against its closed form; the phase noise's chunk steps against the
// Ornstein-Uhlenbeck law they claim (stationary variance, lag-one correlation); the engine's
// photocurrent against a direct double-precision computation written here (the modulator's field,
// plus each path's copy at its delay with its phase, recomputed here from the counter-based
// generator, through the fibre's taps, detected) over a chunk deep into the run; and the
// statistical eye's Gaussian treatment against the engine's counts, with the MPI penalty it
// makes at the 802.3 connector budget.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/link/lane_setup.hpp"
#include "host/link/stat_eye.hpp"
#include "host/run/plan.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/backend.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "physics/mpi.hpp"
#include "tests/scenario_refusal.hpp"

namespace {

const std::string kDr = std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/fibre_dr_500m.toml";

TEST(Mpi, PathsAreThePairsOfReflections) {
  const ll::MpiPaths p = ll::mpi_paths(4, 26.0, 2.0, 5e6);
  ASSERT_EQ(p.count, 6);
  EXPECT_DOUBLE_EQ(p.field_amplitude, std::pow(10.0, -2.6));
  const int gaps[6] = {1, 2, 3, 1, 2, 1};  // (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)
  for (int k = 0; k < 6; ++k) {
    const double tau = 2.0 * 1.4677 * gaps[k] * 2.0 / 299792458.0;
    EXPECT_NEAR(p.delay_s[k], tau, 1e-15 * tau) << k;
    EXPECT_NEAR(p.phase_variance_rad2[k], 2.0 * M_PI * 5e6 * tau, 1e-12) << k;
  }
  // The Gaussian share: 2 P R^2 <I>.
  EXPECT_NEAR(ll::mpi_noise_variance_per_a(p, 1e-3), 2.0 * 6 * std::pow(10.0, -5.2) * 1e-3,
              1e-20);
}

TEST(Mpi, PhaseStepsAreTheOrnsteinUhlenbeckLaw) {
  // 2e5 steps of dt = tau / 3: the sample variance within 2% (the steps' correlation makes the
  // estimate's spread about sqrt(2 (1 + rho^2) / (1 - rho^2) / n) = 0.5%), the lag-one correlation
  // within 0.01 of exp(-1/3).
  const double var = 0.7, tau = 3e-9, dt = 1e-9;
  ll::NoiseKey key{7, 3};
  double psi = 0.0, sum2 = 0.0, lag = 0.0, prev = 0.0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    psi = ll::mpi_phase_step(psi, var, tau, dt,
                             ll::standard_normal_double(key, ll::NoiseStream::mpi, i));
    sum2 += psi * psi;
    lag += psi * prev;
    prev = psi;
  }
  EXPECT_NEAR(sum2 / n / var, 1.0, 0.02);
  EXPECT_NEAR(lag / sum2, std::exp(-dt / tau), 0.01);
}

ll::BatchSetup mpi_batch(const std::vector<std::string>& extra) {
  std::vector<std::string> o = {"fibre.length_km=0.5", "eye.symbols=0", "tdecq.symbols=0",
                                "laser.power_dbm=8"};
  o.insert(o.end(), extra.begin(), extra.end());
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(kDr, o));
  EXPECT_EQ(run.batches.size(), 1u);
  ll::BatchSetup b = run.batches.front();
  b.max_bits = b.target_errors = ~0ull;
  return b;
}

// Each path's R e^{i theta} in chunk `chunk`, as the stage's contract states it: a uniform static
// phase and the Ornstein-Uhlenbeck phase noise from its stationary law, stepped per chunk.
std::vector<ll::Complex<double>> gains_of(const ll::LinkSetup& link, int chunk) {
  const ll::MpiPaths& m = link.mpi;
  std::vector<ll::Complex<double>> g;
  for (int k = 0; k < m.count; ++k) {
    const auto u = ll::philox_words(link.noise_key, ll::NoiseStream::mpi, ~std::uint64_t{0} - k);
    const double theta0 = 2.0 * M_PI * (u[2] / 4294967296.0);
    double psi = std::sqrt(m.phase_variance_rad2[k]) *
                 ll::standard_normal_double(link.noise_key, ll::NoiseStream::mpi,
                                            (~std::uint64_t{0} >> 1) - k);
    for (int c = 1; c <= chunk; ++c)
      psi = ll::mpi_phase_step(psi, m.phase_variance_rad2[k], m.delay_s[k], m.chunk_s,
                               ll::standard_normal_double(link.noise_key, ll::NoiseStream::mpi,
                                                          c * ll::kMaxMpiPaths + k));
    g.push_back({m.field_amplitude * std::cos(theta0 + psi),
                 m.field_amplitude * std::sin(theta0 + psi)});
  }
  return g;
}

TEST(MpiLane, PhotocurrentIsTheDirectComputation) {
  // 4 connectors 0.5 m apart, a 10 MHz laser, 15 dB return loss (strong, so the copies show).
  const ll::BatchSetup batch =
      mpi_batch({"mpi.reflections=4", "mpi.return_loss_db=15", "mpi.spacing_m=0.5",
                 "mpi.linewidth_mhz=10"});
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, double> engine(exec, batch);
  const int chunks = 4;  // the checked chunk: index 3, reaching back into chunks 1 and 2
  std::vector<std::vector<double>> drives;
  for (int c = 0; c < chunks; ++c) {
    engine.step();
    drives.push_back(engine.last_drive());
  }
  const std::vector<double> got = engine.last_photocurrent();
  const std::size_t S = static_cast<std::size_t>(batch.chunk_symbols) * batch.samples_per_ui;
  const ll::LinkSetup& link = batch.links[0];
  const ll::LinkConstants<double>& c = link.constants;
  const std::vector<ll::Complex<double>>& h = link.fibre_taps;
  ASSERT_EQ(link.mpi.count, 6);
  ASSERT_LT(h.size(), S);
  // The modulator's field over the last three chunks, e[(c - 1) S + n] for chunk c = 1 .. 3.
  std::vector<ll::Complex<double>> e(3 * S), rx(3 * S);
  for (int cc = 1; cc < chunks; ++cc)
    for (std::size_t n = 0; n < S; ++n)
      e[(cc - 1) * S + n] = ll::modulator_field(c, drives[cc][n]);
  // The received field of chunks 2 and 3 (its copies reach back at most a chunk).
  for (int cc = 2; cc < chunks; ++cc) {
    const std::vector<ll::Complex<double>> g = gains_of(link, cc);
    for (std::size_t n = 0; n < S; ++n) {
      const std::size_t i = (cc - 1) * S + n;
      ll::Complex<double> acc = e[i];
      for (int k = 0; k < link.mpi.count; ++k) {
        const ll::Complex<double> x = e[i - link.mpi.delay_samples[k]];
        acc = {acc.re + g[k].re * x.re - g[k].im * x.im, acc.im + g[k].re * x.im + g[k].im * x.re};
      }
      rx[i] = acc;
    }
  }
  double peak = 0.0, worst = 0.0, mpi_effect = 0.0;
  for (std::size_t n = 0; n < S; ++n) {
    double re = 0.0, im = 0.0, re0 = 0.0, im0 = 0.0;
    for (std::size_t k = 0; k < h.size(); ++k) {
      const ll::Complex<double> x = rx[2 * S + n - k], x0 = e[2 * S + n - k];
      re += h[k].re * x.re - h[k].im * x.im;
      im += h[k].re * x.im + h[k].im * x.re;
      re0 += h[k].re * x0.re - h[k].im * x0.im;
      im0 += h[k].re * x0.im + h[k].im * x0.re;
    }
    const double ref = c.photocurrent_per_transmission_a * (re * re + im * im) + c.dark_current_a;
    const double without = c.photocurrent_per_transmission_a * (re0 * re0 + im0 * im0);
    peak = std::max(peak, std::abs(ref));
    worst = std::max(worst, std::abs(got[n] - ref));
    mpi_effect = std::max(mpi_effect, std::abs(ref - without - c.dark_current_a));
  }
  EXPECT_LT(worst / peak, 1e-10);
  EXPECT_GT(mpi_effect / peak, 1e-2);  // not vacuous: the copies move the photocurrent
  std::printf("MPI photocurrent: max |difference| / peak = %.3g; the copies' effect %.3g\n",
              worst / peak, mpi_effect / peak);
}

}  // namespace

namespace {

// The statistical eye's Gaussian treatment against the counts, where MPI dominates: two
// reflections at 14 dB (crosstalk -28 dB, ten times the lane's BER without it), 0.5 m apart
// with a 1 GHz linewidth, so each chunk draws a nearly independent phase (2 pi dnu tau = 31 rad^2)
// and 400 errors average over hundreds of them. The bounded beat (an arcsine in the phase) has
// thinner tails than the Gaussian of its variance: the eye's BER lies above the count, by a
// factor measured 2.4 here; a variance off by 2 either way leaves [1, 4].
TEST(MpiLane, StatisticalEyeBoundsTheCountsFromAbove) {
  const ll::PreparedRun run = ll::prepare_run(ll::load_scenario(
      kDr, {"fibre.zero_dispersion_nm=1300", "mpi.reflections=2", "mpi.return_loss_db=14",
            "mpi.spacing_m=0.5", "mpi.linewidth_mhz=1000", "eye.symbols=0", "tdecq.symbols=0",
            "run.target_errors=400", "margin.compute=false"}));
  ASSERT_EQ(run.batches.size(), 1u);
  const ll::BatchSetup& batch = run.batches.front();
  ASSERT_EQ(batch.links.size(), 1u);
  ASSERT_TRUE(batch.mpi);
  const std::vector<ll::StatEye> eyes = ll::statistical_eyes_cpu(
      {ll::stat_eye_inputs(batch.links[0], run.links[run.batch_points[0][0]].report,
                           run.run.eye_target_ber)},
      {}, 1);
  const std::vector<ll::LinkOutcome> counts = ll::run_batch_cpu(batch, 2);
  const double ber = static_cast<double>(counts[0].counters.bit_errors) /
                     static_cast<double>(counts[0].counters.bits);
  ASSERT_TRUE(eyes[0].valid);
  EXPECT_GT(eyes[0].ber / ber, 1.0) << "counted " << ber << ", eye " << eyes[0].ber;
  EXPECT_LT(eyes[0].ber / ber, 4.0) << "counted " << ber << ", eye " << eyes[0].ber;
  // And MPI is what errs: without it the lane counts ten times fewer.
  EXPECT_GT(ber, 3e-4);
}

std::string refusal(const std::vector<std::string>& o) { return ll_test::plan_refusal(kDr, o); }

TEST(MpiLane, RefusalsNameTheirKeys) {
  const std::vector<std::string> ok = {"mpi.reflections=4", "mpi.spacing_m=1",
                                       "mpi.linewidth_mhz=5"};
  EXPECT_EQ(refusal(ok), "");
  auto with = [&](std::vector<std::string> o, const std::string& extra) {
    o.push_back(extra);
    return refusal(o);
  };
  EXPECT_NE(with(ok, "mpi.reflections=2.5").find("mpi.reflections"), std::string::npos);
  EXPECT_NE(with(ok, "mpi.reflections=7").find("mpi.reflections"), std::string::npos);
  EXPECT_NE(with(ok, "fibre.length_km=0").find("mpi.reflections"), std::string::npos);
  EXPECT_NE(refusal({"mpi.reflections=4", "mpi.linewidth_mhz=5"}).find("mpi.spacing_m"),
            std::string::npos);
  EXPECT_NE(refusal({"mpi.reflections=4", "mpi.spacing_m=1"}).find("mpi.linewidth_mhz"),
            std::string::npos);
}

}  // namespace
