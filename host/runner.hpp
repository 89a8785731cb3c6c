// A run: expand the scenario into points, validate every point before anything runs, group the
// points into batches of one stage topology, run them on the chosen backend and append each
// finished batch to the HDF5 file (flushed, so a killed run keeps every finished point).
#pragma once

#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "host/backend.hpp"
#include "host/lane_setup.hpp"
#include "host/results.hpp"
#include "host/scenario.hpp"

namespace ll {

// The run's plan: every point checked and sorted into batches of one stage topology, and
// nothing of a point kept but its batch. A batch's links are set up again, a few at a time, when
// it runs (host/lane_setup.hpp is deterministic per point), so the memory of a run does not grow
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

struct RunOptions {
  std::string backend = "auto";
  std::string output_path;
  int threads = 0;  // 0: OpenMP's default
  // Continue a killed run: an existing output file of the same scenario and overrides keeps its
  // finished points and only the others run (a missing file starts afresh).
  bool resume = false;
  // Replace an existing output file (else it is refused; check_run_output). The file is created,
  // or replaced, when the run writes its first point: a run that fails before leaves none.
  bool overwrite = false;
  // --shard k/N: this process runs the points p with p mod N = k (round robin: shards of equal
  // work along any sweep) into its own file, the output path with ".shard-k-of-N" before its
  // extension. N = 1: every point, the output path as given.
  int shard = 0, shards = 1;
  // --devices: the GPUs to use ("all" or a list such as "0,2"; the CUDA backend only), two
  // workers on each so that one's set-up, transfers and writing overlap the other's kernels.
  std::string devices = "all";
  // At most this many links per unit of work (0: sized from the device's memory, or the CPU's
  // threads): a lower cap holds less memory per unit; the tests use it to make several units.
  std::size_t max_unit_links = 0;
};

// "k/N" (0 <= k < N) into options.shard and options.shards; false with `error` set otherwise.
bool parse_shard(const std::string& text, RunOptions& options, std::string& error);
// The shard a job array or an MPI launch gives this process ("k/N"), or "" outside one:
// SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, else the MPI rank and
// size (OMPI_COMM_WORLD_RANK / _SIZE, or PMI_RANK / PMI_SIZE). `getenv` is the lookup.
std::string shard_from_environment(const std::function<const char*(const char*)>& getenv);
// The file a shard writes: `path` with ".shard-k-of-N" before its extension (N > 1).
std::string shard_output_path(const std::string& path, int shard, int shards);

// The files a run reads: the scenario and the Touchstone channel it names (an output path must be
// none of them).
std::vector<std::string> run_input_files(const Scenario& s);
// The output path of a run with `options` (its shard's file under --shard): refused
// (OutputPathError, exit code 2) when it is an input, exists without --overwrite or --resume, or
// cannot be written (host/output_path.hpp). Called before the plan, so a bad path costs nothing.
void check_run_output(const Scenario& s, const RunOptions& options);

// `lightlane validate`: sizes and estimates for `backend` ("auto" | "cpu" | "cuda"; its time is
// measured on a chunk there), nothing written.
void print_validation(const SweepPlan& plan, const std::string& backend, int threads,
                      std::ostream& out);

// Runs everything; returns the process exit code (0). The output file is created (or, with
// --overwrite, replaced) when the first point is written: a run that fails before leaves no file,
// one that fails later keeps its finished points for --resume. The caller checks the output path
// first (check_run_output).
int execute_run(const SweepPlan& plan, const RunOptions& options, std::ostream& out,
                std::ostream& err);

PointResult point_result(const LinkOutcome& outcome, const LinkReport& report);

// TDECQ (PAM4) or TDEC (NRZ) of one point's links (one link, or a bus whose lanes share the
// engine; `reports` one per link): tdecq.symbols UI of noiseless waveform through the
// double-precision engine, against the OMA and P_avg of the settled levels. NaN for other orders
// and with tdecq.symbols = 0.
std::vector<double> point_tdecq_db(const SweepPlan& plan, const BatchSetup& settings,
                                   std::span<const LinkSetup> links, const LinkReport* reports,
                                   const LaneParams& lp);

// Runs units 0 .. units - 1 on `workers` workers (std::threads; one worker: the calling thread),
// worker w calling work(unit, w) for the next unit no worker has taken. The first exception stops
// the workers from taking more units and is rethrown once all have stopped.
void run_workers(std::size_t units, std::size_t workers,
                 const std::function<void(std::size_t unit, std::size_t worker)>& work);

// Bytes an engine holds for one link (buffers scale with chunk size, never with bit count).
std::size_t engine_bytes_per_link(const BatchSetup& batch);

}  // namespace ll
