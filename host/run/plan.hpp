// The run's plan and a point's set-up (host/link/lane_setup.hpp does one point): every point checked
// before anything runs, sorted into batches of one stage topology, and set up again, a few at a
// time, when it runs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/engine/lane_engine.hpp"
#include "host/link/lane_setup.hpp"
#include "host/scenario/scenario.hpp"

namespace ll {

// The run's plan: every point checked and sorted into batches of one stage topology, and
// nothing of a point kept but its batch. A batch's links are set up again, a few at a time, when
// it runs (host/link/lane_setup.hpp is deterministic per point), so the memory of a run does not grow
// with its points: about 16 bytes per point here, against ~45 KB for a point's set-up links.
struct SweepPlan {
  Scenario scenario;
  RunParams run;
  std::size_t points = 0;
  // Lanes per point: 1, or wdm.channels for a WDM bus (the same for every point).
  std::size_t lanes = 1;
  LaneParams first_point;           // point 0's: what every point shares (samples per UI, WDM)
  std::vector<BatchSetup> batches;  // each batch's settings; `links` stays empty
  std::vector<std::vector<std::size_t>> batch_points;  // the points of each batch, ascending
  // Points not simulated: their ring's (on a bus: any ring's) thermal lock fails (beyond the heater
  // budget, or thermally unstable), so where it sits is not known. Reported with stop_reason
  // not_run.
  std::vector<std::size_t> unlocked_points;
  // What the points' set-ups warned of ("point P: ..."; a warning every point shares, once, as
  // "every point: ..."), for the command line to print before anything runs.
  std::vector<std::string> warnings;
};

// Checks every point (on `threads` threads; 0: OpenMP's default) and plans the batches. Throws
// ScenarioError (exit code 2) for the first unsound point, before anything runs.
SweepPlan plan_sweep(const Scenario& s, int threads = 0);

// Some points of one batch, set up: what a backend runs.
struct PreparedPoints {
  BatchSetup batch;                 // the batch's settings with these points' links
  std::vector<std::size_t> points;  // per point
  std::vector<LaneParams> params;   // per point
  std::vector<LinkReport> reports;  // per link (point-major: i * lanes + lane)
};
// Sets up `points` (each in plan.batch_points[batch]) on `threads` threads.
PreparedPoints prepare_points(const SweepPlan& plan, std::size_t batch,
                              const std::vector<std::size_t>& points, int threads = 0);

// The whole run set up at once, every point's links held: for tests and tools that look at the
// links. `lightlane run` uses the plan and sets up a batch's points as it runs them.
struct PreparedRun {
  Scenario scenario;
  RunParams run;
  std::vector<LaneParams> params;  // per point
  std::size_t lanes = 1;
  std::vector<PreparedLink> links;                     // point-major: link p * lanes + lane
  std::vector<BatchSetup> batches;                     // points grouped by topology
  std::vector<std::vector<std::size_t>> batch_points;  // point index of each batch link
  std::vector<std::vector<std::size_t>> batch_lanes;   // lane index of each batch link
  std::vector<std::size_t> unlocked_points;
};

// Throws ScenarioError (exit code 2) on the first unsound point.
PreparedRun prepare_run(const Scenario& s);

// A point's links and reports, set up again (host/link/lane_setup.hpp is deterministic per point).
std::vector<PreparedLink> point_links(const SweepPlan& plan, std::size_t p);

// Bytes an engine holds for one link (buffers scale with chunk size, never with bit count).
std::size_t engine_bytes_per_link(const BatchSetup& batch);

}  // namespace ll
