// The HDF5 primitives the writer's pieces share (declared in host/io/hdf5_detail.hpp): HDF5's
// error text, the file access for writing a point at a time, attributes, datasets, point slabs
// and dimension scales of the netCDF-4 / CF layout (host/io/hdf5_writer.cpp says which of its
// conventions matter).
#include "host/io/hdf5_detail.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ll::hdf5_detail {

constexpr unsigned kEyeDeflateLevel = 4;

// The innermost entry of the HDF5 error stack, the one that names the cause (e.g. "errno = 2,
// error message = 'No such file or directory'"); the outer ones only repeat "open failed".
// Clears the stack.
std::string take_hdf5_error_text() {
  struct Walk {
    std::string text;
    int entries = 0;
  } walk;
  constexpr int kMaxEntries = 1;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* error, void* data) -> herr_t {
        auto& w = *static_cast<Walk*>(data);
        if (w.entries >= kMaxEntries || error->desc == nullptr || error->desc[0] == '\0') {
          return 0;
        }
        if (!w.text.empty()) w.text += "; ";
        w.text += error->desc;
        ++w.entries;
        return 0;
      },
      &walk);
  H5Eclear2(H5E_DEFAULT);
  return walk.text;
}

// File access for writing a point at a time. HDF5's sieve buffer (64 KiB by default) caches a
// contiguous dataset's bytes around each write and writes the whole buffer back at every flush:
// with a flush per point, a 10,000-point sweep rewrote ~45 x 64 KiB per point (measured with
// strace: 320 KB written per point for a 3.7 MB file of 400 points). Without it, a point's values
// go to the file as the few bytes they are.
void set_point_write_access(const Checker& check, hid_t fapl) {
  check.ok(H5Pset_sieve_buf_size(fapl, 0), "set the file access properties");
}

// ---- attributes ---------------------------------------------------------------------------

// Variable-length UTF-8: h5py reads it as str, netCDF-C as NC_STRING, and it has no size limit
// (a scenario file may be larger than the 64 KiB an object header attribute can hold).
Handle utf8_string_type(const Checker& check) {
  Handle type = check.own(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
  check.ok(H5Tset_size(type.get(), H5T_VARIABLE), "make a variable-length string type");
  check.ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set the UTF-8 character set");
  return type;
}

void write_string_attribute(const Checker& check, hid_t object, const char* name,
                            const std::string& value) {
  const std::string what = std::string("write attribute '") + name + "'";
  Handle type = utf8_string_type(check);
  Handle space = check.own(H5Screate(H5S_SCALAR), H5Sclose, what);
  Handle attribute = check.own(
      H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  const char* text = value.c_str();
  check.ok(H5Awrite(attribute.get(), type.get(), &text), what);
}

// A numeric attribute of `count` values (count == 1 gives a scalar, as netCDF-C writes them).
void write_numeric_attribute(const Checker& check, hid_t object, const char* name, hid_t file_type,
                             hid_t memory_type, const void* values, hsize_t count) {
  const std::string what = std::string("write attribute '") + name + "'";
  Handle space = count == 1 ? check.own(H5Screate(H5S_SCALAR), H5Sclose, what)
                            : check.own(H5Screate_simple(1, &count, nullptr), H5Sclose, what);
  Handle attribute = check.own(
      H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  check.ok(H5Awrite(attribute.get(), memory_type, values), what);
}

void describe(const Checker& check, hid_t dataset, const char* units,
              const std::string& long_name) {
  write_string_attribute(check, dataset, "units", units);
  write_string_attribute(check, dataset, "long_name", long_name);
}


// A scalar string attribute of the root (empty when absent).
std::string read_root_string(const Checker& check, hid_t file, const char* name) {
  const std::string what = std::string("read attribute '") + name + "'";
  if (H5Aexists(file, name) <= 0) return "";
  Handle attribute = check.own(H5Aopen(file, name, H5P_DEFAULT), H5Aclose, what);
  Handle type = utf8_string_type(check);
  char* text = nullptr;
  check.ok(H5Aread(attribute.get(), type.get(), &text), what);
  std::string value = text ? text : "";
  Handle space = check.own(H5Aget_space(attribute.get()), H5Sclose, what);
  H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, &text);
  return value;
}

// ---- datasets -----------------------------------------------------------------------------

// Creates a dataset of `dims`. With `fill`, unwritten elements read as that value (the HDF5
// fill value; floating datasets also carry the CF `_FillValue` attribute xarray reads).
// `chunk_point_axes` > 0 stores one index of each of the first that many axes (the sweep's, the
// lane's) per chunk, shuffled and deflated: the eye histogram
// is written a few points at a time and mostly zero, and a reader pulls one point's eye.
Handle create_dataset(const Checker& check, hid_t file, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& dims, const Fill* fill,
                      unsigned chunk_point_axes) {
  const std::string what = "create dataset '" + name + "'";
  Handle dcpl = check.own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
  // netCDF-C tracks attribute order on variables too; matching it keeps attribute order stable.
  check.ok(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), what);
  if (fill != nullptr) {
    check.ok(H5Pset_fill_value(dcpl.get(), fill->memory_type, fill->value), what);
  }
  bool all_dims_nonzero = true;
  for (hsize_t d : dims) all_dims_nonzero = all_dims_nonzero && d > 0;
  // HDF5 refuses chunks larger than a fixed-size dataset, so empty ones stay contiguous.
  if (chunk_point_axes > 0 && all_dims_nonzero) {
    std::vector<hsize_t> chunk = dims;
    for (unsigned a = 0; a < chunk_point_axes; ++a) chunk[a] = 1;
    check.ok(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), what);
    // Byte shuffle first: a count's high bytes are almost all zero, so grouped into planes they
    // deflate in half the time and to 3/4 of the size (measured on 200 eyes of 256 x 64 bins:
    // 1.36 -> 0.61 ms and 8.5 -> 6.3 KB per eye at level 4).
    check.ok(H5Pset_shuffle(dcpl.get()), what);
    check.ok(H5Pset_deflate(dcpl.get(), kEyeDeflateLevel), what);
  }
  Handle space = check.own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                           H5Sclose, what);
  Handle dataset = check.own(
      H5Dcreate2(file, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, what);
  // `_FillValue` only on floating datasets (NaN): on counts, xarray would mask every genuine
  // zero (a point with no bit errors) as missing and turn the counts into floats.
  if (fill != nullptr && H5Tget_class(file_type) == H5T_FLOAT) {
    write_numeric_attribute(check, dataset.get(), "_FillValue", file_type, fill->memory_type,
                            fill->value, 1);
  }
  return dataset;
}

