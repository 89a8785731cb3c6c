#!/usr/bin/env bash
# The standard's COM with its full search (issue 23), the whole `lightlane com` process on one
# core, the median of REPEATS runs:
# - 802.3by-KR on the public VITA 68.2 example channel and its five aggressors
#   (tests/data/com/vita68): 13 CTLE gains x 155 transmit FFEs x 2 package cases, six 2.4 MB
#   Touchstone files read, 82,500-point pulses;
# - 802.3dj-KR-DFE on the example host channels (scenarios/channels): 147 CTLE settings x the
#   local search over 1584 transmit FFEs x 2 cases, the receiver's fixed FFE taps by MMSE at each
#   sampling instant tried (the quantiser's step at the pulse's peak), then the six best CTLE
#   settings again with the floating taps and the quantiser's step at every instant; thru alone
#   (CPO, NPO, pluggable), and the CPO thru with two of the other files standing in for a FEXT
#   and a NEXT aggressor (their COM means nothing; they cost what aggressors cost);
# - 802.3dj-KR-MLSD on the CPO thru: the same search, then the MLSD's advantage;
# - once, the CPO thru with the exhaustive search (every FFE and instant, the same refinement),
#   its COM beside the local search's;
# - the other 802.3dj sets on the CPO thru: C2C (2 cases), CR cable class CA-A (8 host-class
#   pairs, MLSD) and CA-D (1), C2M egress (1);
# - 802.3ck-KR on the NPO thru: 147 CTLE settings x every one of 4345 transmit FFEs x 2 cases,
#   with the floating DFE taps, and the local search once beside it; 802.3ck-CR (the same grid,
#   host boards) and -C2C (105 CTLE settings x 1605 FFEs, no floating taps).
# Usage: scripts/bench_com.sh [BUILD/lightlane] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build/lightlane}
repeats=${2:-3}
d=tests/data/com/vita68
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
# median LABEL ARGS...: the median time of `lightlane com ARGS` over REPEATS runs.
median() {
  local label=$1
  shift
  : > "$tmp"
  for ((r = 0; r < repeats; ++r)); do
    start=$(date +%s.%N)
    OMP_NUM_THREADS=1 taskset -c 0 "$exe" com "$@" > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc >> "$tmp"
  done
  printf '%s: %.3f s (median of %d)\n' "$label" \
    "$(sort -g "$tmp" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')" "$repeats"
}
median "lightlane com, 802.3by-KR, thru + 5 aggressors, full search, one core" \
  "$d/example2_THRU.s4p" --standard 802.3by-KR --port-order in13_out24 \
  --fext "$d/example2_FEXT1.s4p" --fext "$d/example2_FEXT2.s4p" \
  --next "$d/example2_NEXT1.s4p" --next "$d/example2_NEXT2.s4p" --next "$d/example2_NEXT3.s4p"
h=scenarios/channels
median "lightlane com, 802.3dj-KR-DFE, CPO host thru, local search, one core" \
  "$h/cpo_host.s4p" --standard 802.3dj-KR-DFE
median "lightlane com, 802.3dj-KR-DFE, NPO host thru, local search, one core" \
  "$h/npo_host.s4p" --standard 802.3dj-KR-DFE
median "lightlane com, 802.3dj-KR-DFE, pluggable host thru, local search, one core" \
  "$h/pluggable_host.s4p" --standard 802.3dj-KR-DFE
median "lightlane com, 802.3dj-KR-MLSD, CPO host thru, local search, one core" \
  "$h/cpo_host.s4p" --standard 802.3dj-KR-MLSD
median "lightlane com, 802.3dj-KR-DFE, CPO thru + 2 stand-in aggressors, local search, one core" \
  "$h/cpo_host.s4p" --standard 802.3dj-KR-DFE --fext "$h/npo_host.s4p" --next "$h/pluggable_host.s4p"
for search in local exhaustive; do
  start=$(date +%s.%N)
  com=$(OMP_NUM_THREADS=1 taskset -c 0 "$exe" com "$h/cpo_host.s4p" --standard 802.3dj-KR-DFE \
    --search "$search" | grep '^COM')
  end=$(date +%s.%N)
  printf 'lightlane com, 802.3dj-KR-DFE, CPO host thru, %s search: %.1f s; %s\n' "$search" \
    "$(echo "$end - $start" | bc)" "$com"
done
for set in 802.3dj-C2C 802.3dj-CR-CA-A 802.3dj-CR-CA-D 802.3dj-C2M-egress; do
  median "lightlane com, $set, CPO host thru, one core" "$h/cpo_host.s4p" --standard "$set"
done
for set in 802.3ck-KR 802.3ck-CR 802.3ck-C2C; do
  median "lightlane com, $set, NPO host thru, exhaustive search, one core" \
    "$h/npo_host.s4p" --standard "$set"
done
for search in local exhaustive; do
  start=$(date +%s.%N)
  com=$(OMP_NUM_THREADS=1 taskset -c 0 "$exe" com "$h/npo_host.s4p" --standard 802.3ck-KR \
    --search "$search" | grep '^COM')
  end=$(date +%s.%N)
  printf 'lightlane com, 802.3ck-KR, NPO host thru, %s search: %.1f s; %s\n' "$search" \
    "$(echo "$end - $start" | bc)" "$com"
done
