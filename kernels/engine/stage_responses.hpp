// The lane's noiseless response in double precision, stage by stage over the same list the engine
// runs (stage_list.hpp): the set-up's pulse and level-to-level step responses (the decision
// instant, the warm-up, the statistical eye's, the equaliser's and the CDR's input) come from the
// stages the engine will run, not from a second description of the chain.
//
// Each stage kind answers for its own part: the ring maps the drive to its transmission (static,
// PN junction or coupled-mode, the ring settled at the starting drive); the receiver filter
// convolves with the link's H2. The drive is the input (the caller shapes it: the drive pulse,
// or the drive's step); the symbols, the lock monitor, the decisions, the count and the eye do
// not change the analog signal; the WDM bus's crosstalk is left out (a lane's own response; the
// statistical eye refuses buses).
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/engine/fir.hpp"
#include "kernels/engine/stage_list.hpp"
#include "physics/link_constants.hpp"

namespace ll {

// The ring's transmission for the drive v_from + (v_to - v_from) shape[n], less its steady value
// at v_from (the ring settled there for `ring_tail` samples when it is the coupled-mode one).
inline std::vector<double> ring_response(StageKind kind, const LinkConstants<double>& c,
                                         std::size_t ring_tail, double v_from, double v_to,
                                         const std::vector<double>& shape) {
  std::vector<double> out_t(shape.size());
  if (kind != StageKind::ring_coupled_mode) {
    const double t0 = ring_transmission(c, v_from);
    for (std::size_t n = 0; n < shape.size(); ++n)
      out_t[n] = ring_transmission(c, v_from + (v_to - v_from) * shape[n]) - t0;
  } else {
    Complex<double> u{0.0, 0.0};
    const AffineMap<double> rest = cmt_step_for(c, v_from);
    for (std::size_t n = 0; n < ring_tail; ++n) u = apply(rest, u);  // settle at v_from
    const double t0 = cmt_transmission(u);
    for (std::size_t n = 0; n < shape.size(); ++n) {
      u = apply(cmt_step_for(c, v_from + (v_to - v_from) * shape[n]), u);
      out_t[n] = cmt_transmission(u) - t0;
    }
  }
  return out_t;
}

// The lane's response (in ring transmission, after every linear stage) to the drive
// v_from + (v_to - v_from) shape[n], less its steady value at v_from.
inline std::vector<double> lane_response(const std::vector<StageKind>& stages,
                                         const LinkSetup& link, std::size_t ring_tail,
                                         double v_from, double v_to,
                                         const std::vector<double>& shape) {
  std::vector<double> signal;
  for (StageKind kind : stages) {
    switch (kind) {
      case StageKind::ring:
      case StageKind::ring_junction:
      case StageKind::ring_coupled_mode:
        signal = ring_response(kind, link.constants, ring_tail, v_from, v_to, shape);
        break;
      case StageKind::receiver_filter: signal = convolve_fir(signal, link.h2_taps); break;
      default: break;  // not a stage of the analog signal's linear(ised) path
    }
  }
  return signal;
}

}  // namespace ll
