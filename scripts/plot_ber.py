#!/usr/bin/env python3
"""Plot BER against a swept key of a lightlane HDF5 output file.

Usage: plot_ber.py FILE [--key NAME] --out PREFIX

x: the swept key NAME (dataset name such as driver_swing_vpp, or the dotted scenario key
driver.swing_vpp), by default the first one listed in the `coordinates` attribute of `ber`;
the sweep point index when the file has no swept keys. y: BER on a log axis with error bars
from the 95% Clopper-Pearson bounds ber_lo / ber_hi. Points that saw no bit error are drawn
as upper-limit markers at ber_hi; points that never ran are left out. When other keys were
swept too, each combination of their values is its own series. Writes PREFIX.png and
PREFIX.svg. Needs numpy, h5py and matplotlib.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import save_figure  # noqa: E402


def text(value):
    """An HDF5 string attribute as str (h5py returns bytes for fixed-length strings)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def swept_names(h5):
    """Dataset names of the swept keys: the CF `coordinates` attribute of `ber`."""
    if "coordinates" not in h5["ber"].attrs:
        return []
    return [name for name in text(h5["ber"].attrs["coordinates"]).split() if name in h5]


def with_units(label, units):
    return label if units in ("", "1") else f"{label} [{units}]"


def resolve_key(h5, names, key):
    """The dataset name for --key, given either the dataset name or the dotted key."""
    if key is None:
        return names[0] if names else None
    for name in names:
        if key in (name, text(h5[name].attrs.get("long_name", name))):
            return name
    listed = ", ".join(text(h5[n].attrs.get("long_name", n)) for n in names) or "none"
    raise ValueError(f"--key {key} is not a swept key of this file (swept keys: {listed})")


def plot(path, key, prefix):
    import h5py
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    with h5py.File(path, "r") as h5:
        names = swept_names(h5)
        x_name = resolve_key(h5, names, key)
        bits = h5["bits"][...]
        errors = h5["bit_errors"][...]
        ber, lo, hi = (h5[n][...].astype(float) for n in ("ber", "ber_lo", "ber_hi"))
        if x_name is None:
            x = np.arange(bits.size, dtype=float)
            x_label, x_key = "sweep point", "sweep point"
        else:
            x = h5[x_name][...].astype(float)
            x_key = text(h5[x_name].attrs.get("long_name", x_name))
            x_label = with_units(x_key, text(h5[x_name].attrs.get("units", "")))
        # The other swept keys split the points into series.
        others = []
        for name in names:
            if name != x_name:
                others.append((text(h5[name].attrs.get("long_name", name)),
                               text(h5[name].attrs.get("units", "")), h5[name][...]))

    ran = (bits > 0) & np.isfinite(ber) & np.isfinite(hi)
    series = {}
    for point in np.flatnonzero(ran):
        group = tuple(float(values[point]) for _, _, values in others)
        series.setdefault(group, []).append(point)

    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    limit_labelled = False
    for index, (group, members) in enumerate(sorted(series.items())):
        members = np.array(sorted(members, key=lambda p: x[p]))
        colour = colours[index % len(colours)]
        label = ", ".join(f"{k} = {v:.4g}" + ("" if u in ("", "1") else f" {u}")
                          for (k, u, _), v in zip(others, group)) or None
        measured = members[errors[members] > 0]
        if measured.size:
            yerr = np.vstack((ber[measured] - lo[measured], hi[measured] - ber[measured]))
            ax.errorbar(x[measured], ber[measured], yerr=np.clip(yerr, 0.0, None), fmt="o-",
                        color=colour, capsize=3, markersize=5, label=label)
            label = None  # the series is in the legend once
        limits = members[errors[members] == 0]
        if limits.size:
            # No errors seen: only the upper bound is known. A downward triangle at ber_hi.
            ax.plot(x[limits], hi[limits], linestyle="none", marker="v", markersize=8,
                    markerfacecolor="none", color=colour, label=label)
            limit_labelled = True
    if limit_labelled:
        ax.plot([], [], linestyle="none", marker="v", markerfacecolor="none", color="grey",
                label="no errors: 95% upper limit")

    ax.set_yscale("log")
    if x_name is None:
        # Point indices: whole-number ticks, and room around a lone point.
        ax.set_xlim(-0.5, x.size - 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlabel(x_label)
    ax.set_ylabel("bit error ratio")
    ax.set_title(f"BER vs {x_key}: {os.path.basename(path)}", fontsize=10)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", axis="y", alpha=0.15)
    if not series:
        ax.text(0.5, 0.5, "no finished points", transform=ax.transAxes, ha="center",
                va="center")
    elif others or limit_labelled:
        ax.legend(fontsize=8)

    return save_figure(fig, prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="lightlane HDF5 output file")
    parser.add_argument("--key", help="swept key on x (default: the first one)")
    parser.add_argument("--out", required=True, metavar="PREFIX",
                        help="write PREFIX.png and PREFIX.svg")
    args = parser.parse_args(argv)
    try:
        written = plot(args.file, args.key, args.out)
    except ImportError as error:
        print(f"plot_ber.py: needs numpy, h5py and matplotlib: {error}", file=sys.stderr)
        return 1
    except (OSError, KeyError, ValueError) as error:
        print(f"plot_ber.py: {args.file}: {error}", file=sys.stderr)
        return 1
    print("wrote " + " ".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
