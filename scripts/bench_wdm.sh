#!/usr/bin/env bash
# WDM bus throughput on the CPU backend: one point of scenarios/wdm_8x200g_1p6t_stress.toml with N lanes
# on a 3.2 THz grid (N x 3200/N GHz), 2e6 bits per lane, no early stop, one thread. Prints wall
# time and peak RSS per N; lane-symbols per second = N x 1e6 / time. Results: scripts/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LIGHTLANE_BIN:-build/lightlane}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for n in 1 4 8 16; do
  printf 'lanes %2d: ' "$n"
  /usr/bin/time -f '%e s wall, %M KB peak RSS' "$bin" run scenarios/wdm_8x200g_1p6t_stress.toml \
    -o "$out/bus$n.h5" --backend cpu --threads 1 \
    --set wdm.channels="$n" --set wdm.spacing_ghz=$((3200 / n)) \
    --set wdm.demux.power_coupling_in=0.166 --set wdm.demux.power_coupling_drop=0.166 \
    --set run.max_bits=2000000 --set run.target_errors=100000000 2>&1 >/dev/null | tail -1
done
