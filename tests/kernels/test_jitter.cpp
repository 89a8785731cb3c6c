// Transmit jitter (physics/jitter.hpp): the step-sum drive with every shift zero is the polyphase
// drive; with only random jitter on an ideal channel, the sigma recovered from the received
// waveform's crossing times is within 5% of the input; DCD separates rising and falling edges by
// its peak-to-peak; SJ comes back with its amplitude. Double-precision engine on the CPU (the
// waveform is the measurement).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/cpu/cpu_exec.hpp"
#include "kernels/engine/lane_engine.hpp"
#include "host/run/runner.hpp"
#include "host/scenario/scenario.hpp"
#include "physics/config.hpp"

namespace {

const std::string kDefault = std::string(LIGHTLANE_SOURCE_DIR) + "/tests/data/reference_lane.toml";

ll::PreparedRun prepare(std::vector<std::string> o) {
  return ll::prepare_run(ll::load_scenario(kDefault, o));
}

// The first link's received waveform (noiseless) over `chunks` chunks.
std::vector<double> waveform(ll::BatchSetup batch, int chunks, std::uint64_t* first) {
  batch.links.resize(1);  // the preset sweeps the laser power: one point is enough
  ll::SerialExec exec;
  ll::LaneEngine<ll::SerialExec, double> engine(exec, batch);
  engine.keep_rx_waveform();
  std::vector<double> all;
  for (int c = 0; c < chunks; ++c) {
    engine.step();
    const std::vector<double> w = engine.last_rx_waveform();
    if (c == 0) *first = engine.last_chunk_first_sample();
    all.insert(all.end(), w.begin(), w.end());
  }
  return all;
}

TEST(Jitter, ZeroShiftsGiveThePolyphaseDrive) {
  // A transmit FFE and the default driver and receiver: the step sum with tau = 0 (and DCD 0)
  // reproduces the polyphase drive's received waveform to rounding.
  const auto run = prepare({"tx_ffe.c_m1=-0.1", "tx_ffe.c_p1=-0.2", "run.chunk_symbols=1024"});
  ll::BatchSetup plain = run.batches.front();
  ll::BatchSetup stepped = plain;
  stepped.tx_jitter = true;  // the jitter path, every shift zero
  std::uint64_t f0 = 0, f1 = 0;
  const std::vector<double> a = waveform(plain, 3, &f0), b = waveform(stepped, 3, &f1);
  ASSERT_EQ(a.size(), b.size());
  double peak = 0.0, worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    peak = std::max(peak, std::abs(a[i]));
    worst = std::max(worst, std::abs(a[i] - b[i]));
  }
  EXPECT_LT(worst, 1e-12 * peak);
}

// The received current when the drive sits halfway between the two NRZ levels: the static
// ring's T(V) is monotonic but not linear, so this, not the mean of the two received levels, is
// where rising and falling edges cross at the same time (the eye's crossing point is off 50%).
double mid_drive_current(const ll::PreparedRun& run) {
  const ll::LinkConstants<double>& c = run.links.front().setup.constants;
  const double v_mid = 0.5 * (c.level_drive_v[0] + c.level_drive_v[1]);
  return c.photocurrent_per_transmission_a * ll::ring_transmission(c, v_mid) + c.dark_current_a;
}

struct Crossing {
  double time_samples;  // absolute, interpolated
  bool rising;          // in the received current
};

// Crossings of the mid level between the two NRZ levels, by linear interpolation.
std::vector<Crossing> crossings(const std::vector<double>& w, std::uint64_t first, double level) {
  std::vector<Crossing> out;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const double a = w[i - 1] - level, b = w[i] - level;
    if ((a < 0.0) != (b < 0.0)) {
      const double t = static_cast<double>(first + i - 1) + a / (a - b);
      out.push_back({t, b > a});
    }
  }
  return out;
}

