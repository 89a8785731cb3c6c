// The key registry's parts that host/scenario/'s own files share (other code uses
// host/scenario/scenario.hpp): a key's spec and the builders the keys_*.cpp files make theirs
// with, each section's function that appends its keys, and the lookups and conversion that
// scenario.cpp (parsing) and sweep.cpp (sweeps and draws) both use.
#pragma once

#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/scenario.hpp"

namespace ll::scenario_detail {

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

inline double as_real(const ScalarValue& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  return static_cast<double>(std::get<std::int64_t>(v));
}

// Builders: each converts the scenario unit to SI once, here.
inline KeySpec real_key(std::string key, std::string units, Range range, double to_si,
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
inline KeySpec dbm_key(std::string key, Range range, double LaneParams::*member_w) {
  KeySpec k{std::move(key), Kind::real, "dBm", range, {}, {}, {}};
  k.apply = [member_w](const ScalarValue& v, LaneParams& lp, RunParams&) {
    lp.*member_w = 1e-3 * std::pow(10.0, as_real(v) / 10.0);
  };
  return k;
}
inline KeySpec int_key(std::string key, std::string units, Range range, int LaneParams::*member,
                       std::optional<std::int64_t> def = std::nullopt) {
  KeySpec k{std::move(key), Kind::integer, std::move(units), range, {}, {}, {}};
  if (def) k.default_value = *def;
  k.apply = [member](const ScalarValue& v, LaneParams& lp, RunParams&) {
    lp.*member = static_cast<int>(std::get<std::int64_t>(v));
  };
  return k;
}

// A bandwidth ([driver], [receiver]): a positive frequency in GHz, or inf for no band limit.
inline Range bandwidth_range() {
  const double inf = std::numeric_limits<double>::infinity();
  return {
      0.0, inf, true, false, true, false, "a positive frequency in GHz, or inf for no band limit"};
}

// The registry's sections, each appending its keys to r. registry() calls them in this order,
// and the order is seen: validate's output, the messages for missing keys, key listings.
void append_run_keys(std::vector<KeySpec>& r);           // [run], [eye], [tdecq], [margin]
void append_transmitter_keys(std::vector<KeySpec>& r);   // [signal], [driver], [fec]
void append_modulator_keys(std::vector<KeySpec>& r);     // [laser], [mrm]
void append_electrical_keys(std::vector<KeySpec>& r);    // [channel], [tx_ffe], [receiver.ctle]
void append_energy_keys(std::vector<KeySpec>& r);        // [energy]
void append_serdes_keys(std::vector<KeySpec>& r);        // [tx_jitter], [cdr], [rx_eq]
void append_optical_path_keys(std::vector<KeySpec>& r);  // [optics], [receiver], [wdm]
void append_stage_keys(std::vector<KeySpec>& r);         // the stages' own (stage_keys.hpp)

// Every key, section by section in the order above (host/scenario/scenario.cpp).
const std::vector<KeySpec>& registry();
// The spec of `key`, or null for a key not in the registry.
const KeySpec* spec_of(const std::string& key);
// The keys a scenario may give (for suggestions).
std::vector<std::string> known_keys();
// What key spec `k` takes, for messages ("one of ...", "true or false", a range in its units).
std::string expectation(const KeySpec& k);
// Refuses a key given while the text key that selects its mode selects another (channel.file
// with channel.model = "none", ...), naming both (host/scenario/key_modes.cpp).
void refuse_unread_keys(const Scenario& s);
// Converts a TOML node to a checked scalar for key spec `k`.
ScalarValue convert(const KeySpec& k, const toml::node& n, const SourceLocation& where);
// Where node `n` of the file at `path` is: the file and the node's line.
SourceLocation location_of(const toml::node& n, const std::string& path);

}  // namespace ll::scenario_detail
