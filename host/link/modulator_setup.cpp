// The modulators in place of the ring: a Mach-Zehnder modulator ([mzm], physics/mzm.hpp) with its
// travelling-wave electrode's response for H1, and an electro-absorption modulated laser ([eml],
// physics/eml.hpp) with its RC pole: their keys checked, their constants (steps of prepare_link,
// host/link/lane_setup_steps.hpp); and an electrical lane's receiver input in their place.
#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "host/link/channel.hpp"
#include "host/link/filter_design.hpp"
#include "host/link/lane_setup_steps.hpp"

namespace ll::setup_steps {
namespace {

// The electro-optic response of a velocity-matched travelling-wave electrode whose loss grows as
// the skin effect's, gamma(f) L = x0 sqrt(f / f3) (1 + i) (attenuation and phase alike, the
// skin effect's minimum-phase form): H(f) = (1 - exp(-gamma L)) / (gamma L), 1 at DC. x0 is
// the loss at f3 that puts |H(f3)| at 1/sqrt(2) (0.92 Np), found by bisection.
std::complex<double> electrode_response(double x0, double f_over_f3) {
  const std::complex<double> g = x0 * std::sqrt(f_over_f3) * std::complex<double>(1.0, 1.0);
  if (std::abs(g) < 1e-9) return 1.0;
  return (1.0 - std::exp(-g)) / g;
}
double electrode_loss_at_bandwidth() {
  double lo = 0.0, hi = 10.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (std::abs(electrode_response(mid, 1.0)) > std::sqrt(0.5) ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// A modulator other than the ring has no ring figures: NaN in the outputs (mrm_fsr_nm, ...).
void no_ring_figures(LinkReport& rep) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rep.ring = {nan, nan, nan, nan, nan, nan, nan, nan, nan};
}

}  // namespace

void setup_mzm(const Scenario& s, const LaneParams& lp, LinkReport& rep, LinkConstants<double>& c) {
  const MzmParams& m = lp.mzm;
  if (!m.material_given)
    fail_key(s, "mzm.material", "missing; transmitter.modulator = \"mzm\" needs it");
  if (!std::isfinite(m.vpi_l_v_m)) fail_key(s, "mzm.vpi_l_v_cm", "missing; the MZM needs it");
  if (!std::isfinite(m.length_m)) fail_key(s, "mzm.length_mm", "missing; the MZM needs it");
  if (m.silicon && !std::isfinite(m.builtin_v))
    fail_key(s, "mzm.builtin_v", "missing; a silicon (depletion) MZM needs its junction's");
  if (lp.wdm.channels > 0)
    fail_key(s, "wdm.channels", "a WDM bus is built of rings; expected none with an MZM");
  const double vpi = m.vpi_l_v_m / m.length_m;
  const double share_1 = 0.5 * (1.0 + m.arm_imbalance), share_2 = 0.5 * (1.0 - m.arm_imbalance);
  if (m.silicon) {
    // The depletion model holds in reverse and weak forward bias (half V_bi, as the ring's junction,
    // host/link/ring_setup.cpp), with the driver's overshoot of a tenth of the swing.
    const double reach = 0.5 * lp.drive_swing_vpp * 1.1 * std::max(share_1, share_2);
    if (lp.drive_bias_v - reach < -0.5 * m.builtin_v)
      fail_key(s, "driver.bias_v",
               "an arm of the silicon MZM reaches " + format_number(reach - lp.drive_bias_v, 3) +
                   " V of forward bias (with overshoot); the depletion model needs at most " +
                   format_number(0.5 * m.builtin_v, 3) +
                   " V (half mzm.builtin_v): raise the bias or reduce the swing");
  }
  c.modulator = kModulatorMzm;
  c.mzm = {kPi / vpi,
           lp.drive_bias_v,
           share_1,
           share_2,
           m.bias_phase_rad,
           m.silicon ? m.builtin_v : 0.0};
  no_ring_figures(rep);
  rep.mzm_vpi_v = vpi;
}

void setup_eml(const Scenario& s, const LaneParams& lp, LinkReport& rep, LinkConstants<double>& c) {
  const EmlParams& e = lp.eml;
  if (!std::isfinite(e.v0_v)) fail_key(s, "eml.v0_v", "missing; the EML needs it");
  if (!std::isfinite(e.exponent)) fail_key(s, "eml.exponent", "missing; the EML needs it");
  if (!std::isfinite(e.chirp_alpha)) fail_key(s, "eml.chirp_alpha", "missing; the EML needs it");
  if (lp.wdm.channels > 0)
    fail_key(s, "wdm.channels", "a WDM bus is built of rings; expected none with an EML");
  // The curve is the EAM's under reverse bias; the drive (with a tenth of the swing's overshoot)
  // must stay there.
  const double low = lp.drive_bias_v - 0.55 * lp.drive_swing_vpp;
  if (low < 0.0)
    fail_key(s, "driver.bias_v",
             "the EML's drive reaches " + format_number(-low, 3) +
                 " V of forward bias (with overshoot); its absorption curve holds in reverse "
                 "bias: raise the bias or reduce the swing");
  c.modulator = kModulatorEml;
  c.eml = {-e.insertion_loss_db * std::log(10.0) / 10.0, 1.0 / e.v0_v, e.exponent,
           0.5 * e.chirp_alpha};
  no_ring_figures(rep);
}

void setup_microled(const Scenario& s, const LaneParams& lp, double fs, LinkReport& rep,
                    LinkConstants<double>& c) {
  const MicroLedParams& m = lp.microled;
  const char* keys[] = {"microled.a_per_s",       "microled.b_cm3_per_s",
                        "microled.c_cm6_per_s",   "microled.active_volume_um3",
                        "microled.extraction_efficiency", "microled.drive_ma_per_v"};
  const double values[] = {m.a_per_s,   m.b_m3_per_s,           m.c_m6_per_s,
                           m.volume_m3, m.extraction_efficiency, m.amps_per_v};
  for (int i = 0; i < 6; ++i)
    if (!std::isfinite(values[i])) fail_key(s, keys[i], "missing; the micro-LED needs it");
  if (lp.wdm.channels > 0)
    fail_key(s, "wdm.channels", "a WDM bus is built of rings; expected none with a micro-LED");
  if (!(lp.laser_wavelength_m > 0.0))
    fail_key(s, "laser.wavelength_nm", "missing; the micro-LED's centre wavelength sets its photon");
  const double n0 = kDensityUnit_per_m3;
  const double photon_j = 6.62607015e-34 * kSpeedOfLight_m_per_s / lp.laser_wavelength_m;
  c.modulator = kModulatorMicroLed;
  c.led = {m.a_per_s,
           m.b_m3_per_s * n0,
           m.c_m6_per_s * n0 * n0,
           m.injection_efficiency / (kElementaryCharge_C * m.volume_m3 * n0),
           m.extraction_efficiency * photon_j * m.volume_m3 * n0,
           m.amps_per_v,
           1.0 / fs};
  // The drive must forward-bias the LED at every level (no current below 0 V: the light would
  // hang on the carriers' decay alone).
  if (lp.drive_bias_v - 0.5 * lp.drive_swing_vpp <= 0.0)
    fail_key(s, "driver.bias_v",
             "the micro-LED's lowest level draws no current (bias - swing / 2 <= 0); expected a "
             "bias above half the swing");
  no_ring_figures(rep);
  const double n_bias = c.led.steady_density(lp.drive_bias_v);
  rep.microled_bandwidth_hz = c.led.differential_rate_per_s(n_bias) / (2.0 * kPi);
}

void setup_electrical(const Scenario& s, const LaneParams& lp, LinkReport& rep,
                      LinkConstants<double>& c) {
  if (!std::isfinite(lp.eta0_v2_per_hz))
    fail_key(s, "receiver.eta0_v2_per_ghz",
             "missing; an electrical lane's receiver needs its input-referred noise density (COM's "
             "eta_0: 6e-9 V^2/GHz in 802.3dj)");
  c.modulator = kModulatorNone;
  no_ring_figures(rep);
}

std::vector<double> modulator_band_fir(const Scenario& s, const LaneParams& lp, double fs) {
  if (lp.modulator == Modulator::eml) {
    if (!std::isfinite(lp.eml.bandwidth_hz)) return {};
    check_bandwidth(s, lp, fs, "eml.bandwidth_ghz", lp.eml.bandwidth_hz);
    return design_rc_fir(lp.eml.bandwidth_hz, fs);  // the EAM's RC-limited pole
  }
  const double f3 = lp.mzm.electrode_bandwidth_hz;
  if (lp.modulator != Modulator::mzm || !std::isfinite(f3)) return {};
  check_bandwidth(s, lp, fs, "mzm.electrode_bandwidth_ghz", f3);
  const double x0 = electrode_loss_at_bandwidth();
  std::vector<double> f;
  std::vector<std::complex<double>> h;
  const int points = 2048;
  for (int i = 0; i <= points; ++i) {
    f.push_back(0.5 * fs * i / points);
    h.push_back(electrode_response(x0, f.back() / f3));
  }
  return measured_channel_fir(f, h, fs, 0.5 * lp.symbol_rate_hz).taps;
}

}  // namespace ll::setup_steps
