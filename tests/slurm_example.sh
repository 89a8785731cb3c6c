#!/usr/bin/env bash
# scripts/slurm_sweep.sh end to end without a cluster: a stand-in `sbatch` runs each array task
# in turn with the environment Slurm gives it, then the dependent merge; the merged file must
# equal a whole run's in every dataset.
# Usage: slurm_example.sh LIGHTLANE_BINARY SCRIPT SCENARIO
set -u
bin=$(realpath "$1")
script=$2
scenario=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "import h5py, numpy" 2>/dev/null || { echo "h5py not importable: skipped"; exit 77; }
mkdir "$tmp/bin"
cat > "$tmp/bin/sbatch" <<'SBATCH'
#!/usr/bin/env bash
# Stand-in for sbatch: --array=A-B runs the --wrap command once per task, in order.
array="" wrap=""
for arg in "$@"; do
  case "$arg" in
    --array=*) array=${arg#--array=} ;;
    --wrap=*) wrap=${arg#--wrap=} ;;
  esac
done
if [ -n "$array" ]; then
  first=${array%-*} last=${array#*-}
  for id in $(seq "$first" "$last"); do
    SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=$first \
      SLURM_ARRAY_TASK_COUNT=$((last - first + 1)) SLURM_CPUS_PER_TASK=1 \
      bash -c "$wrap" > /dev/null 2>&1 || exit 1
  done
  echo 1234
else
  bash -c "$wrap" > /dev/null 2>&1 || exit 1
fi
SBATCH
chmod +x "$tmp/bin/sbatch"
# A short sweep: the scenario with small points.
sed '/^max_bits/s/.*/max_bits = 100000/; /^target_errors/s/.*/target_errors = 100000000/' \
  "$scenario" > "$tmp/sweep.toml"
PATH="$tmp/bin:$PATH" LIGHTLANE="$bin" bash "$script" "$tmp/sweep.toml" "$tmp/out/sweep.h5" 3 \
  > "$tmp/log" 2>&1 || { echo "FAIL: the script failed:"; cat "$tmp/log"; exit 1; }
"$bin" run "$tmp/sweep.toml" -o "$tmp/whole.h5" > /dev/null 2>&1 || { echo "FAIL: whole run"; exit 1; }
python3 "$(dirname "$0")/same_datasets.py" "$tmp/whole.h5" "$tmp/out/sweep.h5" \
  "the job array's merged file" || exit 1
python3 - "$tmp/out/sweep.h5" <<'PY'
import sys
import h5py
with h5py.File(sys.argv[1], "r") as merged:
    assert merged.attrs["merged_shards"] == "3"
print("OK: the job array's three shards, merged, equal the whole run")
PY
