#include "host/link/margin.hpp"

#include <boost/math/tools/roots.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>

#include "host/link/lane_setup.hpp"
#include "host/link/stat_eye.hpp"
#include "host/link/statistics.hpp"
#include "physics/fec.hpp"

namespace ll {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// The roots to 0.01 dB: a tenth of what a BER measurement's +-14% (200 errors) resolves on a
// waterfall, and far below a link budget's entries.
constexpr double kToleranceDb = 0.01;

// Where f (increasing, in dB) crosses 0, searched from f(x0) outward in doubling steps within
// [lo, hi]; nullopt when it does not cross there.
std::optional<double> crossing(const std::function<double(double)>& f, double x0, double lo,
                               double hi) {
  double a = x0, fa = f(x0);
  if (fa == 0.0) return x0;
  const double direction = fa < 0.0 ? 1.0 : -1.0;  // passing: more loss; failing: less
  double step = 1.0, b = a, fb = fa;
  for (;;) {
    const double next = std::clamp(a + direction * step, lo, hi);
    if (next == b) return std::nullopt;  // at the end of the range without a crossing
    b = next;
    fb = f(b);
    if ((fb < 0.0) != (fa < 0.0)) break;
    // A floor: on the failing side, a step of 4 dB or more toward the target lowered the BER by
    // under 5% (BER against received power and against channel loss flattens, never turns
    // back): no crossing further out. (The passing side's flat stretch is the BER's clamp at
    // 1e-300, far from the target: there the search goes on.)
    if (fa > 0.0 && std::abs(b - a) >= 4.0 && fb > fa - 0.05) return std::nullopt;
    a = b;
    fa = fb;
    step *= 2.0;
  }
  if (a > b) {
    std::swap(a, b);
    std::swap(fa, fb);
  }
  std::uintmax_t iterations = 60;
  try {
    const auto [x1, x2] = boost::math::tools::toms748_solve(
        f, a, b, fa, fb, [](double u, double v) { return std::abs(u - v) < kToleranceDb; },
        iterations);
    return 0.5 * (x1 + x2);
  } catch (const std::exception&) {  // Boost's evaluation error: no root to report
    return std::nullopt;
  }
}

// log(BER / target) where the link can be set up; a link the set-up refuses at that loss (a
// channel whose response outgrows run.chunk_symbols, say) counts as failing: far above it.
constexpr double kRefused = 50.0;

}  // namespace

bool margin_link(const LaneParams& lp, LaneParams& out, std::string& why) {
  out = lp;
  out.cdr = CdrParams{};   // locked at the sampling phase, without its jitter
  out.rx_eq.lms = false;   // the taps LMS converges to: the MMSE ones
  why = stat_eye_unsupported(out);
  return why.empty();
}

double statistical_ber(const Scenario& s, std::size_t point, const LaneParams& lp,
                       const RunParams& rp) {
  const PreparedLink link = prepare_link(s, point, lp, rp);
  return decision_phase_ber(stat_eye_inputs(link.setup, link.report, rp.eye_target_ber));
}

