// Sweeps and drawn points: [sweep.list], [sweep.grid] and [sweep.random] read against the key
// registry and expanded into per-point values, and [mrm.variation]'s drawn rings.
#include "host/scenario/sweep.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "host/scenario/key_spec.hpp"
#include "host/scenario/toml_input.hpp"
#include "physics/noise.hpp"

namespace ll::scenario_detail {

namespace {

// A table's entries in the order the file gives them (toml++ iterates by key): a grid's axes
// are the output's dimensions in that order.
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [name, node] : t) entries.emplace_back(std::string(name.str()), &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const toml::source_position pa = a.second->source().begin, pb = b.second->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

// The key of a sweep entry: registered, numeric, and a link key.
const KeySpec& sweepable_key(const std::string& key, const std::string& table,
                             const SourceLocation& where) {
  const KeySpec* k = spec_of(key);
  if (!k)
    fail_at(where, key,
            "unknown key in [" + table + "]; expected a scenario key such as \"driver.swing_vpp\"" +
                did_you_mean(key, known_keys()));
  if (k->kind != Kind::real && k->kind != Kind::integer)
    fail_at(where, key, "only numeric keys can be swept");
  if (key.rfind("run.", 0) == 0 || key.rfind("eye.", 0) == 0 || key.rfind("mrm.variation.", 0) == 0)
    fail_at(where, key,
            "run and eye settings apply to the whole run; expected a link key "
            "(signal, driver, laser, mrm, optics, receiver)");
  return *k;
}

// A number of a sweep's parameter list (`what` names it in messages).
double sweep_number(const toml::node& n, const std::string& key, const std::string& what,
                    const SourceLocation& where) {
  if (auto d = n.value_exact<double>()) return *d;
  if (auto i = n.value_exact<std::int64_t>()) return static_cast<double>(*i);
  fail_at(where, key, "expected a number for " + what + ", got " + toml_type_name(n));
}

// A key's values in [sweep.list] or [sweep.grid]: an array of values, or a range
// { linspace = [start, stop, n] } (n evenly spaced values, both ends included) or
// { logspace = [start, stop, n] } (n values evenly spaced in log, start and stop > 0, in the
// key's units). Each value is checked against the key's type and range.
SweepAxis sweep_values(const KeySpec& k, const std::string& key, const toml::node& node,
                       const std::string& table, const std::string& path) {
  const SourceLocation where = location_of(node, path);
  SweepAxis axis{key, {}, {}, table};
  if (const toml::array* arr = node.as_array()) {
    if (arr->empty()) fail_at(where, key, "expected a non-empty array of values to sweep");
    for (const toml::node& e : *arr) {
      const SourceLocation ewhere = location_of(e, path);
      axis.values.push_back(as_real(convert(k, e, ewhere)));
      axis.where.push_back(ewhere);
    }
    return axis;
  }
  const toml::table* range = node.as_table();
  const char* expected =
      "expected an array of values, { linspace = [start, stop, n] } or "
      "{ logspace = [start, stop, n] }";
  if (!range || range->size() != 1) fail_at(where, key, expected);
  const std::string kind(range->begin()->first.str());
  if (kind != "linspace" && kind != "logspace") fail_at(where, key, expected);
  const toml::array* params = range->begin()->second.as_array();
  if (!params || params->size() != 3)
    fail_at(where, key, kind + ": expected [start, stop, n] (three numbers)");
  const double start = sweep_number((*params)[0], key, kind + "'s start", where);
  const double stop = sweep_number((*params)[1], key, kind + "'s stop", where);
  const std::optional<std::int64_t> n = (*params)[2].value_exact<std::int64_t>();
  if (!n) fail_at(where, key, kind + ": expected the number of values n as an integer");
  if (*n < 1)
    fail_at(where, key,
            kind + ": the range is empty (n = " + std::to_string(*n) + "); expected n >= 1");
  if (*n > 10000000) fail_at(where, key, kind + ": expected n <= 1e7");
  if (kind == "logspace" && !(start > 0.0 && stop > 0.0))
    fail_at(where, key,
            "logspace: expected start and stop > 0, got " + format_number(start, 6) + " and " +
                format_number(stop, 6));
  for (std::int64_t i = 0; i < *n; ++i) {
    const double f = *n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(*n - 1);
    double v = kind == "linspace" ? start + (stop - start) * f : start * std::pow(stop / start, f);
    if (i == *n - 1 && *n > 1) v = stop;  // the end exactly, not by rounding
    // Integer keys take the nearest integer; each value then passes the key's own checks.
    if (k.kind == Kind::integer)
      axis.values.push_back(as_real(convert(k, toml::value<std::int64_t>(std::llround(v)), where)));
    else
      axis.values.push_back(as_real(convert(k, toml::value<double>(v), where)));
  }
  axis.where.push_back(where);  // the range's one location, however many values it makes
  return axis;
}

// [sweep.random]: `draws` points, each key drawn from its distribution.
void parse_random(const toml::table& table, const SourceLocation& table_where, Scenario& s) {
  for (const auto& [key, node_ptr] : in_file_order(table)) {
    const toml::node& node = *node_ptr;
    const SourceLocation where = location_of(node, s.path);
    if (key == "draws") {
      const std::optional<std::int64_t> n = node.value_exact<std::int64_t>();
      if (!n || *n < 1 || *n > 10000000)
        fail_at(where, "sweep.random.draws",
                "expected the number of points, an integer in [1, 1e7]");
      s.random_draws = *n;
      continue;
    }
    sweepable_key(key, "sweep.random", where);
    const char* expected =
        "expected { normal = [mean, sd] }, { uniform = [lo, hi] } or "
        "{ truncated_normal = [mean, sd, lo, hi] } in the key's units";
    const toml::table* dist = node.as_table();
    if (!dist || dist->size() != 1) fail_at(where, key, expected);
    RandomDraw d;
    d.key = key;
    d.where = where;
    d.distribution = std::string(dist->begin()->first.str());
    const toml::array* params = dist->begin()->second.as_array();
    const std::size_t wanted = d.distribution == "normal"             ? 2
                               : d.distribution == "uniform"          ? 2
                               : d.distribution == "truncated_normal" ? 4
                                                                      : 0;
    if (wanted == 0)
      fail_at(where, key, "unknown distribution \"" + d.distribution + "\"; " + expected);
    if (!params || params->size() != wanted) fail_at(where, key, expected);
    std::vector<double> v;
    for (const toml::node& e : *params)
      v.push_back(sweep_number(e, key, d.distribution + "'s parameters", where));
    if (d.distribution == "uniform") {
      d.lo = v[0];
      d.hi = v[1];
    } else {
      d.a = v[0];
      d.b = v[1];
      if (!(d.b > 0.0) || !std::isfinite(d.b))
        fail_at(
            where, key,
            d.distribution + ": expected a standard deviation > 0, got " + format_number(d.b, 6));
      if (d.distribution == "truncated_normal") {
        d.lo = v[2];
        d.hi = v[3];
      }
    }
    if (d.distribution != "normal") {
      if (!(d.lo < d.hi) || !std::isfinite(d.lo) || !std::isfinite(d.hi))
        fail_at(where, key,
                d.distribution + ": expected lo < hi, got [" + format_number(d.lo, 6) + ", " +
                    format_number(d.hi, 6) + "]");
    }
    if (d.distribution == "truncated_normal") {
      // The interval must hold some probability, or the draws are all at one edge.
      const double mass = 0.5 * (std::erfc((d.lo - d.a) / (d.b * std::sqrt(2.0))) -
                                 std::erfc((d.hi - d.a) / (d.b * std::sqrt(2.0))));
      if (!(mass > 1e-12))
        fail_at(where, key,
                "truncated_normal: [lo, hi] holds a probability of " + format_number(mass, 3) +
                    " of the normal; expected an interval within 7 sd of the mean");
    }
    s.random.push_back(d);
  }
  if (s.random_draws == 0)
    fail_at(table_where, "sweep.random.draws", "missing; expected the number of points");
  if (s.random.empty()) fail_at(table_where, "sweep.random", "expected at least one key to draw");
}

}  // namespace

void parse_sweep(const toml::table& sweep, Scenario& s) {
  // One kind of sweep per scenario, or a grid with random draws at each of its points.
  std::string kind_given;
  for (const auto& [kind, node_ptr] : in_file_order(sweep)) {
    const toml::node& node = *node_ptr;
    const SourceLocation where = location_of(node, s.path);
    if (kind != "list" && kind != "grid" && kind != "random")
      fail_at(where, "sweep." + kind,
              "unknown sweep kind; expected [sweep.grid] (product), [sweep.list] (zipped lists) "
              "or [sweep.random] (draws per point)");
    const bool grid_and_random =
        (kind_given == "grid" && kind == "random") || (kind_given == "random" && kind == "grid");
    if (!kind_given.empty() && !grid_and_random)
      fail_at(where, "sweep." + kind,
              "cannot be combined with [sweep." + kind_given +
                  "] yet; expected one kind of sweep, or [sweep.grid] with [sweep.random] (draws "
                  "at every grid point)");
    kind_given = kind;
    const toml::table* table = node.as_table();
    if (!table) fail_at(where, "sweep." + kind, "expected a table of key = values");
    if (kind == "random") {
      parse_random(*table, where, s);
      continue;
    }
    for (const auto& [key, values_ptr] : in_file_order(*table)) {
      const toml::node& values = *values_ptr;
      const SourceLocation kwhere = location_of(values, s.path);
      const KeySpec& k = sweepable_key(key, "sweep." + kind, kwhere);
      SweepAxis axis = sweep_values(k, key, values, "sweep." + kind, s.path);
      if (kind == "grid") {
        s.grid.push_back(std::move(axis));
        continue;
      }
      if (!s.sweep.empty() && s.sweep.front().values.size() != axis.values.size())
        fail_at(kwhere, key,
                "expected " + std::to_string(s.sweep.front().values.size()) +
                    " values to zip with " + s.sweep.front().key + ", got " +
                    std::to_string(axis.values.size()));
      s.sweep.push_back(std::move(axis));
    }
  }
}

namespace {

// A uniform deviate in [0, 1) from 53 bits of the Philox words for (key, stream, index).
double uniform_double(NoiseKey key, NoiseStream stream, std::uint64_t index) {
  const r123::Philox4x32::ctr_type u = philox_words(key, stream, index);
  const std::uint64_t bits = (static_cast<std::uint64_t>(u[0]) << 32) | u[1];
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// The standard normal's quantile in the tail below 0 side-safe: Phi(z) = p by bisection on
// erfc (Phi(z) = erfc(-z / sqrt 2) / 2, accurate where it is small).
double normal_quantile(double p) {
  double lo = -40.0, hi = 40.0;
  for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
    const double m = 0.5 * (lo + hi);
    (0.5 * std::erfc(-m / std::sqrt(2.0)) < p ? lo : hi) = m;
  }
  return 0.5 * (lo + hi);
}

// Drawn axes (one value per draw: [sweep.random], [mrm.variation]) into the sweep. Alone they are
// the points; with an expanded grid in s.sweep, the draws are made at every grid point: each grid
// point's values repeated once per draw (point = grid point x draws + draw, the draw fastest), the
// drawn values repeated at every grid point (draw d the same values at each).
void add_drawn_axes(Scenario& s, std::vector<SweepAxis> drawn) {
  if (s.grid.empty() || drawn.empty()) {
    for (SweepAxis& a : drawn) s.sweep.push_back(std::move(a));
    return;
  }
  const std::size_t grid_points = s.points(), draws = drawn.front().values.size();
  for (SweepAxis& a : s.sweep) {
    SweepAxis repeated{a.key, {}, a.where, a.table};
    repeated.values.reserve(grid_points * draws);
    for (std::size_t g = 0; g < grid_points; ++g)
      repeated.values.insert(repeated.values.end(), draws, a.values[g]);
    a = std::move(repeated);
  }
  for (SweepAxis& a : drawn) {
    SweepAxis repeated{a.key, {}, a.where, a.table};
    repeated.values.reserve(grid_points * draws);
    for (std::size_t g = 0; g < grid_points; ++g)
      repeated.values.insert(repeated.values.end(), a.values.begin(), a.values.end());
    s.sweep.push_back(std::move(repeated));
  }
  s.draws_per_grid_point = draws;
}

}  // namespace

// [sweep.grid] and [sweep.random] into per-point values (after the overrides, which may remove
// keys from them, and once run.seed is known). Both together: the draws at every grid point,
// point = grid point x draws + draw (the draw fastest), draw d the same values at every grid
// point (one device population seen across the grid: comparisons between grid points are not
// blurred by drawing other devices).
void expand_sweeps(Scenario& s) {
  const std::size_t draws =
      s.random.empty() ? 1 : static_cast<std::size_t>(std::max<std::int64_t>(s.random_draws, 1));
  if (!s.grid.empty()) {
    std::size_t grid_points = 1;
    for (const SweepAxis& a : s.grid) {
      grid_points *= a.values.size();
      if (grid_points * draws > 100000000)
        fail_at(a.where.front(), a.key,
                "the grid" + std::string(draws > 1 ? " with its draws" : "") +
                    " passes 1e8 points; expected a smaller sweep");
    }
    for (std::size_t i = 0; i < s.grid.size(); ++i) {
      std::size_t inner = 1;  // points per step of axis i (the axes after it)
      for (std::size_t j = i + 1; j < s.grid.size(); ++j) inner *= s.grid[j].values.size();
      const SweepAxis& g = s.grid[i];
      SweepAxis axis{g.key, {}, {g.where.front()}, g.table};
      axis.values.reserve(grid_points);
      for (std::size_t p = 0; p < grid_points; ++p)
        axis.values.push_back(g.values[(p / inner) % g.values.size()]);
      s.sweep.push_back(std::move(axis));
    }
  }
  if (!s.random.empty()) {
    std::vector<SweepAxis> drawn;
    const std::uint64_t seed = run_params(s).seed;
    for (std::size_t q = 0; q < s.random.size(); ++q) {
      const RandomDraw& d = s.random[q];
      const KeySpec& k = *spec_of(d.key);
      SweepAxis axis{d.key, {}, {}, "sweep.random"};
      for (std::int64_t p = 0; p < s.random_draws; ++p) {
        // Keyed by (seed, draw) and the key's place in the table, counted apart from
        // [mrm.variation]'s indices: a point's draws do not depend on batching or sharding.
        const NoiseKey key{seed, static_cast<std::uint32_t>(p)};
        const std::uint64_t index = (static_cast<std::uint64_t>(q) + 1) << 32;
        double v = 0.0;
        if (d.distribution == "normal") {
          v = d.a + d.b * standard_normal_double(key, NoiseStream::variation, index);
        } else if (d.distribution == "uniform") {
          v = d.lo + (d.hi - d.lo) * uniform_double(key, NoiseStream::variation, index);
        } else {  // truncated normal by its quantile: drawn inside [lo, hi] at once
          double alpha = (d.lo - d.a) / d.b, beta = (d.hi - d.a) / d.b;
          const bool mirrored = alpha > 0.0;  // work in the lower tail, where Phi is accurate
          if (mirrored) {
            const double t = alpha;
            alpha = -beta;
            beta = -t;
          }
          const double f_alpha = 0.5 * std::erfc(-alpha / std::sqrt(2.0));
          const double f_beta = 0.5 * std::erfc(-beta / std::sqrt(2.0));
          const double u = uniform_double(key, NoiseStream::variation, index);
          double z = normal_quantile(f_alpha + u * (f_beta - f_alpha));
          z = std::min(std::max(z, alpha), beta);
          v = d.a + d.b * (mirrored ? -z : z);
        }
        if (k.kind == Kind::integer) v = static_cast<double>(std::llround(v));
        if (!k.range.contains(v))
          fail_at(d.where, d.key,
                  d.distribution + " draws " + format_number(v, 6) + " at " +
                      (s.grid.empty() ? "point " : "draw ") + std::to_string(p) + ", outside " +
                      expectation(k) +
                      "; expected a distribution inside the key's range (truncated_normal or "
                      "uniform)");
        axis.values.push_back(v);
      }
      axis.where.push_back(d.where);
      drawn.push_back(std::move(axis));
    }
    add_drawn_axes(s, std::move(drawn));
  }
}

// [mrm.variation]: `draws` points whose resonance offset, power coupling and loss are the
// nominal values plus normal deviates (Philox keyed by run seed and draw, so a point's ring does
// not depend on batching or sharding), truncated at 4 sigma by redrawing. They become sweep axes
// over `point`, so each drawn value is a coordinate of the output; with a [sweep.grid], the
// draws at every grid point (the output's `draw` dimension after the grid's).
void add_variation_axes(Scenario& s) {
  const RunParams rp = run_params(s);
  const VariationParams& v = rp.variation;
  if (v.draws == 0) return;
  const SourceLocation where = s.where("mrm.variation.draws");
  if (!s.sweep.empty() && (s.grid.empty() || !s.random.empty()))
    fail_at(where, "mrm.variation.draws",
            "[mrm.variation] cannot be combined with [" + s.sweep.back().table +
                "] yet; expected one or the other, or [sweep.grid] alone (the draws at every "
                "grid point)");
  const LaneParams nominal = lane_params(s, 0);
  struct Quantity {
    const char* key;
    double nominal, sigma, lo, hi;  // nominal and sigma in the key's units; valid open range
    const char* sigma_key;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const Quantity quantities[] = {
      {"mrm.resonance_offset_pm", nominal.ring_resonance_offset_m * 1e12, v.resonance_sigma_pm,
       -inf, inf, "mrm.variation.resonance_sigma_pm"},
      {"mrm.power_coupling", nominal.ring_power_coupling, v.coupling_sigma, 0.0, 1.0,
       "mrm.variation.coupling_sigma"},
      {"mrm.loss_db_per_cm", nominal.ring_loss_db_per_m / 100.0, v.loss_sigma_db_per_cm, 0.0, inf,
       "mrm.variation.loss_sigma_db_per_cm"},
  };
  std::vector<SweepAxis> drawn;
  for (std::size_t q = 0; q < 3; ++q) {
    const Quantity& qu = quantities[q];
    if (qu.nominal - 4.0 * qu.sigma <= qu.lo || qu.nominal + 4.0 * qu.sigma >= qu.hi)
      fail_at(s.where(qu.sigma_key), qu.sigma_key,
              "nominal " + format_number(qu.nominal, 10) +
                  " +- 4 sigma leaves the physical range of " + qu.key +
                  "; expected a smaller sigma");
    for (const SweepAxis& g : s.grid)
      if (g.key == qu.key)
        fail_at(g.where.front(), g.key,
                "swept by [sweep.grid] and drawn by [mrm.variation]; expected one or the other");
    SweepAxis axis{qu.key, {}, {}, "mrm.variation"};
    for (std::int64_t p = 0; p < v.draws; ++p) {
      const NoiseKey key{rp.seed, static_cast<std::uint32_t>(p)};
      double z = 0.0;
      for (std::uint64_t attempt = 0;; ++attempt) {  // truncate at 4 sigma by redrawing
        z = standard_normal_double(key, NoiseStream::variation, q + 3 * attempt);
        if (std::abs(z) <= 4.0) break;
      }
      axis.values.push_back(qu.nominal + qu.sigma * z);
    }
    axis.where.push_back(where);
    s.values.erase(qu.key);  // the axis carries it now
    drawn.push_back(std::move(axis));
  }
  // With a grid: the same rings (draw d) at every grid point.
  if (!s.grid.empty() && s.points() * static_cast<std::size_t>(v.draws) > 100000000)
    fail_at(where, "mrm.variation.draws",
            "the grid with its draws passes 1e8 points; expected a smaller sweep");
  add_drawn_axes(s, std::move(drawn));
}

}  // namespace ll::scenario_detail
