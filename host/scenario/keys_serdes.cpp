// The registry's [tx_jitter], [cdr] and [rx_eq] keys: the SerDes' transmit jitter, clock
// recovery, and the host receiver's FFE and DFE.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/key_spec.hpp"
#include "physics/equalizer.hpp"

namespace ll::scenario_detail {

void append_serdes_keys(std::vector<KeySpec>& r) {
  // [tx_jitter]: transmit jitter as timing shifts of the transitions (physics/jitter.hpp).
  auto jitter_key = [&](std::string key, std::string units, Range range, double to_si,
                        double TxJitterParams::*member) {
    KeySpec k = group_real_key(std::move(key), std::move(units), range, to_si,
                               &LaneParams::tx_jitter, member);
    k.default_value = 0.0;
    r.push_back(k);
  };
  jitter_key("tx_jitter.rj_rms_ui", "UI", {0.0, 0.5}, 1.0, &TxJitterParams::rj_rms_ui);
  jitter_key("tx_jitter.sj_amplitude_ui", "UI", {0.0, 10.0}, 1.0, &TxJitterParams::sj_amplitude_ui);
  jitter_key("tx_jitter.sj_frequency_mhz", "MHz", {0.0, 1e6}, 1e6,
             &TxJitterParams::sj_frequency_hz);
  jitter_key("tx_jitter.dcd_ui", "UI", {0.0, 0.5}, 1.0, &TxJitterParams::dcd_ui);
  jitter_key("tx_jitter.buj_ui", "UI", {0.0, 0.5}, 1.0, &TxJitterParams::buj_ui);

  // [cdr]: clock recovery (physics/cdr.hpp).
  {
    KeySpec k{"cdr.mode",           Kind::text, "", {}, {"ideal", "mueller_muller", "bang_bang"},
              std::string("ideal"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      const std::string& m = std::get<std::string>(v);
      lp.cdr.mode = m == "mueller_muller" ? 1 : m == "bang_bang" ? 2 : 0;
    };
    r.push_back(k);
  }
  r.push_back(group_real_key("cdr.bandwidth_mhz", "MHz", {0.0, 1e6, true}, 1e6, &LaneParams::cdr,
                             &CdrParams::bandwidth_hz));
  {
    KeySpec k = group_real_key("cdr.initial_phase_ui", "UI", {-0.5, 0.5}, 1.0, &LaneParams::cdr,
                               &CdrParams::initial_phase_ui);
    k.default_value = 0.0;
    r.push_back(k);
  }

  // [rx_eq]: the host receiver's FFE and DFE (physics/equalizer.hpp, host/link/equalizer.cpp).
  auto eq_int_key = [&](std::string key, Range range, int RxEqParams::*member) {
    KeySpec k{std::move(key), Kind::integer, "1", range, {}, std::int64_t{0}, {}};
    k.apply = [member](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.rx_eq.*member = static_cast<int>(std::get<std::int64_t>(v));
    };
    r.push_back(k);
  };
  eq_int_key("rx_eq.ffe_taps", {0.0, static_cast<double>(kMaxFfeTaps)}, &RxEqParams::ffe_taps);
  eq_int_key("rx_eq.ffe_pre", {0.0, static_cast<double>(kMaxFfeTaps - 1)}, &RxEqParams::ffe_pre);
  eq_int_key("rx_eq.dfe_taps", {0.0, static_cast<double>(kMaxDfeTaps)}, &RxEqParams::dfe_taps);
  eq_int_key("rx_eq.adc_bits", {0.0, 16.0}, &RxEqParams::adc_bits);
  {
    KeySpec k = group_real_key("rx_eq.adc_full_scale", "1", {1.0, 10.0}, 1.0, &LaneParams::rx_eq,
                               &RxEqParams::adc_full_scale);
    k.default_value = 1.25;
    r.push_back(k);
  }
  {
    KeySpec k = group_real_key("rx_eq.dfe_limit", "1", {0.0, 10.0, true}, 1.0, &LaneParams::rx_eq,
                               &RxEqParams::dfe_limit);
    k.default_value = 0.85;
    r.push_back(k);
  }
  {
    KeySpec k{"rx_eq.adapt", Kind::text, "", {}, {"mmse", "lms"}, std::string("mmse"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.rx_eq.lms = std::get<std::string>(v) == "lms";
    };
    r.push_back(k);
  }
  r.push_back(group_real_key("rx_eq.lms_step", "1", {0.0, 1.0, true}, 1.0, &LaneParams::rx_eq,
                             &RxEqParams::lms_step));
}

}  // namespace ll::scenario_detail
