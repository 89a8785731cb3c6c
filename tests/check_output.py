#!/usr/bin/env python3
"""Check a lightlane HDF5 output file against the layout plotting scripts rely on.

Usage: check_output.py PATH [--expect-dims point,eye_amplitude,eye_phase_ui]
                            [--expect-coords driver.swing_vpp,laser_power_dbm]
                            [--expect-grid laser.power_dbm,driver.swing_vpp]

Opens the file with xarray (engine h5netcdf, i.e. as netCDF-4) and with h5py, and checks:
the named dimensions exist with the sizes of their coordinate variables, every variable has a
`units` attribute, the swept keys are coordinates on `point` (lists, draws) or, with
--expect-grid, the leading dimensions of every per-point variable in that order (a grid), the
counts are uint64, and for every point with bits > 0: ber == bit_errors / bits and
ber_lo <= ber <= ber_hi.
Prints a short summary. Exit status 0 when the file passes, 1 with a message when it does not,
77 (CTest's SKIP_RETURN_CODE) when h5py, xarray or h5netcdf is not installed.
"""

import argparse
import sys

COUNT_NAMES = ("bits", "bit_errors", "symbols", "symbol_errors")
DEFAULT_DIMS = ("point", "eye_amplitude", "eye_phase_ui")
SKIP = 77


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def split_list(text):
    return [item.strip() for item in text.split(",") if item.strip()] if text else []


def check(path, expect_dims, expect_coords, expect_grid=()):
    import h5py
    import numpy as np
    import xarray as xr

    # Counts must stay exact uint64 (shards merge by adding them), so look at them raw: CF
    # decoding turns an integer variable with a _FillValue into float64 with NaN.
    with xr.open_dataset(path, engine="h5netcdf", mask_and_scale=False) as raw, \
            xr.open_dataset(path, engine="h5netcdf") as ds, h5py.File(path, "r") as h5:
        for dim in expect_dims:
            require(dim in ds.sizes, f"dimension '{dim}' missing (have {dict(ds.sizes)})")
            require(dim in h5, f"dimension '{dim}' has no coordinate dataset")
            require(h5[dim].shape == (ds.sizes[dim],),
                    f"dimension '{dim}' has size {ds.sizes[dim]} but its dataset "
                    f"{h5[dim].shape}")
        if "point" in expect_dims:
            points = ds.sizes["point"]
            require(np.array_equal(raw["point"].values, np.arange(points)),
                    "coordinate 'point' is not 0..P-1")

        for name, variable in ds.variables.items():
            require("units" in variable.attrs, f"variable '{name}' has no 'units' attribute")

        grid_dims = tuple(key.replace(".", "_") for key in expect_grid)
        # Lists and draws: coordinates on `point`; draws at every grid point: on the grid's
        # dimensions (the last one `draw`).
        coord_dims = grid_dims if grid_dims else ("point",)
        for key in expect_coords:
            name = key.replace(".", "_")
            require(name in ds.coords,
                    f"swept key '{key}' is not a coordinate (coords: {list(ds.coords)})")
            require(ds[name].dims == coord_dims,
                    f"coordinate '{name}' has dims {ds[name].dims}, expected {coord_dims}")
            for data_name in ("ber", "bits"):
                if data_name in ds:
                    require(name in ds[data_name].coords,
                            f"'{name}' is not a coordinate of '{data_name}'")

        for name in grid_dims:
            require(name in ds.sizes, f"grid dimension '{name}' missing (have {dict(ds.sizes)})")
            require(name in ds.coords and ds[name].dims == (name,),
                    f"grid dimension '{name}' has no coordinate of its own")
        if grid_dims:
            for data_name in ("ber", "bits", "stop_reason", "eye_histogram"):
                require(ds[data_name].dims[:len(grid_dims)] == grid_dims,
                        f"'{data_name}' has dims {ds[data_name].dims}, expected the grid's "
                        f"{grid_dims} first")

        for name in COUNT_NAMES:
            require(name in h5, f"count variable '{name}' missing")
            require(h5[name].dtype == np.uint64,
                    f"'{name}' is {h5[name].dtype} in HDF5, expected uint64")
            require(raw[name].dtype == np.uint64,
                    f"'{name}' is {raw[name].dtype} in xarray (undecoded), expected uint64")

        bits = h5["bits"][...]
        errors = h5["bit_errors"][...]
        ber, ber_lo, ber_hi = (h5[n][...] for n in ("ber", "ber_lo", "ber_hi"))
        run = bits > 0
        expected = np.zeros_like(ber)
        expected[run] = errors[run] / bits[run]
        bad = run & ~np.isclose(ber, expected, rtol=1e-12, atol=0.0)
        require(not bad.any(), f"ber != bit_errors / bits at points {np.flatnonzero(bad)}")
        bad = run & ~((ber_lo <= ber) & (ber <= ber_hi))  # NaN compares false: caught too
        require(not bad.any(), f"ber_lo <= ber <= ber_hi fails at points {np.flatnonzero(bad)}")

        summary = [f"{path}: OK",
                   "  dims: " + ", ".join(f"{d}={n}" for d, n in ds.sizes.items()),
                   "  coords: " + ", ".join(str(c) for c in ds.coords),
                   f"  points run: {int(run.sum())} of {bits.size}, "
                   f"{int(bits.sum())} bits, {int(errors.sum())} bit errors"]
        if run.any():
            summary.append(f"  ber: {ber[run].min():.3g} .. {ber[run].max():.3g}")
        for attr in ("lightlane_version", "git_revision", "backend", "scenario_path"):
            if attr in ds.attrs:
                summary.append(f"  {attr}: {ds.attrs[attr]}")
        print("\n".join(summary))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--expect-dims", default=",".join(DEFAULT_DIMS),
                        help="comma-separated dimension names (default: %(default)s)")
    parser.add_argument("--expect-coords", default="",
                        help="comma-separated swept keys or their dataset names")
    parser.add_argument("--expect-grid", default="",
                        help="comma-separated grid keys, the output's leading dimensions")
    args = parser.parse_args(argv)
    try:
        import h5netcdf  # noqa: F401  (xarray's engine; imported here only to skip cleanly)
        import h5py  # noqa: F401
        import numpy  # noqa: F401
        import xarray  # noqa: F401
    except ImportError as error:
        print(f"check_output.py: skipped, {error}", file=sys.stderr)
        return SKIP
    try:
        check(args.path, split_list(args.expect_dims), split_list(args.expect_coords),
              split_list(args.expect_grid))
    except CheckFailed as failure:
        print(f"check_output.py: {args.path}: {failure}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError) as error:  # unreadable or not netCDF-4 at all
        print(f"check_output.py: {args.path}: cannot read: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
