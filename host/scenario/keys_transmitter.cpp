// The registry's [signal], [driver] and [fec] keys: what is sent, the driver that sends it, and
// the FEC the link's figures assume.

#include <map>
#include <string>
#include <vector>

#include "host/scenario/key_spec.hpp"
#include "physics/fec.hpp"

namespace ll::scenario_detail {

void append_transmitter_keys(std::vector<KeySpec>& r) {
  const Range bandwidth = bandwidth_range();

  // [signal]
  {
    KeySpec k{
        "signal.pattern",
        Kind::text,
        "",
        {},
        {"PRBS7", "PRBS9", "PRBS11", "PRBS13", "PRBS15", "PRBS23", "PRBS31", "PRBS13Q", "PRBS31Q"},
        {},
        {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      static const std::map<std::string, Pattern> m = {
          {"PRBS7", Pattern::prbs7},    {"PRBS9", Pattern::prbs9},
          {"PRBS11", Pattern::prbs11},  {"PRBS13", Pattern::prbs13},
          {"PRBS15", Pattern::prbs15},  {"PRBS23", Pattern::prbs23},
          {"PRBS31", Pattern::prbs31},  {"PRBS13Q", Pattern::prbs13q},
          {"PRBS31Q", Pattern::prbs31q}};
      lp.pattern = m.at(std::get<std::string>(v));
    };
    r.push_back(k);
  }
  {
    KeySpec k{"signal.modulation", Kind::text, "", {}, {"NRZ", "PAM4", "PAM6", "PAM8"}, {}, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      // Gray PAM2/4/8; PAM6 sends 5 bits per symbol pair (physics/prbs.hpp).
      const std::string& m = std::get<std::string>(v);
      lp.levels = m == "NRZ" ? 2 : m == "PAM4" ? 4 : m == "PAM6" ? 6 : 8;
    };
    r.push_back(k);
  }
  r.push_back(real_key("signal.symbol_rate_gbd", "GBd", {0.0, 1000.0, true}, 1e9,
                       &LaneParams::symbol_rate_hz));
  r.push_back(
      int_key("signal.samples_per_ui", "1",
              {2.0, 256.0, false, false, false, false, "an integer from 2 to 256 samples per UI"},
              &LaneParams::samples_per_ui, 32));

  // [driver]
  r.push_back(
      real_key("driver.swing_vpp", "V", {0.0, 20.0, true}, 1.0, &LaneParams::drive_swing_vpp));
  r.push_back(real_key("driver.bias_v", "V", {-5.0, 20.0}, 1.0, &LaneParams::drive_bias_v));
  {
    KeySpec k{"driver.level_spacing", Kind::text, "", {}, {"voltage", "optical"},
              std::string("voltage"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.level_spacing =
          std::get<std::string>(v) == "optical" ? LevelSpacing::optical : LevelSpacing::voltage;
    };
    r.push_back(k);
  }
  r.push_back(
      real_key("driver.bandwidth_ghz", "GHz", bandwidth, 1e9, &LaneParams::driver_bandwidth_hz));
  // [fec]: 1 = a single-lane IEEE 802.3 clause 91 stream (a codeword's symbols back to back).
  r.push_back(int_key("fec.interleave", "1",
                      {1.0, static_cast<double>(kFecMaxInterleave), false, false, false, false,
                       "1 to 4 RS(544,514) codewords interleaved symbol by symbol"},
                      &LaneParams::fec_interleave, 1));
  {
    KeySpec k{"fec.inner",         Kind::text, "", {}, {"none", "hamming_128_120"},
              std::string("none"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.fec_inner_hamming = std::get<std::string>(v) == "hamming_128_120";
    };
    r.push_back(k);
  }
  // IEEE 802.3 states its frame loss ratio objectives for 64-octet frames.
  r.push_back(int_key(
      "fec.frame_octets", "octet",
      {64.0, 9216.0, false, false, false, false, "an Ethernet frame size from 64 to 9216 octets"},
      &LaneParams::fec_frame_octets, 64));
  r.push_back(int_key("driver.dac_bits", "bit",
                      {0.0, 16.0, false, false, false, false,
                       "0 (no DAC) or the transmit DAC's resolution, up to 16 bits"},
                      &LaneParams::dac_bits, 0));
}

}  // namespace ll::scenario_detail
