"""run, validate, stat_eye: the scenario in (a path, TOML text or a dict), a Dataset out."""

import json
import math
import os
import re

from . import _lightlane
from ._errors import RunInterrupted
from ._netcdf import dataset

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key):
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _toml_value(value, where):
    """One TOML value (what `--set key=value` takes after the `=`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        # A whole number as an integer: integer keys (run.max_bits = 1e6) take it, and real
        # keys take integers.
        if value.is_integer() and abs(value) < 2.0**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
    if hasattr(value, "tolist"):  # a numpy scalar or array
        return _toml_value(value.tolist(), where)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    raise TypeError(f"lightlane: {where}: cannot write a {type(value).__name__} as a TOML value")


def _toml_table(table, prefix, lines):
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if prefix and (scalars or not tables):
        lines.append("[" + ".".join(_toml_key(p) for p in prefix) + "]")
    for k, v in scalars.items():
        lines.append(f"{_toml_key(k)} = {_toml_value(v, '.'.join(prefix + [k]))}")
    for k, v in tables.items():
        _toml_table(v, prefix + [k], lines)


def to_toml(scenario):
    """A scenario dict ({"laser": {"power_dbm": 6.0}, ...}) as TOML text."""
    lines = []
    _toml_table(scenario, [], lines)
    return "\n".join(lines) + "\n"


def _source(scenario):
    """(path, text) for the engine: a path, TOML text, or a dict written as TOML."""
    if isinstance(scenario, dict):
        return "<dict>", to_toml(scenario)
    if isinstance(scenario, os.PathLike):
        return os.fspath(scenario), None
    if isinstance(scenario, str):
        # TOML text has a line break or an `=`; anything else is a path (a missing one is
        # refused by the engine, naming it).
        if "\n" in scenario or "=" in scenario:
            return "<string>", scenario
        return scenario, None
    raise TypeError("lightlane: scenario: expected a path, TOML text or a dict, got "
                    f"{type(scenario).__name__}")


def _overrides(overrides):
    """--set's "key=value" strings from a dict {key: value} or a list of such strings."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [f"{k}={_toml_value(v, k)}" for k, v in overrides.items()]
    if isinstance(overrides, str):
        return [overrides]
    return [str(o) for o in overrides]


def _threads(threads):
    if threads is None:
        return 0
    if int(threads) < 1:
        raise ValueError(f"lightlane: threads: expected None or at least 1, got {threads}")
    return int(threads)


def _progress_bar(progress):
    """(callback(finished, points, bits), close()): tqdm's bar over the points, the bits in its
    postfix; no callback for progress=False, or for None without tqdm."""
    if progress is False:
        return None, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise
        return None, lambda: None
    bar = None

    def update(finished, points, bits):
        nonlocal bar
        if points == 0:
            return
        if bar is None:
            bar = tqdm(total=points, unit="point", desc="lightlane")
        bar.n = finished
        bar.set_postfix_str(f"{bits:.3g} bits", refresh=False)
        bar.refresh()

    return update, lambda: bar is not None and bar.close()


def run(scenario, *, overrides=None, backend="auto", threads=None, output=None,
        overwrite=False, progress=None):
    """Simulates a scenario and returns its results as an xarray.Dataset.

    scenario: a path to a TOML file, TOML text, or a dict of tables.
    overrides: {"key": value} or ["key=value", ...], as `lightlane run --set`.
    backend: "auto" | "cpu" | "cuda"; threads: CPU threads (None: OpenMP's default).
    output: also write the HDF5 file there (refused when it exists, unless overwrite=True);
    without it nothing is written to disk.
    progress: a tqdm bar over the points (None: when tqdm is installed; False: none).

    The engine runs with the GIL released. Ctrl-C stops it: RunInterrupted carries the
    finished points (and `output` keeps them for `lightlane run --resume`). Bad input raises
    ScenarioError.
    """
    path, text = _source(scenario)
    output = os.fspath(output) if output is not None else None
    update, close = _progress_bar(progress)
    try:
        contents, stopped = _lightlane.run(path, text, _overrides(overrides), backend,
                                           _threads(threads), output, bool(overwrite), update)
    finally:
        close()
    ds = dataset(contents) if contents is not None else None
    if stopped:
        raise RunInterrupted(ds, output if ds is not None else None)
    return ds


def validate(scenario, *, overrides=None, backend="auto", threads=None):
    """Checks a scenario as `lightlane validate` does, running nothing but a timing chunk.

    Returns a dict: "text" (what the command line prints), "points", "batches", "max_bits",
    "warnings", and the estimate: "estimated_seconds" (at most, on this machine and backend),
    "symbols_per_s" (Monte Carlo, per thread on the CPU), "seconds_per_eye" (statistical
    mode), "engine_bytes" (NaN where not estimated).
    """
    path, text = _source(scenario)
    return _lightlane.validate(path, text, _overrides(overrides), backend, _threads(threads))


def stat_eye(scenario, *, overrides=None, backend="auto", threads=None, progress=False):
    """The scenario in the statistical mode (run.mode = "stat"): BER, the eye, its contours
    and bathtub per point, in milliseconds a point: for interactive work. Returns the Dataset
    that run() would."""
    ov = _overrides(overrides)
    ov = [o for o in ov if not o.replace(" ", "").startswith("run.mode=")] + ['run.mode="stat"']
    return run(scenario, overrides=ov, backend=backend, threads=threads, progress=progress)


def backends():
    """What this build can run on: {"cpu": True, "cuda": {"compiled", "usable", "message"}}."""
    compiled, usable, message = _lightlane.cuda_probe()
    return {"cpu": True, "cuda": {"compiled": compiled, "usable": usable, "message": message}}


def load(path):
    """A lightlane output file (from `lightlane run` or run(output=...)) as the Dataset run()
    returns: what xr.open_dataset(path, engine="h5netcdf") gives, read in memory at once, in a
    fraction of its time (python/netcdf_read.cpp says why)."""
    return dataset(_lightlane.read_file(os.fspath(path)))
