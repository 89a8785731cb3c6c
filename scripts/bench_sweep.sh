#!/usr/bin/env bash
# Sweep orchestration (issue 6's goal: everything but the physics under 5% of the run for
# 10,000 points of 2^16 symbols on the CPU; peak memory independent of the number of points).
# Runs the default lane as a [sweep.grid] of N points over laser power, each 2^16 PAM4 symbols
# (run.max_bits = 131072, no early stop, TDECQ off: its waveform is physics of its own), and
# prints the wall time, the time spent writing the file (the run's last line), the time to
# prepare the points (lightlane validate) and the peak memory, for each N.
# Usage: scripts/bench_sweep.sh [N ...]   (default: 200 1000 2000); results in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)" --target lightlane > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base=scenarios/lane_200g_pam4.toml
opts=(--set run.target_errors=100000000000 --set run.max_bits=131072 --set eye.symbols=4096
      --set tdecq.symbols=0)
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
for n in "${@:-200 1000 2000}"; do
  for points in $n; do
    # The scenario without its [sweep.list], with a grid of `points` laser powers instead.
    sed '/^\[sweep.list\]/,$d' "$base" > "$tmp/sweep.toml"
    printf '[sweep.grid]\n"laser.power_dbm" = { linspace = [2.0, 10.0, %d] }\n' "$points" \
      >> "$tmp/sweep.toml"
    /usr/bin/time -f "prepare: %e s, peak RSS %M kB" build/lightlane validate "$tmp/sweep.toml" \
      "${opts[@]}" 2>&1 > /dev/null | tail -1 | sed "s/^/N=$points /"
    /usr/bin/time -f "run: %e s wall, %U s user, peak RSS %M kB" build/lightlane run \
      "$tmp/sweep.toml" -o "$tmp/out.h5" --overwrite "${opts[@]}" 2> "$tmp/err" > /dev/null
    grep "points," "$tmp/err" | sed "s/^/N=$points /"
    tail -1 "$tmp/err" | sed "s/^/N=$points /"
  done
done
