// A link's margin (issue 18): how far a point sits from its FEC's pre-FEC threshold.
//
//   sensitivity_oma_dbm  the received OMA (outer levels, at the photodiode) at which the BER
//                        reaches margin.target_ber, found as a sensitivity is measured: an
//                        attenuator ahead of the receiver, everything else as at the point
//                        (transmitter, heater, thresholds' placement by the receiver);
//   margin_db            the attenuation that takes the point there: its OMA minus the
//                        sensitivity (negative: the point fails by that much);
//   channel_margin_db    with a parametric host channel, the insertion loss at Nyquist the
//                        channel can add before the BER reaches the target (the transmit FFE as
//                        given, the receiver's MMSE equaliser re-adapted to each loss).
//
// Each BER is the statistical eye's at the decision phase (host/link/stat_eye.hpp), so a root costs
// milliseconds; tests/host/test_margin.cpp confirms the found point by Monte Carlo. A link the
// statistical eye does not model takes these stand-ins for the search only: a CDR locked without
// jitter at the receiver's sampling phase, LMS taps at their MMSE values. A link it cannot
// stand in for (a WDM bus, an ADC, SJ or BUJ) gets NaN, as does a BER floor above the target
// at 40 dB more received power, and a channel margin without a parametric channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "host/scenario/scenario.hpp"

namespace ll {

struct LaneMargin {
  double sensitivity_oma_dbm = std::numeric_limits<double>::quiet_NaN();
  double margin_db = std::numeric_limits<double>::quiet_NaN();
  double channel_margin_db = std::numeric_limits<double>::quiet_NaN();
  // The Monte-Carlo check at the sensitivity found (NaN without one): the BER counted there and
  // its 95% interval, and how many Monte-Carlo runs the search took.
  double check_ber = std::numeric_limits<double>::quiet_NaN();
  double check_ber_lo = std::numeric_limits<double>::quiet_NaN();
  double check_ber_hi = std::numeric_limits<double>::quiet_NaN();
  int check_runs = 0;
};

// A Monte-Carlo count of the point's link with parameters `lp` (the real link: its CDR, LMS taps
// and all), as the run counts its points.
struct MonteCarloCount {
  std::uint64_t bits = 0, bit_errors = 0;
};
using MonteCarloCheck = std::function<MonteCarloCount(const LaneParams& lp)>;

// The link the statistical eye evaluates for the margin, or "" with `why` set when it cannot.
bool margin_link(const LaneParams& lp, LaneParams& out, std::string& why);

// The statistical eye's BER at the decision phase of point `point` with parameters `lp`
// (the margin's stand-ins applied by the caller).
double statistical_ber(const Scenario& s, std::size_t point, const LaneParams& lp,
                       const RunParams& rp);

// The margins of a single-lane point whose received OMA is `oma_outer_dbm`; NaN figures when
// rp.margin is off or the link is one the search cannot evaluate (above). With `check` (the
// Monte-Carlo mode), the sensitivity is confirmed by counting there: when margin.target_ber falls
// outside the count's 95% interval, the statistical eye's BER is scaled by the count's ratio to it
// (its bias at that point: the ring's nonlinearity, the real CDR) and the root found again, up to
// three counts; the last count is reported.
LaneMargin lane_margin(const Scenario& s, std::size_t point, const LaneParams& lp,
                       const RunParams& rp, double oma_outer_dbm,
                       const MonteCarloCheck& check = {});

// The margins of a WDM bus's lanes (the statistical eye does not model a bus), by Monte Carlo:
// `count` counts every lane of the point with the bus's receive side attenuated alike (an
// attenuator ahead of the demultiplexer's photodiodes). The attenuation is searched for the worst
// lane (steps, then the secant of log BER over dB between the counts that bracket the target)
// until the worst lane's 95% interval holds the target, six counts at most; each lane's root is
// then read off its own counts (log BER interpolated over dB between the two that bracket the
// target, else extrapolated from the nearest two with errors; NaN with fewer). The check figures
// are each lane's count at the last attenuation. `oma_outer_dbm` per lane.
using BusCount = std::function<std::vector<MonteCarloCount>(const LaneParams& lp)>;
std::vector<LaneMargin> bus_margins(const LaneParams& lp, const RunParams& rp,
                                    const std::vector<double>& oma_outer_dbm,
                                    const BusCount& count);

// The pre-FEC BER at which the modelled inner code (physics/fec.hpp: hard-decision
// Hamming(128,120), single errors corrected) leaves `outer_threshold` in its message bits.
double inner_code_threshold_ber(double outer_threshold);

}  // namespace ll
