// A plain complex pair with the memory layout of fftw(f)_complex and cufft(Complex|DoubleComplex).
#pragma once

#include "physics/config.hpp"

namespace ll {

template <class Real>
struct Complex {
  Real re;
  Real im;
};

template <class Real>
LL_HD LL_FORCEINLINE Complex<Real> operator*(Complex<Real> a, Complex<Real> b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

}  // namespace ll
