#!/usr/bin/env bash
# Progress during a long point (ctest `cli_progress`): one point of several seconds, stderr to a
# file (not a terminal). Expected: a progress line at least every 2 s (points, bits, bit errors,
# bit/s, ETA), each on its own line (no carriage returns: a Slurm log stays readable), and the
# summary row on stdout.
#   cli_progress.sh LIGHTLANE_BINARY SCENARIO
set -u
bin=$1
scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s%N)
"$bin" run "$scenario" -o "$tmp/out.h5" --threads 1 --set laser.power_dbm=6 \
  --set run.max_bits=100000000 --set run.target_errors=1000000000 --set tdecq.symbols=0 \
  >"$tmp/stdout" 2>"$tmp/stderr" || { echo "FAIL: the run failed: $(cat "$tmp/stderr")"; exit 1; }
wall=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
pattern='^lightlane: 0/1 points, [0-9.e+]+ bits, [0-9.e+]+ bit errors, [0-9.e+]+ bit/s, ETA [0-9.e+]+ s$'
lines=$(grep -cE "$pattern" "$tmp/stderr")
# Every 2 s, less the set-up before the first line, the last period and one period that a
# loaded machine may stretch (CI's sanitizer build saw 65 lines in 134 s).
expected=$(awk -v w="$wall" 'BEGIN { print int(w / 2) - 3 }')
[[ $expected -lt 1 ]] && expected=1
if grep -q $'\r' "$tmp/stderr"; then
  echo "FAIL: carriage returns on stderr that is not a terminal"
  exit 1
fi
if [[ $lines -lt $expected ]]; then
  echo "FAIL: $lines progress lines in $wall s, expected at least $expected:"
  cat "$tmp/stderr"
  exit 1
fi
grep -q "bit_budget" "$tmp/stdout" || { echo "FAIL: no summary row: $(cat "$tmp/stdout")"; exit 1; }
echo "OK: $lines progress lines in $wall s"
