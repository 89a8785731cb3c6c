// One link's set-up from a sweep point: prepare_link runs the steps of
// host/link/lane_setup_steps.hpp in order (the ring, the driver-side filters, the levels and
// thresholds, the thermal lock, the receiver filters, the noise, the chain's pulse response and
// timing, the receiver's equaliser and clock recovery, the seeds). The WDM bus's lanes are
// host/link/wdm_setup.cpp (prepare_point).
#include "host/link/lane_setup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "host/link/energy.hpp"
#include "host/link/lane_setup_steps.hpp"
#include "kernels/engine/stage_list.hpp"

namespace ll {
namespace {

// The steps (host/link/lane_setup_steps.hpp).
using setup_steps::check_bandwidth;
using setup_steps::finish_transmit_jitter;
using setup_steps::setup_cdr;
using setup_steps::setup_equalizer;
using setup_steps::setup_levels;
using setup_steps::setup_lock_loop;
using setup_steps::setup_microled;
using setup_steps::setup_eml;
using setup_steps::setup_electrical;
using setup_steps::setup_mzm;
using setup_steps::setup_noise;
using setup_steps::setup_pulse_response;
using setup_steps::setup_receiver_filters;
using setup_steps::setup_ring;
using setup_steps::setup_transmit_chain;
using setup_steps::thermal_lock;
using setup_steps::TransmitChain;

constexpr double kMaxOpticalLossDb = 100.0;  // the whole optical path's, ring to photodiode

void check_optical_loss(const Scenario& s, const LaneParams& lp) {
  // The optical path's loss, whole: 100 dB leaves a 1 W laser 1e-10 W at the photodiode, far
  // under any receiver's noise; beyond, the levels also fall under float resolution of the bias.
  if (lp.optical_loss_db() > kMaxOpticalLossDb) {
    const double waveguide_db = lp.waveguide_length_m * lp.waveguide_loss_db_per_m;
    const double couplers_db = lp.coupler_loss_db * lp.couplers;
    const double stages_db = folded_optical_loss_db(lp.stage_values);
    std::string key = waveguide_db >= std::max(couplers_db, lp.extra_loss_db)
                          ? "optics.waveguide_length_cm"
                          : (couplers_db >= lp.extra_loss_db ? "optics.coupler_loss_db"
                                                             : "optics.extra_loss_db");
    // A stage's key when the folded stages lose the most (the scenario gave one: a value).
    if (stages_db > std::max({waveguide_db, couplers_db, lp.extra_loss_db}) &&
        !lp.stage_values.empty())
      key = lp.stage_values.begin()->first;
    fail_key(s, key,
             "the optical path loses " + format_number(lp.optical_loss_db(), 6) + " dB (waveguide " +
                 format_number(waveguide_db, 4) + ", couplers " + format_number(couplers_db, 4) +
                 ", extra " + format_number(lp.extra_loss_db, 4) + ", stages " +
                 format_number(stages_db, 4) + "); expected at most " +
                 format_number(kMaxOpticalLossDb, 3) + " dB");
  }
}

// The fibre's dispersion, and a warning where the linearised analyses stop holding: the
// statistical eye and the equaliser's design take the lane's pulse response, which linearises
// square-law detection; past a dispersion phase theta = 2 pi^2 |beta2 L| f^2 of about 0.3 rad at
// Nyquist the field's beating they leave out is no longer small (the default ring's chirp at 10 km
// of O-band fibre, 0.66 rad: a statistical BER of 5e-3 against 0.16 counted).
void report_fibre(const LaneParams& lp, LinkReport& rep) {
  const double lambda = lp.laser_wavelength_m;
  const StageValues& v = lp.stage_values;
  rep.fibre_dispersion_ps_per_nm = FibreStageInfo::dispersion_s_per_m2(v, lambda) * 1e3 *
                                   stage_value(v, FibreStageInfo::kLength) / 1e-3;  // ps/nm
  const double f_nyquist = 0.5 * lp.symbol_rate_hz;
  const double theta = 2.0 * kPi * kPi * std::abs(FibreStageInfo::beta2_l_s2(v, lambda)) *
                       f_nyquist * f_nyquist;
  if (theta > 0.3)
    rep.warnings.push_back(
        "fibre: " + format_number(rep.fibre_dispersion_ps_per_nm, 3) +
        " ps/nm, a dispersion phase of " + format_number(theta, 2) +
        " rad at Nyquist: the statistical eye and the equaliser's design linearise the "
        "detection, and past about 0.3 rad the field's beating they leave out can dominate (the "
        "source's chirp decides; run.mode = \"mc\" counts it)");
}

// The report's receiver figures: the eye's and the photodiode's (host/link/stat_eye.hpp).
void report_receiver(const LaneParams& lp, const RunParams& rp, LinkReport& rep) {
  rep.samples_per_ui = lp.samples_per_ui;
  rep.levels = lp.levels;
  rep.eye_target_ber = rp.eye_target_ber;
  rep.responsivity_a_per_w = lp.responsivity_a_per_w;
  rep.dark_current_a = lp.dark_current_a;
}

}  // namespace

PreparedLink prepare_link(const Scenario& s, std::size_t point, const LaneParams& point_lp,
                          const RunParams& rp) {
  // A micro-LED has no laser: its static transfer is its light in W, so the photodiode's scale
  // is that of a 1 W source, and there is no laser RIN.
  LaneParams lp = point_lp;
  if (lp.modulator == Modulator::microled) {
    lp.laser_power_w = 1.0;
    lp.laser_rin_db_per_hz = -std::numeric_limits<double>::infinity();
  }
  PreparedLink out;
  LinkReport& rep = out.report;
  LinkConstants<double>& c = out.setup.constants;
  const double fs = lp.symbol_rate_hz * lp.samples_per_ui;
  rep.sample_rate_hz = fs;

  check_bandwidth(s, lp, fs, "driver.bandwidth_ghz", lp.driver_bandwidth_hz);
  check_bandwidth(s, lp, fs, "receiver.bandwidth_ghz", lp.receiver_bandwidth_hz);
  if (std::isfinite(lp.noise_bandwidth_hz))
    check_bandwidth(s, lp, fs, "receiver.noise_bandwidth_ghz", lp.noise_bandwidth_hz);
  check_optical_loss(s, lp);

  if (lp.modulator == Modulator::mzm)
    setup_mzm(s, lp, rep, c);
  else if (lp.modulator == Modulator::eml)
    setup_eml(s, lp, rep, c);
  else if (lp.modulator == Modulator::microled)
    setup_microled(s, lp, fs, rep, c);
  else if (lp.modulator == Modulator::none)
    setup_electrical(s, lp, rep, c);
  else
    setup_ring(s, lp, fs, rep, c);
  const TransmitChain tx = setup_transmit_chain(s, lp, rp, fs, rep, out.setup);
  const std::vector<double> v = setup_levels(s, lp, tx.cursor_gain, rep, out.setup);
  rep.energy = lane_energy(s, lp, c, rep.junction_capacitance_f);
  if (lp.thermal_modelled()) thermal_lock(s, lp, v, c, rep);
  if (lp.lock.loop && !lp.thermal_modelled())
    fail_key(s, "mrm.thermal.lock", "\"loop\" needs the heater of [mrm.thermal]");
  const double ctle_noise_enhancement = setup_receiver_filters(s, lp, fs, out.setup);
  if (lp.lock.loop && rep.lock == LockStatus::locked) setup_lock_loop(s, lp, v, rep, out.setup);
  setup_noise(s, lp, fs, ctle_noise_enhancement, rep, out.setup);
  // The stages' own set-up (kernels/engine/stage_list.cpp), before the responses that run them.
  const StageContext context{lp.stage_values,
                             lp.symbol_rate_hz,
                             fs,
                             lp.laser_wavelength_m,
                             static_cast<std::size_t>(rp.chunk_symbols) * lp.samples_per_ui,
                             lp.wdm.channels > 0,
                             c.modulator};
  if (const std::optional<StageRefusal> r = set_up_stages(context, out.setup))
    fail_key(s, r->key, r->what);
  if (!out.setup.fibre_taps.empty()) report_fibre(lp, rep);
  if (const double shift = out.setup.bundle.mean_shift_a; shift != 0.0) {
    // A bundle's neighbours raise every level by their mean light: the thresholds follow.
    for (int k = 0; k < lp.levels; ++k) {
      rep.received_levels_a[k] += shift;
      rep.settled_levels_a[k] += shift;
    }
    setup_steps::set_decision_levels(s, rep, c);
  }
  if (const MpiPaths& m = out.setup.mpi; m.count > 0)
    rep.mpi_crosstalk_db = 10.0 * std::log10(m.count * m.field_amplitude * m.field_amplitude);

  const JitterParams<double> jitter = setup_pulse_response(s, lp, tx.drive_ui, v, rep, out.setup);
  report_receiver(lp, rp, rep);
  if (lp.rx_eq.enabled()) setup_equalizer(s, lp, rep, out.setup);
  if (lp.cdr.mode != 0) setup_cdr(s, lp, rep, out.setup);
  if (lp.tx_jitter.present()) finish_transmit_jitter(s, lp, jitter, out.setup);
  // With the lock loop, the loop's acquisition is not part of the link's error count.
  if (out.setup.thermal_loop.enabled)
    c.warmup_symbols += static_cast<std::int64_t>(std::ceil(lp.lock.settle_s * lp.symbol_rate_hz));

  // Seeds: noise keyed by (run seed, point); the pattern starts from its standard all-ones
  // state so every point sends the same symbols, as a pattern generator would.
  out.setup.noise_key = {rp.seed, static_cast<std::uint32_t>(point)};
  out.setup.prbs_seed = 0xffffffffu;
  out.setup.stage_values = lp.stage_values;
  return out;
}

BatchSetup stage_settings(const LaneParams& lp, const LinkSetup& link) {
  BatchSetup b;
  b.pattern = lp.pattern;
  b.levels = lp.levels;
  b.samples_per_ui = lp.samples_per_ui;
  b.has_h1 = !link.h1_taps.empty();
  b.has_h2 = !link.h2_taps.empty();
  b.ring_dynamic = lp.ring_dynamic;
  b.eo_junction = lp.eo_junction;
  b.bus_lanes = lp.wdm.channels;
  b.rx_equalizer = lp.rx_eq.enabled();
  b.tx_jitter = lp.tx_jitter.present();
  b.cdr = lp.cdr.mode != 0;
  b.fibre = !link.fibre_taps.empty();
  b.mpi = link.mpi.count > 0;
  b.bundle = link.bundle.neighbours > 0;
  b.modulator = link.constants.modulator;  // set by the modulator's set-up step
  return b;
}

}  // namespace ll
