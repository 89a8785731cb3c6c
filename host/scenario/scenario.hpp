// Scenarios: TOML files with units in key names (`radius_um`, `power_dbm`), parsed against one
// registry of keys that also drives `--set` overrides, sweeps and validation. Inside the
// program every quantity is SI.
//
// Errors are ScenarioError: one line that names the file, the line and the key and says what
// was expected. The command line turns them into exit code 2 before anything runs.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "kernels/engine/stage_keys.hpp"
#include "physics/config.hpp"
#include "physics/junction.hpp"
#include "physics/prbs.hpp"
#include "physics/thermal.hpp"

namespace ll {

// Where a value came from: a file and line, or a --set override.
struct SourceLocation {
  std::string file;              // scenario path, or "--set"
  int line = 0;                  // 0 when unknown (e.g. --set)
  std::string describe() const;  // "file:line" or "--set"
};

// Bad input: the one-line message, and where known the place and key it names (the Python
// module's lightlane.ScenarioError carries them as attributes).
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ScenarioError(const std::string& message, SourceLocation where, std::string key)
      : std::runtime_error(message), where_(std::move(where)), key_(std::move(key)) {}
  const SourceLocation& where() const { return where_; }  // file "" when not known
  const std::string& key() const { return key_; }         // "" when not one key's
 private:
  SourceLocation where_;
  std::string key_;
};

enum class LevelSpacing : std::uint8_t {
  voltage,  // drive levels equally spaced in voltage (the DAC's natural output)
  optical,  // drive levels pre-distorted so the ring's output power levels are equally spaced
};

inline double nan_d() { return std::numeric_limits<double>::quiet_NaN(); }

// A WDM bus ([wdm]): `channels` lanes, each with its own laser, modulator ring, drop ring and
// photodiode, on a grid centred on mrm.laser_wavelength_nm. Absent: a single lane.
struct WdmParams {
  int channels = 0;  // 0: no bus
  double spacing_hz = nan_d();
  bool grid_beyond_fsr = false;  // the user accepts a grid wider than the rings' FSR
  bool demux_ring = false;       // false: an ideal demultiplexer (no crosstalk, no loss)
  double demux_radius_m = nan_d();
  double demux_n_g = nan_d();
  double demux_power_coupling_in = nan_d();    // kappa1^2, receive bus <-> ring
  double demux_power_coupling_drop = nan_d();  // kappa2^2, ring <-> drop waveguide
  double demux_loss_db_per_m = nan_d();
  double demux_resonance_offset_m = 0.0;  // drop resonance minus its channel (misalignment)
};

// The resonance lock ([mrm.thermal] lock keys): "steady" reports the heater power that holds
// the designed operating point; "loop" runs the monitor photodiode and heater controller in the
// engine at chunk rate (kernels/engine/thermal_loop.hpp), starting `initial_error_m` off the lock.
struct ThermalLockParams {
  bool loop = false;
  double gain_relative = 1.0;    // integral gain over the critically damped one
  double initial_error_m = 0.0;  // resonance minus its operating point at the start (red > 0)
  double tolerance_fwhm = 0.05;  // |error| at the end that counts as locked, in loaded FWHM
  double settle_s = 0.0;  // simulated time before errors and the eye are counted (acquisition)
};

// The host electrical channel ahead of the driver ([channel], host/link/channel.hpp).
enum class ChannelModel { none, touchstone, parametric };