// Deviation of each crossing from the nearest nominal edge (the mean phase of the crossings).
std::vector<double> deviations(const std::vector<Crossing>& c, int spu) {
  double sx = 0.0, sy = 0.0;  // circular mean of the phase within the UI
  for (const Crossing& x : c) {
    const double ph = 2.0 * ll::kPi * std::fmod(x.time_samples, spu) / spu;
    sx += std::cos(ph);
    sy += std::sin(ph);
  }
  const double mean = std::atan2(sy, sx) / (2.0 * ll::kPi) * spu;
  std::vector<double> d;
  for (const Crossing& x : c) {
    double r = std::fmod(x.time_samples - mean, spu);
    if (r > 0.5 * spu) r -= spu;
    if (r < -0.5 * spu) r += spu;
    d.push_back(r);
  }
  return d;
}

// NRZ with a 150 GHz driver (rise time ~8 samples at 32 per UI: smooth between samples, and
// data-dependent jitter far below the RJ), no receiver band limit: the received current is the
// static ring's T(V(t)), monotonic in V, so it crosses the middle level when V crosses the
// middle voltage.
std::vector<std::string> nrz(std::vector<std::string> more) {
  std::vector<std::string> o = {"signal.modulation=\"NRZ\"", "driver.bandwidth_ghz=150",
                                "receiver.bandwidth_ghz=inf", "receiver.noise_bandwidth_ghz=50",
                                "run.chunk_symbols=4096"};
  o.insert(o.end(), more.begin(), more.end());
  return o;
}

TEST(Jitter, RandomJitterSigmaRecoveredWithin5Percent) {
  const double rj_ui = 0.03;
  const auto run = prepare(nrz({"tx_jitter.rj_rms_ui=" + std::to_string(rj_ui)}));
  const double mid = mid_drive_current(run);
  std::uint64_t first = 0;
  const std::vector<double> w = waveform(run.batches.front(), 8, &first);
  const std::vector<Crossing> c = crossings(w, first, mid);
  ASSERT_GT(c.size(), 10000u);  // ~half of 32k symbols are transitions
  const std::vector<double> d = deviations(c, 32);
  double s2 = 0.0;
  for (double x : d) s2 += x * x;
  const double sigma_ui = std::sqrt(s2 / d.size()) / 32.0;
  // The estimate's own scatter over ~16k crossings is sigma / sqrt(2 N) = 0.6%.
  EXPECT_NEAR(sigma_ui / rj_ui, 1.0, 0.05) << "recovered " << sigma_ui << " UI";
  // Without jitter the crossings are (nearly) fixed: data-dependent jitter alone.
  const auto clean = prepare(nrz({}));
  const std::vector<double> w0 = waveform(clean.batches.front(), 2, &first);
  const std::vector<double> d0 = deviations(crossings(w0, first, mid), 32);
  double q2 = 0.0;
  for (double x : d0) q2 += x * x;
  EXPECT_LT(std::sqrt(q2 / d0.size()) / 32.0, 0.1 * rj_ui);
}

TEST(Jitter, DcdAndSinusoidalJitterComeBack) {
  const double dcd_ui = 0.06, sj_ui = 0.05, sj_mhz = 100.0;
  const auto run = prepare(nrz({"tx_jitter.dcd_ui=" + std::to_string(dcd_ui),
                                "tx_jitter.sj_amplitude_ui=" + std::to_string(sj_ui),
                                "tx_jitter.sj_frequency_mhz=" + std::to_string(sj_mhz)}));
  const double mid = mid_drive_current(run);
  std::uint64_t first = 0;
  const std::vector<double> w = waveform(run.batches.front(), 8, &first);
  const std::vector<Crossing> c = crossings(w, first, mid);
  const std::vector<double> d = deviations(c, 32);
  // The ring may invert: a rising drive edge is a falling current edge. DCD: the two edge
  // directions' mean crossings differ by its peak-to-peak.
  double rise = 0.0, fall = 0.0;
  int nr = 0, nf = 0;
  for (std::size_t i = 0; i < c.size(); ++i)
    (c[i].rising ? (rise += d[i], ++nr) : (fall += d[i], ++nf));
  EXPECT_NEAR(std::abs(rise / nr - fall / nf) / 32.0, dcd_ui, 0.03 * dcd_ui);
  // SJ: least-squares fit of a sin + b cos at the SJ frequency (time in symbols) to the
  // deviations with the DCD removed; amplitude sqrt(a^2 + b^2).
  const double cycles_per_sample = sj_mhz * 1e6 / (106.25e9 * 32);
  double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double y = d[i] - (c[i].rising ? rise / nr : fall / nf);
    const double ph = 2.0 * ll::kPi * cycles_per_sample * c[i].time_samples;
    const double s = std::sin(ph), co = std::cos(ph);
    ss += s * s;
    cc += co * co;
    sc += s * co;
    ys += y * s;
    yc += y * co;
  }
  const double det = ss * cc - sc * sc;
  const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  EXPECT_NEAR(std::hypot(a, b) / 32.0, sj_ui, 0.03 * sj_ui);
}

