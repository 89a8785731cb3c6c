#!/usr/bin/env bash
# A statistical-mode sweep with default keys (issue 16's goal: 2,000 points at >= 1,000 links/s on
# 2 cores): the default lane with run.mode = "stat" as a [sweep.grid] of N laser powers, run whole
# (plan, eyes, HDF5 file); prints links/s from the run's own wall time, and the time spent
# writing. For comparison in the same run, a smaller grid with TDECQ given (tdecq.symbols = 65536:
# the statistical mode's default before it became opt-in).
# Usage: scripts/bench_stat_sweep.sh [N]   (default 2000); results in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)" --target lightlane > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=${1:-2000}
grid() {  # grid POINTS: the default lane in stat mode over POINTS laser powers
  sed '/^\[sweep.list\]/,$d; s/^mode = "mc"/mode = "stat"/' scenarios/lane_200g_pam4.toml
  printf '[sweep.grid]\n"laser.power_dbm" = { linspace = [2.0, 10.0, %d] }\n' "$1"
}
run() {  # run POINTS LABEL [--set ...]: one run, its rate
  local points=$1 label=$2
  shift 2
  grid "$points" > "$tmp/stat.toml"
  local start end
  start=$(date +%s%N)
  build/lightlane run "$tmp/stat.toml" -o "$tmp/out.h5" --overwrite "$@" > /dev/null 2> "$tmp/err"
  end=$(date +%s%N)
  awk -v n="$points" -v a="$start" -v b="$end" -v l="$label" \
    'BEGIN { s = (b - a) / 1e9; printf "%s: %d points in %.2f s: %.0f links/s\n", l, n, s, n / s }'
  tail -1 "$tmp/err"
}
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
run "$n" "stat mode, default keys"
run "$n" "stat mode, default keys, again"
run 20 "stat mode with tdecq.symbols = 65536" --set tdecq.symbols=65536
