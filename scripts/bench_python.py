#!/usr/bin/env python3
"""The Python module's call overhead against the command line, in one run (issue 21).

A small statistical-mode run (the default lane's five points, run.mode = "stat") timed as
  - the command line: `lightlane run ... -o FILE --overwrite`, the whole process;
  - lightlane.run(...) in this process, the file in memory (the returned Dataset loaded);
  - lightlane.run(..., output=FILE, overwrite=True): written to disk, then loaded.
Medians of --repeats runs each, interleaved so that drift hits all three alike. Prints one line
per way and the ratio of the Python call to the command line.

Usage: scripts/bench_python.py BUILD_DIR [--repeats N] [--scenario PATH]
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", type=pathlib.Path)
    ap.add_argument("--repeats", type=int, default=11)
    ap.add_argument("--scenario", type=pathlib.Path,
                    default=pathlib.Path(__file__).resolve().parents[1] / "scenarios"
                    / "lane_200g_pam4.toml")
    args = ap.parse_args()
    sys.path.insert(0, str(args.build / "python"))
    import lightlane

    sets = ['run.mode="stat"', "tdecq.symbols=0"]
    binary = str(args.build / "lightlane")
    with tempfile.TemporaryDirectory() as tmp:
        cli_out = os.path.join(tmp, "cli.h5")
        py_out = os.path.join(tmp, "py.h5")
        cli_cmd = [binary, "run", str(args.scenario), "-o", cli_out, "--overwrite"]
        for s in sets:
            cli_cmd += ["--set", s]
        times = {"command line (process)": [], "lightlane.run, in memory": [],
                 "lightlane.run, output=file": []}
        lightlane.run(args.scenario, overrides=sets, progress=False)  # warm: first import, FFTW
        for _ in range(args.repeats):
            t = time.perf_counter()
            subprocess.run(cli_cmd, check=True, capture_output=True)
            times["command line (process)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            lightlane.run(args.scenario, overrides=sets, progress=False)
            times["lightlane.run, in memory"].append(time.perf_counter() - t)
            t = time.perf_counter()
            lightlane.run(args.scenario, overrides=sets, output=py_out, overwrite=True,
                          progress=False)
            times["lightlane.run, output=file"].append(time.perf_counter() - t)
    medians = {k: statistics.median(v) for k, v in times.items()}
    cli = medians["command line (process)"]
    for k, m in medians.items():
        print(f"{k:30s} median {m * 1e3:8.1f} ms of {args.repeats}  ({m / cli:.2f} x the "
              "command line)")


if __name__ == "__main__":
    main()
