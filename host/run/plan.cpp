// The run's plan: every point checked before anything runs (in parallel, the first unsound
// point's error reported as a serial pass would meet it), sorted into batches of one stage
// topology, and each point set up again when it runs (host/run/plan.hpp).
#include "host/run/plan.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <stdexcept>

#include "kernels/cpu/parallel.hpp"
#include "kernels/engine/stage_list.hpp"
#include "host/link/stat_eye.hpp"

namespace ll {
namespace {

// What decides a link's batch: links that agree on it share one. The stage list (kernels/engine/
// stage_list.hpp) and what the engine's set-up shares across a batch. The drive's FIR H1 is not a
// stage of its own (the drive stage holds it) but stays in the key, so that the batches, and each
// batch's overlap-save history, are what they were.
struct StageTopology {
  int samples_per_ui, levels, pattern;
  bool has_h1;
  int bus_lanes;
  std::vector<std::string> stages;  // lane_stages: the stages' names in signal order
  auto operator<=>(const StageTopology&) const = default;
};

}  // namespace

std::size_t engine_bytes_per_link(const BatchSetup& b) {
  const std::size_t S = static_cast<std::size_t>(b.chunk_symbols) * b.samples_per_ui;
  const std::size_t H = b.overlap_history, B = overlap_save_valid(b);
  std::size_t floats = S + (S + H);                       // drive; photocurrent with filter history
  if (b.has_h2) floats += S + 2 * (S / B) * (H + B + 2);  // received waveform, FFT blocks, spectra
  // A fibre: its field with history, FFT blocks and spectra, complex; its history is at most a
  // chunk, so at most 2 S complex values each (an upper bound: the plan has no taps here).
  if (b.fibre) floats += 3 * 2 * (2 * S);
  std::size_t bytes = floats * sizeof(float);
  bytes += 2 * static_cast<std::size_t>(b.chunk_symbols);  // symbols, decisions
  bytes += static_cast<std::size_t>(b.eye_amplitude_bins) * 2 * b.samples_per_ui * 4;
  return bytes;
}

namespace {

// What the plan keeps of a point after checking it.
struct PointCheck {
  std::size_t lanes = 0;
  StageTopology topology{};
  BatchSetup settings;  // its batch's settings, without links
  bool locked = true;
  std::size_t h2_taps = 0;    // the longest receiver FIR of its lanes
  int history_symbols = 0;    // what the engine keeps in flight for its lanes (engine_span)
  int channel_symbols = 0;    // of them, the host channel's FIR (a Touchstone file's, say)
  std::vector<std::string> warnings;  // its lanes' set-up warnings
  std::exception_ptr error;  // set up failed: the scenario error to report
};

// The chunk doubled from `chunk` until it holds `symbols` (at most run.chunk_symbols' bound).
int chunk_holding(int chunk, int symbols) {
  while (chunk < symbols && chunk < (1 << 20)) chunk *= 2;
  return chunk;
}

// A point's batch settings (its links aside): the stages from its keys and its first link
// (stage_settings), the run's rules.
BatchSetup batch_settings(const LaneParams& lp, const LinkSetup& link, const RunParams& run) {
  BatchSetup b = stage_settings(lp, link);
  b.chunk_symbols = run.chunk_symbols;
  b.target_errors = run.target_errors;
  b.max_bits = run.max_bits;
  b.segment_bits = run.segment_bits;
  b.eye_symbols = run.eye_symbols;
  b.eye_amplitude_bins = run.eye_amplitude_bins;
  return b;
}

StageTopology stage_topology(const BatchSetup& b) {
  return StageTopology{b.samples_per_ui, b.levels,    static_cast<int>(b.pattern),
                       b.has_h1,         b.bus_lanes, lane_stages(b)};
}

}  // namespace

SweepPlan plan_sweep(const Scenario& s, int threads) {
  SweepPlan plan;
  plan.scenario = s;
  plan.run = run_params(s);
  const std::size_t P = s.points();
  plan.points = P;
  plan.first_point = lane_params(s, 0);
  // Every point is set up once to check it (in parallel: the set-up is independent per point and
  // its FFTW planning is serialised in host/link/filter_design.cpp), then only its batch is kept.
  std::vector<PointCheck> checks(P);
  const RunParams& run = plan.run;
#pragma omp parallel for schedule(dynamic, 8) num_threads(thread_count(threads))
  for (std::size_t p = 0; p < P; ++p) {
    PointCheck& c = checks[p];
    try {
      const LaneParams lp = lane_params(s, p);
      if (run.mode == "stat") {
        const std::string missing = stat_eye_unsupported(lp);
        if (!missing.empty())
          fail_key(s, "run.mode",
                   "\"stat\": the statistical eye does not model " + missing + " yet; use \"mc\"");
      }
      std::vector<PreparedLink> lanes = prepare_point(s, p, lp, run);
      c.lanes = lanes.size();
      BatchSetup alone = batch_settings(lp, lanes.front().setup, run);
      c.topology = stage_topology(alone);
      c.settings = alone;
      for (PreparedLink& l : lanes) {
        c.locked = c.locked && l.report.lock != LockStatus::beyond_heater_budget &&
                   l.report.lock != LockStatus::thermally_unstable;
        c.h2_taps = std::max(c.h2_taps, l.setup.h2_taps.size());
        c.channel_symbols = std::max(c.channel_symbols, l.report.channel_fir_symbols);
        for (const std::string& w : l.report.warnings)
          if (std::find(c.warnings.begin(), c.warnings.end(), w) == c.warnings.end())
            c.warnings.push_back(w);
        alone.links.push_back(std::move(l.setup));
      }
      // What the engine will count, so that it can refuse nothing the plan let through.
      c.history_symbols = engine_span(alone).history_symbols;
    } catch (...) {
      c.error = std::current_exception();
    }
  }
  // The first unsound point's error, as a serial pass would have met it.
  for (std::size_t p = 0; p < P; ++p) {
    if (checks[p].error) std::rethrow_exception(checks[p].error);
    if (p == 0) {
      plan.lanes = checks[0].lanes;
    } else if (checks[p].lanes != plan.lanes) {
      fail_key(s, "wdm.channels",
               "sweeping it would change the lane dimension; expected one value for the whole "
               "run");
    }
  }
  // The warnings: one that every point gives once, the others per point.
  {
    std::map<std::string, std::vector<std::size_t>> points_of;
    std::vector<std::string> order;
    for (std::size_t p = 0; p < P; ++p)
      for (const std::string& w : checks[p].warnings) {
        if (!points_of.count(w)) order.push_back(w);
        points_of[w].push_back(p);
      }
    for (const std::string& w : order) {
      const std::vector<std::size_t>& at = points_of[w];
      if (at.size() == P && P > 1) {
        plan.warnings.push_back("every point: " + w);
      } else {
        for (std::size_t p : at) plan.warnings.push_back("point " + std::to_string(p) + ": " + w);
      }
    }
  }
  // Without run.chunk_symbols the chunk grows (powers of two from 1024) to hold the longest
  // chain's symbols in flight (a real 200G host channel's impulse response spans more than 1024
  // UI); a chunk the user gave is kept, and refused below when too short.
  if (!run.chunk_symbols_given) {
    int needed = 0;
    for (const PointCheck& c : checks)
      if (c.locked) needed = std::max(needed, c.history_symbols);
    const int chunk = chunk_holding(plan.run.chunk_symbols, needed);
    plan.run.chunk_symbols = chunk;
    for (PointCheck& c : checks) c.settings.chunk_symbols = chunk;
  }
  // Points with the same stage topology run as one batch; its overlap-save history holds the
  // longest receiver FIR of all its points, so how a batch is later split cannot change a link.
  std::map<StageTopology, std::size_t> batch_of;
  std::vector<std::size_t> batch_h2_taps;
  for (std::size_t p = 0; p < P; ++p) {
    const PointCheck& c = checks[p];
    if (!c.locked) {
      plan.unlocked_points.push_back(p);
      continue;
    }
    auto it = batch_of.find(c.topology);
    if (it == batch_of.end()) {
      it = batch_of.emplace(c.topology, plan.batches.size()).first;
      plan.batches.push_back(c.settings);
      plan.batch_points.emplace_back();
      batch_h2_taps.push_back(1);
    }
    plan.batch_points[it->second].push_back(p);
    batch_h2_taps[it->second] = std::max(batch_h2_taps[it->second], c.h2_taps);
    // Every point's span must fit a chunk (a batch keeps its longest point's).
    if (c.history_symbols > run.chunk_symbols) {
      const int enough = chunk_holding(run.chunk_symbols, c.history_symbols);
      // channel_file_path says whether the channel is a file (not a parametric one).
      const std::string file = channel_file_path(s, plan.first_point);
      const std::string channel =
          c.channel_symbols > 0
              ? " (the host channel's impulse response alone spans " +
                    std::to_string(c.channel_symbols) + " symbols" +
                    (file.empty() ? std::string() : ": " + file) + ")"
              : std::string();
      fail_key(s, "run.chunk_symbols",
               "the chain keeps " + std::to_string(c.history_symbols) +
                   " symbols in flight at point " + std::to_string(p) + channel +
                   "; expected a chunk of at least that, e.g. " + std::to_string(enough) +
                   ", got " + std::to_string(run.chunk_symbols));
    }
  }
  // Every point shares the eye's phase axis (2 x samples_per_ui bins); a sweep of
  // samples_per_ui would not.
  for (const BatchSetup& b : plan.batches)
    if (b.samples_per_ui != plan.batches.front().samples_per_ui)
      fail_key(s, "signal.samples_per_ui",
               "sweeping it would give eyes of different phase axes; expected one value for the "
               "whole run");
  // A segment's noise is indexed below bit kSegmentIndexShift of the sample index
  // (physics/noise.hpp): segments far shorter than that, or none.
  if (run.segment_bits > 0 && run.segment_bits < run.max_bits) {
    const BatchSetup& b0 = plan.batches.empty() ? BatchSetup{} : plan.batches.front();
    const double samples = static_cast<double>(run.segment_bits) /
                           symbol_mapping(b0.levels).bits_per_symbol() * b0.samples_per_ui;
    if (samples > std::ldexp(1.0, kSegmentIndexShift - 2))
      fail_key(s, "run.segment_bits",
               "segments of " + std::to_string(run.segment_bits) + " bits run " +
                   format_number(samples, 3) + " samples each; expected fewer than 2^" +
                   std::to_string(kSegmentIndexShift - 2) + " (or 0: one segment)");
  }
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    BatchSetup& batch = plan.batches[b];
    LinkSetup longest;  // overlap_save_history reads the links' receiver FIRs
    longest.h2_taps.resize(batch_h2_taps[b]);
    batch.links.assign(1, longest);
    batch.overlap_history = overlap_save_history(batch);
    batch.links.clear();
    // A chunk sized here also grows to a whole number of the filters' blocks (both are powers
    // of two times the samples per UI, so doubling reaches one).
    if (!run.chunk_symbols_given)
      while (static_cast<std::size_t>(batch.chunk_symbols) * batch.samples_per_ui %
                     overlap_save_valid(batch) != 0 &&
             batch.chunk_symbols < (1 << 20))
        batch.chunk_symbols *= 2;
    const std::size_t chunk_samples =
        static_cast<std::size_t>(batch.chunk_symbols) * batch.samples_per_ui;
    if (chunk_samples % overlap_save_valid(batch) != 0)
      fail_key(s, "run.chunk_symbols",
               "the filters' impulse responses need blocks of " +
                   std::to_string(overlap_save_valid(batch)) +
                   " samples; expected a chunk whose samples are a multiple of that, got " +
                   std::to_string(chunk_samples) + " samples");
  }
  return plan;
}

