// The statistical eye (host/link/stat_eye.hpp) against the Monte-Carlo engine and closed forms:
//  - the ISI grid: every sum's mass kept, about a zero that falls on a bin;
//  - a chain linear after the ring (ISI from the receiver's filter only): the statistical BER
//    against the BER the engine's own noiseless samples expect (within 1%) and against the
//    Monte-Carlo count (30,000, 10,000 and 3,000 errors) at 1e-3, 1e-4 and 1e-5;
//  - no ISI: the eye height at the target BER is the closed form d - 2 sigma Q^-1(BER);
//  - ISI ahead of the ring (the default lane's driver filter): the bias of the linearised pulse,
//    measured per point and bounded as documented in scenarios/README.md;
//  - transmit jitter (RJ, DCD) against the Monte-Carlo count, the RJ bias measured and bounded;
//  - refusals: a target BER outside (0, 0.5), and features the statistical eye lacks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "kernels/engine/lane_engine.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "host/link/stat_eye.hpp"
#include "host/link/statistics.hpp"

namespace {

const std::string kDefaultLane =
    std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";

ll::PreparedRun prepare(std::vector<std::string> o) {
  return ll::prepare_run(ll::load_scenario(kDefaultLane, o));
}

// One point (the 6 dBm one is not needed: the sweep's first point, 2 dBm, with the overrides).
std::vector<std::string> linear_chain(double tia_pa, std::uint64_t bits) {
  return {"driver.bandwidth_ghz=inf",
          "receiver.bandwidth_ghz=50",
          "laser.rin_db_per_hz=-inf",
          "signal.samples_per_ui=8",
          "eye.symbols=0",
          "receiver.tia_noise_pa_per_rthz=" + std::to_string(tia_pa),
          "run.target_errors=" + std::to_string(~0ull >> 1),
          "run.max_bits=" + std::to_string(bits)};
}

double stat_ber(const ll::PreparedRun& run) {
  return ll::statistical_eye(run.batches.front().links.front(), run.links.front().report, 1e-3).ber;
}

// A PRBS31 state well inside the pattern. The engine starts every link from the all-ones state,
// whose first stretch is no fair sample of random symbols: on the linear chain at 1e-3 its first
// 3e5 bits expect 6% more errors than random symbols would, its first 3e6 bits 1.2%, its first
// 3e7 bits 0.3% (from three other states: within 0.6% over 3e6 bits, the pattern's sampling).
constexpr std::uint32_t kPatternState = 0x2545F491u;

// The BER a Monte-Carlo run of link `l` of the batch expects over `bits` counted bits of the
// pattern from `prbs_state`: the engine's own noiseless decision samples (its float chain,
// timing and warm-up), each with the Gaussian noise's tails beyond the engine's thresholds in
// double precision (its variance at that sample), the decision regions weighted by their Gray
// labels' differing bits. No noise is drawn, so the count's binomial scatter is gone: what is
// left is the pattern's own sampling of the ISI (about 0.2% over 1e7 bits at 1e-5). Plain
// decisions of Gray PAM only (no equaliser, clock recovery or jitter).
double expected_ber(const ll::BatchSetup& batch, std::size_t l, std::uint64_t bits,
                    std::uint32_t prbs_state) {
  ll::BatchSetup one = batch;
  one.links = {batch.links[l]};
  one.links[0].prbs_seed = prbs_state;
  one.target_errors = ~0ull;
  one.max_bits = ~0ull;
  one.eye_symbols = 0;
  const ll::LinkConstants<double>& c = one.links[0].constants;
  EXPECT_TRUE(!one.rx_equalizer && !one.cdr && !one.tx_jitter && one.bus_lanes == 0 &&
              c.mapping.symbols_per_label == 1 && c.decision_lag_symbols == 0);
  const int M = c.levels, spu = one.samples_per_ui;
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, float> engine(exec, one);
  engine.keep_rx_waveform();
  ll::SymbolSource source = ll::SymbolSource::make(one.pattern, prbs_state, M);
  std::vector<std::uint8_t> sent;  // every symbol sent so far
  auto q = [](double z) { return 0.5 * std::erfc(z * 0.70710678118654752440); };
  double bit_errors = 0.0;
  std::uint64_t counted = 0;
  while (counted < bits) {
    engine.step();
    const std::vector<float> rx = engine.last_rx_waveform();
    const std::int64_t first = static_cast<std::int64_t>(engine.last_chunk_first_sample() / spu);
    while (static_cast<std::int64_t>(sent.size()) < first + one.chunk_symbols)
      sent.push_back(static_cast<std::uint8_t>(source.next_level()));
    for (int j = 0; j < one.chunk_symbols && counted < bits; ++j) {
      const std::int64_t k = first + j - c.delay_symbols;  // the symbol decided here
      if (k < c.warmup_symbols) continue;
      const double y = rx[static_cast<std::size_t>(j) * spu + c.sample_in_ui];
      const double inv_sigma =
          1.0 / std::sqrt(ll::receiver_noise_variance(c.noise_var_const_a2, c.noise_var_shot_a,
                                                      c.noise_var_rin, y));
      // P(Y > t) and P(Y < t) at each threshold, each from its own tail (no 1 - Q).
      double above[ll::kMaxLevels] = {}, below[ll::kMaxLevels] = {};
      for (int t = 0; t + 1 < M; ++t) {
        above[t] = q((c.threshold_a[t] - y) * inv_sigma);
        below[t] = q((y - c.threshold_a[t]) * inv_sigma);
      }
      below[M - 1] = 1.0;  // P(Y < +inf)
      const unsigned tx = sent[static_cast<std::size_t>(k)];
      for (int r = 0; r < M; ++r) {
        const unsigned level = c.level_of_region[r];
        if (level == tx) continue;
        // Region r above y: P(Y > its floor) - P(Y > its ceiling); else P(Y < ceiling) - P(Y <
        // floor).
        const double p = r > 0 && c.threshold_a[r - 1] >= y
                             ? above[r - 1] - (r + 1 < M ? above[r] : 0.0)
                             : below[r] - (r > 0 ? below[r - 1] : 0.0);
        bit_errors += p * ll::popcount32(ll::gray_encode(tx) ^ ll::gray_encode(level));
      }
      counted += static_cast<std::uint64_t>(c.mapping.label_bits);
    }
  }
  return bit_errors / static_cast<double>(counted);
}

// The ISI's distribution on its grid (physics/stat_eye.hpp): all its mass, its mean 0 and its
// variance the sums' own plus at most the splits' (a quarter step squared per tap). Before this
// test the grid had an odd number of steps across the sums, so its zero lay half-way between two
// bins and the rounding of the origin moved every sum half a step up or down (one tap: +0.5
// step; the linear chain's five taps below: -0.42 step, +0.26% in its BER at 1e-5), and what the
// splits spread past the grid's ends was dropped (two large taps: 0.375% of the mass, the
// extreme sums').
TEST(StatEye, IsiGridKeepsMassAndMean) {
  const double value[4] = {-0.5, -1.0 / 6.0, 1.0 / 6.0, 0.5};
  const double prob[4] = {0.25, 0.25, 0.25, 0.25};
  const std::vector<std::vector<double>> cases = {
      {1.0}, {0.3, 0.2}, {0.0104, 0.0576, 0.00079, -0.00012, 7.8e-6}};
  for (const std::vector<double>& taps : cases) {
    const ll::IsiPdf isi = ll::isi_distribution(taps, value, prob, 4);
    double mass = 0.0, mean = 0.0, square = 0.0;
    for (int b = isi.first; b <= isi.last; ++b) {
      const double x = isi.lo + b * isi.step;
      mass += isi.pdf[b];
      mean += isi.pdf[b] * x;
      square += isi.pdf[b] * x * x;
    }
    double variance = 0.0;  // of the sums: sum g^2 E[a^2]
    for (double g : taps) variance += g * g * (0.5 * 0.5 + 1.0 / 36.0) / 2.0;
    const double split = 0.25 * isi.step * isi.step * static_cast<double>(taps.size());
    const std::string name = std::to_string(taps.size()) + " taps";
    EXPECT_NEAR(mass, 1.0, 1e-6) << name;
    EXPECT_NEAR(mean / isi.step, 0.0, 1e-3) << name;
    EXPECT_GE(square - mean * mean, variance * (1.0 - 1e-6)) << name;
    EXPECT_LE(square - mean * mean, (variance + split) * (1.0 + 1e-6)) << name;
  }
}

// The linear chain: the statistical eye is exact there (the ring sees the levels themselves,
// the receiver's filter is linear, the noise is added at the decision sample). Two checks at
// 1e-3, 1e-4 and 1e-5 (the TIA noise set for each):
//  - against the BER the Monte-Carlo run expects from the engine's own noiseless samples over
//    1e7 bits (expected_ber): within 1%. Over eight pattern states the ratio measured +0.08%,
//    +0.11% and +0.13% (standard deviations 0.14%, 0.19%, 0.21%: the pattern's sampling).
//  - against the Monte-Carlo count: 30,000, 10,000 and 3,000 errors (99% intervals +-1.5%,
//    +-2.6%, +-4.7%: three targets at 95% would fail one in seven new seeds), two links with
//    their own noise (one per core); the statistical BER inside the interval widened by 1% for
//    the pattern's all-ones start (about +0.4% over each 1e-3 link's 1.5e7 bits). With 120,000,
//    80,000 and 12,000 errors the counts read 1.004, 1.003 and 0.991 times the statistical BER.
//    This checks what the expectation takes from the engine: that it draws Gaussian noise of
//    that variance (its tails at 4.3 sigma included) and decides as the model does.
// (At 300 errors, +-11%, this test used to read "the two differ by up to 4% in either direction
// depending on the chain" at 3,000: that was the count's own scatter, +-3.6% at 95%, with the
// pattern's start, +1.2% over 3e6 bits at 1e-3, and the ISI grid's half-step offset above,
// whose sign turned with the chain.)
TEST(StatEye, LinearChainMatchesMonteCarloFrom1e3To1e5) {
  struct Target {
    double ber, errors;
  };
  for (const Target target : {Target{1e-3, 30'000}, Target{1e-4, 10'000}, Target{1e-5, 3'000}}) {
    // The TIA density that puts the statistical BER at the target (bisection in log noise).
    double lo = 1.0, hi = 200.0;
    for (int i = 0; i < 40; ++i) {
      const double mid = std::sqrt(lo * hi);
      (stat_ber(prepare(linear_chain(mid, 1000))) > target.ber ? hi : lo) = mid;
    }
    const std::uint64_t bits = static_cast<std::uint64_t>(target.errors / target.ber / 2.0);
    ll::PreparedRun run = prepare(linear_chain(std::sqrt(lo * hi), bits));
    const double predicted = stat_ber(run);

    const double expected = expected_ber(run.batches.front(), 0, 10'000'000, kPatternState);
    EXPECT_NEAR(predicted / expected, 1.0, 0.01) << target.ber;

    ll::BatchSetup batch = run.batches.front();
    batch.links.resize(1);
    batch.links.push_back(batch.links.front());
    batch.links.back().noise_key.point = 1;  // the second link's own noise
    const std::vector<ll::LinkOutcome> mc = ll::run_batch_cpu(batch, 2);
    const std::uint64_t errors = mc[0].counters.bit_errors + mc[1].counters.bit_errors;
    const std::uint64_t counted = mc[0].counters.bits + mc[1].counters.bits;
    const ll::Interval ci = ll::clopper_pearson(errors, counted, 0.99);
    std::printf(
        "target %.0e: statistical %.4g, expected %.4g (ratio %.4f), Monte Carlo %.4g "
        "[%.4g, %.4g] (%llu errors, ratio %.4f)\n",
        target.ber, predicted, expected, predicted / expected, double(errors) / counted, ci.lo,
        ci.hi, (unsigned long long)errors, predicted * counted / errors);
    EXPECT_GE(predicted, 0.99 * ci.lo) << target.ber;
    EXPECT_LE(predicted, 1.01 * ci.hi) << target.ber;
  }
}

// The receiver's FFE (fixed MMSE taps) on a chain with heavy ISI after the ring (a 35 GHz
// receiver at 106 GBd), receiver noise alone (the FFE's noise sum is then exact): statistical
// and Monte-Carlo BER agree within the Monte-Carlo 95% interval. With a DFE tap as well the
// statistical eye takes past decisions as right, so it may only fall below the Monte-Carlo
// count (error propagation), and not by much at these error ratios.
TEST(StatEye, ReceiverEqualiserMatchesMonteCarlo) {
  auto equalised = [](double tia, std::uint64_t bits, int dfe) {
    std::vector<std::string> o = linear_chain(tia, bits);
    o.push_back("receiver.bandwidth_ghz=35");
    o.push_back("receiver.shot_noise=false");
    o.push_back("rx_eq.ffe_taps=8");
    o.push_back("rx_eq.ffe_pre=2");
    o.push_back("rx_eq.dfe_taps=" + std::to_string(dfe));
    return o;
  };
  for (const int dfe : {0, 1}) {
    for (const double target : {1e-3, 1e-5}) {
      double lo = 1.0, hi = 200.0;
      for (int i = 0; i < 40; ++i) {
        const double mid = std::sqrt(lo * hi);
        (stat_ber(prepare(equalised(mid, 1000, dfe))) > target ? hi : lo) = mid;
      }
      // At least 3e6 bits: the pattern's first stretch from its all-ones start is not yet a fair
      // sample of the equaliser's 10-symbol span of ISI patterns.
      const std::uint64_t bits = std::max<std::uint64_t>(3'000'000, 300.0 / target);
      ll::PreparedRun run = prepare(equalised(std::sqrt(lo * hi), bits, dfe));
      const double predicted = stat_ber(run);
      const ll::LinkCounters n = ll::run_batch_cpu(run.batches.front(), 2).front().counters;
      const ll::Interval ci = ll::clopper_pearson(n.bit_errors, n.bits, 0.95);
      std::printf(
          "FFE 8 (2 pre), %d DFE, target %.0e: statistical %.4g, Monte Carlo %.4g "
          "[%.4g, %.4g]\n",
          dfe, target, predicted, double(n.bit_errors) / n.bits, ci.lo, ci.hi);
      EXPECT_LE(predicted, ci.hi);
      if (dfe == 0)
        EXPECT_GE(predicted, ci.lo);
      else
        EXPECT_GE(predicted, 0.7 * ci.lo);
    }
  }
}

TEST(StatEye, EyeHeightWithoutIsiIsTheClosedForm) {
  // No band limits: no ISI. Receiver noise only (equal sigma), optically equal levels.
  const double target = 1e-6;
  const ll::PreparedRun run = prepare(
      {"driver.bandwidth_ghz=inf", "receiver.bandwidth_ghz=inf", "receiver.noise_bandwidth_ghz=50",
       "receiver.shot_noise=false", "laser.rin_db_per_hz=-inf", "receiver.tia_noise_pa_per_rthz=8",
       "driver.level_spacing=\"optical\""});
  const ll::LinkReport& rep = run.links.front().report;
  const ll::StatEye eye = ll::statistical_eye(run.batches.front().links.front(), rep, target);
  const double d = std::abs(rep.received_levels_a[3] - rep.received_levels_a[0]) / 3.0;
  const double sigma = std::sqrt(run.batches.front().links.front().constants.noise_var_const_a2);
  const double expected = d - 2.0 * sigma * ll::q_function_inverse(target);
  ASSERT_GT(expected, 0.1 * d);
  EXPECT_NEAR(eye.eye_height_a / expected, 1.0, 1e-6) << eye.eye_height_a << " vs " << expected;
  // Without ISI the bathtub is flat across the UI (a rect pulse samples its level anywhere).
  ASSERT_GT(eye.ber, 0.0);
  for (double b : eye.bathtub_ber) EXPECT_DOUBLE_EQ(b, eye.ber);

  // Contours down to 1e-15: each eye's floor is the lower level plus sigma Q^-1(L), its ceiling
  // the upper level minus it, at every phase.
  const std::vector<double> levels = {1e-3, 1e-9, 1e-15};
  const ll::StatEye contours =
      ll::statistical_eye(run.batches.front().links.front(), rep, target, levels);
  std::vector<double> sorted(rep.received_levels_a, rep.received_levels_a + 4);
  std::sort(sorted.begin(), sorted.end());
  const int spu = rep.samples_per_ui;
  ASSERT_EQ(contours.contour_edges, 6);
  ASSERT_EQ(contours.contour_a.size(), levels.size() * 6 * spu);
  for (std::size_t l = 0; l < levels.size(); ++l)
    for (int e = 0; e < 3; ++e)
      for (int j = 0; j < spu; ++j) {
        const double reach = sigma * ll::q_function_inverse(levels[l]);
        EXPECT_NEAR(contours.contour_a[(l * 6 + 2 * e) * spu + j], sorted[e] + reach, 1e-5 * d);
        EXPECT_NEAR(contours.contour_a[(l * 6 + 2 * e + 1) * spu + j], sorted[e + 1] - reach,
                    1e-5 * d);
      }
}

// ISI ahead of the ring: the linearised pulse cannot carry the ring's bending of it. The default
// lane (80 GHz driver) at its five powers: the statistical BER is below the Monte-Carlo one,
// by a factor that grows with the power as the ISI, not the noise, sets the errors. The bias is
// the documented measurement (scenarios/README.md), not a tolerance of the method: the ratio of
// the statistical BER to the BER the engine's noiseless samples expect (expected_ber; 0.970,
// 0.922, 0.713, 0.610, 0.583 over 1e7 bits from three pattern states, which agree within 0.05%),
// checked within 1% over 1e6 bits; and the Monte-Carlo count (3,000 errors per point, its 99%
// interval widened by 1% for the pattern's start) agrees with that bias, so the engine draws the
// noise the expectation assumes (shot noise and RIN that follow each sample).
TEST(StatEye, RingNonlinearityBiasIsMeasured) {
  const double bias[5] = {0.970, 0.922, 0.713, 0.610, 0.583};
  const ll::PreparedRun run = prepare({"run.target_errors=3000", "run.max_bits=40000000"});
  const std::vector<ll::LinkOutcome> mc = ll::run_batch_cpu(run.batches.front(), 2);
  ASSERT_EQ(mc.size(), 5u);
  for (std::size_t p = 0; p < mc.size(); ++p) {
    const double stat =
        ll::statistical_eye(run.batches.front().links[p], run.links[p].report, 1e-3).ber;
    const double expected = expected_ber(run.batches.front(), p, 1'000'000, kPatternState);
    const ll::LinkCounters& n = mc[p].counters;
    const ll::Interval ci = ll::clopper_pearson(n.bit_errors, n.bits, 0.99);
    std::printf(
        "point %zu: statistical %.4g, expected %.4g (ratio %.4f), Monte Carlo %.4g (%llu errors, "
        "ratio %.3f [%.3f, %.3f])\n",
        p, stat, expected, stat / expected, double(n.bit_errors) / n.bits,
        (unsigned long long)n.bit_errors, stat * n.bits / n.bit_errors, stat / ci.hi, stat / ci.lo);
    EXPECT_NEAR(stat / expected / bias[p], 1.0, 0.01) << "point " << p;
    EXPECT_GE(bias[p], 0.99 * stat / ci.hi) << "point " << p;
    EXPECT_LE(bias[p], 1.01 * stat / ci.lo) << "point " << p;
  }
}

// Transmit jitter (RJ and DCD) on a ring driven gently (0.3 V: nearly linear) through a 60 GHz
// driver, receiver noise alone, the receiver noise set for a statistical BER of 1e-3 without
// jitter. DCD (deterministic) agrees with the Monte-Carlo count within 10% (each transition's
// displacement is exact); RJ falls below it by a documented bias that grows with the RJ (each
// transition's displacement taken as Gaussian about its mean: its tails through the curved foot
// of a transition are heavier): measured -0.4% at 0.03 UI, -9% at 0.05 UI, -21% at 0.08 UI rms
// (-7% and -11% at 0.03 and 0.05 UI before the engine drew early transitions, issue 16).
TEST(StatEye, TransmitJitterAgainstMonteCarlo) {
  auto jittered = [](double tia, std::uint64_t bits, const std::string& jitter) {
    std::vector<std::string> o = linear_chain(tia, bits);
    o[0] = "driver.bandwidth_ghz=60";
    o[1] = "receiver.bandwidth_ghz=inf";
    o.push_back("receiver.noise_bandwidth_ghz=50");
    o.push_back("receiver.shot_noise=false");
    o.push_back("driver.swing_vpp=0.3");
    o.push_back(jitter);
    return o;
  };
  double lo = 0.1, hi = 100.0;
  for (int i = 0; i < 30; ++i) {
    const double mid = std::sqrt(lo * hi);
    (stat_ber(prepare(jittered(mid, 1000, "tx_jitter.rj_rms_ui=0"))) > 1e-3 ? hi : lo) = mid;
  }
  struct Case {
    const char* jitter;
    double min_ratio, max_ratio;  // statistical / Monte Carlo
  };
  double previous = 0.0;
  for (const Case& k :
       {Case{"tx_jitter.rj_rms_ui=0", 0.9, 1.1}, Case{"tx_jitter.rj_rms_ui=0.03", 0.85, 1.05},
        Case{"tx_jitter.rj_rms_ui=0.05", 0.8, 1.0}, Case{"tx_jitter.dcd_ui=0.1", 0.9, 1.1}}) {
    ll::PreparedRun run = prepare(jittered(lo, 1'000'000, k.jitter));
    const double predicted = stat_ber(run);
    const ll::LinkCounters n = ll::run_batch_cpu(run.batches.front(), 2).front().counters;
    const double measured = double(n.bit_errors) / n.bits;
    const ll::Interval ci = ll::clopper_pearson(n.bit_errors, n.bits, 0.95);
    std::printf("%s: statistical %.4g, Monte Carlo %.4g [%.4g, %.4g], ratio %.3f\n", k.jitter,
                predicted, measured, ci.lo, ci.hi, predicted / measured);
    EXPECT_GE(predicted / measured, k.min_ratio) << k.jitter;
    EXPECT_LE(predicted / measured, k.max_ratio) << k.jitter;
    if (std::string(k.jitter).find("rj") != std::string::npos) {
      EXPECT_GT(predicted, previous) << k.jitter;  // more RJ, more errors
      previous = predicted;
    }
  }
}

TEST(StatEye, BadParametersAreRefused) {
  auto error_of = [](std::vector<std::string> o) {
    try {
      prepare(o);
    } catch (const ll::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  for (const char* bad : {"eye.target_ber=0", "eye.target_ber=0.5", "eye.target_ber=-1e-3"})
    EXPECT_NE(error_of({bad}).find("eye.target_ber"), std::string::npos) << bad;
  // Contour levels: each in (0, 0.5), descending.
  for (const char* bad : {"eye.contour_bers=[1e-6, 1e-3]", "eye.contour_bers=[1e-3, 1e-3]",
                          "eye.contour_bers=[0.6]", "eye.contour_bers=[]"}) {
    const std::string e = error_of({bad});
    EXPECT_NE(e.find("eye.contour_bers"), std::string::npos) << bad << ": " << e;
  }
  EXPECT_NE(error_of({"eye.contour_bers=[1e-6, 1e-3]"}).find("descending"), std::string::npos);
  EXPECT_EQ(error_of({"eye.contour_bers=[1e-3, 1e-9, 1e-15]"}), "accepted");
  EXPECT_NE(error_of({"run.mode=\"stat\"", "rx_eq.ffe_taps=8", "rx_eq.adapt=\"lms\"",
                      "rx_eq.lms_step=1e-4"})
                .find("run.mode"),
            std::string::npos);
  EXPECT_NE(error_of({"run.mode=\"stat\"", "cdr.mode=\"bang_bang\"", "cdr.bandwidth_mhz=10"})
                .find("run.mode"),
            std::string::npos);
  // RJ and DCD are modelled; SJ and BUJ are not.
  EXPECT_EQ(error_of({"run.mode=\"stat\"", "tx_jitter.rj_rms_ui=0.02", "tx_jitter.dcd_ui=0.05"}),
            "accepted");
  EXPECT_NE(error_of({"run.mode=\"stat\"", "tx_jitter.buj_ui=0.05"}).find("tx_jitter.buj_ui"),
            std::string::npos);
  EXPECT_NE(error_of({"run.mode=\"stat\"", "tx_jitter.sj_amplitude_ui=0.1",
                      "tx_jitter.sj_frequency_mhz=10"})
                .find("tx_jitter.sj_amplitude_ui"),
            std::string::npos);
}

}  // namespace
