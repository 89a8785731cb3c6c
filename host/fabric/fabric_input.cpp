#include "host/fabric/fabric_input.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/fabric/run_values.hpp"

namespace ll::fabric {

std::string kind_name(PortKind kind) {
  switch (kind) {
    case PortKind::pluggable:
      return "pluggable";
    case PortKind::npo:
      return "npo";
    case PortKind::cpo:
      return "cpo";
  }
  return "?";
}

namespace {

// The keys each table may hold (for unknown keys and their suggestions).
const std::vector<std::string> kFabricKeys{"gpus",     "gpu_ports", "link_gbps",       "topology",
                                           "rails",    "tiers",     "oversubscription"};
const std::vector<std::string> kSwitchKeys{"bandwidth_tbps"};
const std::vector<std::string> kPortKeys{
    "name",      "kind",      "power_w",         "run",        "point",    "lasers_per_port",
    "nic_end",   "fit_laser", "fit_transceiver", "fit_engine", "ports_per_transceiver",
    "ports_per_engine"};
const std::vector<std::string> kTables{"fabric", "switch", "port"};

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

std::vector<std::string> qualified(const std::string& table, const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const std::string& k : keys) out.push_back(table + "." + k);
  return out;
}

// Reads the keys of one table, each checked for type and range, naming "TABLE.KEY".
class TableReader {
 public:
  TableReader(const toml::table& t, std::string table, SourceLocation where, std::string path,
              const std::vector<std::string>& allowed)
      : t_(t), table_(std::move(table)), where_(std::move(where)), path_(std::move(path)) {
    for (const auto& [name, node] : t) {
      const std::string key(name.str());
      bool known = false;
      for (const std::string& a : allowed) known = known || a == key;
      if (!known)
        fail_at(at(node), table_ + "." + key,
                "unknown key" + did_you_mean(table_ + "." + key, qualified(table_, allowed)));
    }
  }

  bool has(const char* key) const { return t_.contains(key); }
  std::string key(const char* k) const { return table_ + "." + k; }
  SourceLocation at(const toml::node& n) const {
    return {path_, static_cast<int>(n.source().begin.line)};
  }
  SourceLocation where(const char* k) const { return has(k) ? at(*t_.get(k)) : where_; }
  [[noreturn]] void missing(const char* k, const std::string& expected) const {
    fail_at(where_, key(k), "missing; expected " + expected);
  }
  [[noreturn]] void refuse(const char* k, const std::string& why) const {
    fail_at(where(k), key(k), why);
  }

  // A number in [lo, hi] (lo excluded when lo_open), described by `expected`.
  double real(const char* k, double lo, double hi, bool lo_open, const std::string& expected) const {
    const toml::node* n = t_.get(k);
    if (!n) missing(k, expected);
    std::optional<double> v = n->value_exact<double>();
    if (!v)
      if (auto i = n->value_exact<std::int64_t>()) v = static_cast<double>(*i);
    if (!v) fail_at(at(*n), key(k), "expected " + expected + ", got " + type_name(*n));
    if (!std::isfinite(*v) || *v < lo || *v > hi || (lo_open && *v == lo))
      fail_at(at(*n), key(k), "expected " + expected + ", got " + format_number(*v, 10));
    return *v;
  }
  std::int64_t integer(const char* k, std::int64_t lo, std::int64_t hi,
                       const std::string& expected) const {
    const toml::node* n = t_.get(k);
    if (!n) missing(k, expected);
    const std::optional<std::int64_t> v = n->value_exact<std::int64_t>();
    if (!v) fail_at(at(*n), key(k), "expected " + expected + ", got " + type_name(*n));
    if (*v < lo || *v > hi)
      fail_at(at(*n), key(k), "expected " + expected + ", got " + std::to_string(*v));
    return *v;
  }
  std::string text(const char* k, const std::vector<std::string>& choices,
                   const std::string& expected) const {
    const toml::node* n = t_.get(k);
    if (!n) missing(k, expected);
    const std::optional<std::string> v = n->value_exact<std::string>();
    if (!v) fail_at(at(*n), key(k), "expected " + expected + ", got " + type_name(*n));
    bool ok = choices.empty() ? !v->empty() : false;
    for (const std::string& c : choices) ok = ok || c == *v;
    if (!ok) fail_at(at(*n), key(k), "expected " + expected + ", got \"" + *v + "\"");
    return *v;
  }
  const toml::node* node(const char* k) const { return t_.get(k); }

