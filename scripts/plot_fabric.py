#!/usr/bin/env python3
"""Bar charts of a fabric roll-up: optics power and part failures per day per port design.

Usage: plot_fabric.py FABRIC.csv --out PREFIX

Reads the table `lightlane fabric FABRIC.toml --csv FABRIC.csv` writes (a row per quantity, a
column per port design after `quantity` and `unit`) and draws two panels side by side: the
fabric's optics power (kW) and its part failures per day, each bar split into transceivers,
optical engines and lasers. Writes PREFIX.png and PREFIX.svg. Needs matplotlib.
"""

import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lightlane_plot import run_plot, save_figure  # noqa: E402


def read_table(path):
    """{quantity: [value per design]} and the design names, from the CSV."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0][:2] != ["quantity", "unit"] or len(rows[0]) < 3:
        raise ValueError("expected the CSV of `lightlane fabric --csv` (quantity, unit, designs)")
    designs = rows[0][2:]
    table = {}
    for row in rows[1:]:
        if len(row) != len(rows[0]):
            raise ValueError(f"a row of {len(row)} cells, expected {len(rows[0])}: {row[:1]}")
        table[row[0]] = row[2:]
    return designs, table


def numbers(table, quantity):
    if quantity not in table:
        raise KeyError(f"no row '{quantity}'")
    return [float(v) if v else 0.0 for v in table[quantity]]


def plot(path, prefix):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    designs, table = read_table(path)
    power_kw = numbers(table, "optics power")
    parts = [("transceivers", "failures per day: transceivers"),
             ("optical engines", "failures per day: optical engines"),
             ("lasers", "failures per day: lasers")]
    if "failures per day: copper cables" in table:  # (tables from before copper designs lack it)
        parts.append(("copper cables", "failures per day: copper cables"))
    x = range(len(designs))
    fig, (ax_power, ax_fail) = plt.subplots(1, 2, figsize=(10, 4.2))
    ax_power.bar(x, power_kw, color="tab:blue")
    ax_power.set_ylabel("optics power [kW]")
    ax_power.set_title("optics power of the fabric")
    bottom = [0.0] * len(designs)
    for label, quantity in parts:
        values = numbers(table, quantity)
        ax_fail.bar(x, values, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax_fail.set_ylabel("part failures per day [1/day]")
    ax_fail.set_title("part failures per day")
    ax_fail.legend()
    gpus = table.get("GPUs", [""])[0]
    for ax in (ax_power, ax_fail):
        ax.set_xticks(list(x))
        ax.set_xticklabels(designs, rotation=15, ha="right")
    fig.suptitle(f"fabric of {gpus} GPUs: {os.path.basename(path)}")
    fig.tight_layout()
    return save_figure(fig, prefix)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", help="the CSV of lightlane fabric --csv")
    parser.add_argument("--out", required=True, help="output prefix (PREFIX.png, PREFIX.svg)")
    args = parser.parse_args()
    return run_plot("plot_fabric.py", args.csv, lambda: plot(args.csv, args.out))


if __name__ == "__main__":
    sys.exit(main())
