#!/usr/bin/env bash
# The optical path's and the transmitters' cost (issue 20): the Monte-Carlo rate (Msymbol/s, one
# point at 8 dBm, one thread, a fixed bit budget, no early stop, no margin search) of the default
# ring lane without a fibre and with 2 km (FR) and 10 km (LR) of G.652 fibre at 1310 nm (lambda0
# 1324 nm: the longest dispersed response), and of the TFLN MZM and EML lanes without fibre
# (scenarios/mzm_tfln_200g.toml, eml_200g.toml), in one run, alternating, each the median of
# REPEATS.
# Usage: scripts/bench_fibre.sh [LIGHTLANE (build/lightlane)] [REPEATS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build/lightlane} repeats=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed '/^\[sweep.list\]/,$d' scenarios/lane_200g_pam4.toml > "$tmp/mc.toml"
sed '/^\[sweep.list\]/,$d' scenarios/mzm_tfln_200g.toml > "$tmp/mzm.toml"
sed '/^\[sweep.list\]/,$d' scenarios/eml_200g.toml > "$tmp/eml.toml"
bits=20000000
source scripts/bench_lib.sh
machine
cases=("mc:0" "mc:2" "mc:10" "mzm:0" "eml:0")
for c in "${cases[@]}"; do : > "$tmp/t.${c/:/_}"; done
for ((r = 0; r < repeats; ++r)); do
  for c in "${cases[@]}"; do
    lane=${c%%:*} km=${c##*:}
    seconds "$exe" run "$tmp/$lane.toml" -o "$tmp/mc.h5" --overwrite --threads 1 --backend cpu \
      --set run.max_bits=$bits --set run.target_errors=1000000000000 \
      --set margin.compute=false --set laser.power_dbm=8 --set fibre.length_km=$km \
      --set eye.symbols=0 --set tdecq.symbols=0 >> "$tmp/t.${c/:/_}"
  done
done
for c in "${cases[@]}"; do
  t=$(median < "$tmp/t.${c/:/_}")
  lane=${c%%:*} km=${c##*:}
  [ "$lane" = mc ] && lane=ring
  awk -v lane="$lane" -v km="$km" -v t="$t" -v bits=$bits 'BEGIN {
    printf "%-4s, fibre %5s km: %.2f Msymbol/s (median of the runs, %.2f s for %d bits)\n",
           lane, km, bits / 2 / t / 1e6, t, bits }'
done
