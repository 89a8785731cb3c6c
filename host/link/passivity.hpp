// The passivity check of an S-parameter matrix (host/link/touchstone.cpp): its largest singular
// value, at most 1 for a passive network.
#pragma once

#include <complex>

namespace ll {

// The largest singular value of an n x n complex matrix (row-major) if it exceeds `limit`, else
// a value at most `limit`.
double largest_singular_value(const std::complex<double>* s, int n, double limit);

}  // namespace ll
