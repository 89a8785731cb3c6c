#include "kernels/backend.hpp"

#include <omp.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "kernels/cpu/cpu_exec.hpp"
#include "kernels/cpu/parallel.hpp"
#include "kernels/segments.hpp"
#if defined(LIGHTLANE_HAVE_CUDA)
#include "kernels/cuda/cuda_backend.hpp"
#endif

namespace ll {
namespace {

// Runs `one` (a group's links: a link, or a WDM bus) through one engine to its stop rule and
// returns each link's outcome.
template <class Real>
std::vector<LinkOutcome> run_engine(const BatchSetup& one, const ChunkCounted& counted) {
  SerialExec exec;
  LaneEngine<SerialExec, Real> engine(exec, one);
  if (counted) {
    std::uint64_t bits_before = 0, errors_before = 0;
    engine.run([&](const std::vector<LinkCounters>& c) {
      std::uint64_t bits = 0, errors = 0;
      for (const LinkCounters& l : c) {
        bits += l.bits;
        errors += l.bit_errors;
      }
      counted(bits - bits_before, errors - errors_before);
      bits_before = bits;
      errors_before = errors;
    });
  } else {
    engine.run();
  }
  return engine_outcomes(engine, one);
}

// One engine per group of links (a link, or a WDM bus) and segment of its bits
// (kernels/segments.hpp), spread over OpenMP threads in (group, segment) order, so that the
// threads share a long point's segments; each group's links come from `source` in the first thread
// that takes one of its segments. A group's outcomes go to `done` (one call at a time) when it is
// set, else into `out`, once its segments in order meet the stop rule; its later segments are
// then skipped (or their counts dropped), so the outcome is the same on any number of threads.
template <class Real>
void run_cpu(const BatchSetup& settings, std::size_t groups, const LinkGroupSource& source,
             int threads, const LinkDone& done, std::vector<LinkOutcome>* out,
             const ChunkCounted& counted = {}) {
  // Everything a link's engine needs but the links: copied once, not once per link (a copy of
  // the whole batch per link would be quadratic in the sweep size).
  BatchSetup shared = settings;
  shared.links.clear();
  // Links are independent and keyed by their own point: one engine per link gives results
  // that cannot depend on the grouping, and keeps each worker's buffers in its own cache. The
  // lanes of a WDM bus are coupled, so a bus is one engine. The first failure (an engine's, or
  // `done`'s: the file cannot be written) stops the threads from taking more groups and reaches
  // the caller as it was thrown. The plan refuses what an engine could refuse (plan_sweep): an
  // engine's error here is an internal fault, and main says so.
  const std::size_t group =
      settings.bus_lanes > 0 ? static_cast<std::size_t>(settings.bus_lanes) : 1;
  auto hand_over = [&](std::size_t g, std::vector<LinkOutcome>&& outcomes) {
    for (std::size_t i = 0; i < group; ++i) {
      const std::size_t l = g * group + i;
      if (done)
        serially([&] { done(l, outcomes[i]); });  // handed over and released: memory flat
      else
        (*out)[l] = std::move(outcomes[i]);
    }
  };
  // Segments: the settings' count, before any link is set up, bounds the items; each group's own
  // (segment_count with its links: one where a lock loop or LMS keeps the point whole) decides
  // which of its items run.
  const std::uint64_t segments = segment_count(shared);
  if (segments == 1) {
    parallel_for(groups, threads, [&](std::size_t g) {
      BatchSetup one = shared;
      one.links = source(g);
      if (one.links.size() != group)
        throw std::logic_error("a WDM batch needs whole buses of lanes");
      hand_over(g, run_engine<Real>(one, counted));
    });
    return;
  }
  struct Group {
    std::mutex mutex;
    bool set_up = false, finished = false;
    std::uint64_t segments = 0;  // this group's (1 with a lock loop)
    std::uint64_t next = 0;      // the segment its sums take next
    std::vector<LinkSetup> links;
    std::vector<SegmentSum> sums;
    std::map<std::uint64_t, std::vector<LinkOutcome>> waiting;  // finished out of order
  };
  // Made when a thread first takes one of the group's segments (8 bytes a group until then).
  std::vector<std::unique_ptr<Group>> state(groups);
  std::mutex state_mutex;
  parallel_for(groups * segments, threads, [&](std::size_t item) {
    const std::size_t g = item / segments;
    const std::uint32_t k = static_cast<std::uint32_t>(item % segments);
    Group* group_state = nullptr;
    {
      const std::lock_guard<std::mutex> lock(state_mutex);
      if (!state[g]) state[g] = std::make_unique<Group>();
      group_state = state[g].get();
    }
    Group& st = *group_state;
    BatchSetup one = shared;
    {
      const std::lock_guard<std::mutex> lock(st.mutex);  // the first segment taken sets it up
      if (st.finished) return;
      if (!st.set_up) {
        st.links = source(g);
        if (st.links.size() != group)
          throw std::logic_error("a WDM batch needs whole buses of lanes");
        one.links = st.links;
        st.segments = segment_count(one);
        for (std::size_t i = 0; i < group; ++i) st.sums.emplace_back(settings.target_errors, st.segments);
        st.set_up = true;
      }
      if (k >= st.segments) return;
      one.links = st.links;
    }
    one = segment_batch(one, st.segments, k);
    std::vector<LinkOutcome> outcomes = run_engine<Real>(one, counted);
    std::vector<LinkOutcome> result;
    {
      const std::lock_guard<std::mutex> lock(st.mutex);
      if (st.finished) return;
      st.waiting.emplace(k, std::move(outcomes));
      // Add the segments that are next in order (a link already done ignores them); the group
      // ends when every link's sum is done.
      auto all_done = [&] {
        return std::all_of(st.sums.begin(), st.sums.end(),
                           [](const SegmentSum& x) { return x.done(); });
      };
      for (auto it = st.waiting.find(st.next); it != st.waiting.end() && !all_done();
           it = st.waiting.find(st.next)) {
        for (std::size_t i = 0; i < group; ++i) st.sums[i].add(std::move(it->second[i]));
        st.waiting.erase(it);
        ++st.next;
      }
      if (!all_done()) return;
      st.finished = true;
      for (SegmentSum& x : st.sums) result.push_back(x.take());
      st.links.clear();
      st.links.shrink_to_fit();
      st.waiting.clear();
    }
    hand_over(g, std::move(result));
  });
}

template <class Real>
std::vector<LinkOutcome> run_cpu(const BatchSetup& batch, int threads, const LinkDone& done) {
  const std::size_t L = batch.links.size();
  const std::size_t group = batch.bus_lanes > 0 ? static_cast<std::size_t>(batch.bus_lanes) : 1;
  if (L % group != 0) throw std::logic_error("a WDM batch needs whole buses of lanes");
  std::vector<LinkOutcome> out(done ? 0 : L);
  run_cpu<Real>(
      batch, L / group,
      [&](std::size_t g) {
        return std::vector<LinkSetup>(batch.links.begin() + g * group,
                                      batch.links.begin() + (g + 1) * group);
      },
      threads, done, &out);
  if (done) out.resize(L);  // empty outcomes: each went to `done`
  return out;
}

}  // namespace

CudaProbe probe_cuda() {
  CudaProbe p;
#if defined(LIGHTLANE_HAVE_CUDA)
  p.compiled = true;
  p.usable = cuda::probe(p.message);
#else
  p.message = "this build has no CUDA backend (configure with LIGHTLANE_CUDA=ON and nvcc)";
#endif
  return p;
}

std::vector<LinkOutcome> run_batch_cpu(const BatchSetup& batch, int threads, const LinkDone& done) {
  return run_cpu<float>(batch, threads, done);
}

std::vector<LinkOutcome> run_batch_cpu_double(const BatchSetup& batch, int threads) {
  return run_cpu<double>(batch, threads, {});
}

std::vector<LinkOutcome> run_batch_by_segments(
    const BatchSetup& batch,
    const std::function<std::vector<LinkOutcome>(const BatchSetup&)>& run_all) {
  const std::uint64_t segments = segment_count(batch);
  if (segments == 1) return run_all(batch);
  const std::size_t L = batch.links.size();
  std::vector<SegmentSum> sums(L, SegmentSum(batch.target_errors, segments));
  BatchSetup todo = batch;  // the links not done yet
  std::vector<std::size_t> index(L);
  for (std::size_t l = 0; l < L; ++l) index[l] = l;
  const std::size_t group = batch.bus_lanes > 0 ? static_cast<std::size_t>(batch.bus_lanes) : 1;
  for (std::uint32_t k = 0; k < segments && !todo.links.empty(); ++k) {
    std::vector<LinkOutcome> outcomes = run_all(segment_batch(todo, segments, k));
    for (std::size_t i = 0; i < outcomes.size(); ++i) sums[index[i]].add(std::move(outcomes[i]));
    // Whole groups (a bus's lanes) leave once every lane of theirs is done.
    BatchSetup next = todo;
    next.links.clear();
    std::vector<std::size_t> next_index;
    for (std::size_t i = 0; i < todo.links.size(); i += group) {
      bool group_done = true;
      for (std::size_t j = 0; j < group; ++j) group_done = group_done && sums[index[i + j]].done();
      if (group_done) continue;
      for (std::size_t j = 0; j < group; ++j) {
        next.links.push_back(todo.links[i + j]);
        next_index.push_back(index[i + j]);
      }
    }
    todo = std::move(next);
    index = std::move(next_index);
  }
  std::vector<LinkOutcome> out;
  out.reserve(L);
  for (SegmentSum& x : sums) out.push_back(x.take());
  return out;
}

std::vector<LinkOutcome> run_batch_cuda(const BatchSetup& batch, int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  // A segment of every link at a time (the GPU's memory holds the batch once), in segment order.
  return run_batch_by_segments(
      batch, [device](const BatchSetup& b) { return cuda::run_batch(b, device); });
#else
  (void)batch;
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

std::size_t cuda_free_memory_bytes(int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::free_memory_bytes(device);
#else
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

double cuda_seconds_per_chunk(const BatchSetup& batch, int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::seconds_per_chunk(batch, device);
#else
  (void)batch;
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

double cuda_copy_bytes_per_s(int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::copy_bytes_per_s(device);
#else
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

void run_groups_cpu(const BatchSetup& settings, std::size_t groups, const LinkGroupSource& source,
                    int threads, const LinkDone& done, const ChunkCounted& counted) {
  run_cpu<float>(settings, groups, source, threads, done, nullptr, counted);
}

std::vector<StatEye> statistical_eyes_cpu(const std::vector<StatEyeInputs>& in,
                                          const std::vector<double>& contour_bers, int threads) {
  std::vector<StatEye> out(in.size());
  parallel_for(in.size(), threads,
               [&](std::size_t i) { out[i] = statistical_eye(in[i], contour_bers); });
  return out;
}

std::vector<StatEye> statistical_eyes_cuda(const std::vector<StatEyeInputs>& in,
                                           const std::vector<double>& contour_bers, int device) {
#if defined(LIGHTLANE_HAVE_CUDA)
  return cuda::statistical_eyes(in, contour_bers, device);
#else
  (void)in;
  (void)contour_bers;
  (void)device;
  throw BackendError("this build has no CUDA backend");
#endif
}

}  // namespace ll
