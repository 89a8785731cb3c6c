#!/usr/bin/env python3
"""Plot the eye diagram of one sweep point of a lightlane HDF5 output file.

Usage: plot_eye.py FILE [--point N] [--lane N] [--absolute] --out PREFIX

Draws the eye histogram (`eye_histogram` at the point, counts per amplitude x phase bin) as a
heat map with a logarithmic colour scale: phase in UI on x (0 = sampling instant), amplitude on
y, normalised to the outer levels, or with --absolute the received photocurrent in uA
(eye_offset_a + eye_scale_a * amplitude); over it the statistical eye's BER contours
(`eye_contour_a`, run.mode = "stat" with eye.contour_bers) when the file has them. N counts the
points in file order (a grid's last key fastest). On a WDM file (a `lane` dimension) --lane
picks the lane; by default the worst lane at the point, the one with the highest BER there (a
lane that counted no error ranks at its 95% upper limit ber_hi), and the title says so. The
title gives the point's lane, BER and swept values.
Writes PREFIX.png and PREFIX.svg. Needs numpy, h5py and matplotlib.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import (add_lane_argument, run_plot, Sweep, save_figure, text,  # noqa: E402
                            with_units, wrap_parts)


def bin_edges(centres):
    """Edges of bins given their centres (uniform or not), for pcolormesh."""
    import numpy as np

    centres = np.asarray(centres, dtype=float)
    if centres.size == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate(([2.0 * centres[0] - middle[0]], middle,
                           [2.0 * centres[-1] - middle[-1]]))


def ber_description(sweep, index):
    """The BER at one point of one lane; `index` from Sweep.index()."""
    h5 = sweep.h5
    if int(h5["stop_reason"][index]) == 3:  # statistical
        return f"statistical BER = {float(h5['ber'][index]):.3g}"
    bits = int(h5["bits"][index]) if "bits" in h5 else 0
    if bits == 0:
        return "not run"
    errors = int(h5["bit_errors"][index])
    ber, lo, hi = (float(h5[name][index]) for name in ("ber", "ber_lo", "ber_hi"))
    if errors == 0:
        return f"no errors in {bits:.3g} bits, BER < {hi:.2g} (95%)"
    return (f"BER = {ber:.3g} (95% CI {lo:.2g} .. {hi:.2g}), "
            f"{errors} errors in {bits:.3g} bits")


def plot(path, point, lane, absolute, prefix):
    import h5py
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import LogNorm

    with h5py.File(path, "r") as h5:
        sweep = Sweep(h5)
        if not 0 <= point < sweep.points:
            raise ValueError(f"--point {point} out of range: the file has {sweep.points} points")
        sweep.choose_lane(lane, [point])
        index = sweep.index(point)  # the point on the sweep's axes, and its lane
        counts = h5["eye_histogram"][index].astype(float)
        amplitude = h5["eye_amplitude"][...].astype(float)
        phase = h5["eye_phase_ui"][...].astype(float)
        phase_label = with_units("time from the sampling instant",
                                 text(h5["eye_phase_ui"].attrs.get("units", "UI")))
        offset = float(h5["eye_offset_a"][index])
        scale = float(h5["eye_scale_a"][index])
        # The statistical eye's contours (run.mode = "stat" with eye.contour_bers), in A:
        # [contour, edge, phase] on the bathtub's phases.
        contours = None
        if "eye_contour_a" in h5 and np.isfinite(offset) and np.isfinite(scale):
            contours = (h5["contour_ber"][...], h5["bathtub_phase_ui"][...].astype(float),
                        h5["eye_contour_a"][index].astype(float))
        if absolute:
            if not (np.isfinite(offset) and np.isfinite(scale)):
                raise ValueError(f"point {point} has no photocurrent scale (not run?); "
                                 "plot it without --absolute")
            y = (offset + scale * amplitude) * 1e6
            y_label = "photocurrent [uA]"
        else:
            y = amplitude
            y_label = "normalised amplitude"
        title = f"Eye diagram, point {point}: {ber_description(sweep, index)}"
        # The lane and the swept values below the BER, where long keys have the room.
        swept = wrap_parts(", ".join(part for part in (sweep.lane_title, sweep.describe(point))
                                     if part), 90)

    if y.size > 1 and y[-1] < y[0]:  # a negative photocurrent scale flips the axis
        y = y[::-1]
        counts = counts[::-1, :]

    fig, ax = plt.subplots(figsize=(8, 5.5), layout="constrained")
    cmap = plt.get_cmap("inferno")
    # Empty bins are masked, and the background is the colour map's lowest colour, so the
    # eye opening reads as dark rather than as a hole in the plot.
    ax.set_facecolor(cmap(0.0))
    peak = counts.max()
    if peak > 0:
        mesh = ax.pcolormesh(bin_edges(phase), bin_edges(y), np.ma.masked_equal(counts, 0.0),
                             cmap=cmap, norm=LogNorm(vmin=1.0, vmax=max(peak, 10.0)),
                             shading="flat", rasterized=True)
        fig.colorbar(mesh, ax=ax, label="samples per bin")
    else:
        ax.set_xlim(bin_edges(phase)[[0, -1]])
        ax.set_ylim(bin_edges(y)[[0, -1]])
        ax.text(0.5, 0.93 if contours is not None else 0.5, "no samples in the eye histogram",
                transform=ax.transAxes, ha="center", va="center", color="white")
    if contours is not None:
        # Each contour level's floors and ceilings of every eye, one colour per level.
        levels, phases, edges = contours
        colours = plt.get_cmap("cool")(np.linspace(0.0, 1.0, max(len(levels), 2)))
        for c, level in enumerate(levels):
            for e in range(edges.shape[1]):
                current = edges[c, e, :]
                values = current * 1e6 if absolute else (current - offset) / scale
                ax.plot(phases, values, color=colours[c], linewidth=1.0,
                        label=f"BER {level:.0e}" if e == 0 else None)
        ax.legend(fontsize=8, loc="upper right")
    ax.axvline(0.0, color="white", linewidth=0.6, linestyle=":", alpha=0.6)
    ax.set_xlabel(phase_label)
    ax.set_ylabel(y_label)
    ax.set_title(title + (f"\n{swept}" if swept else ""), fontsize=10)

    return save_figure(fig, prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="lightlane HDF5 output file")
    parser.add_argument("--point", type=int, default=0, help="sweep point index (default 0)")
    add_lane_argument(parser)
    parser.add_argument("--absolute", action="store_true",
                        help="amplitude as received photocurrent in uA instead of normalised")
    parser.add_argument("--out", required=True, metavar="PREFIX",
                        help="write PREFIX.png and PREFIX.svg")
    args = parser.parse_args(argv)
    return run_plot("plot_eye.py", args.file,
                    lambda: plot(args.file, args.point, args.lane, args.absolute, args.out))


if __name__ == "__main__":
    sys.exit(main())