PreparedPoints prepare_points(const SweepPlan& plan, std::size_t batch,
                              const std::vector<std::size_t>& points, int threads) {
  PreparedPoints out;
  out.batch = plan.batches.at(batch);
  out.points = points;
  const std::size_t n = points.size(), lanes = plan.lanes;
  out.params.resize(n);
  out.batch.links.resize(n * lanes);
  out.reports.resize(n * lanes);
  parallel_for(n, threads, [&](std::size_t i) {
    try {
      out.params[i] = lane_params(plan.scenario, points[i]);
      std::vector<PreparedLink> links =
          prepare_point(plan.scenario, points[i], out.params[i], plan.run);
      for (std::size_t j = 0; j < lanes; ++j) {
        out.batch.links[i * lanes + j] = std::move(links[j].setup);
        out.reports[i * lanes + j] = std::move(links[j].report);
      }
    } catch (const std::exception& e) {
      // The plan set every point up once already: this cannot be bad input.
      throw std::runtime_error("setting up a planned point failed: " + std::string(e.what()));
    }
  });
  return out;
}

PreparedRun prepare_run(const Scenario& s) {
  const SweepPlan plan = plan_sweep(s);
  PreparedRun r;
  r.scenario = s;
  r.run = plan.run;
  r.lanes = plan.lanes;
  r.unlocked_points = plan.unlocked_points;
  const std::size_t P = plan.points;
  r.params.resize(P);
  r.links.resize(P * plan.lanes);
  auto keep = [&](PreparedPoints&& pp) {
    for (std::size_t i = 0; i < pp.points.size(); ++i) {
      r.params[pp.points[i]] = pp.params[i];
      for (std::size_t j = 0; j < plan.lanes; ++j)
        r.links[pp.points[i] * plan.lanes + j] = {pp.batch.links[i * plan.lanes + j],
                                                  pp.reports[i * plan.lanes + j]};
    }
  };
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    PreparedPoints pp = prepare_points(plan, b, plan.batch_points[b]);
    r.batches.push_back(pp.batch);
    r.batch_points.emplace_back();
    r.batch_lanes.emplace_back();
    for (const std::size_t p : pp.points)
      for (std::size_t j = 0; j < plan.lanes; ++j) {
        r.batch_points.back().push_back(p);
        r.batch_lanes.back().push_back(j);
      }
    keep(std::move(pp));
  }
  if (!plan.unlocked_points.empty()) {
    // Their links are set up too (their reports say why they are not run).
    SweepPlan unlocked = plan;
    unlocked.batches.assign(1, BatchSetup{});
    keep(prepare_points(unlocked, 0, plan.unlocked_points));
  }
  return r;
}

// A point's links and reports, set up again (host/link/lane_setup.hpp is deterministic per point).
std::vector<PreparedLink> point_links(const SweepPlan& plan, std::size_t p) {
  return prepare_point(plan.scenario, p, lane_params(plan.scenario, p), plan.run);
}

}  // namespace ll
