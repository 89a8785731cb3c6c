// The port report's markdown: a header of what ran, one row per point (the worst lane's figures),
// and with draws the yield per grid point and the ring-bank yield.
#include "host/report/report_markdown.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <string>

#include "host/report/report_figures.hpp"
#include "host/scenario/scenario.hpp"

namespace ll::report {
namespace {

// format_number and format_fixed (host/scenario/scenario.hpp), a missing value left blank.
std::string number(double v, int digits = 3) {
  return std::isnan(v) ? "" : format_number(v, digits);
}
std::string fixed(double v, int decimals) { return std::isnan(v) ? "" : format_fixed(v, decimals); }

std::string with_units(const Coordinate& c) {
  return c.units.empty() || c.units == "1" ? c.key : c.key + " [" + c.units + "]";
}

std::string verdict_text(Verdict v) {
  return v == Verdict::pass ? "pass" : v == Verdict::fail ? "**FAIL**" : "not run";
}

// "energy_laser_pj_per_bit" -> "laser"
std::string part_name(const std::string& dataset) {
  return dataset.substr(7, dataset.size() - 7 - 11);
}

struct Column {
  std::string header;
  std::function<std::string(const PointRow&)> cell;
};

void table(const std::vector<Column>& columns, const std::vector<PointRow>& rows,
           std::ostream& out) {
  out << "|";
  for (const Column& c : columns) out << " " << c.header << " |";
  out << "\n|";
  for (std::size_t i = 0; i < columns.size(); ++i) out << "---|";
  out << "\n";
  for (const PointRow& r : rows) {
    out << "|";
    for (const Column& c : columns) out << " " << c.cell(r) << " |";
    out << "\n";
  }
}

// Whether any point has a finite value of `get`.
bool any_finite(const std::vector<PointRow>& rows,
                const std::function<double(const PointRow&)>& get) {
  return std::any_of(rows.begin(), rows.end(),
                     [&](const PointRow& r) { return !std::isnan(get(r)); });
}

void header(const ReportFile& f, const std::vector<PointRow>& rows, std::ostream& out) {
  out << "# lightlane port report: " << f.path << "\n\n| | |\n|---|---|\n";
  out << "| scenario | " << (f.scenario_path.empty() ? "(not recorded)" : f.scenario_path)
      << " |\n";
  std::string overrides = f.scenario_overrides;
  while (!overrides.empty() && overrides.back() == '\n') overrides.pop_back();
  for (std::size_t at = overrides.find('\n'); at != std::string::npos; at = overrides.find('\n'))
    overrides.replace(at, 1, " --set ");
  if (!overrides.empty()) out << "| overrides | `--set " << overrides << "` |\n";
  out << "| lightlane | " << f.version << " (git " << f.git_revision << ") |\n";
  out << "| backend | " << f.backend << " |\n";
  out << "| points | " << f.points;
  if (f.sweep_dims.size() > 1 || f.sweep_dims.front() != "point") {
    out << " (";
    for (std::size_t a = 0; a < f.sweep_dims.size(); ++a)
      out << (a ? " x " : "") << f.sweep_dims[a] << " " << f.sweep_shape[a];
    out << ")";
  }
  out << " |\n| lanes | " << f.lane_count() << (f.lanes ? " (WDM bus: `lane` dimension)" : "")
      << " |\n";
  std::set<double> targets;
  for (const PointRow& r : rows) targets.insert(r.target_ber);
  out << "| target BER | ";
  for (auto it = targets.begin(); it != targets.end(); ++it)
    out << (it == targets.begin() ? "" : ", ") << number(*it);
  out << (f.real("margin_target_ber") ? " (margin_target_ber)"
                                      : " (KP4 RS(544,514); the file has no margin_target_ber)")
      << " |\n\n";
}

// Whether the file's rings have a thermal lock (mrm_lock other than not_modelled somewhere).
bool lock_modelled(const ReportFile& f) {
  return f.lock && std::any_of(f.lock->values.begin(), f.lock->values.end(), [&](std::uint8_t v) {
           return f.lock->meaning(v) != "not_modelled";
         });
}

std::vector<Column> point_columns(const ReportFile& f, const std::vector<PointRow>& all) {
  std::vector<Column> c;
  c.push_back({"point", [](const PointRow& r) { return std::to_string(r.point); }});
  for (const Coordinate& k : f.coordinates)
    c.push_back({with_units(k), [&k](const PointRow& r) { return number(k.values[r.point], 4); }});
  if (f.lanes)
    c.push_back({"worst lane", [](const PointRow& r) {
                   return r.worst_lane ? std::to_string(*r.worst_lane) : std::string();
                 }});
  c.push_back({"ber", [](const PointRow& r) { return number(r.ber); }});
  if (any_finite(all, [](const PointRow& r) { return r.ber_hi; }))
    c.push_back({"[ber_lo, ber_hi]", [](const PointRow& r) {
                   if (std::isnan(r.ber_lo)) return std::string();
                   std::string s = "[";  // appended: GCC 12 warns (-Wrestrict) on a + chain
                   s += number(r.ber_lo);
                   s += ", ";
                   s += number(r.ber_hi);
                   return s += "]";
                 }});
  auto real_column = [&](const std::string& title, double PointRow::*field, int digits) {
    if (any_finite(all, [field](const PointRow& r) { return r.*field; }))
      c.push_back({title, [field, digits](const PointRow& r) { return number(r.*field, digits); }});
  };
  if (any_finite(all, [](const PointRow& r) { return r.margin_db; }))
    c.push_back({"margin_db", [&f](const PointRow& r) {
                   std::string s = number(r.margin_db);
                   if (f.lanes && r.margin_lane && r.margin_lane != r.worst_lane)
                     s += " (lane " + std::to_string(*r.margin_lane) + ")";
                   return s;
                 }});
  real_column("sensitivity_oma_dbm", &PointRow::sensitivity_oma_dbm, 4);
  real_column("fec_frame_loss_ratio", &PointRow::fec_frame_loss_ratio, 3);
  real_column("port_power_w", &PointRow::port_power_w, 4);
  real_column("pJ/bit", &PointRow::energy_pj_per_bit, 4);
  for (std::size_t i = 0; i < f.energy_parts.size(); ++i)
    if (any_finite(all, [i](const PointRow& r) { return r.energy_parts[i]; }))
      c.push_back({part_name(f.energy_parts[i]),
                   [i](const PointRow& r) { return number(r.energy_parts[i], 3); }});
  real_column("lasers_per_port", &PointRow::lasers_per_port, 4);
  if (lock_modelled(f)) c.push_back({"mrm_lock", [](const PointRow& r) { return r.lock; }});
  c.push_back({"pass", [](const PointRow& r) { return verdict_text(r.verdict); }});
  return c;
}

void yield_section(const ReportFile& f, const ReportOptions& o, std::ostream& out) {
  const std::vector<YieldRow> rows = yield_rows(f, o.bank_rings);
  if (rows.empty()) return;
  out << "\n## Yield\n\n"
      << f.draws << " draws " << (rows.size() > 1 ? "at each grid point" : "in all")
      << ". A draw passes when every lane's BER passes as above"
      << (lock_modelled(f) ? " and its ring's `mrm_lock` is `locked`" : "")
      << "; yield = passed / finished, with its exact 95% Clopper-Pearson interval. Bank of N: "
         "the yield of a bus of N rings, yield^N (interval ends ^N), assuming the rings fail "
         "independently with this yield (rings on one die share their wafer's variation, "
         "which this ignores).\n\n";
  std::vector<const Coordinate*> grid;
  for (const Coordinate& k : f.coordinates)
    if (std::find(f.sweep_dims.begin(), f.sweep_dims.end(), k.name) != f.sweep_dims.end() &&
        k.name != "draw")
      grid.push_back(&k);
  out << "|";
  for (const Coordinate* k : grid) out << " " << with_units(*k) << " |";
  if (grid.empty()) out << " draws of |";
  out << " draws | finished | passed | yield | 95% interval | failed: lock | failed: BER |";
  for (int n : o.bank_rings) out << " bank of " << n << " |";
  out << "\n|";
  for (std::size_t i = 0; i < std::max<std::size_t>(grid.size(), 1) + 7 + o.bank_rings.size(); ++i)
    out << "---|";
  out << "\n";
  std::map<std::string, std::uint64_t> lock_failures;
  std::uint64_t finished = 0;
  for (const YieldRow& y : rows) {
    out << "|";
    for (const Coordinate* k : grid) out << " " << number(k->values[y.first_point], 4) << " |";
    if (grid.empty()) out << " all points |";
    auto share = [&](std::uint64_t k) {
      return std::to_string(k) +
             (y.finished ? " (" + fixed(100.0 * k / static_cast<double>(y.finished), 1) + "%)"
                         : "");
    };
    out << " " << y.draws << " | " << y.finished << " | " << y.passed << " | " << fixed(y.yield, 3)
        << " | [" << fixed(y.interval.lo, 3) << ", " << fixed(y.interval.hi, 3) << "] | "
        << share(y.failed_lock) << " | " << share(y.failed_ber) << " |";
    for (const BankYield& b : y.banks)
      out << " " << number(b.yield) << " [" << number(b.lo) << ", " << number(b.hi) << "] |";
    out << "\n";
    for (const auto& [meaning, count] : y.lock_failures) lock_failures[meaning] += count;
    finished += y.finished;
  }
  if (!lock_failures.empty()) {
    out << "\nLock failures by `mrm_lock`:";
    for (const auto& [meaning, count] : lock_failures) out << " " << meaning << " " << count << ";";
    out << " of " << finished << " finished draws.\n";
  }
}

}  // namespace

void write_markdown(const ReportFile& file, const ReportOptions& options, std::ostream& out) {
  const std::vector<PointRow> all = point_rows(file);
  header(file, all, out);
  const std::vector<Column> columns = point_columns(file, all);
  const std::vector<PointRow> shown = select_rows(all, options.worst);
  out << "## Points\n\n";
  if (options.worst)
    out << "The " << shown.size() << " of " << all.size() << " points with the smallest "
        << (any_finite(all, [](const PointRow& r) { return r.margin_db; })
                ? "margin_db"
                : "BER margin (highest ber_hi)")
        << ", worst first.\n\n";
  if (file.lanes)
    out << "Per point the worst lane (highest ber) of " << file.lanes << " and its figures"
        << (any_finite(all, [](const PointRow& r) { return r.margin_db; })
                ? "; margin_db is the smallest over the lanes (its lane named when another)"
                : "")
        << "; power and energy are the lanes' mean; pass needs every lane to pass.\n\n";
  if (std::any_of(columns.begin(), columns.end(),
                  [](const Column& c) { return c.header == "pJ/bit"; }))
    out << "Energy in pJ/bit: the total (energy_pj_per_bit) and its parts "
           "(energy_PART_pj_per_bit).\n\n";
  table(columns, shown, out);
  yield_section(file, options, out);
}

}  // namespace ll::report
