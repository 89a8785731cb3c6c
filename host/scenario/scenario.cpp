#include "host/scenario/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "host/link/margin.hpp"
#include "host/scenario/toml_input.hpp"
#include "physics/equalizer.hpp"
#include "physics/fec.hpp"
#include "physics/noise.hpp"

namespace ll {

std::string SourceLocation::describe() const {
  if (line > 0) return file + ":" + std::to_string(line);
  return file;
}

SourceLocation Scenario::where(const std::string& key) const {
  const auto it = values.find(key);
  if (it != values.end()) return it->second.where;
  for (const SweepAxis& a : sweep)
    if (a.key == key && !a.where.empty()) return a.where.front();
  return {path, 0};
}

void fail_at(const SourceLocation& where, const std::string& key, const std::string& what) {
  throw ScenarioError(where.describe() + ": " + key + ": " + what);
}

void fail_key(const Scenario& s, const std::string& key, const std::string& what) {
  fail_at(s.where(key), key, what);
}

std::string format_number(double v, int significant_digits) {
  std::ostringstream os;
  os.precision(significant_digits);
  os << v;
  return os.str();
}

namespace {

enum class Kind { real, integer, boolean, text };

// A numeric range check: [lo, hi] with open ends where said; infinities allowed only if said.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  bool allow_pos_inf = false, allow_neg_inf = false;
  const char* meaning = nullptr;  // what the range means, for the message

