// A run: expand the scenario into points, validate every point before anything runs, group the
// points into batches of one stage topology, run them on the chosen backend and append each
// finished batch to the HDF5 file (flushed, so a killed run keeps every finished point).
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "host/backend.hpp"
#include "host/lane_setup.hpp"
#include "host/results.hpp"
#include "host/scenario.hpp"

namespace ll {

struct PreparedRun {
  Scenario scenario;
  RunParams run;
  std::vector<LaneParams> params;  // per point
  // Lanes per point: 1, or wdm.channels for a WDM bus (the same for every point).
  std::size_t lanes = 1;
  std::vector<PreparedLink> links;                     // point-major: link p * lanes + lane
  std::vector<BatchSetup> batches;                     // points grouped by topology
  std::vector<std::vector<std::size_t>> batch_points;  // point index of each batch link
  std::vector<std::vector<std::size_t>> batch_lanes;   // lane index of each batch link
  // Points not simulated: their ring's (on a bus: any ring's) thermal lock fails (beyond the heater
  // budget, or thermally unstable), so where it sits is not known. Reported with stop_reason
  // not_run.
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
  // --shard k/N: this process runs the points p with p mod N = k (round robin: shards of equal
  // work along any sweep) into its own file, the output path with ".shard-k-of-N" before its
  // extension. N = 1: every point, the output path as given.
  int shard = 0, shards = 1;
};

// "k/N" (0 <= k < N) into options.shard and options.shards; false with `error` set otherwise.
bool parse_shard(const std::string& text, RunOptions& options, std::string& error);
// The shard a job array or an MPI launch gives this process ("k/N"), or "" outside one:
// SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, else the MPI rank and
// size (OMPI_COMM_WORLD_RANK / _SIZE, or PMI_RANK / PMI_SIZE). `getenv` is the lookup.
std::string shard_from_environment(const std::function<const char*(const char*)>& getenv);
// The file a shard writes: `path` with ".shard-k-of-N" before its extension (N > 1).
std::string shard_output_path(const std::string& path, int shard, int shards);

// `lightlane validate`: sizes and estimates, nothing written.
void print_validation(const PreparedRun& run, std::ostream& out);

// Runs everything; returns the process exit code (0).
int execute_run(const PreparedRun& run, const RunOptions& options, std::ostream& out,
                std::ostream& err);

PointResult point_result(const LinkOutcome& outcome, const LinkReport& report);

// Bytes an engine holds for one link (buffers scale with chunk size, never with bit count).
std::size_t engine_bytes_per_link(const BatchSetup& batch);

}  // namespace ll
