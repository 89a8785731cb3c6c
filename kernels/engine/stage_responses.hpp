// The lane's noiseless response in double precision, stage by stage over the list the engine runs
// (stage_list.hpp): the set-up's pulse and level-to-level step responses (the decision instant,
// the warm-up, the statistical eye's, the equaliser's and the CDR's input) come from the stages
// the engine will run, each answering for its own part (its descriptor's `respond`), not from a
// second description of the chain. The drive is the input (the caller shapes it: the drive
// pulse, or the drive's step).
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/engine/stage_list.hpp"

namespace ll {

// The lane's response (in ring transmission, after every linear stage) to the drive
// v_from + (v_to - v_from) shape[n], less its steady value at v_from; `batch` says which stages
// the link runs (its stage flags), `ring_tail` how long a coupled-mode ring settles first.
inline std::vector<double> lane_response(const BatchSetup& batch, const LinkSetup& link,
                                         std::size_t ring_tail, double v_from, double v_to,
                                         const std::vector<double>& shape) {
  std::vector<Complex<double>> field;
  Complex<double> field_from{0.0, 0.0};
  const ResponseArgs args{ring_tail, v_from, v_to, &shape, &field, &field_from};
  std::vector<double> signal;
  for_each_stage([&]<class Info>() {
    if (!Info::name(batch).empty()) Info::respond(batch, link, args, signal);
  });
  return signal;
}

}  // namespace ll
