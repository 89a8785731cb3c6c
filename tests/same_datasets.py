#!/usr/bin/env python3
"""Exit 0 when two lightlane HDF5 files hold the same datasets with equal values (NaN equal to
NaN), else print the first difference and exit 1. Used by the cli_*.sh tests to compare a run
against an uninterrupted, whole or merged one.

Usage: same_datasets.py EXPECTED ACTUAL [WHAT]   (WHAT names ACTUAL in the message)
"""

import sys

import h5py
import numpy as np


def main(argv):
    expected_path, actual_path = argv[1], argv[2]
    what = argv[3] if len(argv) > 3 else actual_path
    with h5py.File(expected_path, "r") as expected, h5py.File(actual_path, "r") as actual:
        if set(expected.keys()) != set(actual.keys()):
            print(f"FAIL: {what} holds other datasets: "
                  f"{sorted(set(expected.keys()) ^ set(actual.keys()))}")
            return 1
        for name in expected.keys():
            a, b = expected[name][...], actual[name][...]
            if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
                print(f"FAIL: '{name}' differs in {what}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
