#include "host/fabric/rollup.hpp"

#include <cmath>

namespace ll::fabric {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// ceil(ends x lasers per port), with a tolerance so that 8 x 0.25 ports is 2 lasers, not 3.
std::int64_t lasers_for(std::int64_t ends, double lasers_per_port) {
  return static_cast<std::int64_t>(
      std::ceil(static_cast<double>(ends) * lasers_per_port * (1.0 - 1e-12)));
}

}  // namespace

namespace {

// A copper design: cables on the GPU-leaf links, its upper design's transceivers above them.
DesignRollup copper_rollup(const FabricSpec& spec, const PortDesign& d) {
  const Topology& tp = spec.topology;
  const PortDesign& u = spec.ports[static_cast<std::size_t>(d.upper_design)];
  const std::int64_t gpu_links = tp.gpu_link_ends();  // one GPU end each
  const std::int64_t upper_ends = tp.switch_link_ends() - gpu_links;
  DesignRollup r;
  r.design = &d;
  r.nic = &d;
  r.upper = &u;
  r.cables = gpu_links;
  r.transceivers_switch = ceil_div(upper_ends, u.ports_per_transceiver);
  r.lasers_switch = lasers_for(upper_ends, u.lasers_per_port);
  r.power_nic_w = static_cast<double>(gpu_links) * d.power_w;
  r.power_switch_w = static_cast<double>(gpu_links) * d.power_w +
                     static_cast<double>(upper_ends) * u.power_w;
  auto fit_or_zero = [](double fit) { return std::isfinite(fit) ? fit : 0.0; };
  r.failures_cables_per_day =
      failures_per_day(static_cast<double>(r.cables), fit_or_zero(d.fit_cable));
  r.failures_transceivers_per_day = failures_per_day(static_cast<double>(r.transceivers_switch),
                                                     fit_or_zero(u.fit_transceiver));
  r.failures_lasers_per_day = failures_per_day(static_cast<double>(r.lasers_switch), u.fit_laser);
  return r;
}

}  // namespace

double failures_per_day(double count, double fit) { return count * fit * 24.0 / 1e9; }

std::vector<DesignRollup> roll_up(const FabricSpec& spec) {
  const Topology& tp = spec.topology;
  const std::int64_t switch_ends = tp.switch_link_ends();
  const std::int64_t nic_ends = tp.gpu_link_ends();
  std::vector<DesignRollup> out;
  for (const PortDesign& d : spec.ports) {
    DesignRollup r;
    r.design = &d;
    if (d.kind == PortKind::copper) {
      out.push_back(copper_rollup(spec, d));
      continue;
    }
    const bool pluggable = d.kind == PortKind::pluggable;
    r.nic =
        pluggable || d.nic_design < 0 ? &d : &spec.ports[static_cast<std::size_t>(d.nic_design)];
    // The switch side.
    if (pluggable)
      r.transceivers_switch = ceil_div(switch_ends, d.ports_per_transceiver);
    else
      r.engines_switch = tp.total_switches() * ceil_div(tp.radix, d.ports_per_engine);
    r.lasers_switch = lasers_for(switch_ends, d.lasers_per_port);
    r.power_switch_w = static_cast<double>(switch_ends) * d.power_w;
    // The NIC side.
    const PortDesign& n = *r.nic;
    if (n.kind == PortKind::pluggable)
      r.transceivers_nic = spec.gpus * ceil_div(spec.gpu_ports, n.ports_per_transceiver);
    else
      r.engines_nic = spec.gpus * ceil_div(spec.gpu_ports, n.ports_per_engine);
    r.lasers_nic = lasers_for(nic_ends, n.lasers_per_port);
    r.power_nic_w = static_cast<double>(nic_ends) * n.power_w;
    // Failures: each side's parts with that side's rates.
    auto fit_or_zero = [](double fit) { return std::isfinite(fit) ? fit : 0.0; };
    r.failures_transceivers_per_day =
        failures_per_day(static_cast<double>(r.transceivers_switch),
                         fit_or_zero(d.fit_transceiver)) +
        failures_per_day(static_cast<double>(r.transceivers_nic), fit_or_zero(n.fit_transceiver));
    r.failures_engines_per_day =
        failures_per_day(static_cast<double>(r.engines_switch), fit_or_zero(d.fit_engine)) +
        failures_per_day(static_cast<double>(r.engines_nic), fit_or_zero(n.fit_engine));
    r.failures_lasers_per_day =
        failures_per_day(static_cast<double>(r.lasers_switch), d.fit_laser) +
        failures_per_day(static_cast<double>(r.lasers_nic), n.fit_laser);
    out.push_back(r);
  }
  return out;
}

}  // namespace ll::fabric
