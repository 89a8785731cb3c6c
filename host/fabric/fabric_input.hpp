// The fabric description (`lightlane fabric FABRIC.toml`): a TOML file with [fabric], [switch]
// and one or more [[port]] designs, keys with their units in their names. The key table is in
// README.md ("Fabric roll-up"); every number is input (no physical defaults).
//
// Errors are ScenarioError, one line "FILE:LINE: KEY: expected ..., got ..." (host/scenario/scenario.hpp),
// so the command line reports them with exit code 2 before anything is written.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "host/fabric/topology.hpp"
#include "host/scenario/scenario.hpp"

namespace ll::fabric {

enum class PortKind { pluggable, npo, cpo, copper };
std::string kind_name(PortKind kind);

// One port design ([[port]]): what sits at each end of an optical link.
//   pluggable: a transceiver at each end (ports_per_transceiver ports share one);
//   npo / cpo: the switch-side ends are ports of optical engines on the switch
//              (ports_per_engine ports per engine); the NIC end is the pluggable design named by
//              nic_end, or the same engines on the NIC (nic_end = "same");
//   copper:    a copper cable on every GPU-leaf link (a rack's reach: the leaf in the GPUs' rack),
//              both ends; the links above the leaf by the pluggable design named by upper_links.
struct PortDesign {
  std::string name;
  PortKind kind = PortKind::pluggable;
  SourceLocation where;      // the [[port]] table
  double power_w = 0.0;      // per link end (one port of a transceiver or an engine)
  std::string power_source;  // "input", or "RUN point P" when it came from a run's file
  double lasers_per_port = 0.0;
  int ports_per_transceiver = 0;  // pluggable
  int ports_per_engine = 0;       // npo, cpo
  int nic_design = -1;            // npo/cpo: index of the NIC end's pluggable design; -1: same
  int upper_design = -1;          // copper: index of the pluggable design above the leaf
  // Failures per 1e9 device hours of each part, its lasers excluded (they are counted apart).
  double fit_transceiver = std::numeric_limits<double>::quiet_NaN();
  double fit_engine = std::numeric_limits<double>::quiet_NaN();
  double fit_cable = std::numeric_limits<double>::quiet_NaN();  // copper: one cable, both ends
  double fit_laser = std::numeric_limits<double>::quiet_NaN();
  // From a run (NaN when the design's power was input or the file lacks them).
  double run_ber = std::numeric_limits<double>::quiet_NaN();
  double run_margin_db = std::numeric_limits<double>::quiet_NaN();
};

struct FabricSpec {
  std::string path;
  std::int64_t gpus = 0;
  int gpu_ports = 0;
  double link_gbps = 0.0;
  std::string topology_name;  // "fat_tree" or "rail_optimized"
  std::int64_t rails = 1;
  int tiers = 0;
  std::vector<double> oversubscription;
  double switch_bandwidth_tbps = 0.0;
  std::vector<PortDesign> ports;
  Topology topology;                // computed from the above
  std::vector<std::string> inputs;  // the files read: this one and the runs' (as resolved)
};

// Reads, checks and computes the topology; port powers from runs are read from their HDF5 files
// (paths relative to the fabric file's folder). Throws ScenarioError.
FabricSpec load_fabric(const std::string& path);
FabricSpec parse_fabric(const std::string& text, const std::string& path);

}  // namespace ll::fabric
