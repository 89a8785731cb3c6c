#!/usr/bin/env python3
"""Mutation fuzzing of lightlane's inputs (ctest label `fuzz`): the shipped scenarios and a
Touchstone channel, mutated with a fixed seed, must each end in exit code 0 or 2, never a signal
(a crash, an abort, a sanitizer's report) or any other code; a refusal (2) is one line on stderr
and leaves no output file; a run that succeeds (0) leaves its file.

Usage: fuzz_inputs.py LIGHTLANE SOURCE_DIR [--cases N] [--runs M] [--seed S] [--timeout T]

N cases in all (default 400): each mutates one input (a preset, or the Touchstone file behind
scenarios/serdes_200g_cpo_stress.toml) and runs `lightlane validate` on it; every (N / M)-th case also
runs `lightlane run` with a small budget into a fresh folder. Prints the count of cases by
input kind and exit code, and each failure with the input kept beside it (in a temporary folder
named on stderr) so it can be replayed.
"""

import argparse
import collections
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

# A number in a TOML value or a Touchstone record (not inside a key or a string: see below).
NUMBER = re.compile(r"(?<![\w.\"])[-+]?(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|inf|nan)(?![\w\"])")
EXTREMES = ["0", "-0.0", "1", "-1", "1e308", "-1e308", "1e-308", "inf", "-inf", "nan",
            "9223372036854775807", "-9223372036854775808", "18446744073709551616", "0.5",
            "1e9", "-1e9", "3.7e-5", "65536", "1_000_000_000", "0x7fffffff", "1e", "--1"]
JUNK = ["\"", "'", "[", "]", "{", "}", "=", "#", "\\", "\x00", "\xff", "\r", "\t", "é",
        "[[x]]", "[sweep.grid]", "a = ", "\"\"\"", ",", "!", "# GHz S RI R 50"]


def mutate_number(rng, text):
    matches = list(NUMBER.finditer(text))
    if not matches:
        return text
    m = rng.choice(matches)
    value = m.group(0)
    choice = rng.random()
    if choice < 0.5:
        new = rng.choice(EXTREMES)
    else:
        try:
            x = float(value.replace("_", ""))
            new = repr(x * rng.choice([-1.0, 0.0, 1e-3, 0.1, 0.5, 2.0, 10.0, 1e3, 1e6, 1e12]))
            if not math.isfinite(float(new)):
                new = "inf"
        except ValueError:
            new = rng.choice(EXTREMES)
    return text[: m.start()] + new + text[m.end():]


def mutate_lines(rng, text):
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    op = rng.randrange(4)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    return "\n".join(lines)


def mutate_bytes(rng, text):
    op = rng.randrange(3)
    at = rng.randrange(len(text) + 1)
    if op == 0:
        return text[:at] + rng.choice(JUNK) + text[at:]
    if op == 1:
        return text[:at]  # truncated
    end = min(len(text), at + rng.randrange(1, 40))
    return text[:at] + text[end:]


def mutate_toml(rng, text):
    """A scenario with one to three mutations: numbers, key names, strings, types, structure."""
    for _ in range(rng.randrange(1, 4)):
        op = rng.random()
        if op < 0.45:
            text = mutate_number(rng, text)
        elif op < 0.55:
            # A key name misspelt: a letter dropped, doubled or changed.
            keys = list(re.finditer(r"^([A-Za-z_\"][\w.\"]*)\s*=", text, re.M))
            if keys:
                m = rng.choice(keys)
                name = m.group(1)
                k = rng.randrange(len(name))
                name = name[:k] + rng.choice(["", name[k] * 2, "x", "."]) + name[k + 1:]
                text = text[: m.start(1)] + name + text[m.end(1):]
        elif op < 0.65:
            # A string value replaced, or a value of another type.
            values = list(re.finditer(r"=\s*(\"[^\"\n]*\"|[-+\d.eE_]+|true|false)", text))
            if values:
                m = rng.choice(values)
                new = rng.choice(['"none"', '"PAM5"', '""', "true", "[1, 2]", "{}", '"."',
                                  '"/"', '"no_such.s4p"', "1979-05-27", "0", '"touchstone"'])
                text = text[: m.start(1)] + new + text[m.end(1):]
        elif op < 0.85:
            text = mutate_lines(rng, text)
        else:
            text = mutate_bytes(rng, text)
    return text


def touchstone_base():
    """A passive 2-port (an S21 with loss rising over frequency, 10 MHz to 120 GHz), written here
    so that the fuzz depends on no data file."""
    rows = ["! lightlane fuzz base channel", "# GHz S MA R 50"]
    for k in range(1, 241):
        f = 0.5 * k
        loss = 0.9 * math.exp(-f / 60.0)
        phase = -360.0 * f * 0.05 % 360.0 - 180.0
        rows.append(f"{f:.3f} 0.05 0 {loss:.6f} {phase:.3f} {loss:.6f} {phase:.3f} 0.05 0")
    return "\n".join(rows) + "\n"


