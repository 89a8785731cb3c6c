// The report's figures: the worst lane per point, pass or fail, the draws' yield with its exact
// interval (Boost.Math) and the ring-bank yield.
#include "host/report/report_figures.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <limits>
#include <tuple>

namespace ll::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The mean of the finite values, NaN without one.
double finite_mean(const std::vector<double>& v) {
  double sum = 0.0;
  std::size_t n = 0;
  for (double x : v)
    if (std::isfinite(x)) sum += x, ++n;
  return n == 0 ? kNaN : sum / static_cast<double>(n);
}

double target_at(const ReportFile& file, std::size_t p, std::size_t l) {
  const double t = file.at("margin_target_ber", p, l);
  return std::isfinite(t) && t > 0.0 ? t : kKp4TargetBer;
}

// The BER figure a point's row is ranked by when there is no margin: ber_hi, else ber.
double ber_figure(const PointRow& r) { return std::isfinite(r.ber_hi) ? r.ber_hi : r.ber; }

}  // namespace

bool lock_holds(const std::string& meaning) {
  return meaning == "locked" || meaning == "not_modelled";
}

Verdict ber_verdict(double ber, double ber_hi, double target) {
  if (std::isnan(ber)) return Verdict::not_run;
  const double figure = std::isnan(ber_hi) ? ber : ber_hi;
  return figure < target ? Verdict::pass : Verdict::fail;
}

std::optional<std::size_t> worst_lane(const std::vector<double>& ber,
                                      const std::vector<double>& ber_hi) {
  std::optional<std::size_t> worst;
  auto hi = [&](std::size_t l) {
    return l < ber_hi.size() && !std::isnan(ber_hi[l]) ? ber_hi[l] : 0.0;
  };
  for (std::size_t l = 0; l < ber.size(); ++l) {
    if (std::isnan(ber[l])) continue;
    if (!worst || ber[l] > ber[*worst] || (ber[l] == ber[*worst] && hi(l) > hi(*worst))) worst = l;
  }
  return worst;
}

Interval clopper_pearson_95(std::uint64_t passed, std::uint64_t n) {
  using boost::math::binomial_distribution;
  if (n == 0) return {0.0, 1.0};
  const auto trials = static_cast<double>(n), successes = static_cast<double>(passed);
  constexpr double kTail = 0.025;  // two-sided 95%
  const double lo =
      passed == 0 ? 0.0 : binomial_distribution<>::find_lower_bound_on_p(trials, successes, kTail);
  const double hi =
      passed == n ? 1.0 : binomial_distribution<>::find_upper_bound_on_p(trials, successes, kTail);
  return {lo, hi};
}

BankYield bank_yield(double yield, Interval interval, int rings) {
  return {rings, std::pow(yield, rings), std::pow(interval.lo, rings),
          std::pow(interval.hi, rings)};
}

