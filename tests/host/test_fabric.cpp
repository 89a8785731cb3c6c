// The fabric roll-up (host/fabric/): the fat tree's switch and link counts against counts worked
// by hand (2 and 3 tiers, with and without oversubscription, rails, a radix that cannot reach),
// the 128k-GPU calibration against the published ~655,000 transceivers, the parts, power and FIT
// arithmetic, the description's refusals, and port figures read from a run's HDF5 file.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "host/fabric/report.hpp"
#include "host/fabric/rollup.hpp"
#include "host/fabric/run_values.hpp"
#include "host/fabric/topology.hpp"

namespace {

using ll::fabric::Topology;
using ll::fabric::TopologyError;
using ll::fabric::TopologyInput;

Topology tree(std::int64_t n, std::int64_t k, int t, std::vector<double> r,
              std::int64_t rails = 1) {
  TopologyError e;
  Topology tp = ll::fabric::fat_tree({n, k, t, std::move(r), rails}, e);
  EXPECT_EQ(e.cause, TopologyError::Cause::none) << e.what;
  return tp;
}

TEST(FabricTopology, RadixIsTheFloorOfBandwidthOverLinkSpeed) {
  EXPECT_EQ(ll::fabric::switch_radix(115.2e12, 800e9), 144);  // Quantum-X Photonics
  EXPECT_EQ(ll::fabric::switch_radix(51.2e12, 400e9), 128);
  EXPECT_EQ(ll::fabric::switch_radix(51.2e12, 800e9), 64);
  EXPECT_EQ(ll::fabric::switch_radix(100e12, 800e9), 125);
  EXPECT_EQ(ll::fabric::switch_radix(1e12, 800e9), 1);
}

TEST(FabricTopology, TwoTiersNonBlocking) {
  // k = 64, the full 2 (k/2)^2 = 2048 endpoints: 64 leaves of 32 down, 32 up; 2048 leaf-spine
  // links on 32 spines of 64 ports.
  const Topology tp = tree(2048, 64, 2, {1.0});
  EXPECT_EQ(tp.switches, (std::vector<std::int64_t>{64, 32}));
  EXPECT_EQ(tp.links, (std::vector<std::int64_t>{2048, 2048}));
  EXPECT_EQ(tp.max_endpoints_per_tree, 2048);
  // Half full: 1000 GPUs on ceil(1000 / 32) = 32 leaves, 1000 uplinks on ceil(1000 / 64) = 16
  // spines.
  const Topology half = tree(1000, 64, 2, {1.0});
  EXPECT_EQ(half.switches, (std::vector<std::int64_t>{32, 16}));
  EXPECT_EQ(half.links, (std::vector<std::int64_t>{1000, 1000}));
}

TEST(FabricTopology, TwoTiersOversubscribed) {
  // k = 64 at 3:1: leaves 48 down, 16 up; reach 64 x 48 = 3072; 3072 / 3 = 1024 uplinks on 16
  // spines.
  const Topology tp = tree(3072, 64, 2, {3.0});
  EXPECT_EQ(tp.downlinks_per_switch, (std::vector<std::int64_t>{48, 64}));
  EXPECT_EQ(tp.uplinks_per_switch, (std::vector<std::int64_t>{16, 0}));
  EXPECT_EQ(tp.switches, (std::vector<std::int64_t>{64, 16}));
  EXPECT_EQ(tp.links, (std::vector<std::int64_t>{3072, 1024}));
  // A ratio the ports cannot split evenly: k = 7 at 1:1 gives 4 up, 3 down (at most 1:1).
  const Topology odd = tree(6, 7, 2, {1.0});
  EXPECT_EQ(odd.downlinks_per_switch.front(), 3);
  EXPECT_EQ(odd.uplinks_per_switch.front(), 4);
  EXPECT_EQ(odd.links, (std::vector<std::int64_t>{6, 8}));
}

TEST(FabricTopology, ThreeTiersNonBlockingIsTheTextbookFatTree) {
  // Al-Fares et al. (SIGCOMM 2008), k = 4: 16 hosts, 8 edge, 8 aggregation, 4 core switches,
  // 16 links at each level.
  const Topology tp = tree(16, 4, 3, {1.0, 1.0});
  EXPECT_EQ(tp.switches, (std::vector<std::int64_t>{8, 8, 4}));
  EXPECT_EQ(tp.links, (std::vector<std::int64_t>{16, 16, 16}));
  EXPECT_EQ(tp.total_switches(), 20);
  EXPECT_EQ(tp.max_endpoints_per_tree, 16);  // 2 (k/2)^3
  // k = 48: 2 (24)^3 = 27,648 hosts, 5 k^2 / 4 = 2880 switches.
  const Topology big = tree(27648, 48, 3, {1.0, 1.0});
  EXPECT_EQ(big.total_switches(), 2880);
  EXPECT_EQ(big.total_links(), 3 * 27648);
}

TEST(FabricTopology, ThreeTiersWithTheTopBoundaryOversubscribed) {
  // The 128k fabric: k = 144, leaf 72:72, spine 96:48. Links 131072, 131072, 65536; leaves
  // ceil(131072 / 72) = 1821, spines ceil(131072 / 96) = 1366, cores ceil(65536 / 144) = 456.
  const Topology tp = tree(131072, 144, 3, {1.0, 2.0});
  EXPECT_EQ(tp.links, (std::vector<std::int64_t>{131072, 131072, 65536}));
  EXPECT_EQ(tp.switches, (std::vector<std::int64_t>{1821, 1366, 456}));
  EXPECT_EQ(tp.max_endpoints_per_tree, 144 * 96 * 72);
  EXPECT_EQ(tp.switch_link_ends() + tp.gpu_link_ends(), 5 * 131072);
}

TEST(FabricTopology, RailsAreIdenticalTrees) {
  // 8 rails of 1024 GPU ports, k = 64, 2 tiers: each 32 leaves, 16 spines, 1024 + 1024 links.
  const Topology tp = tree(8192, 64, 2, {1.0}, 8);
  EXPECT_EQ(tp.switches, (std::vector<std::int64_t>{256, 128}));
  EXPECT_EQ(tp.links, (std::vector<std::int64_t>{8192, 8192}));
}

TEST(FabricTopology, MoreEndpointsThanTheTiersReachAreRefused) {
  TopologyError e;
  ll::fabric::fat_tree({131072, 144, 2, {1.0}, 1}, e);  // 2 x 72^2 = 10,368
  EXPECT_EQ(e.cause, TopologyError::Cause::reach);
  EXPECT_EQ(e.max_endpoints, 10368);
  ll::fabric::fat_tree({17, 4, 3, {1.0, 1.0}, 1}, e);  // 2 (4/2)^3 = 16
  EXPECT_EQ(e.cause, TopologyError::Cause::reach);
  EXPECT_EQ(e.max_endpoints, 16);
  ll::fabric::fat_tree({16, 4, 3, {1.0, 1.0}, 1}, e);
  EXPECT_EQ(e.cause, TopologyError::Cause::none);
  ll::fabric::fat_tree({2, 1, 1, {}, 1}, e);
  EXPECT_EQ(e.cause, TopologyError::Cause::radix);
}

TEST(FabricRollup, FitArithmetic) {
  // 1e6 parts at 100 FIT: 1e6 x 100 x 24 / 1e9 = 2.4 failures a day.
  EXPECT_DOUBLE_EQ(ll::fabric::failures_per_day(1e6, 100.0), 2.4);
  EXPECT_DOUBLE_EQ(ll::fabric::failures_per_day(0.0, 1e6), 0.0);
  EXPECT_NEAR(ll::fabric::failures_per_day(655360, 570), 655360 * 570 * 24e-9, 1e-12);
}

const char* kSmallFabric = R"(
[fabric]
gpus = 16
gpu_ports = 1
link_gbps = 800
topology = "fat_tree"
tiers = 3
oversubscription = [1, 1]
[switch]
bandwidth_tbps = 3.2          # 4 ports of 800G
[[port]]
name = "plug"
kind = "pluggable"
power_w = 15
lasers_per_port = 4
ports_per_transceiver = 2
fit_transceiver = 500
fit_laser = 100
[[port]]
name = "cpo"
kind = "cpo"
power_w = 5
lasers_per_port = 0.5
ports_per_engine = 3
nic_end = "plug"
fit_engine = 1000
fit_laser = 200
)";

