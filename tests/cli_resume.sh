#!/usr/bin/env bash
# kill -9 halfway, then --resume: the file ends with exactly what an uninterrupted run writes
# (every dataset equal: counts, ratios, eyes, stop reasons). Also: a resume with other overrides
# is refused and leaves the file as it was, as is a file lacking a variable this build writes;
# resuming a finished file runs nothing.
# Usage: cli_resume.sh LIGHTLANE_BINARY SCENARIO
set -u
bin=$1
scenario=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "import h5py, numpy" 2>/dev/null || { echo "h5py not importable: skipped"; exit 77; }
opts=(--threads 1 --set run.target_errors=100000000 --set run.max_bits=400000
      --set eye.symbols=4096)

"$bin" run "$scenario" -o "$tmp/full.h5" "${opts[@]}" > /dev/null 2>&1 ||
  { echo "FAIL: the uninterrupted run failed"; exit 1; }

"$bin" run "$scenario" -o "$tmp/part.h5" "${opts[@]}" > "$tmp/stdout" 2> /dev/null &
pid=$!
for _ in $(seq 1 600); do
  [ "$(wc -l < "$tmp/stdout")" -ge 3 ] && break  # header + two points
  sleep 0.05
done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
rows=$(($(wc -l < "$tmp/stdout") - 1))
points=$(python3 -c "import h5py,sys; print(h5py.File(sys.argv[1])['stop_reason'].size)" "$tmp/full.h5")
[ "$rows" -ge 1 ] && [ "$rows" -lt "$points" ] ||
  { echo "FAIL: killed with $rows of $points points printed: not halfway"; exit 1; }

# Other overrides: refused, the file untouched.
cp "$tmp/part.h5" "$tmp/before.h5"
if "$bin" run "$scenario" -o "$tmp/part.h5" "${opts[@]}" --set run.seed=2 --resume \
    > /dev/null 2> "$tmp/refused"; then
  echo "FAIL: a resume with other overrides ran"; exit 1
fi
grep -q "other --set overrides" "$tmp/refused" || { echo "FAIL: message:"; cat "$tmp/refused"; exit 1; }
cmp -s "$tmp/part.h5" "$tmp/before.h5" || { echo "FAIL: a refused resume changed the file"; exit 1; }

# A file from a build that did not write a variable this one writes (before issue 18: no
# margin_db): refused with exit 2 before its first write, not an HDF5 error mid-run.
cp "$tmp/part.h5" "$tmp/older.h5"
python3 -c "import h5py,sys; del h5py.File(sys.argv[1], 'a')['margin_db']" "$tmp/older.h5"
"$bin" run "$scenario" -o "$tmp/older.h5" "${opts[@]}" --resume > /dev/null 2> "$tmp/older_err"
code=$?
[ "$code" -eq 2 ] && grep -q "without 'margin_db'" "$tmp/older_err" ||
  { echo "FAIL: resuming a file without margin_db: exit $code:"; cat "$tmp/older_err"; exit 1; }

"$bin" run "$scenario" -o "$tmp/part.h5" "${opts[@]}" --resume > "$tmp/resumed" 2> "$tmp/err" ||
  { echo "FAIL: the resumed run failed"; cat "$tmp/err"; exit 1; }
grep -q "resuming" "$tmp/err" || { echo "FAIL: no resume message"; cat "$tmp/err"; exit 1; }
resumed_rows=$(($(wc -l < "$tmp/resumed") - 1))
[ "$resumed_rows" -le $((points - rows)) ] ||
  { echo "FAIL: the resume ran $resumed_rows points; $rows of $points were finished"; exit 1; }

python3 "$(dirname "$0")/same_datasets.py" "$tmp/full.h5" "$tmp/part.h5" "the resumed run" ||
  exit 1
# A finished file: nothing left to run.
"$bin" run "$scenario" -o "$tmp/part.h5" "${opts[@]}" --resume > "$tmp/again" 2> "$tmp/err2"
grep -q "$points of $points points finished, 0 to run" "$tmp/err2" ||
  { echo "FAIL: resuming a finished file:"; cat "$tmp/err2"; exit 1; }
echo "OK: killed after $rows of $points points; the resume ran $resumed_rows and every dataset" \
     "equals the uninterrupted run's"
