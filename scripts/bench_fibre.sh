#!/usr/bin/env bash
# The optical path's and the transmitters' cost (issue 20): the Monte-Carlo rate (Msymbol/s, one
# point at 8 dBm, one thread, a fixed bit budget, no early stop, no margin search) of the default
# ring lane without a fibre and with 2 km (FR) and 10 km (LR) of G.652 fibre at 1310 nm (lambda0
# 1324 nm: the longest dispersed response), and of the TFLN MZM and EML lanes without fibre
# (scenarios/mzm_tfln_200g.toml, eml_200g.toml), and of the electrical lane (copper_200g.toml at
# its nominal 28 dB channel: no optics; 16 samples per UI, its chunk of 4096 symbols), and the
# ring lane behind 500 m with MPI (six reflections: fibre_dr_mpi.toml's), in one run,
# alternating, each the median of REPEATS.
# Usage: scripts/bench_fibre.sh [LIGHTLANE (build/lightlane)] [REPEATS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build/lightlane} repeats=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed '/^\[sweep.list\]/,$d' scenarios/lane_200g_pam4.toml > "$tmp/mc.toml"
sed '/^\[sweep.list\]/,$d' scenarios/mzm_tfln_200g.toml > "$tmp/mzm.toml"
sed '/^\[sweep.list\]/,$d' scenarios/eml_200g.toml > "$tmp/eml.toml"
sed '/^\[sweep.list\]/,$d' scenarios/copper_200g.toml > "$tmp/cu.toml"
bits=20000000
source scripts/bench_lib.sh
machine
cases=("mc:0" "mc:2" "mc:10" "mzm:0" "eml:0" "cu:0" "mpi:0.5")
for c in "${cases[@]}"; do : > "$tmp/t.${c/:/_}"; done
for ((r = 0; r < repeats; ++r)); do
  for c in "${cases[@]}"; do
    lane=${c%%:*} km=${c##*:}
    optics=(--set laser.power_dbm=8 --set fibre.length_km=$km)
    [ "$lane" = cu ] && optics=(--set channel.loss_db_at_nyquist=28)  # no optics
    toml=$lane
    if [ "$lane" = mpi ]; then
      toml=mc
      optics+=(--set mpi.reflections=6 --set mpi.return_loss_db=26 --set mpi.spacing_m=2
               --set mpi.linewidth_mhz=10)
    fi
    seconds "$exe" run "$tmp/$toml.toml" -o "$tmp/mc.h5" --overwrite --threads 1 --backend cpu \
      --set run.max_bits=$bits --set run.target_errors=1000000000000 \
      --set margin.compute=false "${optics[@]}" \
      --set eye.symbols=0 --set tdecq.symbols=0 >> "$tmp/t.${c/:/_}"
  done
done
for c in "${cases[@]}"; do
  t=$(median < "$tmp/t.${c/:/_}")
  lane=${c%%:*} km=${c##*:}
  [ "$lane" = mc ] && lane=ring
  [ "$lane" = cu ] && lane=wire
  [ "$lane" = mpi ] && lane="ring+MPI"
  awk -v lane="$lane" -v km="$km" -v t="$t" -v bits=$bits 'BEGIN {
    printf "%-8s, fibre %5s km: %.2f Msymbol/s (median of the runs, %.2f s for %d bits)\n",
           lane, km, bits / 2 / t / 1e6, t, bits }'
done
