#!/usr/bin/env bash
# A run whose file cannot grow (a full disk: here a file size limit, with SIGXFSZ ignored so that
# the write fails with EFBIG instead of killing the process) ends with exit code 1 and one error
# line naming the file, not a signal (an exception once escaped an OpenMP region and aborted, and
# HDF5's exit handler once crashed closing the file); it says how many points it wrote and how
# to go on. `--resume` without the limit then either finishes the file, equal to an uninterrupted
# run's dataset by dataset, or, where the failed write left HDF5's structures half written,
# refuses it in one line; never a crash. A run that fails before its first point leaves no file.
# Usage: cli_write_failure.sh LIGHTLANE_BINARY SCENARIO
set -u
bin=$1
scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "import h5py, numpy" 2>/dev/null || { echo "h5py not importable: skipped"; exit 77; }
opts=(--threads 1 --set run.target_errors=100000000 --set run.max_bits=200000
      --set tdecq.symbols=0)

"$bin" run "$scenario" -o "$tmp/whole.h5" "${opts[@]}" > /dev/null 2>&1 ||
  { echo "FAIL: the uninterrupted run failed"; exit 1; }
size_kb=$(( $(stat -c %s "$tmp/whole.h5") / 1024 ))
# A limit of about two thirds of the whole file: some points fit, not all.
limit=$(( size_kb * 2 / 3 ))
( trap '' XFSZ; ulimit -f "$limit"; exec "$bin" run "$scenario" -o "$tmp/part.h5" "${opts[@]}" ) \
  > /dev/null 2> "$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: exit code $rc with a full disk, expected 1:"; cat "$tmp/err"; exit 1; }
grep -q "terminate called" "$tmp/err" && { echo "FAIL: an exception escaped:"; cat "$tmp/err"; exit 1; }
grep -q "writing $tmp/part.h5 failed, so HDF5 may not open it again: the same command with --resume" "$tmp/err" ||
  { echo "FAIL: no word of the points written:"; cat "$tmp/err"; exit 1; }
grep -q "^lightlane: error: HDF5 output '$tmp/part.h5'.*File too large" "$tmp/err" ||
  { echo "FAIL: the error line does not name the file and the reason:"; cat "$tmp/err"; exit 1; }
kept=$(sed -n 's/.*the run stopped after \([0-9]*\) points.*/\1/p' "$tmp/err")
[ "${kept:-0}" -ge 1 ] || { echo "FAIL: no point kept before the disk filled:"; cat "$tmp/err"; exit 1; }

"$bin" run "$scenario" -o "$tmp/part.h5" "${opts[@]}" --resume > /dev/null 2> "$tmp/resumed"
rc=$?
if [ "$rc" -eq 0 ]; then
  python3 "$(dirname "$0")/same_datasets.py" "$tmp/whole.h5" "$tmp/part.h5" "the resumed run" ||
    exit 1
  resumed="finished by --resume, equal to the whole run"
elif [ "$rc" -eq 2 ] &&
     grep -q "^lightlane: error: HDF5 output '$tmp/part.h5': cannot open the file to resume it" \
       "$tmp/resumed"; then
  resumed="refused by --resume in one line (HDF5 cannot open it)"
else
  echo "FAIL: --resume after the failure: exit code $rc:"; cat "$tmp/resumed"; exit 1
fi

# Failing before the first point (the limit leaves no room for the file's layout): no file.
( trap '' XFSZ; ulimit -f 4; exec "$bin" run "$scenario" -o "$tmp/none.h5" "${opts[@]}" ) \
  > /dev/null 2> "$tmp/err0"
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: exit code $rc with no room at all, expected 1"; cat "$tmp/err0"; exit 1; }
[ ! -e "$tmp/none.h5" ] || { echo "FAIL: a run that failed before its first point left a file"; exit 1; }
echo "OK: the full disk stopped the run after $kept points, exit 1; the file $resumed"