// Without a driver filter a transition is a one-sample ramp, so an early one falls wholly into
// the symbol before its own: the drive runs the jitter's lead late (physics/jitter.hpp) to draw it.
// Before it did, early shifts were dropped: SJ came back at about half its amplitude, its mean
// moved by A / pi, and RJ's sigma came back low. Each now within 3% (RJ: 5%), the mean within
// 0.002 UI (a sixteenth of a sample).
TEST(Jitter, EarlyTransitionsAreDrawnWithoutADriverFilter) {
  auto unfiltered = [](std::vector<std::string> more) {
    std::vector<std::string> o = nrz(more);
    o[1] = "driver.bandwidth_ghz=inf";
    return prepare(o);
  };
  const double sj_ui = 0.05, sj_mhz = 100.0, rj_ui = 0.03;
  {
    const auto run = unfiltered({"tx_jitter.sj_amplitude_ui=" + std::to_string(sj_ui),
                                 "tx_jitter.sj_frequency_mhz=" + std::to_string(sj_mhz)});
    std::uint64_t first = 0;
    const std::vector<double> w = waveform(run.batches.front(), 8, &first);
    const std::vector<Crossing> c = crossings(w, first, mid_drive_current(run));
    // The jitter-free crossings' phase: deviations() takes the circular mean of these, which SJ
    // centred on zero leaves in place and a rectified SJ moves.
    const auto clean = unfiltered({});
    const std::vector<Crossing> c0 =
        crossings(waveform(clean.batches.front(), 2, &first), first, mid_drive_current(clean));
    auto mean_phase = [](const std::vector<Crossing>& x) {  // circular, in samples
      double sx = 0.0, sy = 0.0;
      for (const Crossing& e : x) {
        sx += std::cos(2.0 * ll::kPi * e.time_samples / 32.0);
        sy += std::sin(2.0 * ll::kPi * e.time_samples / 32.0);
      }
      return std::atan2(sy, sx) / (2.0 * ll::kPi) * 32.0;
    };
    const double lead = run.links.front().setup.jitter.lead_samples;
    double moved = std::remainder(mean_phase(c) - mean_phase(c0) - lead, 32.0);
    EXPECT_NEAR(moved / 32.0, 0.0, 0.002) << "lead " << lead;
    const std::vector<double> d = deviations(c, 32);
    const double cycles_per_sample = sj_mhz * 1e6 / (106.25e9 * 32);
    double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      const double ph = 2.0 * ll::kPi * cycles_per_sample * c[i].time_samples;
      const double sn = std::sin(ph), co = std::cos(ph);
      ss += sn * sn;
      cc += co * co;
      sc += sn * co;
      ys += d[i] * sn;
      yc += d[i] * co;
    }
    const double det = ss * cc - sc * sc;
    const double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
    EXPECT_NEAR(std::hypot(a, b) / 32.0, sj_ui, 0.03 * sj_ui);
  }
  {
    const auto run = unfiltered({"tx_jitter.rj_rms_ui=" + std::to_string(rj_ui)});
    std::uint64_t first = 0;
    const std::vector<double> d =
        deviations(crossings(waveform(run.batches.front(), 8, &first), first,
                             mid_drive_current(run)),
                   32);
    double s2 = 0.0;
    for (double x : d) s2 += x * x;
    EXPECT_NEAR(std::sqrt(s2 / d.size()) / 32.0 / rj_ui, 1.0, 0.05);
  }
}

TEST(Jitter, SinusoidalJitterNeedsItsFrequency) {
  try {
    prepare({"tx_jitter.sj_amplitude_ui=0.1"});
    ADD_FAILURE() << "accepted SJ without a frequency";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("tx_jitter.sj_frequency_mhz"), std::string::npos);
  }
}

}  // namespace
