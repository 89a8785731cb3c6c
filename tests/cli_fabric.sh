#!/usr/bin/env bash
# `lightlane fabric` end to end (ctest `cli_fabric`):
#   cli_fabric.sh LIGHTLANE_BINARY FABRIC_TOML [WDM_RUN_H5]
#
# The shipped 128k description runs (exit 0, a markdown table with 655,360 pluggable
# transceivers) and --csv writes the same table and nothing else. Bad input, each made from the
# shipped file by one edit (an unknown key, a wrong type, a value out of range, a missing key, a
# fabric the tiers cannot reach, a radix of 0, a wrong number of ratios, an unknown nic_end, a
# port run that is missing, not HDF5, has no port power at the point, or a point out of range, a
# TOML syntax error, an existing or input --csv path) must give exit code 2, one line on stderr
# naming FILE:LINE: KEY and what was expected, nothing on stdout, and no file written. With
# WDM_RUN_H5 (a 1.6T WDM run with [energy], ctest fixture lightlane_wdm_file), a port's power
# comes from the run's point. Every case runs; the script lists each failure and exits 1 if any.
set -u

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 LIGHTLANE_BINARY FABRIC_TOML [WDM_RUN_H5]" >&2
  exit 64
fi
BIN=$1
FABRIC=$2
WDM_RUN=${3:-}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lightlane_cli_fabric.XXXXXX") || {
  echo "cli_fabric: FAIL: mktemp -d failed" >&2
  exit 1
}
trap 'rm -rf "$TMP"' EXIT
failures=0
checks=0
fail() {
  echo "cli_fabric: FAIL: $*" >&2
  failures=$((failures + 1))
}

# The files in $TMP, for "nothing else was written".
listing() { (cd "$TMP" && find . -type f | sort); }

# variant NAME SED_SCRIPT: $TMP/NAME.toml, the shipped file edited by sed.
variant() {
  sed -e "$2" "$FABRIC" >"$TMP/$1.toml"
}

# expect_bad NAME FILE LINE KEY TEXT -- ARGS...: exit 2, one stderr line containing
# "FILE:LINE: KEY:" (LINE empty: "FILE: " or "FILE:N:") and TEXT, empty stdout, no new file.
expect_bad() {
  local name=$1 file=$2 line=$3 key=$4 text=$5
  shift 6
  local before
  before=$(listing)
  "$BIN" "$@" >"$TMP/.stdout" 2>"$TMP/.stderr"
  local rc=$?
  local err
  err=$(cat "$TMP/.stderr")
  local nlines
  nlines=$(awk 'END { print NR }' "$TMP/.stderr")
  local where="$file:$line: $key:"
  [[ -z $key ]] && where="$file:$line:"
  [[ -z $line ]] && where="$file"
  local ok=1
  [[ $rc -eq 2 ]] || { fail "$name: exit code $rc, expected 2 ($err)"; ok=0; }
  [[ $nlines -eq 1 ]] || { fail "$name: stderr has $nlines lines: $err"; ok=0; }
  [[ -s $TMP/.stdout ]] && { fail "$name: stdout not empty"; ok=0; }
  [[ $err == *"$where"* ]] || { fail "$name: stderr does not name '$where': $err"; ok=0; }
  [[ $err == *"$text"* ]] || { fail "$name: stderr does not say '$text': $err"; ok=0; }
  rm -f "$TMP/.stdout" "$TMP/.stderr"
  [[ $(listing) == "$before" ]] || { fail "$name: files were written: $(listing)"; ok=0; }
  [[ $ok -eq 1 ]] && checks=$((checks + 1))
}

# The number of the first line of FILE that starts with TEXT.
line_of() { awk -v t="$2" 'index($0, t) == 1 { print NR; exit }' "$1"; }

