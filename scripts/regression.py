#!/usr/bin/env python3
"""Regression of lightlane's results against golden files kept in the repository.

Usage: regression.py LIGHTLANE [--backend cpu|cuda] [--update] [--golden DIR] [--only CASE]

Runs a fixed set of cases: every preset in scenarios/ at a small fixed budget (no early stop, so
every point counts the same bits whatever the backend), and a statistical-eye grid
(tests/data/regression_stat_grid.toml). Each run's file is reduced to a summary (counts,
figures, each eye histogram's digest and a coarse copy of it) and compared with the golden
summary tests/golden/regression/CASE.BACKEND.json, or with the CPU's where the backend has none.
`--update` writes the golden summaries instead (for the backend run).

What is compared, and how strictly:
- counts (bits, bit_errors, symbols, symbol_errors, stop_reason) and eye histograms: exactly
  (the histogram's SHA-256) where the golden was made by the same backend on the same build
  (compiler, FFTW, the CPU's vector unit: they decide every rounding); otherwise the BER's 95%
  Clopper-Pearson intervals must overlap and each eye histogram must lie within a total
  variation distance of EYE_TV (0.02) of the golden's, on the coarse copy (16 amplitude x 4
  phase bins);
- figures the set-up computes in double on the host (FSR, Q, ER, OMA, P_avg, COM, heater power,
  energy): within 1e-9 relative (their own rounding);
- TDECQ (the host's double-precision waveform through FFTW): within 1e-3 dB;
- the statistical eye's BER and SER within 1e-4 relative and its height within 1e-6 relative
  (the CPU/GPU agreement tests/kernels/test_stat_eye_backends.cpp holds them to), its width 1e-4 UI.
Prints one line per case and `N passed, N failed`; exits 1 on any failure.
"""

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
BUDGET = ["--set", "run.max_bits=100000", "--set", "run.target_errors=1000000000",
          "--set", "eye.symbols=2048", "--set", "tdecq.symbols=2048"]
COUNTS = ["bits", "bit_errors", "symbols", "symbol_errors", "stop_reason"]
FIGURES = {  # name: (relative, absolute) tolerance
    "mrm_fsr_nm": (1e-9, 0.0), "mrm_q_loaded": (1e-9, 0.0), "mrm_extinction_ratio_db": (0, 1e-9),
    "oma_outer_dbm": (0, 1e-9), "average_power_dbm": (0, 1e-9), "com_db": (0, 1e-6),
    "heater_power_mw": (1e-9, 0.0), "energy_pj_per_bit": (1e-9, 0.0), "tdecq_db": (0, 1e-3),
}
STAT_FIGURES = {"ber": (1e-4, 1e-25), "ser": (1e-4, 1e-25), "eye_height": (1e-6, 0.0),
                "eye_width": (0.0, 1e-4)}
EYE_TV = 0.02
COARSE = (16, 4)  # amplitude x phase bins of the eye's coarse copy


