// A point's bits as independent segments (run.segment_bits): what lets one long point use every
// core, and gives counts that depend on neither the thread count, the chunk size nor the backend.
//
// Segment k of a link is the link with its own noise stream and pattern position (segment 0 is
// the link itself: a point of one segment counts exactly what it counted before segments). Each
// segment starts afresh, settles its filters over the link's warm-up like any run, and counts
// up to run.segment_bits bits or the point's target errors. The point's counts are its segments'
// sums taken in segment order, stopping at the first segment after which the errors reach the
// target, or after the last: ceil(max_bits / segment_bits) segments, the last holding what remains
// of the budget. A backend may run segments in any order and at once;
// segments past the stop are left out, so the sum is the same whatever ran.
//
// Long memory: a link with the thermal lock loop keeps its point in one segment (the loop's
// heater state is the point's history), and so do one with clock recovery (a CDR acquires its
// phase once per run; restarting it per segment would count its acquisition again) and one whose
// equaliser adapts by LMS during the run (its taps converge once). Their warm-up is the run's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/engine/batch_setup.hpp"
#include "physics/noise.hpp"

namespace ll {

// A segment's bits: run.segment_bits rounded down to whole FEC frames, so that no codeword is cut
// at a segment's end and the segments' budgets add up to the point's exactly, as one engine counts
// it: 65,280 bits (12 x 5,440: RS(544,514) codewords at any interleave of 1 to 4, and whole
// labels of 1, 2, 3 or 5 bits), or with the inner Hamming(128,120) code 1,044,480 line bits (8,160
// blocks of 128, whose 979,200 message bits are 15 such frames). At least one such unit.
inline std::uint64_t segment_bits(const BatchSetup& b) {
  std::uint64_t unit = 12 * kRsCodewordSymbols * kRsSymbolBits;
  for (const LinkSetup& l : b.links)
    if (l.constants.fec_inner) unit = 1'044'480;
  return std::max(unit, b.segment_bits - b.segment_bits % unit);
}

// Segments of each link of `b` (the same for all: the batch shares its budget and stages).
inline std::uint64_t segment_count(const BatchSetup& b) {
  const std::uint64_t bits = segment_bits(b);
  if (b.segment_bits == 0 || b.max_bits <= bits || b.cdr) return 1;
  for (const LinkSetup& l : b.links)
    if (l.thermal_loop.enabled || l.equalizer.adapt_lms != 0) return 1;
  return (b.max_bits + bits - 1) / bits;
}

// Segment k of `link`: its own noise stream (NoiseKey::segment) and, for k > 0, a pattern
// position drawn from that stream (as a WDM lane's is).
inline LinkSetup segment_link(const LinkSetup& link, std::uint32_t k) {
  LinkSetup s = link;
  if (k == 0) return s;
  s.noise_key.segment = k;
  s.prbs_seed = philox_words(s.noise_key, NoiseStream::pattern, 0)[0] | 1u;
  return s;
}

// The batch segment k of `b` runs: its links' segment k, each with one segment's budget (the
// last, what remains of the point's), the eye filled by segment 0 alone.
inline BatchSetup segment_batch(const BatchSetup& b, std::uint64_t segments, std::uint32_t k) {
  BatchSetup s = b;
  for (LinkSetup& l : s.links) l = segment_link(l, k);
  if (segments > 1)
    s.max_bits = k + 1 < segments ? segment_bits(b) : b.max_bits - (segments - 1) * segment_bits(b);
  if (k > 0) s.eye_symbols = 0;
  return s;
}

// One link's segments summed in order (add() them 0, 1, ...; done() once the stop rule is met).
class SegmentSum {
 public:
  SegmentSum(std::uint64_t target_errors, std::uint64_t segments)
      : target_errors_(target_errors), segments_(segments) {}

  bool done() const { return done_; }

  // Adds the next segment in order; ignored once done.
  // Segment 0 brings what only it has (the eye) and what every segment has alike (the fixed
  // equaliser taps: LMS, like a CDR, keeps a point in one segment, so no sum has either's state
  // to combine); later segments add their counts.
  void add(LinkOutcome&& seg) {
    if (done_) return;
    LinkCounters& t = total_.counters;
    const LinkCounters& c = seg.counters;
    if (added_ == 0) {
      total_ = std::move(seg);
    } else {
      t.bits += c.bits;
      t.bit_errors += c.bit_errors;
      t.symbols += c.symbols;
      t.symbol_errors += c.symbol_errors;
      t.stop_symbol = c.stop_symbol;
      for (int i = 0; i < kBurstBins; ++i) t.bursts[i] += c.bursts[i];
      t.fec.codewords += c.fec.codewords;
      for (int i = 0; i < kFecHistogramBins; ++i) t.fec.histogram[i] += c.fec.histogram[i];
      t.fec.inner_message_bits += c.fec.inner_message_bits;
      t.fec.inner_residual_errors += c.fec.inner_residual_errors;
    }
    ++added_;
    if (t.bit_errors >= target_errors_) {
      t.stop_reason = kStopTargetErrors;
      done_ = true;
    } else if (added_ == segments_) {
      t.stop_reason = kStopBitBudget;
      done_ = true;
    }
  }

  // The point's outcome (call once done).
  LinkOutcome take() { return std::move(total_); }

 private:
  std::uint64_t target_errors_, segments_;
  std::uint64_t added_ = 0;
  bool done_ = false;
  LinkOutcome total_;
};

}  // namespace ll
