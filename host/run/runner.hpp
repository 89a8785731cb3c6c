// A run: the plan (host/run/plan.hpp: every point checked before anything runs, grouped into batches
// of one stage topology) run on the chosen backend, each finished point appended to the HDF5 file
// (host/run/sweep_output.hpp: flushed, so a killed run keeps every finished point); shards; `lightlane
// validate`'s report (host/run/validation.cpp).
#pragma once

#include <functional>
#include <iosfwd>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "host/run/backend.hpp"
#include "host/run/plan.hpp"
#include "host/run/progress.hpp"
#include "host/io/results.hpp"
#include "host/scenario/scenario.hpp"
#include "host/run/sweep_output.hpp"

namespace ll {

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
  // The Python module's run: the file made in memory, its bytes handed here at the end (or when
  // the run stops), output_path then ignored and nothing written to disk; and its hold on the
  // run (progress, stop: host/run/progress.hpp). Null for the command line.
  std::vector<std::uint8_t>* memory_image = nullptr;
  RunControl* control = nullptr;
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
// cannot be written (host/io/output_path.hpp). Called before the plan, so a bad path costs nothing.
void check_run_output(const Scenario& s, const RunOptions& options);

// `lightlane validate`: sizes and estimates for `backend` ("auto" | "cpu" | "cuda"; its time is
// measured on a chunk there), nothing written.
// `estimate`, when given, gets the figures it prints (NaN where not estimated).
struct ValidationEstimate {
  double seconds = std::numeric_limits<double>::quiet_NaN();  // the run's time, at most
  double symbols_per_s = std::numeric_limits<double>::quiet_NaN();  // Monte Carlo: its rate
  double eye_seconds = std::numeric_limits<double>::quiet_NaN();    // stat: one eye's time
  double engine_bytes = std::numeric_limits<double>::quiet_NaN();   // engine buffers
  std::uint64_t max_bits = 0;  // the bits the run counts at most, every link's budget summed
};
void print_validation(const SweepPlan& plan, const std::string& backend, int threads,
                      std::ostream& out, ValidationEstimate* estimate = nullptr);

// Runs everything; returns the process exit code (0). The output file is created (or, with
// --overwrite, replaced) when the first point is written: a run that fails before leaves no file,
// one that fails later keeps its finished points for --resume. The caller checks the output path
// first (check_run_output).
int execute_run(const SweepPlan& plan, const RunOptions& options, std::ostream& out,
                std::ostream& err);

// TDECQ (PAM4) or TDEC (NRZ) of one point's links (one link, or a bus whose lanes share the
// engine; `reports` one per link): tdecq.symbols UI of noiseless waveform through the
// double-precision engine, against the OMA and P_avg of the settled levels. NaN for other orders
// and with tdecq.symbols = 0.
std::vector<double> point_tdecq_db(const SweepPlan& plan, const BatchSetup& settings,
                                   std::span<const LinkSetup> links, const LinkReport* reports,
                                   const LaneParams& lp);

// The margins of one point's lanes (host/link/margin.hpp; a bus's lanes get NaN: the statistical eye
// does not model a WDM bus).
// In the Monte-Carlo mode each is confirmed by counting the point's link at the sensitivity
// found, with `settings` (its batch's) on one CPU thread.
std::vector<LaneMargin> point_margins(const SweepPlan& plan, const BatchSetup& settings,
                                      std::size_t point, const LaneParams& lp,
                                      const LinkReport* reports, std::size_t lanes);

// Runs units 0 .. units - 1 on `workers` workers (std::threads; one worker: the calling thread),
// worker w calling work(unit, w) for the next unit no worker has taken. The first exception stops
// the workers from taking more units and is rethrown once all have stopped.
void run_workers(std::size_t units, std::size_t workers,
                 const std::function<void(std::size_t unit, std::size_t worker)>& work);

// Links per unit of work on `backend`: what one prepare-run-write round holds at once (whole
// points), for a batch of `settings`, the device's free memory shared by `workers_per_device`.
std::size_t unit_links(const SweepPlan& plan, const BatchSetup& settings,
                       const BackendChoice& backend, int workers_per_device);

}  // namespace ll