# ---- the shipped description runs; --csv writes the same table and nothing else -------------
cp "$FABRIC" "$TMP/fabric.toml"
before=$(listing)
if "$BIN" fabric "$TMP/fabric.toml" --csv "$TMP/out.csv" >"$TMP/table.md" 2>"$TMP/err"; then
  grep -q -F "| transceivers | 1 | 655360 |" "$TMP/table.md" ||
    fail "128k: no '| transceivers | 1 | 655360 |' row: $(cat "$TMP/table.md")"
  grep -q -F "transceivers,1,655360," "$TMP/out.csv" || fail "128k: the CSV lacks the count"
  md_rows=$(grep -c '^|' "$TMP/table.md")
  csv_rows=$(wc -l <"$TMP/out.csv")
  [[ $((md_rows - 1)) -eq $csv_rows ]] || fail "128k: $md_rows markdown lines, $csv_rows CSV lines"
  [[ -s $TMP/err ]] && fail "128k: stderr not empty: $(cat "$TMP/err")"
  after=$(listing)
  expected=$(printf '%s\n%s\n%s\n%s' "$before" ./err ./out.csv ./table.md | sort)
  [[ $after == "$expected" ]] || fail "128k: unexpected files: $after"
  checks=$((checks + 1))
else
  fail "128k: exit code $? ($(cat "$TMP/err"))"
fi
rm -f "$TMP/table.md" "$TMP/err"
# An existing CSV is refused without --overwrite and replaced with it; an input never.
expect_bad csv_exists "$TMP/out.csv" "" "" "--overwrite" -- fabric "$TMP/fabric.toml" --csv "$TMP/out.csv"
if "$BIN" fabric "$TMP/fabric.toml" --csv "$TMP/out.csv" --overwrite >/dev/null 2>&1; then
  checks=$((checks + 1))
else
  fail "csv --overwrite: refused"
fi
rm -f "$TMP/out.csv"
expect_bad csv_is_input "$TMP/fabric.toml" "" "" "--csv" -- fabric "$TMP/fabric.toml" --csv "$TMP/fabric.toml" --overwrite
expect_bad missing_file "$TMP/nope.toml" "" "" "cannot open" -- fabric "$TMP/nope.toml"

# ---- bad descriptions ---------------------------------------------------------------------
L() { line_of "$FABRIC" "$1"; }
variant unknown_key 's/^gpu_ports = 1 /gpu_prts = 1 /'
expect_bad unknown_key "$TMP/unknown_key.toml" "$(L 'gpu_ports =')" fabric.gpu_prts \
  'unknown key; did you mean "fabric.gpu_ports"?' -- fabric "$TMP/unknown_key.toml"
variant wrong_type 's/^tiers = 3 /tiers = "3" /'
expect_bad wrong_type "$TMP/wrong_type.toml" "$(L 'tiers =')" fabric.tiers "got a string" \
  -- fabric "$TMP/wrong_type.toml"
variant out_of_range 's/^gpus = 131072 /gpus = 0 /'
expect_bad out_of_range "$TMP/out_of_range.toml" "$(L 'gpus =')" fabric.gpus \
  "expected a number of GPUs from 1 to 1e8, got 0" -- fabric "$TMP/out_of_range.toml"
variant missing_key '/^link_gbps = /d'
expect_bad missing_key "$TMP/missing_key.toml" "$(L '[fabric]')" fabric.link_gbps "missing; expected" \
  -- fabric "$TMP/missing_key.toml"
variant two_tiers 's/^tiers = 3 /tiers = 2 /; s/^oversubscription = \[1.0, 2.0\]/oversubscription = [1.0]/'
expect_bad unreachable "$TMP/two_tiers.toml" "$(L 'gpus =')" fabric.gpus "expected at most 10368 GPUs" \
  -- fabric "$TMP/two_tiers.toml"
variant radix 's/^bandwidth_tbps = 115.2 /bandwidth_tbps = 0.5 /'
expect_bad radix "$TMP/radix.toml" "$(L 'bandwidth_tbps =')" switch.bandwidth_tbps \
  "expected a switch of at least 2 ports" -- fabric "$TMP/radix.toml"
variant ratios 's/^oversubscription = \[1.0, 2.0\]/oversubscription = [1.0, 1.0, 2.0]/'
expect_bad ratios "$TMP/ratios.toml" "$(L 'oversubscription =')" fabric.oversubscription \
  "expected tiers - 1 = 2 downlink:uplink ratios" -- fabric "$TMP/ratios.toml"
