#include "host/fabric/fabric_input.hpp"

#include <toml++/toml.h>

#include <cmath>

#include "host/fabric/toml_reader.hpp"
#include "host/scenario/toml_input.hpp"

namespace ll::fabric {

std::string kind_name(PortKind kind) {
  switch (kind) {
    case PortKind::pluggable:
      return "pluggable";
    case PortKind::npo:
      return "npo";
    case PortKind::cpo:
      return "cpo";
    case PortKind::copper:
      return "copper";
  }
  return "?";
}

namespace {

using detail::table_of;
using detail::TableReader;

// The keys each table may hold (for unknown keys and their suggestions).
const std::vector<std::string> kFabricKeys{"gpus",  "gpu_ports", "link_gbps",       "topology",
                                           "rails", "tiers",     "oversubscription"};
const std::vector<std::string> kSwitchKeys{"bandwidth_tbps"};
const std::vector<std::string> kTables{"fabric", "switch", "port"};

void read_fabric(const toml::table& root, FabricSpec& f) {
  const toml::table& t = table_of(root, "fabric", f.path);
  const TableReader r(t, "fabric", {f.path, static_cast<int>(t.source().begin.line)}, f.path,
                      kFabricKeys);
  f.gpus = r.integer("gpus", 1, 100000000, "a number of GPUs from 1 to 1e8");
  f.gpu_ports = static_cast<int>(
      r.integer("gpu_ports", 1, 64, "the NIC ports per GPU into this fabric, 1 to 64"));
  f.link_gbps =
      r.real("link_gbps", 0.0, 1e5, true, "a link speed in Gb/s, above 0 and at most 1e5");
  f.topology_name =
      r.text("topology", {"fat_tree", "rail_optimized"}, "one of \"fat_tree\" \"rail_optimized\"");
  if (f.topology_name == "rail_optimized") {
    f.rails = r.integer("rails", 1, 1024, "the GPUs per server (one fat tree per rail), 1 to 1024");
    if (f.gpus % f.rails != 0)
      r.refuse("rails", "expected a number of rails that divides fabric.gpus (" +
                            std::to_string(f.gpus) + "), got " + std::to_string(f.rails));
  } else if (r.has("rails")) {
    r.refuse("rails", "only for topology = \"rail_optimized\"; expected no rails for a fat_tree");
  }
  f.tiers = static_cast<int>(r.integer("tiers", 1, 5, "a number of switch tiers from 1 to 5"));
  const std::string expected_ratios =
      "tiers - 1 = " + std::to_string(f.tiers - 1) +
      " downlink:uplink ratios of at least 1 (one per tier below the top, leaf first; 1 = "
      "non-blocking)";
  if (f.tiers == 1) {
    if (r.has("oversubscription"))
      r.refuse("oversubscription", "expected none for a single tier (it has no uplinks)");
    return;
  }
  const toml::node* n = r.node("oversubscription");
  if (!n) r.missing("oversubscription", expected_ratios);
  const toml::array* list = n->as_array();
  if (!list)
    fail_at(r.at(*n), "fabric.oversubscription",
            "expected " + expected_ratios + ", got " + toml_type_name(*n));
  if (list->size() != static_cast<std::size_t>(f.tiers - 1))
    fail_at(r.at(*n), "fabric.oversubscription",
            "expected " + expected_ratios + ", got " + std::to_string(list->size()) + " ratios");
  for (const toml::node& v : *list) {
    std::optional<double> x = v.value_exact<double>();
    if (!x)
      if (auto i = v.value_exact<std::int64_t>()) x = static_cast<double>(*i);
    if (!x)
      fail_at(r.at(*n), "fabric.oversubscription",
              "expected " + expected_ratios + ", got " + toml_type_name(v) + " in the list");
    if (!std::isfinite(*x) || *x < 1.0 || *x > 1000.0)
      fail_at(r.at(*n), "fabric.oversubscription",
              "expected ratios from 1 to 1000 (1 = non-blocking), got " + format_number(*x, 10));
    f.oversubscription.push_back(*x);
  }
}

void read_switch(const toml::table& root, FabricSpec& f) {
  const toml::table& t = table_of(root, "switch", f.path);
  const TableReader r(t, "switch", {f.path, static_cast<int>(t.source().begin.line)}, f.path,
                      kSwitchKeys);
  f.switch_bandwidth_tbps = r.real("bandwidth_tbps", 0.0, 1e4, true,
                                   "a switch bandwidth in Tb/s, above 0 and at most 1e4");
}

}  // namespace

FabricSpec parse_fabric(const std::string& text, const std::string& path) {
  FabricSpec f;
  f.path = path;
  f.inputs.push_back(path);
  const toml::table root = parse_toml(text, path);
  for (const auto& [name, node] : root) {
    const std::string key(name.str());
    if (key != "fabric" && key != "switch" && key != "port")
      fail_at({path, static_cast<int>(node.source().begin.line)}, key,
              "unknown table" + did_you_mean(key, kTables) +
                  "; expected [fabric], [switch] and [[port]]");
  }
  read_fabric(root, f);
  read_switch(root, f);

  TopologyInput in;
  in.endpoints = f.gpus * f.gpu_ports;
  in.radix = switch_radix(f.switch_bandwidth_tbps * 1e12, f.link_gbps * 1e9);
  in.tiers = f.tiers;
  in.oversubscription = f.oversubscription;
  in.rails = f.rails;
  TopologyError error;
  f.topology = fat_tree(in, error);
  const toml::table& fabric = *root.get("fabric")->as_table();
  auto line_of = [&](const toml::table& t, const char* k) {
    return SourceLocation{path, static_cast<int>(t.get(k)->source().begin.line)};
  };
  const std::string shape = std::to_string(f.tiers) + " tier" + (f.tiers > 1 ? "s" : "") + " of " +
                            std::to_string(in.radix) + "-port switches";
  switch (error.cause) {
    case TopologyError::Cause::none:
      break;
    case TopologyError::Cause::radix:
      fail_at(line_of(*root.get("switch")->as_table(), "bandwidth_tbps"), "switch.bandwidth_tbps",
              error.what + " (radix = floor(bandwidth / fabric.link_gbps))");
    case TopologyError::Cause::rails:
      fail_at(line_of(fabric, "rails"), "fabric.rails", error.what);
    case TopologyError::Cause::reach:
      fail_at(line_of(fabric, "gpus"), "fabric.gpus",
              "expected at most " + std::to_string(error.max_endpoints / f.gpu_ports) + " GPUs (" +
                  std::to_string(error.max_endpoints) + " GPU ports: " + shape +
                  (f.rails > 1 ? " per rail" : "") +
                  " reach k x d_1 x ... x d_{t-1}; raise fabric.tiers or "
                  "switch.bandwidth_tbps), got " +
                  std::to_string(f.gpus));
  }
  detail::read_ports(root, f);
  return f;
}

FabricSpec load_fabric(const std::string& path) {
  return parse_fabric(read_input_file(path, "fabric"), path);
}

}  // namespace ll::fabric
