#!/usr/bin/env bash
# The command line end to end (ctest `cli_errors`):
#   cli_errors.sh LIGHTLANE_BINARY DATA_DIR
#
# Bad input (an unknown key, a wrong type, a negative loss, a sample rate that cannot carry the
# band limits, a coupling above one, a detuning past half an FSR, a bad sweep key, a TOML syntax
# error, a missing key, a missing file, bad --set overrides, an unavailable backend) must give
# exit code 2, exactly one line on stderr that names the file, the line (where one applies) and
# the key, nothing on stdout, and no output file. Output paths: the scenario (however spelt) is
# never overwritten, an existing file only with --overwrite, an unwritable path is refused before
# anything runs. Inputs that are folders, non-physical Touchstone data and values, keys with line
# breaks, a channel longer than a chunk are refused in one line. A small valid scenario must
# validate and run. Every case runs; the script lists each failure and exits 1 if there was any.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIGHTLANE_BINARY DATA_DIR" >&2
  exit 64
fi
BIN=$1
DATA=$2
CHECK_OUTPUT="$DATA/../check_output.py"

if [[ ! -x $BIN ]]; then
  echo "cli_errors: FAIL: $BIN is not an executable" >&2
  exit 1
fi
if [[ ! -d $DATA ]]; then
  echo "cli_errors: FAIL: $DATA is not a directory" >&2
  exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lightlane_cli_errors.XXXXXX") || {
  echo "cli_errors: FAIL: mktemp -d failed" >&2
  exit 1
}
trap 'rm -rf "$TMP"' EXIT

failures=0
checks=0
fail() {
  echo "cli_errors: FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() {
  checks=$((checks + 1))
}

# Line number (1-based) of the first line of FILE that contains TEXT (fixed string).
line_of() {
  grep -n -F -m1 -- "$2" "$1" | cut -d: -f1
}