// The transmitter's modulator (transmitter.modulator): the micro-ring ([mrm]) or a Mach-Zehnder
// modulator ([mzm], physics/mzm.hpp).
// none: no optics, an electrical lane (the SerDes's signal through the channel to the receiver).
enum class Modulator { mrm, mzm, eml, microled, none };
// A directly modulated micro-LED (physics/microled.hpp), SI.
struct MicroLedParams {
  double a_per_s = std::numeric_limits<double>::quiet_NaN();
  double b_m3_per_s = std::numeric_limits<double>::quiet_NaN();
  double c_m6_per_s = std::numeric_limits<double>::quiet_NaN();
  double volume_m3 = std::numeric_limits<double>::quiet_NaN();  // the active region's
  double injection_efficiency = 1.0;
  double extraction_efficiency = std::numeric_limits<double>::quiet_NaN();  // into the link
  double amps_per_v = std::numeric_limits<double>::quiet_NaN();  // the driver's transconductance
  double forward_v = std::numeric_limits<double>::quiet_NaN();   // energy: the LED's voltage
};
// An electro-absorption modulated laser (physics/eml.hpp).
struct EmlParams {
  double insertion_loss_db = 0.0;                                  // at 0 V
  double v0_v = std::numeric_limits<double>::quiet_NaN();          // 1/e of absorption
  double exponent = std::numeric_limits<double>::quiet_NaN();      // of (V / V0)
  double chirp_alpha = std::numeric_limits<double>::quiet_NaN();   // Henry factor
  double bandwidth_hz = std::numeric_limits<double>::infinity();   // RC pole
};
struct MzmParams {
  bool silicon = false;  // mzm.material: "silicon" (depletion) or "tfln" (Pockels)
  bool material_given = false;
  double vpi_l_v_m = std::numeric_limits<double>::quiet_NaN();  // V_pi L at the bias, V m
  double length_m = std::numeric_limits<double>::quiet_NaN();
  double bias_phase_rad = 0.0;
  double arm_imbalance = 0.0;
  double builtin_v = std::numeric_limits<double>::quiet_NaN();  // silicon
  double insertion_loss_db = 0.0;
  double electrode_bandwidth_hz = std::numeric_limits<double>::infinity();
  double termination_ohm = 50.0;
};
// Which ports of a 4-port Touchstone file form the differential pairs: in12_out34 (ports 1 and
// 2 at the input, 3 and 4 at the output, through 1->3 and 2->4) or in13_out24 (1 and 3 in, 2 and
// 4 out, through 1->2 and 3->4).
enum class PortOrder { in12_out34, in13_out24 };
struct ChannelParams {
  ChannelModel model = ChannelModel::none;
  std::string file;  // Touchstone path as given (relative to the scenario's folder)
  PortOrder port_order = PortOrder::in12_out34;
  bool port_order_given = false;
  // A file that ends below the lane's Nyquist frequency is refused unless this says to roll its
  // response off above its last frequency (host/link/channel.hpp) anyway.
  bool extrapolate = false;
  // The standard's COM of the Touchstone channel (host/link/com_standard.hpp): the parameter
  // set's name ("none": not computed), and whether the aggressors beside the thru file (its name
  // with "thru" read as "fext<n>" or "next<n>") join it.
  std::string com_set = "none";
  bool com_crosstalk_beside = true;
  double loss_at_nyquist_db = std::numeric_limits<double>::quiet_NaN();
  double skin_share = std::numeric_limits<double>::quiet_NaN();
  double die_capacitance_f = 0.0;
  // Package trace at each end (length 0: none).
  double package_length_m = 0.0;
  double package_impedance_ohm = std::numeric_limits<double>::quiet_NaN();
  double package_delay_s_per_m = std::numeric_limits<double>::quiet_NaN();
};

// Transmit FFE: physics/config.hpp kTxFfeTaps, kTxFfeCursor.

// Energy and power ([energy], host/link/energy.hpp; absent: not reported). Every input comes from the
// scenario: NaN means not given.
struct EnergyParams {
  double laser_wall_plug_efficiency = std::numeric_limits<double>::quiet_NaN();
  double laser_coupling_loss_db = std::numeric_limits<double>::quiet_NaN();  // laser to the bus
  double modulator_capacitance_f = std::numeric_limits<double>::quiet_NaN();
  double driver_j_per_bit = std::numeric_limits<double>::quiet_NaN();
  double tia_j_per_bit = std::numeric_limits<double>::quiet_NaN();
  double cdr_j_per_bit = std::numeric_limits<double>::quiet_NaN();
  double serdes_j_per_bit = std::numeric_limits<double>::quiet_NaN();
  double retimer_j_per_bit = std::numeric_limits<double>::quiet_NaN();  // a module's DSP
  int lanes_per_port = 0;
  int lasers_per_port = 0;  // 0: one per lane
  bool given = false;       // the scenario has an [energy] table (every part has a default)
  bool present() const { return given; }
};

// Receiver CTLE ([receiver.ctle]; NaN dc gain: none).
struct CtleParams {
  double dc_gain_db = std::numeric_limits<double>::quiet_NaN();
  double zero_hz = std::numeric_limits<double>::quiet_NaN();
  double pole1_hz = std::numeric_limits<double>::quiet_NaN();
  double pole2_hz = std::numeric_limits<double>::quiet_NaN();
  double dc_gain2_db = 0.0;
  double lf_hz = 0.0;  // 0: no low-frequency pole-zero pair
  bool present() const { return std::isfinite(dc_gain_db); }
};

