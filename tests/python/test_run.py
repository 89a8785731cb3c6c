"""lightlane.run: the command line's file, from Python, in this process."""

import os
import signal
import threading
import time

import numpy as np
import pytest
import xarray as xr

import lightlane

# A few points of a preset, quickly: the same keys on both sides.
SMALL = ["run.max_bits=60000", "eye.symbols=4096", "tdecq.symbols=0"]


def cli_dataset(command_line, tmp_path, scenario, sets, name="cli.h5"):
    out = tmp_path / name
    args = ["run", scenario, "-o", out]
    for s in sets:
        args += ["--set", s]
    command_line(*args)
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        return ds.load()


@pytest.mark.parametrize("preset, extra", [
    ("lane_200g_pam4.toml", []),                      # the ring, Monte Carlo, margins
    ("copper_200g.toml", []),                         # the electrical lane and its COM
    ("fibre_dr_500m.toml", []),                       # an EML through fibre
    ("lane_200g_pam4.toml", ['run.mode="stat"']),     # the statistical eye
    ("wdm_8x200g_1p6t_stress.toml", []),              # a WDM bus: the lane dimension
    ("mrm_200g_yield.toml", ['run.mode="stat"']),     # drawn rings: draw coordinates
])
def test_equals_the_command_lines_file(command_line, tmp_path, scenarios, preset, extra):
    """Dataset by dataset, coordinate by coordinate, attribute by attribute: identical."""
    sets = SMALL + extra
    expected = cli_dataset(command_line, tmp_path, scenarios / preset, sets)
    got = lightlane.run(str(scenarios / preset), overrides=sets, progress=False)
    assert list(got.variables) == list(expected.variables)
    assert list(got.data_vars) == list(expected.data_vars)
    assert list(got.coords) == list(expected.coords)
    xr.testing.assert_identical(got, expected)
    for name in expected.variables:  # and the types, which assert_identical lets pass
        assert got[name].dtype == expected[name].dtype, name
    xr.testing.assert_identical(lightlane.load(tmp_path / "cli.h5"), expected)


