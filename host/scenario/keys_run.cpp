// The registry's [run], [eye], [tdecq] and [margin] keys: the run's settings (RunParams), the
// same for every point of a sweep.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "host/scenario/key_spec.hpp"
#include "physics/fec.hpp"

namespace ll::scenario_detail {

void append_run_keys(std::vector<KeySpec>& r) {
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
  // A point's bits as independent segments (kernels/segments.hpp): 2^20 bits, a few hundred ms of
  // a core, so that a point of a few million bits fills two cores while each segment's warm-up
  // (tens of symbols) and set-up stay under 1% of it. 0: one segment.
  run_u64("run.segment_bits", {0.0, most}, &RunParams::segment_bits, std::int64_t{1} << 20);
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
}

}  // namespace ll::scenario_detail
