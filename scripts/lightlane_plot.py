"""Helpers shared by the lightlane plot scripts."""

import os

KP4_BER = 2.4e-4  # pre-FEC BER threshold of RS(544,514), ../shared/reference/PARAMETERS.md


def save_figure(fig, prefix):
    """Writes PREFIX.png (150 dpi) and PREFIX.svg, creating the folder; closes the figure."""
    import matplotlib.pyplot as plt

    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fig.savefig(prefix + ".png", dpi=150)
    fig.savefig(prefix + ".svg")
    plt.close(fig)
    return [prefix + ".png", prefix + ".svg"]


def text(value):
    """An HDF5 string attribute as str (h5py returns bytes for fixed-length strings)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def with_units(label, units):
    return label if units in ("", "1") else f"{label} [{units}]"


class SweptKey:
    """A swept key: its dataset name, dotted scenario key, units, and its value at every point
    (flattened, point order). `axis` is its coordinate on a grid (None for lists and draws)."""

    def __init__(self, name, key, units, values, axis=None):
        self.name, self.key, self.units, self.values, self.axis = name, key, units, values, axis

    def label(self):
        return with_units(self.key, self.units)

    def describe(self, point):
        unit = "" if self.units in ("", "1") else f" {self.units}"
        return f"{self.key} = {self.values[point]:.4g}{unit}"


class Sweep:
    """The points of a lightlane output file, flattened: a grid sweep's dimensions (the swept
    keys, last fastest) or the `point` dimension of lists and draws. `shape` is the sweep's
    axes; per_point(name) reads a per-point variable as [point, ...]."""

    def __init__(self, h5):
        import numpy as np

        self.h5 = h5
        ber = h5["ber"]
        dims = [text(ber.dims[i][0].name).lstrip("/") if len(ber.dims[i]) else ""
                for i in range(ber.ndim)]
        self.keys = []
        if dims and dims[0] == "point":
            self.shape = (ber.shape[0],)
        else:
            grid = [d for d in dims if d and d != "lane"]
            grid = dims[:len(grid)] if grid else []
            self.shape = tuple(h5[d].shape[0] for d in grid)
            axes = [h5[d][...].astype(float) for d in grid]
            mesh = np.meshgrid(*axes, indexing="ij") if axes else []
            for d, axis, values in zip(grid, axes, mesh):
                dataset = h5[d]
                self.keys.append(SweptKey(d, text(dataset.attrs.get("long_name", d)),
                                          text(dataset.attrs.get("units", "")),
                                          values.reshape(-1), axis))
        # The swept keys that are not dimensions: coordinates over the sweep's axes (lists and
        # draws on `point`; draws at every grid point over the grid's keys and `draw`).
        names = text(ber.attrs.get("coordinates", "")).split()
        for name in (n for n in names if n in h5 and h5[n].shape == self.shape):
            dataset = h5[name]
            self.keys.append(SweptKey(name, text(dataset.attrs.get("long_name", name)),
                                      text(dataset.attrs.get("units", "")),
                                      dataset[...].astype(float).reshape(-1)))
        self.points = int(np.prod(self.shape)) if self.shape else 1

    def per_point(self, name):
        """A per-point variable with the sweep's axes flattened into one: [point, ...]."""
        values = self.h5[name][...]
        return values.reshape((self.points,) + values.shape[len(self.shape):])

    def key(self, wanted):
        """The swept key named `wanted` (dataset name or dotted key), or a ValueError."""
        for k in self.keys:
            if wanted in (k.name, k.key):
                return k
        listed = ", ".join(k.key for k in self.keys) or "none"
        raise ValueError(f"{wanted} is not a swept key of this file (swept keys: {listed})")

    def describe(self, point):
        return ", ".join(k.describe(point) for k in self.keys)


def parse_at(items):
    """--at KEY=VALUE arguments into {KEY: VALUE}, or a ValueError naming the bad one."""
    at = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            at[key] = float(value)
        except ValueError:
            sep = ""
        if not sep or not key:
            raise ValueError(f"--at {item}: expected KEY=VALUE with a number, e.g. laser.power_dbm=6")
    return at


def held_points(sweep, at):
    """The points whose swept keys named in `at` sit at the value nearest to the one asked for
    (a grid key's coordinate, or one of a list key's values), as a boolean array over the
    flattened points, and a description of what is held."""
    import numpy as np

    keep = np.ones(sweep.points, dtype=bool)
    held = []
    for name, wanted in at.items():
        k = sweep.key(name)
        values = k.axis if k.axis is not None else np.unique(k.values)
        nearest = values[int(np.argmin(np.abs(values - wanted)))]
        keep &= k.values == nearest
        held.append(f"{k.key} = {nearest:.4g}" + ("" if k.units in ("", "1") else f" {k.units}"))
    return keep, held


def finished(sweep):
    """Per point: Monte-Carlo counted (bits > 0) and statistical (stop_reason 3) results with a
    finite BER, as boolean arrays over the flattened points."""
    import numpy as np

    bits = sweep.per_point("bits")
    ber = sweep.per_point("ber").astype(float)
    stop = sweep.per_point("stop_reason")
    counted = (bits > 0) & np.isfinite(ber)
    statistical = (stop == 3) & np.isfinite(ber)
    return counted, statistical


def run_plot(script, path, make_plot):
    """Runs `make_plot()` (which returns the files written) as a script's main: prints them, or a
    one-line error naming the script and the file; returns the exit status."""
    import sys

    try:
        written = make_plot()
    except ImportError as error:
        print(f"{script}: needs numpy, h5py and matplotlib: {error}", file=sys.stderr)
        return 1
    except (OSError, KeyError, ValueError) as error:
        print(f"{script}: {path}: {error}", file=sys.stderr)
        return 1
    print("wrote " + " ".join(written))
    return 0
