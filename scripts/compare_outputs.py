#!/usr/bin/env python3
"""Same results before and after a change: every preset's output file, dataset by dataset.

Usage:
  compare_outputs.py run LIGHTLANE DIR      run every case (scripts/regression.py's: each preset
                                            and system at its small fixed budget, and the
                                            statistical-eye grid) into DIR/CASE.h5
  compare_outputs.py diff DIR_A DIR_B       compare the two directories' files

`diff` compares every dataset (values, dtype, shape) and every attribute of the files, of their
groups and of their datasets, exactly (NaN equals NaN), except the attributes that name the
build or the moment (IGNORED_ATTRIBUTES). Prints one line per case and exits 1 on any difference.
Made for refactors that must not change a number (issue 19): run it with the old binary, then the
new, on the same machine.
"""

import os
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import regression  # noqa: E402  (the cases and their budgets live there, once)

# The build's name; the dimension-scale bookkeeping (object references, compared by the scales'
# names instead, in dimension_names).
IGNORED_ATTRIBUTES = {"git_revision", "DIMENSION_LIST", "REFERENCE_LIST"}


def run(lightlane, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, scenario, extra in regression.cases():
        out = os.path.join(out_dir, name + ".h5")
        command = [lightlane, "run", scenario, "-o", out, "--overwrite", "--backend", "cpu",
                   "--threads", "1"] + extra
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        print(name, "written", flush=True)


def attributes(obj):
    return {k: v for k, v in obj.attrs.items() if k not in IGNORED_ATTRIBUTES}


def dimension_names(dataset):
    return [[dim[i].name for i in range(len(dim))] for dim in dataset.dims]


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def differences(path_a, path_b):
    out = []
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        if set(names_a) != set(names_b):
            out.append("objects differ: only in A %s, only in B %s" % (
                sorted(set(names_a) - set(names_b)), sorted(set(names_b) - set(names_a))))
        for name in [""] + sorted(set(names_a) & set(names_b)):
            a, b = (fa[name], fb[name]) if name else (fa, fb)
            at_a, at_b = attributes(a), attributes(b)
            if set(at_a) != set(at_b):
                out.append("%s: attribute names differ" % (name or "/"))
            for key in sorted(set(at_a) & set(at_b)):
                if not same_value(at_a[key], at_b[key]):
                    out.append("%s: attribute %s differs" % (name or "/", key))
            if isinstance(a, h5py.Dataset):
                if not same_value(a[...], b[...]):
                    out.append("%s: values differ" % name)
                if dimension_names(a) != dimension_names(b):
                    out.append("%s: dimension scales differ" % name)
    return out


def diff(dir_a, dir_b):
    failed = 0
    for name, _, _ in regression.cases():
        a, b = os.path.join(dir_a, name + ".h5"), os.path.join(dir_b, name + ".h5")
        if not (os.path.exists(a) and os.path.exists(b)):
            print("%-32s MISSING" % name)
            failed += 1
            continue
        found = differences(a, b)
        print("%-32s %s" % (name, "same" if not found else "DIFFERENT"))
        for line in found[:20]:
            print("    " + line)
        failed += bool(found)
    print("%d differ" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        sys.exit(diff(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
