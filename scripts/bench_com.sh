#!/usr/bin/env bash
# The standard's COM with its full search (issue 23): `lightlane com` on the public VITA 68.2
# example channel and its five aggressors (tests/data/com/vita68) with the 802.3by-KR set: 13 CTLE
# gains x 155 transmit FFEs x 2 package cases, the whole process (six 2.4 MB Touchstone files
# read, 82,500-point pulses) on one core; the median of REPEATS runs.
# Usage: scripts/bench_com.sh [BUILD/lightlane] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build/lightlane}
repeats=${2:-3}
d=tests/data/com/vita68
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
for ((r = 0; r < repeats; ++r)); do
  start=$(date +%s.%N)
  OMP_NUM_THREADS=1 taskset -c 0 "$exe" com "$d/example2_THRU.s4p" --standard 802.3by-KR \
    --port-order in13_out24 --fext "$d/example2_FEXT1.s4p" --fext "$d/example2_FEXT2.s4p" \
    --next "$d/example2_NEXT1.s4p" --next "$d/example2_NEXT2.s4p" --next "$d/example2_NEXT3.s4p" \
    > /dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc >> "$tmp"
done
printf 'lightlane com, 802.3by-KR, thru + 5 aggressors, full search, one core: %.3f s (median of %d)\n' \
  "$(sort -g "$tmp" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')" "$repeats"
