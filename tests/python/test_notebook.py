"""The example notebook runs end to end: its code cells in order, in one namespace, from
examples/ (matplotlib without a display)."""

import json
import os

import pytest

from conftest import SOURCE_DIR


def test_example_notebook_runs(monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    notebook = SOURCE_DIR / "examples" / "detuning_power_map.ipynb"
    cells = json.loads(notebook.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert len(code) >= 4
    monkeypatch.chdir(notebook.parent)
    namespace = {"__name__": "__main__"}
    for i, cell in enumerate(code):
        exec(compile("".join(cell["source"]), f"{notebook.name} cell {i}", "exec"), namespace)
    # What it shows: a BER map over the grid, and a Monte-Carlo eye whose histogram is filled.
    grid, mc = namespace["grid"], namespace["mc"]
    assert grid.ber.dims == ("mrm_detuning_pm", "laser_power_dbm")
    assert int(mc.eye_histogram.sum()) > 0
    assert float(mc.ber[0]) < namespace["threshold"]
