// The linear chain of one link, bits to the sampler, as the statistical eye and the receiver's
// design see it: the drive pulse through the ring model in use (static, or dynamic with its
// photon lifetime) and the receiver filter. Its pulse response fixes the decision sample and
// the warm-up, and is the statistical eye's, the equaliser's and the CDR's input; with transmit
// jitter, so are its responses to each level-to-level transition (steps of prepare_link,
// host/link/lane_setup_steps.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "host/link/filter_design.hpp"
#include "host/link/lane_setup_steps.hpp"
#include "kernels/engine/stage_responses.hpp"
#include "physics/ring_dynamics.hpp"

namespace ll::setup_steps {
namespace {

// The chain's output (transmission, after the receiver filter) less its steady value at v_from,
// for the drive v_from + (v_to - v_from) shape[n], the ring settled at v_from: the response of the
// stages the engine will run for this link (kernels/engine/stage_responses.hpp).
std::vector<double> chain_response(const LaneParams& lp, const LinkSetup& link,
                                   std::size_t ring_tail, double v_from, double v_to,
                                   const std::vector<double>& shape) {
  return lane_response(stage_settings(lp, link), link, ring_tail, v_from, v_to, shape);
}

}  // namespace

JitterParams<double> setup_pulse_response(const Scenario& s, const LaneParams& lp,
                                          const std::vector<double>& drive_ui,
                                          const std::vector<double>& v, LinkReport& rep,
                                          LinkSetup& link) {
  LinkConstants<double>& c = link.constants;
  // Timing: the chain's response to one UI at the highest level on the lowest, through the
  // driver pulse, the ring model in use (static, or dynamic with its photon-lifetime delay) and
  // the receiver filter, relative to the lowest level's steady output. Its peak is the cursor.
  // A monotonic static transmission does not move the peak of the linear chain; the dynamic
  // ring delays it by about its photon lifetime.
  // Long enough for the ring's response to decay to 1e-12 after the pulse.
  const std::size_t ring_tail =
      lp.ring_dynamic ? static_cast<std::size_t>(std::ceil(28.0 / c.cmt.gamma_t)) : 0;
  // With transmit jitter the engine's drive runs the jitter's lead late (physics/jitter.hpp):
  // the pulse and the transitions' steps here run as late, and the decision instant with them.
  JitterParams<double> jitter{};
  if (lp.tx_jitter.present()) {
    const TxJitterParams& j = lp.tx_jitter;
    const double spu = lp.samples_per_ui;
    jitter = {j.rj_rms_ui * spu, j.sj_amplitude_ui * spu, j.sj_frequency_hz / lp.symbol_rate_hz,
              0.0,               j.dcd_ui * spu,          j.buj_ui * spu,
              0};
    jitter.lead_samples = static_cast<int>(std::ceil(jitter_reach_samples(jitter)));
  }
  const std::size_t lead = static_cast<std::size_t>(jitter.lead_samples);
  std::vector<double> drive(lead, 0.0);
  drive.insert(drive.end(), drive_ui.begin(), drive_ui.end());
  drive.resize(drive.size() + ring_tail, 0.0);
  std::vector<double> pulse = chain_response(lp, link, ring_tail, v.front(), v.back(), drive);
  // With transmit jitter, the chain's response to each level-to-level transition (the ring's
  // nonlinearity included), through the engine's own drive step (the one its jitter moves): the
  // statistical eye takes the displacement of the transitions from these, since a transition's
  // timing moves the drive through the ring's local slope T'(v), not the outer levels' secant
  // the pulse carries.
  if (lp.tx_jitter.present()) {
    const std::vector<double> table = drive_step_table(link);  // samples -1 ..
    std::vector<double> drive_step(drive.size(), 0.0);  // the step at sample `lead`
    for (std::size_t n = lead; n < drive_step.size(); ++n)
      drive_step[n] = table[std::min(n - lead + 1, table.size() - 1)];
    const int M = lp.levels;
    rep.level_step_a.clear();
    for (int from = 0; from < M; ++from)
      for (int to = 0; to < M; ++to) {
        std::vector<double> step = chain_response(lp, link, ring_tail, v[from], v[to], drive_step);
        for (double& x : step) x *= c.photocurrent_per_transmission_a;
        rep.level_step_points = static_cast<int>(step.size());
        rep.level_step_a.insert(rep.level_step_a.end(), step.begin(), step.end());
      }
  }
  const std::vector<double> signed_pulse = pulse;  // transmission per unit symbol value
  for (double& x : pulse) x = std::abs(x);         // the ring may invert the levels
  const double peak = *std::max_element(pulse.begin(), pulse.end());
  // The centre of the samples within rounding of the peak (a flat top without filters).
  std::size_t first = pulse.size(), last = 0;
  for (std::size_t i = 0; i < pulse.size(); ++i)
    if (pulse[i] >= peak * (1.0 - 1e-9)) {
      first = std::min(first, i);
      last = i;
    }
  // Centre of the peak plateau rounded up: without filters the pulse is flat over samples
  // 0 .. spu-1, the centre sits at spu/2, and phases -0.5 .. +0.5 UI reach the first sample of
  // this symbol .. the first of the next (a causal chain never puts the peak earlier).
  const long cursor = static_cast<long>((first + last + 1) / 2) +
                      std::lround(lp.sampling_phase_ui * lp.samples_per_ui);
  if (cursor < 0)
    fail_key(s, "receiver.sampling_phase_ui",
             "places the sample before the symbol's pulse begins; expected a phase closer to 0");
  c.delay_symbols = static_cast<int>(cursor / lp.samples_per_ui);
  c.sample_in_ui = static_cast<int>(cursor % lp.samples_per_ui);
  // Count from the first symbol whose whole history went through filled filters.
  const std::size_t fill =
      link.h1_taps.size() + link.h2_taps.size() + link.fibre_taps.size() + ring_tail;
  c.warmup_symbols = c.delay_symbols + static_cast<std::int64_t>(fill / lp.samples_per_ui) + 2;
  // The pulse at the decision phase, one value per symbol, in A per unit symbol value (the
  // outer levels one apart): the equaliser's design input, and a report.
  {
    const std::size_t spu = static_cast<std::size_t>(lp.samples_per_ui);
    rep.pulse_a = signed_pulse;
    for (double& x : rep.pulse_a) x *= c.photocurrent_per_transmission_a;
    rep.pulse_cursor = cursor;
    rep.symbol_pulse_a.clear();
    for (std::size_t n = static_cast<std::size_t>(cursor) % spu; n < rep.pulse_a.size(); n += spu)
      rep.symbol_pulse_a.push_back(rep.pulse_a[n]);
    rep.symbol_pulse_cursor = static_cast<int>(static_cast<std::size_t>(cursor) / spu);
  }
  return jitter;
}

void finish_transmit_jitter(const Scenario& s, const LaneParams& lp,
                            const JitterParams<double>& jitter, LinkSetup& link) {
  const TxJitterParams& j = lp.tx_jitter;
  if (j.sj_amplitude_ui > 0.0 && !(j.sj_frequency_hz > 0.0))
    fail_key(s, "tx_jitter.sj_frequency_mhz", "missing; sinusoidal jitter needs its frequency");
  if (!(j.sj_frequency_hz < 0.5 * lp.symbol_rate_hz))
    fail_key(s, "tx_jitter.sj_frequency_mhz",
             "must lie below half the symbol rate (the transitions sample it)");
  link.jitter = jitter;
  // The transitions move by up to ~8 sigma plus the bounded terms: the warm-up covers it.
  link.constants.warmup_symbols +=
      1 + static_cast<std::int64_t>(
              std::ceil(8.0 * j.rj_rms_ui + j.sj_amplitude_ui + j.dcd_ui + j.buj_ui));
}

}  // namespace ll::setup_steps
