#!/usr/bin/env python3
"""Run a command and check how it ended: its exit status, and regular expressions on its
stdout, its stderr and files it wrote. Exit 0 when every check holds, else print each failed
check (and the command's output) and exit 1.

Usage: expect_run.py --status N [--stdout REGEX ...] [--stderr REGEX ...]
                     [--file PATH REGEX ...] [--absent PATH ...] -- COMMAND [ARG ...]

Regular expressions are Python's, searched with re.MULTILINE (^ and $ at every line). A plot's
SVG keeps its texts (title, legend) as comments, so --file PREFIX.svg REGEX checks what the
figure says.

Why not CTest's PASS_REGULAR_EXPRESSION: it replaces the exit-status check, so a script that
printed the expected message and then exited 0, or crashed after printing it, would pass.
Here the status must match exactly, no Python traceback may appear, and a failure (N != 0)
must be one line on stderr, the scripts' error contract (lightlane_plot.run_plot: status 1,
"SCRIPT: FILE: what is wrong"; argparse usage errors are status 2).
"""

import argparse
import os
import re
import subprocess
import sys


def main(argv):
    if "--" not in argv:
        print("expect_run.py: the command goes after --", file=sys.stderr)
        return 2
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--status", type=int, required=True, help="exit status required")
    parser.add_argument("--stdout", action="append", default=[], metavar="REGEX")
    parser.add_argument("--stderr", action="append", default=[], metavar="REGEX")
    parser.add_argument("--file", action="append", nargs=2, default=[],
                        metavar=("PATH", "REGEX"),
                        help="PATH (removed first: a stale file cannot pass) must match REGEX")
    parser.add_argument("--absent", action="append", default=[], metavar="PATH",
                        help="PATH (removed first) must not exist afterwards")
    args = parser.parse_args(options)
    if not command:
        parser.error("no command after --")

    for path in [path for path, _ in args.file] + args.absent:
        if os.path.exists(path):
            os.remove(path)
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    failed = []
    if done.returncode != args.status:
        failed.append(f"exit status {done.returncode}, expected {args.status}")
    for stream, text, patterns in (("stdout", done.stdout, args.stdout),
                                   ("stderr", done.stderr, args.stderr)):
        if "Traceback (most recent call last)" in text:
            failed.append(f"a Python traceback on {stream}")
        failed += [f"{stream} does not match /{p}/" for p in patterns
                   if not re.search(p, text, re.MULTILINE)]
    if args.status != 0 and len(done.stderr.strip().splitlines()) != 1:
        failed.append("a failure must say why in one line on stderr, got "
                      f"{len(done.stderr.strip().splitlines())}")
    for path, pattern in args.file:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                if not re.search(pattern, handle.read(), re.MULTILINE):
                    failed.append(f"{path} does not match /{pattern}/")
        except OSError as error:
            failed.append(f"{path}: {error}")

    failed += [f"{path} was written" for path in args.absent if os.path.exists(path)]

    if failed:
        print("FAIL: " + " ".join(command))
        for line in failed:
            print(f"  {line}")
        print("--- stdout\n" + done.stdout + "--- stderr\n" + done.stderr, end="")
        return 1
    print("OK: " + " ".join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