  std::string describe(const char* units) const {
    if (meaning) return meaning;
    std::string s = "a number";
    const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
    if (has_lo && has_hi)
      s += std::string(" in ") + (lo_open ? "(" : "[") + format_number(lo, 10) + ", " +
           format_number(hi, 10) + (hi_open ? ")" : "]");
    else if (has_lo)
      s += std::string(lo_open ? " above " : " at least ") + format_number(lo, 10);
    else if (has_hi)
      s += std::string(hi_open ? " below " : " at most ") + format_number(hi, 10);
    if (units && *units && std::string(units) != "1") s += std::string(" ") + units;
    if (allow_pos_inf) s += " (or inf)";
    return s;
  }
  bool contains(double v) const {
    if (std::isnan(v)) return false;
    if (std::isinf(v)) return v > 0 ? allow_pos_inf : allow_neg_inf;
    if (lo_open ? !(v > lo) : !(v >= lo)) return false;
    if (hi_open ? !(v < hi) : !(v <= hi)) return false;
    return true;
  }
};

struct KeySpec {
  std::string key;
  Kind kind;
  std::string units;
  Range range;
  std::vector<std::string> choices;          // for text keys
  std::optional<ScalarValue> default_value;  // absent: required
  std::function<void(const ScalarValue&, LaneParams&, RunParams&)> apply;
};

double as_real(const ScalarValue& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  return static_cast<double>(std::get<std::int64_t>(v));
}

// Builders: each converts the scenario unit to SI once, here.
KeySpec real_key(std::string key, std::string units, Range range, double to_si,
                 double LaneParams::*member, std::optional<double> def = std::nullopt) {
  KeySpec k{std::move(key), Kind::real, std::move(units), range, {}, {}, {}};
  if (def) k.default_value = *def;
  k.apply = [member, to_si](const ScalarValue& v, LaneParams& lp, RunParams&) {
    lp.*member = as_real(v) * to_si;
  };
  return k;
}
// A required real key stored in a parameter group of the lane (the junction, the thermal state).
template <class Group>
KeySpec group_real_key(std::string key, std::string units, Range range, double to_si,
                       Group LaneParams::*group, double Group::*member) {
  KeySpec k{std::move(key), Kind::real, std::move(units), range, {}, {}, {}};
  k.apply = [group, member, to_si](const ScalarValue& v, LaneParams& lp, RunParams&) {
    (lp.*group).*member = as_real(v) * to_si;
  };
  return k;
}
KeySpec dbm_key(std::string key, Range range, double LaneParams::*member_w) {
  KeySpec k{std::move(key), Kind::real, "dBm", range, {}, {}, {}};
  k.apply = [member_w](const ScalarValue& v, LaneParams& lp, RunParams&) {
    lp.*member_w = 1e-3 * std::pow(10.0, as_real(v) / 10.0);
  };
  return k;
}
KeySpec int_key(std::string key, std::string units, Range range, int LaneParams::*member,
                std::optional<std::int64_t> def = std::nullopt) {
  KeySpec k{std::move(key), Kind::integer, std::move(units), range, {}, {}, {}};
  if (def) k.default_value = *def;
  k.apply = [member](const ScalarValue& v, LaneParams& lp, RunParams&) {
    lp.*member = static_cast<int>(std::get<std::int64_t>(v));
  };
  return k;
}

const std::vector<KeySpec>& registry() {
  static const std::vector<KeySpec> keys = [] {
    std::vector<KeySpec> r;
    const double inf = std::numeric_limits<double>::infinity();
    Range bandwidth{0.0,
                    inf,
                    true,
                    false,
                    true,
                    false,
                    "a positive frequency in GHz, or inf for no band limit"};

    // [run]
    {
      // "mc": Monte-Carlo counts; "stat": the statistical eye (host/link/stat_eye.hpp), no counts.
      KeySpec k{"run.mode", Kind::text, "", {}, {"mc", "stat"}, std::string("mc"), {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.mode = std::get<std::string>(v);
      };
      r.push_back(k);
    }
    auto run_u64 = [&](std::string key, Range range, std::uint64_t RunParams::*m,
                       std::optional<std::int64_t> def) {
      KeySpec k{std::move(key), Kind::integer, "1", range, {}, {}, {}};
      if (def) k.default_value = *def;
      k.apply = [m](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.*m = static_cast<std::uint64_t>(std::get<std::int64_t>(v));
      };
      r.push_back(k);
    };
    run_u64("run.seed", {0.0, 4294967295.0 * 4294967296.0}, &RunParams::seed, 1);
    // Counts: any a signed 64-bit TOML integer holds.
    const double most = static_cast<double>(std::numeric_limits<std::int64_t>::max());
    run_u64("run.max_bits", {1.0, most}, &RunParams::max_bits, std::nullopt);
    run_u64("run.target_errors", {1.0, most}, &RunParams::target_errors, std::nullopt);
    {
      KeySpec k{"run.chunk_symbols",
                Kind::integer,
                "1",
                {256.0, 1048576.0, false, false, false, false,
                 "a power of two from 256 to 1048576 symbols"},
                {},
                std::int64_t{1024},
                {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.chunk_symbols = static_cast<int>(std::get<std::int64_t>(v));
      };
      r.push_back(k);
    }
    {
      KeySpec k{"eye.symbols", Kind::integer, "1", {0.0, most}, {}, std::int64_t{65536}, {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.eye_symbols = std::get<std::int64_t>(v);
      };
      r.push_back(k);
    }
    {
      // The KP4 FEC's pre-FEC BER threshold, about 2.4e-4 (IEEE 802.3 clause 91; PARAMETERS.md).
      KeySpec k{"eye.target_ber",
                Kind::real,
                "1",
                {0.0, 0.5, true, true, false, false, "a BER in (0, 0.5)"},
                {},
                kKp4ThresholdBer,
                {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.eye_target_ber = as_real(v);
      };
      r.push_back(k);
    }
    {
      // TDECQ's waveform: 65536 UI, the length of 802.3's SSPRQ (121.8.5: 2^16 - 1 symbols).
      KeySpec k{"tdecq.symbols",
                Kind::integer,
                "1",
                {0.0, 16777216.0, false, false, false, false,
                 "0 (no TDECQ) or 1024 .. 16777216 UI of waveform"},
                {},
                std::int64_t{65536},
                {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.tdecq_symbols = std::get<std::int64_t>(v);
      };
      r.push_back(k);
    }
    {
      // 802.3bs/cd: a 5-tap T-spaced reference FFE (PARAMETERS.md; 802.3dj's longer one is
      // unconfirmed).
      KeySpec k{"tdecq.ffe_taps",
                Kind::integer,
                "1",
                {1.0, 15.0, false, false, false, false, "an odd number of taps, 1 .. 15"},
                {},
                std::int64_t{5},
                {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.tdecq_ffe_taps = static_cast<int>(std::get<std::int64_t>(v));
      };
      r.push_back(k);
    }
    {
      KeySpec k{"margin.compute", Kind::boolean, "", {}, {}, true, {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.margin = std::get<bool>(v);
      };
      r.push_back(k);
    }
    {
      // Default: the FEC's pre-FEC threshold, set in run_params (KP4 alone, or with fec.inner
      // the concatenated code's).
      KeySpec k{"margin.target_ber",
                Kind::real,
                "1",
                {0.0, 0.5, true, true, false, false, "a BER in (0, 0.5)"},
                {},
                kKp4ThresholdBer,
                {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.margin_target_ber = as_real(v);
      };
      r.push_back(k);
    }
    {
      KeySpec k{"eye.amplitude_bins", Kind::integer, "1", {8.0, 4096.0}, {}, std::int64_t{256}, {}};
      k.apply = [](const ScalarValue& v, LaneParams&, RunParams& rp) {
        rp.eye_amplitude_bins = static_cast<int>(std::get<std::int64_t>(v));
      };
      r.push_back(k);
    }

    // [signal]
    {
      KeySpec k{"signal.pattern",
                Kind::text,
                "",
                {},
                {"PRBS7", "PRBS9", "PRBS11", "PRBS13", "PRBS15", "PRBS23", "PRBS31", "PRBS13Q",
                 "PRBS31Q"},
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
    r.push_back(
        real_key("mrm.detuning_pm", "pm", {-1e5, 1e5}, 1e-12, &LaneParams::ring_detuning_m));
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
    junction_key("mrm.junction.mode_overlap", "1", unit_fraction, 1.0,
                 &JunctionParams::mode_overlap);
    junction_key("mrm.junction.series_resistance_ohm", "ohm", {0.0, 1e5}, 1.0,
                 &JunctionParams::series_resistance_ohm);
    junction_key("mrm.junction.temperature_k", "K", {200.0, 450.0}, 1.0,
                 &JunctionParams::temperature_k);
    auto thermal_key = [&](std::string key, std::string units, Range range, double to_si,
                           double ThermalParams::*member) {
      r.push_back(group_real_key(std::move(key), std::move(units), range, to_si,
                                 &LaneParams::thermal, member));
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
    lock_key("mrm.thermal.lock_gain", "1", {0.0, 100.0, true}, 1.0,
             &ThermalLockParams::gain_relative, 1.0);
    lock_key("mrm.thermal.lock_initial_error_pm", "pm", {-1e5, 1e5}, 1e-12,
             &ThermalLockParams::initial_error_m, 0.0);
    // 5% of a linewidth moves the transmission on the flank by about 5% of the notch depth.
    lock_key("mrm.thermal.lock_tolerance_fwhm", "1", {0.0, 10.0, true}, 1.0,
             &ThermalLockParams::tolerance_fwhm, 0.05);
    lock_key("mrm.thermal.lock_settle_us", "us", {0.0, 1e6}, 1e-6, &ThermalLockParams::settle_s,
             0.0);
    {
      // "static": the all-pass transmission at each instant; "dynamic": coupled-mode theory with
      // the photon lifetime (bandwidth, chirp, optical peaking with detuning).
      KeySpec k{"mrm.model", Kind::text, "", {}, {"static", "dynamic"}, std::string("static"), {}};
      k.apply = [](const ScalarValue& v, LaneParams& lp, RunParams&) {
        lp.ring_dynamic = std::get<std::string>(v) == "dynamic";
      };
      r.push_back(k);
    }

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
        lp.channel.port_order = std::get<std::string>(v) == "in13_out24" ? PortOrder::in13_out24
                                                                         : PortOrder::in12_out34;
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
      k.apply = [i](const ScalarValue& v, LaneParams& lp, RunParams&) {
        lp.tx_ffe[i] = as_real(v);
      };
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

    // [energy]: the power figures' inputs (host/link/energy.hpp); required in full when present.
    auto energy_key = [&](std::string key, std::string units, Range range, double to_si,
                          double EnergyParams::*member) {
      r.push_back(group_real_key(std::move(key), std::move(units), range, to_si,
                                 &LaneParams::energy, member));
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

    // [tx_jitter]: transmit jitter as timing shifts of the transitions (physics/jitter.hpp).
    auto jitter_key = [&](std::string key, std::string units, Range range, double to_si,
                          double TxJitterParams::*member) {
      KeySpec k = group_real_key(std::move(key), std::move(units), range, to_si,
                                 &LaneParams::tx_jitter, member);
      k.default_value = 0.0;
      r.push_back(k);
    };
    jitter_key("tx_jitter.rj_rms_ui", "UI", {0.0, 0.5}, 1.0, &TxJitterParams::rj_rms_ui);
    jitter_key("tx_jitter.sj_amplitude_ui", "UI", {0.0, 10.0}, 1.0,
               &TxJitterParams::sj_amplitude_ui);
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
    return r;
  }();
  return keys;
}

// Keys that may be absent without a default (their absence has a defined meaning).
bool optional_without_default(const std::string& key) {
  // The junction's keys are needed only with mrm.electro_optic = "junction" (checked there).
  // Likewise [mrm.thermal]: absent, the thermal state is not modelled.
  // And [wdm]: absent, a single lane; the demultiplexer ring's keys are needed for "ring".
  return key == "receiver.noise_bandwidth_ghz" || key.rfind("mrm.junction.", 0) == 0 ||
         key.rfind("mrm.thermal.", 0) == 0 || key == "wdm.channels" || key == "wdm.spacing_ghz" ||
         key.rfind("wdm.demux.", 0) == 0 || key == "channel.file" || key == "channel.port_order" ||
         key == "channel.loss_db_at_nyquist" || key == "channel.skin_share" ||
         key.rfind("receiver.ctle.", 0) == 0 || key == "rx_eq.lms_step" ||
         key == "channel.package_impedance_ohm" || key == "channel.package_delay_ps_per_mm" ||
         key == "cdr.bandwidth_mhz" || key.rfind("energy.", 0) == 0;
}

const KeySpec* spec_of(const std::string& key) {
  for (const KeySpec& k : registry())
    if (k.key == key) return &k;
  return nullptr;
}

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Levenshtein distance (insertions, deletions, substitutions), one row at a time.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(const std::string& given, const std::vector<std::string>& known) {
  auto leaf = [](const std::string& k) { return k.substr(k.find_last_of('.') + 1); };
  const std::string g = lowercase(given);
  std::string best, same_leaf;
  std::size_t best_distance = std::max<std::size_t>(2, g.size() / 4) + 1;
  for (const std::string& k : known) {
    const std::string lk = lowercase(k);
    const std::size_t d = edit_distance(g, lk);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
    if (same_leaf.empty() && leaf(lk) == leaf(g)) same_leaf = k;
  }
  if (best.empty()) best = same_leaf;
  return best.empty() ? "" : "; did you mean \"" + best + "\"?";
}

namespace {

// The keys a scenario may give (for suggestions).
std::vector<std::string> known_keys() {
  std::vector<std::string> keys{"eye.contour_bers"};
  for (const KeySpec& k : registry()) keys.push_back(k.key);
  return keys;
}

// The tables (every prefix of a key), for a misspelt [table].
std::vector<std::string> known_tables() {
  std::vector<std::string> tables;
  for (const std::string& k : known_keys())
    for (auto dot = k.find('.'); dot != std::string::npos; dot = k.find('.', dot + 1))
      if (std::find(tables.begin(), tables.end(), k.substr(0, dot)) == tables.end())
        tables.push_back(k.substr(0, dot));
  return tables;
}

std::string expectation(const KeySpec& k) {
  if (k.kind == Kind::text) {
    std::string s = "one of";
    for (const std::string& c : k.choices) s += " \"" + c + "\"";
    return s;
  }
  if (k.kind == Kind::boolean) return "true or false";
  std::string s = k.range.describe(k.units.c_str());
  if (k.kind == Kind::integer && s.rfind("an integer", 0) != 0) s = "an integer: " + s;
  return s;
}

// Converts a TOML node to a checked scalar for key spec `k`.
ScalarValue convert(const KeySpec& k, const toml::node& n, const SourceLocation& where) {
  auto wrong_type = [&]() {
    fail_at(where, k.key, "expected " + expectation(k) + ", got " + toml_type_name(n));
  };
  ScalarValue v;
  switch (k.kind) {
    case Kind::real:
      if (auto d = n.value_exact<double>())
        v = *d;
      else if (auto i = n.value_exact<std::int64_t>())
        v = static_cast<double>(*i);
      else
        wrong_type();
      break;
    case Kind::integer:
      if (auto i = n.value_exact<std::int64_t>())
        v = *i;
      else
        wrong_type();
      break;
    case Kind::boolean:
      if (auto b = n.value_exact<bool>())
        v = *b;
      else
        wrong_type();
      break;
    case Kind::text:
      if (auto s = n.value_exact<std::string>())
        v = *s;
      else
        wrong_type();
      break;
  }
  if (k.kind == Kind::real || k.kind == Kind::integer) {
    const double x = as_real(v);
    if (!k.range.contains(x))
      fail_at(where, k.key, "expected " + expectation(k) + ", got " + format_number(x, 10));
    if (k.key == "run.chunk_symbols") {
      const auto c = std::get<std::int64_t>(v);
      if ((c & (c - 1)) != 0)
        fail_at(where, k.key, "expected " + expectation(k) + ", got " + std::to_string(c));
    }
  }
  if (k.kind == Kind::text) {
    const std::string& s = std::get<std::string>(v);
    bool ok = false;
    for (const std::string& c : k.choices) ok = ok || c == s;
    ok = ok || (k.choices.empty() && !s.empty());  // free text (a file name)
    if (!ok) fail_at(where, k.key, "expected " + expectation(k) + ", got \"" + s + "\"");
  }
  return v;
}

// eye.contour_bers: a list of BERs in (0, 0.5), strictly descending (the contours nest inward).
std::vector<double> contour_levels(const toml::node& node, const SourceLocation& where) {
  const char* key = "eye.contour_bers";
  const toml::array* list = node.as_array();
  if (!list || list->empty())
    fail_at(where, key, "expected a list of BERs in (0, 0.5), descending, e.g. [1e-3, 1e-6, 1e-9]");
  std::vector<double> levels;
  for (const toml::node& v : *list) {
    std::optional<double> x = v.value_exact<double>();
    if (!x) fail_at(where, key, "expected numbers (BERs in (0, 0.5)), got " + toml_type_name(v));
    if (!(*x > 0.0 && *x < 0.5))
      fail_at(where, key, "expected BERs in (0, 0.5), got " + format_number(*x, 6));
    if (!levels.empty() && !(*x < levels.back()))
      fail_at(where, key,
              "expected the levels in descending order (each below the one before), got " +
                  format_number(*x, 6) + " after " + format_number(levels.back(), 6));
    levels.push_back(*x);
  }
  return levels;
}

SourceLocation location_of(const toml::node& n, const std::string& path) {
  return {path, static_cast<int>(n.source().begin.line)};
}

// A table's entries in the order the file gives them (toml++ iterates by key): a grid's axes
// are the output's dimensions in that order.
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [name, node] : t) entries.emplace_back(std::string(name.str()), &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const toml::source_position pa = a.second->source().begin, pb = b.second->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

// The key of a sweep entry: registered, numeric, and a link key.
const KeySpec& sweepable_key(const std::string& key, const std::string& table,
                             const SourceLocation& where) {
  const KeySpec* k = spec_of(key);
  if (!k)
    fail_at(where, key,
            "unknown key in [" + table + "]; expected a scenario key such as \"driver.swing_vpp\"" +
                did_you_mean(key, known_keys()));
  if (k->kind != Kind::real && k->kind != Kind::integer)
    fail_at(where, key, "only numeric keys can be swept");
  if (key.rfind("run.", 0) == 0 || key.rfind("eye.", 0) == 0 || key.rfind("mrm.variation.", 0) == 0)
    fail_at(where, key,
            "run and eye settings apply to the whole run; expected a link key "
            "(signal, driver, laser, mrm, optics, receiver)");
  return *k;
}

// A number of a sweep's parameter list (`what` names it in messages).
double sweep_number(const toml::node& n, const std::string& key, const std::string& what,
                    const SourceLocation& where) {
  if (auto d = n.value_exact<double>()) return *d;
  if (auto i = n.value_exact<std::int64_t>()) return static_cast<double>(*i);
  fail_at(where, key, "expected a number for " + what + ", got " + toml_type_name(n));
}

// A key's values in [sweep.list] or [sweep.grid]: an array of values, or a range
// { linspace = [start, stop, n] } (n evenly spaced values, both ends included) or
// { logspace = [start, stop, n] } (n values evenly spaced in log, start and stop > 0, in the
// key's units). Each value is checked against the key's type and range.
SweepAxis sweep_values(const KeySpec& k, const std::string& key, const toml::node& node,
                       const std::string& table, const std::string& path) {
  const SourceLocation where = location_of(node, path);
  SweepAxis axis{key, {}, {}, table};
  if (const toml::array* arr = node.as_array()) {
    if (arr->empty()) fail_at(where, key, "expected a non-empty array of values to sweep");
    for (const toml::node& e : *arr) {
      const SourceLocation ewhere = location_of(e, path);
      axis.values.push_back(as_real(convert(k, e, ewhere)));
      axis.where.push_back(ewhere);
    }
    return axis;
  }
  const toml::table* range = node.as_table();
  const char* expected =
      "expected an array of values, { linspace = [start, stop, n] } or "
      "{ logspace = [start, stop, n] }";
  if (!range || range->size() != 1) fail_at(where, key, expected);
  const std::string kind(range->begin()->first.str());
  if (kind != "linspace" && kind != "logspace") fail_at(where, key, expected);
  const toml::array* params = range->begin()->second.as_array();
  if (!params || params->size() != 3)
    fail_at(where, key, kind + ": expected [start, stop, n] (three numbers)");
  const double start = sweep_number((*params)[0], key, kind + "'s start", where);
  const double stop = sweep_number((*params)[1], key, kind + "'s stop", where);
  const std::optional<std::int64_t> n = (*params)[2].value_exact<std::int64_t>();
  if (!n) fail_at(where, key, kind + ": expected the number of values n as an integer");
  if (*n < 1)
    fail_at(where, key,
            kind + ": the range is empty (n = " + std::to_string(*n) + "); expected n >= 1");
  if (*n > 10000000) fail_at(where, key, kind + ": expected n <= 1e7");
  if (kind == "logspace" && !(start > 0.0 && stop > 0.0))
    fail_at(where, key,
            "logspace: expected start and stop > 0, got " + format_number(start, 6) + " and " +
                format_number(stop, 6));
  for (std::int64_t i = 0; i < *n; ++i) {
    const double f = *n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(*n - 1);
    double v = kind == "linspace" ? start + (stop - start) * f : start * std::pow(stop / start, f);
    if (i == *n - 1 && *n > 1) v = stop;  // the end exactly, not by rounding
    // Integer keys take the nearest integer; each value then passes the key's own checks.
    if (k.kind == Kind::integer)
      axis.values.push_back(as_real(convert(k, toml::value<std::int64_t>(std::llround(v)), where)));
    else
      axis.values.push_back(as_real(convert(k, toml::value<double>(v), where)));
  }
  axis.where.push_back(where);  // the range's one location, however many values it makes
  return axis;
}

// [sweep.random]: `draws` points, each key drawn from its distribution.
void parse_random(const toml::table& table, const SourceLocation& table_where, Scenario& s) {
  for (const auto& [key, node_ptr] : in_file_order(table)) {
    const toml::node& node = *node_ptr;
    const SourceLocation where = location_of(node, s.path);
    if (key == "draws") {
      const std::optional<std::int64_t> n = node.value_exact<std::int64_t>();
      if (!n || *n < 1 || *n > 10000000)
        fail_at(where, "sweep.random.draws",
                "expected the number of points, an integer in [1, 1e7]");
      s.random_draws = *n;
      continue;
    }
    sweepable_key(key, "sweep.random", where);
    const char* expected =
        "expected { normal = [mean, sd] }, { uniform = [lo, hi] } or "
        "{ truncated_normal = [mean, sd, lo, hi] } in the key's units";
    const toml::table* dist = node.as_table();
    if (!dist || dist->size() != 1) fail_at(where, key, expected);
    RandomDraw d;
    d.key = key;
    d.where = where;
    d.distribution = std::string(dist->begin()->first.str());
    const toml::array* params = dist->begin()->second.as_array();
    const std::size_t wanted = d.distribution == "normal"             ? 2
                               : d.distribution == "uniform"          ? 2
                               : d.distribution == "truncated_normal" ? 4
                                                                      : 0;
    if (wanted == 0)
      fail_at(where, key, "unknown distribution \"" + d.distribution + "\"; " + expected);
    if (!params || params->size() != wanted) fail_at(where, key, expected);
    std::vector<double> v;
    for (const toml::node& e : *params)
      v.push_back(sweep_number(e, key, d.distribution + "'s parameters", where));
    if (d.distribution == "uniform") {
      d.lo = v[0];
      d.hi = v[1];
    } else {
      d.a = v[0];
      d.b = v[1];
      if (!(d.b > 0.0) || !std::isfinite(d.b))
        fail_at(
            where, key,
            d.distribution + ": expected a standard deviation > 0, got " + format_number(d.b, 6));
      if (d.distribution == "truncated_normal") {
        d.lo = v[2];
        d.hi = v[3];
      }
    }
    if (d.distribution != "normal") {
      if (!(d.lo < d.hi) || !std::isfinite(d.lo) || !std::isfinite(d.hi))
        fail_at(where, key,
                d.distribution + ": expected lo < hi, got [" + format_number(d.lo, 6) + ", " +
                    format_number(d.hi, 6) + "]");
    }
    if (d.distribution == "truncated_normal") {
      // The interval must hold some probability, or the draws are all at one edge.
      const double mass = 0.5 * (std::erfc((d.lo - d.a) / (d.b * std::sqrt(2.0))) -
                                 std::erfc((d.hi - d.a) / (d.b * std::sqrt(2.0))));
      if (!(mass > 1e-12))
        fail_at(where, key,
                "truncated_normal: [lo, hi] holds a probability of " + format_number(mass, 3) +
                    " of the normal; expected an interval within 7 sd of the mean");
    }
    s.random.push_back(d);
  }
  if (s.random_draws == 0)
    fail_at(table_where, "sweep.random.draws", "missing; expected the number of points");
  if (s.random.empty()) fail_at(table_where, "sweep.random", "expected at least one key to draw");
}

void parse_sweep(const toml::table& sweep, Scenario& s) {
  // One kind of sweep per scenario, or a grid with random draws at each of its points.
  std::string kind_given;
  for (const auto& [kind, node_ptr] : in_file_order(sweep)) {
    const toml::node& node = *node_ptr;
    const SourceLocation where = location_of(node, s.path);
    if (kind != "list" && kind != "grid" && kind != "random")
      fail_at(where, "sweep." + kind,
              "unknown sweep kind; expected [sweep.grid] (product), [sweep.list] (zipped lists) "
              "or [sweep.random] (draws per point)");
    const bool grid_and_random =
        (kind_given == "grid" && kind == "random") || (kind_given == "random" && kind == "grid");
    if (!kind_given.empty() && !grid_and_random)
      fail_at(where, "sweep." + kind,
              "cannot be combined with [sweep." + kind_given +
                  "] yet; expected one kind of sweep, or [sweep.grid] with [sweep.random] (draws "
                  "at every grid point)");
    kind_given = kind;
    const toml::table* table = node.as_table();
    if (!table) fail_at(where, "sweep." + kind, "expected a table of key = values");
    if (kind == "random") {
      parse_random(*table, where, s);
      continue;
    }
    for (const auto& [key, values_ptr] : in_file_order(*table)) {
      const toml::node& values = *values_ptr;
      const SourceLocation kwhere = location_of(values, s.path);
      const KeySpec& k = sweepable_key(key, "sweep." + kind, kwhere);
      SweepAxis axis = sweep_values(k, key, values, "sweep." + kind, s.path);
      if (kind == "grid") {
        s.grid.push_back(std::move(axis));
        continue;
      }
      if (!s.sweep.empty() && s.sweep.front().values.size() != axis.values.size())
        fail_at(kwhere, key,
                "expected " + std::to_string(s.sweep.front().values.size()) +
                    " values to zip with " + s.sweep.front().key + ", got " +
                    std::to_string(axis.values.size()));
      s.sweep.push_back(std::move(axis));
    }
  }
}

// A uniform deviate in [0, 1) from 53 bits of the Philox words for (key, stream, index).
double uniform_double(NoiseKey key, NoiseStream stream, std::uint64_t index) {
  const r123::Philox4x32::ctr_type u = philox_words(key, stream, index);
  const std::uint64_t bits = (static_cast<std::uint64_t>(u[0]) << 32) | u[1];
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// The standard normal's quantile in the tail below 0 side-safe: Phi(z) = p by bisection on
// erfc (Phi(z) = erfc(-z / sqrt 2) / 2, accurate where it is small).
double normal_quantile(double p) {
  double lo = -40.0, hi = 40.0;
  for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
    const double m = 0.5 * (lo + hi);
    (0.5 * std::erfc(-m / std::sqrt(2.0)) < p ? lo : hi) = m;
  }
  return 0.5 * (lo + hi);
}

// Drawn axes (one value per draw: [sweep.random], [mrm.variation]) into the sweep. Alone they are
// the points; with an expanded grid in s.sweep, the draws are made at every grid point: each grid
// point's values repeated once per draw (point = grid point x draws + draw, the draw fastest), the
// drawn values repeated at every grid point (draw d the same values at each).
void add_drawn_axes(Scenario& s, std::vector<SweepAxis> drawn) {
  if (s.grid.empty() || drawn.empty()) {
    for (SweepAxis& a : drawn) s.sweep.push_back(std::move(a));
    return;
  }
  const std::size_t grid_points = s.points(), draws = drawn.front().values.size();
  for (SweepAxis& a : s.sweep) {
    SweepAxis repeated{a.key, {}, a.where, a.table};
    repeated.values.reserve(grid_points * draws);
    for (std::size_t g = 0; g < grid_points; ++g)
      repeated.values.insert(repeated.values.end(), draws, a.values[g]);
    a = std::move(repeated);
  }
  for (SweepAxis& a : drawn) {
    SweepAxis repeated{a.key, {}, a.where, a.table};
    repeated.values.reserve(grid_points * draws);
    for (std::size_t g = 0; g < grid_points; ++g)
      repeated.values.insert(repeated.values.end(), a.values.begin(), a.values.end());
    s.sweep.push_back(std::move(repeated));
  }
  s.draws_per_grid_point = draws;
}

// [sweep.grid] and [sweep.random] into per-point values (after the overrides, which may remove
// keys from them, and once run.seed is known). Both together: the draws at every grid point,
// point = grid point x draws + draw (the draw fastest), draw d the same values at every grid
// point (one device population seen across the grid: comparisons between grid points are not
// blurred by drawing other devices).
void expand_sweeps(Scenario& s) {
  const std::size_t draws =
      s.random.empty() ? 1 : static_cast<std::size_t>(std::max<std::int64_t>(s.random_draws, 1));
  if (!s.grid.empty()) {
    std::size_t grid_points = 1;
    for (const SweepAxis& a : s.grid) {
      grid_points *= a.values.size();
      if (grid_points * draws > 100000000)
        fail_at(a.where.front(), a.key,
                "the grid" + std::string(draws > 1 ? " with its draws" : "") +
                    " passes 1e8 points; expected a smaller sweep");
    }
    for (std::size_t i = 0; i < s.grid.size(); ++i) {
      std::size_t inner = 1;  // points per step of axis i (the axes after it)
      for (std::size_t j = i + 1; j < s.grid.size(); ++j) inner *= s.grid[j].values.size();
      const SweepAxis& g = s.grid[i];
      SweepAxis axis{g.key, {}, {g.where.front()}, g.table};
      axis.values.reserve(grid_points);
      for (std::size_t p = 0; p < grid_points; ++p)
        axis.values.push_back(g.values[(p / inner) % g.values.size()]);
      s.sweep.push_back(std::move(axis));
    }
  }
  if (!s.random.empty()) {
    std::vector<SweepAxis> drawn;
    const std::uint64_t seed = run_params(s).seed;
    for (std::size_t q = 0; q < s.random.size(); ++q) {
      const RandomDraw& d = s.random[q];
      const KeySpec& k = *spec_of(d.key);
      SweepAxis axis{d.key, {}, {}, "sweep.random"};
      for (std::int64_t p = 0; p < s.random_draws; ++p) {
        // Keyed by (seed, draw) and the key's place in the table, counted apart from
        // [mrm.variation]'s indices: a point's draws do not depend on batching or sharding.
        const NoiseKey key{seed, static_cast<std::uint32_t>(p)};
        const std::uint64_t index = (static_cast<std::uint64_t>(q) + 1) << 32;
        double v = 0.0;
        if (d.distribution == "normal") {
          v = d.a + d.b * standard_normal_double(key, NoiseStream::variation, index);
        } else if (d.distribution == "uniform") {
          v = d.lo + (d.hi - d.lo) * uniform_double(key, NoiseStream::variation, index);
        } else {  // truncated normal by its quantile: drawn inside [lo, hi] at once
          double alpha = (d.lo - d.a) / d.b, beta = (d.hi - d.a) / d.b;
          const bool mirrored = alpha > 0.0;  // work in the lower tail, where Phi is accurate
          if (mirrored) {
            const double t = alpha;
            alpha = -beta;
            beta = -t;
          }
          const double f_alpha = 0.5 * std::erfc(-alpha / std::sqrt(2.0));
          const double f_beta = 0.5 * std::erfc(-beta / std::sqrt(2.0));
          const double u = uniform_double(key, NoiseStream::variation, index);
          double z = normal_quantile(f_alpha + u * (f_beta - f_alpha));
          z = std::min(std::max(z, alpha), beta);
          v = d.a + d.b * (mirrored ? -z : z);
        }
        if (k.kind == Kind::integer) v = static_cast<double>(std::llround(v));
        if (!k.range.contains(v))
          fail_at(d.where, d.key,
                  d.distribution + " draws " + format_number(v, 6) + " at " +
                      (s.grid.empty() ? "point " : "draw ") + std::to_string(p) + ", outside " +
                      expectation(k) +
                      "; expected a distribution inside the key's range (truncated_normal or "
                      "uniform)");
        axis.values.push_back(v);
      }
      axis.where.push_back(d.where);
      drawn.push_back(std::move(axis));
    }
    add_drawn_axes(s, std::move(drawn));
  }
}

void collect(const toml::table& t, const std::string& prefix, Scenario& s) {
  for (const auto& [name, node] : t) {
    const std::string key =
        prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    const SourceLocation where = location_of(node, s.path);
    if (prefix.empty() && key == "sweep") {
      const toml::table* sweep = node.as_table();
      if (!sweep) fail_at(where, key, "expected a table");
      parse_sweep(*sweep, s);
      continue;
    }
    if (const toml::table* sub = node.as_table()) {
      if (!spec_of(key)) {
        // A table must hold registered keys: a misspelt, empty table ([recever]) is refused too.
        const std::string prefix = key + ".";
        const bool known = std::any_of(registry().begin(), registry().end(), [&](const KeySpec& k) {
          return k.key.rfind(prefix, 0) == 0;
        });
        if (!known) {
          const std::string hint = did_you_mean(key, known_tables());
          fail_at(where, key,
                  hint.empty() ? "unknown table; see scenarios/README.md for the tables and keys"
                               : "unknown table" + hint);
        }
        collect(*sub, key, s);
        continue;
      }
    }
    if (key == "eye.contour_bers") {
      s.contour_bers = contour_levels(node, where);
      continue;
    }
    const KeySpec* k = spec_of(key);
    if (!k) {
      const std::string hint = did_you_mean(key, known_keys());
      fail_at(where, key,
              hint.empty() ? "unknown key; see scenarios/README.md for the keys and their units"
                           : "unknown key" + hint);
    }
    s.values[key] = {convert(*k, node, where), where};
  }
}

void apply_override(const std::string& assignment, Scenario& s) {
  const SourceLocation where{"--set " + assignment, 0};
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    fail_at(where, assignment, "expected key=value, e.g. --set mrm.detuning_pm=30");
  const std::string key = assignment.substr(0, eq);
  if (key == "eye.contour_bers") {
    try {
      const toml::table parsed = toml::parse("v = " + assignment.substr(eq + 1));
      s.contour_bers = contour_levels(*parsed.get("v"), where);
    } catch (const toml::parse_error&) {
      fail_at(where, key, "expected a list of BERs, e.g. [1e-3, 1e-6, 1e-9]");
    }
    return;
  }
  const KeySpec* k = spec_of(key);
  if (!k) fail_at(where, key, "unknown key" + did_you_mean(key, known_keys()));
  std::string literal = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + literal);
  } catch (const toml::parse_error&) {
    // A bare word for a text key: treat it as a string.
    if (k->kind != Kind::text)
      fail_at(where, key, "expected " + expectation(*k) + ", got " + literal);
    parsed = toml::table{{"v", literal}};
  }
  s.values[key] = {convert(*k, *parsed.get("v"), where), where};
  // An override of a swept key replaces the sweep over it.
  std::erase_if(s.sweep, [&](const SweepAxis& a) { return a.key == key; });
  std::erase_if(s.grid, [&](const SweepAxis& a) { return a.key == key; });
  std::erase_if(s.random, [&](const RandomDraw& d) { return d.key == key; });
  if (s.random.empty()) s.random_draws = 0;
}

}  // namespace

// [mrm.variation]: `draws` points whose resonance offset, power coupling and loss are the
// nominal values plus normal deviates (Philox keyed by run seed and draw, so a point's ring does
// not depend on batching or sharding), truncated at 4 sigma by redrawing. They become sweep axes
// over `point`, so each drawn value is a coordinate of the output; with a [sweep.grid], the
// draws at every grid point (the output's `draw` dimension after the grid's).
void add_variation_axes(Scenario& s) {
  const RunParams rp = run_params(s);
  const VariationParams& v = rp.variation;
  if (v.draws == 0) return;
  const SourceLocation where = s.where("mrm.variation.draws");
  if (!s.sweep.empty() && (s.grid.empty() || !s.random.empty()))
    fail_at(where, "mrm.variation.draws",
            "[mrm.variation] cannot be combined with [" + s.sweep.back().table +
                "] yet; expected one or the other, or [sweep.grid] alone (the draws at every "
                "grid point)");
  const LaneParams nominal = lane_params(s, 0);
  struct Quantity {
    const char* key;
    double nominal, sigma, lo, hi;  // nominal and sigma in the key's units; valid open range
    const char* sigma_key;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const Quantity quantities[] = {
      {"mrm.resonance_offset_pm", nominal.ring_resonance_offset_m * 1e12, v.resonance_sigma_pm,
       -inf, inf, "mrm.variation.resonance_sigma_pm"},
      {"mrm.power_coupling", nominal.ring_power_coupling, v.coupling_sigma, 0.0, 1.0,
       "mrm.variation.coupling_sigma"},
      {"mrm.loss_db_per_cm", nominal.ring_loss_db_per_m / 100.0, v.loss_sigma_db_per_cm, 0.0, inf,
       "mrm.variation.loss_sigma_db_per_cm"},
  };
  std::vector<SweepAxis> drawn;
  for (std::size_t q = 0; q < 3; ++q) {
    const Quantity& qu = quantities[q];
    if (qu.nominal - 4.0 * qu.sigma <= qu.lo || qu.nominal + 4.0 * qu.sigma >= qu.hi)
      fail_at(s.where(qu.sigma_key), qu.sigma_key,
              "nominal " + format_number(qu.nominal, 10) +
                  " +- 4 sigma leaves the physical range of " + qu.key +
                  "; expected a smaller sigma");
    for (const SweepAxis& g : s.grid)
      if (g.key == qu.key)
        fail_at(g.where.front(), g.key,
                "swept by [sweep.grid] and drawn by [mrm.variation]; expected one or the other");
    SweepAxis axis{qu.key, {}, {}, "mrm.variation"};
    for (std::int64_t p = 0; p < v.draws; ++p) {
      const NoiseKey key{rp.seed, static_cast<std::uint32_t>(p)};
      double z = 0.0;
      for (std::uint64_t attempt = 0;; ++attempt) {  // truncate at 4 sigma by redrawing
        z = standard_normal_double(key, NoiseStream::variation, q + 3 * attempt);
        if (std::abs(z) <= 4.0) break;
      }
      axis.values.push_back(qu.nominal + qu.sigma * z);
    }
    axis.where.push_back(where);
    s.values.erase(qu.key);  // the axis carries it now
    drawn.push_back(std::move(axis));
  }
  // With a grid: the same rings (draw d) at every grid point.
  if (!s.grid.empty() && s.points() * static_cast<std::size_t>(v.draws) > 100000000)
    fail_at(where, "mrm.variation.draws",
            "the grid with its draws passes 1e8 points; expected a smaller sweep");
  add_drawn_axes(s, std::move(drawn));
}

Scenario parse_scenario(const std::string& text, const std::string& path,
                        const std::vector<std::string>& overrides) {
  Scenario s;
  s.path = path;
  s.text = text;
  const toml::table root = parse_toml(text, path);
  collect(root, "", s);
  for (const std::string& o : overrides) apply_override(o, s);
  s.overrides = overrides;
  expand_sweeps(s);
  for (const KeySpec& k : registry()) {
    const bool given =
        s.values.count(k.key) || std::any_of(s.sweep.begin(), s.sweep.end(),
                                             [&](const SweepAxis& a) { return a.key == k.key; });
    if (!given && !k.default_value && !optional_without_default(k.key))
      fail_at({path, 0}, k.key, "missing; expected " + expectation(k));
  }
  for (const SweepAxis& a : s.sweep)
    if (s.values.count(a.key))
      fail_at(a.where.front(), a.key,
              "given both as a value (" + s.values.at(a.key).where.describe() + ") and in [" +
                  a.table + "]; expected one or the other");
  add_variation_axes(s);
  return s;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_scenario(read_input_file(path, "scenario"), path, overrides);
}

toml::table parse_toml(const std::string& text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const SourceLocation where{path, static_cast<int>(e.source().begin.line)};
    throw ScenarioError(where.describe() + ": TOML syntax: " + std::string(e.description()));
  }
}

std::string read_input_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ScenarioError(path + ": is a folder; expected a " + what + " TOML file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ScenarioError(path + ": cannot open the " + what + " file (" +
                        std::string(std::strerror(errno)) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

LaneParams lane_params(const Scenario& s, std::size_t point) {
  LaneParams lp;
  RunParams rp;
  for (const KeySpec& k : registry()) {
    const auto it = s.values.find(k.key);
    if (it != s.values.end())
      k.apply(it->second.value, lp, rp);
    else if (k.default_value)
      k.apply(*k.default_value, lp, rp);
  }
  for (const SweepAxis& a : s.sweep) {
    const KeySpec* k = spec_of(a.key);
    const double v = a.values.at(point);
    if (k->kind == Kind::integer)
      k->apply(static_cast<std::int64_t>(std::llround(v)), lp, rp);
    else
      k->apply(v, lp, rp);
  }
  // [energy] is there when any of its keys is: every part then has a default (host/link/energy.cpp).
  for (const auto& [key, value] : s.values)
    if (key.rfind("energy.", 0) == 0) lp.energy.given = true;
  for (const SweepAxis& a : s.sweep)
    if (a.key.rfind("energy.", 0) == 0) lp.energy.given = true;
  return lp;
}

RunParams run_params(const Scenario& s) {
  LaneParams lp;
  RunParams rp;
  for (const KeySpec& k : registry()) {
    if (k.key.rfind("run.", 0) != 0 && k.key.rfind("eye.", 0) != 0 &&
        k.key.rfind("tdecq.", 0) != 0 && k.key.rfind("mrm.variation.", 0) != 0 &&
        k.key.rfind("margin.", 0) != 0)
      continue;
    const auto it = s.values.find(k.key);
    if (it != s.values.end())
      k.apply(it->second.value, lp, rp);
    else if (k.default_value)
      k.apply(*k.default_value, lp, rp);
  }
  rp.eye_contour_bers = s.contour_bers;
  // The statistical mode is for sweeps of thousands of points a second; TDECQ's waveform and
  // equaliser search cost about 0.25 s of a core per point, some 300 statistical eyes (measured,
  // scripts/BENCHMARKS.md): there it is computed only when tdecq.symbols is given.
  if (rp.mode == "stat" && !s.values.count("tdecq.symbols")) rp.tdecq_symbols = 0;
  // The margin's root search costs some 20 statistical eyes per point: opt-in there too.
  if (rp.mode == "stat" && !s.values.count("margin.compute")) rp.margin = false;
  // Likewise for draws of process variation: a yield scan's hundreds of rings want their pass or
  // fail, not a root each (under the sanitizers a 200-ring scan's roots took minutes).
  if ((rp.variation.draws > 0 || s.random_draws > 0) && !s.values.count("margin.compute"))
    rp.margin = false;
  if (!s.values.count("margin.target_ber")) {
    // KP4's pre-FEC threshold (IEEE 802.3 clause 91; PARAMETERS.md), or with the inner
    // Hamming(128,120) code of 200G optics the line BER it brings down to that.
    rp.margin_target_ber = kKp4ThresholdBer;
    const auto inner = s.values.find("fec.inner");
    if (inner != s.values.end() &&
        std::get<std::string>(inner->second.value) == "hamming_128_120")
      rp.margin_target_ber = inner_code_threshold_ber(kKp4ThresholdBer);
  }
  if (rp.tdecq_symbols > 0 && rp.tdecq_symbols < 1024)
    fail_key(s, "tdecq.symbols",
             "expected 0 (no TDECQ) or at least 1024 UI of waveform, got " +
                 std::to_string(rp.tdecq_symbols));
  if (rp.tdecq_ffe_taps % 2 == 0)
    fail_key(s, "tdecq.ffe_taps",
             "expected an odd number of taps (the main one in the middle), got " +
                 std::to_string(rp.tdecq_ffe_taps));
  return rp;
}

namespace {
KeyInfo key_info(const KeySpec& k) {
  return {k.key,         k.units,      k.kind == Kind::real || k.kind == Kind::integer,
          k.range.lo,    k.range.hi,   k.range.allow_pos_inf || k.range.allow_neg_inf};
}
}  // namespace

std::optional<KeyInfo> find_key(const std::string& key) {
  const KeySpec* k = spec_of(key);
  if (!k) return std::nullopt;
  return key_info(*k);
}

std::vector<KeyInfo> all_keys() {
  std::vector<KeyInfo> out;
  for (const KeySpec& k : registry()) out.push_back(key_info(k));
  return out;
}

}  // namespace ll
