#!/usr/bin/env python3
"""Exit 0 when every dataset of a synthetic file (make_synthetic_output.py) is laid out as in a
file the simulator wrote: the same name, type, dimension names and attributes (the values too;
only sizes may differ). Else print every difference and exit 1. Keeps the plotting scripts'
synthetic fixtures honest: a writer change that the fixture does not follow fails here, not in
a user's plot.

Usage: same_layout.py SYNTHETIC REAL
"""

import sys

import h5py
import numpy as np

# HDF5's own dimension-scale bookkeeping: references into the file, never equal across files.
BOOKKEEPING = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"}


def dims(dataset):
    return [[scale.name for scale in dataset.dims[axis].values()] for axis in range(dataset.ndim)]


def attrs(dataset):
    out = {}
    for key, value in dataset.attrs.items():
        if key in BOOKKEEPING:
            continue
        value = np.asarray(value)
        # NaN fill values compare equal; arrays as lists, strings as str.
        out[key] = ("nan" if value.dtype.kind == "f" and value.size == 1 and np.isnan(value)
                    else value.tolist() if value.dtype.kind != "O" else str(value))
        out[key] = (out[key], value.dtype.kind)
    return out


def differences(synthetic, real):
    found = []
    if synthetic.attrs.get("Conventions") != real.attrs.get("Conventions"):
        found.append("root attribute Conventions differs")
    for name, dataset in synthetic.items():
        if name not in real:
            found.append(f"'{name}': not in the simulator's file")
            continue
        other = real[name]
        if dataset.dtype != other.dtype:
            found.append(f"'{name}': type {dataset.dtype}, the simulator writes {other.dtype}")
        if dims(dataset) != dims(other):
            found.append(f"'{name}': dimensions {dims(dataset)}, the simulator writes "
                         f"{dims(other)}")
        mine, theirs = attrs(dataset), attrs(other)
        for key in sorted(set(mine) | set(theirs)):
            if mine.get(key) != theirs.get(key):
                found.append(f"'{name}': attribute {key} = {mine.get(key)}, the simulator "
                             f"writes {theirs.get(key)}")
    return found


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with h5py.File(argv[1], "r") as synthetic, h5py.File(argv[2], "r") as real:
        found = differences(synthetic, real)
        compared = len(synthetic)
    for line in found:
        print(f"FAIL: {argv[1]}: {line}")
    if not found:
        print(f"{argv[1]}: {compared} datasets laid out as in {argv[2]}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
