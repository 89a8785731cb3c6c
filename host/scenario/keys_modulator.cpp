// The registry's [laser] and [mrm] keys: the source and the ring modulator, with the ring's
// process variation, PN junction, thermal state and lock.

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/key_spec.hpp"

namespace ll::scenario_detail {

void append_modulator_keys(std::vector<KeySpec>& r) {
  const double inf = std::numeric_limits<double>::infinity();

  // [laser]
  r.push_back(real_key("laser.wavelength_nm", "nm", {400.0, 2000.0}, 1e-9,
                       &LaneParams::laser_wavelength_m));
  r.push_back(dbm_key("laser.power_dbm", {-40.0, 30.0}, &LaneParams::laser_power_w));
  r.push_back(real_key("laser.rin_db_per_hz", "dB/Hz",
                       {-inf, -100.0, false, false, false, true,
                        "a relative intensity noise at most -100 dB/Hz, or -inf for none"},
                       1.0, &LaneParams::laser_rin_db_per_hz));

  // [mrm]
  r.push_back(real_key("mrm.radius_um", "um", {0.5, 1000.0}, 1e-6, &LaneParams::ring_radius_m));
  r.push_back(real_key("mrm.n_eff", "1", {1.0, 5.0}, 1.0, &LaneParams::ring_n_eff));
  r.push_back(real_key("mrm.n_g", "1", {1.0, 6.0}, 1.0, &LaneParams::ring_n_g));
  r.push_back(real_key("mrm.power_coupling", "1",
                       {0.0, 1.0, true, true, false, false,
                        "a power coupling coefficient kappa^2 strictly between 0 and 1"},
                       1.0, &LaneParams::ring_power_coupling));
  r.push_back(real_key("mrm.loss_db_per_cm", "dB/cm", {0.0, 1000.0}, 100.0,
                       &LaneParams::ring_loss_db_per_m));
  r.push_back(real_key("mrm.shift_pm_per_v", "pm/V", {-1000.0, 1000.0}, 1e-12,
                       &LaneParams::ring_shift_m_per_v));
  r.push_back(real_key("mrm.detuning_pm", "pm", {-1e5, 1e5}, 1e-12, &LaneParams::ring_detuning_m));
  r.push_back(real_key("mrm.resonance_offset_pm", "pm", {-1e5, 1e5}, 1e-12,
                       &LaneParams::ring_resonance_offset_m, 0.0));
  // The sigmas' bounds are the quantities' own (4 sigma must also stay physical:
  // add_variation_axes).
  auto variation_key = [&](std::string key, std::string units, double hi,
                           double VariationParams::*m) {
    KeySpec k{std::move(key), Kind::real, std::move(units), {0.0, hi}, {}, 0.0, {}};
    k.apply = [m](const ScalarValue& v, LaneParams&, RunParams& rp) {
      rp.variation.*m = as_real(v);
    };
    r.push_back(k);
  };
  {
    KeySpec k{"mrm.variation.draws", Kind::integer, "1", {0.0, 1e7}, {}, std::int64_t{0}, {}};
    k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
      rp.variation.draws = std::get<std::int64_t>(v);
    };
    r.push_back(k);
  }
  variation_key("mrm.variation.resonance_sigma_pm", "pm", 1e5,
                &VariationParams::resonance_sigma_pm);
  variation_key("mrm.variation.coupling_sigma", "1", 1.0, &VariationParams::coupling_sigma);
  variation_key("mrm.variation.loss_sigma_db_per_cm", "dB/cm", 1000.0,
                &VariationParams::loss_sigma_db_per_cm);
  // The modulator's choice ([transmitter]) and the Mach-Zehnder modulator ([mzm], physics/mzm.hpp).
  // Ranges: V_pi L from TFLN's ~2 V cm to slow silicon's tens (PARAMETERS.md: silicon 1.5-2.5
  // V cm); lengths of a few mm to several cm; a built-in voltage of a silicon PN junction (about
  // 0.7-1 V); electrode bandwidths past 100 GHz for TFLN. 50 ohm: the matched RF termination.
  {
    KeySpec k{"transmitter.modulator", Kind::text, "", {}, {"mrm", "mzm", "eml", "microled", "none"},
              std::string("mrm"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      const std::string& m = std::get<std::string>(v);
      lp.modulator = m == "mzm"        ? Modulator::mzm
                     : m == "eml"      ? Modulator::eml
                     : m == "microled" ? Modulator::microled
                     : m == "none"     ? Modulator::none
                                       : Modulator::mrm;
    };
    r.push_back(k);
  }
  {
    KeySpec k{"mzm.material", Kind::text, "", {}, {"silicon", "tfln"}, {}, {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.mzm.silicon = std::get<std::string>(v) == "silicon";
      lp.mzm.material_given = true;
    };
    r.push_back(k);
  }
  r.push_back(group_real_key("mzm.vpi_l_v_cm", "V cm", {0.0, 100.0, true}, 1e-2, &LaneParams::mzm,
                             &MzmParams::vpi_l_v_m));
  r.push_back(group_real_key("mzm.length_mm", "mm", {0.0, 100.0, true}, 1e-3, &LaneParams::mzm,
                             &MzmParams::length_m));
  {
    KeySpec k = group_real_key("mzm.bias_phase_deg", "deg", {-360.0, 360.0}, kPi / 180.0,
                               &LaneParams::mzm, &MzmParams::bias_phase_rad);
    k.default_value = 90.0;  // quadrature
    r.push_back(k);
  }
  {
    KeySpec k = group_real_key("mzm.arm_imbalance", "1", {-1.0, 1.0}, 1.0, &LaneParams::mzm,
                               &MzmParams::arm_imbalance);
    k.default_value = 0.0;  // balanced push-pull
    r.push_back(k);
  }
  r.push_back(group_real_key("mzm.builtin_v", "V", {0.0, 2.0, true}, 1.0, &LaneParams::mzm,
                             &MzmParams::builtin_v));
  {
    KeySpec k = group_real_key("mzm.insertion_loss_db", "dB", {0.0, 30.0}, 1.0, &LaneParams::mzm,
                               &MzmParams::insertion_loss_db);
    k.default_value = 0.0;
    r.push_back(k);
  }
  {
    KeySpec k = group_real_key("mzm.electrode_bandwidth_ghz", "GHz", bandwidth_range(), 1e9,
                               &LaneParams::mzm, &MzmParams::electrode_bandwidth_hz);
    k.default_value = std::numeric_limits<double>::infinity();
    r.push_back(k);
  }
  {
    KeySpec k = group_real_key("mzm.termination_ohm", "ohm", {0.0, 1e4, true}, 1.0,
                               &LaneParams::mzm, &MzmParams::termination_ohm);
    k.default_value = 50.0;
    r.push_back(k);
  }
  // [eml]: the EAM's static curve T0 exp(-(V / V0)^n), its chirp and its RC pole (physics/eml.hpp).
  // Ranges: an EAM's bias of a few volts; exponents of a smooth to a sharp absorption edge; Henry
  // factors of EAMs from slightly negative to a few.
  {
    KeySpec k = group_real_key("eml.insertion_loss_db", "dB", {0.0, 30.0}, 1.0, &LaneParams::eml,
                               &EmlParams::insertion_loss_db);
    k.default_value = 0.0;
    r.push_back(k);
  }
  r.push_back(group_real_key("eml.v0_v", "V", {0.0, 10.0, true}, 1.0, &LaneParams::eml,
                             &EmlParams::v0_v));
  r.push_back(group_real_key("eml.exponent", "1", {0.5, 6.0}, 1.0, &LaneParams::eml,
                             &EmlParams::exponent));
  r.push_back(group_real_key("eml.chirp_alpha", "1", {-3.0, 6.0}, 1.0, &LaneParams::eml,
                             &EmlParams::chirp_alpha));
  {
    KeySpec k = group_real_key("eml.bandwidth_ghz", "GHz", bandwidth_range(), 1e9,
                               &LaneParams::eml, &EmlParams::bandwidth_hz);
    k.default_value = std::numeric_limits<double>::infinity();
    r.push_back(k);
  }
  // [microled]: the ABC rate equation's coefficients (textbook InGaN orders: A 1e6-1e9 /s, B about
  // 1e-11 cm^3/s, C 1e-31-1e-29 cm^6/s), the active volume, the efficiencies, the driver's
  // transconductance (mA per volt of drive) and the LED's forward voltage (energy).
  auto led_key = [&](std::string key, std::string units, Range range, double to_si,
                     double MicroLedParams::*member) {
    r.push_back(group_real_key(std::move(key), std::move(units), range, to_si,
                               &LaneParams::microled, member));
  };
  led_key("microled.a_per_s", "1/s", {0.0, 1e11}, 1.0, &MicroLedParams::a_per_s);
  led_key("microled.b_cm3_per_s", "cm^3/s", {0.0, 1e-8, true}, 1e-6, &MicroLedParams::b_m3_per_s);
  led_key("microled.c_cm6_per_s", "cm^6/s", {0.0, 1e-26}, 1e-12, &MicroLedParams::c_m6_per_s);
  led_key("microled.active_volume_um3", "um^3", {0.0, 1e4, true}, 1e-18,
          &MicroLedParams::volume_m3);
  {
    KeySpec k = group_real_key("microled.injection_efficiency", "1", {0.0, 1.0, true}, 1.0,
                               &LaneParams::microled, &MicroLedParams::injection_efficiency);
    k.default_value = 1.0;
    r.push_back(k);
  }
  led_key("microled.extraction_efficiency", "1", {0.0, 1.0, true}, 1.0,
          &MicroLedParams::extraction_efficiency);
  led_key("microled.drive_ma_per_v", "mA/V", {0.0, 1e4, true}, 1e-3, &MicroLedParams::amps_per_v);
  led_key("microled.forward_v", "V", {0.0, 10.0, true}, 1.0, &MicroLedParams::forward_v);
  {
    // "linear": the resonance moves by mrm.shift_pm_per_v; "junction": the PN-junction
    // depletion model of [mrm.junction] (nonlinear shift and loss; RC pole at the bias).
    KeySpec k{"mrm.electro_optic",   Kind::text, "", {}, {"linear", "junction"},
              std::string("linear"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.eo_junction = std::get<std::string>(v) == "junction";
    };
    r.push_back(k);
  }
  auto junction_key = [&](std::string key, std::string units, Range range, double to_si,
                          double JunctionParams::*member) {
    r.push_back(group_real_key(std::move(key), std::move(units), range, to_si,
                               &LaneParams::junction, member));
  };
  const Range unit_fraction{0.0, 1.0, true, false, false, false, "a fraction in (0, 1]"};
  junction_key("mrm.junction.doping_n_per_cm3", "cm^-3", {1e14, 1e20}, 1e6,
               &JunctionParams::doping_n_per_m3);
  junction_key("mrm.junction.doping_p_per_cm3", "cm^-3", {1e14, 1e20}, 1e6,
               &JunctionParams::doping_p_per_m3);
  junction_key("mrm.junction.height_nm", "nm", {10.0, 2000.0}, 1e-9,
               &JunctionParams::waveguide_height_m);
  junction_key("mrm.junction.mode_width_nm", "nm", {10.0, 5000.0}, 1e-9,
               &JunctionParams::waveguide_width_m);
  junction_key("mrm.junction.coverage", "1", unit_fraction, 1.0, &JunctionParams::ring_coverage);
  junction_key("mrm.junction.mode_overlap", "1", unit_fraction, 1.0, &JunctionParams::mode_overlap);
  junction_key("mrm.junction.series_resistance_ohm", "ohm", {0.0, 1e5}, 1.0,
               &JunctionParams::series_resistance_ohm);
  junction_key("mrm.junction.temperature_k", "K", {200.0, 450.0}, 1.0,
               &JunctionParams::temperature_k);
  auto thermal_key = [&](std::string key, std::string units, Range range, double to_si,
                         double ThermalParams::*member) {
    r.push_back(group_real_key(std::move(key), std::move(units), range, to_si, &LaneParams::thermal,
                               member));
  };
  thermal_key("mrm.thermal.heater_efficiency_pm_per_mw", "pm/mW", {0.0, 1e4, true}, 1e-9,
              &ThermalParams::heater_efficiency_m_per_w);
  thermal_key("mrm.thermal.max_heater_power_mw", "mW", {0.0, 1e4}, 1e-3,
              &ThermalParams::max_heater_power_w);
  thermal_key("mrm.thermal.thermal_resistance_k_per_mw", "K/mW", {0.0, 1e3}, 1e3,
              &ThermalParams::thermal_resistance_k_per_w);
  thermal_key("mrm.thermal.thermo_optic_pm_per_k", "pm/K", {0.0, 1e3}, 1e-12,
              &ThermalParams::thermo_optic_shift_m_per_k);
  thermal_key("mrm.thermal.absorbed_fraction", "1", unit_fraction, 1.0,
              &ThermalParams::absorbed_fraction);
  thermal_key("mrm.thermal.heater_time_constant_us", "us", {0.0, 1e6, true}, 1e-6,
              &ThermalParams::heater_time_constant_s);
  thermal_key("mrm.thermal.thermal_time_constant_us", "us", {0.0, 1e6, true}, 1e-6,
              &ThermalParams::thermal_time_constant_s);
  {
    // "steady": the heater power that holds the operating point, reported; "loop": the
    // monitor photodiode and heater controller run in the engine at chunk rate.
    KeySpec k{"mrm.thermal.lock",    Kind::text, "", {}, {"steady", "loop"},
              std::string("steady"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.lock.loop = std::get<std::string>(v) == "loop";
    };
    r.push_back(k);
  }
  auto lock_key = [&](std::string key, std::string units, Range range, double to_si,
                      double ThermalLockParams::*member, double def) {
    KeySpec k =
        group_real_key(std::move(key), std::move(units), range, to_si, &LaneParams::lock, member);
    k.default_value = def;
    r.push_back(k);
  };
  // Critically damped without self-heating (physics/thermal.hpp, lock_gain_critical).
  lock_key("mrm.thermal.lock_gain", "1", {0.0, 100.0, true}, 1.0, &ThermalLockParams::gain_relative,
           1.0);
  lock_key("mrm.thermal.lock_initial_error_pm", "pm", {-1e5, 1e5}, 1e-12,
           &ThermalLockParams::initial_error_m, 0.0);
  // 5% of a linewidth moves the transmission on the flank by about 5% of the notch depth.
  lock_key("mrm.thermal.lock_tolerance_fwhm", "1", {0.0, 10.0, true}, 1.0,
           &ThermalLockParams::tolerance_fwhm, 0.05);
  lock_key("mrm.thermal.lock_settle_us", "us", {0.0, 1e6}, 1e-6, &ThermalLockParams::settle_s, 0.0);
  {
    // "static": the all-pass transmission at each instant; "dynamic": coupled-mode theory with
    // the photon lifetime (bandwidth, chirp, optical peaking with detuning).
    KeySpec k{"mrm.model", Kind::text, "", {}, {"static", "dynamic"}, std::string("static"), {}};
    k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.ring_dynamic = std::get<std::string>(v) == "dynamic";
    };
    r.push_back(k);
  }
}

}  // namespace ll::scenario_detail
