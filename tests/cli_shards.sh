#!/usr/bin/env bash
# Results do not depend on the number of shards: a sweep run whole, and as four shards
# (--shard k/4, one file each), give the same values point by point in every dataset (each point
# taken from the shard that ran it; the others read as not_run there), and `lightlane merge`
# joins the four into virtual datasets equal to the whole run's. A Slurm job array's
# environment picks the shard; a bad --shard exits 2 naming it, and so does a merge of
# three of four shards.
# Usage: cli_shards.sh LIGHTLANE_BINARY SCENARIO
set -u
bin=$1
scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "import h5py, numpy" 2>/dev/null || { echo "h5py not importable: skipped"; exit 77; }
opts=(--threads 1 --set run.target_errors=100000000 --set run.max_bits=200000
      --set eye.symbols=2048 --set tdecq.symbols=0)

"$bin" run "$scenario" -o "$tmp/whole.h5" "${opts[@]}" > /dev/null 2>&1 ||
  { echo "FAIL: the whole run failed"; exit 1; }
for k in 0 1 2; do
  "$bin" run "$scenario" -o "$tmp/out.h5" "${opts[@]}" --shard "$k/4" > /dev/null 2>&1 ||
    { echo "FAIL: shard $k/4 failed"; exit 1; }
done
# The last shard from a Slurm job array's environment (array 1-4: task 4 is shard 3).
SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=4 \
  "$bin" run "$scenario" -o "$tmp/out.h5" "${opts[@]}" > /dev/null 2>&1 ||
  { echo "FAIL: the Slurm-array shard failed"; exit 1; }

python3 - "$tmp" <<'PY' || exit 1
import sys
import h5py
import numpy as np
tmp = sys.argv[1]
with h5py.File(f"{tmp}/whole.h5", "r") as whole:
    shards = [h5py.File(f"{tmp}/out.shard-{k}-of-4.h5", "r") for k in range(4)]
    points = whole["stop_reason"].shape[0]
    for k, f in enumerate(shards):
        assert f.attrs["shard"] == f"{k}/4", f"shard {k} says {f.attrs['shard']}"
        mine = np.arange(points) % 4 == k
        stop = f["stop_reason"][...]
        assert (stop[mine] != 0).all() and (stop[~mine] == 0).all(), f"shard {k} ran other points"
    for name in whole.keys():
        a = whole[name][...]
        if a.ndim == 0 or a.shape[:1] != (points,) or name == "point":
            continue  # dimension coordinates and the like
        merged = np.empty_like(a)
        for k, f in enumerate(shards):
            merged[k::4] = f[name][k::4]
        same = np.array_equal(a, merged, equal_nan=a.dtype.kind == "f")
        assert same, f"'{name}' differs between the whole run and the four shards"
    print(f"OK: {points} points; four shards give the whole run's values in every dataset")
PY
# lightlane merge: one file of virtual datasets equal to the whole run's, dataset by dataset.
"$bin" merge "$tmp/merged.h5" "$tmp"/out.shard-*-of-4.h5 2> "$tmp/merge_err" ||
  { echo "FAIL: merge failed"; cat "$tmp/merge_err"; exit 1; }
python3 "$(dirname "$0")/same_datasets.py" "$tmp/whole.h5" "$tmp/merged.h5" "the merged file" ||
  exit 1
python3 - "$tmp/merged.h5" <<'PY' || exit 1
import sys
import h5py
with h5py.File(sys.argv[1], "r") as merged:
    assert merged["ber"].is_virtual, "the merged per-point data is not virtual"
    assert "shard" not in merged.attrs and merged.attrs["merged_shards"] == "4"
print("OK: the four shards merged equal the whole run in every dataset")
PY
# Not all the shards: refused, exit 2.
"$bin" merge "$tmp/partial.h5" "$tmp"/out.shard-[012]-of-4.h5 > /dev/null 2> "$tmp/partial_err"
[ $? -eq 2 ] && grep -q "expected all 4 shards" "$tmp/partial_err" ||
  { echo "FAIL: merging three of four shards:"; cat "$tmp/partial_err"; exit 1; }
if "$bin" run "$scenario" -o "$tmp/bad.h5" --shard 4/4 > /dev/null 2> "$tmp/err"; then
  echo "FAIL: --shard 4/4 ran"; exit 1
fi
grep -q -- "--shard 4/4: expected k/N with 0 <= k < N" "$tmp/err" ||
  { echo "FAIL: message:"; cat "$tmp/err"; exit 1; }
"$bin" run "$scenario" -o "$tmp/bad.h5" --shard 4/4 > /dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: a bad --shard did not exit 2"; exit 1; }