variant nic_end '0,/^nic_end = "pluggable 800G DR4"/s//nic_end = "pluggable 800G"/'
expect_bad nic_end "$TMP/nic_end.toml" "$(L 'nic_end =')" port.nic_end \
  'expected "same" or the name of a pluggable [[port]] design ("pluggable 800G DR4", "pluggable 800G DR4, computed"), got "pluggable 800G"' \
  -- fabric "$TMP/nic_end.toml"
variant syntax 's/^gpus = 131072 /gpus = = 131072 /'
expect_bad syntax "$TMP/syntax.toml" "$(L 'gpus =')" "" "TOML syntax" -- fabric "$TMP/syntax.toml"
variant no_fit '/^fit_transceiver = /d'
expect_bad missing_fit "$TMP/no_fit.toml" "$(line_of "$TMP/no_fit.toml" '[[port]]')" port.fit_transceiver \
  "missing; expected a failure rate in FIT" -- fabric "$TMP/no_fit.toml"

# A port's power from a run: a missing file, a file that is not HDF5, a run without [energy]'s
# figures at the point (tests/data/good_small.toml), a point out of range.
run_variant() {  # run_variant NAME RUN POINT: the CPO design's power (its power_w line) from a run
  awk -v run="$2" -v point="$3" \
    '/^power_w = 6.5/ && ++n == 1 { print "run = \"" run "\""; print "point = " point; next } { print }' \
    "$FABRIC" >"$TMP/$1.toml"
}
run_variant run_missing nope.h5 0
expect_bad run_missing "$TMP/run_missing.toml" "$(line_of "$TMP/run_missing.toml" 'run = ')" port.run \
  "cannot open \"$TMP/nope.h5\" (no such file)" -- fabric "$TMP/run_missing.toml"
run_variant run_not_hdf5 fabric.toml 0
expect_bad run_not_hdf5 "$TMP/run_not_hdf5.toml" "$(line_of "$TMP/run_not_hdf5.toml" 'run = ')" port.run \
  "is not an HDF5 file" -- fabric "$TMP/run_not_hdf5.toml"
SMALL=$(dirname "$0")/data/good_small.toml
if "$BIN" run "$SMALL" -o "$TMP/small.h5" >/dev/null 2>&1; then
  run_variant run_no_energy small.h5 0
  expect_bad run_no_energy "$TMP/run_no_energy.toml" "$(line_of "$TMP/run_no_energy.toml" 'run = ')" \
    port.run "port_power_w at point 0 of \"$TMP/small.h5\" is nan; expected a finished point of a run with [energy]" \
    -- fabric "$TMP/run_no_energy.toml"
  run_variant run_point small.h5 7
  expect_bad run_point "$TMP/run_point.toml" "$(line_of "$TMP/run_point.toml" 'point = ')" port.point \
    "expected a point index from 0 to 1" -- fabric "$TMP/run_point.toml"
else
  fail "could not run $SMALL for the run cases"
fi

# ---- a port's power from a 1.6T WDM run (the worst lane of the point) ----------------------
if [[ -n $WDM_RUN ]]; then
  run_variant run_wdm "$WDM_RUN" 2
  sed -i -e 's/^link_gbps = 800/link_gbps = 1600/' -e 's/^bandwidth_tbps = 115.2 /bandwidth_tbps = 230.4 /' \
    "$TMP/run_wdm.toml"
  if "$BIN" fabric "$TMP/run_wdm.toml" >"$TMP/wdm.md" 2>"$TMP/wdm.err"; then
    grep -q -F "| port power source |  | input | input | input | $WDM_RUN point 2 |" "$TMP/wdm.md" ||
      fail "wdm run: the CPO column does not name its run: $(grep source "$TMP/wdm.md")"
    grep -q -F "| run BER (worst lane) |" "$TMP/wdm.md" || fail "wdm run: no BER row"
    checks=$((checks + 1))
  else
    fail "wdm run: exit code $? ($(cat "$TMP/wdm.err"))"
  fi
fi

if [[ $failures -ne 0 ]]; then
  echo "cli_fabric: $failures check(s) failed, $checks passed" >&2
  exit 1
fi
echo "cli_fabric: all $checks checks passed"
exit 0