 private:
  const toml::table& t_;
  std::string table_;
  SourceLocation where_;
  std::string path_;
};

const toml::table& table_of(const toml::table& root, const char* name, const std::string& path) {
  const toml::node* n = root.get(name);
  if (!n) fail_at({path, 0}, name, std::string("missing; expected a [") + name + "] table");
  if (!n->is_table())
    fail_at({path, static_cast<int>(n->source().begin.line)}, name,
            "expected a table, got " + type_name(*n));
  return *n->as_table();
}

void read_fabric(const toml::table& root, FabricSpec& f) {
  const toml::table& t = table_of(root, "fabric", f.path);
  const TableReader r(t, "fabric", {f.path, static_cast<int>(t.source().begin.line)}, f.path,
                      kFabricKeys);
  f.gpus = r.integer("gpus", 1, 100000000, "a number of GPUs from 1 to 1e8");
  f.gpu_ports = static_cast<int>(
      r.integer("gpu_ports", 1, 64, "the NIC ports per GPU into this fabric, 1 to 64"));
  f.link_gbps = r.real("link_gbps", 0.0, 1e5, true, "a link speed in Gb/s, above 0 and at most 1e5");
  f.topology_name = r.text("topology", {"fat_tree", "rail_optimized"},
                           "one of \"fat_tree\" \"rail_optimized\"");
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
            "expected " + expected_ratios + ", got " + type_name(*n));
  if (list->size() != static_cast<std::size_t>(f.tiers - 1))
    fail_at(r.at(*n), "fabric.oversubscription",
            "expected " + expected_ratios + ", got " + std::to_string(list->size()) + " ratios");
  for (const toml::node& v : *list) {
    std::optional<double> x = v.value_exact<double>();
    if (!x)
      if (auto i = v.value_exact<std::int64_t>()) x = static_cast<double>(*i);
    if (!x)
      fail_at(r.at(*n), "fabric.oversubscription",
              "expected " + expected_ratios + ", got " + type_name(v) + " in the list");
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
  f.switch_bandwidth_tbps =
      r.real("bandwidth_tbps", 0.0, 1e4, true, "a switch bandwidth in Tb/s, above 0 and at most 1e4");
}

// A run's file: relative to the fabric file's folder.
std::string resolve(const std::string& fabric_path, const std::string& file) {
  const std::filesystem::path p(file);
  if (p.is_absolute()) return file;
  return (std::filesystem::path(fabric_path).parent_path() / p).lexically_normal().string();
}

constexpr double kMaxFit = 1e7;  // 1e7 FIT: a part failing every 100 hours; above is no part

void read_port(const toml::table& t, FabricSpec& f, std::vector<std::string>& nic_names,
               std::vector<SourceLocation>& nic_where) {
  const SourceLocation where{f.path, static_cast<int>(t.source().begin.line)};
  const TableReader r(t, "port", where, f.path, kPortKeys);
  PortDesign d;
  d.where = where;
  d.name = r.text("name", {}, "the design's name (a non-empty string)");
  for (const PortDesign& other : f.ports)
    if (other.name == d.name)
      r.refuse("name", "expected a name of its own, got \"" + d.name + "\" (also at " +
                           other.where.describe() + ")");
  const std::string kind =
      r.text("kind", {"pluggable", "npo", "cpo"}, "one of \"pluggable\" \"npo\" \"cpo\"");
  d.kind = kind == "pluggable" ? PortKind::pluggable
                               : (kind == "npo" ? PortKind::npo : PortKind::cpo);
  const bool pluggable = d.kind == PortKind::pluggable;
  const std::string not_for = "not used by a \"" + kind + "\" design";

  // The port power: input, or from a run.
  double lasers_from_run = std::numeric_limits<double>::quiet_NaN();
  if (r.has("run")) {
    if (r.has("power_w"))
      r.refuse("power_w", "given with port.run; expected one or the other");
    const std::string run = r.text("run", {}, "the path of a lightlane run's HDF5 output");
    const std::int64_t point =
        r.integer("point", 0, std::int64_t{1} << 53, "the run's point index (0 or more)");
    const std::string file = resolve(f.path, run);
    const RunPortValues v =
        read_run_port(file, point, r.where("run"), "port.run", r.where("point"), "port.point");
    // The run's rate is its line rate: the link speed plus coding and FEC overhead (1.6T
    // Ethernet: 8 x 212.5 Gb/s = 1700 Gb/s for RS(544,514) and 256b/257b, 6.25%). Up to 20% is
    // taken as overhead; outside that the run is of another port speed.
    constexpr double kMaxOverhead = 0.2;
    if (v.port_rate_gbps < f.link_gbps * (1.0 - 1e-9) ||
        v.port_rate_gbps > f.link_gbps * (1.0 + kMaxOverhead) * (1.0 + 1e-9))
      r.refuse("run", "the run's port_rate_gbps at point " + std::to_string(point) + " is " +
                          format_number(v.port_rate_gbps, 8) +
                          "; expected a port of fabric.link_gbps = " +
                          format_number(f.link_gbps, 8) +
                          " Gb/s (its line rate with up to 20% coding and FEC overhead: " +
                          format_number(f.link_gbps, 8) + " to " +
                          format_number(f.link_gbps * (1.0 + kMaxOverhead), 8) + ")");
    d.power_w = v.port_power_w;
    d.power_source = run + " point " + std::to_string(point);
    d.run_ber = v.ber;
    d.run_margin_db = v.margin_db;
    lasers_from_run = v.lasers_per_port;
    f.inputs.push_back(file);
  } else {
    if (r.has("point")) r.refuse("point", "given without port.run; expected both or neither");
    d.power_w = r.real("power_w", 0.0, 1000.0, true,
                       "the power of one link end in W, above 0 and at most 1000 (or run and "
                       "point)");
    d.power_source = "input";
  }
  const std::string lasers_expected = "the lasers per port (0 to 64; 0.25: one laser feeds 4 ports)";
  if (r.has("lasers_per_port") || !std::isfinite(lasers_from_run))
    d.lasers_per_port = r.real("lasers_per_port", 0.0, 64.0, false, lasers_expected);
  else
    d.lasers_per_port = lasers_from_run;

  const std::string fit = "a failure rate in FIT (failures per 1e9 device hours), 0 to 1e7";
  d.fit_laser = r.real("fit_laser", 0.0, kMaxFit, false, fit);
  if (pluggable) {
    d.ports_per_transceiver = static_cast<int>(r.integer(
        "ports_per_transceiver", 1, 8, "the ports one transceiver serves (2: twin-port), 1 to 8"));
    d.fit_transceiver = r.real("fit_transceiver", 0.0, kMaxFit, false, fit + " (lasers excluded)");
    for (const char* k : {"ports_per_engine", "fit_engine", "nic_end"})
      if (r.has(k)) r.refuse(k, not_for);
    nic_names.emplace_back();
    nic_where.push_back(where);
  } else {
    d.ports_per_engine = static_cast<int>(r.integer(
        "ports_per_engine", 1, 1024, "the switch ports one optical engine serves, 1 to 1024"));
    d.fit_engine = r.real("fit_engine", 0.0, kMaxFit, false, fit + " (lasers excluded)");
    for (const char* k : {"ports_per_transceiver", "fit_transceiver"})
      if (r.has(k)) r.refuse(k, not_for);
    nic_names.push_back(r.text(
        "nic_end", {}, "the name of a pluggable [[port]] design for the NIC end, or \"same\""));
    nic_where.push_back(r.where("nic_end"));
  }
  f.ports.push_back(std::move(d));
}

void read_ports(const toml::table& root, FabricSpec& f) {
  const toml::node* n = root.get("port");
  if (!n) fail_at({f.path, 0}, "port", "missing; expected one or more [[port]] designs");
  const toml::array* list = n->as_array();
  if (!list || !list->is_array_of_tables() || list->empty())
    fail_at({f.path, static_cast<int>(n->source().begin.line)}, "port",
            "expected one or more [[port]] tables, got " + type_name(*n));
  std::vector<std::string> nic_names;
  std::vector<SourceLocation> nic_where;
  for (const toml::node& t : *list) read_port(*t.as_table(), f, nic_names, nic_where);
  // The NIC ends of NPO/CPO designs: a pluggable design by name, or the same engines.
  for (std::size_t i = 0; i < f.ports.size(); ++i) {
    if (f.ports[i].kind == PortKind::pluggable) continue;
    const std::string& wanted = nic_names[i];
    if (wanted == "same") continue;
    std::vector<std::string> pluggables;
    for (std::size_t j = 0; j < f.ports.size(); ++j)
      if (f.ports[j].kind == PortKind::pluggable) {
        pluggables.push_back(f.ports[j].name);
        if (f.ports[j].name == wanted) f.ports[i].nic_design = static_cast<int>(j);
      }
    if (f.ports[i].nic_design < 0) {
      std::string names;
      for (const std::string& p : pluggables) names += (names.empty() ? "" : ", ") + ("\"" + p + "\"");
      fail_at(nic_where[i], "port.nic_end",
              "expected \"same\" or the name of a pluggable [[port]] design (" +
                  (names.empty() ? std::string("there is none") : names) + "), got \"" + wanted +
                  "\"");
    }
  }
}

}  // namespace

FabricSpec parse_fabric(const std::string& text, const std::string& path) {
  FabricSpec f;
  f.path = path;
  f.inputs.push_back(path);
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const SourceLocation where{path, static_cast<int>(e.source().begin.line)};
    throw ScenarioError(where.describe() + ": TOML syntax: " + std::string(e.description()));
  }
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
  const std::string shape = std::to_string(f.tiers) + " tier" + (f.tiers > 1 ? "s" : "") +
                            " of " + std::to_string(in.radix) + "-port switches";
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
              "expected at most " + std::to_string(error.max_endpoints / f.gpu_ports) +
                  " GPUs (" + std::to_string(error.max_endpoints) + " GPU ports: " + shape +
                  (f.rails > 1 ? " per rail" : "") +
                  " reach k x d_1 x ... x d_{t-1}; raise fabric.tiers or "
                  "switch.bandwidth_tbps), got " +
                  std::to_string(f.gpus));
  }
  read_ports(root, f);
  return f;
}

FabricSpec load_fabric(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ScenarioError(path + ": is a folder; expected a fabric TOML file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ScenarioError(path + ": cannot open the fabric file (" +
                        std::string(std::strerror(errno)) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_fabric(ss.str(), path);
}

}  // namespace ll::fabric