def build_identity():
    """What decides the rounding of a CPU run: the compiler, FFTW and the vector unit."""
    def first_line(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.split("\n")[0]
        except OSError:
            return "unknown"
    flags = ""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        pass
    simd = "avx512f" if " avx512f" in flags else "avx2" if " avx2" in flags else "base"
    return "; ".join([platform.machine(), simd, first_line(["c++", "--version"]),
                      "fftw " + first_line(["pkg-config", "--modversion", "fftw3f"])])


# Per preset, beyond BUDGET: fewer fabricated rings than the variation preset's, so that its
# golden file stays small.
PRESET_EXTRA = {"mrm_200g_variation_stress": ["--set", "mrm.variation.draws=16"],
                "mrm_200g_yield": ["--set", "mrm.variation.draws=16"]}


def cases():
    presets = sorted(f for f in os.listdir(os.path.join(SOURCE, "scenarios")) if f.endswith(".toml"))
    out = [(p[:-5], os.path.join(SOURCE, "scenarios", p), BUDGET + PRESET_EXTRA.get(p[:-5], []))
           for p in presets]
    # The systems (scenarios/systems/): those that are runs (a fabric description is not).
    systems = os.path.join(SOURCE, "scenarios", "systems")
    for f in sorted(os.listdir(systems)) if os.path.isdir(systems) else []:
        path = os.path.join(systems, f)
        if f.endswith(".toml") and "[run]" in open(path, encoding="utf-8").read():
            out.append(("systems_" + f[:-5], path, BUDGET))
    out.append(("stat_grid", os.path.join(SOURCE, "tests", "data", "regression_stat_grid.toml"), []))
    return out


def coarse(eye):
    """An eye histogram [..., amplitude, phase] summed into COARSE bins, as fractions."""
    a, p = eye.shape[-2:]
    c = eye.reshape(eye.shape[:-2] + (COARSE[0], a // COARSE[0], COARSE[1], p // COARSE[1]))
    c = c.sum(axis=(-3, -1)).astype(float)
    total = c.sum(axis=(-2, -1), keepdims=True)
    return np.where(total > 0, c / np.where(total > 0, total, 1), 0.0)


def summary(path):
    with h5py.File(path, "r") as f:
        s = {"backend": f.attrs["backend"].decode() if isinstance(f.attrs["backend"], bytes)
             else str(f.attrs["backend"])}
        for name in COUNTS:
            s[name] = f[name][...].astype(np.int64).ravel().tolist()
        for name in ["ber", "ber_lo", "ber_hi"]:
            s[name] = f[name][...].ravel().tolist()
        for name in list(FIGURES) + list(STAT_FIGURES):
            if name in f:
                s[name] = f[name][...].ravel().tolist()
        eye = f["eye_histogram"][...]
        points = int(np.prod(eye.shape[:-2]))
        flat = eye.reshape((points,) + eye.shape[-2:])
        s["eye_sha256"] = [hashlib.sha256(np.ascontiguousarray(e).tobytes()).hexdigest()
                           for e in flat]
        s["eye_coarse"] = np.round(coarse(flat), 6).tolist()
    return s


def close(a, b, relative, absolute):
    if isinstance(a, float) and isinstance(b, float) and (math.isnan(a) or math.isnan(b)):
        return math.isnan(a) and math.isnan(b)
    if a == b:  # infinities too
        return True
    return abs(a - b) <= absolute + relative * max(abs(a), abs(b))


def compare(golden, run, exact):
    """The first difference, or None."""
    if exact:
        for name in COUNTS:
            if golden[name] != run[name]:
                i = next(i for i, (x, y) in enumerate(zip(golden[name], run[name])) if x != y)
                return f"{name}[{i}] {run[name][i]}, golden {golden[name][i]}"
        for i, (x, y) in enumerate(zip(golden["eye_sha256"], run["eye_sha256"])):
            if x != y:
                return f"eye_histogram[{i}] differs"
    else:
        for i, (g_lo, g_hi, lo, hi) in enumerate(zip(golden["ber_lo"], golden["ber_hi"],
                                                      run["ber_lo"], run["ber_hi"])):
            if any(map(math.isnan, (g_lo, g_hi, lo, hi))):
                continue  # statistical points: their BER below
            if hi < g_lo or lo > g_hi:
                return (f"BER[{i}] interval [{lo:.3g}, {hi:.3g}] misses the golden's "
                        f"[{g_lo:.3g}, {g_hi:.3g}]")
        for i, (g, r) in enumerate(zip(golden["eye_coarse"], run["eye_coarse"])):
            tv = 0.5 * float(np.abs(np.array(g) - np.array(r)).sum())
            if tv > EYE_TV:
                return f"eye_histogram[{i}] at total variation distance {tv:.3f} > {EYE_TV}"
    for table in (FIGURES, STAT_FIGURES):
        for name, (rel, ab) in table.items():
            if name not in golden or (table is STAT_FIGURES and not stat_mode(golden)):
                continue
            for i, (g, r) in enumerate(zip(golden[name], run[name])):
                if not close(g, r, rel, ab):
                    return f"{name}[{i}] {r!r}, golden {g!r}"
    for name in COUNTS + ["eye_sha256"]:
        if len(golden[name]) != len(run[name]):
            return f"{name}: {len(run[name])} values, golden {len(golden[name])}"
    return None


def stat_mode(s):
    return all(r == 3 for r in s["stop_reason"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lightlane")
    ap.add_argument("--backend", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--golden", default=os.path.join(SOURCE, "tests", "golden", "regression"))
    ap.add_argument("--only")
    args = ap.parse_args()
    build = build_identity()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="lightlane_regression_") as tmp:
        for name, scenario, extra in cases():
            if args.only and name != args.only:
                continue
            out = os.path.join(tmp, name + ".h5")
            run = subprocess.run([args.lightlane, "run", scenario, "-o", out, "--backend",
                                  args.backend] + extra, capture_output=True, text=True)
            if run.returncode != 0:
                print(f"FAIL {name}: exit code {run.returncode}: {run.stderr.strip()[-300:]}")
                failed += 1
                continue
            s = summary(out)
            s["build"] = build
            own = os.path.join(args.golden, f"{name}.{args.backend}.json")
            if args.update:
                os.makedirs(args.golden, exist_ok=True)
                with open(own, "w") as f:
                    json.dump(s, f, separators=(",", ":"))
                    f.write("\n")
                print(f"WROTE {name}: {own}")
                passed += 1
                continue
            golden_path = own if os.path.exists(own) else os.path.join(args.golden,
                                                                        f"{name}.cpu.json")
            if not os.path.exists(golden_path):
                print(f"FAIL {name}: no golden file {own} (make one with --update)")
                failed += 1
                continue
            with open(golden_path) as f:
                golden = json.load(f)
            exact = golden_path == own and golden.get("build") == build
            problem = compare(golden, s, exact)
            how = ("counts and eyes exact" if exact else
                   f"against {os.path.basename(golden_path)} made on another "
                   f"{'build' if golden_path == own else 'backend'}: statistical")
            if problem:
                print(f"FAIL {name} ({how}): {problem}")
                failed += 1
            else:
                print(f"PASS {name} ({how})")
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
