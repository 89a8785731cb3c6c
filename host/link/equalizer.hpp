// MMSE taps of the receiver's FFE and DFE from the chain's symbol-spaced pulse response
// (physics/equalizer.hpp runs them).
//
// With g_d the pulse response d symbols after the cursor (A per unit symbol value), F FFE taps
// c_i with `pre` of them ahead of the cursor, the equalised sample of symbol n is
//     z'_n = sum_q q_q a_{n-q},   q_q = sum_i c_i g_{q + pre - i},
// and a DFE of B taps removes q_1 .. q_B (b_k = q_k / S, past decisions right). The taps minimise
//     E|z'_n - S a_n|^2 = var_a (|G_Q c - S e_0|^2) + var_n |c|^2,
// where G_Q keeps the rows q not cancelled by the DFE: the normal equations
//     (var_a G_Q^T G_Q + var_n I) c = var_a S G_Q^T e_0,
// solved by Cholesky in double. The solution is then scaled so the equalised cursor is exactly S
// (the unbiased MMSE receiver: the slicer's thresholds sit between the nominal levels). DFE taps
// beyond the limit are clamped (the FFE is not re-solved around them).
#pragma once

#include <vector>

namespace ll {

struct EqualizerDesign {
  std::vector<double> ffe;         // c_0 .. c_{F-1}, the cursor at c_pre; unbiased (q_0 = S)
  std::vector<double> dfe;         // b_1 .. b_B, relative to the swing S, for the unbiased FFE
  std::vector<double> biased_ffe;  // the MMSE solution itself (q_0 slightly below S)
  double mse = 0.0;                // E|z' - S a|^2 at the biased solution, A^2
  int clamped = 0;                 // DFE taps clamped to the limit
};

// `pulse` is sampled at the decision phase, one value per symbol, the cursor at `cursor`.
EqualizerDesign mmse_equalizer(const std::vector<double>& pulse, int cursor, int ffe_taps,
                               int ffe_pre, int dfe_taps, double var_a, double var_noise,
                               double swing, double dfe_limit);

// The matrix G (rows q = q_first .. q_first + rows - 1, columns i = 0 .. F-1) and q_first:
// exposed so a test can solve the same problem another way.
std::vector<double> equalizer_convolution_matrix(const std::vector<double>& pulse, int cursor,
                                                 int ffe_taps, int ffe_pre, int* q_first,
                                                 int* rows);

}  // namespace ll
