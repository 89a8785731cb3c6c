// Shared pieces of the standard's COM (host/link/com_common.hpp).
#include "host/link/com_common.hpp"

#include <algorithm>
#include <cmath>

#include "host/link/channel.hpp"
#include "physics/channel_models.hpp"

namespace ll::com_detail {
namespace {

// One end's device model from the device (port 1) to the channel (port 2): the C_d / L_s
// ladder, the bump C_b where the set has one, the package lines, the ball's C_p, the host board
// (C_0, line, C_1) where the set has one.
SParams2 device_model(double f, double r0, const ComEnd& e) {
  SParams2 n{0.0, 1.0, 1.0, 0.0};
  const ComDie& d = e.die;
  for (std::size_t k = 0; k < d.c_d_f.size(); ++k) {
    n = cascade(n, shunt_capacitance(f, d.c_d_f[k], r0));
    if (d.l_s_h[k] > 0.0) n = cascade(n, series_inductance(f, d.l_s_h[k], r0));
  }
  if (d.c_b_f > 0.0) n = cascade(n, shunt_capacitance(f, d.c_b_f, r0));
  for (const ComLine& l : e.package)
    if (l.length_mm > 0.0) n = cascade(n, package_line(f, l.z_c_ohm, l.length_mm, r0, l.loss));
  if (e.c_p_f > 0.0) n = cascade(n, shunt_capacitance(f, e.c_p_f, r0));
  if (e.host.length_mm > 0.0) {
    if (e.host_c0_f > 0.0) n = cascade(n, shunt_capacitance(f, e.host_c0_f, r0));
    n = cascade(n, package_line(f, e.host.z_c_ohm, e.host.length_mm, r0, e.host.loss));
    if (e.host_c1_f > 0.0) n = cascade(n, shunt_capacitance(f, e.host_c1_f, r0));
  }
  return n;
}

// The channel's S-parameters on bins 0 .. bins-1 of spacing df (host/link/channel.hpp's
// interpolation: dB and unwrapped phase, rolled off above the file's last frequency).
std::vector<SParams2> on_grid(const ComChannel& ch, double df, std::size_t bins) {
  std::vector<cd> e(ch.s.size());
  std::vector<SParams2> out(bins);
  auto element = [&](cd SParams2::*m) {
    for (std::size_t k = 0; k < e.size(); ++k) e[k] = ch.s[k].*m;
    const std::vector<cd> v = interpolate_response(ch.frequency_hz, e, df, bins);
    for (std::size_t b = 0; b < bins; ++b) out[b].*m = v[b];
  };
  element(&SParams2::s11);
  element(&SParams2::s12);
  element(&SParams2::s21);
  element(&SParams2::s22);
  return out;
}

}  // namespace

std::vector<std::vector<SParams2>> channels_on_grid(const ComSet& s,
                                                    const std::vector<ComChannel>& channels,
                                                    const Grid& g) {
  // The files' SDD blocks are referenced to 100 ohm; 178A-4 sees them at 2 R_0.
  constexpr double kFileReferenceOhm = 100.0;
  std::vector<std::vector<SParams2>> out;
  for (const ComChannel& ch : channels) {
    std::vector<SParams2> v = on_grid(ch, g.df, g.bins);
    for (SParams2& x : v) x = renormalised(x, kFileReferenceOhm, 2.0 * s.r0_ohm);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<double> phase_cross(const std::vector<double>& u, const std::vector<double>& v, int M,
                                int lags, int m0) {
  std::vector<double> r(static_cast<std::size_t>(M) * lags, 0.0);
  const long n = static_cast<long>(u.size());
  std::vector<double> acc(static_cast<std::size_t>(M));
  for (int l = 0; l < lags; ++l) {  // a UI at a time (the inner loop vectorises), in time order
    std::fill(acc.begin(), acc.end(), 0.0);
    const long lag = static_cast<long>(l) * M;
    for (long a0 = 0; a0 + lag < n; a0 += M) {
      const long len = std::min<long>(M, n - lag - a0);
      const double* p = &u[static_cast<std::size_t>(a0)];
      const double* q = &v[static_cast<std::size_t>(a0 + lag)];
      for (long j = 0; j < len; ++j) acc[static_cast<std::size_t>(j)] += p[j] * q[j];
    }
    for (int j = 0; j < M; ++j)  // acc[j] holds the samples of phase m0 + j
      r[static_cast<std::size_t>((m0 + j) % M) * lags + l] = acc[static_cast<std::size_t>(j)];
  }
  return r;
}

double sigma_x2(int L) { return (L * L - 1.0) / (3.0 * (L - 1.0) * (L - 1.0)); }

std::vector<double> pam_levels(int L) {
  std::vector<double> value(L);
  for (int k = 0; k < L; ++k) value[k] = -1.0 + 2.0 * k / (L - 1);
  return value;
}

Grid com_grid(const ComSet& s) {
  const double fs = s.symbol_rate_hz * s.samples_per_ui;
  std::size_t n = static_cast<std::size_t>(std::llround(fs / s.f_step_hz));
  n += n % 2;
  return {n, n / 2 + 1, fs / static_cast<double>(n)};
}

CaseSpectra case_spectra(const ComSet& s, const ComPackageCase& pc,
                         const std::vector<ComChannel>& channels,
                         const std::vector<std::vector<SParams2>>& gridded, const Grid& g) {
  CaseSpectra cs;
  const double gamma = (s.r_d_ohm - s.r0_ohm) / (s.r_d_ohm + s.r0_ohm);  // (93A-17)
  const double T = 1.0 / s.symbol_rate_hz;
  cs.h_r.resize(g.bins);
  std::vector<double> x(g.bins), ht(g.bins);
  // Bins where the transmitter's and receiver's filters leave less than 1e-15 carry nothing
  // (802.3dj's 4 ps rise time: above about 500 GHz of the 1.7 THz grid); the packages are
  // computed once per distinct device model.
  std::vector<char> live(g.bins);
  for (std::size_t k = 0; k < g.bins; ++k) {
    const double f = g.df * static_cast<double>(k);
    const double u = kPi * f * T;
    x[k] = s.samples_per_ui * (k == 0 ? 1.0 : std::sin(u) / u);
    ht[k] = s.rise_time_s > 0.0 ? com_transmitter_filter(f, s.rise_time_s) : 1.0;
    cs.h_r[k] = com_receiver_filter(f, s.f_r * s.symbol_rate_hz);
    live[k] = std::abs(ht[k] * cs.h_r[k]) >= 1e-15;
  }
  auto model = [&](const ComEnd& e) {
    std::vector<SParams2> v(g.bins);
    for (std::size_t k = 0; k < g.bins; ++k)
      if (live[k]) v[k] = device_model(g.df * static_cast<double>(k), s.r0_ohm, e);
    return v;
  };
  const std::vector<SParams2> tx_thru = model(pc.tx);
  const std::vector<SParams2> tx_next = pc.next == pc.tx ? tx_thru : model(pc.next);
  const std::vector<SParams2> tx_fext = pc.fext == pc.tx ? tx_thru : model(pc.fext);
  std::vector<SParams2> rx = pc.rx == pc.tx ? tx_thru : model(pc.rx);
  for (SParams2& v : rx) v = flipped(v);
  std::vector<cd> plain(g.bins, 0.0);
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const ComChannelKind kind = channels[c].kind;
    const std::vector<SParams2>& tx = kind == ComChannelKind::next   ? tx_next
                                      : kind == ComChannelKind::fext ? tx_fext
                                                                     : tx_thru;
    std::vector<cd> b(g.bins, 0.0);
    for (std::size_t k = 0; k < g.bins; ++k) {
      if (!live[k]) continue;
      const cd h21 =
          terminated_transfer(cascade(cascade(tx[k], gridded[c][k]), rx[k]), gamma, gamma);
      b[k] = h21 * ht[k] * cs.h_r[k] * x[k];
      if (c == 0) plain[k] = h21 * x[k];
    }
    cs.base.push_back(std::move(b));
    cs.amplitude.push_back(kind == ComChannelKind::thru   ? s.a_v_v
                           : kind == ComChannelKind::fext ? s.a_fe_v
                                                          : s.a_ne_v);
  }
  const std::vector<double> p = inverse_real_dft(plain);
  cs.unequalised_peak_v = s.a_v_v * *std::max_element(p.begin(), p.end());
  return cs;
}

std::vector<CtleStages> ctle_stages_on_grid(const ComSet& s, const Grid& g) {
  std::vector<CtleStages> st(g.bins);
  for (std::size_t k = 0; k < g.bins; ++k)
    st[k] = ctle_stages(g.df * static_cast<double>(k), s.f_z_hz, s.f_p1_hz, s.f_p2_hz, s.f_lf_hz,
                        s.f_p3_hz);
  return st;
}

std::vector<cd> ctle(const std::vector<CtleStages>& stages, double g_dc_db, double g_dc2_db) {
  const double g = std::pow(10.0, g_dc_db / 20.0), g2 = std::pow(10.0, g_dc2_db / 20.0);
  std::vector<cd> h(stages.size());
  for (std::size_t k = 0; k < h.size(); ++k)
    h[k] = (g * stages[k].a + stages[k].b) * (g2 * stages[k].c + stages[k].d);
  return h;
}

TxLayout tx_layout(const ComSet& s) {
  int lo = 0, hi = 0;
  for (const ComTapRange& r : s.tx_taps) {
    lo = std::min(lo, r.offset);
    hi = std::max(hi, r.offset);
  }
  TxLayout lay{lo, hi - lo + 1, -lo, std::vector<double>(hi - lo + 1, 0.0)};
  lay.none[lay.cursor] = 1.0;
  return lay;
}

bool TxIndexGrid::fir(const std::vector<int>& k, std::vector<double>& c) const {
  c.assign(lay.taps, 0.0);
  double others = 0.0;
  for (std::size_t i = 0; i < s->tx_taps.size(); ++i) {
    const ComTapRange& r = s->tx_taps[i];
    const double v = r.min + k[i] * r.step;
    c[r.offset - lay.first_offset] = v;
    others += std::abs(v);
  }
  c[lay.cursor] = 1.0 - others;
  return c[lay.cursor] >= s->c0_min - 1e-12;
}

TxIndexGrid tx_index_grid(const ComSet& s, const TxLayout& lay) {
  TxIndexGrid g{&s, lay, {}, {}};
  for (const ComTapRange& r : s.tx_taps) {
    const int steps = r.step > 0.0 ? static_cast<int>(std::lround((r.max - r.min) / r.step)) : 0;
    g.steps.push_back(steps);
    g.zero.push_back(std::clamp(
        static_cast<int>(std::lround(-r.min / (r.step > 0.0 ? r.step : 1.0))), 0, steps));
  }
  return g;
}

std::vector<std::vector<double>> tx_grid(const TxIndexGrid& grid) {
  std::vector<std::vector<double>> kept;
  std::vector<int> k(grid.steps.size(), 0);
  std::vector<double> c;
  for (;;) {
    if (grid.fir(k, c)) kept.push_back(c);
    std::size_t i = k.size();  // the next index vector, the last tap fastest
    for (; i > 0; --i) {
      if (++k[i - 1] <= grid.steps[i - 1]) break;
      k[i - 1] = 0;
    }
    if (i == 0) return kept;
  }
}

}  // namespace ll::com_detail
