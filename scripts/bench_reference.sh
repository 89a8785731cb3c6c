#!/usr/bin/env bash
# lightlane against a Python reference on a PAM4 lane (issue 22): serdespy (pip, into a virtual
# environment this script makes under build/) and lightlane back to back on 1,048,575 symbols at
# 32 samples per UI, three times each, alternating; prints each side's median symbol rate and
# the ratio. lightlane runs its default lane (the ring, 16-tap FFE and 1-tap DFE, Gaussian
# noise; one point of 2,097,150 bits, no early stop) on 1 thread and on every core;
# serdespy's lane: scripts/bench_reference_serdespy.py. Skipped, with a message and exit 0, when
# pip cannot install serdespy.
# Usage: scripts/bench_reference.sh [BUILD/lightlane] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build/lightlane}
repeats=${2:-3}
venv=build/serdespy-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import serdespy" 2>/dev/null; then
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install --quiet serdespy > "$venv.log" 2>&1; then
    echo "bench_reference: skipped: pip could not install serdespy (see $venv.log)"
    exit 0
  fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
symbols=1048575
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
lightlane_seconds() {  # the whole process, as a user waits for it
  local start end
  start=$(date +%s.%N)
  "$exe" run scenarios/lane_200g_pam4.toml -o "$tmp/l.h5" --overwrite --backend cpu --threads "$1" \
    --set laser.power_dbm=8 --set run.max_bits=$((2 * symbols)) \
    --set run.target_errors=1000000000000 --set margin.compute=false --set eye.symbols=0 \
    --set tdecq.symbols=0 > /dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
for ((r = 0; r < repeats; ++r)); do
  "$venv/bin/python" scripts/bench_reference_serdespy.py | grep '^serdespy:' |
    awk '{print $2}' >> "$tmp/serdespy"
  lightlane_seconds 1 >> "$tmp/one"
  lightlane_seconds "$(nproc)" >> "$tmp/all"
done
ref=$(median < "$tmp/serdespy")
one=$(median < "$tmp/one")
all=$(median < "$tmp/all")
rate() { echo "$symbols / $1 / 1000000" | bc -l; }
printf 'serdespy:                %8.3f s  %7.4f Msymbol/s\n' "$ref" "$(rate "$ref")"
printf 'lightlane, 1 thread:     %8.3f s  %7.4f Msymbol/s  %6.1fx serdespy\n' "$one" \
  "$(rate "$one")" "$(echo "$ref / $one" | bc -l)"
printf 'lightlane, %d threads:    %8.3f s  %7.4f Msymbol/s  %6.1fx serdespy\n' "$(nproc)" "$all" \
  "$(rate "$all")" "$(echo "$ref / $all" | bc -l)"
