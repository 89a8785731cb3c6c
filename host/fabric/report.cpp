#include "host/fabric/report.hpp"

#include <cmath>
#include <functional>

namespace ll::fabric {

namespace {

std::string count(std::int64_t n) { return std::to_string(n); }
// Reals to 4 significant digits, without an exponent below 1e7.
std::string real(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return format_number(v, std::fabs(v) >= 1e4 && std::fabs(v) < 1e7 ? 7 : 4);
}

}  // namespace

Table fabric_table(const FabricSpec& spec, const std::vector<DesignRollup>& rollups) {
  Table t;
  t.header = {"quantity", "unit"};
  for (const DesignRollup& r : rollups) t.header.push_back(r.design->name);
  auto row = [&](const std::string& name, const std::string& unit,
                 const std::function<std::string(const DesignRollup&)>& value) {
    std::vector<std::string> cells{name, unit};
    for (const DesignRollup& r : rollups) cells.push_back(value(r));
    t.rows.push_back(std::move(cells));
  };
  auto same = [&](const std::string& name, const std::string& unit, const std::string& value) {
    row(name, unit, [&](const DesignRollup&) { return value; });
  };
  const Topology& tp = spec.topology;
  const double gpus = static_cast<double>(spec.gpus);
  same("GPUs", "1", count(spec.gpus));
  same("GPU ports into the fabric", "1", count(tp.endpoints));
  same("link speed", "Gb/s", real(spec.link_gbps));
  same("topology", "",
       spec.topology_name + (tp.rails > 1 ? " (" + count(tp.rails) + " rails)" : ""));
  same("switch radix", "ports", count(tp.radix));
  for (int i = 0; i < tp.tiers; ++i)
    same("switches: " + tier_name(i + 1, tp.tiers), "1", count(tp.switches[i]));
  same("switches", "1", count(tp.total_switches()));
  for (int i = 0; i < tp.tiers; ++i)
    same("links: " + boundary_name(i, tp.tiers), "1", count(tp.links[i]));
  same("links", "1", count(tp.total_links()));
  same("link ends per GPU", "1", real(2.0 * static_cast<double>(tp.total_links()) / gpus));

  row("kind", "", [](const DesignRollup& r) { return kind_name(r.design->kind); });
  row("NIC end", "", [](const DesignRollup& r) {
    return r.nic == r.design ? kind_name(r.design->kind) : r.nic->name;
  });
  row("links above the leaf", "", [](const DesignRollup& r) {
    return r.upper ? r.upper->name : std::string("same");
  });
  row("port power source", "", [](const DesignRollup& r) { return r.design->power_source; });
  row("power per link end, switch side", "W",
      [](const DesignRollup& r) { return real(r.design->power_w); });
  row("power per link end, NIC side", "W",
      [](const DesignRollup& r) { return real(r.nic->power_w); });
  row("transceivers, switch side", "1",
      [](const DesignRollup& r) { return count(r.transceivers_switch); });
  row("transceivers, NIC side", "1",
      [](const DesignRollup& r) { return count(r.transceivers_nic); });
  row("transceivers", "1", [](const DesignRollup& r) { return count(r.transceivers()); });
  row("transceivers per GPU", "1",
      [&](const DesignRollup& r) { return real(static_cast<double>(r.transceivers()) / gpus); });
  row("optical engines", "1", [](const DesignRollup& r) { return count(r.engines()); });
  row("copper cables", "1", [](const DesignRollup& r) { return count(r.cables); });
  row("lasers", "1", [](const DesignRollup& r) { return count(r.lasers()); });
  row("optics power", "kW", [](const DesignRollup& r) { return real(r.optics_power_w() * 1e-3); });
  row("optics power per GPU", "W",
      [&](const DesignRollup& r) { return real(r.optics_power_w() / gpus); });
  row("failures per day: transceivers", "1/day",
      [](const DesignRollup& r) { return real(r.failures_transceivers_per_day); });
  row("failures per day: optical engines", "1/day",
      [](const DesignRollup& r) { return real(r.failures_engines_per_day); });
  row("failures per day: lasers", "1/day",
      [](const DesignRollup& r) { return real(r.failures_lasers_per_day); });
  row("failures per day: copper cables", "1/day",
      [](const DesignRollup& r) { return real(r.failures_cables_per_day); });
  row("failures per day", "1/day",
      [](const DesignRollup& r) { return real(r.failures_per_day()); });
  row("hours between part failures", "h", [](const DesignRollup& r) {
    return r.failures_per_day() > 0.0 ? real(24.0 / r.failures_per_day()) : std::string("inf");
  });
  // A run's BER and margin, where a design's power came from a run that has them.
  bool any_ber = false, any_margin = false;
  for (const DesignRollup& r : rollups) {
    any_ber = any_ber || std::isfinite(r.design->run_ber);
    any_margin = any_margin || std::isfinite(r.design->run_margin_db);
  }
  if (any_ber)
    row("run BER (worst lane)", "1", [](const DesignRollup& r) { return real(r.design->run_ber); });
  if (any_margin)
    row("run margin (worst lane)", "dB",
        [](const DesignRollup& r) { return real(r.design->run_margin_db); });
  return t;
}

void write_markdown(const Table& table, std::ostream& out) {
  auto line = [&](const std::vector<std::string>& cells) {
    out << "|";
    for (const std::string& c : cells) {
      std::string escaped;
      for (char ch : c) escaped += ch == '|' ? std::string("\\|") : std::string(1, ch);
      out << " " << escaped << " |";
    }
    out << "\n";
  };
  line(table.header);
  out << "|";
  for (std::size_t i = 0; i < table.header.size(); ++i) out << (i < 2 ? "---|" : "---:|");
  out << "\n";
  for (const auto& r : table.rows) line(r);
}

void write_csv(const Table& table, std::ostream& out) {
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string& c = cells[i];
      if (i) out << ",";
      if (c.find_first_of(",\"\n\r") == std::string::npos) {
        out << c;
      } else {
        out << '"';
        for (char ch : c) out << (ch == '"' ? std::string("\"\"") : std::string(1, ch));
        out << '"';
      }
    }
    out << "\n";
  };
  line(table.header);
  for (const auto& r : table.rows) line(r);
}

}  // namespace ll::fabric