LaneMargin lane_margin(const Scenario& s, std::size_t point, const LaneParams& lp,
                       const RunParams& rp, double oma_outer_dbm, const MonteCarloCheck& check) {
  LaneMargin m;
  LaneParams q;
  std::string why;
  // (An electrical lane has no OMA: its margin is the flat loss of its signal's amplitude, 20 log10,
  // that its receiver takes; the search's attenuation acts so on it, host/link/link_constants.cpp.)
  const bool wire = lp.modulator == Modulator::none;
  if (!rp.margin || !margin_link(lp, q, why) || (!std::isfinite(oma_outer_dbm) && !wire)) return m;
  RunParams quiet = rp;
  quiet.tdecq_symbols = 0;
  quiet.channel_com = false;
  const double log_target = std::log(rp.margin_target_ber);
  double log_bias = 0.0;  // log of the Monte-Carlo count over the statistical eye's BER
  auto log_excess = [&](const LaneParams& p) {
    double ber;
    try {
      ber = statistical_ber(s, point, p, quiet);
    } catch (const ScenarioError&) {
      return kRefused;
    }
    if (std::isnan(ber)) return kRefused;
    return std::log(std::max(ber, 1e-300)) + log_bias - log_target;
  };
  // Received OMA: an attenuator (negative: gain) ahead of the photodiode. The 100 dB path cap of
  // the set-up bounds the search above; 40 dB of gain is far past any receiver's overload.
  auto attenuated = [](const LaneParams& p, double a) {
    LaneParams out = p;
    out.extra_loss_db = p.extra_loss_db + a;
    return out;
  };
  auto search = [&] {
    return crossing([&](double a) { return log_excess(attenuated(q, a)); }, 0.0, -40.0,
                    std::max(0.0, 99.0 - q.optical_loss_db()));
  };
  std::optional<double> att = search();
  constexpr int kMaxChecks = 3;
  while (att && check && m.check_runs < kMaxChecks) {
    const MonteCarloCount n = check(attenuated(lp, *att));
    ++m.check_runs;
    const Interval ci = clopper_pearson(n.bit_errors, n.bits, 0.95);
    m.check_ber = n.bits ? static_cast<double>(n.bit_errors) / static_cast<double>(n.bits) : kNan;
    m.check_ber_lo = ci.lo;
    m.check_ber_hi = ci.hi;
    if (!(n.bit_errors > 0) || (ci.lo <= rp.margin_target_ber && rp.margin_target_ber <= ci.hi))
      break;
    log_bias = 0.0;
    const double eye_excess = log_excess(attenuated(q, *att));  // log(eye's BER / target)
    log_bias = std::log(m.check_ber) - log_target - eye_excess;  // log(count / eye's BER)
    att = search();
  }
  if (att) {
    m.margin_db = *att;
    m.sensitivity_oma_dbm = oma_outer_dbm - *att;
  }
  log_bias = 0.0;  // the channel's search: the statistical eye alone
  if (q.channel.model == ChannelModel::parametric) {
    const double loss = q.channel.loss_at_nyquist_db;
    const std::optional<double> channel = crossing(
        [&](double l) {
          LaneParams p = q;
          p.channel.loss_at_nyquist_db = l;
          return log_excess(p);
        },
        loss, 0.0, 80.0);  // channel.loss_db_at_nyquist's range
    if (channel) m.channel_margin_db = *channel - loss;
  }
  return m;
}

