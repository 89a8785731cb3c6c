#!/usr/bin/env bash
# A killed run keeps every finished point: start a sweep, SIGKILL it as soon as the first point's
# row is printed (the point is written and flushed before its row), then the file must open and
# hold that point's counts, with unfinished points reading as not_run.
# Usage: cli_kill_keeps_points.sh LIGHTLANE_BINARY SCENARIO
set -u
bin=$1
scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "import h5py" 2>/dev/null || { echo "h5py not importable: skipped"; exit 77; }

"$bin" run "$scenario" -o "$tmp/out.h5" --threads 1 --set run.target_errors=100000000 \
    --set run.max_bits=4000000 > "$tmp/stdout" 2> /dev/null &
pid=$!
for _ in $(seq 1 600); do
  [ "$(wc -l < "$tmp/stdout")" -ge 2 ] && break
  sleep 0.1
done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
rows=$(($(wc -l < "$tmp/stdout") - 1))
[ "$rows" -ge 1 ] || { echo "FAIL: no point finished before the kill"; exit 1; }

python3 - "$tmp/out.h5" "$rows" <<'PY'
import sys
import h5py
path, rows = sys.argv[1], int(sys.argv[2])
with h5py.File(path, "r") as f:
    stop = f["stop_reason"][:]
    bits = f["bits"][:]
    finished = int((stop != 0).sum())
    # Every printed row is in the file; points still running read as not_run (0) with no bits.
    assert finished >= rows, f"{rows} rows printed but {finished} points in the file"
    assert finished < len(stop), "the run was not interrupted: make the points longer"
    assert all(bits[stop == 0] == 0), "an unfinished point has counts"
    assert all(bits[stop != 0] == 4000000), "a finished point lost counts"
print(f"OK: killed with {rows} of {len(stop)} points finished; the file keeps them")
PY