std::vector<PointRow> point_rows(const ReportFile& file) {
  const std::size_t lanes = file.lane_count();
  std::vector<PointRow> rows;
  rows.reserve(file.points);
  std::vector<double> ber(lanes), hi(lanes), margin(lanes);
  for (std::size_t p = 0; p < file.points; ++p) {
    PointRow r{};
    r.point = p;
    for (std::size_t l = 0; l < lanes; ++l) {
      ber[l] = file.at("ber", p, l);
      hi[l] = file.at("ber_hi", p, l);
      margin[l] = file.at("margin_db", p, l);
    }
    r.worst_lane = worst_lane(ber, hi);
    const std::size_t w = r.worst_lane.value_or(0);
    r.ber = file.at("ber", p, w);
    r.ber_lo = file.at("ber_lo", p, w);
    r.ber_hi = file.at("ber_hi", p, w);
    r.fec_frame_loss_ratio = file.at("fec_frame_loss_ratio", p, w);
    r.target_ber = target_at(file, p, w);
    r.margin_db = r.sensitivity_oma_dbm = kNaN;
    for (std::size_t l = 0; l < lanes; ++l)
      if (!std::isnan(margin[l]) && (!r.margin_lane || margin[l] < margin[*r.margin_lane]))
        r.margin_lane = l;
    if (r.margin_lane) {
      r.margin_db = margin[*r.margin_lane];
      r.sensitivity_oma_dbm = file.at("sensitivity_oma_dbm", p, *r.margin_lane);
    }
    auto lane_mean = [&](const std::string& name) {
      std::vector<double> v(lanes);
      for (std::size_t l = 0; l < lanes; ++l) v[l] = file.at(name, p, l);
      return finite_mean(v);
    };
    r.port_power_w = lane_mean("port_power_w");
    r.energy_pj_per_bit = lane_mean("energy_pj_per_bit");
    r.lasers_per_port = lane_mean("lasers_per_port");
    for (const std::string& part : file.energy_parts) r.energy_parts.push_back(lane_mean(part));

    // Every lane must pass; a lane that did not run leaves the point not run.
    bool any_fail = false, all_run = true;
    for (std::size_t l = 0; l < lanes; ++l) {
      const Verdict v = ber_verdict(ber[l], hi[l], target_at(file, p, l));
      any_fail = any_fail || v == Verdict::fail;
      all_run = all_run && v != Verdict::not_run;
    }
    if (file.lock) {
      r.lock = file.lock->meaning(file.lock->values[p * lanes]);
      for (std::size_t l = 0; l < lanes && r.lock_ok; ++l) {
        const std::string m = file.lock->meaning(file.lock->values[p * lanes + l]);
        if (!lock_holds(m)) r.lock = m, r.lock_ok = false;
      }
    }
    r.verdict = !r.lock_ok ? Verdict::fail
                : any_fail ? Verdict::fail
                : all_run  ? Verdict::pass
                           : Verdict::not_run;
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<PointRow> select_rows(std::vector<PointRow> rows, std::optional<std::size_t> worst) {
  if (!worst) return rows;
  const bool by_margin = std::any_of(rows.begin(), rows.end(),
                                     [](const PointRow& r) { return !std::isnan(r.margin_db); });
  // Rank: a failed lock first (the ring cannot be operated at all), then what ran by the
  // smallest margin (NaN after finite ones) or the highest BER figure, what did not run last;
  // ties by the point index, so the order is stable.
  auto rank = [&](const PointRow& r) {
    const int group = !r.lock_ok ? 0 : r.worst_lane ? 1 : 2;
    const double key = by_margin ? r.margin_db : -ber_figure(r);
    return std::make_tuple(group, std::isnan(key), std::isnan(key) ? 0.0 : key, r.point);
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const PointRow& a, const PointRow& b) { return rank(a) < rank(b); });
  if (rows.size() > *worst) rows.resize(*worst);
  return rows;
}

std::vector<YieldRow> yield_rows(const ReportFile& file, const std::vector<int>& bank_rings) {
  std::vector<YieldRow> out;
  if (file.draws == 0 || file.points % file.draws != 0) return out;
  const std::vector<PointRow> rows = point_rows(file);
  for (std::size_t g = 0; g < file.points / file.draws; ++g) {
    YieldRow y;
    y.group = g;
    y.first_point = g * file.draws;
    for (std::size_t p = y.first_point; p < y.first_point + file.draws; ++p) {
      const PointRow& r = rows[p];
      ++y.draws;
      if (!r.lock_ok) {
        ++y.failed_lock, ++y.finished;
        ++y.lock_failures[r.lock];
        continue;
      }
      if (r.verdict == Verdict::not_run) continue;  // unfinished: not counted
      ++y.finished;
      if (r.verdict == Verdict::pass)
        ++y.passed;
      else
        ++y.failed_ber;
    }
    y.yield =
        y.finished == 0 ? kNaN : static_cast<double>(y.passed) / static_cast<double>(y.finished);
    y.interval = clopper_pearson_95(y.passed, y.finished);
    for (int n : bank_rings)
      y.banks.push_back(y.finished == 0 ? BankYield{n, kNaN, 0.0, 1.0}
                                        : bank_yield(y.yield, y.interval, n));
    out.push_back(std::move(y));
  }
  return out;
}

}  // namespace ll::report
