// The steps of one link's set-up, which prepare_link (host/link/lane_setup.cpp) runs in order,
// shared by the files that hold them (internal to host/link/):
//   ring_setup.cpp      the ring: figures, checks, static and coupled-mode models, the junction's
//                       electro-optic table
//   filter_setup.cpp    the host channel, transmit FFE and DAC, the driver-side (H1) and
//                       receiver-side (H2) filters
//   link_constants.cpp  the PAM levels and what the receiver sees of them, thresholds, noise
//   thermal_setup.cpp   the heater's steady-state lock and the chunk-rate lock loop
//   chain_response.cpp  the linear chain's pulse response: timing, the statistical eye's input
//   receiver_setup.cpp  the receiver's equaliser and clock recovery
//   wdm_setup.cpp       the lanes of a WDM bus (prepare_point)
// Each throws ScenarioError (fail_key) naming the key when the physics is not sound.
#pragma once

#include <cstddef>
#include <vector>

#include "host/link/lane_setup.hpp"

namespace ll::setup_steps {

// --- ring_setup.cpp ---------------------------------------------------------------------------

// The fabricated ring of the point (its resonance offset folded into n_eff).
RingGeometry geometry(const LaneParams& lp);

// The ring's figures and checks, its static model (c.ring), its coupled-mode constants (c.cmt),
// the junction's electro-optic table and the dynamic ring's table when the point uses them, and
// the resonance's travel over the swing (rep.shift_pm_per_v).
void setup_ring(const Scenario& s, const LaneParams& lp, double fs, LinkReport& rep,
                LinkConstants<double>& c);

// --- modulator_setup.cpp ----------------------------------------------------------------------

// A Mach-Zehnder modulator instead of the ring: its keys checked, c.mzm, rep.mzm_vpi_v (the ring's
// figures NaN).
void setup_mzm(const Scenario& s, const LaneParams& lp, LinkReport& rep, LinkConstants<double>& c);
// An electro-absorption modulated laser instead: its keys checked, c.eml (the ring's figures NaN).
void setup_eml(const Scenario& s, const LaneParams& lp, LinkReport& rep, LinkConstants<double>& c);
// A directly modulated micro-LED instead: its keys checked, c.led (the ring's figures NaN), its
// modulation bandwidth at the bias (rep.microled_bandwidth_hz).
void setup_microled(const Scenario& s, const LaneParams& lp, double fs, LinkReport& rep,
                    LinkConstants<double>& c);
// No optics: an electrical lane's receiver input (its noise key checked; the ring's figures NaN).
void setup_electrical(const Scenario& s, const LaneParams& lp, LinkReport& rep,
                      LinkConstants<double>& c);
// The MZM's travelling-wave electrode or the EML's RC pole as a FIR for H1 (empty: none).
std::vector<double> modulator_band_fir(const Scenario& s, const LaneParams& lp, double fs);

// --- com_setup.cpp ----------------------------------------------------------------------------

// channel.com_set's COM of the Touchstone channel and the aggressors beside it, once per run's
// files, into rep.com_reference_db (nothing without a set).
void standard_channel_com(const Scenario& s, const LaneParams& lp, LinkReport& rep);

// --- filter_setup.cpp -------------------------------------------------------------------------

// Fails on `key` unless the band limit f_hz (when finite) lies below the Nyquist frequency of
// the sample rate fs.
void check_bandwidth(const Scenario& s, const LaneParams& lp, double fs, const char* key,
                     double f_hz);

// What the driver-side set-up hands on: the drive's response to one UI (rect * H1) and the drive
// pulse's peak (1 without a channel or a transmit FFE).
struct TransmitChain {
  std::vector<double> drive_ui;
  double cursor_gain = 1.0;
};

// H1: the transmit FFE and DAC, the host channel (and its COM), the driver's bandwidth and the
// junction's RC, into link.h1_taps (and link.h1_after_dac_taps with a DAC).
TransmitChain setup_transmit_chain(const Scenario& s, const LaneParams& lp, const RunParams& rp,
                                   double fs, LinkReport& rep, LinkSetup& link);

// H2: the photodiode and TIA bandwidth, then the CTLE, into link.h2_taps. Returns the CTLE's
// noise enhancement (the ratio of the noise bandwidths with and without it; 1 without).
double setup_receiver_filters(const Scenario& s, const LaneParams& lp, double fs, LinkSetup& link);

// --- link_constants.cpp -----------------------------------------------------------------------

// The PAM levels: mapping, FEC, drive levels (through the DAC), the received and settled levels,
// the extinction ratio and the decision levels. Returns the drive voltage of each level index.
std::vector<double> setup_levels(const Scenario& s, const LaneParams& lp, double cursor_gain,
                                 LinkReport& rep, LinkSetup& link);

// Thresholds, the level order and the eye's axis from rep.received_levels_a.
void set_decision_levels(const Scenario& s, LinkReport& rep, LinkConstants<double>& c);

// The receiver noise: its bandwidth (rep.noise_bandwidth_hz), a WDM drop ring's pole on the
// signal, and the variances' coefficients in the constants (physics/receiver_noise.hpp).
void setup_noise(const Scenario& s, const LaneParams& lp, double fs, double ctle_noise_enhancement,
                 LinkReport& rep, LinkSetup& link);

// --- thermal_setup.cpp ------------------------------------------------------------------------

// The steady-state thermal lock ([mrm.thermal]): rep.heater_power_w, heater_wrapped,
// self_heating_gain and lock.
void thermal_lock(const Scenario& s, const LaneParams& lp, const std::vector<double>& levels,
                  const LinkConstants<double>& c, LinkReport& rep);

// The chunk-rate lock loop (mrm.thermal.lock = "loop") of a ring whose steady-state lock holds.
void setup_lock_loop(const Scenario& s, const LaneParams& lp, const std::vector<double>& levels,
                     const LinkReport& rep, LinkSetup& link);

// --- chain_response.cpp -----------------------------------------------------------------------

// The chain's pulse response and what hangs on it: the transitions' responses with transmit
// jitter (rep.level_step_a), the decision sample (c.delay_symbols, c.sample_in_ui), the warm-up,
// and the pulse in A (rep.pulse_a, rep.symbol_pulse_a). Returns the engine's transmit jitter in
// samples (all zero without [tx_jitter]), which finish_transmit_jitter hands to the link.
JitterParams<double> setup_pulse_response(const Scenario& s, const LaneParams& lp,
                                          const std::vector<double>& drive_ui,
                                          const std::vector<double>& levels, LinkReport& rep,
                                          LinkSetup& link);

// With [tx_jitter]: its checks, link.jitter, and the warm-up over the transitions' reach.
void finish_transmit_jitter(const Scenario& s, const LaneParams& lp,
                            const JitterParams<double>& jitter, LinkSetup& link);

// --- receiver_setup.cpp -----------------------------------------------------------------------

// The receiver's FFE and DFE ([rx_eq]).
void setup_equalizer(const Scenario& s, const LaneParams& lp, const LinkReport& rep,
                     LinkSetup& link);

// Clock recovery ([cdr]).
void setup_cdr(const Scenario& s, const LaneParams& lp, const LinkReport& rep, LinkSetup& link);

}  // namespace ll::setup_steps
