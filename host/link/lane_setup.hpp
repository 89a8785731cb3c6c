// From one sweep point's parameters (SI) to what the engine needs for that link: the PAM drive
// levels, the ring's operating point, received levels and thresholds, noise variances, FIRs
// and the chain's delay. Cross-key physics is checked here, before anything runs.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "host/link/channel_figures.hpp"
#include "host/link/energy.hpp"
#include "kernels/engine/lane_engine.hpp"
#include "host/io/results.hpp"
#include "host/scenario/scenario.hpp"

namespace ll {

struct LinkReport {
  RingFigures ring{};
  double extinction_ratio_db = 0.0;        // static, between the extreme drive levels
  // Noiseless photocurrent of each level index at the decision instant: the drive pulse's peak
  // (bias + (V - bias) x cursor_gain; the ISI's mean is zero), where the thresholds sit.
  double received_levels_a[kMaxLevels]{};
  // The same after a long run of the level (the drive settled at bias + (V - bias) x H1's DC
  // gain): what an SSPRQ's long runs and a power meter measure, the OMA's and P_avg's levels.
  double settled_levels_a[kMaxLevels]{};
  double settled_drive_v[kMaxLevels]{};
  double noise_bandwidth_hz = 0.0;
  double sample_rate_hz = 0.0;
  double shift_pm_per_v = 0.0;          // resonance travel over the swing / swing
  double junction_capacitance_f = 0.0;  // at the bias (junction model)
  double junction_rc_hz = 0.0;          // 1 / (2 pi R_s C_j) at the bias (junction model)
  double builtin_voltage_v = 0.0;
  // Thermal lock (with [mrm.thermal]): heater power that holds the operating point, whether it
  // wrapped to the next resonance order, the self-heating loop gain, and the verdict.
  double heater_power_w = std::numeric_limits<double>::quiet_NaN();
  bool heater_wrapped = false;
  double self_heating_gain = std::numeric_limits<double>::quiet_NaN();
  LockStatus lock = LockStatus::not_modelled;
  // WDM lane: its channel, the mean loss its channel suffers passing the other modulator rings,
  // and the crosstalk power its photodiode collects from the other channels relative to its own
  // (mean powers; -inf without crosstalk).
  double lane_wavelength_m = std::numeric_limits<double>::quiet_NaN();
  // SerDes side (issue 4): whether a channel or transmit FFE sits ahead of the driver, the
  // channel's loss at Nyquist relative to DC, the drive pulse's peak (the cursor's share of a
  // level's excursion), and what the Touchstone reader had to say.
  bool serdes_transmit = false;
  int fec_frame_bits = 512;  // the frame the FEC's frame loss ratio is stated for
  LaneEnergy energy;         // [energy]: the lane's power but the heater's (host/link/energy.hpp)
  double channel_loss_db = 0.0;
  double mzm_vpi_v = std::numeric_limits<double>::quiet_NaN();  // an MZM's V_pi (NaN: a ring)
  // A micro-LED's modulation bandwidth at the drive's bias, 1 / (2 pi tau_d) (NaN: none).
  double microled_bandwidth_hz = std::numeric_limits<double>::quiet_NaN();
  // The fibre's D L, ps/nm (NaN: no fibre; kernels/engine/stages_fibre.hpp).
  double fibre_dispersion_ps_per_nm = std::numeric_limits<double>::quiet_NaN();
  // MPI's crosstalk: the reflections' copies' power over the signal's, P R^2 (NaN: no MPI).
  double mpi_crosstalk_db = std::numeric_limits<double>::quiet_NaN();
  int channel_fir_symbols = 0;  // the host channel's FIR, in UI (0: none)
  ChannelFigures channel;       // the host channel's own figures (NaN: none)
  double com_db = std::numeric_limits<double>::quiet_NaN();  // the channel's COM (host/link/com.hpp)
  // The standard's COM of a Touchstone channel with channel.com_set's reference receiver
  // (host/link/com_standard.hpp; NaN: not asked).
  double com_reference_db = std::numeric_limits<double>::quiet_NaN();
  double cursor_gain = 1.0;
  std::vector<std::string> warnings;
  // The chain's pulse response at the decision phase, one value per symbol (A per unit symbol
  // value: the outer levels one apart; the sign follows the ring), the cursor at the index.
  std::vector<double> symbol_pulse_a;
  int symbol_pulse_cursor = 0;
  // The same pulse at every sample (A per unit symbol value), the decision sample's index, and
  // the samples per UI: the statistical eye's input (host/link/stat_eye.hpp).
  std::vector<double> pulse_a;
  long pulse_cursor = -1;
  int samples_per_ui = 0;
  // With transmit jitter: the chain's response (A, on the pulse's time axis) to a transition
  // from level `from` to level `to` at sample 0, every earlier symbol at `from`:
  // level_step_a[(from * levels + to) * level_step_points + n]; empty without jitter.
  std::vector<double> level_step_a;
  int level_step_points = 0;
  // The photodiode (optical power from current) and the eye histogram's amplitude axis:
  // current = eye_offset_a + eye_scale_a x normalised amplitude.
  int levels = 0;                  // PAM order
  double eye_target_ber = 2.4e-4;  // eye.target_ber
  double responsivity_a_per_w = 0.0;
  double dark_current_a = 0.0;
  double eye_offset_a = 0.0, eye_scale_a = 0.0;
  double bus_through_db = 0.0;
  double demux_crosstalk_db = -std::numeric_limits<double>::infinity();
};

struct PreparedLink {
  LinkSetup setup;
  LinkReport report;
};

// Builds one link. Throws ScenarioError naming the key (and its location in `s`) when the
// physics is not sound: a bandwidth above the simulation's Nyquist frequency, a detuning past
// half an FSR, received levels that fold onto each other, a receiver without a noise bandwidth.
PreparedLink prepare_link(const Scenario& s, std::size_t point, const LaneParams& lp,
                          const RunParams& rp);

// The lanes of sweep point `point`: one link for a single lane; for a WDM bus ([wdm]), one per
// channel, lane j on channel j (wavelength ascending), each with its own ring designed for its
// channel, independent data and noise, the bus data of physics/wdm_bus.hpp, and thresholds at
// the levels its photodiode sees with the other lanes at their mean. Throws ScenarioError for a
// grid wider than the rings' FSR (unless wdm.grid_beyond_fsr) or an unsound demultiplexer.
std::vector<PreparedLink> prepare_point(const Scenario& s, std::size_t point, const LaneParams& lp,
                                        const RunParams& rp);

// The Touchstone file of a point's [channel] (channel.file, relative to the scenario's folder),
// or "" when its channel model reads none.
std::string channel_file_path(const Scenario& s, const LaneParams& lp);

// What decides the stages a link runs (kernels/engine/stage_list.hpp lane_stages): the batch
// settings from its keys and its set-up (its FIRs), without the run's rules or any link.
BatchSetup stage_settings(const LaneParams& lp, const LinkSetup& link);

// The channel wavelengths of a point (one for a single lane), ascending.
std::vector<double> lane_wavelengths_m(const LaneParams& lp);

}  // namespace ll
