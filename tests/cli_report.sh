#!/usr/bin/env bash
# `lightlane report` end to end (ctest `cli_report`):
#   cli_report.sh LIGHTLANE_BINARY SOURCE_DIR
#
# Runs the default lane (5 points, 20,000 bits each, no TDECQ) and the ring's process variation
# (20 draws) small, then reports on each: the markdown has the header, one row per point, the
# pass column, and for the draws the yield table with the bank columns (--bank-rings replaces the
# default 8 and 16). --worst N prints N rows. Bad input (a missing file, a text file, an HDF5 file
# without `ber`) exits 2 with one line `lightlane: error: FILE: ...` and prints nothing on stdout
# and writes no file. Every case runs; the script lists each failure and exits 1 if there was any.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIGHTLANE_BINARY SOURCE_DIR" >&2
  exit 64
fi
BIN=$1
SRC=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lightlane_cli_report.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

failures=0
fail() {
  echo "cli_report: FAIL: $*" >&2
  failures=$((failures + 1))
}
# has FILE TEXT: FILE contains the fixed string TEXT.
has() {
  grep -q -F -- "$2" "$1" || fail "$(basename "$1") lacks '$2'"
}
# rows FILE PATTERN N: N lines of FILE match the extended regex PATTERN.
rows() {
  local n
  n=$(grep -c -E -- "$2" "$1")
  [[ $n -eq $3 ]] || fail "$(basename "$1"): $n lines match '$2', expected $3"
}

"$BIN" run "$SRC/scenarios/lane_200g_pam4.toml" -o "$TMP/lane.h5" --set run.max_bits=20000 \
  --set tdecq.symbols=0 >"$TMP/run.log" 2>&1 || fail "the lane's run failed: $(tail -1 "$TMP/run.log")"
"$BIN" run "$SRC/scenarios/mrm_200g_variation_stress.toml" -o "$TMP/draws.h5" \
  --set mrm.variation.draws=20 --set run.max_bits=20000 >"$TMP/run.log" 2>&1 ||
  fail "the variation's run failed: $(tail -1 "$TMP/run.log")"

# The lane: a header, five points over laser power, each passing or failing.
if "$BIN" report "$TMP/lane.h5" >"$TMP/lane.md" 2>"$TMP/err"; then
  has "$TMP/lane.md" "# lightlane port report: $TMP/lane.h5"
  has "$TMP/lane.md" "| scenario | $SRC/scenarios/lane_200g_pam4.toml |"
  has "$TMP/lane.md" '| overrides | `--set run.max_bits=20000 --set tdecq.symbols=0` |'
  has "$TMP/lane.md" "| backend | cpu"
  has "$TMP/lane.md" "| points | 5 |"
  has "$TMP/lane.md" "| lanes | 1 |"
  has "$TMP/lane.md" "| point | laser.power_dbm [dBm] | ber | [ber_lo, ber_hi] |"
  rows "$TMP/lane.md" '^\| [0-4] \| (2|4|6|8|10) \| [0-9.e-]+ \| \[.*\] \|.*\| (pass|\*\*FAIL\*\*) \|$' 5
  [[ -s $TMP/err ]] && fail "report wrote to stderr: $(head -1 "$TMP/err")"
  grep -q "## Yield" "$TMP/lane.md" && fail "a run without draws got a yield table"
else
  fail "report on the lane exited $?: $(head -1 "$TMP/err")"
fi
"$BIN" report "$TMP/lane.h5" --worst 2 >"$TMP/worst.md" 2>"$TMP/err" || fail "--worst 2 exited $?"
has "$TMP/worst.md" "The 2 of 5 points"
rows "$TMP/worst.md" '^\| [0-4] \| ' 2

# The draws: 20 rings on `point`, their lock flag, the yield once with its interval and banks.
if "$BIN" report "$TMP/draws.h5" --bank-rings 4 --bank-rings 16 >"$TMP/draws.md" 2>"$TMP/err"; then
  has "$TMP/draws.md" "| points | 20 |"
  has "$TMP/draws.md" "| point | mrm.resonance_offset_pm [pm] | mrm.power_coupling |"
  has "$TMP/draws.md" "| mrm_lock | pass |"
  rows "$TMP/draws.md" '^\| [0-9]+ \| -?[0-9.]+ \| .*\| (locked|beyond_heater_budget|thermally_unstable) \| (pass|\*\*FAIL\*\*) \|$' 20
  has "$TMP/draws.md" "## Yield"
  has "$TMP/draws.md" "| draws of | draws | finished | passed | yield | 95% interval | failed: lock | failed: BER | bank of 4 | bank of 16 |"
  rows "$TMP/draws.md" '^\| all points \| 20 \| 20 \| [0-9]+ \| [01]\.[0-9]{3} \| \[[01]\.[0-9]{3}, [01]\.[0-9]{3}\] \|' 1
  has "$TMP/draws.md" "assuming the rings fail independently"
else
  fail "report on the draws exited $?: $(head -1 "$TMP/err")"
fi

# Bad input: exit 2, one line naming the file, nothing on stdout, no file written.
: >"$TMP/out"; : >"$TMP/err.txt"
expect_bad() {
  local name=$1 path=$2 text=$3
  local before after
  before=$(ls -A "$TMP" | sort)
  "$BIN" report "$path" >"$TMP/out" 2>"$TMP/err.txt"
  local code=$?
  after=$(ls -A "$TMP" | sort)
  [[ $code -eq 2 ]] || fail "$name: exit code $code, expected 2"
  [[ -s $TMP/out ]] && fail "$name: wrote to stdout"
  [[ $(wc -l <"$TMP/err.txt") -eq 1 ]] || fail "$name: stderr is not one line: $(cat "$TMP/err.txt")"
  grep -q -F -- "lightlane: error: $path: $text" "$TMP/err.txt" ||
    fail "$name: stderr '$(cat "$TMP/err.txt")' lacks 'lightlane: error: $path: $text'"
  [[ $before == "$after" ]] || fail "$name: the folder changed"
}
expect_bad missing "$TMP/missing.h5" "no such file"
[[ -e $TMP/missing.h5 ]] && fail "missing: a file was created"
echo "not an HDF5 file" >"$TMP/text.h5"
expect_bad text "$TMP/text.h5" "not an HDF5 file"
if command -v python3 >/dev/null && python3 -c "import h5py" 2>/dev/null; then
  python3 -c "import h5py, sys; h5py.File(sys.argv[1], 'w').create_dataset('bits', data=[1])" \
    "$TMP/no_ber.h5"
  expect_bad no_ber "$TMP/no_ber.h5" 'no `ber` dataset'
fi
expect_bad folder "$TMP" "is a folder"

if [[ $failures -gt 0 ]]; then
  echo "cli_report: $failures failures" >&2
  exit 1
fi
echo "cli_report: all cases passed"
