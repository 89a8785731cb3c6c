// The registry's [channel], [tx_ffe] and [receiver.ctle] keys: the host electrical channel and
// the equalisation on either side of it.

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/link/com_standard.hpp"
#include "host/scenario/key_spec.hpp"

namespace ll::scenario_detail {

void append_electrical_keys(std::vector<KeySpec>& r) {
  // [channel]: the host electrical channel ahead of the driver (host/link/channel.hpp).
  {
    KeySpec k{"channel.model",     Kind::text, "", {}, {"none", "touchstone", "parametric"},
              std::string("none"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      const std::string& m = std::get<std::string>(v);
      lp.channel.model = m == "touchstone"   ? ChannelModel::touchstone
                         : m == "parametric" ? ChannelModel::parametric
                                             : ChannelModel::none;
    };
    r.push_back(k);
  }
  {
    KeySpec k{"channel.file", Kind::text, "", {}, {}, {}, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.channel.file = std::get<std::string>(v);
    };
    r.push_back(k);
  }
  {
    KeySpec k{"channel.port_order", Kind::text, "", {}, {"in12_out34", "in13_out24"}, {}, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.channel.port_order_given = true;
      lp.channel.port_order =
          std::get<std::string>(v) == "in13_out24" ? PortOrder::in13_out24 : PortOrder::in12_out34;
    };
    r.push_back(k);
  }
  {
    std::vector<std::string> sets{"none"};
    for (const std::string& n : com_set_names()) sets.push_back(n);
    KeySpec k{"channel.com_set", Kind::text, "", {}, sets, std::string("none"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.channel.com_set = std::get<std::string>(v);
    };
    r.push_back(k);
  }
  {
    KeySpec k{"channel.com_crosstalk", Kind::text, "", {}, {"beside", "none"},
              std::string("beside"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.channel.com_crosstalk_beside = std::get<std::string>(v) == "beside";
    };
    r.push_back(k);
  }
  {
    KeySpec k{"channel.extrapolate", Kind::boolean, "", {}, {}, false, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.channel.extrapolate = std::get<bool>(v);
    };
    r.push_back(k);
  }
  r.push_back(group_real_key("channel.loss_db_at_nyquist", "dB", {0.0, 80.0}, 1.0,
                             &LaneParams::channel, &ChannelParams::loss_at_nyquist_db));
  r.push_back(group_real_key("channel.skin_share", "1", {0.0, 1.0}, 1.0, &LaneParams::channel,
                             &ChannelParams::skin_share));
  {
    KeySpec k = group_real_key("channel.die_capacitance_ff", "fF", {0.0, 1e4}, 1e-15,
                               &LaneParams::channel, &ChannelParams::die_capacitance_f);
    k.default_value = 0.0;
    r.push_back(k);
  }
  {
    KeySpec k = group_real_key("channel.package_length_mm", "mm", {0.0, 1e3}, 1e-3,
                               &LaneParams::channel, &ChannelParams::package_length_m);
    k.default_value = 0.0;
    r.push_back(k);
  }
  r.push_back(group_real_key("channel.package_impedance_ohm", "ohm", {1.0, 1e3}, 1.0,
                             &LaneParams::channel, &ChannelParams::package_impedance_ohm));
  r.push_back(group_real_key("channel.package_delay_ps_per_mm", "ps/mm", {0.0, 1e3, true}, 1e-9,
                             &LaneParams::channel, &ChannelParams::package_delay_s_per_m));
  // [tx_ffe]: transmit FFE taps around the cursor; the cursor is 1 - sum |others|.
  for (int i = 0; i < kTxFfeTaps; ++i) {
    if (i == kTxFfeCursor) continue;
    const int offset = i - kTxFfeCursor;
    const std::string name =
        std::string("tx_ffe.c_") + (offset < 0 ? "m" : "p") + std::to_string(std::abs(offset));
    KeySpec k{name, Kind::real, "1", {-0.5, 0.5}, {}, 0.0, {}};
    k.apply = [i](const ScalarValue& v, LaneParams& lp, RunParams&) { lp.tx_ffe[i] = as_real(v); };
    r.push_back(k);
  }
  // [receiver.ctle]: the IEEE 802.3 COM CTLE (absent: none).
  auto ctle_key = [&](std::string key, std::string units, Range range, double to_si,
                      double CtleParams::*member, std::optional<double> def) {
    KeySpec k =
        group_real_key(std::move(key), std::move(units), range, to_si, &LaneParams::ctle, member);
    if (def) k.default_value = *def;
    r.push_back(k);
  };
  ctle_key("receiver.ctle.dc_gain_db", "dB", {-40.0, 0.0}, 1.0, &CtleParams::dc_gain_db, {});
  ctle_key("receiver.ctle.zero_ghz", "GHz", {0.0, 1e4, true}, 1e9, &CtleParams::zero_hz, {});
  ctle_key("receiver.ctle.pole1_ghz", "GHz", {0.0, 1e4, true}, 1e9, &CtleParams::pole1_hz, {});
  ctle_key("receiver.ctle.pole2_ghz", "GHz", {0.0, 1e4, true}, 1e9, &CtleParams::pole2_hz, {});
  ctle_key("receiver.ctle.dc_gain2_db", "dB", {-40.0, 0.0}, 1.0, &CtleParams::dc_gain2_db, 0.0);
  ctle_key("receiver.ctle.lf_ghz", "GHz", {0.0, 1e4}, 1e9, &CtleParams::lf_hz, 0.0);
}

}  // namespace ll::scenario_detail
