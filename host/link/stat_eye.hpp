// The statistical eye of one link (run.mode = "stat", and beside every Monte-Carlo point): the
// received sample at phase phi of the UI is
//     y = I_mid + a_0 g(phi) + sum_{m != 0} a_m g(phi + m T) + n,
// with g the chain's pulse response (A per unit symbol value, linearised at the outer levels'
// step and scaled so g at the decision instant is the outer levels' span S, so the cursor puts
// each level exactly at its received current I_k), a_m independent symbol values with their
// probabilities, and n Gaussian with the engine's level-dependent variance
// sigma^2(y) = sigma_c^2 + q_shot y + rin y^2 at the noiseless sample. The ISI's distribution
// is built by convolving each cursor's M-point distribution on an amplitude grid (mass split
// between the two nearest bins); the decision uses the engine's thresholds. For each phase of
// the UI the symbol error ratio is
//     SER(phi) = sum_k p_k sum_isi P(isi) [Q((t_hi - y) / sigma) + Q((y - t_lo) / sigma)],
// and the BER weights each decision region's probability by the Gray labels' differing bits
// (PAM6: the mean bits of a single-level error per symbol error), over bits per symbol. Exact for a
// chain that is linear after the ring (receiver filters only); with band limits ahead of the ring
// its nonlinear T(V) bends the ISI and the linearised pulse is an approximation whose bias
// tests/kernels/test_stat_eye.cpp measures. The receiver's FFE and DFE with fixed (MMSE) taps are
// modelled (stat_eye.cpp: the equalised pulse, the FFE's noise sum; past decisions taken as
// right). Transmit jitter's RJ and DCD (dual-Dirac) move the transitions as the engine's do:
// each transition's displacement of the sample from its level-to-level response, its mean and
// variance over the jitter; the two bounding the decided symbol per neighbouring symbols, the
// others over random symbols (stat_eye.cpp). Not modelled: LMS-adapted taps, the ADC, clock
// recovery, SJ and BUJ, and WDM crosstalk (run.mode = "stat" refuses them).
//
// Split for the two backends: stat_eye_inputs (host, per link) reduces the link to its phases'
// taps and sample shifts; the per-phase program of physics/stat_eye.hpp (the ISI convolution,
// the error sums, the edges' search) runs on the CPU as a one-member team and on the GPU as a
// thread block per phase (host/run/backend.hpp: statistical_eyes).
#pragma once

#include <vector>

#include "host/link/lane_setup.hpp"
#include "kernels/engine/stat_eye_batch.hpp"
#include "physics/stat_eye.hpp"

namespace ll {

// The distribution of sum_m a_m g_m for independent symbols a_m taking value[k] with prob[k]:
// each cursor's distribution convolved in on a uniform grid of `bins` (the mass of each shifted
// bin split between its two nearest bins; the grid reaches every sum). pdf[b] is the mass at
// isi = lo + b step, nonzero only in [first, last]. Shared by the statistical eye and COM.
struct IsiPdf {
  double lo = 0.0, step = 1.0;
  std::vector<float> pdf;   // single precision: twice the SIMD width; masses to 1e-30 fit
  int first = 0, last = 0;  // the bins that can be nonzero
};
IsiPdf isi_distribution(const std::vector<double>& cursors, const double* value, const double* prob,
                        int levels, int bins = 1024);

// The amplitude A that the interference `pdf` plus Gaussian noise of `sigma` falls below -A
// with probability `probability` (COM's A_ni at DER_0): bisection between 0 and `reach` (the
// interference's largest excursion) + 20 sigma, to a bracket `relative` of that span wide (at
// least 1e-12 of it). With `grouped`, bins finer than sigma / 32 are read in groups at their
// mass's centre (the standard's COM: A_ni moves by well under 1e-3 sigma, 3e-4 dB on the
// presets' own COM, which reads every bin).
double interference_amplitude(const IsiPdf& pdf, double sigma, double probability, double reach,
                              double relative = 0.0, bool grouped = false);

// Whether the statistical eye models this link (empty: it does; else what it lacks).
std::string stat_eye_unsupported(const LaneParams& lp);

// StatEyeInputs, StatEye: kernels/engine/stat_eye_batch.hpp.
StatEyeInputs stat_eye_inputs(const LinkSetup& link, const LinkReport& rep, double target_ber);

// `target_ber` in (0, 0.5): the eye's height and width are taken where each level's tail
// probability (height) or the bathtub (width) reaches it. `contour_bers` (descending): the
// eyes' floors and ceilings at every phase where each level's tail probability is each of them
// (about 15 ms per level for a 64-UI pulse on one core of this machine; none when empty).
StatEye statistical_eye(const LinkSetup& link, const LinkReport& rep, double target_ber,
                        const std::vector<double>& contour_bers = {});
}  // namespace ll
