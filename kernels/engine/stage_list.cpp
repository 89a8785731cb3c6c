// What the host reads of the stage list without the engine (kernels/engine/stage_keys.hpp): the
// stages' keys, their losses and their own set-up, collected over LaneStageList.
#include "kernels/engine/stage_list.hpp"

namespace ll {

const std::vector<StageKey>& stage_keys() {
  static const std::vector<StageKey> keys = [] {
    std::vector<StageKey> out;
    for_each_stage([&]<class Info>() {
      for (const StageKey& k : Info::keys()) out.push_back(k);
    });
    return out;
  }();
  return keys;
}

double folded_optical_loss_db(const StageValues& values) {
  double loss_db = 0.0;
  for_each_stage([&]<class Info>() {
    loss_db += Info::optical_loss_db(values);
  });
  return loss_db;
}

std::optional<StageRefusal> set_up_stages(const StageContext& context, LinkSetup& link) {
  std::optional<StageRefusal> refusal;
  for_each_stage([&]<class Info>() {
    if (!refusal) refusal = Info::set_up(context, link);
  });
  return refusal;
}

}  // namespace ll
