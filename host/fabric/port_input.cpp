// The [[port]] designs of a fabric description (README.md, "Fabric roll-up"): what sits at
// each end of a link, its power (input or a run's point), lasers and failure rates.
#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "host/fabric/run_values.hpp"
#include "host/fabric/toml_reader.hpp"

namespace ll::fabric::detail {

namespace {

const std::vector<std::string> kPortKeys{"name",
                                         "kind",
                                         "power_w",
                                         "run",
                                         "point",
                                         "lasers_per_port",
                                         "nic_end",
                                         "fit_laser",
                                         "fit_transceiver",
                                         "fit_engine",
                                         "ports_per_transceiver",
                                         "ports_per_engine",
                                         "fit_cable",
                                         "upper_links"};

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
  const std::string kind = r.text("kind", {"pluggable", "npo", "cpo", "copper"},
                                  "one of \"pluggable\" \"npo\" \"cpo\" \"copper\"");
  d.kind = kind == "pluggable" ? PortKind::pluggable
           : kind == "npo"     ? PortKind::npo
           : kind == "cpo"     ? PortKind::cpo
                               : PortKind::copper;
  const bool pluggable = d.kind == PortKind::pluggable;
  const bool copper = d.kind == PortKind::copper;
  const std::string not_for = "not used by a \"" + kind + "\" design";

  // The port power: input, or from a run.
  double lasers_from_run = std::numeric_limits<double>::quiet_NaN();
  if (r.has("run")) {
    if (r.has("power_w")) r.refuse("power_w", "given with port.run; expected one or the other");
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
      r.refuse("run",
               "the run's port_rate_gbps at point " + std::to_string(point) + " is " +
                   format_number(v.port_rate_gbps, 8) +
                   "; expected a port of fabric.link_gbps = " + format_number(f.link_gbps, 8) +
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
  const std::string lasers_expected =
      "the lasers per port (0 to 64; 0.25: one laser feeds 4 ports)";
  const std::string fit = "a failure rate in FIT (failures per 1e9 device hours), 0 to 1e7";
  if (copper) {
    // A copper cable has no laser; the links above the leaf are a pluggable design's.
    for (const char* k : {"lasers_per_port", "fit_laser", "ports_per_transceiver",
                          "fit_transceiver", "ports_per_engine", "fit_engine", "nic_end"})
      if (r.has(k)) r.refuse(k, not_for + " (a copper cable: no laser, transceiver or engine)");
    if (std::isfinite(lasers_from_run) && lasers_from_run != 0.0)
      r.refuse("run", "the run's lasers_per_port is " + format_number(lasers_from_run, 4) +
                          "; expected an electrical lane's run (transmitter.modulator = "
                          "\"none\", no lasers) for a copper design");
    d.lasers_per_port = 0.0;
    d.fit_laser = 0.0;
    d.fit_cable = r.real("fit_cable", 0.0, kMaxFit, false, fit + " (one cable, both ends)");
    nic_names.push_back(r.text("upper_links", {},
                               "the name of a pluggable [[port]] design for the links above the "
                               "leaf"));
    nic_where.push_back(r.where("upper_links"));
    f.ports.push_back(std::move(d));
    return;
  }
  if (r.has("fit_cable")) r.refuse("fit_cable", not_for);
  if (r.has("upper_links")) r.refuse("upper_links", not_for);
  if (r.has("lasers_per_port") || !std::isfinite(lasers_from_run))
    d.lasers_per_port = r.real("lasers_per_port", 0.0, 64.0, false, lasers_expected);
  else
    d.lasers_per_port = lasers_from_run;
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

}  // namespace

void read_ports(const toml::table& root, FabricSpec& f) {
  const toml::node* n = root.get("port");
  if (!n) fail_at({f.path, 0}, "port", "missing; expected one or more [[port]] designs");
  const toml::array* list = n->as_array();
  if (!list || !list->is_array_of_tables() || list->empty())
    fail_at({f.path, static_cast<int>(n->source().begin.line)}, "port",
            "expected one or more [[port]] tables, got " + toml_type_name(*n));
  std::vector<std::string> nic_names;
  std::vector<SourceLocation> nic_where;
  for (const toml::node& t : *list) read_port(*t.as_table(), f, nic_names, nic_where);
  // The NIC ends of NPO/CPO designs: a pluggable design by name, or the same engines; the links
  // above a copper design's leaf: a pluggable design by name.
  for (std::size_t i = 0; i < f.ports.size(); ++i) {
    if (f.ports[i].kind == PortKind::pluggable) continue;
    const bool copper = f.ports[i].kind == PortKind::copper;
    const std::string& wanted = nic_names[i];
    if (wanted == "same" && !copper) continue;
    std::vector<std::string> pluggables;
    int& found = copper ? f.ports[i].upper_design : f.ports[i].nic_design;
    for (std::size_t j = 0; j < f.ports.size(); ++j)
      if (f.ports[j].kind == PortKind::pluggable) {
        pluggables.push_back(f.ports[j].name);
        if (f.ports[j].name == wanted) found = static_cast<int>(j);
      }
    if (found < 0) {
      std::string names;
      for (const std::string& p : pluggables)
        names += (names.empty() ? "" : ", ") + ("\"" + p + "\"");
      fail_at(nic_where[i], copper ? "port.upper_links" : "port.nic_end",
              std::string(copper ? "expected" : "expected \"same\" or") +
                  " the name of a pluggable [[port]] design (" +
                  (names.empty() ? std::string("there is none") : names) + "), got \"" + wanted +
                  "\"");
    }
  }
}

}  // namespace ll::fabric::detail