void write_whole(const Checker& check, hid_t dataset, hid_t memory_type, const void* data,
                 std::size_t count, const std::string& name) {
  if (count == 0) return;  // nothing to write, and HDF5 has no buffer to read
  check.ok(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
           "write dataset '" + name + "'");
}

// Writes points [first, first + n) of a per-point dataset whose leading axes are the sweep's
// (`sweep_shape`, row-major: the last axis fastest) and whose trailing axes (`trailing`: lane,
// histogram bins ...) are written whole. On a grid the points are a union of hyperslabs, one per
// run of points along the last axis; HDF5 transfers a selection in row-major order, which is the
// points' order in `data`.
void write_points_slab(const Checker& check, hid_t dataset, const char* name, hid_t memory_type,
                       const void* data, const std::vector<std::size_t>& sweep_shape,
                       std::size_t first, std::size_t n, const std::vector<hsize_t>& trailing) {
  const std::string what = std::string("write points into dataset '") + name + "'";
  Handle file_space = check.own(H5Dget_space(dataset), H5Sclose, what);
  const std::size_t axes = sweep_shape.size();
  std::vector<hsize_t> start(axes + trailing.size(), 0), count(axes, 1);
  count.insert(count.end(), trailing.begin(), trailing.end());
  const std::size_t last_axis = sweep_shape.back();
  bool first_run = true;
  for (std::size_t p = first; p < first + n;) {
    // The run of points from p along the last axis, within the range.
    point_index(p, sweep_shape, start.data());
    const std::size_t run =
        std::min<std::size_t>(last_axis - static_cast<std::size_t>(start[axes - 1]), first + n - p);
    count[axes - 1] = run;
    check.ok(H5Sselect_hyperslab(file_space.get(), first_run ? H5S_SELECT_SET : H5S_SELECT_OR,
                                 start.data(), nullptr, count.data(), nullptr),
             what);
    first_run = false;
    p += run;
  }
  std::vector<hsize_t> memory_dims{n};
  memory_dims.insert(memory_dims.end(), trailing.begin(), trailing.end());
  Handle memory_space =
      check.own(H5Screate_simple(static_cast<int>(memory_dims.size()), memory_dims.data(), nullptr),
                H5Sclose, what);
  check.ok(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, data),
           what);
}

Handle create_dimension(const Checker& check, hid_t file, const char* name, hid_t file_type,
                        hid_t memory_type, const void* values, std::size_t count, const char* units,
                        const char* long_name) {
  Handle dataset =
      create_dataset(check, file, name, file_type, {static_cast<hsize_t>(count)}, nullptr);
  write_whole(check, dataset.get(), memory_type, values, count, name);
  describe(check, dataset.get(), units, long_name);
  // The scale's NAME is the dimension name: netCDF-C and h5netcdf then treat the dataset as
  // the coordinate variable of a dimension of that name.
  check.ok(H5DSset_scale(dataset.get(), name), std::string("make '") + name + "' a dimension");
  return dataset;
}

// The extent of a simple dataspace, axis by axis.
std::vector<hsize_t> space_dims(hid_t space) {
  std::vector<hsize_t> dims(
      static_cast<std::size_t>(std::max(0, H5Sget_simple_extent_ndims(space))));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

// A dimension whose coordinate counts first, first + 1, ... (point, draw, lane, eye edge, the
// count histograms' bins), as uint64.
Handle create_index_dimension(const Checker& check, hid_t file, const char* name, std::size_t count,
                              const char* long_name, std::uint64_t first) {
  std::vector<std::uint64_t> index(count);
  for (std::size_t i = 0; i < count; ++i) index[i] = first + i;
  return create_dimension(check, file, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, index.data(), count,
                          "1", long_name);
}

void attach(const Checker& check, hid_t dataset, hid_t scale, unsigned axis,
            const std::string& name) {
  check.ok(H5DSattach_scale(dataset, scale, axis),
           "attach a dimension scale to axis " + std::to_string(axis) + " of '" + name + "'");
}

std::string swept_dataset_name(const std::string& key) {
  std::string name = key;
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

}  // namespace ll::hdf5_detail
