#!/usr/bin/env python3
"""Plot the statistical bathtub (BER against the sampling phase) of sweep points.

Usage: plot_bathtub.py FILE [--point N ...] --out PREFIX

One curve per --point (default 0; N counts the points in file order, a grid's last key
fastest): `bathtub_ber` over `bathtub_phase_ui` on a log axis, from a run.mode = "stat" file
(Monte-Carlo points carry no bathtub and are skipped with a note), with the KP4 threshold
2.4e-4 marked. Writes PREFIX.png and PREFIX.svg. Needs numpy, h5py and matplotlib.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import KP4_BER, run_plot, Sweep, save_figure, text, with_units  # noqa: E402


def plot(path, points, prefix):
    import h5py
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt
    import numpy as np

    with h5py.File(path, "r") as h5:
        sweep = Sweep(h5)
        phase = h5["bathtub_phase_ui"][...].astype(float)
        phase_label = with_units("sampling phase from the decision instant",
                                 text(h5["bathtub_phase_ui"].attrs.get("units", "UI")))
        curves = []
        for point in points:
            if not 0 <= point < sweep.points:
                raise ValueError(f"--point {point} out of range: the file has {sweep.points} "
                                 "points")
            index = np.unravel_index(point, sweep.shape)
            curves.append((point, h5["bathtub_ber"][index].astype(float),
                           sweep.describe(point) or f"point {point}"))

    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    drawn = 0
    for point, ber, label in curves:
        if not np.isfinite(ber).any():
            continue  # not a statistical point
        ax.plot(phase, np.clip(ber, 1e-30, None), "o-", markersize=3, label=label)
        drawn += 1
    ax.axhline(KP4_BER, color="red", linewidth=0.8, linestyle="--", label="KP4 threshold 2.4e-4")
    ax.set_yscale("log")
    ax.set_xlabel(phase_label)
    ax.set_ylabel("bit error ratio")
    ax.set_title(f"Bathtub: {os.path.basename(path)}", fontsize=10)
    ax.grid(True, which="major", alpha=0.4)
    if drawn == 0:
        ax.text(0.5, 0.5, "no statistical bathtub at these points (run.mode = \"stat\")",
                transform=ax.transAxes, ha="center", va="center")
    ax.legend(fontsize=7)
    return save_figure(fig, prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="lightlane HDF5 output file")
    parser.add_argument("--point", type=int, action="append",
                        help="sweep point index (repeatable; default 0)")
    parser.add_argument("--out", required=True, metavar="PREFIX",
                        help="write PREFIX.png and PREFIX.svg")
    args = parser.parse_args(argv)
    return run_plot("plot_bathtub.py", args.file,
                    lambda: plot(args.file, args.point or [0], args.out))


if __name__ == "__main__":
    sys.exit(main())
