// A channel-operating-margin figure for the host electrical channel ([channel]), in the manner
// of IEEE 802.3 annex 93A with the 802.3dj parameter set of ../shared/reference/PARAMETERS.md:
//     COM = 20 log10(A_s / A_ni),
// A_s the available signal (R_LM times the equalised cursor over L - 1: half a level spacing),
// A_ni the amplitude that noise plus residual ISI exceeds with probability DER_0 (one tail).
//
// The chain: the transmitter's 1-UI pulse of peak A_v (with the scenario's transmit FFE), the
// channel's FIR, the receiver's 4th-order Bessel-Thomson noise filter at f_r f_b, a T-spaced
// FFE of `ffe_taps` (`ffe_pre` ahead of the cursor) and a DFE of `dfe_taps` with |b| <= b_max,
// both MMSE (host/link/equalizer.hpp) at the sampling phase where the MMSE receiver's SNR is best.
// Noise, Gaussian: the receiver's eta_0 through the filter and the FFE (integrated), the
// transmitter's SNR_TX as symbol-rate noise with the equalised pulse's energy, and jitter as
// (sigma_RJ^2 + A_DD^2) times the equalised pulse's slope energy (the dual Dirac taken as
// Gaussian of the same variance: a simplification of 93A's jitter PDF). The residual ISI's
// distribution is the convolution of every residual cursor's PAM distribution; A_ni solves
// sum_isi P(isi) Q((A + isi) / sigma) = DER_0.
// Not modelled: the CTLE and transmit-FFE search of 93A (the scenario's own transmit FFE is
// used, no CTLE), crosstalk channels, the package's own COM model (the scenario's package is in
// the channel FIR), and the channel's flat DC loss (the FIR has unit DC gain: the driver restores
// the swing; A_v is then the swing at DC).
#pragma once

#include <limits>
#include <vector>

namespace ll {

// IEEE 802.3dj COM (PARAMETERS.md: PyChOpMarg config_com_ieee8023dj).
struct ComParameters {
  double der0 = 2e-4;
  double a_v = 0.413;  // V, transmitter peak (outer levels +-A_v)
  double snr_tx_db = 33.0;
  double eta0_v2_per_ghz = 6e-9;  // one-sided noise density at the receiver's input
  double sigma_rj_ui = 0.01;
  double a_dd_ui = 0.02;
  double f_r = 0.58;  // receiver filter bandwidth over the symbol rate
  double r_lm = 0.95;
  int ffe_taps = 16, ffe_pre = 5, dfe_taps = 1;
  double dfe_limit = 0.85;  // b_max
  int levels = 4;
};

struct ComFigure {
  double com_db = std::numeric_limits<double>::quiet_NaN();
  double signal_v = 0.0;        // A_s
  double interference_v = 0.0;  // A_ni
  double sigma_v = 0.0;         // the Gaussian part (noise and jitter)
  double sigma_noise_v = 0.0, sigma_tx_v = 0.0, sigma_jitter_v = 0.0;
  double phase_ui = 0.0;  // the sampling phase, UI after the 1-UI pulse's start
};

// `channel_fir` and `tx_ffe_impulse` at samples_per_ui samples per UI (either may be empty:
// identity).
ComFigure channel_operating_margin(const std::vector<double>& channel_fir,
                                   const std::vector<double>& tx_ffe_impulse, int samples_per_ui,
                                   double symbol_rate_hz, const ComParameters& p = {});

}  // namespace ll
