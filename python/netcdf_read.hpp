// A lightlane HDF5 file read into Python objects (python/netcdf_read.cpp): {"variables": [(name,
// dims, numpy array, attrs), ...] in the file's order, "attrs": the file's}, for
// python/lightlane/_netcdf.py. Call with the GIL held.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ll::python {

// The in-memory file's bytes (Hdf5Writer::Mode::memory), read in place.
nanobind::dict read_netcdf_image(const std::vector<std::uint8_t>& image);
// A file on disk.
nanobind::dict read_netcdf_file(const std::string& path);

}  // namespace ll::python
