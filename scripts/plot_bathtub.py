#!/usr/bin/env python3
"""Plot the statistical bathtub (BER against the sampling phase) of sweep points.

Usage: plot_bathtub.py FILE [--point N ...] [--lane N] --out PREFIX

One curve per --point (default 0; N counts the points in file order, a grid's last key
fastest): `bathtub_ber` over `bathtub_phase_ui` on a log axis, from a run.mode = "stat" file
(Monte-Carlo points carry no bathtub and are skipped with a note), with the KP4 threshold
2.4e-4 marked. On a WDM file (a `lane` dimension) --lane picks the lane, the same for every
curve; by default the worst lane over the points asked for, the one with the highest mean log10
BER there (a lane that counted no error ranks at its 95% upper limit ber_hi), and the title
says so. Writes PREFIX.png and PREFIX.svg. Needs numpy, h5py and matplotlib.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import (add_lane_argument, BER_FLOOR, KP4_BER, KP4_LABEL,  # noqa: E402
                            run_plot, Sweep, save_figure, text, with_units, wrap_parts)


def plot(path, points, lane, prefix):
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
        for point in points:
            if not 0 <= point < sweep.points:
                raise ValueError(f"--point {point} out of range: the file has {sweep.points} "
                                 "points")
        sweep.choose_lane(lane, points)
        curves = []
        for point in points:
            curves.append((point, h5["bathtub_ber"][sweep.index(point)].astype(float),
                           wrap_parts(sweep.describe(point) or f"point {point}", 60)))

    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    drawn = 0
    for point, ber, label in curves:
        if not np.isfinite(ber).any():
            continue  # not a statistical point
        ax.plot(phase, np.clip(ber, BER_FLOOR, None), "o-", markersize=3, label=label)
        drawn += 1
    ax.axhline(KP4_BER, color="red", linewidth=0.8, linestyle="--", label=KP4_LABEL)
    ax.set_yscale("log")
    ax.set_xlabel(phase_label)
    ax.set_ylabel("bit error ratio")
    lane_title = f", {sweep.lane_title}" if sweep.lane_title else ""
    ax.set_title(f"Bathtub{lane_title}: {os.path.basename(path)}", fontsize=10)
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
    add_lane_argument(parser)
    parser.add_argument("--out", required=True, metavar="PREFIX",
                        help="write PREFIX.png and PREFIX.svg")
    args = parser.parse_args(argv)
    return run_plot("plot_bathtub.py", args.file,
                    lambda: plot(args.file, args.point or [0], args.lane, args.out))


if __name__ == "__main__":
    sys.exit(main())
