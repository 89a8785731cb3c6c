// Fabric topology arithmetic: how many switches and links a folded-Clos fat tree of radix-k
// switches needs to connect N endpoints (GPU NIC ports). Physics-free host code.
//
// Radix. k = floor(switch bandwidth / link speed): a 115.2 Tb/s switch has 144 ports of 800G
// (NVIDIA Quantum-X Photonics, GTC 2025; PARAMETERS.md).
//
// Tiers. Tier 1 is the leaf (its downlinks go to the GPUs), tier t the top. A tier i < t has
// d_i downlinks and u_i uplinks on its k ports; the top tier has k downlinks and no uplinks.
//
// Oversubscription. One ratio r_i >= 1 per tier below the top (t - 1 of them, leaf first): tier
// i's downlink:uplink port ratio (1 = non-blocking). Its ports split as
//     u_i = ceil(k / (1 + r_i)),   d_i = k - u_i,
// so the realised ratio d_i / u_i is at most r_i (k = 144: r = 1 gives 72:72, r = 2 gives 96:48).
//
// Links. L_0 = N links between the GPUs and the leaves; the links between tier i and tier i + 1
//     L_i = ceil(L_{i-1} u_i / d_i)          (i = 1 .. t-1),
// the uplink ports that tier i's used downlinks need at its port ratio.
//
// Switches. S_i = ceil(L_{i-1} / d_i) for i < t and S_t = ceil(L_{t-1} / k): each switch's
// ports filled, a partly filled switch rounded up. This is the bandwidth minimum; the counts do
// not lay out pods and planes (a built fabric may round each pod up further).
//
// Reach. A tier-t folded Clos connects at most k d_{t-1} ... d_1 endpoints: a top switch
// reaches k tier-(t-1) groups, each tier-i switch d_i groups below it. Non-blocking (all
// r_i = 1, k even) this is the textbook 2 (k/2)^t (Al-Fares et al., SIGCOMM 2008). More
// endpoints than that cannot be built: refused, naming fabric.gpus.
//
// Rail-optimised. With `rails` (GPUs per server) each rail is its own fat tree over the
// servers' same-numbered GPUs: `rails` trees of N / rails endpoints each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ll::fabric {

struct TopologyInput {
  std::int64_t endpoints = 0;  // GPU NIC ports into the fabric (gpus x gpu_ports)
  std::int64_t radix = 0;      // switch ports of link speed
  int tiers = 0;
  std::vector<double> oversubscription;  // tiers - 1 ratios, leaf first
  std::int64_t rails = 1;                // 1: one fat tree; else rail-optimised
};

struct Topology {
  std::int64_t radix = 0;
  int tiers = 0;
  std::int64_t rails = 1;
  std::vector<std::int64_t> downlinks_per_switch;  // d_i per tier (top: k)
  std::vector<std::int64_t> uplinks_per_switch;    // u_i per tier (top: 0)
  std::vector<std::int64_t> switches;              // S_i per tier, all rails together
  std::vector<std::int64_t> links;                 // L_0 (GPU-leaf) .. L_{t-1}, all rails
  std::int64_t max_endpoints_per_tree = 0;         // k d_{t-1} ... d_1 (saturating)
  std::int64_t endpoints = 0;

  std::int64_t total_switches() const;
  std::int64_t total_links() const;
  // Link ends on switches (every link has one or two) and on GPUs (the GPU-leaf links' ends).
  std::int64_t switch_link_ends() const { return 2 * total_links() - links.front(); }
  std::int64_t gpu_link_ends() const { return links.front(); }
};

// Why a topology cannot be built: which input limits it and what was expected.
struct TopologyError {
  enum class Cause { none, radix, reach, rails } cause = Cause::none;
  std::string what;                // "expected ..., got ..." (radix, rails)
  std::int64_t max_endpoints = 0;  // reach: the most endpoints the tiers connect, all rails
};

// radix = floor(bandwidth / link rate), with a tolerance for decimal inputs (115.2e12 / 800e9
// is 143.99999... in floating point).
std::int64_t switch_radix(double bandwidth_bps, double link_bps);

// The fat tree's counts, or `error` set (cause != none) and an empty topology.
Topology fat_tree(const TopologyInput& in, TopologyError& error);

// Names of the tiers and boundaries for reports: "leaf", "spine", "core", "tier 4" ...;
// "GPU-leaf", "leaf-spine", "spine-core".
std::string tier_name(int tier, int tiers);
std::string boundary_name(int boundary, int tiers);

}  // namespace ll::fabric