TEST(FabricRollup, PartsPowerAndFailuresOfASmallFabric) {
  const ll::fabric::FabricSpec spec = ll::fabric::parse_fabric(kSmallFabric, "small.toml");
  // 16 hosts, 20 switches, 48 links: 16 NIC ends, 80 switch ends.
  ASSERT_EQ(spec.topology.total_switches(), 20);
  const auto r = ll::fabric::roll_up(spec);
  ASSERT_EQ(r.size(), 2u);
  // Pluggable, twin-port: switch side 80 / 2 = 40; NIC side 16 x ceil(1 / 2) = 16.
  EXPECT_EQ(r[0].transceivers_switch, 40);
  EXPECT_EQ(r[0].transceivers_nic, 16);
  EXPECT_EQ(r[0].engines(), 0);
  EXPECT_EQ(r[0].lasers(), 96 * 4);
  EXPECT_DOUBLE_EQ(r[0].optics_power_w(), 96 * 15.0);
  EXPECT_NEAR(r[0].failures_per_day(), (56 * 500.0 + 384 * 100.0) * 24 / 1e9, 1e-15);
  // CPO: 20 switches x ceil(4 / 3) = 40 engines; 80 x 0.5 = 40 lasers at the switches; the NIC
  // end is the pluggable: 16 transceivers, 64 lasers, 15 W each.
  EXPECT_EQ(r[1].engines_switch, 40);
  EXPECT_EQ(r[1].transceivers(), 16);
  EXPECT_EQ(r[1].lasers_switch, 40);
  EXPECT_EQ(r[1].lasers_nic, 64);
  EXPECT_DOUBLE_EQ(r[1].optics_power_w(), 80 * 5.0 + 16 * 15.0);
  EXPECT_NEAR(r[1].failures_per_day(),
              (40 * 1000.0 + 40 * 200.0 + 16 * 500.0 + 64 * 100.0) * 24 / 1e9, 1e-15);
  const ll::fabric::Table t = ll::fabric::fabric_table(spec, r);
  EXPECT_EQ(t.header, (std::vector<std::string>{"quantity", "unit", "plug", "cpo"}));
  for (const auto& row : t.rows) EXPECT_EQ(row.size(), t.header.size());
}

