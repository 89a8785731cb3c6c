#!/usr/bin/env bash
# Benchmarks of the default 200G PAM4 lane (results go in scripts/BENCHMARKS.md, with the
# machine they ran on): symbols per second per thread and on 1 and 2 threads (and the GPU, when
# the build has CUDA and a device answers), then peak memory as the bit count grows tenfold.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)" --target bench_lane lightlane > /dev/null
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
build/tests/bench/bench_lane --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
echo "== peak memory (one run of the default scenario per bit budget)"
for bits in 4000000 40000000 ${LIGHTLANE_BENCH_MAX_BITS:-400000000}; do
  /usr/bin/time -f "max_bits=$bits per point: peak RSS %M kB, %e s" \
    build/lightlane run scenarios/lane_200g_pam4.toml -o "$(mktemp -d)/m.h5" \
    --set run.max_bits=$bits --set run.target_errors=100000000000 > /dev/null
done
