#!/usr/bin/env python3
"""Plot the port report's figures of a lightlane HDF5 output file (lightlane report's plots).

Usage: plot_report.py FILE -o DIR [--overwrite]

Writes into DIR (created if needed), each as .png and .svg:
- margin_ber: the worst lane's margin_db (left axis, where the file has it) and BER (right axis,
  log, 95% interval bars, the target BER dashed) against the first swept key (the sweep point
  index without one). The worst lane: the highest BER at each point (WDM files).
- energy: a stacked bar of pJ/bit by part (every energy_*_pj_per_bit dataset, found by name) per
  point, the lanes' mean on a WDM file; left out when the file has no energy.
- yield: with draws (a `draw` dimension, or [mrm.variation] / [sweep.random] draws on `point`),
  the fraction of draws that pass (BER's upper bound below margin_target_ber, else KP4's 2.4e-4,
  and mrm_lock `locked` where the ring has a lock) per grid point with its 95% Clopper-Pearson
  interval; left out without draws.
An existing file in DIR is refused unless --overwrite. Needs numpy, h5py and matplotlib (the
interval also scipy, else it is left out and said so).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import (KP4_BER, KP4_LABEL, run_plot, save_figure, Sweep,  # noqa: E402
                            text)

PLOTS = ("margin_ber", "energy", "yield")


def flag_meanings(dataset):
    """{value: meaning} of a CF flag variable."""
    values = [int(v) for v in dataset.attrs.get("flag_values", [])]
    return dict(zip(values, text(dataset.attrs.get("flag_meanings", "")).split()))


def scenario_draws(h5):
    """Draws on `point` that the scenario (and its --set overrides) asked for; 0 when none."""
    import tomllib

    try:
        scenario = tomllib.loads(text(h5.attrs.get("scenario", "")))
    except tomllib.TOMLDecodeError:
        return 0
    draws = max(scenario.get("mrm", {}).get("variation", {}).get("draws", 0),
                scenario.get("sweep", {}).get("random", {}).get("draws", 0))
    for line in text(h5.attrs.get("scenario_overrides", "")).splitlines():
        if line.startswith("mrm.variation.draws="):
            draws = int(line.split("=", 1)[1])
    return draws


def clopper_pearson(passed, n):
    """Exact 95% interval of a fraction (scipy's beta quantiles), or None without scipy."""
    try:
        from scipy.stats import beta
    except ImportError:
        return None
    lo = beta.ppf(0.025, passed, n - passed + 1) if passed > 0 else 0.0
    hi = beta.ppf(0.975, passed + 1, n - passed) if passed < n else 1.0
    return lo, hi


def read(path):
    """The per-point figures as numpy arrays over the flattened points, worst lane."""
    import h5py
    import numpy as np

    with h5py.File(path, "r") as h5:
        sweep = Sweep(h5)
        ber_all = sweep.all_lanes("ber").astype(float)
        stop = sweep.all_lanes("stop_reason")
        not_run = stop == {m: v for v, m in flag_meanings(h5["stop_reason"]).items()}["not_run"]
        ber_all = np.where(not_run, np.nan, ber_all)
        # The worst lane per point: the highest BER.
        if sweep.lanes:
            worst = np.argmax(np.where(np.isnan(ber_all), -np.inf, ber_all), axis=1)
        pick = (lambda a: a[np.arange(sweep.points), worst]) if sweep.lanes else (lambda a: a)
        figures = {"ber": pick(ber_all), "not_run": pick(not_run) if sweep.lanes else not_run}
        for name in ("ber_lo", "ber_hi", "margin_db", "margin_target_ber"):
            if name in h5:
                figures[name] = pick(sweep.all_lanes(name).astype(float))
        # Every lane's BER figure for the verdict: ber_hi, the statistical mode's ber.
        hi_all = sweep.all_lanes("ber_hi").astype(float)
        figures["ber_figure_all"] = np.where(np.isnan(hi_all), ber_all, hi_all)
        parts = [n for n in h5 if n.startswith("energy_") and n.endswith("_pj_per_bit")
                 and n != "energy_pj_per_bit"]
        energy = {}
        for name in parts:
            values = sweep.all_lanes(name).astype(float)
            values = np.nanmean(values, axis=1) if sweep.lanes and np.isfinite(values).any() \
                else values
            if np.isfinite(values).any():
                energy[name[len("energy_"):-len("_pj_per_bit")]] = values
        lock_ok = np.ones(ber_all.shape, dtype=bool)
        if "mrm_lock" in h5:
            meanings = flag_meanings(h5["mrm_lock"])
            lock = sweep.all_lanes("mrm_lock")
            lock_ok = np.isin(lock, [v for v, m in meanings.items()
                                     if m in ("locked", "not_modelled")])
        dims = [text(h5["ber"].dims[i][0].name).lstrip("/") for i in range(h5["ber"].ndim)]
        draws = (h5["draw"].shape[0] if "draw" in dims
                 else sweep.points if dims[0] == "point" and scenario_draws(h5) else 0)
    return sweep, figures, energy, lock_ok, draws


def plot(path, out_dir, overwrite):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    targets = [os.path.join(out_dir, name + ext) for name in PLOTS for ext in (".png", ".svg")]
    existing = [t for t in targets if os.path.exists(t)]
    if existing and not overwrite:
        raise ValueError(f"{existing[0]} exists (use --overwrite to replace it)")
    sweep, f, energy, lock_ok, draws = read(path)
    x_key = sweep.keys[0] if sweep.keys else None
    x = x_key.values if x_key else np.arange(sweep.points, dtype=float)
    x_label = x_key.label() if x_key else "sweep point"
    target = f.get("margin_target_ber", np.full(sweep.points, np.nan))
    target = np.where(np.isfinite(target) & (target > 0), target, KP4_BER)
    written = []

    # Margin and BER of the worst lane.
    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    order = np.argsort(x, kind="stable")
    ran = order[~f["not_run"][order]]
    ber_ax = ax
    if "margin_db" in f and np.isfinite(f["margin_db"]).any():
        ax.plot(x[ran], f["margin_db"][ran], "o-", color="tab:green", label="margin_db")
        ax.axhline(0.0, color="tab:green", linewidth=0.6, linestyle=":")
        ax.set_ylabel("margin [dB]")
        ber_ax = ax.twinx()
    ber = np.maximum(f["ber"][ran], 1e-30)
    if "ber_lo" in f and np.isfinite(f["ber_hi"][ran]).any():
        yerr = np.vstack((ber - f["ber_lo"][ran], f["ber_hi"][ran] - ber))
        ber_ax.errorbar(x[ran], ber, yerr=np.clip(np.nan_to_num(yerr), 0, None), fmt="s-",
                        color="tab:blue", capsize=3, markersize=4, label="ber (worst lane)")
    else:
        ber_ax.plot(x[ran], ber, "s-", color="tab:blue", label="ber (worst lane)")
    same_target = np.allclose(target, KP4_BER)
    ber_ax.axhline(target[0] if np.allclose(target, target[0]) else KP4_BER, color="red",
                   linewidth=0.8, linestyle="--",
                   label=KP4_LABEL if same_target else f"target BER {target[0]:.2g}")
    ber_ax.set_yscale("log")
    ber_ax.set_ylabel("bit error ratio")
    ax.set_xlabel(x_label)
    handles = sum((a.get_legend_handles_labels()[0] for a in {ax, ber_ax}), [])
    labels = sum((a.get_legend_handles_labels()[1] for a in {ax, ber_ax}), [])
    ax.legend(handles, labels, fontsize=8)
    ax.set_title(f"margin and BER vs {x_key.key if x_key else 'sweep point'}: "
                 f"{os.path.basename(path)}" + ("\nworst lane per point" if sweep.lanes else ""),
                 fontsize=10)
    ax.grid(True, alpha=0.4)
    written += save_figure(fig, os.path.join(out_dir, "margin_ber"))

    if energy:
        fig, ax = plt.subplots(figsize=(max(6, 0.35 * sweep.points + 2), 5), layout="constrained")
        bottom = np.zeros(sweep.points)
        for part, values in energy.items():
            values = np.nan_to_num(values)
            ax.bar(np.arange(sweep.points), values, bottom=bottom, label=part)
            bottom += values
        ax.set_xlabel("sweep point" + (f" ({x_key.key})" if x_key else ""))
        if x_key and sweep.points <= 30:
            ax.set_xticks(np.arange(sweep.points), [f"{v:.3g}" for v in x], rotation=45)
        ax.set_ylabel("energy [pJ/bit]")
        ax.set_title(f"energy per bit by part: {os.path.basename(path)}", fontsize=10)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
        written += save_figure(fig, os.path.join(out_dir, "energy"))

    if draws:
        ber_all = f["ber_figure_all"]
        lanes_axis = tuple(range(1, ber_all.ndim))
        passes_ber = (np.all(np.nan_to_num(ber_all, nan=1.0) < target.reshape(
            (-1,) + (1,) * len(lanes_axis)), axis=lanes_axis) if lanes_axis
            else np.nan_to_num(ber_all, nan=1.0) < target)
        locked = np.all(lock_ok, axis=lanes_axis) if lanes_axis else lock_ok
        finished = ~f["not_run"] | ~locked
        groups = sweep.points // draws
        passed = (passes_ber & locked).reshape(groups, draws)
        counted = finished.reshape(groups, draws)
        n = counted.sum(axis=1)
        k = (passed & counted).sum(axis=1)
        yields = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
        g = np.arange(groups)
        intervals = [clopper_pearson(int(a), int(b)) for a, b in zip(k, n)]
        if all(i is not None for i in intervals):
            lo, hi = np.array(intervals).T
            ax.errorbar(g, yields, yerr=np.vstack((yields - lo, hi - yields)), fmt="o",
                        capsize=4, label="yield, 95% Clopper-Pearson interval")
        else:
            ax.plot(g, yields, "o", label="yield (scipy missing: no interval)")
        grid_keys = [key for key in sweep.keys if key.axis is not None and key.name != "draw"]
        ax.set_xticks(g, [", ".join(f"{key.values[i * draws]:.3g}" for key in grid_keys) or "all"
                          for i in g], rotation=45 if groups > 6 else 0)
        ax.set_xlabel(", ".join(key.label() for key in grid_keys) or "all draws")
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel(f"fraction of {draws} draws that pass")
        ax.set_title(f"yield per grid point: {os.path.basename(path)}", fontsize=10)
        ax.grid(True, alpha=0.4)
        ax.legend(fontsize=8)
        written += save_figure(fig, os.path.join(out_dir, "yield"))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="lightlane HDF5 output file")
    parser.add_argument("-o", "--out-dir", required=True, metavar="DIR",
                        help="folder for the plots (created if needed)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing plots")
    args = parser.parse_args(argv)
    return run_plot("plot_report.py", args.file,
                    lambda: plot(args.file, args.out_dir, args.overwrite))


if __name__ == "__main__":
    sys.exit(main())