TEST(FabricRollup, The128kFabricNeedsAbout655000PluggableTransceivers) {
  // NVIDIA / Lambda (2026): about 655,000 for 131,072 GPUs at 800G, three tiers. The shipped
  // description (a 2:1 spine-core boundary) must land within 1% of it.
  const ll::fabric::FabricSpec spec = ll::fabric::load_fabric(
      std::string(LIGHTLANE_SOURCE_DIR) + "/scenarios/systems/fabric_128k.toml");
  const auto r = ll::fabric::roll_up(spec);
  ASSERT_FALSE(r.empty());
  ASSERT_EQ(r.front().design->kind, ll::fabric::PortKind::pluggable);
  EXPECT_EQ(r.front().transceivers(), 655360);
  EXPECT_NEAR(static_cast<double>(r.front().transceivers()), 655000.0, 0.01 * 655000.0);
  EXPECT_DOUBLE_EQ(static_cast<double>(r.front().transceivers()) / 131072.0, 5.0);
  // The CPO switch: 36 engines of 4 x 800G on each of the 3643 switches.
  for (const ll::fabric::DesignRollup& d : r) {
    if (d.design->kind == ll::fabric::PortKind::cpo) {
      EXPECT_EQ(d.engines_switch, 3643 * 36);
    }
  }
  // Copper to the leaf: a cable per GPU-leaf link, the pluggable's transceivers above it only.
  const ll::fabric::DesignRollup& cu = r.back();
  ASSERT_EQ(cu.design->kind, ll::fabric::PortKind::copper);
  EXPECT_EQ(cu.cables, 131072);
  EXPECT_EQ(cu.transceivers(), 655360 - 2 * 131072);
}

