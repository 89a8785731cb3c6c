#!/usr/bin/env bash
# One point on every core (issue 22): a single long point of the default lane, and an 8-lane WDM
# point, on 1 and 2 threads, in one run; each line the median of REPEATS runs (the cases
# alternate). The point's bits run as segments (run.segment_bits, default 2^20 bits: 1,044,480
# after rounding to whole FEC frames), which the threads share.
# Usage: scripts/bench_segments.sh [BUILD/lightlane] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build/lightlane}
repeats=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--set run.target_errors=1000000000000 --set margin.compute=false --set eye.symbols=0
        --set tdecq.symbols=0 --backend cpu)
seconds() {  # the run's wall time
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
for ((r = 0; r < repeats; ++r)); do
  for t in 1 2; do
    seconds "$exe" run scenarios/lane_200g_pam4.toml -o "$tmp/a.h5" --overwrite --threads $t \
      --set laser.power_dbm=10 --set run.max_bits=40000000 "${common[@]}" >> "$tmp/lane.$t"
    seconds "$exe" run scenarios/wdm_8x200g_1p6t_stress.toml -o "$tmp/b.h5" --overwrite \
      --threads $t --set run.max_bits=8000000 --set wdm.demux.power_coupling_in=0.12 \
      --set wdm.demux.power_coupling_drop=0.12 "${common[@]}" >> "$tmp/wdm.$t"
  done
done
for c in lane wdm; do
  one=$(median < "$tmp/$c.1")
  two=$(median < "$tmp/$c.2")
  name=$([ $c = lane ] && echo "one point of the default lane, 4e7 bits" ||
         echo "one 8-lane WDM point, 8e6 bits a lane")
  printf '%s: 1 thread %.2f s, 2 threads %.2f s: %.2fx\n' "$name" "$one" "$two" \
    "$(echo "$one / $two" | bc -l)"
done
