#include "host/run/runner.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <span>
#include <thread>
#include <unordered_map>

#include "build_info.hpp"
#include "kernels/cpu/cpu_exec.hpp"
#include "host/link/eye_metrics.hpp"
#include "host/io/hdf5_writer.hpp"
#include "host/link/margin.hpp"
#include "host/io/output_path.hpp"
#include "kernels/cpu/parallel.hpp"
#include "host/link/stat_eye.hpp"
#include "host/link/tdecq.hpp"

namespace ll {
namespace {

std::string units_of(const std::string& key) {
  const auto info = find_key(key);
  return info ? info->units : "1";
}

}  // namespace

// Links per unit of work on the backend: what one prepare-run-write round holds at once.
// CPU (statistical eyes on one thread per unit; the Monte-Carlo engine streams point by point
// instead): 64 links, a few tens of ms of eyes, written in one go, small against a sweep. GPU:
// the statistical eye's launches of 4096 links four at a time; the engine as many links as fit in
// half the free memory of the device, shared by its workers (the engine's buffers per link,
// doubled for cuFFT's work areas).
std::size_t unit_links(const SweepPlan& plan, const BatchSetup& settings,
                       const BackendChoice& backend, int workers_per_device) {
  std::size_t links = 0;
  if (backend.kind == BackendKind::cpu) {
    links = 64;
  } else if (plan.run.mode == "stat") {
    links = 4 * 4096;
  } else {
    std::size_t free = std::numeric_limits<std::size_t>::max();
    for (const int d : backend.devices) free = std::min(free, cuda_free_memory_bytes(d));
    const std::size_t per_link = 2 * engine_bytes_per_link(settings);
    links = std::clamp<std::size_t>(
        free / 2 / static_cast<std::size_t>(workers_per_device) / per_link, 1, 65536);
  }
  return std::max<std::size_t>(1, links / plan.lanes) * plan.lanes;  // whole points
}

namespace {
int run_points(const SweepPlan& plan, const std::vector<bool>& skip, const OutputLayout& layout,
               const BackendChoice& backend, std::unique_ptr<Hdf5Writer> writer,
               std::size_t points, std::size_t done, const std::string& output_path,
               const RunOptions& options, std::ostream& out, std::ostream& err);
}  // namespace

int execute_run(const SweepPlan& plan, const RunOptions& options, std::ostream& out,
                std::ostream& err) {
  const BackendChoice backend = choose_backend(options.backend, options.threads, options.devices);

  const std::size_t P = plan.points;
  OutputLayout layout;
  layout.points = P;
  layout.lanes = plan.first_point.wdm.channels > 0 ? plan.lanes : 0;
  for (const SweepAxis& a : plan.scenario.sweep) {
    layout.swept.push_back({a.key, units_of(a.key), a.values, {}});
    for (const SweepAxis& g : plan.scenario.grid)
      if (g.key == a.key) layout.swept.back().axis = g.values;
  }
  layout.draws = plan.scenario.draws_per_grid_point;
  const int spu = plan.first_point.samples_per_ui;
  const int amp_bins = plan.run.eye_amplitude_bins;
  const double range = BatchSetup{}.eye_amplitude_range;
  for (int a = 0; a < amp_bins; ++a)
    layout.eye_amplitude.push_back(-range + (a + 0.5) * 2.0 * range / amp_bins);
  for (int p = 0; p < 2 * spu; ++p)
    layout.eye_phase_ui.push_back(static_cast<double>(p - spu) / spu);
  for (int p = 0; p < spu; ++p)
    layout.bathtub_phase_ui.push_back(static_cast<double>(p - spu / 2) / spu);
  if (plan.run.mode == "stat") {
    layout.contour_ber = plan.run.eye_contour_bers;
    layout.eye_edges = 2 * (plan.first_point.levels - 1);
  }
  layout.com_set = plan.first_point.channel.com_set;
  layout.scenario_text = plan.scenario.text;
  layout.scenario_path = plan.scenario.path;
  layout.version = LIGHTLANE_VERSION;
  layout.git_revision = LIGHTLANE_GIT_REVISION;
  layout.backend = backend.description;

  for (const std::string& o : plan.scenario.overrides) layout.scenario_overrides += o + "\n";
  if (options.shards > 1)
    layout.shard = std::to_string(options.shard) + "/" + std::to_string(options.shards);
  const std::string output_path =
      options.memory_image ? std::string("(in memory)")
                           : shard_output_path(options.output_path, options.shard, options.shards);

  // --resume on an existing file: its finished points stay, the others run (their noise is keyed
  // by point and sample, so they count what an uninterrupted run would have).
  const bool resuming =
      options.resume && !options.memory_image && std::filesystem::exists(output_path);
  // A resumed file is opened now (its finished points decide what runs); a new one when the first
  // point is written (SweepOutput), so that a run failing before leaves no file.
  std::unique_ptr<Hdf5Writer> writer;
  if (resuming) {
    try {
      writer = std::make_unique<Hdf5Writer>(output_path, layout, Hdf5Writer::Mode::resume);
    } catch (const std::invalid_argument& e) {
      throw OutputPathError(e.what());  // another run's file: bad input
    } catch (const Hdf5FileError& e) {
      throw OutputPathError(e.what());  // not a file HDF5 can open: bad input too
    }
  }
  // The points this process leaves alone: another shard's, and those a resumed file has.
  // Said once nothing more can be refused (a refusal is one line).
  if (!backend.note.empty()) err << "lightlane: " << backend.note << "\n";
  err << "lightlane: backend " << backend.description << "\n";
  for (const std::string& w : plan.warnings) err << "lightlane: warning: " << w << "\n";
  std::vector<bool> skip(P, false);
  std::size_t mine = P, done = 0;
  if (options.shards > 1) {
    for (std::size_t p = 0; p < P; ++p)
      skip[p] =
          p % static_cast<std::size_t>(options.shards) != static_cast<std::size_t>(options.shard);
    mine = static_cast<std::size_t>(std::count(skip.begin(), skip.end(), false));
    err << "lightlane: shard " << layout.shard << ": " << mine << " of " << P << " points, into "
        << output_path << "\n";
  }
  if (resuming) {
    const std::vector<bool> finished = writer->finished_points();
    for (std::size_t p = 0; p < P; ++p)
      if (finished[p] && !skip[p]) {
        skip[p] = true;
        ++done;
      }
    err << "lightlane: resuming " << output_path << ": " << done << " of " << mine
        << " points finished, " << (mine - done) << " to run\n";
  } else if (options.resume) {
    err << "lightlane: --resume: " << output_path << " does not exist; starting it\n";
  }
  return run_points(plan, skip, layout, backend, std::move(writer), mine, done, output_path,
                    options, out, err);
}


std::vector<double> point_tdecq_db(const SweepPlan& plan, const BatchSetup& settings,
                                   std::span<const LinkSetup> links, const LinkReport* reports,
                                   const LaneParams& lp) {
  const std::size_t lanes = links.size();
  std::vector<double> out(lanes, std::numeric_limits<double>::quiet_NaN());
  if (plan.run.tdecq_symbols == 0 || (settings.levels != 2 && settings.levels != 4)) return out;
  if (lp.modulator == Modulator::none) return out;  // TDECQ is an optical transmitter's measure
  BatchSetup one = settings;
  one.links.assign(links.begin(), links.end());
  std::vector<double> responsivity(lanes), dark(lanes);
  for (std::size_t j = 0; j < lanes; ++j) {
    responsivity[j] = reports[j].responsivity_a_per_w;
    dark[j] = reports[j].dark_current_a;
  }
  const std::vector<std::vector<double>> power =
      received_optical_power(one, 0, lanes, plan.run.tdecq_symbols, responsivity, dark);
  for (std::size_t j = 0; j < lanes; ++j) {
    TdecqSettings s;
    s.levels = settings.levels;
    s.samples_per_ui = settings.samples_per_ui;
    s.symbol_rate_hz = lp.symbol_rate_hz;
    s.ffe_taps = plan.run.tdecq_ffe_taps;
    s.rin_db_per_hz = lp.laser_rin_db_per_hz;
    // OMA outer from the settled outer levels (what the SSPRQ's long runs measure), P_avg
    // their mean (a balanced pattern's).
    const SettledOpticalLevels settled = settled_optical_levels(reports[j], settings.levels);
    s.average_power_w = settled.average_power_w;
    out[j] = tdecq(power[j], settled.oma_outer_w, s).tdecq_db;
  }
  return out;
}

std::vector<LaneMargin> point_margins(const SweepPlan& plan, const BatchSetup& settings,
                                      std::size_t point, const LaneParams& lp,
                                      const LinkReport* reports, std::size_t lanes) {
  std::vector<LaneMargin> out(lanes);
  if (!plan.run.margin) return out;
  // A count's budget: 200 errors at most (+-14%), and bits for them at a tenth of the target:
  // the check confirms a root, it is not the point's own budget (a point run to 1e9 errors).
  auto check_batch = [&] {
    BatchSetup one = settings;
    one.eye_symbols = 0;
    one.target_errors = std::min<std::uint64_t>(settings.target_errors, 200);
    one.max_bits = std::min<std::uint64_t>(
        settings.max_bits,
        static_cast<std::uint64_t>(std::ceil(10.0 * 200.0 / plan.run.margin_target_ber)));
    return one;
  };
  if (lanes > 1 || lp.modulator == Modulator::microled) {
    // A WDM bus, or a micro-LED: the statistical eye does not model them; the search counts (the
    // whole bus).
    if (plan.run.mode != "mc") return out;
    std::vector<double> oma(lanes);
    for (std::size_t j = 0; j < lanes; ++j)
      oma[j] = 10.0 * std::log10(settled_optical_levels(reports[j], lp.levels).oma_outer_w / 1e-3);
    return bus_margins(lp, plan.run, oma, [&](const LaneParams& q) {
      BatchSetup one = check_batch();
      one.links.clear();
      for (PreparedLink& l : prepare_point(plan.scenario, point, q, plan.run))
        one.links.push_back(std::move(l.setup));
      const std::vector<LinkOutcome> n = run_batch_cpu(one, 1);
      std::vector<MonteCarloCount> counts;
      for (const LinkOutcome& o : n) counts.push_back({o.counters.bits, o.counters.bit_errors});
      return counts;
    });
  }
  MonteCarloCheck check;
  if (plan.run.mode == "mc")
    check = [&](const LaneParams& q) {
      BatchSetup one = check_batch();
      one.links.assign(1, prepare_link(plan.scenario, point, q, plan.run).setup);
      const std::vector<LinkOutcome> n = run_batch_cpu(one, 1);
      return MonteCarloCount{n.front().counters.bits, n.front().counters.bit_errors};
    };
  const SettledOpticalLevels settled = settled_optical_levels(reports[0], lp.levels);
  out[0] = lane_margin(plan.scenario, point, lp, plan.run,
                       10.0 * std::log10(settled.oma_outer_w / 1e-3), check);
  return out;
}

namespace {

// Every set-up point's margins, points in parallel.
std::vector<LaneMargin> points_margins(const SweepPlan& plan, const PreparedPoints& pp,
                                       int threads) {
  const std::size_t lanes = plan.lanes, n = pp.points.size();
  std::vector<LaneMargin> out(n * lanes);
  if (!plan.run.margin) return out;
  parallel_for(n, threads, [&](std::size_t i) {
    const std::vector<LaneMargin> m = point_margins(plan, pp.batch, pp.points[i], pp.params[i],
                                                    pp.reports.data() + i * lanes, lanes);
    std::copy(m.begin(), m.end(), out.begin() + i * lanes);
  });
  return out;
}

// Every set-up point's TDECQ, points in parallel.
std::vector<double> points_tdecq_db(const SweepPlan& plan, const PreparedPoints& pp, int threads) {
  const std::size_t lanes = plan.lanes, n = pp.points.size();
  std::vector<double> out(n * lanes, std::numeric_limits<double>::quiet_NaN());
  if (plan.run.tdecq_symbols == 0) return out;
  parallel_for(n, threads, [&](std::size_t i) {
    const std::vector<double> t =
        point_tdecq_db(plan, pp.batch, std::span(pp.batch.links).subspan(i * lanes, lanes),
                       pp.reports.data() + i * lanes, pp.params[i]);
    std::copy(t.begin(), t.end(), out.begin() + i * lanes);
  });
  return out;
}

// The Monte-Carlo engine of batch b's points on the CPU: each point is set up by the thread that
// runs it, so a thread holds one point's links at a time and no unit ends with idle threads.
void run_batch_streamed_cpu(const SweepPlan& plan, std::size_t b,
                            const std::vector<std::size_t>& points, int threads,
                            SweepOutput& output, const RunControl* control) {
  struct SetUp {
    std::vector<LinkReport> reports;
    std::vector<double> tdecq_db;
    std::vector<LaneMargin> margins;
    std::size_t finished_lanes = 0;
  };
  std::mutex mutex;  // guards set_up (the threads' sources add, the done calls remove)
  std::unordered_map<std::size_t, SetUp> set_up;
  const BatchSetup& settings = plan.batches[b];
  auto source = [&](std::size_t g) {
    check_stop(control);  // the threads take no more points
    const std::size_t p = points[g];
    const auto start = std::chrono::steady_clock::now();
    const LaneParams lp = lane_params(plan.scenario, p);
    std::vector<PreparedLink> links = prepare_point(plan.scenario, p, lp, plan.run);
    output.add_setup_seconds(SweepOutput::seconds_since(start));
    SetUp s;
    std::vector<LinkSetup> setups;
    for (PreparedLink& l : links) {
      setups.push_back(std::move(l.setup));
      s.reports.push_back(std::move(l.report));
    }
    s.tdecq_db = point_tdecq_db(plan, settings, setups, s.reports.data(), lp);
    s.margins = point_margins(plan, settings, p, lp, s.reports.data(), s.reports.size());
    const std::lock_guard<std::mutex> lock(mutex);
    set_up[p] = std::move(s);
    return setups;
  };
  auto done = [&](std::size_t l, const LinkOutcome& outcome) {
    const std::size_t p = points[l / plan.lanes], lane = l % plan.lanes;
    SetUp* s = nullptr;
    {
      const std::lock_guard<std::mutex> lock(mutex);
      s = &set_up.at(p);  // a node: stays put while other threads add theirs
    }
    output.link_finished(p, lane, outcome, s->reports[lane], s->tdecq_db[lane],
                         s->margins[lane]);
    if (++s->finished_lanes == plan.lanes) {
      const std::lock_guard<std::mutex> lock(mutex);
      set_up.erase(p);
    }
  };
  run_groups_cpu(settings, points.size(), source, threads, done,
                 [&output, control](std::uint64_t bits, std::uint64_t errors) {
                   output.progress().counted(bits, errors);
                   check_stop(control);  // a long point stops within a chunk
                 });
}

}  // namespace

void run_workers(std::size_t units, std::size_t workers,
                 const std::function<void(std::size_t, std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto worker = [&](std::size_t w) {
    try {
      for (std::size_t u; !failed && (u = next++) < units;) work(u, w);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  if (workers <= 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t w = 0; w < workers; ++w) pool.emplace_back(worker, w);
    for (std::thread& t : pool) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
}

namespace {

// Batch b's points in units (unit_links): each unit set up on the host, run on the backend (the
// statistical eyes, or on the GPU the engine), written in one go (a write per run of consecutive
// points, one flush). On the GPU two workers per device take units, so that one's set-up,
// transfers and writing overlap the other's kernels; on the CPU one worker per thread, each unit
// on its own thread, so that one writes while the others compute (the writer is serial HDF5).
void run_batch_units(const SweepPlan& plan, std::size_t b, const std::vector<std::size_t>& points,
                     const BackendChoice& backend, int threads, std::size_t max_unit_links,
                     SweepOutput& output, const RunControl* control) {
  constexpr std::size_t kWorkersPerDevice = 2;
  const bool gpu = backend.kind == BackendKind::cuda;
  const std::size_t workers =
      gpu ? kWorkersPerDevice * backend.devices.size() : static_cast<std::size_t>(threads);
  // Host threads per worker for the set-up (and on the CPU the statistical eyes).
  const int host_threads = std::max(1, threads / static_cast<int>(workers));
  std::size_t links =
      unit_links(plan, plan.batches[b], backend, static_cast<int>(kWorkersPerDevice));
  if (max_unit_links > 0) links = std::min(links, max_unit_links);
  const std::size_t unit_points = std::max<std::size_t>(1, links / plan.lanes);
  const std::size_t units = (points.size() + unit_points - 1) / unit_points;
  std::mutex output_mutex;
  output.hold_points(true);
  run_workers(units, workers, [&](std::size_t u, std::size_t w) {
    check_stop(control);
    const int device = gpu ? backend.devices[w / kWorkersPerDevice] : 0;
    const std::size_t first = u * unit_points;
    const std::vector<std::size_t> unit(
        points.begin() + first, points.begin() + std::min(points.size(), first + unit_points));
    const auto start = std::chrono::steady_clock::now();
    PreparedPoints pp = prepare_points(plan, b, unit, host_threads);
    output.add_setup_seconds(SweepOutput::seconds_since(start) * host_threads);
    const std::vector<double> tdecq_db = points_tdecq_db(plan, pp, host_threads);
    const std::vector<LaneMargin> margins = points_margins(plan, pp, host_threads);
    std::vector<LinkOutcome> outcomes;
    if (plan.run.mode == "stat") {
      // The statistical eye of every link instead of the engine: the inputs on the host, the
      // eyes on the backend; each point is then written as a Monte-Carlo point would be.
      const std::size_t n = pp.batch.links.size();
      std::vector<StatEyeInputs> inputs(n);
      parallel_for(n, host_threads, [&](std::size_t i) {
        inputs[i] = stat_eye_inputs(pp.batch.links[i], pp.reports[i], plan.run.eye_target_ber);
      });
      std::vector<StatEye> eyes =
          statistical_eyes(backend, inputs, plan.run.eye_contour_bers, host_threads, device);
      outcomes.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        outcomes[i].stat = std::move(eyes[i]);
        outcomes[i].counters.stop_reason = static_cast<std::uint8_t>(StopReason::statistical);
      }
    } else {
      outcomes = run_batch(backend, pp.batch, host_threads, {}, device);
    }
    const std::lock_guard<std::mutex> lock(output_mutex);
    for (std::size_t l = 0; l < outcomes.size(); ++l)
      output.link_finished(pp.points[l / plan.lanes], l % plan.lanes, outcomes[l], pp.reports[l],
                           tdecq_db[l], margins[l]);
    output.write_ready();
  });
  output.hold_points(false);
}

void run_all_points(const SweepPlan& plan, const std::vector<bool>& skip,
                    const BackendChoice& backend, const RunOptions& options, SweepOutput& output);

// Whether the points run on the CPU's streamed Monte Carlo (each set up by the thread that runs
// it, its chunks' counts reported as they come), else in units (the statistical eye, the GPU).
bool streamed_on_cpu(const SweepPlan& plan, const BackendChoice& backend) {
  return plan.run.mode != "stat" && backend.kind == BackendKind::cpu;
}

int run_points(const SweepPlan& plan, const std::vector<bool>& skip, const OutputLayout& layout,
               const BackendChoice& backend, std::unique_ptr<Hdf5Writer> writer,
               std::size_t points, std::size_t done, const std::string& output_path,
               const RunOptions& options, std::ostream& out, std::ostream& err) {
  SweepOutput output(plan, layout, output_path, std::move(writer), points, done,
                     streamed_on_cpu(plan, backend), out, err, options.memory_image,
                     options.control);
  try {
    run_all_points(plan, skip, backend, options, output);
  } catch (const Hdf5FileError&) {
    output.interrupted(true);
    throw;
  } catch (...) {
    // Whatever else failed, the points written stay in the file, flushed: say how to finish them.
    output.interrupted(false);
    throw;
  }
  output.finish();
  return 0;
}

void run_all_points(const SweepPlan& plan, const std::vector<bool>& skip,
                    const BackendChoice& backend, const RunOptions& options, SweepOutput& output) {
  for (const std::size_t p : plan.unlocked_points)
    if (!skip[p]) output.not_simulated(p, point_links(plan, p));
  const int threads = thread_count(options.threads);
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    std::vector<std::size_t> todo;
    for (const std::size_t p : plan.batch_points[b])
      if (!skip[p]) todo.push_back(p);
    if (todo.empty()) continue;
    if (streamed_on_cpu(plan, backend))
      run_batch_streamed_cpu(plan, b, todo, threads, output, options.control);
    else
      run_batch_units(plan, b, todo, backend, threads, options.max_unit_links, output,
                      options.control);
  }
}

}  // namespace
}  // namespace ll
