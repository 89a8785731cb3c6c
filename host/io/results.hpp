// What a finished sweep point hands to the output: counts (so shards merge exactly), ratios
// and their intervals, the eye histogram and the designed ring's figures.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "physics/config.hpp"
#include "physics/fec.hpp"
#include "physics/lane.hpp"  // kStopTargetErrors, kStopBitBudget

namespace ll {

// Why a Monte-Carlo point stopped. Stored in HDF5 as uint8 `stop_reason` with CF attributes
// flag_values / flag_meanings, so plotting scripts can decode it.
enum class StopReason : std::uint8_t {
  not_run = 0,        // never started (fill value of an interrupted file)
  target_errors = 1,  // reached run.target_errors bit errors
  bit_budget = 2,     // reached run.max_bits without the target error count
  statistical = 3,    // run.mode = "stat": the statistical eye, no Monte-Carlo counts
};
inline constexpr const char* kStopReasonMeanings = "not_run target_errors bit_budget statistical";
static_assert(static_cast<std::uint8_t>(StopReason::target_errors) == kStopTargetErrors &&
              static_cast<std::uint8_t>(StopReason::bit_budget) == kStopBitBudget);

// Whether the ring's thermal lock holds its operating point. Stored as uint8 `mrm_lock` with CF
// flags.
enum class LockStatus : std::uint8_t {
  not_modelled = 0,  // no [mrm.thermal] in the scenario
  locked = 1,
  beyond_heater_budget = 2,  // the heater cannot bring any resonance order to the target
  thermally_unstable = 3,    // self-heating gain >= 1 on this flank: the lock cannot hold it
  not_acquired = 4,          // the lock loop ran but ended further than its tolerance from the lock
};
inline constexpr const char* kLockStatusMeanings =
    "not_modelled locked beyond_heater_budget thermally_unstable not_acquired";

// StatEye: kernels/engine/stat_eye_batch.hpp.

struct PointResult {
  std::uint64_t bits = 0;
  std::uint64_t bit_errors = 0;
  std::uint64_t symbols = 0;
  std::uint64_t symbol_errors = 0;
  double ber = 0.0, ber_lo = 0.0, ber_hi = 0.0;  // ratio and 95% Clopper-Pearson interval
  double ser = 0.0;
  StopReason stop_reason = StopReason::not_run;

  // Runs of consecutive symbol errors by length 1 .. kBurstBins (the last: that many or more).
  std::vector<std::uint64_t> error_bursts = std::vector<std::uint64_t>(kBurstBins, 0);
  // KP4 RS(544,514) (physics/fec.hpp): complete codewords of the counted bits, those with more
  // than t = 15 symbol errors, their ratio with its 95% interval, the ratio independent random
  // bit errors at the measured BER would give, the frame loss ratio it implies, and the
  // codewords by their symbol errors (0 .. kFecHistogramBins - 1, the last: that many or more).
  std::uint64_t fec_codewords = 0;
  std::uint64_t fec_codeword_errors = 0;
  double fec_codeword_error_ratio = 0.0, fec_cer_lo = 0.0, fec_cer_hi = 0.0;
  double fec_codeword_error_ratio_random = 0.0;
  double fec_frame_loss_ratio = 0.0;
  // With fec.inner: the BER the inner code leaves in its message bits (NaN without it).
  double fec_inner_ber = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::uint64_t> fec_symbol_error_histogram =
      std::vector<std::uint64_t>(kFecHistogramBins, 0);
  // Eye histogram, row-major [amplitude_bin][phase_bin]; sizes from OutputLayout. Empty: no eye
  // was collected (the statistical mode, a point not simulated), zeros in the file.
  std::vector<std::uint32_t> eye_histogram;
  // Absolute received photocurrent of a normalised eye amplitude y: offset + scale * y.
  double eye_offset_a = 0.0;
  double eye_scale_a = 0.0;

