"""A lightlane HDF5 file (netCDF-4 layout) as an xarray.Dataset: the variables and attributes
python/netcdf_read.cpp reads with HDF5's C library (dimension names from the dimension scales,
dimension-only scales left out), then xarray's own decode_cf, as open_dataset does. Nothing here
knows lightlane's variables. tests/python/test_run.py holds the result identical to
`xr.open_dataset(file, engine="h5netcdf")` on the presets' files, variable order included.
"""

# netCDF-4's and the dimension scales' own attributes, not the variables'.
_RESERVED = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid",
             "_Netcdf4Coordinates", "_nc3_strict", "_NCProperties"}


def _attrs(attrs):
    return {k: v for k, v in attrs.items() if k not in _RESERVED}


def dataset(contents):
    """The Dataset of _lightlane.run's or read_file's {"variables": [...], "attrs": {...}}."""
    import xarray as xr

    variables = {name: xr.Variable(dims, values, _attrs(attrs))
                 for name, dims, values, attrs in contents["variables"]}
    ds = xr.decode_cf(xr.Dataset(variables, attrs=_attrs(contents["attrs"])))
    # open_dataset's order: the data variables, then the coordinates, each in the file's order.
    coords = [n for n in variables if n in ds.coords]
    order = [n for n in variables if n not in ds.coords] + coords
    return xr.Dataset({n: ds.variables[n] for n in order}, attrs=ds.attrs).set_coords(coords)