def test_writes_output_only_when_asked(command_line, tmp_path, scenarios, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = scenarios / "lane_200g_pam4.toml"
    ds = lightlane.run(scenario, overrides=SMALL, progress=False)
    assert sorted(os.listdir(tmp_path)) == []  # nothing written without `output`
    out = tmp_path / "out.h5"
    written = lightlane.run(scenario, overrides=SMALL, output=out, progress=False)
    assert sorted(os.listdir(tmp_path)) == ["out.h5"]
    xr.testing.assert_identical(written, ds)
    # An existing file is refused as on the command line, and kept.
    with pytest.raises(lightlane.ScenarioError) as err:
        lightlane.run(scenario, overrides=SMALL, output=out, progress=False)
    assert "out.h5" in str(err.value) and "--overwrite" in str(err.value)
    lightlane.run(scenario, overrides=SMALL, output=out, overwrite=True, progress=False)


def test_scenario_as_text_or_dict(scenarios):
    base = (scenarios / "copper_200g.toml").read_text()
    from_file = lightlane.stat_eye(scenarios / "copper_200g.toml", overrides=SMALL)
    from_text = lightlane.stat_eye(base, overrides=SMALL)
    xr.testing.assert_equal(from_text, from_file)  # values; attrs name the source
    assert from_text.attrs["scenario_path"] == "<string>"
    # A dict: the preset as tomllib reads it, written back as TOML by the package.
    import tomllib
    from_dict = lightlane.stat_eye(tomllib.loads(base), overrides=SMALL)
    xr.testing.assert_equal(from_dict, from_file)
    assert from_dict.attrs["scenario_path"] == "<dict>"


def test_bad_input_raises_scenario_error(scenarios, tmp_path):
    with pytest.raises(lightlane.ScenarioError) as err:
        lightlane.run(scenarios / "lane_200g_pam4.toml", overrides={"mrm.radius_um": -5})
    assert err.value.key == "mrm.radius_um"
    assert "expected a number in [0.5, 1000] um" in str(err.value)
    bad = tmp_path / "bad.toml"
    bad.write_text((scenarios / "lane_200g_pam4.toml").read_text().replace(
        "symbol_rate_gbd = 106.25", "symbol_rate_gbd = -1"))
    with pytest.raises(lightlane.ScenarioError) as err:
        lightlane.validate(bad)
    assert err.value.file == str(bad)
    assert err.value.key == "signal.symbol_rate_gbd"
    line = [i for i, l in enumerate(bad.read_text().splitlines(), 1) if "symbol_rate_gbd" in l]
    assert err.value.line == line[0]
    with pytest.raises(lightlane.ScenarioError) as err:
        lightlane.run(tmp_path / "missing.toml")
    assert "missing.toml" in str(err.value)
    with pytest.raises(lightlane.ScenarioError) as err:
        lightlane.run("[run]\nmode = 'stat'\nnot a toml line\n")
    assert err.value.file == "<string>" and err.value.line == 3


def test_validate_returns_the_plan(scenarios):
    plan = lightlane.validate(scenarios / "lane_200g_pam4.toml", overrides=SMALL)
    assert plan["points"] == 5 and plan["batches"] == 1
    assert plan["max_bits"] == 5 * 60000
    assert plan["symbols_per_s"] > 1e5 and plan["estimated_seconds"] > 0
    assert plan["text"].startswith("scenario ") and "valid" in plan["text"]


def test_stat_eye(scenarios):
    ds = lightlane.stat_eye(scenarios / "lane_200g_pam4.toml", overrides=SMALL)
    meanings = ds.stop_reason.attrs["flag_meanings"].split()
    assert all(meanings[int(r)] == "statistical" for r in ds.stop_reason.values.ravel())
    # The waterfall falls with laser power, and the bathtub closes toward the eye's edges.
    ber = ds.ber.values
    assert np.all(ber > 0) and np.all(np.diff(ber) < 0)
    assert np.all(ds.bathtub_ber.isel(bathtub_phase_ui=0) > ds.ber)


def test_gil_released_while_running(scenarios):
    """Another Python thread runs while the engine works."""
    ticks = 0
    done = threading.Event()

    def work():
        lightlane.run(scenarios / "lane_200g_pam4.toml", progress=False,
                      overrides=["run.max_bits=8000000", "eye.symbols=4096", "tdecq.symbols=0",
                                 "margin.compute=false"])
        done.set()

    t = threading.Thread(target=work)
    start = time.monotonic()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert time.monotonic() - start > 0.2
    assert ticks > 50


def test_ctrl_c_keeps_finished_points(command_line, tmp_path, scenarios):
    """SIGINT mid-run: RunInterrupted with the finished points, the file resumable by the
    command line, and the resumed file equals an uninterrupted run's."""
    scenario = tmp_path / "many.toml"
    text = (scenarios / "lane_200g_pam4.toml").read_text()
    text = text.replace('"laser.power_dbm" = [2.0, 4.0, 6.0, 8.0, 10.0]',
                        '"laser.power_dbm" = [' + ", ".join(f"{6 + 0.05 * i:.2f}"
                                                            for i in range(40)) + "]")
    scenario.write_text(text)
    # About 0.3 s a point on one thread here: Ctrl-C at 1.5 s finds a few finished.
    sets = ["run.max_bits=1000000", "eye.symbols=4096", "tdecq.symbols=0",
            "margin.compute=false"]
    out = tmp_path / "py.h5"
    timer = threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(lightlane.RunInterrupted) as stop:
            lightlane.run(scenario, overrides=sets, output=out, threads=1, progress=False)
    finally:
        timer.cancel()
    partial = stop.value.dataset
    assert partial is not None
    finished = int((partial.stop_reason != 0).sum())
    assert 0 < finished < 40
    command_line("run", scenario, "-o", out, "--resume", *sum((["--set", s] for s in sets), []))
    whole = cli_dataset(command_line, tmp_path, scenario, sets, name="whole.h5")
    with xr.open_dataset(out, engine="h5netcdf") as resumed:
        for name in ("bits", "bit_errors", "symbol_errors", "ber"):
            np.testing.assert_array_equal(resumed[name].values, whole[name].values)


def test_progress_bar(scenarios, capsys):
    pytest.importorskip("tqdm")
    lightlane.run(scenarios / "lane_200g_pam4.toml", overrides=SMALL, progress=True)
    assert "point" in capsys.readouterr().err