std::vector<LaneMargin> bus_margins(const LaneParams& lp, const RunParams& rp,
                                    const std::vector<double>& oma_outer_dbm,
                                    const BusCount& count) {
  const std::size_t lanes = oma_outer_dbm.size();
  std::vector<LaneMargin> out(lanes);
  if (!rp.margin || !count || lanes == 0) return out;
  const double target = rp.margin_target_ber, log_target = std::log(target);
  struct Eval {
    double att_db;
    std::vector<MonteCarloCount> n;
  };
  std::vector<Eval> evals;
  // log(BER / target) of a count; without errors, the 95% upper bound's (3 / bits): below it.
  auto excess = [&](const MonteCarloCount& n) {
    if (n.bits == 0) return kNan;
    const double ber = n.bit_errors > 0 ? static_cast<double>(n.bit_errors) / n.bits
                                        : 3.0 / static_cast<double>(n.bits);
    return std::log(ber) - log_target;
  };
  auto worst = [&](const Eval& e) {
    double w = -std::numeric_limits<double>::infinity();
    for (const MonteCarloCount& n : e.n) w = std::max(w, excess(n));
    return w;
  };
  auto holds_target = [&](const MonteCarloCount& n) {
    const Interval ci = clopper_pearson(n.bit_errors, n.bits, 0.95);
    return n.bit_errors > 0 && ci.lo <= target && target <= ci.hi;
  };
  auto evaluate = [&](double a) {
    LaneParams q = lp;
    q.extra_loss_db = lp.extra_loss_db + a;
    evals.push_back({a, count(q)});
    return worst(evals.back());
  };
  // The bus at no attenuation is the point itself; a refusal further out ends the search there.
  auto try_evaluate = [&](double a, double& g) {
    try {
      g = evaluate(a);
      return true;
    } catch (const ScenarioError&) {
      return false;
    }
  };
  constexpr double kLowest = -20.0, kHighest = 40.0;
  constexpr int kMaxCounts = 6;
  double a = 0.0, g = evaluate(a), step = 2.0;
  while (static_cast<int>(evals.size()) < kMaxCounts) {
    const Eval& last = evals.back();
    std::size_t w = 0;  // the worst lane of the last count
    for (std::size_t l = 1; l < lanes; ++l)
      if (excess(last.n[l]) > excess(last.n[w])) w = l;
    if (holds_target(last.n[w])) break;
    // A bracket of the worst lane's excess: the secant; else step outward, doubling.
    const Eval* below = nullptr;
    const Eval* above = nullptr;
    for (const Eval& e : evals) {
      const double ge = worst(e);
      if (ge < 0.0 && (!below || e.att_db > below->att_db)) below = &e;
      if (ge > 0.0 && (!above || e.att_db < above->att_db)) above = &e;
    }
    double next;
    if (below && above && below->n[0].bits > 0) {
      const double gb = worst(*below), ga = worst(*above);
      next = below->att_db + (above->att_db - below->att_db) * (-gb) / (ga - gb);
    } else {
      next = a + (g < 0.0 ? step : -step);
      step *= 2.0;
    }
    next = std::clamp(next, kLowest, kHighest);
    if (next == a || !try_evaluate(next, g)) break;
    a = next;
  }
  // Each lane's root from its own counts, in order of attenuation.
  std::vector<const Eval*> order;
  for (const Eval& e : evals) order.push_back(&e);
  std::sort(order.begin(), order.end(),
            [](const Eval* x, const Eval* y) { return x->att_db < y->att_db; });
  for (std::size_t l = 0; l < lanes; ++l) {
    std::vector<std::pair<double, double>> pts;  // (dB, excess) of counts with errors
    for (const Eval* e : order)
      if (e->n[l].bit_errors > 0) pts.emplace_back(e->att_db, excess(e->n[l]));
    const MonteCarloCount& n = evals.back().n[l];
    LaneMargin& m = out[l];
    m.check_runs = static_cast<int>(evals.size());
    m.check_ber = n.bits ? static_cast<double>(n.bit_errors) / n.bits : kNan;
    const Interval ci = clopper_pearson(n.bit_errors, n.bits, 0.95);
    m.check_ber_lo = ci.lo;
    m.check_ber_hi = ci.hi;
    if (pts.size() < 2) continue;
    std::size_t i = 0;  // the pair: bracketing the target where one does, else the nearest
    for (std::size_t k = 0; k + 1 < pts.size(); ++k)
      if ((pts[k].second <= 0.0) != (pts[k + 1].second <= 0.0)) i = k;
    if (pts.front().second > 0.0) i = 0;
    if (pts.back().second < 0.0) i = pts.size() - 2;
    const auto [a0, g0] = pts[i];
    const auto [a1, g1] = pts[i + 1];
    if (!(g1 > g0)) continue;  // no slope to read a root from
    const double root = a0 + (a1 - a0) * (-g0) / (g1 - g0);
    if (root < kLowest || root > kHighest) continue;
    m.margin_db = root;
    m.sensitivity_oma_dbm = oma_outer_dbm[l] - root;
  }
  return out;
}

double inner_code_threshold_ber(double outer_threshold) {
  // inner_message_ber rises monotonically from 0 (p^2 127 near 0) to above 0.1 at p = 0.5.
  std::uintmax_t iterations = 200;
  const auto [lo, hi] = boost::math::tools::toms748_solve(
      [&](double p) { return inner_message_ber(p) - outer_threshold; }, 0.0, 0.5,
      boost::math::tools::eps_tolerance<double>(40), iterations);
  return 0.5 * (lo + hi);
}

}  // namespace ll
