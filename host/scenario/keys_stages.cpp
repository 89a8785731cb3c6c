// The registry's keys that stages declare themselves (kernels/engine/stage_keys.hpp: each stage's
// descriptor lists its keys beside its class): registered here with their ranges and defaults;
// a value reaches the link's set-up in LaneParams::stage_values, in the key's own unit.

#include <cstdint>
#include <string>
#include <vector>

#include "host/scenario/key_spec.hpp"
#include "kernels/engine/stage_keys.hpp"

namespace ll::scenario_detail {

void append_stage_keys(std::vector<KeySpec>& r) {
  for (const StageKey& s : stage_keys()) {
    KeySpec k{s.key, s.whole ? Kind::integer : Kind::real, s.units, Range{s.lo, s.hi}, {}, {}, {}};
    if (s.whole)
      k.default_value = static_cast<std::int64_t>(s.default_value);
    else
      k.default_value = s.default_value;
    k.range.meaning = s.meaning;
    const std::string key = s.key;
    k.apply = [key](const ScalarValue& v, LaneParams& lp, RunParams&) {
      lp.stage_values[key] = as_real(v);
    };
    r.push_back(std::move(k));
  }
}

}  // namespace ll::scenario_detail
