#!/usr/bin/env python3
"""Plot a 2-D map of BER (or another per-point figure) over two swept keys of a grid sweep.

Usage: plot_map.py FILE [--x KEY] [--y KEY] [--var ber] [--at KEY=VALUE ...] [--lane N]
                   --out PREFIX

x and y: two dimensions of a [sweep.grid] file (dataset names such as driver_swing_vpp or the
dotted keys; default the last two). Every other grid key is held at the value nearest to
--at KEY=VALUE (default its first value). The colour is log10 of --var for ratios (ber, ser,
fec_*), the value itself otherwise (eye_height, tdecq_db, com_db, energy_pj_per_bit ...);
points without a value (never run) are blank. BER maps get contours at 1e-3 .. 1e-12 and the
KP4 threshold 2.4e-4. On a WDM file (a `lane` dimension) --lane picks the lane; by default the
worst lane over the map's points, the one with the highest mean log10 BER there (whatever --var
shows; a lane that counted no error ranks at its 95% upper limit ber_hi), and the title says
so. Writes PREFIX.png and PREFIX.svg. Needs numpy, h5py and matplotlib.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import (add_lane_argument, KP4_BER, KP4_LABEL, parse_at,  # noqa: E402
                            run_plot, Sweep, save_figure, text, with_units)


def plot(path, x_key, y_key, var, at, lane, prefix):
    import h5py
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt
    import numpy as np

    with h5py.File(path, "r") as h5:
        sweep = Sweep(h5)
        grid = [k for k in sweep.keys if k.axis is not None]
        if len(grid) < 2:
            raise ValueError("a map needs a grid sweep of at least two keys ([sweep.grid])")
        x = sweep.key(x_key) if x_key else grid[-2]
        y = sweep.key(y_key) if y_key else grid[-1]
        if x is y or x.axis is None or y.axis is None:
            raise ValueError("--x and --y must be two different grid keys")
        if var not in h5:
            raise ValueError(f"--var {var}: no such variable in the file")
        units = text(h5[var].attrs.get("units", ""))
        # The slab: x and y whole, every other grid axis at the index nearest to --at.
        index = []
        held = []
        for k in grid:
            if k is x or k is y:
                index.append(slice(None))
                continue
            wanted = at.get(k.key, at.get(k.name, k.axis[0]))
            i = int(np.argmin(np.abs(k.axis - wanted)))
            index.append(i)
            held.append(f"{k.key} = {k.axis[i]:.4g}" +
                        ("" if k.units in ("", "1") else f" {k.units}"))
        per_point_shape = sweep.shape + ((sweep.lanes,) if sweep.lanes else ())
        if h5[var].shape != per_point_shape:
            raise ValueError(f"--var {var} is not one value per point (shape {h5[var].shape}, "
                             f"a point's is {per_point_shape})")
        # The worst lane is the worst over the map's points, not over the whole file.
        on_map = np.zeros(sweep.shape, dtype=bool)
        on_map[tuple(index)] = True
        sweep.choose_lane(lane, on_map.reshape(-1))
        values = h5[var][tuple(index) + sweep.lane_index()].astype(float)
        if grid.index(x) > grid.index(y):
            values = values.T  # rows along x
    ratio = var in ("ber", "ser") or var.startswith("fec_")
    shown = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan) \
        if ratio else values

    fig, ax = plt.subplots(figsize=(7, 5.5), layout="constrained")
    mesh = ax.pcolormesh(x.axis, y.axis, np.ma.masked_invalid(shown.T), shading="nearest",
                         cmap="viridis_r" if ratio else "viridis")
    label = f"log10 {var}" if ratio else with_units(var, units)
    fig.colorbar(mesh, ax=ax, label=label)
    if var == "ber" and np.isfinite(shown).sum() >= 4 and min(len(x.axis), len(y.axis)) >= 2:
        levels = sorted(np.log10([1e-12, 1e-9, 1e-6, 1e-3]))
        finite = shown[np.isfinite(shown)]
        inside = [lv for lv in levels if finite.min() < lv < finite.max()]
        if inside:
            lines = ax.contour(x.axis, y.axis, shown.T, levels=inside, colors="white", linestyles="solid",
                               linewidths=0.8)
            ax.clabel(lines, fmt=lambda v: f"1e{v:.0f}", fontsize=7)
        if finite.min() < np.log10(KP4_BER) < finite.max():
            ax.contour(x.axis, y.axis, shown.T, levels=[np.log10(KP4_BER)], colors="red", linestyles="solid",
                       linewidths=1.2)
            ax.plot([], [], color="red", label=KP4_LABEL)
            ax.legend(fontsize=8, loc="upper right")
    ax.set_xlabel(x.label())
    ax.set_ylabel(y.label())
    title = f"{var} over {x.key} and {y.key}: {os.path.basename(path)}"
    below = [sweep.lane_title] + held if sweep.lane_title else held  # the long keys need the room
    ax.set_title(title + ("\n" + ", ".join(below) if below else ""), fontsize=10)
    return save_figure(fig, prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="lightlane HDF5 output file of a grid sweep")
    parser.add_argument("--x", help="grid key on x (default: the second to last)")
    parser.add_argument("--y", help="grid key on y (default: the last)")
    parser.add_argument("--var", default="ber", help="per-point variable (default: ber)")
    parser.add_argument("--at", action="append", default=[], metavar="KEY=VALUE",
                        help="hold another grid key at the value nearest VALUE (repeatable)")
    add_lane_argument(parser)
    parser.add_argument("--out", required=True, metavar="PREFIX",
                        help="write PREFIX.png and PREFIX.svg")
    args = parser.parse_args(argv)

    def make_plot():
        return plot(args.file, args.x, args.y, args.var, parse_at(args.at), args.lane, args.out)

    return run_plot("plot_map.py", args.file, make_plot)


if __name__ == "__main__":
    sys.exit(main())
