#!/usr/bin/env bash
# Issue 17's device checks, prepared on the CPU to spend a lent GPU's minutes in one call of the
# device tool: from the repository root on the device machine,
#     scripts/gpu_check.sh            (results under $OUT, else ./gpu_check_out)
# Steps (each with its own time limit; a failing step does not stop the later ones; each step's
# output in $OUT/NN_name.txt, one line per step in $OUT/summary.txt and on stdout):
#   01 the device, the driver and the toolkit;
#   02 a build with -DCMAKE_CUDA_ARCHITECTURES=90 in build-gpu/ on every core;
#   03 ctest -L gpu (the shared test bodies on the GPU, compared with the CPU where they say);
#   04 compute-sanitizer memcheck on the lane's GPU tests that compare with the CPU, racecheck and
#      synccheck on the statistical eye's kernel (test_stat_eye_backends_gpu);
#   05 the benchmarks: Monte-Carlo symbols/s of the default lane at 32 samples per UI with 1, 256,
#      1,024 and 4,096 links per launch, with the device's copy rate measured in the same run, the
#      engine's bytes per sample (by counting) and the fraction of the roofline
#      (bench_lane BM_LaneCudaLinks); statistical-eye links/s (bench_stat_eye BM_StatEyeGpu64Ui);
#      the CPU on the same machine's cores (BM_LaneBatchThreads/16), for the ratio;
#   06 scripts/regression.py --backend cuda (against the CPU's golden files, statistically).
# The figures go in scripts/BENCHMARKS.md with the card named (01_device.txt).
# Environment: OUT (results), BUILD (build tree, default build-gpu), SKIP_BUILD=1 (use BUILD as it
# is: a dry run of the script's plumbing on a machine without a GPU, where the GPU parts skip).
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu_check_out}
BUILD=${BUILD:-build-gpu}
mkdir -p "$OUT"
: > "$OUT/summary.txt"
jobs=$(nproc)

# step NN NAME SECONDS COMMAND...: runs COMMAND with a time limit, its output in $OUT/NN_NAME.txt.
step() {
  local number=$1 name=$2 limit=$3
  shift 3
  local start end rc
  start=$(date +%s)
  timeout "$limit" "$@" > "$OUT/${number}_${name}.txt" 2>&1
  rc=$?
  end=$(date +%s)
  local verdict="ok"
  [[ $rc -eq 0 ]] || verdict="FAILED (exit $rc$([[ $rc -eq 124 ]] && echo ": past ${limit} s"))"
  printf '%s %-12s %4d s  %s\n' "$number" "$name" "$((end - start))" "$verdict" |
    tee -a "$OUT/summary.txt"
}

step 01 device 30 bash -c 'nvidia-smi; nvidia-smi -L; nvcc --version; nproc; free -g'

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  step 02 build 300 bash -c "cmake -S . -B '$BUILD' -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CUDA_ARCHITECTURES=90 -DLIGHTLANE_CUDA=ON > /dev/null && \
      cmake --build '$BUILD' -j $jobs"
fi

step 03 ctest_gpu 240 ctest --test-dir "$BUILD" -L gpu --output-on-failure -j 4

# The sanitizers on the tests that run the engine and the statistical eye on the device and
# compare with the CPU (a few links each: compute-sanitizer slows kernels by 10-100x).
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
step 04 sanitizers 240 bash -c "
  '$sanitizer' --tool memcheck --error-exitcode 1 '$BUILD/tests/test_lane_gpu' \
      --gtest_filter='*GpuCountsMatchCpu*:*CountsDoNotDependOnBatchSize*' &&
  '$sanitizer' --tool memcheck --error-exitcode 1 '$BUILD/tests/test_stat_eye_backends_gpu' &&
  '$sanitizer' --tool racecheck --error-exitcode 1 '$BUILD/tests/test_stat_eye_backends_gpu' &&
  '$sanitizer' --tool synccheck --error-exitcode 1 '$BUILD/tests/test_stat_eye_backends_gpu'"

step 05 benchmarks 300 bash -c "
  '$BUILD/tests/bench/bench_lane' \
      --benchmark_filter='BM_LaneCudaLinks|BM_EngineTraffic|BM_LaneBatchThreads/16' \
      --benchmark_min_time=1 &&
  '$BUILD/tests/bench/bench_stat_eye' --benchmark_filter='BM_StatEyeGpu64Ui' \
      --benchmark_min_time=1"

step 06 regression 180 python3 scripts/regression.py "$BUILD/lightlane" --backend cuda

echo "results in $OUT (summary.txt; each step's output in NN_name.txt)"
