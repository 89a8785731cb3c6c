// What the backends take and return for statistical eyes: a link reduced to its phases' taps and
// shifts (StatEyeInputs, made by the host's set-up, host/link/stat_eye.hpp), and the eye
// (StatEye). The CPU's per-link program and the eye's assembly from the phases' results
// (kernels/engine/stat_eye_batch.cpp); the GPU's in kernels/cuda/stat_eye_cuda.cu.
#pragma once

#include <vector>

#include "physics/stat_eye.hpp"

namespace ll {

// The statistical eye's team on the CPU (physics/stat_eye.hpp): one member, the bins' loops
// vectorised.
struct SerialTeam {
  int rank() const { return 0; }
  int size() const { return 1; }
  void sync() {}
  double sum(double x) { return x; }
  double max(double x) { return x; }
  template <class F>
  void parallel_for(int a, int e, const F& f) {
    LL_SIMD for (int b = a; b <= e; ++b) f(b);
  }
  template <class F>
  void strided_for(int a, int e, const F& f) {
    for (int b = a; b <= e; ++b) f(b);
  }
};

// One link's statistical eye.
struct StatEye {
  bool valid = false;
  double ber = 0.0, ser = 0.0;      // at the decision phase
  std::vector<double> bathtub_ber;  // phases -0.5 .. 0.5 - 1/spu UI from the decision instant
  double eye_height_a = 0.0;        // smallest inner opening at the target BER, decision phase
  double eye_width_ui = 0.0;        // width of the bathtub below the target BER
  // Contours (eye.contour_bers): [contour][edge][phase], edge 2 e the floor of eye e (the lower
  // level's top), 2 e + 1 its ceiling (the upper level's bottom), A.
  int contour_edges = 0;
  std::vector<double> contour_a;
};

// A link's statistical eye as the per-phase program takes it (physics/stat_eye.hpp): its
// constants, and per phase (phase j at j - samples_per_ui / 2 samples from the decision instant)
// the taps and the shifts of the noiseless samples. No phases: the report has no pulse.
struct StatEyeInputs {
  StatEyeLink link;
  std::vector<StatEyePhase> phases;
  std::vector<double> taps;
  std::vector<StatEyeCombo> combos;
};

// The eye from its phases' results and contours ([phase][contour][edge], `contours` levels):
// the bathtub, the decision phase's figures, the eye width from the bathtub.
StatEye assemble_stat_eye(const StatEyeInputs& in, const StatEyePhaseResult* results,
                          const double* contour_a, int contours);

// A link's eye from its inputs, on the CPU (kernels/backend.hpp: statistical_eyes_cpu runs many).
StatEye statistical_eye(const StatEyeInputs& in, const std::vector<double>& contour_bers);
// Its BER at the decision phase alone (StatEye::ber), a spu-th of the work: for searches that
// read nothing else (host/link/margin.cpp).
double decision_phase_ber(const StatEyeInputs& in);

}  // namespace ll
