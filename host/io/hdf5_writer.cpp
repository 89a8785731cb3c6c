// HDF5 C API + H5DS (dimension scales) writer of the netCDF-4 / CF-1.8 result layout described
// in hdf5_writer.hpp. netCDF-4 is plain HDF5 plus conventions; the ones that matter here:
//  - every dimension is a 1-D dataset made a dimension scale whose NAME is the dimension name
//    (a "coordinate variable"), and every axis of every variable has its scale attached;
//  - groups track link and attribute creation order (netCDF-C refuses or misorders files
//    without it, and xarray then lists variables in the order we created them);
//  - text attributes are strings (we use variable-length UTF-8 so h5py returns str).
#include "host/io/hdf5_writer.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/io/hdf5_handle.hpp"
#include "physics/lane.hpp"

namespace ll {
namespace {

static_assert(std::is_same_v<hid_t, std::int64_t>,
              "Hdf5Writer keeps the file id as std::int64_t; needs HDF5 >= 1.10");

constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
constexpr unsigned kEyeDeflateLevel = 4;
constexpr double kRealFill = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t kCountFill = 0;
constexpr std::uint32_t kEyeFill = 0;

// ---- names and descriptions of the layout (the contract with plotting scripts) ---------------

constexpr const char* kPointDim = "point";
constexpr const char* kDrawDim = "draw";  // random draws at every grid point
constexpr const char* kLaneDim = "lane";
constexpr const char* kEyeAmplitudeDim = "eye_amplitude";
constexpr const char* kEyePhaseDim = "eye_phase_ui";

struct CountColumn {
  const char* name;
  std::uint64_t PointResult::*field;
  const char* long_name;
};
constexpr std::array<CountColumn, 6> kCountColumns{{
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
constexpr std::array<RealColumn, 10> kRatioColumns{{
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
constexpr std::array<RealColumn, 9> kFigureColumns{{
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
constexpr std::array<FlagColumn, 2> kFlagColumns{{
    {"stop_reason", [](const PointResult& r) { return static_cast<std::uint8_t>(r.stop_reason); },
     4, kStopReasonMeanings, "why the point's run stopped (statistical: run.mode = \"stat\")",
     static_cast<std::uint8_t>(StopReason::not_run)},
    {"mrm_lock", [](const PointResult& r) { return static_cast<std::uint8_t>(r.mrm_lock); }, 5,
     kLockStatusMeanings, "whether the ring's thermal lock holds its operating point",
     static_cast<std::uint8_t>(LockStatus::not_modelled)},
}};
constexpr const char* kEyeHistogramName = "eye_histogram";
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
const std::array<CountHistogram, 2> kCountHistograms{{
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
constexpr std::array<RealColumn, 7> kEyeMetricColumns{{
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
     "channel operating margin of the host electrical channel alone with the IEEE 802.3dj "
     "reference receiver: it judges that channel, not the lane (optics, ring and the lane's "
     "receiver are not in it; the lane's verdict is ber) (NaN without [channel])"},
}};
// The eye's opening at eye.target_ber: from the statistical eye (run.mode = "stat") or from the
// Monte-Carlo eye histogram (NaN without one).
constexpr std::array<RealColumn, 2> kEyeOpeningColumns{{
    {"eye_height", &PointResult::eye_height_a, "A",
     "eye height at eye.target_ber, smallest of the eyes (statistical eye in stat mode, else the "
     "eye histogram)"},
    {"eye_width", &PointResult::eye_width_ui, "UI",
     "eye width at eye.target_ber (statistical eye in stat mode, else the eye histogram)"},
}};
constexpr const char* kBathtubDim = "bathtub_phase_ui";
constexpr const char* kBathtubName = "bathtub_ber";
// eye.contour_bers in stat mode: [point(, lane), contour_ber, eye_edge, bathtub_phase_ui].
constexpr const char* kContourDim = "contour_ber";
constexpr const char* kEyeEdgeDim = "eye_edge";
constexpr const char* kContourName = "eye_contour_a";
// Energy and power ([energy], host/link/energy.hpp): NaN for points without it.
constexpr std::array<RealColumn, 13> kEnergyColumns{{
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
constexpr std::array<RealColumn, 7> kMarginColumns{{
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
constexpr std::array<RealColumn, 3> kWdmColumns{{
    {"lane_wavelength_nm", &PointResult::lane_wavelength_nm, "nm", "the lane's channel wavelength"},
    {"wdm_bus_loss_db", &PointResult::wdm_bus_loss_db, "dB",
     "mean loss the other modulator rings of the bus impose on the lane's channel"},
    {"wdm_crosstalk_db", &PointResult::wdm_crosstalk_db, "dB",
     "mean power the lane's photodiode collects from other channels, relative to its own"},
}};

// ---- handles and errors -----------------------------------------------------------------------

using Handle = Hdf5Handle;

// The innermost entry of the HDF5 error stack, the one that names the cause (e.g. "errno = 2,
// error message = 'No such file or directory'"); the outer ones only repeat "open failed".
// Clears the stack.
std::string take_hdf5_error_text() {
  struct Walk {
    std::string text;
    int entries = 0;
  } walk;
  constexpr int kMaxEntries = 1;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* error, void* data) -> herr_t {
        auto& w = *static_cast<Walk*>(data);
        if (w.entries >= kMaxEntries || error->desc == nullptr || error->desc[0] == '\0') {
          return 0;
        }
        if (!w.text.empty()) w.text += "; ";
        w.text += error->desc;
        ++w.entries;
        return 0;
      },
      &walk);
  H5Eclear2(H5E_DEFAULT);
  return walk.text;
}

// Turns failed HDF5 calls into Hdf5FileError naming the file.
class Checker {
 public:
  explicit Checker(const std::string& path) : path_(path) {}

  [[noreturn]] void fail(const std::string& what) const {
    std::string message = "HDF5 output '" + path_ + "': cannot " + what;
    const std::string hdf5_text = take_hdf5_error_text();
    if (!hdf5_text.empty()) message += " (" + hdf5_text + ")";
    throw Hdf5FileError(message);
  }
  Handle own(hid_t id, Handle::Closer closer, const std::string& what) const {
    if (id < 0) fail(what);
    return Handle(id, closer);
  }
  void ok(herr_t status, const std::string& what) const {
    if (status < 0) fail(what);
  }

 private:
  const std::string& path_;
};

// File access for writing a point at a time. HDF5's sieve buffer (64 KiB by default) caches a
// contiguous dataset's bytes around each write and writes the whole buffer back at every flush:
// with a flush per point, a 10,000-point sweep rewrote ~45 x 64 KiB per point (measured with
// strace: 320 KB written per point for a 3.7 MB file of 400 points). Without it, a point's values
// go to the file as the few bytes they are.
void set_point_write_access(const Checker& check, hid_t fapl) {
  check.ok(H5Pset_sieve_buf_size(fapl, 0), "set the file access properties");
}

// ---- attributes ---------------------------------------------------------------------------

// Variable-length UTF-8: h5py reads it as str, netCDF-C as NC_STRING, and it has no size limit
// (a scenario file may be larger than the 64 KiB an object header attribute can hold).
Handle utf8_string_type(const Checker& check) {
  Handle type = check.own(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
  check.ok(H5Tset_size(type.get(), H5T_VARIABLE), "make a variable-length string type");
  check.ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set the UTF-8 character set");
  return type;
}

void write_string_attribute(const Checker& check, hid_t object, const char* name,
                            const std::string& value) {
  const std::string what = std::string("write attribute '") + name + "'";
  Handle type = utf8_string_type(check);
  Handle space = check.own(H5Screate(H5S_SCALAR), H5Sclose, what);
  Handle attribute = check.own(
      H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  const char* text = value.c_str();
  check.ok(H5Awrite(attribute.get(), type.get(), &text), what);
}

// A numeric attribute of `count` values (count == 1 gives a scalar, as netCDF-C writes them).
void write_numeric_attribute(const Checker& check, hid_t object, const char* name, hid_t file_type,
                             hid_t memory_type, const void* values, hsize_t count) {
  const std::string what = std::string("write attribute '") + name + "'";
  Handle space = count == 1 ? check.own(H5Screate(H5S_SCALAR), H5Sclose, what)
                            : check.own(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
  Handle attribute = check.own(
      H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  check.ok(H5Awrite(attribute.get(), memory_type, values), what);
}

void describe(const Checker& check, hid_t dataset, const char* units,
              const std::string& long_name) {
  write_string_attribute(check, dataset, "units", units);
  write_string_attribute(check, dataset, "long_name", long_name);
}

// ---- datasets -----------------------------------------------------------------------------

struct Fill {
  hid_t memory_type;
  const void* value;
};

// Creates a dataset of `dims`. With `fill`, unwritten elements read as that value (the HDF5
// fill value; floating datasets also carry the CF `_FillValue` attribute xarray reads).
// `chunk_point_axes` > 0 stores one index of each of the first that many axes (the sweep's, the
// lane's) per chunk, shuffled and deflated: the eye histogram
// is written a few points at a time and mostly zero, and a reader pulls one point's eye.
Handle create_dataset(const Checker& check, hid_t file, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, const Fill* fill,
                      unsigned chunk_point_axes = 0) {
  const std::string what = "create dataset '" + name + "'";
  Handle dcpl = check.own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
  // netCDF-C tracks attribute order on variables too; matching it keeps attribute order stable.
  check.ok(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), what);
  if (fill != nullptr) {
    check.ok(H5Pset_fill_value(dcpl.get(), fill->memory_type, fill->value), what);
  }
  bool all_dims_nonzero = true;
  for (hsize_t d : dims) all_dims_nonzero = all_dims_nonzero && d > 0;
  // HDF5 refuses chunks larger than a fixed-size dataset, so empty ones stay contiguous.
  if (chunk_point_axes > 0 && all_dims_nonzero) {
    std::vector<hsize_t> chunk = dims;
    for (unsigned a = 0; a < chunk_point_axes; ++a) chunk[a] = 1;
    check.ok(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), what);
    // Byte shuffle first: a count's high bytes are almost all zero, so grouped into planes they
    // deflate in half the time and to 3/4 of the size (measured on 200 eyes of 256 x 64 bins:
    // 1.36 -> 0.61 ms and 8.5 -> 6.3 KB per eye at level 4).
    check.ok(H5Pset_shuffle(dcpl.get()), what);
    check.ok(H5Pset_deflate(dcpl.get(), kEyeDeflateLevel), what);
  }
  Handle space = check.own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                           H5Sclose, what);
  Handle dataset = check.own(
      H5Dcreate2(file, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, what);
  // `_FillValue` only on floating datasets (NaN): on counts, xarray would mask every genuine
  // zero (a point with no bit errors) as missing and turn the counts into floats.
  if (fill != nullptr && H5Tget_class(file_type) == H5T_FLOAT) {
    write_numeric_attribute(check, dataset.get(), "_FillValue", file_type, fill->memory_type,
                            fill->value, 1);
  }
  return dataset;
}

void write_whole(const Checker& check, hid_t dataset, hid_t memory_type, const void* data,
                 std::size_t count, const std::string& name) {
  if (count == 0) return;  // nothing to write, and HDF5 has no buffer to read
  check.ok(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
           "write dataset '" + name + "'");
}

// Point p's index on the sweep's axes (`shape`, row-major: the last axis fastest) into
// index[0 .. shape.size()).
template <class Shape>
void point_index(std::size_t p, const Shape& shape, hsize_t* index) {
  for (std::size_t a = shape.size(); a-- > 0;) {
    index[a] = p % shape[a];
    p /= shape[a];
  }
}

// Writes points [first, first + n) of a per-point dataset whose leading axes are the sweep's
// (`sweep_shape`, row-major: the last axis fastest) and whose trailing axes (`trailing`: lane,
// histogram bins ...) are written whole. On a grid the points are a union of hyperslabs, one per
// run of points along the last axis; HDF5 transfers a selection in row-major order, which is the
// points' order in `data`.
void write_points_slab(const Checker& check, hid_t dataset, const char* name, hid_t memory_type,
                       const void* data, const std::vector<std::size_t>& sweep_shape,
                       std::size_t first, std::size_t n, const std::vector<hsize_t>& trailing) {
  const std::string what = std::string("write points into dataset '") + name + "'";
  Handle file_space = check.own(H5Dget_space(dataset), H5Sclose, what);
  const std::size_t axes = sweep_shape.size();
  std::vector<hsize_t> start(axes + trailing.size(), 0), count(axes, 1);
  count.insert(count.end(), trailing.begin(), trailing.end());
  const std::size_t last_axis = sweep_shape.back();
  bool first_run = true;
  for (std::size_t p = first; p < first + n;) {
    // The run of points from p along the last axis, within the range.
    point_index(p, sweep_shape, start.data());
    const std::size_t run =
        std::min<std::size_t>(last_axis - static_cast<std::size_t>(start[axes - 1]), first + n - p);
    count[axes - 1] = run;
    check.ok(H5Sselect_hyperslab(file_space.get(), first_run ? H5S_SELECT_SET : H5S_SELECT_OR,
                                 start.data(), nullptr, count.data(), nullptr),
             what);
    first_run = false;
    p += run;
  }
  std::vector<hsize_t> memory_dims{n};
  memory_dims.insert(memory_dims.end(), trailing.begin(), trailing.end());
  Handle memory_space =
      check.own(H5Screate_simple(static_cast<int>(memory_dims.size()), memory_dims.data(), nullptr),
                H5Sclose, what);
  check.ok(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, data),
           what);
}

Handle create_dimension(const Checker& check, hid_t file, const char* name, hid_t file_type,
                        hid_t memory_type, const void* values, std::size_t count, const char* units,
                        const char* long_name) {
  Handle dataset =
      create_dataset(check, file, name, file_type, {static_cast<hsize_t>(count)}, nullptr);
  write_whole(check, dataset.get(), memory_type, values, count, name);
  describe(check, dataset.get(), units, long_name);
  // The scale's NAME is the dimension name: netCDF-C and h5netcdf then treat the dataset as
  // the coordinate variable of a dimension of that name.
  check.ok(H5DSset_scale(dataset.get(), name), std::string("make '") + name + "' a dimension");
  return dataset;
}

// The extent of a simple dataspace, axis by axis.
std::vector<hsize_t> space_dims(hid_t space) {
  std::vector<hsize_t> dims(
      static_cast<std::size_t>(std::max(0, H5Sget_simple_extent_ndims(space))));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

// A dimension whose coordinate counts first, first + 1, ... (point, draw, lane, eye edge, the
// count histograms' bins), as uint64.
Handle create_index_dimension(const Checker& check, hid_t file, const char* name, std::size_t count,
                              const char* long_name, std::uint64_t first = 0) {
  std::vector<std::uint64_t> index(count);
  for (std::size_t i = 0; i < count; ++i) index[i] = first + i;
  return create_dimension(check, file, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, index.data(), count,
                          "1", long_name);
}

void attach(const Checker& check, hid_t dataset, hid_t scale, unsigned axis,
            const std::string& name) {
  check.ok(H5DSattach_scale(dataset, scale, axis),
           "attach a dimension scale to axis " + std::to_string(axis) + " of '" + name + "'");
}

std::string swept_dataset_name(const std::string& key) {
  std::string name = key;
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

}  // namespace

// ---- Hdf5Writer -------------------------------------------------------------------------------

Hdf5Writer::Hdf5Writer(const std::string& path, const OutputLayout& layout, Mode mode)
    : path_(path),
      points_(layout.points),
      lanes_(layout.lanes),
      eye_amplitude_bins_(layout.eye_amplitude.size()),
      eye_phase_bins_(layout.eye_phase_ui.size()),
      bathtub_bins_(layout.bathtub_phase_ui.size()),
      contours_(layout.contour_ber.size()),
      eye_edges_(static_cast<std::size_t>(layout.eye_edges)) {
  // Validate before touching the file, so a bad layout does not truncate an existing output.
  std::set<std::string> names{kPointDim,    kDrawDim,          kLaneDim,    kEyeAmplitudeDim,
                              kEyePhaseDim, kEyeHistogramName, kBathtubDim, kBathtubName,
                              kContourDim,  kEyeEdgeDim,       kContourName};
  for (const auto& c : kEyeOpeningColumns) names.insert(c.name);
  for (const auto& c : kEyeMetricColumns) names.insert(c.name);
  for (const auto& h : kCountHistograms) names.insert({h.dim, h.name});
  for (const auto& c : kWdmColumns) names.insert(c.name);
  for (const auto& c : kEnergyColumns) names.insert(c.name);
  for (const auto& c : kMarginColumns) names.insert(c.name);
  for (const auto& c : kFlagColumns) names.insert(c.name);
  for (const auto& c : kCountColumns) names.insert(c.name);
  for (const auto& c : kRatioColumns) names.insert(c.name);
  for (const auto& c : kFigureColumns) names.insert(c.name);
  // A grid: every swept key with an axis a dimension, their product (times the draws at each
  // grid point, the last dimension) the points; the other keys are the draws.
  const bool grid = std::any_of(layout.swept.begin(), layout.swept.end(),
                                [](const SweptKey& k) { return !k.axis.empty(); });
  const bool drawn = std::any_of(layout.swept.begin(), layout.swept.end(),
                                 [](const SweptKey& k) { return k.axis.empty(); });
  if (grid && drawn != (layout.draws > 0))
    throw std::invalid_argument("HDF5 output '" + path +
                                "': a grid's keys without an axis must be draws at every grid "
                                "point, and draws need such keys");
  if (grid) {
    std::size_t product = 1;
    for (const SweptKey& k : layout.swept) {
      if (k.axis.empty()) continue;
      sweep_shape_.push_back(k.axis.size());
      product *= k.axis.size();
    }
    if (layout.draws > 0) {
      sweep_shape_.push_back(layout.draws);
      product *= layout.draws;
    }
    if (product != layout.points)
      throw std::invalid_argument("HDF5 output '" + path + "': the grid's axes make " +
                                  std::to_string(product) + " points, not " +
                                  std::to_string(layout.points));
  } else {
    sweep_shape_.push_back(layout.points);
  }
  std::string coordinates;  // CF: auxiliary coordinate variables, separated by spaces
  for (const SweptKey& swept : layout.swept) {
    const std::string name = swept_dataset_name(swept.key);
    if (name.empty() || name.find('/') != std::string::npos ||
        name.find(' ') != std::string::npos) {
      throw std::invalid_argument("HDF5 output '" + path + "': swept key '" + swept.key +
                                  "' cannot name a dataset");
    }
    if (!names.insert(name).second) {
      throw std::invalid_argument("HDF5 output '" + path + "': swept key '" + swept.key +
                                  "' gives dataset name '" + name + "', which is taken");
    }
    if (swept.values.size() != layout.points) {
      throw std::invalid_argument("HDF5 output '" + path + "': swept key '" + swept.key + "' has " +
                                  std::to_string(swept.values.size()) + " values for " +
                                  std::to_string(layout.points) + " points");
    }
    if (!swept.axis.empty()) continue;  // a dimension of its own, not an auxiliary coordinate
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += name;
  }

  QuietHdf5Errors quiet;
  const Checker check(path_);
  if (mode == Mode::resume) {
    open_for_resume(layout);
    return;
  }

  Handle fcpl = check.own(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create the file");
  check.ok(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), "create the file");
  check.ok(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), "create the file");
  Handle fapl = check.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create the file");
  // The 1.8 format is what netCDF-C writes and every HDF5 since 1.8 reads. Capping the format
  // there also keeps superblock v3's "file is open for writing" flag out of the file, which
  // would make readers refuse the output of a killed run until someone runs h5clear.
  check.ok(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), "create the file");
  set_point_write_access(check, fapl.get());
  Handle file = check.own(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose,
                          "create the file");
  const hid_t fid = file.get();

  // Root attributes.
  write_string_attribute(check, fid, "Conventions", "CF-1.8");
  write_string_attribute(check, fid, "title", "lightlane simulation results");
  write_string_attribute(check, fid, "scenario", layout.scenario_text);
  write_string_attribute(check, fid, "scenario_path", layout.scenario_path);
  write_string_attribute(check, fid, "scenario_overrides", layout.scenario_overrides);
  if (!layout.shard.empty()) write_string_attribute(check, fid, "shard", layout.shard);
  write_string_attribute(check, fid, "lightlane_version", layout.version);
  write_string_attribute(check, fid, "git_revision", layout.git_revision);
  write_string_attribute(check, fid, "backend", layout.backend);

  // Dimensions: the sweep's (a grid's keys, or `point`), then the others.
  std::vector<Handle> sweep_scales;
  if (grid) {
    for (const SweptKey& swept : layout.swept) {
      if (swept.axis.empty()) continue;
      const std::string name = swept_dataset_name(swept.key);
      sweep_scales.push_back(create_dimension(
          check, fid, name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, swept.axis.data(),
          swept.axis.size(), swept.units.c_str(), swept.key.c_str()));
    }
    if (layout.draws > 0)  // the same drawn values at every grid point
      sweep_scales.push_back(create_index_dimension(check, fid, kDrawDim, layout.draws, "draw"));
  } else {
    sweep_scales.push_back(
        create_index_dimension(check, fid, kPointDim, points_, "sweep point index"));
  }
  // The first axis after the sweep's (and the lane's) of a per-point variable.
  const unsigned sweep_axes = static_cast<unsigned>(sweep_shape_.size());
  const unsigned first_block_axis = sweep_axes + (lanes_ > 0 ? 1 : 0);
  const Handle amplitude_scale =
      create_dimension(check, fid, kEyeAmplitudeDim, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                       layout.eye_amplitude.data(), eye_amplitude_bins_, "1",
                       "received signal normalised to the outer levels (-1 lowest, +1 highest)");
  const Handle phase_scale = create_dimension(
      check, fid, kEyePhaseDim, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, layout.eye_phase_ui.data(),
      eye_phase_bins_, "UI", "time from the sampling instant");
  const Handle bathtub_scale = create_dimension(
      check, fid, kBathtubDim, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, layout.bathtub_phase_ui.data(),
      bathtub_bins_, "UI", "sampling phase from the decision instant");

  std::vector<Handle> histogram_scales;
  for (const CountHistogram& h : kCountHistograms)
    histogram_scales.push_back(create_index_dimension(
        check, fid, h.dim, static_cast<std::size_t>(h.bins), h.dim_long_name, h.first_value));

  // A WDM bus: every per-point variable gets the `lane` dimension after the sweep's.
  Handle lane_scale;
  if (lanes_ > 0)
    lane_scale = create_index_dimension(
        check, fid, kLaneDim, lanes_, "lane of the WDM bus (channel index, wavelength ascending)");
  const std::vector<hsize_t> sweep_dims(sweep_shape_.begin(), sweep_shape_.end());
  std::vector<hsize_t> point_dims = sweep_dims;
  if (lanes_ > 0) point_dims.push_back(static_cast<hsize_t>(lanes_));
  // Swept keys of lists and draws: auxiliary coordinates over the sweep's dimensions (`point`, or
  // a grid's and `draw`), written whole now (they are known up front, so they carry no fill
  // value).
  for (const SweptKey& swept : layout.swept) {
    if (!swept.axis.empty()) continue;
    const std::string name = swept_dataset_name(swept.key);
    Handle dataset = create_dataset(check, fid, name, H5T_IEEE_F64LE, sweep_dims, nullptr);
    write_whole(check, dataset.get(), H5T_NATIVE_DOUBLE, swept.values.data(), swept.values.size(),
                name);
    describe(check, dataset.get(), swept.units.c_str(), swept.key);
    for (unsigned a = 0; a < sweep_scales.size(); ++a)
      attach(check, dataset.get(), sweep_scales[a].get(), a, name);
  }

  // Per-point data variables.
  auto finish_point_variable = [&](const Handle& dataset, const std::string& name) {
    if (!coordinates.empty()) {
      write_string_attribute(check, dataset.get(), "coordinates", coordinates);
    }
    for (unsigned a = 0; a < sweep_axes; ++a)
      attach(check, dataset.get(), sweep_scales[a].get(), a, name);
    if (lanes_ > 0) attach(check, dataset.get(), lane_scale.get(), sweep_axes, name);
  };
  const Fill count_fill{H5T_NATIVE_UINT64, &kCountFill};
  for (const CountColumn& column : kCountColumns) {
    Handle dataset =
        create_dataset(check, fid, column.name, H5T_STD_U64LE, point_dims, &count_fill);
    describe(check, dataset.get(), "1", column.long_name);
    finish_point_variable(dataset, column.name);
  }
  const Fill real_fill{H5T_NATIVE_DOUBLE, &kRealFill};
  auto create_real_columns = [&](const auto& columns) {
    for (const RealColumn& column : columns) {
      Handle dataset =
          create_dataset(check, fid, column.name, H5T_IEEE_F64LE, point_dims, &real_fill);
      describe(check, dataset.get(), column.units, column.long_name);
      finish_point_variable(dataset, column.name);
    }
  };
  create_real_columns(kRatioColumns);
  for (const FlagColumn& column : kFlagColumns) {
    const Fill flag_fill{H5T_NATIVE_UINT8, &column.fill};
    Handle dataset = create_dataset(check, fid, column.name, H5T_STD_U8LE, point_dims, &flag_fill);
    describe(check, dataset.get(), "1", column.long_name);
    // CF flags: flag_values has the variable's type, flag_meanings one word per value.
    std::vector<std::uint8_t> flag_values(column.count);
    for (std::uint8_t v = 0; v < column.count; ++v) flag_values[v] = v;
    write_numeric_attribute(check, dataset.get(), "flag_values", H5T_STD_U8LE, H5T_NATIVE_UINT8,
                            flag_values.data(), flag_values.size());
    write_string_attribute(check, dataset.get(), "flag_meanings", column.meanings);
    finish_point_variable(dataset, column.name);
  }
  {
    const Fill eye_fill{H5T_NATIVE_UINT32, &kEyeFill};
    std::vector<hsize_t> eye_dims = point_dims;
    eye_dims.push_back(static_cast<hsize_t>(eye_amplitude_bins_));
    eye_dims.push_back(static_cast<hsize_t>(eye_phase_bins_));
    Handle dataset = create_dataset(check, fid, kEyeHistogramName, H5T_STD_U32LE, eye_dims,
                                    &eye_fill, /*chunk_point_axes=*/first_block_axis);
    describe(check, dataset.get(), "1", "eye diagram sample counts");
    finish_point_variable(dataset, kEyeHistogramName);
    attach(check, dataset.get(), amplitude_scale.get(), first_block_axis, kEyeHistogramName);
    attach(check, dataset.get(), phase_scale.get(), first_block_axis + 1, kEyeHistogramName);
  }
  create_real_columns(kFigureColumns);
  create_real_columns(kEyeMetricColumns);
  create_real_columns(kEyeOpeningColumns);
  {
    std::vector<hsize_t> dims = point_dims;
    dims.push_back(static_cast<hsize_t>(bathtub_bins_));
    Handle dataset = create_dataset(check, fid, kBathtubName, H5T_IEEE_F64LE, dims, &real_fill);
    describe(check, dataset.get(), "1",
             "statistical BER against the sampling phase (run.mode = \"stat\")");
    finish_point_variable(dataset, kBathtubName);
    attach(check, dataset.get(), bathtub_scale.get(), first_block_axis, kBathtubName);
  }
  if (contours_ > 0) {
    const Handle contour_scale = create_dimension(check, fid, kContourDim, H5T_IEEE_F64LE,
                                                  H5T_NATIVE_DOUBLE, layout.contour_ber.data(),
                                                  contours_, "1", "statistical eye contour level");
    const Handle edge_scale = create_index_dimension(
        check, fid, kEyeEdgeDim, eye_edges_,
        "2 e: floor of eye e (counted from the lowest current), 2 e + 1: its ceiling");
    std::vector<hsize_t> dims = point_dims;
    dims.insert(dims.end(), {static_cast<hsize_t>(contours_), static_cast<hsize_t>(eye_edges_),
                             static_cast<hsize_t>(bathtub_bins_)});
    Handle dataset = create_dataset(check, fid, kContourName, H5T_IEEE_F64LE, dims, &real_fill);
    describe(check, dataset.get(), "A",
             "statistical eye contours: photocurrent of each eye's floor and ceiling where a "
             "level's tail probability is contour_ber");
    finish_point_variable(dataset, kContourName);
    attach(check, dataset.get(), contour_scale.get(), first_block_axis, kContourName);
    attach(check, dataset.get(), edge_scale.get(), first_block_axis + 1, kContourName);
    attach(check, dataset.get(), bathtub_scale.get(), first_block_axis + 2, kContourName);
  }
  create_real_columns(kEnergyColumns);
  create_real_columns(kMarginColumns);
  if (lanes_ > 0) create_real_columns(kWdmColumns);
  for (std::size_t k = 0; k < kCountHistograms.size(); ++k) {
    const CountHistogram& h = kCountHistograms[k];
    std::vector<hsize_t> dims = point_dims;
    dims.push_back(static_cast<hsize_t>(h.bins));
    Handle dataset = create_dataset(check, fid, h.name, H5T_STD_U64LE, dims, &count_fill);
    describe(check, dataset.get(), "1", h.long_name);
    finish_point_variable(dataset, h.name);
    attach(check, dataset.get(), histogram_scales[k].get(), first_block_axis, h.name);
  }

  check.ok(H5Fflush(fid, H5F_SCOPE_GLOBAL), "flush the file");
  file_id_ = file.release();
}

std::int64_t Hdf5Writer::open_dataset(const char* name) {
  const auto it = datasets_.find(name);
  if (it != datasets_.end()) return it->second;
  const Checker check(path_);
  const hid_t id = check
                       .own(H5Dopen2(static_cast<hid_t>(file_id_), name, H5P_DEFAULT), H5Dclose,
                            std::string("open dataset '") + name + "'")
                       .release();
  datasets_.emplace(name, id);
  return id;
}

// A scalar string attribute of the root (empty when absent).
static std::string read_root_string(const Checker& check, hid_t file, const char* name) {
  const std::string what = std::string("read attribute '") + name + "'";
  if (H5Aexists(file, name) <= 0) return "";
  Handle attribute = check.own(H5Aopen(file, name, H5P_DEFAULT), H5Aclose, what);
  Handle type = utf8_string_type(check);
  char* text = nullptr;
  check.ok(H5Aread(attribute.get(), type.get(), &text), what);
  std::string value = text ? text : "";
  Handle space = check.own(H5Aget_space(attribute.get()), H5Sclose, what);
  H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, &text);
  return value;
}

void Hdf5Writer::open_for_resume(const OutputLayout& layout) {
  const Checker check(path_);
  // Checked read-only first: a refused resume leaves the file byte for byte as it was.
  Handle file = check.own(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                          "open the file to resume it");
  auto differs = [&](const std::string& what) {
    throw std::invalid_argument("HDF5 output '" + path_ + "': --resume: the file was written " +
                                what + "; expected the same run (or a new output file)");
  };
  if (read_root_string(check, file.get(), "scenario") != layout.scenario_text)
    differs("for another scenario text");
  const std::string overrides = read_root_string(check, file.get(), "scenario_overrides");
  if (overrides != layout.scenario_overrides)
    differs("with other --set overrides (" + overrides + ")");
  const std::string shard = read_root_string(check, file.get(), "shard");
  if (shard != layout.shard) differs("as shard \"" + shard + "\"");
  // The per-point datasets' shape: the sweep's axes, then the lanes.
  std::vector<hsize_t> expected(sweep_shape_.begin(), sweep_shape_.end());
  if (lanes_ > 0) expected.push_back(lanes_);
  Handle stop = check.own(H5Dopen2(file.get(), "stop_reason", H5P_DEFAULT), H5Dclose,
                          "open 'stop_reason' to resume");
  Handle space = check.own(H5Dget_space(stop.get()), H5Sclose, "open 'stop_reason' to resume");
  if (space_dims(space.get()) != expected) differs("with another sweep or lane layout");
  // Every per-point variable this build writes: a file from a build without some (an older
  // lightlane: the margin's, say) is refused here rather than failing at its first write.
  auto require = [&](const auto& columns) {
    for (const auto& c : columns)
      if (H5Lexists(file.get(), c.name, H5P_DEFAULT) <= 0)
        differs(std::string("without '") + c.name + "' (by an older lightlane?)");
  };
  require(kRatioColumns);
  require(kFigureColumns);
  require(kEyeMetricColumns);
  require(kEyeOpeningColumns);
  require(kEnergyColumns);
  require(kMarginColumns);
  stop.reset();
  space.reset();
  file.reset();
  Handle fapl = check.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "open the file to resume it");
  set_point_write_access(check, fapl.get());
  file_id_ = check
                 .own(H5Fopen(path_.c_str(), H5F_ACC_RDWR, fapl.get()), H5Fclose,
                      "open the file to resume it")
                 .release();
}

std::vector<bool> Hdf5Writer::finished_points() const {
  QuietHdf5Errors quiet;
  const Checker check(path_);
  const std::size_t per_point = lanes_ > 0 ? lanes_ : 1;
  std::vector<std::uint8_t> stop(points_ * per_point);
  Handle dataset = check.own(H5Dopen2(static_cast<hid_t>(file_id_), "stop_reason", H5P_DEFAULT),
                             H5Dclose, "read 'stop_reason'");
  if (!stop.empty())
    check.ok(H5Dread(dataset.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, stop.data()),
             "read 'stop_reason'");
  std::vector<bool> finished(points_, true);
  for (std::size_t i = 0; i < stop.size(); ++i)
    if (stop[i] == static_cast<std::uint8_t>(StopReason::not_run)) finished[i / per_point] = false;
  return finished;
}

Hdf5Writer::~Hdf5Writer() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; callers that care about close errors call close().
  }
}

void Hdf5Writer::write_points(std::size_t first_point, const std::vector<PointResult>& results) {
  if (file_id_ < 0) {
    throw std::runtime_error("HDF5 output '" + path_ + "': write_points after close");
  }
  const std::size_t per_point = lanes_ > 0 ? lanes_ : 1;
  if (results.size() % per_point != 0) {
    throw std::invalid_argument("HDF5 output '" + path_ + "': " + std::to_string(results.size()) +
                                " results are not whole points of " + std::to_string(per_point) +
                                " lanes");
  }
  const std::size_t n = results.size() / per_point;  // points written
  if (first_point > points_ || n > points_ - first_point) {
    throw std::out_of_range("HDF5 output '" + path_ + "': points [" + std::to_string(first_point) +
                            ", " + std::to_string(first_point + n) + ") outside the " +
                            std::to_string(points_) + " points of the file");
  }
  const std::size_t eye_bins = eye_amplitude_bins_ * eye_phase_bins_;
  bool any_eye = false;
  for (std::size_t i = 0; i < results.size(); ++i) {
    any_eye = any_eye || !results[i].eye_histogram.empty();
    if (!results[i].eye_histogram.empty() && results[i].eye_histogram.size() != eye_bins) {
      throw std::invalid_argument(
          "HDF5 output '" + path_ + "': point " + std::to_string(first_point + i / per_point) +
          " has an eye histogram of " + std::to_string(results[i].eye_histogram.size()) +
          " bins, the layout " + std::to_string(eye_bins));
    }
  }
  if (results.empty()) return;

  QuietHdf5Errors quiet;
  const Checker check(path_);
  const hid_t fid = static_cast<hid_t>(file_id_);
  const std::size_t rows = results.size();
  // Each write: the points' elements of a dataset, its axes after the sweep's whole.
  std::vector<hsize_t> lane;  // the lane axis, on a bus
  if (lanes_ > 0) lane.push_back(lanes_);
  auto write_slab = [&](const char* name, hid_t memory_type, const void* data,
                        const std::vector<hsize_t>& trailing) {
    write_points_slab(check, open_dataset(name), name, memory_type, data, sweep_shape_, first_point,
                      n, trailing);
  };

  std::vector<std::uint64_t> counts(rows);
  for (const CountColumn& column : kCountColumns) {
    for (std::size_t i = 0; i < rows; ++i) counts[i] = results[i].*column.field;
    write_slab(column.name, H5T_NATIVE_UINT64, counts.data(), lane);
  }
  std::vector<double> reals(rows);
  auto write_real_columns = [&](const auto& columns) {
    for (const RealColumn& column : columns) {
      for (std::size_t i = 0; i < rows; ++i) reals[i] = results[i].*column.field;
      write_slab(column.name, H5T_NATIVE_DOUBLE, reals.data(), lane);
    }
  };
  write_real_columns(kRatioColumns);
  write_real_columns(kFigureColumns);
  write_real_columns(kEyeMetricColumns);
  write_real_columns(kEyeOpeningColumns);
  write_real_columns(kEnergyColumns);
  write_real_columns(kMarginColumns);
  // A per-point block of reals (a point without it: NaN), written under the point's start.
  auto write_real_blocks = [&](const char* name, std::vector<double> PointResult::*field,
                               const std::vector<hsize_t>& block) {
    std::size_t per_point = 1;
    for (hsize_t n : block) per_point *= static_cast<std::size_t>(n);
    std::vector<double> values;
    values.reserve(rows * per_point);
    for (const PointResult& r : results) {
      const std::vector<double>& v = r.*field;
      if (v.empty())
        values.insert(values.end(), per_point, std::numeric_limits<double>::quiet_NaN());
      else if (v.size() == per_point)
        values.insert(values.end(), v.begin(), v.end());
      else
        throw std::invalid_argument("HDF5 output '" + path_ + "': a point's " + name + " holds " +
                                    std::to_string(v.size()) + " values, not " +
                                    std::to_string(per_point));
    }
    std::vector<hsize_t> trailing = lane;
    trailing.insert(trailing.end(), block.begin(), block.end());
    write_slab(name, H5T_NATIVE_DOUBLE, values.data(), trailing);
  };
  write_real_blocks(kBathtubName, &PointResult::bathtub_ber, {bathtub_bins_});
  if (contours_ > 0)
    write_real_blocks(kContourName, &PointResult::eye_contour_a,
                      {contours_, eye_edges_, bathtub_bins_});
  if (lanes_ > 0) write_real_columns(kWdmColumns);

  // The flags; stop_reason, the points' mark of being whole, last (below).
  std::vector<std::uint8_t> flags(rows);
  const FlagColumn* stop_column = nullptr;
  for (const FlagColumn& column : kFlagColumns) {
    if (std::string(column.name) == "stop_reason") {
      stop_column = &column;
      continue;
    }
    for (std::size_t i = 0; i < rows; ++i) flags[i] = column.get(results[i]);
    write_slab(column.name, H5T_NATIVE_UINT8, flags.data(), lane);
  }

  // Points without an eye read the fill value, zeros: a run of them is not written at all (its
  // chunks stay unallocated; deflating 64 KiB of zeros per point was most of a statistical
  // sweep's writing).
  if (eye_bins > 0 && any_eye) {
    std::vector<std::uint32_t> eyes;
    eyes.reserve(rows * eye_bins);
    for (const PointResult& r : results) {
      if (r.eye_histogram.empty())
        eyes.insert(eyes.end(), eye_bins, 0u);
      else
        eyes.insert(eyes.end(), r.eye_histogram.begin(), r.eye_histogram.end());
    }
    std::vector<hsize_t> trailing = lane;
    trailing.insert(trailing.end(), {eye_amplitude_bins_, eye_phase_bins_});
    write_slab(kEyeHistogramName, H5T_NATIVE_UINT32, eyes.data(), trailing);
  }

  for (const CountHistogram& h : kCountHistograms) {
    std::vector<std::uint64_t> values;
    values.reserve(rows * h.bins);
    for (const PointResult& r : results) {
      const std::vector<std::uint64_t>& v = r.*h.field;
      if (v.size() != static_cast<std::size_t>(h.bins))
        throw std::invalid_argument("HDF5 output '" + path_ + "': a point without its " +
                                    std::to_string(h.bins) + " " + h.name + " bins");
      values.insert(values.end(), v.begin(), v.end());
    }
    std::vector<hsize_t> trailing = lane;
    trailing.push_back(static_cast<hsize_t>(h.bins));
    write_slab(h.name, H5T_NATIVE_UINT64, values.data(), trailing);
  }

  // Everything else on disk first, then stop_reason: a run killed in between leaves the points
  // not_run (rerun on --resume), never marked finished with data missing.
  check.ok(H5Fflush(fid, H5F_SCOPE_GLOBAL), "flush the file");
  for (std::size_t i = 0; i < rows; ++i) flags[i] = stop_column->get(results[i]);
  write_slab(stop_column->name, H5T_NATIVE_UINT8, flags.data(), lane);
  // Metadata and raw data on disk now: a run killed before the next call keeps these points.
  check.ok(H5Fflush(fid, H5F_SCOPE_GLOBAL), "flush the file");
}

void hdf5_no_teardown_at_exit() { H5dont_atexit(); }

void Hdf5Writer::close() {
  if (file_id_ < 0) return;
  QuietHdf5Errors quiet;
  const Checker check(path_);
  for (const auto& [name, id] : datasets_) H5Dclose(static_cast<hid_t>(id));
  datasets_.clear();
  const hid_t fid = static_cast<hid_t>(std::exchange(file_id_, -1));
  check.ok(H5Fclose(fid), "close the file");
}

}  // namespace ll

// ---- merge ------------------------------------------------------------------------------------

namespace ll {
namespace {

// Every attribute of `from` onto `to`, but the dimension-scale bookkeeping (re-made by
// H5DSset_scale / H5DSattach_scale in the merged file) and the names in `skip`.
void copy_attributes(const Checker& check, hid_t from, hid_t to,
                     const std::set<std::string>& skip = {}) {
  struct Context {
    const Checker* check;
    hid_t to;
    const std::set<std::string>* skip;
  } context{&check, to, &skip};
  auto copy_one = [](hid_t location, const char* name, const H5A_info_t*, void* data) -> herr_t {
    Context& c = *static_cast<Context*>(data);
    const std::string n(name);
    if (n == "DIMENSION_LIST" || n == "REFERENCE_LIST" || n == "CLASS" || n == "NAME" ||
        c.skip->count(n))
      return 0;
    const std::string what = "copy attribute '" + n + "'";
    Handle attribute = c.check->own(H5Aopen(location, name, H5P_DEFAULT), H5Aclose, what);
    Handle type = c.check->own(H5Aget_type(attribute.get()), H5Tclose, what);
    Handle space = c.check->own(H5Aget_space(attribute.get()), H5Sclose, what);
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    std::vector<unsigned char> buffer(static_cast<std::size_t>(count) * H5Tget_size(type.get()));
    c.check->ok(H5Aread(attribute.get(), type.get(), buffer.data()), what);
    Handle copy = c.check->own(
        H5Acreate2(c.to, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
    c.check->ok(H5Awrite(copy.get(), type.get(), buffer.data()), what);
    if (H5Tdetect_class(type.get(), H5T_VLEN) > 0 || H5Tis_variable_str(type.get()) > 0)
      H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, buffer.data());
    return 0;
  };
  hsize_t index = 0;
  check.ok(H5Aiterate2(from, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, copy_one, &context),
           "copy attributes");
}

// The name (without the leading '/') of the dimension scale attached to `axis` of a dataset.
std::string scale_name(hid_t dataset, unsigned axis) {
  std::string name;
  auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
    char buffer[256] = {};
    H5Iget_name(scale, buffer, sizeof(buffer));
    *static_cast<std::string*>(data) = buffer[0] == '/' ? buffer + 1 : buffer;
    return 1;  // the first one
  };
  int index = 0;
  H5DSiterate_scales(dataset, axis, &index, visit, &name);
  return name;
}

}  // namespace

void merge_shards(const std::string& out_path, const std::vector<std::string>& shard_paths) {
  QuietHdf5Errors quiet;
  const Checker check(out_path);
  if (shard_paths.empty()) throw std::invalid_argument("merge: no shard files given");
  const std::size_t N = shard_paths.size();
  // Each shard's file, in shard order; they must be one run's N shards.
  std::vector<Handle> files(N);
  std::vector<std::string> paths(N);
  for (const std::string& path : shard_paths) {
    Handle f = check.own(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                         "open shard '" + path + "'");
    const std::string shard = read_root_string(check, f.get(), "shard");
    const auto slash = shard.find('/');
    if (slash == std::string::npos)
      throw std::invalid_argument("merge: '" + path +
                                  "' is not a shard's file (no shard attribute)");
    const std::size_t k = std::stoul(shard.substr(0, slash)),
                      n = std::stoul(shard.substr(slash + 1));
    if (k >= n)
      throw std::invalid_argument("merge: '" + path + "' says it is shard " + shard +
                                  "; expected k/N with k < N");
    if (n != N)
      throw std::invalid_argument("merge: '" + path + "' is shard " + shard + ", but " +
                                  std::to_string(N) + " files were given; expected all " +
                                  std::to_string(n) + " shards of the run");
    if (files[k].get() >= 0)
      throw std::invalid_argument("merge: '" + path + "' and '" + paths[k] + "' are both shard " +
                                  shard);
    files[k] = std::move(f);
    paths[k] = path;
  }
  // One run: every shard's scenario and overrides are shard 0's.
  const std::string scenario = read_root_string(check, files[0].get(), "scenario");
  const std::string overrides = read_root_string(check, files[0].get(), "scenario_overrides");
  for (std::size_t k = 1; k < N; ++k)
    if (read_root_string(check, files[k].get(), "scenario") != scenario ||
        read_root_string(check, files[k].get(), "scenario_overrides") != overrides)
      throw std::invalid_argument("merge: '" + paths[k] +
                                  "' comes from another scenario or other --set overrides");
  const hid_t first = files[0].get();

  // The sweep's axes: stop_reason's, less the lane.
  Handle stop =
      check.own(H5Dopen2(first, "stop_reason", H5P_DEFAULT), H5Dclose, "open stop_reason");
  Handle stop_space = check.own(H5Dget_space(stop.get()), H5Sclose, "open stop_reason");
  const std::vector<hsize_t> stop_dims = space_dims(stop_space.get());
  std::size_t sweep_axes = stop_dims.size();
  if (sweep_axes > 1 && scale_name(stop.get(), static_cast<unsigned>(sweep_axes - 1)) == kLaneDim)
    --sweep_axes;
  const std::vector<hsize_t> sweep(stop_dims.begin(), stop_dims.begin() + sweep_axes);

  Handle fcpl = check.own(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create the file");
  check.ok(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), "create the file");
  check.ok(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), "create the file");
  Handle fapl = check.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create the file");
  // Virtual datasets need the 1.10 file format.
  check.ok(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110), "create the file");
  Handle out = check.own(H5Fcreate(out_path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                         H5Fclose, "create the file");
  copy_attributes(check, first, out.get(), {"shard"});
  write_string_attribute(check, out.get(), "merged_shards", std::to_string(N));

  // The datasets of the first shard, in creation order.
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  hsize_t index = 0;
  check.ok(H5Literate(first, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect, &names),
           "list the datasets");
  const std::filesystem::path out_dir =
      std::filesystem::absolute(std::filesystem::path(out_path)).parent_path();
  std::map<std::string, Handle> scales;  // the merged file's dimension scales by name
  // Every dataset that is not a scale, its axes' scales attached once all scales exist.
  std::vector<std::pair<std::string, Handle>> to_attach;
  for (const std::string& name : names) {
    const std::string what = "merge dataset '" + name + "'";
    Handle source = check.own(H5Dopen2(first, name.c_str(), H5P_DEFAULT), H5Dclose, what);
    Handle type = check.own(H5Dget_type(source.get()), H5Tclose, what);
    Handle space = check.own(H5Dget_space(source.get()), H5Sclose, what);
    const std::vector<hsize_t> dims = space_dims(space.get());
    Handle source_dcpl = check.own(H5Dget_create_plist(source.get()), H5Pclose, what);
    Handle dcpl = check.own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
    check.ok(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), what);
    const bool is_scale = H5DSis_scale(source.get()) > 0;
    const bool point_data = !is_scale && dims.size() >= sweep_axes &&
                            std::equal(sweep.begin(), sweep.end(), dims.begin());
    if (point_data) {
      // A virtual dataset: each shard's points (p mod N = k) from that shard's file.
      H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
      H5Pfill_value_defined(source_dcpl.get(), &defined);
      if (defined == H5D_FILL_VALUE_USER_DEFINED) {
        std::vector<unsigned char> fill(H5Tget_size(type.get()));
        check.ok(H5Pget_fill_value(source_dcpl.get(), type.get(), fill.data()), what);
        check.ok(H5Pset_fill_value(dcpl.get(), type.get(), fill.data()), what);
      }
      const std::size_t last = sweep_axes - 1;
      std::size_t rows = 1;
      for (std::size_t a = 0; a < last; ++a) rows *= sweep[a];
      for (std::size_t k = 0; k < N; ++k) {
        Handle selection = check.own(H5Scopy(space.get()), H5Sclose, what);
        check.ok(H5Sselect_none(selection.get()), what);
        for (std::size_t row = 0; row < rows; ++row) {
          // Points of this row: row * n_last + i; those with (that) mod N = k.
          const std::size_t base = row * sweep[last];
          std::vector<hsize_t> start(dims.size(), 0), stride(dims.size(), 1), count(dims.size(), 1),
              block(dims.begin(), dims.end());
          point_index(base, sweep, start.data());
          std::fill(block.begin(), block.begin() + static_cast<long>(sweep_axes), 1);
          const std::size_t offset = (k + N - base % N) % N;
          if (offset >= sweep[last]) continue;
          start[last] = offset;
          stride[last] = N;
          count[last] = (sweep[last] - offset + N - 1) / N;
          block[last] = 1;
          check.ok(H5Sselect_hyperslab(selection.get(), H5S_SELECT_OR, start.data(), stride.data(),
                                       count.data(), block.data()),
                   what);
        }
        if (H5Sget_select_npoints(selection.get()) == 0) continue;
        const std::string source_file =
            std::filesystem::relative(std::filesystem::absolute(paths[k]), out_dir).string();
        check.ok(H5Pset_virtual(dcpl.get(), selection.get(), source_file.c_str(), name.c_str(),
                                selection.get()),
                 what + " (map shard " + std::to_string(k) + ")");
      }
      Handle merged = check.own(H5Dcreate2(out.get(), name.c_str(), type.get(), space.get(),
                                           H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                H5Dclose, what);
      copy_attributes(check, source.get(), merged.get());
      to_attach.emplace_back(name, std::move(merged));
      continue;
    }
    // Coordinates and scales: copied whole.
    Handle copy = check.own(H5Dcreate2(out.get(), name.c_str(), type.get(), space.get(),
                                       H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                            H5Dclose, what);
    std::size_t bytes = H5Tget_size(type.get());
    for (hsize_t d : dims) bytes *= static_cast<std::size_t>(d);
    std::vector<unsigned char> data(bytes);
    if (bytes > 0) {
      check.ok(H5Dread(source.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), what);
      check.ok(H5Dwrite(copy.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), what);
    }
    copy_attributes(check, source.get(), copy.get());
    if (is_scale) {
      check.ok(H5DSset_scale(copy.get(), name.c_str()), what);
      scales.emplace(name, std::move(copy));
    } else {
      to_attach.emplace_back(name, std::move(copy));
    }
  }
  // Every dataset's axes get the merged file's scales of the same names.
  for (auto& [name, dataset] : to_attach) {
    Handle source = check.own(H5Dopen2(first, name.c_str(), H5P_DEFAULT), H5Dclose, name);
    Handle space = check.own(H5Dget_space(source.get()), H5Sclose, name);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    for (int axis = 0; axis < rank; ++axis) {
      const std::string scale = scale_name(source.get(), static_cast<unsigned>(axis));
      const auto it = scales.find(scale);
      if (it != scales.end())
        attach(check, dataset.get(), it->second.get(), static_cast<unsigned>(axis), name);
    }
  }
  to_attach.clear();
  scales.clear();
  check.ok(H5Fflush(out.get(), H5F_SCOPE_GLOBAL), "flush the file");
}

}  // namespace ll
