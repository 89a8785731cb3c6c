"""Helpers shared by the lightlane plot scripts."""

import os

KP4_BER = 2.4e-4  # pre-FEC BER threshold of RS(544,514), ../shared/reference/PARAMETERS.md
KP4_LABEL = "KP4 pre-FEC threshold " + f"{KP4_BER:.1e}".replace("e-0", "e-")  # "... 2.4e-4"
# A BER of 0 (a statistical eye's underflow) is drawn, and ranked, at this floor on log axes.
BER_FLOOR = 1e-30


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
    axes; per_point(name) reads a per-point variable as [point, ...].

    A WDM file ([wdm]) has a `lane` dimension after the sweep's axes on every per-point
    variable (`lanes` is its size, 0 without it). The scripts plot one lane: choose_lane()
    picks it (the one asked for, or the worst), then per_point() and index() read that lane,
    so no script handles the extra dimension itself."""

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
        self.lanes = h5["lane"].shape[0] if "lane" in dims else 0
        self.lane = 0  # the lane per_point() and index() read; set by choose_lane()
        self.lane_title = ""  # e.g. "lane 3 (worst of 8)"; empty without a lane dimension

    def all_lanes(self, name):
        """A per-point variable with the sweep's axes flattened into one: [point, ...], on a WDM
        file [point, lane, ...]."""
        values = self.h5[name][...]
        return values.reshape((self.points,) + values.shape[len(self.shape):])

    def per_point(self, name):
        """A per-point variable of the chosen lane, the sweep's axes flattened: [point, ...]."""
        values = self.all_lanes(name)
        return values[:, self.lane] if self.lanes else values

    def lane_index(self):
        """What selects the chosen lane after the sweep's axes: (lane,), or () without lanes."""
        return (self.lane,) if self.lanes else ()

    def index(self, point):
        """Flattened point `point` of the chosen lane as an index into a per-point dataset
        (h5[name][sweep.index(point)] reads that point alone, not the whole variable)."""
        import numpy as np

        axes = tuple(int(i) for i in np.unravel_index(point, self.shape)) if self.shape else ()
        return axes + self.lane_index()

    def plotted_ber(self):
        """Per point and lane, the BER a plot shows: the counted or statistical BER, or for a
        point that counted no error its 95% upper limit ber_hi (where plot_ber.py draws it);
        NaN where nothing ran. Floored at BER_FLOOR. [point] or [point, lane]."""
        import numpy as np

        ber, hi = self.all_lanes("ber").astype(float), self.all_lanes("ber_hi").astype(float)
        errors = self.all_lanes("bit_errors")
        counted = self.all_lanes("bits") > 0
        statistical = self.all_lanes("stop_reason") == 3
        figure = np.where(statistical | (counted & (errors > 0)), ber, np.nan)
        figure = np.where(counted & (errors == 0), hi, figure)
        return np.where(np.isfinite(figure), np.maximum(figure, BER_FLOOR), np.nan)

    def choose_lane(self, requested, points=None):
        """Chooses the lane to plot, prints it on stdout (on a WDM file) and returns its title
        text (also in `lane_title`; empty without lanes). `requested` is --lane; None picks
        the worst lane over `points` (flattened indices or a boolean mask over them; default
        every point): the lane whose plotted BER (plotted_ber()) has the highest mean log10
        over those points, i.e. the curve that sits highest on a log BER plot; at one point
        simply the highest BER. A ValueError for a lane the file does not have (on a file
        without lanes anything but 0)."""
        if not self.lanes:
            if requested not in (None, 0):
                raise ValueError(f"--lane {requested}: this file has no lane dimension (no [wdm] "
                                 "bus), so there is only lane 0")
            self.lane, self.lane_title = 0, ""
            return self.lane_title
        if requested is not None:
            if not 0 <= requested < self.lanes:
                raise ValueError(f"--lane {requested} out of range: the file has {self.lanes} "
                                 f"lanes (0 .. {self.lanes - 1})")
            self.lane, self.lane_title = requested, f"lane {requested} of {self.lanes}"
        else:
            worst = self.worst_lane(points)
            self.lane = worst or 0
            self.lane_title = (f"lane {worst} (worst of {self.lanes})" if worst is not None
                               else f"lane 0 of {self.lanes} (no BER to pick the worst by)")
        print(self.lane_title)  # which lane a default run picked, for the reader and the tests
        return self.lane_title

    def worst_lane(self, points=None):
        """The lane with the highest mean log10 plotted_ber() over `points`, or None when no
        lane has a BER there (nothing ran)."""
        import numpy as np

        logs = np.log10(self.plotted_ber())
        if points is not None:
            logs = logs[points]
        seen = np.isfinite(logs)
        counts = seen.sum(axis=0)
        if not counts.any():
            return None
        means = np.where(seen, logs, 0.0).sum(axis=0) / np.maximum(counts, 1)
        return int(np.argmax(np.where(counts > 0, means, -np.inf)))

    def key(self, wanted):
        """The swept key named `wanted` (dataset name or dotted key), or a ValueError."""
        for k in self.keys:
            if wanted in (k.name, k.key):
                return k
        listed = ", ".join(k.key for k in self.keys) or "none"
        raise ValueError(f"{wanted} is not a swept key of this file (swept keys: {listed})")

    def describe(self, point):
        return ", ".join(k.describe(point) for k in self.keys)


def wrap_parts(text, width):
    """A ", "-separated description on lines of about `width` characters, broken only between
    parts, so that a legend of many swept keys (draws at every grid point) stays on the page."""
    lines = []
    for part in text.split(", "):
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += ", " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def add_lane_argument(parser):
    """--lane N, the same in every script."""
    parser.add_argument("--lane", type=int, metavar="N",
                        help="lane of a WDM file to plot (default: the worst lane, the one "
                             "with the highest BER over the plotted points); a file without "
                             "lanes has only lane 0")


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
    """Per point of the chosen lane: Monte-Carlo counted (bits > 0) and statistical
    (stop_reason 3) results with a finite BER, as boolean arrays over the flattened points."""
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