// The host receiver's FFE and DFE ([rx_eq]; ffe_taps = 0: the plain decision).
struct RxEqParams {
  int ffe_taps = 0;
  int ffe_pre = 0;
  int dfe_taps = 0;
  double dfe_limit = 0.85;  // |b_k| relative to the swing: IEEE 802.3dj COM b_max (PARAMETERS.md)
  bool lms = false;         // adapt during the run (else the MMSE taps, fixed)
  int adc_bits = 0;         // 0: no ADC
  double adc_full_scale = 1.25;  // relative to the outer levels' span (they sit at 80% of it)
  double lms_step = std::numeric_limits<double>::quiet_NaN();
  bool enabled() const { return ffe_taps > 0; }
};

// Transmit jitter ([tx_jitter]), in UI (all 0: none).
struct TxJitterParams {
  double rj_rms_ui = 0.0;
  double sj_amplitude_ui = 0.0;  // peak
  double sj_frequency_hz = 0.0;
  double dcd_ui = 0.0;  // peak-to-peak
  double buj_ui = 0.0;  // peak-to-peak
  bool present() const {
    return rj_rms_ui > 0.0 || sj_amplitude_ui > 0.0 || dcd_ui > 0.0 || buj_ui > 0.0;
  }
};

// Clock recovery ([cdr]).
struct CdrParams {
  int mode = 0;  // CdrMode: 0 ideal (the pulse peak), 1 Mueller-Muller, 2 bang-bang
  double bandwidth_hz = std::numeric_limits<double>::quiet_NaN();
  double initial_phase_ui = 0.0;
};

// One link's physics, SI units. Infinite bandwidth = the stage is the identity.
struct LaneParams {
  // signal
  Pattern pattern = Pattern::prbs31q;
  int levels = 4;  // 2 = NRZ, 4 = PAM4
  double symbol_rate_hz = 0.0;
  int samples_per_ui = 32;
  // driver (DAC + driver + junction, as seen by the ring)
  double drive_swing_vpp = 0.0;  // peak-to-peak between the outer levels
  double drive_bias_v = 0.0;     // mid-level voltage; positive = reverse bias
  LevelSpacing level_spacing = LevelSpacing::voltage;
  double driver_bandwidth_hz = 0.0;  // 4th-order Bessel-Thomson 3 dB frequency, inf = none
  int dac_bits = 0;                  // transmit DAC resolution over the swing; 0: none
  // KP4 FEC accounting ([fec], physics/fec.hpp): codewords interleaved per FEC symbol, and the
  // frame size the frame loss ratio is stated for.
  int fec_interleave = 1;
  bool fec_inner_hamming = false;  // the inner Hamming(128,120) code of 200G optics
  int fec_frame_octets = 64;
  // laser
  double laser_wavelength_m = 0.0;
  double laser_power_w = 0.0;
  double laser_rin_db_per_hz = -std::numeric_limits<double>::infinity();
  // micro-ring modulator
  double ring_radius_m = 0.0;
  double ring_n_eff = 0.0;
  double ring_n_g = 0.0;
  double ring_power_coupling = 0.0;
  double ring_loss_db_per_m = 0.0;
  double ring_shift_m_per_v = 0.0;
  double ring_detuning_m = 0.0;          // laser wavelength minus the ring's resonance at 0 V
  double ring_resonance_offset_m = 0.0;  // fabrication offset of the cold resonance
  bool ring_dynamic = false;             // coupled-mode photon-lifetime dynamics instead of static
  // Electro-optic model: linear (ring_shift_m_per_v) or the PN-junction depletion model, whose
  // radius and wavelength come from the ring and the laser. NaN: not given.
  bool eo_junction = false;
  Modulator modulator = Modulator::mrm;
  MzmParams mzm;
  EmlParams eml;
  MicroLedParams microled;
  JunctionParams junction{nan_d(), nan_d(), 300.0,   nan_d(), nan_d(),
                          0.0,     nan_d(), nan_d(), nan_d(), 0.0};
  // Thermal tuning and self-heating ([mrm.thermal]; NaN: not modelled). Time constants are used
  // only by the chunk-rate lock loop.
  ThermalParams thermal{nan_d(), nan_d(), 0.0, nan_d(), 0.0, nan_d(), 1.0};
  bool thermal_modelled() const { return std::isfinite(thermal.heater_efficiency_m_per_w); }
  ThermalLockParams lock;
  // optical path between the ring and the photodiode
  double waveguide_length_m = 0.0;
  double waveguide_loss_db_per_m = 0.0;
  double coupler_loss_db = 0.0;  // per coupler
  int couplers = 0;
  double extra_loss_db = 0.0;  // fibre, connectors, demultiplexer: a lumped budget
  // receiver
  double responsivity_a_per_w = 0.0;
  double dark_current_a = 0.0;
  double tia_noise_a_per_rthz = 0.0;   // input-referred current noise density
  // An electrical lane's receiver: its input-referred noise's one-sided density, V^2/Hz (COM's
  // eta_0); NaN: not given.
  double eta0_v2_per_hz = std::numeric_limits<double>::quiet_NaN();
  double receiver_bandwidth_hz = 0.0;  // 4th-order Bessel-Thomson 3 dB frequency, inf = none
  double noise_bandwidth_hz = std::numeric_limits<double>::quiet_NaN();  // NaN: from the filter
  bool shot_noise = true;
  double sampling_phase_ui = 0.0;  // offset from the pulse-response peak
  WdmParams wdm;
  ChannelParams channel;
  std::array<double, kTxFfeTaps> tx_ffe{};  // the cursor's entry is unused (derived)
  CtleParams ctle;
  EnergyParams energy;
  RxEqParams rx_eq;
  TxJitterParams tx_jitter;
  CdrParams cdr;
  // Set by the host for a lane of a WDM bus, not a scenario key: the demultiplexer drop ring's
  // filtering of its own channel as a pole in the received photocurrent (inf: none).
  double drop_filter_pole_hz = std::numeric_limits<double>::infinity();

