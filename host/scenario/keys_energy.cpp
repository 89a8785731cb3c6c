// The registry's [energy] keys: the power figures' inputs.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/key_spec.hpp"

namespace ll::scenario_detail {

void append_energy_keys(std::vector<KeySpec>& r) {
  // [energy]: the power figures' inputs (host/link/energy.hpp); required in full when present.
  auto energy_key = [&](std::string key, std::string units, Range range, double to_si,
                        double EnergyParams::*member) {
    r.push_back(group_real_key(std::move(key), std::move(units), range, to_si, &LaneParams::energy,
                               member));
  };
  energy_key("energy.laser_wall_plug_efficiency", "1",
             {0.0, 1.0, true, false, false, false, "a fraction in (0, 1]"}, 1.0,
             &EnergyParams::laser_wall_plug_efficiency);
  energy_key("energy.laser_coupling_loss_db", "dB", {0.0, 30.0}, 1.0,
             &EnergyParams::laser_coupling_loss_db);
  energy_key("energy.modulator_capacitance_ff", "fF", {0.0, 1e5, true}, 1e-15,
             &EnergyParams::modulator_capacitance_f);
  energy_key("energy.driver_pj_per_bit", "pJ/bit", {0.0, 1e3}, 1e-12,
             &EnergyParams::driver_j_per_bit);
  energy_key("energy.tia_pj_per_bit", "pJ/bit", {0.0, 1e3}, 1e-12, &EnergyParams::tia_j_per_bit);
  energy_key("energy.cdr_pj_per_bit", "pJ/bit", {0.0, 1e3}, 1e-12, &EnergyParams::cdr_j_per_bit);
  energy_key("energy.serdes_pj_per_bit", "pJ/bit", {0.0, 1e3}, 1e-12,
             &EnergyParams::serdes_j_per_bit);
  energy_key("energy.retimer_pj_per_bit", "pJ/bit", {0.0, 1e3}, 1e-12,
             &EnergyParams::retimer_j_per_bit);
  {
    KeySpec k{"energy.lasers_per_port",
              Kind::integer,
              "1",
              {1.0, 1024.0, false, false, false, false, "1 to 1024 lasers"},
              {},
              {},
              {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.energy.lasers_per_port = static_cast<int>(std::get<std::int64_t>(v));
    };
    r.push_back(k);
  }
  {
    KeySpec k{"energy.lanes_per_port",
              Kind::integer,
              "1",
              {1.0, 1024.0, false, false, false, false, "1 to 1024 lanes"},
              {},
              {},
              {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.energy.lanes_per_port = static_cast<int>(std::get<std::int64_t>(v));
    };
    r.push_back(k);
  }
}

}  // namespace ll::scenario_detail
