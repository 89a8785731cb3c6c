// The schema of lightlane's HDF5 output (host/io/hdf5_writer.hpp): every dimension and per-point
// variable the writer makes, with its name, how it is read from a PointResult, its units and
// long_name, and the fill values of points not written yet. The writer creates and writes them
// in these tables' order (host/io/hdf5_writer.cpp, host/io/hdf5_write_points.cpp), and that order
// is what xarray shows. Internal to host/io/hdf5_*.cpp: not part of the writer's interface.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "host/io/results.hpp"
#include "physics/lane.hpp"

namespace ll::hdf5_detail {

inline constexpr double kRealFill = std::numeric_limits<double>::quiet_NaN();
inline constexpr std::uint64_t kCountFill = 0;
inline constexpr std::uint32_t kEyeFill = 0;

// ---- names and descriptions of the layout (the contract with plotting scripts) ---------------

inline constexpr const char* kPointDim = "point";
inline constexpr const char* kDrawDim = "draw";  // random draws at every grid point
inline constexpr const char* kLaneDim = "lane";
inline constexpr const char* kEyeAmplitudeDim = "eye_amplitude";
inline constexpr const char* kEyePhaseDim = "eye_phase_ui";

struct CountColumn {
  const char* name;
  std::uint64_t PointResult::*field;
  const char* long_name;
};
inline constexpr std::array<CountColumn, 6> kCountColumns{{
    {"bits", &PointResult::bits, "bits counted"},
    {"bit_errors", &PointResult::bit_errors, "bit errors"},
    {"symbols", &PointResult::symbols, "symbols counted"},
    {"symbol_errors", &PointResult::symbol_errors, "symbol errors"},
    {"fec_codewords", &PointResult::fec_codewords, "complete RS(544,514) codewords counted"},
    {"fec_codeword_errors", &PointResult::fec_codeword_errors,
     "RS(544,514) codewords with more than 15 symbol errors (uncorrectable)"},
}};

struct RealColumn {
  const char* name;
  double PointResult::*field;
  const char* units;
  const char* long_name;
};
// Two tables only so that the creation order (which xarray shows) groups related variables.
inline constexpr std::array<RealColumn, 10> kRatioColumns{{
    {"ber", &PointResult::ber, "1", "bit error ratio"},
    {"ber_lo", &PointResult::ber_lo, "1", "lower bound of the 95% Clopper-Pearson interval of ber"},
    {"ber_hi", &PointResult::ber_hi, "1", "upper bound of the 95% Clopper-Pearson interval of ber"},
    {"ser", &PointResult::ser, "1", "symbol error ratio"},
    {"fec_codeword_error_ratio", &PointResult::fec_codeword_error_ratio, "1",
     "KP4 RS(544,514) codeword error ratio from the error positions"},
    {"fec_codeword_error_ratio_lo", &PointResult::fec_cer_lo, "1",
     "lower bound of the 95% Clopper-Pearson interval of fec_codeword_error_ratio"},
    {"fec_codeword_error_ratio_hi", &PointResult::fec_cer_hi, "1",
     "upper bound of the 95% Clopper-Pearson interval of fec_codeword_error_ratio"},
    {"fec_codeword_error_ratio_random", &PointResult::fec_codeword_error_ratio_random, "1",
     "codeword error ratio independent random bit errors at ber would give"},
    {"fec_inner_ber", &PointResult::fec_inner_ber, "1",
     "BER the inner Hamming(128,120) decoder leaves in its message bits (NaN without fec.inner)"},
    {"fec_frame_loss_ratio", &PointResult::fec_frame_loss_ratio, "1",
     "frame loss ratio after the FEC (fec.frame_octets frames, independent codeword failures)"},
}};
inline constexpr std::array<RealColumn, 11> kFigureColumns{{
    {"eye_offset_a", &PointResult::eye_offset_a, "A", "photocurrent at normalised eye amplitude 0"},
    {"eye_scale_a", &PointResult::eye_scale_a, "A",
     "photocurrent per unit of normalised eye amplitude"},
    {"mrm_fsr_nm", &PointResult::mrm_fsr_nm, "nm", "free spectral range of the ring"},
    {"mrm_q_loaded", &PointResult::mrm_q_loaded, "1", "loaded quality factor of the ring"},
    {"mrm_extinction_ratio_db", &PointResult::mrm_extinction_ratio_db, "dB",
     "static extinction ratio between the extreme drive levels"},
    {"heater_power_mw", &PointResult::heater_power_mw, "mW",
     "ring heater power that holds the operating point, with self-heating (NaN: not modelled); "
     "with the lock loop, its power at the end of the run"},
    {"mrm_lock_error_pm", &PointResult::mrm_lock_error_pm, "pm",
     "lock loop: resonance minus its operating point at the end of the run, red positive (NaN: "
     "no loop)"},
    {"cdr_phase_ui", &PointResult::cdr_phase_ui, "UI",
     "recovered sampling phase, mean, from the pulse response's peak (NaN: ideal CDR)"},
    {"cdr_jitter_rms_ui", &PointResult::cdr_jitter_rms_ui, "UI",
     "recovered sampling phase, rms about its mean (NaN: ideal CDR)"},
    {"fibre_dispersion_ps_per_nm", &PointResult::fibre_dispersion_ps_per_nm, "ps/nm",
     "the fibre's chromatic dispersion D L at the laser's wavelength (NaN: no fibre)"},
    {"mpi_crosstalk_db", &PointResult::mpi_crosstalk_db, "dB",
     "multipath interference: the reflections' copies' power over the signal's (NaN: no MPI)"},
}};

// uint8 CF flag variables: name, how to read the field, values (0 .. n-1), meanings, long_name.
struct FlagColumn {
  const char* name;
  std::uint8_t (*get)(const PointResult&);
  std::uint8_t count;
  const char* meanings;
  const char* long_name;
  std::uint8_t fill;
};
inline constexpr std::array<FlagColumn, 2> kFlagColumns{{
    {"stop_reason", [](const PointResult& r) { return static_cast<std::uint8_t>(r.stop_reason); },
     4, kStopReasonMeanings, "why the point's run stopped (statistical: run.mode = \"stat\")",
     static_cast<std::uint8_t>(StopReason::not_run)},
    {"mrm_lock", [](const PointResult& r) { return static_cast<std::uint8_t>(r.mrm_lock); }, 5,
     kLockStatusMeanings, "whether the ring's thermal lock holds its operating point",
     static_cast<std::uint8_t>(LockStatus::not_modelled)},
}};
inline constexpr const char* kEyeHistogramName = "eye_histogram";
// Runs of consecutive symbol errors by length (DFE error propagation): [point(, lane),
// burst_length], the last bin counting runs of kBurstBins symbols or more; and the KP4 codewords
// by their symbol errors, [point(, lane), fec_symbol_errors]. Each histogram has its own
// dimension, its coordinate the bin's value (first_value + index).
struct CountHistogram {
  const char* dim;
  const char* dim_long_name;
  const char* name;
  const char* long_name;
  std::vector<std::uint64_t> PointResult::*field;
  int bins;
  std::uint64_t first_value;
};
inline const std::array<CountHistogram, 2> kCountHistograms{{
    {"burst_length", "length of a run of consecutive symbol errors (the last: this many or more)",
     "error_bursts", "runs of consecutive symbol errors, by length", &PointResult::error_bursts,
     kBurstBins, 1},
    {"fec_symbol_errors", "symbol errors in one RS(544,514) codeword (the last: this many or more)",
     "fec_symbol_error_histogram",
     "RS(544,514) codewords by their symbol errors (more than 15: "
     "uncorrectable)",
     &PointResult::fec_symbol_error_histogram, kFecHistogramBins, 0},
}};
// The received eye (host/link/eye_metrics.hpp).
inline constexpr std::array<RealColumn, 8> kEyeMetricColumns{{
    {"oma_outer_dbm", &PointResult::oma_outer_dbm, "dBm",
     "optical modulation amplitude between the outer levels at the photodiode (noiseless)"},
    {"average_power_dbm", &PointResult::average_power_dbm, "dBm",
     "mean optical power at the photodiode (noiseless levels, with their probabilities)"},
    {"extinction_ratio_db", &PointResult::extinction_ratio_db, "dB",
     "outer levels' optical power ratio, measured from the eye histogram at the decision instant"},
    {"rlm", &PointResult::rlm, "1",
     "PAM4 level separation mismatch (IEEE 802.3 120D.3.1.2) of the measured level means"},
    {"snr_db", &PointResult::snr_db, "dB",
     "measured level means' variance over their mean variance (noise and ISI) at the decision"},
    {"tdecq_db", &PointResult::tdecq_db, "dB",
     "transmitter and dispersion eye closure of the waveform at the photodiode, IEEE 802.3 "
     "TDECQ (PAM4) or TDEC (NRZ); inf: closed"},
    {"com_db", &PointResult::com_db, "dB",
     "operating margin of the host electrical channel alone behind the lane's own transmit FFE, "
     "with an MMSE FFE/DFE of the IEEE 802.3dj reference receiver's size (no CTLE or FFE "
     "search, package or crosstalk: not the standard's COM, see com_reference_db); it judges "
     "that channel, not the lane (the lane's verdict is ber) (NaN without [channel])"},
    {"com_reference_db", &PointResult::com_reference_db, "dB",
     "channel operating margin as IEEE 802.3 annex 93A computes it for the Touchstone channel "
     "and the crosstalk files beside it, with the parameter set named by this variable's com_set "
     "attribute (its package, reference transmitter and receiver, CTLE and transmit-FFE search); "
     "the smallest package case (NaN without channel.com_set)"},
}};
// The host channel's own figures ([channel]; host/link/channel_figures.hpp): NaN without one.
inline constexpr std::array<RealColumn, 9> kChannelColumns{{
    {"channel_il_half_nyquist_db", &PointResult::channel_il_half_nyquist_db, "dB",
     "host channel's insertion loss at half the Nyquist frequency (symbol rate / 4)"},
    {"channel_il_nyquist_db", &PointResult::channel_il_nyquist_db, "dB",
     "host channel's insertion loss at the Nyquist frequency (symbol rate / 2)"},
    {"channel_il_symbol_rate_db", &PointResult::channel_il_symbol_rate_db, "dB",
     "host channel's insertion loss at the symbol rate (NaN: the file ends below it)"},
    {"channel_ild_rms_db", &PointResult::channel_ild_rms_db, "dB",
     "RMS of the insertion loss's deviation from its fit a0 + a1 sqrt(f) + a2 f + a3 f^2 up to "
     "the symbol rate (a Touchstone channel's)"},
    {"channel_return_loss_db", &PointResult::channel_return_loss_db, "dB",
     "host channel's smallest input return loss (SDD11 or S11) up to the Nyquist frequency (a "
     "Touchstone channel's)"},
    {"channel_delay_ps", &PointResult::channel_delay_ps, "ps",
     "host channel's delay: the through response's phase slope up to the Nyquist frequency (a "
     "Touchstone channel's)"},
    {"channel_pulse_cursor", &PointResult::channel_pulse_cursor, "1",
     "main cursor of the host channel's response to one UI, as a fraction of a long run's level"},
    {"channel_pulse_pre1", &PointResult::channel_pulse_pre1, "1",
     "first pre-cursor (one UI before the main cursor), as a fraction of a long run's level"},
    {"channel_pulse_post1", &PointResult::channel_pulse_post1, "1",
     "first post-cursor (one UI after the main cursor), as a fraction of a long run's level"},
}};
// The eye's opening at eye.target_ber: from the statistical eye (run.mode = "stat") or from the
// Monte-Carlo eye histogram (NaN without one).
inline constexpr std::array<RealColumn, 2> kEyeOpeningColumns{{
    {"eye_height", &PointResult::eye_height_a, "A",
     "eye height at eye.target_ber, smallest of the eyes (statistical eye in stat mode, else the "
     "eye histogram)"},
    {"eye_width", &PointResult::eye_width_ui, "UI",
     "eye width at eye.target_ber (statistical eye in stat mode, else the eye histogram)"},
}};
inline constexpr const char* kBathtubDim = "bathtub_phase_ui";
inline constexpr const char* kBathtubName = "bathtub_ber";
// eye.contour_bers in stat mode: [point(, lane), contour_ber, eye_edge, bathtub_phase_ui].
inline constexpr const char* kContourDim = "contour_ber";
inline constexpr const char* kEyeEdgeDim = "eye_edge";
inline constexpr const char* kContourName = "eye_contour_a";
// Energy and power ([energy], host/link/energy.hpp): NaN for points without it.
inline constexpr std::array<RealColumn, 13> kEnergyColumns{{
    {"energy_pj_per_bit", &PointResult::energy_pj_per_bit, "pJ/bit",
     "energy per bit of the lane's line rate, every part below summed"},
    {"energy_laser_pj_per_bit", &PointResult::energy_laser_pj_per_bit, "pJ/bit",
     "laser: optical power over wall-plug efficiency"},
    {"energy_modulator_pj_per_bit", &PointResult::energy_modulator_pj_per_bit, "pJ/bit",
     "modulator drive: C Var(V) per symbol"},
    {"energy_heater_pj_per_bit", &PointResult::energy_heater_pj_per_bit, "pJ/bit",
     "ring heater (0 without [mrm.thermal])"},
    {"energy_driver_pj_per_bit", &PointResult::energy_driver_pj_per_bit, "pJ/bit",
     "modulator driver (energy.driver_pj_per_bit)"},
    {"energy_tia_pj_per_bit", &PointResult::energy_tia_pj_per_bit, "pJ/bit",
     "TIA (energy.tia_pj_per_bit)"},
    {"energy_cdr_pj_per_bit", &PointResult::energy_cdr_pj_per_bit, "pJ/bit",
     "CDR (energy.cdr_pj_per_bit; 0 by default: in the SerDes receiver's figure)"},
    {"energy_serdes_pj_per_bit", &PointResult::energy_serdes_pj_per_bit, "pJ/bit",
     "host SerDes, both ends (energy.serdes_pj_per_bit; default by the host channel's reach)"},
    {"energy_retimer_pj_per_bit", &PointResult::energy_retimer_pj_per_bit, "pJ/bit",
     "a pluggable module's DSP retimer (energy.retimer_pj_per_bit; 0 by default)"},
    {"lane_power_mw", &PointResult::lane_power_mw, "mW", "the lane's power, every part summed"},
    {"port_power_w", &PointResult::port_power_w, "W",
     "the port's power: energy.lanes_per_port lanes"},
    {"port_rate_gbps", &PointResult::port_rate_gbps, "Gb/s", "the port's line rate"},
    {"lasers_per_port", &PointResult::lasers_per_port, "1",
     "lasers feeding one port (energy.lasers_per_port; default one per lane)"},
}};
// The link's margin (host/link/margin.hpp): NaN where it is not computed (margin.compute = false, a
// WDM bus, a link the statistical eye cannot stand in for, a floor above the target).
inline constexpr std::array<RealColumn, 7> kMarginColumns{{
    {"sensitivity_oma_dbm", &PointResult::sensitivity_oma_dbm, "dBm",
     "received OMA (outer, at the photodiode) at which the statistical eye's BER reaches "
     "margin_target_ber, the link otherwise as at the point"},
    {"margin_db", &PointResult::margin_db, "dB",
     "received OMA above the sensitivity: the optical loss the point can add before its BER "
     "reaches margin_target_ber (negative: it fails by that much)"},
    {"channel_margin_db", &PointResult::channel_margin_db, "dB",
     "host channel insertion loss at Nyquist the point can add before its BER reaches "
     "margin_target_ber (parametric channels; NaN otherwise)"},
    {"margin_target_ber", &PointResult::margin_target_ber, "1",
     "the pre-FEC BER a point passes below and the margins are taken at (margin.target_ber: "
     "the FEC's threshold), written whether or not the margins are computed"},
    {"sensitivity_check_ber", &PointResult::sensitivity_check_ber, "1",
     "Monte-Carlo BER counted at the sensitivity found (run.mode = mc): it confirms the "
     "sensitivity when its interval holds margin_target_ber"},
    {"sensitivity_check_ber_lo", &PointResult::sensitivity_check_ber_lo, "1",
     "lower end of sensitivity_check_ber's 95% Clopper-Pearson interval"},
    {"sensitivity_check_ber_hi", &PointResult::sensitivity_check_ber_hi, "1",
     "upper end of sensitivity_check_ber's 95% Clopper-Pearson interval"},
}};
// Written only for a WDM bus (a file with the `lane` dimension).
inline constexpr std::array<RealColumn, 3> kWdmColumns{{
    {"lane_wavelength_nm", &PointResult::lane_wavelength_nm, "nm", "the lane's channel wavelength"},
    {"wdm_bus_loss_db", &PointResult::wdm_bus_loss_db, "dB",
     "mean loss the other modulator rings of the bus impose on the lane's channel"},
    {"wdm_crosstalk_db", &PointResult::wdm_crosstalk_db, "dB",
     "mean power the lane's photodiode collects from other channels, relative to its own"},
}};

}  // namespace ll::hdf5_detail
