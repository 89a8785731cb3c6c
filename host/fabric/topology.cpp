#include "host/fabric/topology.hpp"

#include <cmath>
#include <limits>
#include <numeric>

namespace ll::fabric {

namespace {

constexpr std::int64_t kSaturated = std::numeric_limits<std::int64_t>::max() / 4;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

std::int64_t saturating_product(std::int64_t a, std::int64_t b) {
  if (a == 0 || b == 0) return 0;
  if (a > kSaturated / b) return kSaturated;
  return a * b;
}

// One fat tree of `endpoints` GPU ports.
Topology one_tree(const TopologyInput& in, std::int64_t endpoints, TopologyError& error) {
  const std::int64_t k = in.radix;
  const int t = in.tiers;
  Topology tp;
  tp.radix = k;
  tp.tiers = t;
  tp.endpoints = endpoints;
  for (int i = 0; i < t - 1; ++i) {
    // ceil(k / (1 + r)) with a tolerance, so that 144 / 3 is 48 and not 49.
    const double share = static_cast<double>(k) / (1.0 + in.oversubscription[i]);
    const auto up = static_cast<std::int64_t>(std::ceil(share - 1e-9));
    const std::int64_t down = k - up;
    if (up < 1 || down < 1) {
      error = {TopologyError::Cause::radix,
               "expected a radix that leaves each " + tier_name(i + 1, t) +
                   " switch at least one downlink and one uplink, got " + std::to_string(k) +
                   " ports"};
      return {};
    }
    tp.downlinks_per_switch.push_back(down);
    tp.uplinks_per_switch.push_back(up);
  }
  tp.downlinks_per_switch.push_back(k);
  tp.uplinks_per_switch.push_back(0);

  std::int64_t reach = k;
  for (int i = 0; i < t - 1; ++i) reach = saturating_product(reach, tp.downlinks_per_switch[i]);
  tp.max_endpoints_per_tree = reach;
  if (endpoints > reach) {
    error = {TopologyError::Cause::reach, ""};
    error.max_endpoints = reach;
    return {};
  }

  tp.links.push_back(endpoints);
  for (int i = 0; i < t - 1; ++i) {
    const std::int64_t down = tp.downlinks_per_switch[i], up = tp.uplinks_per_switch[i];
    tp.switches.push_back(ceil_div(tp.links[i], down));
    tp.links.push_back(ceil_div(tp.links[i] * up, down));
  }
  tp.switches.push_back(ceil_div(tp.links.back(), k));
  return tp;
}

}  // namespace

std::int64_t Topology::total_switches() const {
  return std::accumulate(switches.begin(), switches.end(), std::int64_t{0});
}

std::int64_t Topology::total_links() const {
  return std::accumulate(links.begin(), links.end(), std::int64_t{0});
}

std::int64_t switch_radix(double bandwidth_bps, double link_bps) {
  // A relative tolerance of 1e-9: decimal inputs such as 115.2 Tb/s over 800 Gb/s are not exact
  // in binary; no real switch is within a billionth of a port of the next radix.
  return static_cast<std::int64_t>(std::floor(bandwidth_bps / link_bps * (1.0 + 1e-9)));
}

Topology fat_tree(const TopologyInput& in, TopologyError& error) {
  error = {};
  if (in.radix < 2) {
    error = {
        TopologyError::Cause::radix,
        "expected a switch of at least 2 ports at the link speed, got " + std::to_string(in.radix)};
    return {};
  }
  if (in.rails < 1 || in.endpoints % in.rails != 0) {
    error = {TopologyError::Cause::rails,
             "expected a number of rails that divides the GPU ports (" +
                 std::to_string(in.endpoints) + "), got " + std::to_string(in.rails)};
    return {};
  }
  Topology tree = one_tree(in, in.endpoints / in.rails, error);
  if (error.cause != TopologyError::Cause::none) {
    error.max_endpoints = saturating_product(error.max_endpoints, in.rails);
    return {};
  }
  // The rails are identical trees.
  for (auto& s : tree.switches) s *= in.rails;
  for (auto& l : tree.links) l *= in.rails;
  tree.rails = in.rails;
  tree.endpoints = in.endpoints;
  return tree;
}

std::string tier_name(int tier, int tiers) {
  if (tiers == 1) return "switch";
  if (tier == 1) return "leaf";
  if (tier == tiers) return tiers == 2 ? "spine" : "core";
  if (tier == 2) return "spine";
  return "tier " + std::to_string(tier);
}

std::string boundary_name(int boundary, int tiers) {
  if (boundary == 0) return "GPU-" + tier_name(1, tiers);
  return tier_name(boundary, tiers) + "-" + tier_name(boundary + 1, tiers);
}

}  // namespace ll::fabric
