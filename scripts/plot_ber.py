#!/usr/bin/env python3
"""Plot BER against a swept key of a lightlane HDF5 output file.

Usage: plot_ber.py FILE [--key NAME] [--at KEY=VALUE ...] [--lane N] --out PREFIX

x: the swept key NAME (dataset name such as driver_swing_vpp, or the dotted scenario key
driver.swing_vpp), by default the first swept key (a grid's first dimension, or the first
coordinate on `point`); the sweep point index when the file has no swept keys. y: BER on a log
axis, Monte-Carlo points with error bars from the 95% Clopper-Pearson bounds ber_lo / ber_hi
(those that saw no bit error as upper-limit markers at ber_hi), statistical points (run.mode =
"stat") as squares; points that never ran are left out. When other keys were swept too, each
combination of their values is its own series; --at KEY=VALUE holds a key at the value nearest
VALUE instead (repeatable: on a three-axis grid, hold one key for a family of curves, or two for
one curve). A dashed red line marks the KP4 RS(544,514) pre-FEC threshold, BER 2.4e-4. On a
WDM file (a `lane` dimension) --lane picks the lane; by default the worst lane over the plotted
points (those --at keeps): the one whose curve sits highest, i.e. with the highest mean log10
BER over them, a point without errors counted at its 95% upper limit ber_hi where it is drawn.
The mean rather than the worst case, so that one noisy point where every lane fails does not
pick the lane. The title names the lane. Writes PREFIX.png and PREFIX.svg. Needs numpy, h5py
and matplotlib.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import (add_lane_argument, finished, held_points, KP4_BER,  # noqa: E402
                            KP4_LABEL, parse_at, run_plot, Sweep, save_figure,
                            wrap_parts)


def plot(path, key, at, lane, prefix):
    import h5py
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    with h5py.File(path, "r") as h5:
        sweep = Sweep(h5)
        x_key = sweep.key(key) if key is not None else (sweep.keys[0] if sweep.keys else None)
        kept, held = held_points(sweep, at)
        sweep.choose_lane(lane, kept)
        errors = sweep.per_point("bit_errors")
        ber, lo, hi = (sweep.per_point(n).astype(float) for n in ("ber", "ber_lo", "ber_hi"))
        counted, statistical = finished(sweep)
    if x_key is None:
        x = np.arange(sweep.points, dtype=float)
        x_label, x_name = "sweep point", "sweep point"
    else:
        x, x_label, x_name = x_key.values, x_key.label(), x_key.key
    # The other swept keys split the points into series.
    held_keys = [sweep.key(name) for name in at]
    others = [k for k in sweep.keys if k is not x_key and all(k is not h for h in held_keys)]
    series = {}
    for point in np.flatnonzero((counted | statistical) & kept):
        group = tuple(float(k.values[point]) for k in others)
        series.setdefault(group, []).append(point)
    label_series = bool(others) and len(series) <= 12  # a legend that stays readable

    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    limit_labelled = False
    for index, (group, members) in enumerate(sorted(series.items())):
        members = np.array(sorted(members, key=lambda p: x[p]))
        colour = colours[index % len(colours)]
        label = wrap_parts(", ".join(f"{k.key} = {v:.4g}" + ("" if k.units in ("", "1")
                                                             else f" {k.units}")
                                     for k, v in zip(others, group)), 45) if label_series else None
        stat = members[statistical[members]]
        if stat.size:  # the statistical eye's BER: no counting interval
            ax.plot(x[stat], ber[stat], "s-", color=colour, markersize=4, label=label)
            label = None
        measured = members[counted[members] & (errors[members] > 0)]
        if measured.size:
            yerr = np.vstack((ber[measured] - lo[measured], hi[measured] - ber[measured]))
            ax.errorbar(x[measured], ber[measured], yerr=np.clip(yerr, 0.0, None), fmt="o-",
                        color=colour, capsize=3, markersize=5, label=label)
            label = None  # the series is in the legend once
        limits = members[counted[members] & (errors[members] == 0)]
        if limits.size:
            # No errors seen: only the upper bound is known. A downward triangle at ber_hi.
            ax.plot(x[limits], hi[limits], linestyle="none", marker="v", markersize=8,
                    markerfacecolor="none", color=colour, label=label)
            limit_labelled = True
    if limit_labelled:
        ax.plot([], [], linestyle="none", marker="v", markerfacecolor="none", color="grey",
                label="no errors: 95% upper limit")

    # The threshold the FEC needs: points above it fail the link after RS(544,514).
    ax.axhline(KP4_BER, color="red", linewidth=0.8, linestyle="--", label=KP4_LABEL)
    ax.set_yscale("log")
    if x_key is None:
        # Point indices: whole-number ticks, and room around a lone point.
        ax.set_xlim(-0.5, x.size - 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlabel(x_label)
    ax.set_ylabel("bit error ratio")
    title = f"BER vs {x_name}: {os.path.basename(path)}"
    below = [sweep.lane_title] + held if sweep.lane_title else held  # the long keys need the room
    ax.set_title(title + ("\n" + ", ".join(below) if below else ""), fontsize=10)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", axis="y", alpha=0.15)
    if not series:
        ax.text(0.5, 0.5, "no finished points", transform=ax.transAxes, ha="center",
                va="center")
    if label_series and len(series) > 3:  # beside the axes, where it hides no point
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    else:
        ax.legend(fontsize=8)  # at least the KP4 line

    return save_figure(fig, prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="lightlane HDF5 output file")
    parser.add_argument("--key", help="swept key on x (default: the first one)")
    parser.add_argument("--at", action="append", default=[], metavar="KEY=VALUE",
                        help="hold another swept key at the value nearest VALUE (repeatable)")
    add_lane_argument(parser)
    parser.add_argument("--out", required=True, metavar="PREFIX",
                        help="write PREFIX.png and PREFIX.svg")
    args = parser.parse_args(argv)
    return run_plot("plot_ber.py", args.file,
                    lambda: plot(args.file, args.key, parse_at(args.at), args.lane, args.out))


if __name__ == "__main__":
    sys.exit(main())
