// The lanes of a WDM bus ([wdm]): each lane's ring designed for its channel, the demultiplexer's
// drop matrix and drop-ring bandwidth, the bus data of physics/wdm_bus.hpp, and thresholds at the
// levels each photodiode sees with the other lanes at their mean (prepare_point,
// host/link/lane_setup.hpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "host/link/lane_setup_steps.hpp"

namespace ll {

std::vector<double> lane_wavelengths_m(const LaneParams& lp) {
  const int N = std::max(lp.wdm.channels, 1);
  std::vector<double> w(N);
  const double f_centre = kSpeedOfLight_m_per_s / lp.laser_wavelength_m;
  for (int j = 0; j < N; ++j) {
    // Lane 0 on the shortest wavelength; the grid is uniform in frequency about the laser key.
    const double f = f_centre - (j - 0.5 * (N - 1)) * (N > 1 ? lp.wdm.spacing_hz : 0.0);
    w[j] = kSpeedOfLight_m_per_s / f;
  }
  return w;
}

namespace {

// Ring k's all-pass model as channel `wavelength_m` sees it: ring k's coefficients and 2 pi L n_g,
// the channel as the "laser", and the distance from ring k's resonance at 0 V as the "detuning".
RingModulator<double> seen_from(const LinkConstants<double>& ring_k, double wavelength_m) {
  const RingModulator<double>& m = ring_k.ring;
  const double resonance_m = m.laser_wavelength_m - m.detuning_m;
  RingModulator<double> seen = m;
  seen.laser_wavelength_m = wavelength_m;
  seen.detuning_m = wavelength_m - resonance_m;
  return seen;
}

double neighbour_t(const RingModulator<double>& seen, const LinkConstants<double>& ring_k,
                   double v) {
  return ring_k.eo.points > 0 ? neighbour_transmission<double, true>(seen, ring_k.eo, v)
                              : neighbour_transmission<double, false>(seen, ring_k.eo, v);
}

}  // namespace

std::vector<PreparedLink> prepare_point(const Scenario& s, std::size_t point, const LaneParams& lp,
                                        const RunParams& rp) {
  const WdmParams& wdm = lp.wdm;
  if (wdm.channels == 0) return {prepare_link(s, point, lp, rp)};
  const int N = wdm.channels;
  if (!std::isfinite(wdm.spacing_hz))
    fail_key(s, "wdm.channels", "needs wdm.spacing_ghz, the channel spacing; it is missing");
  const std::vector<double> w = lane_wavelengths_m(lp);
  const WdmGrid grid{N, kSpeedOfLight_m_per_s / w.back(), wdm.spacing_hz};  // lowest f first

  // Every ring is designed for its channel: its cold resonance sits as far from its channel as
  // the scenario's ring sits from mrm.laser_wavelength_nm (designers trim each radius so that
  // the heaters only correct fabrication, instead of tuning across the grid).
  const RingFigures centre = ring_figures(setup_steps::geometry(lp));
  const double cold_below_laser_m = lp.laser_wavelength_m - centre.resonance_m;
  // The grid must fit within one FSR. The FSR in wavelength grows as lambda^2 across the grid;
  // the shortest channel's is the binding one.
  const double fsr_m =
      centre.fsr_m * (w.front() / lp.laser_wavelength_m) * (w.front() / lp.laser_wavelength_m);
  if (N > 1 && !grid_fits_fsr(grid, fsr_m) && !wdm.grid_beyond_fsr)
    fail_key(s, "wdm.spacing_ghz",
             std::to_string(N) + " channels at " + format_number(wdm.spacing_hz / 1e9, 6) +
                 " GHz span " + format_number(grid_period_m(grid) * 1e9, 4) +
                 " nm with one spacing of guard, wider than the modulator rings' FSR of " +
                 format_number(fsr_m * 1e9, 4) +
                 " nm: a ring would modulate two channels. Expected a smaller grid or smaller "
                 "rings (FSR ~ 1 / radius), or wdm.grid_beyond_fsr = true to simulate the "
                 "aliasing");

  // Demultiplexer: drop matrix and each drop ring's bandwidth.
  std::vector<double> drop(static_cast<std::size_t>(N) * N, 0.0);
  double drop_pole_hz = std::numeric_limits<double>::infinity();
  if (!wdm.demux_ring) {
    for (int i = 0; i < N; ++i) drop[i * N + i] = 1.0;
  } else {
    const char* keys[] = {"wdm.demux.radius_um", "wdm.demux.n_g", "wdm.demux.power_coupling_in",
                          "wdm.demux.power_coupling_drop", "wdm.demux.loss_db_per_cm"};
    const double values[] = {wdm.demux_radius_m, wdm.demux_n_g, wdm.demux_power_coupling_in,
                             wdm.demux_power_coupling_drop, wdm.demux_loss_db_per_m};
    for (int i = 0; i < 5; ++i)
      if (!std::isfinite(values[i]))
        fail_key(s, keys[i], "missing; wdm.demux.model = \"ring\" needs [wdm.demux] in full");
    std::vector<DemuxRing> rings(N);
    for (int i = 0; i < N; ++i) {
      rings[i].geometry = {wdm.demux_radius_m,          wdm.demux_n_g,           wdm.demux_n_g,
                           wdm.demux_power_coupling_in, wdm.demux_loss_db_per_m, w[i]};
      rings[i].drop_power_coupling = wdm.demux_power_coupling_drop;
      rings[i].resonance_m = w[i] + wdm.demux_resonance_offset_m;
    }
    const double demux_fsr_m = w.front() * w.front() /  // at the shortest channel
                               (wdm.demux_n_g * 2.0 * kPi * wdm.demux_radius_m);
    if (N > 1 && !grid_fits_fsr(grid, demux_fsr_m) && !wdm.grid_beyond_fsr)
      fail_key(s, "wdm.demux.radius_um",
               "gives drop rings an FSR of " + format_number(demux_fsr_m * 1e9, 4) +
                   " nm, narrower than the grid with one spacing of guard (" +
                   format_number(grid_period_m(grid) * 1e9, 4) +
                   " nm): a drop ring would take two channels. Expected a smaller radius, or "
                   "wdm.grid_beyond_fsr = true");
    const double x = std::sqrt(1.0 - wdm.demux_power_coupling_in) *
                     std::sqrt(1.0 - wdm.demux_power_coupling_drop) *
                     ring_round_trip_amplitude(rings[0].geometry);
    if (!((1.0 - x) < 2.0 * std::sqrt(x)))
      fail_key(s, "wdm.demux.power_coupling_drop",
               "the drop ring has no resonance (round-trip factor " + format_number(x, 4) +
                   "); expected weaker coupling or less loss");
    demux_matrix(rings.data(), N, w.data(), drop.data());
    // The centred drop ring's field response is a Lorentzian of half width FWHM/2 in frequency;
    // for intensity modulation its small-signal response is the same single pole (wdm_bus.hpp).
    const double fwhm_m = demux_ring_fwhm_m(rings[N / 2]);
    const double centre_m = rings[N / 2].resonance_m;
    drop_pole_hz = 0.5 * kSpeedOfLight_m_per_s * fwhm_m / (centre_m * centre_m);
  }

  std::vector<PreparedLink> lanes;
  lanes.reserve(N);
  for (int j = 0; j < N; ++j) {
    LaneParams lj = lp;
    lj.laser_wavelength_m = w[j];
    lj.drop_filter_pole_hz = drop_pole_hz;
    const RingFigures natural = ring_figures(setup_steps::geometry(lj));
    double offset_m = (w[j] - cold_below_laser_m) - natural.resonance_m;
    offset_m -= std::round(offset_m / natural.fsr_m) * natural.fsr_m;
    lj.ring_resonance_offset_m += offset_m;
    PreparedLink link = prepare_link(s, point, lj, rp);
    link.setup.noise_key.lane = static_cast<std::uint32_t>(j);
    // Lanes carry independent data: lane 0 starts from the standard all-ones state, the others
    // from a Philox draw keyed by (seed, point, lane).
    if (j > 0)
      link.setup.prbs_seed = philox_words(link.setup.noise_key, NoiseStream::pattern, 0)[0] | 1u;
    link.report.lane_wavelength_m = w[j];
    lanes.push_back(std::move(link));
  }

  // Bus data and the received levels with every other lane at its mean: the receiver's
  // thresholds sit at the midpoints of the levels it actually sees (an adaptive slicer).
  auto mean_over_levels = [&](auto&& f, const LinkConstants<double>& c) {
    double m = 0.0;
    for (int k = 0; k < c.levels; ++k) m += level_probability(c.levels, k) * f(c.level_drive_v[k]);
    return m;
  };
  // bus_mean[j] = R P_j loss E[T_j] prod_{k != j} E[T_k->j]: channel j's mean power on the bus;
  // neighbours_mean[j] = prod_{k != j} E[T_k->j].
  std::vector<double> bus_mean(N), neighbours_mean(N);
  for (int j = 0; j < N; ++j) {
    LinkSetup& lsj = lanes[j].setup;
    lsj.bus_seen.resize(N);
    lsj.bus_drop.assign(drop.begin() + j * N, drop.begin() + (j + 1) * N);
    double through = 1.0;
    for (int k = 0; k < N; ++k) {
      const LinkConstants<double>& ck = lanes[k].setup.constants;
      lsj.bus_seen[k] = seen_from(ck, w[j]);
      if (k == j) continue;
      through *=
          mean_over_levels([&](double v) { return neighbour_t(lsj.bus_seen[k], ck, v); }, ck);
    }
    neighbours_mean[j] = through;
    const LinkConstants<double>& cj = lsj.constants;
    bus_mean[j] = cj.photocurrent_per_transmission_a * through *
                  mean_over_levels([&](double v) { return ring_transmission(cj, v); }, cj);
  }
  for (int i = 0; i < N; ++i) {
    LinkConstants<double>& c = lanes[i].setup.constants;
    LinkReport& rep = lanes[i].report;
    double crosstalk_a = 0.0;
    for (int j = 0; j < N; ++j)
      if (j != i) crosstalk_a += drop[i * N + j] * bus_mean[j];
    auto received_a = [&](double drive_v) {
      return drop[i * N + i] * c.photocurrent_per_transmission_a * ring_transmission(c, drive_v) *
                 neighbours_mean[i] +
             crosstalk_a + c.dark_current_a;
    };
    for (int k = 0; k < c.levels; ++k) {
      rep.received_levels_a[k] = received_a(c.level_drive_v[k]);
      rep.settled_levels_a[k] = received_a(rep.settled_drive_v[k]);
    }
    rep.bus_through_db = -10.0 * std::log10(neighbours_mean[i]);
    rep.demux_crosstalk_db = crosstalk_a > 0.0
                                 ? 10.0 * std::log10(crosstalk_a / (drop[i * N + i] * bus_mean[i]))
                                 : -std::numeric_limits<double>::infinity();
    setup_steps::set_decision_levels(s, rep, c);
  }
  return lanes;
}

}  // namespace ll