TEST(FabricRollup, CopperCablesToTheLeafAndAPluggableAbove) {
  const std::string text = std::string(kSmallFabric) + R"(
[[port]]
name = "cu"
kind = "copper"
power_w = 2
fit_cable = 10
upper_links = "plug"
)";
  const ll::fabric::FabricSpec spec = ll::fabric::parse_fabric(text, "small.toml");
  const auto r = ll::fabric::roll_up(spec);
  ASSERT_EQ(r.size(), 3u);
  const ll::fabric::DesignRollup& cu = r[2];
  // 16 GPU-leaf links: 16 cables, 2 W at each of their 32 ends; the 80 - 16 = 64 switch ends
  // above the leaf: the twin-port pluggable's 32 transceivers, 64 x 4 lasers, 15 W each.
  EXPECT_EQ(cu.cables, 16);
  EXPECT_EQ(cu.transceivers_switch, 32);
  EXPECT_EQ(cu.transceivers_nic, 0);
  EXPECT_EQ(cu.engines(), 0);
  EXPECT_EQ(cu.lasers(), 256);
  EXPECT_DOUBLE_EQ(cu.optics_power_w(), 32 * 2.0 + 64 * 15.0);
  EXPECT_NEAR(cu.failures_per_day(), (16 * 10.0 + 32 * 500.0 + 256 * 100.0) * 24 / 1e9, 1e-15);
  EXPECT_EQ(cu.upper, &spec.ports[0]);
  const ll::fabric::Table t = ll::fabric::fabric_table(spec, r);
  for (const auto& row : t.rows) EXPECT_EQ(row.size(), t.header.size());
}

