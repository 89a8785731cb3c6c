#!/usr/bin/env bash
# A sweep across a Slurm cluster: a job array of N shards, then one merge.
#
#   scripts/slurm_sweep.sh SCENARIO OUTPUT.h5 [N]      (N shards, default 16)
#
# Each array task runs `lightlane run SCENARIO -o OUTPUT.h5`; lightlane reads its shard from
# SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_MIN / SLURM_ARRAY_TASK_COUNT and writes
# OUTPUT.shard-k-of-N.h5 with the points p mod N = k. A resubmitted task continues its own file
# (--resume). When every task has ended well, a dependent job joins the shards into OUTPUT.h5:
# virtual datasets reading each shard file in place (keep the shard files beside it).
# Site options (partition, account, GPUs per task) go in LIGHTLANE_SBATCH_OPTIONS, e.g.
#   LIGHTLANE_SBATCH_OPTIONS="--partition=gpu --gres=gpu:1" scripts/slurm_sweep.sh ...
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,13p' "$0"
  exit 2
fi
scenario=$(realpath "$1")
output=$(realpath -m "$2")
shards=${3:-16}
lightlane=${LIGHTLANE:-$(command -v lightlane || echo "$(dirname "$(realpath "$0")")/../build/lightlane")}
options=${LIGHTLANE_SBATCH_OPTIONS:-}

"$lightlane" validate "$scenario" > /dev/null  # refuse a bad scenario before queueing anything
mkdir -p "$(dirname "$output")"

# shellcheck disable=SC2086  # the site options are words
run_job=$(sbatch --parsable $options --array=0-$((shards - 1)) --job-name=lightlane-shard \
  --cpus-per-task="${LIGHTLANE_CPUS:-8}" \
  --wrap="OMP_NUM_THREADS=\${SLURM_CPUS_PER_TASK} '$lightlane' run '$scenario' -o '$output' --resume")
# The shard files, in any order: the merge reads which shard each one is.
stem="${output%.*}"
ext="${output##*.}"
# shellcheck disable=SC2086
sbatch $options --dependency=afterok:"$run_job" --job-name=lightlane-merge \
  --wrap="'$lightlane' merge --overwrite '$output' '$stem'.shard-*-of-$shards.'$ext'"
echo "submitted: array $run_job ($shards shards), then the merge into $output"
