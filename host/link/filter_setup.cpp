// The filters of one link and the host channel ahead of its driver: the transmit FFE and DAC,
// the Touchstone or parametric channel (host/link/channel.hpp) and its COM, the driver's and the
// junction's band limits (H1); the photodiode, TIA and CTLE (H2) (steps of prepare_link,
// host/link/lane_setup_steps.hpp).
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>

#include "host/link/channel.hpp"
#include "host/link/channel_figures.hpp"
#include "host/link/com.hpp"
#include "host/link/filter_design.hpp"
#include "host/link/lane_setup_steps.hpp"
#include "host/link/touchstone.hpp"

namespace ll {
namespace {

// The Touchstone files a run reads, parsed once per path (a sweep prepares every point).
const TouchstoneData& cached_touchstone(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, TouchstoneData> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(path);
  if (it == cache.end()) it = cache.emplace(path, read_touchstone(path)).first;
  return it->second;
}

}  // namespace

std::string channel_file_path(const Scenario& s, const LaneParams& lp) {
  if (lp.channel.model != ChannelModel::touchstone || lp.channel.file.empty()) return "";
  std::string path = lp.channel.file;
  if (path[0] != '/') {
    const auto slash = s.path.find_last_of('/');
    if (slash != std::string::npos) path = s.path.substr(0, slash + 1) + path;
  }
  return path;
}

namespace setup_steps {
namespace {

// What catches a wrong channel file before it runs (issue 23):
//  - its band: a file that ends below the lane's Nyquist frequency leaves the ISI's band to the
//    roll-off's guess; refused unless channel.extrapolate = true, which is then said;
//  - a 4-port's pairing: the chosen through (SDD21) at the file's lowest frequency must pass the
//    signal (a differential thru is near 0 dB there) and be the stronger of the two pairings; a
//    swapped channel.port_order gives a near-zero "through" that the unit-DC scaling would blow
//    up into nonsense without a word.
void check_channel_file(const Scenario& s, const LaneParams& lp, const TouchstoneData& d,
                        const std::string& path, double nyquist_hz, LinkReport& rep) {
  const double last_hz = d.frequency_hz.back();
  if (last_hz < nyquist_hz) {
    const std::string span = path + ": its last frequency " + format_number(last_hz / 1e9, 6) +
                             " GHz lies below the lane's Nyquist frequency " +
                             format_number(nyquist_hz / 1e9, 6) + " GHz";
    if (!lp.channel.extrapolate)
      fail_key(s, "channel.file",
               span +
                   "; expected a file to beyond it, or channel.extrapolate = true to roll its "
                   "response off above " +
                   format_number(last_hz / 1e9, 6) + " GHz");
    rep.warnings.push_back("channel.extrapolate: " + span + "; its response is rolled off above " +
                           "that (a raised cosine over 20% of it), not measured");
  }
  // Causality (host/link/channel_figures.hpp).
  if (const std::string w = causality_warning(
          path, through_causality(d.frequency_hz, through_response(d, lp.channel.port_order)));
      !w.empty())
    rep.warnings.push_back("channel.file: " + w + "; the lane runs on it as it is");
  if (d.ports != 4) return;
  const PortOrder other = lp.channel.port_order == PortOrder::in12_out34 ? PortOrder::in13_out24
                                                                         : PortOrder::in12_out34;
  auto name = [](PortOrder o) {
    return std::string(o == PortOrder::in12_out34 ? "in12_out34" : "in13_out24");
  };
  auto lowest_db = [&](PortOrder o) {
    return 20.0 * std::log10(std::abs(through_response(d, o).front()) + 1e-300);
  };
  const double chosen_db = lowest_db(lp.channel.port_order), other_db = lowest_db(other);
  // A thru passes DC at a few dB of loss at most; -10 dB at the lowest frequency is no path.
  if (chosen_db < -10.0 || other_db > chosen_db)
    rep.warnings.push_back(
        "channel.port_order = \"" + name(lp.channel.port_order) + "\": " + path +
        ": the chosen through (SDD21) is " + format_number(chosen_db, 3) + " dB at " +
        format_number(d.frequency_hz.front() / 1e9, 4) + " GHz, the other pairing (\"" +
        name(other) + "\") " + format_number(other_db, 3) +
        " dB: the pairs look swapped or the ports misnamed; check channel.port_order against the "
        "file's port map");
}

// The host channel ([channel]) as a FIR ahead of the driver (host/link/channel.hpp); empty
// when none.
std::vector<double> serdes_channel_fir(const Scenario& s, const LaneParams& lp, double fs,
                                       LinkReport& rep) {
  std::vector<double> fir;
  const double nyquist_hz = 0.5 * lp.symbol_rate_hz;
  if (lp.channel.model == ChannelModel::touchstone) {
    if (lp.channel.file.empty()) fail_key(s, "channel.model", "\"touchstone\" needs channel.file");
    const std::string path = channel_file_path(s, lp);
    try {
      const TouchstoneData& d = cached_touchstone(path);
      if (d.ports != 2 && d.ports != 4)
        fail_key(s, "channel.file",
                 path + ": a " + std::to_string(d.ports) +
                     "-port file; expected a 2-port (S21) or a 4-port differential channel");
      if (d.frequency_hz.size() < 2)
        fail_key(s, "channel.file",
                 path +
                     ": one frequency; expected the channel's response over a band of "
                     "frequencies (to beyond the lane's Nyquist frequency " +
                     format_number(nyquist_hz / 1e9, 6) + " GHz)");
      if (d.ports == 4 && !lp.channel.port_order_given)
        fail_key(s, "channel.port_order",
                 "missing; a 4-port file needs its pairs named (\"in12_out34\" or "
                 "\"in13_out24\")");
      rep.warnings.insert(rep.warnings.end(), d.warnings.begin(), d.warnings.end());
      check_channel_file(s, lp, d, path, nyquist_hz, rep);
      const ChannelFir ch = measured_channel_fir(
          d.frequency_hz, through_response(d, lp.channel.port_order), fs, nyquist_hz);
      fir = ch.taps;
      rep.channel_loss_db = ch.loss_at_nyquist_db;
      touchstone_channel_figures(d, lp.channel.port_order, lp.symbol_rate_hz, rep.channel);
    } catch (const TouchstoneError& e) {
      fail_key(s, "channel.file", e.what());
    }
  } else if (lp.channel.model == ChannelModel::parametric) {
    if (!std::isfinite(lp.channel.loss_at_nyquist_db))
      fail_key(s, "channel.loss_db_at_nyquist", "missing; \"parametric\" needs it");
    if (!std::isfinite(lp.channel.skin_share))
      fail_key(s, "channel.skin_share",
               "missing; \"parametric\" needs the skin effect's share of the loss at Nyquist");
    PackageModel package;
    package.die_capacitance_f = lp.channel.die_capacitance_f;
    if (lp.channel.package_length_m > 0.0) {
      if (!std::isfinite(lp.channel.package_impedance_ohm))
        fail_key(s, "channel.package_impedance_ohm",
                 "missing; a package trace needs its impedance");
      if (!std::isfinite(lp.channel.package_delay_s_per_m))
        fail_key(s, "channel.package_delay_ps_per_mm", "missing; a package trace needs its delay");
      package.impedance_ohm = lp.channel.package_impedance_ohm;
      package.delay_s = lp.channel.package_length_m * lp.channel.package_delay_s_per_m;
    }
    const ChannelFir ch = parametric_channel_fir(lp.channel.loss_at_nyquist_db,
                                                 lp.channel.skin_share, package, nyquist_hz, fs);
    fir = ch.taps;
    rep.channel_loss_db = ch.loss_at_nyquist_db;
    rep.channel.il_half_nyquist_db = ch.loss_at_half_nyquist_db;
    rep.channel.il_nyquist_db = ch.loss_at_nyquist_db;
    rep.channel.il_symbol_rate_db = ch.loss_at_symbol_rate_db;
  }
  if (!fir.empty()) pulse_figures(fir, lp.samples_per_ui, rep.channel);
  rep.channel_fir_symbols =
      static_cast<int>((fir.size() + lp.samples_per_ui - 1) / lp.samples_per_ui);
  return fir;
}

// The transmit FFE's taps c(-3) .. c(+1) ([tx_ffe]), the cursor 1 - sum |others|, so the peak
// excursion is the swing's; empty when every tap around the cursor is zero.
std::vector<double> transmit_ffe_taps(const Scenario& s, const LaneParams& lp) {
  double others = 0.0;
  bool ffe = false;
  for (int i = 0; i < kTxFfeTaps; ++i)
    if (i != kTxFfeCursor) {
      others += std::abs(lp.tx_ffe[i]);
      ffe = ffe || lp.tx_ffe[i] != 0.0;
    }
  if (ffe) {
    if (!(others < 1.0))
      fail_key(s, "tx_ffe.c_m1",
               "the taps around the cursor sum to " + format_number(others, 6) +
                   " in magnitude; the cursor, 1 - that, must stay positive");
    std::vector<double> taps(lp.tx_ffe.begin(), lp.tx_ffe.end());
    taps[kTxFfeCursor] = 1.0 - others;
    return taps;
  }
  return {};
}

// The transmit DAC (driver.dac_bits): 2^bits codes spanning the swing, the outer PAM levels on
// the end codes; the PAM levels are codes, and with an FFE the DAC rounds its per-symbol output
// (physics/lane.hpp symbol_excursion_v). Without a DAC the FFE stays folded into H1.
void setup_transmit_dac(const Scenario& s, const LaneParams& lp, const std::vector<double>& ffe,
                        LinkConstants<double>& c) {
  c.dac_codes = 0;
  if (lp.dac_bits == 0) return;
  const int codes = 1 << lp.dac_bits;
  if (codes < lp.levels)
    fail_key(s, "driver.dac_bits",
             std::to_string(lp.dac_bits) + " bits give " + std::to_string(codes) +
                 " codes, fewer than the " + std::to_string(lp.levels) + " PAM levels");
  c.dac_codes = codes;
  c.dac_low_v = -0.5 * lp.drive_swing_vpp;
  c.dac_step_v = lp.drive_swing_vpp / (codes - 1);
  for (int k = 0; k < kTxFfeTaps; ++k) c.dac_ffe[k] = ffe.empty() ? (k == 0 ? 1.0 : 0.0) : ffe[k];
}

}  // namespace

// The sampled waveform must carry every band limit: a filter at or above fs/2 would alias.
void check_bandwidth(const Scenario& s, const LaneParams& lp, double fs, const char* key,
                     double f_hz) {
  if (std::isfinite(f_hz) && !(f_hz < 0.5 * fs))
    fail_key(s, key,
             format_number(f_hz / 1e9, 6) +
                 " GHz is not below the simulation's Nyquist frequency " +
                 format_number(0.5 * fs / 1e9, 6) + " GHz (" + std::to_string(lp.samples_per_ui) +
                 " samples per UI at " + format_number(lp.symbol_rate_hz / 1e9, 6) +
                 " GBd); raise signal.samples_per_ui or lower the bandwidth");
}

TransmitChain setup_transmit_chain(const Scenario& s, const LaneParams& lp, const RunParams& rp,
                                   double fs, LinkReport& rep, LinkSetup& link) {
  // Driver-side band limits: the host channel and transmit FFE, the driver, the junction's RC.
  // With a DAC the engine forms the FFE per symbol and runs the rest (h1_after_dac_taps); h1_taps
  // holds the whole chain for the linear analysis below.
  const std::vector<double> ffe = transmit_ffe_taps(s, lp);
  const std::vector<double> ffe_impulse =
      ffe.empty() ? std::vector<double>{} : apply_tx_ffe({1.0}, ffe, lp.samples_per_ui);
  setup_transmit_dac(s, lp, ffe, link.constants);
  std::vector<double> after_dac = serdes_channel_fir(s, lp, fs, rep);
  rep.serdes_transmit = !after_dac.empty() || !ffe.empty();
  if (!after_dac.empty() && rp.channel_com) {
    // The host channel's operating margin with the lane's own transmit FFE and an MMSE receiver
    // of the 802.3dj reference's size (host/link/com.hpp): com_db, beside the standard's COM.
    ComParameters com;
    com.levels = lp.levels;
    rep.com_db =
        channel_operating_margin(after_dac, ffe_impulse, lp.samples_per_ui, lp.symbol_rate_hz, com)
            .com_db;
  }
  if (rp.channel_com) standard_channel_com(s, lp, rep);
  if (std::isfinite(lp.driver_bandwidth_hz))
    after_dac = convolve_fir(after_dac, design_bessel_thomson4_fir(lp.driver_bandwidth_hz, fs));
  // The MZM's travelling-wave electrode, or the EML's RC pole.
  if (const std::vector<double> band = modulator_band_fir(s, lp, fs); !band.empty())
    after_dac = convolve_fir(after_dac, band);
  if (lp.eo_junction && rep.junction_rc_hz > 0.0) {
    // The junction's RC pole at the bias point, in series with the driver (C_j moves with V;
    // at the bias is the small-signal value).
    check_bandwidth(s, lp, fs, "mrm.junction.series_resistance_ohm", rep.junction_rc_hz);
    after_dac = convolve_fir(after_dac, design_rc_fir(rep.junction_rc_hz, fs));
  }
  link.h1_taps = after_dac;
  if (!ffe.empty()) {
    link.h1_taps = after_dac.empty() ? ffe_impulse : convolve_fir(after_dac, ffe_impulse);
  }
  if (link.constants.dac_codes > 0) link.h1_after_dac_taps = std::move(after_dac);
  // With a channel or an FFE ahead of the driver the cursor no longer carries a level's full
  // excursion: the levels the receiver expects (and its thresholds) sit at the drive pulse's
  // peak, bias + (V - bias) x peak (the mean of the ISI is zero for equiprobable levels).
  // The drive's response to one UI (rect * H1): here its peak, below the timing's input.
  TransmitChain chain;
  chain.drive_ui = convolve_fir(std::vector<double>(lp.samples_per_ui, 1.0), link.h1_taps);
  if (rep.serdes_transmit) {
    chain.cursor_gain = *std::max_element(chain.drive_ui.begin(), chain.drive_ui.end());
    rep.cursor_gain = chain.cursor_gain;
  }
  return chain;
}

double setup_receiver_filters(const Scenario& s, const LaneParams& lp, double fs, LinkSetup& link) {
  // Receiver band limits: the photodiode and TIA, then the host receiver's CTLE.
  if (std::isfinite(lp.receiver_bandwidth_hz))
    link.h2_taps = design_bessel_thomson4_fir(lp.receiver_bandwidth_hz, fs);
  double ctle_noise_enhancement = 1.0;
  if (lp.ctle.present()) {
    const char* keys[] = {"receiver.ctle.zero_ghz", "receiver.ctle.pole1_ghz",
                          "receiver.ctle.pole2_ghz"};
    const double values[] = {lp.ctle.zero_hz, lp.ctle.pole1_hz, lp.ctle.pole2_hz};
    for (int i = 0; i < 3; ++i) {
      if (!std::isfinite(values[i]))
        fail_key(s, keys[i], "missing; [receiver.ctle] needs its zero and both poles");
      check_bandwidth(s, lp, fs, keys[i], values[i]);
    }
    if (link.h2_taps.empty())
      fail_key(s, "receiver.ctle.dc_gain_db",
               "a CTLE needs receiver.bandwidth_ghz: the noise it enhances is counted over the "
               "receiver's band");
    const std::vector<double> ctle =
        design_ctle_fir(lp.ctle.dc_gain_db, lp.ctle.zero_hz, lp.ctle.pole1_hz, lp.ctle.pole2_hz,
                        lp.ctle.dc_gain2_db, lp.ctle.lf_hz, fs);
    const double before = fir_noise_bandwidth_hz(link.h2_taps, fs);
    link.h2_taps = convolve_fir(link.h2_taps, ctle);
    ctle_noise_enhancement = fir_noise_bandwidth_hz(link.h2_taps, fs) / before;
  }
  return ctle_noise_enhancement;
}

}  // namespace setup_steps
}  // namespace ll