def mutate_touchstone(rng, text):
    for _ in range(rng.randrange(1, 4)):
        op = rng.random()
        if op < 0.5:
            text = mutate_number(rng, text)
        elif op < 0.6:
            text = text.replace("# GHz S MA R 50", rng.choice(
                ["# Hz S DB R 50", "# GHz Y MA R 50", "# GHz S RI R -5", "# GHz S XX R 50",
                 "[Version] 2.0", "# GHz S MA R 50 extra", ""]), 1)
        elif op < 0.85:
            text = mutate_lines(rng, text)
        else:
            text = mutate_bytes(rng, text)
    return text


def run(command, timeout):
    try:
        p = subprocess.run(command, capture_output=True, timeout=timeout)
        return p.returncode, p.stderr.decode("utf-8", "replace"), False
    except subprocess.TimeoutExpired as e:
        return None, (e.stderr or b"").decode("utf-8", "replace"), True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lightlane")
    ap.add_argument("source_dir")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    scenarios_dir = os.path.join(args.source_dir, "scenarios")
    presets = sorted(os.path.join(scenarios_dir, f) for f in os.listdir(scenarios_dir)
                     if f.endswith(".toml"))
    texts = {p: open(p, encoding="utf-8").read() for p in presets}
    channel_preset = os.path.join(scenarios_dir, "serdes_200g_cpo_stress.toml")
    base_channel = touchstone_base()
    small = ["--set", "run.max_bits=20000", "--set", "run.target_errors=100", "--set",
             "eye.symbols=1024", "--set", "tdecq.symbols=0", "--threads", "1"]
    work = tempfile.mkdtemp(prefix="lightlane_fuzz_")
    kept = os.path.join(work, "failures")
    os.makedirs(kept)
    tally = collections.Counter()
    failures = []
    run_every = max(1, args.cases // max(1, args.runs))
    for case in range(args.cases):
        folder = os.path.join(work, f"case{case}")
        os.makedirs(folder)
        # The presets' example host channels, where they find them (channels/ beside them).
        os.symlink(os.path.join(scenarios_dir, "channels"), os.path.join(folder, "channels"))
        if rng.random() < 0.25:
            kind = "touchstone"
            scenario = os.path.join(folder, "scenario.toml")
            channel = os.path.join(folder, "channel.s2p")
            with open(channel, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(mutate_touchstone(rng, base_channel))
            with open(scenario, "w", encoding="utf-8") as f:
                f.write(texts[channel_preset])
            extra = ["--set", 'channel.model="touchstone"', "--set", 'channel.file="channel.s2p"']
        else:
            kind = "scenario"
            source = rng.choice(presets)
            scenario = os.path.join(folder, os.path.basename(source))
            with open(scenario, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(mutate_toml(rng, texts[source]))
            extra = []
        commands = [("validate", [args.lightlane, "validate", scenario] + extra)]
        output = os.path.join(folder, "out.h5")
        if case % run_every == 0:
            commands.append(("run", [args.lightlane, "run", scenario, "-o", output] + extra + small))
        for verb, command in commands:
            code, err, timed_out = run(command, args.timeout)
            label = "timeout" if timed_out else (f"signal {-code}" if code < 0 else f"exit {code}")
            tally[(kind, verb, label)] += 1
            problem = None
            if timed_out:
                problem = f"no answer in {args.timeout} s"
            elif code not in (0, 2):
                problem = f"{label}: {err.strip()[-500:]}"
            elif code == 2 and len(err.rstrip("\n").split("\n")) != 1:
                problem = f"exit 2 with {len(err.splitlines())} lines on stderr: {err[:500]}"
            elif verb == "run" and code == 2 and os.path.exists(output):
                problem = "a refused run left its output file"
            elif verb == "run" and code == 0 and not os.path.exists(output):
                problem = "a run that succeeded left no output file"
            if problem:
                keep = os.path.join(kept, f"case{case}")
                shutil.copytree(folder, keep, dirs_exist_ok=True)
                failures.append(f"case {case} ({kind}, {verb}): {problem}\n  replay: "
                                + " ".join(c.replace(folder, keep) for c in command))
        shutil.rmtree(folder, ignore_errors=True)
    for (kind, verb, label), n in sorted(tally.items()):
        print(f"{kind:10} {verb:8} {label:10} {n}")
    if failures:
        print(f"fuzz: {len(failures)} failures (inputs kept in {kept}):", file=sys.stderr)
        for f in failures:
            print(f, file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"fuzz: {args.cases} cases, seed {args.seed}: every exit 0 or 2, no signal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
