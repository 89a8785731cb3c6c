// Keys that only one mode of a text key reads: given while another mode is selected, they are
// refused, naming the key and the selecting key (issue 23: a [channel] with file and port_order
// but no model used to run as if there were no channel). The modulator's tables, the laser of a
// micro-LED and the optics of an electrical lane are refused the same way in scenario.cpp.

#include <algorithm>
#include <string>
#include <vector>

#include "host/link/com_standard.hpp"
#include "host/scenario/key_spec.hpp"

namespace ll::scenario_detail {
namespace {

struct ReadOnlyWith {
  std::vector<std::string> keys;      // a key, or a table's prefix ending in '.'
  std::string selector;               // the text key choosing the mode
  std::vector<std::string> modes;     // the modes that read them
};

const std::vector<ReadOnlyWith>& mode_rules() {
  static const std::vector<ReadOnlyWith> rules = {
      {{"channel.file", "channel.port_order", "channel.extrapolate", "channel.com_set"},
       "channel.model",
       {"touchstone"}},
      {{"channel.com_crosstalk"}, "channel.com_set", com_set_names()},
      {{"channel.loss_db_at_nyquist", "channel.skin_share", "channel.die_capacitance_ff",
        "channel.package_length_mm", "channel.package_impedance_ohm",
        "channel.package_delay_ps_per_mm"},
       "channel.model",
       {"parametric"}},
      {{"mrm.junction."}, "mrm.electro_optic", {"junction"}},
      {{"wdm.demux.radius_um", "wdm.demux.n_g", "wdm.demux.loss_db_per_cm",
        "wdm.demux.power_coupling_in", "wdm.demux.power_coupling_drop",
        "wdm.demux.resonance_offset_pm"},
       "wdm.demux.model",
       {"ring"}},
      {{"cdr.bandwidth_mhz"}, "cdr.mode", {"mueller_muller", "bang_bang"}},
      {{"rx_eq.lms_step"}, "rx_eq.adapt", {"lms"}},
  };
  return rules;
}

bool matches(const std::string& key, const std::string& pattern) {
  return pattern.back() == '.' ? key.rfind(pattern, 0) == 0 : key == pattern;
}

std::string quoted_list(const std::vector<std::string>& modes) {
  std::string out;
  for (std::size_t i = 0; i < modes.size(); ++i)
    out += (i == 0 ? "" : i + 1 == modes.size() ? " or " : ", ") + ("\"" + modes[i] + "\"");
  return out;
}

}  // namespace

void refuse_unread_keys(const Scenario& s) {
  // A mode switched by --set leaves the file's keys for its old mode unread on purpose (a preset
  // with a CDR's bandwidth run with --set cdr.mode="ideal"): only a key that comes from the same
  // place as the mode, or from --set itself, is refused.
  auto from_override = [](const SourceLocation& w) { return w.file.rfind("--set ", 0) == 0; };
  for (const ReadOnlyWith& rule : mode_rules()) {
    const KeySpec* selector = spec_of(rule.selector);
    std::string mode;
    bool mode_by_override = false;
    if (const auto v = s.values.find(rule.selector); v != s.values.end()) {
      mode = std::get<std::string>(v->second.value);
      mode_by_override = from_override(v->second.where);
    } else if (selector && selector->default_value)
      mode = std::get<std::string>(*selector->default_value);
    if (std::find(rule.modes.begin(), rule.modes.end(), mode) != rule.modes.end()) continue;
    for (const KeySpec& k : registry()) {
      if (std::none_of(rule.keys.begin(), rule.keys.end(),
                       [&](const std::string& p) { return matches(k.key, p); }))
        continue;
      if (!s.given(k.key)) continue;
      const SourceLocation where = s.where(k.key);
      if (!(mode_by_override && !from_override(where)))
        fail_at(where, k.key,
                "not read while " + rule.selector +
                    (mode.empty() ? std::string(" is not given") : " = \"" + mode + "\"") +
                    " (only with " + rule.selector + " = " + quoted_list(rule.modes) +
                    "); expected no such key, or " + rule.selector + " set to the mode that reads it");
    }
  }
}

}  // namespace ll::scenario_detail
