#include "host/link/com_report.hpp"

#include <cmath>

#include "host/link/channel_figures.hpp"
#include "host/link/touchstone.hpp"

namespace ll {
namespace {

ComChannel load_one(const std::string& path, ComChannelKind kind, const ComFiles& files,
                    const ComSet& set, const std::string& what,
                    std::vector<std::string>& warnings) {
  const TouchstoneData d = read_touchstone(path);
  warnings.insert(warnings.end(), d.warnings.begin(), d.warnings.end());
  if (d.ports != 4 && d.ports != 2)
    throw TouchstoneError(path + ": " + what + ": a channel for COM is a 4-port (two pairs) or a " +
                          "differential 2-port, not " + std::to_string(d.ports) + " ports");
  const double nyquist = 0.5 * set.symbol_rate_hz;
  if (d.frequency_hz.back() < nyquist)
    throw TouchstoneError(path + ": " + what + ": the data end at " +
                          format_number(d.frequency_hz.back() / 1e9, 6) +
                          " GHz, below the COM set " + set.name + "'s Nyquist frequency " +
                          format_number(nyquist / 1e9, 6) + " GHz");
  ComChannel c{kind, d.frequency_hz, differential_two_port(d, files.order)};
  if (kind == ComChannelKind::thru && d.ports == 4) {
    // A thru with no DC path is a wrong pairing: the chosen pairs cross no conductor.
    const std::size_t k = 0;
    if (std::abs(c.s[k].s21) < 0.1)
      throw TouchstoneError(path + ": " + what + ": |SDD21| is " +
                            format_number(std::abs(c.s[k].s21), 3) + " at " +
                            format_number(d.frequency_hz[k] / 1e9, 4) +
                            " GHz: no through path between the pairs the port order names " +
                            "(try the other port order)");
  }
  if (kind == ComChannelKind::thru)
    if (const std::string w = causality_warning(
            path, through_causality(d.frequency_hz, through_response(d, files.order)));
        !w.empty())
      warnings.push_back(w);
  return c;
}

// "CTLE, 15-tap FFE (MMSE, ...) and 1-tap DFE, transmit FFE searched (local search)".
std::string receiver_description(const ComSet& set) {
  std::string d = "CTLE, ";
  if (set.rx_ffe_taps > 0) {
    d += std::to_string(set.rx_ffe_taps) + "-tap FFE (MMSE";
    const ComSet::FloatingTaps& f = set.rx_ffe_floating;
    if (f.groups > 0)
      d += ", " + std::to_string(f.groups) + " floating groups of " + std::to_string(f.taps) +
           " taps up to tap " + std::to_string(f.span - 1);
    if (set.quantiser_bits > 0) d += ", " + std::to_string(set.quantiser_bits) + "-bit quantiser";
    d += ") and ";
  }
  d += std::to_string(set.dfe_max.size()) + "-tap DFE";
  const ComSet::FloatingDfe& f = set.dfe_floating;
  if (f.groups > 0)
    d += " and " + std::to_string(f.groups) + " floating groups of " + std::to_string(f.taps) +
         " taps to tap " + std::to_string(f.span);
  if (set.mlsd) d += " (with MLSD)";
  d += ", transmit FFE searched";
  if (set.search == ComSet::Search::local) d += " (local search)";
  return d;
}

}  // namespace

std::vector<ComChannel> load_com_channels(const ComFiles& files, const ComSet& set,
                                          const std::string& what,
                                          std::vector<std::string>& warnings) {
  std::vector<ComChannel> out{
      load_one(files.thru, ComChannelKind::thru, files, set, what, warnings)};
  for (const std::string& f : files.fext)
    out.push_back(load_one(f, ComChannelKind::fext, files, set, what, warnings));
  for (const std::string& f : files.next)
    out.push_back(load_one(f, ComChannelKind::next, files, set, what, warnings));
  return out;
}

void write_com_report(const ComSet& set, const ComFiles& files, const ComResult& r,
                      const std::vector<std::string>& warnings, std::ostream& out) {
  out << "# COM, " << set.name << " (" << set.source << ")\n\n";
  out << "Thru " << files.thru << "; " << files.fext.size() << " FEXT and " << files.next.size()
      << " NEXT aggressors. Reference receiver: " << receiver_description(set) << "; DER_0 "
      << format_number(set.der0, 3) << ".\n\n";
  out << "| case | package | COM dB | FOM dB | A_s mV | A_ni mV | g_DC dB | "
         "TX FFE | DFE b(1) b(2) | ISI / XT / TX / RJ / N mV rms |\n";
  out << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t c = 0; c < r.cases.size(); ++c) {
    const ComCase& k = r.cases[c];
    const ComPackageCase& p = set.cases[c];
    std::string taps, dfe;
    for (double t : k.eq.tx_taps) {
      if (!taps.empty()) taps += ' ';
      taps += format_fixed(t, 2);
    }
    for (std::size_t n = 0; n < k.eq.dfe.size() && n < 2; ++n) {
      if (!dfe.empty()) dfe += ' ';
      dfe += format_fixed(k.eq.dfe[n], 3);
    }
    out << "| " << c + 1 << " | " << p.label << " | " << format_fixed(k.com_db, 2) << " | "
        << format_fixed(k.fom_db, 2) << " | " << format_fixed(1e3 * k.signal_v, 2) << " | "
        << format_fixed(1e3 * k.interference_v, 2) << " | " << format_fixed(k.eq.g_dc_db, 1)
        << (set.f_lf_hz > 0.0 ? " / " + format_fixed(k.eq.g_dc2_db, 1) : "") << " | " << taps
        << " | " << dfe << " | " << format_fixed(1e3 * k.sigma_isi_v, 2) << " / "
        << format_fixed(1e3 * k.sigma_xt_v, 2) << " / " << format_fixed(1e3 * k.sigma_tx_v, 2)
        << " / " << format_fixed(1e3 * k.sigma_rj_v, 2) << " / "
        << format_fixed(1e3 * k.sigma_n_v, 2) << " |\n";
  }
  if (set.mlsd) {
    out << "\nMLSD reference receiver (178A.1.10): COM is COM_DFE plus the MLSD's advantage where "
           "positive:\n";
    for (std::size_t c = 0; c < r.cases.size(); ++c)
      out << "- case " << c + 1 << ": COM_DFE " << format_fixed(r.cases[c].com_dfe_db, 2)
          << " dB, advantage " << format_fixed(r.cases[c].mlsd_advantage_db, 2) << " dB\n";
  }
  if (set.dfe_floating.groups > 0) {
    out << "\nFloating DFE taps per case ([n] b(n); the taps from " << set.dfe_floating.rss_start
        << " on at most " << format_number(set.dfe_floating.rss_max, 3) << " RSS):\n";
    for (std::size_t c = 0; c < r.cases.size(); ++c) {
      out << "- case " << c + 1 << ":";
      const std::vector<double>& d = r.cases[c].eq.dfe;
      for (std::size_t n = set.dfe_max.size(); n < d.size(); ++n)
        if (d[n] != 0.0) out << " [" << n + 1 << "] " << format_fixed(d[n], 3);
      out << "\n";
    }
  }
  if (set.rx_ffe_taps > 0) {
    out << "\nReceiver FFE per case (cursor tap 1, " << set.rx_ffe_precursors
        << " precursors; floating taps as [position] weight):\n";
    for (std::size_t c = 0; c < r.cases.size(); ++c) {
      const ComCase& k = r.cases[c];
      out << "- case " << c + 1 << ":";
      for (std::size_t i = 0; i < k.eq.rx_ffe.size(); ++i)
        if (i < static_cast<std::size_t>(set.rx_ffe_taps))
          out << ' ' << format_fixed(k.eq.rx_ffe[i], 3);
        else if (k.eq.rx_ffe[i] != 0.0)  // a floating tap: its position too
          out << " [" << i << "] " << format_fixed(k.eq.rx_ffe[i], 3);
      if (set.quantiser_bits > 0)
        out << "; quantiser step " << format_fixed(1e3 * k.quantiser_step_v, 3) << " mV, "
            << format_fixed(1e3 * k.sigma_q_v, 3) << " mV rms through the FFE";
      out << "\n";
    }
  }
  out << "\nCOM " << format_fixed(r.com_db, 2)
      << " dB (the smallest case): " << (r.com_db >= set.threshold_db ? "passes" : "fails")
      << " the set's " << format_number(set.threshold_db, 3) << " dB.\n";
  if (!warnings.empty()) {
    out << "\nWarnings:\n";
    for (const std::string& w : warnings) out << "- " << w << "\n";
  }
}

}  // namespace ll
