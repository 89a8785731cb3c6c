// Scenarios: the key registry's lookups, a TOML value's conversion against its key, and the
// parsing of a scenario file with its overrides into values and sweeps. The keys themselves are in
// host/scenario/keys_*.cpp, by section; the sweeps and draws in host/scenario/sweep.cpp; reading
// and parsing the TOML file in host/scenario/toml_input.cpp.
#include "host/scenario/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>

#include "host/link/margin.hpp"
#include "host/scenario/key_spec.hpp"
#include "host/scenario/sweep.hpp"
#include "host/scenario/toml_input.hpp"
#include "physics/fec.hpp"

namespace ll {

// The registry, its lookups and conversion (host/scenario/key_spec.hpp) and the sweeps
// (host/scenario/sweep.hpp).
using namespace scenario_detail;

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

bool Scenario::given(const std::string& key) const {
  return values.count(key) ||
         std::any_of(sweep.begin(), sweep.end(), [&](const SweepAxis& a) { return a.key == key; });
}

void fail_at(const SourceLocation& where, const std::string& key, const std::string& what) {
  throw ScenarioError(where.describe() + ": " + key + ": " + what, where, key);
}

void fail_key(const Scenario& s, const std::string& key, const std::string& what) {
  fail_at(s.where(key), key, what);
}

namespace scenario_detail {

// The sections in a fixed order: the order is seen (validate's output, the messages for missing
// keys, key listings), so a new key goes where it should be listed.
const std::vector<KeySpec>& registry() {
  static const std::vector<KeySpec> keys = [] {
    std::vector<KeySpec> r;
    append_run_keys(r);
    append_transmitter_keys(r);
    append_modulator_keys(r);
    append_electrical_keys(r);
    append_energy_keys(r);
    append_serdes_keys(r);
    append_optical_path_keys(r);
    append_stage_keys(r);
    return r;
  }();
  return keys;
}

const KeySpec* spec_of(const std::string& key) {
  for (const KeySpec& k : registry())
    if (k.key == key) return &k;
  return nullptr;
}

std::vector<std::string> known_keys() {
  std::vector<std::string> keys{"eye.contour_bers"};
  for (const KeySpec& k : registry()) keys.push_back(k.key);
  return keys;
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

SourceLocation location_of(const toml::node& n, const std::string& path) {
  return {path, static_cast<int>(n.source().begin.line)};
}

}  // namespace scenario_detail

namespace {

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
         key == "cdr.bandwidth_mhz" || key.rfind("energy.", 0) == 0 ||
         key.rfind("mzm.", 0) == 0 ||  // [mzm], [eml]: checked by their set-up,
         key.rfind("eml.", 0) == 0 ||   // host/link/modulator_setup.cpp
         key.rfind("microled.", 0) == 0 ||
         key == "receiver.eta0_v2_per_ghz";  // an electrical lane's: checked by its set-up
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

// The tables (every prefix of a key), for a misspelt [table].
std::vector<std::string> known_tables() {
  std::vector<std::string> tables;
  for (const std::string& k : known_keys())
    for (auto dot = k.find('.'); dot != std::string::npos; dot = k.find('.', dot + 1))
      if (std::find(tables.begin(), tables.end(), k.substr(0, dot)) == tables.end())
        tables.push_back(k.substr(0, dot));
  return tables;
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
  // The modulator's choice decides which table's keys are read: [mrm]'s for the ring, [mzm]'s for
  // a Mach-Zehnder modulator, [eml]'s for an EML; another table's key is refused, naming the choice.
  std::string modulator = "mrm";
  if (const auto it = s.values.find("transmitter.modulator"); it != s.values.end())
    modulator = std::get<std::string>(it->second.value);
  for (const SweepAxis& a : s.sweep)
    if (a.key == "transmitter.modulator")
      fail_at(a.where.front(), a.key, "swept; expected one modulator for the whole run");
  // A micro-LED has no laser: laser.wavelength_nm is its light's centre, the laser's power and RIN
  // are not read.
  // An electrical lane (modulator "none") has no laser, no optical path and no photodiode; its
  // receiver's noise is receiver.eta0_v2_per_ghz, which only it reads.
  auto optical_only = [](const std::string& key) {
    for (const char* prefix : {"laser.", "optics.", "fibre.", "voa.", "wdm."})
      if (key.rfind(prefix, 0) == 0) return true;
    return key == "receiver.responsivity_a_per_w" || key == "receiver.dark_current_na" ||
           key == "receiver.tia_noise_pa_per_rthz" || key == "receiver.shot_noise" ||
           key.rfind("energy.laser_", 0) == 0 || key == "energy.modulator_capacitance_ff" ||
           key == "energy.tia_pj_per_bit" || key == "energy.driver_pj_per_bit" ||
           key == "energy.lasers_per_port";
  };
  auto other_table = [&](const std::string& key) -> const char* {
    for (const char* m : {"mrm", "mzm", "eml", "microled"})
      if (m != modulator && key.rfind(std::string(m) + ".", 0) == 0) return m;
    if (modulator == "microled" && (key == "laser.power_dbm" || key == "laser.rin_db_per_hz"))
      return "a laser";
    if (modulator == "none" && optical_only(key)) return "optics";
    if (modulator != "none" && key == "receiver.eta0_v2_per_ghz") return "none";
    return nullptr;
  };
  for (const KeySpec& k : registry()) {
    const char* other = other_table(k.key);
    if (other && s.given(k.key)) {
      const auto v = s.values.find(k.key);
      fail_at(v != s.values.end() ? v->second.where : SourceLocation{path, 0}, k.key,
              std::string(other) == "a laser"
                  ? "not read with transmitter.modulator = \"microled\" (no laser: the LED's "
                    "light comes from [microled]); expected no such key"
              : std::string(other) == "optics"
                  ? "not read with transmitter.modulator = \"none\" (an electrical lane: no "
                    "laser, optical path or photodiode; its receiver's noise is "
                    "receiver.eta0_v2_per_ghz); expected no such key"
                  : std::string("read only with transmitter.modulator = \"") + other +
                        "\"; expected no such key with \"" + modulator + "\"");
    }
    if (!s.given(k.key) && !k.default_value && !optional_without_default(k.key) && !other)
      fail_at({path, 0}, k.key, "missing; expected " + expectation(k));
  }
  refuse_unread_keys(s);
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
  rp.chunk_symbols_given = s.values.count("run.chunk_symbols") > 0;
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
