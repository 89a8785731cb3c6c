// 802.3ck's floating DFE taps (ComSet::FloatingDfe): where the banks go, and the taps they and the
// tail's RSS limit leave.
//
// No clause text fixes the placement; the sheets' COM is the IEEE MATLAB code's (revision 4.50,
// `findbankloc` and `floatingDFE`), whose choice is reproduced here step for step, ties included
// (its `sort(..., 'descend')` keeps equal values in index order, as std::stable_sort does), so
// that the COM is the code's (tests/host/test_com_ck.cpp, against its Octave runs):
//   - each start s (taps s .. s + taps - 1 among first .. last) is rated by the energy a bank
//     there would take off: sum |h|^2 - max(0, |h| - limit h0)^2;
//   - if the (groups - 1) x taps + 1 strongest starts are the first ones, the banks are the first
//     groups x taps taps;
//   - otherwise bank by bank the strongest start, except that a start whose taps - 1
//     predecessors (the overlapping starts, "badV") rank above every start outside the bank is
//     passed over for the next strongest, and that where the start one bank before it ("goodV")
//     ranks first among the others, the next bank goes there; each bank's starts and those
//     overlapping it are then out.
// A start past the last (the code's array grows there) is never chosen: it is only ever marked
// out, and the sets' 26 starts leave the code's loop limit unreached.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "host/link/com_common.hpp"

namespace ll::com_detail {
namespace {

constexpr double kOut = -std::numeric_limits<double>::infinity();

// Start indices (1-based, as the code's) sorted by rating, strongest first, ties in index order.
std::vector<int> by_rating(const std::vector<double>& rating) {
  std::vector<int> order(rating.size() - 1);
  std::iota(order.begin(), order.end(), 1);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return rating[a] > rating[b]; });
  return order;
}

bool contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::vector<int> floating_dfe_banks(const std::vector<double>& h, int first, int last, int taps,
                                    int groups, double h0, double limit) {
  const int len = last - first + 1;
  const int starts = len - taps + 1;
  if (groups <= 0 || taps <= 0 || starts < 1) return {};
  // rating[s], s = 1 .. starts (index 0 unused): the energy the bank at s takes off, summed as
  // the code sums it (the energies before and after, each in tap order, then their difference:
  // starts that tie exactly must round alike for the sort to order them alike).
  std::vector<double> rating(static_cast<std::size_t>(starts) + 1, 0.0);
  for (int s = 1; s <= starts; ++s) {
    double before = 0.0, after = 0.0;
    for (int j = 0; j < taps; ++j) {  // p = s + j: the 1-based position among first .. last
      const double a = std::abs(h[static_cast<std::size_t>(first + s + j - 2)]);
      const double left = h0 < 0.0 ? 0.0 : std::max(0.0, a - limit * h0);
      before += a * a;
      after += left * left;
    }
    rating[static_cast<std::size_t>(s)] = before - after;
  }
  auto take_out = [&](int p) {
    if (p >= 1 && p <= starts) rating[static_cast<std::size_t>(p)] = kOut;
  };
  // The starts that overlap a bank at `start` from below (1-based, none below 1).
  auto overlapping = [&](int start) {
    std::vector<int> v;
    for (int p = std::max(1, start - taps + 1); p <= start - 1; ++p) v.push_back(p);
    return v;
  };

  std::vector<int> idx;  // the banks' taps, 1-based positions
  const int ordered = (groups - 1) * taps + 1;
  int next_bank = 0;
  for (int k = 1; k <= groups; ++k) {
    std::vector<int> order = by_rating(rating);
    if (k == 1 && ordered <= starts) {
      std::vector<int> top(order.begin(), order.begin() + ordered);
      std::sort(top.begin(), top.end());
      bool first_ones = true;
      for (int i = 0; i < ordered; ++i)
        first_ones = first_ones && top[static_cast<std::size_t>(i)] == i + 1;
      if (first_ones) {
        idx.resize(static_cast<std::size_t>(groups * taps));
        std::iota(idx.begin(), idx.end(), 1);
        break;
      }
    }
    if (next_bank > 0) {
      for (int j = 0; j < taps; ++j) {
        idx.push_back(next_bank + j);
        take_out(next_bank + j);
      }
      for (int p : overlapping(next_bank)) take_out(p);
      next_bank = 0;
      continue;
    }
    int start = order[0];
    if (k == groups) {
      for (int j = 0; j < taps; ++j) idx.push_back(start + j);
      break;
    }
    std::vector<int> bad;
    bool again = true, first_time = true;
    for (int loops = 0; again; ++loops) {
      again = false;
      if (loops > starts) break;
      bad.clear();
      for (int p : overlapping(start))
        if (!contains(idx, p)) bad.push_back(p);
      const int good = start - taps;
      if (bad.empty()) continue;
      if (!first_time) order = by_rating(rating);
      first_time = false;
      std::vector<int> check = bad;
      for (int j = 0; j < taps; ++j) check.push_back(start + j);
      int bad_rank = starts + 1;  // the best rank of an overlapping start (1-based)
      for (int p : bad)
        bad_rank = std::min(
            bad_rank,
            static_cast<int>(std::find(order.begin(), order.end(), p) - order.begin()) + 1);
      // The first start outside the bank and its overlaps, or `good` where it comes first.
      bool found_good = false;
      int stop = 0;
      for (int i = 0; i < static_cast<int>(order.size()); ++i) {
        stop = i + 1;
        if (order[static_cast<std::size_t>(i)] == good) {
          found_good = true;
          break;
        }
        if (!contains(check, order[static_cast<std::size_t>(i)])) break;
      }
      if (!found_good && bad_rank < stop) {
        again = true;
        take_out(start);
        start = order.size() > 1 ? order[1] : start;
      }
      if (found_good) next_bank = good;
    }
    for (int j = 0; j < taps; ++j) {
      idx.push_back(start + j);
      take_out(start + j);
    }
    for (int p : bad) take_out(p);
  }
  for (int& p : idx) p += first - 1;
  std::sort(idx.begin(), idx.end());
  return idx;
}

void floating_dfe(const ComSet::FloatingDfe& f, int fixed_taps, const std::vector<double>& h,
                  double h0, std::vector<double>& dfe) {
  const std::vector<int> banks =
      floating_dfe_banks(h, fixed_taps + 1, f.span, f.taps, f.groups, h0, f.limit);
  for (int n : banks) {
    const double b = h[static_cast<std::size_t>(n - 1)] / h0;
    dfe[static_cast<std::size_t>(n - 1)] = std::clamp(b, -f.limit, f.limit);
  }
  if (f.rss_start < 1 || f.rss_start > static_cast<int>(dfe.size())) return;
  double rss = 0.0;
  for (std::size_t n = static_cast<std::size_t>(f.rss_start - 1); n < dfe.size(); ++n)
    rss += dfe[n] * dfe[n];
  rss = std::sqrt(rss);
  if (rss > 0.0 && rss >= f.rss_max)
    for (std::size_t n = static_cast<std::size_t>(f.rss_start - 1); n < dfe.size(); ++n)
      dfe[n] *= f.rss_max / rss;
}

}  // namespace ll::com_detail
