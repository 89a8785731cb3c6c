// A port design's figures taken from a lightlane run's HDF5 file (`run = "out.h5"`, `point = P`):
// port_power_w and port_rate_gbps ([energy] in the run's scenario), and where the file has them
// lasers_per_port, margin_db and ber. The point is the run's flat point index (the order the run
// counts its points: a grid's last key fastest, then draws). With a `lane` dimension (a WDM bus)
// the worst lane is taken: the highest port power and BER, the lowest margin (each lane's
// port_power_w is already the port's: its lane power times energy.lanes_per_port).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "host/scenario/scenario.hpp"

namespace ll::fabric {

struct RunPortValues {
  double port_power_w = std::numeric_limits<double>::quiet_NaN();
  double port_rate_gbps = std::numeric_limits<double>::quiet_NaN();
  double lasers_per_port = std::numeric_limits<double>::quiet_NaN();  // NaN: not in the file
  double margin_db = std::numeric_limits<double>::quiet_NaN();
  double ber = std::numeric_limits<double>::quiet_NaN();
};

// Reads `file` (the path as resolved). Bad input throws ScenarioError naming `run_where` and the
// key `run_key` (a missing or non-HDF5 file, a missing port_power_w or port_rate_gbps dataset, a
// point whose power is NaN: no [energy] or not finished), or `point_where` and `point_key` for a
// point out of range.
RunPortValues read_run_port(const std::string& file, std::int64_t point,
                            const SourceLocation& run_where, const std::string& run_key,
                            const SourceLocation& point_where, const std::string& point_key);

}  // namespace ll::fabric