  // The stages' own keys (kernels/engine/stage_keys.hpp), by key, in their own units.
  StageValues stage_values;

  // The optical path's loss from the modulator to the photodiode: the lumped budget and the
  // stages folded into the photodiode's gain.
  double optical_loss_db() const {
    return waveguide_length_m * waveguide_loss_db_per_m + coupler_loss_db * couplers +
           extra_loss_db + folded_optical_loss_db(stage_values) +
           (modulator == Modulator::mzm ? mzm.insertion_loss_db : 0.0);
    // (an EML's insertion loss is its curve's T0, in its transmission)
  }
};

// Process variation of the ring ([mrm.variation]): `draws` fabricated rings, each a sweep point,
// with normal offsets (truncated at 4 sigma) of the resonance, the coupling and the loss.
struct VariationParams {
  std::int64_t draws = 0;  // 0: no variation
  double resonance_sigma_pm = 0.0;
  double coupling_sigma = 0.0;
  double loss_sigma_db_per_cm = 0.0;
};

struct RunParams {
  std::string mode = "mc";
  std::uint64_t seed = 1;
  std::uint64_t max_bits = 0;
  std::uint64_t target_errors = 0;
  std::uint64_t segment_bits = 0;  // a point's bits in segments of this many (kernels/segments.hpp)
  int chunk_symbols = 1024;
  bool chunk_symbols_given = false;  // else plan_sweep grows it to the chain's delay
  std::int64_t eye_symbols = 65536;
  int eye_amplitude_bins = 256;
  double eye_target_ber = 2.4e-4;        // the statistical eye's height and width are taken here
  std::vector<double> eye_contour_bers;  // descending, in (0, 0.5); empty: no contours
  // TDECQ / TDEC (host/link/tdecq.hpp): UIs of waveform per point (0: not computed) and the
  // reference equaliser's taps.
  std::int64_t tdecq_symbols = 65536;
  int tdecq_ffe_taps = 5;
  // The link margin (host/link/margin.hpp): whether each point gets it, and the pre-FEC BER it is
  // taken at (the FEC's threshold: KP4's, or the concatenated inner code's).
  bool margin = true;
  double margin_target_ber = 2.4e-4;
  // Not a key: the host channel's COM at set-up (off for the margin's searches, which re-set a
  // link some 30 times and read only its BER).
  bool channel_com = true;
  VariationParams variation;
};

using ScalarValue = std::variant<double, std::int64_t, bool, std::string>;

