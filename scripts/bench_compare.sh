#!/usr/bin/env bash
# Two builds of lightlane side by side in one run, on the same machine (a refactor's "speed
# unchanged or better"): the default lane's Monte-Carlo rate (Msymbol/s, one point at its
# nominal 8 dBm, one thread, a fixed bit budget, no early stop, no margin search) and a statistical sweep's rate (links/s,
# the default lane in stat mode over N laser powers, 2 threads). The runs alternate OLD, NEW,
# OLD, NEW ... so that a drift of the machine hits both; each line is the median of REPEATS.
# Usage: scripts/bench_compare.sh OLD_LIGHTLANE NEW_LIGHTLANE [REPEATS (3)] [N (2000)]
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 repeats=${3:-3} n=${4:-2000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed '/^\[sweep.list\]/,$d; s/^mode = "mc"/mode = "stat"/' scenarios/lane_200g_pam4.toml > "$tmp/stat.toml"
printf '[sweep.grid]\n"laser.power_dbm" = { linspace = [2.0, 10.0, %d] }\n' "$n" >> "$tmp/stat.toml"
sed '/^\[sweep.list\]/,$d' scenarios/lane_200g_pam4.toml > "$tmp/mc.toml"
bits=20000000
source scripts/bench_lib.sh
machine
for bin in old new; do : > "$tmp/mc.$bin"; : > "$tmp/stat.$bin"; done
for ((r = 0; r < repeats; ++r)); do
  for bin in old new; do
    exe=${!bin}
    seconds "$exe" run "$tmp/mc.toml" -o "$tmp/mc.h5" --overwrite --threads 1 --backend cpu \
      --set run.max_bits=$bits --set run.target_errors=1000000000000 \
      --set margin.compute=false --set laser.power_dbm=8 >> "$tmp/mc.$bin"
    seconds "$exe" run "$tmp/stat.toml" -o "$tmp/stat.h5" --overwrite --threads 2 \
      --backend cpu >> "$tmp/stat.$bin"
  done
done
for bin in old new; do
  mc=$(median < "$tmp/mc.$bin")
  st=$(median < "$tmp/stat.$bin")
  awk -v b="$bin" -v mc="$mc" -v st="$st" -v bits=$bits -v n="$n" 'BEGIN {
    printf "%s: default lane MC %.2f Msymbol/s (%.2f s for %d bits, 1 thread); stat sweep %.0f links/s (%d points in %.2f s, 2 threads)\n",
      b, bits / 2 / mc / 1e6, mc, bits, n / st, n, st }'
done
