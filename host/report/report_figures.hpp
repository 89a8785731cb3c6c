// The figures of `lightlane report`: per point the port's worst lane and whether it passes, and
// with draws the yield, its exact interval and the ring-bank yield. Pure functions of a
// ReportFile (tests/host/test_report.cpp checks them on files built by hand).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/report/report_file.hpp"

namespace ll::report {

// KP4 RS(544,514)'s pre-FEC BER threshold: the target when the file has no margin_target_ber.
inline constexpr double kKp4TargetBer = 2.4e-4;

enum class Verdict { pass, fail, not_run };

// A lane's BER against `target`: its 95% upper bound ber_hi below the target (the statistical
// mode's ber where ber_lo / ber_hi are NaN); not_run when ber is NaN (the point did not run).
Verdict ber_verdict(double ber, double ber_hi, double target);

// The lane with the highest ber (ties: the higher ber_hi, then the lower lane); nothing when no
// lane has a BER. `ber` and `ber_hi` hold one value per lane.
std::optional<std::size_t> worst_lane(const std::vector<double>& ber,
                                      const std::vector<double>& ber_hi);

struct Interval {
  double lo, hi;
};

// The exact (Clopper-Pearson) two-sided 95% interval of a success probability after `passed` of
// `n` trials (Boost.Math's binomial bounds, 0.025 each side); n == 0 gives [0, 1].
Interval clopper_pearson_95(std::uint64_t passed, std::uint64_t n);

// A bank of `rings` independent rings, each passing with probability `yield`: yield^rings, the
// interval's ends raised to the same power (each end is monotone in the ring's yield).
struct BankYield {
  int rings;
  double yield, lo, hi;
};
BankYield bank_yield(double yield, Interval interval, int rings);

// One point of the table: the worst lane's figures (NaN where the file has none).
struct PointRow {
  std::size_t point;
  std::optional<std::size_t> worst_lane;  // by ber; nothing when no lane ran
  double ber, ber_lo, ber_hi;
  std::optional<std::size_t> margin_lane;  // the lane with the smallest margin_db
  double margin_db, sensitivity_oma_dbm;
  double fec_frame_loss_ratio;
  double target_ber;
  // Per-port figures: the mean over the lanes (each lane's port_power_w is its estimate of the
  // port; a bus's lanes average to the port's).
  double port_power_w, energy_pj_per_bit, lasers_per_port;
  std::vector<double> energy_parts;    // as ReportFile::energy_parts
  std::string lock;                    // the worst lock meaning over lanes ("" without mrm_lock)
  bool lock_ok = true;                 // every lane locked (or the lock not modelled)
  Verdict verdict = Verdict::not_run;  // the worst lane's BER, and the lock
};
std::vector<PointRow> point_rows(const ReportFile& file);

// The rows to print: every row, or with `worst` the `worst` rows of smallest margin_db (the
// highest BER figure where the file has no margin), not-run points last, in that order.
std::vector<PointRow> select_rows(std::vector<PointRow> rows, std::optional<std::size_t> worst);

// One yield group: the draws at one grid point (or all of a `point` file's draws).
struct YieldRow {
  std::size_t group;        // grid point index (draw-major order removed)
  std::size_t first_point;  // its draw 0
  std::uint64_t draws = 0, finished = 0, passed = 0, failed_lock = 0, failed_ber = 0;
  std::map<std::string, std::uint64_t> lock_failures;  // failed_lock by the flag's meaning
  double yield = 0.0;                                  // passed / finished (NaN when none finished)
  Interval interval{0.0, 1.0};
  std::vector<BankYield> banks;
};
// Per group of ReportFile::draws points; nothing when the file has no draws. A draw passes when
// every lane passes (ber_verdict against its target) and, with mrm_lock, every lane is `locked`;
// one that failed the lock counts as failed by lock whatever its BER; unfinished draws (not run,
// lock fine) are left out of the fraction.
std::vector<YieldRow> yield_rows(const ReportFile& file, const std::vector<int>& bank_rings);

// The lock's meaning that counts as held, and the one of a file without the thermal model.
bool lock_holds(const std::string& meaning);

}  // namespace ll::report