struct ScenarioValue {
  ScalarValue value;
  SourceLocation where;
};

// A swept key: its value at each point (`values[p]`, in the key's scenario units) and where each
// value came from. [sweep.list] zips its lists into these; [sweep.grid] and [sweep.random]
// expand into them (one value per point), so every point reads its swept values alike.
struct SweepAxis {
  std::string key;
  std::vector<double> values;
  // Where it was given: one location per value of an array; a range, or an expanded axis (a
  // grid's product, draws), keeps only the key's (front(), what messages name), so a sweep's
  // memory is its values, not a location per point.
  std::vector<SourceLocation> where;
  std::string table = "sweep.list";  // the table it was given in, for messages
};

// A random draw per point ([sweep.random]): normal (a = mean, b = standard deviation), uniform
// (on [lo, hi]) or truncated_normal (mean a, deviation b, cut to [lo, hi]).
struct RandomDraw {
  std::string key;
  std::string distribution;
  double a = 0.0, b = 0.0, lo = 0.0, hi = 0.0;
  SourceLocation where;
};

struct Scenario {
  std::string path;
  std::string text;
  std::map<std::string, ScenarioValue> values;  // every key given, after --set overrides
  std::vector<SweepAxis> sweep;
  // [sweep.grid]: the axes of the product, first outermost (`sweep` holds the product point by
  // point, the last axis fastest); empty for other sweeps. They are the output's dimensions.
  std::vector<SweepAxis> grid;
  // [sweep.random]: the number of draws and the distributions (expanded into `sweep`); with a
  // grid, the draws are made at every grid point (point = grid point x draws + draw).
  std::int64_t random_draws = 0;
  std::vector<RandomDraw> random;
  // Draws ([sweep.random] or [mrm.variation]) at every point of a [sweep.grid]: the draws per
  // grid point, the output's last sweep dimension `draw` (0: none).
  std::size_t draws_per_grid_point = 0;
  // eye.contour_bers: the statistical eye's contour levels (a list, so kept apart from `values`).
  std::vector<double> contour_bers;
  // The --set overrides applied, in order (recorded in the output: a resumed run must match).
  std::vector<std::string> overrides;

  std::size_t points() const { return sweep.empty() ? 1 : sweep.front().values.size(); }
  // The location of a key, for error messages about cross-key physics.
  SourceLocation where(const std::string& key) const;
  // Whether a key was given: a value (file or --set) or a sweep axis.
  bool given(const std::string& key) const;
};

// The one format of every scenario error: throws ScenarioError "file:line: key: what".
[[noreturn]] void fail_at(const SourceLocation& where, const std::string& key,
                          const std::string& what);
// The same for a key of scenario `s`, at the place it was given (value, sweep or --set).
[[noreturn]] void fail_key(const Scenario& s, const std::string& key, const std::string& what);

// "; did you mean \"KEY\"?" for the known name nearest an unknown one, or "" when none is near:
// within a quarter of its length in edits (at least 2), case aside ("laser.power_dBm"), or the
// same name in another table ("receiver.power_dbm" -> "laser.power_dbm").
std::string did_you_mean(const std::string& given, const std::vector<std::string>& known);

// A number for messages and tables, with `significant_digits` significant digits.
std::string format_number(double v, int significant_digits);
// v with `decimals` digits after the point (std::fixed).
std::string format_fixed(double v, int decimals);

// Reads and validates a scenario file; overrides are "key=value" with a TOML value.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});
Scenario parse_scenario(const std::string& text, const std::string& path,
                        const std::vector<std::string>& overrides = {});

// The parameters of sweep point `point` (all keys, with the point's swept values applied),
// range-checked key by key. Cross-key physics checks are in lane_setup.
LaneParams lane_params(const Scenario& s, std::size_t point);
RunParams run_params(const Scenario& s);

// Metadata of a registered key, for sweeps and output.
struct KeyInfo {
  std::string key;
  std::string units;  // unit of the scenario value ("GBd", "um", "1" ...)
  bool numeric;
  // A numeric key's range (scenario units) and whether inf is a meaning of its own (no band
  // limit, no RIN).
  double lowest = -std::numeric_limits<double>::infinity();
  double highest = std::numeric_limits<double>::infinity();
  bool infinity_allowed = false;
};
std::optional<KeyInfo> find_key(const std::string& key);
std::vector<KeyInfo> all_keys();

}  // namespace ll