# expect_bad NAME PATH_TEXT KEY LINE -- ARGS...
#   Runs "$BIN" ARGS... and checks: exit code 2; stdout empty; stderr exactly one line that
#   contains PATH_TEXT and KEY (KEY may be empty: not checked) and, when LINE is not empty,
#   "PATH_TEXT:LINE:"; and that $TMP/out.h5 does not exist afterwards.
expect_bad() {
  local name=$1 path_text=$2 key=$3 line=$4
  shift 5
  local out="$TMP/out.h5"
  rm -f "$out"
  "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  local err
  err=$(cat "$TMP/stderr")
  local nlines
  nlines=$(awk 'END { print NR }' "$TMP/stderr")
  local ok=1
  if [[ $rc -ne 2 ]]; then
    fail "$name: exit code $rc, expected 2 (stderr: $err)"
    ok=0
  fi
  if [[ $nlines -ne 1 ]]; then
    fail "$name: stderr has $nlines lines, expected exactly 1:"$'\n'"$err"
    ok=0
  fi
  if [[ -s $TMP/stdout ]]; then
    fail "$name: stdout not empty: $(head -c 400 "$TMP/stdout")"
    ok=0
  fi
  if [[ $err != *"$path_text"* ]]; then
    fail "$name: stderr does not name '$path_text': $err"
    ok=0
  fi
  if [[ -n $key && $err != *"$key"* ]]; then
    fail "$name: stderr does not name the key '$key': $err"
    ok=0
  fi
  if [[ -n $line ]]; then
    if [[ $err != *"$path_text:$line:"* ]]; then
      local rest=${err#*"$path_text":}
      if [[ $err == *"$path_text:"* && $rest =~ ^[0-9]+: ]]; then
        fail "$name: stderr gives line ${rest%%:*}, expected line $line ('$path_text:$line:'): $err"
      else
        fail "$name: stderr has no 'file:line:' ('$path_text:$line:'): $err"
      fi
      ok=0
    fi
  fi
  if [[ -e $out ]]; then
    fail "$name: $out exists after a refused run"
    ok=0
    rm -f "$out"
  fi
  [[ $ok -eq 1 ]] && pass
}

# bad_file FILE KEY LINE_TEXT: `run` and `validate` must both refuse DATA/FILE naming KEY and,
# when LINE_TEXT is given, the line of the file that contains LINE_TEXT.
bad_file() {
  local file="$DATA/$1" key=$2 line_text=$3 line=""
  if [[ ! -f $file ]]; then
    fail "$1: test input $file is missing"
    return
  fi
  if [[ -n $line_text ]]; then
    line=$(line_of "$file" "$line_text")
    if [[ -z $line ]]; then
      fail "$1: test input has no line containing '$line_text'"
      return
    fi
  fi
  expect_bad "run $1" "$file" "$key" "$line" -- run "$file" -o "$TMP/out.h5"
  expect_bad "validate $1" "$file" "$key" "$line" -- validate "$file"
}

# --- bad scenario files: one defect each ---------------------------------------------------
bad_file unknown_key.toml         mrm.radius_mm                 "radius_mm = 5"
bad_file wrong_type.toml          mrm.radius_um                 'radius_um = "eleven"'
bad_file negative_loss.toml       optics.waveguide_loss_db_per_cm "waveguide_loss_db_per_cm = -2.0"
bad_file nyquist.toml             receiver.bandwidth_ghz        "bandwidth_ghz = 110.0"
bad_file samples_per_ui_one.toml  signal.samples_per_ui         "samples_per_ui = 1"
bad_file coupling_above_one.toml  mrm.power_coupling            "power_coupling = 1.2"
bad_file detuning_past_fsr.toml   mrm.detuning_pm               "detuning_pm = 4000"
bad_file bad_sweep_key.toml       mrm.nonexistent               '"mrm.nonexistent" = [1, 2]'
bad_file sweep_samples_per_ui.toml signal.samples_per_ui        '"signal.samples_per_ui" = [16, 32]'
# A syntax error has a line but no key to name (the parser stops before any key is known).
bad_file syntax_error.toml        ""                            "swing_vpp = 3.0 V"
# A missing key has no line to name: the file and the key.
bad_file missing_key.toml         mrm.detuning_pm               ""

# --- a missing scenario file ----------------------------------------------------------------
missing="$TMP/no_such_dir/no_such_scenario.toml"
expect_bad "missing file" "$missing" "" "" -- run "$missing" -o "$TMP/out.h5"

# --- bad --set overrides on a good file -----------------------------------------------------
good="$DATA/good_small.toml"
expect_bad "--set wrong type" "--set mrm.n_g=abc" mrm.n_g "" -- \
  run "$good" -o "$TMP/out.h5" --set mrm.n_g=abc
expect_bad "--set unknown key" "--set nosuch.key=1" nosuch.key "" -- \
  run "$good" -o "$TMP/out.h5" --set nosuch.key=1
expect_bad "--set out of range" "--set optics.extra_loss_db=-3" optics.extra_loss_db "" -- \
  run "$good" -o "$TMP/out.h5" --set optics.extra_loss_db=-3

# --- --backend cuda where no CUDA device is usable ------------------------------------------
if "$BIN" info 2>/dev/null | grep -q "^cuda backend: built; device"; then
  echo "cli_errors: skip: --backend cuda check (a CUDA device is usable here)"
else
  expect_bad "--backend cuda" "CUDA" "" "" -- run "$good" -o "$TMP/out.h5" --backend cuda
fi

# --- output paths: nothing of the user's is lost, a bad path is refused before the run --------
# expect_kept NAME FILE TEXT -- ARGS...: exit code 2, one stderr line containing TEXT, and FILE
# (which exists) unchanged byte for byte.
expect_kept() {
  local name=$1 file=$2 text=$3
  shift 4
  local before after
  before=$(cksum <"$file")
  "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  after=$(cksum <"$file")
  local err nlines
  err=$(cat "$TMP/stderr")
  nlines=$(awk 'END { print NR }' "$TMP/stderr")
  if [[ $rc -ne 2 ]]; then
    fail "$name: exit code $rc, expected 2 (stderr: $err)"
  elif [[ $nlines -ne 1 || $err != *"$text"* ]]; then
    fail "$name: expected one stderr line naming '$text':"$'\n'"$err"
  elif [[ $before != "$after" ]]; then
    fail "$name: $file was changed"
  else
    pass
  fi
}
cp "$good" "$TMP/scenario.toml"
ln -s "$TMP/scenario.toml" "$TMP/link.toml"
small=(--set run.max_bits=20000 --set eye.symbols=1024 --set tdecq.symbols=0 --threads 1)
# The scenario as its own output, under its own name, another spelling and a link, even with
# --overwrite or --resume.
expect_kept "output is the scenario" "$TMP/scenario.toml" "an input of this run" -- \
  run "$TMP/scenario.toml" -o "$TMP/scenario.toml" "${small[@]}"
expect_kept "output is the scenario (--overwrite)" "$TMP/scenario.toml" "an input of this run" -- \
  run "$TMP/scenario.toml" -o "$TMP/../$(basename "$TMP")/./scenario.toml" --overwrite "${small[@]}"
expect_kept "output is a link to the scenario (--resume)" "$TMP/scenario.toml" \
  "an input of this run" -- run "$TMP/scenario.toml" -o "$TMP/link.toml" --resume "${small[@]}"
# An existing output is kept unless --overwrite says otherwise.
echo "an earlier result" >"$TMP/earlier.h5"
expect_kept "existing output" "$TMP/earlier.h5" "--overwrite" -- \
  run "$good" -o "$TMP/earlier.h5" "${small[@]}"
expect_kept "existing output, validate -o" "$TMP/earlier.h5" "--overwrite" -- \
  validate "$good" -o "$TMP/earlier.h5"
# --resume on a file that is not a run's HDF5 file: refused, the file kept.
expect_kept "--resume on a file that is not HDF5" "$TMP/earlier.h5" "cannot open the file to resume" -- \
  run "$good" -o "$TMP/earlier.h5" --resume "${small[@]}"
if "$BIN" run "$good" -o "$TMP/earlier.h5" --overwrite "${small[@]}" >/dev/null 2>&1 &&
   [[ $(head -c 4 "$TMP/earlier.h5" | od -An -c | tr -d ' ') == "211HDF" ]]; then
  pass
else
  fail "run --overwrite did not replace $TMP/earlier.h5 with an HDF5 file"
fi
# A merge's output is checked likewise: never one of its shards.
expect_kept "merge into a shard" "$TMP/earlier.h5" "an input of this run" -- \
  merge "$TMP/earlier.h5" "$TMP/earlier.h5"
# Paths that cannot be written: refused at once (validate -o too), no file made.
mkdir -p "$TMP/folder"
expect_bad "output in a missing folder" "$TMP/no_such_folder/out.h5" "--output" "" -- \
  run "$good" -o "$TMP/no_such_folder/out.h5"
expect_bad "output is a folder" "$TMP/folder" "--output" "" -- run "$good" -o "$TMP/folder"
expect_bad "output in /proc" "/proc/lightlane_out.h5" "--output" "" -- \
  run "$good" -o /proc/lightlane_out.h5
expect_bad "validate -o a folder" "$TMP/folder" "--output" "" -- validate "$good" -o "$TMP/folder"
if [[ $(id -u) -ne 0 ]]; then  # root writes anywhere: only a user meets permissions
  mkdir -p "$TMP/readonly" && chmod 500 "$TMP/readonly"
  expect_bad "output in a read-only folder" "$TMP/readonly/out.h5" "--output" "" -- \
    run "$good" -o "$TMP/readonly/out.h5"
fi

# --- inputs that are not what they claim ---------------------------------------------------
expect_bad "scenario is a folder" "$TMP/folder" "is a folder" "" -- validate "$TMP/folder"
# A key with an escaped line break: still one line.
printf '"mrm\\nx" = 1\n' >"$TMP/newline_key.toml"
expect_bad "a key with a line break" "$TMP/newline_key.toml" "unknown key" "1" -- \
  validate "$TMP/newline_key.toml"
expect_bad "--set value with a line break" "--set" mrm.n_g "" -- \
  validate "$good" --set $'mrm.n_g=ab\nc'
expect_bad "waveguide of 1e308 cm" "--set" optics.waveguide_length_cm "" -- \
  validate "$good" --set optics.waveguide_length_cm=1e308
expect_bad "unknown key suggests" "did you mean \"laser.power_dbm\"" laser.power_dBm "" -- \
  validate "$good" --set laser.power_dBm=5
# Touchstone files: written here (python3: tests need it anyway) from one 2-port maker.
touchstone() {  # touchstone FILE FORMAT ROWS: an option line and ROWS (f a b) as S11 S21 S12 S22
  python3 - "$@" <<'PY'
import sys
path, fmt, rows = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, "w") as out:
    out.write(f"# GHz S {fmt} R 50\n")
    for row in rows.split(";"):
        f, a, b = row.split()
        out.write(f"{f} 0 0 {a} {b} {a} {b} 0 0\n")
PY
}
channel_set=(--set channel.model=\"touchstone\" --set tx_ffe.c_p1=0)
bad_channel() {  # bad_channel NAME FILE TEXT: refused naming channel.file and the file
  expect_bad "$1" "$2" channel.file "" -- validate "$DATA/../../scenarios/serdes_200g_cpo_stress.toml" \
    "${channel_set[@]}" --set "channel.file=\"$2\""
  [[ -z $3 ]] || grep -q -- "$3" "$TMP/stderr" || fail "$1: stderr lacks '$3': $(cat "$TMP/stderr")"
}
touchstone "$TMP/negative_f.s2p" MA "-1 0.9 0;10 0.8 -30;60 0.5 -200"
bad_channel "negative frequency" "$TMP/negative_f.s2p" "negative"
touchstone "$TMP/negative_ma.s2p" MA "0.1 0.9 0;10 -0.8 -30;60 0.5 -200"
bad_channel "negative MA magnitude" "$TMP/negative_ma.s2p" "negative"
touchstone "$TMP/one_f.s2p" RI "10 0.8 0"
bad_channel "one frequency" "$TMP/one_f.s2p" "one frequency"
touchstone "$TMP/huge.s2p" RI "0.1 0.9 0;10 1e300 0;60 0.5 0"
bad_channel "S21 of 1e300" "$TMP/huge.s2p" "passive"
bad_channel "channel.file is a folder" "$TMP/folder" "is a folder"
# A channel whose echo rings longer than a chunk the user gave: refused by validate as by run
# (the plan counts what the engine counts), naming run.chunk_symbols, the channel file and a
# chunk that holds it; run leaves no file. Without run.chunk_symbols the chunk grows to hold it.
python3 - "$TMP/echo.s2p" <<'PY'
import cmath, math, sys
with open(sys.argv[1], "w") as out:
    out.write("# Hz S RI R 50\n")
    for k in range(1, 12001):
        f = k * 1e7
        h = math.exp(-f / 3e10) * (0.7 + 0.3 * cmath.exp(-2j * math.pi * f * 8e-9))
        out.write(f"{f:.6e} 0 0 {h.real:.6e} {h.imag:.6e} {h.real:.6e} {h.imag:.6e} 0 0\n")
PY
for command in validate run; do
  expect_bad "echo longer than a chunk ($command)" "--set run.chunk_symbols=1024" run.chunk_symbols "" -- \
    "$command" "$DATA/../../scenarios/serdes_200g_cpo_stress.toml" "${channel_set[@]}" \
    --set "channel.file=\"$TMP/echo.s2p\"" --set run.chunk_symbols=1024 \
    $([[ $command == run ]] && echo "-o $TMP/out.h5")
  grep -q "echo.s2p" "$TMP/stderr" || fail "echo ($command): the channel file is not named"
done
checks=$((checks + 1))
if ! "$BIN" validate "$DATA/../../scenarios/serdes_200g_cpo_stress.toml" "${channel_set[@]}" \
    --set "channel.file=\"$TMP/echo.s2p\"" >"$TMP/stdout" 2>"$TMP/stderr" ||
    ! grep -qE "chunk (2048|4096) symbols" "$TMP/stdout"; then
  fail "echo without run.chunk_symbols: expected the chunk sized to hold it: $(cat "$TMP/stderr")"
fi

# --- COM beside the BER, said to be the host channel's ---------------------------------------
cpo="$DATA/../../scenarios/serdes_200g_cpo_stress.toml"
if "$BIN" run "$cpo" -o "$TMP/cpo.h5" "${small[@]}" >"$TMP/cpo.out" 2>"$TMP/cpo.err"; then
  # Both figures, labelled: the preset's channel.com_set and the lane's; both pass 3 dB.
  if head -1 "$TMP/cpo.out" | grep -qF "host-channel COM dB (802.3dj-KR-DFE / lane's FFE, MMSE rx)" &&
     awk 'NR == 2 { exit !($(NF - 2) + 0 > 3 && $NF + 0 > 3) }' "$TMP/cpo.out"; then
    pass
  else
    fail "serdes_200g_cpo_stress: the summary lacks the host channel's COM beside the BER:"$'\n'"$(cat "$TMP/cpo.out")"
  fi
  if command -v h5dump >/dev/null 2>&1; then
    if h5dump -a /com_db/long_name "$TMP/cpo.h5" 2>/dev/null | grep -q "not the lane"; then
      pass
    else
      fail "com_db's long_name does not say it is not the lane's verdict"
    fi
  fi
else
  fail "run serdes_200g_cpo_stress: $(cat "$TMP/cpo.err")"
fi

# --- the version ---------------------------------------------------------------------------
if "$BIN" --version >"$TMP/version" 2>&1 && grep -q "^lightlane [0-9.]* (git " "$TMP/version"; then
  pass
else
  fail "--version: $(cat "$TMP/version")"
fi

# --- a good scenario ------------------------------------------------------------------------
"$BIN" validate "$good" >"$TMP/validate.out" 2>"$TMP/validate.err"
rc=$?
if [[ $rc -ne 0 ]]; then
  fail "validate good_small.toml: exit code $rc, expected 0: $(cat "$TMP/validate.err")"
elif ! grep -q "points 2" "$TMP/validate.out"; then
  fail "validate good_small.toml: output lacks 'points 2':"$'\n'"$(cat "$TMP/validate.out")"
else
  pass
fi

"$BIN" run "$good" -o "$TMP/good.h5" >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
if [[ $rc -ne 0 ]]; then
  fail "run good_small.toml: exit code $rc, expected 0: $(cat "$TMP/run.err")"
elif [[ ! -s $TMP/good.h5 ]]; then
  fail "run good_small.toml: exit code 0 but $TMP/good.h5 was not written"
else
  pass
  if command -v python3 >/dev/null 2>&1 &&
     python3 -c "import h5py, xarray" >/dev/null 2>&1; then
    python3 "$CHECK_OUTPUT" "$TMP/good.h5" --expect-coords driver_swing_vpp \
      >"$TMP/check.out" 2>&1
    rc=$?
    if [[ $rc -eq 0 ]]; then
      pass
    elif [[ $rc -eq 77 ]]; then
      echo "cli_errors: skip: check_output.py (h5netcdf not installed)"
    else
      fail "check_output.py on good.h5 (exit $rc): $(cat "$TMP/check.out")"
    fi
  else
    echo "cli_errors: skip: check_output.py (python3 with h5py and xarray not importable)"
  fi
fi

if [[ $failures -ne 0 ]]; then
  echo "cli_errors: $failures check(s) failed, $checks passed" >&2
  exit 1
fi
echo "cli_errors: all $checks checks passed"
exit 0
