#include "host/run/sweep_output.hpp"

#include <cmath>
#include <limits>

#include "host/link/energy.hpp"
#include "host/link/eye_metrics.hpp"
#include "host/link/statistics.hpp"

namespace ll {

const char* stop_name(std::uint8_t r) {
  switch (r) {
    case 1:
      return "target_errors";
    case 2:
      return "bit_budget";
    case 3:
      return "statistical";
    default:
      return "not_run";
  }
}

// The KP4 figures of a point (physics/fec.hpp): the Monte-Carlo codeword error ratio from the
// error positions, and beside it what independent random bit errors at the measured BER would
// give, P(X > t) for X ~ Bin(544, 1 - (1 - BER)^10) (with the inner code, BER is what it leaves;
// its residual errors come in blocks, so the random estimate is then a lower bound of sorts).
// The frame loss ratio takes a frame of F bits to straddle 1 + (F - 1) / 5140 codewords'
// messages on average and codeword failures as independent: FLR = 1 - (1 - CER)^(1 + (F - 1) /
// 5140) (bursts that cross codewords make it an estimate).
namespace {
void set_fec_figures(const LinkCounters& c, const LinkReport& rep, PointResult& p) {
  const FecCounters& f = c.fec;
  p.fec_codewords = f.codewords;
  p.fec_symbol_error_histogram.assign(f.histogram, f.histogram + kFecHistogramBins);
  p.fec_codeword_errors = 0;
  for (int e = kRsCorrectableSymbols + 1; e < kFecHistogramBins; ++e)
    p.fec_codeword_errors += f.histogram[e];
  p.fec_codeword_error_ratio =
      f.codewords ? static_cast<double>(p.fec_codeword_errors) / static_cast<double>(f.codewords)
                  : 0.0;
  const Interval ci = clopper_pearson(p.fec_codeword_errors, f.codewords, 0.95);
  p.fec_cer_lo = ci.lo;
  p.fec_cer_hi = ci.hi;
  // The RS code sees the inner code's residual errors when there is one.
  double rs_ber = p.ber;
  if (f.inner_message_bits > 0) {
    p.fec_inner_ber =
        static_cast<double>(f.inner_residual_errors) / static_cast<double>(f.inner_message_bits);
    rs_ber = p.fec_inner_ber;
  }
  const double symbol_error = -std::expm1(kRsSymbolBits * std::log1p(-rs_ber));
  p.fec_codeword_error_ratio_random =
      binomial_survival(kRsCorrectableSymbols, kRsCodewordSymbols, symbol_error);
  const double message_bits = static_cast<double>(kRsMessageSymbols * kRsSymbolBits);
  const double straddled = 1.0 + (rep.fec_frame_bits - 1.0) / message_bits;
  p.fec_frame_loss_ratio = -std::expm1(straddled * std::log1p(-p.fec_codeword_error_ratio));
}
}  // namespace

PointResult point_result(const LinkOutcome& o, const LinkReport& rep) {
  PointResult p;
  p.bits = o.counters.bits;
  p.bit_errors = o.counters.bit_errors;
  p.symbols = o.counters.symbols;
  p.symbol_errors = o.counters.symbol_errors;
  p.ber = p.bits ? static_cast<double>(p.bit_errors) / static_cast<double>(p.bits) : 0.0;
  p.ser = p.symbols ? static_cast<double>(p.symbol_errors) / static_cast<double>(p.symbols) : 0.0;
  const Interval ci = clopper_pearson(p.bit_errors, p.bits, 0.95);
  p.ber_lo = ci.lo;
  p.ber_hi = ci.hi;
  p.stop_reason = static_cast<StopReason>(o.counters.stop_reason);
  p.eye_histogram = o.eye_histogram;
  p.error_bursts.assign(o.counters.bursts, o.counters.bursts + kBurstBins);
  set_fec_figures(o.counters, rep, p);
  p.eye_offset_a = rep.eye_offset_a;
  p.eye_scale_a = rep.eye_scale_a;
  p.com_db = rep.com_db;
  p.com_reference_db = rep.com_reference_db;
  const ChannelFigures& ch = rep.channel;
  p.channel_il_half_nyquist_db = ch.il_half_nyquist_db;
  p.channel_il_nyquist_db = ch.il_nyquist_db;
  p.channel_il_symbol_rate_db = ch.il_symbol_rate_db;
  p.channel_ild_rms_db = ch.ild_rms_db;
  p.channel_return_loss_db = ch.return_loss_min_db;
  p.channel_delay_ps = ch.delay_s * 1e12;
  p.channel_pulse_cursor = ch.pulse_cursor;
  p.channel_pulse_pre1 = ch.pulse_pre1;
  p.channel_pulse_post1 = ch.pulse_post1;
  if (rep.samples_per_ui > 0) {
    const int phase_bins = 2 * rep.samples_per_ui;
    const int amplitude_bins = static_cast<int>(o.eye_histogram.size()) / phase_bins;
    // An empty or all-zero histogram (no eye, the statistical mode) leaves the measured NaN.
    const EyeMetrics e = eye_metrics(rep, rep.levels, rep.eye_target_ber, o.eye_histogram,
                                     amplitude_bins, phase_bins, BatchSetup{}.eye_amplitude_range);
    p.oma_outer_dbm = e.oma_outer_dbm;
    p.average_power_dbm = e.average_power_dbm;
    p.extinction_ratio_db = e.extinction_ratio_db;
    p.rlm = e.rlm;
    p.snr_db = e.snr_db;
    p.eye_height_a = e.eye_height_a;  // the statistical eye's, in stat mode, replace these
    p.eye_width_ui = e.eye_width_ui;
  }
  if (o.stat.valid) {
    p.ber = o.stat.ber;
    p.ser = o.stat.ser;
    p.ber_lo = p.ber_hi = std::numeric_limits<double>::quiet_NaN();
    p.bathtub_ber = o.stat.bathtub_ber;
    p.eye_height_a = o.stat.eye_height_a;
    p.eye_width_ui = o.stat.eye_width_ui;
    p.eye_contour_a = o.stat.contour_a;
  }
  p.cdr_phase_ui = o.cdr_phase_ui;
  p.cdr_jitter_rms_ui = o.cdr_jitter_rms_ui;
  p.mrm_fsr_nm = rep.ring.fsr_m * 1e9;
  p.fibre_dispersion_ps_per_nm = rep.fibre_dispersion_ps_per_nm;
  p.mpi_crosstalk_db = rep.mpi_crosstalk_db;
  p.mrm_q_loaded = rep.ring.q_loaded;
  p.mrm_extinction_ratio_db = rep.extinction_ratio_db;
  p.heater_power_mw = rep.heater_power_w * 1e3;
  p.mrm_lock = rep.lock;
  if (o.thermal.enabled) {
    p.heater_power_mw = o.thermal.heater_power_w * 1e3;
    p.mrm_lock = o.thermal.locked ? LockStatus::locked : LockStatus::not_acquired;
    p.mrm_lock_error_pm = o.thermal.lock_error_m * 1e12;
  }
  p.lane_wavelength_nm = rep.lane_wavelength_m * 1e9;
  p.wdm_bus_loss_db = rep.bus_through_db;
  p.wdm_crosstalk_db = rep.demux_crosstalk_db;
  const EnergyFigures e = energy_figures(rep.energy, p.heater_power_mw * 1e-3);
  p.energy_laser_pj_per_bit = e.laser_pj_per_bit;
  p.energy_modulator_pj_per_bit = e.modulator_pj_per_bit;
  p.energy_heater_pj_per_bit = e.heater_pj_per_bit;
  p.energy_driver_pj_per_bit = e.driver_pj_per_bit;
  p.energy_tia_pj_per_bit = e.tia_pj_per_bit;
  p.energy_cdr_pj_per_bit = e.cdr_pj_per_bit;
  p.energy_serdes_pj_per_bit = e.serdes_pj_per_bit;
  p.energy_retimer_pj_per_bit = e.retimer_pj_per_bit;
  p.lasers_per_port = e.lasers_per_port;
  p.energy_pj_per_bit = e.total_pj_per_bit;
  p.lane_power_mw = e.lane_power_mw;
  p.port_power_w = e.port_power_w;
  p.port_rate_gbps = e.port_rate_gbps;
  return p;
}

}  // namespace ll
