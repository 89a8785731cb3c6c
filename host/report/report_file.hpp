// What `lightlane report` reads from a run's HDF5 file (host/io/hdf5_writer.cpp writes it): the root
// attributes, the sweep's dimensions and coordinates, and the per-point variables the port report
// needs, flattened to [point][lane]. Plain data, no HDF5 types: the figures and their tests
// (tests/host/test_report.cpp) build one by hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ll::report {

// Bad input to `report` (a missing file, not HDF5, not a lightlane output): "FILE: what".
class ReportInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A swept key's value at every point (flattened, the sweep's last axis fastest).
struct Coordinate {
  std::string name;   // dataset name (laser_power_dbm, draw, point)
  std::string key;    // its long_name: the dotted scenario key (laser.power_dbm)
  std::string units;  // "" or "1" when dimensionless
  std::vector<double> values;
};

// A CF flag variable (`mrm_lock`, `stop_reason`): value per [point][lane] and each value's
// meaning, read from its flag_values / flag_meanings attributes (no numbers hard-coded here).
struct Flag {
  std::vector<std::uint8_t> values;
  std::map<std::uint8_t, std::string> meanings;
  std::string meaning(std::uint8_t v) const;
};

struct ReportFile {
  std::string path;
  std::string scenario_path, scenario_text, scenario_overrides;
  std::string version, git_revision, backend;
  std::vector<std::string> sweep_dims;  // ber's dimensions before `lane`: a grid's keys (+ draw)
  std::vector<std::size_t> sweep_shape;
  std::size_t points = 0;
  std::size_t lanes = 0;  // the `lane` dimension's size; 0: no lane dimension (one lane)
  // Draws per yield group: the `draw` dimension's size, or all points for draws on `point`
  // ([mrm.variation] or [sweep.random] without a grid); 0: no draws, no yield.
  std::size_t draws = 0;
  std::vector<Coordinate> coordinates;  // grid dimensions, then auxiliary coordinates
  // Per-point real variables present in the file, [point][lane] (lanes() values per point).
  std::map<std::string, std::vector<double>> reals;
  std::vector<std::string> energy_parts;  // energy_*_pj_per_bit datasets, in the file's order
  std::optional<Flag> lock;               // mrm_lock

  std::size_t lane_count() const { return lanes == 0 ? 1 : lanes; }
  // The variable, or nullptr when absent.
  const std::vector<double>* real(const std::string& name) const;
  // A variable at point p, lane l; NaN when absent.
  double at(const std::string& name, std::size_t p, std::size_t l) const;
};

// The per-point variables the report reads (besides energy_*_pj_per_bit, found by name).
extern const std::vector<std::string> kReportVariables;

// Reads `path`. A lane whose `stop_reason` is `not_run` (a ring whose lock failed, a point a
// killed run never reached) has no BER: its ber, ber_lo, ber_hi and fec_frame_loss_ratio read NaN
// (the file holds 0 and [0, 1] there); fec_frame_loss_ratio reads NaN where no complete codeword
// was counted (fec_codewords 0: the file's 0 there is 0 of 0). Throws ReportInputError on a missing
// file, a file that is not HDF5, or one without `ber` over the sweep's dimensions. Writes nothing.
ReportFile read_report_file(const std::string& path);

// The draws per yield group that the scenario text and its --set overrides ask for on a `point`
// dimension ([mrm.variation] draws or [sweep.random] draws); 0 when neither.
std::size_t scenario_draws(const std::string& scenario_text, const std::string& overrides);

}  // namespace ll::report
