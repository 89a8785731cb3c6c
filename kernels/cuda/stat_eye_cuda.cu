// Statistical eyes on the GPU: the per-phase program of physics/stat_eye.hpp with a thread block
// as its team, one block per phase of every link, all links of a call in one launch (in chunks
// that bound the device memory).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/cuda/cuda_backend.hpp"
#include "kernels/cuda/cuda_exec.cuh"
#include "physics/stat_eye.hpp"

namespace ll {
namespace cuda {
namespace {

constexpr int kThreads = 256;  // a multiple of the warp: the reductions assume whole warps

// The block as the program's team: bins owned by index modulo the block, reductions by warp
// shuffles and one shared word per warp.
struct BlockTeam {
  double* scratch;  // 33 doubles of shared memory

  __device__ int rank() const { return static_cast<int>(threadIdx.x); }
  __device__ int size() const { return static_cast<int>(blockDim.x); }
  __device__ void sync() { __syncthreads(); }

  template <class Op>
  __device__ double reduce(double x, double identity, const Op& op) {
    for (int offset = 16; offset > 0; offset >>= 1)
      x = op(x, __shfl_down_sync(0xffffffffu, x, offset));
    const int warp = rank() >> 5, lane = rank() & 31, warps = size() >> 5;
    __syncthreads();  // the previous reduction's readers are done with scratch
    if (lane == 0) scratch[warp] = x;
    __syncthreads();
    if (warp == 0) {
      double y = lane < warps ? scratch[lane] : identity;
      for (int offset = 16; offset > 0; offset >>= 1)
        y = op(y, __shfl_down_sync(0xffffffffu, y, offset));
      if (lane == 0) scratch[32] = y;
    }
    __syncthreads();
    return scratch[32];
  }
  __device__ double sum(double x) {
    return reduce(x, 0.0, [](double a, double b) { return a + b; });
  }
  __device__ double max(double x) {
    return reduce(x, -1e308, [](double a, double b) { return a > b ? a : b; });
  }
  // The member's bins in [a, e]: those congruent to its rank modulo the block.
  template <class F>
  __device__ void parallel_for(int a, int e, const F& f) {
    const int n = size();
    for (int b = a + ((rank() - a) % n + n) % n; b <= e; b += n) f(b);
  }
  template <class F>
  __device__ void strided_for(int a, int e, const F& f) {
    parallel_for(a, e, f);
  }
};

// One block's phase: which link, whether it is the decision phase, where its contours go.
struct PhaseJob {
  int link;
  int decision;
  std::int64_t contour_offset;
};

__global__ void __launch_bounds__(kThreads)
    stat_eye_kernel(const StatEyeLink* links, const StatEyePhase* phases, const PhaseJob* jobs,
                    const double* taps, const StatEyeCombo* combos, const double* contour_ber,
                    int contours, StatEyePhaseResult* results, double* contour_a) {
  __shared__ float buffers[2][kStatEyeBins + 2];
  __shared__ double scratch[33];
  for (int i = threadIdx.x; i < 2 * (kStatEyeBins + 2); i += blockDim.x) (&buffers[0][0])[i] = 0.0f;
  __syncthreads();
  BlockTeam team{scratch};
  const PhaseJob job = jobs[blockIdx.x];
  const StatEyePhaseResult r = stat_eye_phase(
      team, links[job.link], phases[blockIdx.x], taps, combos, job.decision != 0, contour_ber,
      contours, ErfcTail{}, buffers[0] + 1, buffers[1] + 1, contour_a + job.contour_offset,
      static_cast<const StatEyeSampleCache*>(nullptr));
  if (threadIdx.x == 0) results[blockIdx.x] = r;
}

template <class T>
CudaExec::Buffer<T> to_device(const std::vector<T>& v) {
  CudaExec::Buffer<T> b(v.size());
  b.upload(v.data(), v.size());
  return b;
}

// The links [begin, end) in one launch.
void run_chunk(const std::vector<StatEyeInputs>& in, std::size_t begin, std::size_t end,
               const std::vector<double>& contour_bers, std::vector<StatEye>& out) {
  const int contours = static_cast<int>(contour_bers.size());
  std::vector<StatEyeLink> links;
  std::vector<StatEyePhase> phases;
  std::vector<PhaseJob> jobs;
  std::vector<double> taps;
  std::vector<StatEyeCombo> combos;
  std::vector<std::size_t> first_phase, first_contour;
  std::int64_t contour_values = 0;
  for (std::size_t l = begin; l < end; ++l) {
    first_phase.push_back(phases.size());
    first_contour.push_back(static_cast<std::size_t>(contour_values));
    const StatEyeInputs& x = in[l];
    if (x.phases.empty()) continue;
    const int link = static_cast<int>(links.size());
    links.push_back(x.link);
    const int edges = 2 * (x.link.levels - 1);
    const int spu = x.link.samples_per_ui;
    for (int j = 0; j < spu; ++j) {
      StatEyePhase ph = x.phases[j];  // the taps and shifts rebased into the launch's lists
      ph.tap_begin += static_cast<int>(taps.size());
      ph.combo_begin += static_cast<int>(combos.size());
      phases.push_back(ph);
      jobs.push_back({link, j == spu / 2 ? 1 : 0, contour_values});
      contour_values += static_cast<std::int64_t>(contours) * edges;
    }
    taps.insert(taps.end(), x.taps.begin(), x.taps.end());
    combos.insert(combos.end(), x.combos.begin(), x.combos.end());
  }
  if (!phases.empty()) {
    const CudaExec::Buffer<StatEyeLink> d_links = to_device(links);
    const CudaExec::Buffer<StatEyePhase> d_phases = to_device(phases);
    const CudaExec::Buffer<PhaseJob> d_jobs = to_device(jobs);
    const CudaExec::Buffer<double> d_taps = to_device(taps);
    const CudaExec::Buffer<StatEyeCombo> d_combos = to_device(combos);
    const CudaExec::Buffer<double> d_contour_ber = to_device(contour_bers);
    CudaExec::Buffer<StatEyePhaseResult> d_results(phases.size());
    CudaExec::Buffer<double> d_contour_a(static_cast<std::size_t>(contour_values));
    stat_eye_kernel<<<static_cast<unsigned>(phases.size()), kThreads>>>(
        d_links.data(), d_phases.data(), d_jobs.data(), d_taps.data(), d_combos.data(),
        d_contour_ber.data(), contours, d_results.data(), d_contour_a.data());
    cuda_check(cudaGetLastError(), "stat_eye_kernel launch");
    // This thread's stream only: another worker's launch on the device runs on.
    cuda_check(cudaStreamSynchronize(cudaStreamPerThread), "stat_eye_kernel");
    std::vector<StatEyePhaseResult> results(phases.size());
    std::vector<double> contour_a(static_cast<std::size_t>(contour_values));
    d_results.download(results.data(), results.size());
    d_contour_a.download(contour_a.data(), contour_a.size());
    for (std::size_t l = begin; l < end; ++l) {
      if (in[l].phases.empty()) continue;
      out[l] = assemble_stat_eye(in[l], results.data() + first_phase[l - begin],
                                 contour_a.data() + first_contour[l - begin], contours);
    }
  }
}

}  // namespace

std::vector<StatEye> statistical_eyes(const std::vector<StatEyeInputs>& in,
                                      const std::vector<double>& contour_bers, int device) {
  cuda_check(cudaSetDevice(device), "cudaSetDevice");
  // 4096 links of 32 phases: 131072 blocks per launch, a few hundred MB at most with jitter.
  constexpr std::size_t kLinksPerLaunch = 4096;
  std::vector<StatEye> out(in.size());
  for (std::size_t begin = 0; begin < in.size(); begin += kLinksPerLaunch)
    run_chunk(in, begin, std::min(in.size(), begin + kLinksPerLaunch), contour_bers, out);
  return out;
}

}  // namespace cuda
}  // namespace ll
