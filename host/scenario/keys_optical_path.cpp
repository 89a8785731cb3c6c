// The registry's [optics], [receiver] and [wdm] keys: the optical path's losses, the photodiode
// and its TIA, and the wavelength grid with its demultiplexer.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/key_spec.hpp"

namespace ll::scenario_detail {

void append_optical_path_keys(std::vector<KeySpec>& r) {
  const Range bandwidth = bandwidth_range();

  // [optics]
  // Upper bounds: an on-chip path of a metre (a long spiral is a few cm; fibre belongs in
  // extra_loss_db), a waveguide far lossier than any doped one (~100 dB/cm is a ring's junction),
  // a coupler that lets a hundredth through, and 60 dB of fibre and connectors. Together they
  // are also held under kMaxOpticalLossDb (host/link/lane_setup.cpp).
  r.push_back(real_key("optics.waveguide_length_cm", "cm", {0.0, 100.0}, 1e-2,
                       &LaneParams::waveguide_length_m, 0.0));
  r.push_back(real_key("optics.waveguide_loss_db_per_cm", "dB/cm", {0.0, 100.0}, 100.0,
                       &LaneParams::waveguide_loss_db_per_m, 0.0));
  r.push_back(real_key("optics.coupler_loss_db", "dB", {0.0, 20.0}, 1.0,
                       &LaneParams::coupler_loss_db, 0.0));
  r.push_back(int_key("optics.couplers", "1", {0.0, 100.0}, &LaneParams::couplers, 0));
  r.push_back(
      real_key("optics.extra_loss_db", "dB", {0.0, 60.0}, 1.0, &LaneParams::extra_loss_db, 0.0));

  // [receiver]
  r.push_back(real_key("receiver.responsivity_a_per_w", "A/W", {0.0, 1.6, true}, 1.0,
                       &LaneParams::responsivity_a_per_w));
  // A Ge photodiode's dark current is nA to uA; a TIA's input noise some pA/sqrt(Hz)
  // (PARAMETERS.md): the bounds sit orders of magnitude beyond, at what no receiver is.
  r.push_back(
      real_key("receiver.dark_current_na", "nA", {0.0, 1e5}, 1e-9, &LaneParams::dark_current_a));
  r.push_back(real_key("receiver.tia_noise_pa_per_rthz", "pA/sqrt(Hz)", {0.0, 1e4}, 1e-12,
                       &LaneParams::tia_noise_a_per_rthz));
  r.push_back(real_key("receiver.bandwidth_ghz", "GHz", bandwidth, 1e9,
                       &LaneParams::receiver_bandwidth_hz));
  {
    KeySpec k = real_key("receiver.noise_bandwidth_ghz", "GHz", {0.0, 1e4, true}, 1e9,
                         &LaneParams::noise_bandwidth_hz);
    r.push_back(k);  // optional: the ENBW of the receiver filter when absent
  }
  {
    KeySpec k{"receiver.shot_noise", Kind::boolean, "", {}, {}, true, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.shot_noise = std::get<bool>(v);
    };
    r.push_back(k);
  }
  // An electrical lane's receiver noise (transmitter.modulator = "none"), as COM's eta_0: 802.3dj
  // 6e-9 V^2/GHz (PARAMETERS.md); the bound a hundred times the worst receiver's.
  r.push_back(real_key("receiver.eta0_v2_per_ghz", "V^2/GHz", {0.0, 1e-6}, 1e-9,
                       &LaneParams::eta0_v2_per_hz));
  r.push_back(real_key("receiver.sampling_phase_ui", "UI", {-0.5, 0.5}, 1.0,
                       &LaneParams::sampling_phase_ui, 0.0));

  // [wdm]: absent, a single lane.
  {
    KeySpec k{"wdm.channels", Kind::integer, "1", {1.0, 64.0}, {}, {}, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.wdm.channels = static_cast<int>(std::get<std::int64_t>(v));
    };
    r.push_back(k);
  }
  auto wdm_key = [&](std::string key, std::string units, Range range, double to_si,
                     double WdmParams::*member) {
    r.push_back(
        group_real_key(std::move(key), std::move(units), range, to_si, &LaneParams::wdm, member));
  };
  // 10 THz: the whole O band is about 17 THz wide.
  wdm_key("wdm.spacing_ghz", "GHz", {0.0, 1e4, true}, 1e9, &WdmParams::spacing_hz);
  {
    KeySpec k{"wdm.grid_beyond_fsr", Kind::boolean, "", {}, {}, false, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.wdm.grid_beyond_fsr = std::get<bool>(v);
    };
    r.push_back(k);
  }
  {
    // "ideal": each photodiode sees its own channel only; "ring": a cascade of add-drop rings.
    KeySpec k{"wdm.demux.model", Kind::text, "", {}, {"ideal", "ring"}, std::string("ideal"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.wdm.demux_ring = std::get<std::string>(v) == "ring";
    };
    r.push_back(k);
  }
  const Range open_fraction{0.0, 1.0, true, true, false, false, "a fraction in (0, 1)"};
  wdm_key("wdm.demux.radius_um", "um", {0.0, 1000.0, true}, 1e-6, &WdmParams::demux_radius_m);
  wdm_key("wdm.demux.n_g", "1", {1.0, 10.0}, 1.0, &WdmParams::demux_n_g);
  wdm_key("wdm.demux.power_coupling_in", "1", open_fraction, 1.0,
          &WdmParams::demux_power_coupling_in);
  wdm_key("wdm.demux.power_coupling_drop", "1", open_fraction, 1.0,
          &WdmParams::demux_power_coupling_drop);
  wdm_key("wdm.demux.loss_db_per_cm", "dB/cm", {0.0, 1000.0}, 100.0,
          &WdmParams::demux_loss_db_per_m);
  {
    KeySpec k = group_real_key("wdm.demux.resonance_offset_pm", "pm", {-1e6, 1e6}, 1e-12,
                               &LaneParams::wdm, &WdmParams::demux_resonance_offset_m);
    k.default_value = 0.0;
    r.push_back(k);
  }
}

}  // namespace ll::scenario_detail