  // The designed micro-ring at the laser wavelength.
  double mrm_fsr_nm = 0.0;
  double mrm_q_loaded = 0.0;
  double mrm_extinction_ratio_db = 0.0;  // between the extreme drive levels, static
  // Thermal tuning (NaN / not_modelled without [mrm.thermal]).
  double heater_power_mw = 0.0;
  double fibre_dispersion_ps_per_nm = std::numeric_limits<double>::quiet_NaN();  // D L
  double mpi_crosstalk_db = std::numeric_limits<double>::quiet_NaN();  // P R^2
  LockStatus mrm_lock = LockStatus::not_modelled;
  // The lock loop's resonance minus its operating point at the end of the run (red > 0; NaN
  // without mrm.thermal.lock = "loop").
  double mrm_lock_error_pm = std::numeric_limits<double>::quiet_NaN();
  // Clock recovery: the recovered sampling phase's mean and rms jitter, UI from the pulse peak
  // (NaN: the ideal CDR).
  double cdr_phase_ui = std::numeric_limits<double>::quiet_NaN();
  double cdr_jitter_rms_ui = std::numeric_limits<double>::quiet_NaN();
  // The received eye (host/link/eye_metrics.hpp): optical from the set-up; measured from the
  // Monte-Carlo eye histogram (NaN without one).
  double oma_outer_dbm = std::numeric_limits<double>::quiet_NaN();
  double average_power_dbm = std::numeric_limits<double>::quiet_NaN();
  double extinction_ratio_db = std::numeric_limits<double>::quiet_NaN();
  double rlm = std::numeric_limits<double>::quiet_NaN();
  double snr_db = std::numeric_limits<double>::quiet_NaN();
  // TDECQ (PAM4) or TDEC (NRZ) of the noiseless waveform at the photodiode with the laser's RIN
  // (host/link/tdecq.hpp; NaN for PAM6 and PAM8 or with tdecq.symbols = 0; +inf: closed).
  double tdecq_db = std::numeric_limits<double>::quiet_NaN();
  // The link's margin (host/link/margin.hpp; NaN where not computed): the received OMA at which the
  // BER reaches margin_target_ber, the point's distance from it, and the host channel's loss
  // margin.
  double sensitivity_oma_dbm = std::numeric_limits<double>::quiet_NaN();
  double margin_db = std::numeric_limits<double>::quiet_NaN();
  double channel_margin_db = std::numeric_limits<double>::quiet_NaN();
  double margin_target_ber = std::numeric_limits<double>::quiet_NaN();
  // The Monte-Carlo count at the sensitivity found (mc mode) and its 95% interval.
  double sensitivity_check_ber = std::numeric_limits<double>::quiet_NaN();
  double sensitivity_check_ber_lo = std::numeric_limits<double>::quiet_NaN();
  double sensitivity_check_ber_hi = std::numeric_limits<double>::quiet_NaN();
  // The host channel's operating margin (host/link/com.hpp; NaN without [channel]).
  double com_db = std::numeric_limits<double>::quiet_NaN();
  // The standard's COM (channel.com_set; host/link/com_standard.hpp; NaN without one).
  double com_reference_db = std::numeric_limits<double>::quiet_NaN();
  // The host channel's own figures (host/link/channel_figures.hpp; NaN without [channel]).
  double channel_il_half_nyquist_db = std::numeric_limits<double>::quiet_NaN();
  double channel_il_nyquist_db = std::numeric_limits<double>::quiet_NaN();
  double channel_il_symbol_rate_db = std::numeric_limits<double>::quiet_NaN();
  double channel_ild_rms_db = std::numeric_limits<double>::quiet_NaN();
  double channel_return_loss_db = std::numeric_limits<double>::quiet_NaN();
  double channel_delay_ps = std::numeric_limits<double>::quiet_NaN();
  double channel_pulse_cursor = std::numeric_limits<double>::quiet_NaN();
  double channel_pulse_pre1 = std::numeric_limits<double>::quiet_NaN();
  double channel_pulse_post1 = std::numeric_limits<double>::quiet_NaN();
  // The statistical eye (run.mode = "stat"; NaN otherwise): BER over the UI's phases, and the
  // eye's height (A) and width (UI) at eye.target_ber.
  std::vector<double> bathtub_ber;
  double eye_height_a = std::numeric_limits<double>::quiet_NaN();
  double eye_width_ui = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> eye_contour_a;  // [contour_ber][eye_edge][bathtub_phase_ui], or empty
  // Energy ([energy], host/link/energy.hpp; NaN without it): per bit of the lane's line rate, by
  // part, their sum, the lane's power and the port's (energy.lanes_per_port lanes).
  double energy_laser_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double energy_modulator_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double energy_heater_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double energy_driver_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double energy_tia_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double energy_cdr_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double energy_serdes_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double energy_retimer_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double lasers_per_port = std::numeric_limits<double>::quiet_NaN();
  double energy_pj_per_bit = std::numeric_limits<double>::quiet_NaN();
  double lane_power_mw = std::numeric_limits<double>::quiet_NaN();
  double port_power_w = std::numeric_limits<double>::quiet_NaN();
  double port_rate_gbps = std::numeric_limits<double>::quiet_NaN();
  // WDM lane (written only for a bus): its channel, the mean loss the other modulator rings
  // impose on it, and the crosstalk its photodiode collects relative to its own signal.
  double lane_wavelength_nm = 0.0;
  double wdm_bus_loss_db = 0.0;
  double wdm_crosstalk_db = 0.0;
};

// One varied scenario key of a list sweep: its HDF5 name is the key with dots as underscores.
struct SweptKey {
  std::string key;             // e.g. "driver.swing_vpp"
  std::string units;           // the unit named by the key's suffix, e.g. "V"
  std::vector<double> values;  // one per point, in the scenario's units
  // A grid sweep's axis: its coordinate values. When swept keys have one, the points are their
  // product (last axis fastest) and each such key is a dimension of the output; the keys without
  // one are then random draws at every grid point (OutputLayout::draws), coordinates over the
  // grid's dimensions and `draw`. Without a grid (lists, random draws) the keys are coordinates
  // on `point`.
  std::vector<double> axis;
};

struct OutputLayout {
  std::size_t points = 0;
  // WDM bus: lanes per point, which adds the `lane` dimension to every per-point variable
  // (0: a single lane, no `lane` dimension).
  std::size_t lanes = 0;
  std::vector<SweptKey> swept;  // empty for a single point
  // A grid with random draws at each of its points: the draws per grid point, the sweep's last
  // dimension `draw` (point = grid point x draws + draw). 0: no such dimension.
  std::size_t draws = 0;
  std::vector<double> eye_amplitude;     // bin centres, normalised (-1 .. +1 outer levels)
  std::vector<double> eye_phase_ui;      // bin centres in UI, 0 = the sampling instant
  std::vector<double> bathtub_phase_ui;  // the statistical bathtub's phases, 0 = the decision
  std::vector<double> contour_ber;       // eye.contour_bers (empty: no contour variable)
  std::string com_set;                   // channel.com_set ("none": com_reference_db is NaN)
  int eye_edges = 0;                     // 2 (M - 1): each eye's floor and ceiling
  // Root attributes.
  std::string scenario_text;
  std::string scenario_path;
  std::string scenario_overrides;  // the --set overrides, one per line
  std::string shard;               // "k/N" of a sharded run (empty: the whole run)
  std::string version;
  std::string git_revision;
  std::string backend;  // "cpu" or "cuda (device name)"
};

}  // namespace ll