std::string error_of(const std::string& text) {
  try {
    ll::fabric::parse_fabric(text, "f.toml");
  } catch (const ll::ScenarioError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(FabricInput, RefusalsNameTheFileLineAndKey) {
  const std::string ok = kSmallFabric;
  EXPECT_EQ(error_of(ok), "(accepted)");
  EXPECT_EQ(error_of(replaced(ok, "gpus = 16", "gpus = 17")),
            "f.toml:3: fabric.gpus: expected at most 16 GPUs (16 GPU ports: 3 tiers of 4-port "
            "switches reach k x d_1 x ... x d_{t-1}; raise fabric.tiers or "
            "switch.bandwidth_tbps), got 17");
  EXPECT_EQ(error_of(replaced(ok, "gpu_ports = 1", "gpu_prts = 1")),
            "f.toml:4: fabric.gpu_prts: unknown key; did you mean \"fabric.gpu_ports\"?");
  EXPECT_EQ(error_of(replaced(ok, "oversubscription = [1, 1]", "oversubscription = [1]")),
            "f.toml:8: fabric.oversubscription: expected tiers - 1 = 2 downlink:uplink ratios of "
            "at least 1 (one per tier below the top, leaf first; 1 = non-blocking), got 1 ratios");
  EXPECT_EQ(error_of(replaced(ok, "link_gbps = 800", "link_gbps = \"800\"")),
            "f.toml:5: fabric.link_gbps: expected a link speed in Gb/s, above 0 and at most 1e5, "
            "got a string");
  EXPECT_EQ(error_of(replaced(ok, "bandwidth_tbps = 3.2", "bandwidth_tbps = 0.4")),
            "f.toml:10: switch.bandwidth_tbps: expected a switch of at least 2 ports at the link "
            "speed, got 0 (radix = floor(bandwidth / fabric.link_gbps))");
  EXPECT_EQ(error_of(replaced(ok, "nic_end = \"plug\"", "nic_end = \"plugg\"")),
            "f.toml:25: port.nic_end: expected \"same\" or the name of a pluggable [[port]] "
            "design (\"plug\"), got \"plugg\"");
  EXPECT_EQ(error_of(replaced(ok, "fit_engine = 1000\n", "")),
            "f.toml:19: port.fit_engine: missing; expected a failure rate in FIT (failures per "
            "1e9 device hours), 0 to 1e7 (lasers excluded)");
  EXPECT_EQ(error_of(replaced(ok, "fit_laser = 100", "fit_laser = -1")),
            "f.toml:18: port.fit_laser: expected a failure rate in FIT (failures per 1e9 device "
            "hours), 0 to 1e7, got -1");
  EXPECT_EQ(error_of(replaced(ok, "[switch]", "[swtch]")),
            "f.toml:9: swtch: unknown table; did you mean \"switch\"?; expected [fabric], "
            "[switch] and [[port]]");
  // A copper design: no laser, and the links above the leaf by a pluggable design.
  const std::string cu = ok + "[[port]]\nname = \"cu\"\nkind = \"copper\"\npower_w = 2\n"
                              "fit_cable = 0\nupper_links = \"plug\"\n";
  EXPECT_EQ(error_of(cu), "(accepted)");
  EXPECT_NE(error_of(replaced(cu, "fit_cable = 0", "lasers_per_port = 1")).find(
                "port.lasers_per_port: not used by a \"copper\" design"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(cu, "upper_links = \"plug\"", "upper_links = \"cpo\""))
                .find("port.upper_links: expected the name of a pluggable [[port]] design "
                      "(\"plug\"), got \"cpo\""),
            std::string::npos);
  EXPECT_NE(error_of(replaced(ok, "fit_engine = 1000", "fit_engine = 1000\nfit_cable = 1"))
                .find("port.fit_cable: not used by a \"cpo\" design"),
            std::string::npos);
}

// A run's file as the writer lays it out: port_power_w and port_rate_gbps per point, and with a
// WDM bus a `lane` dimension scale on the last axis.
void write_run(const std::string& path, std::size_t points, std::size_t lanes,
               const std::vector<double>& power, bool with_rate = true) {
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hsize_t dims[2] = {points, lanes};
  const int rank = lanes > 1 ? 2 : 1;
  hid_t lane_scale = -1;
  if (lanes > 1) {
    std::vector<double> index(lanes);
    for (std::size_t l = 0; l < lanes; ++l) index[l] = static_cast<double>(l);
    H5LTmake_dataset_double(f, "lane", 1, &dims[1], index.data());
    lane_scale = H5Dopen2(f, "lane", H5P_DEFAULT);
    H5DSset_scale(lane_scale, "lane");
  }
  auto make = [&](const char* name, const std::vector<double>& v) {
    H5LTmake_dataset_double(f, name, rank, dims, v.data());
    if (lanes > 1) {
      const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
      H5DSattach_scale(d, lane_scale, 1);
      H5Dclose(d);
    }
  };
  make("port_power_w", power);
  if (with_rate) make("port_rate_gbps", std::vector<double>(points * lanes, 1600.0));
  make("ber", std::vector<double>(points * lanes, 1e-6));
  if (lane_scale >= 0) H5Dclose(lane_scale);
  H5Fclose(f);
}

TEST(FabricRun, PortFiguresComeFromTheRunsWorstLane) {
  const std::string dir = ::testing::TempDir();
  const std::string file = dir + "/fabric_run_lanes.h5";
  // 2 points x 3 lanes: point 1's lanes 9, 11, 10 W -> 11 W.
  write_run(file, 2, 3, {8, 8, 8, 9, 11, 10});
  const ll::SourceLocation run{"f.toml", 5}, point{"f.toml", 6};
  const ll::fabric::RunPortValues v =
      ll::fabric::read_run_port(file, 1, run, "port.run", point, "port.point");
  EXPECT_DOUBLE_EQ(v.port_power_w, 11.0);
  EXPECT_DOUBLE_EQ(v.port_rate_gbps, 1600.0);
  EXPECT_DOUBLE_EQ(v.ber, 1e-6);
  EXPECT_TRUE(std::isnan(v.lasers_per_port));
  try {
    ll::fabric::read_run_port(file, 2, run, "port.run", point, "port.point");
    ADD_FAILURE() << "point 2 of 2 accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              "f.toml:6: port.point: expected a point index from 0 to 1 "
              "(the points of \"" +
                  file + "\"), got 2");
  }
  // A file without port_rate_gbps (a run without [energy] has neither).
  const std::string bare = dir + "/fabric_run_bare.h5";
  write_run(bare, 4, 1, {1, 2, 3, 4}, /*with_rate=*/false);
  try {
    ll::fabric::read_run_port(bare, 0, run, "port.run", point, "port.point");
    ADD_FAILURE() << "a file without port_rate_gbps accepted";
  } catch (const ll::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("f.toml:5: port.run: \"" + bare +
                                         "\" has no dataset port_rate_gbps"),
              std::string::npos)
        << e.what();
  }
  std::remove(file.c_str());
  std::remove(bare.c_str());
}

}  // namespace
